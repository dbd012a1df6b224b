/* Private: the byte source under the CSV reader: a file or a memory buffer,
 * plain or gzip (detected from the first bytes, never from the name), read
 * in chunks so memory stays bounded, and rewindable for a second pass. */
#ifndef MLOPS_DATA_CSV_SOURCE_H
#define MLOPS_DATA_CSV_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

typedef struct mlops__source {
    char *name;
    int fd;                      /* -1 for memory */
    const unsigned char *mem;    /* memory source */
    unsigned char *spooled;      /* a pipe's contents, read up front (owned) */
    size_t mem_len, mem_pos;
    bool gzip;
    z_stream zs;
    bool zs_open;
    unsigned char *zin;          /* compressed input buffer (file + gzip) */
    size_t zin_cap;
    uint64_t raw_consumed;       /* bytes of the file/buffer consumed (progress) */
    uint64_t raw_total;          /* size of the file/buffer, 0 if unknown */
} mlops__source;

/* A path that is not a regular file (a pipe, /dev/stdin) cannot be rewound,
 * so its whole content is read into memory first. */
int mlops__source_open_file(mlops__source *s, const char *path);
int mlops__source_open_memory(mlops__source *s, const void *data, size_t len, const char *name);
/* Reads up to `cap` decoded bytes; *got == 0 only at the end. */
int mlops__source_read(mlops__source *s, unsigned char *buf, size_t cap, size_t *got);
/* Starts again from the first byte. */
int mlops__source_rewind(mlops__source *s);
/* Counts '\n' bytes in the decoded stream (a plain source only; gzip returns
 * false) and rewinds: an upper bound of the record count, so columns can be
 * sized once. */
bool mlops__source_count_lines(mlops__source *s, uint64_t *lines);
void mlops__source_close(mlops__source *s);

#endif
