#!/usr/bin/env bash
# Evaluation benchmark: libmlops's evaluator against scikit-learn computing the same metrics,
# both run here, one after the other, under the same environment (OPENBLAS_* left as the
# caller set them; the kernel each process ran is printed). Normally started by
#   bash tests/bench/run.sh eval
# or directly (after run.sh has built BUILD_DIR once):
#   bash tests/bench/run_eval.sh [BUILD_DIR]          (default build-bench)
#   EVAL_PEER_MAX_S=600 ...   longest the scikit-learn bootstrap may run before it is
#                             extrapolated from its first 50 resamples (default 600)
# Workloads (targets of the evaluation layer):
#   all        every metric, curves, and 5 groups with fairness aggregates, on 1,000,000
#              predictions (target: < 1 s); libmlops's values are checked against
#              scikit-learn's (every overall and per-group value, 1e-9 relative)
#   bootstrap  the same with 1,000 bootstrap resamples on 100,000 predictions (target: < 5 s)
# Only the evaluation is timed on both sides (CSV reading is not), best of 3 runs except the
# scikit-learn bootstrap (one run). Raw lines go to BUILD_DIR/eval-bench/log.txt;
# eval_report.py prints the table from them. Data is generated once into BUILD_DIR/data.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-bench}
data=$build/data
out=$build/eval-bench
py=/usr/bin/python3
bench=$build/tests/bench/bench-eval
peer_max=${EVAL_PEER_MAX_S:-600}

need=()
for p in python3-sklearn python3-pandas python3-numpy; do
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
ninja -C "$build" tests/bench/bench-eval tests/bench/blas-info >/dev/null

mkdir -p "$data" "$out"
[ -f "$data/eval_1m.csv" ] && [ -f "$data/eval_100k.csv" ] ||
  echo "generating prediction files in $data (once; a few seconds)" >&2
$py tests/bench/make_eval_data.py "$data"

log=$out/log.txt
: > "$log"
record() { printf '%s\n' "$*" >> "$log"; printf '  %s\n' "$*" >&2; }
# run CASE CMD...: runs CMD and records each output line with the load average at its end
run() {
  local tag=$1 line
  shift
  if ! "$@" > "$out/stdout.txt"; then
    echo "error: $tag: this command failed: $*" >&2
    exit 1
  fi
  while IFS= read -r line; do
    record "case=$tag $line load=$(cut -d' ' -f1 /proc/loadavg)"
  done < "$out/stdout.txt"
}

record "machine cores=$(nproc) $("$build/tests/bench/blas-info" | tr ' ' '\n' | grep -m1 '^core=')" \
  "openblas_env=$(env | grep ^OPENBLAS_ | tr '\n' ',' || true) load=$(cut -d' ' -f1 /proc/loadavg)"

echo "all: 1,000,000 predictions, 5 groups: scikit-learn (best of 3, about 1 minute)" >&2
run all $py tests/bench/peer_sklearn_eval.py all "$data/eval_1m.csv" 3 "$out/sklearn_1m.txt"
echo "all: libmlops (best of 3), values checked against scikit-learn's" >&2
run all "$bench" "$data/eval_1m.csv" reps=3 check="$out/sklearn_1m.txt"

echo "bootstrap: 1,000 resamples of 100,000 predictions: libmlops (best of 3)" >&2
run bootstrap "$bench" "$data/eval_100k.csv" bootstrap=1000 seed=0 reps=3
echo "bootstrap: scikit-learn (one run, at most ${peer_max} s, else extrapolated)" >&2
run bootstrap $py tests/bench/peer_sklearn_eval.py bootstrap "$data/eval_100k.csv" 1000 0 \
  "$peer_max"

$py tests/bench/eval_report.py "$log"
