/* LD_PRELOAD shim for the model benchmark: times liblinear's train() inside
 * liblinear-train, so liblinear's fit can be compared with
 * mlops_model_fit() apart from its LIBSVM parsing. Prints
 * "train_s=SECONDS train_cpu_s=SECONDS" (wall and process CPU time) on
 * stdout, which liblinear-train -q leaves empty.
 *
 *   LD_PRELOAD=build-bench/tests/bench/libliblinear-timer.so liblinear-train -q ... */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct model;
struct problem;
struct parameter;
typedef struct model *train_fn(const struct problem *, const struct parameter *);

struct model *train(const struct problem *prob, const struct parameter *param);

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct model *train(const struct problem *prob, const struct parameter *param)
{
    void *sym = dlsym(RTLD_NEXT, "train");
    train_fn *real;
    if (!sym) {
        fprintf(stderr, "liblinear-timer: train() not found: %s\n", dlerror());
        exit(1);
    }
    memcpy(&real, &sym, sizeof real);
    double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    struct model *m = real(prob, param);
    printf("train_s=%.3f train_cpu_s=%.3f\n", clock_s(CLOCK_MONOTONIC) - t0,
           clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0);
    fflush(stdout);
    return m;
}
