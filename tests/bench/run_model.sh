#!/usr/bin/env bash
# Model benchmark: libmlops fitting and prediction against scikit-learn and liblinear, all
# run here, one after another, under the same environment (OPENBLAS_* left as the caller set
# them; the kernel each process ran is printed). Normally started by
#   bash tests/bench/run.sh model
# or directly (after run.sh has built BUILD_DIR once):
#   bash tests/bench/run_model.sh [BUILD_DIR]          (default build-bench)
#   MODEL_CASES=bd bash tests/bench/run_model.sh       (only some cases)
#   MODEL_TOLS_A=1e-4,1e-5,1e-6 ...                    (case a tolerances; auto: the last)
# Cases:
#   a  Fashion-MNIST multinomial logistic regression (standardized, l2 = 1/(C n), C = 1e-3)
#      against scikit-learn lbfgs: fit time at an objective within 1e-6 of scikit-learn's
#   b  binary logistic regression on 1,000,000 x 50 synthetic rows, no intercept, C = 1:
#      liblinear-train -s 0, scikit-learn lbfgs (and newton-cholesky), libmlops lbfgs/newton;
#      every solver at a range of tolerances, every solution's objective recomputed by one
#      formula, compared at equal objective (within 1e-6 relative of the best)
#   c  ridge on 1,000,000 x 100 synthetic rows, cholesky, against scikit-learn Ridge
#   d  prediction: single rows (breast_cancer) and 10,000 Fashion-MNIST rows at once
# Raw measurement lines go to BUILD_DIR/model-bench/log.txt; model_report.py prints the
# tables from them at the end. Generated data stays in BUILD_DIR/data (made once).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-bench}
cases=${MODEL_CASES:-abcd}
data=${MODEL_DATA:-$build/data}   # MODEL_DATA: another data folder (e.g. smaller files)
out=$build/model-bench
py=/usr/bin/python3
bench=$build/tests/bench/bench-model

need=()
for p in python3-sklearn python3-pandas python3-numpy liblinear-tools dataset-fashion-mnist time; do
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
ninja -C "$build" tests/bench/bench-model tests/bench/blas-info tests/bench/liblinear-timer.so \
  >/dev/null
if ! nm -D --defined-only "$build/lib/libmlops.so" | grep -w mlops_model_fit >/dev/null; then
  echo "error: $build/lib/libmlops.so has no mlops_model_fit: model fitting is not built yet" >&2
  exit 1
fi

mkdir -p "$data" "$out"
[ -f "$data/fmnist_train.csv" ] || $py tests/bench/make_fmnist_csv.py "$data"
if [[ $cases == *[bc]* ]]; then
  [ -f "$data/logit_1m_y.npy" ] && [ -f "$data/ridge_1m_y.npy" ] ||
    echo "generating synthetic data in $data (once; about 1 minute)" >&2
  $py tests/bench/make_model_data.py "$data"
fi

log=$out/log.txt
: > "$log"
record() { printf '%s\n' "$*" >> "$log"; printf '  %s\n' "$*" >&2; }
# timed CASE NAME CMD...: runs CMD as a whole process under /usr/bin/time and records its
# output lines with the process's elapsed and CPU seconds, peak RSS and the load average
# at its end appended
timed() {
  local tag=$1 name=$2 line
  shift 2
  if ! /usr/bin/time -f '%e %M %U %S' -o "$out/time.txt" "$@" > "$out/stdout.txt"; then
    echo "error: case $tag: this command failed: $*" >&2
    exit 1
  fi
  read -r secs kb user sys < "$out/time.txt"
  [ -s "$out/stdout.txt" ] || echo > "$out/stdout.txt"
  while IFS= read -r line; do
    # lines of tools that print no name of their own (liblinear) get NAME
    case ${line%% *} in *=* | "") line="$name $line" ;; esac
    record "case=$tag $line whole_s=$secs whole_cpu_s=$(awk -v u="$user" -v s="$sys" \
      'BEGIN { print u + s }') whole_rss_MB=$((kb / 1024)) load=$(cut -d' ' -f1 /proc/loadavg)"
  done < "$out/stdout.txt"
}

record "machine cores=$(nproc) $($build/tests/bench/blas-info | tr ' ' '\n' | grep -m1 '^core=')" \
  "openblas_env=$(env | grep ^OPENBLAS_ | tr '\n' ',' || true) load=$(cut -d' ' -f1 /proc/loadavg)"

if [[ $cases == *a* ]]; then
  echo "case a: Fashion-MNIST, scikit-learn (about 100 s) then libmlops" >&2
  ca=1e-3
  timed a sklearn $py tests/bench/peer_sklearn_model.py fmnist "$data" $ca
  # auto picks one of the two (and gives its bits): one tolerance is enough for it
  for s in lbfgs newton auto; do
    tols=${MODEL_TOLS_A:-1e-5,1e-6}
    if [ $s = auto ]; then tols=${tols##*,}; fi
    timed a libmlops "$bench" fit logistic_regression "$data/fmnist_train.csv" label \
      test="$data/fmnist_test.csv" C=$ca standardize=1 solver=$s max_iter=100000 tols="$tols"
  done
fi

if [[ $cases == *b* ]]; then
  echo "case b: 1M x 50 binary logistic regression" >&2
  cb=1
  # liblinear-timer.so times liblinear's train() (the fit without the LIBSVM parsing)
  timer=$(cd "$build" && pwd)/tests/bench/liblinear-timer.so
  for e in 1e-1 1e-2 1e-3 1e-4 1e-5; do
    f=$out/b_liblinear_$e.model
    timed b "liblinear eps=$e model=$f" env LD_PRELOAD="$timer" \
      liblinear-train -s 0 -c $cb -e $e -q "$data/logit_1m.svm" "$f"
  done
  # each fit a whole process; default settings, then without the training-data fingerprint
  # (SHA-256 of every value, recorded in the model card); auto picks newton here
  for run in lbfgs newton "auto 1e-5 1e-6" "lbfgs nofp" "newton nofp"; do
    set -- $run
    s=$1 fp=true tols="1e-3 1e-4 1e-5 1e-6 1e-7 1e-8"
    if [ "${2:-}" = nofp ]; then fp=false; elif [ $# -gt 1 ]; then tols="${*:2}"; fi
    for t in $tols; do
      timed b libmlops "$bench" fit logistic_regression "$data/logit_1m.csv" y C=$cb \
        fit_intercept=false solver=$s fingerprint=$fp max_iter=100000 tols=$t \
        coef_out="$out/b_ours_${s}_${fp}_"
    done
  done
  # scikit-learn's lbfgs tol bounds the gradient of n times our objective (see the peer)
  timed b sklearn $py tests/bench/peer_sklearn_model.py logreg-binary "$data" $cb lbfgs \
    1e2,1e1,1,1e-1,1e-2,1e-3 "$out/b_sklearn_lbfgs_"
  timed b sklearn $py tests/bench/peer_sklearn_model.py logreg-binary "$data" $cb \
    newton-cholesky 1e-3,1e-4,1e-5,1e-6,1e-7,1e-8 "$out/b_sklearn_newton-cholesky_"
fi

if [[ $cases == *c* ]]; then
  echo "case c: 1M x 100 ridge" >&2
  l2=1e-3
  for fp in true false; do
    timed c libmlops "$bench" fit linear_regression "$data/ridge_1m.csv" y l2=$l2 \
      solver=cholesky fingerprint=$fp coef_out="$out/c_ours_${fp}_"
  done
  timed c sklearn $py tests/bench/peer_sklearn_model.py ridge "$data" $l2 "$out/c_sklearn.txt"
fi

if [[ $cases == *d* ]]; then
  echo "case d: prediction" >&2
  timed d libmlops "$bench" predict-row tests/data/real/breast_cancer.csv target 1000000
  timed d libmlops "$bench" predict-batch "$data/fmnist_train.csv" "$data/fmnist_test.csv" \
    label 10000 20
  timed d sklearn $py tests/bench/peer_sklearn_model.py predict "$data" 10000 20 \
    tests/data/real/breast_cancer.csv
fi

$py tests/bench/model_report.py "$log" "$data"
