/* Private: the library's seeded random number generator.
 * SFC64 (Chris Doty-Humphrey's small fast chaotic generator): 64-bit integer
 * arithmetic only, so a seed gives the same stream on every platform and
 * compiler, and NumPy's numpy.random.SFC64 reproduces it for tests. Splits,
 * folds, shuffles and bootstrap samples all draw from it. */
#ifndef MLOPS_CORE_RNG_H
#define MLOPS_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct mlops__rng {
    uint64_t a, b, c, counter;
} mlops__rng;

/* Seeds the generator: a = b = c = seed, counter = 1, then 12 outputs are
 * discarded so nearby seeds give unrelated streams. */
void mlops__rng_seed(mlops__rng *rng, uint64_t seed);
uint64_t mlops__rng_next(mlops__rng *rng);
/* Uniform double in [0, 1) from the top 53 bits (as NumPy's Generator.random). */
double mlops__rng_uniform(mlops__rng *rng);
/* Uniform integer in [0, bound), bound > 0, without modulo bias. */
uint64_t mlops__rng_below(mlops__rng *rng, uint64_t bound);
/* Fisher-Yates shuffle of `n` indices, from the last position down. */
void mlops__rng_shuffle(mlops__rng *rng, size_t *items, size_t n);

#endif
