/* CSV record splitting (see csv_tokenizer.h).
 *
 * A record is scanned from its first byte each time: when the buffer ends
 * inside it, the partial record moves to the buffer's front, more bytes are
 * read, and the scan starts over. Fields are only unquoted and trimmed once
 * the whole record is in memory, so a restart never sees modified bytes. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/alloc.h"
#include "core/error.h"
#include "core/log.h"
#include "core/utf8.h"
#include "data/csv_tokenizer.h"

enum { CHUNK = 1 << 20, MIN_RECORD_LIMIT = 64 << 20 };

/* Scan outcomes besides MLOPS_* codes. */
enum { NEED_MORE = 1 };

static void set_stops(mlops__tokenizer *t)
{
    memset(t->stop, 0, sizeof t->stop);
    t->stop[(unsigned char)t->delim] = true;
    t->stop['\n'] = t->stop['\r'] = t->stop[0] = true;
}

int mlops__tok_init(mlops__tokenizer *t, mlops__source *src, char delim, char quote, bool trim,
                    size_t max_field, mlops_progress_fn progress, void *progress_data)
{
    memset(t, 0, sizeof *t);
    t->src = src;
    t->delim = delim;
    t->quote = quote;
    t->trim = trim;
    t->max_field = max_field;
    t->max_record = max_field > SIZE_MAX / 2           ? SIZE_MAX
                    : max_field * 2 > MIN_RECORD_LIMIT ? max_field * 2
                                                       : MIN_RECORD_LIMIT;
    t->progress = progress;
    t->progress_data = progress_data;
    t->next_line = 1;
    t->cap = CHUNK;
    t->buf = mlops__malloc(t->cap, "csv read buffer");
    t->fields_cap = 64;
    t->fields = mlops__malloc_array(t->fields_cap, sizeof *t->fields, "csv fields");
    if (t->buf == NULL || t->fields == NULL) {
        mlops__tok_free(t);
        return MLOPS_ENOMEM;
    }
    if (delim) set_stops(t);
    return MLOPS_OK;
}

void mlops__tok_free(mlops__tokenizer *t)
{
    mlops__free(t->buf);
    mlops__free(t->fields);
    t->buf = NULL;
    t->fields = NULL;
}

int mlops__tok_rewind(mlops__tokenizer *t)
{
    t->start = t->end = 0;
    t->eof = t->started = false;
    t->next_line = 1;
    t->nfields = 0;
    return mlops__source_rewind(t->src);
}

/* Moves the unconsumed bytes to the front (growing the buffer when a single
 * record fills it) and reads more. */
static int refill(mlops__tokenizer *t)
{
    if (t->start > 0) {
        memmove(t->buf, t->buf + t->start, t->end - t->start);
        t->end -= t->start;
        t->start = 0;
    }
    if (t->end == t->cap) {
        if (t->cap >= t->max_record)
            return mlops__fail(MLOPS_ERANGE,
                               "%s:%llu:1: record longer than %zu bytes (an unterminated quote?)",
                               t->src->name, (unsigned long long)t->next_line, t->max_record);
        size_t cap = t->cap * 2;
        unsigned char *grown = mlops__realloc(t->buf, cap, "csv read buffer");
        if (grown == NULL) return MLOPS_ENOMEM;
        t->buf = grown;
        t->cap = cap;
    }
    size_t got;
    int rc = mlops__source_read(t->src, t->buf + t->end, t->cap - t->end, &got);
    if (rc != MLOPS_OK) return rc;
    t->end += got;
    if (got == 0) t->eof = true;
    rc = mlops__progress(t->progress, t->progress_data, t->src->raw_consumed, t->src->raw_total,
                         t->src->name);
    return rc;
}

/* Picks the most frequent of , tab ; | on the first line (outside quotes). */
static void sniff_delimiter(mlops__tokenizer *t)
{
    static const char candidates[] = {',', '\t', ';', '|'};
    size_t counts[4] = {0};
    bool in_quotes = false;
    for (size_t i = t->start;
         i < t->end && (in_quotes || (t->buf[i] != '\n' && t->buf[i] != '\r')); i++) {
        if (t->quote && t->buf[i] == (unsigned char)t->quote) in_quotes = !in_quotes;
        for (int k = 0; k < 4 && !in_quotes; k++) counts[k] += t->buf[i] == (unsigned char)candidates[k];
    }
    int best = 0;
    for (int k = 1; k < 4; k++)
        if (counts[k] > counts[best]) best = k;
    t->delim = candidates[best];
    set_stops(t);
}

static int first_fill(mlops__tokenizer *t)
{
    t->started = true;
    /* Enough bytes to see a BOM and, usually, the whole header line. */
    while (!t->eof && t->end < 3) {
        int rc = refill(t);
        if (rc) return rc;
    }
    if (t->end >= 3 && memcmp(t->buf, "\xEF\xBB\xBF", 3) == 0) t->start = 3;
    if (t->delim == 0) {
        while (!t->eof && memchr(t->buf + t->start, '\n', t->end - t->start) == NULL &&
               t->end < t->cap) {
            int rc = refill(t);
            if (rc) return rc;
        }
        sniff_delimiter(t);
    }
    return MLOPS_OK;
}

static int field_error(const mlops__tokenizer *t, int code, uint64_t newlines, size_t col,
                       const char *what)
{
    return mlops__fail(code, "%s:%llu:%zu: %s", t->src->name,
                       (unsigned long long)(t->record_line + newlines), col, what);
}

/* A NUL byte is reported as such unless invalid UTF-8 comes earlier in the
 * record (earlier fields, or this field before the NUL): the first fault in
 * reading order is the one the user should fix first. */
static int nul_error(const mlops__tokenizer *t, const unsigned char *field_start,
                     const unsigned char *nul, uint64_t line_offset, size_t col)
{
    char what[80];
    for (size_t i = 0; i < t->nfields; i++) {
        const mlops__field *f = &t->fields[i];
        size_t ok = mlops__utf8_valid_prefix(f->ptr, f->len);
        if (ok != f->len) {
            snprintf(what, sizeof what, "invalid UTF-8 at byte %zu of the field", ok + 1);
            return field_error(t, MLOPS_EFORMAT, f->line_offset, i + 1, what);
        }
    }
    size_t n = (size_t)(nul - field_start), ok = mlops__utf8_valid_prefix((const char *)field_start, n);
    if (ok != n) {
        snprintf(what, sizeof what, "invalid UTF-8 at byte %zu of the field", ok + 1);
        return field_error(t, MLOPS_EFORMAT, line_offset, col, what);
    }
    return field_error(t, MLOPS_EFORMAT, line_offset, col, "NUL byte in field");
}

static int push_field(mlops__tokenizer *t, const mlops__field *f)
{
    if (t->nfields == t->fields_cap) {
        size_t cap = t->fields_cap * 2;
        mlops__field *grown = mlops__realloc_array(t->fields, cap, sizeof *grown, "csv fields");
        if (grown == NULL) return MLOPS_ENOMEM;
        t->fields = grown;
        t->fields_cap = cap;
    }
    t->fields[t->nfields++] = *f;
    return MLOPS_OK;
}

/* Padding that trim removes: spaces and tabs, unless that byte is the
 * delimiter (a space- or tab-separated file). */
static bool is_space(const mlops__tokenizer *t, unsigned char c)
{
    return (c == ' ' || c == '\t') && c != (unsigned char)t->delim;
}

/* Scans one record starting at t->start. Returns MLOPS_OK with *consumed
 * set past its line end, NEED_MORE, or an error. */
static int scan_record(mlops__tokenizer *t, size_t *consumed, uint64_t *newlines_out)
{
    const unsigned char *buf = t->buf, *end = buf + t->end, *p = buf + t->start;
    const unsigned char quote = (unsigned char)t->quote;
    uint64_t newlines = 0;
    t->nfields = 0;
    for (;;) {
        const unsigned char *field_start = p;
        const unsigned char *q = p;
        mlops__field f = {.line_offset = (uint32_t)newlines};
        size_t col = t->nfields + 1;
        if (t->trim)
            while (q < end && is_space(t, *q)) q++;
        if (t->quote && q < end && *q == quote) {
            const unsigned char *content = ++q;
            for (;;) {
                const unsigned char *hit = memchr(q, quote, (size_t)(end - q));
                const unsigned char *stop = hit ? hit : end;
                for (const unsigned char *r = q; r < stop; r++) {
                    if (*r == '\n') newlines++;
                    else if (*r == 0) return nul_error(t, content, r, f.line_offset, col);
                }
                if ((size_t)(stop - content) > t->max_field)
                    return field_error(t, MLOPS_ERANGE, f.line_offset, col,
                                       "field longer than max_field_bytes");
                if (hit == NULL || hit + 1 == end) {
                    if (!t->eof) return NEED_MORE;
                    if (hit == NULL)
                        return field_error(t, MLOPS_EFORMAT, f.line_offset, col,
                                           "unterminated quote");
                    q = hit + 1;
                    break;
                }
                if (hit[1] == quote) {
                    q = hit + 2;
                    continue;
                }
                q = hit + 1;
                break;
            }
            f.ptr = (const char *)content;
            f.len = (size_t)(q - 1 - content);
            f.quoted = true;
            while (t->trim && q < end && is_space(t, *q)) q++;
            if (q < end && !t->stop[*q])
                return field_error(t, MLOPS_EFORMAT, f.line_offset, col,
                                   "unexpected text after closing quote");
            if (q < end && *q == 0) return nul_error(t, content, q, f.line_offset, col);
            p = q;
        } else {
            while (p < end && !t->stop[*p]) p++;
            if ((size_t)(p - field_start) > t->max_field)
                return field_error(t, MLOPS_ERANGE, newlines, col,
                                   "field longer than max_field_bytes");
            if (p < end && *p == 0) return nul_error(t, field_start, p, newlines, col);
            f.ptr = (const char *)field_start;
            f.len = (size_t)(p - field_start);
        }
        if (p == end) {
            if (!t->eof) return NEED_MORE;
            int rc = push_field(t, &f);
            if (rc) return rc;
            *consumed = (size_t)(p - buf);
            *newlines_out = newlines;
            return MLOPS_OK;
        }
        int rc = push_field(t, &f);
        if (rc) return rc;
        if (*p == (unsigned char)t->delim) {
            p++;
            continue;
        }
        if (*p == '\r') {
            if (p + 1 == end && !t->eof) return NEED_MORE;
            p += (p + 1 < end && p[1] == '\n') ? 2 : 1;
        } else {
            p++; /* '\n' */
        }
        *consumed = (size_t)(p - buf);
        *newlines_out = newlines + 1;
        return MLOPS_OK;
    }
}

/* Unquotes ("" -> ") and trims the fields of a complete record, in place. */
static void finish_fields(mlops__tokenizer *t)
{
    const char quote = t->quote;
    for (size_t i = 0; i < t->nfields; i++) {
        mlops__field *f = &t->fields[i];
        if (f->quoted) {
            char *s = (char *)f->ptr;
            const char *hit = memchr(s, quote, f->len);
            if (hit) {
                size_t w = (size_t)(hit - s);
                for (size_t r = w; r < f->len; r++) {
                    s[w++] = s[r];
                    if (s[r] == quote) r++;
                }
                f->len = w;
            }
        } else if (t->trim) {
            while (f->len > 0 && is_space(t, (unsigned char)f->ptr[0])) f->ptr++, f->len--;
            while (f->len > 0 && is_space(t, (unsigned char)f->ptr[f->len - 1])) f->len--;
        }
    }
}

int mlops__tok_next(mlops__tokenizer *t, bool *more)
{
    int rc;
    if (!t->started && (rc = first_fill(t)) != MLOPS_OK) return rc;
    for (;;) {
        size_t consumed = 0;
        uint64_t newlines = 0;
        t->record_line = t->next_line;
        if (t->start == t->end) {
            if (t->eof) {
                t->nfields = 0;
                *more = false;
                return MLOPS_OK;
            }
            if ((rc = refill(t)) != MLOPS_OK) return rc;
            continue;
        }
        rc = scan_record(t, &consumed, &newlines);
        if (rc == NEED_MORE) {
            if ((rc = refill(t)) != MLOPS_OK) return rc;
            continue;
        }
        if (rc != MLOPS_OK) return rc;
        t->start = consumed;
        t->next_line += newlines;
        finish_fields(t);
        /* Blank (or, when trimming, whitespace-only) lines are skipped. */
        if (t->nfields == 1 && t->fields[0].len == 0 && !t->fields[0].quoted) continue;
        *more = true;
        return MLOPS_OK;
    }
}

/* Powers of ten that are exact doubles: one correctly rounded division by
 * one of them gives the correctly rounded quotient (Clinger's fast path). */
static const double EXACT_POW10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Number of leading ASCII digits in the 8 bytes of `x` (little-endian: the
 * first byte in memory is the lowest). Bytes are tested 8 at a time:
 * a digit has high nibble 3 and stays so after adding 6. A carry out of a
 * byte >= 0xFA can only disturb later bytes, which lie past the first
 * non-digit anyway. */
static unsigned leading_digits(uint64_t x)
{
    const uint64_t hi = UINT64_C(0xF0F0F0F0F0F0F0F0), three = UINT64_C(0x3030303030303030);
    uint64_t bad = ((x & hi) ^ three) | (((x + UINT64_C(0x0606060606060606)) & hi) ^ three);
    /* A byte of `bad` is nonzero exactly where the input byte is no digit. */
    uint64_t flags = (((bad & UINT64_C(0x7F7F7F7F7F7F7F7F)) + UINT64_C(0x7F7F7F7F7F7F7F7F)) | bad) &
                     UINT64_C(0x8080808080808080);
    return flags ? (unsigned)__builtin_ctzll(flags) >> 3 : 8;
}

/* Value of the first `n` (1..8) digit bytes of `x`. */
static uint64_t digits_value(uint64_t x, unsigned n)
{
    uint64_t v = (x - UINT64_C(0x3030303030303030)) << (8 * (8 - n));
    v = (v * 10) + (v >> 8);
    return (((v & UINT64_C(0x000000FF000000FF)) * (100 + (UINT64_C(1000000) << 32))) +
            (((v >> 16) & UINT64_C(0x000000FF000000FF)) * (1 + (UINT64_C(10000) << 32)))) >>
           32;
}

/* Scans the digits at p (adding them to *m and counting them in *count)
 * and returns the first byte after them. Runs of up to 8 digits cost one
 * 8-byte load and no per-digit branch; near the buffer's end it goes byte
 * by byte. Stops early once more than 19 digits were seen. */
static inline __attribute__((always_inline)) const unsigned char *
scan_digits(const unsigned char *p, const unsigned char *end, uint64_t *m, unsigned *count)
{
    static const uint64_t scale[9] = {1,      10,      100,      1000,     10000,
                                      100000, 1000000, 10000000, 100000000};
    uint64_t value = *m;
    unsigned seen = *count;
    for (;;) {
        if (end - p < 8) {
            while (p < end && (unsigned)(*p - '0') < 10 && seen <= 19) {
                value = value * 10 + (unsigned)(*p - '0');
                seen++;
                p++;
            }
            break;
        }
        uint64_t x;
        memcpy(&x, p, 8);
        unsigned n = leading_digits(x);
        if (n == 0) break;
        value = value * scale[n] + digits_value(x, n);
        seen += n;
        p += n;
        if (n < 8 || seen > 19) break;
    }
    *m = value;
    *count = seen;
    return p;
}

/* The fast path's fields beyond plain short integers: an optional '-',
 * digits, an optional '.' and fraction. False for anything else (the
 * general path then decides). */
static __attribute__((noinline)) bool fast_decimal(const unsigned char *p, size_t len, double *out)
{
    const unsigned char *stop = p + len;
    bool negative = *p == '-';
    p += negative;
    uint64_t m = 0;
    unsigned digits = 0, fraction = 0;
    p = scan_digits(p, stop, &m, &digits);
    if (p < stop && *p == '.') {
        unsigned before = digits;
        p = scan_digits(p + 1, stop, &m, &digits);
        fraction = digits - before;
    }
    if (p != stop || digits == 0 || digits > 19 || m > (UINT64_C(1) << 53) || fraction > 22)
        return false;
    double v = (double)m;
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
    /* x87-style excess precision would round the quotient twice. */
    if (fraction) return false;
#endif
    if (fraction) v /= EXACT_POW10[fraction];
    *out = negative ? -v : v;
    return true;
}

/* Parses one field p[0..len) of the fast path; empty means missing. Plain
 * integers of up to 8 digits (most numeric CSV data) are converted in a
 * few instructions without a branch per digit. */
static inline __attribute__((always_inline)) bool fast_field(const unsigned char *p, size_t len,
                                                             const unsigned char *end, double *out)
{
    if (len == 0) {
        *out = NAN;
        return true;
    }
    if (len <= 8 && end - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        if (leading_digits(x) >= len) {
            *out = (double)digits_value(x, (unsigned)len);
            return true;
        }
    }
    return fast_decimal(p, len, out);
}

/* Checks the byte ending field j of n: the delimiter, or the line end after
 * the last field; returns the position after it, or NULL. */
static const unsigned char *field_end(const unsigned char *p, const unsigned char *end, size_t j,
                                      size_t n, unsigned char delim)
{
    if (j + 1 < n) return *p == delim ? p + 1 : NULL;
    if (*p == '\n') return p + 1;
    if (*p == '\r' && p + 1 < end && p[1] == '\n') return p + 2;
    return NULL;
}

bool mlops__tok_fast_numeric(mlops__tokenizer *t, double *out, size_t n)
{
    const unsigned char delim = (unsigned char)t->delim;
    if (!t->started || n == 0 || delim == '.' || delim == '-' || (unsigned)(delim - '0') < 10)
        return false;
    const unsigned char *p = t->buf + t->start, *end = t->buf + t->end;
    if (p == end || *p == '\n' || *p == '\r') return false; /* blank lines are skipped there */
    size_t j = 0;
#ifdef __SSE2__
    /* Sixteen bytes at a time: one compare finds every field end in the
     * block and another every digit, so a short integer field costs a mask
     * test and a multiply, with no branch per byte. */
    const __m128i v_delim = _mm_set1_epi8((char)delim), v_nl = _mm_set1_epi8('\n'),
                  v_cr = _mm_set1_epi8('\r'), v_zero = _mm_set1_epi8('0'),
                  v_nine = _mm_set1_epi8(9);
    while (j < n && end - p >= 16) {
        const unsigned char *block = p;
        __m128i x = _mm_loadu_si128((const __m128i *)block);
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(x, v_delim), _mm_cmpeq_epi8(x, v_nl)),
            _mm_cmpeq_epi8(x, v_cr)));
        __m128i offset = _mm_sub_epi8(x, v_zero);
        unsigned not_digit =
            ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(offset, v_nine), offset));
        if (mask == 0) break; /* a field of 16+ bytes: the byte loop below */
        while (mask && j < n) {
            unsigned at = (unsigned)(p - block), stop_at = (unsigned)__builtin_ctz(mask);
            size_t len = stop_at - at;
            const unsigned char *stop = block + stop_at;
            if (len - 1 < 8 && ((not_digit >> at) & ((1u << len) - 1)) == 0 && end - p >= 8) {
                uint64_t digits;
                memcpy(&digits, p, 8);
                out[j] = (double)digits_value(digits, (unsigned)len);
            } else if (!fast_field(p, len, end, &out[j])) {
                return false;
            }
            const unsigned char *next = field_end(stop, end, j, n, delim);
            if (next == NULL) return false;
            p = next;
            j++;
            mask &= mask - 1;
            if (*stop == '\r') mask &= mask - 1; /* the '\n' of CRLF */
        }
    }
#endif
    for (; j < n; j++) {
        const unsigned char *stop = p;
        while (stop < end && !t->stop[*stop]) stop++;
        if (stop == end || !fast_field(p, (size_t)(stop - p), end, &out[j])) return false;
        p = field_end(stop, end, j, n, delim);
        if (p == NULL) return false;
    }
    t->start = (size_t)(p - t->buf);
    t->record_line = t->next_line++;
    return true;
}

uint64_t mlops__tok_field_line(const mlops__tokenizer *t, size_t i)
{
    return t->record_line + t->fields[i].line_offset;
}
