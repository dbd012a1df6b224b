/* Private: duplicate-row counting from 128-bit row hashes in bounded memory.
 *
 * Each distinct row hash (h1, h2) is stored once with the number of rows that
 * had it; duplicates = rows seen - distinct rows. While the number of stored
 * hashes stays within the limit the count is exact (up to a 128-bit hash
 * collision). Beyond it the set becomes a hash-based sample: at level L only
 * rows whose h1 starts with L zero bits are kept, and L grows by one (evicting
 * the others) whenever the limit is passed. Equal rows have equal hashes, so
 * a row and all its copies are kept or dropped together, and
 *     duplicates ~ (sampled rows - sampled distinct rows) * 2^L
 * is unbiased, with relative standard error about 1 / sqrt(sampled
 * duplicates) when most duplicated rows occur twice. Two sets merge exactly
 * like the sets of the two streams would (both are brought to the larger L). */
#ifndef MLOPS_DATA_PROFILE_ROWSET_H
#define MLOPS_DATA_PROFILE_ROWSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct mlops__rowset_entry {
    uint64_t h1, h2;
    uint64_t count;  /* 0 marks an empty slot */
} mlops__rowset_entry;

typedef struct mlops__rowset {
    mlops__rowset_entry *slots;
    size_t cap;            /* 0 or a power of two */
    size_t size;           /* distinct hashes stored */
    unsigned level;        /* sampling level L (0 = every row, exact) */
    uint64_t sampled_rows; /* rows whose hash is in the sample */
} mlops__rowset;

void mlops__rowset_free(mlops__rowset *s);
/* Counts `count` rows with hash (h1, h2); keeps at most `limit` hashes. */
int mlops__rowset_add(mlops__rowset *s, uint64_t h1, uint64_t h2, uint64_t count, size_t limit);
/* s := set of both streams. */
int mlops__rowset_merge(mlops__rowset *s, const mlops__rowset *o, size_t limit);
/* Duplicate rows: exact when level is 0, otherwise the scaled estimate. */
uint64_t mlops__rowset_duplicates(const mlops__rowset *s);

#endif
