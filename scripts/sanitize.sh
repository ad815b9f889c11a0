#!/usr/bin/env bash
# The test suite under a sanitizer, in its own build directory (.build/sanitize-NAME).
#
#   scripts/sanitize.sh address     address sanitizer on everything, undefined-behaviour sanitizer on
#                                   the C kernels; every test
#   scripts/sanitize.sh thread      thread sanitizer, the concurrent parts: the thread pool, batched
#                                   contexts and the batch executor, the server, the audit runner
#
# Extra arguments go to `swift test` (e.g. --filter). Release builds (the model-level tests are far
# too slow in debug), with the catalog models required. Sanitizer reports fail the run: ASan and
# TSan abort on their first report (halt_on_error), UBSan's checks trap.
# Slow: a full instrumented build (20-30 minutes here) and a test run 2-5 times slower than usual;
# not part of CI. Results are in docs/RELIABILITY.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH=/opt/swift/usr/bin:$PATH
fi
kind="${1:?usage: scripts/sanitize.sh address|thread [swift test arguments]}"
shift
case "$kind" in
  # Swift on Linux has no undefined-behaviour sanitizer of its own (its arithmetic and bounds are
  # checked anyway); UBSan instruments the C kernels, whose handlers the ASan runtime carries.
  # One test is skipped: it renders the deepest template allowed on a 512 KiB thread, sized for
  # release frames; ASan's redzones make every frame several times larger, so it overflows there
  # and only there (the stack gauge is checked between frames, not inside them).
  address) flags=(--sanitize=address -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined)
           filter=(--skip 'RobustnessTests.testDeepestAllowedNestingRunsOnASmallStack') ;;
  thread) flags=(--sanitize=thread)
          filter=(--filter 'ThreadPoolTests|BatchedContextTests|BatchExecutorTests|GeneratorTests|RequestValidationTests|CompletionTests|ToolCallResponseTests|TokenizerEndpointTests|ServeLimitsTests|RunnerTests|MisbehavingEndpointTests|OpenAIClientTests|AuditCLITests') ;;
  *) echo "sanitize.sh: unknown sanitizer '$kind' (address or thread)" >&2; exit 2 ;;
esac
scratch="$PWD/.build/sanitize-$kind"
swift build -c release --build-tests -Xswiftc -enable-testing "${flags[@]}" --scratch-path "$scratch" 2>&1 \
  | grep -v "Cannot export local symbol" || true
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
# TSan reports go to files, from the test process and from every `hearth serve` a test starts
# (whose own output the tests discard): the run fails if any file was written.
reports="$scratch/tsan-reports"
rm -rf "$reports" && mkdir -p "$reports"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=0:log_path=$reports/report:suppressions=$PWD/scripts/tsan-suppressions.txt}"
status=0
HEARTH_REQUIRE_MODELS=1 swift test -c release --skip-build "${flags[@]}" --scratch-path "$scratch" "${filter[@]}" "$@" || status=$?
if [ "$kind" = thread ] && [ -n "$(ls -A "$reports")" ]; then
  echo "sanitize.sh: ThreadSanitizer reports in $reports:" >&2
  grep -h -A3 "WARNING: ThreadSanitizer" "$reports"/* >&2 || true
  status=1
fi
exit "$status"
