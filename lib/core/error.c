/* Status-code names and the thread-local "last error" slot.
 * The slot is a fixed buffer so recording an error never allocates: an
 * out-of-memory failure must be reportable. */
#include <stdarg.h>
#include <stdio.h>

#include "core/error.h"
#include "core/log.h"

enum { MESSAGE_CAPACITY = 1024 };

static _Thread_local char last_message[MESSAGE_CAPACITY];
static _Thread_local int last_code;

MLOPS_API const char *mlops_strerror(int code)
{
    switch (code) {
    case MLOPS_OK: return "success";
    case MLOPS_EINVAL: return "invalid argument";
    case MLOPS_ENOMEM: return "out of memory";
    case MLOPS_EIO: return "input/output error";
    case MLOPS_EFORMAT: return "bad format";
    case MLOPS_ECORRUPT: return "data corrupted";
    case MLOPS_EVERSION: return "version not supported";
    case MLOPS_ESTATE: return "not allowed in current state";
    case MLOPS_ENOTFOUND: return "not found";
    case MLOPS_EGATE: return "validation gate failed";
    case MLOPS_ECANCELED: return "canceled";
    case MLOPS_ERANGE: return "value out of range";
    case MLOPS_ENUMERIC: return "numerical failure";
    case MLOPS_EUNSUPPORTED: return "not supported";
    default: return "unknown error code";
    }
}

MLOPS_API const char *mlops_last_error(void)
{
    return last_message;
}

MLOPS_API int mlops_last_error_code(void)
{
    return last_code;
}

MLOPS_API void mlops_clear_error(void)
{
    last_message[0] = '\0';
    last_code = MLOPS_OK;
}

int mlops__fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    if (n < 0) {
        snprintf(last_message, sizeof last_message, "%s", mlops_strerror(code));
    } else if ((size_t)n >= sizeof last_message) {
        /* Mark truncation so nobody mistakes a cut message for the whole,
         * cutting before a character rather than inside its UTF-8 bytes
         * (long column names end up here, and messages end up in JSON). */
        size_t at = sizeof last_message - 4;
        while (at > 0 && ((unsigned char)last_message[at] & 0xC0) == 0x80) at--;
        snprintf(last_message + at, 4, "...");
    }
    last_code = code;
    mlops__log(MLOPS_LOG_DEBUG, "%s (%s)", last_message, mlops_strerror(code));
    return code;
}
