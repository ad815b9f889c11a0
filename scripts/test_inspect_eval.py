#!/usr/bin/env python3
"""Runs a real evaluation tool, inspect-ai, against `hearth serve`, unchanged.

Starts `hearth serve` on a free port with an API key, points inspect's OpenAI-compatible provider at
it (`--model openai-api/hearth/MODEL` reads HEARTH_BASE_URL and HEARTH_API_KEY), runs the small task
in scripts/evals/capitals.py, and checks that every sample completed without error and was scored.
Needs `pip install inspect-ai` and a built binary (HEARTH_BIN, default .build/release/hearth).
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from server_process import free_port, wait_until_ready

ROOT = Path(__file__).resolve().parent.parent
BINARY = os.environ.get("HEARTH_BIN", str(ROOT / ".build" / "release" / "hearth"))
MODEL = os.environ.get("HEARTH_TEST_MODEL", "smollm2-135m-instruct")
KEY = "inspect-test-key"


def main():
    port = free_port()
    server = subprocess.Popen([BINARY, "serve", MODEL, "--port", str(port), "--api-key", KEY, "--parallel", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/health", server)
        with tempfile.TemporaryDirectory() as logs:
            env = dict(os.environ, HEARTH_BASE_URL=f"http://127.0.0.1:{port}/v1", HEARTH_API_KEY=KEY,
                       INSPECT_LOG_DIR=logs)
            # inspect resolves task files relative to the working directory.
            command = ["inspect", "eval", "scripts/evals/capitals.py",
                       "--model", f"openai-api/hearth/{MODEL}", "--temperature", "0", "--max-tokens", "16",
                       "--log-dir", logs, "--display", "plain"]
            result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
            print(result.stdout[-3000:])
            if result.returncode != 0:
                print(result.stderr[-3000:], file=sys.stderr)
                return 1
            log_files = sorted(Path(logs).glob("*.eval"))
            if not log_files:
                print("inspect wrote no log", file=sys.stderr)
                return 1
            dump = subprocess.run(["inspect", "log", "dump", str(log_files[-1])], env=env, cwd=ROOT,
                                  capture_output=True, text=True, check=True, timeout=120)
            log = json.loads(dump.stdout)
            status = log.get("status")
            samples = log.get("samples") or []
            scored = [s for s in samples if s.get("scores")]
            errors = [s for s in samples if s.get("error")]
            accuracy = log.get("results", {}).get("scores", [{}])[0].get("metrics", {}).get("accuracy", {}).get("value")
            print(f"inspect eval: status {status}, {len(samples)} samples, {len(scored)} scored, "
                  f"{len(errors)} errors, accuracy {accuracy}")
            if status != "success" or len(samples) != 6 or len(scored) != 6 or errors:
                return 1
            return 0
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
