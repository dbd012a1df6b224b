/* HyperLogLog with Ertl's improved estimator (see hll.h). */
#include "data/hll.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "mlops/errors.h"

/* Bits of the hash left after the register index; a register holds the
 * position of the first 1 bit among them (1 ... Q), or Q + 1 when all are 0. */
enum { Q = 64 - MLOPS_HLL_PRECISION };

int mlops__hll_init(mlops__hll *h)
{
    h->reg = mlops__calloc(MLOPS_HLL_REGISTERS, 1, "HyperLogLog registers");
    return h->reg ? MLOPS_OK : MLOPS_ENOMEM;
}

void mlops__hll_free(mlops__hll *h)
{
    mlops__free(h->reg);
    h->reg = NULL;
}

int mlops__hll_copy(mlops__hll *dst, const mlops__hll *src)
{
    int rc = mlops__hll_init(dst);
    if (rc == MLOPS_OK) memcpy(dst->reg, src->reg, MLOPS_HLL_REGISTERS);
    return rc;
}

void mlops__hll_add(mlops__hll *h, uint64_t hash)
{
    size_t index = (size_t)(hash >> Q);
    uint64_t rest = hash << MLOPS_HLL_PRECISION;
    uint8_t rank = 1;
    while (rank <= Q && !(rest & 0x8000000000000000ull)) {
        rest <<= 1;
        rank++;
    }
    if (rank > h->reg[index]) h->reg[index] = rank;
}

void mlops__hll_merge(mlops__hll *h, const mlops__hll *o)
{
    for (size_t i = 0; i < MLOPS_HLL_REGISTERS; i++)
        if (o->reg[i] > h->reg[i]) h->reg[i] = o->reg[i];
}

/* sigma and tau of Ertl's paper: the corrections for registers still 0 and
 * registers that saturated. */
static double sigma(double x)
{
    if (x == 1.0) return INFINITY;
    double y = 1.0, z = x, previous;
    do {
        x *= x;
        previous = z;
        z += x * y;
        y += y;
    } while (z != previous);
    return z;
}

static double tau(double x)
{
    if (x == 0.0 || x == 1.0) return 0.0;
    double y = 1.0, z = 1.0 - x, previous;
    do {
        x = sqrt(x);
        previous = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
    } while (z != previous);
    return z / 3.0;
}

double mlops__hll_estimate(const mlops__hll *h)
{
    uint32_t histogram[Q + 2] = {0};
    for (size_t i = 0; i < MLOPS_HLL_REGISTERS; i++) histogram[h->reg[i]]++;
    const double m = MLOPS_HLL_REGISTERS;
    if (histogram[0] == MLOPS_HLL_REGISTERS) return 0.0;
    double z = m * tau(1.0 - histogram[Q + 1] / m);
    for (int k = Q; k >= 1; k--) z = 0.5 * (z + histogram[k]);
    z += m * sigma(histogram[0] / m);
    return m * m / (2.0 * log(2.0)) / z;
}
