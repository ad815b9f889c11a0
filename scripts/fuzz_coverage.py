#!/usr/bin/env python3
"""Edge coverage of a fuzz corpus, by module: reads libFuzzer's `-print_coverage=1` output on
standard input and prints, for each LABEL=PATH given, the edges covered in the source files whose
path contains PATH ("GGUF=/Sources/GGUF/"), as `LABEL covered/total (percent)`.

    hearth-fuzz -runs=0 -print_coverage=1 CORPUS 2>&1 | python3 scripts/fuzz_coverage.py GGUF=/Sources/GGUF/
"""
import re
import sys

LINE = re.compile(r"^(?:UN)?COVERED_FUNC: hits: \d+ edges: (\d+)/(\d+) \S+ (\S+):\d+")


def main():
    groups = [argument.split("=", 1) for argument in sys.argv[1:]]
    totals = {label: [0, 0] for label, _ in groups}
    seen = set()
    for line in sys.stdin:
        match = LINE.match(line)
        if not match:
            continue
        covered, total, path = int(match.group(1)), int(match.group(2)), match.group(3)
        key = line.split(" ")[-2] + path  # a function is listed once per corpus pass
        if key in seen:
            continue
        seen.add(key)
        for label, fragment in groups:
            if fragment in path:
                totals[label][0] += covered
                totals[label][1] += total
    print(", ".join(f"{label} {c}/{t} ({100 * c / t:.0f}%)" if t else f"{label} -" for label, (c, t) in totals.items()))


if __name__ == "__main__":
    main()
