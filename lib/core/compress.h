/* Private: zlib compression and CRC-32, with zlib's memory routed through
 * the library's allocator hooks. */
#ifndef MLOPS_CORE_COMPRESS_H
#define MLOPS_CORE_COMPRESS_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

/* zlib's zalloc/zfree through the library allocator, for z_stream users. */
voidpf mlops__zlib_alloc(voidpf opaque, uInt items, uInt size);
void mlops__zlib_free(voidpf opaque, voidpf ptr);

/* CRC-32 (zlib's polynomial) of `len` bytes, continuing from `crc` (start
 * with 0); handles lengths beyond zlib's 32-bit uInt. */
uint32_t mlops__crc32(uint32_t crc, const void *data, size_t len);

/* Compresses `len` bytes into a new buffer (*out, freed with mlops__free). */
int mlops__deflate(const void *data, size_t len, unsigned char **out, size_t *out_len);

/* Inflates a zlib stream that must expand to exactly `raw_len` bytes into the
 * caller's buffer; `what` names the data in error messages. */
int mlops__inflate(const void *data, size_t len, void *raw, size_t raw_len, const char *what);

#endif
