/* Memory ownership: allocator hooks and the release of library-owned memory.
 *
 * Every allocation the library makes (including zlib's, which it routes
 * through these hooks) goes through one allocator. A program may install its
 * own once, before the library holds any memory, for example to account for
 * memory per subsystem or to fail the k-th allocation in a test. OpenBLAS and
 * libyaml keep their own allocators; their internal buffers are not routed. */
#ifndef MLOPS_MEMORY_H
#define MLOPS_MEMORY_H

#include <stddef.h>
#include "mlops/export.h"

MLOPS_BEGIN_DECLS

/** Allocates `size` bytes (size > 0) or returns NULL. */
typedef void *(*mlops_malloc_fn)(size_t size, void *user_data);
/** Resizes `ptr` (never NULL) to `size` bytes (size > 0) or returns NULL,
 *  leaving `ptr` untouched. */
typedef void *(*mlops_realloc_fn)(void *ptr, size_t size, void *user_data);
/** Releases `ptr` (never NULL). */
typedef void (*mlops_free_fn)(void *ptr, void *user_data);

/** Installs the allocator every later library allocation goes through.
 *  Pass three NULL functions to return to the C library's malloc/realloc/free.
 *  `user_data` is passed unchanged to each function.
 *
 *  Returns MLOPS_OK; MLOPS_EINVAL when only some of the functions are NULL;
 *  MLOPS_ESTATE when memory obtained from the current allocator is still held
 *  by the library (its objects or strings not yet freed), since freeing it
 *  through a different allocator would corrupt both.
 *  Not thread-safe: call it before other threads use the library. */
MLOPS_API int mlops_set_allocator(mlops_malloc_fn malloc_fn, mlops_realloc_fn realloc_fn,
                                  mlops_free_fn free_fn, void *user_data);

/** Releases memory the library allocated and documented as the caller's to
 *  free (strings, buffers). Accepts NULL. */
MLOPS_API void mlops_free(void *ptr);

/** Returns the number of allocations the library currently holds (allocated
 *  and not yet freed). Zero after every object has been freed: tests and
 *  long-running services use it to detect leaks. */
MLOPS_API size_t mlops_live_allocations(void);

MLOPS_END_DECLS

#endif /* MLOPS_MEMORY_H */
