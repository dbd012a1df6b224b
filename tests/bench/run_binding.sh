#!/usr/bin/env bash
# Python binding benchmark: single-row prediction through the binding against
# scikit-learn's predict_proba, and batch prediction of 10,000 Fashion-MNIST rows
# from a NumPy array against the same call made from C, in one run under one
# OPENBLAS_* environment (the kernel is printed). See bench_binding.py. Normally
# started by
#   bash tests/bench/run.sh binding
# or directly (after run.sh has built BUILD_DIR once):
#   bash tests/bench/run_binding.sh [BUILD_DIR]      (default build-bench)
#   BINDING_CALLS=100000 BINDING_REPS=10 bash tests/bench/run_binding.sh
# The measurement lines and the summary are also written to
# BUILD_DIR/binding-bench/log.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-bench}
data=${MODEL_DATA:-$build/data}
py=/usr/bin/python3

need=()
for p in python3-sklearn python3-numpy dataset-fashion-mnist; do
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
ninja -C "$build" tests/bench/bench-predict-file >/dev/null  # links, so builds, the library
if ! nm -D --defined-only "$build/lib/libmlops.so" | grep -w mlops_model_predict_row >/dev/null; then
  echo "error: $build/lib/libmlops.so has no mlops_model_predict_row" >&2
  exit 1
fi

mkdir -p "$data" "$build/binding-bench"
[ -f "$data/fmnist_train.csv" ] || $py tests/bench/make_fmnist_csv.py "$data"

MLOPS_LIBRARY=$build/lib/libmlops.so $py tests/bench/bench_binding.py "$build" "$data" \
  "${BINDING_CALLS:-200000}" "${BINDING_REPS:-20}" | tee "$build/binding-bench/log.txt"
