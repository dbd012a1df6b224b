/* Private: the string dictionary behind categorical columns.
 * Strings are interned once into one arena and numbered 0, 1, ... in order
 * of first appearance; lookups go through an open-addressing hash table. */
#ifndef MLOPS_DATA_DICT_H
#define MLOPS_DATA_DICT_H

#include <stddef.h>
#include <stdint.h>

typedef struct mlops__dict mlops__dict;

int mlops__dict_create(mlops__dict **out);
void mlops__dict_free(mlops__dict *d);
/* Finds `s[0..len)` or adds it; stores its code. */
int mlops__dict_intern(mlops__dict *d, const char *s, size_t len, int32_t *code);
/* Code of `s[0..len)`, or -1 when absent. */
int32_t mlops__dict_find(const mlops__dict *d, const char *s, size_t len);
size_t mlops__dict_size(const mlops__dict *d);
/* NUL-terminated string of `code` (must be in range); valid until the next
 * intern into the same dictionary. */
const char *mlops__dict_string(const mlops__dict *d, int32_t code);
size_t mlops__dict_string_len(const mlops__dict *d, int32_t code);
/* A copy with the same codes. */
int mlops__dict_clone(const mlops__dict *d, mlops__dict **out);

#endif
