/* mlops_report: named values, notes, gate verdicts, curves and the
 * confusion matrix of one evaluation, with the accessors callers query.
 * Values keep their JSON path beside their flat name, so the name a gate
 * uses and the place the JSON shows it can never disagree. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/suggest.h"
#include "eval/eval_impl.h"

int mlops__report_new(mlops_report **out, int task)
{
    mlops_report *r = mlops__calloc(1, sizeof *r, "report");
    if (r == NULL) return MLOPS_ENOMEM;
    r->task = task;
    r->curve_points = 1000;
    *out = r;
    return MLOPS_OK;
}

MLOPS_API void mlops_report_free(mlops_report *r)
{
    if (r == NULL) return;
    for (size_t i = 0; i < r->nvalues; i++) {
        mlops__free(r->values[i].name);
        mlops__free(r->values[i].g1);
        mlops__free(r->values[i].g2);
        mlops__free(r->values[i].leaf);
    }
    mlops__free(r->values);
    for (size_t i = 0; i < r->nnotes; i++) mlops__free(r->notes[i]);
    mlops__free(r->notes);
    for (size_t i = 0; i < r->ngates; i++) mlops__free(r->gates[i].expression);
    mlops__free(r->gates);
    for (size_t i = 0; i < r->ncurves; i++) {
        mlops__free(r->curves[i].name);
        mlops__free(r->curves[i].x);
        mlops__free(r->curves[i].y);
        mlops__free(r->curves[i].t);
    }
    mlops__free(r->curves);
    if (r->labels != NULL)
        for (size_t c = 0; c < r->k; c++) mlops__free(r->labels[c]);
    mlops__free(r->labels);
    mlops__free(r->confusion);
    mlops__free(r->grid_json);
    mlops__free(r);
}

static char *dup_or_null(mlops_report *r, const char *s)
{
    if (s == NULL) return NULL;
    char *c = mlops__strdup(s, "report value");
    if (c == NULL) r->status = MLOPS_ENOMEM;
    return c;
}

/* "a&b" + "x&y" -> "a=x&b=y" */
static size_t group_name(char *buf, size_t cap, const char *col, const char *key)
{
    size_t len = 0;
    const char *c = col, *k = key;
    while (1) {
        size_t cl = strcspn(c, "&"), kl = strcspn(k, "&");
        len += (size_t)snprintf(buf + (len < cap ? len : cap), len < cap ? cap - len : 0,
                                "%s%.*s=%.*s", len ? "&" : "", (int)cl, c, (int)kl, k);
        if (c[cl] == '\0' || k[kl] == '\0') break;
        c += cl + 1;
        k += kl + 1;
    }
    return len;
}

static char *value_name(int section, const char *g1, const char *g2, const char *leaf)
{
    size_t cap = strlen(leaf) + (g1 ? strlen(g1) : 0) + (g2 ? strlen(g2) : 0) + 16;
    char *s = mlops__malloc(cap * 2, "report value name");
    if (s == NULL) return NULL;
    switch (section) {
    case SEC_PER_CLASS:
    case SEC_FAIRNESS: snprintf(s, cap * 2, "%s.%s", leaf, g1); break;
    case SEC_GROUP: {
        size_t n = group_name(s, cap * 2, g1, g2);
        snprintf(s + n, cap * 2 - n, ".%s", leaf);
        break;
    }
    case SEC_INTERVAL:
    case SEC_PROBE:
    case SEC_CV:
        if (g1 != NULL) {
            snprintf(s, cap * 2, "%s.%s", g1, leaf);
            break;
        }
        /* fall through */
    default: snprintf(s, cap * 2, "%s", leaf); break;
    }
    return s;
}

void mlops__report_put(mlops_report *r, int section, const char *g1, const char *g2,
                       const char *leaf, double v)
{
    if (r->status != MLOPS_OK) return;
    if (r->nvalues == r->capvalues) {
        size_t cap = r->capvalues ? 2 * r->capvalues : 64;
        mlops__rvalue *grown = mlops__realloc_array(r->values, cap, sizeof *grown, "report");
        if (grown == NULL) {
            r->status = MLOPS_ENOMEM;
            return;
        }
        r->values = grown;
        r->capvalues = cap;
    }
    mlops__rvalue *e = &r->values[r->nvalues];
    memset(e, 0, sizeof *e);
    e->section = section;
    e->v = v;
    e->name = value_name(section, g1, g2, leaf);
    e->g1 = dup_or_null(r, g1);
    e->g2 = dup_or_null(r, g2);
    e->leaf = dup_or_null(r, leaf);
    if (e->name == NULL) r->status = MLOPS_ENOMEM;
    r->nvalues++; /* freed with the report even when incomplete */
}

void mlops__report_note(mlops_report *r, const char *fmt, ...)
{
    if (r->status != MLOPS_OK) return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < r->nnotes; i++)
        if (strcmp(r->notes[i], buf) == 0) return;
    if (r->nnotes == r->capnotes) {
        size_t cap = r->capnotes ? 2 * r->capnotes : 16;
        char **grown = mlops__realloc_array(r->notes, cap, sizeof *grown, "report notes");
        if (grown == NULL) {
            r->status = MLOPS_ENOMEM;
            return;
        }
        r->notes = grown;
        r->capnotes = cap;
    }
    r->notes[r->nnotes] = mlops__strdup(buf, "report note");
    if (r->notes[r->nnotes] == NULL)
        r->status = MLOPS_ENOMEM;
    else
        r->nnotes++;
}

mlops__rcurve *mlops__report_curve_new(mlops_report *r, const char *name, size_t n, size_t nt)
{
    if (r->status != MLOPS_OK) return NULL;
    if (r->ncurves == r->capcurves) {
        size_t cap = r->capcurves ? 2 * r->capcurves : 8;
        mlops__rcurve *grown = mlops__realloc_array(r->curves, cap, sizeof *grown, "curves");
        if (grown == NULL) {
            r->status = MLOPS_ENOMEM;
            return NULL;
        }
        r->curves = grown;
        r->capcurves = cap;
    }
    mlops__rcurve *c = &r->curves[r->ncurves++];
    memset(c, 0, sizeof *c);
    c->name = mlops__strdup(name, "curve name");
    c->x = mlops__malloc_array(n, sizeof *c->x, "curve");
    c->y = mlops__malloc_array(n, sizeof *c->y, "curve");
    c->t = mlops__malloc_array(nt ? nt : 1, sizeof *c->t, "curve");
    c->n = n;
    c->nt = nt;
    if (c->name == NULL || c->x == NULL || c->y == NULL || c->t == NULL) {
        r->status = MLOPS_ENOMEM;
        return NULL;
    }
    return c;
}

const mlops__rvalue *mlops__report_find(const mlops_report *r, const char *name)
{
    for (size_t i = 0; i < r->nvalues; i++)
        if (r->values[i].name != NULL && strcmp(r->values[i].name, name) == 0)
            return &r->values[i];
    return NULL;
}

static const char *value_name_at(size_t i, const void *ctx)
{
    const mlops_report *r = ctx;
    return r->values[i].name ? r->values[i].name : "";
}

static int not_found(const char *func, const mlops_report *r, const char *name)
{
    const char *near = mlops__suggest(name, r->nvalues, value_name_at, r);
    return mlops__fail(MLOPS_ENOTFOUND, "%s: the report has no value '%s'%s%s%s", func, name,
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

int mlops__report_check_gates(mlops_report *r, const mlops_evaluator *ev)
{
    if (ev->ngates == 0) return MLOPS_OK;
    r->gates = mlops__calloc(ev->ngates, sizeof *r->gates, "gate verdicts");
    if (r->gates == NULL) return MLOPS_ENOMEM;
    for (size_t i = 0; i < ev->ngates; i++) {
        const mlops__gate *g = &ev->gates[i];
        const mlops__rvalue *v = mlops__report_find(r, g->name);
        if (v == NULL) {
            const char *near = mlops__suggest(g->name, r->nvalues, value_name_at, r);
            return mlops__fail(MLOPS_EINVAL,
                               "gate '%s': this evaluation computes no value '%s'%s%s%s "
                               "(interval gates need bootstrap > 0, probe gates need probes, "
                               "group gates need the group columns)",
                               g->expression, g->name, near ? " (did you mean '" : "",
                               near ? near : "", near ? "'?)" : "");
        }
        r->gates[i].expression = mlops__strdup(g->expression, "gate verdict");
        if (r->gates[i].expression == NULL) return MLOPS_ENOMEM;
        r->gates[i].observed = v->v;
        r->gates[i].passed = mlops__gate_holds(g, v->v);
        r->ngates = i + 1;
        if (isnan(v->v))
            mlops__report_note(r, "gate '%s' fails: %s is undefined", g->expression, g->name);
    }
    return r->status;
}

/* ---- Public accessors ---------------------------------------------------- */

MLOPS_API int mlops_report_value(const mlops_report *r, const char *name, double *value)
{
    static const char func[] = "mlops_report_value";
    MLOPS_CHECK_ARG(r != NULL, func, "NULL report");
    MLOPS_CHECK_ARG(name != NULL, func, "NULL name");
    MLOPS_CHECK_ARG(value != NULL, func, "NULL value");
    const mlops__rvalue *v = mlops__report_find(r, name);
    if (v == NULL) return not_found(func, r, name);
    *value = v->v;
    return MLOPS_OK;
}

MLOPS_API int mlops_report_group_value(const mlops_report *r, const char *column,
                                       const char *group, const char *metric, double *value)
{
    static const char func[] = "mlops_report_group_value";
    MLOPS_CHECK_ARG(r != NULL, func, "NULL report");
    MLOPS_CHECK_ARG(column != NULL && group != NULL, func, "NULL column or group");
    MLOPS_CHECK_ARG(metric != NULL, func, "NULL metric");
    MLOPS_CHECK_ARG(value != NULL, func, "NULL value");
    for (size_t i = 0; i < r->nvalues; i++) {
        const mlops__rvalue *v = &r->values[i];
        if (v->section == SEC_GROUP && strcmp(v->g1, column) == 0 &&
            strcmp(v->g2, group) == 0 && strcmp(v->leaf, metric) == 0) {
            *value = v->v;
            return MLOPS_OK;
        }
    }
    return mlops__fail(MLOPS_ENOTFOUND, "%s: no value '%s' for group '%s' of '%s'", func,
                       metric, group, column);
}

MLOPS_API size_t mlops_report_value_count(const mlops_report *r)
{
    return r != NULL ? r->nvalues : 0;
}

MLOPS_API const char *mlops_report_value_name(const mlops_report *r, size_t i)
{
    return r != NULL && i < r->nvalues ? r->values[i].name : NULL;
}

MLOPS_API int mlops_report_passed(const mlops_report *r)
{
    if (r == NULL) return 0;
    for (size_t i = 0; i < r->ngates; i++)
        if (!r->gates[i].passed) return 0;
    return 1;
}

MLOPS_API size_t mlops_report_gate_count(const mlops_report *r)
{
    return r != NULL ? r->ngates : 0;
}

MLOPS_API int mlops_report_gate(const mlops_report *r, size_t i, const char **expression,
                                double *observed, int *passed)
{
    static const char func[] = "mlops_report_gate";
    MLOPS_CHECK_ARG(r != NULL, func, "NULL report");
    if (i >= r->ngates)
        return mlops__fail(MLOPS_EINVAL, "%s: gate %zu out of range (the report has %zu)", func,
                           i, r->ngates);
    if (expression != NULL) *expression = r->gates[i].expression;
    if (observed != NULL) *observed = r->gates[i].observed;
    if (passed != NULL) *passed = r->gates[i].passed;
    return MLOPS_OK;
}

MLOPS_API size_t mlops_report_note_count(const mlops_report *r)
{
    return r != NULL ? r->nnotes : 0;
}

MLOPS_API const char *mlops_report_note(const mlops_report *r, size_t i)
{
    return r != NULL && i < r->nnotes ? r->notes[i] : NULL;
}

MLOPS_API size_t mlops_report_class_count(const mlops_report *r)
{
    return r != NULL ? r->k : 0;
}

MLOPS_API const char *mlops_report_class_label(const mlops_report *r, size_t k)
{
    return r != NULL && k < r->k ? r->labels[k] : NULL;
}

MLOPS_API int mlops_report_confusion(const mlops_report *r, size_t *k, const double **counts)
{
    static const char func[] = "mlops_report_confusion";
    MLOPS_CHECK_ARG(r != NULL, func, "NULL report");
    MLOPS_CHECK_ARG(k != NULL && counts != NULL, func, "NULL output");
    if (r->confusion == NULL)
        return mlops__fail(MLOPS_ENOTFOUND, "%s: a regression report has no confusion matrix",
                           func);
    *k = r->k;
    *counts = r->confusion;
    return MLOPS_OK;
}

MLOPS_API int mlops_report_curve(const mlops_report *r, const char *name, size_t *n,
                                 const double **x, const double **y, const double **t)
{
    static const char func[] = "mlops_report_curve";
    MLOPS_CHECK_ARG(r != NULL, func, "NULL report");
    MLOPS_CHECK_ARG(name != NULL, func, "NULL name");
    MLOPS_CHECK_ARG(n != NULL, func, "NULL n");
    for (size_t i = 0; i < r->ncurves; i++) {
        const mlops__rcurve *c = &r->curves[i];
        if (strcmp(c->name, name) != 0) continue;
        *n = c->n;
        if (x != NULL) *x = c->x;
        if (y != NULL) *y = c->y;
        if (t != NULL) *t = c->t;
        return MLOPS_OK;
    }
    return mlops__fail(MLOPS_ENOTFOUND,
                       "%s: the report has no curve '%s' (curves need scores; names: roc, "
                       "precision_recall, calibration, or roc.<label> when multiclass)",
                       func, name);
}
