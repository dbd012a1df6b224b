/* Reading CSV into datasets: the header, type inference, whole-file reads
 * and the streaming batch reader, on top of the source and tokenizer.
 *
 * Whole-file reads infer each column's type over the whole file: a sample of
 * the first rows decides most columns up front; a column that turns out to
 * hold text further down switches to categorical and is filled by a second
 * pass over the source, so the common case reads the data once. Columns are
 * sized from a line count when the source is plain, so the table is
 * allocated once and never copied while growing. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/log.h"
#include "core/suggest.h"
#include "core/utf8.h"
#include "data/csv_options_impl.h"
#include "data/csv_source.h"
#include "data/csv_tokenizer.h"
#include "data/dataset_impl.h"
#include "data/parse_number.h"

enum { SAMPLE_ROWS = 1000 };

typedef struct csv_state {
    const mlops_csv_options *o;
    mlops__source src;
    mlops__tokenizer tok;
    bool tok_open;
    size_t ncols;
    char **names;
    int *types;        /* resolved column types */
    bool *forced;      /* type set by the user: never switched */
    bool missing_first[256];
    size_t missing_max_len;
    bool fast_ok;      /* the settings allow the tokenizer's numeric fast path */
    uint64_t skipped;
    uint64_t rows_read;
    size_t batch_rows; /* streaming: rows per batch, settled once the width is known */
} csv_state;

static void state_free(csv_state *st)
{
    if (st->names)
        for (size_t j = 0; j < st->ncols; j++) mlops__free(st->names[j]);
    mlops__free(st->names);
    mlops__free(st->types);
    mlops__free(st->forced);
    if (st->tok_open) mlops__tok_free(&st->tok);
    mlops__source_close(&st->src);
    memset(st, 0, sizeof *st);
    st->src.fd = -1; /* a second free must not close descriptor 0 */
}

static bool is_missing(const csv_state *st, const mlops__field *f)
{
    if (f->len == 0) return true;
    if (f->len > st->missing_max_len || !st->missing_first[(unsigned char)f->ptr[0]]) return false;
    for (size_t k = 0; k < st->o->nmissing; k++) {
        const char *tok = st->o->missing[k];
        if (strlen(tok) == f->len && memcmp(tok, f->ptr, f->len) == 0) return true;
    }
    return false;
}

static int field_fail(const csv_state *st, int code, size_t j, const char *what)
{
    return mlops__fail(code, "%s:%llu:%zu: %s", st->src.name,
                       (unsigned long long)mlops__tok_field_line(&st->tok, j), j + 1, what);
}

/* The field as a short printable quote for messages. */
static const char *excerpt(const mlops__field *f, char *buf, size_t cap)
{
    size_t n = f->len < cap - 4 ? f->len : cap - 4;
    memcpy(buf, f->ptr, n);
    strcpy(buf + n, f->len > n ? "..." : "");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] >= 0x7f) buf[i] = '?';
    return buf;
}

static int check_utf8(const csv_state *st, const mlops__field *f, size_t j)
{
    if (mlops__utf8_valid_prefix(f->ptr, f->len) == f->len) return MLOPS_OK;
    char what[80];
    snprintf(what, sizeof what, "invalid UTF-8 at byte %zu of the field",
             mlops__utf8_valid_prefix(f->ptr, f->len) + 1);
    return field_fail(st, MLOPS_EFORMAT, j, what);
}

static const char *name_at(size_t i, const void *ctx)
{
    return ((const csv_state *)ctx)->names[i];
}

/* The first repeated column name, found through a hash table: a header of
 * 100,000 columns must not cost 10^10 comparisons. */
static int unique_names(csv_state *st)
{
    mlops__dict *seen = NULL;
    int rc = mlops__dict_create(&seen);
    for (size_t j = 0; rc == MLOPS_OK && j < st->ncols; j++) {
        int32_t code;
        size_t before = mlops__dict_size(seen);
        rc = mlops__dict_intern(seen, st->names[j], strlen(st->names[j]), &code);
        if (rc == MLOPS_OK && mlops__dict_size(seen) == before) {
            char what[300];
            snprintf(what, sizeof what, "duplicate column name '%.200s'", st->names[j]);
            rc = field_fail(st, MLOPS_EFORMAT, j, what);
        }
    }
    mlops__dict_free(seen);
    return rc;
}

static int header_names(csv_state *st)
{
    bool more;
    int rc = mlops__tok_next(&st->tok, &more);
    if (rc) return rc;
    if (!more) return mlops__fail(MLOPS_EFORMAT, "%s: no header: the input has no records", st->src.name);
    st->ncols = st->tok.nfields;
    st->names = mlops__calloc(st->ncols, sizeof *st->names, "column names");
    st->types = mlops__calloc(st->ncols, sizeof *st->types, "column types");
    st->forced = mlops__calloc(st->ncols, sizeof *st->forced, "column type flags");
    if (!st->names || !st->types || !st->forced) return MLOPS_ENOMEM;
    for (size_t j = 0; j < st->ncols; j++) {
        const mlops__field *f = &st->tok.fields[j];
        char generated[32];
        const char *name = generated;
        size_t len;
        if (st->o->header) {
            if ((rc = check_utf8(st, f, j)) != MLOPS_OK) return rc;
            if (f->len == 0) return field_fail(st, MLOPS_EFORMAT, j, "empty column name");
            name = f->ptr;
            len = f->len;
        } else {
            len = (size_t)snprintf(generated, sizeof generated, "c%zu", j + 1);
        }
        st->names[j] = mlops__malloc(len + 1, "column name");
        if (st->names[j] == NULL) return MLOPS_ENOMEM;
        memcpy(st->names[j], name, len);
        st->names[j][len] = '\0';
    }
    rc = unique_names(st);
    if (rc != MLOPS_OK) return rc;
    if (!st->o->header) return mlops__tok_rewind(&st->tok);
    return MLOPS_OK;
}

/* Every type.NAME / role.NAME / sensitive.NAME must name a real column. */
static int apply_type_settings(csv_state *st)
{
    for (size_t k = 0; k < st->o->ncolumns; k++) {
        const mlops__column_setting *s = &st->o->columns[k];
        size_t j = 0;
        while (j < st->ncols && strcmp(st->names[j], s->name) != 0) j++;
        if (j == st->ncols) {
            const char *near = mlops__suggest(s->name, st->ncols, name_at, st);
            return mlops__fail(MLOPS_EINVAL, "%s: csv options name column '%s' but there is no column '%s'%s%s%s",
                               st->src.name, s->name, s->name, near ? " (did you mean '" : "",
                               near ? near : "", near ? "'?)" : "");
        }
        if (s->type) {
            st->types[j] = s->type;
            st->forced[j] = true;
        }
    }
    return MLOPS_OK;
}

/* A record with the wrong number of fields: skipped (true) or an error. */
static int check_width(csv_state *st, bool *skip)
{
    size_t n = st->tok.nfields;
    *skip = false;
    if (n == st->ncols) return MLOPS_OK;
    if (st->o->skip_bad_rows) {
        *skip = true;
        return MLOPS_OK;
    }
    return mlops__fail(MLOPS_EFORMAT, "%s:%llu:%zu: expected %zu fields, found %zu",
                       st->src.name, (unsigned long long)st->tok.record_line,
                       n > st->ncols ? st->ncols + 1 : n + 1, st->ncols, n);
}

/* Decides the type of every column not set by the user from the first
 * `limit` data rows, then rewinds to the first data row. */
static int infer_types(csv_state *st, uint64_t limit)
{
    bool *text = mlops__calloc(st->ncols, sizeof *text, "type inference flags");
    if (text == NULL) return MLOPS_ENOMEM;
    int rc = MLOPS_OK;
    bool more = true;
    for (uint64_t r = 0; r < limit; r++) {
        if ((rc = mlops__tok_next(&st->tok, &more)) != MLOPS_OK || !more) break;
        if (st->tok.nfields != st->ncols) continue; /* reported by the real pass */
        for (size_t j = 0; j < st->ncols; j++) {
            const mlops__field *f = &st->tok.fields[j];
            double v;
            if (!text[j] && !st->forced[j] && !is_missing(st, f) && !mlops__parse_double(f->ptr, f->len, &v))
                text[j] = true;
        }
    }
    for (size_t j = 0; j < st->ncols; j++)
        if (!st->forced[j]) st->types[j] = text[j] ? MLOPS_CATEGORICAL : MLOPS_NUMERIC;
    mlops__free(text);
    if (rc) return rc;
    if ((rc = mlops__tok_rewind(&st->tok)) != MLOPS_OK) return rc;
    return st->o->header ? mlops__tok_next(&st->tok, &more) : MLOPS_OK;
}

/* Rows per streaming batch: the batch_rows setting, or with "auto" (0) as
 * many rows as fit in about 8 MiB of values, so memory stays small for
 * tables of any width. */
static size_t batch_rows_for(const mlops_csv_options *o, size_t ncols)
{
    enum { AUTO_BYTES = 8 << 20, MAX_AUTO_ROWS = 65536 };
    if (o->batch_rows) return o->batch_rows;
    size_t rows = AUTO_BYTES / (sizeof(double) * (ncols ? ncols : 1));
    return rows < 1 ? 1 : rows > MAX_AUTO_ROWS ? MAX_AUTO_ROWS : rows;
}

/* Opens the source, reads the header and infers types from `sample` rows
 * (0: one streaming batch).
 * With `lines`, first counts the source's lines (0 when it cannot: gzip),
 * before the tokenizer has buffered anything. */
static int open_state(csv_state *st, const mlops_csv_options *o, const char *path,
                      const void *data, size_t len, const char *name, uint64_t sample,
                      uint64_t *lines)
{
    memset(st, 0, sizeof *st);
    st->o = o ? o : mlops__csv_default_options();
    const char q = st->o->quote;
    st->fast_ok = q != '.' && q != '-' && (q < '0' || q > '9') &&
                  st->o->max_field_bytes >= MLOPS__TOK_FAST_MAX_FIELD;
    for (size_t k = 0; k < st->o->nmissing; k++) {
        size_t n = strlen(st->o->missing[k]);
        if (n > st->missing_max_len) st->missing_max_len = n;
        st->missing_first[(unsigned char)st->o->missing[k][0]] = true;
        /* A sentinel such as "-999" must read as missing, which the fast
         * path (it never looks at the tokens) would not do. */
        if (strspn(st->o->missing[k], "0123456789.-") == n) st->fast_ok = false;
    }
    int rc = path ? mlops__source_open_file(&st->src, path)
                  : mlops__source_open_memory(&st->src, data, len, name);
    if (rc) return rc;
    if (lines && !mlops__source_count_lines(&st->src, lines)) *lines = 0;
    rc = mlops__tok_init(&st->tok, &st->src, st->o->delimiter, st->o->quote, st->o->trim,
                         st->o->max_field_bytes, st->o->progress, st->o->progress_data);
    if (rc) return rc;
    st->tok_open = true;
    if ((rc = header_names(st)) != MLOPS_OK) return rc;
    if ((rc = apply_type_settings(st)) != MLOPS_OK) return rc;
    st->batch_rows = batch_rows_for(st->o, st->ncols);
    return infer_types(st, sample ? sample : st->batch_rows);
}

/* Stores field j of the current record into row `row` of column c. A text
 * value in an inferred numeric column switches it to categorical when
 * `may_switch`, leaving the column to the second pass. */
static int store_field(csv_state *st, mlops__column *c, size_t j, size_t row, size_t cap,
                       double *slot, bool may_switch, bool *switched)
{
    const mlops__field *f = &st->tok.fields[j];
    if (c->type == MLOPS_NUMERIC) {
        double v;
        if (is_missing(st, f)) {
            *slot = NAN;
        } else if (mlops__parse_double(f->ptr, f->len, &v)) {
            *slot = v;
        } else if (may_switch && !st->forced[j]) {
            mlops__free(c->values);
            c->values = NULL;
            c->type = MLOPS_CATEGORICAL;
            st->types[j] = MLOPS_CATEGORICAL;
            *switched = true;
            c->codes = mlops__malloc_array(cap, sizeof *c->codes, "categorical column");
            if (c->codes == NULL || mlops__dict_create(&c->dict) != MLOPS_OK) return MLOPS_ENOMEM;
        } else {
            char quoted[48], what[400];
            snprintf(what, sizeof what, "'%s' is not a number (column '%.200s' is numeric%s)",
                     excerpt(f, quoted, sizeof quoted), c->name,
                     st->forced[j] ? "" : " from the first rows; set type.NAME=categorical");
            return field_fail(st, MLOPS_EFORMAT, j, what);
        }
        return MLOPS_OK;
    }
    if (is_missing(st, f)) {
        c->codes[row] = -1;
        return MLOPS_OK;
    }
    int rc = check_utf8(st, f, j);
    return rc ? rc : mlops__dict_intern(c->dict, f->ptr, f->len, &c->codes[row]);
}

static int grow_columns(mlops_dataset *d, size_t *cap, const bool *only)
{
    size_t new_cap = *cap < 1024 ? 1024 : *cap + *cap / 2;
    for (size_t j = 0; j < d->ncols; j++) {
        mlops__column *c = &d->cols[j];
        if (only && !only[j]) continue;
        if (c->type == MLOPS_NUMERIC) {
            double *v = mlops__realloc_array(c->values, new_cap, sizeof *v, "numeric column");
            if (v == NULL) return MLOPS_ENOMEM;
            c->values = v;
        } else {
            int32_t *v = mlops__realloc_array(c->codes, new_cap, sizeof *v, "categorical column");
            if (v == NULL) return MLOPS_ENOMEM;
            c->codes = v;
        }
    }
    *cap = new_cap;
    return MLOPS_OK;
}

/* Numeric values of a block of rows are gathered row-major in a staging
 * area and written to their columns a block at a time: storing each value
 * straight into its column would touch one memory page per column per row,
 * and wide tables (hundreds of columns) would spend their time in TLB misses. */
enum { STAGE_ROWS = 64 };

typedef struct stage {
    double *values; /* STAGE_ROWS x ncols */
    size_t first_row, rows;
} stage;

static void flush_stage(mlops_dataset *d, stage *sg)
{
    for (size_t j = 0; j < d->ncols; j++) {
        mlops__column *c = &d->cols[j];
        if (c->type != MLOPS_NUMERIC) continue; /* switched: values dropped */
        double *dst = c->values + sg->first_row;
        const double *src = sg->values + j;
        size_t missing = 0;
        for (size_t r = 0; r < sg->rows; r++) {
            double v = src[r * d->ncols];
            dst[r] = v;
            missing += v != v;
        }
        c->missing += missing;
    }
    sg->first_row += sg->rows;
    sg->rows = 0;
}

/* Reads up to `limit` rows into d's columns, from row 0. With `only`, just
 * those columns are stored (the second pass). With `switched` (whole-file
 * reads), a numeric column meeting text switches to categorical, is marked
 * there and skipped for the rest of the pass. Capacity grows when
 * `growable`; otherwise the pass stops at `*cap` rows (a batch). */
static int read_rows(csv_state *st, mlops_dataset *d, uint64_t limit, size_t *cap, bool growable,
                     const bool *only, bool *switched)
{
    stage sg = {0};
    bool all_numeric = only == NULL && st->fast_ok;
    for (size_t j = 0; j < st->ncols; j++) all_numeric &= d->cols[j].type == MLOPS_NUMERIC;
    if (only == NULL) {
        sg.values = mlops__malloc_array(STAGE_ROWS * (st->ncols ? st->ncols : 1), sizeof(double),
                                        "csv staging rows");
        if (sg.values == NULL) return MLOPS_ENOMEM;
    }
    size_t row = 0;
    bool more = true;
    int rc = MLOPS_OK;
    while (row < limit) {
        if (row == *cap) {
            if (!growable) break;
            if ((rc = grow_columns(d, cap, NULL)) != MLOPS_OK) break;
        }
        if (sg.rows == STAGE_ROWS) flush_stage(d, &sg);
        double *staged = sg.values ? sg.values + sg.rows * st->ncols : NULL;
        if (all_numeric && mlops__tok_fast_numeric(&st->tok, staged, st->ncols)) {
            sg.rows++;
            row++;
            continue;
        }
        if ((rc = mlops__tok_next(&st->tok, &more)) != MLOPS_OK || !more) break;
        bool skip;
        if ((rc = check_width(st, &skip)) != MLOPS_OK) break;
        if (skip) {
            if (only == NULL) st->skipped++;
            continue;
        }
        for (size_t j = 0; rc == MLOPS_OK && j < st->ncols; j++) {
            if ((only && !only[j]) || (switched && switched[j])) continue;
            bool now_switched = false;
            rc = store_field(st, &d->cols[j], j, row, *cap, staged ? staged + j : NULL,
                             switched != NULL, &now_switched);
            if (now_switched) {
                switched[j] = true;
                all_numeric = false;
            }
        }
        if (rc) break;
        sg.rows += staged != NULL;
        row++;
    }
    if (sg.values) {
        flush_stage(d, &sg);
        mlops__free(sg.values);
    }
    d->rows = row;
    return rc;
}

/* Shrinks column storage to the rows actually read and settles metadata;
 * `skipped` rows were dropped while reading them. */
static int finish_columns(csv_state *st, mlops_dataset *d, uint64_t skipped)
{
    size_t keep = d->rows ? d->rows : 1;
    for (size_t j = 0; j < d->ncols; j++) {
        mlops__column *c = &d->cols[j];
        if (c->type == MLOPS_NUMERIC) {
            double *v = mlops__realloc_array(c->values, keep, sizeof *v, "numeric column");
            if (v) c->values = v;
        } else {
            int32_t *v = mlops__realloc_array(c->codes, keep, sizeof *v, "categorical column");
            if (v) c->codes = v;
            mlops__column_count_missing(c, d->rows); /* numeric ones counted while staged */
        }
    }
    for (size_t k = 0; k < st->o->ncolumns; k++) {
        const mlops__column_setting *s = &st->o->columns[k];
        for (size_t j = 0; j < d->ncols; j++) {
            if (strcmp(d->cols[j].name, s->name) != 0) continue;
            if (s->role >= 0) d->cols[j].role = s->role;
            if (s->sensitive >= 0) d->cols[j].sensitive = s->sensitive != 0;
        }
    }
    d->skipped_rows = skipped;
    if (skipped)
        mlops__log(MLOPS_LOG_WARN, "%s: skipped %llu row(s) with the wrong number of fields",
                   st->src.name, (unsigned long long)skipped);
    return MLOPS_OK;
}

static int new_table(csv_state *st, mlops_dataset **out, size_t cap)
{
    mlops_dataset *d;
    int rc = mlops__dataset_new(&d, 0, st->ncols, st->src.name);
    if (rc) return rc;
    for (size_t j = 0; rc == MLOPS_OK && j < st->ncols; j++)
        rc = mlops__column_init(&d->cols[j], st->names[j], st->types[j], cap ? cap : 1);
    if (rc != MLOPS_OK) {
        mlops_dataset_free(d);
        return rc;
    }
    *out = d;
    return MLOPS_OK;
}

static int read_whole(mlops_dataset **out, const char *path, const void *data, size_t len,
                      const char *name, const mlops_csv_options *o)
{
    if (out == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_dataset_read_csv: NULL out");
    csv_state st;
    mlops_dataset *d = NULL;
    bool *switched = NULL;
    uint64_t lines = 0;
    int rc = open_state(&st, o, path, data, len, name, SAMPLE_ROWS, &lines);
    /* Every record ends a line except perhaps the last: lines + 1 rows at
     * most (the header is one of them). Gzip sources start small and grow. */
    size_t cap = lines > 0 && lines < SIZE_MAX ? (size_t)lines + 1 : 1024;
    if (rc == MLOPS_OK) rc = new_table(&st, &d, cap);
    if (rc == MLOPS_OK) {
        switched = mlops__calloc(st.ncols ? st.ncols : 1, sizeof *switched, "type switch flags");
        if (switched == NULL) rc = MLOPS_ENOMEM;
    }
    if (rc == MLOPS_OK) rc = read_rows(&st, d, UINT64_MAX, &cap, true, NULL, switched);
    bool again = false;
    for (size_t j = 0; rc == MLOPS_OK && j < st.ncols; j++) again |= switched[j];
    if (again) {
        mlops__log(MLOPS_LOG_INFO, "%s: text found below the first %d rows; re-reading the "
                   "columns that turned categorical", st.src.name, SAMPLE_ROWS);
        size_t rows = d->rows;
        bool more = true;
        rc = mlops__tok_rewind(&st.tok);
        if (rc == MLOPS_OK && st.o->header) rc = mlops__tok_next(&st.tok, &more);
        if (rc == MLOPS_OK) rc = read_rows(&st, d, rows, &cap, false, switched, NULL);
        if (rc == MLOPS_OK && d->rows != rows)
            rc = mlops__fail(MLOPS_EIO, "%s changed while being read", st.src.name);
    }
    if (rc == MLOPS_OK) rc = finish_columns(&st, d, st.skipped);
    mlops__free(switched);
    state_free(&st);
    if (rc != MLOPS_OK) {
        mlops_dataset_free(d);
        return rc;
    }
    *out = d;
    return MLOPS_OK;
}

MLOPS_API int mlops_dataset_read_csv(mlops_dataset **out, const char *path,
                                     const mlops_csv_options *opts)
{
    if (path == NULL) return mlops__fail(MLOPS_EINVAL, "mlops_dataset_read_csv: NULL path");
    return read_whole(out, path, NULL, 0, NULL, opts);
}

MLOPS_API int mlops_dataset_read_csv_memory(mlops_dataset **out, const void *data, size_t len,
                                            const char *name, const mlops_csv_options *opts)
{
    if (data == NULL && len > 0)
        return mlops__fail(MLOPS_EINVAL, "mlops_dataset_read_csv_memory: NULL data");
    return read_whole(out, NULL, data ? data : "", len, name ? name : "<memory>", opts);
}

struct mlops_csv_reader {
    csv_state st;
    mlops_csv_options *options; /* the reader's own copy */
    bool done;
    bool delivered; /* a batch was handed out (so consumers learned the columns) */
    int failed; /* the error that ended the stream, repeated to later calls */
};

MLOPS_API int mlops_csv_reader_open(mlops_csv_reader **out, const char *path,
                                    const mlops_csv_options *opts)
{
    if (out == NULL || path == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_csv_reader_open: NULL argument");
    mlops_csv_reader *r = mlops__calloc(1, sizeof *r, "csv reader");
    if (r == NULL) return MLOPS_ENOMEM;
    /* no source yet: freeing the reader after a failure below must not
     * close descriptor 0, which belongs to the application */
    r->st.src.fd = -1;
    int rc = mlops__csv_options_clone(opts ? opts : mlops__csv_default_options(), &r->options);
    if (rc == MLOPS_OK)
        rc = open_state(&r->st, r->options, path, NULL, 0, NULL, 0, NULL);
    if (rc != MLOPS_OK) {
        mlops_csv_reader_free(r);
        return rc;
    }
    *out = r;
    return MLOPS_OK;
}

MLOPS_API int mlops_csv_reader_next(mlops_csv_reader *r, mlops_dataset **batch)
{
    if (r == NULL || batch == NULL)
        return mlops__fail(MLOPS_EINVAL, "mlops_csv_reader_next: NULL argument");
    *batch = NULL;
    if (r->failed)
        return mlops__fail(MLOPS_ESTATE, "%s: the reader stopped at an earlier error (%s)",
                           r->st.src.name, mlops_strerror(r->failed));
    if (r->done) return MLOPS_OK;
    size_t cap = r->st.batch_rows;
    uint64_t skipped_before = r->st.skipped;
    mlops_dataset *d = NULL; /* new_table leaves it unset when it fails */
    int rc = new_table(&r->st, &d, cap);
    if (rc == MLOPS_OK) rc = read_rows(&r->st, d, cap, &cap, false, NULL, NULL);
    if (rc == MLOPS_OK && d->rows < cap) r->done = true;
    /* A file with a header and no data still yields one empty batch, so a
     * consumer learns its columns. */
    if (rc == MLOPS_OK && d->rows == 0 && r->delivered) {
        mlops_dataset_free(d);
        return MLOPS_OK;
    }
    if (rc == MLOPS_OK) {
        rc = finish_columns(&r->st, d, r->st.skipped - skipped_before);
        r->st.rows_read += d->rows;
        r->delivered = true;
    }
    if (rc != MLOPS_OK) {
        mlops_dataset_free(d);
        r->failed = rc;
        return rc;
    }
    *batch = d;
    return MLOPS_OK;
}

MLOPS_API uint64_t mlops_csv_reader_rows(const mlops_csv_reader *r)
{
    return r ? r->st.rows_read : 0;
}

MLOPS_API uint64_t mlops_csv_reader_skipped_rows(const mlops_csv_reader *r)
{
    return r ? r->st.skipped : 0;
}

MLOPS_API void mlops_csv_reader_free(mlops_csv_reader *r)
{
    if (r == NULL) return;
    state_free(&r->st);
    mlops_csv_options_free(r->options);
    mlops__free(r);
}
