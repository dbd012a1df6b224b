/* Private: running independent tasks (one per column, say) on a few
 * threads. The calling thread works too; tasks are handed out one at a time
 * from a shared counter, so uneven tasks balance themselves.
 *
 * A task returns MLOPS_OK or an error code with its message recorded as
 * usual (mlops__fail, thread-local). After the first failure no new task
 * starts, and the caller gets that failure's code with its message
 * recorded in the caller's thread. With threads <= 1 (or a thread that
 * cannot be started) tasks run in the calling thread, in order.
 *
 * Tasks must not share mutable state; the library's allocator must be
 * thread-safe (the default is; see mlops_set_allocator). */
#ifndef MLOPS_CORE_PARALLEL_H
#define MLOPS_CORE_PARALLEL_H

#include <stddef.h>

/* Most threads a setting may ask for. */
#define MLOPS__MAX_THREADS 256

int mlops__parallel_for(size_t n, size_t threads, int (*task)(void *ctx, size_t i), void *ctx);

#endif
