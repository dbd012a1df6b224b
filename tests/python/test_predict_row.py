"""Model.predict_row (bindings/python/mlops/_fast.py), the single-row path
over mlops_model_predict_row(3), through the ctypes binding against the
freshly built library; run by meson with MLOPS_LIBRARY pointing at it, under
the python3 on PATH (no NumPy: lists and array.array) and under
/usr/bin/python3 (NumPy rows and output buffers too).

The reference answers are computed here independently of the library's
prediction code: from the model's coefficients in raw units
(Model.coefficients("raw")) with the logistic or softmax link written out in
Python, and they must also agree with the batch path (predict_proba)."""
import array
import math
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "bindings", "python"))
import mlops  # noqa: E402

try:
    import numpy as np
except ImportError:
    np = None

REAL = os.path.join(ROOT, "tests", "data", "real")


def flat(values):
    return values.tolist() if hasattr(values, "tolist") else list(values)


def by_hand(model, row):
    """(decision values, probabilities) from the raw-unit coefficients."""
    coef, icpt = model.coefficients("raw")
    coef = [flat(c) for c in coef]
    icpt = flat(icpt)
    z = [b + sum(w * x for w, x in zip(ws, row)) for ws, b in zip(coef, icpt)]
    if len(z) == 1:
        p1 = 1.0 / (1.0 + math.exp(-z[0]))
        return z, [1.0 - p1, p1]
    top = max(z)
    e = [math.exp(v - top) for v in z]
    return z, [v / sum(e) for v in e]


class PredictRow(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.live = mlops.live_allocations()
        chain = mlops.Transform()
        chain.add("standardize", "*")
        with mlops.Dataset.read_csv(os.path.join(REAL, "breast_cancer.csv"),
                                    {"role.target": "target"}) as d:
            cls.binary = mlops.Model("logistic_regression", transform=chain).fit(d)
            cls.bc_rows = flat(d.to_matrix(cls.binary.inputs))
        with mlops.Dataset.read_csv(os.path.join(REAL, "iris.csv"),
                                    {"role.species": "target"}) as d:
            cls.multi = mlops.Model("logistic_regression", transform=chain, l2=1e-3).fit(d)
            cls.iris_rows = flat(d.to_matrix(cls.multi.inputs))
        with mlops.Dataset.read_csv(os.path.join(REAL, "diabetes.csv"),
                                    {"role.target": "target"}) as d:
            cls.ridge = mlops.Model("linear_regression", transform=chain, l2=0.1).fit(d)
            cls.diab_rows = flat(d.to_matrix(cls.ridge.inputs))

    @classmethod
    def tearDownClass(cls):
        for m in (cls.binary, cls.multi, cls.ridge):
            m.close()
        assert mlops.live_allocations() == cls.live, "blocks left allocated"

    def close_lists(self, got, want, rel=1e-12):
        got, want = flat(got), flat(want)
        self.assertEqual(len(got), len(want))
        for g, w in zip(got, want):
            self.assertLessEqual(abs(g - w), rel * max(1.0, abs(w)), (got, want))

    def test_binary_matches_the_hand_computation_and_the_batch(self):
        m = self.binary
        for row in self.bc_rows[:40]:
            z, p = by_hand(m, row)
            self.close_lists(m.predict_row(row, "proba"), p, 1e-9)
            self.close_lists(m.predict_row(row, "decision"), z, 1e-9)
            self.close_lists(m.predict_row(row, "proba"), m.predict_proba([row])[0])
            self.assertEqual(m.predict_row(row), 1.0 if z[0] > 0 else 0.0)

    def test_multinomial_matches_the_hand_computation(self):
        m = self.multi
        self.assertEqual(m.classes, ["setosa", "versicolor", "virginica"])
        for row in self.iris_rows[::7]:
            z, p = by_hand(m, row)
            got = m.predict_row(row, "proba")
            self.assertEqual(len(got), 3)
            self.close_lists(got, p, 1e-9)
            self.close_lists(m.predict_row(row, "decision"), z, 1e-9)
            self.assertEqual(m.predict_row(row), float(p.index(max(p))))

    def test_regression_value(self):
        m = self.ridge
        for row in self.diab_rows[:20]:
            z, _ = by_hand(m, row)
            value = m.predict_row(row)
            self.assertIsInstance(value, float)
            self.assertLessEqual(abs(value - z[0]), 1e-9 * max(1.0, abs(z[0])))
            self.close_lists([value], m.predict([row]))
        with self.assertRaises(mlops.MlopsError) as caught:
            m.predict_row(self.diab_rows[0], "proba")  # no probabilities for a regression
        self.assertIn("classifier", caught.exception.message)

    def test_input_forms_agree(self):
        m, row = self.multi, self.iris_rows[3]
        want = flat(m.predict_row(row, "proba"))
        forms = [tuple(row), array.array("d", row), [int(v) if v == int(v) else v for v in row]]
        if np is not None:
            a = np.array(row)
            forms += [a, a.reshape(1, -1),
                      np.array(row, dtype=np.float64, order="F"),
                      np.repeat(a, 2)[::2],        # not contiguous: converted
                      np.frombuffer(a.tobytes())]  # read-only: converted
        for form in forms:
            self.assertEqual(flat(m.predict_row(form, "proba")), want, type(form).__name__)

    @unittest.skipIf(np is None, "needs NumPy")
    def test_other_dtypes_are_converted(self):
        m, row = self.multi, self.iris_rows[5]
        a32 = np.array(row, dtype=np.float32)
        want = flat(m.predict_row(a32.astype(np.float64), "proba"))
        self.assertEqual(flat(m.predict_row(a32, "proba")), want)
        ints = [5, 3, 1, 0]
        self.assertEqual(flat(m.predict_row(np.array(ints, dtype=np.int64), "proba")),
                         flat(m.predict_row([float(v) for v in ints], "proba")))

    def test_results_are_arrays_or_lists(self):
        got = self.multi.predict_row(self.iris_rows[0], "proba")
        if np is not None:
            self.assertIsInstance(got, np.ndarray)
            self.assertEqual(got.dtype, np.float64)
            self.assertEqual(got.shape, (3,))
        else:
            self.assertIsInstance(got, list)
        self.assertAlmostEqual(sum(flat(got)), 1.0, places=14)

    def test_out_buffer_is_filled_and_returned(self):
        m, row = self.multi, self.iris_rows[60]
        want = flat(m.predict_row(row, "proba"))
        out = array.array("d", [7.0] * 3)
        self.assertIs(m.predict_row(row, "proba", out), out)
        self.assertEqual(list(out), want)
        bigger = array.array("d", [7.0] * 5)
        m.predict_row(row, "proba", bigger)
        self.assertEqual(list(bigger), want + [7.0, 7.0])  # only the outputs are written
        if np is not None:
            o = np.full(3, 7.0)
            self.assertIs(m.predict_row(np.array(row), "proba", o), o)
            self.assertEqual(o.tolist(), want)
            v = np.zeros(1)
            m.predict_row(row, "value", v)
            self.assertEqual(v[0], m.predict_row(row))

    def test_bad_out_buffers(self):
        m, row = self.multi, self.iris_rows[0]
        with self.assertRaises(mlops.MlopsError) as caught:
            m.predict_row(row, "proba", array.array("d", [0.0, 0.0]))  # 3 classes
        self.assertIn("holds 2 values", caught.exception.message)
        with self.assertRaises(mlops.MlopsError):
            m.predict_row(row, "proba", array.array("d"))
        for bad in (array.array("f", [0.0] * 3), bytearray(24), b"\0" * 24, [0.0] * 3, 3):
            with self.assertRaises(TypeError):
                m.predict_row(row, "proba", bad)
        if np is not None:
            for bad in (np.zeros(3, dtype=np.float32), np.zeros(6)[::2],
                        np.frombuffer(bytes(24))):
                with self.assertRaises(TypeError):
                    m.predict_row(row, "proba", bad)

    def test_wrong_rows(self):
        m = self.multi
        with self.assertRaises(mlops.MlopsError) as caught:
            m.predict_row([1.0, 2.0], "proba")
        e = caught.exception
        self.assertEqual(e.code, -1)  # MLOPS_EINVAL
        self.assertIn("2 values", e.message)
        self.assertIn("4 inputs", e.message)
        with self.assertRaises(mlops.MlopsError):
            m.predict_row([], "proba")
        with self.assertRaises(TypeError):
            m.predict_row(["a", "b", "c", "d"])
        with self.assertRaises(TypeError):
            m.predict_row(None)
        with self.assertRaises(TypeError):
            m.predict_row(5.0)
        if np is not None:
            with self.assertRaises(ValueError):
                m.predict_row(np.zeros((2, 4)))
            with self.assertRaises(ValueError):
                m.predict_row(np.zeros((1, 1, 4)))

    def test_missing_values(self):
        # without an impute step a missing input is an error naming it ...
        m = self.multi
        row = list(self.iris_rows[0])
        row[2] = None
        with self.assertRaises(mlops.MlopsError) as caught:
            m.predict_row(row, "proba")
        self.assertIn(m.inputs[2], caught.exception.message)
        nan_row = list(self.iris_rows[0])
        nan_row[2] = float("nan")
        with self.assertRaises(mlops.MlopsError):
            m.predict_row(nan_row)
        # ... and with one the chain fills it, as the batch path does
        chain = mlops.Transform()
        chain.add("impute", "*", strategy="median")
        chain.add("standardize", "*")
        with mlops.Dataset.read_csv(os.path.join(REAL, "iris.csv"),
                                    {"role.species": "target"}) as d, \
                mlops.Model("logistic_regression", transform=chain, l2=1e-3).fit(d) as imputed:
            self.close_lists(imputed.predict_row(row, "proba"),
                             imputed.predict_proba([row])[0])
            self.close_lists(imputed.predict_row(nan_row, "proba"),
                             imputed.predict_proba([row])[0])

    def test_unknown_kind(self):
        for kind in ("prob", "", None, 1, "PROBA"):
            with self.assertRaises(ValueError) as caught:
                self.multi.predict_row(self.iris_rows[0], kind)
            self.assertIn("value, proba, decision", str(caught.exception))

    def test_unfitted_and_closed_models(self):
        m = mlops.Model("logistic_regression")
        with self.assertRaises(mlops.MlopsError) as caught:
            m.predict_row([1.0, 2.0])
        self.assertEqual(caught.exception.code, -7)  # MLOPS_ESTATE
        self.assertIn("not fitted", caught.exception.message)
        m.close()
        with self.assertRaises(ValueError) as closed:
            m.predict_row([1.0, 2.0])
        self.assertIn("closed", str(closed.exception))

    def test_categorical_inputs_are_refused(self):
        chain = mlops.Transform()
        chain.add("onehot", "*")
        d = mlops.Dataset({"colour": ["red", "blue", "red", "blue"] * 5,
                           "y": [1.0, 0.0, 1.0, 1.0, 0.0] * 4}, roles={"y": "target"})
        with d, mlops.Model("logistic_regression", transform=chain).fit(d) as m:
            with self.assertRaises(mlops.MlopsError) as caught:
                m.predict_row([0.0])
            self.assertIn("categorical", caught.exception.message)

    def test_documented(self):
        doc = mlops.Model.predict_row.__doc__
        for word in ("mlops_model_predict_row", "proba", "decision", "out", "MLOPS_EINVAL"):
            self.assertIn(word, doc)


if __name__ == "__main__":
    unittest.main()
