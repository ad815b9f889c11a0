#!/usr/bin/env python3
"""Makes the dequantization fixtures of Tests/KernelsTests/Fixtures/dequant.

The expected values are the `gguf` Python package's `gguf.quants.dequantize`, stored as float32 bit
patterns, for:
  - real blocks: for each model of the catalog and each tensor type it carries, the first and the
    last tensor of that type (file order), three chunks of 512 elements each (start, middle, end);
  - synthetic blocks for every type Hearth decodes: random payload bytes with sane fp16 scales
    (every finite fp16 exponent, both signs, zero and subnormal scales; never NaN or infinity);
  - whole tensors (when the Swift test finds the model files): a checksum of the dequantized
    tensor, with the tensor's absolute file offset, so the test needs no GGUF reader.

It also checks that ggml's portable fp16 -> fp32 conversion (`ggml_compute_fp16_to_fp32`, the
magic-number algorithm of ggml-impl.h) is exact, i.e. equal to numpy's conversion for all 65536
bit patterns, and records a checksum of that table for the Swift test. When llama-cpp-python is
installed, it also runs ggml's own C `dequantize_row_*` (from libggml-base) on every case and
reports whether it agrees bit for bit with the Python package.

Output (small, committed): manifest.json, blocks.bin (raw blocks, cases concatenated),
expected.bin (float32 little-endian, cases concatenated). Run from anywhere:
    python3 scripts/make_quant_fixtures.py [--models-dir DIR] [--out DIR]
The output is deterministic for a given gguf/numpy version and model set.
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import json
import os
import sys
from pathlib import Path

import numpy as np
import gguf
from gguf import GGMLQuantizationType as QT
from gguf.constants import GGML_QUANT_SIZES

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "Tests/KernelsTests/Fixtures/dequant"

MODELS = {
    "smollm2-135m-instruct": "SmolLM2-135M-Instruct.Q4_1.gguf",
    "gemma3-270m": "gemma-3-270m-q4_k_m.gguf",
    "qwen2.5-coder-0.5b-instruct": "qwen2.5-coder-0.5b-instruct-awq-q4_k_m.gguf",
}

# Every type Hearth's Dequantizer decodes, with the byte offsets of its fp16 scale fields
# (ggml-common.h), which the synthetic blocks fill with sane values.
HALF_FIELDS = {
    QT.F32: [], QT.F16: [], QT.BF16: [],
    QT.Q4_0: [0], QT.Q4_1: [0, 2], QT.Q5_0: [0], QT.Q5_1: [0, 2], QT.Q8_0: [0],
    QT.Q2_K: [80, 82], QT.Q3_K: [108], QT.Q4_K: [0, 2], QT.Q5_K: [0, 2], QT.Q6_K: [208],
}

CHUNK_ELEMENTS = 512          # per real-tensor chunk: 2 super-blocks, 16 small blocks
WHOLE_TENSOR_MAX = 1_500_000  # whole-tensor checksums only for tensors up to this many elements


def fnv1a64_words(values: np.ndarray) -> str:
    """FNV-1a 64 over the float32 bit patterns taken as 32-bit words (one step per element):
    h = (h ^ word) * 0x100000001b3 mod 2^64, from 0xcbf29ce484222325. Hex, 16 digits."""
    words = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    h = 0xCBF29CE484222325
    prime = 0x100000001B3
    mask = (1 << 64) - 1
    # The recurrence is sequential, so numpy cannot vectorise it; Python ints take about a second
    # per million words, which the whole-tensor size cap keeps affordable.
    for w in words.tolist():
        h = ((h ^ w) * prime) & mask
    return f"{h:016x}"


def ggml_fp16_to_fp32(bits: np.ndarray) -> np.ndarray:
    """ggml_compute_fp16_to_fp32 (ggml-impl.h, after Maratyszcza/FP16), vectorised."""
    w = bits.astype(np.uint32) << np.uint32(16)
    sign = w & np.uint32(0x80000000)
    two_w = (w + w).astype(np.uint32)
    exp_offset = np.uint32(0xE0 << 23)
    exp_scale = np.float32(2.0 ** -112)
    normalized = (((two_w >> np.uint32(4)) + exp_offset).astype(np.uint32).view(np.float32) * exp_scale)
    magic_mask = np.uint32(126 << 23)
    denormalized = ((two_w >> np.uint32(17)) | magic_mask).view(np.float32) - np.float32(0.5)
    cutoff = np.uint32(1 << 27)
    result = sign | np.where(two_w < cutoff, denormalized.view(np.uint32), normalized.view(np.uint32))
    return result.astype(np.uint32).view(np.float32)


def check_fp16_table() -> dict:
    all_bits = np.arange(65536, dtype=np.uint32).astype(np.uint16)
    numpy_table = all_bits.view(np.float16).astype(np.float32)
    with np.errstate(invalid="ignore"):
        ggml_table = ggml_fp16_to_fp32(all_bits)
    numpy_words, ggml_words = numpy_table.view(np.uint32), ggml_table.view(np.uint32)
    # The one difference allowed: signalling NaNs (exponent 31, top mantissa bit clear, mantissa
    # non-zero). ggml's multiply by 2^-112 quiets them, as F16C's vcvtph2ps does; numpy keeps them
    # signalling. Hearth follows ggml there (no model carries NaN weights; the fixtures have none).
    exponent, mantissa = (all_bits >> 10) & 0x1F, all_bits & 0x3FF
    signalling = (exponent == 0x1F) & (mantissa != 0) & ((mantissa & 0x200) == 0)
    differ = numpy_words != ggml_words
    if not np.array_equal(differ, signalling):
        sys.exit("ggml fp16->fp32 differs from numpy outside the signalling NaNs")
    if not np.array_equal(ggml_words[signalling], numpy_words[signalling] | np.uint32(0x00400000)):
        sys.exit("ggml fp16->fp32 does more than quiet the signalling NaNs")
    back = ggml_table.astype(np.float16).view(np.uint16)
    nan = np.isnan(ggml_table)
    if not np.array_equal(back[~nan], all_bits[~nan]):
        sys.exit("fp16 -> fp32 -> fp16 is not the identity on non-NaN values")
    print(f"fp16->fp32: ggml's magic-number conversion equals numpy's on all {int((~signalling).sum())} patterns "
          f"but the {int(signalling.sum())} signalling NaNs (which ggml quiets); round trip exact on "
          f"the {int((~nan).sum())} non-NaN ones")
    return {"patterns": 65536, "signallingNaNsQuieted": int(signalling.sum()),
            "fnv1a64": fnv1a64_words(ggml_table)}


def dequantize(raw: np.ndarray, qtype: QT) -> np.ndarray:
    out = gguf.quants.dequantize(np.ascontiguousarray(raw, dtype=np.uint8), qtype)
    return np.ascontiguousarray(out, dtype=np.float32).reshape(-1)


def sane_halves(rng: np.random.Generator, n: int) -> np.ndarray:
    """fp16 bit patterns with every finite exponent (0 = zero/subnormal ... 30 = up to 65504)."""
    sign = rng.integers(0, 2, n, dtype=np.uint16) << np.uint16(15)
    exponent = rng.integers(0, 31, n, dtype=np.uint16) << np.uint16(10)
    mantissa = rng.integers(0, 1024, n, dtype=np.uint16)
    return (sign | exponent | mantissa).astype(np.uint16)


def synthetic_blocks(qtype: QT, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    block_size, type_size = GGML_QUANT_SIZES[qtype]
    if qtype == QT.F32:
        count = 1024
        bits = rng.integers(0, 1 << 32, count, dtype=np.uint64).astype(np.uint32)
        finite = (bits & 0x7F800000) != 0x7F800000
        bits = np.where(finite, bits, bits & 0x807FFFFF)  # random bits, NaN/inf moved to finite
        specials = [0x00000000, 0x80000000, 0x00000001, 0x807FFFFF, 0x7F7FFFFF, 0xFF800000, 0x7F800000]
        bits[: len(specials)] = specials
        return bits.view(np.uint8), count
    if qtype in (QT.F16, QT.BF16):
        count = 1024
        if qtype == QT.F16:
            bits = sane_halves(rng, count)
            specials = [0x0000, 0x8000, 0x0001, 0x83FF, 0x0400, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00, 0x3C00]
        else:
            bits = rng.integers(0, 1 << 16, count, dtype=np.uint32).astype(np.uint16)
            nan = ((bits & 0x7F80) == 0x7F80) & ((bits & 0x007F) != 0)
            bits = np.where(nan, bits & 0x807F, bits).astype(np.uint16)
            specials = [0x0000, 0x8000, 0x0001, 0x7F7F, 0xFF7F, 0x7F80, 0xFF80, 0x3F80]
        bits[: len(specials)] = specials
        return bits.view(np.uint8), count

    # Quantized: 16 blocks of 32 or 8 super-blocks of 256; random payload, sane scales.
    n_blocks = 16 if block_size == 32 else 8
    blocks = rng.integers(0, 256, (n_blocks, type_size), dtype=np.uint16).astype(np.uint8)
    for offset in HALF_FIELDS[qtype]:
        halves = sane_halves(rng, n_blocks)
        # Fixed corner cases on the first blocks: zero, -0, smallest subnormal, largest finite.
        corner = [0x0000, 0x8000, 0x0001, 0x7BFF]
        halves[: len(corner)] = corner if offset == HALF_FIELDS[qtype][0] else corner[::-1]
        blocks[:, offset:offset + 2] = halves.view(np.uint8).reshape(n_blocks, 2)
    return blocks.reshape(-1), n_blocks * block_size


def chunk_starts(n_elements: int, block_size: int) -> list[tuple[int, int]]:
    """(start, length) of up to three chunks: start, middle, end; block-aligned, deduplicated."""
    length = min(CHUNK_ELEMENTS, n_elements) // block_size * block_size
    middle = (n_elements // 2) // block_size * block_size
    end = n_elements - length
    starts = []
    for start in (0, min(middle, end), end):
        if start not in starts:
            starts.append(start)
    return [(s, length) for s in starts]


class Writer:
    def __init__(self) -> None:
        self.blocks = bytearray()
        self.expected = bytearray()
        self.cases: list[dict] = []

    def add(self, name: str, qtype: QT, count: int, raw: np.ndarray, expected: np.ndarray, origin: str) -> None:
        assert expected.dtype == np.float32 and expected.size == count
        assert raw.size == count // GGML_QUANT_SIZES[qtype][0] * GGML_QUANT_SIZES[qtype][1]
        self.cases.append({
            "name": name, "type": qtype.name, "typeId": int(qtype), "count": count,
            "blocksOffset": len(self.blocks), "blocksLength": int(raw.size),
            "expectedOffset": len(self.expected), "origin": origin,
        })
        self.blocks += raw.tobytes()
        self.expected += expected.astype("<f4").tobytes()


def load_ggml_c():
    """ggml's C dequantize_row_* from llama-cpp-python's libggml-base, or None."""
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        return None
    lib_dir = Path(llama_cpp.__file__).parent / "lib"
    candidates = sorted(glob.glob(str(lib_dir / "libggml-base*.so*"))) or sorted(glob.glob(str(lib_dir / "*ggml*")))
    for candidate in candidates:
        try:
            lib = ctypes.CDLL(candidate)
            lib.dequantize_row_q4_0  # noqa: B018 - probe the symbol
            return lib
        except (OSError, AttributeError):
            continue
    return None


def ggml_c_dequantize(lib, qtype: QT, raw: np.ndarray, count: int) -> np.ndarray | None:
    if qtype == QT.F32:  # ggml copies F32 as it is; nothing to call
        return raw.view(np.float32).copy()
    name = {QT.F16: "ggml_fp16_to_fp32_row", QT.BF16: "ggml_bf16_to_fp32_row"}.get(
        qtype, f"dequantize_row_{qtype.name.lower().replace('_k', '_K')}")
    fn = getattr(lib, name, None)
    if fn is None:
        return None
    fn.restype = None
    out = np.empty(count, dtype=np.float32)
    src = np.ascontiguousarray(raw, dtype=np.uint8)
    fn(src.ctypes.data_as(ctypes.c_void_p), out.ctypes.data_as(ctypes.c_void_p), ctypes.c_int64(count))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", default=os.environ.get("HEARTH_MODELS_DIR") or
                        str(Path.home() / ".cache/hearth/models"))
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    args = parser.parse_args()
    models_dir = Path(args.models_dir)
    out_dir = Path(args.out)

    fp16_table = check_fp16_table()
    writer = Writer()

    rng = np.random.default_rng(20240611)
    for qtype in HALF_FIELDS:
        raw, count = synthetic_blocks(qtype, rng)
        expected = dequantize(raw, qtype)
        if qtype not in (QT.F32, QT.F16, QT.BF16):  # those three carry infinities on purpose
            assert np.isfinite(expected).all(), qtype.name
        writer.add(f"synthetic.{qtype.name}", qtype, count, raw, expected, "synthetic: random payload, sane fp16 scales")

    whole_tensors = []
    for catalog_name, file_name in MODELS.items():
        path = models_dir / file_name
        if not path.exists():
            sys.exit(f"missing model {path}: the real-tensor fixtures need all three models")
        reader = gguf.GGUFReader(path)
        file_bytes = np.memmap(path, dtype=np.uint8, mode="r")
        by_type: dict[QT, list] = {}
        for tensor in reader.tensors:
            by_type.setdefault(tensor.tensor_type, []).append(tensor)
        for qtype, tensors in sorted(by_type.items()):
            if qtype not in HALF_FIELDS:
                sys.exit(f"{file_name}: tensor type {qtype.name} is not in Hearth's dequantizer list")
            block_size, type_size = GGML_QUANT_SIZES[qtype]
            picked = [tensors[0]] if len(tensors) == 1 else [tensors[0], tensors[-1]]
            for tensor in picked:
                for start, length in chunk_starts(int(tensor.n_elements), block_size):
                    byte_start = tensor.data_offset + start // block_size * type_size
                    raw = np.array(file_bytes[byte_start: byte_start + length // block_size * type_size])
                    expected = dequantize(raw, qtype)
                    writer.add(f"{catalog_name}.{tensor.name}@{start}", qtype, length, raw, expected,
                               f"{file_name} {tensor.name} elements {start}..<{start + length}")
            # Whole tensors: the smallest tensor of each type, when small enough for a debug test.
            smallest = min(tensors, key=lambda t: int(t.n_elements))
            if int(smallest.n_elements) <= WHOLE_TENSOR_MAX:
                n = int(smallest.n_elements)
                raw = np.array(file_bytes[smallest.data_offset: smallest.data_offset + n // block_size * type_size])
                values = dequantize(raw, qtype)
                # The reader's own view of the tensor must be the same bytes.
                assert np.array_equal(raw, np.asarray(smallest.data).view(np.uint8).reshape(-1)), smallest.name
                whole_tensors.append({
                    "model": catalog_name, "file": file_name, "fileSize": path.stat().st_size,
                    "tensor": smallest.name, "type": qtype.name, "typeId": int(qtype), "count": n,
                    "offset": int(smallest.data_offset), "fnv1a64": fnv1a64_words(values),
                    "sum": float(np.sum(values, dtype=np.float64)),
                })

    # ggml's own C, when available: does it agree with the Python package bit for bit?
    lib = load_ggml_c()
    ggml_check = "llama-cpp-python not installed: ggml C not compared"
    if lib is not None:
        blocks = np.frombuffer(bytes(writer.blocks), dtype=np.uint8)
        expected_all = np.frombuffer(bytes(writer.expected), dtype="<f4")
        mismatched, compared, missing = [], 0, set()
        for case in writer.cases:
            qtype = QT(case["typeId"])
            raw = blocks[case["blocksOffset"]: case["blocksOffset"] + case["blocksLength"]]
            c_values = ggml_c_dequantize(lib, qtype, raw, case["count"])
            if c_values is None:
                missing.add(qtype.name)
                continue
            compared += 1
            start = case["expectedOffset"] // 4
            want = expected_all[start: start + case["count"]]
            bad = int(np.count_nonzero(c_values.view(np.uint32) != want.view(np.uint32)))
            if bad:
                mismatched.append(f"{case['name']} ({bad} of {case['count']})")
        ggml_check = (f"ggml C (llama-cpp-python {llama_cpp_version()}) vs gguf-py: {compared} cases compared, "
                      f"{len(mismatched)} differ" + (f": {', '.join(mismatched)}" if mismatched else "")
                      + (f"; no C entry point for {sorted(missing)}" if missing else ""))
    print(ggml_check)

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "blocks.bin").write_bytes(bytes(writer.blocks))
    (out_dir / "expected.bin").write_bytes(bytes(writer.expected))
    manifest = {
        "generator": "scripts/make_quant_fixtures.py",
        "reference": f"gguf {gguf_version()} (gguf.quants.dequantize), numpy {np.__version__}",
        "ggmlCheck": ggml_check,
        "checksum": "fnv1a64 over float32 bit patterns as 32-bit words: h = (h ^ w) * 0x100000001b3, "
                    "from 0xcbf29ce484222325",
        "fp16ToFloat": fp16_table,
        "cases": writer.cases,
        "wholeTensors": whole_tensors,
    }
    (out_dir / "manifest.json").write_text(compact_json(manifest))
    total = len(writer.blocks) + len(writer.expected)
    print(f"{len(writer.cases)} cases, {len(whole_tensors)} whole-tensor checksums, "
          f"{total / 1024:.0f} KiB of data in {out_dir}")


def compact_json(manifest: dict) -> str:
    """Pretty JSON with one line per case: small, and diffs stay readable."""
    lines = ["{"]
    items = list(manifest.items())
    for index, (key, value) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        if isinstance(value, list):
            rows = ",\n".join("  " + json.dumps(row, separators=(", ", ": ")) for row in value)
            lines.append(f" {json.dumps(key)}: [\n{rows}\n ]{comma}")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def gguf_version() -> str:
    try:
        from importlib.metadata import version
        return version("gguf")
    except Exception:  # noqa: BLE001 - the version is informational only
        return "unknown"


def llama_cpp_version() -> str:
    try:
        import llama_cpp
        return llama_cpp.__version__
    except Exception:  # noqa: BLE001
        return "unknown"


if __name__ == "__main__":
    main()
