/* Small numeric helpers shared by the optimizers, the logistic objective
 * and prediction: one definition each, so every path rounds alike. */
#include <math.h>

#include "train/problem.h"

double mlops__dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

double mlops__max_abs(const double *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double a = fabs(v[i]);
        if (a > m || isnan(a)) m = a;
    }
    return m;
}

double mlops__sigmoid(double z)
{
    if (z >= 0) return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}
