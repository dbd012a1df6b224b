#!/usr/bin/env bash
# Benchmarks libmlops against its peers in the same run and prints ratios.
#   bash tests/bench/run.sh [csv|gzip|stream|model|eval|all]   (model, eval: see run_model.sh, run_eval.sh)
#   bash tests/bench/run.sh drift   (see run_drift.sh: sizes from DRIFT_ROWS, DRIFT_WIDE_ROWS, ...)
#   bash tests/bench/run.sh binding (see run_binding.sh: the Python binding against scikit-learn and C)
# csv:    whole-file read of Fashion-MNIST train (133 MB, 60,000 x 785)
#         against pandas.read_csv, best of 3 runs each, alternating
# gzip:   the same file gzip-compressed, read directly vs. `zcat | reader`
# stream: profile of a ~2 GB CSV through the streaming reader; peak RSS
# Both sides run under the same OPENBLAS_* environment; the kernel is printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
what=${1:-all}

bash .ci/install-deps
need=()
for p in python3-pandas dataset-fashion-mnist time; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

build=build-bench
[ -f $build/build.ninja ] || meson setup $build -Dtests=true -Dbuildtype=release >/dev/null
ninja -C $build >/dev/null
data=$build/data
mkdir -p "$data"
[ -f "$data/fmnist_train.csv" ] || /usr/bin/python3 tests/bench/make_fmnist_csv.py "$data"

echo "machine: $(nproc) cores; $($build/tests/bench/blas-info); OPENBLAS env: $(env | grep ^OPENBLAS_ | tr '\n' ' ')"

seconds_of() { sed -E 's/.*seconds=([0-9.]+).*/\1/'; }

if [ "$what" = csv ] || [ "$what" = all ]; then
  f="$data/fmnist_train.csv"
  ours=() peer=()
  for i in 1 2 3; do
    ours+=("$($build/tests/bench/bench-csv "$f")")
    peer+=("$(/usr/bin/python3 tests/bench/peer_pandas_csv.py "$f")")
  done
  printf '%s\n' "${ours[@]}" "${peer[@]}"
  o=$(printf '%s\n' "${ours[@]}" | seconds_of | sort -n | head -n 1)
  p=$(printf '%s\n' "${peer[@]}" | seconds_of | sort -n | head -n 1)
  awk -v o="$o" -v p="$p" -v mb="$(stat -c %s "$f")" 'BEGIN {
    printf "csv: libmlops %.1f MB/s, pandas %.1f MB/s, ratio %.2fx (best of 3 each)\n", mb/1e6/o, mb/1e6/p, p/o }'
fi

if [ "$what" = gzip ] || [ "$what" = all ]; then
  f="$data/fmnist_train.csv.gz"
  [ -f "$f" ] || gzip -c "$data/fmnist_train.csv" > "$f"
  direct=() piped=()
  for i in 1 2 3; do
    s=$(date +%s.%N); $build/tests/bench/bench-csv "$f" >/dev/null; e=$(date +%s.%N)
    direct+=("$(awk -v s="$s" -v e="$e" 'BEGIN { print e - s }')")
    s=$(date +%s.%N); zcat "$f" | $build/tests/bench/bench-csv /dev/stdin >/dev/null; e=$(date +%s.%N)
    piped+=("$(awk -v s="$s" -v e="$e" 'BEGIN { print e - s }')")
  done
  d=$(printf '%s\n' "${direct[@]}" | sort -n | head -n 1)
  z=$(printf '%s\n' "${piped[@]}" | sort -n | head -n 1)
  awk -v d="$d" -v z="$z" 'BEGIN { printf "gzip: direct %.2f s, zcat | reader %.2f s, ratio %.2fx\n", d, z, z/d }'
fi

if [ "$what" = stream ] || [ "$what" = all ]; then
  big="$data/big.csv"
  if [ ! -f "$big" ]; then
    head -n 1 "$data/fmnist_train.csv" > "$big"
    for i in $(seq 1 16); do tail -n +2 "$data/fmnist_train.csv" >> "$big"; done
  fi
  size=$(stat -c %s "$big")
  /usr/bin/time -f "%M %e" -o "$build/stream.time" $build/examples/mlops profile "$big" --json > "$build/stream.json"
  read -r rss secs < "$build/stream.time"
  awk -v r="$rss" -v s="$secs" -v b="$size" 'BEGIN {
    printf "stream: profiled %.2f GB in %.1f s (%.0f MB/s), peak RSS %.1f MB\n", b/1e9, s, b/1e6/s, r/1024 }'
fi
if [ "$what" = model ] || [ "$what" = all ]; then bash tests/bench/run_model.sh "$build"; fi
if [ "$what" = eval ] || [ "$what" = all ]; then bash tests/bench/run_eval.sh "$build"; fi
if [ "$what" = drift ] || [ "$what" = all ]; then bash tests/bench/run_drift.sh "$build"; fi
if [ "$what" = binding ] || [ "$what" = all ]; then bash tests/bench/run_binding.sh "$build"; fi
if [ "$what" = report ] || [ "$what" = all ]; then python3 tests/bench/bench_report.py "$build/examples/mlops" --data-dir "$data" || [ $? -eq 77 ]; fi # drift report size, render time in chromium (77: none installed)
