#!/usr/bin/env bash
# Coverage-guided fuzzing of Hearth's parsers and decoders with libFuzzer and the address sanitizer.
#
#   scripts/fuzz.sh [SECONDS] [RUN ...]     each run SECONDS (default 60) of wall time
#   FUZZ_RUNS=1000000 scripts/fuzz.sh 1800  each run to a million inputs or 30 minutes
#
# Runs: gguf, tokenizer-smollm2, tokenizer-qwen, tokenizer-gemma, template, json, schema, request
# (all of them by default). The tokenizer runs read the catalog models (`hearth pull --all`).
# Builds the `Fuzz` package into .build/fuzz with every Swift module instrumented, then starts each
# run from the committed seeds (Fuzz/corpus/TARGET) plus what earlier runs found (.build/fuzz-corpus).
# A crash, failed invariant, leak, hang (over 10 s) or allocation over 1 GB stops the run, leaves
# the input in .build/fuzz-artifacts and fails the script; copy the input to Fuzz/regressions/TARGET
# once fixed, where the test suite replays it. Prints one line of figures per run, and writes them
# to .build/fuzz-results.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH=/opt/swift/usr/bin:$PATH
fi
SECONDS_EACH="${1:-60}"
shift || true
RUNS=("$@")
[ ${#RUNS[@]} -gt 0 ] || RUNS=(gguf tokenizer-smollm2 tokenizer-qwen tokenizer-gemma template json schema request)
MODELS="${HEARTH_MODELS_DIR:-$HOME/.cache/hearth/models}"

# libFuzzer without its main (SwiftPM gives the executable one); the toolchain's clang runtime.
TOOLCHAIN="$(dirname "$(command -v swift)")/.."
LIBFUZZER="$(ls "$TOOLCHAIN"/lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a 2>/dev/null | head -1)"
[ -n "$LIBFUZZER" ] || { echo "fuzz.sh: libclang_rt.fuzzer_no_main not found under $TOOLCHAIN/lib/clang" >&2; exit 1; }
swift build -c release --package-path Fuzz --scratch-path "$PWD/.build/fuzz" \
  -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp \
  -Xlinker "$LIBFUZZER" -Xlinker -lstdc++ 2>&1 | grep -v "Cannot export local symbol" || true
FUZZER="$PWD/.build/fuzz/release/hearth-fuzz"
[ -x "$FUZZER" ] || { echo "fuzz.sh: the build did not produce $FUZZER" >&2; exit 1; }

mkdir -p .build/fuzz-corpus .build/fuzz-artifacts .build/fuzz-logs
RESULTS=.build/fuzz-results.tsv
printf 'run\tseconds\texecutions\texec/s\tcovered\tinstrumented\tcorpus\tedges covered in the code under test\tresult\n' > "$RESULTS"
failed=0
for run in "${RUNS[@]}"; do
  target="${run%%-*}"
  max_len=4096
  unset HEARTH_FUZZ_MODEL
  # The code each run is about, for the coverage column (label=path fragment).
  case "$run" in
    gguf) max_len=65536; subject=(GGUF=/Sources/GGUF/ Models=/Sources/Models/) ;;
    tokenizer-smollm2) export HEARTH_FUZZ_MODEL="$MODELS/SmolLM2-135M-Instruct.Q4_1.gguf" ;;
    tokenizer-qwen) export HEARTH_FUZZ_MODEL="$MODELS/qwen2.5-coder-0.5b-instruct-awq-q4_k_m.gguf" ;;
    tokenizer-gemma) export HEARTH_FUZZ_MODEL="$MODELS/gemma-3-270m-q4_k_m.gguf" ;;
    template) subject=(ChatTemplates=/Sources/ChatTemplates/) ;;
    json) subject=(parser=/Sources/JSON/JSONParser.swift printer=/Sources/JSON/JSONSerialization.swift) ;;
    schema) subject=(StructuredOutput=/Sources/StructuredOutput/) ;;
    request) subject=(decoding=/Sources/Server/GenerationRequest.swift fields=/Sources/Server/FieldReader.swift) ;;
    *) echo "fuzz.sh: unknown run '$run'" >&2; exit 2 ;;
  esac
  case "$run" in tokenizer-*) subject=(Tokenizers=/Sources/Tokenizers/) ;; esac
  work=".build/fuzz-corpus/$run"
  mkdir -p "$work"
  log=".build/fuzz-logs/$run.log"
  start=$(date +%s)
  set +e
  # Leaks are checked (LeakSanitizer) and allocations capped: a hostile file must not make Hearth
  # allocate without bound. Swift's own crash backtracer is off: it reads the stack in a way the
  # address sanitizer reports as an error of its own, and libFuzzer prints the stack anyway.
  SWIFT_BACKTRACE=enable=no HEARTH_FUZZ_TARGET="$target" "$FUZZER" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2560 \
    -malloc_limit_mb=1024 -max_len="$max_len" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} -print_final_stats=1 -artifact_prefix=".build/fuzz-artifacts/$run-" \
    "$work" "Fuzz/corpus/$target" > "$log" 2>&1
  status=$?
  set -e
  elapsed=$(( $(date +%s) - start ))
  executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  covered=$(grep -o ' cov: [0-9]*' "$log" | grep -o '[0-9]*' | tail -1)
  instrumented=$(grep -o 'PC tables ([0-9]* PCs)' "$log" | grep -o '[0-9]*' | head -1)
  corpus=$(ls "$work" | wc -l)
  rate=$(( ${executions:-0} / (elapsed > 0 ? elapsed : 1) ))
  if [ "$status" -eq 0 ]; then result=clean; else result="FAILED (exit $status, see $log)"; failed=1; fi
  # Edge coverage of the corpus in the code under test: one pass over it, no mutation. Swift's
  # overflow and bounds checks add edges to traps that no input should reach, so 100% is not the aim.
  coverage=$(SWIFT_BACKTRACE=enable=no HEARTH_FUZZ_TARGET="$target" "$FUZZER" -runs=0 -print_coverage=1 \
    -max_len="$max_len" "$work" "Fuzz/corpus/$target" 2>&1 | python3 scripts/fuzz_coverage.py "${subject[@]}" || echo "?")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$elapsed" "${executions:-?}" "$rate" "${covered:-?}" \
    "${instrumented:-?}" "$corpus" "$coverage" "$result" | tee -a "$RESULTS"
  if [ "$status" -ne 0 ]; then grep -E "ERROR|fuzz invariant|Fatal error|SUMMARY|Test unit written" "$log" | head -8 >&2 || true; fi
done
exit $failed
