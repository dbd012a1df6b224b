/* Private: SHA-256 (FIPS 180-4), streaming, for fingerprints and file hashes. */
#ifndef MLOPS_CORE_SHA256_H
#define MLOPS_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

enum { MLOPS_SHA256_SIZE = 32, MLOPS_SHA256_HEX_SIZE = 65 };

typedef struct mlops__sha256 {
    uint32_t state[8];
    uint64_t total_bytes;
    unsigned char block[64];
    size_t block_len;
} mlops__sha256;

void mlops__sha256_init(mlops__sha256 *h);
void mlops__sha256_update(mlops__sha256 *h, const void *data, size_t len);
void mlops__sha256_final(mlops__sha256 *h, unsigned char digest[MLOPS_SHA256_SIZE]);
/* One-shot digest as 64 lowercase hex digits plus NUL. */
void mlops__sha256_hex(const void *data, size_t len, char hex[MLOPS_SHA256_HEX_SIZE]);
void mlops__hex_encode(const unsigned char *bytes, size_t n, char *out);

#endif
