/* OpenBLAS housekeeping for the training core: scoped thread counts (the
 * `threads` setting) and the one-time warning about a generic kernel. */
#include <ctype.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <string.h>

#include "core/log.h"
#include "train/blas.h"

int mlops__blas_threads_push(unsigned threads)
{
    if (threads == 0) return 0;
    int previous = openblas_get_num_threads();
    openblas_set_num_threads((int)threads);
    return previous > 0 ? previous : 1;
}

void mlops__blas_threads_pop(int previous)
{
    if (previous > 0) openblas_set_num_threads(previous);
}

/* Kernels OpenBLAS falls back to on CPUs it does not recognise; none of
 * them uses AVX2. */
bool mlops__blas_kernel_is_generic(const char *core)
{
    static const char *const generic[] = {"prescott", "core2",   "penryn", "dunnington",
                                          "nehalem",  "atom",    "katmai", "coppermine",
                                          "northwood", "banias", "generic"};
    char low[32];
    size_t n = 0;
    for (; core[n] != '\0' && n + 1 < sizeof low; n++)
        low[n] = (char)tolower((unsigned char)core[n]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof generic / sizeof *generic; i++)
        if (strcmp(low, generic[i]) == 0) return true;
    return false;
}

void mlops__blas_check_kernel(void)
{
    static atomic_flag warned = ATOMIC_FLAG_INIT;
    if (atomic_flag_test_and_set(&warned)) return;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    const char *core = openblas_get_corename();
    if (core == NULL || !mlops__blas_kernel_is_generic(core)) return;
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2")) return;
    const char *better = __builtin_cpu_supports("avx512f") ? "SkylakeX" : "Haswell";
    mlops__log(MLOPS_LOG_WARN,
               "OpenBLAS runs its generic '%s' kernel on a CPU with AVX2%s; training and "
               "prediction may be several times slower. Set OPENBLAS_CORETYPE=%s in the "
               "environment before the program starts to select the fast kernel",
               core, strcmp(better, "SkylakeX") == 0 ? " and AVX-512" : "", better);
#endif
}
