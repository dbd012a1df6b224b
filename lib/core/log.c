/* The log callback and the progress helper shared by long operations. */
#include <stdarg.h>
#include <stdio.h>

#include "core/error.h"
#include "core/log.h"

static mlops_log_fn log_fn;
static void *log_user_data;
static int log_max_level;

MLOPS_API int mlops_set_logger(mlops_log_fn fn, int max_level, void *user_data)
{
    if (fn == NULL) {
        log_fn = NULL;
        log_user_data = NULL;
        return MLOPS_OK;
    }
    if (max_level < MLOPS_LOG_ERROR || max_level > MLOPS_LOG_DEBUG)
        return mlops__fail(MLOPS_EINVAL,
                           "mlops_set_logger: max_level %d is outside %d (error) .. %d (debug)",
                           max_level, MLOPS_LOG_ERROR, MLOPS_LOG_DEBUG);
    log_fn = fn;
    log_user_data = user_data;
    log_max_level = max_level;
    return MLOPS_OK;
}

MLOPS_API const char *mlops_log_level_name(int level)
{
    switch (level) {
    case MLOPS_LOG_ERROR: return "error";
    case MLOPS_LOG_WARN: return "warn";
    case MLOPS_LOG_INFO: return "info";
    case MLOPS_LOG_DEBUG: return "debug";
    default: return "unknown";
    }
}

void mlops__log(int level, const char *fmt, ...)
{
    /* A callback that itself calls a failing libmlops function must not
     * recurse into itself. */
    static _Thread_local int in_callback;
    mlops_log_fn fn = log_fn;
    if (fn == NULL || level > log_max_level || in_callback) return;
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    in_callback = 1;
    fn(level, message, log_user_data);
    in_callback = 0;
}

int mlops__progress(mlops_progress_fn fn, void *user_data, uint64_t done, uint64_t total,
                    const char *what)
{
    if (fn == NULL || fn(done, total, user_data) == 0) return MLOPS_OK;
    return mlops__fail(MLOPS_ECANCELED, "%s: canceled by progress callback at %llu of %llu",
                       what, (unsigned long long)done, (unsigned long long)total);
}
