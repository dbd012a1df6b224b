/* Private: recording failures in the per-thread error slot.
 * Every failing path in the library goes through mlops__fail() so the caller
 * always gets a code and a message that names the object, field and value. */
#ifndef MLOPS_CORE_ERROR_H
#define MLOPS_CORE_ERROR_H

#include "mlops/errors.h"
#include "mlops/export.h"

/* Records `code` with a printf-style message and returns `code`, so a failing
 * path reads: return mlops__fail(MLOPS_EINVAL, "...", ...); */
int mlops__fail(int code, const char *fmt, ...) MLOPS_PRINTF_LIKE(2, 3);

/* Shorthand for the common NULL-argument check. */
#define MLOPS_CHECK_ARG(cond, func, what)                                          \
    do {                                                                           \
        if (!(cond)) return mlops__fail(MLOPS_EINVAL, "%s: %s", (func), (what));   \
    } while (0)

#endif
