/* Private: sending messages to the user's log callback. */
#ifndef MLOPS_CORE_LOG_H
#define MLOPS_CORE_LOG_H

#include <stdint.h>
#include "mlops/log.h"

/* Formats and delivers a message when a logger wants this level; cheap when
 * nobody listens (no formatting happens). */
void mlops__log(int level, const char *fmt, ...) MLOPS_PRINTF_LIKE(2, 3);

/* Calls an optional progress callback; returns MLOPS_ECANCELED (with a
 * message naming `what`) when it asks to stop, MLOPS_OK otherwise. */
int mlops__progress(mlops_progress_fn fn, void *user_data, uint64_t done, uint64_t total,
                    const char *what);

#endif
