#!/usr/bin/env python3
"""Check fp64_forward.py against llama.cpp with llama.cpp's own rounding removed.

llama.cpp on a 4-bit file quantizes activations to 8 bits and keeps an f16 KV
cache, so its logits differ from the fp64 reference by more than the reference's
own possible bugs. To separate the two, this script writes a copy of the model
whose tensors are the dequantized weights stored as F32 (the same values
fp64_forward.py uses), runs llama.cpp on that copy with an F32 KV cache and no
flash attention (so every matmul is float32 x float32), teacher-forces a few
prompts, and compares every position's logits with the fp64 reference.
A correct reference agrees to float32 rounding: top-1 ~100% and tiny KL/logit
differences (gemma3 keeps one more llama.cpp-side error: GELU through an f16
lookup table, see --gelu-f16). A wrong RoPE mode, mask or norm shows up as
large differences.

Usage:
    python3 verify_reference.py MODEL.gguf [--tmp DIR] [--keep] [--gelu-f16]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

import numpy as np
import gguf
from gguf.quants import dequantize

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fp64_forward  # noqa: E402
from fp64_forward import ReferenceModel  # noqa: E402
from prompts import LONG_PROMPT, SHARED_PROMPTS  # noqa: E402


def write_f32_copy(src: str, dst: str) -> None:
    """Same metadata, every tensor dequantized to F32."""
    reader = gguf.GGUFReader(src)
    arch = reader.fields["general.architecture"].contents()
    writer = gguf.GGUFWriter(dst, arch)
    for key, fld in reader.fields.items():
        if key.startswith("GGUF.") or key == "general.architecture":
            continue
        vtype = fld.types[0]
        sub_type = fld.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        if key == "general.file_type":
            writer.add_key_value(key, 0, vtype)  # ALL_F32
            continue
        writer.add_key_value(key, fld.contents(), vtype, sub_type)
    for t in reader.tensors:
        values = dequantize(t.data, t.tensor_type).astype(np.float32)
        writer.add_tensor(t.name, values.reshape(tuple(int(n) for n in reversed(t.shape))))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def gelu_like_ggml_cpu(x: np.ndarray) -> np.ndarray:
    """ggml-cpu's GELU with GGML_GELU_FP16 (the default): the input rounded to
    f16 indexes a table of f16 results; saturates outside [-10, 10]."""
    table = exact_gelu(x.astype(np.float32).astype(np.float16).astype(np.float64))
    table = table.astype(np.float32).astype(np.float16).astype(np.float64)
    return np.where(x <= -10.0, 0.0, np.where(x >= 10.0, x, table))


exact_gelu = fp64_forward.gelu_tanh


def log_softmax(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--tmp", default=tempfile.gettempdir())
    ap.add_argument("--keep", action="store_true", help="keep the F32 copy")
    ap.add_argument("--gelu-f16", action="store_true",
                    help="give the reference llama.cpp's f16 GELU table (isolates that error source)")
    args = ap.parse_args()
    if args.gelu_f16:
        fp64_forward.gelu_tanh = gelu_like_ggml_cpu

    import llama_cpp

    f32_path = os.path.join(args.tmp, os.path.basename(args.model) + ".f32.gguf")
    if not os.path.exists(f32_path):
        write_f32_copy(args.model, f32_path)
    ref = ReferenceModel.load(args.model)
    print(ref.config.describe())
    prompts = [SHARED_PROMPTS[0], SHARED_PROMPTS[2], SHARED_PROMPTS[3]]
    if ref.config.sliding_window:
        prompts.append(LONG_PROMPT)
    llm = llama_cpp.Llama(f32_path, n_ctx=2048, n_threads=2, seed=0, logits_all=True, verbose=False,
                          type_k=llama_cpp.GGML_TYPE_F32, type_v=llama_cpp.GGML_TYPE_F32,
                          flash_attn=False)
    worst = 0.0
    for name, text in prompts:
        tokens = llm.tokenize(text.encode(), add_bos=True, special=True)
        llm.reset()
        llm.eval(tokens)
        engine = np.array(llm.scores[:len(tokens)], dtype=np.float64)
        fp64 = ref.forward(tokens)
        agree = np.mean(engine.argmax(-1) == fp64.argmax(-1))
        lp, lq = log_softmax(fp64), log_softmax(engine)
        kl = (np.exp(lp) * (lp - lq)).sum(-1)
        diff = np.abs(engine - fp64).max(-1)
        worst = max(worst, float(diff.max()))
        print(f"{name}: {len(tokens)} positions, top-1 agreement {agree:.4f}, mean KL {kl.mean():.2e}, "
              f"max KL {kl.max():.2e}, max |logit diff| {diff.max():.2e} (mean {diff.mean():.2e})",
              flush=True)
    del llm
    if not args.keep:
        os.remove(f32_path)
    print(f"largest logit difference over all positions: {worst:.3e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
