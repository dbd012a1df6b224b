/* Fairness by group: every metric per group of each group column and of
 * each pair of columns (intersections), Fairlearn's between-group
 * aggregates (max - min, min / max) and AIF360's signed metrics of every
 * other row against a declared reference group. Small groups are flagged
 * and named in a note, because a rate over a dozen rows proves little. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/numfmt.h"
#include "core/sort.h"
#include "eval/eval_impl.h"

typedef struct grouping {
    char *name;      /* "sex" or "sex&region" */
    size_t ngroups;
    char **labels;   /* ngroups */
    int32_t *code;   /* per row, -1 when missing */
    size_t missing;
} grouping;

static void grouping_clear(grouping *g)
{
    mlops__free(g->name);
    if (g->labels != NULL)
        for (size_t j = 0; j < g->ngroups; j++) mlops__free(g->labels[j]);
    mlops__free(g->labels);
    mlops__free(g->code);
}

static int column_grouping(const mlops_dataset *data, size_t col, grouping *g)
{
    size_t n = mlops_dataset_rows(data);
    g->name = mlops__strdup(mlops_dataset_column_name(data, col), "group name");
    g->code = mlops__malloc_array(n, sizeof *g->code, "group codes");
    if (g->name == NULL || g->code == NULL) return MLOPS_ENOMEM;
    if (mlops_dataset_column_type(data, col) == MLOPS_CATEGORICAL) {
        size_t nc = mlops_dataset_category_count(data, col);
        int rc = mlops_dataset_get_codes(data, col, 0, n, g->code);
        if (rc != MLOPS_OK) return rc;
        /* only categories that occur, in dictionary order */
        int32_t *map = mlops__malloc_array(nc ? nc : 1, sizeof *map, "group map");
        g->labels = mlops__calloc(nc ? nc : 1, sizeof *g->labels, "group labels");
        if (map == NULL || g->labels == NULL) {
            mlops__free(map);
            return MLOPS_ENOMEM;
        }
        for (size_t j = 0; j < nc; j++) map[j] = -1;
        for (size_t i = 0; i < n; i++)
            if (g->code[i] >= 0) map[g->code[i]] = 0;
        for (size_t j = 0; j < nc; j++) {
            if (map[j] < 0) continue;
            map[j] = (int32_t)g->ngroups;
            g->labels[g->ngroups] =
                mlops__strdup(mlops_dataset_category(data, col, (int32_t)j), "group label");
            if (g->labels[g->ngroups++] == NULL) {
                mlops__free(map);
                return MLOPS_ENOMEM;
            }
        }
        for (size_t i = 0; i < n; i++) {
            if (g->code[i] < 0)
                g->missing++;
            else
                g->code[i] = map[g->code[i]];
        }
        mlops__free(map);
        return MLOPS_OK;
    }
    const double *v;
    int rc = mlops_dataset_numeric_data(data, col, &v);
    if (rc != MLOPS_OK) return rc;
    double *sorted = mlops__malloc_array(n, sizeof *sorted, "group values");
    if (sorted == NULL) return MLOPS_ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) sorted[m++] = v[i];
    size_t k = mlops__sort_unique(sorted, m);
    g->labels = mlops__calloc(k ? k : 1, sizeof *g->labels, "group labels");
    if (g->labels == NULL) rc = MLOPS_ENOMEM;
    for (size_t j = 0; rc == MLOPS_OK && j < k; j++) {
        char text[MLOPS_DOUBLE_BUFSIZE];
        mlops__format_double(sorted[j], text);
        if ((g->labels[j] = mlops__strdup(text, "group label")) == NULL) rc = MLOPS_ENOMEM;
        g->ngroups = j + 1;
    }
    for (size_t i = 0; rc == MLOPS_OK && i < n; i++) {
        g->code[i] = -1;
        if (!isfinite(v[i])) {
            g->missing++;
            continue;
        }
        g->code[i] = (int32_t)mlops__lower_bound(sorted, k, v[i]);
    }
    mlops__free(sorted);
    return rc;
}

/* The groups of a pair of columns: combinations that occur, in order. */
static int intersect(const grouping *a, const grouping *b, size_t n, grouping *g)
{
    size_t combos;
    if (!mlops__mul_size(a->ngroups, b->ngroups, &combos) || combos > INT32_MAX)
        return mlops__fail(MLOPS_ENOMEM, "evaluation: too many group combinations of '%s' and "
                           "'%s'", a->name, b->name);
    size_t len = strlen(a->name) + strlen(b->name) + 2;
    g->name = mlops__malloc(len, "group name");
    g->code = mlops__malloc_array(n, sizeof *g->code, "group codes");
    int32_t *map = mlops__malloc_array(combos ? combos : 1, sizeof *map, "group map");
    int rc = g->name && g->code && map ? MLOPS_OK : MLOPS_ENOMEM;
    if (rc == MLOPS_OK) {
        snprintf(g->name, len, "%s&%s", a->name, b->name);
        for (size_t j = 0; j < combos; j++) map[j] = -1;
        for (size_t i = 0; i < n; i++)
            if (a->code[i] >= 0 && b->code[i] >= 0)
                map[(size_t)a->code[i] * b->ngroups + (size_t)b->code[i]] = 0;
        size_t used = 0;
        for (size_t j = 0; j < combos; j++) used += map[j] == 0;
        g->labels = mlops__calloc(used ? used : 1, sizeof *g->labels, "group labels");
        if (g->labels == NULL) rc = MLOPS_ENOMEM;
        for (size_t j = 0; rc == MLOPS_OK && j < combos; j++) {
            if (map[j] != 0) continue;
            const char *x = a->labels[j / b->ngroups], *y = b->labels[j % b->ngroups];
            size_t l = strlen(x) + strlen(y) + 2;
            char *label = mlops__malloc(l, "group label");
            if (label == NULL) {
                rc = MLOPS_ENOMEM;
                break;
            }
            snprintf(label, l, "%s&%s", x, y);
            map[j] = (int32_t)g->ngroups;
            g->labels[g->ngroups++] = label;
        }
        for (size_t i = 0; rc == MLOPS_OK && i < n; i++) {
            if (a->code[i] < 0 || b->code[i] < 0) {
                g->code[i] = -1;
                g->missing++;
            } else {
                g->code[i] = map[(size_t)a->code[i] * b->ngroups + (size_t)b->code[i]];
            }
        }
    }
    mlops__free(map);
    return rc;
}

/* max - min and min / max over the groups' defined values. */
static void spread(const double *v, size_t n, double *diff, double *ratio)
{
    double lo = INFINITY, hi = -INFINITY;
    size_t defined = 0;
    for (size_t j = 0; j < n; j++) {
        if (isnan(v[j])) continue;
        defined++;
        if (v[j] < lo) lo = v[j];
        if (v[j] > hi) hi = v[j];
    }
    if (defined == 0) {
        *diff = *ratio = NAN;
        return;
    }
    *diff = hi - lo;
    *ratio = hi != 0 ? lo / hi : NAN;
}

typedef struct group_ctx {
    const mlops_evaluator *ev;
    const mlops__eval_data *d;
    mlops_report *r;
    double *wt, *scratch, *vals; /* vals: M__COUNT x ngroups */
    bool report[M__COUNT];
    bool first;
} group_ctx;

static void fair(group_ctx *c, const char *column, const char *leaf, double v)
{
    mlops__report_put(c->r, SEC_FAIRNESS, column, NULL, leaf, v);
    if (c->first) mlops__report_put(c->r, SEC_ALIAS, NULL, NULL, leaf, v);
    if (isnan(v))
        mlops__report_note(c->r, "%s.%s is undefined: %s", leaf, column,
                           strstr(leaf, "ratio") != NULL || strcmp(leaf, "disparate_impact") == 0
                               ? "no group's rate is defined, or the denominator is 0"
                               : "no group's rate is defined");
}

static void rates_of(group_ctx *c, const grouping *g, int32_t which, bool inside, double *out)
{
    for (size_t i = 0; i < c->d->n; i++) {
        bool member = g->code[i] >= 0 && ((g->code[i] == which) == inside);
        c->wt[i] = member ? c->d->w[i] : 0;
    }
    mlops__compute_metrics(c->d, c->wt, out, c->scratch, NULL);
}

static int reference_metrics(group_ctx *c, const grouping *g, const char *ref)
{
    int32_t which = -1;
    for (size_t j = 0; j < g->ngroups; j++)
        if (strcmp(g->labels[j], ref) == 0) which = (int32_t)j;
    if (which < 0)
        return mlops__fail(MLOPS_EINVAL, "evaluation: reference group '%s' does not occur in "
                           "column '%s'", ref, g->name);
    double priv[M__COUNT], unpriv[M__COUNT];
    rates_of(c, g, which, true, priv);
    rates_of(c, g, which, false, unpriv);
    double spd = unpriv[M_SELECTION_RATE] - priv[M_SELECTION_RATE];
    double di = priv[M_SELECTION_RATE] != 0 ? unpriv[M_SELECTION_RATE] / priv[M_SELECTION_RATE]
                                             : NAN;
    double aod = 0.5 * ((unpriv[M_FPR] - priv[M_FPR]) + (unpriv[M_TPR] - priv[M_TPR]));
    fair(c, g->name, "statistical_parity_difference", spd);
    fair(c, g->name, "disparate_impact", di);
    fair(c, g->name, "average_odds_difference", aod);
    return c->r->status;
}

static int one_grouping(group_ctx *c, const grouping *g, const char *ref)
{
    const mlops__eval_data *d = c->d;
    size_t G = g->ngroups;
    mlops_report *r = c->r;
    if (g->missing > 0)
        mlops__report_note(r, "%zu rows with a missing '%s' are in no group of it", g->missing,
                           g->name);
    double *vals = c->vals;
    char small_list[400];
    size_t nsmall = 0, listed = 0;
    bool undefined = false;
    small_list[0] = '\0';
    for (size_t j = 0; j < G; j++) {
        double out[M__COUNT];
        rates_of(c, g, (int32_t)j, true, out);
        size_t rows = 0;
        for (size_t i = 0; i < d->n; i++) rows += g->code[i] == (int32_t)j;
        const char *label = g->labels[j];
        mlops__report_put(r, SEC_GROUP, g->name, label, "count", (double)rows);
        for (int m = M_WEIGHT_SUM; m < M__COUNT; m++) {
            vals[(size_t)m * G + j] = out[m];
            if (c->report[m]) {
                mlops__report_put(r, SEC_GROUP, g->name, label, mlops__metric_defs[m].name,
                                  out[m]);
                undefined |= isnan(out[m]);
            }
        }
        bool small = rows < c->ev->min_group_size;
        mlops__report_put(r, SEC_GROUP, g->name, label, "small", small ? 1.0 : 0.0);
        if (small && nsmall++ < 8) {
            size_t at = strlen(small_list);
            snprintf(small_list + at, sizeof small_list - at, "%s%s (%zu rows)",
                     at ? ", " : "", label, rows);
            listed++;
        }
    }
    if (nsmall > 0)
        mlops__report_note(r, "%zu groups of '%s' have fewer than min_group_size %zu rows and "
                           "are flagged small, their figures are not reliable: %s%s",
                           nsmall, g->name, c->ev->min_group_size, small_list,
                           nsmall > listed ? ", ..." : "");
    if (undefined)
        mlops__report_note(r, "some values of groups of '%s' are undefined (null): a rate over "
                           "no rows (no positive rows for true_positive_rate, no negative rows "
                           "for false_positive_rate, no predicted positives for precision) has "
                           "no value", g->name);
    double diff, ratio;
    if (d->task == MLOPS__TASK_CLASS && d->pos >= 0) {
        double tdiff, tratio, fdiff, fratio;
        spread(vals + (size_t)M_SELECTION_RATE * G, G, &diff, &ratio);
        fair(c, g->name, "demographic_parity_difference", diff);
        fair(c, g->name, "demographic_parity_ratio", ratio);
        spread(vals + (size_t)M_TPR * G, G, &tdiff, &tratio);
        spread(vals + (size_t)M_FPR * G, G, &fdiff, &fratio);
        double eod = isnan(tdiff) ? fdiff : isnan(fdiff) ? tdiff : fmax(tdiff, fdiff);
        double eor = isnan(tratio) ? fratio : isnan(fratio) ? tratio : fmin(tratio, fratio);
        fair(c, g->name, "equalized_odds_difference", eod);
        fair(c, g->name, "equalized_odds_ratio", eor);
        fair(c, g->name, "equal_opportunity_difference", tdiff);
        fair(c, g->name, "equal_opportunity_ratio", tratio);
    } else if (d->task == MLOPS__TASK_CLASS) {
        mlops__report_note(r, "fairness rates over '%s' need a positive class: set pos_label "
                           "for a multiclass model", g->name);
    }
    for (int m = M_ACCURACY; m < M__COUNT; m++) {
        if (!c->report[m] || (mlops__metric_defs[m].flags & MD_INFO)) continue;
        char leaf[96];
        spread(vals + (size_t)m * G, G, &diff, &ratio);
        snprintf(leaf, sizeof leaf, "%s.group_difference", mlops__metric_defs[m].name);
        fair(c, g->name, leaf, diff);
        snprintf(leaf, sizeof leaf, "%s.group_ratio", mlops__metric_defs[m].name);
        fair(c, g->name, leaf, ratio);
    }
    if (ref != NULL && d->task == MLOPS__TASK_CLASS && d->pos >= 0) {
        int rc = reference_metrics(c, g, ref);
        if (rc != MLOPS_OK) return rc;
    }
    c->first = false;
    return r->status;
}

/* The group columns: the "group" setting, or the columns of role group. */
static int group_columns(const mlops_evaluator *ev, const mlops_dataset *data, size_t **cols,
                         size_t *n)
{
    size_t total = mlops_dataset_cols(data);
    *cols = mlops__malloc_array(total ? total : 1, sizeof **cols, "group columns");
    if (*cols == NULL) return MLOPS_ENOMEM;
    *n = 0;
    const char *text = ev->text[EV_TEXT_GROUP];
    if (text == NULL) {
        for (size_t c = 0; c < total; c++)
            if (mlops_dataset_column_role(data, c) == MLOPS_ROLE_GROUP) (*cols)[(*n)++] = c;
        return MLOPS_OK;
    }
    const char *p = text;
    while (*p != '\0') {
        size_t len = strcspn(p, ","), col;
        char name[256];
        if (len == 0 || len >= sizeof name)
            return mlops__fail(MLOPS_EINVAL, "evaluation: group '%s': empty or overlong column "
                               "name", text);
        memcpy(name, p, len);
        name[len] = '\0';
        if (mlops_dataset_column_index(data, name, &col) != MLOPS_OK)
            return mlops__fail(MLOPS_ENOTFOUND, "evaluation: group column '%s' is not in the "
                               "data", name);
        for (size_t i = 0; i < *n; i++)
            if ((*cols)[i] == col)
                return mlops__fail(MLOPS_EINVAL, "evaluation: group column '%s' is listed "
                                   "twice", name);
        if (*n == total) break;
        (*cols)[(*n)++] = col;
        p += len;
        if (*p == ',') p++;
    }
    return MLOPS_OK;
}

/* reference_group is "value" (first group column) or "column=value". */
static const char *reference_for(const mlops_evaluator *ev, const char *column, bool first,
                                 char *buf, size_t cap)
{
    const char *ref = ev->text[EV_TEXT_REFERENCE];
    if (ref == NULL) return NULL;
    const char *eq = strchr(ref, '=');
    if (eq == NULL) return first ? ref : NULL;
    size_t len = (size_t)(eq - ref);
    if (strlen(column) != len || strncmp(column, ref, len) != 0) return NULL;
    snprintf(buf, cap, "%s", eq + 1);
    return buf;
}

int mlops__eval_groups(const mlops_evaluator *ev, const mlops__eval_data *d,
                       const mlops_dataset *groups, mlops_report *r)
{
    size_t *cols = NULL, ncols = 0;
    int rc = group_columns(ev, groups, &cols, &ncols);
    if (rc != MLOPS_OK || ncols == 0) {
        mlops__free(cols);
        return rc;
    }
    grouping *gs = mlops__calloc(ncols, sizeof *gs, "groupings");
    group_ctx c = {ev, d, r, NULL, NULL, NULL, {false}, true};
    c.wt = mlops__malloc_array(d->n, sizeof *c.wt, "group weights");
    c.scratch = mlops__metric_scratch(d);
    if (gs == NULL || c.wt == NULL || c.scratch == NULL) rc = MLOPS_ENOMEM;
    for (size_t i = 0; rc == MLOPS_OK && i < ncols; i++)
        rc = column_grouping(groups, cols[i], &gs[i]);
    for (int m = M_WEIGHT_SUM; m < M__COUNT; m++)
        c.report[m] = mlops__metric_wanted(ev, d, m) ||
                      ((m == M_SELECTION_RATE || m == M_TPR || m == M_FPR) &&
                       mlops__metric_applies(d, m)) ||
                      (m == M_ACCURACY && d->task == MLOPS__TASK_CLASS);
    const char *ref = ev->text[EV_TEXT_REFERENCE];
    bool ref_used = ref == NULL;
    for (size_t i = 0; rc == MLOPS_OK && i < ncols; i++) {
        size_t most = gs[i].ngroups;
        for (size_t j = i + 1; j < ncols; j++)
            if (gs[i].ngroups * gs[j].ngroups > most) most = gs[i].ngroups * gs[j].ngroups;
        mlops__free(c.vals);
        c.vals = mlops__malloc_array((size_t)M__COUNT * (most ? most : 1), sizeof *c.vals,
                                     "group values");
        if (c.vals == NULL) {
            rc = MLOPS_ENOMEM;
            break;
        }
        char buf[256];
        const char *mine = reference_for(ev, gs[i].name, i == 0, buf, sizeof buf);
        if (mine != NULL) ref_used = true;
        rc = one_grouping(&c, &gs[i], mine);
        for (size_t j = i + 1; rc == MLOPS_OK && j < ncols; j++) {
            grouping both;
            memset(&both, 0, sizeof both);
            rc = intersect(&gs[i], &gs[j], d->n, &both);
            if (rc == MLOPS_OK) rc = one_grouping(&c, &both, NULL);
            grouping_clear(&both);
        }
    }
    if (rc == MLOPS_OK && !ref_used)
        rc = mlops__fail(MLOPS_EINVAL, "evaluation: reference_group '%s' names no group column",
                         ref);
    if (gs != NULL)
        for (size_t i = 0; i < ncols; i++) grouping_clear(&gs[i]);
    mlops__free(gs);
    mlops__free(c.wt);
    mlops__free(c.scratch);
    mlops__free(c.vals);
    mlops__free(cols);
    return rc != MLOPS_OK ? rc : r->status;
}
