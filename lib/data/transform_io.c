/* The byte encoding of a transform (mlops_transform_save / _load), which a
 * model file embeds as a container section. Little-endian integers of
 * explicit sizes, doubles as IEEE-754 bit patterns, a CRC-32 trailer; the
 * layout is specified in mlops_transform_save(3). The reader trusts
 * nothing: every count is checked against the bytes that remain before
 * anything is allocated, and every value against what fit could produce. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/bytes.h"
#include "core/compress.h"
#include "core/error.h"
#include "data/transform_impl.h"

enum { FORMAT_VERSION = 1, HEADER_SIZE = 16, TRAILER_SIZE = 4 };
static const unsigned char MAGIC[4] = {'M', 'L', 'T', 'F'};

/* ---- Writing ------------------------------------------------------------ */

static void put_cats(mlops__wbuf *b, char *const *cats, size_t n)
{
    mlops__wbuf_put_le(b, n, 4);
    for (size_t k = 0; k < n; k++) {
        mlops__wbuf_put_le(b, cats[k] == NULL, 1);
        if (cats[k] != NULL) mlops__wbuf_put_str(b, cats[k]);
    }
}

static void put_fitted_col(mlops__wbuf *b, int kind, const mlops__tf_col *c)
{
    mlops__wbuf_put_str(b, c->name);
    mlops__wbuf_put_le(b, (uint64_t)c->type, 1);
    switch (kind) {
    case MLOPS__TF_IMPUTE:
        if (c->type == MLOPS_NUMERIC) mlops__wbuf_put_f64(b, c->p[0]);
        else mlops__wbuf_put_str(b, c->fill);
        break;
    case MLOPS__TF_STANDARDIZE:
        mlops__wbuf_put_f64(b, c->p[0]);
        mlops__wbuf_put_f64(b, c->p[1]);
        break;
    case MLOPS__TF_MINMAX:
        for (int i = 0; i < 4; i++) mlops__wbuf_put_f64(b, c->p[i]);
        break;
    case MLOPS__TF_ONEHOT:
        put_cats(b, c->cats, c->nfreq);
        put_cats(b, c->infreq, c->ninfreq);
        break;
    default: break;
    }
}

MLOPS_API int mlops_transform_save(const mlops_transform *t, unsigned char **bytes, size_t *len)
{
    if (t == NULL || bytes == NULL || len == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_transform_save: NULL argument");
    if (t->nsteps > UINT32_MAX || (t->fit && t->fit->nin > UINT32_MAX))
        return mlops__fail(MLOPS_EINVAL, "mlops_transform_save: too many steps or columns");
    mlops__wbuf b = {.label = "transform encoding"};
    mlops__wbuf_put(&b, MAGIC, 4);
    mlops__wbuf_put_le(&b, FORMAT_VERSION, 2);
    mlops__wbuf_put_le(&b, 0, 2);
    mlops__wbuf_put_le(&b, 0, 8); /* payload size, patched below */
    mlops__wbuf_put_le(&b, t->nsteps, 4);
    for (size_t i = 0; i < t->nsteps; i++) {
        const mlops__tf_step *s = &t->steps[i];
        mlops__wbuf_put_le(&b, (uint64_t)s->kind, 1);
        mlops__wbuf_put_str(&b, s->spec);
        unsigned nset = 0;
        for (int k = 0; k < MLOPS__KEY_COUNT; k++) nset += s->values[k] != NULL;
        mlops__wbuf_put_le(&b, nset, 1);
        for (int k = 0; k < MLOPS__KEY_COUNT; k++)
            if (s->values[k] != NULL) {
                mlops__wbuf_put_str(&b, mlops__tf_key_name(k));
                mlops__wbuf_put_str(&b, s->values[k]);
            }
    }
    const mlops__tf_fit *f = t->fit;
    mlops__wbuf_put_le(&b, f != NULL, 1);
    if (f != NULL) {
        mlops__wbuf_put_le(&b, f->rows, 8);
        mlops__wbuf_put_le(&b, f->nin, 4);
        for (size_t j = 0; j < f->nin; j++) {
            mlops__wbuf_put_str(&b, f->in[j].name);
            mlops__wbuf_put_le(&b, (uint64_t)f->in[j].type, 1);
            mlops__wbuf_put_le(&b, (uint64_t)f->in[j].role, 1);
            mlops__wbuf_put_le(&b, f->in[j].sensitive, 1);
        }
        for (size_t i = 0; i < t->nsteps; i++) {
            mlops__wbuf_put_le(&b, f->steps[i].ncols, 4);
            for (size_t k = 0; k < f->steps[i].ncols; k++)
                put_fitted_col(&b, t->steps[i].kind, &f->steps[i].cols[k]);
        }
    }
    if (b.status == MLOPS_OK) {
        uint64_t payload = b.len - HEADER_SIZE;
        mlops__le_store(b.buf + 8, payload, 8);
        mlops__wbuf_put_le(&b, mlops__crc32(0, b.buf, b.len), 4);
    }
    if (b.status != MLOPS_OK) {
        mlops__free(b.buf);
        return b.status;
    }
    *bytes = b.buf;
    *len = b.len;
    return MLOPS_OK;
}

/* ---- Reading ------------------------------------------------------------ */

static int corrupt(mlops__rbuf *r, const char *what)
{
    if (r->status == MLOPS_OK)
        r->status = mlops__fail(MLOPS_ECORRUPT, "transform bytes: %s at byte %zu", what, r->pos);
    return r->status;
}

/* Words a fault of core/bytes.h as corrupt() does. */
static int fault(const mlops__rbuf *r, mlops__rbuf_fault f, const char *what, uint64_t value,
                 size_t detail)
{
    (void)detail;
    char msg[96];
    if (f == MLOPS__RBUF_TRUNCATED)
        snprintf(msg, sizeof msg, "truncated reading %s", what);
    else if (f == MLOPS__RBUF_COUNT || f == MLOPS__RBUF_STRING)
        snprintf(msg, sizeof msg, "%s %llu is more than the remaining bytes can hold", what,
                 (unsigned long long)value);
    else
        snprintf(msg, sizeof msg, "%s is not valid UTF-8 text", what);
    return mlops__fail(MLOPS_ECORRUPT, "transform bytes: %s at byte %zu", msg, r->pos);
}

/* Re-raises the last error as corruption, keeping its text. */
static int as_corrupt(int rc, const char *where)
{
    if (rc == MLOPS_ENOMEM) return rc;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", mlops_last_error());
    return mlops__fail(MLOPS_ECORRUPT, "transform bytes: %s: %s", where, msg);
}

static int read_steps(mlops__rbuf *r, mlops_transform *t)
{
    size_t nsteps = mlops__rbuf_get_count(r, 4, 6, "step count");
    for (size_t i = 0; r->status == MLOPS_OK && i < nsteps; i++) {
        int kind = (int)mlops__rbuf_get_le(r, 1, "step kind");
        char *spec = mlops__rbuf_get_str(r, "column list");
        if (r->status != MLOPS_OK) return r->status;
        if (kind < 1 || kind > MLOPS__TF_KIND_MAX) {
            mlops__free(spec);
            return r->status = mlops__fail(MLOPS_EVERSION,
                                           "transform bytes: step %zu has kind %d, which this "
                                           "library does not know (written by a newer version?)",
                                           i, kind);
        }
        int rc = mlops__tf_add_step(t, kind, spec, "mlops_transform_load");
        mlops__free(spec);
        if (rc < 0) return r->status = as_corrupt(rc, "column list");
        size_t nset = mlops__rbuf_get_count(r, 1, 8, "setting count");
        for (size_t k = 0; r->status == MLOPS_OK && k < nset; k++) {
            char *key = mlops__rbuf_get_str(r, "setting key");
            char *value = mlops__rbuf_get_str(r, "setting value");
            for (int q = 0; r->status == MLOPS_OK && q < MLOPS__KEY_COUNT; q++)
                if (strcmp(key, mlops__tf_key_name(q)) == 0 && t->steps[i].values[q] != NULL)
                    corrupt(r, "a setting appears twice");
            if (r->status == MLOPS_OK) {
                rc = mlops_transform_set(t, i, key, value);
                if (rc != MLOPS_OK) r->status = as_corrupt(rc, "setting");
            }
            mlops__free(key);
            mlops__free(value);
        }
    }
    return r->status;
}

static char **get_cats(mlops__rbuf *r, size_t *count, const char *what)
{
    size_t n = mlops__rbuf_get_count(r, 4, 1, what);
    if (r->status != MLOPS_OK) return NULL;
    char **cats = mlops__calloc(n ? n : 1, sizeof *cats, "onehot categories");
    if (cats == NULL) {
        r->status = MLOPS_ENOMEM;
        return NULL;
    }
    for (size_t k = 0; k < n && r->status == MLOPS_OK; k++) {
        uint64_t missing = mlops__rbuf_get_le(r, 1, "category flag");
        if (r->status != MLOPS_OK) break;
        if (missing > 1) corrupt(r, "category flag is neither 0 nor 1");
        else if (!missing) cats[k] = mlops__rbuf_get_str(r, "category");
    }
    *count = n; /* entries not read are NULL, which the caller frees fine */
    return cats;
}

static bool type_ok(int kind, int type)
{
    if (type != MLOPS_NUMERIC && type != MLOPS_CATEGORICAL) return false;
    if (kind == MLOPS__TF_STANDARDIZE || kind == MLOPS__TF_MINMAX) return type == MLOPS_NUMERIC;
    if (kind == MLOPS__TF_ONEHOT) return type == MLOPS_CATEGORICAL;
    return true;
}

static void read_fitted_col(mlops__rbuf *r, const mlops__tf_step *s, mlops__tf_col *c)
{
    c->name = mlops__rbuf_get_str(r, "fitted column name");
    c->type = (int)mlops__rbuf_get_le(r, 1, "fitted column type");
    if (r->status != MLOPS_OK) return;
    if (!type_ok(s->kind, c->type)) {
        corrupt(r, "fitted column type does not suit its step");
        return;
    }
    switch (s->kind) {
    case MLOPS__TF_IMPUTE:
        if (c->type == MLOPS_NUMERIC) {
            c->p[0] = mlops__rbuf_get_f64(r, "fill value");
            if (r->status == MLOPS_OK && !isfinite(c->p[0])) corrupt(r, "fill value is not finite");
        } else {
            c->fill = mlops__rbuf_get_str(r, "fill string");
        }
        break;
    case MLOPS__TF_STANDARDIZE:
        c->p[0] = mlops__rbuf_get_f64(r, "mean");
        c->p[1] = mlops__rbuf_get_f64(r, "scale");
        if (r->status == MLOPS_OK && (!isfinite(c->p[0]) || !isfinite(c->p[1]) || !(c->p[1] > 0)))
            corrupt(r, "mean or scale is not finite and positive");
        break;
    case MLOPS__TF_MINMAX:
        for (int i = 0; i < 4; i++) c->p[i] = mlops__rbuf_get_f64(r, "min-max parameter");
        if (r->status == MLOPS_OK &&
            (!isfinite(c->p[0]) || !isfinite(c->p[1]) || !isfinite(c->p[2]) ||
             !isfinite(c->p[3]) || c->p[0] > c->p[1] || !(c->p[2] > 0)))
            corrupt(r, "min-max parameters are inconsistent");
        break;
    case MLOPS__TF_ONEHOT:
        c->cats = get_cats(r, &c->nfreq, "category count");
        if (r->status == MLOPS_OK) c->infreq = get_cats(r, &c->ninfreq, "infrequent count");
        if (r->status == MLOPS_OK && c->nfreq + c->ninfreq == 0)
            corrupt(r, "onehot column has no categories");
        if (r->status == MLOPS_OK) {
            int rc = mlops__tf_onehot_index(c, "transform bytes");
            if (rc) r->status = rc;
        }
        break;
    default: break;
    }
}

/* The fitted columns of a step must be distinct and, when the step named
 * its columns, be exactly those names. */
static int check_step_columns(const mlops__tf_step *s, const mlops__tf_stepfit *sf, size_t si)
{
    if (!s->all && sf->ncols != s->nnames)
        return mlops__fail(MLOPS_ECORRUPT,
                           "transform bytes: step %zu names %zu columns but has %zu fitted", si,
                           s->nnames, sf->ncols);
    mlops__dict *d = NULL;
    int rc = mlops__dict_create(&d);
    for (size_t k = 0; rc == MLOPS_OK && k < sf->ncols; k++) {
        const char *name = sf->cols[k].name;
        int32_t code;
        size_t before = mlops__dict_size(d);
        rc = mlops__dict_intern(d, name, strlen(name), &code);
        if (rc == MLOPS_OK && mlops__dict_size(d) == before)
            rc = mlops__fail(MLOPS_ECORRUPT, "transform bytes: step %zu fits column '%s' twice",
                             si, name);
        if (rc == MLOPS_OK && !s->all && strcmp(name, s->names[k]) != 0)
            rc = mlops__fail(MLOPS_ECORRUPT,
                             "transform bytes: step %zu fitted column '%s' is not the named '%s'",
                             si, name, s->names[k]);
    }
    mlops__dict_free(d);
    return rc;
}

static int read_fit(mlops__rbuf *r, const mlops_transform *t, mlops__tf_fit *f)
{
    f->rows = mlops__rbuf_get_le(r, 8, "training rows");
    if (r->status == MLOPS_OK && f->rows == 0) return corrupt(r, "training rows is 0");
    size_t nin = mlops__rbuf_get_count(r, 4, 7, "input column count");
    if (r->status != MLOPS_OK) return r->status;
    f->in = mlops__calloc(nin ? nin : 1, sizeof *f->in, "transform input schema");
    if (f->in == NULL) return r->status = MLOPS_ENOMEM;
    for (size_t j = 0; r->status == MLOPS_OK && j < nin; j++) {
        mlops__tf_schema_col *c = &f->in[j];
        f->nin = j + 1;
        c->name = mlops__rbuf_get_str(r, "input column name");
        c->type = (int)mlops__rbuf_get_le(r, 1, "input column type");
        c->role = (int)mlops__rbuf_get_le(r, 1, "input column role");
        uint64_t sensitive = mlops__rbuf_get_le(r, 1, "input column sensitive flag");
        if (r->status != MLOPS_OK) break;
        if (c->type != MLOPS_NUMERIC && c->type != MLOPS_CATEGORICAL)
            corrupt(r, "input column type is unknown");
        else if (c->role < MLOPS_ROLE_FEATURE || c->role > MLOPS_ROLE_IGNORE)
            corrupt(r, "input column role is unknown");
        else if (sensitive > 1)
            corrupt(r, "input column sensitive flag is neither 0 nor 1");
        c->sensitive = sensitive == 1;
    }
    if (r->status != MLOPS_OK) return r->status;
    f->steps = mlops__calloc(t->nsteps ? t->nsteps : 1, sizeof *f->steps, "transform fit steps");
    if (f->steps == NULL) return r->status = MLOPS_ENOMEM;
    f->nsteps = t->nsteps;
    for (size_t i = 0; r->status == MLOPS_OK && i < t->nsteps; i++) {
        mlops__tf_stepfit *sf = &f->steps[i];
        size_t n = mlops__rbuf_get_count(r, 4, 5, "fitted column count");
        if (r->status != MLOPS_OK) break;
        sf->cols = mlops__calloc(n ? n : 1, sizeof *sf->cols, "transform fitted columns");
        if (sf->cols == NULL) return r->status = MLOPS_ENOMEM;
        for (size_t k = 0; r->status == MLOPS_OK && k < n; k++) {
            sf->ncols = k + 1;
            read_fitted_col(r, &t->steps[i], &sf->cols[k]);
        }
        if (r->status == MLOPS_OK) {
            int rc = check_step_columns(&t->steps[i], sf, i);
            if (rc) r->status = rc;
        }
    }
    return r->status;
}

MLOPS_API int mlops_transform_load(mlops_transform **out, const void *bytes, size_t len)
{
    static const char func[] = "mlops_transform_load";
    if (out == NULL || (bytes == NULL && len > 0))
        return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", func);
    const unsigned char *p = bytes;
    size_t head = len < 4 ? len : 4;
    if (len == 0 || memcmp(p, MAGIC, head) != 0)
        return mlops__fail(MLOPS_EFORMAT, "%s: the bytes are not a transform encoding (no 'MLTF' "
                                          "magic)", func);
    if (len < HEADER_SIZE + TRAILER_SIZE)
        return mlops__fail(MLOPS_ECORRUPT, "%s: truncated: %zu bytes, the header alone needs %d",
                           func, len, HEADER_SIZE + TRAILER_SIZE);
    mlops__rbuf r = {p, len, 4, MLOPS_OK, "transform string", fault};
    unsigned version = (unsigned)mlops__rbuf_get_le(&r, 2, "version");
    unsigned reserved = (unsigned)mlops__rbuf_get_le(&r, 2, "reserved");
    uint64_t payload = mlops__rbuf_get_le(&r, 8, "payload size");
    if (version > FORMAT_VERSION)
        return mlops__fail(MLOPS_EVERSION,
                           "%s: transform format version %u is newer than this library reads "
                           "(up to %d)", func, version, FORMAT_VERSION);
    if (version == 0 || reserved != 0)
        return mlops__fail(MLOPS_ECORRUPT, "%s: bad header (version %u, reserved field %u)", func,
                           version, reserved);
    if (payload != len - HEADER_SIZE - TRAILER_SIZE)
        return mlops__fail(MLOPS_ECORRUPT,
                           "%s: the header announces %llu payload bytes but %zu are present "
                           "(truncated or extended)",
                           func, (unsigned long long)payload, len - HEADER_SIZE - TRAILER_SIZE);
    uint32_t stored = (uint32_t)mlops__le_load(p + len - TRAILER_SIZE, TRAILER_SIZE);
    uint32_t computed = mlops__crc32(0, p, len - TRAILER_SIZE);
    if (stored != computed)
        return mlops__fail(MLOPS_ECORRUPT, "%s: checksum mismatch (stored 0x%08x, computed 0x%08x)",
                           func, (unsigned)stored, (unsigned)computed);
    r.len = len - TRAILER_SIZE;

    mlops_transform *t;
    int rc = mlops_transform_create(&t);
    if (rc) return rc;
    mlops__tf_fit *f = NULL;
    rc = read_steps(&r, t);
    uint64_t fitted = rc == MLOPS_OK ? mlops__rbuf_get_le(&r, 1, "fitted flag") : 0;
    rc = r.status;
    if (rc == MLOPS_OK && fitted > 1) rc = corrupt(&r, "fitted flag is neither 0 nor 1");
    if (rc == MLOPS_OK && fitted) {
        f = mlops__calloc(1, sizeof *f, "transform fit");
        rc = f ? read_fit(&r, t, f) : MLOPS_ENOMEM;
        if (rc == MLOPS_OK) rc = mlops__tf_derive_output(t, f, MLOPS_ECORRUPT);
    }
    if (rc == MLOPS_OK && r.pos != r.len) rc = corrupt(&r, "unexpected bytes after the end");
    if (rc != MLOPS_OK) {
        mlops__tf_fit_free(f);
        mlops_transform_free(t);
        return rc;
    }
    t->fit = f;
    *out = t;
    return MLOPS_OK;
}
