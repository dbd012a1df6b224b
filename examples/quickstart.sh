#!/usr/bin/env bash
# Quick start: installs what is missing, builds libmlops in build/, and runs
# the main job with the mlops command-line tool on the bundled dataset:
# profile the data, train a classifier of a car's region of origin, show its
# model card and coefficients, evaluate it (metrics with bootstrap
# intervals, fairness across cylinder counts, a noise probe, release gates),
# predict the first rows, and check for drift between the cars of the early
# 1970s (the reference profile, saved for later checks) and those of the
# 1980s.
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/install-deps
[ -f build/build.ninja ] || meson setup build -Dtests=false >/dev/null
ninja -C build >/dev/null

mlops=./build/examples/mlops
out=build/quickstart
mkdir -p "$out"

$mlops version
$mlops profile examples/data/cars.csv
echo
$mlops train --data examples/data/cars.csv --target Origin --model logistic_regression \
  --id Name --ignore Year --set l2=0.01 \
  --card owner="libmlops examples" \
  --card intended_use="Teaching example: the region that built a car, from its specifications" \
  --out "$out/origin.model"
echo
$mlops inspect "$out/origin.model"
echo
$mlops evaluate --model "$out/origin.model" --data examples/data/cars.csv \
  --group Cylinders --set pos_label=USA --bootstrap 200 --seed 1 --probes noise:0.1 \
  --gate "accuracy >= 0.7" --gate "roc_auc_ovr.ci_low >= 0.8" \
  --gate "noise_0.1.flip_rate <= 0.1" \
  --attach "$out/origin.evaluated.model"
echo
$mlops predict --model "$out/origin.model" --data examples/data/cars.csv --id Name --proba \
  --out "$out/predictions.csv"
echo "first predictions ($out/predictions.csv):"
head -6 "$out/predictions.csv"
echo
# Year is column 8 (ISO dates), so text comparison splits the file by year.
awk -F, 'NR == 1 || $8 <= "1975-12-31"' examples/data/cars.csv >"$out/cars_1970_1975.csv"
awk -F, 'NR == 1 || $8 >= "1980-01-01"' examples/data/cars.csv >"$out/cars_1980_1982.csv"
$mlops drift --reference "$out/cars_1970_1975.csv" --current "$out/cars_1980_1982.csv" \
  --column Name=skip --column Year=skip --save-reference "$out/cars_1970_1975.profile"
