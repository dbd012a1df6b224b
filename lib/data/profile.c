/* mlops_profile: creation, release and the string-keyed settings. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/suggest.h"
#include "data/profile_impl.h"

typedef struct setting {
    const char *key;
    size_t offset;
    size_t min, max;
} setting;

#define SETTING(name, lo, hi) {#name, offsetof(mlops__profile_settings, name), lo, hi}

static const setting SETTINGS[] = {
    SETTING(bins, 1, 1000000),
    SETTING(distinct_exact_limit, 1, 1000000000),
    SETTING(duplicate_exact_limit, 1, 1000000000),
    SETTING(exact_values_budget, 0, 1000000000),
    SETTING(quantile_exact_limit, 0, 1000000000),
    SETTING(quality, 0, 1),
    SETTING(quantile_sketch_k, MLOPS_KLL_MIN_WIDTH, 65535),
    SETTING(threads, 1, MLOPS__MAX_THREADS),
    SETTING(top_k, 0, 1000000),
    SETTING(top_sketch_size, 1, 1000000000),
};

enum { NSETTINGS = sizeof SETTINGS / sizeof SETTINGS[0] };

static const mlops__profile_settings DEFAULTS = {
    .distinct_exact_limit = 100000,
    .quantile_exact_limit = 100000,
    .quantile_sketch_k = 200,
    .top_k = 10,
    .top_sketch_size = 10000,
    .duplicate_exact_limit = 100000,
    .exact_values_budget = 1000000,
    .bins = 10,
    .quality = 1,
    .threads = 1,
};

/* The exact-value limits are per column; a wide table (hundreds of
 * columns) would multiply them past any sensible memory use. The budget
 * caps the exact values kept across all columns, so memory stays bounded by
 * the settings whatever the width; 0 turns the cap off. */
void mlops__profile_apply_budget(mlops__profile_settings *s, size_t ncols)
{
    enum { MIN_PER_COLUMN = 1000 };
    if (s->exact_values_budget == 0 || ncols == 0) return;
    size_t per = s->exact_values_budget / ncols;
    if (per < MIN_PER_COLUMN) per = MIN_PER_COLUMN;
    if (s->distinct_exact_limit > per) s->distinct_exact_limit = per;
    if (s->quantile_exact_limit > per) s->quantile_exact_limit = per;
    if (s->top_sketch_size > per) s->top_sketch_size = per;
}

MLOPS_API int mlops_profile_create(mlops_profile **out)
{
    if (out == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_profile_create: NULL out");
    mlops_profile *p = mlops__calloc(1, sizeof *p, "profile");
    if (p == NULL) return MLOPS_ENOMEM;
    p->settings = DEFAULTS;
    *out = p;
    return MLOPS_OK;
}

MLOPS_API void mlops_profile_free(mlops_profile *p)
{
    if (p == NULL) return;
    for (size_t j = 0; j < p->ncols; j++) {
        mlops__profile_column *c = &p->cols[j];
        mlops__free(c->name);
        mlops__numeric_clear(&c->num);
        mlops__categorical_clear(&c->cat);
        mlops__bins_clear(&c->bins);
    }
    mlops__free(p->cols);
    mlops__rowset_free(&p->rowset);
    mlops__free(p);
}

static const char *setting_key(size_t i, const void *ctx)
{
    (void)ctx;
    return SETTINGS[i].key;
}

MLOPS_API int mlops_profile_set(mlops_profile *p, const char *key, const char *value)
{
    if (p == NULL || key == NULL || value == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_profile_set: NULL argument");
    const setting *s = NULL;
    for (size_t i = 0; i < NSETTINGS; i++)
        if (strcmp(SETTINGS[i].key, key) == 0) s = &SETTINGS[i];
    if (s == NULL) {
        const char *near = mlops__suggest(key, NSETTINGS, setting_key, NULL);
        return mlops__fail(MLOPS_EINVAL, "unknown profile setting '%s'%s%s%s", key,
                           near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    }
    bool anytime = strcmp(key, "threads") == 0;
    if (((p->has_schema && !p->settable) || p->failed) && !anytime)
        return mlops__fail(MLOPS_ESTATE,
                           "profile setting %s: settings cannot change once data was added", key);
    if (p->has_bins && strcmp(key, "bins") == 0)
        return mlops__fail(MLOPS_ESTATE, "profile setting bins: the bins are already fixed");
    char *end;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 10);
    if (*value < '0' || *value > '9' || *end != '\0' || errno != 0 || v < s->min || v > s->max)
        return mlops__fail(MLOPS_EINVAL,
                           "profile setting %s: '%s' is not a whole number between %zu and %zu",
                           key, value, s->min, s->max);
    *(size_t *)((char *)&p->settings + s->offset) = (size_t)v;
    return MLOPS_OK;
}

int mlops__profile_check_col(const mlops_profile *p, size_t col, int type, const char *func)
{
    if (p == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL profile", func);
    if (p->failed)
        return mlops__fail(MLOPS_ESTATE, "%s: the profile is incomplete after an earlier failure",
                           func);
    if (col >= p->ncols)
        return mlops__fail(MLOPS_EINVAL, "%s: column %zu is out of range (profile has %zu)", func,
                           col, p->ncols);
    if (type != 0 && p->cols[col].type != type)
        return mlops__fail(MLOPS_EINVAL, "%s: column '%s' is %s, not %s", func, p->cols[col].name,
                           mlops_type_name(p->cols[col].type), mlops_type_name(type));
    return MLOPS_OK;
}

const char *mlops__profile_settings_differ(const mlops__profile_settings *a,
                                           const mlops__profile_settings *b, size_t *va,
                                           size_t *vb)
{
    for (size_t i = 0; i < NSETTINGS; i++) {
        if (SETTINGS[i].offset == offsetof(mlops__profile_settings, threads)) continue;
        *va = *(const size_t *)((const char *)a + SETTINGS[i].offset);
        *vb = *(const size_t *)((const char *)b + SETTINGS[i].offset);
        if (*va != *vb) return SETTINGS[i].key;
    }
    return NULL;
}

static int create_columns(mlops_profile *p, const mlops__schema_view *v)
{
    mlops__profile_apply_budget(&p->settings, v->ncols);
    mlops__profile_column *cols =
        mlops__calloc(v->ncols ? v->ncols : 1, sizeof *cols, "profile columns");
    if (cols == NULL) return MLOPS_ENOMEM;
    for (size_t j = 0; j < v->ncols; j++) {
        mlops__profile_column *c = &cols[j];
        c->type = v->type(v->src, j);
        mlops__numeric_init(&c->num, &p->settings);
        mlops__categorical_init(&c->cat);
        c->name = mlops__strdup(v->name(v->src, j), "profile column name");
        if (c->name == NULL) {
            for (size_t k = 0; k < j; k++) mlops__free(cols[k].name);
            mlops__free(cols);
            return MLOPS_ENOMEM;
        }
    }
    p->cols = cols;
    p->ncols = v->ncols;
    p->has_schema = true;
    return MLOPS_OK;
}

int mlops__profile_match_schema(mlops_profile *p, const mlops__schema_view *v, const char *what)
{
    if (!p->has_schema) return create_columns(p, v);
    if (v->ncols != p->ncols)
        return mlops__fail(MLOPS_EINVAL, "profile: the %s has %zu columns, the profile %zu", what,
                           v->ncols, p->ncols);
    for (size_t j = 0; j < p->ncols; j++) {
        const char *name = v->name(v->src, j);
        int type = v->type(v->src, j);
        if (strcmp(name, p->cols[j].name) != 0)
            return mlops__fail(MLOPS_EINVAL, "profile: %s column %zu is '%s', the profile's is '%s'",
                               what, j, name, p->cols[j].name);
        if (type != p->cols[j].type)
            return mlops__fail(MLOPS_EINVAL, "profile: column '%s' is %s in the %s, %s in the profile",
                               name, mlops_type_name(type), what, mlops_type_name(p->cols[j].type));
    }
    return MLOPS_OK;
}
