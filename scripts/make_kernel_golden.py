#!/usr/bin/env python3
"""Golden values for Hearth's kernel tests, computed by ggml itself (the libggml-cpu that
llama-cpp-python ships): activation quantization by quantize_row_q8_0_ref / _q8_1_ref / _q8_K_ref,
and dot products by ggml_vec_dot_<type>_<partner> (the SIMD kernels llama.cpp runs on this
CPU; the _generic Q5_0 kernel of this build returns wrong values: it reads q - 16 as unsigned), on inputs that a SplitMix64 generator
makes identically here and in Tests/KernelsTests/VecDotTests.swift (GoldenInputs).

Prints Swift literals to paste into the test. Usage: python3 make_kernel_golden.py
"""
import ctypes, glob, os
import numpy as np
import llama_cpp

LIB = os.path.join(os.path.dirname(llama_cpp.__file__), 'lib')
cpu = ctypes.CDLL(glob.glob(os.path.join(LIB, 'libggml-cpu.so'))[0])
base = ctypes.CDLL(glob.glob(os.path.join(LIB, 'libggml-base.so'))[0])
cpu.ggml_cpu_init()  # fills the fp16 -> fp32 table the generic kernels read

MASK = (1 << 64) - 1
class SplitMix64:
    def __init__(self, seed): self.state = seed & MASK
    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

def activations():
    """1024 floats: 512 random (±4, every 61st ×16, every 97th zero), 256 whose Q8_0/Q8_1 scaled
    values are exact halves, 256 whose Q8_K scaled values are near halves."""
    rng = SplitMix64(0x601D)
    out = []
    for i in range(512):
        v = np.float32((rng.next() >> 40) - 8388608) * np.float32(2.0 ** -21)
        if i % 61 == 0: v = v * np.float32(16)
        if i % 97 == 0: v = np.float32(0)
        out.append(np.float32(v))
    for i in range(256):
        out.append(np.float32(127) if i % 32 == 0 else np.float32((i % 255) - 127) + np.float32(0.5))
    for i in range(256):
        out.append(np.float32(-2) if i == 3 else np.float32(i % 64 - 32) / np.float32(63.5) * np.float32(0.5))
    return np.array(out, dtype=np.float32)

# (name, ggml type bytes per block, elements per block, [(offset, is_min)] fp16 fields, partner)
TYPES = [
    ('q4_0', 18, 32, [(0, False)], 'q8_0'),
    ('q4_1', 20, 32, [(0, False), (2, True)], 'q8_1'),
    ('q5_0', 22, 32, [(0, False)], 'q8_0'),
    ('q5_1', 24, 32, [(0, False), (2, True)], 'q8_1'),
    ('q8_0', 34, 32, [(0, False)], 'q8_0'),
    ('q2_K', 84, 256, [(80, False), (82, True)], 'q8_K'),
    ('q3_K', 110, 256, [(108, False)], 'q8_K'),
    ('q4_K', 144, 256, [(0, False), (2, True)], 'q8_K'),
    ('q5_K', 176, 256, [(0, False), (2, True)], 'q8_K'),
    ('q6_K', 210, 256, [(208, False)], 'q8_K'),
]
PARTNER_BYTES = {'q8_0': 34, 'q8_1': 36, 'q8_K': 292}
PARTNER_BLOCK = {'q8_0': 32, 'q8_1': 32, 'q8_K': 256}

def weights(type_index, count):
    name, nbytes, block, fields, _ = TYPES[type_index]
    rng = SplitMix64(0xB10C + type_index)
    data = bytearray(rng.next() & 0xFF for _ in range(count // block * nbytes))
    for b in range(count // block):
        for offset, is_min in fields:
            if is_min:
                bits = (0x8000 if rng.next() & 1 else 0) | (0x1C00 + rng.next() % 0x0800)
            else:
                bits = 0x2000 + rng.next() % 0x0C00
            data[b * nbytes + offset] = bits & 0xFF
            data[b * nbytes + offset + 1] = bits >> 8
    return bytes(data)

def quantize(partner, x):
    out = ctypes.create_string_buffer(len(x) // PARTNER_BLOCK[partner] * PARTNER_BYTES[partner])
    fn = getattr(base, f'quantize_row_{partner}_ref')
    fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    fn(x.ctypes.data, out, len(x))
    return out.raw

def fnv1a(data):
    h = 0xcbf29ce484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001b3) & MASK
    return h

x = activations()
print('    // quantize_row_<format>_ref of GoldenInputs.activations: FNV-1a 64 of the bytes')
for partner in ['q8_0', 'q8_1', 'q8_K']:
    print(f'    static let {partner}Hash: UInt64 = 0x{fnv1a(quantize(partner, x)):016x}')
print('    // ggml_vec_dot_<type>_<partner>(weights(type), quantized activations), 1024 elements')
print('    static let dots: [GGMLType: UInt32] = [')
for index, (name, nbytes, block, fields, partner) in enumerate(TYPES):
    w = weights(index, len(x))
    q = quantize(partner, x)
    fn = getattr(cpu, f'ggml_vec_dot_{name}_{partner}')
    fn.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_float), ctypes.c_size_t, ctypes.c_char_p,
                   ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int]
    result = ctypes.c_float()
    fn(len(x), ctypes.byref(result), 0, w, 0, q, 0, 1)
    bits = np.array([result.value], dtype=np.float32).view(np.uint32)[0]
    print(f'        .{name}: 0x{bits:08x}, // {result.value!r}')
print('    ]')
