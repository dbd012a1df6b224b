#!/usr/bin/env bash
# Quick start: installs what is missing, builds libmlops in build/, and runs
# the whole lifecycle of a model from one pipeline file,
# examples/pipelines/quickstart.yaml: a classifier of the region that built
# a car (USA, Europe, Japan) from its specifications, on the bundled Auto
# MPG data. The run checks the data against its rules, splits it, fits the
# preprocessing and a logistic regression, evaluates it (bootstrap
# intervals, fairness across cylinder counts, a noise probe, release
# gates), profiles the training rows as the monitoring reference, and
# registers the model as "production" in a registry. Then the run is
# verified against its lock file, the production model predicts from the
# registry with a decision log, the registry's audit log and the decision
# log are verified, and the cars of 1980-1982 are checked for drift against
# the run's reference. The run directory holds HTML pages to look at
# (evaluation, data quality, model card); the drift check writes one too.
# Everything is written under build/quickstart/, cleared first.
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/install-deps
[ -f build/build.ninja ] || meson setup build -Dtests=false >/dev/null
ninja -C build >/dev/null

mlops=./build/examples/mlops
out=build/quickstart
rm -rf "$out"
mkdir -p "$out"

$mlops version
$mlops validate examples/pipelines/quickstart.yaml
echo
# Paths given with --set are taken from the pipeline file's directory, as in
# the file, so the registry is given as an absolute path.
$mlops run examples/pipelines/quickstart.yaml --output "$out/run" \
  --set registry.path="$PWD/$out/registry"
echo
$mlops verify "$out/run"
echo
# Serve the production model from the registry, recording every decision.
$mlops predict --registry "$out/registry" --model cars-origin@production \
  --data examples/data/cars.csv --id Name --proba \
  --decision-log "$out/decisions.log" --out "$out/predictions.csv"
echo "first predictions ($out/predictions.csv):"
head -4 "$out/predictions.csv"
echo
$mlops registry history --registry "$out/registry" --name cars-origin
$mlops audit verify --registry "$out/registry"
$mlops audit verify --log "$out/decisions.log"
echo
# Year is column 8 (ISO dates), so text comparison selects the model years.
awk -F, 'NR == 1 || $8 >= "1980-01-01"' examples/data/cars.csv >"$out/cars_1980_1982.csv"
$mlops drift --reference-profile "$out/run/reference.profile" --current "$out/cars_1980_1982.csv" \
  --column Name=skip --column Year=skip --html "$out/drift.html"
echo
echo "pages to open in a browser:"
ls "$PWD/$out"/run/*.html "$PWD/$out/drift.html" | sed 's/^/  /'
