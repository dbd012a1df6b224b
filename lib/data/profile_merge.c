/* mlops_profile_merge: the profile of two parts of a data set combined into
 * the profile of the whole. */
#include "core/error.h"
#include "core/parallel.h"
#include "data/profile_impl.h"

static const char *profile_name(const void *src, size_t col)
{
    return ((const mlops_profile *)src)->cols[col].name;
}

static int profile_type(const void *src, size_t col)
{
    return ((const mlops_profile *)src)->cols[col].type;
}

mlops__schema_view mlops__profile_view(const mlops_profile *p)
{
    return (mlops__schema_view){p->ncols, p, profile_name, profile_type};
}

typedef struct merge_job {
    mlops_profile *p;
    const mlops_profile *other;
} merge_job;

static int merge_column(void *ctx, size_t j)
{
    merge_job *job = ctx;
    mlops__profile_column *c = &job->p->cols[j];
    const mlops__profile_column *o = &job->other->cols[j];
    if (c->type == MLOPS_NUMERIC) return mlops__numeric_merge(c, o, &job->p->settings);
    return mlops__categorical_merge(c, o, &job->p->settings);
}

MLOPS_API int mlops_profile_merge(mlops_profile *p, const mlops_profile *other)
{
    static const char func[] = "mlops_profile_merge";
    if (p == NULL || other == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    if (p == other)
        return mlops__fail(MLOPS_EINVAL, "%s: cannot merge a profile into itself", func);
    if (p->failed || other->failed)
        return mlops__fail(MLOPS_ESTATE, "%s: the %s profile is incomplete after an earlier failure",
                           func, p->failed ? "target" : "merged");
    mlops__schema_view view = mlops__profile_view(other);
    /* Columns first: with different widths the budget caps the limits
     * differently, and a setting the caller never touched would be blamed. */
    int rc;
    if (p->has_schema && other->has_schema &&
        (rc = mlops__profile_match_schema(p, &view, "merged profile")) != MLOPS_OK)
        return rc;
    /* A profile that has seen no data yet has not applied the width budget
     * to its limits; compare both as they will be once the columns are known. */
    mlops__profile_settings mine = p->settings, theirs = other->settings;
    size_t ncols = p->has_schema ? p->ncols : other->ncols;
    if (!p->has_schema) mlops__profile_apply_budget(&mine, ncols);
    if (!other->has_schema) mlops__profile_apply_budget(&theirs, ncols);
    size_t va, vb;
    const char *key = mlops__profile_settings_differ(&mine, &theirs, &va, &vb);
    if (key != NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: setting %s differs (%zu here, %zu in the other profile)",
                           func, key, va, vb);
    if (!other->has_schema) return MLOPS_OK;
    rc = mlops__profile_match_schema(p, &view, "merged profile");
    if (rc != MLOPS_OK) return rc;

    if (p->has_bins != other->has_bins && (p->rows > 0 || p->has_bins))
        return mlops__fail(MLOPS_EINVAL, "%s: the %s profile has fixed bins, the other not", func,
                           p->has_bins ? "target" : "merged");
    for (size_t j = 0; p->has_bins && other->has_bins && j < p->ncols; j++) {
        rc = mlops__bins_check_equal(&p->cols[j].bins, &other->cols[j].bins, p->cols[j].name);
        if (rc != MLOPS_OK) return rc;
    }
    /* An empty profile takes the other's bins before anything can fail
     * half-way, so a failed copy leaves it empty. */
    if (!p->has_bins && other->has_bins) {
        for (size_t j = 0; rc == MLOPS_OK && j < p->ncols; j++)
            rc = mlops__bins_copy_empty(&p->cols[j].bins, &other->cols[j].bins);
        if (rc != MLOPS_OK) {
            for (size_t j = 0; j < p->ncols; j++) mlops__bins_clear(&p->cols[j].bins);
            return rc;
        }
        p->has_bins = true;
    }
    p->settable = false;
    for (size_t j = 0; p->has_bins && j < p->ncols; j++)
        mlops__bins_merge(&p->cols[j].bins, &other->cols[j].bins);
    if (p->settings.quality)
        rc = mlops__rowset_merge(&p->rowset, &other->rowset, p->settings.duplicate_exact_limit);
    merge_job job = {p, other};
    if (rc == MLOPS_OK) rc = mlops__parallel_for(p->ncols, p->settings.threads, merge_column, &job);
    if (rc != MLOPS_OK) {
        p->failed = true;
        return rc;
    }
    p->rows += other->rows;
    return MLOPS_OK;
}
