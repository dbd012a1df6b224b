#!/usr/bin/env bash
# Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/:
# small real inputs taken from tests/data and examples, and model, profile,
# registry and decision-log files made by the mlops command-line tool on
# the first rows of the real data sets. Run from anywhere:
#
#   tests/fuzz/make_corpus.sh build/examples/mlops build-fuzz/tests/fuzz/fuzz_audit
#
# (the second argument, optional, adds audit logs that register the model
# fuzz_audit stores in its registries). Models and logs record the time
# they were made, so a rerun changes those files but not what they cover.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mlops=$(realpath "$1")
audit_target=${2:+$(realpath "$2")}
out=$root/tests/fuzz/corpus
data=$root/tests/data
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MLOPS_ACTOR=fuzz-seed

rm -rf "$out"
mkdir -p "$out"/fuzz_{csv,schema,pipeline,model,profile,audit,gate}

# Small real data: the first rows of the real data sets.
head -31 "$data/real/iris.csv" >"$work/iris30.csv"
(head -1 "$data/real/iris.csv"; sed -n '2,151p' "$data/real/iris.csv" | awk 'NR % 5 == 0') >"$work/iris_sub.csv"
(head -1 "$data/real/iris.csv"; sed -n '2,101p' "$data/real/iris.csv" | awk 'NR % 4 == 0') >"$work/iris_binary.csv"
head -41 "$data/real/cars.csv" >"$work/cars40.csv"
awk -F, 'NR == 1 || $2 != ""' "$work/cars40.csv" >"$work/cars_mpg.csv"
head -31 "$data/real/diabetes.csv" >"$work/diab30.csv"
head -21 "$data/real/wine.csv" >"$work/wine20.csv"
printf 'a,b\n1,x\n' >"$work/tiny.csv"

# CSV: the malformed corpus (each case a parser path) and real heads.
for f in "$data"/malformed/*; do
  case $(basename "$f") in README.md|MANIFEST.tsv) continue ;; esac
  cp "$f" "$out/fuzz_csv/"
done
cp "$work"/{iris30,cars40,diab30,wine20}.csv "$out/fuzz_csv/"
head -c 1500 "$data/real/breast_cancer.csv" >"$out/fuzz_csv/breast_cancer_head.csv"
gzip -9n <"$work/cars40.csv" >"$out/fuzz_csv/cars40.csv.gz"

# Schemas: every test schema (JSON and YAML, valid and refused).
cp "$data"/schema/*.json "$data"/schema/*.yaml "$out/fuzz_schema/"

# Pipelines: the test and example pipelines, pointed at the data.csv the
# target writes beside them (the first rows of cars.csv).
for f in "$data"/pipeline/*.yaml "$root"/examples/pipelines/*.yaml; do
  sed -E 's#^(  path: ).*\.csv$#\1data.csv#' "$f" >"$out/fuzz_pipeline/$(basename "$f")"
done

# Models: every kind, solver and preprocessing the CLI offers.
"$mlops" train --data "$work/iris_sub.csv" --target species --model logistic_regression \
  --out "$out/fuzz_model/iris_multinomial.mlops" --card owner=fuzz >/dev/null
"$mlops" train --data "$work/iris_binary.csv" --target species --model logistic_regression \
  --out "$out/fuzz_model/iris_binary_lbfgs.mlops" --set solver=lbfgs --set class_weight=balanced \
  --set onehot.unseen=zeros --card description="binary, lbfgs" >/dev/null
"$mlops" train --data "$work/cars40.csv" --target Origin --model logistic_regression --id Name \
  --out "$out/fuzz_model/cars_logistic_onehot.mlops" --set l2=0.1 >/dev/null
"$mlops" train --data "$work/cars_mpg.csv" --target Miles_per_Gallon --model linear_regression \
  --id Name --ignore Year --out "$out/fuzz_model/cars_linear_mean.mlops" --set impute.strategy=mean \
  --set standardize.with_std=false --set onehot.min_frequency=2 --set onehot.unseen=infrequent \
  >/dev/null 2>&1
"$mlops" train --data "$work/diab30.csv" --target target --model linear_regression \
  --out "$out/fuzz_model/diabetes_linear.mlops" --set l2=1 >/dev/null
cp "$root/tests/golden/model_v1.mlm" "$out/fuzz_model/golden_v1.mlops"

# Profiles: drift references with fixed bins.
"$mlops" drift --reference "$work/iris30.csv" --current "$work/iris_sub.csv" \
  --save-reference "$out/fuzz_profile/iris.profile" >/dev/null
"$mlops" drift --reference "$work/cars40.csv" --current "$work/cars_mpg.csv" --bins 4 \
  --save-reference "$out/fuzz_profile/cars.profile" >/dev/null
"$mlops" drift --reference "$work/diab30.csv" --current "$work/diab30.csv" --bins 20 \
  --save-reference "$out/fuzz_profile/diabetes.profile" >/dev/null
"$mlops" drift --reference "$work/tiny.csv" --current "$work/tiny.csv" \
  --save-reference "$out/fuzz_profile/tiny.profile" >/dev/null
# The same with the sections stored uncompressed, so that byte mutations
# change the encoding rather than a deflate stream.
for f in "$out"/fuzz_profile/*.profile; do
  python3 "$root/tests/fuzz/inflate_container.py" "$f" "${f%.profile}_stored.profile"
done

# Audit logs: a registry changed every way the CLI can, and a decision log.
reg=$work/registry
m=$out/fuzz_model
"$mlops" registry register --registry "$reg" --name iris --model "$m/iris_multinomial.mlops" \
  --alias production --reason "first release" >/dev/null
"$mlops" registry register --registry "$reg" --name iris --model "$m/iris_binary_lbfgs.mlops" \
  --alias staging >/dev/null
"$mlops" registry register --registry "$reg" --name cars --model "$m/cars_logistic_onehot.mlops" \
  --reason "cars → région d'origine" >/dev/null
"$mlops" registry alias --registry "$reg" --name iris --alias production --version staging \
  --reason promote >/dev/null
iris_v1=$("$mlops" registry resolve --registry "$reg" iris@production --json |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
"$mlops" registry retire --registry "$reg" --name iris --version "${iris_v1:0:12}" \
  --reason superseded >/dev/null
cp "$reg/audit.log" "$out/fuzz_audit/cli_registry.log"
head -3 "$reg/audit.log" >"$out/fuzz_audit/cli_registry_first3.log"
"$mlops" predict --model "$m/iris_multinomial.mlops" --data "$work/iris30.csv" \
  --decision-log "$work/decisions.log" >/dev/null
head -5 "$work/decisions.log" >"$out/fuzz_audit/cli_decisions.log"
if [ -n "$audit_target" ]; then
  MLOPS_FUZZ_WRITE_SEEDS="$out/fuzz_audit" "$audit_target"
fi

# Gate expressions: one per file, the forms the evaluator documents.
i=0
while IFS= read -r gate; do
  i=$((i + 1))
  printf '%s' "$gate" >"$out/fuzz_gate/gate_$(printf %02d $i)"
done <<'EOF'
accuracy >= 0.9
roc_auc.ci_low >= 0.85
demographic_parity_ratio >= 0.8
four_fifths_rule
noise_0.1.flip_rate <= 0.05
r2>0.5
mean_absolute_error <= 4
rmse < 1e3
balanced_accuracy == 1
f1 != 0.5
log_loss <= 0.7
equalized_odds_difference <= 0.1
accuracy.ci_high >= -1e-3
precision >= .5
missing_0.2.accuracy.change >= -0.1
EOF
du -sh "$out"
