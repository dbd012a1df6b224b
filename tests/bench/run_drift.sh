#!/usr/bin/env bash
# Drift-monitoring benchmark: libmlops's profiles and drift monitor against SciPy/NumPy
# (the shared peer ../shared/bench/peer_scipy_drift.py, relative to the repository), both run
# here, one after the other, under the same environment (OPENBLAS_* left as the caller set
# them; the kernel each process ran is printed). Normally started by
#   bash tests/bench/run.sh drift
# or directly (after run.sh has built BUILD_DIR once):
#   bash tests/bench/run_drift.sh [BUILD_DIR]          (default build-bench)
# Cases (DRIFT_CASES, default "ks wide stream"):
#   ks      DRIFT_ROWS x DRIFT_COLS (1000000 x 100) standard normal reference and current
#           data (current +0.05 in every 4th column), KS and PSI on every column: libmlops
#           builds both profiles (raw values kept: exact KS), compares with ks then psi, with
#           each thread count of DRIFT_THREADS (1,2), best of DRIFT_REPS (1); the peer runs
#           scipy.stats.ks_2samp and NumPy PSI on data of the same shape (one run)
#   wide    DRIFT_WIDE_ROWS x DRIFT_WIDE_COLS (3000000 x 1000, 24 GB as doubles) generated in
#           batches of DRIFT_WIDE_BATCH rows (4096) in DRIFT_WIDE_THREADS threads (2): two
#           reference passes, a current pass and a default-method report (target: < 300 s,
#           peak memory independent of the rows); run again on DRIFT_WIDE_SMALL_ROWS rows
#           (default a tenth; 0 = skip) to show the peak memory does not grow with the rows;
#           DRIFT_WIDE_PASS2_QUALITY=0 profiles the second reference pass with quality 0
#   stream  mlops_profile_add() rate, single thread, on DRIFT_STREAM_BATCHES (32) batches of
#           DRIFT_STREAM_ROWS x DRIFT_STREAM_COLS (65536 x 100) (target: >= 50 million
#           values per CPU second for a create_like profile with quality 0)
# DRIFT_SEED (7) seeds libmlops's generator (the peer always uses NumPy's seed 7: other
# draws of the same distributions). DRIFT_PEER names another peer script. A smoke run:
#   DRIFT_ROWS=20000 DRIFT_WIDE_ROWS=20000 DRIFT_STREAM_BATCHES=2 bash tests/bench/run_drift.sh
# Raw lines go to BUILD_DIR/drift-bench/log.txt; drift_report.py prints the tables from them.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)
repo=$(cd "$here/../.." && pwd -P)
logical=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -L)
cd "$repo"
build=${1:-build-bench}
out=$build/drift-bench
py=/usr/bin/python3
bench=$build/tests/bench/bench-drift
cases=${DRIFT_CASES:-ks wide stream}
rows=${DRIFT_ROWS:-1000000}
cols=${DRIFT_COLS:-100}
threads=${DRIFT_THREADS:-1,2}
reps=${DRIFT_REPS:-1}
seed=${DRIFT_SEED:-7}
wide_rows=${DRIFT_WIDE_ROWS:-3000000}
wide_cols=${DRIFT_WIDE_COLS:-1000}
wide_threads=${DRIFT_WIDE_THREADS:-2}
wide_batch=${DRIFT_WIDE_BATCH:-4096}
wide_small=${DRIFT_WIDE_SMALL_ROWS:-$((wide_rows / 10))}
wide_q2=${DRIFT_WIDE_PASS2_QUALITY:-1}
stream_rows=${DRIFT_STREAM_ROWS:-65536}
stream_cols=${DRIFT_STREAM_COLS:-100}
stream_batches=${DRIFT_STREAM_BATCHES:-32}

# The peer lives beside the repository (../shared/bench); try the physical path of the
# repository, then the logical one (a repository reached through a symbolic link).
peer=${DRIFT_PEER:-}
if [ -z "$peer" ]; then
  for dir in "$repo/../shared/bench" "$logical/../shared/bench"; do
    if [ -f "$dir/peer_scipy_drift.py" ]; then
      peer=$(cd "$dir" && pwd -P)/peer_scipy_drift.py
      break
    fi
  done
fi
if [[ $cases == *ks* ]] && { [ -z "$peer" ] || [ ! -f "$peer" ]; }; then
  echo "error: peer_scipy_drift.py not found in $repo/../shared/bench; set DRIFT_PEER" >&2
  exit 1
fi

need=()
for p in python3-scipy python3-numpy time; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]}" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
      echo "error: not root and no sudo; install as root: apt-get install ${need[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

[ -f "$build/build.ninja" ] || meson setup "$build" -Dtests=true -Dbuildtype=release >/dev/null
ninja -C "$build" tests/bench/bench-drift tests/bench/blas-info >/dev/null
if ! nm -D --defined-only "$build/lib/libmlops.so" | grep -w mlops_drift_monitor_compare \
    >/dev/null; then
  echo "error: $build/lib/libmlops.so has no mlops_drift_monitor_compare: drift monitoring" \
    "is not built yet" >&2
  exit 1
fi

# Both sides of the ks case hold two ROWS x COLS double matrices; libmlops also the raw
# values of both profiles: about 4 x 8 x ROWS x COLS bytes at its peak.
need_mb=$((4 * 8 * rows * cols / 1000000))
avail_mb=$(($(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo) / 1024))
if [[ $cases == *ks* ]] && [ "$avail_mb" -lt "$need_mb" ]; then
  echo "warning: the ks case needs about $need_mb MB, $avail_mb MB are available" >&2
fi

mkdir -p "$out"
log=$out/log.txt
: > "$log"
load() { cut -d' ' -f1 /proc/loadavg; }
record() { printf '%s\n' "$*" >> "$log"; printf '  %s\n' "$*" >&2; }
# timed CASE CMD...: runs CMD under /usr/bin/time and records each output line with the
# process's elapsed and CPU seconds, peak RSS, and the load average at its start and end
timed() {
  local tag=$1 line start
  shift
  start=$(load)
  if ! /usr/bin/time -f '%e %M %U %S' -o "$out/time.txt" "$@" > "$out/stdout.txt"; then
    echo "error: case $tag: this command failed: $*" >&2
    exit 1
  fi
  read -r secs kb user sys < "$out/time.txt"
  while IFS= read -r line; do
    record "case=$tag $line whole_s=$secs whole_cpu_s=$(awk -v u="$user" -v s="$sys" \
      'BEGIN { print u + s }') whole_rss_MB=$((kb / 1024)) load_start=$start load=$(load)"
  done < "$out/stdout.txt"
}

record "machine cores=$(nproc) $("$build/tests/bench/blas-info" | tr ' ' '\n' | grep -m1 '^core=')" \
  "openblas_env=$(env | grep ^OPENBLAS_ | tr '\n' ',' || true) peer=$peer load=$(load)"

if [[ $cases == *ks* ]]; then
  echo "ks: $rows x $cols, KS + PSI on every column: libmlops (threads $threads)" >&2
  timed ks "$bench" ks "$rows" "$cols" threads="$threads" reps="$reps" seed="$seed"
  echo "ks: scipy.stats.ks_2samp + NumPy PSI (one run)" >&2
  timed ks "$py" "$peer" "$rows" "$cols"
fi

if [[ $cases == *wide* ]]; then
  echo "wide: $wide_rows x $wide_cols in batches of $wide_batch, $wide_threads threads" >&2
  timed wide "$bench" wide "$wide_rows" "$wide_cols" threads="$wide_threads" \
    batch="$wide_batch" pass2_quality="$wide_q2" seed="$seed"
  if [ "$wide_small" -gt 0 ] && [ "$wide_small" -ne "$wide_rows" ]; then
    echo "wide: again on $wide_small rows (peak memory against rows)" >&2
    timed wide_small "$bench" wide "$wide_small" "$wide_cols" threads="$wide_threads" \
      batch="$wide_batch" pass2_quality="$wide_q2" seed="$seed"
  fi
fi

if [[ $cases == *stream* ]]; then
  echo "stream: $stream_batches batches of $stream_rows x $stream_cols, one thread" >&2
  timed stream "$bench" stream "$stream_rows" "$stream_cols" "$stream_batches" seed="$seed"
fi

$py tests/bench/drift_report.py "$log"
