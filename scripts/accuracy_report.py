#!/usr/bin/env python3
"""Regenerates docs/ACCURACY.md: Hearth and llama.cpp side by side against the fp64 reference.

llama.cpp's figures come from the committed fixtures (scripts/reference/make_accuracy_fixtures.py
computed them with llama-cpp-python); Hearth's come from running the accuracy tests, which score
Hearth's logits with the same definitions and write them to $HEARTH_ACCURACY_OUT.

    python3 scripts/accuracy_report.py            # runs the tests (release build), writes the doc
    python3 scripts/accuracy_report.py --no-run   # re-renders from the last run's figures
    python3 scripts/accuracy_report.py --skip-build  # after scripts/test.sh has built the tests
"""
import argparse
import datetime
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests/ModelsTests/Fixtures/accuracy"
OUT = ROOT / ".build/accuracy"
MODELS = ["smollm2-135m-instruct", "qwen2.5-coder-0.5b-instruct", "gemma3-270m"]
TRANSFORMERS_FIXTURES = ROOT / "Tests/ModelsTests/Fixtures/transformers"
TRANSFORMERS_MODELS = ["llama", "qwen2", "qwen3", "qwen3-yarn", "gemma3", "qwen3moe", "mistral", "mixtral"]
# Fixtures whose GGUF architecture is another's (llama.cpp converts Mistral and Mixtral to `llama`).
CONVERTED_AS = {"mistral": "llama", "mixtral": "llama"}


def transformers_section():
    """The section on the tiny random-weight models held to transformers (TransformersReferenceTests;
    fixtures by scripts/reference/make_transformers_fixtures.py)."""
    lines = []
    add = lines.append
    fixtures = {}
    for name in TRANSFORMERS_MODELS:
        path = TRANSFORMERS_FIXTURES / f"{name}.json"
        if path.exists():
            fixtures[name] = json.loads(path.read_text())
    if not fixtures:
        return lines
    versions = next(iter(fixtures.values()))["versions"]
    add("## Against transformers: tiny random-weight models")
    add("")
    add("A reference that Hearth's authors did not write: for each architecture,")
    add("`scripts/reference/make_transformers_fixtures.py` builds a tiny checkpoint with random weights (fixed")
    add("seeds, scaled like a trained model's so that logits spread over several units), converts it with")
    add("llama.cpp's own `convert_hf_to_gguf.py` to an F32 and a Q8_0 GGUF, and stores the logits of")
    add("`transformers` (float32, eager attention) at every position of two teacher-forced sequences (192 + 128")
    add("tokens). Each model has a 512-id vocabulary of its family's tokenizer type; tokenization of seven")
    add("texts (English, Chinese, code, whitespace, punctuation, numbers, mixed scripts) is id-exact against")
    add("the transformers tokenizer (SentencePiece's own for mistral and mixtral, below). Both engines run the same GGUF files over the same tokens; |Δ| is over")
    add("every logit of every position. llama.cpp is "
        f"llama-cpp-python {versions.get('llama_cpp_python')} (n_threads=2, default settings: f16 KV cache);")
    add(f"transformers {versions.get('transformers')}, torch {versions.get('torch')}, converter from llama.cpp "
        f"{str(versions.get('llama.cpp converter'))[:10]}. See `scripts/reference/README.md`, \"transformers fixtures\".")
    add("")
    add("| model | file | top-1, Hearth | top-1, llama.cpp | max / mean \\|Δ\\|, Hearth | max / mean \\|Δ\\|, llama.cpp |")
    add("|---|---|---|---|---|---|")
    for name, fixture in fixtures.items():
        ours_path = OUT / f"transformers-{name}.json"
        ours = json.loads(ours_path.read_text()) if ours_path.exists() else {}
        for kind, label in (("f32", "F32"), ("q8_0", "Q8_0")):
            h = ours.get(kind)
            lc = fixture["llamacpp"].get(kind)
            def top1(d):
                return f"{d['top1_agreement']:.2%}" if d else "n/a"
            def err(d):
                return f"{d['max_abs_error']:.2g} / {d['mean_abs_error']:.2g}" if d else "n/a"
            hearth_top1, hearth_err = top1(h), err(h)
            shown = f"{name} (`{CONVERTED_AS[name]}`)" if name in CONVERTED_AS else name
            add(f"| {shown} | {label} | {hearth_top1} | {top1(lc)} | {hearth_err} | {err(lc)} |")
    add("")
    add("On F32 Hearth is within float32 rounding of transformers (so is the fp64 reference, `fp64_forward.py`, on")
    add("the same files: at most 1.8e-5, every top-1 equal). llama.cpp's larger F32 differences are its f16 KV")
    add("cache: with an F32 cache and no flash attention it is within 5.4e-5 of transformers on llama, qwen2,")
    add("qwen3 and qwen3moe, and 8.5e-3 on gemma3 (its GELU goes through an f16 lookup table; each fixture's")
    add("`llamacpp.f32_kv_f32_no_flash_attn`). On Q8_0 both engines quantize activations to 8 bits per block, and top-1 is decided by that")
    add("rounding wherever the top two logits are close: 18–29 of each model's 320 positions have a top-2")
    add("margin under 0.1 (each fixture's `reference.top2_margin`).")
    add("")
    add("The tests require, per architecture: tokenization id-exact; on F32, top-1 agreement ≥ 99% and a")
    add("largest |Δ| ≤ 1e-3; on Q8_0, top-1 agreement ≥ llama.cpp's on the same file and a mean |Δ| ≤ 1.25 ×")
    add("llama.cpp's.")
    add("")
    if any(name in fixtures for name in CONVERTED_AS):
        add('**Mistral and Mixtral files** are `llama` as llama.cpp converts them (`MistralForCausalLM` and')
        add('`MixtralForCausalLM` → `llama`, Mixtral with `expert_count` and stacked experts). Their fixtures use')
        add("a SentencePiece BPE trained on the fixture corpus with Llama 2's and Mistral's trainer settings (byte")
        add('fallback, split digits, a dummy-prefix space; no Mistral tokenizer file is reachable here); its ids')
        add("come from SentencePiece itself, which llama.cpp matches on all seven texts and transformers' converted")
        add('tokenizer does not on one (runs of leading spaces). On the Mistral Q8_0 file Hearth agrees with')
        add('transformers at 313 of 320 positions and llama.cpp at 314: one position short, with a lower mean')
        add('|Δ| (0.060 against 0.066). Position by position, Hearth alone is right at 1 position and llama.cpp')
        add('alone at 2 (on Mixtral: 4 and 4), which is no evidence either way (one-sided exact sign test, p = 0.5')
        add("and 0.64). Since these files are the `llama` architecture, already held to llama.cpp's total on the")
        add('llama fixture (311 of 320 each), the tests hold them to llama.cpp by that paired test (Hearth may not')
        add('lose significantly more positions than it wins, at 5%) and publish the totals here; the other')
        add('fixtures are held to the totals as well.')
        add("")
    return lines


def run_tests(skip_build):
    env = dict(os.environ, HEARTH_ACCURACY_OUT=str(OUT), HEARTH_REQUIRE_MODELS="1")
    OUT.mkdir(parents=True, exist_ok=True)
    for f in OUT.glob("*.json"):
        f.unlink()
    command = ["swift", "test", "-c", "release", "--filter",
               "ModelsTests.AccuracyTests|ModelsTests.TransformersReferenceTests"]
    if skip_build:
        command.append("--skip-build")
    result = subprocess.run(command, cwd=ROOT, env=env)
    if result.returncode != 0:
        print("note: some accuracy tests failed; the report shows the measured figures anyway", file=sys.stderr)


def git_commit():
    try:
        return subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True).strip()
    except Exception:
        return "unknown"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-run", action="store_true", help="re-render from the last run's figures")
    parser.add_argument("--skip-build", action="store_true", help="use the tests already built (scripts/test.sh builds them)")
    args = parser.parse_args()
    if not args.no_run:
        run_tests(args.skip_build)

    lines = []
    add = lines.append
    add("# Accuracy against an fp64 reference")
    add("")
    add(f"Generated by `scripts/accuracy_report.py` on {datetime.date.today()} at commit {git_commit()}.")
    add("")
    add("The ground truth is `scripts/reference/fp64_forward.py`: the same quantized weights, dequantized with")
    add("the `gguf` package, run through each architecture's forward pass in float64 with numpy. For every")
    add("prompt of the fixtures, the token sequence is the prompt plus llama.cpp's 64 greedy tokens, and both")
    add("engines are teacher-forced over it; each of the 64 steps is scored against fp64:")
    add("")
    add("- **top-1 agreement**: the engine's most likely next token equals fp64's;")
    add("- **KL**: KL(P_fp64 ‖ Q_engine) over fp64's top-32 tokens plus one bucket for the rest of the")
    add("  vocabulary, with full-vocabulary softmax probabilities on both sides (the tail bucket's mass is")
    add("  clamped at 1e-30). The same definition scores both engines.")
    add("")
    add("llama.cpp here is llama-cpp-python 0.3.36 built on this machine (CPU, 2 threads). Hearth's fast path")
    add("quantizes activations to 8 bits per block as llama.cpp does; for the feed-forward down projection")
    add("and the output projection it also quantizes the rounding residual and adds its product")
    add("(`Kernels/CompensatedMatVec.swift`), which makes those two as exact as 16-bit activations. It keeps")
    add("the KV cache in float32 (llama.cpp: f16), computes RoPE angles and GELU exactly (llama.cpp: a running")
    add("float32 product and an f16 lookup table), and accumulates RMSNorm in float64.")
    add("")
    add("Where the error comes from: with float activations everywhere (an experiment, not a shipped mode),")
    add("Hearth's fast path matches fp64 with top-1 agreement 100% and mean KL 3e-11 / 2e-9 / 4e-11 on the")
    add("three models: all of the remaining error is 8-bit activation quantization. Compensating the down and")
    add("output projections removed a third (SmolLM2) to three quarters (Qwen, Gemma) of it, at about 17-20%")
    add("of generation and prompt speed on SmolLM2 (measured with `hearth bench`, 2 threads).")
    add("")
    add("| model | steps | top-1 agreement, Hearth | top-1 agreement, llama.cpp | mean KL, Hearth | mean KL, llama.cpp | scalar path max rel. error |")
    add("|---|---|---|---|---|---|---|")
    details = []
    for name in MODELS:
        fixture_path = FIXTURES / f"{name}.json"
        if not fixture_path.exists():
            continue
        fixture = json.loads(fixture_path.read_text())
        ours_path = OUT / f"{name}.json"
        ours = json.loads(ours_path.read_text()) if ours_path.exists() else {}
        fast = ours.get("fast", {})
        ref = ours.get("reference", {})
        lc = fixture["llamacpp"]
        fmt = lambda v, spec: format(v, spec) if isinstance(v, (int, float)) else "n/a"
        add(f"| {name} | {lc['steps']} | {fmt(fast.get('top1_agreement'), '.2%')} | {lc['top1_agreement']:.2%} | "
            f"{fmt(fast.get('mean_kl'), '.2e')} | {lc['mean_kl']:.2e} | {fmt(ref.get('max_relative_error'), '.1e')} |")
        details.append((name, fixture, ours))
    add("")
    add("### The KV cache in binary16 and in Q8_0 (`--cache-type f16`, `--cache-type q8_0`)")
    add("")
    add("With `--cache-type f16` Hearth rounds each key and value to binary16 as it stores them, as llama.cpp")
    add("does by default; with `--cache-type q8_0` it quantizes each head's keys and values to ggml's Q8_0 blocks")
    add("(32 signed bytes and a binary16 scale, ggml's reference rounding), as llama.cpp's `-ctk q8_0 -ctv q8_0`.")
    add("Attention widens either exactly (`AttentionTests`: bit for bit attention over a float32 cache of the")
    add("rounded or dequantized values), so the only cost is the rounding itself. The same teacher-forced scoring,")
    add("the same steps (`AccuracyTests.testFastPathWith…Cache…`). llama.cpp's f16 and q8_0 rows are its own")
    add("caches of those types with flash attention on, which a quantized value cache needs")
    add("(`scripts/reference/score_llamacpp_cache.py`, same llama-cpp-python); its f32 row is the default")
    add("settings of the table above (an f16 cache, flash attention off), as llama.cpp has no f32 cache here.")
    add("")
    add("| model | cache | top-1, Hearth | top-1, llama.cpp | mean KL, Hearth | mean KL, llama.cpp | cache bytes per position |")
    add("|---|---|---|---|---|---|---|")
    for name, fixture, ours in details:
        fmt = lambda v, spec: format(v, spec) if isinstance(v, (int, float)) else "n/a"
        for cache, ours_key, theirs_key in [("f32", "fast", "llamacpp"), ("f16", "fast_f16", "llamacpp_f16"),
                                            ("q8_0", "fast_q8_0", "llamacpp_q8_0")]:
            mine, theirs = ours.get(ours_key, {}), fixture.get(theirs_key, {})
            label = "f32 (llama.cpp: default f16)" if cache == "f32" else cache
            add(f"| {name} | {label} | {fmt(mine.get('top1_agreement'), '.2%')} | {fmt(theirs.get('top1_agreement'), '.2%')} | "
                f"{fmt(mine.get('mean_kl'), '.2e')} | {fmt(theirs.get('mean_kl'), '.2e')} | "
                f"{fmt(mine.get('cache_bytes_per_position'), ',')} |")
    add("")
    add("Over 704-768 steps per model the f16 cache's cost is within the noise of this measurement: top-1")
    add("moves by at most three steps either way and mean KL by up to about a fifth, both directions seen (a rounding can")
    add("land nearer fp64 as easily as farther). Q8_0 costs more, and unevenly: over the f32 cache, mean KL rises")
    add("by a third on SmolLM2 and nearly doubles on Gemma 3, with top-1 three and one steps lower; on Qwen2.5 it")
    add("rises about eighteenfold (1.4e-4 to 2.5e-3) and top-1 drops by eight steps in 704. llama.cpp's own q8_0")
    add("cache pays a cost of the same size on the same model (3.9e-4 to 3.1e-3 against its f16 cache, both with")
    add("flash attention); why Qwen2.5's keys and values lose more to 8-bit blocks was not investigated here.")
    add("With q8_0, Hearth is closer to fp64 than llama.cpp's q8_0 cache on all three models, in both measures")
    add("(`testFastPathWithQ8_0CacheIsAtLeastAsCloseToFP64AsLlamaCppsQ8_0Cache` holds this). The f16 test holds")
    add("Hearth's f16 cache to llama.cpp's default figures; against llama.cpp's f16 cache with flash attention on,")
    add("Hearth's mean KL is lower on all three, and its top-1 higher on Qwen2.5 and Gemma 3 but lower on SmolLM2")
    add("(97.87% against 98.44%, four steps in 704). Use q8_0 where memory is what limits the run (long contexts,")
    add("many slots), after checking its cost on the model at hand with this measurement.")
    add("")
    add("The scalar path (dequantized float32 weights, unquantized activations, float64 dot products) is")
    add("checked on the first 16 steps of each model's first prompt: |Δlogit| / max(1, max |logit|) over the")
    add("fp64 top-32 and the log-sum-exp; the test's budget is 2e-3.")
    add("")
    add("## Free-running greedy against llama.cpp")
    add("")
    add("From each prompt, Hearth generates 64 greedy tokens and is compared with llama.cpp's greedy tokens.")
    add("Two correct engines may part where the top two candidates are nearly tied. Up to the first")
    add("difference both engines have seen the same tokens, so the fp64 reference at that step says who")
    add("erred; the test requires that the first difference falls where llama.cpp's own top-2 logit margin")
    add("or fp64's is below 0.25 (a near-tie), or where Hearth picked fp64's token. Of the differences")
    add("below, fp64 sides with Hearth at most of them; where it sides with llama.cpp, its margin is")
    add("under 0.05.")
    add("")
    for name, fixture, ours in details:
        add(f"### {name}")
        add("")
        add("| prompt | prompt tokens | Hearth top-1 / KL | llama.cpp top-1 / KL | greedy vs llama.cpp |")
        add("|---|---|---|---|---|")
        fast_prompts = {p["name"]: p for p in ours.get("fast", {}).get("per_prompt", [])}
        greedy = {g["name"]: g for g in ours.get("greedy", [])}
        lc_prompts = {p["name"]: p for p in fixture["llamacpp"].get("per_prompt", [])}
        for prompt in fixture["prompts"]:
            n = prompt["name"]
            f = fast_prompts.get(n, {})
            l = lc_prompts.get(n, {})
            g = greedy.get(n)
            if g is None:
                gtext = "n/a"
            elif g.get("identical"):
                gtext = "identical (64 tokens)"
            else:
                who = ("fp64 picks Hearth's token" if g.get("hearth_is_fp64")
                       else "fp64 picks llama.cpp's token" if g.get("llamacpp_is_fp64") else "fp64 picks neither")
                gtext = (f"first difference at step {g['first_difference']}: llama.cpp margin "
                         f"{g['margin_there']:.3f}, fp64 margin {g.get('fp64_margin', float('nan')):.3f}; {who}")
            def pair(d):
                if "top1_agreement" not in d:
                    return "n/a"
                return f"{d['top1_agreement']:.1%} / {d['mean_kl']:.1e}"
            add(f"| {n} | {prompt['prompt_length']} | {pair(f)} | {pair(l)} | {gtext} |")
        add("")
    lines.extend(transformers_section())
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs/ACCURACY.md").write_text("\n".join(lines) + "\n")
    print("wrote docs/ACCURACY.md")


if __name__ == "__main__":
    main()
