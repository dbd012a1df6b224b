/* Private: the allocation functions every part of the library uses.
 * They go through the user's allocator hooks, keep a count of live blocks,
 * and record an MLOPS_ENOMEM message naming what was being allocated. */
#ifndef MLOPS_CORE_ALLOC_H
#define MLOPS_CORE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

/* Allocate `size` bytes for `what` (named in the error message). A request of
 * 0 bytes allocates 1 so NULL always means failure. */
void *mlops__malloc(size_t size, const char *what);
void *mlops__calloc(size_t count, size_t size, const char *what);
/* count * size bytes with an overflow check. */
void *mlops__malloc_array(size_t count, size_t size, const char *what);
/* On failure `ptr` stays valid and owned by the caller. */
void *mlops__realloc(void *ptr, size_t size, const char *what);
void *mlops__realloc_array(void *ptr, size_t count, size_t size, const char *what);
char *mlops__strdup(const char *s, const char *what);
void mlops__free(void *ptr);

/* Overflow-checked size arithmetic: false when the result would not fit. */
bool mlops__mul_size(size_t a, size_t b, size_t *out);
bool mlops__add_size(size_t a, size_t b, size_t *out);

#endif
