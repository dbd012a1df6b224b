/* train_and_save: the training job. Reads labelled rows from a CSV file,
 * prepares them with the usual preprocessing (numeric inputs imputed with
 * their median and standardized, categorical inputs one-hot encoded), fits
 * a model, fills in its model card and saves one file holding everything a
 * prediction needs later: the fitted preprocessing, the input schema, the
 * classes and the coefficients. A categorical target gives a logistic
 * regression (a classifier), a numeric one a linear regression.
 *
 *   train_and_save DATA.csv TARGET MODEL_OUT [IGNORE_COLUMN...]
 *   train_and_save examples/data/cars.csv Origin cars.mlm Name Year
 *
 * IGNORE_COLUMN names columns that must not be inputs (identifiers, dates).
 * Check the result with `mlops inspect cars.mlm`. Exit status: 0 success,
 * 1 failure, 2 usage error. */
#include <stdio.h>

#include <mlops.h>

/* Runs one library call; on failure says which step failed and why (the
 * library's message names the file, column, row or value at fault). */
#define CHECK(step, call)                                                        \
    do {                                                                         \
        if ((call) != MLOPS_OK) {                                                \
            fprintf(stderr, "train_and_save: %s: %s\n", step, mlops_last_error()); \
            goto done;                                                           \
        }                                                                        \
    } while (0)

/* Warnings such as "did not converge within max_iter" go to stderr. */
static void log_to_stderr(int level, const char *message, void *user_data)
{
    (void)user_data;
    fprintf(stderr, "train_and_save: %s: %s\n", mlops_log_level_name(level), message);
}

/* The preprocessing chain; "*" means every input column the step applies to. */
static int make_chain(mlops_transform *t)
{
    int impute = mlops_transform_add(t, "impute", "*");
    if (impute < 0) return impute;
    int rc = mlops_transform_set(t, (size_t)impute, "strategy", "median");
    if (rc != MLOPS_OK) return rc;
    rc = mlops_transform_add(t, "standardize", "*");
    if (rc < 0) return rc;
    int onehot = mlops_transform_add(t, "onehot", "*");
    if (onehot < 0) return onehot;
    /* a category training never saw is refused, not silently zeroed */
    return mlops_transform_set(t, (size_t)onehot, "unseen", "error");
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fputs("usage: train_and_save DATA.csv TARGET MODEL_OUT [IGNORE_COLUMN...]\n", stderr);
        return 2;
    }
    const char *data_path = argv[1], *target = argv[2], *model_path = argv[3];
    mlops_dataset *data = NULL;
    mlops_transform *chain = NULL;
    mlops_model *model = NULL;
    int status = 1;
    size_t col = 0;

    CHECK("installing the logger", mlops_set_logger(log_to_stderr, MLOPS_LOG_WARN, NULL));
    CHECK("reading the training data", mlops_dataset_read_csv(&data, data_path, NULL));
    CHECK("finding the target column", mlops_dataset_column_index(data, target, &col));
    CHECK("marking the target column", mlops_dataset_set_role(data, col, MLOPS_ROLE_TARGET));
    const char *kind = mlops_dataset_column_type(data, col) == MLOPS_CATEGORICAL
                           ? "logistic_regression"
                           : "linear_regression";
    for (int i = 4; i < argc; i++) {
        CHECK("finding a column to ignore", mlops_dataset_column_index(data, argv[i], &col));
        CHECK("ignoring a column", mlops_dataset_set_role(data, col, MLOPS_ROLE_IGNORE));
    }

    CHECK("creating the preprocessing chain", mlops_transform_create(&chain));
    CHECK("configuring the preprocessing chain", make_chain(chain));
    CHECK("creating the model", mlops_model_create(&model, kind));
    CHECK("giving the model its preprocessing", mlops_model_set_transform(model, chain));
    CHECK("setting the model card", mlops_model_card_set(model, "name", model_path));
    CHECK("setting the model card", mlops_model_card_set(model, "owner", "libmlops examples"));
    CHECK("setting the model card",
          mlops_model_card_set(model, "intended_use", "Example: how to train and save a model"));
    CHECK("setting the model card", mlops_model_card_set(model, "training_data", data_path));

    CHECK("fitting the model", mlops_model_fit(model, data));
    CHECK("saving the model", mlops_model_save(model, model_path));

    char hash[65];
    double rows = 0, iterations = 0, converged = 0;
    CHECK("reading the payload hash", mlops_model_payload_hash(model, hash, sizeof hash));
    CHECK("reading the training summary", mlops_model_info(model, "rows", &rows));
    CHECK("reading the training summary", mlops_model_info(model, "iterations", &iterations));
    CHECK("reading the training summary", mlops_model_info(model, "converged", &converged));

    printf("model       %s (%s)\n", model_path, kind);
    printf("rows        %.0f\n", rows);
    printf("target      %s\n", mlops_model_target_name(model));
    printf("classes     %zu", mlops_model_class_count(model));
    for (size_t k = 0; k < mlops_model_class_count(model); k++)
        printf("%s %s", k == 0 ? ":" : ",", mlops_model_class_label(model, k));
    printf("\nfeatures    %zu from %zu input columns\n", mlops_model_feature_count(model),
           mlops_model_input_count(model));
    printf("iterations  %.0f (%s)\n", iterations, converged != 0 ? "converged" : "NOT converged");
    printf("payload     sha256 %s\n", hash);
    status = fflush(stdout) == 0 ? 0 : 1;

done:
    mlops_model_free(model);
    mlops_transform_free(chain);
    mlops_dataset_free(data);
    mlops_set_logger(NULL, 0, NULL);
    return status;
}
