/* mlops_transform against scikit-learn: every case of
 * tests/data/transform_reference.txt (made by
 * tests/reference/make_transform_reference.py) is built through the public
 * API from its step/set lines, fitted on the real datasets, and its fitted
 * parameters and output compared with SimpleImputer, StandardScaler,
 * MinMaxScaler and OneHotEncoder. Numbers must agree to 1e-12 relative
 * (absolute below 1); most agree to the last bit. Each case is also saved,
 * loaded and applied again, which must give the same bits. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "data/transform_impl.h"
#include "runner.h"

enum { LINE_MAX_LEN = 4096 };

typedef struct ref_case {
    char name[128];
    mlops_dataset *raw, *fit_data;
    mlops_transform *t;
    mlops_dataset *out;
    bool fitted, applied, expect_error;
    size_t categories, infrequent, outputs;
} ref_case;

static size_t values_checked, values_exact, cases_run;
static double max_deviation;
static char worst[512];

static void decode(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (r[0] == '%' && r[1] && r[2]) {
            char hex[3] = {r[1], r[2], 0};
            *w++ = (char)strtol(hex, NULL, 16);
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

static double parse_num(const char *s)
{
    return strcmp(s, "nan") == 0 ? NAN : strtod(s, NULL);
}

static void check_close(double got, double want, const char *what, const ref_case *c)
{
    values_checked++;
    if (isnan(want)) {
        ck_assert_msg(isnan(got), "%s: %s is %a, expected missing", c->name, what, got);
        values_exact++;
        return;
    }
    double diff = fabs(got - want), scale = fabs(want) > 1 ? fabs(want) : 1;
    ck_assert_msg(diff <= 1e-12 * scale, "%s: %s is %.17g (%a), scikit-learn %.17g (%a)",
                  c->name, what, got, got, want, want);
    if (got == want) values_exact++;
    double rel = want != 0 ? diff / fabs(want) : diff;
    if (rel > max_deviation) {
        max_deviation = rel;
        snprintf(worst, sizeof worst, "%s %s: %a vs %a", c->name, what, got, want);
    }
}

static mlops_dataset *load_real(const char *stem)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/real/%s.csv", DATA_DIR, stem);
    mlops_dataset *d = NULL;
    ck_assert_msg(mlops_dataset_read_csv(&d, path, NULL) == MLOPS_OK, "%s", mlops_last_error());
    return d;
}

/* A copy of `d` whose categorical column `cat` is missing wherever the
 * numeric column `num` is. */
static mlops_dataset *with_gaps(const mlops_dataset *d, const char *cat, const char *num)
{
    size_t rows = mlops_dataset_rows(d), ci, ni;
    ck_assert_int_eq(mlops_dataset_column_index(d, cat, &ci), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_column_index(d, num, &ni), MLOPS_OK);
    mlops_dataset_builder *b;
    ck_assert_int_eq(mlops_dataset_builder_create(&b, rows), MLOPS_OK);
    const char **strings = calloc(rows, sizeof *strings);
    int32_t *codes = calloc(rows, sizeof *codes);
    for (size_t j = 0; j < mlops_dataset_cols(d); j++) {
        const char *name = mlops_dataset_column_name(d, j);
        if (mlops_dataset_column_type(d, j) == MLOPS_NUMERIC) {
            const double *v;
            ck_assert_int_eq(mlops_dataset_numeric_data(d, j, &v), MLOPS_OK);
            ck_assert_int_eq(mlops_dataset_builder_add_numeric(b, name, v), MLOPS_OK);
            continue;
        }
        ck_assert_int_eq(mlops_dataset_get_codes(d, j, 0, rows, codes), MLOPS_OK);
        for (size_t i = 0; i < rows; i++) {
            bool gap = j == ci && mlops_dataset_is_missing(d, ni, i) == 1;
            strings[i] = codes[i] < 0 || gap ? NULL : mlops_dataset_category(d, j, codes[i]);
        }
        ck_assert_int_eq(mlops_dataset_builder_add_categorical(b, name, strings), MLOPS_OK);
    }
    mlops_dataset *out;
    ck_assert_int_eq(mlops_dataset_builder_finish(b, &out), MLOPS_OK);
    mlops_dataset_builder_free(b);
    free(strings);
    free(codes);
    return out;
}

static mlops_dataset *excluding(const mlops_dataset *d, const char *col, const char *value)
{
    size_t rows = mlops_dataset_rows(d), j;
    ck_assert_int_eq(mlops_dataset_column_index(d, col, &j), MLOPS_OK);
    uint8_t *mask = malloc(rows);
    for (size_t i = 0; i < rows; i++) {
        int32_t code;
        ck_assert_int_eq(mlops_dataset_get_codes(d, j, i, 1, &code), MLOPS_OK);
        mask[i] = code < 0 || strcmp(mlops_dataset_category(d, j, code), value) != 0;
    }
    mlops_dataset *out;
    ck_assert_int_eq(mlops_dataset_filter_rows(&out, d, mask), MLOPS_OK);
    free(mask);
    return out;
}

static void ensure_fitted(ref_case *c)
{
    if (c->fitted) return;
    const mlops_dataset *train = c->fit_data ? c->fit_data : c->raw;
    ck_assert_msg(mlops_transform_fit(c->t, train) == MLOPS_OK, "%s: fit: %s", c->name,
                  mlops_last_error());
    c->fitted = true;
}

static void ensure_applied(ref_case *c)
{
    ensure_fitted(c);
    if (c->applied) return;
    ck_assert_msg(mlops_transform_apply(c->t, c->raw, &c->out) == MLOPS_OK, "%s: apply: %s",
                  c->name, mlops_last_error());
    c->applied = true;
}

static const mlops__tf_col *fitted_col(const ref_case *c, size_t step, const char *name)
{
    const mlops__tf_fit *f = c->t->fit;
    ck_assert_uint_lt(step, f->nsteps);
    for (size_t k = 0; k < f->steps[step].ncols; k++)
        if (strcmp(f->steps[step].cols[k].name, name) == 0) return &f->steps[step].cols[k];
    ck_abort_msg("%s: step %zu has no fitted column '%s'", c->name, step, name);
    return NULL;
}

static double param_of(const ref_case *c, size_t step, const mlops__tf_col *col, const char *key)
{
    int kind = c->t->steps[step].kind;
    if (strcmp(key, "fill") == 0 || strcmp(key, "mean") == 0 || strcmp(key, "data_min") == 0)
        return col->p[0];
    if (strcmp(key, "scale") == 0) return kind == MLOPS__TF_STANDARDIZE ? col->p[1] : col->p[2];
    if (strcmp(key, "data_max") == 0) return col->p[1];
    if (strcmp(key, "offset") == 0) return col->p[3];
    ck_abort_msg("unknown parameter %s", key);
    return 0;
}

static size_t out_index(const ref_case *c, const char *name)
{
    size_t j;
    ck_assert_msg(mlops_dataset_column_index(c->out, name, &j) == MLOPS_OK, "%s: %s", c->name,
                  mlops_last_error());
    return j;
}

static bool same_bits(const mlops_dataset *a, const mlops_dataset *b)
{
    if (mlops_dataset_rows(a) != mlops_dataset_rows(b) || mlops_dataset_cols(a) != mlops_dataset_cols(b))
        return false;
    char fa[65], fb[65];
    ck_assert_int_eq(mlops_dataset_fingerprint(a, fa, sizeof fa), MLOPS_OK);
    ck_assert_int_eq(mlops_dataset_fingerprint(b, fb, sizeof fb), MLOPS_OK);
    return strcmp(fa, fb) == 0;
}

/* Checks that hold for every case once its lines are read. */
static void finish_case(ref_case *c)
{
    if (!c->expect_error) {
        ensure_applied(c);
        size_t nfreq = 0, ninfreq = 0;
        const mlops__tf_fit *f = c->t->fit;
        for (size_t i = 0; i < f->nsteps; i++)
            if (c->t->steps[i].kind == MLOPS__TF_ONEHOT)
                for (size_t k = 0; k < f->steps[i].ncols; k++) {
                    nfreq += f->steps[i].cols[k].nfreq;
                    ninfreq += f->steps[i].cols[k].ninfreq;
                }
        ck_assert_uint_eq(nfreq, c->categories);
        ck_assert_uint_eq(ninfreq, c->infrequent);
        ck_assert_uint_eq(mlops_dataset_cols(c->out), c->outputs);
        ck_assert_uint_eq(mlops_dataset_rows(c->out), mlops_dataset_rows(c->raw));
        /* the raw columns in reverse order: each output column by name is
         * unchanged */
        size_t nc = mlops_dataset_cols(c->raw), *rev = malloc(nc * sizeof *rev);
        for (size_t j = 0; j < nc; j++) rev[j] = nc - 1 - j;
        mlops_dataset *reversed, *rout;
        ck_assert_int_eq(mlops_dataset_select_columns(&reversed, c->raw, rev, nc), MLOPS_OK);
        ck_assert_int_eq(mlops_transform_apply(c->t, reversed, &rout), MLOPS_OK);
        ck_assert_uint_eq(mlops_dataset_cols(rout), mlops_dataset_cols(c->out));
        for (size_t j = 0; j < mlops_dataset_cols(c->out); j++) {
            size_t k;
            ck_assert_int_eq(mlops_dataset_column_index(rout, mlops_dataset_column_name(c->out, j), &k),
                             MLOPS_OK);
            size_t one[1] = {j}, other[1] = {k};
            mlops_dataset *x, *y;
            ck_assert_int_eq(mlops_dataset_select_columns(&x, c->out, one, 1), MLOPS_OK);
            ck_assert_int_eq(mlops_dataset_select_columns(&y, rout, other, 1), MLOPS_OK);
            ck_assert_msg(same_bits(x, y), "%s: column %s differs when the input is reordered",
                          c->name, mlops_dataset_column_name(c->out, j));
            mlops_dataset_free(x);
            mlops_dataset_free(y);
        }
        mlops_dataset_free(rout);
        mlops_dataset_free(reversed);
        free(rev);
        /* save -> load -> apply: the same bits */
        unsigned char *bytes;
        size_t len;
        ck_assert_int_eq(mlops_transform_save(c->t, &bytes, &len), MLOPS_OK);
        mlops_transform *loaded;
        ck_assert_msg(mlops_transform_load(&loaded, bytes, len) == MLOPS_OK, "%s: %s", c->name,
                      mlops_last_error());
        mlops_dataset *again;
        ck_assert_int_eq(mlops_transform_apply(loaded, c->raw, &again), MLOPS_OK);
        ck_assert_msg(same_bits(c->out, again), "%s: loaded transform differs", c->name);
        mlops_dataset_free(again);
        mlops_transform_free(loaded);
        mlops_free(bytes);
        if (c->fit_data == NULL) { /* fit_apply gives what apply gives */
            mlops_transform *t2;
            ck_assert_int_eq(mlops_transform_save(c->t, &bytes, &len), MLOPS_OK);
            ck_assert_int_eq(mlops_transform_load(&t2, bytes, len), MLOPS_OK);
            mlops_free(bytes);
            mlops__tf_fit_free(t2->fit); /* the same steps, unfitted */
            t2->fit = NULL;
            ck_assert_int_eq(mlops_transform_fit_apply(t2, c->raw, &again), MLOPS_OK);
            ck_assert_msg(same_bits(c->out, again), "%s: fit_apply differs from apply", c->name);
            mlops_dataset_free(again);
            mlops_transform_free(t2);
        }
    }
    mlops_dataset_free(c->out);
    mlops_dataset_free(c->fit_data);
    mlops_dataset_free(c->raw);
    mlops_transform_free(c->t);
    memset(c, 0, sizeof *c);
    cases_run++;
}

static void handle(ref_case *c, char **tok, int n)
{
    const char *w = tok[0];
    if (strcmp(w, "case") == 0) {
        snprintf(c->name, sizeof c->name, "%s", tok[1]);
        c->raw = load_real(tok[2]);
        ck_assert_int_eq(mlops_transform_create(&c->t), MLOPS_OK);
    } else if (strcmp(w, "gaps") == 0) {
        mlops_dataset *d = with_gaps(c->raw, tok[1], tok[2]);
        mlops_dataset_free(c->raw);
        c->raw = d;
    } else if (strcmp(w, "fit_exclude") == 0) {
        c->fit_data = excluding(c->raw, tok[1], tok[2]);
    } else if (strcmp(w, "step") == 0) {
        ck_assert_msg(mlops_transform_add(c->t, tok[1], tok[2]) >= 0, "%s", mlops_last_error());
    } else if (strcmp(w, "set") == 0) {
        size_t last = mlops_transform_step_count(c->t) - 1;
        ck_assert_msg(mlops_transform_set(c->t, last, tok[1], tok[2]) == MLOPS_OK, "%s",
                      mlops_last_error());
    } else if (strcmp(w, "param") == 0) {
        ensure_fitted(c);
        size_t step = strtoul(tok[1], NULL, 10);
        const mlops__tf_col *col = fitted_col(c, step, tok[2]);
        char what[256];
        snprintf(what, sizeof what, "step %zu %s %s", step, tok[2], tok[3]);
        check_close(param_of(c, step, col, tok[3]), parse_num(tok[4]), what, c);
    } else if (strcmp(w, "fill") == 0) {
        ensure_fitted(c);
        const mlops__tf_col *col = fitted_col(c, strtoul(tok[1], NULL, 10), tok[2]);
        ck_assert_ptr_nonnull(col->fill);
        ck_assert_str_eq(col->fill, tok[3]);
    } else if (strcmp(w, "category") == 0) {
        ensure_fitted(c);
        const mlops__tf_col *col = fitted_col(c, strtoul(tok[1], NULL, 10), tok[2]);
        size_t k = strtoul(tok[3], NULL, 10);
        ck_assert_uint_lt(k, col->nfreq);
        if (strcmp(tok[4], "__missing__") == 0) ck_assert_ptr_null(col->cats[k]);
        else ck_assert_str_eq(col->cats[k] ? col->cats[k] : "(missing)", tok[4]);
        c->categories++;
    } else if (strcmp(w, "infrequent") == 0) {
        ensure_fitted(c);
        const mlops__tf_col *col = fitted_col(c, strtoul(tok[1], NULL, 10), tok[2]);
        bool missing = strcmp(tok[3], "__missing__") == 0, found = false;
        for (size_t k = 0; k < col->ninfreq; k++)
            found |= missing ? col->infreq[k] == NULL
                             : col->infreq[k] != NULL && strcmp(col->infreq[k], tok[3]) == 0;
        ck_assert_msg(found, "%s: '%s' is not infrequent in %s", c->name, tok[3], tok[2]);
        c->infrequent++;
    } else if (strcmp(w, "output") == 0) {
        ensure_applied(c);
        size_t k = strtoul(tok[1], NULL, 10);
        ck_assert_str_eq(mlops_dataset_column_name(c->out, k), tok[2]);
        if (c->fit_data == NULL) ck_assert_str_eq(mlops_transform_output_name(c->t, k), tok[2]);
        c->outputs++;
    } else if (strcmp(w, "value") == 0) {
        ensure_applied(c);
        size_t row = strtoul(tok[1], NULL, 10), j = out_index(c, tok[2]);
        double got;
        ck_assert_int_eq(mlops_dataset_get_numeric(c->out, j, row, 1, &got), MLOPS_OK);
        char what[256];
        snprintf(what, sizeof what, "row %zu %s", row, tok[2]);
        check_close(got, parse_num(tok[3]), what, c);
    } else if (strcmp(w, "hot") == 0) {
        ensure_applied(c);
        size_t row = strtoul(tok[1], NULL, 10), plen = strlen(tok[2]), seen = 0;
        for (size_t j = 0; j < mlops_dataset_cols(c->out); j++) {
            const char *name = mlops_dataset_column_name(c->out, j);
            if (strncmp(name, tok[2], plen) != 0 || name[plen] != '=') continue;
            double v;
            ck_assert_int_eq(mlops_dataset_get_numeric(c->out, j, row, 1, &v), MLOPS_OK);
            bool hot = strcmp(name, tok[3]) == 0;
            ck_assert_msg(v == (hot ? 1.0 : 0.0), "%s: row %zu %s is %g", c->name, row, name, v);
            seen += hot;
        }
        ck_assert_uint_eq(seen, strcmp(tok[3], "__none__") != 0);
    } else if (strcmp(w, "error") == 0) {
        ensure_fitted(c);
        c->expect_error = true;
        mlops_dataset *out = NULL;
        ck_assert_int_eq(mlops_transform_apply(c->t, c->raw, &out), MLOPS_EINVAL);
        ck_assert_ptr_null(out);
        char want[512];
        snprintf(want, sizeof want, "column '%s' row %s has category '%s'", tok[2], tok[1],
                 tok[3]);
        ck_assert_msg(strstr(mlops_last_error(), want) != NULL, "%s: message '%s' lacks '%s'",
                      c->name, mlops_last_error(), want);
    } else if (strcmp(w, "end") == 0) {
        finish_case(c);
    } else {
        ck_abort_msg("unknown reference line '%s'", w);
    }
    (void)n;
}

START_TEST(matches_scikit_learn)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/transform_reference.txt", DATA_DIR);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    static char line[LINE_MAX_LEN];
    ref_case c;
    memset(&c, 0, sizeof c);
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        char *tok[8];
        int n = 0;
        for (char *s = strtok(line, " \n"); s && n < 8; s = strtok(NULL, " \n")) {
            decode(s);
            tok[n++] = s;
        }
        handle(&c, tok, n);
    }
    fclose(f);
    ck_assert_uint_eq(cases_run, 21);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
    printf("transform vs scikit-learn: %zu cases, %zu numbers, %zu bit-identical, largest "
           "relative deviation %.3g (%s)\n",
           cases_run, values_checked, values_exact, max_deviation, worst);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("transform_sklearn");
    TCase *tc = tcase_create("reference");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, matches_scikit_learn);
    suite_add_tcase(s, tc);
    return s;
}
