/* SFC64 generator and the draws built on it (see rng.h for why SFC64). */
#include "core/rng.h"

static uint64_t rotl(uint64_t x, unsigned k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t mlops__rng_next(mlops__rng *rng)
{
    uint64_t out = rng->a + rng->b + rng->counter++;
    rng->a = rng->b ^ (rng->b >> 11);
    rng->b = rng->c + (rng->c << 3);
    rng->c = rotl(rng->c, 24) + out;
    return out;
}

void mlops__rng_seed(mlops__rng *rng, uint64_t seed)
{
    rng->a = rng->b = rng->c = seed;
    rng->counter = 1;
    for (int i = 0; i < 12; i++) (void)mlops__rng_next(rng);
}

double mlops__rng_uniform(mlops__rng *rng)
{
    return (double)(mlops__rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

uint64_t mlops__rng_below(mlops__rng *rng, uint64_t bound)
{
    /* Reject the top partial block of the 64-bit range so every residue is
     * equally likely; threshold = 2^64 mod bound. */
    uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        uint64_t x = mlops__rng_next(rng);
        if (x >= threshold) return x % bound;
    }
}

void mlops__rng_shuffle(mlops__rng *rng, size_t *items, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)mlops__rng_below(rng, (uint64_t)i);
        size_t t = items[i - 1];
        items[i - 1] = items[j];
        items[j] = t;
    }
}
