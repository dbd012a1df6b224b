/* Robustness probes: how much do predictions and metrics move when the
 * inputs are disturbed the way real data gets disturbed (measurement
 * noise, a miscoded category, a value that went missing)? Each probe
 * perturbs a copy of the evaluation data, seeded so a verdict can be
 * reproduced, and predicts again through the model's own chain. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/numfmt.h"
#include "core/rng.h"
#include "data/dataset_impl.h"
#include "eval/eval_impl.h"

static const char *const KINDS[] = {"noise", "swap", "missing"};

int mlops__probes_parse(const char *text, mlops__probe **out, size_t *n)
{
    static const char func[] = "mlops_evaluator_set_param";
    *out = NULL;
    *n = 0;
    if (text[0] == '\0') return MLOPS_OK;
    size_t cap = 1;
    for (const char *p = text; *p; p++) cap += *p == ',' || *p == ';';
    mlops__probe *probes = mlops__calloc(cap, sizeof *probes, "probes");
    if (probes == NULL) return MLOPS_ENOMEM;
    const char *p = text;
    size_t count = 0;
    while (*p != '\0') {
        size_t len = strcspn(p, ";");
        const char *colon = memchr(p, ':', len);
        int kind = -1;
        for (int k = 0; colon != NULL && k < 3; k++)
            if ((size_t)(colon - p) == strlen(KINDS[k]) && strncmp(p, KINDS[k], strlen(KINDS[k])) == 0)
                kind = k;
        if (kind < 0) {
            mlops__free(probes);
            return mlops__fail(MLOPS_EINVAL, "%s: probes '%s': '%.*s' is not kind:level[,level] "
                               "with kind noise, swap or missing", func, text, (int)len, p);
        }
        const char *q = colon + 1;
        while (q < p + len) {
            char *end;
            double level = mlops__strtod_c(q, &end);
            bool bad = end == q || (end < p + len && *end != ',') || !isfinite(level) ||
                       !(level > 0) || (kind != MLOPS__PROBE_NOISE && level > 1) || level > 100;
            if (bad) {
                mlops__free(probes);
                return mlops__fail(MLOPS_EINVAL, "%s: probes '%s': bad %s level at '%.*s' "
                                   "(noise: > 0 standard deviations; swap, missing: a "
                                   "probability in (0, 1])", func, text, KINDS[kind],
                                   (int)(p + len - q), q);
            }
            mlops__probe *pr = &probes[count++];
            pr->kind = kind;
            pr->level = level;
            char num[MLOPS_DOUBLE_BUFSIZE];
            mlops__format_double(level, num);
            snprintf(pr->name, sizeof pr->name, "%s_%s", KINDS[kind], num);
            q = end < p + len ? end + 1 : end;
        }
        p += len;
        if (*p == ';') p++;
    }
    *out = probes;
    *n = count;
    return MLOPS_OK;
}

static double gaussian(mlops__rng *rng)
{
    double u1 = mlops__rng_uniform(rng), u2 = mlops__rng_uniform(rng);
    return sqrt(-2 * log(1 - u1)) * cos(6.283185307179586 * u2);
}

static bool is_input(const mlops_model *model, const char *name)
{
    for (size_t i = 0; i < mlops_model_input_count(model); i++)
        if (strcmp(mlops_model_input_name(model, i), name) == 0) return true;
    return false;
}

static void perturb(const mlops__probe *p, mlops_dataset *x, const mlops_model *model,
                    mlops__rng *rng)
{
    for (size_t c = 0; c < x->ncols; c++) {
        mlops__column *col = &x->cols[c];
        if (!is_input(model, col->name)) continue;
        size_t n = x->rows;
        if (col->type == MLOPS_NUMERIC) {
            if (p->kind == MLOPS__PROBE_NOISE) {
                double s = 0, ss = 0, m = 0;
                for (size_t i = 0; i < n; i++)
                    if (!isnan(col->values[i])) {
                        s += col->values[i];
                        m++;
                    }
                double mean = m > 0 ? s / m : 0;
                for (size_t i = 0; i < n; i++)
                    if (!isnan(col->values[i]))
                        ss += (col->values[i] - mean) * (col->values[i] - mean);
                double sd = m > 0 ? sqrt(ss / m) : 0;
                for (size_t i = 0; i < n; i++)
                    if (!isnan(col->values[i])) col->values[i] += p->level * sd * gaussian(rng);
            } else if (p->kind == MLOPS__PROBE_MISSING) {
                for (size_t i = 0; i < n; i++)
                    if (mlops__rng_uniform(rng) < p->level) col->values[i] = NAN;
            }
        } else {
            size_t k = col->dict != NULL ? mlops_dataset_category_count(x, c) : 0;
            for (size_t i = 0; i < n; i++) {
                if (p->kind == MLOPS__PROBE_SWAP && k >= 2 && col->codes[i] >= 0 &&
                    mlops__rng_uniform(rng) < p->level) {
                    int32_t other = (int32_t)mlops__rng_below(rng, k - 1);
                    col->codes[i] = other >= col->codes[i] ? other + 1 : other;
                } else if (p->kind == MLOPS__PROBE_MISSING &&
                           mlops__rng_uniform(rng) < p->level) {
                    col->codes[i] = -1;
                }
            }
        }
        mlops__column_count_missing(col, n);
    }
}

/* A sample sharing the truth of `d` with the perturbed predictions. */
static int probed_sample(const mlops_evaluator *ev, const mlops__eval_data *d,
                         const mlops_model *model, const mlops_dataset *x, mlops__eval_data *e)
{
    memset(e, 0, sizeof *e);
    mlops__eval_data base = *d;
    size_t n = d->n;
    e->task = d->task;
    e->n = n;
    e->k = d->k;
    e->pos = d->pos;
    int rc;
    if (d->task == MLOPS__TASK_CLASS) {
        double *pv = mlops__malloc_array(n, sizeof *pv, "probe predictions");
        e->pred = mlops__malloc_array(n, sizeof *e->pred, "probe classes");
        e->proba = mlops__malloc_array(n * d->k, sizeof *e->proba, "probe scores");
        rc = pv && e->pred && e->proba ? MLOPS_OK : MLOPS_ENOMEM;
        if (rc == MLOPS_OK) rc = mlops_model_predict(model, x, MLOPS_PREDICT_VALUE, pv, n);
        if (rc == MLOPS_OK)
            rc = mlops_model_predict(model, x, MLOPS_PREDICT_PROBA, e->proba, n * d->k);
        for (size_t i = 0; rc == MLOPS_OK && i < n; i++) {
            e->pred[i] = (int32_t)pv[i];
            if (d->k == 2 && !isnan(ev->threshold))
                e->pred[i] = e->proba[i * 2 + (size_t)d->pos] >= ev->threshold ? d->pos
                                                                                : 1 - d->pos;
        }
        mlops__free(pv);
    } else {
        e->pv = mlops__malloc_array(n, sizeof *e->pv, "probe predictions");
        rc = e->pv != NULL ? MLOPS_OK : MLOPS_ENOMEM;
        if (rc == MLOPS_OK) rc = mlops_model_predict(model, x, MLOPS_PREDICT_VALUE, e->pv, n);
    }
    /* borrowed from the clean sample; cleared before mlops__eval_data_clear */
    e->y = base.y;
    e->yv = base.yv;
    e->w = base.w;
    e->labels = base.labels;
    if (rc == MLOPS_OK) rc = mlops__eval_prepare(e, ev);
    return rc;
}

static void release_probed(mlops__eval_data *e)
{
    e->y = NULL;
    e->yv = NULL;
    e->w = NULL;
    e->labels = NULL;
    mlops__eval_data_clear(e);
}

int mlops__eval_probes(const mlops_evaluator *ev, const mlops__eval_data *d,
                       const mlops_model *model, const mlops_dataset *data, mlops_report *r)
{
    size_t n = d->n;
    size_t *all = mlops__malloc_array(n, sizeof *all, "probe rows");
    double clean[M__COUNT], probed[M__COUNT];
    double *scratch = mlops__metric_scratch(d);
    int rc = all && scratch ? MLOPS_OK : MLOPS_ENOMEM;
    if (rc == MLOPS_OK) mlops__compute_metrics(d, d->w, clean, scratch, NULL);
    for (size_t i = 0; rc == MLOPS_OK && i < n; i++) all[i] = i;
    int primary = mlops__primary_metric(ev, d->task);
    for (size_t p = 0; rc == MLOPS_OK && p < ev->nprobes; p++) {
        const mlops__probe *pr = &ev->probes[p];
        mlops__rng rng;
        mlops__rng_seed(&rng, ev->seed + 0x9e3779b97f4a7c15ull * (p + 1));
        mlops_dataset *x = NULL;
        rc = mlops_dataset_take_rows(&x, data, all, n);
        if (rc != MLOPS_OK) break;
        perturb(pr, x, model, &rng);
        mlops__eval_data e;
        int prc = probed_sample(ev, d, model, x, &e);
        mlops_dataset_free(x);
        if (prc == MLOPS_ENOMEM) {
            release_probed(&e);
            rc = MLOPS_ENOMEM;
            break;
        }
        if (prc != MLOPS_OK) {
            for (int m = 0; m < M__COUNT; m++) probed[m] = NAN;
            mlops__report_note(r, "probe %s: the model could not predict the perturbed rows: %s",
                               pr->name, mlops_last_error());
        } else {
            double *s2 = mlops__metric_scratch(&e);
            if (s2 == NULL) {
                release_probed(&e);
                rc = MLOPS_ENOMEM;
                break;
            }
            mlops__compute_metrics(&e, e.w, probed, s2, NULL);
            mlops__free(s2);
        }
        double changed = 0, total = 0, shift = 0;
        for (size_t i = 0; prc == MLOPS_OK && i < n; i++) {
            total += d->w[i];
            if (d->task == MLOPS__TASK_CLASS)
                changed += d->w[i] * (e.pred[i] != d->pred[i]);
            else
                shift += d->w[i] * fabs(e.pv[i] - d->pv[i]);
        }
        release_probed(&e);
        for (int m = M_ACCURACY; m < M__COUNT; m++) {
            bool show = ev->all_metrics ? m == primary : mlops__metric_wanted(ev, d, m);
            if (!show || !mlops__metric_applies(d, m)) continue;
            char leaf[96];
            const char *name = mlops__metric_defs[m].name;
            mlops__report_put(r, SEC_PROBE, pr->name, NULL, name, probed[m]);
            snprintf(leaf, sizeof leaf, "%s.change", name);
            mlops__report_put(r, SEC_PROBE, pr->name, NULL, leaf, probed[m] - clean[m]);
        }
        double rate = prc == MLOPS_OK && total > 0 ? (d->task == MLOPS__TASK_CLASS ? changed : shift) / total : NAN;
        mlops__report_put(r, SEC_PROBE, pr->name, NULL,
                          d->task == MLOPS__TASK_CLASS ? "flip_rate" : "prediction_change", rate);
    }
    mlops__free(all);
    mlops__free(scratch);
    return rc != MLOPS_OK ? rc : r->status;
}
