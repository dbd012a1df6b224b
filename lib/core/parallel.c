/* mlops__parallel_for: tasks shared out to a few threads (see parallel.h). */
#include "core/parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include "core/error.h"
#include "mlops/errors.h"

typedef struct pool {
    int (*task)(void *ctx, size_t i);
    void *ctx;
    size_t n;
    atomic_size_t next;
    atomic_int failed;
    pthread_mutex_t lock;
    int rc;             /* first failure */
    char message[512];  /* its message, copied from the failing thread */
} pool;

static void run(pool *p)
{
    while (!atomic_load(&p->failed)) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n) return;
        int rc = p->task(p->ctx, i);
        if (rc == MLOPS_OK) continue;
        pthread_mutex_lock(&p->lock);
        if (p->rc == MLOPS_OK) {
            p->rc = rc;
            snprintf(p->message, sizeof p->message, "%s", mlops_last_error());
        }
        pthread_mutex_unlock(&p->lock);
        atomic_store(&p->failed, 1);
    }
}

static void *worker(void *arg)
{
    run(arg);
    return NULL;
}

int mlops__parallel_for(size_t n, size_t threads, int (*task)(void *ctx, size_t i), void *ctx)
{
    if (threads > MLOPS__MAX_THREADS) threads = MLOPS__MAX_THREADS;
    if (threads > n) threads = n;
    if (threads <= 1) {
        for (size_t i = 0; i < n; i++) {
            int rc = task(ctx, i);
            if (rc != MLOPS_OK) return rc;
        }
        return MLOPS_OK;
    }
    pool p = {.task = task, .ctx = ctx, .n = n, .rc = MLOPS_OK};
    atomic_init(&p.next, 0);
    atomic_init(&p.failed, 0);
    pthread_mutex_init(&p.lock, NULL);
    pthread_t ids[MLOPS__MAX_THREADS];
    size_t started = 0;
    while (started + 1 < threads && pthread_create(&ids[started], NULL, worker, &p) == 0)
        started++;
    run(&p);
    for (size_t t = 0; t < started; t++) pthread_join(ids[t], NULL);
    pthread_mutex_destroy(&p.lock);
    if (p.rc != MLOPS_OK) return mlops__fail(p.rc, "%s", p.message);
    return MLOPS_OK;
}
