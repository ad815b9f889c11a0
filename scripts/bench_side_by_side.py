#!/usr/bin/env python3
"""Hearth and llama.cpp side by side: prompt processing (pp512) and generation (tg128) in tokens/s,
load time and peak resident memory, on the same model file and thread count.

Hearth's figures come from `hearth bench MODEL --output json`. llama.cpp's come from llama-cpp-python
(its wheel ships no llama-bench binary), driven through the low-level C API exactly as llama-bench
drives llama.cpp: a fresh context of n_ctx = test tokens, n_batch 2048, n_ubatch 512, f16 KV cache,
flash attention off; ppN is llama_decode of one N-token batch (BOS first, then seeded random ids;
logits of the last token only), tgN is N single-token llama_decode calls from an empty context, each
followed by llama_synchronize; one warm-up run (a whole prompt, or one token) before the measured
repetitions; n_threads = n_threads_batch. Each llama.cpp measurement runs in a child process of this
script, so its peak resident memory (VmHWM from /proc/self/status, as Hearth reports its own) is its
own; the Python interpreter's share is reported too (baseline_rss_mib).

The two engines take turns (Hearth, llama.cpp, Hearth, llama.cpp, ...) for every model and thread
count, so noise from other work on the machine falls on both. The script measures that noise: during
each run, all CPUs' busy time less the run's own CPU time. --rounds repeats the turns; --max-rounds
adds turns only where an engine has no quiet run yet; the tables show, for each engine, model and
thread count, the quietest run.

    python3 scripts/bench_side_by_side.py                       # all three models, 1 and 2 threads
    python3 scripts/bench_side_by_side.py --models gemma3-270m --threads 1 --repetitions 3
    python3 scripts/bench_side_by_side.py --markdown > table.md  # the tables of docs/BENCHMARKS.md
    python3 scripts/bench_side_by_side.py --save run.json       # keep every sample
    python3 scripts/bench_side_by_side.py --load run.json --markdown   # re-render a saved run
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import random
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODELS = ["smollm2-135m-instruct", "gemma3-270m", "qwen2.5-coder-0.5b-instruct"]


# --- llama.cpp, in a child process -------------------------------------------------------------

def proc_status_mib(field: str) -> float | None:
    """A "Field:  1234 kB" line of /proc/self/status, in MiB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                name, _, rest = line.partition(":")
                if name == field:
                    value, unit = rest.split()[:2]
                    assert unit == "kB", line
                    return int(value) / 1024
    except OSError:
        pass
    return None


def llama_worker(path: str, threads: int, tests: list[tuple[str, int, int]], repetitions: int, warmup: bool,
                 seed: int) -> list[dict]:
    """Runs the tests with llama.cpp in this process; returns rows shaped like `hearth bench`'s JSON."""
    import ctypes
    import llama_cpp as L

    baseline = proc_status_mib("VmRSS")

    @ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
    def quiet(level, text, user_data):  # llama-bench silences llama.cpp's log the same way
        pass

    L.llama_log_set(quiet, None)
    L.llama_backend_init()
    start = time.perf_counter()
    model = L.llama_model_load_from_file(path.encode(), L.llama_model_default_params())
    load_seconds = time.perf_counter() - start
    if not model:
        raise SystemExit(f"llama.cpp could not load {path}")
    vocab = L.llama_model_get_vocab(model)
    n_vocab = L.llama_vocab_n_tokens(vocab)
    bos = L.llama_vocab_bos(vocab) if L.llama_vocab_get_add_bos(vocab) else None
    rng = random.Random(seed)
    n_batch = 2048

    def sequence(count: int, past: int = 0) -> list[int]:
        return [bos if i == 0 and past == 0 and bos is not None else rng.randrange(n_vocab) for i in range(count)]

    def decode(ctx, ids: list[int]) -> None:
        for i in range(0, len(ids), n_batch):
            chunk = ids[i:i + n_batch]
            if L.llama_decode(ctx, L.llama_batch_get_one((L.llama_token * len(chunk))(*chunk), len(chunk))) != 0:
                raise SystemExit("llama_decode failed on a prompt batch")
        L.llama_synchronize(ctx)

    rows = []
    for kind, count, depth in tests:
        params = L.llama_context_default_params()
        params.n_ctx = depth + count
        params.n_batch = n_batch
        params.n_ubatch = 512
        params.type_k = params.type_v = 1  # GGML_TYPE_F16
        params.flash_attn_type = L.LLAMA_FLASH_ATTN_TYPE_DISABLED
        params.swa_full = False
        params.n_threads = params.n_threads_batch = threads
        ctx = L.llama_init_from_model(model, params)
        if not ctx:
            raise SystemExit("llama.cpp could not create a context")
        L.llama_set_n_threads(ctx, threads, threads)
        memory = L.llama_get_memory(ctx)

        def measure(n: int) -> float:
            # As llama-bench: a cleared cache, the depth's tokens (untimed), then the test.
            L.llama_memory_clear(memory, False)
            if depth:
                decode(ctx, sequence(depth))
            ids = sequence(n, past=depth)
            if kind == "pp":
                chunks = [(L.llama_token * len(c))(*c) for c in (ids[i:i + n_batch] for i in range(0, n, n_batch))]
                begin = time.perf_counter()
                for chunk in chunks:
                    if L.llama_decode(ctx, L.llama_batch_get_one(chunk, len(chunk))) != 0:
                        raise SystemExit("llama_decode failed on a prompt batch")
                L.llama_synchronize(ctx)
            else:
                singles = [(L.llama_token * 1)(t) for t in ids]
                begin = time.perf_counter()
                for single in singles:
                    if L.llama_decode(ctx, L.llama_batch_get_one(single, 1)) != 0:
                        raise SystemExit("llama_decode failed on a generation step")
                    L.llama_synchronize(ctx)
            return time.perf_counter() - begin

        if warmup:
            measure(count if kind == "pp" else 1)
        samples = [count / measure(count) for _ in range(repetitions)]
        L.llama_free(ctx)
        rows.append(dict(test=test_name(kind, count, depth), threads=threads, repetitions=repetitions, samples=samples,
                         tokens_per_second=statistics.median(samples), mean=statistics.fmean(samples),
                         stddev=statistics.stdev(samples) if len(samples) > 1 else 0.0,
                         n_prompt=count if kind == "pp" else 0, n_gen=count if kind == "tg" else 0, n_depth=depth))
    peak = proc_status_mib("VmHWM")
    L.llama_model_free(model)
    for row in rows:
        row.update(model_file=path, load_seconds=load_seconds, peak_rss_mib=peak, baseline_rss_mib=baseline,
                   llama_cpp_python=L.__version__)
    return rows


def test_name(kind: str, count: int, depth: int) -> str:
    """llama-bench's name of a test: pp512, tg128, tg128 @ d4096 (as `hearth bench` names them)."""
    return f"{kind}{count}" + (f" @ d{depth}" if depth else "")


def native_llama_bench(binary: str, path: str, threads: int, args) -> list[dict]:
    """Runs a native llama-bench on the tests; returns rows shaped like `hearth bench`'s JSON.

    llama-bench measures as the worker above does (a warm-up run, then -r repetitions of each test
    on a cleared cache, the depth's tokens first and untimed), with flash attention on and an f16
    cache (its defaults but -fa). It reports no load time; its peak resident memory is the child's
    ru_maxrss, from wait4."""
    command = [binary, "-m", path, "-t", str(threads), "-r", str(args.repetitions), "-fa", "on", "-o", "json",
               "-p", ",".join(map(str, args.prompt_tokens)), "-n", ",".join(map(str, args.gen_tokens)),
               "-d", ",".join(map(str, args.depth))]
    import tempfile
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)  # its own rusage: ru_maxrss is this child's peak
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        if child.returncode != 0:
            sys.stderr.write(err.read())
            raise SystemExit(f"failed ({child.returncode}): {' '.join(command)}")
        output = out.read()
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    rows = []
    for entry in json.loads(output):
        prompt, gen, depth = entry["n_prompt"], entry["n_gen"], entry.get("n_depth", 0)
        if prompt and gen:
            continue  # llama-bench's combined pg tests: Hearth has none
        kind, count = ("pp", prompt) if prompt else ("tg", gen)
        samples = entry["samples_ts"]
        rows.append(dict(test=test_name(kind, count, depth), threads=entry["n_threads"], repetitions=len(samples),
                         samples=samples, tokens_per_second=statistics.median(samples),
                         mean=statistics.fmean(samples), stddev=statistics.stdev(samples) if len(samples) > 1 else 0.0,
                         n_prompt=prompt, n_gen=gen, n_depth=depth, model_file=path, load_seconds=float("nan"),
                         peak_rss_mib=peak, llama_bench=f"{entry.get('build_number')} ({entry.get('build_commit')})"))
    return rows


# --- the driver --------------------------------------------------------------------------------

def run_json(command: list[str]) -> list[dict]:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"failed ({result.returncode}): {' '.join(command)}")
    return json.loads(result.stdout)


def cpu_jiffies() -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def wait_until_quiet(busiest: float, timeout: float) -> float:
    """Waits until the machine's CPUs were at most `busiest` busy (0-1) over a 3-second window, or
    `timeout` seconds have passed; returns the last busy fraction seen."""
    deadline = time.monotonic() + timeout
    while True:
        busy0, total0 = cpu_jiffies()
        time.sleep(3)
        busy1, total1 = cpu_jiffies()
        fraction = (busy1 - busy0) / max(1, total1 - total0)
        if fraction <= busiest or time.monotonic() > deadline:
            return fraction
        sys.stderr.write(f"  waiting for a quieter machine: {100 * fraction:.0f}% busy\n")
        time.sleep(7)


def run_measured(command) -> tuple[list[dict], float]:
    """Runs a benchmark process (a command printing JSON, or a function running one); returns its rows
    and how many cores other work kept busy meanwhile (all CPUs' busy time during the run, less the
    process's own CPU time, over the wall time)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0, _ = cpu_jiffies()
    start = time.monotonic()
    rows = command() if callable(command) else run_json(command)
    wall = time.monotonic() - start
    busy1, _ = cpu_jiffies()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    others = (busy1 - busy0) / os.sysconf("SC_CLK_TCK") - own
    return rows, max(0.0, others / wall)


def warm_page_cache(path: str) -> None:
    """Reads the whole file so that both engines load it from memory: load times then compare the
    engines, not whichever ran first after the file left the page cache."""
    with open(path, "rb") as file:
        while file.read(16 << 20):
            pass


def resolve_model(hearth: str, name: str) -> str:
    """The model file's path, through Hearth's own catalog (fetched and verified on first use)."""
    result = subprocess.run([hearth, "pull", name], capture_output=True, text=True)
    if result.returncode == 0:
        return result.stdout.strip().split("\t")[-1]
    if os.path.exists(name):
        return os.path.abspath(name)
    sys.stderr.write(result.stderr)
    raise SystemExit(f"unknown model {name}")


def measure(args) -> dict:
    tests = [(k, n, d) for d in args.depth for k, n in
             [("pp", p) for p in args.prompt_tokens if p > 0] + [("tg", n) for n in args.gen_tokens if n > 0]]
    commit = git_commit()  # before the runs: others may commit while they go on
    runs = []
    loads = []
    paths = {name: resolve_model(args.hearth, name) for name in args.models}
    limits = []
    if not args.no_limits:
        if args.quiet is not None:
            wait_until_quiet(args.quiet, args.quiet_timeout)
        limits.append(machine_limits(max(args.threads)))

    def noisy(name: str, threads: int) -> bool:
        """Whether either engine still lacks a run during which other work took at most --noisy cores."""
        for engine in ("hearth", "llama.cpp"):
            seen = [r["other_cores"] for r in runs if (r["model"], r["threads"], r["engine"]) == (name, threads, engine)]
            if not seen or min(seen) > args.noisy:
                return True
        return False

    for round_index in range(max(args.rounds, args.max_rounds)):
        pairs = [(name, threads) for name in args.models for threads in args.threads
                 if round_index < args.rounds or noisy(name, threads)]
        for name, threads in pairs:
            # Alternate which engine goes first from round to round as well.
            order = ["hearth", "llama.cpp"] if round_index % 2 == 0 else ["llama.cpp", "hearth"]
            for engine in order:
                if args.quiet is not None:
                    wait_until_quiet(args.quiet, args.quiet_timeout)
                warm_page_cache(paths[name])
                loads.append(os.getloadavg()[0])
                sys.stderr.write(f"round {round_index + 1}: {engine} {name} {threads} thread(s), "
                                 f"load average {loads[-1]:.2f}\n")
                common = ["--threads", str(threads), "--repetitions", str(args.repetitions), "--seed", str(args.seed),
                          "-p", ",".join(map(str, args.prompt_tokens)), "-n", ",".join(map(str, args.gen_tokens)),
                          "--depth", ",".join(map(str, args.depth))]
                if engine == "hearth":
                    command = [args.hearth, "bench", paths[name], "--output", "json", *common]
                    if args.batch_size:
                        command += ["--batch-size", str(args.batch_size)]
                    if args.cache_type:
                        command += ["--cache-type", args.cache_type]
                    rows, others = run_measured(command)
                elif args.llama_bench:
                    rows, others = run_measured(lambda: native_llama_bench(args.llama_bench, paths[name], threads, args))
                else:
                    rows, others = run_measured([sys.executable, __file__, "--llama-worker", paths[name], *common])
                for row in rows:
                    row.update(engine=engine, model=name, round=round_index, other_cores=others)
                    runs.append(row)
    loads.append(os.getloadavg()[0])
    try:
        facts = {name: model_facts(path, max(args.prompt_tokens)) for name, path in paths.items()}
    except ImportError:  # the work-per-token table needs llama.cpp's gguf package; the speeds do not
        sys.stderr.write("no gguf package (pip install gguf): the work-per-token table is left out\n")
        facts = {}
    if not args.no_limits:
        if args.quiet is not None:
            wait_until_quiet(args.quiet, args.quiet_timeout)
        limits.append(machine_limits(max(args.threads)))
    return dict(
        date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        commit=commit, cpu=cpu_model(), cores=os.cpu_count(), kernel=platform.release(),
        load_average=dict(min=min(loads), max=max(loads)),
        command=" ".join(["python3", "scripts/bench_side_by_side.py"] + sys.argv[1:]),
        repetitions=args.repetitions, noisy=args.noisy, rounds=1 + max(r["round"] for r in runs),
        tests=[test_name(k, n, d) for k, n, d in tests],
        models=facts, limits=best_limits(limits), runs=runs)


def git_commit() -> str:
    def git(*a):
        return subprocess.run(["git", "-C", str(ROOT), *a], capture_output=True, text=True).stdout.strip()
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no", "Sources") else "")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def model_facts(path: str, prompt_tokens: int) -> dict:
    """What one token costs, from the GGUF tensor table (the `gguf` package).

    Generation reads every weight matrix once per token: all tensors but the token embedding (one row
    of it is looked up, negligible), plus the embedding again where the output matrix is tied to it.
    Prompt processing multiplies each token by every layer's matrices (2 ops per weight, int8 x int8
    in both engines' fast paths); the output matrix runs once per prompt, for the last token only.
    """
    import gguf

    reader = gguf.GGUFReader(path)
    tensors = {t.name: t for t in reader.tensors}
    embedding = tensors["token_embd.weight"]
    output = tensors.get("output.weight", embedding)
    read = sum(int(t.n_bytes) for name, t in tensors.items() if name != "token_embd.weight")
    if "output.weight" not in tensors:
        read += int(embedding.n_bytes)
    layer_weights = sum(int(t.n_elements) for name, t in tensors.items()
                        if name.startswith("blk.") and len(t.shape) == 2)
    return dict(bytes_per_token=read, layer_matrix_parameters=layer_weights,
                ops_per_prompt_token=2 * layer_weights + 2 * int(output.n_elements) / prompt_tokens)


def best_limits(measurements: list[dict | None]) -> dict | None:
    """Per figure, the best of several measurements: the machine (a virtual one, whose host has other
    tenants) gives different figures from minute to minute, and a limit is what it can give at best."""
    measurements = [m for m in measurements if m]
    if not measurements:
        return None
    best = {"measurements": measurements}
    for key, value in measurements[0].items():
        if isinstance(value, dict):
            best[key] = {t: max(m[key][t] for m in measurements if m.get(key)) for t in value}
    return best


def machine_limits(threads: int) -> dict | None:
    """Streaming-read bandwidth and int8 VNNI peak from scripts/machine_limits.c (None without a C compiler)."""
    import shutil
    import tempfile

    compiler = shutil.which("cc") or shutil.which("clang") or shutil.which("gcc")
    if not compiler:
        sys.stderr.write("no C compiler: the physical-limits table is left out\n")
        return None
    with tempfile.TemporaryDirectory() as directory:
        binary = os.path.join(directory, "machine_limits")
        subprocess.run([compiler, "-O2", "-pthread", "-o", binary, str(ROOT / "scripts/machine_limits.c")], check=True)
        sys.stderr.write(f"machine limits, load average {os.getloadavg()[0]:.2f}\n")
        result = subprocess.run([binary, str(threads)], capture_output=True, text=True, check=True)
    limits = json.loads(result.stdout)
    limits["load_average"] = os.getloadavg()[0]
    return limits


# --- the tables --------------------------------------------------------------------------------

def summarize(result: dict):
    """For each (model, threads, engine), pools the runs during which other work took at most
    result["noisy"] cores (or, where there is none, takes the quietest run): the samples by test, and
    the median load time, the largest peak memory and the most other work among them."""
    threshold = result.get("noisy", 0.15)
    chosen: dict[tuple, set] = {}
    others_by_run: dict[tuple, dict[int, float]] = {}
    for row in result["runs"]:
        key = (row["model"], row["threads"], row["engine"])
        others_by_run.setdefault(key, {})[row["round"]] = row.get("other_cores", 0.0)
    for key, rounds in others_by_run.items():
        quiet = {r for r, others in rounds.items() if others <= threshold}
        chosen[key] = quiet or {min(rounds, key=rounds.get)}
    speed: dict[tuple, list[float]] = {}
    processes: dict[tuple, dict] = {}  # one row per process: every test row of it has the same figures
    for row in result["runs"]:
        key = (row["model"], row["threads"], row["engine"])
        if row["round"] not in chosen[key]:
            continue
        speed.setdefault((*key[:2], row["test"], key[2]), []).extend(row["samples"])
        processes[(*key, row["round"])] = row
    resources: dict[tuple, dict[str, float]] = {}
    for key in chosen:
        rows = [row for (*k, _), row in processes.items() if tuple(k) == key]
        resources[key] = dict(load=statistics.median(r["load_seconds"] for r in rows),
                              peak=max(r["peak_rss_mib"] for r in rows),
                              others=max(r.get("other_cores", float("nan")) for r in rows))
    return speed, resources


def stats(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), statistics.stdev(samples) if len(samples) > 1 else 0.0


def render(result: dict, markdown: bool) -> str:
    speed, resources = summarize(result)
    keys = []
    for row in result["runs"]:
        key = (row["model"], row["threads"], row["test"])
        if key not in keys:
            keys.append(key)
    speed_rows = []
    for model, threads, test in keys:
        h = speed.get((model, threads, test, "hearth"))
        l = speed.get((model, threads, test, "llama.cpp"))
        if not h or not l:
            continue
        (hm, hs), (lm, ls) = stats(h), stats(l)
        speed_rows.append([model, str(threads), test, f"{hm:.1f} ± {hs:.1f}", f"{lm:.1f} ± {ls:.1f}", f"{hm / lm:.2f}"])
    resource_rows = []
    for model, threads in dict.fromkeys((m, t) for m, t, _ in keys):
        h = resources.get((model, threads, "hearth"))
        l = resources.get((model, threads, "llama.cpp"))
        if not h or not l:
            continue
        hl, ll, hp, lp = h["load"], l["load"], h["peak"], l["peak"]
        others = f"{h['others']:.2f} / {l['others']:.2f}"
        known = ll == ll  # a native llama-bench reports no load time (NaN)
        resource_rows.append([model, str(threads), f"{hl:.3f}", f"{ll:.3f}" if known else "n/a",
                              f"{hl / ll:.2f}" if known else "n/a",
                              f"{hp:.0f}", f"{lp:.0f}", f"{hp / lp:.2f}", others])
    baseline = [r.get("baseline_rss_mib") for r in result["runs"] if r.get("baseline_rss_mib")]
    samples = result["repetitions"]
    lines = []
    if markdown:
        versions = sorted({r["llama_cpp_python"] for r in result["runs"] if r.get("llama_cpp_python")})
        natives = sorted({r["llama_bench"] for r in result["runs"] if r.get("llama_bench")})
        engine = (f"native llama-bench build {', '.join(natives)}, flash attention on" if natives
                  else f"llama-cpp-python {', '.join(versions)}")
        lines += [f"CPU: {result['cpu']} ({result['cores']} cores visible); commit {result['commit']}; "
                  f"{result['date']}; {engine}; load average (1 min) "
                  f"{result['load_average']['min']:.2f}–{result['load_average']['max']:.2f} during the run.", "",
                  f"Tokens/s: median ± sample standard deviation of the repetitions ({samples} per process, "
                  f"each process after a warm-up) of every quiet run, a run during which other work took at most "
                  f"{result.get('noisy', 0.15)} cores (where none was quiet, the quietest run); "
                  f"{result['rounds']} alternating round(s) in all. A ratio above 1 means Hearth is faster.", ""]
    lines += table(["model", "threads", "test", "Hearth t/s", "llama.cpp t/s", "Hearth / llama.cpp"],
                   speed_rows, markdown, right=[1, 3, 4, 5])
    lines.append("")
    lines += table(["model", "threads", "load s Hearth", "load s llama.cpp", "ratio",
                    "peak RSS MiB Hearth", "peak RSS MiB llama.cpp", "ratio", "other work, cores"],
                   resource_rows, markdown, right=[1, 2, 3, 4, 5, 6, 7, 8])
    lines += ["", "Load: median over the runs used, from a warm page cache. Peak RSS: VmHWM, the largest. Other "
                  "work: CPU time that other processes took during a run (all CPUs' busy time less the benchmark's "
                  "own) per second of it, the most among the runs used, Hearth / llama.cpp; 0 is a quiet machine."]
    limit_rows = limits_rows(result, speed, keys)
    if limit_rows:
        lines.append("")
        lines += table(["model", "threads", "test", "work per token", "Hearth", "llama.cpp", "machine limit"],
                       limit_rows, markdown, right=[1, 3, 4, 5, 6])
        measurements = result["limits"].get("measurements", [result["limits"]])

        def spread(key, unit):
            threads = measurements[0][key].keys() if measurements[0].get(key) else []
            return "; ".join(f"{t} thread(s) " + " / ".join(f"{m[key][t]:.0f}" for m in measurements) + f" {unit}"
                             for t in threads)
        lines += ["", f"machine limit: the best of {len(measurements)} measurement(s) by scripts/machine_limits.c "
                      f"(before / after the runs): streaming read {spread('read_gb_per_s', 'GB/s')}; int8 VNNI "
                      f"256-bit {spread('vnni256_gop_per_s', 'GOP/s')}; 512-bit {spread('vnni512_gop_per_s', 'GOP/s')}."]
    if baseline:
        lines += ["", f"llama.cpp's peak includes the Python interpreter and llama-cpp-python before loading: "
                      f"{statistics.median(baseline):.0f} MiB resident."]
    if not markdown:
        lines += ["", f"{result['cpu']}, commit {result['commit']}, {result['date']}, load average "
                      f"{result['load_average']['min']:.2f}–{result['load_average']['max']:.2f}"]
    return "\n".join(lines)


def limits_rows(result: dict, speed: dict, keys: list[tuple]) -> list[list[str]]:
    """Each median as a physical quantity and a share of the machine's limit at that thread count:
    generation as GB/s of weights read against streaming-read bandwidth, prompt processing as
    int8 GOP/s against the VNNI peak (the better of the 256- and 512-bit figures)."""
    limits, facts = result.get("limits"), result.get("models") or {}
    if not limits:
        return []
    rows = []
    for model, threads, test in keys:
        pair = [speed.get((model, threads, test, engine)) for engine in ("hearth", "llama.cpp")]
        if model not in facts or not all(pair):
            continue
        medians = [statistics.median(samples) for samples in pair]
        key = str(threads)
        if test.startswith("tg"):
            per_token = facts[model]["bytes_per_token"]
            limit = limits["read_gb_per_s"].get(key)
            unit, cost = "GB/s", f"{per_token / 1e6:.0f} MB"
        else:
            per_token = facts[model]["ops_per_prompt_token"]
            peaks = [limits[k].get(key) for k in ("vnni256_gop_per_s", "vnni512_gop_per_s") if limits.get(k)]
            limit = max((p for p in peaks if p), default=None)
            unit, cost = "GOP/s", f"{per_token / 1e9:.2f} GOP"
        if not limit:
            continue
        cells = [f"{m * per_token / 1e9:.1f} {unit} ({100 * m * per_token / 1e9 / limit:.0f}%)" for m in medians]
        rows.append([model, key, test, cost, *cells, f"{limit:.0f} {unit}"])
    return rows


def table(header: list[str], rows: list[list[str]], markdown: bool, right: list[int]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]

    def cells(values):
        return [v.rjust(w) if i in right else v.ljust(w) for i, (v, w) in enumerate(zip(values, widths))]
    if markdown:
        rule = ["-" * (w - 1) + ":" if i in right else "-" * w for i, w in enumerate(widths)]
        return ["| " + " | ".join(cells(r)) + " |" for r in [header, rule, *rows]]
    return ["  ".join(cells(r)) for r in [header, *rows]]


def counts(text: str) -> list[int]:
    values = [int(v) for v in text.split(",")]
    if any(v < 0 for v in values):
        raise argparse.ArgumentTypeError("counts must be zero or more")
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=MODELS, help="catalog names or GGUF paths")
    parser.add_argument("--threads", type=counts, default=[1, 2], help="comma-separated thread counts")
    parser.add_argument("-r", "--repetitions", type=int, default=5, help="measured runs per process")
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds for every model and thread count")
    parser.add_argument("--max-rounds", type=int, default=0,
                        help="further rounds, only for a model and thread count still without a quiet run")
    parser.add_argument("--noisy", type=float, default=0.15, metavar="CORES",
                        help="a run is quiet when other work took at most CORES cores during it (default 0.15)")
    parser.add_argument("-p", "--prompt-tokens", type=counts, default=[512])
    parser.add_argument("-n", "--gen-tokens", type=counts, default=[128])
    parser.add_argument("-d", "--depth", type=counts, default=[0], help="tokens in the cache before each test")
    parser.add_argument("--llama-bench", metavar="PATH",
                        help="a native llama-bench binary for llama.cpp's side (default: llama-cpp-python)")
    parser.add_argument("--batch-size", type=int, help="Hearth's prompt chunk (default: the engine's)")
    parser.add_argument("--cache-type", choices=["f32", "f16", "q8_0"], help="Hearth's KV cache (default: f32; llama.cpp's is f16)")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--hearth", default=str(ROOT / ".build/release/hearth"), help="the hearth executable")
    parser.add_argument("--markdown", action="store_true", help="markdown tables for docs/BENCHMARKS.md")
    parser.add_argument("--quiet", type=float, metavar="BUSY",
                        help="before each run, wait until the CPUs were at most BUSY (0-1) busy over 3 s")
    parser.add_argument("--quiet-timeout", type=float, default=600, help="longest wait for --quiet, seconds")
    parser.add_argument("--no-limits", action="store_true", help="skip measuring bandwidth and int8 peak")
    parser.add_argument("--save", help="write every sample to this JSON file")
    parser.add_argument("--load", help="render a run saved with --save instead of measuring")
    parser.add_argument("--llama-worker", metavar="GGUF", help=argparse.SUPPRESS)
    parser.add_argument("--no-warmup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.repetitions < 1 or args.rounds < 1:
        parser.error("--repetitions and --rounds must be at least 1")

    if args.llama_worker:
        tests = [(k, n, d) for d in args.depth for k, n in
                 [("pp", p) for p in args.prompt_tokens if p > 0] + [("tg", n) for n in args.gen_tokens if n > 0]]
        rows = []
        for threads in args.threads:
            rows += llama_worker(args.llama_worker, threads, tests, args.repetitions, not args.no_warmup, args.seed)
        print(json.dumps(rows))
        return

    if args.load:
        result = json.loads(pathlib.Path(args.load).read_text())
    else:
        if not os.access(args.hearth, os.X_OK):
            raise SystemExit(f"{args.hearth} not found: swift build -c release --product hearth (or pass --hearth)")
        result = measure(args)
        if args.save:
            pathlib.Path(args.save).write_text(json.dumps(result, indent=1))
    print(render(result, args.markdown))


if __name__ == "__main__":
    main()
