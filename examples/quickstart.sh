#!/usr/bin/env bash
# Quick start: installs what is missing, builds libmlops in build/, and runs
# the main job with the mlops command-line tool on the bundled dataset.
set -euo pipefail
cd "$(dirname "$0")/.."

bash .ci/install-deps
[ -f build/build.ninja ] || meson setup build -Dtests=false >/dev/null
ninja -C build >/dev/null

./build/examples/mlops version
./build/examples/mlops profile examples/data/cars.csv
