/* Writes the golden version-1 model file tests/golden/model_v1.mlm and its
 * expected results tests/golden/model_v1.expected: a multinomial logistic
 * regression on iris behind a standardize chain, with card fields set, and
 * the probabilities it gives for fixed raw rows (printed with %.17g, so they
 * read back to the same bits) plus its payload hash.
 *
 * The files are written once, by the library version that introduced the
 * format, and committed; tests/train/test_model_io.c checks that every
 * later library still loads the file and predicts exactly these bits.
 * Regenerate only when deliberately replacing the golden file:
 *
 *   ninja -C build tests/make-golden-model
 *   build/tests/make-golden-model tests/data/real/iris.csv \
 *       tests/golden/model_v1.mlm tests/golden/model_v1.expected
 */
#include <stdio.h>
#include <stdlib.h>

#include <mlops.h>

static int fail(const char *what)
{
    fprintf(stderr, "make-golden-model: %s: %s\n", what, mlops_last_error());
    return EXIT_FAILURE;
}

/* Rows from the training data and a few the model never saw, in the order
 * sepal_length, sepal_width, petal_length, petal_width. */
static const double ROWS[][4] = {
    {5.1, 3.5, 1.4, 0.2}, {7.0, 3.2, 4.7, 1.4}, {6.3, 3.3, 6.0, 2.5}, {5.9, 3.0, 5.1, 1.8},
    {6.0, 2.7, 5.1, 1.6}, {4.0, 4.5, 0.5, 0.05}, {8.5, 2.0, 7.5, 3.0}, {5.8, 2.9, 4.9, 1.7},
};

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: make-golden-model IRIS_CSV OUT_MODEL OUT_EXPECTED\n");
        return EXIT_FAILURE;
    }
    mlops_csv_options *opts;
    mlops_dataset *d;
    mlops_transform *t;
    mlops_model *m;
    if (mlops_csv_options_create(&opts) || mlops_csv_options_set(opts, "role.species", "target"))
        return fail("csv options");
    if (mlops_dataset_read_csv(&d, argv[1], opts)) return fail(argv[1]);
    mlops_csv_options_free(opts);
    if (mlops_transform_create(&t) || mlops_transform_add(t, "standardize", "*") < 0)
        return fail("transform");
    if (mlops_model_create(&m, "logistic_regression") || mlops_model_set_transform(m, t) ||
        mlops_model_set_param(m, "l2", "0.01") || mlops_model_set_param(m, "solver", "newton") ||
        mlops_model_set_param(m, "tol", "1e-10") || mlops_model_set_param(m, "seed", "42"))
        return fail("model settings");
    if (mlops_model_fit(m, d)) return fail("fit");
    if (mlops_model_card_set(m, "name", "iris-golden") ||
        mlops_model_card_set(m, "version", "1") ||
        mlops_model_card_set(m, "owner", "libmlops test suite") ||
        mlops_model_card_set(m, "license", "CC-BY-4.0") ||
        mlops_model_card_set(m, "intended_use", "format compatibility tests") ||
        mlops_model_card_set(m, "caveats", "trained on 150 flowers; not for botany"))
        return fail("card");
    if (mlops_model_save(m, argv[2])) return fail(argv[2]);

    /* The expectations come from the file just written, as a user loads it. */
    mlops_model *loaded;
    if (mlops_model_load(&loaded, argv[2])) return fail(argv[2]);
    char hash[65];
    if (mlops_model_payload_hash(loaded, hash, sizeof hash)) return fail("hash");
    FILE *out = fopen(argv[3], "w");
    if (out == NULL) {
        perror(argv[3]);
        return EXIT_FAILURE;
    }
    fprintf(out, "# Expected results of tests/golden/model_v1.mlm (logistic_regression on\n"
                 "# iris, standardize chain), written by tests/reference/make_golden_model.c.\n"
                 "# row: raw inputs (sepal_length sepal_width petal_length petal_width), then\n"
                 "# predict_proba for setosa versicolor virginica, all %%.17g.\n");
    fprintf(out, "payload_sha256 %s\n", hash);
    for (size_t r = 0; r < sizeof ROWS / sizeof ROWS[0]; r++) {
        double p[3];
        if (mlops_model_predict_matrix(loaded, ROWS[r], 1, 4, MLOPS_PREDICT_PROBA, p, 3))
            return fail("predict");
        fprintf(out, "row %.17g %.17g %.17g %.17g proba %.17g %.17g %.17g\n", ROWS[r][0],
                ROWS[r][1], ROWS[r][2], ROWS[r][3], p[0], p[1], p[2]);
    }
    if (fclose(out) != 0) {
        perror(argv[3]);
        return EXIT_FAILURE;
    }
    mlops_model_free(loaded);
    mlops_model_free(m);
    mlops_transform_free(t);
    mlops_dataset_free(d);
    return EXIT_SUCCESS;
}
