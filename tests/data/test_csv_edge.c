/* CSV reader edge cases: records and quotes split at the 1 MiB read-chunk
 * boundary, numeric-looking missing tokens, space delimiters, limits the
 * numeric fast path must respect; and a differential test: random CSV texts
 * (random quoting, embedded delimiters, quotes and line breaks, CRLF and CR
 * line ends, blank lines, padding, missing tokens, numbers in many
 * spellings, bad rows, long fields crossing the chunk boundary, plain and
 * gzip) read by the whole-file reader (memory and file) and the streaming
 * reader (several batch sizes) must agree cell by cell with a small
 * reference parser written here, and with strtod for the numbers. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#include <mlops.h>

#include "fault_alloc.h"
#include "runner.h"

/* Check's assertions report their location through a pipe on every call,
 * which is far too slow for the millions made here: these only call into
 * Check when the condition fails. */
#define REQUIRE(c)                                                                   \
    do {                                                                             \
        if (!(c)) ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #c);                \
    } while (0)
#define REQUIRE_MSG(c, ...)                                                          \
    do {                                                                             \
        if (!(c)) ck_abort_msg(__VA_ARGS__);                                         \
    } while (0)
#define REQ_I(x, op, y)                                                              \
    do {                                                                             \
        intmax_t x_ = (intmax_t)(x), y_ = (intmax_t)(y);                             \
        if (!(x_ op y_))                                                             \
            ck_abort_msg("%s:%d: %s %s %s (%jd vs %jd)", __FILE__, __LINE__, #x, #op, #y, x_, \
                         y_);                                                        \
    } while (0)
#define REQ_U(x, op, y)                                                              \
    do {                                                                             \
        uintmax_t x_ = (uintmax_t)(x), y_ = (uintmax_t)(y);                          \
        if (!(x_ op y_))                                                             \
            ck_abort_msg("%s:%d: %s %s %s (%ju vs %ju)", __FILE__, __LINE__, #x, #op, #y, x_, \
                         y_);                                                        \
    } while (0)

enum { MIB = 1 << 20 };

/* ---- small helpers ------------------------------------------------------ */

typedef struct text {
    char *p;
    size_t len, cap;
} text;

static void put(text *b, const void *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        b->p = realloc(b->p, cap);
        REQUIRE(b->p != NULL);
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(text *b, const char *s)
{
    put(b, s, strlen(s));
}

static void putc_(text *b, char c)
{
    put(b, &c, 1);
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static bool chance(unsigned percent)
{
    return below(100) < percent;
}

static mlops_csv_options *options(const char *const *kv)
{
    mlops_csv_options *o;
    REQ_I(mlops_csv_options_create(&o), ==, MLOPS_OK);
    for (size_t i = 0; kv && kv[i]; i += 2)
        REQUIRE_MSG(mlops_csv_options_set(o, kv[i], kv[i + 1]) == MLOPS_OK, "%s=%s: %s", kv[i],
                      kv[i + 1], mlops_last_error());
    return o;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    REQUIRE(f != NULL);
    REQ_U(fwrite(data, 1, len, f), ==, len);
    REQ_I(fclose(f), ==, 0);
}

/* gzip of `data`, split into `members` concatenated gzip members. */
static void gzip_into(const char *data, size_t len, unsigned members, text *out)
{
    out->len = 0;
    size_t at = 0;
    for (unsigned m = 0; m < members; m++) {
        size_t piece = m + 1 == members ? len - at : (len - at) / 2;
        z_stream zs = {0};
        REQ_I(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), ==, Z_OK);
        size_t bound = deflateBound(&zs, piece) + 64;
        put(out, "", 0);
        if (out->cap < out->len + bound + 1) {
            out->p = realloc(out->p, out->len + bound + 1);
            REQUIRE(out->p != NULL);
            out->cap = out->len + bound + 1;
        }
        zs.next_in = (Bytef *)(data + at);
        zs.avail_in = (uInt)piece;
        zs.next_out = (Bytef *)out->p + out->len;
        zs.avail_out = (uInt)bound;
        REQ_I(deflate(&zs, Z_FINISH), ==, Z_STREAM_END);
        out->len += bound - zs.avail_out;
        deflateEnd(&zs);
        at += piece;
    }
}

static bool same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

/* ---- the reference parser ------------------------------------------------ */

typedef struct rfield {
    char *s;
    size_t len;
    bool quoted;
} rfield;

typedef struct rrecord {
    rfield *f;
    size_t n;
    unsigned long line; /* physical line where the record starts */
} rrecord;

typedef struct rtable {
    rrecord *r;
    size_t n, cap;
} rtable;

static void rtable_free(rtable *t)
{
    for (size_t i = 0; i < t->n; i++) {
        for (size_t j = 0; j < t->r[i].n; j++) free(t->r[i].f[j].s);
        free(t->r[i].f);
    }
    free(t->r);
    memset(t, 0, sizeof *t);
}

static bool ref_space(char c, char delim)
{
    return (c == ' ' || c == '\t') && c != delim;
}

/* RFC 4180 with the reader's documented extensions (LF, CRLF and CR line
 * ends, a UTF-8 BOM, padding trimmed outside quotes, blank lines skipped),
 * one byte at a time. Line numbers count CRLF, LF and CR outside quotes and
 * LF inside them. Returns false on malformed input. */
static bool ref_parse(const char *s, size_t len, char delim, char quote, bool trim, rtable *out)
{
    size_t i = len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    unsigned long line = 1;
    memset(out, 0, sizeof *out);
    while (i < len) {
        rrecord rec = {.line = line};
        size_t fcap = 0;
        for (;;) {
            text f = {0};
            bool quoted = false;
            size_t k = i;
            if (trim)
                while (k < len && ref_space(s[k], delim)) k++;
            if (quote && k < len && s[k] == quote) {
                quoted = true;
                put(&f, "", 0);
                for (k++;; k++) {
                    if (k >= len) {
                        free(f.p);
                        return false;
                    }
                    if (s[k] == quote) {
                        if (k + 1 < len && s[k + 1] == quote) {
                            putc_(&f, quote);
                            k++;
                            continue;
                        }
                        k++;
                        break;
                    }
                    if (s[k] == '\n') line++;
                    putc_(&f, s[k]);
                }
                if (trim)
                    while (k < len && ref_space(s[k], delim)) k++;
                if (k < len && s[k] != delim && s[k] != '\n' && s[k] != '\r') {
                    free(f.p);
                    return false;
                }
                i = k;
            } else {
                k = i;
                while (k < len && s[k] != delim && s[k] != '\n' && s[k] != '\r') k++;
                size_t a = i, b = k;
                if (trim) {
                    while (a < b && ref_space(s[a], delim)) a++;
                    while (b > a && ref_space(s[b - 1], delim)) b--;
                }
                put(&f, s + a, b - a);
                i = k;
            }
            if (rec.n == fcap) {
                fcap = fcap ? fcap * 2 : 8;
                rec.f = realloc(rec.f, fcap * sizeof *rec.f);
                REQUIRE(rec.f != NULL);
            }
            rec.f[rec.n++] = (rfield){f.p, f.len, quoted};
            if (i >= len) break;
            if (s[i] == delim) {
                i++;
                continue;
            }
            if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n') i++;
            i++;
            line++;
            break;
        }
        if (rec.n == 1 && rec.f[0].len == 0 && !rec.f[0].quoted) {
            free(rec.f[0].s);
            free(rec.f);
            continue;
        }
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 64;
            out->r = realloc(out->r, out->cap * sizeof *out->r);
            REQUIRE(out->r != NULL);
        }
        out->r[out->n++] = rec;
    }
    return true;
}

/* The number grammar of the reader's documentation. */
static bool ref_is_number(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    if ((n - i == 3 && (strncasecmp(s + i, "inf", 3) == 0 || strncasecmp(s + i, "nan", 3) == 0)) ||
        (n - i == 8 && strncasecmp(s + i, "infinity", 8) == 0))
        return true;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
    }
    if (digits == 0) return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t e = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++, e++;
        if (e == 0) return false;
    }
    return i == n;
}

static double ref_value(const rfield *f)
{
    char buf[128];
    REQ_U(f->len, <, sizeof buf);
    memcpy(buf, f->s, f->len);
    buf[f->len] = '\0';
    return strtod(buf, NULL);
}

/* ---- expected tables ----------------------------------------------------- */

typedef struct expected {
    size_t ncols, nrows;
    char **names;
    int *types;
    const rfield **cells; /* nrows x ncols, into the reference table */
    bool *missing;        /* nrows x ncols */
    double *values;       /* nrows x ncols: numeric columns' values, NaN when missing */
    size_t *missing_count;
    uint64_t skipped;
    unsigned long bad_line; /* first wrong-width record when not skipping, else 0 */
    size_t bad_col;
} expected;

static void expected_free(expected *e)
{
    free(e->names);
    free(e->types);
    free(e->cells);
    free(e->missing);
    free(e->values);
    free(e->missing_count);
    memset(e, 0, sizeof *e);
}

static bool ref_missing(const rfield *f, const char *const *tokens)
{
    if (f->len == 0) return true;
    for (size_t k = 0; tokens[k]; k++)
        if (strlen(tokens[k]) == f->len && memcmp(tokens[k], f->s, f->len) == 0) return true;
    return false;
}

static void build_expected(const rtable *t, bool header, bool skip_bad, const char *const *tokens,
                           expected *e)
{
    memset(e, 0, sizeof *e);
    REQ_U(t->n, >, 0);
    e->ncols = t->r[0].n;
    e->names = calloc(e->ncols, sizeof *e->names);
    e->types = calloc(e->ncols, sizeof *e->types);
    e->missing_count = calloc(e->ncols, sizeof *e->missing_count);
    e->cells = calloc(t->n * e->ncols + 1, sizeof *e->cells);
    e->missing = calloc(t->n * e->ncols + 1, sizeof *e->missing);
    e->values = calloc(t->n * e->ncols + 1, sizeof *e->values);
    REQUIRE(e->names && e->types && e->missing_count && e->cells && e->missing && e->values);
    for (size_t j = 0; j < e->ncols; j++) {
        e->names[j] = header ? t->r[0].f[j].s : NULL;
        e->types[j] = MLOPS_NUMERIC;
    }
    for (size_t i = header ? 1 : 0; i < t->n; i++) {
        const rrecord *r = &t->r[i];
        if (r->n != e->ncols) {
            if (skip_bad) {
                e->skipped++;
                continue;
            }
            e->bad_line = r->line;
            e->bad_col = r->n > e->ncols ? e->ncols + 1 : r->n + 1;
            break;
        }
        for (size_t j = 0; j < e->ncols; j++) {
            const rfield *f = &r->f[j];
            bool miss = ref_missing(f, tokens);
            e->cells[e->nrows * e->ncols + j] = f;
            e->missing[e->nrows * e->ncols + j] = miss;
            if (!miss && !ref_is_number(f->s, f->len)) e->types[j] = MLOPS_CATEGORICAL;
        }
        e->nrows++;
    }
    for (size_t i = 0; i < e->nrows; i++)
        for (size_t j = 0; j < e->ncols; j++) {
            bool miss = e->missing[i * e->ncols + j];
            if (e->types[j] == MLOPS_NUMERIC) {
                double v = miss ? NAN : ref_value(e->cells[i * e->ncols + j]);
                e->values[i * e->ncols + j] = v;
                miss = isnan(v); /* also "nan" when it is no missing token */
            }
            e->missing_count[j] += miss;
        }
}

/* Checks `d` against rows [first, first + rows(d)) of `e`. */
static void check_against(const mlops_dataset *d, const expected *e, size_t first,
                          const char *what)
{
    REQUIRE_MSG(mlops_dataset_cols(d) == e->ncols, "%s: %zu columns, expected %zu", what,
                  mlops_dataset_cols(d), e->ncols);
    size_t rows = mlops_dataset_rows(d);
    REQUIRE_MSG(first + rows <= e->nrows, "%s: too many rows", what);
    for (size_t j = 0; j < e->ncols; j++) {
        char generated[32];
        snprintf(generated, sizeof generated, "c%zu", j + 1);
        ck_assert_str_eq(mlops_dataset_column_name(d, j), e->names[j] ? e->names[j] : generated);
        REQUIRE_MSG(mlops_dataset_column_type(d, j) == e->types[j], "%s: column %zu is %s", what,
                      j, mlops_type_name(mlops_dataset_column_type(d, j)));
        size_t missing = 0;
        const double *values = NULL;
        int32_t *codes = malloc((rows + 1) * sizeof *codes);
        REQUIRE(codes != NULL);
        if (e->types[j] == MLOPS_NUMERIC)
            REQ_I(mlops_dataset_numeric_data(d, j, &values), ==, MLOPS_OK);
        else
            REQ_I(mlops_dataset_get_codes(d, j, 0, rows, codes), ==, MLOPS_OK);
        for (size_t i = 0; i < rows; i++) {
            const rfield *f = e->cells[(first + i) * e->ncols + j];
            bool miss = e->missing[(first + i) * e->ncols + j];
            if (e->types[j] == MLOPS_NUMERIC) {
                double got = values[i], want = e->values[(first + i) * e->ncols + j];
                REQUIRE_MSG(same_double(got, want), "%s: row %zu col %zu: got %.17g want %.17g (%.*s)",
                              what, first + i, j, got, want, (int)f->len, f->s);
                missing += isnan(want) != 0;
            } else {
                int32_t code = codes[i];
                if (miss) {
                    REQUIRE_MSG(code == -1, "%s: row %zu col %zu: not missing", what, first + i, j);
                    missing++;
                } else {
                    const char *got = mlops_dataset_category(d, j, code);
                    REQUIRE_MSG(got != NULL && strlen(got) == f->len &&
                                      memcmp(got, f->s, f->len) == 0,
                                  "%s: row %zu col %zu: got '%.40s' want '%.40s'", what,
                                  first + i, j, got ? got : "(null)", f->s);
                }
            }
        }
        free(codes);
        REQUIRE_MSG(mlops_dataset_missing_count(d, j) == missing,
                      "%s: column %zu missing %zu, expected %zu", what, j,
                      mlops_dataset_missing_count(d, j), missing);
    }
}

static void check_whole(const mlops_dataset *d, const expected *e, const char *what)
{
    REQUIRE_MSG(mlops_dataset_rows(d) == e->nrows, "%s: %zu rows, expected %zu", what,
                  mlops_dataset_rows(d), e->nrows);
    REQ_U(mlops_dataset_skipped_rows(d), ==, e->skipped);
    check_against(d, e, 0, what);
    for (size_t j = 0; j < e->ncols; j++) REQ_U(mlops_dataset_missing_count(d, j), ==, e->missing_count[j]);
    /* Categories are numbered in order of first appearance. */
    for (size_t j = 0; j < e->ncols; j++) {
        if (e->types[j] != MLOPS_CATEGORICAL) continue;
        int32_t next = 0, code;
        for (size_t i = 0; i < e->nrows; i++) {
            REQ_I(mlops_dataset_get_codes(d, j, i, 1, &code), ==, MLOPS_OK);
            REQ_I(code, <=, next);
            if (code == next) next++;
        }
        REQ_U(mlops_dataset_category_count(d, j), ==, (size_t)next);
    }
}

/* Reads `path` with the streaming reader and checks every batch. */
static void check_stream(const char *path, mlops_csv_options *o, const expected *e, size_t batch,
                         const char *what)
{
    mlops_csv_reader *r;
    REQUIRE_MSG(mlops_csv_reader_open(&r, path, o) == MLOPS_OK, "%s: %s", what, mlops_last_error());
    size_t at = 0, nb = 0;
    uint64_t skipped = 0;
    mlops_dataset *b;
    int rc;
    while ((rc = mlops_csv_reader_next(r, &b)) == MLOPS_OK && b != NULL) {
        size_t rows = mlops_dataset_rows(b);
        if (batch) REQ_U(rows, <=, batch);
        check_against(b, e, at, what);
        at += rows;
        skipped += mlops_dataset_skipped_rows(b);
        nb++;
        mlops_dataset_free(b);
    }
    if (e->bad_line) {
        REQUIRE_MSG(rc == MLOPS_EFORMAT, "%s: %d %s", what, rc, mlops_last_error());
        char want[64];
        snprintf(want, sizeof want, ":%lu:%zu: expected %zu fields", e->bad_line, e->bad_col,
                 e->ncols);
        REQUIRE_MSG(strstr(mlops_last_error(), want) != NULL, "%s: '%s' lacks '%s'", what,
                      mlops_last_error(), want);
    } else {
        REQUIRE_MSG(rc == MLOPS_OK, "%s: %s", what, mlops_last_error());
        REQUIRE_MSG(at == e->nrows && mlops_csv_reader_rows(r) == e->nrows,
                    "%s: %zu rows, expected %zu", what, at, e->nrows);
        /* Rows skipped after the last row of the file are counted by the
         * reader but belong to no batch. */
        REQUIRE_MSG(skipped <= e->skipped && mlops_csv_reader_skipped_rows(r) == e->skipped,
                    "%s: batches skipped %llu, reader %llu, expected %llu", what,
                    (unsigned long long)skipped,
                    (unsigned long long)mlops_csv_reader_skipped_rows(r),
                    (unsigned long long)e->skipped);
        REQ_U(nb, >=, 1);
    }
    mlops_csv_reader_free(r);
}

/* ---- the random CSV generator -------------------------------------------- */

enum kind { K_NUM, K_TEXT, K_LATE };

typedef struct gen {
    char delim, quote;
    bool trim, header, skip_bad, bad_fail, custom_missing, big, long_text, crlf_only;
    size_t ncols, nrows;
    int kinds[16];
    size_t late_at[16];
    text out;
    rtable intended; /* the records as written, to check the reference parser */
} gen;

static void gen_number(char *buf, size_t cap)
{
    static const char *const fixed[] = {"-0",       "0",  "-0.0",  "00",        "1.",  ".5",
                                        "-.5",      "+3", "+0.25", "1e5",       "1E-3", "-2.5e+2",
                                        "inf",      "-Infinity", "INF", "9007199254740993",
                                        "9007199254740992", "18446744073709551616",
                                        "12345678901234567890", "1234567890123456789",
                                        "0.1234567890123456789012345", "007", "-00.10", "0.000001"};
    uint64_t x = rnd();
    switch (below(12)) {
    case 0: snprintf(buf, cap, "%u", (unsigned)(x % 256)); break;
    case 1: snprintf(buf, cap, "%s%u", chance(30) ? "-" : "", (unsigned)(x % 100000000)); break;
    case 2: snprintf(buf, cap, "%.6f", (double)(int64_t)(x % 2000000) / 1000.0 - 1000.0); break;
    case 3: snprintf(buf, cap, "%.17g", ((double)(x >> 11) / 9007199254740992.0 - 0.5) *
                                            pow(10.0, (double)below(40) - 20.0)); break;
    case 4: snprintf(buf, cap, "%s", fixed[below(sizeof fixed / sizeof fixed[0])]); break;
    case 5: snprintf(buf, cap, "%llu", (unsigned long long)(x % UINT64_C(10000000000000000000))); break;
    case 6: snprintf(buf, cap, "%u.%0*u", (unsigned)(x % 1000), (int)(1 + below(8)),
                     (unsigned)((x >> 20) % 10000000)); break;
    case 7: snprintf(buf, cap, "%u.%u", (unsigned)(x % 10000000), (unsigned)((x >> 32) % 100000000)); break;
    default: snprintf(buf, cap, "%u", (unsigned)(x % 100)); break;
    }
}

/* Text that is never a number nor a missing token. */
static void gen_text(const gen *g, text *t, bool long_field)
{
    static const char *const pieces[] = {"a", "b", "z", "\xC3\xA9", "1", "x y", "-", ".",
                                         ",", ";", "|", "\t", " ", "\"", "\n", "\r\n", "\r", "''"};
    putc_(t, 't');
    size_t n = long_field ? (size_t)(MIB / 2 + below(MIB)) : below(12);
    t->len = 0;
    size_t npieces = sizeof pieces / sizeof pieces[0];
    /* Without quoting, only bytes that need no quotes. */
    if (g->quote == 0) npieces = 5;
    while (t->len < n + 1) {
        const char *p = pieces[below((unsigned)npieces)];
        if (long_field && chance(90)) p = "abcdefgh";
        puts_(t, p);
    }
}

static bool needs_quotes(const gen *g, const char *s, size_t n)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] == g->delim || s[i] == '"' || s[i] == '\n' || s[i] == '\r') return true;
    return g->trim && (ref_space(s[0], g->delim) || ref_space(s[n - 1], g->delim));
}

static void pad(gen *g)
{
    if (!g->trim || !chance(15)) return;
    const char *p = chance(50) ? " " : "\t";
    if (*p == g->delim) return;
    puts_(&g->out, p);
}

static void emit_field(gen *g, rrecord *rec, const char *s, size_t n, bool alone)
{
    bool quote = g->quote && (needs_quotes(g, s, n) || chance(10) || (alone && n == 0));
    REQUIRE(g->quote || !needs_quotes(g, s, n));
    pad(g);
    if (quote) {
        putc_(&g->out, '"');
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '"') putc_(&g->out, '"');
            putc_(&g->out, s[i]);
        }
        putc_(&g->out, '"');
    } else {
        put(&g->out, s, n);
    }
    pad(g);
    char *copy = malloc(n + 1);
    REQUIRE(copy != NULL);
    memcpy(copy, s, n);
    copy[n] = '\0';
    rec->f[rec->n++] = (rfield){copy, n, quote};
}

static void line_end(gen *g)
{
    unsigned k = g->crlf_only ? 1 : below(10);
    puts_(&g->out, k < 6 ? "\n" : k < 9 ? "\r\n" : "\r");
}

static void gen_record(gen *g, size_t width, size_t row, bool is_header)
{
    rrecord rec = {.f = calloc(width + 1, sizeof(rfield))};
    REQUIRE(rec.f != NULL);
    text cell = {0};
    for (size_t j = 0; j < width; j++) {
        if (j) putc_(&g->out, g->delim);
        char num[64];
        const char *s;
        size_t n;
        if (is_header) {
            snprintf(num, sizeof num, "col_%zu", j);
            s = num;
        } else {
            int kind = j < g->ncols ? g->kinds[j] : K_NUM;
            unsigned pick = below(100);
            if (pick < 12) {
                static const char *const dflt[] = {"", "NA", "N/A", "NaN", "null"};
                static const char *const custom[] = {"", "-999", "?", "NA", "0.0"};
                s = g->custom_missing ? custom[below(5)] : dflt[below(5)];
            } else if (g->long_text && j == 0 && (row == 3000 || row == 20000)) {
                gen_text(g, &cell, true);
                s = cell.p;
            } else if (kind == K_TEXT ? pick < 60
                                      : kind == K_LATE && row >= g->late_at[j] && pick < 40) {
                gen_text(g, &cell, false);
                s = cell.p;
            } else {
                gen_number(num, sizeof num);
                s = num;
            }
        }
        n = s == cell.p ? cell.len : strlen(s);
        /* Alone on its line and unquotable, an empty field is a blank line. */
        if (n == 0 && width == 1 && !g->quote) s = "NA", n = 2;
        emit_field(g, &rec, s, n, width == 1);
    }
    free(cell.p);
    if (g->intended.n == g->intended.cap) {
        g->intended.cap = g->intended.cap ? g->intended.cap * 2 : 64;
        g->intended.r = realloc(g->intended.r, g->intended.cap * sizeof *g->intended.r);
        REQUIRE(g->intended.r != NULL);
    }
    g->intended.r[g->intended.n++] = rec;
}

static void generate(gen *g)
{
    static const char delims[] = {',', '\t', ';', '|', ' '};
    g->delim = delims[below(5)];
    g->quote = chance(90) ? '"' : 0;
    g->trim = chance(70);
    g->header = chance(85);
    g->skip_bad = chance(40);
    g->bad_fail = !g->skip_bad && chance(15);
    g->custom_missing = chance(25);
    g->crlf_only = chance(20);
    g->ncols = 1 + below(chance(10) ? 12 : 5);
    bool all_numeric = g->big ? !g->long_text : chance(40);
    for (size_t j = 0; j < g->ncols; j++) {
        g->kinds[j] = all_numeric ? K_NUM : (int)below(3);
        g->late_at[j] = 1001 + below(400);
    }
    /* Big texts run to 1.5-2.5 MiB, whatever the width. */
    size_t target = g->big ? (size_t)(3 * MIB / 2 + below(MIB)) : 0;
    g->nrows = g->big ? SIZE_MAX : chance(20) ? 1100 + below(500) : below(40);
    if (chance(5)) puts_(&g->out, "\xEF\xBB\xBF");
    if (g->header) {
        gen_record(g, g->ncols, 0, true);
        line_end(g);
    }
    size_t bad_at = g->big ? below(30000) : g->nrows ? below((unsigned)g->nrows) : 0;
    for (size_t i = 0; i < g->nrows; i++) {
        if (chance(3)) {
            puts_(&g->out, g->trim && g->delim != ' ' && chance(50) ? "  " : "");
            line_end(g);
        }
        size_t width = g->ncols;
        if ((g->skip_bad && chance(3)) || (g->bad_fail && i == bad_at))
            width = chance(50) || width == 1 ? width + 1 : width - 1;
        gen_record(g, width, i, false);
        bool last = i + 1 == g->nrows || (g->big && g->out.len >= target);
        if (!last || chance(70)) line_end(g);
        if (last) break;
    }
}

static void gen_free(gen *g)
{
    free(g->out.p);
    rtable_free(&g->intended);
    memset(g, 0, sizeof *g);
}

/* ---- the differential run ------------------------------------------------ */

static void run_one(unsigned iteration, bool big, bool long_text)
{
    gen g = {.big = big, .long_text = long_text};
    generate(&g);
    char what[96];
    snprintf(what, sizeof what, "iteration %u (delim %d quote %d trim %d, %zu bytes)", iteration,
             g.delim, g.quote, g.trim, g.out.len);

    REQUIRE(!big || g.out.len > 3 * MIB / 2);
    /* The reference parser must read back exactly the records written. */
    rtable ref;
    REQUIRE_MSG(ref_parse(g.out.p, g.out.len, g.delim, g.quote, g.trim, &ref), "%s: reference parse failed", what);
    REQUIRE_MSG(ref.n == g.intended.n, "%s: reference found %zu records, %zu written", what,
                  ref.n, g.intended.n);
    for (size_t i = 0; i < ref.n; i++) {
        REQ_U(ref.r[i].n, ==, g.intended.r[i].n);
        for (size_t j = 0; j < ref.r[i].n; j++)
            REQUIRE(ref.r[i].f[j].len == g.intended.r[i].f[j].len &&
                      memcmp(ref.r[i].f[j].s, g.intended.r[i].f[j].s, ref.r[i].f[j].len) == 0);
    }
    if (ref.n == 0) { /* nothing but blank lines: no header to read */
        rtable_free(&ref);
        gen_free(&g);
        return;
    }

    static const char *const dflt_tokens[] = {"NA", "N/A", "NaN", "null", NULL};
    static const char *const custom_tokens[] = {"-999", "?", "NA", "0.0", NULL};
    expected e;
    build_expected(&ref, g.header, g.skip_bad, g.custom_missing ? custom_tokens : dflt_tokens, &e);

    char delim[8], quote[8];
    snprintf(delim, sizeof delim, "%c", g.delim);
    snprintf(quote, sizeof quote, "%c", g.quote);
    const char *kv[] = {"delimiter", g.delim == '\t' ? "tab" : delim,
                        "quote",     g.quote ? quote : "none",
                        "trim",      g.trim ? "true" : "false",
                        "header",    g.header ? "true" : "false",
                        "bad_rows",  g.skip_bad ? "skip" : "fail",
                        "missing",   g.custom_missing ? "-999,?,NA,0.0" : "NA,N/A,NaN,null",
                        NULL};
    mlops_csv_options *o = options(kv);

    text gz = {0};
    gzip_into(g.out.p, g.out.len, 1 + below(3), &gz);
    char plain_path[] = "/tmp/mlops-edge-XXXXXX", gz_path[] = "/tmp/mlops-edge-gz-XXXXXX";
    int fd = mkstemp(plain_path);
    REQ_I(fd, >=, 0);
    close(fd);
    fd = mkstemp(gz_path);
    REQ_I(fd, >=, 0);
    close(fd);
    write_file(plain_path, g.out.p, g.out.len);
    write_file(gz_path, gz.p, gz.len);

    /* Whole-file reads: memory, gzip memory, file. */
    for (int src = 0; src < 3; src++) {
        mlops_dataset *d = NULL;
        int rc = src == 0   ? mlops_dataset_read_csv_memory(&d, g.out.p, g.out.len, "m.csv", o)
                 : src == 1 ? mlops_dataset_read_csv_memory(&d, gz.p, gz.len, "m.csv.gz", o)
                            : mlops_dataset_read_csv(&d, plain_path, o);
        char label[160];
        snprintf(label, sizeof label, "%s whole-file source %d", what, src);
        if (e.bad_line) {
            REQUIRE_MSG(rc == MLOPS_EFORMAT, "%s: %d", label, rc);
            char want[64];
            snprintf(want, sizeof want, ":%lu:%zu: expected %zu fields", e.bad_line, e.bad_col,
                     e.ncols);
            REQUIRE_MSG(strstr(mlops_last_error(), want) != NULL, "%s: '%s' lacks '%s'", label,
                          mlops_last_error(), want);
            REQUIRE(d == NULL);
            continue;
        }
        REQUIRE_MSG(rc == MLOPS_OK, "%s: %s", label, mlops_last_error());
        check_whole(d, &e, label);
        mlops_dataset_free(d);
    }

    /* Streaming: every type given (the whole file decides them), several
     * batch sizes, plain and gzip files; and one run inferring the types
     * from a single batch that holds every row. */
    static const char *const batches[] = {"1", "3", "64", "1000", "auto"};
    for (size_t b = 0; b < 5; b++) {
        if (big && b < 2) continue; /* tens of thousands of one-row batches add nothing */
        mlops_csv_options *so = options(kv);
        REQ_I(mlops_csv_options_set(so, "batch_rows", batches[b]), ==, MLOPS_OK);
        for (size_t j = 0; j < e.ncols; j++) {
            char key[64];
            snprintf(key, sizeof key, "type.%s", e.names[j] ? e.names[j] : "");
            if (!e.names[j]) snprintf(key, sizeof key, "type.c%zu", j + 1);
            REQ_I(mlops_csv_options_set(so, key, mlops_type_name(e.types[j])), ==, MLOPS_OK);
        }
        char label[160];
        snprintf(label, sizeof label, "%s stream batch %s", what, batches[b]);
        check_stream(b % 2 ? gz_path : plain_path, so, &e, b < 4 ? (size_t)atoi(batches[b]) : 0,
                     label);
        mlops_csv_options_free(so);
    }
    {
        char label[160];
        snprintf(label, sizeof label, "%s stream inferred", what);
        check_stream(plain_path, o, &e, 0, label);
    }

    unlink(plain_path);
    unlink(gz_path);
    free(gz.p);
    mlops_csv_options_free(o);
    expected_free(&e);
    rtable_free(&ref);
    gen_free(&g);
    REQ_U(mlops_live_allocations(), ==, 0);
}

START_TEST(differential_small)
{
    /* MLOPS_CSV_EDGE_ITERATIONS and MLOPS_CSV_EDGE_SEED widen the search. */
    const char *iters = getenv("MLOPS_CSV_EDGE_ITERATIONS"), *seed = getenv("MLOPS_CSV_EDGE_SEED");
    /* MLOPS_TEST_SHORT (valgrind, sanitizers) checks 8. */
    unsigned n = iters ? (unsigned)atoi(iters) : getenv("MLOPS_TEST_SHORT") ? 8 : 300;
    uint64_t base = seed ? strtoull(seed, NULL, 0) : UINT64_C(0x5EED0000);
    for (unsigned i = 0; i < n; i++) {
        rng_state = base + i;
        run_one(i, false, false);
    }
}
END_TEST

START_TEST(differential_big)
{
    /* Each text is over 1 MiB (tens of thousands of rows; all numeric, for
     * the fast path, or with two fields of 0.5-1.5 MiB in the first
     * column), so records, quotes and CRLFs fall on the read chunk boundary
     * at random places. */
    unsigned n = getenv("MLOPS_TEST_SHORT") ? 1 : 6;
    for (unsigned i = 0; i < n; i++) {
        rng_state = UINT64_C(0xB16B00B5) + i;
        run_one(1000 + i, true, i % 2 == 1);
    }
}
END_TEST

/* ---- targeted cases ------------------------------------------------------ */

static mlops_dataset *read_ok(const char *data, size_t len, mlops_csv_options *o)
{
    mlops_dataset *d = NULL;
    REQUIRE_MSG(mlops_dataset_read_csv_memory(&d, data, len, "e.csv", o) == MLOPS_OK, "%s",
                  mlops_last_error());
    return d;
}

static double num(const mlops_dataset *d, size_t col, size_t row)
{
    double v;
    REQ_I(mlops_dataset_get_numeric(d, col, row, 1, &v), ==, MLOPS_OK);
    return v;
}

START_TEST(numeric_missing_tokens_are_missing)
{
    /* All-numeric rows take the tokenizer's fast path; a sentinel like
     * "-999" listed as missing must still read as missing there. */
    text t = {0};
    puts_(&t, "a,b\n");
    for (int i = 0; i < 1500; i++) {
        char row[64];
        snprintf(row, sizeof row, "%d,%s\n", i, i % 10 == 3 ? "-999" : i % 10 == 4 ? "0" : "7");
        puts_(&t, row);
    }
    const char *kv[] = {"missing", "-999,0", NULL};
    mlops_csv_options *o = options(kv);
    mlops_dataset *d = read_ok(t.p, t.len, o);
    REQ_U(mlops_dataset_rows(d), ==, 1500);
    REQUIRE(isnan(num(d, 1, 3)) && isnan(num(d, 1, 1203)) && isnan(num(d, 1, 1204)));
    REQUIRE(num(d, 1, 1205) == 7.0);
    REQUIRE(isnan(num(d, 0, 0)) && num(d, 0, 1) == 1.0); /* "0" in column a too */
    REQ_U(mlops_dataset_missing_count(d, 1), ==, 300);
    REQ_U(mlops_dataset_missing_count(d, 0), ==, 1);
    mlops_dataset_free(d);
    mlops_csv_options_free(o);
    free(t.p);
}
END_TEST

START_TEST(space_delimiter_with_quotes)
{
    const char *kv[] = {"delimiter", " ", NULL};
    mlops_csv_options *o = options(kv);
    const char *csv = "name n\n\"a b\" 1\n\"c\" 2\n";
    mlops_dataset *d = read_ok(csv, strlen(csv), o);
    REQ_U(mlops_dataset_rows(d), ==, 2);
    ck_assert_str_eq(mlops_dataset_category(d, 0, 0), "a b");
    REQUIRE(num(d, 1, 1) == 2.0);
    mlops_dataset_free(d);
    /* Two spaces are an empty field between them, not padding. */
    csv = "x y z\n1  \"q\"\n";
    d = read_ok(csv, strlen(csv), o);
    REQUIRE(isnan(num(d, 1, 0)));
    ck_assert_str_eq(mlops_dataset_category(d, 2, 0), "q");
    mlops_dataset_free(d);
    mlops_csv_options_free(o);
}
END_TEST

START_TEST(fast_path_respects_max_field_bytes)
{
    text t = {0};
    puts_(&t, "a,b\n");
    for (int i = 0; i < 1200; i++) puts_(&t, "1,2\n");
    puts_(&t, "1,123456\n");
    const char *kv[] = {"max_field_bytes", "5", NULL};
    mlops_csv_options *o = options(kv);
    mlops_dataset *d = NULL;
    REQ_I(mlops_dataset_read_csv_memory(&d, t.p, t.len, "e.csv", o), ==, MLOPS_ERANGE);
    REQUIRE(strstr(mlops_last_error(), "e.csv:1202:2: field longer") != NULL);
    mlops_csv_options_free(o);
    free(t.p);
}
END_TEST

START_TEST(sniffing_stops_at_a_carriage_return)
{
    const char *kv[] = {"delimiter", "auto", NULL};
    mlops_csv_options *o = options(kv);
    const char *csv = "a;b\r1,5,6;2\r3,5,6;4\r";
    mlops_dataset *d = read_ok(csv, strlen(csv), o);
    REQ_U(mlops_dataset_cols(d), ==, 2);
    ck_assert_str_eq(mlops_dataset_category(d, 0, 1), "3,5,6");
    mlops_dataset_free(d);
    mlops_csv_options_free(o);
}
END_TEST

/* "a,b\n" then numeric rows filling exactly `len` bytes. */
static void numeric_prefix(text *t, size_t len)
{
    t->len = 0;
    puts_(t, "a,b\n");
    while (len - t->len > 40) puts_(t, "12,34\n");
    size_t rest = len - t->len; /* 7..40: one row "0..0,5\n" */
    REQ_U(rest, >=, 4);
    for (size_t i = 0; i + 3 < rest; i++) putc_(t, '0');
    puts_(t, ",5\n");
    REQ_U(t->len, ==, len);
}

START_TEST(chunk_boundary_cases)
{
    /* Each case puts its special bytes at offsets around 1 MiB, where the
     * first read chunk ends. The whole-file reader (plain and gzip) and the
     * reference parser must agree, and the line of a bad row after it must
     * be right. Under MLOPS_TEST_SHORT (valgrind, sanitizers) the first two
     * cases (CRLF and escaped quote split) are tried at one offset each. */
    static const char *const tails[] = {
        "1,2\r\n3,4\r\n",            /* CRLF split */
        "\"x\"\"y\",1\n2,3\n",        /* escaped quote split */
        "\"x\ny\",1\n\"z\",2\n",      /* closing quote, then delimiter */
        "123456789012345,1\n-0.5,.5\n", /* a long number split (fast path) */
        "1,2\r3,4\r",                /* bare CR split */
        "1,\"\"\n2,\"a,b\"\n",
        "  7 , 8 \n",
        "1,2",                       /* last record, no newline */
    };
    text t = {0}, gz = {0};
    bool sample = getenv("MLOPS_TEST_SHORT") != NULL;
    for (size_t c = 0; c < sizeof tails / sizeof tails[0]; c++)
        for (size_t off = MIB - 6; off <= MIB + 1; off++) {
            if (sample && (c >= 2 || off != MIB - 6 + 3 * c)) continue;
            numeric_prefix(&t, off);
            puts_(&t, tails[c]);
            rtable ref;
            REQUIRE(ref_parse(t.p, t.len, ',', '"', true, &ref));
            static const char *const tokens[] = {"NA", "N/A", "NaN", "null", NULL};
            expected e;
            build_expected(&ref, true, false, tokens, &e);
            mlops_dataset *d = read_ok(t.p, t.len, NULL);
            char what[64];
            snprintf(what, sizeof what, "case %zu offset %zu", c, off);
            check_whole(d, &e, what);
            mlops_dataset_free(d);
            gzip_into(t.p, t.len, 1, &gz);
            d = read_ok(gz.p, gz.len, NULL);
            check_whole(d, &e, what);
            mlops_dataset_free(d);
            /* A bad row after the case: its line number counts every line. */
            unsigned long lines = ref.r[ref.n - 1].line + 1;
            if (t.p[t.len - 1] != '\n' && t.p[t.len - 1] != '\r') puts_(&t, "\n");
            puts_(&t, "9\n");
            ck_assert_int_eq(mlops_dataset_read_csv_memory(&d, t.p, t.len, "e.csv", NULL),
                             MLOPS_EFORMAT);
            char want[48];
            snprintf(want, sizeof want, "e.csv:%lu:2: expected 2 fields", lines);
            ck_assert_msg(strstr(mlops_last_error(), want) != NULL, "%s: %s", what,
                          mlops_last_error());
            expected_free(&e);
            rtable_free(&ref);
        }
    free(t.p);
    free(gz.p);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(late_switch_with_skipped_rows)
{
    /* Rows skipped for their width before and after a column turns
     * categorical: the second pass must fill the same rows. */
    text t = {0};
    puts_(&t, "a,b,c\n");
    for (int i = 0; i < 2000; i++) {
        char row[64];
        if (i % 7 == 3) snprintf(row, sizeof row, "%d,%d\n", i, i);
        else if (i % 11 == 5) snprintf(row, sizeof row, "%d,%d,%d,%d\n", i, i, i, i);
        else snprintf(row, sizeof row, "%d,%s,%d\n", i, i >= 1500 && i % 3 == 0 ? "txt" : "12", -i);
        puts_(&t, row);
    }
    const char *kv[] = {"bad_rows", "skip", NULL};
    mlops_csv_options *o = options(kv);
    mlops_dataset *d = read_ok(t.p, t.len, o);
    rtable ref;
    ck_assert(ref_parse(t.p, t.len, ',', '"', true, &ref));
    static const char *const tokens[] = {"NA", "N/A", "NaN", "null", NULL};
    expected e;
    build_expected(&ref, true, true, tokens, &e);
    REQ_I(e.types[1], ==, MLOPS_CATEGORICAL);
    check_whole(d, &e, "late switch");
    mlops_dataset_free(d);
    expected_free(&e);
    rtable_free(&ref);
    mlops_csv_options_free(o);
    free(t.p);
}
END_TEST

/* ---- allocation failures --------------------------------------------------- */

typedef struct stream_ctx {
    const char *path;
    size_t rows;
} stream_ctx;

static int stream_all(void *ctx)
{
    stream_ctx *c = ctx;
    mlops_csv_options *o;
    int rc = mlops_csv_options_create(&o);
    if (rc) return rc;
    if ((rc = mlops_csv_options_set(o, "batch_rows", "40")) != MLOPS_OK ||
        (rc = mlops_csv_options_set(o, "bad_rows", "skip")) != MLOPS_OK ||
        (rc = mlops_csv_options_set(o, "type.b", "categorical")) != MLOPS_OK) {
        mlops_csv_options_free(o);
        return rc;
    }
    mlops_csv_reader *r;
    rc = mlops_csv_reader_open(&r, c->path, o);
    mlops_csv_options_free(o);
    if (rc) return rc;
    mlops_dataset *b;
    c->rows = 0;
    while ((rc = mlops_csv_reader_next(r, &b)) == MLOPS_OK && b != NULL) {
        c->rows += mlops_dataset_rows(b);
        mlops_dataset_free(b);
    }
    mlops_csv_reader_free(r);
    return rc;
}

typedef struct gz_ctx {
    const text *gz;
    mlops_dataset *d;
} gz_ctx;

static int read_gz(void *ctx)
{
    gz_ctx *c = ctx;
    const char *kv[] = {"bad_rows", "skip", NULL};
    mlops_csv_options *o;
    int rc = mlops_csv_options_create(&o);
    if (rc) return rc;
    for (size_t i = 0; kv[i] && rc == MLOPS_OK; i += 2) rc = mlops_csv_options_set(o, kv[i], kv[i + 1]);
    if (rc == MLOPS_OK) rc = mlops_dataset_read_csv_memory(&c->d, c->gz->p, c->gz->len, "g.gz", o);
    mlops_csv_options_free(o);
    return rc;
}

static void free_gz(void *ctx)
{
    gz_ctx *c = ctx;
    mlops_dataset_free(c->d);
    c->d = NULL;
}

START_TEST(allocation_failures_stream_and_gzip)
{
    text t = {0};
    puts_(&t, "a,b,c\n");
    for (int i = 0; i < 1300; i++) {
        char row[64];
        /* CR line ends: the line count underestimates, so columns grow; the
         * late text in b makes a second pass. */
        snprintf(row, sizeof row, "%d,%s,\"q%d\"\r", i, i == 1200 ? "late" : "5", i % 4);
        puts_(&t, row);
    }
    puts_(&t, "1,2\r");
    char path[] = "/tmp/mlops-edge-fa-XXXXXX";
    int fd = mkstemp(path);
    REQ_I(fd, >=, 0);
    close(fd);
    write_file(path, t.p, t.len);
    stream_ctx sc = {path, 0};
    REQ_I(fault_alloc_sweep(stream_all, NULL, &sc), >, 10);
    REQ_I(stream_all(&sc), ==, MLOPS_OK); /* the short last row is skipped */
    REQ_U(sc.rows, ==, 1300);
    text gz = {0};
    gzip_into(t.p, t.len, 2, &gz);
    gz_ctx gc = {&gz, NULL};
    REQ_I(fault_alloc_sweep(read_gz, free_gz, &gc), >, 10);
    REQ_I(read_gz(&gc), ==, MLOPS_OK);
    REQ_U(mlops_dataset_rows(gc.d), ==, 1300);
    REQ_I(mlops_dataset_column_type(gc.d, 1), ==, MLOPS_CATEGORICAL);
    free_gz(&gc);
    unlink(path);
    free(t.p);
    free(gz.p);
}
END_TEST

Suite *test_suite(void)
{
    fault_alloc_install();
    Suite *s = suite_create("csv edge cases");
    TCase *tc = tcase_create("edge");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, numeric_missing_tokens_are_missing);
    tcase_add_test(tc, space_delimiter_with_quotes);
    tcase_add_test(tc, fast_path_respects_max_field_bytes);
    tcase_add_test(tc, sniffing_stops_at_a_carriage_return);
    tcase_add_test(tc, chunk_boundary_cases);
    tcase_add_test(tc, late_switch_with_skipped_rows);
    tcase_add_test(tc, allocation_failures_stream_and_gzip);
    tcase_add_test(tc, differential_small);
    tcase_add_test(tc, differential_big);
    suite_add_tcase(s, tc);
    return s;
}
