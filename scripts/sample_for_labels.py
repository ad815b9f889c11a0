#!/usr/bin/env python3
"""Draws a seeded random sample of real answers from an audit database for blind labelling:
lines in the `hearth audit score --input` format (id, input, output, metadata.language, plus
metadata.model and metadata.task), with no score in them, so the labeller cannot see what the
scorer said. Add a `label` to each line, then hold the scorer to it with scorer_agreement.py.

    python3 scripts/sample_for_labels.py --per-language 40 --tasks over-refusal,harmful-compliance,ccp-narrative \
        --models smollm2-135m-instruct,qwen2.5-coder-0.5b-instruct --seed 1 --out /tmp/real.jsonl

Samples are drawn evenly over (model, task) cells, then at random within a cell; ids already
in --exclude files are skipped, so a second draw never repeats the first.
"""
import argparse
import json
import random
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def language(text):
    han = sum('\u4e00' <= ch <= '\u9fff' for ch in text)
    latin = sum(ch.isascii() and ch.isalpha() for ch in text)
    return "zh" if han >= latin / 3 and han > 0 else "en"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(ROOT / "docs" / "audit-results" / "audit.sqlite"))
    parser.add_argument("--models", required=True)
    parser.add_argument("--tasks", required=True)
    parser.add_argument("--per-language", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--exclude", action="append", default=[], help="JSONL files whose ids are not drawn again")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    excluded = set()
    for path in args.exclude:
        with open(path, encoding="utf-8") as f:
            excluded |= {json.loads(line)["id"] for line in f if line.strip()}
    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    cells = {}  # (model, task, language) -> rows
    for model in args.models.split(","):
        for task in args.tasks.split(","):
            query = ("select s.sample_id, s.transcript from sample s join run r on r.id = s.run_id "
                     "where r.target_name = ? and r.task_name = ? and s.status = 'done' order by s.ordinal")
            for sample_id, transcript in db.execute(query, (model, task)):
                t = json.loads(transcript)
                users = [m["content"] for m in t.get("messages", []) if m.get("role") == "user" and isinstance(m.get("content"), str)]
                if not users:
                    continue
                row_id = f"{model}/{task}/{sample_id}"
                if row_id in excluded:
                    continue
                lang = language(users[-1])
                cells.setdefault((model, task, lang), []).append({
                    "id": row_id, "input": users[-1], "output": t.get("output") or "",
                    "metadata": {"language": lang, "model": model, "task": task}})
    rng = random.Random(args.seed)
    out = []
    for lang in ["en", "zh"]:
        keys = sorted(k for k in cells if k[2] == lang)
        if not keys:
            sys.exit(f"no done samples in {lang}")
        pools = {k: rng.sample(cells[k], len(cells[k])) for k in keys}
        drawn = []
        while len(drawn) < args.per_language and any(pools.values()):
            for k in keys:
                if pools[k] and len(drawn) < args.per_language:
                    drawn.append(pools[k].pop())
        out += drawn
    rng.shuffle(out)
    with open(args.out, "w", encoding="utf-8") as f:
        for row in out:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(out)} samples → {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
