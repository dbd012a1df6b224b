/* mlops_profile_add: folding a batch of rows into the profile, column by
 * column, and hashing each row for the duplicate count. */
#include <math.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/parallel.h"
#include "data/dataset_impl.h"
#include "data/profile_impl.h"

/* Seeds of the two 64-bit halves of a row hash, and the contribution of a
 * missing categorical cell (a missing numeric cell contributes
 * MLOPS__NO_VALUE_KEY, which no present value has). */
#define ROW_SEED_1 0x3c6ef372fe94f82bull
#define ROW_SEED_2 0xa54ff53a5f1d36f1ull
#define STRING_SEED_1 0x510e527fade682d1ull
#define STRING_SEED_2 0x9b05688c2b3e6c1full
#define MISSING_STRING 0x1f83d9abfb41bd6bull

static const char *batch_name(const void *src, size_t col)
{
    return ((const mlops_dataset *)src)->cols[col].name;
}

static int batch_type(const void *src, size_t col)
{
    return ((const mlops_dataset *)src)->cols[col].type;
}

/* Folds column `c` of the batch into the running hashes of its rows. The
 * two halves use different mixers, so a collision of one says nothing about
 * the other. */
static int hash_column(const mlops__column *c, size_t rows, uint64_t *h1, uint64_t *h2)
{
    if (c->type == MLOPS_NUMERIC) {
        for (size_t i = 0; i < rows; i++) {
            double v = c->values[i];
            uint64_t key = isnan(v) ? MLOPS__NO_VALUE_KEY : mlops__value_key(v);
            h1[i] = mlops__mix64(h1[i] ^ key);
            h2[i] = mlops__mix64b(h2[i] + key);
        }
        return MLOPS_OK;
    }
    size_t ncodes = mlops__dict_size(c->dict);
    uint64_t *code_hash = mlops__malloc_array(ncodes ? 2 * ncodes : 1, sizeof *code_hash,
                                              "category hashes");
    if (code_hash == NULL) return MLOPS_ENOMEM;
    for (size_t k = 0; k < ncodes; k++) {
        const char *s = mlops__dict_string(c->dict, (int32_t)k);
        size_t len = mlops__dict_string_len(c->dict, (int32_t)k);
        code_hash[2 * k] = mlops__hash_bytes(s, len, STRING_SEED_1);
        code_hash[2 * k + 1] = mlops__hash_bytes(s, len, STRING_SEED_2);
    }
    for (size_t i = 0; i < rows; i++) {
        int32_t code = c->codes[i];
        uint64_t a = code < 0 ? MISSING_STRING : code_hash[2 * (size_t)code];
        uint64_t b = code < 0 ? MISSING_STRING : code_hash[2 * (size_t)code + 1];
        h1[i] = mlops__mix64(h1[i] ^ a);
        h2[i] = mlops__mix64b(h2[i] + b);
    }
    mlops__free(code_hash);
    return MLOPS_OK;
}

static int count_rows(mlops_profile *p, const mlops_dataset *b)
{
    if (b->rows == 0) return MLOPS_OK;
    uint64_t *h = mlops__malloc_array(b->rows, 2 * sizeof *h, "row hashes");
    if (h == NULL) return MLOPS_ENOMEM;
    uint64_t *h1 = h, *h2 = h + b->rows;
    for (size_t i = 0; i < b->rows; i++) {
        h1[i] = ROW_SEED_1;
        h2[i] = ROW_SEED_2;
    }
    int rc = MLOPS_OK;
    for (size_t j = 0; rc == MLOPS_OK && j < b->ncols; j++)
        rc = hash_column(&b->cols[j], b->rows, h1, h2);
    for (size_t i = 0; rc == MLOPS_OK && i < b->rows; i++)
        rc = mlops__rowset_add(&p->rowset, h1[i], h2[i], 1, p->settings.duplicate_exact_limit);
    mlops__free(h);
    return rc;
}

typedef struct add_job {
    mlops_profile *p;
    const mlops_dataset *batch;
} add_job;

/* Column j of the batch into column j of the profile: columns share
 * nothing, so several may run at once. */
static int add_column(void *ctx, size_t j)
{
    add_job *job = ctx;
    mlops_profile *p = job->p;
    const mlops__column *c = &job->batch->cols[j];
    size_t rows = job->batch->rows;
    mlops__column_bins *bins = &p->cols[j].bins;
    int rc;
    if (c->type == MLOPS_NUMERIC) {
        rc = mlops__numeric_add(&p->cols[j], &p->settings, c->values, rows);
        if (rc == MLOPS_OK && p->has_bins) rc = mlops__bins_add_numeric(bins, c->values, rows);
    } else {
        rc = mlops__categorical_add(&p->cols[j], &p->settings, c->dict, c->codes, rows);
        if (rc == MLOPS_OK && p->has_bins)
            rc = mlops__bins_add_categorical(bins, c->dict, c->codes, rows);
    }
    return rc;
}

MLOPS_API int mlops_profile_add(mlops_profile *p, const mlops_dataset *batch)
{
    if (p == NULL || batch == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_profile_add: NULL argument");
    if (p->failed)
        return mlops__fail(MLOPS_ESTATE,
                           "mlops_profile_add: the profile is incomplete after an earlier failure");
    mlops__schema_view view = {batch->ncols, batch, batch_name, batch_type};
    int rc = mlops__profile_match_schema(p, &view, "batch");
    if (rc != MLOPS_OK) return rc;

    p->settable = false;
    if (p->settings.quality) rc = count_rows(p, batch);
    add_job job = {p, batch};
    if (rc == MLOPS_OK) rc = mlops__parallel_for(p->ncols, p->settings.threads, add_column, &job);
    if (rc != MLOPS_OK) {
        p->failed = true;
        return rc;
    }
    p->rows += batch->rows;
    return MLOPS_OK;
}
