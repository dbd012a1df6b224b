/* Status codes and per-thread error messages.
 *
 * Every fallible libmlops function returns an int: MLOPS_OK (0) on success or
 * one of the negative MLOPS_E* codes below. The code says what kind of failure
 * happened; mlops_last_error() says what exactly failed, where, and with which
 * value. Codes are part of the ABI: they are never renumbered or reused. */
#ifndef MLOPS_ERRORS_H
#define MLOPS_ERRORS_H

#include "mlops/export.h"

MLOPS_BEGIN_DECLS

/** Status codes returned by libmlops functions. New codes are only appended. */
typedef enum mlops_status {
    MLOPS_OK = 0,           /**< success */
    MLOPS_EINVAL = -1,      /**< invalid argument: NULL, out of range, malformed setting */
    MLOPS_ENOMEM = -2,      /**< an allocation failed or a size computation overflowed */
    MLOPS_EIO = -3,         /**< an operating-system I/O call failed */
    MLOPS_EFORMAT = -4,     /**< input is not in the expected format (bad CSV, not a libmlops file) */
    MLOPS_ECORRUPT = -5,    /**< a checksum or internal consistency check failed */
    MLOPS_EVERSION = -6,    /**< a file or caller needs a newer library version */
    MLOPS_ESTATE = -7,      /**< the call is not allowed in the object's current state */
    MLOPS_ENOTFOUND = -8,   /**< a named item (column, section, key, file) does not exist */
    MLOPS_EGATE = -9,       /**< a validation gate failed (a check did not pass) */
    MLOPS_ECANCELED = -10,  /**< a progress callback asked to stop */
    MLOPS_ERANGE = -11,     /**< a value is outside the representable or allowed range */
    MLOPS_ENUMERIC = -12,   /**< a numerical method failed (singular matrix, no convergence) */
    MLOPS_EUNSUPPORTED = -13 /**< the feature is not available in this build or platform */
} mlops_status;

/** Returns a short, static, English name for a status code, such as
 *  "invalid argument" for MLOPS_EINVAL. Never returns NULL: an unknown code
 *  gives "unknown error code". The string must not be freed. */
MLOPS_API const char *mlops_strerror(int code);

/** Returns the message of the most recent failure on the calling thread, such
 *  as "container: section 'COEF' crc mismatch (stored 0x1a2b3c4d, computed
 *  0x00ff00ff)". The string is borrowed: it stays valid until the next libmlops
 *  call on the same thread. Successful calls do not clear it. Returns "" when
 *  no failure was recorded since the thread started or since
 *  mlops_clear_error(). Never returns NULL. */
MLOPS_API const char *mlops_last_error(void);

/** Returns the status code of the most recent failure on the calling thread,
 *  or MLOPS_OK when none was recorded (see mlops_last_error()). */
MLOPS_API int mlops_last_error_code(void);

/** Forgets the calling thread's last failure, so mlops_last_error() returns ""
 *  and mlops_last_error_code() returns MLOPS_OK. */
MLOPS_API void mlops_clear_error(void);

MLOPS_END_DECLS

#endif /* MLOPS_ERRORS_H */
