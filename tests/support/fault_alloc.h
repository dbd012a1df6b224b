/* Test support: an allocator that can fail the k-th allocation, installed
 * through mlops_set_allocator(), so error paths on out-of-memory can be
 * driven deterministically and checked for leaks. */
#ifndef MLOPS_TEST_FAULT_ALLOC_H
#define MLOPS_TEST_FAULT_ALLOC_H

#include <stddef.h>

/* Installs the allocator (call once, before the library allocates). */
void fault_alloc_install(void);
/* Fail the allocation numbered `k` from now (0 = the next one); -1 = never.
 * Later allocations succeed again, as after a transient shortage. */
void fault_alloc_fail_at(long k);
/* Allocations requested since the last fault_alloc_fail_at(). */
long fault_alloc_calls(void);
/* How many allocations have been refused in total. */
long fault_alloc_failures(void);

/* Runs `op` once per allocation it makes, failing each allocation in turn,
 * until a run with no failed allocation succeeds. Every failing run must
 * return MLOPS_ENOMEM with a message and leave mlops_live_allocations() as
 * it found it; a run may also succeed despite the failure (an optional
 * allocation), and `undo` (may be NULL) must then release all it built.
 * Under MLOPS_TEST_SHORT (the valgrind run) a sample of the allocations is
 * refused instead: the first 16, then one in 1 + k / 16; unless
 * MLOPS_TEST_EVERY_ALLOCATION is set too (the sanitizer run).
 * Returns the number of allocations the operation makes. */
long fault_alloc_sweep(int (*op)(void *ctx), void (*undo)(void *ctx), void *ctx);

#endif
