#!/usr/bin/env python3
"""Does a mixture of experts read only the experts it chose? Token generation on a tiny Qwen3-MoE
with 64 experts (4 used per token) against a dense Qwen3 whose feed-forward has exactly the active
experts' size (4 × 256 = 1024), everything else equal: if Hearth read every expert, the MoE would
be about 10x slower; reading only the chosen ones, it should be close to the dense model.

Writes both GGUF files (random Q8_0 weights, fixed seed) with the `gguf` package, runs
`hearth bench -p 0 -n N` on each in alternation, and prints tokens per second and their ratio.

    pip install gguf numpy
    swift build -c release && python3 scripts/bench_moe.py [--repetitions 3] [--threads 2]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import gguf

ROOT = Path(__file__).resolve().parent.parent
BINARY = os.environ.get("HEARTH_BIN", str(ROOT / ".build" / "release" / "hearth"))

EMBEDDING, HEADS, KV_HEADS, HEAD = 512, 8, 4, 64
LAYERS, EXPERTS, USED, EXPERT_LENGTH = 4, 64, 4, 256
VOCABULARY = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)] + ["▁", "▁a", "b", "▁ab", "c"]


def write(path, moe, rng):
    arch = "qwen3moe" if moe else "qwen3"
    w = gguf.GGUFWriter(str(path), arch)
    w.add_context_length(4096)
    w.add_embedding_length(EMBEDDING)
    w.add_block_count(LAYERS)
    w.add_feed_forward_length(USED * EXPERT_LENGTH)
    w.add_head_count(HEADS)
    w.add_head_count_kv(KV_HEADS)
    w.add_key_length(HEAD)
    w.add_value_length(HEAD)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_rope_freq_base(1e6)
    if moe:
        w.add_expert_count(EXPERTS)
        w.add_expert_used_count(USED)
        w.add_expert_feed_forward_length(EXPERT_LENGTH)
    w.add_tokenizer_model("llama")
    w.add_token_list(VOCABULARY)
    w.add_token_scores([-float(i) for i in range(len(VOCABULARY))])
    w.add_token_types([2 if i == 0 else 3 if i < 3 else 6 if i < 259 else 1 for i in range(len(VOCABULARY))])
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)

    def matrix(name, *shape):
        values = (rng.standard_normal(shape) * 0.05).astype(np.float32)
        w.add_tensor(name, gguf.quants.quantize(values, gguf.GGMLQuantizationType.Q8_0),
                     raw_dtype=gguf.GGMLQuantizationType.Q8_0)

    def vector(name, n):
        w.add_tensor(name, np.ones(n, dtype=np.float32))

    matrix("token_embd.weight", len(VOCABULARY), EMBEDDING)
    vector("output_norm.weight", EMBEDDING)
    for i in range(LAYERS):
        p = f"blk.{i}."
        vector(p + "attn_norm.weight", EMBEDDING)
        matrix(p + "attn_q.weight", HEADS * HEAD, EMBEDDING)
        matrix(p + "attn_k.weight", KV_HEADS * HEAD, EMBEDDING)
        matrix(p + "attn_v.weight", KV_HEADS * HEAD, EMBEDDING)
        matrix(p + "attn_output.weight", EMBEDDING, HEADS * HEAD)
        vector(p + "attn_q_norm.weight", HEAD)
        vector(p + "attn_k_norm.weight", HEAD)
        vector(p + "ffn_norm.weight", EMBEDDING)
        if moe:
            w.add_tensor(p + "ffn_gate_inp.weight", (rng.standard_normal((EXPERTS, EMBEDDING)) * 0.05).astype(np.float32))
            matrix(p + "ffn_gate_exps.weight", EXPERTS, EXPERT_LENGTH, EMBEDDING)
            matrix(p + "ffn_up_exps.weight", EXPERTS, EXPERT_LENGTH, EMBEDDING)
            matrix(p + "ffn_down_exps.weight", EXPERTS, EMBEDDING, EXPERT_LENGTH)
        else:
            matrix(p + "ffn_gate.weight", USED * EXPERT_LENGTH, EMBEDDING)
            matrix(p + "ffn_up.weight", USED * EXPERT_LENGTH, EMBEDDING)
            matrix(p + "ffn_down.weight", EMBEDDING, USED * EXPERT_LENGTH)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def bench(path, tokens, threads):
    output = subprocess.run([BINARY, "bench", str(path), "-p", "0", "-n", str(tokens), "--threads", str(threads),
                             "--repetitions", "1", "--output", "json"], check=True, capture_output=True, text=True).stdout
    results = json.loads(output)
    return results[0]["tokens_per_second"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        moe, dense = Path(directory) / "moe-64x4.gguf", Path(directory) / "dense-active.gguf"
        write(moe, True, np.random.default_rng(7))
        write(dense, False, np.random.default_rng(7))
        sizes = {p.name: p.stat().st_size for p in (moe, dense)}
        print(f"files: MoE {sizes[moe.name] / 1e6:.1f} MB (64 experts, 4 used), dense {sizes[dense.name] / 1e6:.1f} MB "
              f"(feed-forward {USED * EXPERT_LENGTH} = the active experts)")
        rates = {"moe": [], "dense": []}
        for _ in range(args.repetitions):  # alternating, so drift on a shared host hits both
            rates["dense"].append(bench(dense, args.tokens, args.threads))
            rates["moe"].append(bench(moe, args.tokens, args.threads))
        best = {k: max(v) for k, v in rates.items()}
        print(f"tg{args.tokens}, {args.threads} threads, best of {args.repetitions}: "
              f"dense {best['dense']:.1f} t/s, MoE {best['moe']:.1f} t/s; dense / MoE time ratio "
              f"{best['dense'] / best['moe']:.2f} (target: MoE within 1.5x of dense)")
        print("all runs (t/s):", json.dumps(rates))
        sys.exit(0 if best["dense"] / best["moe"] <= 1.5 else 1)


if __name__ == "__main__":
    main()
