/* Reading CSV and TSV files (plain or gzip-compressed, detected by content)
 * into datasets: whole files at once, or as a stream of fixed-size row
 * batches in constant memory for files larger than memory.
 *
 * Reader settings live in an mlops_csv_options object and are set by string
 * keys, so new settings never change the ABI and the YAML pipeline maps its
 * keys straight through. Every error names the file, and errors in the data
 * also the line and column ("data.csv:1042:3: ..."). */
#ifndef MLOPS_CSV_H
#define MLOPS_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "mlops/dataset.h"
#include "mlops/export.h"
#include "mlops/log.h"

MLOPS_BEGIN_DECLS

typedef struct mlops_csv_options mlops_csv_options;

/** Creates reader settings with the defaults listed in
 *  mlops_csv_options_set(3). */
MLOPS_API int mlops_csv_options_create(mlops_csv_options **out);

/** Releases settings. Accepts NULL. */
MLOPS_API void mlops_csv_options_free(mlops_csv_options *o);

/** Sets one reader setting from its text form. Keys:
 *   delimiter        one character, "tab", or "auto" (sniffed from the
 *                    header among , tab ; |); default ","
 *   quote            one character or "none"; default '"'
 *   header           "true" (default) or "false" (columns named c1, c2, ...)
 *   missing          comma-separated tokens read as missing, replacing the
 *                    default "NA,N/A,NaN,null"; an empty field is always missing
 *   trim             "true" (default): strip spaces and tabs around fields
 *   bad_rows         "fail" (default) or "skip": rows with the wrong number
 *                    of fields are skipped and counted instead of failing
 *   max_field_bytes  longest accepted field; default 16777216 (a record may
 *                    be up to twice that, or 64 MiB, whichever is larger)
 *   batch_rows       rows per batch of the streaming reader, or "auto"
 *                    (default): as many rows as hold about 8 MiB of values
 *                    (at most 65536), so batches stay small at any width
 *   type.NAME        "numeric" or "categorical": overrides type inference
 *                    for column NAME
 *   role.NAME        role of column NAME ("feature", "target", "group",
 *                    "weight", "id", "time", "ignore")
 *   sensitive.NAME   "true" marks column NAME as personal data
 *  Returns MLOPS_EINVAL for an unknown key (the message suggests the nearest
 *  valid one) or an invalid value. Column names are checked when reading. */
MLOPS_API int mlops_csv_options_set(mlops_csv_options *o, const char *key, const char *value);

/** Installs a progress callback for reads using these settings; it receives
 *  the bytes of input consumed (compressed bytes for gzip) and the input's
 *  size, and may cancel. The count starts again from 0 when the reader goes
 *  back to the start of the input (after type inference, or for a second
 *  pass over columns that turned out to hold text). */
MLOPS_API int mlops_csv_options_set_progress(mlops_csv_options *o, mlops_progress_fn fn,
                                             void *user_data);

/** Reads a whole CSV file into a new dataset. Column types are inferred over
 *  the whole file (numeric when every present value parses as a number,
 *  categorical otherwise) unless set with type.NAME. `opts` may be NULL for
 *  the defaults. Errors: MLOPS_ENOTFOUND / MLOPS_EIO (file), MLOPS_EFORMAT
 *  (malformed CSV, with file:line:column), MLOPS_ERANGE (a field longer
 *  than max_field_bytes), MLOPS_ECORRUPT (damaged gzip), MLOPS_EINVAL (a
 *  type/role/sensitive setting names a missing column), MLOPS_ECANCELED,
 *  MLOPS_ENOMEM. */
MLOPS_API int mlops_dataset_read_csv(mlops_dataset **out, const char *path,
                                     const mlops_csv_options *opts);

/** As mlops_dataset_read_csv() from `len` bytes in memory (plain or gzip);
 *  `name` labels the data in messages. */
MLOPS_API int mlops_dataset_read_csv_memory(mlops_dataset **out, const void *data, size_t len,
                                            const char *name, const mlops_csv_options *opts);

typedef struct mlops_csv_reader mlops_csv_reader;

/** Opens a CSV file for streaming. Types are inferred from the first batch
 *  (override with type.NAME); a later value that contradicts them is an
 *  MLOPS_EFORMAT error naming its line and column. Memory stays bounded by
 *  the batch size and the longest record, whatever the file size, except
 *  for a path that cannot be rewound (a pipe): its content is read into
 *  memory first. The reader keeps a copy of `opts`. */
MLOPS_API int mlops_csv_reader_open(mlops_csv_reader **out, const char *path,
                                    const mlops_csv_options *opts);

/** Reads the next batch of up to batch_rows rows into a new dataset owned by
 *  the caller. At the end of the file returns MLOPS_OK with *batch = NULL.
 *  The first call always yields a batch, with 0 rows when the file has a
 *  header and no data, so a consumer learns the columns.
 *  After an error, later calls return MLOPS_ESTATE. The batch's
 *  mlops_dataset_skipped_rows() counts the rows skipped within it. */
MLOPS_API int mlops_csv_reader_next(mlops_csv_reader *r, mlops_dataset **batch);

/** Data rows delivered so far, and rows skipped under bad_rows=skip. */
MLOPS_API uint64_t mlops_csv_reader_rows(const mlops_csv_reader *r);
MLOPS_API uint64_t mlops_csv_reader_skipped_rows(const mlops_csv_reader *r);

/** Closes the file and releases the reader. Accepts NULL. */
MLOPS_API void mlops_csv_reader_free(mlops_csv_reader *r);

MLOPS_END_DECLS

#endif /* MLOPS_CSV_H */
