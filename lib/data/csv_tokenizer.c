/* CSV record splitting (see csv_tokenizer.h).
 *
 * A record is scanned from its first byte each time: when the buffer ends
 * inside it, the partial record moves to the buffer's front, more bytes are
 * read, and the scan starts over. Fields are only unquoted and trimmed once
 * the whole record is in memory, so a restart never sees modified bytes. */
#include <stdio.h>
#include <string.h>

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
    t->max_record = max_field * 2 > MIN_RECORD_LIMIT ? max_field * 2 : MIN_RECORD_LIMIT;
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
    for (size_t i = t->start; i < t->end && (in_quotes || t->buf[i] != '\n'); i++) {
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

static bool is_space(const mlops__tokenizer *t, unsigned char c)
{
    return c == ' ' || (c == '\t' && t->delim != '\t');
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

uint64_t mlops__tok_field_line(const mlops__tokenizer *t, size_t i)
{
    return t->record_line + t->fields[i].line_offset;
}
