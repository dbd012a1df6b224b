/* Benchmark of drift monitoring, run by tests/bench/run_drift.sh next to
 * SciPy and NumPy (peer_scipy_drift.py). The data are generated here, not
 * read, with a fixed seed: standard normal values (ziggurat method on
 * xoshiro256+), some columns of the "current" data shifted.
 *
 *   bench-drift ks ROWS COLS [threads=1,2] [reps=R] [seed=S]
 *       ROWS x COLS reference and current data sets built in memory (as
 *       many row shards as the largest thread count; current shifted by
 *       +0.05 in every 4th column, as the peer). Timed, per thread count:
 *       the reference profile (raw values kept, so KS is exact: settings
 *       quantile_exact_limit = ROWS, exact_values_budget = 0, and the
 *       profile's threads setting; shards added one after another, then
 *       mlops_profile_fix_bins()), the current profile
 *       (mlops_profile_create_like(), quality 0, the same threads), a
 *       compare with method ks (correction none, the monitor's threads
 *       setting) and one with psi.
 *   bench-drift wide ROWS COLS [threads=T] [batch=B] [pass2_quality=Q] [seed=S]
 *       Data too large to hold: generated in batches of B rows, each thread
 *       profiling its half (its share) of the batches, profiles merged.
 *       Pass 1: default reference profile (sketches), fix_bins. Pass 2: the
 *       same rows again into a create_like profile (exact histograms), the
 *       reference (pass2_quality=0: with quality 0, since pass 1 already gave
 *       the data-quality figures; default 1, the settings create_like
 *       copies). Current pass: create_like, quality 0, shifted by +0.25 in
 *       every 4th column (must drift) and +0.02 in the columns 2 mod 4 (must
 *       not). Compare with the default methods.
 *   bench-drift stream BATCH_ROWS COLS BATCHES [seed=S]
 *       Single-thread update rate of mlops_profile_add() on BATCHES fresh
 *       batches (generation not timed) for three profiles fed the same
 *       batches: like_q0 (create_like of a reference, quality 0: the
 *       production profile), like_q1 (create_like, default quality) and
 *       default (mlops_profile_create(), no bins).
 *
 * Each measurement is one line of key=value pairs starting "libmlops":
 * wall seconds per phase, the process's CPU seconds, results (columns
 * drifted, largest statistic), the peak resident memory (getrusage
 * ru_maxrss) and the OpenBLAS kernel of the process. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <mlops.h>

char *openblas_get_corename(void);

#define MAX_THREADS 64

enum { KIND_REF = 1, KIND_CUR = 2, KIND_STREAM = 3 };

/* ---- Timing and memory ---------------------------------------------------- */

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now(void) { return clock_s(CLOCK_MONOTONIC); }
static double thread_cpu(void) { return clock_s(CLOCK_THREAD_CPUTIME_ID); }

static double process_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
}

/* ---- Random numbers --------------------------------------------------------
 * xoshiro256+ (the top bits only are used: its lowest bits are weak) and the
 * Marsaglia-Tsang ziggurat with 128 layers: a few ns per normal value, so
 * generating the wide case's 9e9 values does not hide the library's time. */

typedef struct {
    uint64_t s[4];
} rng;

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Stream `stream` of kind `kind` under `seed`: the same triple always gives
 * the same values, whichever thread draws them. */
static void rng_seed(rng *r, uint64_t seed, int kind, uint64_t stream)
{
    uint64_t x = seed ^ ((uint64_t)kind << 56) ^ (stream * 0xd1b54a32d192ed03ULL);
    splitmix(&x);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&x);
}

static inline uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = s[0] + s[3], t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* Uniform in (0, 1). */
static double rng_uniform(rng *r) { return ((double)(rng_next(r) >> 11) + 0.5) * 0x1.0p-53; }

#define ZIG_R 3.442619855899
static uint32_t zig_k[128];
static double zig_w[128], zig_f[128];

static void zig_init(void)
{
    const double m1 = 2147483648.0, vn = 9.91256303526217e-3;
    double dn = ZIG_R, tn = dn, q = vn / exp(-0.5 * dn * dn);
    zig_k[0] = (uint32_t)(dn / q * m1);
    zig_k[1] = 0;
    zig_w[0] = q / m1;
    zig_w[127] = dn / m1;
    zig_f[0] = 1.0;
    zig_f[127] = exp(-0.5 * dn * dn);
    for (int i = 126; i >= 1; i--) {
        dn = sqrt(-2.0 * log(vn / dn + exp(-0.5 * dn * dn)));
        zig_k[i + 1] = (uint32_t)(dn / tn * m1);
        tn = dn;
        zig_f[i] = exp(-0.5 * dn * dn);
        zig_w[i] = dn / m1;
    }
}

static inline void zig_draw(rng *r, int32_t *hz, unsigned *iz)
{
    uint64_t u = rng_next(r);
    *hz = (int32_t)(uint32_t)(u >> 32);
    *iz = (unsigned)(u >> 20) & 127u;
}

static inline uint32_t zig_abs(int32_t hz)
{
    return hz < 0 ? (uint32_t)0 - (uint32_t)hz : (uint32_t)hz;
}

static double normal_slow(rng *r, int32_t hz, unsigned iz)
{
    for (;;) {
        double x = hz * zig_w[iz];
        if (iz == 0) { /* the tail beyond ZIG_R */
            double y;
            do {
                x = -log(rng_uniform(r)) / ZIG_R;
                y = -log(rng_uniform(r));
            } while (y + y < x * x);
            return hz > 0 ? ZIG_R + x : -ZIG_R - x;
        }
        if (zig_f[iz] + rng_uniform(r) * (zig_f[iz - 1] - zig_f[iz]) < exp(-0.5 * x * x))
            return x;
        zig_draw(r, &hz, &iz);
        if (zig_abs(hz) < zig_k[iz])
            return hz * zig_w[iz];
    }
}

static inline double normal(rng *r)
{
    int32_t hz;
    unsigned iz;
    zig_draw(r, &hz, &iz);
    if (zig_abs(hz) < zig_k[iz])
        return hz * zig_w[iz];
    return normal_slow(r, hz, iz);
}

static void fill_normal(rng *r, double *out, size_t n, double shift)
{
    for (size_t i = 0; i < n; i++)
        out[i] = normal(r) + shift;
}

/* ---- Helpers ---------------------------------------------------------------- */

static int fail(const char *what)
{
    fprintf(stderr, "bench-drift: %s: %s\n", what, mlops_last_error());
    return 1;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "bench-drift: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    return p;
}

static char **make_names(size_t cols)
{
    char **names = xmalloc(cols * sizeof *names);
    for (size_t j = 0; j < cols; j++) {
        names[j] = xmalloc(24);
        snprintf(names[j], 24, "x%zu", j);
    }
    return names;
}

static void free_names(char **names, size_t cols)
{
    for (size_t j = 0; j < cols; j++)
        free(names[j]);
    free(names);
}

static int set_int(mlops_profile *p, const char *key, unsigned long long v)
{
    char text[32];
    snprintf(text, sizeof text, "%llu", v);
    return mlops_profile_set(p, key, text);
}

/* rows x cols normal values, column j shifted by shift[j] (NULL: none),
 * drawn from stream `stream` of `kind`; columns are generated one at a time
 * into `buf` (rows doubles) and copied by the builder. */
static int make_batch(mlops_dataset **out, size_t rows, size_t cols, char *const *names,
                      uint64_t seed, int kind, uint64_t stream, const double *shift,
                      double *buf)
{
    mlops_dataset_builder *b = NULL;
    rng r;
    rng_seed(&r, seed, kind, stream);
    int rc = mlops_dataset_builder_create(&b, rows);
    for (size_t j = 0; rc == MLOPS_OK && j < cols; j++) {
        fill_normal(&r, buf, rows, shift ? shift[j] : 0.0);
        rc = mlops_dataset_builder_add_numeric(b, names[j], buf);
    }
    if (rc == MLOPS_OK)
        rc = mlops_dataset_builder_finish(b, out);
    mlops_dataset_builder_free(b);
    return rc;
}

/* Number of columns the report's JSON marks "exact": true. */
static size_t exact_columns(const mlops_drift_report *r)
{
    char *json = NULL;
    size_t n = 0;
    if (mlops_drift_report_json(r, &json) != MLOPS_OK)
        return 0;
    for (const char *s = json; (s = strstr(s, "\"exact\"")) != NULL;) {
        s += 7;
        while (*s == ' ' || *s == ':')
            s++;
        if (strncmp(s, "true", 4) == 0)
            n++;
    }
    mlops_free(json);
    return n;
}

static int parse_size(const char *text, const char *what, size_t *out)
{
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (*text < '0' || *text > '9' || *end != '\0') {
        fprintf(stderr, "bench-drift: %s must be a whole number, not '%s'\n", what, text);
        return 1;
    }
    *out = (size_t)v;
    return 0;
}

/* ---- Profiling jobs (one per thread) ---------------------------------------- */

/* What a thread builds: a new profile (like NULL: from mlops_profile_create()
 * with `exact_limit` unless 0) or a create_like profile (quality 0 when
 * `quality0`), fed either ready shards or generated batches. */
typedef struct {
    const mlops_profile *like;
    int quality0;
    size_t exact_limit;
    size_t lib_threads; /* the profile's own threads setting (0: default) */
    /* ready shards: shards[first], shards[first + step], ... */
    mlops_dataset *const *shards;
    size_t nshards, first, step;
    /* generated batches [b0, b1) of `batch` rows out of `rows` */
    size_t rows, cols, batch, b0, b1;
    char *const *names;
    uint64_t seed;
    int kind;
    const double *shift;
    /* results */
    mlops_profile *p;
    int rc;
    char err[512];
    double gen_cpu, build_cpu, add_cpu;
} job;

static int job_profile(job *jb)
{
    int rc;
    if (jb->like) {
        rc = mlops_profile_create_like(&jb->p, jb->like);
        if (rc == MLOPS_OK && jb->quality0)
            rc = mlops_profile_set(jb->p, "quality", "0");
        if (rc == MLOPS_OK && jb->lib_threads)
            rc = set_int(jb->p, "threads", jb->lib_threads);
        return rc;
    }
    rc = mlops_profile_create(&jb->p);
    if (rc == MLOPS_OK && jb->lib_threads) rc = set_int(jb->p, "threads", jb->lib_threads);
    if (rc == MLOPS_OK && jb->exact_limit) {
        rc = set_int(jb->p, "quantile_exact_limit", jb->exact_limit);
        if (rc == MLOPS_OK)
            rc = mlops_profile_set(jb->p, "exact_values_budget", "0");
    }
    return rc;
}

static void *job_run(void *arg)
{
    job *jb = arg;
    int rc = job_profile(jb);
    double *buf = NULL;
    if (rc == MLOPS_OK && jb->shards) {
        double c = thread_cpu();
        for (size_t s = jb->first; rc == MLOPS_OK && s < jb->nshards; s += jb->step)
            rc = mlops_profile_add(jb->p, jb->shards[s]);
        jb->add_cpu += thread_cpu() - c;
    } else if (rc == MLOPS_OK) {
        buf = xmalloc(jb->batch * sizeof *buf);
        for (size_t b = jb->b0; rc == MLOPS_OK && b < jb->b1; b++) {
            size_t n = jb->rows - b * jb->batch < jb->batch ? jb->rows - b * jb->batch
                                                             : jb->batch;
            mlops_dataset *d = NULL;
            mlops_dataset_builder *bl = NULL;
            rng r;
            double c0 = thread_cpu(), gen = 0;
            rng_seed(&r, jb->seed, jb->kind, b);
            rc = mlops_dataset_builder_create(&bl, n);
            for (size_t j = 0; rc == MLOPS_OK && j < jb->cols; j++) {
                double g = thread_cpu();
                fill_normal(&r, buf, n, jb->shift ? jb->shift[j] : 0.0);
                gen += thread_cpu() - g;
                rc = mlops_dataset_builder_add_numeric(bl, jb->names[j], buf);
            }
            if (rc == MLOPS_OK)
                rc = mlops_dataset_builder_finish(bl, &d);
            mlops_dataset_builder_free(bl);
            double c1 = thread_cpu();
            if (rc == MLOPS_OK)
                rc = mlops_profile_add(jb->p, d);
            double c2 = thread_cpu();
            mlops_dataset_free(d);
            jb->gen_cpu += gen;
            jb->build_cpu += (c1 - c0) - gen + (thread_cpu() - c2);
            jb->add_cpu += c2 - c1;
        }
        free(buf);
    }
    jb->rc = rc;
    if (rc != MLOPS_OK)
        snprintf(jb->err, sizeof jb->err, "%s", mlops_last_error());
    return NULL;
}

/* Runs jobs[0..n) (in this thread when n == 1), merges every profile into
 * jobs[0].p and returns it in *out. *merge_s gets the merging time. */
static int run_jobs(job *jobs, size_t n, mlops_profile **out, double *merge_s)
{
    pthread_t tid[MAX_THREADS];
    size_t started = 0;
    int rc = MLOPS_OK;
    if (n == 1)
        job_run(&jobs[0]);
    else
        for (; started < n; started++)
            if (pthread_create(&tid[started], NULL, job_run, &jobs[started]) != 0) {
                fprintf(stderr, "bench-drift: cannot start thread %zu\n", started);
                rc = 1;
                break;
            }
    for (size_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    for (size_t t = 0; rc == MLOPS_OK && t < n; t++)
        if (jobs[t].rc != MLOPS_OK) {
            fprintf(stderr, "bench-drift: profiling thread %zu: %s\n", t, jobs[t].err);
            rc = 1;
        }
    double t0 = now();
    for (size_t t = 1; rc == MLOPS_OK && t < n; t++)
        if (mlops_profile_merge(jobs[0].p, jobs[t].p) != MLOPS_OK)
            rc = fail("mlops_profile_merge");
    *merge_s = now() - t0;
    for (size_t t = 1; t < n; t++) {
        mlops_profile_free(jobs[t].p);
        jobs[t].p = NULL;
    }
    if (rc != MLOPS_OK) {
        mlops_profile_free(jobs[0].p);
        jobs[0].p = NULL;
    }
    *out = jobs[0].p;
    return rc;
}

/* ---- ks: 1,000,000 x 100 in memory, KS and PSI on every column ------------- */

typedef struct {
    double ref_add_s, ref_merge_s, fix_s, cur_add_s, cur_merge_s, ks_s, psi_s, total_s, cpu_s;
    size_t p05, ks_drifted, ks_exact, psi_drifted, compared;
    double max_ks, max_psi;
} ks_result;

static int set_monitor_threads(mlops_drift_monitor *m, size_t threads)
{
    char text[32];
    snprintf(text, sizeof text, "%zu", threads);
    return mlops_drift_monitor_set_param(m, "threads", text);
}

static int ks_once(mlops_dataset *const *ref_shards, mlops_dataset *const *cur_shards,
                   size_t nshards, size_t threads, size_t rows, ks_result *res)
{
    job jobs[MAX_THREADS];
    mlops_profile *ref = NULL, *cur = NULL;
    mlops_drift_monitor *m = NULL;
    mlops_drift_report *rk = NULL, *rp = NULL;
    int rc = 1;
    memset(res, 0, sizeof *res);
    double c0 = process_cpu(), t0 = now(), t;

    /* One profile per side; the library shares its columns out to
     * `threads` threads (its threads setting), so nothing is merged. */
    memset(jobs, 0, sizeof jobs);
    jobs[0].exact_limit = rows;
    jobs[0].lib_threads = threads;
    jobs[0].shards = ref_shards;
    jobs[0].nshards = nshards;
    jobs[0].first = 0;
    jobs[0].step = 1;
    if (run_jobs(jobs, 1, &ref, &res->ref_merge_s))
        goto done;
    res->ref_add_s = now() - t0 - res->ref_merge_s;
    t = now();
    if (mlops_profile_fix_bins(ref) != MLOPS_OK) {
        fail("mlops_profile_fix_bins");
        goto done;
    }
    res->fix_s = now() - t;

    t = now();
    memset(jobs, 0, sizeof jobs);
    jobs[0].like = ref;
    jobs[0].quality0 = 1;
    jobs[0].lib_threads = threads;
    jobs[0].shards = cur_shards;
    jobs[0].nshards = nshards;
    jobs[0].first = 0;
    jobs[0].step = 1;
    if (run_jobs(jobs, 1, &cur, &res->cur_merge_s))
        goto done;
    res->cur_add_s = now() - t - res->cur_merge_s;

    t = now();
    if (mlops_drift_monitor_create(&m, ref) != MLOPS_OK ||
        set_monitor_threads(m, threads) != MLOPS_OK ||
        mlops_drift_monitor_set_method(m, "ks", NAN) != MLOPS_OK ||
        mlops_drift_monitor_set_param(m, "correction", "none") != MLOPS_OK ||
        mlops_drift_monitor_compare(m, cur, &rk) != MLOPS_OK) {
        fail("ks compare");
        goto done;
    }
    res->ks_s = now() - t;
    t = now();
    if (mlops_drift_monitor_set_method(m, "psi", NAN) != MLOPS_OK ||
        mlops_drift_monitor_compare(m, cur, &rp) != MLOPS_OK) {
        fail("psi compare");
        goto done;
    }
    res->psi_s = now() - t;
    res->total_s = now() - t0;
    res->cpu_s = process_cpu() - c0;

    res->compared = mlops_drift_report_column_count(rk);
    for (size_t i = 0; i < res->compared; i++) {
        const char *method;
        double stat, p;
        int drifted;
        mlops_drift_report_column(rk, i, NULL, &method, &stat, &p, NULL, NULL, &drifted);
        if (strcmp(method, "ks") != 0) {
            fprintf(stderr, "bench-drift: column %zu compared with %s, not ks\n", i, method);
            goto done;
        }
        res->p05 += p < 0.05;
        res->ks_drifted += drifted == 1;
        if (stat > res->max_ks)
            res->max_ks = stat;
    }
    res->ks_exact = exact_columns(rk);
    for (size_t i = 0; i < mlops_drift_report_column_count(rp); i++) {
        double stat;
        int drifted;
        mlops_drift_report_column(rp, i, NULL, NULL, &stat, NULL, NULL, NULL, &drifted);
        res->psi_drifted += drifted == 1;
        if (stat > res->max_psi)
            res->max_psi = stat;
    }
    rc = 0;
done:
    mlops_drift_report_free(rk);
    mlops_drift_report_free(rp);
    mlops_drift_monitor_free(m);
    mlops_profile_free(cur);
    mlops_profile_free(ref);
    return rc;
}

static int bench_ks(size_t rows, size_t cols, const size_t *threads, size_t nthreads,
                    int reps, uint64_t seed)
{
    size_t nshards = 1;
    for (size_t i = 0; i < nthreads; i++)
        if (threads[i] > nshards)
            nshards = threads[i];
    if (rows < nshards) {
        fprintf(stderr, "bench-drift: ks needs at least %zu rows\n", nshards);
        return 2;
    }
    char **names = make_names(cols);
    double *shift = xmalloc(cols * sizeof *shift);
    for (size_t j = 0; j < cols; j++)
        shift[j] = j % 4 == 0 ? 0.05 : 0.0;
    mlops_dataset **ref = xmalloc(nshards * sizeof *ref), **cur = xmalloc(nshards * sizeof *cur);
    double *buf = xmalloc((rows / nshards + 1) * sizeof *buf);
    int rc = 1;
    memset(ref, 0, nshards * sizeof *ref);
    memset(cur, 0, nshards * sizeof *cur);

    double t0 = now();
    for (size_t s = 0; s < nshards; s++) {
        size_t lo = rows * s / nshards, hi = rows * (s + 1) / nshards;
        if (make_batch(&ref[s], hi - lo, cols, names, seed, KIND_REF, s, NULL, buf) ||
            make_batch(&cur[s], hi - lo, cols, names, seed, KIND_CUR, s, shift, buf)) {
            fail("building the data sets");
            goto done;
        }
    }
    double gen_s = now() - t0;
    free(buf);
    buf = NULL;

    for (size_t i = 0; i < nthreads; i++) {
        ks_result best, r;
        memset(&best, 0, sizeof best);
        best.total_s = INFINITY;
        for (int rep = 0; rep < reps; rep++) {
            if (ks_once(ref, cur, nshards, threads[i], rows, &r))
                goto done;
            if (r.total_s < best.total_s)
                best = r;
        }
        printf("libmlops what=ks rows=%zu cols=%zu threads=%zu shards=%zu reps=%d "
               "seconds=%.3f cpu_s=%.3f ref_s=%.3f ref_add_s=%.3f ref_merge_s=%.3f "
               "fix_bins_s=%.3f cur_s=%.3f cur_add_s=%.3f cur_merge_s=%.3f ks_s=%.4f "
               "psi_s=%.4f compared=%zu drifted_p05=%zu ks_drifted=%zu ks_exact_cols=%zu "
               "max_ks=%.6f psi_drifted=%zu max_psi=%.6f gen_s=%.2f peak_rss_MB=%.0f "
               "seed=%llu core=%s\n",
               rows, cols, threads[i], nshards, reps, best.total_s, best.cpu_s,
               best.ref_add_s + best.ref_merge_s + best.fix_s, best.ref_add_s,
               best.ref_merge_s, best.fix_s, best.cur_add_s + best.cur_merge_s,
               best.cur_add_s, best.cur_merge_s, best.ks_s, best.psi_s, best.compared,
               best.p05, best.ks_drifted, best.ks_exact, best.max_ks, best.psi_drifted,
               best.max_psi, gen_s, peak_rss_mb(), (unsigned long long)seed,
               openblas_get_corename());
        fflush(stdout);
    }
    rc = 0;
done:
    free(buf);
    for (size_t s = 0; s < nshards; s++) {
        mlops_dataset_free(ref[s]);
        mlops_dataset_free(cur[s]);
    }
    free(ref);
    free(cur);
    free(shift);
    free_names(names, cols);
    return rc;
}

/* ---- wide: 3,000,000 x 1,000 generated in batches, default methods --------- */

typedef struct {
    double wall_s, merge_s, gen_cpu, build_cpu, add_cpu;
} pass_time;

/* One pass over the batches in `threads` threads, each its contiguous share. */
static int wide_pass(const job *proto, size_t threads, mlops_profile **out, pass_time *pt)
{
    job jobs[MAX_THREADS];
    size_t nb = (proto->rows + proto->batch - 1) / proto->batch;
    double t0 = now();
    for (size_t i = 0; i < threads; i++) {
        jobs[i] = *proto;
        jobs[i].b0 = nb * i / threads;
        jobs[i].b1 = nb * (i + 1) / threads;
    }
    int rc = run_jobs(jobs, threads, out, &pt->merge_s);
    pt->wall_s = now() - t0;
    pt->gen_cpu = pt->build_cpu = pt->add_cpu = 0;
    for (size_t i = 0; i < threads; i++) {
        pt->gen_cpu += jobs[i].gen_cpu;
        pt->build_cpu += jobs[i].build_cpu;
        pt->add_cpu += jobs[i].add_cpu;
    }
    /* progress: the full-size passes take minutes */
    fprintf(stderr, "bench-drift: %s pass: %.1f s (CPU s: generate %.1f, build %.1f, add %.1f; "
            "merge %.2f s)\n", proto->like == NULL ? "first reference" :
            proto->kind == KIND_CUR ? "current" : "second reference", pt->wall_s, pt->gen_cpu,
            pt->build_cpu, pt->add_cpu, pt->merge_s);
    return rc;
}

static int bench_wide(size_t rows, size_t cols, size_t threads, size_t batch, uint64_t seed,
                      int pass2_quality0)
{
    char **names = make_names(cols);
    double *shift = xmalloc(cols * sizeof *shift);
    size_t shifted = 0, small = 0;
    for (size_t j = 0; j < cols; j++) {
        shift[j] = j % 4 == 0 ? 0.25 : j % 4 == 2 ? 0.02 : 0.0;
        shifted += j % 4 == 0;
        small += j % 4 == 2;
    }
    mlops_profile *p1 = NULL, *ref = NULL, *cur = NULL;
    mlops_drift_monitor *m = NULL;
    mlops_drift_report *r = NULL;
    pass_time pt1, pt2, pt3;
    int rc = 1;
    double rss0 = peak_rss_mb(), c0 = process_cpu(), t0 = now(), t;

    job proto;
    memset(&proto, 0, sizeof proto);
    proto.rows = rows;
    proto.cols = cols;
    proto.batch = batch;
    proto.names = names;
    proto.seed = seed;
    proto.kind = KIND_REF;
    if (wide_pass(&proto, threads, &p1, &pt1))
        goto done;
    t = now();
    if (mlops_profile_fix_bins(p1) != MLOPS_OK) {
        fail("mlops_profile_fix_bins");
        goto done;
    }
    double fix_s = now() - t;
    int estimated = 0;
    for (size_t j = 0; j < cols; j++) {
        int f = mlops_profile_column_flags(p1, j);
        estimated += f >= 0 && (f & MLOPS_PROFILE_HISTOGRAM_ESTIMATED);
    }

    proto.like = p1;
    proto.quality0 = pass2_quality0;
    if (wide_pass(&proto, threads, &ref, &pt2))
        goto done;
    mlops_profile_free(p1);
    p1 = NULL;

    proto.like = ref;
    proto.quality0 = 1;
    proto.kind = KIND_CUR;
    proto.shift = shift;
    if (wide_pass(&proto, threads, &cur, &pt3))
        goto done;

    t = now();
    if (mlops_drift_monitor_create(&m, ref) != MLOPS_OK ||
        mlops_drift_monitor_compare(m, cur, &r) != MLOPS_OK) {
        fail("compare");
        goto done;
    }
    double compare_s = now() - t, total_s = now() - t0, cpu_s = process_cpu() - c0;

    size_t drifted = 0, drifted_shifted = 0, drifted_small = 0, drifted_other = 0;
    size_t n = mlops_drift_report_column_count(r);
    double min_shifted = INFINITY, max_unshifted = 0;
    char methods[256] = "";
    for (size_t i = 0; i < n; i++) {
        const char *name, *method;
        double stat;
        int d;
        size_t col = 0;
        mlops_drift_report_column(r, i, &name, &method, &stat, NULL, NULL, NULL, &d);
        mlops_profile_column_index(ref, name, &col);
        drifted += d == 1;
        if (col % 4 == 0) {
            drifted_shifted += d == 1;
            if (stat < min_shifted)
                min_shifted = stat;
        } else {
            if (col % 4 == 2)
                drifted_small += d == 1;
            else
                drifted_other += d == 1;
            if (stat > max_unshifted)
                max_unshifted = stat;
        }
        if (!strstr(methods, method) && strlen(methods) + strlen(method) + 2 < sizeof methods) {
            if (*methods)
                strcat(methods, ",");
            strcat(methods, method);
        }
    }
    double share = NAN;
    int dataset_drift = mlops_drift_report_dataset_drift(r, &share);
    size_t nb = (rows + batch - 1) / batch;
    printf("libmlops what=wide rows=%zu cols=%zu threads=%zu batch=%zu batches=%zu "
           "seconds=%.2f cpu_s=%.2f pass1_s=%.2f pass1_merge_s=%.3f fix_bins_s=%.3f "
           "pass2_s=%.2f pass2_merge_s=%.3f current_s=%.2f current_merge_s=%.3f "
           "compare_s=%.3f gen_cpu_s=%.2f build_cpu_s=%.2f add_cpu_s=%.2f "
           "pass1_add_cpu_s=%.2f pass2_add_cpu_s=%.2f current_add_cpu_s=%.2f "
           "estimated_hist_cols=%d compared=%zu methods=%s drifted=%zu shifted_cols=%zu "
           "drifted_shifted=%zu small_shift_cols=%zu drifted_small_shift=%zu "
           "drifted_unshifted=%zu min_stat_shifted=%.4f max_stat_unshifted=%.4f "
           "exact_cols=%zu dataset_drift=%d drift_share=%.3f batch_data_MB=%.1f "
           "rss_start_MB=%.1f peak_rss_MB=%.1f data_GB=%.1f pass2_quality=%d seed=%llu core=%s\n",
           rows, cols, threads, batch, nb, total_s, cpu_s, pt1.wall_s, pt1.merge_s, fix_s,
           pt2.wall_s, pt2.merge_s, pt3.wall_s, pt3.merge_s, compare_s,
           pt1.gen_cpu + pt2.gen_cpu + pt3.gen_cpu,
           pt1.build_cpu + pt2.build_cpu + pt3.build_cpu,
           pt1.add_cpu + pt2.add_cpu + pt3.add_cpu, pt1.add_cpu, pt2.add_cpu, pt3.add_cpu,
           estimated, n, *methods ? methods : "-", drifted, shifted, drifted_shifted, small,
           drifted_small, drifted_other, min_shifted, max_unshifted, exact_columns(r),
           dataset_drift, share, (double)threads * (double)batch * (double)cols * 8.0 / 1e6,
           rss0, peak_rss_mb(), (double)rows * (double)cols * 8.0 / 1e9,
           !pass2_quality0, (unsigned long long)seed, openblas_get_corename());
    rc = 0;
done:
    mlops_drift_report_free(r);
    mlops_drift_monitor_free(m);
    mlops_profile_free(cur);
    mlops_profile_free(ref);
    mlops_profile_free(p1);
    free(shift);
    free_names(names, cols);
    return rc;
}

/* ---- stream: update rate of mlops_profile_add() ----------------------------- */

static int bench_stream(size_t rows, size_t cols, size_t batches, uint64_t seed)
{
    enum { NV = 3 };
    static const char *const variant[NV] = {"like_q0", "like_q1", "default"};
    char **names = make_names(cols);
    double *buf = xmalloc(rows * sizeof *buf);
    mlops_profile *ref = NULL, *p[NV] = {NULL, NULL, NULL};
    mlops_dataset *d = NULL;
    double wall[NV] = {0}, cpu[NV] = {0};
    int rc = 1;

    if (make_batch(&d, rows, cols, names, seed, KIND_REF, 0, NULL, buf) ||
        mlops_profile_create(&ref) != MLOPS_OK || mlops_profile_add(ref, d) != MLOPS_OK ||
        mlops_profile_fix_bins(ref) != MLOPS_OK) {
        fail("reference profile");
        goto done;
    }
    mlops_dataset_free(d);
    d = NULL;
    if (mlops_profile_create_like(&p[0], ref) != MLOPS_OK ||
        mlops_profile_set(p[0], "quality", "0") != MLOPS_OK ||
        mlops_profile_create_like(&p[1], ref) != MLOPS_OK ||
        mlops_profile_create(&p[2]) != MLOPS_OK) {
        fail("stream profiles");
        goto done;
    }
    for (size_t b = 0; b < batches; b++) {
        if (make_batch(&d, rows, cols, names, seed, KIND_STREAM, b, NULL, buf)) {
            fail("building a batch");
            goto done;
        }
        for (int v = 0; v < NV; v++) {
            double c = thread_cpu(), t = now();
            if (mlops_profile_add(p[v], d) != MLOPS_OK) {
                fail(variant[v]);
                goto done;
            }
            wall[v] += now() - t;
            cpu[v] += thread_cpu() - c;
        }
        mlops_dataset_free(d);
        d = NULL;
    }
    double values = (double)rows * (double)cols * (double)batches;
    for (int v = 0; v < NV; v++)
        printf("libmlops what=stream variant=%s rows_per_batch=%zu cols=%zu batches=%zu "
               "values=%.0f seconds=%.3f cpu_s=%.3f values_per_s=%.4g values_per_cpu_s=%.4g "
               "peak_rss_MB=%.1f seed=%llu core=%s\n",
               variant[v], rows, cols, batches, values, wall[v], cpu[v], values / wall[v],
               values / cpu[v], peak_rss_mb(), (unsigned long long)seed,
               openblas_get_corename());
    rc = 0;
done:
    mlops_dataset_free(d);
    for (int v = 0; v < NV; v++)
        mlops_profile_free(p[v]);
    mlops_profile_free(ref);
    free(buf);
    free_names(names, cols);
    return rc;
}

/* ---- main ------------------------------------------------------------------------ */

static int usage(void)
{
    fprintf(stderr, "usage: bench-drift ks ROWS COLS [threads=1,2] [reps=R] [seed=S]\n"
                    "       bench-drift wide ROWS COLS [threads=T] [batch=B] [pass2_quality=Q] "
                    "[seed=S]\n"
                    "       bench-drift stream BATCH_ROWS COLS BATCHES [seed=S]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return usage();
    const char *what = argv[1];
    int stream = strcmp(what, "stream") == 0;
    if (strcmp(what, "ks") != 0 && strcmp(what, "wide") != 0 && !stream)
        return usage();
    size_t rows, cols, batches = 0, batch = 4096, threads[MAX_THREADS] = {1, 2}, nthreads = 2;
    uint64_t seed = 7;
    int reps = 1, first_opt = 4, pass2_quality0 = 0;
    if (parse_size(argv[2], "ROWS", &rows) || parse_size(argv[3], "COLS", &cols))
        return 2;
    if (stream) {
        if (argc < 5 || parse_size(argv[4], "BATCHES", &batches))
            return usage();
        first_opt = 5;
    }
    if (strcmp(what, "wide") == 0) {
        threads[0] = 2;
        nthreads = 1;
    }
    for (int i = first_opt; i < argc; i++) {
        size_t v;
        if (strncmp(argv[i], "threads=", 8) == 0) {
            nthreads = 0;
            for (char *s = argv[i] + 8; *s && nthreads < MAX_THREADS;) {
                char *end;
                unsigned long t = strtoul(s, &end, 10);
                if (end == s || t < 1 || t > MAX_THREADS) {
                    fprintf(stderr, "bench-drift: threads must be 1 .. %d, comma-separated\n",
                            MAX_THREADS);
                    return 2;
                }
                threads[nthreads++] = t;
                s = *end == ',' ? end + 1 : end;
            }
        } else if (strncmp(argv[i], "reps=", 5) == 0) {
            if (parse_size(argv[i] + 5, "reps", &v) || v < 1)
                return usage();
            reps = (int)v;
        } else if (strncmp(argv[i], "batch=", 6) == 0) {
            if (parse_size(argv[i] + 6, "batch", &batch) || batch < 1)
                return usage();
        } else if (strncmp(argv[i], "pass2_quality=", 14) == 0) {
            if (parse_size(argv[i] + 14, "pass2_quality", &v) || v > 1)
                return usage();
            pass2_quality0 = v == 0;
        } else if (strncmp(argv[i], "seed=", 5) == 0) {
            if (parse_size(argv[i] + 5, "seed", &v))
                return usage();
            seed = v;
        } else {
            fprintf(stderr, "bench-drift: unknown argument '%s'\n", argv[i]);
            return usage();
        }
    }
    if (rows < 1 || cols < 1 || nthreads < 1 || (stream && batches < 1)) {
        fprintf(stderr, "bench-drift: ROWS, COLS and BATCHES must be at least 1\n");
        return 2;
    }
    zig_init();
    if (strcmp(what, "ks") == 0)
        return bench_ks(rows, cols, threads, nthreads, reps, seed);
    if (stream)
        return bench_stream(rows, cols, batches, seed);
    return bench_wide(rows, cols, threads[0], batch, seed, pass2_quality0);
}
