#!/usr/bin/env python3
"""llama.cpp's own fidelity to fp64 with a quantized KV cache, on the accuracy fixtures.

The accuracy fixtures (make_accuracy_fixtures.py) hold, for each catalog model, prompts with
llama.cpp's greedy continuations and the fp64 reference's top-32 at the 64 positions that predict
them. This teacher-forces the same token sequences through llama.cpp with its KV cache in
`--cache-type` (q8_0: llama.cpp's `-ctk q8_0 -ctv q8_0`, which needs flash attention), scores
every step with the fixtures' own function, and records the result in each fixture as
`llamacpp_<type>`, beside the default (f16 cache) figures. The fp64 steps are not recomputed:
nothing here needs the reference model's run, only llama-cpp-python and numpy.

Usage:
    python3 score_llamacpp_cache.py [--cache-type q8_0] [--models NAME ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_accuracy_fixtures import DEFAULT_OUT, MODEL_DIR, MODELS, N_NEW, score_step, sha256, sig  # noqa: E402

GGML_TYPES = {"f16": 1, "q8_0": 8}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache-type", default="q8_0", choices=list(GGML_TYPES))
    ap.add_argument("--models", nargs="*", default=list(MODELS), choices=list(MODELS))
    ap.add_argument("--fixtures", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    import llama_cpp

    ggml_type = GGML_TYPES[args.cache_type]
    for catalog in args.models:
        fixture_path = args.fixtures / f"{catalog}.json"
        fixture = json.loads(fixture_path.read_text())
        path = MODEL_DIR / MODELS[catalog][0]
        if sha256(path) != fixture["sha256"]:
            print(f"{catalog}: {path} is not the fixture's file (sha256 differs)", file=sys.stderr)
            return 1
        llm = llama_cpp.Llama(str(path), n_ctx=2048, n_threads=2, seed=0, logits_all=True, verbose=False,
                              type_k=ggml_type, type_v=ggml_type, flash_attn=True)
        agree_all, kl_all, per_prompt = [], [], []
        for prompt in fixture["prompts"]:
            p = prompt["prompt_length"]
            llm.reset()
            llm.eval(prompt["tokens"])
            teacher = np.array(llm.scores[p - 1:p - 1 + N_NEW], dtype=np.float32)
            scores = [score_step(step, row) for step, row in zip(prompt["steps"], teacher)]
            agree, kls = [a for a, _ in scores], [k for _, k in scores]
            agree_all += agree
            kl_all += kls
            per_prompt.append({"name": prompt["name"], "top1_agreement": sig(np.mean(agree), 6),
                               "mean_kl": sig(np.mean(kls), 6), "max_kl": sig(max(kls), 6)})
        del llm
        fixture[f"llamacpp_{args.cache_type}"] = {
            "package": f"llama-cpp-python {version('llama-cpp-python')}",
            "settings": f"n_ctx=2048, n_threads=2, seed=0, logits_all=True, n_batch=512, type_k=type_v={args.cache_type}, "
                        "flash_attn=True; teacher-forced = one eval() call of the fixture's whole sequence",
            "top1_agreement": sig(np.mean(agree_all), 6),
            "mean_kl": sig(np.mean(kl_all), 6),
            "steps": len(agree_all),
            "per_prompt": per_prompt,
        }
        fixture_path.write_text(json.dumps(fixture, ensure_ascii=False, separators=(",", ":")) + "\n")
        print(f"{catalog}: llama.cpp with a {args.cache_type} cache: top-1 {np.mean(agree_all):.4f}, "
              f"mean KL {np.mean(kl_all):.3e} over {len(agree_all)} steps", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
