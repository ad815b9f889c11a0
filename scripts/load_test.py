#!/usr/bin/env python3
"""Load test: N concurrent streaming chat clients against `hearth serve` and llama.cpp's server.

Both servers get the same model file and are run one after the other, alternately (Hearth,
llama.cpp, Hearth, ... for --rounds), each for --duration seconds of load: every client sends a
streaming chat request, reads it to the end, and sends the next, until the time is up (requests in
flight then finish). Reported per run: requests, errors, completion tokens, aggregate tokens/s,
time to first token (p50, p99) and per-request decoding speed; then a side-by-side summary.

llama.cpp's server is `llama-server` when --llama-server names one (built from the llama.cpp
sources vendored in llama-cpp-python's sdist, see docs/BENCHMARKS.md): it gets the same --parallel
slots (`-np`, continuous batching, each slot --ctx-size positions) and --threads as Hearth. Without
it, `python -m llama_cpp.server` from llama-cpp-python (pip install 'llama-cpp-python[server]'),
which runs one sequence at a time (requests queue behind a lock; its default of interrupting the
running request for a new one is turned off). Hearth runs `hearth serve --parallel --threads`, one
batch for all its slots. When a server sends no usage chunk, its tokens are counted as content
chunks (one token each).

    swift build -c release
    python3 scripts/load_test.py --clients 16 --duration 30 --rounds 1 --llama-server PATH/llama-server
"""
import argparse
import itertools
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import openai

from server_process import free_port, wait_until_ready

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = Path.home() / ".cache" / "hearth" / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf"

PROMPTS = [
    "Write a short story about a lighthouse keeper.",
    "Explain how a bicycle works.",
    "List some tips for learning a new language.",
    "Describe the water cycle.",
    "What makes a good cup of tea?",
    "Write a poem about the city at night.",
    "Explain why the sky is blue.",
    "Give advice to someone starting their first job.",
]


def start_hearth(args, port):
    command = [args.hearth_bin, "serve", str(args.model_file), "--port", str(port), "--parallel", str(args.parallel),
               "--ctx-size", str(args.ctx_size), "--threads", str(args.threads), "--queue-size", str(max(64, args.clients)),
               "--cache-type", args.cache_type]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_ready(f"http://127.0.0.1:{port}/health", process, timeout=180, name="server")
    return process, Path(args.model_file).name.removesuffix(".gguf")


def start_llama_cpp(args, port):
    if args.llama_server:
        # -c is the context of all slots together.
        command = [args.llama_server, "--model", str(args.model_file), "--port", str(port), "--host", "127.0.0.1",
                   "--ctx-size", str(args.ctx_size * args.parallel), "--parallel", str(args.parallel),
                   "--threads", str(args.threads), "--threads-batch", str(args.threads), "--jinja",
                   "--no-webui", "--log-disable"]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_ready(f"http://127.0.0.1:{port}/health", process, timeout=180, name="server")
        return process, Path(args.model_file).name
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(args.model_file), "--port", str(port),
               "--host", "127.0.0.1", "--n_ctx", str(args.ctx_size), "--n_threads", str(args.threads),
               "--n_threads_batch", str(args.threads),
               # By default a new request interrupts the one streaming, which would end most early.
               "--interrupt_requests", "False"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_ready(f"http://127.0.0.1:{port}/v1/models", process, timeout=180, name="server")
    return process, str(args.model_file)


def rss_mib(process, field="VmHWM"):
    """The server's peak (VmHWM) or current (VmRSS) resident memory, Linux, in MiB; None where unreadable."""
    try:
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def pss_mib(process):
    """The server's proportional set size now (a page mapped n times counts 1/n: memory that
    sequences share is counted once, which RSS counts per mapping), Linux, in MiB; None where unreadable."""
    try:
        for line in Path(f"/proc/{process.pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def kv_cache_mib(port):
    """Hearth's hearth_kv_cache_resident_bytes gauge, in MiB (None for a server without it)."""
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    except OSError:
        return None
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
              if line.startswith("hearth_kv_cache_resident_bytes{")]
    return sum(values) / 2**20 if values else None


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


SYSTEM_SENTENCES = [
    "You answer questions about the documents of a public library.",
    "Keep each answer short, factual and polite.",
    "When a question cannot be answered from general knowledge, say so plainly.",
    "Do not invent titles, dates or names.",
]


def system_prompt(words):
    """About `words` words of a fixed, neutral system prompt that every request shares, as a suite's
    system prompt is shared by its samples (servers that hold a shared prefix once use less memory)."""
    out = []
    for sentence in itertools.cycle(SYSTEM_SENTENCES):
        if len(out) >= words:
            return " ".join(out[:words])
        out += sentence.split()


def run_load(base_url, model, args):
    """`args.clients` threads stream chat completions until `args.duration` seconds have passed."""
    lock = threading.Lock()
    results = []   # (ttft seconds, completion tokens, decode seconds)
    errors = []
    start = time.time()
    stop_at = start + args.duration

    def client_loop(index):
        client = openai.OpenAI(base_url=base_url, api_key="unused", max_retries=0, timeout=600)
        request_number = 0
        while time.time() < stop_at:
            prompt = PROMPTS[(index + request_number) % len(PROMPTS)]
            request_number += 1
            sent = time.time()
            first = None
            chunks = 0
            usage_tokens = None
            messages = [{"role": "user", "content": prompt}]
            if args.system_words > 0:
                messages.insert(0, {"role": "system", "content": system_prompt(args.system_words)})
            try:
                stream = client.chat.completions.create(
                    model=model, messages=messages, max_tokens=args.max_tokens,
                    temperature=0.7, seed=index * 1000 + request_number, stream=True,
                    stream_options={"include_usage": True})
                for chunk in stream:
                    if chunk.usage is not None:
                        usage_tokens = chunk.usage.completion_tokens
                    for choice in chunk.choices:
                        if choice.delta.content:
                            chunks += 1
                            if first is None:
                                first = time.time()
                end = time.time()
            except Exception as error:  # noqa: BLE001 - every failure counts as an error
                with lock:
                    errors.append(f"{type(error).__name__}: {error}"[:200])
                continue
            tokens = usage_tokens if usage_tokens is not None else chunks
            with lock:
                results.append(((first or end) - sent, tokens, end - (first or end)))

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.time() - start
    tokens = sum(r[1] for r in results)
    ttfts = [r[0] for r in results]
    rates = [(r[1] - 1) / r[2] for r in results if r[1] > 1 and r[2] > 0]
    return {
        "requests": len(results), "errors": len(errors), "error_samples": errors[:3], "tokens": tokens,
        "wall": wall, "tokens_per_second": tokens / wall,
        "ttft_p50": percentile(ttfts, 0.5), "ttft_p99": percentile(ttfts, 0.99),
        "decode_p50": percentile(rates, 0.5),
    }


def describe(name, r):
    return (f"{name:10s} requests {r['requests']:4d}  errors {r['errors']:3d}  tokens {r['tokens']:6d}  "
            f"wall {r['wall']:6.1f} s  aggregate {r['tokens_per_second']:7.1f} tok/s  "
            f"TTFT p50 {r['ttft_p50']:6.2f} s  p99 {r['ttft_p99']:6.2f} s  per-request decode p50 {r['decode_p50']:6.1f} tok/s  "
            f"RSS when ready {mib(r.get('ready_rss_mib'))}, peak {mib(r.get('peak_rss_mib'))}"
            + (f", KV cache held after the load {mib(r['kv_cache_mib'])}" if r.get("kv_cache_mib") is not None else "")
            + (f", PSS after the load {mib(r['pss_mib'])}" if r.get("pss_mib") is not None else ""))


def mib(value):
    return f"{value:7.1f} MiB" if value is not None else "    n/a"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-file", default=str(DEFAULT_MODEL))
    parser.add_argument("--hearth-bin", default=os.environ.get("HEARTH_BIN", str(ROOT / ".build" / "release" / "hearth")))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=30, help="seconds of load per run")
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--parallel", type=int, default=4, help="slots of each server (llama_cpp.server has one)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="threads of each server")
    parser.add_argument("--llama-server", help="a llama-server binary to compare with (default: llama_cpp.server)")
    parser.add_argument("--ctx-size", type=int, default=2048)
    parser.add_argument("--cache-type", default="f32", choices=["f32", "f16", "q8_0"], help="Hearth's KV cache")
    parser.add_argument("--rounds", type=int, default=1, help="alternations of the two servers")
    parser.add_argument("--only", choices=["hearth", "llama.cpp"], help="run one server only")
    parser.add_argument("--system-words", type=int, default=0,
                        help="a system prompt of about this many words, the same in every request")
    args = parser.parse_args()

    servers = [("hearth", start_hearth), ("llama.cpp", start_llama_cpp)]
    if args.only:
        servers = [s for s in servers if s[0] == args.only]
    print(f"model {args.model_file}; {args.clients} streaming clients, {args.duration:.0f} s each, "
          f"max_tokens {args.max_tokens}; --parallel {args.parallel} --threads {args.threads}; "
          f"{f'a shared system prompt of {args.system_words} words; ' if args.system_words else ''}llama.cpp: "
          f"{args.llama_server or 'llama_cpp.server (one sequence at a time)'}")
    collected = {name: [] for name, _ in servers}
    for round_index in range(args.rounds):
        for name, start in servers:
            port = free_port()
            process, model = start(args, port)
            try:
                ready_rss = rss_mib(process, "VmRSS")
                result = run_load(f"http://127.0.0.1:{port}/v1", model, args)
                result["peak_rss_mib"] = rss_mib(process)
                result["ready_rss_mib"] = ready_rss
                result["kv_cache_mib"] = kv_cache_mib(port)
                result["pss_mib"] = pss_mib(process)
            finally:
                stop(process)
            collected[name].append(result)
            print(describe(name, result), flush=True)
            for sample in result["error_samples"]:
                print(f"    error: {sample}")

    if len(servers) == 2:
        def median(name, key):
            return statistics.median(r[key] for r in collected[name])
        print("\nmedian over rounds        hearth   llama.cpp   ratio")
        for key, label in [("tokens_per_second", "aggregate tok/s"), ("ttft_p50", "TTFT p50 (s)"),
                           ("ttft_p99", "TTFT p99 (s)"), ("decode_p50", "decode p50 tok/s"),
                           ("peak_rss_mib", "peak RSS (MiB)")]:
            if any(r.get(key) is None for rs in collected.values() for r in rs):
                continue
            h, l = median("hearth", key), median("llama.cpp", key)
            print(f"{label:22s} {h:9.2f} {l:11.2f} {h / l if l else float('nan'):7.2f}")
        print(f"errors                 {sum(r['errors'] for r in collected['hearth']):9d} "
              f"{sum(r['errors'] for r in collected['llama.cpp']):11d}")


if __name__ == "__main__":
    main()
