/* Micro-benchmark of the CSV reader's number parser against strtod, on the
 * two shapes that dominate real files: pixel-style integers "0".."255" and
 * "%.6f" decimals. Fields sit back to back in one buffer, separated by
 * commas and not NUL-terminated, as the reader sees them; strtod gets the
 * same bytes and stops at the comma. Each timing is the best of a few runs,
 * and the two parsers' results are compared bit for bit.
 *
 * usage: bench-parse-number [fields]     (default 10,000,000 per shape) */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rng.h"
#include "data/parse_number.h"

enum { RUNS = 3 };

typedef struct {
    char *text;       /* fields, each followed by ',' */
    uint32_t *starts; /* count + 1 offsets; field i is [starts[i], starts[i+1] - 1) */
    size_t count;
} field_set;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench-parse-number: %s\n", what);
    exit(EXIT_FAILURE);
}

/* shape 0: integers 0..255; shape 1: "%.6f" of uniform values in (-1000, 1000). */
static field_set make_fields(size_t count, int shape, uint64_t seed)
{
    enum { MAX_FIELD = 24 };
    field_set set = {NULL, NULL, count};
    if (count > (UINT32_MAX - 1) / MAX_FIELD) die("too many fields");
    set.text = malloc(count * MAX_FIELD);
    set.starts = malloc((count + 1) * sizeof *set.starts);
    if (!set.text || !set.starts) die("out of memory");
    mlops__rng rng;
    mlops__rng_seed(&rng, seed);
    size_t len = 0;
    for (size_t i = 0; i < count; i++) {
        set.starts[i] = (uint32_t)len;
        int n;
        if (shape == 0)
            n = snprintf(set.text + len, MAX_FIELD, "%u", (unsigned)mlops__rng_below(&rng, 256));
        else
            n = snprintf(set.text + len, MAX_FIELD, "%.6f",
                         (mlops__rng_uniform(&rng) * 2.0 - 1.0) * 1000.0);
        len += (size_t)n;
        set.text[len++] = ',';
    }
    set.starts[count] = (uint32_t)len;
    return set;
}

static size_t text_bytes(const field_set *set)
{
    return set->starts[set->count] - set->count; /* without the commas */
}

static double time_parse_double(const field_set *set, double *values)
{
    double best = 1e300;
    for (int run = 0; run < RUNS; run++) {
        double t0 = now_seconds();
        for (size_t i = 0; i < set->count; i++) {
            const char *s = set->text + set->starts[i];
            size_t n = set->starts[i + 1] - set->starts[i] - 1;
            if (!mlops__parse_double(s, n, &values[i])) die("field rejected");
        }
        double t = now_seconds() - t0;
        if (t < best) best = t;
    }
    return best;
}

static double time_strtod(const field_set *set, double *values)
{
    double best = 1e300;
    for (int run = 0; run < RUNS; run++) {
        double t0 = now_seconds();
        for (size_t i = 0; i < set->count; i++) {
            char *end;
            values[i] = strtod(set->text + set->starts[i], &end);
            if (*end != ',') die("strtod stopped early");
        }
        double t = now_seconds() - t0;
        if (t < best) best = t;
    }
    return best;
}

int main(int argc, char **argv)
{
    size_t count = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 10000000;
    if (count == 0) die("field count must be positive");
    static const char *const names[2] = {"integers 0..255", "%.6f decimals"};
    double *ours = malloc(count * sizeof *ours);
    double *theirs = malloc(count * sizeof *theirs);
    if (!ours || !theirs) die("out of memory");
    printf("%zu fields per shape, best of %d runs\n", count, RUNS);
    printf("%-18s %12s %12s %10s %10s %8s\n", "shape", "parse ns", "strtod ns", "parse MB/s",
           "strtod MB/s", "speedup");
    int status = EXIT_SUCCESS;
    for (int shape = 0; shape < 2; shape++) {
        field_set set = make_fields(count, shape, 1234 + (uint64_t)shape);
        double t_ours = time_parse_double(&set, ours);
        double t_theirs = time_strtod(&set, theirs);
        size_t mismatches = 0;
        for (size_t i = 0; i < count; i++)
            mismatches += memcmp(&ours[i], &theirs[i], sizeof ours[i]) != 0;
        double mb = (double)text_bytes(&set) / 1e6;
        printf("%-18s %12.2f %12.2f %10.0f %10.0f %7.1fx\n", names[shape],
               t_ours * 1e9 / (double)count, t_theirs * 1e9 / (double)count, mb / t_ours,
               mb / t_theirs, t_theirs / t_ours);
        if (mismatches) {
            printf("  %zu results differ from strtod\n", mismatches);
            status = EXIT_FAILURE;
        }
        free(set.text);
        free(set.starts);
    }
    free(ours);
    free(theirs);
    return status;
}
