/* Private: the versioned, checksummed binary container that models, profiles
 * and other saved objects are stored in.
 *
 * Layout (all integers little-endian):
 *   file header, 28 bytes
 *     0  8  magic 89 4D 4C 4F 50 53 0D 0A  ("\x89MLOPS\r\n": the high byte
 *           and CR LF catch 7-bit and text-mode transfers)
 *     8  2  container format version (MLOPS_CONTAINER_VERSION)
 *    10  2  reserved, 0
 *    12  4  kind: four ASCII bytes naming the payload ("MODL", "PROF", ...)
 *    16  4  kind version: the payload format version chosen by its writer
 *    20  4  number of sections
 *    24  4  CRC-32 of bytes 0..23
 *   then per section a 32-byte header followed by its stored bytes
 *     0  4  tag: four ASCII bytes, unique within the file
 *     4  4  flags: bit 0 = stored bytes are a zlib stream
 *     8  8  stored size
 *    16  8  raw (uncompressed) size
 *    24  4  CRC-32 of the raw bytes
 *    28  4  CRC-32 of bytes 0..27 of this section header
 *   and nothing after the last section.
 * For zlib sections the CRC covers the raw bytes: the padding bits at the
 * end of a deflate stream decode to the same bytes and are checked by
 * nothing, so kinds that must reject every changed stored bit (models)
 * store their sections uncompressed.
 * A reader accepts every container version up to its own; a newer one is
 * MLOPS_EVERSION, a bad magic MLOPS_EFORMAT, anything inconsistent
 * (checksums, sizes, truncation, trailing bytes) MLOPS_ECORRUPT. */
#ifndef MLOPS_CORE_CONTAINER_H
#define MLOPS_CORE_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    MLOPS_CONTAINER_VERSION = 1,
    MLOPS_CONTAINER_HEADER_SIZE = 28,
    MLOPS_CONTAINER_SECTION_HEADER_SIZE = 32,
    MLOPS_CONTAINER_MAX_SECTIONS = 4096
};

typedef struct mlops__section {
    char tag[5];
    uint32_t flags;
    uint64_t stored_size, raw_size;
    uint32_t crc;
    size_t offset; /* of the stored bytes within the file image */
    unsigned char *owned; /* writer only: the stored bytes */
} mlops__section;

typedef struct mlops__container_writer {
    char kind[5];
    uint32_t kind_version;
    mlops__section *sections;
    size_t count, cap;
} mlops__container_writer;

/* `kind` is exactly four printable ASCII characters. */
int mlops__cw_init(mlops__container_writer *w, const char *kind, uint32_t kind_version);
/* Copies (and when `compress`, deflates) `len` bytes as section `tag`. */
int mlops__cw_add(mlops__container_writer *w, const char *tag, const void *data, size_t len,
                  bool compress);
/* Serialises into a new buffer (free with mlops__free). */
int mlops__cw_finish(const mlops__container_writer *w, unsigned char **out, size_t *out_len);
/* Serialises and atomically replaces `path`. */
int mlops__cw_write_file(const mlops__container_writer *w, const char *path);
void mlops__cw_free(mlops__container_writer *w);

typedef struct mlops__container {
    const unsigned char *data;
    size_t len;
    unsigned char *owned; /* the file image when read by mlops__container_open */
    char source[256];     /* file name or caller's label, for messages */
    char kind[5];
    uint16_t version;
    uint32_t kind_version;
    mlops__section *sections;
    size_t count;
} mlops__container;

/* Validates a file image held by the caller (it must outlive `c`): header,
 * every section header, sizes and the absence of trailing bytes. Section
 * payload checksums are verified when a section is read. `expected_kind` may
 * be NULL to accept any kind. */
int mlops__container_parse(mlops__container *c, const void *data, size_t len,
                           const char *source, const char *expected_kind);
/* Reads `path` (at most `max_len` bytes) and parses it. */
int mlops__container_open(mlops__container *c, const char *path, size_t max_len,
                          const char *expected_kind);
bool mlops__container_has(const mlops__container *c, const char *tag);
/* Returns the raw bytes of section `tag` in a new buffer (free with
 * mlops__free; one spare NUL byte follows them) after checking its CRC. */
int mlops__container_read(const mlops__container *c, const char *tag, unsigned char **out,
                          size_t *len);
void mlops__container_free(mlops__container *c);

#endif
