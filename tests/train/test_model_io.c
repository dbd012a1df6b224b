/* Model files and the model card: save/load round trips that predict bit
 * for bit as the original (linear, binary, multinomial, one-hot inputs),
 * identical bytes and payload hashes from file and buffer, a payload hash
 * that ignores the card but not the coefficients, every truncation and
 * thousands of flipped bits rejected, decoded values checked even when the
 * checksums are right, newer versions refused, allocation failures, the
 * card fields and the card JSON, and the golden version-1 model file. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mlops.h>

#include "core/alloc.h"
#include "core/container.h"
#include "core/numfmt.h"
#include "fault_alloc.h"
#include "runner.h"
#include "train/model_impl.h"

#ifndef GOLDEN_DIR
#error "GOLDEN_DIR must name tests/golden"
#endif
#ifndef DATA_DIR
#error "DATA_DIR must name tests/data"
#endif

#define OK(call) ck_assert_msg((call) == MLOPS_OK, "%s: %s", #call, mlops_last_error())

#define ASSERT_ERR(call, code, text)                                                     \
    do {                                                                                 \
        int rc_ = (call);                                                                \
        ck_assert_msg(rc_ == (code), "%s gave %d (%s)", #call, rc_, mlops_last_error()); \
        ck_assert_msg(strstr(mlops_last_error(), (text)) != NULL,                        \
                      "message '%s' lacks '%s'", mlops_last_error(), (text));            \
    } while (0)

/* ---- helpers ------------------------------------------------------------ */

static mlops_dataset *read_real(const char *stem, const char *target)
{
    char path[512], key[128];
    snprintf(path, sizeof path, "%s/real/%s.csv", DATA_DIR, stem);
    snprintf(key, sizeof key, "role.%s", target);
    mlops_csv_options *o;
    OK(mlops_csv_options_create(&o));
    OK(mlops_csv_options_set(o, key, "target"));
    mlops_dataset *d;
    OK(mlops_dataset_read_csv(&d, path, o));
    mlops_csv_options_free(o);
    return d;
}

/* A small table with a categorical input, for one-hot models, plus columns
 * a model must not take as inputs: a group, a sensitive one and weights. */
static mlops_dataset *colors(void)
{
    static const char csv[] =
        "x,color,region,size,age,w,y\n"
        "1.0,red,north,3,31,1,2.5\n2.0,blue,south,1,45,2,3.9\n3.5,green,north,2,52,1,6.1\n"
        "0.5,red,south,,23,0.5,1.2\n4.0,blue,north,5,67,1,7.7\n2.5,green,south,4,38,1,5.0\n"
        "1.5,,north,2,41,3,2.9\n3.0,red,south,1,29,1,5.6\n5.0,blue,north,3,60,1,9.8\n"
        "4.5,green,south,2,33,2,8.1\n0.0,red,north,4,50,1,0.3\n2.2,blue,south,3,44,1,4.4\n";
    mlops_csv_options *o;
    OK(mlops_csv_options_create(&o));
    OK(mlops_csv_options_set(o, "role.y", "target"));
    OK(mlops_csv_options_set(o, "role.w", "weight"));
    OK(mlops_csv_options_set(o, "role.region", "group"));
    OK(mlops_csv_options_set(o, "sensitive.age", "true"));
    mlops_dataset *d;
    OK(mlops_dataset_read_csv_memory(&d, csv, sizeof csv - 1, "colors.csv", o));
    mlops_csv_options_free(o);
    return d;
}

static mlops_transform *standardize_chain(void)
{
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "standardize", "*"), 0);
    return t;
}

static mlops_transform *onehot_chain(void)
{
    mlops_transform *t;
    OK(mlops_transform_create(&t));
    ck_assert_int_eq(mlops_transform_add(t, "impute", "size"), 0);
    OK(mlops_transform_set(t, 0, "strategy", "median"));
    ck_assert_int_eq(mlops_transform_add(t, "onehot", "color"), 1);
    OK(mlops_transform_set(t, 1, "unseen", "zeros"));
    ck_assert_int_eq(mlops_transform_add(t, "standardize", "x, size"), 2);
    return t;
}

/* Fits a model of `kind` on `d` with chain `t` (borrowed, may be NULL). */
static mlops_model *fit(const char *kind, const mlops_dataset *d, const mlops_transform *t)
{
    mlops_model *m;
    OK(mlops_model_create(&m, kind));
    if (t != NULL) OK(mlops_model_set_transform(m, t));
    OK(mlops_model_fit(m, d));
    return m;
}

static unsigned char *save(const mlops_model *m, size_t *len)
{
    unsigned char *b;
    OK(mlops_model_save_buffer(m, &b, len));
    return b;
}

static mlops_model *load(const unsigned char *b, size_t len)
{
    mlops_model *m;
    OK(mlops_model_load_buffer(&m, b, len));
    return m;
}

static void hash_of(const mlops_model *m, char hex[65])
{
    OK(mlops_model_payload_hash(m, hex, 65));
    ck_assert_uint_eq(strlen(hex), 64);
}

/* Every prediction and every coefficient of `b` has exactly the bits of
 * those of `a`. */
static void assert_same_model(const mlops_model *a, const mlops_model *b, const mlops_dataset *d)
{
    ck_assert_str_eq(mlops_model_kind(a), mlops_model_kind(b));
    ck_assert_uint_eq(mlops_model_input_count(a), mlops_model_input_count(b));
    for (size_t i = 0; i < mlops_model_input_count(a); i++) {
        ck_assert_str_eq(mlops_model_input_name(a, i), mlops_model_input_name(b, i));
        ck_assert_int_eq(mlops_model_input_type(a, i), mlops_model_input_type(b, i));
    }
    size_t p = mlops_model_feature_count(a), k = mlops_model_output_count(a);
    ck_assert_uint_eq(p, mlops_model_feature_count(b));
    ck_assert_uint_eq(k, mlops_model_output_count(b));
    for (size_t j = 0; j < p; j++)
        ck_assert_str_eq(mlops_model_feature_name(a, j), mlops_model_feature_name(b, j));
    ck_assert_uint_eq(mlops_model_class_count(a), mlops_model_class_count(b));
    for (size_t c = 0; c < mlops_model_class_count(a); c++)
        ck_assert_str_eq(mlops_model_class_label(a, c), mlops_model_class_label(b, c));
    ck_assert_str_eq(mlops_model_target_name(a), mlops_model_target_name(b));
    double *ca = malloc(p * k * sizeof *ca), *cb = malloc(p * k * sizeof *cb);
    double ia[64], ib[64];
    ck_assert(k <= 64);
    for (int u = MLOPS_COEF_MODEL; u <= MLOPS_COEF_STANDARDIZED; u++) {
        OK(mlops_model_coefficients(a, u, ca, p * k, ia, k));
        OK(mlops_model_coefficients(b, u, cb, p * k, ib, k));
        ck_assert(memcmp(ca, cb, p * k * sizeof *ca) == 0);
        ck_assert(memcmp(ia, ib, k * sizeof *ia) == 0);
    }
    free(ca);
    free(cb);
    static const char *const info[] = {"iterations", "converged", "objective", "gradient_norm",
                                       "rows",       "features",  "classes",   "weight_sum",
                                       "l2"};
    for (size_t i = 0; i < sizeof info / sizeof info[0]; i++) {
        double va, vb;
        OK(mlops_model_info(a, info[i], &va));
        OK(mlops_model_info(b, info[i], &vb));
        ck_assert_msg(memcmp(&va, &vb, sizeof va) == 0, "info %s: %.17g vs %.17g", info[i], va,
                      vb);
    }
    size_t rows = mlops_dataset_rows(d);
    for (int kind = MLOPS_PREDICT_VALUE; kind <= MLOPS_PREDICT_DECISION; kind++) {
        size_t w = mlops_model_output_width(a, kind);
        ck_assert_uint_eq(w, mlops_model_output_width(b, kind));
        if (w == 0) continue;
        double *pa = malloc(rows * w * sizeof *pa), *pb = malloc(rows * w * sizeof *pb);
        memset(pb, 0xa5, rows * w * sizeof *pb);
        OK(mlops_model_predict(a, d, kind, pa, rows * w));
        OK(mlops_model_predict(b, d, kind, pb, rows * w));
        ck_assert(memcmp(pa, pb, rows * w * sizeof *pa) == 0);
        free(pa);
        free(pb);
    }
    char *va, *vb;
    for (int key = 0; key < MLOPS__P_COUNT; key++) {
        OK(mlops_model_get_param(a, mlops__param_name(key), &va));
        OK(mlops_model_get_param(b, mlops__param_name(key), &vb));
        ck_assert_str_eq(va, vb);
        mlops_free(va);
        mlops_free(vb);
        ck_assert_int_eq(a->param_set[key], b->param_set[key]);
        /* and the settings the fit ran with */
        OK(mlops__param_text(&a->fit->params, key, &va));
        OK(mlops__param_text(&b->fit->params, key, &vb));
        ck_assert_str_eq(va, vb);
        mlops_free(va);
        mlops_free(vb);
        ck_assert_int_eq(a->fit->param_set[key], b->fit->param_set[key]);
    }
    for (int key = 0; key < MLOPS__CARD_TEXT_COUNT; key++) {
        OK(mlops_model_card_get(a, mlops__card_key_name(key), &va));
        OK(mlops_model_card_get(b, mlops__card_key_name(key), &vb));
        ck_assert_str_eq(va, vb);
        mlops_free(va);
        mlops_free(vb);
    }
    const char *qa = a->card[MLOPS__CARD_QUANTITATIVE_ANALYSIS],
               *qb = b->card[MLOPS__CARD_QUANTITATIVE_ANALYSIS];
    ck_assert_int_eq(qa == NULL, qb == NULL);
    if (qa != NULL) ck_assert_str_eq(qa, qb);
    ck_assert_str_eq(a->created, b->created);
    char ha[65], hb[65];
    hash_of(a, ha);
    hash_of(b, hb);
    ck_assert_str_eq(ha, hb);
}

/* Saves `m`, loads it back, checks it is the same model and that saving
 * the copy gives the same bytes. */
static void round_trip(const mlops_model *m, const mlops_dataset *d)
{
    size_t len, len2;
    unsigned char *b = save(m, &len);
    mlops_model *copy = load(b, len);
    assert_same_model(m, copy, d);
    unsigned char *b2 = save(copy, &len2);
    ck_assert_uint_eq(len, len2);
    ck_assert(memcmp(b, b2, len) == 0);
    mlops_model_free(copy);
    mlops_free(b);
    mlops_free(b2);
}

static void set_card(mlops_model *m)
{
    OK(mlops_model_card_set(m, "name", "iris-species"));
    OK(mlops_model_card_set(m, "version", "1.0.0"));
    OK(mlops_model_card_set(m, "owner", "Statistics Office, Unit B"));
    OK(mlops_model_card_set(m, "license", "CC-BY-4.0"));
    OK(mlops_model_card_set(m, "intended_use", "teaching: species from flower measures"));
    OK(mlops_model_card_set(m, "caveats", "150 flowers from one region \xe2\x80\x94 small"));
}

/* ---- round trips -------------------------------------------------------- */

START_TEST(linear_round_trip_is_bit_identical)
{
    mlops_dataset *d = read_real("diabetes", "target");
    mlops_model *m = fit("linear_regression", d, NULL);
    ck_assert_uint_eq(mlops_model_output_count(m), 1);
    round_trip(m, d);
    /* with a chain, ridge and explicit settings */
    mlops_model_free(m);
    mlops_transform *t = standardize_chain();
    OK(mlops_model_create(&m, "linear_regression"));
    OK(mlops_model_set_param(m, "l2", "0.25"));
    OK(mlops_model_set_param(m, "seed", "18446744073709551615"));
    OK(mlops_model_set_param(m, "fit_intercept", "true"));
    OK(mlops_model_set_transform(m, t));
    OK(mlops_model_fit(m, d));
    round_trip(m, d);
    /* the matrix and raw-row paths of the copy give the original's bits */
    size_t len;
    unsigned char *b = save(m, &len);
    mlops_model *copy = load(b, len);
    size_t rows = mlops_dataset_rows(d), cols[10];
    for (size_t j = 0; j < 10; j++) {
        ck_assert_str_eq(mlops_model_input_name(copy, j), mlops_dataset_column_name(d, j));
        cols[j] = j;
    }
    double *x = malloc(rows * 10 * sizeof *x), *ya = malloc(rows * sizeof *ya),
           *yb = malloc(rows * sizeof *yb);
    OK(mlops_dataset_to_matrix(d, cols, 10, x, rows * 10));
    OK(mlops_model_predict_matrix(m, x, rows, 10, MLOPS_PREDICT_VALUE, ya, rows));
    OK(mlops_model_predict_matrix(copy, x, rows, 10, MLOPS_PREDICT_VALUE, yb, rows));
    ck_assert(memcmp(ya, yb, rows * sizeof *ya) == 0);
    for (size_t i = 0; i < rows; i += 37) {
        double one, orig;
        OK(mlops_model_predict_row(m, x + i * 10, 10, MLOPS_PREDICT_VALUE, &orig, 1));
        OK(mlops_model_predict_row(copy, x + i * 10, 10, MLOPS_PREDICT_VALUE, &one, 1));
        ck_assert(memcmp(&one, &orig, sizeof one) == 0);
    }
    free(x);
    free(ya);
    free(yb);
    mlops_model_free(copy);
    mlops_free(b);
    mlops_transform_free(t);
    mlops_model_free(m);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(binary_round_trip_is_bit_identical)
{
    mlops_dataset *d = read_real("breast_cancer", "target");
    mlops_transform *t = standardize_chain();
    mlops_model *m = fit("logistic_regression", d, t);
    ck_assert_uint_eq(mlops_model_class_count(m), 2);
    ck_assert_uint_eq(mlops_model_output_count(m), 1);
    ck_assert_str_eq(mlops_model_class_label(m, 0), "0");
    ck_assert_str_eq(mlops_model_class_label(m, 1), "1");
    ck_assert(m->fit->class_values != NULL);
    round_trip(m, d);
    /* settings changed after fitting are for the next fit: saved, loaded,
     * not part of the payload */
    char h0[65], h1[65];
    hash_of(m, h0);
    OK(mlops_model_set_param(m, "l2", "3"));
    OK(mlops_model_set_param(m, "max_iter", "17"));
    hash_of(m, h1);
    ck_assert_str_eq(h0, h1);
    round_trip(m, d);
    size_t len;
    unsigned char *b = save(m, &len);
    mlops_model *copy = load(b, len);
    char *v;
    OK(mlops_model_get_param(copy, "max_iter", &v));
    ck_assert_str_eq(v, "17");
    mlops_free(v);
    ck_assert(copy->param_set[MLOPS__P_MAX_ITER]);
    ck_assert(!copy->fit->param_set[MLOPS__P_MAX_ITER]);
    double l2;
    OK(mlops_model_info(copy, "l2", &l2));
    ck_assert(l2 == 1e-4);
    hash_of(copy, h1);
    ck_assert_str_eq(h0, h1);
    mlops_model_free(copy);
    mlops_free(b);
    mlops_model_free(m);
    /* without a chain, newton, balanced classes */
    OK(mlops_model_create(&m, "logistic_regression"));
    OK(mlops_model_set_param(m, "solver", "newton"));
    OK(mlops_model_set_param(m, "class_weight", "balanced"));
    OK(mlops_model_set_param(m, "l2", "0.01"));
    OK(mlops_model_fit(m, d));
    round_trip(m, d);
    mlops_model_free(m);
    mlops_transform_free(t);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(multinomial_round_trip_is_bit_identical)
{
    mlops_dataset *d = read_real("iris", "species");
    mlops_transform *t = standardize_chain();
    mlops_model *m;
    OK(mlops_model_create(&m, "logistic_regression"));
    OK(mlops_model_set_param(m, "max_iter", "500"));
    OK(mlops_model_set_param(m, "lbfgs_memory", "7"));
    OK(mlops_model_set_param(m, "tol", "1e-9"));
    OK(mlops_model_set_transform(m, t));
    OK(mlops_model_fit(m, d));
    set_card(m);
    ck_assert_uint_eq(mlops_model_class_count(m), 3);
    ck_assert_uint_eq(mlops_model_output_count(m), 3);
    ck_assert_str_eq(mlops_model_class_label(m, 2), "virginica");
    ck_assert_ptr_null(m->fit->class_values);
    round_trip(m, d);
    mlops_model_free(m);
    mlops_transform_free(t);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(onehot_round_trip_is_bit_identical)
{
    mlops_dataset *d = colors();
    mlops_transform *t = onehot_chain();
    mlops_model *m = fit("linear_regression", d, t);
    ck_assert_uint_eq(mlops_model_input_count(m), 3); /* x, color, size */
    ck_assert_str_eq(mlops_model_input_name(m, 2), "size");
    ck_assert_int_eq(mlops_model_input_type(m, 1), MLOPS_CATEGORICAL);
    ck_assert_str_eq(m->fit->weight, "w");
    double wsum;
    OK(mlops_model_info(m, "weight_sum", &wsum));
    ck_assert(wsum == 15.5);
    int onehot = 0;
    for (size_t j = 0; j < mlops_model_feature_count(m); j++)
        onehot += strncmp(mlops_model_feature_name(m, j), "color=", 6) == 0;
    ck_assert_int_eq(onehot, 4); /* blue, green, red, __missing__ */
    round_trip(m, d);
    /* a category never seen in training, replayed by the loaded chain */
    static const char csv[] = "x,color,size\n2.0,purple,3\n1.0,red,\n";
    mlops_dataset *fresh;
    OK(mlops_dataset_read_csv_memory(&fresh, csv, sizeof csv - 1, "fresh.csv", NULL));
    size_t len;
    unsigned char *b = save(m, &len);
    mlops_model *copy = load(b, len);
    double ya[2], yb[2];
    OK(mlops_model_predict(m, fresh, MLOPS_PREDICT_VALUE, ya, 2));
    OK(mlops_model_predict(copy, fresh, MLOPS_PREDICT_VALUE, yb, 2));
    ck_assert(memcmp(ya, yb, sizeof ya) == 0);
    /* the copy keeps its chain as a template and refits to the same model */
    mlops_model *refit;
    OK(mlops_model_load_buffer(&refit, b, len));
    OK(mlops_model_fit(refit, d));
    char h1[65], h2[65];
    hash_of(m, h1);
    hash_of(refit, h2);
    ck_assert_str_eq(h1, h2);
    mlops_model_free(refit);
    mlops_model_free(copy);
    mlops_free(b);
    mlops_dataset_free(fresh);
    mlops_model_free(m);
    mlops_transform_free(t);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- files, bytes and the payload hash ------------------------------- */

static unsigned char *read_whole(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return b;
}

START_TEST(file_and_buffer_agree)
{
    char dir[] = "/tmp/mlops-test-model-io-XXXXXX", path[128];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/iris.mlm", dir);
    mlops_dataset *d = read_real("iris", "species");
    mlops_transform *t = standardize_chain();
    mlops_model *m = fit("logistic_regression", d, t);
    set_card(m);
    size_t blen, flen, f2len;
    unsigned char *b = save(m, &blen);
    OK(mlops_model_save(m, path));
    unsigned char *fb = read_whole(path, &flen);
    ck_assert_uint_eq(blen, flen);
    ck_assert(memcmp(b, fb, blen) == 0);
    mlops_model *fm;
    OK(mlops_model_load(&fm, path));
    assert_same_model(m, fm, d);
    /* saving over the file replaces it atomically with the same bytes */
    OK(mlops_model_save(fm, path));
    unsigned char *fb2 = read_whole(path, &f2len);
    ck_assert_uint_eq(f2len, blen);
    ck_assert(memcmp(fb2, b, blen) == 0);
    char h1[65], h2[65];
    hash_of(m, h1);
    hash_of(fm, h2);
    ck_assert_str_eq(h1, h2);
    /* the file names: magic, kind MODL, kind version 1 */
    ck_assert(memcmp(b, "\x89MLOPS\r\n", 8) == 0);
    ck_assert(memcmp(b + 12, "MODL", 4) == 0);
    ck_assert_uint_eq(b[16], 1);
    /* a file that does not exist, a directory, a file of another kind */
    char missing[160];
    snprintf(missing, sizeof missing, "%s/none.mlm", dir);
    mlops_model *x = NULL;
    ASSERT_ERR(mlops_model_load(&x, missing), MLOPS_ENOTFOUND, "none.mlm");
    ck_assert_ptr_null(x);
    ck_assert_int_lt(mlops_model_load(&x, dir), 0);
    char bad[160];
    snprintf(bad, sizeof bad, "%s/sub/none.mlm", dir);
    ck_assert_int_eq(mlops_model_save(m, bad) < 0, 1);
    mlops__container_writer w;
    OK(mlops__cw_init(&w, "PROF", 1));
    unsigned char *other;
    size_t olen;
    OK(mlops__cw_finish(&w, &other, &olen));
    mlops__cw_free(&w);
    ASSERT_ERR(mlops_model_load_buffer(&x, other, olen), MLOPS_EFORMAT, "'PROF'");
    mlops__free(other);
    ASSERT_ERR(mlops_model_load_buffer(&x, "hello world, not a model", 24), MLOPS_EFORMAT,
               "not a libmlops file");
    ASSERT_ERR(mlops_model_load_buffer(&x, NULL, 0), MLOPS_EFORMAT, "not a libmlops file");
    ck_assert_ptr_null(x);
    unlink(path);
    rmdir(dir);
    free(fb);
    free(fb2);
    mlops_free(b);
    mlops_model_free(fm);
    mlops_model_free(m);
    mlops_transform_free(t);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* The quantitative analysis a report attaches is kept outside the hash,
 * survives a round trip, and a stored text that is not JSON is refused. */
START_TEST(analysis_round_trips_and_is_checked)
{
    mlops_dataset *d = read_real("iris", "species");
    mlops_model *m = fit("logistic_regression", d, NULL);
    char h0[65], h[65];
    hash_of(m, h0);
    OK(mlops__model_set_analysis(m, "{\"metrics\":{\"accuracy\":0.97}}"));
    ck_assert_int_eq(mlops__model_set_analysis(m, "{\"metrics\":"), MLOPS_EINVAL);
    hash_of(m, h);
    ck_assert_str_eq(h, h0);
    size_t len;
    unsigned char *b = save(m, &len);
    mlops_model *copy = load(b, len);
    ck_assert_str_eq(copy->card[MLOPS__CARD_QUANTITATIVE_ANALYSIS],
                     "{\"metrics\":{\"accuracy\":0.97}}");
    char *card;
    OK(mlops_model_card_json(copy, &card));
    ck_assert_ptr_nonnull(strstr(card, "\"quantitative_analysis\": {\"metrics\""));
    mlops_free(card);
    mlops_model_free(copy);
    mlops_free(b);
    /* bypass the check to store broken text: loading must refuse it */
    char *broken = mlops__strdup("{\"metrics\": [1, }", "test");
    mlops__free(m->card[MLOPS__CARD_QUANTITATIVE_ANALYSIS]);
    m->card[MLOPS__CARD_QUANTITATIVE_ANALYSIS] = broken;
    b = save(m, &len);
    mlops_model *bad = NULL;
    ck_assert_int_eq(mlops_model_load_buffer(&bad, b, len), MLOPS_ECORRUPT);
    ck_assert_ptr_null(bad);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "not valid JSON"));
    mlops_free(b);
    mlops_model_free(m);
    mlops_dataset_free(d);
    ck_assert_int_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(payload_hash_ignores_the_card_only)
{
    mlops_dataset *d = read_real("iris", "species");
    mlops_model *m = fit("logistic_regression", d, NULL);
    char h0[65], h[65];
    hash_of(m, h0);
    size_t len0, len;
    unsigned char *b0 = save(m, &len0);
    /* card fields and the creation time change the file, not the hash */
    set_card(m);
    memcpy(m->created, "1999-12-31T23:59:59Z", 21);
    hash_of(m, h);
    ck_assert_str_eq(h, h0);
    unsigned char *b = save(m, &len);
    ck_assert(len != len0 || memcmp(b, b0, len) != 0);
    mlops_model *copy = load(b, len);
    ck_assert_str_eq(copy->created, "1999-12-31T23:59:59Z");
    hash_of(copy, h);
    ck_assert_str_eq(h, h0);
    mlops_model_free(copy);
    mlops_free(b);
    /* a refit on the same data gives the same hash */
    mlops_model *again = fit("logistic_regression", d, NULL);
    hash_of(again, h);
    ck_assert_str_eq(h, h0);
    mlops_model_free(again);
    /* one coefficient one ulp away, an intercept, a class count, a setting:
     * each changes the hash */
    double c = m->fit->coef[5];
    m->fit->coef[5] = nextafter(c, INFINITY);
    hash_of(m, h);
    ck_assert_str_ne(h, h0);
    m->fit->coef[5] = c;
    hash_of(m, h);
    ck_assert_str_eq(h, h0);
    double b1 = m->fit->intercept[1];
    m->fit->intercept[1] = -b1;
    hash_of(m, h);
    ck_assert_str_ne(h, h0);
    m->fit->intercept[1] = b1;
    m->fit->class_counts[0]++;
    hash_of(m, h);
    ck_assert_str_ne(h, h0);
    m->fit->class_counts[0]--;
    /* a setting changed after the fit describes the next fit, not this one */
    OK(mlops_model_set_param(m, "seed", "7"));
    hash_of(m, h);
    ck_assert_str_eq(h, h0);
    m->fit->params.seed = 7;
    hash_of(m, h);
    ck_assert_str_ne(h, h0);
    /* the hash is SHA-256 hex */
    for (size_t i = 0; i < 64; i++)
        ck_assert(strchr("0123456789abcdef", h0[i]) != NULL);
    /* arguments and state */
    char small[64];
    ASSERT_ERR(mlops_model_payload_hash(m, small, sizeof small), MLOPS_EINVAL, "65");
    ASSERT_ERR(mlops_model_payload_hash(NULL, h, 65), MLOPS_EINVAL, "NULL");
    ASSERT_ERR(mlops_model_payload_hash(m, NULL, 65), MLOPS_EINVAL, "NULL");
    mlops_model *unfitted;
    OK(mlops_model_create(&unfitted, "linear_regression"));
    ASSERT_ERR(mlops_model_payload_hash(unfitted, h, 65), MLOPS_ESTATE, "not fitted");
    unsigned char *ub;
    size_t ulen;
    ASSERT_ERR(mlops_model_save_buffer(unfitted, &ub, &ulen), MLOPS_ESTATE, "not fitted");
    ASSERT_ERR(mlops_model_save(unfitted, "/tmp/never-written.mlm"), MLOPS_ESTATE,
               "not fitted");
    ck_assert_int_eq(access("/tmp/never-written.mlm", F_OK), -1);
    char *js;
    ASSERT_ERR(mlops_model_card_json(unfitted, &js), MLOPS_ESTATE, "not fitted");
    ASSERT_ERR(mlops_model_save_buffer(NULL, &ub, &ulen), MLOPS_EINVAL, "NULL");
    ASSERT_ERR(mlops_model_save_buffer(m, NULL, &ulen), MLOPS_EINVAL, "NULL");
    ASSERT_ERR(mlops_model_save_buffer(m, &ub, NULL), MLOPS_EINVAL, "NULL");
    ASSERT_ERR(mlops_model_save(m, NULL), MLOPS_EINVAL, "NULL");
    ASSERT_ERR(mlops_model_load(NULL, "x"), MLOPS_EINVAL, "NULL");
    mlops_model *x;
    ASSERT_ERR(mlops_model_load(&x, NULL), MLOPS_EINVAL, "NULL");
    ASSERT_ERR(mlops_model_load_buffer(NULL, b0, len0), MLOPS_EINVAL, "NULL");
    ASSERT_ERR(mlops_model_load_buffer(&x, NULL, 5), MLOPS_EINVAL, "NULL");
    mlops_model_free(unfitted);
    mlops_free(b0);
    mlops_model_free(m);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- damage ------------------------------------------------------------- */

/* A saved multinomial model with a chain and a card: every section. */
static unsigned char *iris_file(size_t *len)
{
    mlops_dataset *d = read_real("iris", "species");
    mlops_transform *t = standardize_chain();
    mlops_model *m = fit("logistic_regression", d, t);
    set_card(m);
    unsigned char *b = save(m, len);
    mlops_model_free(m);
    mlops_transform_free(t);
    mlops_dataset_free(d);
    return b;
}

static int is_rejection(int rc)
{
    return rc == MLOPS_ECORRUPT || rc == MLOPS_EFORMAT || rc == MLOPS_EVERSION;
}

START_TEST(every_truncation_is_rejected)
{
    size_t len;
    unsigned char *b = iris_file(&len);
    ck_assert_uint_gt(len, 500);
    for (size_t n = 0; n < len; n++) {
        mlops_model *m = NULL;
        int rc = mlops_model_load_buffer(&m, b, n);
        if (n < 8) ck_assert_msg(rc == MLOPS_EFORMAT, "%zu bytes: %d", n, rc);
        else ck_assert_msg(rc == MLOPS_ECORRUPT, "%zu bytes: %d (%s)", n, rc, mlops_last_error());
        ck_assert_ptr_null(m);
    }
    /* one byte too many */
    unsigned char *longer = malloc(len + 1);
    memcpy(longer, b, len);
    longer[len] = 0;
    mlops_model *m = NULL;
    ASSERT_ERR(mlops_model_load_buffer(&m, longer, len + 1), MLOPS_ECORRUPT,
               "unexpected bytes after the last section");
    free(longer);
    mlops_free(b);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(flipped_bits_are_rejected)
{
    size_t len;
    unsigned char *b = iris_file(&len);
    const size_t flips = 4096, bits = len * 8;
    unsigned char *copy = malloc(len);
    size_t by_code[3] = {0, 0, 0};
    for (size_t i = 0; i < flips; i++) {
        size_t bit = (size_t)((unsigned long long)i * bits / flips) + (i % 7);
        if (bit >= bits) bit = bits - 1;
        memcpy(copy, b, len);
        copy[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        mlops_model *m = NULL;
        int rc = mlops_model_load_buffer(&m, copy, len);
        ck_assert_msg(is_rejection(rc), "bit %zu: %d (%s)", bit, rc, mlops_last_error());
        ck_assert_ptr_null(m);
        by_code[rc == MLOPS_ECORRUPT ? 0 : rc == MLOPS_EFORMAT ? 1 : 2]++;
    }
    /* the magic (first 8 bytes) says EFORMAT, everything else is covered by
     * a checksum */
    ck_assert_uint_gt(by_code[0], flips * 9 / 10);
    ck_assert_uint_gt(by_code[1], 0);
    free(copy);
    mlops_free(b);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* Rewrites a model file section by section with correct checksums, letting
 * `edit` change a section's bytes (it may reallocate them with malloc), so
 * the decoder's own checks are what must catch the change. */
typedef struct section_copy {
    char tag[5];
    unsigned char *data;
    size_t len;
} section_copy;

typedef struct image {
    section_copy s[16];
    size_t n;
    uint32_t kind_version;
    bool compress; /* every other section, to show readers take both */
} image;

static void split(const unsigned char *b, size_t len, image *im)
{
    mlops__container c;
    OK(mlops__container_parse(&c, b, len, "test", "MODL"));
    memset(im, 0, sizeof *im);
    im->kind_version = c.kind_version;
    for (size_t i = 0; i < c.count; i++) {
        unsigned char *raw;
        size_t n;
        OK(mlops__container_read(&c, c.sections[i].tag, &raw, &n));
        memcpy(im->s[i].tag, c.sections[i].tag, 5);
        im->s[i].data = malloc(n + 1);
        memcpy(im->s[i].data, raw, n);
        im->s[i].len = n;
        mlops__free(raw);
    }
    im->n = c.count;
    mlops__container_free(&c);
}

static void image_free(image *im)
{
    for (size_t i = 0; i < im->n; i++) free(im->s[i].data);
    im->n = 0;
}

static section_copy *section(image *im, const char *tag)
{
    for (size_t i = 0; i < im->n; i++)
        if (strcmp(im->s[i].tag, tag) == 0) return &im->s[i];
    ck_abort_msg("no section %s", tag);
    return NULL;
}

static unsigned char *join(const image *im, size_t *len)
{
    mlops__container_writer w;
    OK(mlops__cw_init(&w, "MODL", im->kind_version));
    for (size_t i = 0; i < im->n; i++)
        OK(mlops__cw_add(&w, im->s[i].tag, im->s[i].data, im->s[i].len,
                         im->compress && i % 2 == 0));
    unsigned char *out;
    OK(mlops__cw_finish(&w, &out, len));
    mlops__cw_free(&w);
    return out;
}

static int load_image(const image *im)
{
    size_t len;
    unsigned char *b = join(im, &len);
    mlops_model *m = NULL;
    int rc = mlops_model_load_buffer(&m, b, len);
    mlops_model_free(m);
    mlops__free(b);
    return rc;
}

static void put_f64_at(unsigned char *p, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(bits >> (8 * i));
}

static void drop_section(image *im, const char *tag)
{
    section_copy *s = section(im, tag);
    free(s->data);
    *s = im->s[--im->n];
}

static void add_section(image *im, const char *tag)
{
    section_copy *s = &im->s[im->n++];
    memcpy(s->tag, tag, 5);
    s->data = malloc(1);
    s->len = 0;
}

static void append_byte(section_copy *s, unsigned char v)
{
    s->data = realloc(s->data, s->len + 1);
    s->data[s->len++] = v;
}

START_TEST(decoded_values_are_checked)
{
    size_t len;
    unsigned char *b = iris_file(&len);
    image im;
    /* unchanged sections, partly compressed, still load */
    split(b, len, &im);
    ck_assert_uint_eq(im.n, 9);
    im.compress = true;
    ck_assert_int_eq(load_image(&im), MLOPS_OK);
    image_free(&im);

#define CASE(edit, code, text)                                    \
    do {                                                          \
        split(b, len, &im);                                       \
        edit;                                                     \
        ASSERT_ERR(load_image(&im), code, text);                  \
        image_free(&im);                                          \
    } while (0)

    /* a newer model format, version 0, another kind */
    CASE(im.kind_version = 2, MLOPS_EVERSION, "model format version 2 is newer");
    CASE(im.kind_version = 0, MLOPS_ECORRUPT, "version 0");
    /* HEAD: kind, settings, trailing bytes */
    CASE(section(&im, "HEAD")->data[0] = 3, MLOPS_ECORRUPT, "section 'HEAD' field 'kind'");
    CASE(section(&im, "HEAD")->data[0] = 1, MLOPS_ECORRUPT,
         "section 'CLAS' field 'class count': a linear_regression model has no classes");
    CASE(put_f64_at(section(&im, "HEAD")->data + 1, -1.0), MLOPS_ECORRUPT,
         "section 'HEAD' field 'l2'");
    CASE(put_f64_at(section(&im, "HEAD")->data + 1, NAN), MLOPS_ECORRUPT,
         "section 'HEAD' field 'l2'");
    CASE(section(&im, "HEAD")->data[9] = 2, MLOPS_ECORRUPT, "field 'fit_intercept'");
    CASE(memset(section(&im, "HEAD")->data + 10, 0, 4), MLOPS_ECORRUPT, "field 'max_iter'");
    CASE(put_f64_at(section(&im, "HEAD")->data + 14, 0.0), MLOPS_ECORRUPT, "field 'tol'");
    CASE(section(&im, "HEAD")->data[22] = 9, MLOPS_ECORRUPT, "field 'solver'");
    CASE(section(&im, "HEAD")->data[23] = 101, MLOPS_ECORRUPT, "field 'lbfgs_memory'");
    CASE(section(&im, "HEAD")->data[27] = 2, MLOPS_ECORRUPT, "field 'class_weight'");
    CASE(section(&im, "HEAD")->data[37] = 0xff, MLOPS_ECORRUPT, "field 'threads'");
    CASE(section(&im, "HEAD")->data[40] = 7, MLOPS_ECORRUPT, "field 'warm_start'");
    CASE(section(&im, "HEAD")->data[41] = 3, MLOPS_ECORRUPT, "field 'fingerprint'");
    CASE(section(&im, "HEAD")->data[43] = 0x80, MLOPS_ECORRUPT, "field 'set mask'");
    CASE(section(&im, "HEAD")->data[44] = 2, MLOPS_ECORRUPT, "field 'has_chain'");
    CASE(section(&im, "HEAD")->data[44] = 0, MLOPS_ECORRUPT,
         "model section 'TRAN' is present although section 'HEAD' says the model has no chain");
    CASE(append_byte(section(&im, "HEAD"), 0), MLOPS_ECORRUPT,
         "section 'HEAD' field 'end': 1 unexpected bytes");
    CASE(section(&im, "HEAD")->len--, MLOPS_ECORRUPT, "section 'HEAD' field 'has_chain'");
    /* SCHM: counts, types, names */
    CASE(section(&im, "SCHM")->data[0] = 0, MLOPS_ECORRUPT, "field 'input count'");
    CASE(section(&im, "SCHM")->data[0] = 200, MLOPS_ECORRUPT, "field 'input count'");
    CASE(section(&im, "SCHM")->data[4 + 4 + 12] = 9, MLOPS_ECORRUPT,
         "section 'SCHM' field 'inputs[0].type'");
    CASE(section(&im, "SCHM")->data[4 + 4] = 0xff, MLOPS_ECORRUPT, "not valid UTF-8");
    CASE(section(&im, "SCHM")->data[4 + 4] = 0, MLOPS_ECORRUPT, "NUL");
    CASE(memcpy(section(&im, "SCHM")->data + 4 + 17 + 16 + 4, "sepal_length", 12),
         MLOPS_ECORRUPT, "input 'sepal_length' appears twice");
    CASE(section(&im, "SCHM")->data[4 + 4 + 12] = 2, MLOPS_ECORRUPT,
         "section 'SCHM' field 'inputs[0]': the chain's training data in section 'TRAN' has "
         "input 'sepal_length' (numeric) here");
    CASE(section(&im, "SCHM")->data[4 + 4] = 'S', MLOPS_ECORRUPT,
         "has input 'sepal_length' (numeric) here");
    CASE(section(&im, "SCHM")->data[74] = 'S', MLOPS_ECORRUPT,
         "field 'target': 'Species' is not the one target column");
    /* FEAT: a name the chain does not produce */
    CASE(section(&im, "FEAT")->data[8] = 'S', MLOPS_ECORRUPT,
         "section 'FEAT' field 'features[0]': the chain in section 'TRAN' outputs feature "
         "'sepal_length' here");
    CASE(section(&im, "FEAT")->data[0] = 5, MLOPS_ECORRUPT, "section 'FEAT'");
    /* CLAS: order, counts */
    CASE(section(&im, "CLAS")->data[0] = 1, MLOPS_ECORRUPT, "at least 2 classes");
    CASE(section(&im, "CLAS")->data[4] = 1, MLOPS_ECORRUPT, "section 'CLAS'");
    CASE(section(&im, "CLAS")->data[4 + 1 + 4] = 'z', MLOPS_ECORRUPT,
         "does not follow 'zetosa' in byte order");
    CASE(section(&im, "CLAS")->data[4 + 1 + 4 + 6] = 51, MLOPS_ECORRUPT,
         "the class counts in section 'CLAS' add up to");
    /* COEF: sizes and values */
    CASE(section(&im, "COEF")->data[0] = 1, MLOPS_ECORRUPT, "field 'output count'");
    CASE(section(&im, "COEF")->data[4] = 5, MLOPS_ECORRUPT, "field 'feature count'");
    CASE(put_f64_at(section(&im, "COEF")->data + 8 + 8 * 5, NAN), MLOPS_ECORRUPT,
         "section 'COEF' field 'coefficients[1][1]': value is not finite");
    CASE(put_f64_at(section(&im, "COEF")->data + 8 + 8 * 12 + 8, INFINITY), MLOPS_ECORRUPT,
         "field 'intercepts[1]'");
    CASE(put_f64_at(section(&im, "COEF")->data + 8 + 8 * 15, -1.0), MLOPS_ECORRUPT,
         "field 'raw_std[0]': -1 is negative");
    CASE(section(&im, "COEF")->len -= 8, MLOPS_ECORRUPT, "section 'COEF' field 'raw_std[3]'");
    /* TRAI: rows, solver, fingerprint */
    CASE(section(&im, "TRAI")->data[0] = 149, MLOPS_ECORRUPT,
         "section 'TRAI' field 'rows': 149");
    CASE(memset(section(&im, "TRAI")->data, 0, 8), MLOPS_ECORRUPT, "field 'rows'");
    CASE(put_f64_at(section(&im, "TRAI")->data + 8, 0.0), MLOPS_ECORRUPT, "field 'weight_sum'");
    CASE(section(&im, "TRAI")->data[16] = MLOPS__SOLVER_CHOLESKY, MLOPS_ECORRUPT,
         "section 'TRAI' field 'solver'");
    CASE(section(&im, "TRAI")->data[16] = MLOPS__SOLVER_AUTO, MLOPS_ECORRUPT,
         "section 'TRAI' field 'solver'");
    CASE(section(&im, "TRAI")->data[21] = 5, MLOPS_ECORRUPT, "field 'converged'");
    CASE(put_f64_at(section(&im, "TRAI")->data + 22, NAN), MLOPS_ECORRUPT, "field 'objective'");
    CASE(put_f64_at(section(&im, "TRAI")->data + 30, -1), MLOPS_ECORRUPT,
         "field 'gradient_norm'");
    CASE(section(&im, "TRAI")->data[38 + 4] = 'G', MLOPS_ECORRUPT, "field 'fingerprint'");
    /* TRAN: the embedded chain has its own checks */
    CASE(section(&im, "TRAN")->data[20] ^= 1, MLOPS_ECORRUPT, "model section 'TRAN'");
    CASE(section(&im, "TRAN")->data[0] = 'X', MLOPS_ECORRUPT, "model section 'TRAN'");
    /* NEXT: the settings for the next fit, checked as those of HEAD */
    CASE(put_f64_at(section(&im, "NEXT")->data, NAN), MLOPS_ECORRUPT,
         "section 'NEXT' field 'l2'");
    CASE(section(&im, "NEXT")->data[21] = 1, MLOPS_ECORRUPT, "section 'NEXT' field 'solver'");
    CASE(append_byte(section(&im, "NEXT"), 0), MLOPS_ECORRUPT, "section 'NEXT' field 'end'");
    CASE(drop_section(&im, "NEXT"), MLOPS_ECORRUPT, "model section 'NEXT' is missing");
    /* CARD */
    CASE(section(&im, "CARD")->data[4 + 4] = 'x', MLOPS_ECORRUPT, "field 'created'");
    CASE(section(&im, "CARD")->data[section(&im, "CARD")->len - 1] = 0xc0, MLOPS_ECORRUPT,
         "section 'CARD' field 'caveats': text is not valid UTF-8");
    /* missing, unknown and optional sections */
    CASE(drop_section(&im, "CARD"), MLOPS_ECORRUPT, "model section 'CARD' is missing");
    CASE(drop_section(&im, "COEF"), MLOPS_ECORRUPT, "model section 'COEF' is missing");
    CASE(drop_section(&im, "TRAN"), MLOPS_ECORRUPT,
         "model section 'TRAN' is missing although section 'HEAD' says the model has a chain");
    CASE(add_section(&im, "XTRA"), MLOPS_ECORRUPT, "unknown model section 'XTRA'");
    /* without a chain the features must be the raw inputs */
    CASE((drop_section(&im, "TRAN"), section(&im, "HEAD")->data[44] = 0,
          section(&im, "FEAT")->data[8] = 'S'),
         MLOPS_ECORRUPT, "'Sepal_length' is not input 'sepal_length'");
#undef CASE
    mlops_free(b);
    /* a weighted one-hot model: drop the weight column from the schema */
    mlops_dataset *d = colors();
    mlops_transform *t = onehot_chain();
    mlops_model *m = fit("linear_regression", d, t);
    b = save(m, &len);
    split(b, len, &im);
    section_copy *schm = section(&im, "SCHM");
    ck_assert(memcmp(schm->data + schm->len - 6, "\x01\x01\0\0\0w", 6) == 0);
    schm->len -= 5;
    schm->data[schm->len - 1] = 0;
    ASSERT_ERR(load_image(&im), MLOPS_ECORRUPT,
               "section 'SCHM' field 'weight': the chain's training data in section 'TRAN' has "
               "weight column 'w'");
    image_free(&im);
    mlops_free(b);
    mlops_model_free(m);
    mlops_transform_free(t);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* Damage with correct checksums anywhere in every section: the decoder must
 * refuse or accept, never crash, leak or read out of bounds (run under
 * ASan and valgrind). */
START_TEST(section_damage_never_crashes)
{
    size_t len;
    unsigned char *b = iris_file(&len);
    image im;
    split(b, len, &im);
    size_t sections = im.n;
    image_free(&im);
    size_t accepted = 0, rejected = 0;
    for (size_t s = 0; s < sections; s++) {
        split(b, len, &im);
        size_t n = im.s[s].len;
        image_free(&im);
        /* about 150 offsets per section; 50 under valgrind (MLOPS_TEST_SHORT) */
        size_t step = n / (getenv("MLOPS_TEST_SHORT") != NULL ? 50 : 150) + 1;
        for (size_t pos = 0; pos < n; pos += step)
            for (unsigned v = 0; v < 3; v++) {
                split(b, len, &im);
                static const unsigned char x[3] = {0x01, 0x80, 0xff};
                im.s[s].data[pos] ^= x[v];
                int rc = load_image(&im);
                if (rc == MLOPS_OK) accepted++;
                else {
                    ck_assert_msg(rc == MLOPS_ECORRUPT || rc == MLOPS_EVERSION,
                                  "section %zu byte %zu: %d (%s)", s, pos, rc,
                                  mlops_last_error());
                    rejected++;
                }
                image_free(&im);
            }
        /* truncations of the section */
        for (size_t cut = 0; cut < n; cut += 3 * step) {
            split(b, len, &im);
            im.s[s].len = cut;
            ck_assert_int_eq(load_image(&im), MLOPS_ECORRUPT);
            image_free(&im);
        }
    }
    /* changing a coefficient's bits is undetectable by design; most
     * damage is not */
    ck_assert_uint_gt(accepted, 0);
    ck_assert_uint_gt(rejected, accepted);
    mlops_free(b);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- allocation failures ---------------------------------------------- */

typedef struct sweep_ctx {
    const mlops_model *m;
    const unsigned char *bytes;
    size_t len;
    mlops_model *made;
    char path[160];
} sweep_ctx;

static int op_save_buffer(void *p)
{
    sweep_ctx *c = p;
    unsigned char *b;
    size_t n;
    int rc = mlops_model_save_buffer(c->m, &b, &n);
    if (rc == MLOPS_OK) mlops_free(b);
    return rc;
}

static int op_save_file(void *p)
{
    sweep_ctx *c = p;
    return mlops_model_save(c->m, c->path);
}

static int op_load_buffer(void *p)
{
    sweep_ctx *c = p;
    return mlops_model_load_buffer(&c->made, c->bytes, c->len);
}

static int op_load_file(void *p)
{
    sweep_ctx *c = p;
    return mlops_model_load(&c->made, c->path);
}

static void undo_made(void *p)
{
    sweep_ctx *c = p;
    mlops_model_free(c->made);
    c->made = NULL;
}

static int op_hash(void *p)
{
    sweep_ctx *c = p;
    char hex[65];
    return mlops_model_payload_hash(c->m, hex, sizeof hex);
}

static int op_card_json(void *p)
{
    sweep_ctx *c = p;
    char *j;
    int rc = mlops_model_card_json(c->m, &j);
    if (rc == MLOPS_OK) mlops_free(j);
    return rc;
}

static int op_card_set(void *p)
{
    sweep_ctx *c = p;
    return mlops_model_card_set((mlops_model *)c->made, "contact", "ops@example.org");
}

static void undo_card_set(void *p)
{
    sweep_ctx *c = p;
    OK(mlops_model_card_set(c->made, "contact", NULL));
}

static int op_card_get(void *p)
{
    sweep_ctx *c = p;
    char *v;
    int rc = mlops_model_card_get(c->m, "owner", &v);
    if (rc == MLOPS_OK) mlops_free(v);
    return rc;
}

START_TEST(allocation_failures_are_clean)
{
    char dir[] = "/tmp/mlops-test-model-io-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    sweep_ctx c = {0};
    snprintf(c.path, sizeof c.path, "%s/m.mlm", dir);
    mlops_dataset *d[2] = {read_real("iris", "species"), colors()};
    mlops_transform *t[2] = {standardize_chain(), onehot_chain()};
    const char *kind[2] = {"logistic_regression", "linear_regression"};
    for (int i = 0; i < 2; i++) {
        mlops_model *m = fit(kind[i], d[i], t[i]);
        set_card(m);
        unsigned char *b;
        OK(mlops_model_save_buffer(m, &b, &c.len));
        c.m = m;
        c.bytes = b;
        ck_assert_int_gt(fault_alloc_sweep(op_save_buffer, NULL, &c), 10);
        ck_assert_int_gt(fault_alloc_sweep(op_save_file, NULL, &c), 10);
        ck_assert_int_gt(fault_alloc_sweep(op_load_buffer, undo_made, &c), 20);
        ck_assert_int_gt(fault_alloc_sweep(op_load_file, undo_made, &c), 20);
        ck_assert_int_gt(fault_alloc_sweep(op_hash, NULL, &c), 5);
        ck_assert_int_gt(fault_alloc_sweep(op_card_json, NULL, &c), 5);
        ck_assert_int_gt(fault_alloc_sweep(op_card_get, NULL, &c), 0);
        c.made = m;
        ck_assert_int_gt(fault_alloc_sweep(op_card_set, undo_card_set, &c), 0);
        c.made = NULL;
        mlops_free(b);
        mlops_model_free(m);
        mlops_transform_free(t[i]);
        mlops_dataset_free(d[i]);
    }
    unlink(c.path);
    rmdir(dir);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- the card ----------------------------------------------------------- */

START_TEST(card_fields)
{
    mlops_model *m;
    OK(mlops_model_create(&m, "linear_regression"));
    char *v;
    for (int k = 0; k < MLOPS__CARD_TEXT_COUNT; k++) {
        OK(mlops_model_card_get(m, mlops__card_key_name(k), &v));
        ck_assert_str_eq(v, "");
        mlops_free(v);
    }
    /* the quantitative analysis is written by mlops_report_attach only */
    ck_assert_int_eq(mlops_model_card_set(m, "quantitative_analysis", "{}"), MLOPS_EINVAL);
    ck_assert_int_eq(mlops_model_card_get(m, "quantitative_analysis", &v), MLOPS_EINVAL);
    ck_assert_str_eq(mlops__card_key_name(MLOPS__CARD_ETHICAL_CONSIDERATIONS),
                     "ethical_considerations");
    ck_assert_str_eq(mlops__card_key_name(MLOPS__CARD_COUNT), "unknown");
    ck_assert_str_eq(mlops__card_key_name(-1), "unknown");
    OK(mlops_model_card_set(m, "owner", "Agency \xc3\x85land"));
    OK(mlops_model_card_get(m, "owner", &v));
    ck_assert_str_eq(v, "Agency \xc3\x85land");
    mlops_free(v);
    OK(mlops_model_card_set(m, "owner", "second"));
    OK(mlops_model_card_get(m, "owner", &v));
    ck_assert_str_eq(v, "second");
    mlops_free(v);
    OK(mlops_model_card_set(m, "owner", ""));
    OK(mlops_model_card_get(m, "owner", &v));
    ck_assert_str_eq(v, "");
    mlops_free(v);
    ck_assert_ptr_null(m->card[MLOPS__CARD_OWNER]);
    OK(mlops_model_card_set(m, "caveats", "x"));
    OK(mlops_model_card_set(m, "caveats", NULL));
    ck_assert_ptr_null(m->card[MLOPS__CARD_CAVEATS]);
    ASSERT_ERR(mlops_model_card_set(m, "ownr", "x"), MLOPS_EINVAL,
               "unknown model card field 'ownr' (did you mean 'owner'?)");
    ASSERT_ERR(mlops_model_card_set(m, "intended-use", "x"), MLOPS_EINVAL,
               "did you mean 'intended_use'?");
    ASSERT_ERR(mlops_model_card_get(m, "licence", &v), MLOPS_EINVAL,
               "did you mean 'license'?");
    ASSERT_ERR(mlops_model_card_set(m, "zzzzzzzzzzzzzzzzzz", "x"), MLOPS_EINVAL,
               "fields: name, version");
    ASSERT_ERR(mlops_model_card_set(m, "name", "bad \xff byte"), MLOPS_EINVAL,
               "card field 'name': the text is not valid UTF-8 (at byte 4)");
    ASSERT_ERR(mlops_model_card_set(m, "name", "overlong \xc0\xaf"), MLOPS_EINVAL,
               "not valid UTF-8");
    ASSERT_ERR(mlops_model_card_set(m, "name", "surrogate \xed\xa0\x80"), MLOPS_EINVAL,
               "not valid UTF-8");
    ck_assert_ptr_null(m->card[MLOPS__CARD_NAME]);
    ASSERT_ERR(mlops_model_card_set(NULL, "name", "x"), MLOPS_EINVAL, "NULL model");
    ASSERT_ERR(mlops_model_card_set(m, NULL, "x"), MLOPS_EINVAL, "NULL key");
    ASSERT_ERR(mlops_model_card_get(m, "name", NULL), MLOPS_EINVAL, "NULL value");
    ASSERT_ERR(mlops_model_card_get(NULL, "name", &v), MLOPS_EINVAL, "NULL model");
    ASSERT_ERR(mlops_model_card_json(m, NULL), MLOPS_EINVAL, "NULL json");
    ASSERT_ERR(mlops_model_card_json(NULL, &v), MLOPS_EINVAL, "NULL model");
    mlops_model_free(m);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static void assert_has(const char *json, const char *text)
{
    if (strstr(json, text) == NULL) fprintf(stderr, "card JSON:\n%s\n", json);
    ck_assert_msg(strstr(json, text) != NULL, "card JSON lacks <%.300s>", text);
}

START_TEST(card_json_holds_the_model)
{
    mlops_dataset *d = read_real("iris", "species");
    mlops_transform *t = standardize_chain();
    mlops_model *m;
    OK(mlops_model_create(&m, "logistic_regression"));
    OK(mlops_model_set_param(m, "l2", "0.001"));
    OK(mlops_model_set_transform(m, t));
    OK(mlops_model_fit(m, d));
    set_card(m);
    OK(mlops_model_card_set(m, "description", "line one\nline \"two\""));
    char *j, hash[65], buf[256];
    OK(mlops_model_card_json(m, &j));
    hash_of(m, hash);
    assert_has(j, "{\n  \"format\": \"mlops-model-card\",\n  \"format_version\": 1,\n");
    snprintf(buf, sizeof buf, "\"library_version\": \"%s\"", mlops_version_string());
    assert_has(j, buf);
    assert_has(j, "\"model_details\": {\n    \"kind\": \"logistic_regression\",\n"
                  "    \"name\": \"iris-species\",\n    \"version\": \"1.0.0\",\n"
                  "    \"owner\": \"Statistics Office, Unit B\",\n    \"contact\": null,\n"
                  "    \"license\": \"CC-BY-4.0\",\n"
                  "    \"description\": \"line one\\nline \\\"two\\\"\",\n");
    snprintf(buf, sizeof buf, "\"created\": \"%s\",\n    \"payload_sha256\": \"%s\"\n  },",
             m->created, hash);
    assert_has(j, buf);
    ck_assert_uint_eq(strlen(m->created), 20);
    assert_has(j, "\"intended_use\": {\n    \"intended_use\": \"teaching: species from flower "
                  "measures\",\n    \"out_of_scope_use\": null\n  },");
    assert_has(j, "\"training_data\": {\n    \"description\": null,\n");
    snprintf(buf, sizeof buf, "\"source\": \"%s\",\n    \"fingerprint\": \"%s\",\n"
             "    \"rows\": 150,\n    \"weight_sum\": 150,\n    \"target\": \"species\",\n"
             "    \"weight\": null,\n", mlops_dataset_source(d), m->fit->fingerprint);
    assert_has(j, buf);
    char fp[65];
    OK(mlops_dataset_fingerprint(d, fp, sizeof fp));
    ck_assert_str_eq(fp, m->fit->fingerprint);
    assert_has(j, "{\n        \"name\": \"petal_width\",\n        \"type\": \"numeric\"\n      }");
    assert_has(j, "{\n        \"label\": \"versicolor\",\n        \"count\": 50\n      }");
    assert_has(j, "\"evaluation_data\": {\n    \"description\": null\n  },");
    /* the chain's own JSON, spliced in and indented one level */
    char *tj;
    OK(mlops_transform_to_json(mlops_model_transform(m), &tj));
    ck_assert_ptr_nonnull(strstr(tj, "{\n  \"fitted\": true,\n  \"training_rows\": 150,\n"));
    assert_has(j, "\"preprocessing\": {\n    \"fitted\": true,\n    \"training_rows\": 150,\n");
    mlops_free(tj);
    assert_has(j, "\"settings\": {\n    \"l2\": \"0.001\",\n    \"fit_intercept\": \"true\",\n"
                  "    \"max_iter\": \"1000\",\n    \"tol\": \"1e-06\",\n"
                  "    \"solver\": \"auto\",\n    \"lbfgs_memory\": \"50\",\n"
                  "    \"class_weight\": \"none\",\n    \"seed\": \"0\",\n"
                  "    \"threads\": \"0\",\n    \"warm_start\": \"false\",\n"
                  "    \"fingerprint\": \"true\"\n  },");
    double it, obj, gn;
    OK(mlops_model_info(m, "iterations", &it));
    OK(mlops_model_info(m, "objective", &obj));
    OK(mlops_model_info(m, "gradient_norm", &gn));
    char o[MLOPS_DOUBLE_BUFSIZE], g[MLOPS_DOUBLE_BUFSIZE];
    mlops__format_double(obj, o);
    mlops__format_double(gn, g);
    snprintf(buf, sizeof buf, "\"training\": {\n    \"solver\": \"%s\",\n    \"iterations\": "
             "%.0f,\n    \"converged\": true,\n    \"objective\": %s,\n    \"gradient_norm\": "
             "%s\n  },", mlops__solver_name(m->fit->solver), it, o, g);
    assert_has(j, buf);
    /* coefficients: second output (versicolor), third feature, all units */
    double model[12], raw[12], stdz[12], b0[3], braw[3];
    OK(mlops_model_coefficients(m, MLOPS_COEF_MODEL, model, 12, b0, 3));
    OK(mlops_model_coefficients(m, MLOPS_COEF_RAW, raw, 12, braw, 3));
    OK(mlops_model_coefficients(m, MLOPS_COEF_STANDARDIZED, stdz, 12, NULL, 0));
    char a1[MLOPS_DOUBLE_BUFSIZE], a2[MLOPS_DOUBLE_BUFSIZE], a3[MLOPS_DOUBLE_BUFSIZE];
    mlops__format_double(b0[1], a1);
    mlops__format_double(braw[1], a2);
    snprintf(buf, sizeof buf, "\"output\": \"versicolor\",\n      \"intercept\": {\n"
             "        \"model\": %s,\n        \"raw\": %s\n      },", a1, a2);
    assert_has(j, buf);
    mlops__format_double(model[4 + 2], a1);
    mlops__format_double(raw[4 + 2], a2);
    mlops__format_double(stdz[4 + 2], a3);
    snprintf(buf, sizeof buf, "\"name\": \"petal_length\",\n          \"model\": %s,\n"
             "          \"raw\": %s,\n          \"standardized\": %s\n", a1, a2, a3);
    assert_has(j, buf);
    /* standardized = raw x population std of the raw input: for a
     * standardized feature that is the model coefficient again */
    ck_assert_double_eq_tol(stdz[4 + 2], model[4 + 2], 1e-12 * fabs(model[4 + 2]) + 1e-15);
    assert_has(j, "\"caveats\": \"150 flowers from one region \xe2\x80\x94 small\",\n"
                  "  \"quantitative_analysis\": null\n}\n");
    assert_has(j, "\"ethical_considerations\": null,\n");
    mlops_free(j);
    /* a regression card: the output is the target, no classes, no chain */
    mlops_model_free(m);
    mlops_dataset_free(d);
    d = read_real("diabetes", "target");
    m = fit("linear_regression", d, NULL);
    OK(mlops_model_card_json(m, &j));
    assert_has(j, "\"classes\": []");
    assert_has(j, "\"preprocessing\": null,");
    assert_has(j, "\"output\": \"target\",");
    assert_has(j, "\"created\": \"");
    mlops_free(j);
    mlops_model_free(m);
    mlops_transform_free(t);
    mlops_dataset_free(d);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

/* ---- golden file ---------------------------------------------------------- */

/* tests/golden/model_v1.mlm was written by tests/reference/make_golden_model.c
 * (logistic regression on iris with a standardize chain and card fields);
 * model_v1.expected holds its payload hash and predict_proba of fixed raw
 * rows, printed with %.17g. Version-1 files must load and predict these
 * bits forever. */
START_TEST(golden_version_1_model)
{
    mlops_model *m;
    OK(mlops_model_load(&m, GOLDEN_DIR "/model_v1.mlm"));
    FILE *fp = fopen(GOLDEN_DIR "/model_v1.expected", "r");
    ck_assert_ptr_nonnull(fp);
    char line[1024], hash[65];
    size_t rows = 0;
    hash_of(m, hash);
    int saw_hash = 0;
    while (fgets(line, sizeof line, fp)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        char *p = line, *end;
        if (strncmp(line, "payload_sha256 ", 15) == 0) {
            line[15 + 64] = '\0';
            ck_assert_str_eq(line + 15, hash);
            saw_hash = 1;
            continue;
        }
        ck_assert_msg(strncmp(line, "row ", 4) == 0, "unexpected line %s", line);
        p += 4;
        double x[4], want[3], got[3];
        for (int i = 0; i < 4; i++) {
            x[i] = strtod(p, &end);
            ck_assert_ptr_ne(end, p);
            p = end;
        }
        ck_assert(strncmp(p, " proba", 6) == 0);
        p += 6;
        for (int k = 0; k < 3; k++) {
            want[k] = strtod(p, &end);
            ck_assert_ptr_ne(end, p);
            p = end;
        }
        OK(mlops_model_predict_matrix(m, x, 1, 4, MLOPS_PREDICT_PROBA, got, 3));
        for (int k = 0; k < 3; k++)
            ck_assert_msg(memcmp(&got[k], &want[k], sizeof got[k]) == 0,
                          "row %zu class %d: %.17g, expected %.17g", rows, k, got[k], want[k]);
        rows++;
    }
    fclose(fp);
    ck_assert_int_eq(saw_hash, 1);
    ck_assert_uint_ge(rows, 5);
    char *v;
    OK(mlops_model_card_get(m, "name", &v));
    ck_assert_str_eq(v, "iris-golden");
    mlops_free(v);
    ck_assert_str_eq(mlops_model_kind(m), "logistic_regression");
    ck_assert_str_eq(mlops_model_class_label(m, 0), "setosa");
    ck_assert_uint_eq(mlops_transform_step_count(mlops_model_transform(m)), 1);
    mlops_model_free(m);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static TCase *tcase(Suite *s, const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 600);
    suite_add_tcase(s, tc);
    return tc;
}

Suite *test_suite(void)
{
    Suite *s = suite_create("model_io");
    TCase *tc = tcase(s, "round_trip");
    tcase_add_test(tc, linear_round_trip_is_bit_identical);
    tcase_add_test(tc, binary_round_trip_is_bit_identical);
    tcase_add_test(tc, multinomial_round_trip_is_bit_identical);
    tcase_add_test(tc, onehot_round_trip_is_bit_identical);
    tcase_add_test(tc, file_and_buffer_agree);
    tcase_add_test(tc, payload_hash_ignores_the_card_only);
    tcase_add_test(tc, analysis_round_trips_and_is_checked);
    tc = tcase(s, "damage");
    tcase_add_test(tc, every_truncation_is_rejected);
    tcase_add_test(tc, flipped_bits_are_rejected);
    tcase_add_test(tc, decoded_values_are_checked);
    tcase_add_test(tc, section_damage_never_crashes);
    tc = tcase(s, "allocation");
    tcase_add_test(tc, allocation_failures_are_clean);
    tc = tcase(s, "card");
    tcase_add_test(tc, card_fields);
    tcase_add_test(tc, card_json_holds_the_model);
    tc = tcase(s, "golden");
    tcase_add_test(tc, golden_version_1_model);
    return s;
}
