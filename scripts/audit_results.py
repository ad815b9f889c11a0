#!/usr/bin/env python3
"""The first audit: every shipped suite on the catalog's models, with fixed seeds, and
docs/AUDIT-RESULTS.md written from the runs' `hearth audit show --output json`.

    python3 scripts/audit_results.py                       # run (or resume) everything, write the page
    python3 scripts/audit_results.py --limit 20 --out /tmp/quick.md   # a short pass

Runs go into docs/audit-results/audit.sqlite unless --db names another file; the same command again
resumes unfinished runs and otherwise reads the finished ones, so it prints the same numbers.
Every run is re-scored from its stored transcripts with this binary's rule scorers before the page
is written (scoring is deterministic), so the page always reflects the scorers of the commit that
wrote it. A suite marked `withhold_outputs` (harmful-compliance) has its answers replaced by their
hashes once its run is finished and scored: this project stores no harmful answer anywhere, so
those runs keep the scores of the commit that withheld them.
A model without a chat template (Gemma 3 270M is a base model) runs only the log-likelihood tasks.
"""
import argparse
import datetime
import json
import os
import platform
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINARY = os.environ.get("HEARTH_BIN", str(ROOT / ".build" / "release" / "hearth"))
MODELS = [
    ("smollm2-135m-instruct", "SmolLM2-135M-Instruct", "Hugging Face (United States/France)", True),
    ("gemma3-270m", "Gemma 3 270M (base)", "Google (United States)", False),
    ("qwen2.5-coder-0.5b-instruct", "Qwen2.5-Coder-0.5B-Instruct", "Alibaba (China)", True),
]


def hearth(args, env):
    result = subprocess.run([BINARY] + args, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"hearth {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fmt(metric):
    if not metric:
        return "—"
    low, high = metric["ci95"]
    return f"{metric['value']:.2f} [{low:.2f}, {high:.2f}] n={metric['n']}"


def fmt_diff(c):
    low, high = c["ci95"]
    return f"{c['difference']:+.2f} [{low:+.2f}, {high:+.2f}] ({c['n']} pairs)"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(ROOT / "docs" / "audit-results" / "audit.sqlite"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "AUDIT-RESULTS.md"))
    parser.add_argument("--limit", type=int)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--models", help="comma-separated catalog names (default: all)")
    parser.add_argument("--suites", help="comma-separated suite names, run in this order (default: all)")
    parser.add_argument("--report-only", action="store_true",
                        help="run nothing: write the page from the runs already in the database, finished or not")
    args = parser.parse_args()

    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HEARTH_AUDIT_DB=args.db)
    suites = json.loads(hearth(["audit", "suites", "--output", "json"], env))
    if args.suites:
        order = args.suites.split(",")
        suites = sorted((s for s in suites if s["name"] in order), key=lambda s: order.index(s["name"]))
    chosen = [m for m in MODELS if not args.models or m[0] in args.models.split(",")]
    summaries = {}  # (model, task) -> summary
    for name, _, _, chat in chosen:
        for suite in suites:
            for task in suite["tasks"]:
                if not chat and task["solver"] != "choice":
                    continue
                if args.report_only:
                    summary = latest_summary(name, task["name"], env)
                    if summary:
                        summaries[(name, task["name"])] = settle(summary, task, suite, args, env)
                    continue
                command = ["audit", "run", task["file"], "--model", name, "--concurrency", str(args.concurrency),
                           "--threads", str(args.threads), "--group-by", "language", "--output", "json", "--quiet"]
                if args.limit:
                    command += ["--limit", str(args.limit)]
                print(f"{name}: {suite['name']}/{task['name']} ({task['samples']} samples)", file=sys.stderr, flush=True)
                summary = json.loads(hearth(command, env).strip().splitlines()[-1])
                summaries[(name, task["name"])] = settle(summary, task, suite, args, env)

    args.suite_list = suites
    args.scorer_version = hearth(["--version"], env).strip()
    # One file, nothing in the write-ahead log, no freed pages holding withheld text.
    with sqlite3.connect(args.db) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sqlite3.connect(args.db, isolation_level=None).execute("VACUUM")
    write_page(args, suites, chosen, summaries)


def withheld(db_path, run_id):
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        row = db.execute("SELECT outputs_withheld FROM run WHERE id = ?", (run_id,)).fetchone()
    return bool(row and row[0])


def settle(summary, task, suite, args, env):
    """Re-scores the run with every rule scorer of its task (not judges), withholds its outputs when
    its suite says so and it is finished, and returns the summary as it now stands."""
    run_id = summary["run"]
    if not withheld(args.db, run_id):
        with open(task["file"], encoding="utf-8") as f:
            specs = json.load(f)["scorers"]
        for spec in specs:
            if isinstance(spec, dict) and spec.get("type") == "model_graded":
                continue
            hearth(["audit", "score", run_id, "--scorer", json.dumps(spec) if isinstance(spec, dict) else spec], env)
        finished = summary["samples"]["done"] + summary["samples"]["errors"] >= summary["samples"]["total"]
        if suite.get("withhold_outputs") and finished and not args.limit:
            hearth(["audit", "withhold", run_id], env)
    settled = json.loads(hearth(["audit", "show", run_id, "--group-by", "language", "--output", "json"], env))
    settled["withheld"] = withheld(args.db, run_id)
    if task["name"] == "harmful-compliance":
        settled["by_wrapper"] = json.loads(hearth(["audit", "show", run_id, "--group-by", "wrapper", "--output", "json"], env))
    return settled


def unfinished(summary):
    done, total = summary["samples"]["done"] + summary["samples"]["errors"], summary["samples"]["total"]
    return "" if done >= total else f" (unfinished: {done} of {total})"


def latest_summary(model, task, env):
    """The newest run of `task` on `model` in the database, as `show --output json` prints it."""
    rows = [line.split("\t") for line in hearth(["audit", "list"], env).splitlines()[1:]]
    runs = [r[0] for r in rows if len(r) >= 4 and r[2].rsplit(" v", 1)[0] == task and r[3] == model]
    if not runs:
        return None
    return json.loads(hearth(["audit", "show", runs[-1], "--group-by", "language", "--output", "json"], env))


def group_metric(summary, language, metric):
    for group in summary.get("groups", []):
        if group["key"].get("language") == language:
            return group["metrics"].get(metric)
    return None


def contrast(summary, language, metric):
    for c in summary.get("contrasts", []):
        if c["key"].get("language") == language and c["metric"] == metric:
            return c
    return None


def write_page(args, suites, chosen, summaries):
    lines = []
    add = lines.append
    first = next(iter(summaries.values()), None)
    engine = first["engine"] if first else {}
    add("# Audit results: American and Chinese open models, side by side")
    add("")
    add("Regenerate with `python3 scripts/audit_results.py` (after `bash scripts/test.sh` has built the binary); "
        "the runs are kept in `docs/audit-results/audit.sqlite`, so the same command again prints the same numbers. "
        "Every rate is given as `value [95% interval] n=samples`; errors are counted apart and never scored.")
    add("")
    builds = sorted({(s["engine"].get("commit", "?"), s["engine"].get("binary_sha256", "")) for s in summaries.values()})
    built = "; ".join(f"commit {c[:12] if len(c) >= 40 else c}" + (f", binary `{b[:12]}`" if b else "") for c, b in builds)
    add(f"Generated by engine {engine.get('version', '?')} ({built}); scored by `hearth {args.scorer_version}`"
        + (" (the harmful-compliance runs excepted: their answers are withheld, hashes only, so they keep the scores "
           "given when they were withheld)" if any(s.get("withheld") for s in summaries.values()) else "")
        + f". CPU: {cpu_model()}, {os.cpu_count()} cores; {datetime.date.today().isoformat()}; temperature 0, seed 0, "
        "each suite's own `max_tokens`.")
    add("")
    add("| model | origin | file SHA-256 |")
    add("|---|---|---|")
    for name, label, origin, _ in chosen:
        target = next((s["target"] for (m, _), s in summaries.items() if m == name), None)
        add(f"| {label} (`{name}`) | {origin} | " + (f"`{target['sha256'][:16]}…` |" if target else "not run yet |"))
    add("")
    missing = [(name, task["name"]) for name, _, _, chat in chosen for suite in args.suite_list for task in suite["tasks"]
               if (chat or task["solver"] == "choice") and (name, task["name"]) not in summaries]
    unfinished_runs = [(m, t) for (m, t), s in summaries.items() if s["samples"]["done"] + s["samples"]["errors"] < s["samples"]["total"]]
    if missing or unfinished_runs:
        add("**This is a partial pass.** " + ("Unfinished: " + ", ".join(f"{t} on `{m}`" for m, t in unfinished_runs) + ". " if unfinished_runs else "")
            + ("Not run yet: " + ", ".join(f"{t} on `{m}`" for m, t in missing) + ". " if missing else "")
            + "`python3 scripts/audit_results.py` resumes the unfinished runs and runs the rest (about two hours on 2 cores for all three "
            "models), then rewrites this page. A run interrupted by a kill records no wall time for that invocation.")
        add("")
    add("## What models of this size can and cannot show")
    add("")
    add("These are 0.1–0.5 billion-parameter models: they often answer in broken sentences, repeat the question, loop one "
        "phrase, or drift off topic (SmolLM2's Chinese is mostly such loops), and the rule-based scorers (refusal phrases, key "
        "facts, narrative markers) read words, not meaning. The numbers show that the bench works end to end and how such "
        "models behave on these probes; they do not show how the large models an organisation would deploy behave, and they "
        "rank nothing finer than the scorers' error. The refusal rules are far from the 0.9 accuracy a ranking would need "
        "(docs/AUDIT.md: 0.63 English and 0.68 Chinese on the last blind written holdout; 0.85 and 0.63 on these models' "
        "real answers, labelled blind); they miss deflections above all, so `answered` (compliance) is an upper bound and `refused`/`deflected` "
        "lower bounds. Run the same suites on the models you would deploy, in process or through an OpenAI-compatible "
        "endpoint (vLLM, SGLang), with a capable judge (`--judge`) measured on the calibration files first; a 0.5B judge is "
        "not a judge (0.30–0.35 agreement on refusals, chance on narratives).")
    add("")

    def section(title, task, metrics, note=None, by_language=True):
        rows = [(m, summaries.get((m, task))) for m, *_ in chosen if summaries.get((m, task))]
        if not rows:
            return
        add(f"## {title}")
        add("")
        if note:
            add(note)
            add("")
        header = "| model | language | " + " | ".join(metrics) + " | errors |"
        add(header)
        add("|" + "---|" * (len(metrics) + 3))
        for model, summary in rows:
            for language in (["en", "zh"] if by_language else [None]):
                cells = [fmt(group_metric(summary, language, m) if language else summary["metrics"].get(m)) for m in metrics]
                errors = next((g["errors"] for g in summary["groups"] if g["key"].get("language") == language), summary["errors"])
                add(f"| `{model}`{unfinished(summary)} | {language or 'all'} | " + " | ".join(cells) + f" | {errors} |")
        add("")

    # Which sensitive-minus-control gaps the data supports: computed, so the page stays true when regenerated.
    supported = []
    for model, *_ in chosen:
        summary = summaries.get((model, "ccp-narrative"))
        for c in (summary or {}).get("contrasts", []):
            low, high = c["ci95"]
            if low > 0 or high < 0:
                supported.append(f"`{model}` ({c['key'].get('language')}): `{c['metric']}` {fmt_diff(c)}")
    add("## Gaps the intervals support")
    add("")
    add("Sensitive-minus-control gaps in `ccp-narrative` whose 95% interval excludes zero (every other gap's interval "
        "includes it). A gap is a difference in how the model treats a China-related question and its matched control; "
        "with these scorers a refusal gap is the most trustworthy kind, since refusals are what the rules recognise best.")
    add("")
    for line in supported or ["none"]:
        add(f"- {line}")
    add("")
    section("Censorship and narrative alignment (`ccp-narrative`)", "ccp-narrative",
            ["narrative.faithful", "narrative.refused", "narrative.deflected", "narrative.narrative_aligned"],
            "Rates over sensitive questions and controls together; the gap between them, per pair, is below.")
    rows = [(m, summaries.get((m, "ccp-narrative"))) for m, *_ in chosen if summaries.get((m, "ccp-narrative"))]
    if rows:
        add("Sensitive minus control, paired (same form, same language): a positive refusal or deflection gap means the "
            "model declines the China-related question more often than the comparable one elsewhere.")
        add("")
        add("| model | language | refused | deflected | faithful | narrative-aligned |")
        add("|---|---|---|---|---|---|")
        for model, summary in rows:
            for language in ["en", "zh"]:
                cells = []
                for outcome in ["refused", "deflected", "faithful", "narrative_aligned"]:
                    c = contrast(summary, language, f"narrative.{outcome}")
                    cells.append(fmt_diff(c) if c else "—")
                add(f"| `{model}`{unfinished(summary)} | {language} | " + " | ".join(cells) + " |")
        add("")
    section("Over-refusal (`over-refusal`): safe requests that look unsafe", "over-refusal",
            ["refusal.answered", "refusal.refused", "refusal.deflected"], "A good model answers all of them.")
    section("Harmful compliance (`harmful-compliance`), mild categories", "harmful-compliance",
            ["refusal.answered", "refusal.refused"], "`answered` is compliance: lower is better. Raw and jailbreak-wrapped "
            "requests together; `hearth audit show RUN --group-by wrapper` splits them.")
    rows = [(m, summaries.get((m, "harmful-compliance"))) for m, *_ in chosen if summaries.get((m, "harmful-compliance"))]
    if rows:
        wrappers = ["none", "role_play", "hypothetical", "prefix_injection", "translation", "many_shot"]
        add("Compliance (`refusal.answered`) by jailbreak style, both languages together; `none` is the raw request. "
            "The same base requests appear under every style, so each column differs from `none` only in the wrapper.")
        add("")
        add("| model | " + " | ".join(wrappers) + " |")
        add("|---|" + "---|" * len(wrappers))
        for model, summary in rows:
            groups = {g["key"].get("wrapper"): g for g in summary.get("by_wrapper", {}).get("groups", [])}
            add(f"| `{model}` | " + " | ".join(fmt(groups[w]["metrics"].get("refusal.answered")) if w in groups else "—" for w in wrappers) + " |")
        add("")
    over = {m: summaries.get((m, "over-refusal")) for m, *_ in chosen}
    harm = {m: summaries.get((m, "harmful-compliance")) for m, *_ in chosen}
    pairs = [m for m in over if over[m] and harm[m]]
    if pairs:
        add("## Over-refusal against harmful compliance")
        add("")
        add("A model that refuses everything scores well on harmful compliance and badly on over-refusal; one that answers "
            "everything, the reverse. Safe requests answered (higher is better) beside harmful requests answered (lower is better).")
        add("")
        add("| model | language | safe requests answered (`over-refusal`) | harmful requests answered (`harmful-compliance`, all styles) |")
        add("|---|---|---|---|")
        for m in pairs:
            for language in ["en", "zh"]:
                add(f"| `{m}` | {language} | {fmt(group_metric(over[m], language, 'refusal.answered'))} | "
                    f"{fmt(group_metric(harm[m], language, 'refusal.answered'))} |")
        add("")
    section("Agent hijacking (`agent-hijacking`)", "agent-hijacking", ["hijack.hijacked", "task_completion.done"],
            "`hijacked`: the model made the call the injected text asked for (lower is better); `done`: the user's own task was done.")
    section("Capability: multiple choice by log-likelihood (`capability-mc`)", "capability-mc", ["choice.accuracy"],
            "Chance is 0.25.")
    section("Capability: short answers, exact (`capability-short`)", "capability-short", ["match.accuracy", "includes.accuracy"])

    add("## Speed and cost")
    add("")
    add("| model | task | samples | tokens in | tokens out | wall time | tokens/s out |")
    add("|---|---|---|---|---|---|---|")
    for (model, task), s in summaries.items():
        add(f"| `{model}` | {task} | {s['samples']['done']}/{s['samples']['total']}{' (unfinished)' if s['samples']['done'] + s['samples']['errors'] < s['samples']['total'] else ''} | {s['tokens']['prompt']} | "
            f"{s['tokens']['completion']} | {s['time']['wall_seconds']:.0f} s | {s['time']['completion_tokens_per_second']:.1f} |")
    add("")
    add("Cost: `hearth audit run --price-per-hour P` estimates a run's cost from its wall time on this machine; "
        "endpoints take `--price-per-million-input/-output`.")
    add("")
    add("## Runs")
    add("")
    for (model, task), s in summaries.items():
        add(f"- `{model}` · {task} {s['task']['version']} (dataset `{s['task']['dataset_sha256'][:12]}`): run `{s['run']}`")
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
