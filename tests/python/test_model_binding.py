"""The model lifecycle through the ctypes binding (mlops.Dataset, Transform,
Model) against the freshly built shared library; run by meson with
MLOPS_LIBRARY pointing at it, under the python3 on PATH (standard library
only) and under /usr/bin/python3 (with NumPy, when it has it).

Reference coefficients: tests/data/binding_reference.json, written by
tests/reference/make_binding_reference.py (scikit-learn)."""
import gc
import json
import math
import os
import pickle
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bindings", "python"))
import mlops  # noqa: E402
from mlops import _native  # noqa: E402

try:
    import numpy as np
except ImportError:
    np = None

DATA = os.path.join(HERE, "..", "data")
IRIS = os.path.join(DATA, "real", "iris.csv")
DIABETES = os.path.join(DATA, "real", "diabetes.csv")
SPECIES = ["setosa", "versicolor", "virginica"]
HAVE_IO = all(_native.has(n) for n in ("mlops_model_save", "mlops_model_load",
                                       "mlops_model_save_buffer", "mlops_model_load_buffer"))
HAVE_CARD = all(_native.has(n) for n in ("mlops_model_card_set", "mlops_model_card_json",
                                         "mlops_model_payload_hash"))


def tolist(x):
    """Results as plain lists whichever form the binding returned."""
    return x.tolist() if hasattr(x, "tolist") else x


def fit_iris(**settings):
    iris = mlops.Dataset.read_csv(IRIS, {"role.species": "target"})
    chain = mlops.Transform()
    chain.add("standardize", "*")
    model = mlops.Model("logistic_regression", transform=chain, l2=1e-3, **settings)
    model.fit(iris)
    return iris, model


def strings_in(obj):
    if isinstance(obj, dict):
        for v in obj.values():
            yield from strings_in(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from strings_in(v)
    elif isinstance(obj, str):
        yield obj


class Lifecycle(unittest.TestCase):
    """Every test also checks that the library holds no more memory after
    it than before, once Python has collected its objects."""

    def setUp(self):
        gc.collect()
        self.live_before = mlops.live_allocations()

    def tearDown(self):
        gc.collect()
        self.assertEqual(mlops.live_allocations(), self.live_before,
                         "library allocations leaked by %s" % self.id())

    def assertRelClose(self, got, want, rel=1e-9, what=""):
        got, want = tolist(got), tolist(want)
        self.assertEqual(len(got), len(want), what)
        for i, (g, w) in enumerate(zip(got, want)):
            self.assertLessEqual(abs(g - w), rel * abs(w),
                                 "%s[%d]: %r differs from reference %r" % (what, i, g, w))

    # ---- classification --------------------------------------------

    def test_iris_logistic_with_standardize_chain(self):
        iris, model = fit_iris()
        self.assertTrue(model.is_fitted)
        self.assertTrue(model.converged)
        self.assertGreater(model.iterations, 0)
        self.assertTrue(0 < model.objective < 1, model.objective)
        self.assertEqual(model.info("rows"), 150)
        self.assertEqual(model.classes, SPECIES)
        self.assertEqual(model.target, "species")
        inputs = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
        self.assertEqual(model.inputs, inputs)
        self.assertEqual(model.features, inputs)
        self.assertEqual(model.input_types, ["numeric"] * 4)
        self.assertEqual(model.outputs, 3)

        truth = iris.column("species")
        labels = model.predict_labels(iris)
        self.assertEqual(len(labels), 150)
        self.assertTrue(set(labels) <= set(SPECIES))
        accuracy = sum(a == b for a, b in zip(labels, truth)) / len(truth)
        self.assertGreaterEqual(accuracy, 0.95)

        proba = tolist(model.predict_proba(iris))
        self.assertEqual(len(proba), 150)
        for row in proba:
            self.assertEqual(len(row), 3)
            self.assertAlmostEqual(math.fsum(row), 1.0, places=12)
            self.assertTrue(all(0.0 <= p <= 1.0 for p in row))
        index = tolist(model.predict(iris))
        self.assertEqual(index, [float(max(range(3), key=r.__getitem__)) for r in proba])
        self.assertEqual(labels, [SPECIES[int(k)] for k in index])
        decision = tolist(model.decision_function(iris))
        self.assertEqual((len(decision), len(decision[0])), (150, 3))

        # The fitted chain comes back as its own Transform.
        chain = model.transform
        self.assertTrue(chain.is_fitted)
        self.assertEqual(chain.steps, ["standardize"])
        self.assertEqual(chain.output_names, inputs + ["species"])

    def test_binary_decision_function_is_one_value_per_row(self):
        ds = mlops.Dataset({"x": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
                            "y": ["no", "no", "yes", "no", "yes", "yes"]}, roles={"y": "target"})
        model = mlops.Model("logistic_regression").fit(ds)
        self.assertEqual(model.classes, ["no", "yes"])
        z = tolist(model.decision_function([[0.0], [5.0]]))
        self.assertEqual(len(z), 2)
        self.assertLess(z[0], 0.0)
        self.assertGreater(z[1], 0.0)
        p = tolist(model.predict_proba([[0.0], [5.0]]))
        for zi, pi in zip(z, p):  # P(yes) = sigmoid(log-odds of the second class)
            self.assertAlmostEqual(pi[1], 1.0 / (1.0 + math.exp(-zi)), places=14)
        self.assertEqual(model.predict_labels([[0.0], [5.0]]), ["no", "yes"])

    # ---- regression against scikit-learn ---------------------------

    def test_diabetes_coefficients_match_scikit_learn(self):
        with open(os.path.join(DATA, "binding_reference.json")) as f:
            ref = json.load(f)
        data = mlops.Dataset.read_csv(DIABETES, {"role.target": "target"})

        r = ref["diabetes_ridge_standardized"]
        chain = mlops.Transform()
        chain.add("standardize", "*")
        model = mlops.Model("linear_regression", transform=chain, l2=r["l2"]).fit(data)
        self.assertEqual(model.features, r["features"])
        self.assertEqual(model.classes, [])
        for units, key in (("model", "model"), ("raw", "raw"),
                           ("standardized", "standardized")):
            coef, icpt = model.coefficients(units)
            coef = tolist(coef)
            self.assertEqual(len(coef), 1)
            self.assertRelClose(coef[0], r["coef_" + key], what="ridge %s coef" % units)
        self.assertRelClose(model.coefficients("model")[1], [r["intercept_model"]],
                            what="ridge intercept")
        self.assertRelClose(model.coefficients("raw")[1], [r["intercept_raw"]],
                            what="ridge raw intercept")
        first = data.take_rows(range(len(r["predictions"])))
        self.assertRelClose(model.predict(first), r["predictions"], what="ridge predictions")

        r = ref["diabetes_ols_raw"]
        ols = mlops.Model("linear_regression").fit(data)
        self.assertEqual(ols.get("l2"), "0")
        coef, icpt = ols.coefficients()
        self.assertRelClose(tolist(coef)[0], r["coef_model"], what="ols coef")
        self.assertRelClose(icpt, [r["intercept_model"]], what="ols intercept")
        self.assertRelClose(ols.predict(first), r["predictions"], what="ols predictions")
        with self.assertRaises(ValueError):
            ols.coefficients("per-dollar")
        with self.assertRaises(ValueError):
            ols.predict_labels(first)

    # ---- input forms -----------------------------------------------

    def test_row_lists_tuples_and_datasets_agree(self):
        iris, model = fit_iris()
        rows = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5]]
        as_list = tolist(model.predict_proba(rows))
        self.assertEqual(tolist(model.predict_proba(tuple(map(tuple, rows)))), as_list)
        self.assertEqual(model.predict_labels(rows), ["setosa", "virginica", "versicolor"])
        named = mlops.Dataset.from_matrix(rows, names=model.inputs)
        from_ds = tolist(model.predict_proba(named))
        for a, b in zip(as_list, from_ds):  # folded vs exact chain: equal to rounding
            for x, y in zip(a, b):
                self.assertAlmostEqual(x, y, delta=1e-12)
        # A dict of columns works too.
        cols = {name: [r[i] for r in rows] for i, name in enumerate(model.inputs)}
        self.assertEqual(tolist(model.predict_proba(cols)), from_ds)
        self.assertEqual(tolist(model.predict([])), [])
        self.assertEqual(tolist(model.predict_proba([])), [])

    @unittest.skipIf(np is None, "NumPy is not installed for this interpreter")
    def test_numpy_and_list_inputs_give_identical_results(self):
        iris, model = fit_iris()
        X = iris.to_matrix(model.inputs)
        self.assertIsInstance(X, np.ndarray)
        self.assertEqual(X.shape, (150, 4))
        rows = X.tolist()
        for method in ("predict", "predict_proba", "decision_function"):
            fn = getattr(model, method)
            from_array = fn(X)
            self.assertIsInstance(from_array, np.ndarray)
            self.assertTrue(np.array_equal(from_array, fn(rows)), method)
            # Fortran order, a strided view and integers are converted.
            self.assertTrue(np.array_equal(fn(np.asfortranarray(X)), from_array), method)
            self.assertTrue(np.array_equal(fn(X[::2]), from_array[::2]), method)
        self.assertEqual(model.predict_proba(X).shape, (150, 3))
        self.assertEqual(model.predict(X).shape, (150,))
        ints = np.array([[5, 3, 1, 0]])
        self.assertTrue(np.array_equal(model.predict(ints), model.predict([[5.0, 3.0, 1.0, 0.0]])))
        # A C-contiguous float64 array is handed to the library as it is.
        from mlops._dataset import _as_matrix
        self.assertIs(_as_matrix(X)[0], X)
        with self.assertRaises(ValueError):
            model.predict(X[0])
        # Numeric columns come back as arrays, coefficients too.
        self.assertIsInstance(iris.column("sepal_length"), np.ndarray)
        coef, icpt = model.coefficients()
        self.assertEqual((coef.shape, icpt.shape), ((3, 4), (3,)))
        ds = mlops.Dataset({"a": np.arange(4.0), "b": np.array(["x", "y", "x", "y"])})
        self.assertEqual(ds.column_type("a"), "numeric")
        self.assertEqual(ds.column_type("b"), "categorical")
        self.assertEqual(ds.column("b"), ["x", "y", "x", "y"])

    # ---- datasets and transforms -----------------------------------

    def test_dataset_from_columns(self):
        with mlops.Dataset({"age": [31, 45.5, None, 52], "city": ["Oslo", None, "Rome", "Oslo"],
                            "label": [1.0, 0.0, 1.0, 0.0]}, roles={"label": "target"}) as ds:
            self.assertEqual(ds.rows, 4)
            self.assertEqual(len(ds), 4)
            self.assertEqual(ds.columns, ["age", "city", "label"])
            self.assertEqual(ds.column_type("age"), "numeric")
            self.assertEqual(ds.column_type("city"), "categorical")
            self.assertEqual(ds.role("label"), "target")
            self.assertEqual(ds.role("age"), "feature")
            self.assertEqual(ds.missing_count("age"), 1)
            self.assertEqual(ds.missing_count("city"), 1)
            self.assertEqual(ds.column("city"), ["Oslo", None, "Rome", "Oslo"])
            age = tolist(ds.column("age"))
            self.assertEqual(age[:2] + age[3:], [31.0, 45.5, 52.0])
            self.assertTrue(math.isnan(age[2]))
            fp = ds.fingerprint()
            self.assertRegex(fp, "^[0-9a-f]{64}$")
            same = mlops.Dataset.from_columns({"age": [31, 45.5, None, 52],
                                               "city": ["Oslo", None, "Rome", "Oslo"],
                                               "label": [1.0, 0.0, 1.0, 0.0]},
                                              roles={"label": "target"})
            self.assertEqual(same.fingerprint(), fp)
            same.set_role("label", "feature")
            self.assertNotEqual(same.fingerprint(), fp)
            picked = ds.select(["label", "age"]).take_rows([3, 0])
            self.assertEqual(picked.columns, ["label", "age"])
            self.assertEqual(tolist(picked.to_matrix()), [[0.0, 52.0], [1.0, 31.0]])
        self.assertTrue(ds.closed)
        with self.assertRaises(ValueError):
            ds.rows
        with self.assertRaises(ValueError):
            mlops.Dataset({"a": [1.0, 2.0], "b": [1.0]})
        with self.assertRaises(TypeError):
            mlops.Dataset({"a": [1.0, "two"]})

    def test_categorical_inputs_through_onehot(self):
        ds = mlops.Dataset({"size": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
                            "colour": ["red", "blue", "red", "blue", "red", "blue", "red",
                                       "blue"],
                            "price": [3.0, 3.5, 7.1, 7.4, 11.0, 11.6, 15.1, 15.4]},
                           roles={"price": "target"})
        chain = mlops.Transform()
        self.assertEqual(chain.add("onehot", ["colour"]), 0)
        model = mlops.Model("linear_regression", transform=chain, l2=0.0).fit(ds)
        self.assertEqual(model.inputs, ["size", "colour"])
        self.assertEqual(model.input_types, ["numeric", "categorical"])
        self.assertEqual(model.features, ["size", "colour=blue", "colour=red"])
        got = tolist(model.predict({"colour": ["red", "blue"], "size": [2.0, 2.0]}))
        self.assertEqual(len(got), 2)
        with self.assertRaises(mlops.MlopsError) as caught:
            model.predict({"colour": ["green"], "size": [1.0]})
        self.assertIn("green", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            model.predict([[1.0, 2.0]])  # rows cannot carry the categorical input
        self.assertEqual(caught.exception.code, -1)

    def test_transform_on_its_own(self):
        ds = mlops.Dataset({"a": [1.0, None, 3.0], "b": ["x", "y", "x"]})
        t = mlops.Transform()
        t.add("impute", ["a"], strategy="mean")
        t.add("onehot", "b")
        t.set(1, "unseen", "zeros")
        self.assertFalse(t.is_fitted)
        out = t.fit_apply(ds)
        self.assertEqual(out.columns, ["a", "b=x", "b=y"])
        self.assertEqual(tolist(out.to_matrix()), [[1.0, 1.0, 0.0], [2.0, 0.0, 1.0],
                                                   [3.0, 1.0, 0.0]])
        doc = t.to_json()
        self.assertEqual([s["kind"] for s in doc["steps"]], ["impute", "onehot"])
        copy = pickle.loads(pickle.dumps(t))
        self.assertEqual(copy.to_bytes(), t.to_bytes())
        with self.assertRaises(mlops.MlopsError) as caught:
            t.add("drop", ["a"])
        self.assertEqual(caught.exception.code, -7)  # fitted chains are final
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.Transform().add("standardise", "*")
        self.assertIn("standardize", str(caught.exception))  # suggestion
        with self.assertRaises(mlops.MlopsError):
            mlops.Transform().set(0, "strategy", "mean")  # no such step

    # ---- errors ------------------------------------------------------

    def test_errors_raise_mlops_error_with_the_library_message(self):
        model = mlops.Model("linear_regression")
        with self.assertRaises(mlops.MlopsError) as caught:
            model.set("l3", 0.5)
        self.assertEqual(caught.exception.code, -1)
        self.assertEqual(caught.exception.name, "invalid argument")
        self.assertIn("'l3'", str(caught.exception))
        self.assertIn("did you mean 'l2'", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.Model("logistic_regresion")
        self.assertIn("logistic_regression", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.Model("linear_regression", max_iter=0)
        self.assertIn("max_iter", str(caught.exception))

        for predict in (model.predict, model.predict_proba, model.decision_function):
            with self.assertRaises(mlops.MlopsError) as caught:
                predict([[1.0, 2.0]])
            self.assertEqual(caught.exception.code, -7)
            self.assertIn("not fitted", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            model.info("iterations")
        self.assertEqual(caught.exception.code, -7)

        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.Dataset.read_csv(os.path.join(DATA, "real", "no-such-file.csv"))
        self.assertIn("no-such-file.csv", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.Dataset.read_csv(IRIS, {"role.specie": "target"})
        self.assertIn("specie", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.Dataset.read_csv(IRIS, delimiterr=",")
        self.assertIn("delimiter", str(caught.exception))

        iris, fitted = fit_iris()
        with self.assertRaises(mlops.MlopsError) as caught:
            iris.set_role("specie", "target")
        self.assertEqual(caught.exception.code, -8)
        self.assertIn("species", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            fitted.predict([[1.0, 2.0, 3.0]])  # 3 values for 4 inputs
        self.assertEqual(caught.exception.code, -1)
        with self.assertRaises(ValueError):
            fitted.predict([[1.0, 2.0, 3.0, 4.0], [1.0]])
        with self.assertRaises(TypeError):
            fitted.predict([["a", "b", "c", "d"]])
        with self.assertRaises(TypeError):
            fitted.predict(42)
        regression = mlops.Model("linear_regression").fit(
            mlops.Dataset({"x": [1.0, 2.0, 3.0], "y": [2.0, 4.1, 5.9]}, roles={"y": "target"}))
        with self.assertRaises(mlops.MlopsError) as caught:
            regression.predict_proba([[1.0]])
        self.assertIn("classifier", str(caught.exception))
        with self.assertRaises(mlops.MlopsError) as caught:
            fitted.explain(iris, 150)
        self.assertEqual(caught.exception.code, -1)
        with self.assertRaises(TypeError):
            fitted.transform = "standardize"

    # ---- progress ----------------------------------------------------

    def test_progress_callback_reports_and_cancels(self):
        iris = mlops.Dataset.read_csv(IRIS, {"role.species": "target"})
        model = mlops.Model("logistic_regression", solver="lbfgs", l2=1e-4)
        seen = []
        model.fit(iris, progress=lambda done, total: seen.append((done, total)))
        self.assertEqual(len(seen), model.iterations)
        self.assertTrue(all(total == 1000 for _, total in seen))

        fresh = mlops.Model("logistic_regression", solver="lbfgs", l2=1e-4)
        with self.assertRaises(mlops.MlopsError) as caught:
            fresh.fit(iris, progress=lambda done, total: done >= 3)
        self.assertEqual(caught.exception.code, -10)
        self.assertFalse(fresh.is_fitted)

        class Stop(Exception):
            pass

        def explode(done, total):
            raise Stop("from the callback")

        with self.assertRaises(Stop):
            fresh.fit(iris, progress=explode)
        self.assertFalse(fresh.is_fitted)
        fresh.fit(iris)  # the callback is gone afterwards
        self.assertTrue(fresh.is_fitted)

    # ---- explanations ------------------------------------------------

    def test_contributions_and_explain(self):
        iris, model = fit_iris()
        coef, icpt = model.coefficients("model")
        z = tolist(model.decision_function(iris.take_rows([100])))[0]
        for k in range(3):
            contrib = tolist(model.contributions(iris, 100, output=k))
            self.assertEqual(len(contrib), 4)
            self.assertAlmostEqual(math.fsum(contrib) + tolist(icpt)[k], z[k], delta=1e-12)
        doc = model.explain(iris, 100, top_k=2)
        self.assertEqual(doc["prediction"], "virginica")
        self.assertEqual(len(doc["reasons"]), 2)
        self.assertTrue(set(doc["reasons"][0]) >= {"feature", "contribution"})
        everything = model.explain([[6.3, 3.3, 6.0, 2.5]], 0, top_k=0)
        self.assertEqual(len(everything["reasons"]), 4)
        self.assertEqual(everything["prediction"], "virginica")

    # ---- saving, loading, card ---------------------------------------

    @unittest.skipUnless(HAVE_IO, "mlops_model_save/_load are not in this build of libmlops")
    def test_save_load_round_trip(self):
        iris, model = fit_iris()
        X = iris.to_matrix(model.inputs)
        want = tolist(model.predict_proba(X))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "iris.mlops")
            model.save(path)
            loaded = mlops.Model.load(path)
            with self.assertRaises(mlops.MlopsError) as caught:
                mlops.Model.load(os.path.join(tmp, "missing.mlops"))
            self.assertIn("missing.mlops", str(caught.exception))
        self.assertEqual(loaded.classes, SPECIES)
        self.assertEqual(loaded.inputs, model.inputs)
        self.assertEqual(tolist(loaded.predict_proba(X)), want)
        self.assertEqual(loaded.predict_labels(iris), model.predict_labels(iris))
        restored = mlops.Model.from_bytes(model.to_bytes())
        self.assertEqual(tolist(restored.predict_proba(X)), want)
        self.assertEqual(tolist(pickle.loads(pickle.dumps(model)).predict_proba(X)), want)
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.Model.from_bytes(b"not a model file")
        self.assertIn(caught.exception.code, (-4, -5))
        with self.assertRaises(mlops.MlopsError) as caught:
            mlops.Model("linear_regression").to_bytes()
        self.assertEqual(caught.exception.code, -7)
        if HAVE_CARD:
            self.assertEqual(loaded.payload_hash(), model.payload_hash())

    @unittest.skipUnless(HAVE_CARD, "the model card is not in this build of libmlops")
    def test_model_card(self):
        iris, model = fit_iris()
        model.card_set("name", "iris species")
        model.card_set("owner", "Data Office")
        self.assertEqual(model.card_get("name"), "iris species")
        model.card_set("owner", None)
        self.assertEqual(model.card_get("owner"), "")
        digest = model.payload_hash()
        self.assertRegex(digest, "^[0-9a-f]{64}$")
        card = model.card()
        self.assertIsInstance(card, dict)
        texts = set(strings_in(card))
        self.assertIn("iris species", texts)
        self.assertIn(digest, texts)
        self.assertIn(iris.fingerprint(), texts)
        self.assertNotIn("Data Office", texts)
        with self.assertRaises(mlops.MlopsError) as caught:
            model.card_set("nmae", "x")
        self.assertIn("name", str(caught.exception))
        if HAVE_IO:
            self.assertEqual(mlops.Model.from_bytes(model.to_bytes()).card_get("name"),
                             "iris species")

    # ---- memory ------------------------------------------------------

    def test_live_allocations_return_to_start(self):
        start = mlops.live_allocations()
        iris, model = fit_iris()
        self.assertGreater(mlops.live_allocations(), start)
        chain = model.transform
        out = chain.apply(iris)
        model.predict_proba(iris)
        model.explain(iris, 3)
        try:
            model.set("nope", 1)
        except mlops.MlopsError:
            pass
        if HAVE_IO:
            mlops.Model.from_bytes(model.to_bytes()).predict([[5.0, 3.0, 1.5, 0.2]])
        del iris, model, chain, out
        gc.collect()
        self.assertEqual(mlops.live_allocations(), start)
        # Closing explicitly frees at once, and the finalizer does not free twice.
        ds = mlops.Dataset({"x": [1.0]})
        ds.close()
        ds.close()
        self.assertEqual(mlops.live_allocations(), start)
        del ds
        gc.collect()
        self.assertEqual(mlops.live_allocations(), start)


if __name__ == "__main__":
    print("python %s, NumPy %s" % (sys.version.split()[0],
                                   np.__version__ if np is not None else "not installed"))
    unittest.main()
