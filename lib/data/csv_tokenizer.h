/* Private: splits the decoded byte stream into CSV records and fields
 * (RFC 4180 quoting, CRLF/LF/CR line ends, UTF-8 BOM, blank lines skipped),
 * tracking physical line numbers so every error can say file:line:column. */
#ifndef MLOPS_DATA_CSV_TOKENIZER_H
#define MLOPS_DATA_CSV_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "data/csv_source.h"
#include "mlops/log.h"

typedef struct mlops__field {
    const char *ptr; /* into the tokenizer's buffer; valid until the next record */
    size_t len;
    uint32_t line_offset; /* newlines between the record start and this field */
    bool quoted;
} mlops__field;

typedef struct mlops__tokenizer {
    mlops__source *src;
    unsigned char *buf;
    size_t cap, start, end;
    bool eof, started;
    char delim, quote;
    bool trim;
    size_t max_field;
    size_t max_record;
    uint64_t next_line;   /* physical line where the next record starts */
    uint64_t record_line; /* physical line where the current record starts */
    mlops__field *fields;
    size_t nfields, fields_cap;
    mlops_progress_fn progress;
    void *progress_data;
    bool stop[256];
} mlops__tokenizer;

/* `delim` 0 sniffs the delimiter from the first line (, tab ; |). */
int mlops__tok_init(mlops__tokenizer *t, mlops__source *src, char delim, char quote, bool trim,
                    size_t max_field, mlops_progress_fn progress, void *progress_data);
/* Reads the next non-blank record into t->fields[0..t->nfields); *more is
 * false (and nfields 0) at the end of the input. */
int mlops__tok_next(mlops__tokenizer *t, bool *more);
/* Reads the next record straight into out[0..n) when it is a plain line of
 * exactly n unquoted decimals (digits, optional '-' and '.', no exponent, at
 * most 19 significant digits, an empty field meaning missing) that lies
 * wholly in the buffer: the shape of most numeric CSV data, parsed without
 * splitting it into fields first. Returns false, having consumed nothing,
 * for anything else; the caller then takes the general path.
 * It knows nothing of missing-value tokens, and its hot loop has no room
 * for more settings, so the caller must not use it when a missing token,
 * or the quote byte, could be such a decimal, or when max_field is below
 * MLOPS__TOK_FAST_MAX_FIELD (its longest field: a sign, 19 digits, a point). */
enum { MLOPS__TOK_FAST_MAX_FIELD = 21 };
bool mlops__tok_fast_numeric(mlops__tokenizer *t, double *out, size_t n);
/* Line of field `i` of the current record. */
uint64_t mlops__tok_field_line(const mlops__tokenizer *t, size_t i);
/* Restarts from the beginning of the source (for a second pass). */
int mlops__tok_rewind(mlops__tokenizer *t);
void mlops__tok_free(mlops__tokenizer *t);

#endif
