/* The comparison of a current profile with the reference: every column's
 * statistic, the multiple-testing correction over the p-value columns, the
 * data-quality findings and the data set verdict. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/numfmt.h"
#include "core/parallel.h"
#include "monitor/drift_impl.h"

int mlops__drift_add_finding(mlops_drift_report *r, const char *column, const char *kind,
                             uint64_t count, const char *fmt, ...)
{
    if (r->nfindings == r->findings_cap) {
        size_t cap = r->findings_cap ? 2 * r->findings_cap : 8;
        mlops__drift_finding *f =
            mlops__realloc_array(r->findings, cap, sizeof *f, "drift findings");
        if (f == NULL) return MLOPS_ENOMEM;
        r->findings = f;
        r->findings_cap = cap;
    }
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    mlops__drift_finding *f = &r->findings[r->nfindings];
    f->column = mlops__strdup(column, "finding column");
    f->message = mlops__strdup(text, "finding message");
    f->kind = kind;
    f->count = count;
    if (f->column == NULL || f->message == NULL) {
        mlops__free(f->column);
        mlops__free(f->message);
        return MLOPS_ENOMEM;
    }
    r->nfindings++;
    return MLOPS_OK;
}

typedef struct ranked {
    double p;
    size_t col;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    double x = ((const ranked *)a)->p, y = ((const ranked *)b)->p;
    return (x > y) - (x < y);
}

/* Adjusted p-values over the evaluable test columns: Bonferroni min(1, m p),
 * or Benjamini-Hochberg's step-up min over j >= i of m p_(j) / j. */
static int correct(mlops_drift_report *r, int correction)
{
    size_t m = 0;
    for (size_t i = 0; i < r->ncols; i++)
        if (!isnan(r->cols[i].p_value) && r->cols[i].evaluable) m++;
    if (correction == MLOPS__CORRECT_BONFERRONI) {
        for (size_t i = 0; i < r->ncols; i++)
            if (!isnan(r->cols[i].p_value) && r->cols[i].evaluable)
                r->cols[i].p_adjusted = fmin(1.0, r->cols[i].p_value * (double)m);
    } else if (correction == MLOPS__CORRECT_BH && m > 0) {
        ranked *rk = mlops__malloc_array(m, sizeof *rk, "p-value ranks");
        if (rk == NULL) return MLOPS_ENOMEM;
        size_t k = 0;
        for (size_t i = 0; i < r->ncols; i++)
            if (!isnan(r->cols[i].p_value) && r->cols[i].evaluable)
                rk[k++] = (ranked){r->cols[i].p_value, i};
        qsort(rk, m, sizeof *rk, cmp_ranked);
        double running = 1.0;
        for (size_t j = m; j-- > 0;) {
            double adj = rk[j].p * (double)m / (double)(j + 1);
            if (adj < running) running = adj;
            r->cols[rk[j].col].p_adjusted = running;
        }
        mlops__free(rk);
    }
    for (size_t i = 0; i < r->ncols; i++) {
        mlops__drift_column *c = &r->cols[i];
        if (mlops__drift_method_is_test(c->method) && c->evaluable)
            c->drifted = c->p_adjusted < c->threshold;
    }
    return MLOPS_OK;
}

/* Current categories the reference never had, the most frequent first, for
 * the finding's message. */
static void unseen_names(const mlops__profile_column *ref, const mlops__profile_column *cur,
                         char *buf, size_t size)
{
    buf[0] = '\0';
    const mlops__categorical_state *s = &cur->cat;
    size_t n = s->strings ? mlops__dict_size(s->strings) : 0, used = 0, shown = 0;
    enum { SHOWN = 3 };
    size_t best[SHOWN];
    for (size_t i = 0; i < n; i++) {
        const char *str = mlops__dict_string(s->strings, (int32_t)i);
        if (s->counts[i] == 0 ||
            (ref->bins.categories && mlops__dict_find(ref->bins.categories, str, strlen(str)) >= 0))
            continue;
        size_t pos = shown < SHOWN ? shown++ : SHOWN;
        while (pos > 0 && s->counts[best[pos - 1]] < s->counts[i]) {
            if (pos < SHOWN) best[pos] = best[pos - 1];
            pos--;
        }
        if (pos < SHOWN) best[pos] = i;
    }
    for (size_t i = 0; i < shown && used + 1 < size; i++) {
        int w = snprintf(buf + used, size - used, "%s'%s'", i ? ", " : "",
                         mlops__dict_string(s->strings, (int32_t)best[i]));
        if (w < 0) break;
        used += (size_t)w < size - used ? (size_t)w : size - used - 1;
    }
}

static int findings(mlops_drift_report *r, const mlops_drift_monitor *m, const mlops_profile *cur)
{
    int rc = MLOPS_OK;
    for (size_t j = 0; rc == MLOPS_OK && j < cur->ncols; j++) {
        const mlops__profile_column *rcol = &m->ref->cols[j], *c = &cur->cols[j];
        const mlops__column_bins *b = &c->bins;
        if (m->choice[j].method == MLOPS__DM_SKIP) continue;
        uint64_t rows = c->count + c->missing, ref_rows = rcol->count + rcol->missing;
        if (rows == 0) continue;
        if (c->count == 0) {
            rc = mlops__drift_add_finding(r, c->name, "no_values", rows,
                                          "column '%s' has no value in %llu rows", c->name,
                                          (unsigned long long)rows);
            continue;
        }
        double miss = (double)c->missing / (double)rows;
        double ref_miss = ref_rows ? (double)rcol->missing / (double)ref_rows : 0.0;
        if (miss - ref_miss >= m->cfg.missing_jump && c->missing > 0)
            rc = mlops__drift_add_finding(r, c->name, "missing_jump", c->missing,
                                          "column '%s': %.1f%% missing, %.1f%% in the reference",
                                          c->name, 100 * miss, 100 * ref_miss);
        if (rc != MLOPS_OK) break;
        if (c->type == MLOPS_NUMERIC && b->nedges > 0) {
            uint64_t out = b->counts[0] + b->counts[b->nbins - 1];
            char lo[MLOPS_DOUBLE_BUFSIZE], hi[MLOPS_DOUBLE_BUFSIZE];
            mlops__format_double(b->edges[0], lo);
            mlops__format_double(b->edges[b->nedges - 1], hi);
            if (out > 0 && (double)out > m->cfg.range_share * (double)c->count)
                rc = mlops__drift_add_finding(
                    r, c->name, "out_of_range", out,
                    "column '%s': %llu values (%.2f%%) outside the reference range [%s, %s]",
                    c->name, (unsigned long long)out, 100.0 * (double)out / (double)c->count, lo,
                    hi);
        } else if (c->type == MLOPS_CATEGORICAL && b->counts[b->nbins - 1] > 0) {
            uint64_t unseen = b->counts[b->nbins - 1];
            char names[256];
            unseen_names(rcol, c, names, sizeof names);
            rc = mlops__drift_add_finding(
                r, c->name, "unseen_categories", unseen,
                "column '%s': %llu values (%.2f%%) in categories the reference never had%s%s",
                c->name, (unsigned long long)unseen, 100.0 * (double)unseen / (double)c->count,
                names[0] ? ": " : "", names);
        }
    }
    return rc;
}

int mlops__drift_severity(const mlops_drift_report *r)
{
    if (r->dataset_drift || r->perf_dropped) return MLOPS_SEVERITY_CRITICAL;
    if (r->drifted > 0 || r->nfindings > 0) return MLOPS_SEVERITY_WARNING;
    return MLOPS_SEVERITY_NONE;
}

typedef struct compare_job {
    mlops_drift_monitor *m;
    const mlops_profile *cur;
    mlops_drift_report *r;
    size_t *source;              /* report column -> profile column */
    mlops__drift_choice *choice; /* per report column */
} compare_job;

/* One report column; columns share nothing, so several may run at once. */
static int compare_column(void *ctx, size_t i)
{
    compare_job *job = ctx;
    size_t j = job->source[i];
    int rc = mlops__drift_column_compute(job->m, j, &job->cur->cols[j], &job->choice[i],
                                         &job->r->cols[i]);
    if (rc != MLOPS_OK) return rc;
    return mlops__drift_hist_copy(&job->r->cols[i].hist, &job->m->ref->cols[j].bins,
                                  &job->cur->cols[j].bins, job->m->ref->cols[j].type);
}

static int check_like(const mlops_profile *ref, const mlops_profile *cur)
{
    if (!cur->has_bins)
        return mlops__fail(MLOPS_EINVAL,
                           "drift compare: the current profile has no fixed bins (make it with "
                           "mlops_profile_create_like from the reference)");
    if (cur->ncols != ref->ncols)
        return mlops__fail(MLOPS_EINVAL, "drift compare: the current profile has %zu columns, the "
                                         "reference %zu",
                           cur->ncols, ref->ncols);
    for (size_t j = 0; j < ref->ncols; j++) {
        const mlops__profile_column *a = &ref->cols[j], *b = &cur->cols[j];
        if (strcmp(a->name, b->name) != 0 || a->type != b->type)
            return mlops__fail(MLOPS_EINVAL,
                               "drift compare: current column %zu is '%s' (%s), the reference's "
                               "'%s' (%s)",
                               j, b->name, mlops_type_name(b->type), a->name,
                               mlops_type_name(a->type));
        int rc = mlops__bins_check_equal(&a->bins, &b->bins, a->name);
        if (rc != MLOPS_OK) return rc;
    }
    return MLOPS_OK;
}

int mlops__drift_compare(mlops_drift_monitor *m, const mlops_profile *cur,
                         mlops_drift_report **out)
{
    if (cur->failed)
        return mlops__fail(MLOPS_ESTATE,
                           "drift compare: the current profile is incomplete after an earlier "
                           "failure");
    int rc = check_like(m->ref, cur);
    if (rc != MLOPS_OK) return rc;
    mlops_drift_report *r = mlops__calloc(1, sizeof *r, "drift report");
    if (r == NULL) return MLOPS_ENOMEM;
    r->start = r->end = NAN;
    r->perf_value = r->perf_reference = NAN;
    r->rows = cur->rows;
    r->cols = mlops__calloc(cur->ncols ? cur->ncols : 1, sizeof *r->cols, "drift columns");
    if (r->cols == NULL) rc = MLOPS_ENOMEM;
    compare_job job = {m, cur, r, NULL, NULL};
    if (rc == MLOPS_OK) {
        job.source = mlops__malloc_array(cur->ncols ? cur->ncols : 1, sizeof *job.source,
                                         "drift column map");
        job.choice = mlops__malloc_array(cur->ncols ? cur->ncols : 1, sizeof *job.choice,
                                         "drift column methods");
        if (job.source == NULL || job.choice == NULL) rc = MLOPS_ENOMEM;
    }
    for (size_t j = 0; rc == MLOPS_OK && j < cur->ncols; j++) {
        mlops__drift_choice ch;
        rc = mlops__drift_choose(m, j, &ch);
        if (rc != MLOPS_OK || ch.method == MLOPS__DM_SKIP) continue;
        mlops__drift_column *c = &r->cols[r->ncols];
        c->name = mlops__strdup(cur->cols[j].name, "drift column name");
        if (c->name == NULL) {
            rc = MLOPS_ENOMEM;
            break;
        }
        c->type = cur->cols[j].type;
        job.source[r->ncols] = j;
        job.choice[r->ncols] = ch;
        r->ncols++;
    }
    if (rc == MLOPS_OK) rc = mlops__parallel_for(r->ncols, m->threads, compare_column, &job);
    mlops__free(job.source);
    mlops__free(job.choice);
    if (rc == MLOPS_OK) rc = correct(r, m->cfg.correction);
    if (rc == MLOPS_OK) rc = findings(r, m, cur);
    if (rc != MLOPS_OK) {
        mlops_drift_report_free(r);
        return rc;
    }
    for (size_t i = 0; i < r->ncols; i++) {
        if (!r->cols[i].evaluable) continue;
        r->compared++;
        r->drifted += r->cols[i].drifted;
    }
    r->share = r->compared ? (double)r->drifted / (double)r->compared : 0.0;
    r->dataset_drift = r->compared > 0 && r->share >= m->cfg.drift_share;
    r->severity = mlops__drift_severity(r);
    *out = r;
    return MLOPS_OK;
}

MLOPS_API int mlops_drift_monitor_compare(mlops_drift_monitor *m, const mlops_profile *current,
                                          mlops_drift_report **out)
{
    if (m == NULL || current == NULL || out == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_drift_monitor_compare: NULL argument");
    return mlops__drift_compare(m, current, out);
}
