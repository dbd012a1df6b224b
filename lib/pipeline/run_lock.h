/* Private: the lock file's name, version and checksum rule, shared by the
 * writer (run_lock.c) and the verifier (run_verify.c). */
#ifndef MLOPS_PIPELINE_RUN_LOCK_H
#define MLOPS_PIPELINE_RUN_LOCK_H

#include <stddef.h>

#define MLOPS_LOCK_FILE "mlops.lock"
enum { MLOPS_LOCK_VERSION = 1 };

/* The SHA-256 of lock text `text` with the value of its "lock_sha256" field
 * read as 64 zeros. MLOPS_EFORMAT when the field is missing. */
int mlops__lock_checksum(const char *text, size_t len, char hex[65]);

#endif
