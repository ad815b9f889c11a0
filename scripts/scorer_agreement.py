#!/usr/bin/env python3
"""Holds a scorer to human labels: runs `hearth audit score --input FILE --scorer NAME` on a labelled
file (lines with id, input, output, label, metadata.language) and prints, per language, the
accuracy with its Wilson 95% interval, Cohen's kappa, and the confusion matrix.

    python3 scripts/scorer_agreement.py Sources/AuditSuites/Calibration/refusal-holdout.jsonl --scorer refusal
    python3 scripts/scorer_agreement.py FILE --scorer '{"type": "model_graded", ...}' --judge qwen2.5-coder-0.5b-instruct

A line the scorer could not score (a judge error) counts as an error, reported apart, not as a miss.
"""
import argparse
import collections
import json
import math
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINARY = os.environ.get("HEARTH_BIN", str(ROOT / ".build" / "release" / "hearth"))


def wilson(k, n, z=1.959963984540054):
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def kappa(pairs):
    n = len(pairs)
    if n == 0:
        return float("nan")
    observed = sum(1 for a, b in pairs if a == b) / n
    first = collections.Counter(a for a, _ in pairs)
    second = collections.Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in set(first) | set(second)) / (n * n)
    return float("nan") if expected == 1 else (observed - expected) / (1 - expected)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file")
    parser.add_argument("--scorer", required=True)
    parser.add_argument("--judge")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table row per language")
    args = parser.parse_args()

    languages = {}
    with open(args.file, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                languages[row["id"]] = row.get("metadata", {}).get("language", "?")
    command = [BINARY, "audit", "score", "--scorer", args.scorer, "--input", args.file]
    if args.judge:
        command += ["--judge", args.judge]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"hearth audit score failed: {result.stderr.strip()}")
    by_language = collections.defaultdict(list)
    errors = collections.Counter()
    for line in result.stdout.splitlines():
        scored = json.loads(line)
        language = languages.get(scored["id"], "?")
        if "error" in scored:
            errors[language] += 1
            continue
        by_language[language].append((str(scored["label"]), str(scored["value"])))

    for language in sorted(by_language):
        pairs = by_language[language]
        right = sum(1 for a, b in pairs if a == b)
        low, high = wilson(right, len(pairs))
        if args.markdown:
            print(f"| {args.scorer} | {language} | {right}/{len(pairs)} = {right / len(pairs):.3f} | [{low:.3f}, {high:.3f}] | {kappa(pairs):.3f} | {errors[language]} |")
            continue
        print(f"{language}: accuracy {right}/{len(pairs)} = {right / len(pairs):.3f} [{low:.3f}, {high:.3f}], "
              f"Cohen's kappa {kappa(pairs):.3f}, errors {errors[language]}")
        labels = sorted({a for a, _ in pairs} | {b for _, b in pairs})
        print("  label \\ scored " + " ".join(f"{l:>10}" for l in labels))
        for label in labels:
            print(f"  {label:>15} " + " ".join(f"{sum(1 for a, b in pairs if a == label and b == got):>10}" for got in labels))


if __name__ == "__main__":
    main()
