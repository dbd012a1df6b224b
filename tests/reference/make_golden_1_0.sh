#!/usr/bin/env bash
# Writes the golden files of libmlops 1.0.0 into tests/golden/1.0/: a model,
# a reference profile, a registry with its audit log and a decision log,
# made with the mlops tool from tests/data/real/cars.csv, plus what every
# later library must read back from them (tests/golden/1.0/expected/).
# tests/core/test_golden_1_0.c checks that each later library still loads
# them and gives these results exactly.
#
# The files were written once, by 1.0.0, and are committed. Regenerate only
# when deliberately replacing them (never to make the test pass):
#   ninja -C build && bash tests/reference/make_golden_1_0.sh build/examples/mlops
set -euo pipefail
cd "$(dirname "$0")/../.."
mlops=${1:-build/examples/mlops}
out=tests/golden/1.0
data=tests/data/real/cars.csv
rm -rf "$out"
mkdir -p "$out/expected"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$mlops" version >"$out/expected/written_by.txt"

# The model: the region a car was built in, from its specifications.
"$mlops" train --data "$data" --target Origin --model logistic_regression \
  --ignore Name --ignore Year --set l2=0.01 \
  --card name=cars-origin --card owner=libmlops-golden \
  --card "intended_use=golden file of libmlops 1.0: loaded and checked by every later release" \
  --out "$out/model.mlops" >/dev/null
"$mlops" inspect "$out/model.mlops" --json >"$out/expected/model_inspect.json"
"$mlops" predict --model "$out/model.mlops" --data "$data" --id Name \
  --proba --out "$out/expected/predictions.csv" >/dev/null

# The reference profile (fixed bins) of the early model years, and the drift
# of the later ones against it.
awk -F, 'NR == 1 || $8 < "1976-01-01"' "$data" >"$tmp/early.csv"
awk -F, 'NR == 1 || $8 >= "1976-01-01"' "$data" >"$tmp/late.csv"
"$mlops" drift --reference "$tmp/early.csv" --current "$tmp/early.csv" \
  --save-reference "$out/reference.profile" >/dev/null
"$mlops" drift --reference-profile "$out/reference.profile" --current "$tmp/late.csv" \
  --json >"$out/expected/drift.json"
cp "$tmp/late.csv" "$out/late.csv"

# A registry: two versions, an alias moved, one retirement, and a decision log.
"$mlops" train --data "$data" --target Origin --model logistic_regression \
  --ignore Name --ignore Year --set l2=1 --card name=cars-origin \
  --out "$tmp/other.mlops" >/dev/null
reg="$out/registry"
"$mlops" registry register --registry "$reg" --name cars-origin --model "$out/model.mlops" \
  --alias production --actor golden --reason "first release" >/dev/null
"$mlops" registry register --registry "$reg" --name cars-origin --model "$tmp/other.mlops" \
  --alias staging --actor golden --reason "candidate" >/dev/null
other=$("$mlops" registry resolve --registry "$reg" cars-origin@staging | awk '{print $3; exit}')
"$mlops" registry retire --registry "$reg" --name cars-origin --version "$other" \
  --actor golden --reason "weaker than production" >/dev/null
rm -f "$reg/registry.lock"
head -n 21 "$data" | cut -d, -f1-7 >"$tmp/rows.csv"
"$mlops" predict --registry "$reg" --model cars-origin@production --data "$tmp/rows.csv" \
  --id Name --decision-log "$out/decisions.log" --out /dev/null >/dev/null
"$mlops" registry list --registry "$reg" --json >"$out/expected/registry_list.json"
"$mlops" registry history --registry "$reg" --json >"$out/expected/registry_history.json"
"$mlops" audit verify --registry "$reg" --json >"$out/expected/audit_verify.json"
"$mlops" audit verify --log "$out/decisions.log" --json >"$out/expected/decisions_verify.json"
rm -f "$reg/registry.lock"
echo "wrote $out"
