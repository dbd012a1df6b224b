/* mlops_evaluator's settings: string keys checked at the boundary, so a
 * typo or an impossible value is refused when it is set, not discovered
 * halfway through a release. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/numfmt.h"
#include "core/suggest.h"
#include "eval/eval_impl.h"

static const char *const KEYS[] = {
    "task",          "metrics",          "metric",           "pos_label",
    "threshold",     "group",            "reference_group",  "min_group_size",
    "bootstrap",     "bootstrap_level",  "seed",             "probes",
    "calibration_bins", "calibration_strategy", "curve_points", "cv_folds",
    "cv_shuffle",    "cv_stratify",
};
enum { NKEYS = sizeof KEYS / sizeof KEYS[0] };

static const char *key_at(size_t i, const void *ctx)
{
    (void)ctx;
    return KEYS[i];
}

static int find_key(const char *func, const char *key)
{
    for (int i = 0; i < (int)NKEYS; i++)
        if (strcmp(key, KEYS[i]) == 0) return i;
    const char *near = mlops__suggest(key, NKEYS, key_at, NULL);
    return mlops__fail(MLOPS_EINVAL, "%s: unknown evaluator setting '%s'%s%s%s", func, key,
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

MLOPS_API int mlops_evaluator_create(mlops_evaluator **out)
{
    MLOPS_CHECK_ARG(out != NULL, "mlops_evaluator_create", "NULL out");
    *out = NULL;
    mlops_evaluator *ev = mlops__calloc(1, sizeof *ev, "evaluator");
    if (ev == NULL) return MLOPS_ENOMEM;
    ev->all_metrics = true;
    for (int m = 0; m < M__COUNT; m++) ev->want[m] = true;
    ev->primary = -1;
    ev->threshold = NAN;
    ev->min_group_size = 30;
    ev->level = 0.95;
    ev->calibration_bins = 10;
    ev->curve_points = 1000;
    ev->cv_folds = 5;
    ev->cv_stratify = -1;
    *out = ev;
    return MLOPS_OK;
}

MLOPS_API void mlops_evaluator_free(mlops_evaluator *ev)
{
    if (ev == NULL) return;
    for (int i = 0; i < EV_TEXT_COUNT; i++) mlops__free(ev->text[i]);
    mlops__free(ev->probes);
    for (size_t i = 0; i < ev->ngates; i++) mlops__gate_clear(&ev->gates[i]);
    mlops__free(ev->gates);
    mlops__free(ev);
}

static int parse_size(const char *func, const char *key, const char *v, size_t lo, size_t hi,
                      size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (v[0] == '\0' || v[0] == '-' || *end != '\0' || errno != 0 || x < lo || x > hi)
        return mlops__fail(MLOPS_EINVAL, "%s: %s must be a whole number in [%zu, %zu], not '%s'",
                           func, key, lo, hi, v);
    *out = (size_t)x;
    return MLOPS_OK;
}

static int parse_real(const char *func, const char *key, const char *v, double lo, double hi,
                      bool open, double *out)
{
    char *end;
    double x = mlops__strtod_c(v, &end);
    if (v[0] == '\0' || *end != '\0' || !isfinite(x) || x < lo || x > hi ||
        (open && (x == lo || x == hi)))
        return mlops__fail(MLOPS_EINVAL, "%s: %s must be a number in %c%g, %g%c, not '%s'", func,
                           key, open ? '(' : '[', lo, hi, open ? ')' : ']', v);
    *out = x;
    return MLOPS_OK;
}

static int parse_bool(const char *func, const char *key, const char *v, bool *out)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        *out = true;
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *out = false;
    else
        return mlops__fail(MLOPS_EINVAL, "%s: %s must be true or false, not '%s'", func, key, v);
    return MLOPS_OK;
}

static int parse_metric(const char *func, const char *key, const char *name, int *out)
{
    int m = mlops__metric_find(name);
    if (m >= 0) {
        *out = m;
        return MLOPS_OK;
    }
    const char *near = mlops__metric_suggest(name);
    return mlops__fail(MLOPS_EINVAL, "%s: %s: unknown metric '%s'%s%s%s", func, key, name,
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

/* "all" or a comma-separated list of metric names. */
static int parse_metrics(const char *func, const char *v, bool want[M__COUNT], bool *all)
{
    if (strcmp(v, "all") == 0 || v[0] == '\0') {
        for (int m = 0; m < M__COUNT; m++) want[m] = true;
        *all = true;
        return MLOPS_OK;
    }
    bool w[M__COUNT] = {false};
    const char *p = v;
    while (*p != '\0') {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *next = e ? e + 1 : p + len;
        char name[64];
        while (len > 0 && *p == ' ') p++, len--;
        while (len > 0 && p[len - 1] == ' ') len--;
        if (len == 0 || len >= sizeof name)
            return mlops__fail(MLOPS_EINVAL, "%s: metrics: empty or overlong name in '%s'",
                               func, v);
        memcpy(name, p, len);
        name[len] = '\0';
        int m = 0;
        int rc = parse_metric(func, "metrics", name, &m);
        if (rc != MLOPS_OK) return rc;
        w[m] = true;
        p = next;
    }
    memcpy(want, w, sizeof w);
    want[M_COUNT] = want[M_WEIGHT_SUM] = true;
    *all = false;
    return MLOPS_OK;
}

static int set_text(mlops_evaluator *ev, int slot, const char *v)
{
    char *copy = NULL;
    if (v[0] != '\0' && (copy = mlops__strdup(v, "evaluator setting")) == NULL)
        return MLOPS_ENOMEM;
    mlops__free(ev->text[slot]);
    ev->text[slot] = copy;
    return MLOPS_OK;
}

MLOPS_API int mlops_evaluator_set_param(mlops_evaluator *ev, const char *key, const char *value)
{
    static const char func[] = "mlops_evaluator_set_param";
    MLOPS_CHECK_ARG(ev != NULL, func, "NULL evaluator");
    MLOPS_CHECK_ARG(key != NULL, func, "NULL key");
    MLOPS_CHECK_ARG(value != NULL, func, "NULL value");
    int k = find_key(func, key);
    if (k < 0) return k;
    const char *name = KEYS[k];
    int rc = MLOPS_OK;
    if (strcmp(name, "task") == 0) {
        if (strcmp(value, "auto") == 0)
            ev->task = MLOPS__TASK_AUTO;
        else if (strcmp(value, "classification") == 0)
            ev->task = MLOPS__TASK_CLASS;
        else if (strcmp(value, "regression") == 0)
            ev->task = MLOPS__TASK_REGR;
        else
            rc = mlops__fail(MLOPS_EINVAL,
                             "%s: task must be auto, classification or regression, not '%s'",
                             func, value);
    } else if (strcmp(name, "metrics") == 0) {
        bool want[M__COUNT], all;
        rc = parse_metrics(func, value, want, &all);
        if (rc == MLOPS_OK) rc = set_text(ev, EV_TEXT_METRICS, value);
        if (rc == MLOPS_OK) {
            memcpy(ev->want, want, sizeof want);
            ev->all_metrics = all;
        }
    } else if (strcmp(name, "metric") == 0) {
        if (value[0] == '\0')
            ev->primary = -1;
        else
            rc = parse_metric(func, "metric", value, &ev->primary);
    } else if (strcmp(name, "pos_label") == 0) {
        rc = set_text(ev, EV_TEXT_POS_LABEL, value);
    } else if (strcmp(name, "threshold") == 0) {
        if (value[0] == '\0')
            ev->threshold = NAN;
        else
            rc = parse_real(func, name, value, 0, 1, false, &ev->threshold);
    } else if (strcmp(name, "group") == 0) {
        rc = set_text(ev, EV_TEXT_GROUP, value);
    } else if (strcmp(name, "reference_group") == 0) {
        rc = set_text(ev, EV_TEXT_REFERENCE, value);
    } else if (strcmp(name, "min_group_size") == 0) {
        rc = parse_size(func, name, value, 0, (size_t)1 << 40, &ev->min_group_size);
    } else if (strcmp(name, "bootstrap") == 0) {
        rc = parse_size(func, name, value, 0, 100000, &ev->bootstrap);
    } else if (strcmp(name, "bootstrap_level") == 0) {
        rc = parse_real(func, name, value, 0, 1, true, &ev->level);
    } else if (strcmp(name, "seed") == 0) {
        char *end;
        errno = 0;
        unsigned long long x = strtoull(value, &end, 10);
        if (value[0] == '\0' || value[0] == '-' || *end != '\0' || errno != 0)
            rc = mlops__fail(MLOPS_EINVAL, "%s: seed must be a whole number in [0, 2^64), not "
                             "'%s'", func, value);
        else
            ev->seed = (uint64_t)x;
    } else if (strcmp(name, "probes") == 0) {
        mlops__probe *p = NULL;
        size_t n = 0;
        rc = mlops__probes_parse(value, &p, &n);
        if (rc == MLOPS_OK) rc = set_text(ev, EV_TEXT_PROBES, value);
        if (rc == MLOPS_OK) {
            mlops__free(ev->probes);
            ev->probes = p;
            ev->nprobes = n;
        } else {
            mlops__free(p);
        }
    } else if (strcmp(name, "calibration_bins") == 0) {
        rc = parse_size(func, name, value, 1, 10000, &ev->calibration_bins);
    } else if (strcmp(name, "calibration_strategy") == 0) {
        if (strcmp(value, "uniform") == 0)
            ev->calibration_quantile = false;
        else if (strcmp(value, "quantile") == 0)
            ev->calibration_quantile = true;
        else
            rc = mlops__fail(MLOPS_EINVAL,
                             "%s: calibration_strategy must be uniform or quantile, not '%s'",
                             func, value);
    } else if (strcmp(name, "curve_points") == 0) {
        rc = parse_size(func, name, value, 0, SIZE_MAX, &ev->curve_points);
    } else if (strcmp(name, "cv_folds") == 0) {
        rc = parse_size(func, name, value, 2, 1000000, &ev->cv_folds);
    } else if (strcmp(name, "cv_shuffle") == 0) {
        rc = parse_bool(func, name, value, &ev->cv_shuffle);
    } else if (strcmp(name, "cv_stratify") == 0) {
        bool b;
        if (strcmp(value, "auto") == 0) {
            ev->cv_stratify = -1;
        } else {
            rc = parse_bool(func, name, value, &b);
            if (rc == MLOPS_OK) ev->cv_stratify = b;
        }
    }
    return rc;
}

static char *size_text(size_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%zu", v);
    return mlops__strdup(buf, "evaluator setting");
}

static char *real_text(double v)
{
    if (isnan(v)) return mlops__strdup("", "evaluator setting");
    char buf[MLOPS_DOUBLE_BUFSIZE];
    mlops__format_double(v, buf);
    return mlops__strdup(buf, "evaluator setting");
}

MLOPS_API int mlops_evaluator_get_param(const mlops_evaluator *ev, const char *key, char **value)
{
    static const char func[] = "mlops_evaluator_get_param";
    MLOPS_CHECK_ARG(ev != NULL, func, "NULL evaluator");
    MLOPS_CHECK_ARG(key != NULL, func, "NULL key");
    MLOPS_CHECK_ARG(value != NULL, func, "NULL value");
    int k = find_key(func, key);
    if (k < 0) return k;
    const char *name = KEYS[k], *text = NULL;
    char *out = NULL;
    static const char *const TASKS[] = {"auto", "classification", "regression"};
    if (strcmp(name, "task") == 0)
        text = TASKS[ev->task];
    else if (strcmp(name, "metrics") == 0)
        text = ev->all_metrics ? "all" : ev->text[EV_TEXT_METRICS];
    else if (strcmp(name, "metric") == 0)
        text = ev->primary < 0 ? "" : mlops__metric_defs[ev->primary].name;
    else if (strcmp(name, "pos_label") == 0)
        text = ev->text[EV_TEXT_POS_LABEL];
    else if (strcmp(name, "group") == 0)
        text = ev->text[EV_TEXT_GROUP];
    else if (strcmp(name, "reference_group") == 0)
        text = ev->text[EV_TEXT_REFERENCE];
    else if (strcmp(name, "probes") == 0)
        text = ev->text[EV_TEXT_PROBES];
    else if (strcmp(name, "calibration_strategy") == 0)
        text = ev->calibration_quantile ? "quantile" : "uniform";
    else if (strcmp(name, "cv_shuffle") == 0)
        text = ev->cv_shuffle ? "true" : "false";
    else if (strcmp(name, "cv_stratify") == 0)
        text = ev->cv_stratify < 0 ? "auto" : ev->cv_stratify ? "true" : "false";
    else if (strcmp(name, "threshold") == 0)
        out = real_text(ev->threshold);
    else if (strcmp(name, "bootstrap_level") == 0)
        out = real_text(ev->level);
    else if (strcmp(name, "seed") == 0) {
        char buf[32];
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)ev->seed);
        out = mlops__strdup(buf, "evaluator setting");
    }
    else {
        size_t v = strcmp(name, "min_group_size") == 0     ? ev->min_group_size
                   : strcmp(name, "bootstrap") == 0        ? ev->bootstrap
                   : strcmp(name, "calibration_bins") == 0 ? ev->calibration_bins
                   : strcmp(name, "curve_points") == 0     ? ev->curve_points
                                                           : ev->cv_folds;
        out = size_text(v);
    }
    if (out == NULL) out = mlops__strdup(text != NULL ? text : "", "evaluator setting");
    if (out == NULL) return MLOPS_ENOMEM;
    *value = out;
    return MLOPS_OK;
}

MLOPS_API int mlops_evaluator_add_gate(mlops_evaluator *ev, const char *expression)
{
    static const char func[] = "mlops_evaluator_add_gate";
    MLOPS_CHECK_ARG(ev != NULL, func, "NULL evaluator");
    MLOPS_CHECK_ARG(expression != NULL, func, "NULL expression");
    mlops__gate g;
    int rc = mlops__gate_parse(expression, &g);
    if (rc != MLOPS_OK) return rc;
    mlops__gate *grown =
        mlops__realloc_array(ev->gates, ev->ngates + 1, sizeof *grown, "evaluator gates");
    if (grown == NULL) {
        mlops__gate_clear(&g);
        return MLOPS_ENOMEM;
    }
    ev->gates = grown;
    ev->gates[ev->ngates++] = g;
    return MLOPS_OK;
}

MLOPS_API size_t mlops_evaluator_gate_count(const mlops_evaluator *ev)
{
    return ev != NULL ? ev->ngates : 0;
}
