#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, then builds and tests
# libmlops in these configurations:
#   build-test    gcc, -Werror, the Check suites, the ABI/header/man checks and
#                 the reports opened in headless Chromium
#   build-asan    clang -O1, -Werror, the same under AddressSanitizer +
#                 UndefinedBehaviorSanitizer (LeakSanitizer included), with
#                 MLOPS_TEST_SHORT's smaller data but every allocation failed
#   valgrind      every Check suite of build-test under valgrind memcheck,
#                 with MLOPS_TEST_SHORT: sweeps sampled, data sizes cut
#   build-tsan    clang ThreadSanitizer over the tests that start threads
#   build-fuzz    clang libFuzzer targets (tests/fuzz), a short smoke pass
# MLOPS_TEST_QUICK=1 runs only the first. The last line sums every Check
# assertion group and script check: "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps --test || exit 1

passed=0
failed=0
status=0

# Adds the results of one meson test run to the totals: the Check summary
# lines ("100%: Checks: 7, Failures: 0, Errors: 0") count each test case; a
# non-Check test counts as one.
tally() {
  local log=$1
  read -r p f < <(python3 - "$log" <<'PY'
import json, re, sys
p = f = 0
for line in open(sys.argv[1]):
    t = json.loads(line)
    m = re.search(r"Checks: (\d+), Failures: (\d+), Errors: (\d+)", t.get("stdout", ""))
    if m:
        print("   %-22s %s" % (t["name"], m.group(0)), file=sys.stderr)
        n, bad = int(m.group(1)), int(m.group(2)) + int(m.group(3))
        p += n - bad
        f += bad
        if t["result"] != "OK" and bad == 0:
            f += 1  # the program failed outside its checks (crash, leak, sanitizer)
    else:
        if t["result"] == "OK":
            p += 1
        else:
            f += 1
print(p, f)
PY
)
  passed=$((passed + p))
  failed=$((failed + f))
}

run_config() {
  local name=$1 dir=$2
  shift 2
  echo "== $name"
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" -Dtests=true "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; status=1; failed=$((failed + 1)); return; }
  fi
  if ! ninja -C "$dir" >"$dir.build.log" 2>&1; then
    cat "$dir.build.log"
    status=1
    failed=$((failed + 1))
    return
  fi
  test_and_tally "$dir" ${test_args:-}
}

test_and_tally() {
  local dir=$1
  shift
  meson test -C "$dir" --print-errorlogs "$@" 2>&1 | grep -E '^ *[0-9]+/[0-9]+ |^(Ok|Fail|Timeout):'
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  local log
  log=$(ls -t "$dir"/meson-logs/testlog*.json | head -n 1)
  tally "$log"
}

run_config "gcc" build-test
if [ "${MLOPS_TEST_QUICK:-0}" != 1 ]; then
  # The browser tests drive the command-line tool on pages whose rendering
  # the Check suites already cover in every build, and the kill -9 trials
  # test the file protocol, not code paths: once, with gcc, is enough.
  test_args="--no-suite report --no-suite robust"
  # clang here and gcc above: both compilers' warnings stop the build. The
  # gcc run has checked the full data sizes; the sanitizers look for memory
  # errors, which the smaller sizes reach as well.
  MLOPS_TEST_SHORT=1 MLOPS_TEST_EVERY_ALLOCATION=1 CC=clang run_config "clang -O1, ASan + UBSan" build-asan -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debugoptimized -Doptimization=1
  echo "== valgrind memcheck"
  CK_FORK=no MLOPS_TEST_SHORT=1 test_and_tally build-test --suite public --suite internal --suite heavy \
    --wrap='valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 --quiet'
  # ThreadSanitizer over the programs that start threads; only they are
  # built. OpenBLAS is not instrumented: tests/robust/tsan.supp.
  echo "== clang ThreadSanitizer"
  tsan_tests=(api decision_log drift_monitor model_api threads)
  if { [ -f build-tsan/build.ninja ] || CC=clang meson setup build-tsan -Dtests=true -Db_sanitize=thread \
         -Db_lundef=false -Dbuildtype=debugoptimized >build-tsan.setup.log 2>&1; } &&
     ninja -C build-tsan "${tsan_tests[@]/#/tests/test-}" >build-tsan.build.log 2>&1; then
    TSAN_OPTIONS="suppressions=$PWD/tests/robust/tsan.supp" test_and_tally build-tsan --no-rebuild "${tsan_tests[@]}"
  else
    cat build-tsan.setup.log build-tsan.build.log 2>/dev/null; status=1; failed=$((failed + 1))
  fi
  # libFuzzer smoke pass (tests/fuzz/README.md): each target over its seeds
  # and regressions, then 3 s of fuzzing; only the fuzz targets are built.
  echo "== clang libFuzzer smoke pass"
  if { [ -f build-fuzz/build.ninja ] || CC=clang meson setup build-fuzz -Dtests=true -Dfuzz=true \
         -Db_lundef=false >build-fuzz.setup.log 2>&1; } && ninja -C build-fuzz fuzz >build-fuzz.build.log 2>&1; then
    test_and_tally build-fuzz --no-rebuild --suite fuzz
  else
    cat build-fuzz.setup.log build-fuzz.build.log 2>/dev/null; status=1; failed=$((failed + 1))
  fi
fi

echo "tests: $passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
