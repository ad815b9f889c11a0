#!/usr/bin/env bash
# Runs Hearth's whole test suite on a fresh machine: builds in release (model-level tests are far too
# slow in debug), fetches and verifies the catalog models on first use, then runs every test with the
# models required (a missing model fails the run instead of skipping the tests that matter), and the
# server's tests through the `openai` Python package (installed from PyPI when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH=/opt/swift/usr/bin:$PATH
fi
# One release build of everything, tests included (-enable-testing is what `swift test` adds for
# @testable imports; building with it here lets the test run below skip a second build).
swift build -c release --build-tests -Xswiftc -enable-testing
.build/release/hearth pull --test-models
HEARTH_REQUIRE_MODELS=1 swift test -c release --skip-build "$@"
# A short pass of every fuzzer: libFuzzer with coverage and the address sanitizer, 15 s each, from
# the committed seeds (the long runs and their figures are in docs/RELIABILITY.md).
bash scripts/fuzz.sh 15
# A short soak of `hearth serve`: 8 clients for 30 s that stream, cancel, hang up, send malformed,
# oversized and over-context requests and repeat seeded ones; no 5xx, no leaked slot, no changed answer.
python3 scripts/soak.py --minutes 0.5 --clients 8
# The audit report in a real browser (headless Chromium): no console errors, no network requests,
# the embedded figures equal `hearth audit show --output json`, layout as the committed screenshots.
python3 scripts/check_report.py
# The ML bill of materials against the CycloneDX 1.6 schema (cyclonedx-python-lib, strict), on the
# catalog models and on GGUF files written by llama.cpp's `gguf` package (a fine-tune, a split model).
BOM_VENV="${BOM_VENV:-.build/bom-venv}"
if ! "$BOM_VENV/bin/python" -c "import cyclonedx.validation.json, gguf" 2>/dev/null; then
  python3 -m venv "$BOM_VENV"
  "$BOM_VENV/bin/python" -m pip install --quiet "cyclonedx-python-lib[json-validation]==11.12.0" "gguf==0.19.0"
fi
"$BOM_VENV/bin/python" scripts/check_bom.py
# The OpenAI-compatible server, driven by the official `openai` Python package as clients drive it.
python3 -c "import openai" 2>/dev/null || python3 -m pip install --quiet openai
python3 scripts/test_openai_client.py
# A real evaluation tool, unchanged: inspect-ai's OpenAI-compatible provider against hearth serve.
python3 -c "import inspect_ai" 2>/dev/null || python3 -m pip install --quiet inspect-ai
python3 scripts/test_inspect_eval.py
# lm-evaluation-harness, unchanged, against hearth serve and hearth audit on the same multiple-choice
# set: the same choices and log-likelihoods, or the run fails (lm-eval[api] needs no torch; its own
# virtual environment keeps its pins away from the packages above).
LMEVAL_VENV="${LMEVAL_VENV:-.build/lmeval-venv}"
if ! "$LMEVAL_VENV/bin/python" -c "import lm_eval" 2>/dev/null; then
  python3 -m venv "$LMEVAL_VENV"
  "$LMEVAL_VENV/bin/python" -m pip install --quiet "lm-eval[api]==0.4.13"
fi
"$LMEVAL_VENV/bin/python" scripts/compare_lm_eval.py
