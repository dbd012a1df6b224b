/* Private: HyperLogLog distinct-count sketch, precision 14 (16384 one-byte
 * registers, 16 KiB) over 64-bit hashes.
 *
 * Used by the profile once a column holds more distinct values than its exact
 * limit, so memory stays constant however many values stream past. The
 * estimate is Ertl's "improved raw estimator" (Ertl 2017, "New cardinality
 * estimation algorithms for HyperLogLog sketches", algorithm 6), which is
 * nearly unbiased over the whole range without HLL++'s empirical tables;
 * its relative standard error is 1.04 / sqrt(16384) = 0.81%. Two sketches
 * merge by taking the register-wise maximum, which gives exactly the sketch
 * of the union. */
#ifndef MLOPS_DATA_HLL_H
#define MLOPS_DATA_HLL_H

#include <stdint.h>

enum { MLOPS_HLL_PRECISION = 14, MLOPS_HLL_REGISTERS = 1 << MLOPS_HLL_PRECISION };

/* Relative standard error of the estimate. */
#define MLOPS_HLL_RELATIVE_ERROR 0.008125

typedef struct mlops__hll {
    uint8_t *reg;  /* MLOPS_HLL_REGISTERS entries, NULL when not in use */
} mlops__hll;

/* Allocates zeroed registers. */
int mlops__hll_init(mlops__hll *h);
void mlops__hll_free(mlops__hll *h);
void mlops__hll_add(mlops__hll *h, uint64_t hash);
/* h := union of h and o. */
void mlops__hll_merge(mlops__hll *h, const mlops__hll *o);
/* A copy of `src` (with registers) into `dst`. */
int mlops__hll_copy(mlops__hll *dst, const mlops__hll *src);
double mlops__hll_estimate(const mlops__hll *h);

#endif
