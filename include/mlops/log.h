/* Diagnostics: the log callback and the progress/cancel callback.
 *
 * The library never writes to stdout or stderr on its own. A program that
 * wants to see what it does installs a log callback; long operations (training,
 * large CSV ingestion, drift over big files) accept a progress callback that
 * can also stop them. */
#ifndef MLOPS_LOG_H
#define MLOPS_LOG_H

#include <stdint.h>
#include "mlops/export.h"

MLOPS_BEGIN_DECLS

/** Log levels, from most to least severe. */
typedef enum mlops_log_level {
    MLOPS_LOG_ERROR = 1, /**< an operation failed (also reported by its return code) */
    MLOPS_LOG_WARN = 2,  /**< a result is usable but suspicious (e.g. rows skipped) */
    MLOPS_LOG_INFO = 3,  /**< milestones of long operations */
    MLOPS_LOG_DEBUG = 4  /**< details for developers */
} mlops_log_level;

/** Receives one log message. `message` is borrowed for the duration of the
 *  call; it carries no trailing newline. May be called from any thread that
 *  uses the library. */
typedef void (*mlops_log_fn)(int level, const char *message, void *user_data);

/** Installs `fn` to receive messages at `max_level` or more severe (a lower
 *  number). Pass fn = NULL to stop logging (the default); max_level is then
 *  ignored. Messages raised while `fn` runs on the same thread (for example
 *  by a failing libmlops call inside it) are not delivered, so a callback
 *  never recurses. Every recorded failure is logged at MLOPS_LOG_DEBUG.
 *  Returns MLOPS_OK, or MLOPS_EINVAL when fn is set and max_level is outside
 *  MLOPS_LOG_ERROR..MLOPS_LOG_DEBUG.
 *  Not thread-safe: call it before other threads use the library. */
MLOPS_API int mlops_set_logger(mlops_log_fn fn, int max_level, void *user_data);

/** Returns the name of a log level ("error", "warn", "info", "debug") or
 *  "unknown". The string is static. */
MLOPS_API const char *mlops_log_level_name(int level);

/** Reports progress of a long operation: `done` units of `total` (total is
 *  0 when unknown). Return 0 to continue, any
 *  other value to stop: the operation then releases what it built and returns
 *  MLOPS_ECANCELED. Called on the thread running the operation. */
typedef int (*mlops_progress_fn)(uint64_t done, uint64_t total, void *user_data);

MLOPS_END_DECLS

#endif /* MLOPS_LOG_H */
