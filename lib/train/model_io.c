/* Saving and loading models (mlops_model_save / _load and their buffer
 * forms) and the payload hash. A model file is a container (core/container.h)
 * of kind "MODL", kind version 1, holding the sections below; the layout is
 * also given in mlops_model_save(3).
 *
 * Integers are unsigned little-endian of the stated width; f64 is the
 * IEEE-754 binary64 bit pattern as a u64 (so a loaded model computes with
 * exactly the saved bits); a string is a u32 byte count and that many bytes
 * of UTF-8 without NUL.
 *
 *   HEAD  u8 kind (1 linear_regression, 2 logistic_regression), the
 *         settings the fit ran with (SETTINGS below), u8 has_chain (1
 *         exactly when section TRAN is present)
 *   SCHM  u32 N raw inputs, N x (string name, u8 type: 1 numeric,
 *         2 categorical); string target; u8 has_weight, [string weight]
 *   FEAT  u32 P features, P x string name
 *   CLAS  u32 K classes (0 for regression), u8 numeric_labels,
 *         K x (string label, [f64 value when numeric_labels], u64 count)
 *   COEF  u32 outputs O, u32 features P, O*P f64 coefficients (row-major),
 *         O f64 intercepts, P f64 raw standard deviations
 *   TRAI  u64 rows, f64 weight_sum, u8 solver that ran, u32 iterations,
 *         u8 converged, f64 objective, f64 gradient norm,
 *         string dataset fingerprint (64 hex digits or empty),
 *         string dataset source
 *   TRAN  (only with a chain) the fitted chain, mlops_transform_save() bytes
 *   NEXT  SETTINGS for the next fit: differs from HEAD's when settings
 *         changed after fitting
 *   CARD  string created (YYYY-MM-DDTHH:MM:SSZ or empty), string writing
 *         library version, u8 F, F x (string key, string value) in card key
 *         order, values non-empty
 *
 * SETTINGS is every setting in key order: f64 l2, u8 fit_intercept,
 * u32 max_iter, f64 tol, u8 solver (0 auto, 1 cholesky, 2 lstsq, 3 lbfgs,
 * 4 newton), u32 lbfgs_memory, u8 class_weight (0 none, 1 balanced),
 * u64 seed, u32 threads, u8 warm_start, u8 fingerprint, and a u16 mask of
 * the settings set explicitly (bit k = the k-th).
 *
 * Sections are written uncompressed: the container's CRC-32 then covers
 * every stored bit (a zlib stream has padding bits no checksum sees), and
 * coefficients hardly compress. Readers accept compressed sections too.
 *
 * The payload is every section but NEXT and CARD. Its hash is SHA-256 over
 * the ASCII line "libmlops-model-payload-v1\n" followed, for HEAD, SCHM,
 * FEAT, CLAS, COEF, TRAI and (when present) TRAN in that order, by the
 * 4-byte tag, a u64 byte count and the section's bytes: the encodings are
 * canonical, so equal fits hash equally whatever the card says, when they
 * were made or how the settings changed since.
 *
 * The reader trusts nothing: counts are checked against the bytes left
 * before anything is allocated, every value against what fitting could
 * produce, and the sections against each other; a damaged file is
 * MLOPS_ECORRUPT naming the section and field. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/bytes.h"
#include "core/container.h"
#include "core/error.h"
#include "core/json.h"
#include "core/numfmt.h"
#include "core/sha256.h"
#include "data/dict.h"
#include "data/transform_impl.h"
#include "mlops/version.h"
#include "train/model_impl.h"

enum { KIND_VERSION = 1 };
/* Every setting is in section HEAD: a new one needs a field there (and a
 * new kind version), or saved models would silently lose it. */
_Static_assert(MLOPS__P_COUNT == 11, "model settings changed: update section HEAD");
static const char KIND[] = "MODL";
static const char PAYLOAD_MAGIC[] = "libmlops-model-payload-v1\n";

/* Model files above this size are refused before they are read. */
#define MAX_FILE_SIZE ((size_t)(SIZE_MAX < UINT32_MAX ? SIZE_MAX : UINT32_MAX))

/* The payload sections come first, up to S_NEXT. */
enum { S_HEAD, S_SCHM, S_FEAT, S_CLAS, S_COEF, S_TRAI, S_TRAN, S_NEXT, S_CARD, S_COUNT };
static const char *const TAGS[S_COUNT] = {"HEAD", "SCHM", "FEAT", "CLAS", "COEF",
                                          "TRAI", "TRAN", "NEXT", "CARD"};

/* ---- Writing ------------------------------------------------------------ */

static void encode_settings(mlops__wbuf *b, const mlops__model_params *p, const bool *set)
{
    mlops__wbuf_put_f64(b, p->l2);
    mlops__wbuf_put_le(b, p->fit_intercept, 1);
    mlops__wbuf_put_le(b, p->max_iter, 4);
    mlops__wbuf_put_f64(b, p->tol);
    mlops__wbuf_put_le(b, (uint64_t)p->solver, 1);
    mlops__wbuf_put_le(b, p->lbfgs_memory, 4);
    mlops__wbuf_put_le(b, (uint64_t)p->class_weight, 1);
    mlops__wbuf_put_le(b, p->seed, 8);
    mlops__wbuf_put_le(b, p->threads, 4);
    mlops__wbuf_put_le(b, p->warm_start, 1);
    mlops__wbuf_put_le(b, p->fingerprint, 1);
    unsigned mask = 0;
    for (int k = 0; k < MLOPS__P_COUNT; k++)
        if (set[k]) mask |= 1u << k;
    mlops__wbuf_put_le(b, mask, 2);
}

static void encode_head(const mlops_model *m, mlops__wbuf *b)
{
    mlops__wbuf_put_le(b, (uint64_t)m->kind, 1);
    encode_settings(b, &m->fit->params, m->fit->param_set);
    mlops__wbuf_put_le(b, m->fit->transform != NULL, 1);
}

static void encode_schema(const mlops__model_fit *f, mlops__wbuf *b)
{
    mlops__wbuf_put_le(b, f->ninputs, 4);
    for (size_t i = 0; i < f->ninputs; i++) {
        mlops__wbuf_put_str(b, f->inputs[i]);
        mlops__wbuf_put_le(b, (uint64_t)f->input_types[i], 1);
    }
    mlops__wbuf_put_str(b, f->target);
    mlops__wbuf_put_le(b, f->weight != NULL, 1);
    if (f->weight != NULL) mlops__wbuf_put_str(b, f->weight);
}

static void encode_features(const mlops__model_fit *f, mlops__wbuf *b)
{
    mlops__wbuf_put_le(b, f->nfeatures, 4);
    for (size_t j = 0; j < f->nfeatures; j++) mlops__wbuf_put_str(b, f->features[j]);
}

static void encode_classes(const mlops__model_fit *f, mlops__wbuf *b)
{
    bool numeric = f->nclasses > 0 && f->class_values != NULL;
    mlops__wbuf_put_le(b, f->nclasses, 4);
    mlops__wbuf_put_le(b, numeric, 1);
    for (size_t k = 0; k < f->nclasses; k++) {
        mlops__wbuf_put_str(b, f->classes[k]);
        if (numeric) mlops__wbuf_put_f64(b, f->class_values[k]);
        mlops__wbuf_put_le(b, f->class_counts[k], 8);
    }
}

static void encode_coef(const mlops__model_fit *f, mlops__wbuf *b)
{
    mlops__wbuf_put_le(b, f->noutputs, 4);
    mlops__wbuf_put_le(b, f->nfeatures, 4);
    for (size_t i = 0; i < f->noutputs * f->nfeatures; i++) mlops__wbuf_put_f64(b, f->coef[i]);
    for (size_t o = 0; o < f->noutputs; o++) mlops__wbuf_put_f64(b, f->intercept[o]);
    for (size_t j = 0; j < f->nfeatures; j++) mlops__wbuf_put_f64(b, f->raw_std[j]);
}

static void encode_training(const mlops__model_fit *f, mlops__wbuf *b)
{
    mlops__wbuf_put_le(b, f->rows, 8);
    mlops__wbuf_put_f64(b, f->weight_sum);
    mlops__wbuf_put_le(b, (uint64_t)f->solver, 1);
    mlops__wbuf_put_le(b, f->iterations, 4);
    mlops__wbuf_put_le(b, f->converged, 1);
    mlops__wbuf_put_f64(b, f->objective);
    mlops__wbuf_put_f64(b, f->grad_norm);
    mlops__wbuf_put_str(b, f->fingerprint);
    mlops__wbuf_put_str(b, f->source);
}

static void encode_transform(const mlops__model_fit *f, mlops__wbuf *b)
{
    unsigned char *bytes = NULL;
    size_t len = 0;
    if (b->status != MLOPS_OK) return;
    int rc = mlops_transform_save(f->transform, &bytes, &len);
    if (rc != MLOPS_OK) {
        b->status = rc;
        return;
    }
    b->buf = bytes; /* the section is exactly these bytes */
    b->len = b->cap = len;
}

static void encode_card(const mlops_model *m, mlops__wbuf *b)
{
    mlops__wbuf_put_str(b, m->created);
    mlops__wbuf_put_str(b, mlops_version_string());
    unsigned n = 0;
    for (int k = 0; k < MLOPS__CARD_COUNT; k++) n += m->card[k] != NULL && m->card[k][0] != '\0';
    mlops__wbuf_put_le(b, n, 1);
    for (int k = 0; k < MLOPS__CARD_COUNT; k++)
        if (m->card[k] != NULL && m->card[k][0] != '\0') {
            mlops__wbuf_put_str(b, mlops__card_key_name(k));
            mlops__wbuf_put_str(b, m->card[k]);
        }
}

static void free_sections(mlops__wbuf s[S_COUNT])
{
    for (int i = 0; i < S_COUNT; i++) mlops__free(s[i].buf);
}

/* Encodes every section of a fitted model (CARD only when `card`); TRAN is
 * left empty without a chain. */
static int encode(const mlops_model *m, bool card, mlops__wbuf s[S_COUNT])
{
    const mlops__model_fit *f = m->fit;
    memset(s, 0, S_COUNT * sizeof *s);
    for (int i = 0; i < S_COUNT; i++) s[i].label = "model encoding";
    if (f->ninputs > UINT32_MAX || f->nfeatures > UINT32_MAX || f->nclasses > UINT32_MAX ||
        f->noutputs > UINT32_MAX)
        return mlops__fail(MLOPS_EINVAL, "model: too many inputs, features or classes to save");
    encode_head(m, &s[S_HEAD]);
    encode_schema(f, &s[S_SCHM]);
    encode_features(f, &s[S_FEAT]);
    encode_classes(f, &s[S_CLAS]);
    encode_coef(f, &s[S_COEF]);
    encode_training(f, &s[S_TRAI]);
    if (f->transform != NULL) encode_transform(f, &s[S_TRAN]);
    if (card) {
        encode_settings(&s[S_NEXT], &m->params, m->param_set);
        encode_card(m, &s[S_CARD]);
    }
    for (int i = 0; i < S_COUNT; i++)
        if (s[i].status != MLOPS_OK) {
            int rc = s[i].status;
            free_sections(s);
            return rc;
        }
    return MLOPS_OK;
}

static void payload_hex(const mlops_model *m, const mlops__wbuf s[S_COUNT], char hex[65])
{
    mlops__sha256 h;
    mlops__sha256_init(&h);
    mlops__sha256_update(&h, PAYLOAD_MAGIC, sizeof PAYLOAD_MAGIC - 1);
    for (int i = 0; i < S_NEXT; i++) {
        if (i == S_TRAN && m->fit->transform == NULL) continue;
        unsigned char head[12];
        memcpy(head, TAGS[i], 4);
        mlops__le_store(head + 4, s[i].len, 8);
        mlops__sha256_update(&h, head, sizeof head);
        if (s[i].len) mlops__sha256_update(&h, s[i].buf, s[i].len);
    }
    unsigned char digest[MLOPS_SHA256_SIZE];
    mlops__sha256_final(&h, digest);
    mlops__hex_encode(digest, sizeof digest, hex);
}

MLOPS_API int mlops_model_payload_hash(const mlops_model *m, char *hex, size_t size)
{
    MLOPS_CHECK_ARG(m != NULL, "mlops_model_payload_hash", "NULL model");
    MLOPS_CHECK_ARG(hex != NULL, "mlops_model_payload_hash", "NULL hex");
    if (size < MLOPS_SHA256_HEX_SIZE)
        return mlops__fail(MLOPS_EINVAL, "mlops_model_payload_hash: hex holds %zu bytes, %d "
                           "needed", size, MLOPS_SHA256_HEX_SIZE);
    if (m->fit == NULL)
        return mlops__fail(MLOPS_ESTATE, "mlops_model_payload_hash: the model is not fitted");
    mlops__wbuf s[S_COUNT];
    int rc = encode(m, false, s);
    if (rc != MLOPS_OK) return rc;
    payload_hex(m, s, hex);
    free_sections(s);
    return MLOPS_OK;
}

static int build_writer(const mlops_model *m, const char *func, mlops__container_writer *w)
{
    if (m->fit == NULL)
        return mlops__fail(MLOPS_ESTATE, "%s: the model is not fitted", func);
    mlops__wbuf s[S_COUNT];
    int rc = encode(m, true, s);
    if (rc != MLOPS_OK) return rc;
    rc = mlops__cw_init(w, KIND, KIND_VERSION);
    for (int i = 0; rc == MLOPS_OK && i < S_COUNT; i++)
        if (i != S_TRAN || m->fit->transform != NULL)
            rc = mlops__cw_add(w, TAGS[i], s[i].buf, s[i].len, false);
    free_sections(s);
    if (rc != MLOPS_OK) mlops__cw_free(w);
    return rc;
}

MLOPS_API int mlops_model_save(const mlops_model *m, const char *path)
{
    MLOPS_CHECK_ARG(m != NULL, "mlops_model_save", "NULL model");
    MLOPS_CHECK_ARG(path != NULL, "mlops_model_save", "NULL path");
    mlops__container_writer w;
    int rc = build_writer(m, "mlops_model_save", &w);
    if (rc != MLOPS_OK) return rc;
    rc = mlops__cw_write_file(&w, path);
    mlops__cw_free(&w);
    return rc;
}

MLOPS_API int mlops_model_save_buffer(const mlops_model *m, unsigned char **bytes, size_t *len)
{
    MLOPS_CHECK_ARG(m != NULL, "mlops_model_save_buffer", "NULL model");
    MLOPS_CHECK_ARG(bytes != NULL, "mlops_model_save_buffer", "NULL bytes");
    MLOPS_CHECK_ARG(len != NULL, "mlops_model_save_buffer", "NULL len");
    mlops__container_writer w;
    int rc = build_writer(m, "mlops_model_save_buffer", &w);
    if (rc != MLOPS_OK) return rc;
    rc = mlops__cw_finish(&w, bytes, len);
    mlops__cw_free(&w);
    return rc;
}

/* ---- Reading ------------------------------------------------------------ */

/* A section being read; `b` comes first so that fault() can reach the
 * section it names. */
typedef struct rd {
    mlops__rbuf b;
    const char *source;
    const char *tag;
    unsigned char *owned; /* the section bytes b.p reads */
} rd;

static int fail_field(const rd *r, const char *field, const char *what)
{
    return mlops__fail(MLOPS_ECORRUPT, "%s: model section '%s' field '%s': %s", r->source,
                       r->tag, field, what);
}

/* Records corruption of `field` in the current section (first error wins). */
static int bad(rd *r, const char *field, const char *fmt, ...) MLOPS_PRINTF_LIKE(3, 4);
static int bad(rd *r, const char *field, const char *fmt, ...)
{
    if (r->b.status != MLOPS_OK) return r->b.status;
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return r->b.status = fail_field(r, field, what);
}

/* Words a fault of core/bytes.h as bad() does. */
static int fault(const mlops__rbuf *b, mlops__rbuf_fault f, const char *field, uint64_t value,
                 size_t detail)
{
    const rd *r = (const rd *)b;
    size_t left = b->len - b->pos;
    char what[256];
    switch (f) {
    case MLOPS__RBUF_TRUNCATED:
        snprintf(what, sizeof what, "truncated (%llu bytes needed at byte %zu, %zu left)",
                 (unsigned long long)value, b->pos, left);
        break;
    case MLOPS__RBUF_COUNT:
        snprintf(what, sizeof what, "%llu entries cannot fit in the %zu bytes left",
                 (unsigned long long)value, left);
        break;
    case MLOPS__RBUF_STRING:
        snprintf(what, sizeof what, "string of %llu bytes runs past the end of the section",
                 (unsigned long long)value);
        break;
    case MLOPS__RBUF_NUL: snprintf(what, sizeof what, "text contains a NUL byte"); break;
    default:
        snprintf(what, sizeof what, "text is not valid UTF-8 (at byte %zu of %llu)", detail,
                 (unsigned long long)value);
        break;
    }
    return fail_field(r, field, what);
}

static bool get_bool(rd *r, const char *field)
{
    uint64_t v = mlops__rbuf_get_le(&r->b, 1, field);
    if (v > 1) bad(r, field, "%u is neither 0 nor 1", (unsigned)v);
    return v == 1;
}

static double get_finite(rd *r, const char *field)
{
    double v = mlops__rbuf_get_f64(&r->b, field);
    if (r->b.status == MLOPS_OK && !isfinite(v)) bad(r, field, "value is not finite");
    return v;
}

static void *alloc_array(rd *r, size_t n, size_t size, const char *what)
{
    if (r->b.status != MLOPS_OK) return NULL;
    void *p = mlops__calloc(n ? n : 1, size, what);
    if (p == NULL) r->b.status = MLOPS_ENOMEM;
    return p;
}

/* Reads section `i` of the container into `r` (absent optional sections
 * leave r->owned NULL). */
static int open_section(const mlops__container *c, int i, rd *r)
{
    memset(r, 0, sizeof *r);
    r->b.label = "model string";
    r->b.fail = fault;
    r->source = c->source;
    r->tag = TAGS[i];
    if (!mlops__container_has(c, TAGS[i])) {
        if (i == S_TRAN) return MLOPS_OK;
        return r->b.status = mlops__fail(MLOPS_ECORRUPT, "%s: model section '%s' is missing",
                                         c->source, TAGS[i]);
    }
    r->b.status = mlops__container_read(c, TAGS[i], &r->owned, &r->b.len);
    r->b.p = r->owned;
    return r->b.status;
}

static int close_section(rd *r)
{
    if (r->b.status == MLOPS_OK && r->b.pos != r->b.len)
        bad(r, "end", "%zu unexpected bytes after the last field", r->b.len - r->b.pos);
    mlops__free(r->owned);
    r->owned = NULL;
    return r->b.status;
}

/* The object a load is building; freed as a whole on failure. */
typedef struct loading {
    int kind;
    mlops__model_params params; /* for the next fit (section NEXT) */
    bool param_set[MLOPS__P_COUNT];
    mlops__model_fit *f;        /* with the settings it ran with (HEAD) */
    mlops_transform *chain;
    char *card[MLOPS__CARD_COUNT];
    char created[32];
    bool has_chain;
} loading;

static bool solver_fits_kind(int kind, int solver, bool allow_auto)
{
    if (solver == MLOPS__SOLVER_AUTO) return allow_auto;
    if (kind == MLOPS__MODEL_LINEAR)
        return solver == MLOPS__SOLVER_CHOLESKY || solver == MLOPS__SOLVER_LSTSQ;
    return solver == MLOPS__SOLVER_LBFGS || solver == MLOPS__SOLVER_NEWTON;
}

/* The settings block of sections HEAD and NEXT. */
static void read_settings(rd *r, int kind, mlops__model_params *p, bool *set)
{
    p->l2 = mlops__rbuf_get_f64(&r->b, "l2");
    if (r->b.status == MLOPS_OK && !(isfinite(p->l2) && p->l2 >= 0))
        bad(r, "l2", "%g is not finite and >= 0", p->l2);
    p->fit_intercept = get_bool(r, "fit_intercept");
    p->max_iter = (uint32_t)mlops__rbuf_get_le(&r->b, 4, "max_iter");
    if (r->b.status == MLOPS_OK && p->max_iter == 0) bad(r, "max_iter", "0 is below 1");
    p->tol = mlops__rbuf_get_f64(&r->b, "tol");
    if (r->b.status == MLOPS_OK && !(isfinite(p->tol) && p->tol > 0))
        bad(r, "tol", "%g is not finite and > 0", p->tol);
    p->solver = (int)mlops__rbuf_get_le(&r->b, 1, "solver");
    if (r->b.status == MLOPS_OK && !solver_fits_kind(kind, p->solver, true))
        bad(r, "solver", "%d is not a %s solver", p->solver, mlops__model_kind_name(kind));
    p->lbfgs_memory = (uint32_t)mlops__rbuf_get_le(&r->b, 4, "lbfgs_memory");
    if (r->b.status == MLOPS_OK && (p->lbfgs_memory < 1 || p->lbfgs_memory > 100))
        bad(r, "lbfgs_memory", "%u is outside 1..100", (unsigned)p->lbfgs_memory);
    p->class_weight = (int)mlops__rbuf_get_le(&r->b, 1, "class_weight");
    if (r->b.status == MLOPS_OK && p->class_weight != MLOPS__CLASS_WEIGHT_NONE &&
        (p->class_weight != MLOPS__CLASS_WEIGHT_BALANCED || kind != MLOPS__MODEL_LOGISTIC))
        bad(r, "class_weight", "%d is not a class weighting of a %s model", p->class_weight,
            mlops__model_kind_name(kind));
    p->seed = mlops__rbuf_get_le(&r->b, 8, "seed");
    p->threads = (uint32_t)mlops__rbuf_get_le(&r->b, 4, "threads");
    if (r->b.status == MLOPS_OK && p->threads > 1024)
        bad(r, "threads", "%u is above 1024", (unsigned)p->threads);
    p->warm_start = get_bool(r, "warm_start");
    p->fingerprint = get_bool(r, "fingerprint");
    uint64_t mask = mlops__rbuf_get_le(&r->b, 2, "set mask");
    if (r->b.status == MLOPS_OK && (mask >> MLOPS__P_COUNT) != 0)
        bad(r, "set mask", "0x%04x marks settings that do not exist", (unsigned)mask);
    if (r->b.status == MLOPS_OK && (mask >> MLOPS__P_CLASS_WEIGHT & 1) &&
        kind != MLOPS__MODEL_LOGISTIC)
        bad(r, "set mask", "class_weight is marked set on a %s model",
            mlops__model_kind_name(kind));
    for (int k = 0; k < MLOPS__P_COUNT; k++) set[k] = (mask >> k) & 1;
}

static int read_head(const mlops__container *c, loading *L)
{
    rd r;
    if (open_section(c, S_HEAD, &r) != MLOPS_OK) return r.b.status;
    uint64_t kind = mlops__rbuf_get_le(&r.b, 1, "kind");
    if (r.b.status == MLOPS_OK && kind != MLOPS__MODEL_LINEAR && kind != MLOPS__MODEL_LOGISTIC)
        bad(&r, "kind", "%u is not a model kind (1 linear_regression, 2 logistic_regression)",
            (unsigned)kind);
    L->kind = (int)kind;
    read_settings(&r, L->kind, &L->f->params, L->f->param_set);
    L->has_chain = get_bool(&r, "has_chain");
    return close_section(&r);
}

static int read_next(const mlops__container *c, loading *L)
{
    rd r;
    if (open_section(c, S_NEXT, &r) != MLOPS_OK) return r.b.status;
    read_settings(&r, L->kind, &L->params, L->param_set);
    return close_section(&r);
}

/* Fails `r` when a name in the list repeats. A hash keeps wide models
 * (thousands of one-hot features) quick to load. */
static void check_unique(rd *r, char *const *names, size_t n, const char *field,
                         const char *what)
{
    if (r->b.status != MLOPS_OK) return;
    mlops__dict *d = NULL;
    int rc = mlops__dict_create(&d);
    for (size_t i = 0; rc == MLOPS_OK && i < n; i++) {
        size_t before = mlops__dict_size(d);
        int32_t code;
        rc = mlops__dict_intern(d, names[i], strlen(names[i]), &code);
        if (rc == MLOPS_OK && mlops__dict_size(d) == before) {
            bad(r, field, "%s '%s' appears twice", what, names[i]);
            rc = r->b.status;
        }
    }
    mlops__dict_free(d);
    if (r->b.status == MLOPS_OK) r->b.status = rc;
}

static int read_schema(const mlops__container *c, loading *L)
{
    rd r;
    mlops__model_fit *f = L->f;
    if (open_section(c, S_SCHM, &r) != MLOPS_OK) return r.b.status;
    size_t n = mlops__rbuf_get_count(&r.b, 4, 5, "input count");
    if (r.b.status == MLOPS_OK && n == 0) bad(&r, "input count", "a model has at least one input");
    f->inputs = alloc_array(&r, n, sizeof *f->inputs, "model inputs");
    f->input_types = alloc_array(&r, n, sizeof *f->input_types, "model input types");
    char field[64];
    for (size_t i = 0; r.b.status == MLOPS_OK && i < n; i++) {
        snprintf(field, sizeof field, "inputs[%zu].name", i);
        f->inputs[i] = mlops__rbuf_get_str(&r.b, field);
        if (r.b.status != MLOPS_OK) break;
        f->ninputs = i + 1;
        snprintf(field, sizeof field, "inputs[%zu].type", i);
        uint64_t t = mlops__rbuf_get_le(&r.b, 1, field);
        if (r.b.status == MLOPS_OK && t != MLOPS_NUMERIC && t != MLOPS_CATEGORICAL)
            bad(&r, field, "%u is not a column type (1 numeric, 2 categorical)", (unsigned)t);
        f->input_types[i] = (int)t;
    }
    check_unique(&r, f->inputs, f->ninputs, "inputs", "input");
    f->target = mlops__rbuf_get_str(&r.b, "target");
    if (get_bool(&r, "has_weight")) f->weight = mlops__rbuf_get_str(&r.b, "weight");
    for (size_t i = 0; r.b.status == MLOPS_OK && i < f->ninputs; i++) {
        if (strcmp(f->inputs[i], f->target) == 0)
            bad(&r, "target", "target '%s' is also an input", f->target);
        else if (f->weight != NULL && strcmp(f->inputs[i], f->weight) == 0)
            bad(&r, "weight", "weight column '%s' is also an input", f->weight);
    }
    if (r.b.status == MLOPS_OK && f->weight != NULL && strcmp(f->weight, f->target) == 0)
        bad(&r, "weight", "weight column '%s' is also the target", f->weight);
    return close_section(&r);
}

static int read_features(const mlops__container *c, loading *L)
{
    rd r;
    mlops__model_fit *f = L->f;
    if (open_section(c, S_FEAT, &r) != MLOPS_OK) return r.b.status;
    size_t n = mlops__rbuf_get_count(&r.b, 4, 4, "feature count");
    if (r.b.status == MLOPS_OK && n == 0)
        bad(&r, "feature count", "a model has at least one feature");
    f->features = alloc_array(&r, n, sizeof *f->features, "model features");
    char field[64];
    for (size_t j = 0; r.b.status == MLOPS_OK && j < n; j++) {
        snprintf(field, sizeof field, "features[%zu]", j);
        f->features[j] = mlops__rbuf_get_str(&r.b, field);
        if (f->features[j] != NULL) f->nfeatures = j + 1;
    }
    check_unique(&r, f->features, f->nfeatures, "features", "feature");
    return close_section(&r);
}

static int read_classes(const mlops__container *c, loading *L)
{
    rd r;
    mlops__model_fit *f = L->f;
    if (open_section(c, S_CLAS, &r) != MLOPS_OK) return r.b.status;
    size_t n = mlops__rbuf_get_count(&r.b, 4, 12, "class count");
    bool numeric = get_bool(&r, "numeric_labels");
    if (r.b.status == MLOPS_OK && L->kind == MLOPS__MODEL_LINEAR && n != 0)
        bad(&r, "class count", "a linear_regression model has no classes, not %zu", n);
    if (r.b.status == MLOPS_OK && L->kind == MLOPS__MODEL_LOGISTIC && n < 2)
        bad(&r, "class count", "a logistic_regression model has at least 2 classes, not %zu", n);
    if (r.b.status == MLOPS_OK && n == 0 && numeric)
        bad(&r, "numeric_labels", "set although there are no classes");
    if (n > 0) {
        f->classes = alloc_array(&r, n, sizeof *f->classes, "model classes");
        f->class_counts = alloc_array(&r, n, sizeof *f->class_counts, "model class counts");
        if (numeric)
            f->class_values = alloc_array(&r, n, sizeof *f->class_values, "model class values");
    }
    char field[64];
    for (size_t k = 0; r.b.status == MLOPS_OK && k < n; k++) {
        snprintf(field, sizeof field, "classes[%zu].label", k);
        f->classes[k] = mlops__rbuf_get_str(&r.b, field);
        if (r.b.status != MLOPS_OK) break;
        f->nclasses = k + 1;
        if (k > 0 && !numeric && strcmp(f->classes[k - 1], f->classes[k]) >= 0)
            bad(&r, field, "'%s' does not follow '%s' in byte order", f->classes[k],
                f->classes[k - 1]);
        if (numeric) {
            snprintf(field, sizeof field, "classes[%zu].value", k);
            double v = get_finite(&r, field);
            f->class_values[k] = v;
            if (r.b.status == MLOPS_OK && k > 0 && !(f->class_values[k - 1] < v))
                bad(&r, field, "%.17g does not exceed the previous class value %.17g", v,
                    f->class_values[k - 1]);
            /* a numeric class is labelled by its shortest round-trip text */
            char text[MLOPS_DOUBLE_BUFSIZE];
            if (r.b.status == MLOPS_OK) mlops__format_double(v == 0 ? 0.0 : v, text);
            if (r.b.status == MLOPS_OK && strcmp(text, f->classes[k]) != 0)
                bad(&r, field, "%s, but the class is labelled '%s'", text, f->classes[k]);
        }
        snprintf(field, sizeof field, "classes[%zu].count", k);
        f->class_counts[k] = mlops__rbuf_get_le(&r.b, 8, field);
        if (r.b.status == MLOPS_OK && f->class_counts[k] == 0)
            bad(&r, field, "0, but every class occurs in the training rows");
    }
    check_unique(&r, f->classes, f->nclasses, "classes", "class label");
    return close_section(&r);
}

static size_t expected_outputs(const loading *L)
{
    if (L->kind == MLOPS__MODEL_LINEAR) return 1;
    return L->f->nclasses == 2 ? 1 : L->f->nclasses;
}

static int read_coef(const mlops__container *c, loading *L)
{
    rd r;
    mlops__model_fit *f = L->f;
    if (open_section(c, S_COEF, &r) != MLOPS_OK) return r.b.status;
    uint64_t outputs = mlops__rbuf_get_le(&r.b, 4, "output count");
    uint64_t features = mlops__rbuf_get_le(&r.b, 4, "feature count");
    if (r.b.status == MLOPS_OK && outputs != expected_outputs(L))
        bad(&r, "output count", "%llu, but a %s model with %zu classes has %zu",
            (unsigned long long)outputs, mlops__model_kind_name(L->kind), f->nclasses,
            expected_outputs(L));
    if (r.b.status == MLOPS_OK && features != f->nfeatures)
        bad(&r, "feature count", "%llu, but section 'FEAT' lists %zu features",
            (unsigned long long)features, f->nfeatures);
    size_t o = (size_t)outputs, p = f->nfeatures, total = 0;
    if (r.b.status == MLOPS_OK &&
        (!mlops__mul_size(o, p, &total) || total > (r.b.len - r.b.pos) / 8))
        bad(&r, "coefficients", "%zu x %zu values cannot fit in the %zu bytes left", o, p,
            r.b.len - r.b.pos);
    f->coef = alloc_array(&r, total, sizeof *f->coef, "model coefficients");
    f->intercept = alloc_array(&r, o, sizeof *f->intercept, "model intercepts");
    f->raw_std = alloc_array(&r, p, sizeof *f->raw_std, "model raw deviations");
    if (r.b.status == MLOPS_OK) f->noutputs = o;
    char field[64];
    for (size_t i = 0; r.b.status == MLOPS_OK && i < total; i++) {
        snprintf(field, sizeof field, "coefficients[%zu][%zu]", i / p, i % p);
        f->coef[i] = get_finite(&r, field);
    }
    for (size_t k = 0; r.b.status == MLOPS_OK && k < o; k++) {
        snprintf(field, sizeof field, "intercepts[%zu]", k);
        f->intercept[k] = get_finite(&r, field);
    }
    for (size_t j = 0; r.b.status == MLOPS_OK && j < p; j++) {
        snprintf(field, sizeof field, "raw_std[%zu]", j);
        f->raw_std[j] = get_finite(&r, field);
        if (r.b.status == MLOPS_OK && f->raw_std[j] < 0)
            bad(&r, field, "%.17g is negative", f->raw_std[j]);
    }
    return close_section(&r);
}

static bool is_hex64(const char *s)
{
    if (strlen(s) != 64) return false;
    for (size_t i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

static int read_training(const mlops__container *c, loading *L)
{
    rd r;
    mlops__model_fit *f = L->f;
    if (open_section(c, S_TRAI, &r) != MLOPS_OK) return r.b.status;
    f->rows = mlops__rbuf_get_le(&r.b, 8, "rows");
    if (r.b.status == MLOPS_OK && f->rows == 0) bad(&r, "rows", "a model is fitted on >= 1 row");
    f->weight_sum = mlops__rbuf_get_f64(&r.b, "weight_sum");
    if (r.b.status == MLOPS_OK && !(isfinite(f->weight_sum) && f->weight_sum > 0))
        bad(&r, "weight_sum", "%g is not finite and > 0", f->weight_sum);
    f->solver = (int)mlops__rbuf_get_le(&r.b, 1, "solver");
    if (r.b.status == MLOPS_OK && !solver_fits_kind(L->kind, f->solver, false))
        bad(&r, "solver", "%d is not a solver that fits %s models", f->solver,
            mlops__model_kind_name(L->kind));
    f->iterations = (uint32_t)mlops__rbuf_get_le(&r.b, 4, "iterations");
    f->converged = get_bool(&r, "converged");
    f->objective = get_finite(&r, "objective");
    f->grad_norm = get_finite(&r, "gradient_norm");
    if (r.b.status == MLOPS_OK && f->grad_norm < 0)
        bad(&r, "gradient_norm", "%g is negative", f->grad_norm);
    char *fp = mlops__rbuf_get_str(&r.b, "fingerprint");
    if (fp != NULL) {
        if (fp[0] != '\0' && !is_hex64(fp))
            bad(&r, "fingerprint", "'%.80s' is not 64 lowercase hex digits", fp);
        else
            memcpy(f->fingerprint, fp, strlen(fp) + 1);
        mlops__free(fp);
    }
    f->source = mlops__rbuf_get_str(&r.b, "source");
    /* Every training row has a class, so the counts add up to the rows. */
    uint64_t sum = 0;
    for (size_t k = 0; r.b.status == MLOPS_OK && k < f->nclasses; k++) {
        if (f->class_counts[k] > f->rows - sum) {
            bad(&r, "rows", "%llu, fewer than the class counts in section 'CLAS' add up to",
                (unsigned long long)f->rows);
            break;
        }
        sum += f->class_counts[k];
    }
    if (r.b.status == MLOPS_OK && f->nclasses > 0 && sum != f->rows)
        bad(&r, "rows", "%llu, but the class counts in section 'CLAS' add up to %llu",
            (unsigned long long)f->rows, (unsigned long long)sum);
    return close_section(&r);
}

/* Re-raises a failure of a nested decoder as corruption of `tag`, keeping
 * its message; ENOMEM and EVERSION keep their meaning. */
static int nested(int rc, const char *source, const char *tag)
{
    if (rc == MLOPS_OK || rc == MLOPS_ENOMEM || rc == MLOPS_EVERSION) return rc;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", mlops_last_error());
    return mlops__fail(MLOPS_ECORRUPT, "%s: model section '%s': %s", source, tag, msg);
}

static int read_transform(const mlops__container *c, loading *L)
{
    rd r;
    mlops__model_fit *f = L->f;
    if (open_section(c, S_TRAN, &r) != MLOPS_OK) return r.b.status;
    bool present = r.owned != NULL;
    if (L->has_chain != present) {
        mlops__free(r.owned);
        return mlops__fail(MLOPS_ECORRUPT, "%s: model section 'TRAN' is %s although section "
                           "'HEAD' says the model has %s chain", c->source,
                           present ? "present" : "missing", L->has_chain ? "a" : "no");
    }
    if (r.owned == NULL) return MLOPS_OK;
    int rc = nested(mlops_transform_load(&f->transform, r.owned, r.b.len), c->source, TAGS[S_TRAN]);
    /* The unfitted template the next fit starts from: the same steps and
     * settings without the fitted state. */
    if (rc == MLOPS_OK) rc = mlops_transform_load(&L->chain, r.owned, r.b.len);
    mlops__free(r.owned);
    if (rc != MLOPS_OK) return rc;
    mlops__tf_fit_free(L->chain->fit);
    L->chain->fit = NULL;
    if (!mlops_transform_is_fitted(f->transform))
        return mlops__fail(MLOPS_ECORRUPT, "%s: model section 'TRAN': the chain is not fitted",
                           c->source);
    return MLOPS_OK;
}

static int read_card(const mlops__container *c, loading *L)
{
    rd r;
    if (open_section(c, S_CARD, &r) != MLOPS_OK) return r.b.status;
    char *created = mlops__rbuf_get_str(&r.b, "created");
    if (created != NULL) {
        if (!mlops__valid_created(created))
            bad(&r, "created", "'%.40s' is not a UTC time YYYY-MM-DDTHH:MM:SSZ", created);
        else
            memcpy(L->created, created, strlen(created) + 1);
        mlops__free(created);
    }
    mlops__free(mlops__rbuf_get_str(&r.b, "writer")); /* for people reading the file */
    uint64_t n = mlops__rbuf_get_le(&r.b, 1, "card field count");
    if (r.b.status == MLOPS_OK && n > MLOPS__CARD_COUNT)
        bad(&r, "card field count", "%u fields, but a card has %d", (unsigned)n,
            MLOPS__CARD_COUNT);
    int last = -1;
    char field[64];
    for (uint64_t i = 0; r.b.status == MLOPS_OK && i < n; i++) {
        snprintf(field, sizeof field, "fields[%u].key", (unsigned)i);
        char *key = mlops__rbuf_get_str(&r.b, field);
        if (key == NULL) break;
        int k = 0;
        while (k < MLOPS__CARD_COUNT && strcmp(key, mlops__card_key_name(k)) != 0) k++;
        if (k == MLOPS__CARD_COUNT)
            bad(&r, field, "'%.40s' is not a card field", key);
        else if (k <= last)
            bad(&r, field, "'%s' is out of order or repeated", key);
        mlops__free(key);
        if (r.b.status != MLOPS_OK) break;
        last = k;
        snprintf(field, sizeof field, "%s", mlops__card_key_name(k));
        L->card[k] = mlops__rbuf_get_str(&r.b, field);
        if (L->card[k] != NULL && L->card[k][0] == '\0') bad(&r, field, "empty text is stored");
        else if (L->card[k] != NULL && k == MLOPS__CARD_QUANTITATIVE_ANALYSIS &&
                 !mlops__json_valid(L->card[k], strlen(L->card[k])))
            bad(&r, field, "the stored analysis is not valid JSON");
    }
    return close_section(&r);
}

static bool is_input(const mlops__tf_schema_col *c)
{
    return c->role == MLOPS_ROLE_FEATURE && !c->sensitive;
}

/* With a chain, the inputs are the training columns with role feature that
 * are not sensitive, and the features the chain's outputs of that kind, in
 * order and numeric; target and weight are the training columns of those
 * roles. Without one, the features are the inputs themselves, numeric. */
static int check_layout(const char *source, const loading *L)
{
    const mlops__model_fit *f = L->f;
    if (f->transform == NULL) {
        if (f->nfeatures != f->ninputs)
            return mlops__fail(MLOPS_ECORRUPT, "%s: model section 'FEAT': %zu features but %zu "
                               "inputs, and a model without a chain uses its inputs as they "
                               "are", source, f->nfeatures, f->ninputs);
        for (size_t j = 0; j < f->nfeatures; j++) {
            if (strcmp(f->features[j], f->inputs[j]) != 0)
                return mlops__fail(MLOPS_ECORRUPT, "%s: model section 'FEAT' field "
                                   "'features[%zu]': '%s' is not input '%s'", source, j,
                                   f->features[j], f->inputs[j]);
            if (f->input_types[j] != MLOPS_NUMERIC)
                return mlops__fail(MLOPS_ECORRUPT, "%s: model section 'SCHM' field "
                                   "'inputs[%zu].type': input '%s' is categorical in a model "
                                   "without a chain", source, j, f->inputs[j]);
        }
        return MLOPS_OK;
    }
    const mlops__tf_fit *tf = f->transform->fit;
    size_t i = 0, targets = 0, weights = 0;
    for (size_t k = 0; k < tf->nin; k++) {
        const mlops__tf_schema_col *c = &tf->in[k];
        if (c->role == MLOPS_ROLE_TARGET) {
            if (targets++ > 0 || strcmp(c->name, f->target) != 0)
                return mlops__fail(MLOPS_ECORRUPT, "%s: model section 'SCHM' field 'target': "
                                   "'%s' is not the one target column of the chain's training "
                                   "data in section 'TRAN'", source, f->target);
        } else if (c->role == MLOPS_ROLE_WEIGHT) {
            if (weights++ > 0 || f->weight == NULL || strcmp(c->name, f->weight) != 0)
                return mlops__fail(MLOPS_ECORRUPT, "%s: model section 'SCHM' field 'weight': "
                                   "the chain's training data in section 'TRAN' has weight "
                                   "column '%s'", source, c->name);
        }
        if (!is_input(c)) continue;
        if (i == f->ninputs || strcmp(c->name, f->inputs[i]) != 0 ||
            c->type != f->input_types[i])
            return mlops__fail(MLOPS_ECORRUPT, "%s: model section 'SCHM' field 'inputs[%zu]': "
                               "the chain's training data in section 'TRAN' has input '%s' "
                               "(%s) here", source, i, c->name, mlops_type_name(c->type));
        i++;
    }
    if (i != f->ninputs)
        return mlops__fail(MLOPS_ECORRUPT, "%s: model section 'SCHM' field 'inputs[%zu]': '%s' "
                           "is not an input of the chain's training data in section 'TRAN'",
                           source, i, f->inputs[i]);
    if (targets == 0 || (f->weight != NULL && weights == 0))
        return mlops__fail(MLOPS_ECORRUPT, "%s: model section 'SCHM': the chain's training "
                           "data in section 'TRAN' has no %s column", source,
                           targets == 0 ? "target" : "weight");
    size_t j = 0;
    for (size_t k = 0; k < tf->nout; k++) {
        const mlops__tf_schema_col *c = &tf->out[k];
        if (!is_input(c)) continue;
        if (j == f->nfeatures || strcmp(c->name, f->features[j]) != 0)
            return mlops__fail(MLOPS_ECORRUPT, "%s: model section 'FEAT' field 'features[%zu]':"
                               " the chain in section 'TRAN' outputs feature '%s' here", source,
                               j, c->name);
        if (c->type != MLOPS_NUMERIC)
            return mlops__fail(MLOPS_ECORRUPT, "%s: model section 'FEAT' field 'features[%zu]':"
                               " chain output '%s' is not numeric", source, j, c->name);
        j++;
    }
    if (j != f->nfeatures)
        return mlops__fail(MLOPS_ECORRUPT, "%s: model section 'FEAT' field 'features[%zu]': "
                           "'%s' is not an output of the chain in section 'TRAN'", source, j,
                           f->features[j]);
    return MLOPS_OK;
}

static void loading_free(loading *L)
{
    mlops__model_fit_free(L->f);
    mlops_transform_free(L->chain);
    for (int k = 0; k < MLOPS__CARD_COUNT; k++) mlops__free(L->card[k]);
}

static int decode(const mlops__container *c, mlops_model **out)
{
    if (c->kind_version > KIND_VERSION)
        return mlops__fail(MLOPS_EVERSION, "%s: model format version %u is newer than this "
                           "library reads (up to %d); upgrade libmlops", c->source,
                           (unsigned)c->kind_version, KIND_VERSION);
    if (c->kind_version == 0)
        return mlops__fail(MLOPS_ECORRUPT, "%s: model format version 0 does not exist",
                           c->source);
    for (size_t i = 0; i < c->count; i++) {
        int k = 0;
        while (k < S_COUNT && strcmp(c->sections[i].tag, TAGS[k]) != 0) k++;
        if (k == S_COUNT)
            return mlops__fail(MLOPS_ECORRUPT, "%s: unknown model section '%s'", c->source,
                               c->sections[i].tag);
    }
    loading L;
    memset(&L, 0, sizeof L);
    L.f = mlops__calloc(1, sizeof *L.f, "model fit");
    if (L.f == NULL) return MLOPS_ENOMEM;
    int rc = read_head(c, &L);
    if (rc == MLOPS_OK) rc = read_schema(c, &L);
    if (rc == MLOPS_OK) rc = read_features(c, &L);
    if (rc == MLOPS_OK) rc = read_classes(c, &L);
    if (rc == MLOPS_OK) rc = read_coef(c, &L);
    if (rc == MLOPS_OK) rc = read_training(c, &L);
    if (rc == MLOPS_OK) rc = read_transform(c, &L);
    if (rc == MLOPS_OK) rc = read_next(c, &L);
    if (rc == MLOPS_OK) rc = read_card(c, &L);
    if (rc == MLOPS_OK) rc = check_layout(c->source, &L);
    if (rc == MLOPS_OK) rc = nested(mlops__model_plan(L.f), c->source, "TRAN");
    mlops_model *m = NULL;
    if (rc == MLOPS_OK) {
        m = mlops__calloc(1, sizeof *m, "model");
        if (m == NULL) rc = MLOPS_ENOMEM;
    }
    if (rc != MLOPS_OK) {
        loading_free(&L);
        return rc;
    }
    m->kind = L.kind;
    m->params = L.params;
    memcpy(m->param_set, L.param_set, sizeof m->param_set);
    m->chain = L.chain;
    m->fit = L.f;
    memcpy(m->card, L.card, sizeof m->card);
    memcpy(m->created, L.created, sizeof m->created);
    *out = m;
    return MLOPS_OK;
}

MLOPS_API int mlops_model_load(mlops_model **out, const char *path)
{
    MLOPS_CHECK_ARG(out != NULL, "mlops_model_load", "NULL out");
    MLOPS_CHECK_ARG(path != NULL, "mlops_model_load", "NULL path");
    mlops__container c;
    int rc = mlops__container_open(&c, path, MAX_FILE_SIZE, KIND);
    if (rc != MLOPS_OK) return rc;
    rc = decode(&c, out);
    mlops__container_free(&c);
    return rc;
}

MLOPS_API int mlops_model_load_buffer(mlops_model **out, const void *bytes, size_t len)
{
    MLOPS_CHECK_ARG(out != NULL, "mlops_model_load_buffer", "NULL out");
    MLOPS_CHECK_ARG(bytes != NULL || len == 0, "mlops_model_load_buffer", "NULL bytes");
    static const unsigned char empty[1] = {0};
    mlops__container c;
    int rc = mlops__container_parse(&c, bytes ? bytes : empty, len, "model buffer", KIND);
    if (rc != MLOPS_OK) return rc;
    rc = decode(&c, out);
    mlops__container_free(&c);
    return rc;
}
