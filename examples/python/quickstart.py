#!/usr/bin/env python3
"""The quick start pipeline (examples/pipelines/quickstart.yaml) step by step
with the Python binding: read the Auto MPG data with the pipeline's column
roles, hold out a stratified quarter of the rows with the pipeline's seed, fit
the pipeline's default preprocessing (median imputation, standardization,
one-hot encoding) and its logistic regression, and fill in the model card as
the pipeline does. The model is the pipeline's own: its payload hash (SHA-256
of everything that determines its predictions, the training data's source
included) equals that of the model `mlops run` writes, which this script
checks at the end.

    python3 examples/python/quickstart.py
        runs the steps, then the pipeline itself (mlops.Pipeline, in a
        temporary directory) and compares the two payload hashes
    python3 examples/python/quickstart.py --run-dir RUN_DIR
        compares with the model of an earlier `mlops run
        examples/pipelines/quickstart.yaml --output RUN_DIR` instead

The binding finds libmlops by itself in a build tree beside this checkout or
installed; set MLOPS_LIBRARY=path/to/libmlops.so to choose one, and
PYTHONPATH=bindings/python when the package is not installed. Exit status: 0
when the hashes are equal, 1 when they differ."""
import argparse
import json
import os
import sys
import tempfile

import mlops

HERE = os.path.dirname(os.path.abspath(__file__))
PIPELINE = os.path.join(HERE, "..", "pipelines", "quickstart.yaml")
# The pipeline hands the reader the absolute, normalised path of its data
# file, and the dataset's source is part of the model's payload.
DATA = os.path.normpath(os.path.join(HERE, "..", "data", "cars.csv"))
SEED = 1


def fit_step_by_step():
    """The model of the pipeline's "read data", "split" and "train" steps,
    with the held-out rows' accuracy."""
    # data: target Origin, id Name, ignore [Year], Origin categorical
    data = mlops.Dataset.read_csv(DATA, {"delimiter": "auto", "role.Origin": "target",
                                         "role.Name": "id", "role.Year": "ignore",
                                         "type.Origin": "categorical"})
    if data.missing_count("Origin"):  # data.missing_target: drop (the default)
        labels = data.column("Origin")
        data = data.take_rows(i for i, v in enumerate(labels) if v is not None)
    print("read %s: %d rows x %d columns" % (data.source, data.rows, len(data.columns)))

    # data.split: stratified on the target, test_size 0.25, the pipeline's seed
    train, test = data.split(test_size=0.25, seed=SEED, stratify="Origin")
    print("split: %d train, %d test rows" % (train.rows, test.rows))

    # No preprocess section: the default chain over every feature column.
    chain = mlops.Transform()
    chain.add("impute", "*", strategy="median")
    chain.add("standardize", "*", with_mean=True)
    chain.add("onehot", "*", unseen="zeros")

    # model: logistic_regression, settings {l2: 0.01}; the pipeline seed
    model = mlops.Model("logistic_regression", transform=chain, seed=SEED, l2=0.01)
    model.fit(train)

    # The card: the file's fields, the pipeline's name, and no creation time
    # (the run's time is in its lock file, so the model file repeats).
    model.card_set("owner", "libmlops examples")
    model.card_set("intended_use",
                   "Teaching example: the region that built a car, from its specifications")
    model.card_set("name", "cars-origin")
    model.card_set("created", "")

    predicted = model.predict_labels(test)
    truth = test.column("Origin")
    accuracy = sum(p == t for p, t in zip(predicted, truth)) / len(truth)
    for d in (data, train, test):
        d.close()
    return model, accuracy


def pipeline_hash():
    """The payload hash of the model the pipeline itself fits, run into a
    temporary directory (its registry too)."""
    with tempfile.TemporaryDirectory(prefix="mlops-quickstart-") as tmp:
        overrides = ["registry.path=" + os.path.join(tmp, "registry")]
        with mlops.Pipeline(PIPELINE, overrides) as p:
            summary = p.run(os.path.join(tmp, "run"))
    return summary["model"]["payload_sha256"]


def run_dir_hash(run_dir):
    """The payload hash of the model of a finished run, from its lock file."""
    with open(os.path.join(run_dir, "mlops.lock"), encoding="utf-8") as f:
        return json.load(f)["model"]["payload_sha256"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-dir", help="compare with the model of this `mlops run` output")
    args = parser.parse_args()

    print("libmlops %s" % mlops.version_string())
    model, accuracy = fit_step_by_step()
    ours = model.payload_hash()
    print("test accuracy %.6f" % accuracy)
    print("payload sha256 %s" % ours)
    model.close()

    if args.run_dir:
        theirs, where = run_dir_hash(args.run_dir), args.run_dir
    else:
        theirs, where = pipeline_hash(), "mlops.Pipeline(%r).run()" % os.path.normpath(PIPELINE)
    print("pipeline       %s (%s)" % (theirs, where))
    if ours != theirs:
        print("the payload hashes differ", file=sys.stderr)
        return 1
    print("same model as the pipeline's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
