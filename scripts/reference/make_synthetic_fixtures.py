#!/usr/bin/env python3
"""Tiny synthetic GGUF models for the architecture variants no real test model has.

Hearth's real test models are a Llama 2-style SmolLM2, Qwen2.5 and Gemma 3. Llama 3.1's RoPE
frequency factors, linear RoPE scaling and Qwen3's per-head Q/K norm appear in none of them, so
this script builds tiny models that have them (random weights from fixed numpy seeds, written with
gguf-py's GGUFWriter), and for each one freezes into a JSON fixture:
  - a fixed token sequence,
  - the fp64 reference's logits at every position (fp64_forward.py),
  - llama.cpp's logits at every position on the same file (llama-cpp-python, default settings:
    f16 KV cache), and how far they are from fp64,
  - a verification figure: llama.cpp with its rounding taken away (F32 KV cache, no flash
    attention, F32 weights where the model has them), which must agree with fp64 to float32
    rounding; the script stops if it does not, since then one of the two is wrong.
The models are written as `<name>.bin` (GGUF inside; the repository ignores *.gguf) next to the
JSON files in Tests/ModelsTests/Fixtures/synthetic/, so Hearth's tests need neither Python nor
llama.cpp.

Usage:
    python3 make_synthetic_fixtures.py [--out DIR] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field

import numpy as np
import gguf
from gguf.quants import quantize

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fp64_forward import ReferenceModel  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_OUT = os.path.join(REPO, "Tests", "ModelsTests", "Fixtures", "synthetic")

# A SentencePiece-style vocabulary that llama.cpp's `llama` tokenizer accepts: unknown, BOS and
# EOS controls, the 256 byte-fallback tokens, then a few ordinary pieces.
PIECES = ["▁", "▁t", "he", "▁a", "in", "▁the", "er", "on", "▁s", "re"]
VOCAB = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)] + PIECES
TOKEN_TYPES = ([gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
               + [gguf.TokenType.BYTE] * 256 + [gguf.TokenType.NORMAL] * len(PIECES))
BOS, EOS, UNK = 1, 2, 0

SEQUENCE_LENGTH = 24
# Positions whose fp64 top-1 and top-2 logits are closer than this would make an argmax test
# depend on rounding; the token sequence is redrawn (next seed) until every margin is larger.
MIN_TOP2_MARGIN = 0.05
# llama.cpp without its own rounding (F32 KV cache) must agree with fp64 this closely, relative
# to the largest |logit|: float32 arithmetic over a few hundred terms is ~1e-6.
VERIFY_TOLERANCE = 1e-4
# Digits kept for the logits in the JSON: float32 carries ~7; the tests' tolerances are 1e-4.
LOGIT_DIGITS = 8


@dataclass
class Spec:
    name: str
    arch: str
    description: str
    seed: int
    n_embd: int = 64
    n_layer: int = 2
    n_head: int = 4
    n_head_kv: int = 2
    head_dim: int = 16
    n_ff: int = 96
    context: int = 64
    rope_base: float = 10000.0
    rms_eps: float = 1e-5
    matrix_type: gguf.GGMLQuantizationType = gguf.GGMLQuantizationType.F32
    tied_output: bool = True
    qk_norm: bool = False
    linear_rope_factor: float | None = None
    rope_freq_factors: list[float] | None = None
    extra: dict = field(default_factory=dict)


def llama31_rope_factors(head_dim: int, base: float, factor: float, low_freq_factor: float,
                         high_freq_factor: float, original_context: int) -> list[float]:
    """The per-pair divisors the Llama 3.1 converter writes as `rope_freqs.weight`
    (convert_hf_to_gguf.py, LlamaModel.generate_extra_tensors): 1 for short wavelengths,
    `factor` for long ones, smoothly interpolated between."""
    low_wavelen = original_context / low_freq_factor
    high_wavelen = original_context / high_freq_factor
    factors = []
    for i in range(head_dim // 2):
        freq = base ** (-2.0 * i / head_dim)
        wavelen = 2 * np.pi / freq
        if wavelen < high_wavelen:
            factors.append(1.0)
        elif wavelen > low_wavelen:
            factors.append(factor)
        else:
            smooth = (original_context / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
            factors.append(1.0 / ((1 - smooth) / factor + smooth))
    return factors


SPECS = [
    Spec("llama31-rope-freqs", "llama",
         "Llama 3.1-style RoPE frequency factors (rope_freqs.weight), GQA 4/2, tied output, F32",
         seed=1001,
         # factor 8, low 1, high 4 as Llama 3.1, against an 'original context' of 64 so that the
         # eight pairs of a 16-wide head span the whole range (1, 1.29, 7.7, 8, ...).
         rope_freq_factors=llama31_rope_factors(16, 10000.0, 8.0, 1.0, 4.0, 64)),
    Spec("llama-linear-rope", "llama",
         "linear RoPE scaling (rope.scaling.type linear, factor 4), GQA 4/2, separate output, F32",
         seed=2002, linear_rope_factor=4.0, tied_output=False, rope_base=50000.0),
    Spec("qwen3", "qwen3",
         "Qwen3: per-head Q/K RMSNorm, NeoX RoPE, head size 32 with width 64 and 4/2 heads, eps 1e-6, F32",
         seed=3003, head_dim=32, qk_norm=True, rms_eps=1e-6, rope_base=1000000.0),
    Spec("qwen3-q8_0", "qwen3",
         "Qwen3 as above with every matrix (embeddings included) in Q8_0, 3 layers",
         seed=4004, head_dim=32, qk_norm=True, rms_eps=1e-6, rope_base=1000000.0, n_layer=3,
         matrix_type=gguf.GGMLQuantizationType.Q8_0),
]


def write_model(spec: Spec, path: str) -> None:
    rng = np.random.default_rng(spec.seed)
    a = spec.arch
    w = gguf.GGUFWriter(path, a)
    w.add_name(f"synthetic {spec.name}")
    w.add_context_length(spec.context)
    w.add_embedding_length(spec.n_embd)
    w.add_block_count(spec.n_layer)
    w.add_feed_forward_length(spec.n_ff)
    w.add_head_count(spec.n_head)
    w.add_head_count_kv(spec.n_head_kv)
    w.add_key_length(spec.head_dim)
    w.add_value_length(spec.head_dim)
    w.add_rope_dimension_count(spec.head_dim)
    w.add_layer_norm_rms_eps(spec.rms_eps)
    w.add_rope_freq_base(spec.rope_base)
    if spec.linear_rope_factor is not None:
        w.add_rope_scaling_type(gguf.RopeScalingType.LINEAR)
        w.add_rope_scaling_factor(spec.linear_rope_factor)
    w.add_file_type(gguf.LlamaFileType.ALL_F32 if spec.matrix_type == gguf.GGMLQuantizationType.F32
                    else gguf.LlamaFileType.MOSTLY_Q8_0)

    w.add_tokenizer_model("llama")
    w.add_token_list(VOCAB)
    w.add_token_scores([0.0] * 3 + [0.0] * 256 + [-float(i + 1) for i in range(len(PIECES))])
    w.add_token_types([int(t) for t in TOKEN_TYPES])
    w.add_bos_token_id(BOS)
    w.add_eos_token_id(EOS)
    w.add_unk_token_id(UNK)
    w.add_add_bos_token(True)

    def matrix(name: str, rows: int, cols: int, std: float) -> None:
        values = (rng.standard_normal((rows, cols)) * std).astype(np.float32)
        if spec.matrix_type == gguf.GGMLQuantizationType.F32:
            w.add_tensor(name, values)
        else:
            w.add_tensor(name, quantize(values, spec.matrix_type), raw_dtype=spec.matrix_type)

    def norm(name: str, n: int) -> None:
        w.add_tensor(name, (1.0 + 0.1 * rng.standard_normal(n)).astype(np.float32))

    e, hd, v = spec.n_embd, spec.head_dim, len(VOCAB)
    q_dim, kv_dim = spec.n_head * hd, spec.n_head_kv * hd
    # Weights scaled like a trained model's (projections ~1/sqrt(fan_in)), so that activations stay
    # O(1) and the logits have a few units of spread, as real ones do.
    matrix("token_embd.weight", v, e, 1.0)
    norm("output_norm.weight", e)
    if not spec.tied_output:
        matrix("output.weight", v, e, 1.0)
    if spec.rope_freq_factors is not None:
        w.add_tensor("rope_freqs.weight", np.asarray(spec.rope_freq_factors, dtype=np.float32))
    for il in range(spec.n_layer):
        p = f"blk.{il}"
        norm(f"{p}.attn_norm.weight", e)
        matrix(f"{p}.attn_q.weight", q_dim, e, e ** -0.5)
        matrix(f"{p}.attn_k.weight", kv_dim, e, e ** -0.5)
        matrix(f"{p}.attn_v.weight", kv_dim, e, e ** -0.5)
        matrix(f"{p}.attn_output.weight", e, q_dim, q_dim ** -0.5)
        if spec.qk_norm:
            norm(f"{p}.attn_q_norm.weight", hd)
            norm(f"{p}.attn_k_norm.weight", hd)
        norm(f"{p}.ffn_norm.weight", e)
        matrix(f"{p}.ffn_gate.weight", spec.n_ff, e, e ** -0.5)
        matrix(f"{p}.ffn_up.weight", spec.n_ff, e, e ** -0.5)
        matrix(f"{p}.ffn_down.weight", e, spec.n_ff, spec.n_ff ** -0.5)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def top2_margins(logits: np.ndarray) -> np.ndarray:
    top = np.sort(logits, axis=-1)
    return top[:, -1] - top[:, -2]


def choose_tokens(ref: ReferenceModel, seed: int) -> tuple[list[int], np.ndarray, int]:
    """BOS then ids drawn from the whole vocabulary past the specials, redrawn until no position's
    fp64 top-2 margin is below MIN_TOP2_MARGIN. Returns tokens, fp64 logits, draws taken."""
    for attempt in range(1000):
        rng = np.random.default_rng(seed * 1000 + attempt)
        tokens = [BOS] + [int(t) for t in rng.integers(3, len(VOCAB), SEQUENCE_LENGTH - 1)]
        logits = ref.forward(tokens)
        if top2_margins(logits).min() >= MIN_TOP2_MARGIN:
            return tokens, logits, attempt + 1
    raise RuntimeError("no token sequence with clear top-1 margins")


def llamacpp_logits(path: str, tokens: list[int], exact: bool) -> np.ndarray:
    import llama_cpp
    extra = dict(type_k=llama_cpp.GGML_TYPE_F32, type_v=llama_cpp.GGML_TYPE_F32,
                 flash_attn=False) if exact else {}
    llm = llama_cpp.Llama(path, n_ctx=64, n_threads=2, seed=0, logits_all=True, verbose=False, **extra)
    llm.eval(tokens)
    out = np.array(llm.scores[:len(tokens)], dtype=np.float64)
    del llm
    return out


def rounded(x: np.ndarray) -> list[list[float]]:
    return [[float(f"{v:.{LOGIT_DIGITS}g}") for v in row] for row in x]


def make(spec: Spec, out_dir: str) -> dict:
    path = os.path.join(out_dir, f"{spec.name}.bin")
    write_model(spec, path)
    ref = ReferenceModel.load(path)
    tokens, fp64, draws = choose_tokens(ref, spec.seed)
    fp64_stored = np.array(rounded(fp64))
    scale = max(1.0, float(np.abs(fp64).max()))

    # The verification run: llama.cpp's arithmetic without its f16 KV cache must equal fp64's to
    # float32 rounding. For Q8_0 matrices llama.cpp still quantizes activations to 8 bits, so
    # only the F32 models are held to the tight bound.
    exact = llamacpp_logits(path, tokens, exact=True)
    exact_err = float(np.abs(exact - fp64).max())
    if spec.matrix_type == gguf.GGMLQuantizationType.F32 and exact_err > VERIFY_TOLERANCE * scale:
        raise RuntimeError(f"{spec.name}: llama.cpp (F32 KV) differs from fp64 by {exact_err:.3e}; "
                           "one of them is wrong")

    default = np.array(rounded(llamacpp_logits(path, tokens, exact=False)))
    diff = np.abs(default - fp64_stored)
    agree = float(np.mean(default.argmax(-1) == fp64.argmax(-1)))
    fixture = {
        "name": spec.name,
        "architecture": spec.arch,
        "description": spec.description,
        "file": os.path.basename(path),
        "config": ref.config.describe(),
        "generator": "scripts/reference/make_synthetic_fixtures.py",
        "tokens": tokens,
        "token_draws": draws,
        "min_fp64_top2_margin": round(float(top2_margins(fp64).min()), 6),
        "max_abs_fp64_logit": round(float(np.abs(fp64).max()), 6),
        "logit_digits": LOGIT_DIGITS,
        "llamacpp": {
            "package": "llama-cpp-python 0.3.36",
            "settings": "Llama(n_ctx=64, n_threads=2, logits_all=True), defaults otherwise (f16 KV cache)",
            "max_abs_error": float(f"{diff.max():.6g}"),
            "mean_abs_error": float(f"{diff.mean():.6g}"),
            "top1_agreement": agree,
            "verification_f32_kv_max_abs_error": float(f"{exact_err:.6g}"),
        },
        "fp64_logits": rounded(fp64),
        "llamacpp_logits": default.tolist(),
    }
    with open(os.path.join(out_dir, f"{spec.name}.json"), "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    return fixture


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--only", nargs="*", help="fixture names (default: all)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for spec in SPECS:
        if args.only and spec.name not in args.only:
            continue
        fx = make(spec, args.out)
        l = fx["llamacpp"]
        print(f"{spec.name}: {fx['config']}\n  tokens {fx['tokens']} (draw {fx['token_draws']}), "
              f"min top-2 margin {fx['min_fp64_top2_margin']}, max |logit| {fx['max_abs_fp64_logit']}\n"
              f"  llama.cpp vs fp64: max {l['max_abs_error']:.3e} mean {l['mean_abs_error']:.3e} "
              f"top-1 {l['top1_agreement']:.3f}; F32-KV verification max {l['verification_f32_kv_max_abs_error']:.3e}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
