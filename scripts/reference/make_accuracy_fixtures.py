#!/usr/bin/env python3
"""Accuracy fixtures: the fp64 reference's view of llama.cpp-greedy continuations.

For each model and prompt:
  1. tokenize with llama.cpp (BOS as the file's metadata says, special tokens parsed);
  2. run llama.cpp greedy for 64 tokens (eval + argmax of its logits, so exactly
     greedy), recording llama.cpp's own top-2 margin at every step;
  3. teacher-force prompt + 64 generated tokens through llama.cpp (logits of every
     position) and through the fp64 reference (fp64_forward.py);
  4. for the 64 positions that predict the generated tokens (P-1 ... P+62, with P
     the prompt length) keep the fp64 top-32 ids, their fp64 logits, the fp64
     logsumexp over the whole vocabulary, and the fp64 top-1;
  5. score llama.cpp against those steps with the same function Hearth's tests use.

Metrics, per step, for an engine's logits e (full vocabulary) against a fixture
step (ids[32], logits[32], logsumexp):
  top-1 agreement:  argmax(e) == step.top1   (top1 is the fp64 argmax)
  KL(P_fp64 || Q_engine) over the 32 ids plus one "rest" bucket:
      log p_i = logits_i - logsumexp                     (fp64, i in ids)
      log q_i = e[id_i] - logsumexp(e)                   (logsumexp over all of e, in float64)
      p_rest  = max(1 - sum_i p_i, 1e-30),  q_rest = max(1 - sum_i q_i, 1e-30)
      KL = sum_i p_i (log p_i - log q_i) + p_rest (log p_rest - log q_rest)
Model-level numbers are means over all steps of all prompts.

Usage:
    python3 make_accuracy_fixtures.py [--models NAME ...] [--out DIR]
Writes Tests/ModelsTests/Fixtures/accuracy/<catalog-name>.json.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fp64_forward import ReferenceModel  # noqa: E402
from prompts import CHAT_PROMPTS, LONG_PROMPT, SHARED_PROMPTS  # noqa: E402

MODEL_DIR = Path(os.environ.get("HEARTH_MODELS", Path.home() / ".cache/hearth/models"))
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "Tests/ModelsTests/Fixtures/accuracy"

# catalog name -> (file, chat style, whether to add the long sliding-window prompt)
MODELS = {
    "smollm2-135m-instruct": ("SmolLM2-135M-Instruct.Q4_1.gguf", "chatml", False),
    "qwen2.5-coder-0.5b-instruct": ("qwen2.5-coder-0.5b-instruct-awq-q4_k_m.gguf", "chatml", False),
    "gemma3-270m": ("gemma-3-270m-q4_k_m.gguf", "gemma", True),
}

N_NEW = 64
TOP_N = 32
REST_FLOOR = 1e-30
LOGIT_DIGITS = 9   # significant digits kept for fp64 logits (float32 resolves ~7.2)
LSE_DIGITS = 12

KL_DEFINITION = (
    "Per step, with the fixture's fp64 top-32 ids, logits and logsumexp (over the whole vocabulary), "
    "and an engine's logits e over the whole vocabulary: log p_i = logit_i - logsumexp; "
    "log q_i = e[id_i] - logsumexp(e) (computed in float64); p_rest = max(1 - sum p_i, 1e-30); "
    "q_rest = max(1 - sum q_i, 1e-30); KL(P_fp64 || Q_engine) = sum_i p_i (log p_i - log q_i) "
    "+ p_rest (log p_rest - log q_rest). Top-1 agreement: argmax(e) == top1 (the fp64 argmax). "
    "mean_kl and top1_agreement average over all 64 steps of all prompts."
)


def sig(x: float, digits: int) -> float:
    return float(f"{x:.{digits}g}")


def logsumexp(row: np.ndarray) -> float:
    row = np.asarray(row, dtype=np.float64)
    m = row.max()
    return float(m + np.log(np.exp(row - m).sum()))


def fixture_step(position: int, fp64_row: np.ndarray) -> dict:
    """The fp64 reference's record of one step, rounded as stored in the fixture."""
    ids = np.argsort(-fp64_row, kind="stable")[:TOP_N]
    return {
        "position": int(position),
        "ids": [int(i) for i in ids],
        "logits": [sig(fp64_row[i], LOGIT_DIGITS) for i in ids],
        "logsumexp": sig(logsumexp(fp64_row), LSE_DIGITS),
        "top1": int(ids[0]),
    }


def score_step(step: dict, engine_row: np.ndarray) -> tuple[bool, float]:
    """(top-1 agreement, KL(P_fp64 || Q_engine)) for one step; see KL_DEFINITION.
    Uses only what the fixture stores, exactly as Hearth's tests do."""
    engine_row = np.asarray(engine_row, dtype=np.float64)
    ids = np.asarray(step["ids"])
    log_p = np.asarray(step["logits"], dtype=np.float64) - step["logsumexp"]
    log_q = engine_row[ids] - logsumexp(engine_row)
    p, q = np.exp(log_p), np.exp(log_q)
    p_rest = max(1.0 - p.sum(), REST_FLOOR)
    q_rest = max(1.0 - q.sum(), REST_FLOOR)
    kl = float((p * (log_p - log_q)).sum() + p_rest * (np.log(p_rest) - np.log(q_rest)))
    return int(np.argmax(engine_row)) == step["top1"], kl


def top2_margin(row: np.ndarray) -> float:
    a, b = np.partition(np.asarray(row, dtype=np.float64), -2)[-2:]
    return float(abs(b - a))


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def prompts_for(chat_style: str, with_long: bool) -> list[tuple[str, str]]:
    result = list(SHARED_PROMPTS) + [CHAT_PROMPTS[chat_style]]
    return result + [LONG_PROMPT] if with_long else result


def run_llamacpp(path: Path, prompts: list[tuple[str, str]]) -> list[dict]:
    """Greedy continuations and teacher-forced logits from llama.cpp."""
    import llama_cpp

    llm = llama_cpp.Llama(str(path), n_ctx=2048, n_threads=2, seed=0, logits_all=True, verbose=False)
    eog = {i for i in range(llm.n_vocab()) if llama_cpp.llama_vocab_is_eog(llm._model.vocab, i)}
    runs = []
    for name, text in prompts:
        prompt = llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)
        n_prompt = len(prompt)
        llm.reset()
        llm.eval(prompt)
        generated, margins = [], []
        for _ in range(N_NEW):
            row = llm.scores[llm.n_tokens - 1]
            token = int(np.argmax(row))
            margins.append(top2_margin(row))
            generated.append(token)
            llm.eval([token])
        tokens = prompt + generated
        llm.reset()
        llm.eval(tokens)
        teacher = np.array(llm.scores[n_prompt - 1:n_prompt - 1 + N_NEW], dtype=np.float32)
        eog_step = next((i for i, t in enumerate(generated) if t in eog), None)
        print(f"  {name}: prompt {n_prompt} tokens, first end-of-generation step {eog_step}: "
              f"{llm.detokenize(generated).decode(errors='replace')!r}", flush=True)
        runs.append({"name": name, "text": text, "tokens": tokens, "prompt_length": n_prompt,
                     "margins": margins, "teacher": teacher, "eog_step": eog_step})
    del llm
    gc.collect()
    return runs


def build_fixture(catalog: str, path: Path, runs: list[dict]) -> dict:
    model = ReferenceModel.load(str(path))
    print("  " + model.config.describe(), flush=True)
    prompts_json, per_prompt, agree_all, kl_all = [], [], [], []
    for run in runs:
        start = time.time()
        p = run["prompt_length"]
        positions = list(range(p - 1, p - 1 + N_NEW))
        fp64 = model.forward(run["tokens"], positions)
        steps = [fixture_step(pos, row) for pos, row in zip(positions, fp64)]
        scores = [score_step(s, e) for s, e in zip(steps, run["teacher"])]
        agree = [a for a, _ in scores]
        kls = [k for _, k in scores]
        disagreements = []
        for i, (s, e, ok) in enumerate(zip(steps, run["teacher"], agree)):
            if not ok:
                disagreements.append({
                    "step": i,
                    "fp64_top2_margin": sig(s["logits"][0] - s["logits"][1], 6),
                    "llamacpp_top2_margin": sig(top2_margin(e), 6),
                })
        agree_all += agree
        kl_all += kls
        per_prompt.append({"name": run["name"], "top1_agreement": sig(np.mean(agree), 6),
                           "mean_kl": sig(np.mean(kls), 6), "max_kl": sig(max(kls), 6),
                           "disagreements": disagreements})
        prompts_json.append({
            "name": run["name"],
            "text": run["text"],
            "tokens": [int(t) for t in run["tokens"]],
            "prompt_length": p,
            "first_end_of_generation_step": run["eog_step"],
            "greedy_top2_margins": [sig(m, 6) for m in run["margins"]],
            "steps": steps,
        })
        print(f"  {run['name']}: fp64 {time.time() - start:.1f}s, llama.cpp top-1 {np.mean(agree):.4f}, "
              f"mean KL {np.mean(kls):.3e}, disagreements {disagreements}", flush=True)
    return {
        "model": catalog,
        "file": path.name,
        "sha256": sha256(path),
        "top_n": TOP_N,
        "tokenization": "llama.cpp, add_bos per tokenizer.ggml.add_bos_token, special tokens parsed",
        "kl_definition": KL_DEFINITION,
        "llamacpp": {
            "package": f"llama-cpp-python {version('llama-cpp-python')}",
            "settings": "n_ctx=2048, n_threads=2, seed=0, logits_all=True, n_batch=512; "
                        "greedy = argmax of eval() logits, one token per eval(); teacher-forced = one eval() call "
                        "of the whole sequence (decoded in n_batch chunks)",
            "top1_agreement": sig(np.mean(agree_all), 6),
            "mean_kl": sig(np.mean(kl_all), 6),
            "steps": len(agree_all),
            "per_prompt": per_prompt,
        },
        "prompts": prompts_json,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", nargs="*", default=list(MODELS), choices=list(MODELS))
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for catalog in args.models:
        file, chat_style, with_long = MODELS[catalog]
        path = MODEL_DIR / file
        print(f"{catalog} ({file})", flush=True)
        start = time.time()
        runs = run_llamacpp(path, prompts_for(chat_style, with_long))
        fixture = build_fixture(catalog, path, runs)
        out = args.out / f"{catalog}.json"
        out.write_text(json.dumps(fixture, ensure_ascii=False, separators=(",", ":")) + "\n")
        ll = fixture["llamacpp"]
        print(f"  wrote {out} ({out.stat().st_size / 1e6:.2f} MB) in {time.time() - start:.0f}s: "
              f"llama.cpp top-1 {ll['top1_agreement']}, mean KL {ll['mean_kl']}", flush=True)
        gc.collect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
