#!/usr/bin/env python3
"""Scores one multiple-choice set twice, with lm-evaluation-harness against `hearth serve` and with
`hearth audit`, and checks that both pick the same answers.

1. Starts `hearth serve MODEL` on a free port of 127.0.0.1.
2. Runs lm-eval's `local-completions` model on scripts/fixtures/mc-compare.jsonl through a task YAML
   written to a temporary directory (multiple_choice, `{{input}}` + " " + choice, metric acc). The
   tokenizer is the server's own (`tokenizer_backend=remote`: vLLM's /tokenizer_info, /tokenize and
   /detokenize, which hearth serves), contexts and continuations go to /v1/completions as token ids
   (`tokenized_requests=True`), and Hugging Face is kept offline: nothing is downloaded.
3. Runs `hearth audit run FIXTURE --scorer choice` (its database in the temporary directory) and
   `hearth audit export last --format jsonl` for the per-sample choices and log-likelihoods.
4. Prints a table: per sample, the target and both chosen answers; both accuracies; the largest
   difference between the two log-likelihoods of a choice. Exits 1 when a chosen answer differs,
   a log-likelihood differs by more than --ll-tolerance, or a replayed scoring request comes back
   without the one generated token lm-eval slices off (`token_logprobs[ctxlen:-1]`); 2 when a
   step fails.

Needs lm-eval (`pip install "lm-eval[api]==0.4.13"`; torch and transformers are not used) and a
built binary: --hearth PATH, $HEARTH_BIN, or .build/release/hearth (--build runs
`swift build -c release --product hearth` first; --scratch-path passes through).

    python3 scripts/compare_lm_eval.py                  # both halves
    python3 scripts/compare_lm_eval.py --lm-eval-only   # only lm-eval against hearth serve
"""
import argparse
import glob
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from server_process import ServerNotReady, free_port, wait_until_ready

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "scripts" / "fixtures" / "mc-compare.jsonl"
TASK = "hearth_mc_compare"
LETTERS = "ABCDEFGHIJ"

TASK_YAML = """\
task: {task}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: multiple_choice
doc_to_text: "{{{{input}}}}"
doc_to_choice: "{{{{choices}}}}"
doc_to_target: "{{{{ '{letters}'.index(target) }}}}"
target_delimiter: " "
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
metadata:
  version: 1.0
"""


class StepFailed(Exception):
    pass


def run(command, *, env=None, timeout=900, what):
    started = time.time()
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-6000:])
        raise StepFailed(f"{what} failed with exit status {result.returncode}: {' '.join(map(str, command))}")
    print(f"  {what}: {time.time() - started:.1f} s", file=sys.stderr)
    return result


def resolve_binary(args):
    binary = Path(args.hearth or os.environ.get("HEARTH_BIN") or ROOT / ".build" / "release" / "hearth")
    if args.build:
        command = ["swift", "build", "-c", "release", "--product", "hearth"]
        if args.scratch_path:
            command += ["--scratch-path", args.scratch_path]
            if not args.hearth:
                binary = Path(args.scratch_path) / "release" / "hearth"
        run(command, timeout=3600, what="swift build")
    if not binary.is_absolute():
        binary = ROOT / binary
    if not binary.exists():
        raise StepFailed(f"no hearth binary at {binary}: build it (--build) or pass --hearth")
    return binary


def lm_eval_command(args):
    if args.lm_eval:
        return [args.lm_eval]
    beside = Path(sys.executable).parent / "lm_eval"
    if beside.exists():
        return [str(beside)]
    if shutil.which("lm_eval"):
        return ["lm_eval"]
    return [sys.executable, "-m", "lm_eval"]


def offline_env(work):
    """Hugging Face offline, with caches of its own: a tokenizer download would fail, not hide."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               HF_HOME=str(work / "hf"), HF_DATASETS_CACHE=str(work / "hf" / "datasets"),
               TOKENIZERS_PARALLELISM="false")
    env.pop("HF_TOKEN", None)
    return env


def read_fixture(path, limit):
    docs = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    return docs[:limit] if limit else docs


def run_lm_eval(args, binary, fixture, work):
    """lm-eval's answers: {id: (chosen index, [loglikelihood per choice])} and its accuracy."""
    port = free_port()
    include = work / "tasks"
    include.mkdir()
    (include / f"{TASK}.yaml").write_text(TASK_YAML.format(task=TASK, data=json.dumps(str(fixture)), letters=LETTERS))
    output = work / "lm-eval-output"
    server_log = open(work / "serve.log", "w")
    server = subprocess.Popen([str(binary), "serve", args.model, "--port", str(port), "--parallel", "1"],
                              stdout=server_log, stderr=subprocess.STDOUT)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/health", server)
        model_args = ",".join([
            f"model={args.model}", f"base_url=http://127.0.0.1:{port}/v1/completions", "num_concurrent=1",
            "tokenized_requests=True", "tokenizer_backend=remote", "max_retries=1",
        ])
        command = lm_eval_command(args) + [
            "run", "--model", "local-completions", "--model_args", model_args, "--tasks", TASK,
            "--include_path", str(include), "--log_samples", "--output_path", str(output), "--seed", "1234",
        ]
        result = run(command, env=offline_env(work), timeout=args.timeout, what="lm_eval")
        if args.verbose:
            print(result.stdout[-3000:], file=sys.stderr)
        short = check_echo(args, port, read_fixture(fixture, None))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        server_log.close()

    sample_files = glob.glob(str(output / "**" / f"samples_{TASK}_*.jsonl"), recursive=True)
    result_files = glob.glob(str(output / "**" / "results_*.json"), recursive=True)
    if not sample_files or not result_files:
        raise StepFailed(f"lm_eval wrote no samples or results under {output}")
    results = json.loads(Path(max(result_files)).read_text())
    accuracy = results["results"][TASK]["acc,none"]
    answers = {}
    for line in Path(max(sample_files)).read_text().splitlines():
        sample = json.loads(line)
        # One [loglikelihood, is_greedy] per choice, in the order of doc_to_choice.
        lls = [float(resp[0]) for resp in sample["filtered_resps"]]
        answers[sample["doc"]["id"]] = (max(range(len(lls)), key=lls.__getitem__), lls)
    return answers, accuracy, short


def post(port, path, body):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def check_echo(args, port, docs):
    """Replays lm-eval's scoring requests and returns those whose response lacks the one generated
    token lm-eval assumes (`token_logprobs[ctxlen:-1]`): where it is missing, the slice drops the
    continuation's last token and lm-eval's log-likelihood is wrong."""
    short = []
    for doc in docs:
        for choice in doc["choices"]:
            ids = post(port, "/tokenize", {"prompt": doc["input"] + " " + choice, "add_special_tokens": False})["tokens"]
            response = post(port, "/v1/completions", {"model": args.model, "prompt": [ids], "temperature": 0,
                                                      "max_tokens": 1, "logprobs": 1, "echo": True, "seed": 1234})
            choice_ = response["choices"][0]
            if len(choice_["logprobs"]["token_logprobs"]) != len(ids) + 1:
                short.append(f"{doc['id']} {choice!r} (finish_reason {choice_['finish_reason']})")
    return short


def run_audit(args, binary, fixture, work):
    """`hearth audit`'s answers: {id: (chosen index, [loglikelihood per choice])}."""
    env = dict(os.environ, HEARTH_AUDIT_DB=str(work / "audit.db"))
    run([str(binary), "audit", "run", str(fixture), "--scorer", "choice", "--model", args.model, "--output", "json"],
        env=env, timeout=args.timeout, what="hearth audit run")
    exported = run([str(binary), "audit", "export", "last", "--format", "jsonl"], env=env, timeout=120,
                   what="hearth audit export")
    answers = {}
    for line in exported.stdout.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        answer = record["scores"]["choice"]["answer"]
        lls = [float(entry["loglikelihood"]) for entry in record.get("transcript", {}).get("choice_scores", [])]
        answers[record["id"]] = (LETTERS.index(answer) if answer in LETTERS else None, lls)
    if not answers:
        raise StepFailed("hearth audit export gave no samples")
    return answers


def compare(docs, lm, audit, tolerance):
    """Prints the table; returns whether the two agree."""
    def letter(index):
        return LETTERS[index] if index is not None else "-"

    print(f"\n{'id':<6} {'target':<6} {'lm-eval':<8} {'audit':<6} {'agree':<5} {'max |Δll|':>10}")
    disagreements, max_diff, lm_correct, audit_correct = [], 0.0, 0, 0
    for doc in docs:
        key, target = doc["id"], doc["target"]
        lm_choice, lm_lls = lm.get(key, (None, []))
        audit_choice, audit_lls = audit.get(key, (None, [])) if audit is not None else (None, [])
        lm_correct += letter(lm_choice) == target
        audit_correct += letter(audit_choice) == target
        diff = max((abs(a - b) for a, b in zip(lm_lls, audit_lls)), default=math.nan)
        if audit is not None and len(lm_lls) == len(audit_lls) == len(doc["choices"]):
            max_diff = max(max_diff, diff)
        elif audit is not None:
            diff = math.nan
            disagreements.append(key)
        agree = "" if audit is None else ("yes" if lm_choice == audit_choice and lm_choice is not None else "NO")
        if agree == "NO" and key not in disagreements:
            disagreements.append(key)
        print(f"{key:<6} {target:<6} {letter(lm_choice):<8} {letter(audit_choice) if audit is not None else '':<6} "
              f"{agree:<5} {diff:>10.5f}")
    n = len(docs)
    print(f"\nlm-eval (local-completions → hearth serve): accuracy {lm_correct}/{n} = {lm_correct / n:.4f}")
    if audit is None:
        return True
    print(f"hearth audit (choice scorer):               accuracy {audit_correct}/{n} = {audit_correct / n:.4f}")
    print(f"chosen answers agree on {n - len(disagreements)}/{n}; max |Δ loglikelihood| = {max_diff:.6f}")
    ok = not disagreements
    if disagreements:
        print(f"DISAGREEMENT on: {', '.join(disagreements)}")
    if max_diff > tolerance:
        print(f"log-likelihoods differ by more than {tolerance}")
        ok = False
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hearth", help="the hearth binary (default $HEARTH_BIN or .build/release/hearth)")
    parser.add_argument("--build", action="store_true", help="swift build -c release --product hearth first")
    parser.add_argument("--scratch-path", help="--scratch-path for --build")
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--fixture", default=str(FIXTURE))
    parser.add_argument("--limit", type=int, help="only the first N questions")
    parser.add_argument("--lm-eval", help="the lm_eval executable (default: beside this Python, or on PATH)")
    parser.add_argument("--lm-eval-only", action="store_true", help="skip hearth audit; exit 0 if lm-eval ran")
    parser.add_argument("--ll-tolerance", type=float, default=1e-2,
                        help="largest accepted |Δ loglikelihood| of a choice (default 0.01)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds allowed to each run")
    parser.add_argument("--keep", help="keep the work files (task YAML, outputs, logs) in this directory")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    started = time.time()
    work = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix="hearth-lm-eval-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        binary = resolve_binary(args)
        docs = read_fixture(args.fixture, args.limit)
        fixture = Path(args.fixture).resolve()
        if args.limit:
            fixture = work / "fixture.jsonl"
            fixture.write_text("".join(json.dumps(doc) + "\n" for doc in docs))
        lm, reported, short = run_lm_eval(args, binary, fixture, work)
        audit = None if args.lm_eval_only else run_audit(args, binary, fixture, work)
        ok = compare(docs, lm, audit, args.ll_tolerance)
        print(f"lm-eval's own acc: {reported:.4f}")
        if short:
            print(f"{len(short)} scoring request(s) came back without the generated token lm-eval slices off "
                  f"(generation ended at end-of-generation), so lm-eval dropped the last continuation token: "
                  + "; ".join(short))
            ok = False
        print(f"wall time {time.time() - started:.1f} s")
        return 0 if ok else 1
    except (StepFailed, ServerNotReady, subprocess.TimeoutExpired) as error:
        print(f"error: {error}", file=sys.stderr)
        if (work / "serve.log").exists():
            sys.stderr.write("hearth serve log (tail):\n" + (work / "serve.log").read_text()[-2000:])
        return 2
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
