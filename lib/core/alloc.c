/* Allocator hooks and the library's allocation wrappers.
 * A live-block counter lets mlops_set_allocator() refuse to switch allocators
 * while blocks from the old one are outstanding, and lets tests prove that
 * every path, including failed ones, frees what it allocated. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "mlops/memory.h"

static void *default_malloc(size_t size, void *ud)
{
    (void)ud;
    return malloc(size);
}

static void *default_realloc(void *ptr, size_t size, void *ud)
{
    (void)ud;
    return realloc(ptr, size);
}

static void default_free(void *ptr, void *ud)
{
    (void)ud;
    free(ptr);
}

static mlops_malloc_fn hook_malloc = default_malloc;
static mlops_realloc_fn hook_realloc = default_realloc;
static mlops_free_fn hook_free = default_free;
static void *hook_user_data;
static atomic_size_t live_blocks;

MLOPS_API int mlops_set_allocator(mlops_malloc_fn malloc_fn, mlops_realloc_fn realloc_fn,
                                  mlops_free_fn free_fn, void *user_data)
{
    int given = (malloc_fn != NULL) + (realloc_fn != NULL) + (free_fn != NULL);
    if (given != 0 && given != 3)
        return mlops__fail(MLOPS_EINVAL, "mlops_set_allocator: give all three functions or "
                                         "none (got %d of malloc, realloc, free)", given);
    size_t live = atomic_load(&live_blocks);
    if (live != 0)
        return mlops__fail(MLOPS_ESTATE,
                           "mlops_set_allocator: the library still holds %zu block(s) from "
                           "the current allocator; free every object first", live);
    hook_malloc = given ? malloc_fn : default_malloc;
    hook_realloc = given ? realloc_fn : default_realloc;
    hook_free = given ? free_fn : default_free;
    hook_user_data = given ? user_data : NULL;
    return MLOPS_OK;
}

MLOPS_API size_t mlops_live_allocations(void)
{
    return atomic_load(&live_blocks);
}

MLOPS_API void mlops_free(void *ptr)
{
    mlops__free(ptr);
}

bool mlops__mul_size(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SIZE_MAX / b) return false;
    *out = a * b;
    return true;
}

bool mlops__add_size(size_t a, size_t b, size_t *out)
{
    if (a > SIZE_MAX - b) return false;
    *out = a + b;
    return true;
}

void *mlops__malloc(size_t size, const char *what)
{
    void *p = hook_malloc(size ? size : 1, hook_user_data);
    if (p == NULL) {
        mlops__fail(MLOPS_ENOMEM, "out of memory allocating %zu bytes for %s", size, what);
        return NULL;
    }
    atomic_fetch_add(&live_blocks, 1);
    return p;
}

void *mlops__malloc_array(size_t count, size_t size, const char *what)
{
    size_t total;
    if (!mlops__mul_size(count, size, &total)) {
        mlops__fail(MLOPS_ENOMEM, "size overflow allocating %zu x %zu bytes for %s", count,
                    size, what);
        return NULL;
    }
    return mlops__malloc(total, what);
}

void *mlops__calloc(size_t count, size_t size, const char *what)
{
    void *p = mlops__malloc_array(count, size, what);
    if (p != NULL) memset(p, 0, count * size);
    return p;
}

void *mlops__realloc(void *ptr, size_t size, const char *what)
{
    if (ptr == NULL) return mlops__malloc(size, what);
    void *p = hook_realloc(ptr, size ? size : 1, hook_user_data);
    if (p == NULL)
        mlops__fail(MLOPS_ENOMEM, "out of memory growing %s to %zu bytes", what, size);
    return p;
}

void *mlops__realloc_array(void *ptr, size_t count, size_t size, const char *what)
{
    size_t total;
    if (!mlops__mul_size(count, size, &total)) {
        mlops__fail(MLOPS_ENOMEM, "size overflow growing %s to %zu x %zu bytes", what, count,
                    size);
        return NULL;
    }
    return mlops__realloc(ptr, total, what);
}

char *mlops__strdup(const char *s, const char *what)
{
    size_t n = strlen(s) + 1;
    char *p = mlops__malloc(n, what);
    if (p != NULL) memcpy(p, s, n);
    return p;
}

void mlops__free(void *ptr)
{
    if (ptr == NULL) return;
    hook_free(ptr, hook_user_data);
    atomic_fetch_sub(&live_blocks, 1);
}
