/* mlops_transform: creation, steps and their string-keyed settings, and the
 * accessors. Fitting, applying and the encodings live in transform_*.c. */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/numfmt.h"
#include "core/suggest.h"
#include "core/utf8.h"
#include "data/transform_impl.h"

static const char *const KIND_NAMES[] = {NULL, "impute", "standardize", "minmax", "onehot",
                                         "drop"};
static const char *const KEY_NAMES[MLOPS__KEY_COUNT] = {
    "strategy", "fill_value", "with_mean", "with_std", "unseen", "min_frequency"};
static const char *const STRATEGY_NAMES[] = {"mean", "median", "most_frequent", "constant"};
static const char *const UNSEEN_NAMES[] = {"error", "zeros", "infrequent"};

const char *mlops__tf_kind_name(int kind)
{
    return kind >= 1 && kind <= MLOPS__TF_KIND_MAX ? KIND_NAMES[kind] : "unknown";
}

const char *mlops__tf_key_name(int key)
{
    return KEY_NAMES[key];
}

bool mlops__tf_key_applies(int kind, int key)
{
    switch (key) {
    case MLOPS__KEY_STRATEGY:
    case MLOPS__KEY_FILL_VALUE: return kind == MLOPS__TF_IMPUTE;
    case MLOPS__KEY_WITH_MEAN:
    case MLOPS__KEY_WITH_STD: return kind == MLOPS__TF_STANDARDIZE;
    case MLOPS__KEY_UNSEEN:
    case MLOPS__KEY_MIN_FREQUENCY: return kind == MLOPS__TF_ONEHOT;
    default: return false;
    }
}

const char *mlops__tf_key_text(const mlops__tf_step *s, int key)
{
    if (!mlops__tf_key_applies(s->kind, key)) return NULL;
    if (s->values[key] != NULL) return s->values[key];
    switch (key) {
    case MLOPS__KEY_STRATEGY: return "mean";
    case MLOPS__KEY_FILL_VALUE: return NULL; /* depends on the column type */
    case MLOPS__KEY_WITH_MEAN:
    case MLOPS__KEY_WITH_STD: return "true";
    case MLOPS__KEY_UNSEEN: return "error";
    default: return "none";
    }
}

static void step_clear(mlops__tf_step *s)
{
    mlops__free(s->spec);
    for (size_t i = 0; i < s->nnames; i++) mlops__free(s->names[i]);
    mlops__free(s->names);
    for (int k = 0; k < MLOPS__KEY_COUNT; k++) mlops__free(s->values[k]);
    memset(s, 0, sizeof *s);
}

MLOPS_API int mlops_transform_create(mlops_transform **out)
{
    if (out == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_transform_create: NULL out");
    mlops_transform *t = mlops__calloc(1, sizeof *t, "transform");
    if (t == NULL) return MLOPS_ENOMEM;
    *out = t;
    return MLOPS_OK;
}

MLOPS_API void mlops_transform_free(mlops_transform *t)
{
    if (t == NULL) return;
    for (size_t i = 0; i < t->nsteps; i++) step_clear(&t->steps[i]);
    mlops__free(t->steps);
    mlops__tf_fit_free(t->fit);
    mlops__free(t);
}

/* Messages quote a column list up to 100 bytes, then "...". */
static const char *more(const char *spec)
{
    return strlen(spec) > 100 ? "..." : "";
}

/* Splits a column list at unescaped commas, trimming unescaped spaces
 * around each name. Writes names into `names` (NULL to only count), using
 * `seen` (empty) to refuse repeats in linear time. */
static int parse_columns(const char *spec, char **names, mlops__dict *seen, size_t *count,
                         const char *func)
{
    size_t n = 0;
    const char *p = spec;
    for (;;) {
        while (*p == ' ') p++;
        const char *start = p;
        size_t len = 0, keep = 0; /* keep: length up to the last non-space or escaped char */
        while (*p != '\0' && *p != ',') {
            if (*p == '\\') {
                if (p[1] == '\0')
                    return mlops__fail(MLOPS_EINVAL,
                                       "%s: column list '%.100s%s' ends with a lone backslash",
                                       func, spec, more(spec));
                p += 2;
                len++;
                keep = len;
                continue;
            }
            len++;
            if (*p != ' ') keep = len;
            p++;
        }
        if (keep == 0)
            return mlops__fail(MLOPS_EINVAL, "%s: column list '%.100s%s' has an empty name", func,
                               spec, more(spec));
        if (names != NULL) {
            char *name = mlops__malloc(keep + 1, "transform column name");
            if (name == NULL) return MLOPS_ENOMEM;
            size_t k = 0;
            for (const char *q = start; k < keep; q++) {
                if (*q == '\\') q++;
                name[k++] = *q;
            }
            name[k] = '\0';
            int32_t code;
            int rc = mlops__dict_intern(seen, name, k, &code);
            if (rc == MLOPS_OK && (size_t)code != n)
                rc = mlops__fail(MLOPS_EINVAL, "%s: column list '%.100s%s' names '%s' twice",
                                 func, spec, more(spec), name);
            if (rc != MLOPS_OK) {
                mlops__free(name);
                return rc;
            }
            names[n] = name;
        }
        n++;
        if (*p == '\0') break;
        p++; /* the comma */
    }
    *count = n;
    return MLOPS_OK;
}

static const char *kind_at(size_t i, const void *ctx)
{
    (void)ctx;
    return KIND_NAMES[i + 1];
}

static int kind_from_name(const char *name, const char *func)
{
    for (int k = 1; k <= MLOPS__TF_KIND_MAX; k++)
        if (strcmp(name, KIND_NAMES[k]) == 0) return k;
    const char *near = mlops__suggest(name, MLOPS__TF_KIND_MAX, kind_at, NULL);
    return mlops__fail(MLOPS_EINVAL,
                       "%s: '%s' is not a transform step (impute, standardize, minmax, onehot, "
                       "drop)%s%s%s",
                       func, name, near ? "; did you mean '" : "", near ? near : "",
                       near ? "'?" : "");
}

int mlops__tf_add_step(mlops_transform *t, int kind, const char *columns, const char *func)
{
    size_t len = strlen(columns);
    if (mlops__utf8_valid_prefix(columns, len) != len)
        return mlops__fail(MLOPS_EINVAL, "%s: column list has invalid UTF-8", func);
    if (t->nsteps >= (size_t)INT32_MAX)
        return mlops__fail(MLOPS_EINVAL, "%s: too many steps", func);
    bool all = strcmp(columns, "*") == 0;
    if (all && kind == MLOPS__TF_DROP)
        return mlops__fail(MLOPS_EINVAL, "%s: drop needs the columns named, not '*'", func);
    size_t n = 0;
    if (!all) {
        int rc = parse_columns(columns, NULL, NULL, &n, func);
        if (rc) return rc;
    }
    if (t->nsteps == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4;
        mlops__tf_step *grown = mlops__realloc_array(t->steps, cap, sizeof *grown,
                                                     "transform steps");
        if (grown == NULL) return MLOPS_ENOMEM;
        t->steps = grown;
        t->cap = cap;
    }
    mlops__tf_step *s = &t->steps[t->nsteps];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->all = all;
    s->with_mean = s->with_std = true;
    s->spec = mlops__strdup(columns, "transform column list");
    int rc = s->spec ? MLOPS_OK : MLOPS_ENOMEM;
    if (rc == MLOPS_OK && !all) {
        mlops__dict *seen = NULL;
        s->names = mlops__calloc(n, sizeof *s->names, "transform column names");
        rc = s->names ? mlops__dict_create(&seen) : MLOPS_ENOMEM;
        if (rc == MLOPS_OK) rc = parse_columns(columns, s->names, seen, &s->nnames, func);
        mlops__dict_free(seen);
        if (rc != MLOPS_OK) {
            /* parse_columns stops at the failure: free what it made */
            for (size_t i = 0; i < n && s->names; i++) mlops__free(s->names[i]);
            mlops__free(s->names);
            s->names = NULL;
        }
    }
    if (rc != MLOPS_OK) {
        s->nnames = 0;
        step_clear(s);
        return rc;
    }
    return (int)t->nsteps++;
}

MLOPS_API int mlops_transform_add(mlops_transform *t, const char *step, const char *columns)
{
    static const char func[] = "mlops_transform_add";
    if (t == NULL || step == NULL || columns == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (t->fit != NULL)
        return mlops__fail(MLOPS_ESTATE, "%s: the transform is fitted; steps cannot be added",
                           func);
    int kind = kind_from_name(step, func);
    if (kind < 0) return kind;
    return mlops__tf_add_step(t, kind, columns, func);
}

typedef struct key_ctx {
    int kind;
    int map[MLOPS__KEY_COUNT];
    size_t n;
} key_ctx;

static const char *key_at(size_t i, const void *ctx)
{
    const key_ctx *k = ctx;
    return KEY_NAMES[k->map[i]];
}

static int unknown_key(const mlops__tf_step *s, size_t step, const char *key, const char *func)
{
    key_ctx kc = {.kind = s->kind};
    char list[128] = "";
    for (int k = 0; k < MLOPS__KEY_COUNT; k++)
        if (mlops__tf_key_applies(s->kind, k)) {
            kc.map[kc.n++] = k;
            if (list[0]) strcat(list, ", ");
            strcat(list, KEY_NAMES[k]);
        }
    const char *kind = mlops__tf_kind_name(s->kind);
    for (int k = 0; k < MLOPS__KEY_COUNT; k++)
        if (strcmp(key, KEY_NAMES[k]) == 0) {
            int other = k <= MLOPS__KEY_FILL_VALUE   ? MLOPS__TF_IMPUTE
                        : k <= MLOPS__KEY_WITH_STD ? MLOPS__TF_STANDARDIZE
                                                   : MLOPS__TF_ONEHOT;
            return mlops__fail(MLOPS_EINVAL,
                               "%s: step %zu (%s) has no setting '%s': it belongs to %s steps "
                               "(%s settings: %s)",
                               func, step, kind, key, mlops__tf_kind_name(other), kind,
                               kc.n ? list : "none");
        }
    const char *near = mlops__suggest(key, kc.n, key_at, &kc);
    return mlops__fail(MLOPS_EINVAL, "%s: step %zu (%s) has no setting '%s'%s%s%s (%s settings: %s)",
                       func, step, kind, key, near ? "; did you mean '" : "", near ? near : "",
                       near ? "'?" : "", kind, kc.n ? list : "none");
}

static const char *name_at(size_t i, const void *ctx)
{
    return ((const char *const *)ctx)[i];
}

static int choose(const char *value, const char *const *names, size_t n, const char *key,
                  size_t step, const char *func)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(value, names[i]) == 0) return (int)i;
    const char *near = mlops__suggest(value, n, name_at, names);
    char list[96] = "";
    for (size_t i = 0; i < n; i++) {
        if (i) strcat(list, ", ");
        strcat(list, names[i]);
    }
    return mlops__fail(MLOPS_EINVAL, "%s: step %zu %s '%s' is not one of %s%s%s%s", func, step,
                       key, value, list, near ? "; did you mean '" : "", near ? near : "",
                       near ? "'?" : "");
}

/* Parses min_frequency: a whole number >= 1 (a count) or a fraction in
 * (0, 1), as scikit-learn's OneHotEncoder takes it. */
static int parse_min_frequency(const char *v, int *mode, double *value, size_t step,
                               const char *func)
{
    if (strcmp(v, "none") == 0) {
        *mode = MLOPS__MINFREQ_NONE;
        *value = 0;
        return MLOPS_OK;
    }
    bool digits = *v != '\0';
    for (const char *p = v; *p; p++) digits = digits && *p >= '0' && *p <= '9';
    if (digits) {
        uint64_t n = 0;
        for (const char *p = v; *p; p++) {
            n = n * 10 + (uint64_t)(*p - '0');
            if (n > (UINT64_C(1) << 53)) break;
        }
        if (n >= 1 && n <= (UINT64_C(1) << 53)) {
            *mode = MLOPS__MINFREQ_COUNT;
            *value = (double)n;
            return MLOPS_OK;
        }
    } else {
        char *end = NULL;
        double f = mlops__strtod_c(v, &end);
        if (end != v && *end == '\0' && f > 0 && f < 1) {
            *mode = MLOPS__MINFREQ_FRACTION;
            *value = f;
            return MLOPS_OK;
        }
    }
    return mlops__fail(MLOPS_EINVAL,
                       "%s: step %zu min_frequency '%s' is neither a whole number >= 1 nor a "
                       "fraction between 0 and 1 (or 'none')",
                       func, step, v);
}

static int parse_bool(const char *v, bool *out, const char *key, size_t step, const char *func)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "yes") == 0) *out = true;
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "no") == 0) *out = false;
    else
        return mlops__fail(MLOPS_EINVAL,
                           "%s: step %zu %s '%s' is not true or false (also 1/0, yes/no)", func,
                           step, key, v);
    return MLOPS_OK;
}

MLOPS_API int mlops_transform_set(mlops_transform *t, size_t step, const char *key,
                                  const char *value)
{
    static const char func[] = "mlops_transform_set";
    if (t == NULL || key == NULL || value == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (step >= t->nsteps)
        return mlops__fail(MLOPS_EINVAL, "%s: step %zu is out of range (the transform has %zu)",
                           func, step, t->nsteps);
    if (t->fit != NULL)
        return mlops__fail(MLOPS_ESTATE, "%s: the transform is fitted; settings cannot change",
                           func);
    mlops__tf_step *s = &t->steps[step];
    int key_id = -1;
    for (int k = 0; k < MLOPS__KEY_COUNT; k++)
        if (strcmp(key, KEY_NAMES[k]) == 0 && mlops__tf_key_applies(s->kind, k)) key_id = k;
    if (key_id < 0) return unknown_key(s, step, key, func);
    size_t vlen = strlen(value);
    if (mlops__utf8_valid_prefix(value, vlen) != vlen)
        return mlops__fail(MLOPS_EINVAL, "%s: step %zu %s has invalid UTF-8", func, step, key);

    mlops__tf_step next = *s; /* typed fields, committed only when valid */
    int rc = MLOPS_OK;
    switch (key_id) {
    case MLOPS__KEY_STRATEGY:
        rc = choose(value, STRATEGY_NAMES, 4, key, step, func);
        if (rc >= 0) next.strategy = rc;
        break;
    case MLOPS__KEY_FILL_VALUE: break; /* typed when the column type is known */
    case MLOPS__KEY_WITH_MEAN: rc = parse_bool(value, &next.with_mean, key, step, func); break;
    case MLOPS__KEY_WITH_STD: rc = parse_bool(value, &next.with_std, key, step, func); break;
    case MLOPS__KEY_UNSEEN:
        rc = choose(value, UNSEEN_NAMES, 3, key, step, func);
        if (rc >= 0) next.unseen = rc;
        break;
    default:
        rc = parse_min_frequency(value, &next.minfreq_mode, &next.minfreq, step, func);
        break;
    }
    if (rc < 0) return rc;
    char *copy = mlops__strdup(value, "transform setting");
    if (copy == NULL) return MLOPS_ENOMEM;
    mlops__free(next.values[key_id]);
    next.values[key_id] = copy;
    *s = next;
    return MLOPS_OK;
}

MLOPS_API int mlops_transform_is_fitted(const mlops_transform *t)
{
    return t != NULL && t->fit != NULL;
}

MLOPS_API size_t mlops_transform_step_count(const mlops_transform *t)
{
    return t ? t->nsteps : 0;
}

MLOPS_API const char *mlops_transform_step_kind(const mlops_transform *t, size_t step)
{
    return t && step < t->nsteps ? mlops__tf_kind_name(t->steps[step].kind) : NULL;
}

MLOPS_API size_t mlops_transform_output_count(const mlops_transform *t)
{
    return t && t->fit ? t->fit->nout : 0;
}

MLOPS_API const char *mlops_transform_output_name(const mlops_transform *t, size_t i)
{
    return t && t->fit && i < t->fit->nout ? t->fit->out[i].name : NULL;
}
