/* Benchmark: whole-file CSV reading. Prints seconds, MB/s, the dataset's
 * size and the process's peak resident memory, so the runner script can
 * report throughput and the peak/dataset memory ratio next to the peer. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <mlops.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench-csv FILE\n");
        return 2;
    }
    struct stat st;
    if (stat(argv[1], &st) != 0) {
        perror(argv[1]);
        return 1;
    }
    double t0 = now();
    mlops_dataset *d;
    if (mlops_dataset_read_csv(&d, argv[1], NULL) != MLOPS_OK) {
        fprintf(stderr, "bench-csv: %s\n", mlops_last_error());
        return 1;
    }
    double seconds = now() - t0;
    size_t rows = mlops_dataset_rows(d), cols = mlops_dataset_cols(d), bytes = 0;
    for (size_t j = 0; j < cols; j++)
        bytes += rows * (mlops_dataset_column_type(d, j) == MLOPS_NUMERIC ? sizeof(double) : sizeof(int32_t));
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("libmlops rows=%zu cols=%zu seconds=%.3f MB_per_s=%.1f dataset_MB=%.1f peak_rss_MB=%.1f\n",
           rows, cols, seconds, (double)st.st_size / 1e6 / seconds, (double)bytes / 1e6,
           (double)ru.ru_maxrss / 1024.0);
    mlops_dataset_free(d);
    return 0;
}
