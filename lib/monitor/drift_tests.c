/* The hypothesis tests under the drift statistics: two-sample
 * Kolmogorov-Smirnov, chi-square homogeneity, the two-proportion z-test,
 * and their distribution functions. The rules for choosing between exact
 * and asymptotic computations follow SciPy 1.10 so the p-values agree with
 * the reference users compare against; the numerics are chosen so that
 * every survival function keeps its relative accuracy in the far tail,
 * which is where drift alarms live. See drift_tests.h for the contracts. */
#include "monitor/drift_tests.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

static const double PI = 3.14159265358979323846;
static const double SQRT_2PI = 2.50662827463100050242;
static const double LN_SQRT_2PI = 0.91893853320467274178;
/* 1/sqrt(2) as a double-double: hi + lo. */
static const double INV_SQRT2_HI = 0x1.6a09e667f3bcdp-1;
static const double INV_SQRT2_LO = -0x1.bdd3413b26456p-55;
/* log(2^-1074), below which SciPy's Smirnov function returns 0. */
static const double SMIRNOV_MINLOG = -7.451332191019412076235e2;

static double clip01(double p)
{
    return p < 0.0 ? 0.0 : (p > 1.0 ? 1.0 : p);
}

/* The rounding error of a * b: a * b == p + *err exactly (Dekker's product,
 * exact without a fused multiply-add while nothing overflows). */
static double two_prod(double a, double b, double *err)
{
    const double split = 134217729.0; /* 2^27 + 1 */
    double p = a * b;
    double ca = split * a, cb = split * b;
    double ah = ca - (ca - a), bh = cb - (cb - b);
    double al = a - ah, bl = b - bh;
    *err = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    return p;
}

/* u - log(1 + u) >= 0 for u > -1, to full relative accuracy: near 0 the
 * series in s = u / (2 + u), where log1p(u) = 2 atanh(s) and u - 2 s = u s,
 * so nothing cancels; elsewhere directly (at most ~3 bits lost). */
static double log1pmx_neg(double u)
{
    if (u > -0.4 && u < 0.66) {
        static const double inv_odd[] = {
            1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11, 1.0 / 13, 1.0 / 15, 1.0 / 17,
            1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25, 1.0 / 27, 1.0 / 29, 1.0 / 31, 1.0 / 33,
            1.0 / 35, 1.0 / 37, 1.0 / 39, 1.0 / 41, 1.0 / 43, 1.0 / 45, 1.0 / 47, 1.0 / 49,
        };
        /* |s| < 0.25: s^48 < 1e-28, far below the last term needed. */
        double s = u / (2.0 + u), s2 = s * s;
        double pw = s * s2, sum = 0.0;
        for (size_t j = 0; j < sizeof inv_odd / sizeof inv_odd[0]; j++) {
            double t = pw * inv_odd[j];
            sum += t;
            if (fabs(t) <= 1e-18 * fabs(sum)) break;
            pw *= s2;
        }
        return u * s - 2.0 * sum;
    }
    return u - log1p(u);
}

/* stirlerr(k) = ln Gamma(k + 1) - (k + 1/2) ln k + k - ln sqrt(2 pi) for
 * k = 1..9 (computed to 40 digits). */
static const double STIRLERR_SMALL[10] = {
    0.0,
    0x1.4c071bcda0a5bp-4, 0x1.52a9b923ea649p-5, 0x1.c579a268d80b3p-6,
    0x1.54a2662fd78a9p-6, 0x1.10b4e513fcbedp-6, 0x1.c6b167bebdf36p-7,
    0x1.85d4d612e4a86p-7, 0x1.552805e7b3076p-7, 0x1.2f4871b12ab64p-7,
};

/* The Stirling-formula error ln Gamma(a + 1) - (a + 1/2) ln a + a - ln sqrt(2 pi),
 * a >= 1: the table for small integers, the asymptotic series (8 terms,
 * truncation below 1e-17 for a >= 10) otherwise. */
static double stirlerr(double a)
{
    if (a < 10.0) {
        double k = floor(a);
        if (k == a && k >= 1.0) return STIRLERR_SMALL[(int)k];
        return log(tgamma(a + 1.0)) - (a + 0.5) * log(a) + a - LN_SQRT_2PI;
    }
    double r = 1.0 / a, r2 = r * r;
    if (a >= 1000.0) return (1.0 / 12.0 - (1.0 / 360.0 - r2 / 1260.0) * r2) * r; /* next < 1e-24 */
    double s = -3617.0 / 122400.0;
    s = s * r2 + 1.0 / 156.0;
    s = s * r2 - 691.0 / 360360.0;
    s = s * r2 + 1.0 / 1188.0;
    s = s * r2 - 1.0 / 1680.0;
    s = s * r2 + 1.0 / 1260.0;
    s = s * r2 - 1.0 / 360.0;
    s = s * r2 + 1.0 / 12.0;
    return s * r;
}

/* ------------------------------------------------------------------------
 * Normal and Kolmogorov limit
 * ------------------------------------------------------------------------ */

double mlops__norm_sf(double x)
{
    if (isnan(x)) return x;
    if (isinf(x)) return x > 0 ? 0.0 : 1.0;
    /* t + dt = x / sqrt(2) to about 2^-100 relative; erfc(t + dt) =
     * erfc(t) (1 - 2 t dt + ...) corrects the rounding of t, which would
     * otherwise cost a relative error of x^2 ulp far in the tail. */
    if (fabs(x) > 1e10) return x > 0 ? 0.0 : 1.0;
    double err;
    double t = two_prod(x, INV_SQRT2_HI, &err);
    double dt = err + x * INV_SQRT2_LO;
    double q = 0.5 * erfc(t) - dt * exp(-t * t) / sqrt(PI);
    return clip01(q);
}

double mlops__kolmogorov_sf(double x)
{
    if (isnan(x)) return x;
    if (x <= 0.0) return 1.0;
    if (x <= 0.82) {
        /* 1 - K(x) = sqrt(2 pi) / x sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 x^2)):
         * at most 0.49 here, so the subtraction is harmless. */
        double e = -PI * PI / (8.0 * x * x);
        if (e < -745.0) return 1.0;
        double u = exp(e), u8 = exp(8.0 * e);
        double cdf = SQRT_2PI / x * u * (1.0 + u8 * (1.0 + u8 * u8 * (1.0 + u8 * u8 * u8)));
        return clip01(1.0 - cdf);
    }
    /* K(x) = 2 (v - v^4 + v^9 - ...), v = exp(-2 x^2); x^2 is taken
     * exactly (hi + lo) so the tail keeps its digits. */
    if (x > 40.0) return 0.0;
    double lo;
    double hi = two_prod(x, x, &lo);
    double v = exp(-2.0 * hi) * (1.0 - 2.0 * lo);
    if (v == 0.0) return 0.0;
    double sum = v, sign = -1.0;
    for (int k = 2; k < 20; k++) {
        double t = exp(-2.0 * hi * k * k);
        sum += sign * t;
        if (t <= 1e-18 * sum) break;
        sign = -sign;
    }
    return clip01(2.0 * sum);
}

/* ------------------------------------------------------------------------
 * Smirnov one-sided distribution
 * ------------------------------------------------------------------------ */

/* x * C(n, v) a^(v-1) (1 - a)^(n-v), a = x + v/n: term v of the sum for
 * P(D+_n >= x). For v >= 1 it is (x / a) dbinom(v; n, a), evaluated as
 * Loader does, so the only large quantities are the (non-negative) deviance
 * terms, which are small wherever the term matters. */
static double smirnov_term(double dn, double x, double nx, double stirl_n, uint64_t n,
                           uint64_t v)
{
    if (v == 0) return exp(dn * log1p(-x));
    double dv = (double)v, dw = (double)(n - v);
    double expo = stirl_n - stirlerr(dv) - stirlerr(dw) - dv * log1pmx_neg(nx / dv) -
                  dw * log1pmx_neg(-nx / dw);
    return nx / (nx + dv) * exp(expo) * sqrt(dn / (2.0 * PI * dv * dw));
}

/* Neumaier's compensated sum. */
typedef struct ksum {
    double s, c;
} ksum;

static void ksum_add(ksum *k, double x)
{
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x)) k->c += (k->s - t) + x;
    else k->c += (x - t) + k->s;
    k->s = t;
}

/* Sum of the terms v = 0..vmax, starting near the largest (a = 1/2) and
 * walking both ways until what is left is below 2^-60 of the sum. The
 * terms rise to one peak and fall, so a walk may stop only once its terms
 * decrease. */
static double smirnov_sum(uint64_t n, double x, uint64_t vmax)
{
    double dn = (double)n, nx = dn * x, stirl_n = stirlerr(dn);
    double mid = dn * (0.5 - x);
    uint64_t v0 = mid <= 0.0 ? 0 : (uint64_t)mid;
    if (v0 > vmax) v0 = vmax;
    ksum acc = {0.0, 0.0};
    double prev = 0.0;
    for (uint64_t v = v0; v <= vmax; v++) {
        double t = smirnov_term(dn, x, nx, stirl_n, n, v);
        ksum_add(&acc, t);
        if (t < prev && t * (double)(vmax - v) <= 0x1p-60 * acc.s) break;
        prev = t;
    }
    prev = 0.0;
    for (uint64_t v = v0; v-- > 0;) {
        double t = smirnov_term(dn, x, nx, stirl_n, n, v);
        ksum_add(&acc, t);
        if (t < prev && t * (double)v <= 0x1p-60 * acc.s) break;
        prev = t;
    }
    return acc.s + acc.c;
}

double mlops__smirnov_sf(uint64_t n, double x)
{
    if (n == 0 || !(x >= 0.0 && x <= 1.0)) return NAN;
    if (n == 1) return 1.0 - x;
    if (x == 0.0) return 1.0;
    if (x == 1.0) return 0.0;
    double dn = (double)n;
    /* floor(n x) exactly, and whether n x is an integer. */
    double err;
    double p = two_prod(dn, x, &err);
    double fl = floor(p);
    bool integral = false;
    if (p == fl) {
        if (err < 0.0) fl -= 1.0;
        else if (err == 0.0) integral = true;
    }
    uint64_t nxfl = (uint64_t)fl;
    if (nxfl == 0 || (nxfl == 1 && integral)) {
        /* x <= 1/n: P(D+ < x) = x (1 + x)^(n-1). */
        double cdf = x * exp((dn - 1.0) * log1p(x));
        return clip01(1.0 - cdf);
    }
    if (-2.0 * dn * x * x < SMIRNOV_MINLOG) return 0.0;
    if (nxfl >= n - 1) return pow(1.0 - x, dn); /* 1 - x is exact: x >= 1/2 */
    if (n > 1000000) {
        /* SciPy's large-n approximation (its exact sum is too slow there). */
        double t = 6.0 * dn * x + 1.0;
        return exp(-(t * t) / 18.0 / dn);
    }
    /* Terms v = 0 .. floor(n (1 - x)); the last one is 0 when n x is an
     * integer, so stop before it then. */
    return clip01(smirnov_sum(n, x, n - nxfl - 1));
}

/* ------------------------------------------------------------------------
 * Kolmogorov distribution for finite n (scipy.stats.kstwo)
 * ------------------------------------------------------------------------ */

/* c = a b for m x m matrices (c distinct from a and b). */
static void matmul(const double *a, const double *b, double *c, int m)
{
    for (int i = 0; i < m; i++) {
        double *ci = c + (size_t)i * m;
        for (int j = 0; j < m; j++) ci[j] = 0.0;
        for (int l = 0; l < m; l++) {
            double ail = a[(size_t)i * m + l];
            if (ail == 0.0) continue;
            const double *bl = b + (size_t)l * m;
            for (int j = 0; j < m; j++) ci[j] += ail * bl[j];
        }
    }
}

/* Scales the matrix so its largest entry is in [1/2, 1), adding the power
 * of two taken out to *expo. */
static void rescale(double *a, int m, long *expo)
{
    double mx = 0.0;
    size_t len = (size_t)m * m;
    for (size_t i = 0; i < len; i++)
        if (a[i] > mx) mx = a[i];
    if (mx == 0.0) return;
    int e;
    frexp(mx, &e);
    if (e > -64 && e < 64) return;
    for (size_t i = 0; i < len; i++) a[i] = ldexp(a[i], -e);
    *expo += e;
}

/* P(D_n < d) by Durbin's matrix formula as Marsaglia, Tsang and Wang
 * evaluate it: with n d = k - h (k integer, 0 <= h < 1) and m = 2k - 1,
 * the probability is n!/n^n (H^n)[k-1][k-1] for an m x m matrix H of
 * reciprocal factorials. Entries are non-negative, so the products lose no
 * digits. For 1/(2n) < d < 1. */
static int durbin_cdf(uint64_t n, double d, double *out)
{
    double nd = (double)n * d;
    int k = (int)ceil(nd);
    double h = k - nd;
    int m = 2 * k - 1;
    size_t cells = (size_t)m * (size_t)m;
    double *work = mlops__malloc_array(3 * cells, sizeof *work, "Kolmogorov distribution matrix");
    if (!work) return MLOPS_ENOMEM;
    double *hm = work, *acc = work + cells, *tmp = work + 2 * cells;

    /* H[i][j] = 1/(i - j + 1)! (0 above the superdiagonal), except the first
     * column (1 - h^(i+1))/(i+1)!, the last row (1 - h^(m-j))/(m-j)! and
     * their corner (1 - 2 h^m + max(0, 2h - 1)^m)/m!. */
    memset(hm, 0, cells * sizeof *hm);
    double inv_fact = 1.0;
    for (int r = 1; r <= m; r++) {
        inv_fact /= r;
        /* H[i][j] = 1/(i-j+1)! for i - j + 1 = r >= 1, i.e. j = i + 1 - r. */
        for (int i = r - 1; i < m; i++) hm[(size_t)i * m + (i + 1 - r)] = inv_fact;
    }
    for (int i = 0; i < m - 1; i++) hm[(size_t)i * m + i + 1] = 1.0; /* r = 0: 1/0! */
    inv_fact = 1.0;
    for (int r = 1; r <= m; r++) {
        inv_fact /= r;
        double hr = pow(h, r);
        /* first column (row r-1) and last row (column m-r). */
        hm[(size_t)(r - 1) * m] = (1.0 - hr) * inv_fact;
        hm[(size_t)(m - 1) * m + (m - r)] = (1.0 - hr) * inv_fact;
    }
    {
        double corner = 1.0 - 2.0 * pow(h, m);
        if (2.0 * h - 1.0 > 0.0) corner += pow(2.0 * h - 1.0, m);
        hm[(size_t)(m - 1) * m] = corner * inv_fact;
    }

    /* acc = H^n by squaring, with power-of-two exponents kept aside. */
    long acc_e = 0, h_e = 0;
    bool have = false;
    for (uint64_t e = n; e > 0; e >>= 1) {
        if (e & 1) {
            if (!have) {
                memcpy(acc, hm, cells * sizeof *acc);
                acc_e = h_e;
                have = true;
            } else {
                matmul(acc, hm, tmp, m);
                memcpy(acc, tmp, cells * sizeof *acc);
                acc_e += h_e;
                rescale(acc, m, &acc_e);
            }
        }
        if (e > 1) {
            matmul(hm, hm, tmp, m);
            memcpy(hm, tmp, cells * sizeof *hm);
            h_e *= 2;
            rescale(hm, m, &h_e);
        }
    }
    double p = acc[(size_t)(k - 1) * m + (k - 1)];
    mlops__free(work);

    /* times n!/n^n, keeping p in range. */
    int e0;
    p = frexp(p, &e0);
    long pe = acc_e + e0;
    double dn = (double)n;
    for (uint64_t i = 1; i <= n; i++) {
        p = p * (double)i / dn;
        if (p < 0x1p-500) {
            p = ldexp(p, 500);
            pe -= 500;
        }
    }
    if (pe < -2200) *out = 0.0;
    else if (pe > 2200) *out = 1.0;
    else *out = clip01(ldexp(p, (int)pe));
    return MLOPS_OK;
}

/* The Pelz-Good (1976) expansion of P(D_n <= x) in powers of n^-1/2, in
 * the Jacobi-theta form suited to small z = x sqrt(n), with the truncation
 * SciPy uses (k <= ceil(16 z / pi)). */
static double pelz_good_cdf(double dn, double x)
{
    double z = sqrt(dn) * x;
    double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2, z7 = z6 * z, z8 = z4 * z4,
           z10 = z8 * z2;
    double pi2 = PI * PI, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
    double qlog = -pi2 / 8.0 / z2;
    if (qlog < -708.0) return 0.0;
    double q = exp(qlog);

    double k1a = -z2, k1b = pi2 / 4.0;
    double k2a = 6.0 * z6 + 2.0 * z4;
    double k2b = (2.0 * z4 - 5.0 * z2) * pi2 / 4.0;
    double k2c = pi4 * (1.0 - 2.0 * z2) / 16.0;
    double k3d = pi6 * (5.0 - 30.0 * z2) / 64.0;
    double k3c = pi4 * (-60.0 * z2 + 212.0 * z4) / 16.0;
    double k3b = pi2 * (135.0 * z4 - 96.0 * z6) / 4.0;
    double k3a = -30.0 * z6 - 90.0 * z8;

    /* sum over odd m = 2k - 1 of c(m) q^(m^2), by Horner in q^(8k). */
    long maxk = (long)ceil(16.0 * z / PI);
    double s[4] = {0.0, 0.0, 0.0, 0.0};
    for (long k = maxk; k >= 1; k--) {
        double m = 2.0 * k - 1.0, m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
        double qp = pow(q, 8.0 * k);
        double c[4] = {1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
                       k3a + k3b * m2 + k3c * m4 + k3d * m6};
        for (int i = 0; i < 4; i++) s[i] = s[i] * qp + c[i];
    }
    double div[4] = {z, 6.0 * z4, 72.0 * z7, 6480.0 * z10};
    for (int i = 0; i < 4; i++) s[i] = s[i] * q * SQRT_2PI / div[i];

    /* the extra sums over all k of K2 and K3. */
    double q2 = exp(-pi2 / 2.0 / z2);
    double e2 = 0.0, e3 = 0.0;
    for (long k = maxk; k >= 1; k--) {
        double k2 = (double)k * (double)k;
        double w = k2 * pow(q2, k2);
        e2 += w;
        e3 += (3.0 * z2 - pi2 * k2) * w;
    }
    s[2] += e2 * pi2 * SQRT_2PI / (-36.0 * z3);
    s[3] += e3 * pi2 * SQRT_2PI / (216.0 * z6);

    double rn = sqrt(dn);
    return s[0] + s[1] / rn + s[2] / dn + s[3] / (dn * rn);
}

int mlops__kstwo_sf(double d, uint64_t n, double *out)
{
    if (!out) return mlops__fail(MLOPS_EINVAL, "kstwo_sf: out is NULL");
    if (n == 0) return mlops__fail(MLOPS_EINVAL, "kstwo_sf: sample size n is 0");
    if (isnan(d)) return mlops__fail(MLOPS_EINVAL, "kstwo_sf: statistic d is NaN");
    double dn = (double)n;
    if (d <= 0.5 / dn) {
        *out = 1.0;
        return MLOPS_OK;
    }
    if (d >= 1.0) {
        *out = 0.0;
        return MLOPS_OK;
    }
    double t = dn * d;
    if (t <= 1.0) {
        /* Ruben-Gambino: P(D_n < d) = n!/n^n (2t - 1)^n for 1/(2n) < d <= 1/n;
         * below e^-136 for n > 140, where 1 - p rounds to 1. */
        if (t <= 0.5 || n > 140) {
            *out = 1.0;
            return MLOPS_OK;
        }
        double p = 1.0;
        for (uint64_t i = 1; i <= n; i++) p *= (double)i * (1.0 / dn) * (2.0 * t - 1.0);
        *out = clip01(1.0 - p);
        return MLOPS_OK;
    }
    if (t >= dn - 1.0) {
        *out = clip01(2.0 * pow(1.0 - d, dn));
        return MLOPS_OK;
    }
    if (d >= 0.5) {
        *out = clip01(2.0 * mlops__smirnov_sf(n, d));
        return MLOPS_OK;
    }
    double nxsq = t * d;
    bool use_durbin;
    if (n <= 140) {
        if (nxsq > 4.0) {
            *out = clip01(2.0 * mlops__smirnov_sf(n, d));
            return MLOPS_OK;
        }
        use_durbin = true; /* SciPy: Durbin below 0.754693, Pomeranz above; both exact */
    } else {
        if (nxsq >= 370.0) {
            *out = 0.0;
            return MLOPS_OK;
        }
        if (nxsq >= 2.2) {
            *out = clip01(2.0 * mlops__smirnov_sf(n, d));
            return MLOPS_OK;
        }
        use_durbin = n <= 100000 && dn * pow(d, 1.5) <= 1.4;
    }
    double cdf;
    if (use_durbin) {
        int rc = durbin_cdf(n, d, &cdf);
        if (rc != MLOPS_OK) return rc;
    } else {
        cdf = pelz_good_cdf(dn, d);
    }
    *out = clip01(1.0 - cdf);
    return MLOPS_OK;
}

/* ------------------------------------------------------------------------
 * Two-sample Kolmogorov-Smirnov
 * ------------------------------------------------------------------------ */

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* lcm(n1, n2) when below 2^63, else 0. */
static uint64_t lcm_checked(uint64_t n1, uint64_t n2, uint64_t g)
{
    uint64_t a = n1 / g;
    if (a != 0 && n2 > (uint64_t)INT64_MAX / a) return 0;
    return a * n2;
}

/* n1 == n2 = n: P(D >= h/n) = 2 sum_{k>=1} (-1)^(k-1) C(2n, n-kh) / C(2n, n),
 * with the ratios of binomials formed as products and nested from the
 * innermost term outwards, exactly as SciPy forms them (so the "rounded
 * above 1" test below sees the same bits). */
static double ks_exact_square(int64_t n, int64_t h)
{
    double p = 0.0;
    for (int64_t k = n / h; k >= 0; k--) {
        double p1 = 1.0;
        for (int64_t j = 0; j < h; j++) {
            double num = (double)(n - k * h - j) * p1;
            p1 = num / (double)(n + k * h + j + 1);
        }
        p = p1 * (1.0 - p);
    }
    return 2.0 * p;
}

static int64_t floor_div(int64_t a, int64_t b) /* b > 0 */
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* Cells below this are set to 0 in the lattice recursion: no subnormal
 * arithmetic (tens of times slower), and the zeros in the middle of the
 * band can be skipped. A path crosses one cell per anti-diagonal, so the
 * result moves by at most (n1 + n2) * KS_FLUSH < 1e-300. */
#define KS_FLUSH 1e-305

/* Cells lo..hi of anti-diagonal s of the recursion below (buffer slot
 * i + 1 holds cell i; the two buffers never overlap). Two cells per step,
 * which the compiler pairs into one vector division even where it does not
 * vectorize loops of unknown length. */
static void ks_diagonal(const double *restrict prev, double *restrict cur, int lo, int hi, int s)
{
    double ds = (double)s;
    int i = lo;
    for (; i < hi; i += 2) {
        double a0 = prev[i] * (double)i, a1 = prev[i + 1] * (double)(i + 1);
        double b0 = prev[i + 1] * (double)(s - i), b1 = prev[i + 2] * (double)(s - i - 1);
        double v0 = (a0 + b0) / ds, v1 = (a1 + b1) / ds;
        cur[i + 1] = v0 < KS_FLUSH ? 0.0 : v0;
        cur[i + 2] = v1 < KS_FLUSH ? 0.0 : v1;
    }
    if (i == hi) {
        double a = prev[i] * (double)i, b = prev[i + 1] * (double)(s - i);
        double v = (a + b) / ds;
        cur[i + 1] = v < KS_FLUSH ? 0.0 : v;
    }
}

/* A run of cells [lo, hi] known to hold exact zeros (empty when lo > hi). */
typedef struct zrun {
    int lo, hi;
} zrun;

/* m != n: the share of monotone lattice paths from (0,0) to (m,n) that
 * leave the band |n i - m j| < h g (i.e. |i/m - j/n| < h/lcm) at least
 * once. P(i,j) = 1 outside the band, and inside
 * P(i,j) = (i P(i-1,j) + j P(i,j-1)) / (i + j) (the share of paths into
 * (i,j) that come from each side), the recursion SciPy runs column by
 * column, with the same operations per cell. Going by anti-diagonals
 * makes the cells of one step independent (vectorizable), and lets the
 * run of zeros in the middle of the band (paths that cannot have reached
 * an edge yet, or flushed values) be skipped: a cell whose two
 * predecessors are 0 is 0. */
static int ks_exact_inside(int64_t m, int64_t n, int64_t g, int64_t h, double *out)
{
    if (m < n) {
        int64_t t = m;
        m = n;
        n = t;
    }
    int64_t mg = m / g, ng = n / g, w = mg + ng;
    size_t len = (size_t)m + 3;
    double *buf = mlops__malloc_array(2 * len, sizeof *buf, "exact Kolmogorov-Smirnov buffer");
    if (!buf) return MLOPS_ENOMEM;
    /* Every slot starts at 1 (outside the band); the two slots bracketing
     * a diagonal's band are reset to 1 after it is computed, which is all
     * the next diagonal reads besides the band itself. */
    double *prev = buf, *cur = buf + len;
    for (size_t i = 0; i < 2 * len; i++) buf[i] = 1.0;
    prev[1] = 0.0; /* (0,0) */
    zrun zprev = {0, 0}, zcur = {1, 0};
    bool left = false;
    for (int64_t s = 1; s <= m + n; s++) {
        int64_t lo64 = floor_div(mg * s - h, w) + 1;
        int64_t hi64 = floor_div(mg * s + h - 1, w); /* ceil((mg s + h) / w) - 1 */
        if (lo64 < s - n) lo64 = s - n;
        if (lo64 < 0) lo64 = 0;
        if (hi64 > s) hi64 = s;
        if (hi64 > m) hi64 = m;
        if (lo64 > hi64) {
            left = true; /* every path crosses this diagonal outside the band */
            break;
        }
        int lo = (int)lo64, hi = (int)hi64;
        /* Cells whose predecessors (i-1 and i on diagonal s-1) are both 0. */
        zrun z = {zprev.lo + 1 > lo ? zprev.lo + 1 : lo, zprev.hi < hi ? zprev.hi : hi};
        if (z.lo <= z.hi) {
            if (lo < z.lo) ks_diagonal(prev, cur, lo, z.lo - 1, (int)s);
            if (z.hi < hi) ks_diagonal(prev, cur, z.hi + 1, hi, (int)s);
            /* the buffer held diagonal s-2: zero what was not already 0 there */
            for (int i = z.lo; i <= z.hi; i++) {
                if (i >= zcur.lo && i <= zcur.hi) {
                    i = zcur.hi;
                    continue;
                }
                cur[i + 1] = 0.0;
            }
            while (z.lo > lo && cur[z.lo] == 0.0) z.lo--;
            while (z.hi < hi && cur[z.hi + 2] == 0.0) z.hi++;
        } else {
            ks_diagonal(prev, cur, lo, hi, (int)s);
            /* Values fall from both edges towards the middle of the band,
             * so a new run of zeros starts at its centre. */
            int mid = (int)(mg * s / w);
            if (mid < lo) mid = lo;
            if (mid > hi) mid = hi;
            z.lo = 1;
            z.hi = 0;
            if (cur[mid + 1] == 0.0) {
                z.lo = z.hi = mid;
                while (z.lo > lo && cur[z.lo] == 0.0) z.lo--;
                while (z.hi < hi && cur[z.hi + 2] == 0.0) z.hi++;
            }
        }
        cur[lo] = 1.0;
        cur[hi + 2] = 1.0;
        double *t = prev;
        prev = cur;
        cur = t;
        zcur = zprev;
        zprev = z;
    }
    *out = left ? 1.0 : prev[m + 1];
    mlops__free(buf);
    return MLOPS_OK;
}

int mlops__ks_exact_sf(uint64_t n1, uint64_t n2, uint64_t h, double *p, bool *ok)
{
    if (!p || !ok) return mlops__fail(MLOPS_EINVAL, "ks_exact_sf: output pointer is NULL");
    if (n1 < 1 || n2 < 1 || n1 > MLOPS__KS_MAX_EXACT_N || n2 > MLOPS__KS_MAX_EXACT_N)
        return mlops__fail(MLOPS_EINVAL,
                           "ks_exact_sf: sample sizes %llu and %llu must be in 1..%d",
                           (unsigned long long)n1, (unsigned long long)n2,
                           MLOPS__KS_MAX_EXACT_N);
    uint64_t g = gcd_u64(n1, n2);
    uint64_t lcm = (n1 / g) * n2;
    if (h > lcm)
        return mlops__fail(MLOPS_EINVAL, "ks_exact_sf: h = %llu exceeds lcm(n1, n2) = %llu",
                           (unsigned long long)h, (unsigned long long)lcm);
    double prob;
    if (h == 0) {
        prob = 1.0;
    } else if (n1 == n2) {
        prob = ks_exact_square((int64_t)n1, (int64_t)h);
    } else {
        int rc = ks_exact_inside((int64_t)n1, (int64_t)n2, (int64_t)g, (int64_t)h, &prob);
        if (rc != MLOPS_OK) return rc;
    }
    *ok = prob >= 0.0 && prob <= 1.0;
    *p = prob;
    return MLOPS_OK;
}

/* The p-value for integer statistic h (D = h / lcm) or, in the asymptotic
 * range, the double d. */
static int ks_pvalue(uint64_t n1, uint64_t n2, uint64_t lcm, uint64_t h, double d,
                     mlops__ks_result *res)
{
    uint64_t big = n1 > n2 ? n1 : n2, small = n1 > n2 ? n2 : n1;
    res->exact_failed = false;
    if (big <= MLOPS__KS_MAX_EXACT_N) {
        d = (double)h / (double)lcm;
        double p;
        bool ok;
        int rc = mlops__ks_exact_sf(n1, n2, h, &p, &ok);
        if (rc != MLOPS_OK) return rc;
        if (ok) {
            res->statistic = d;
            res->pvalue = p;
            res->method = MLOPS__KS_EXACT;
            return MLOPS_OK;
        }
        res->exact_failed = true;
    }
    double en = (double)big * (double)small / ((double)big + (double)small);
    double nn = nearbyint(en);
    if (nn < 1.0) nn = 1.0;
    double p;
    int rc = mlops__kstwo_sf(d, (uint64_t)nn, &p);
    if (rc != MLOPS_OK) return rc;
    res->statistic = d;
    res->pvalue = clip01(p);
    res->method = MLOPS__KS_ASYMP;
    return MLOPS_OK;
}

static int check_sorted(const char *func, const char *name, const double *x, size_t n)
{
    if (isnan(x[0]))
        return mlops__fail(MLOPS_EINVAL, "%s: sample %s[0] is NaN", func, name);
    size_t bad = n;
    for (size_t i = 1; i < n; i++) {
        if (!(x[i - 1] <= x[i])) {
            bad = i;
            break;
        }
    }
    if (bad == n) return MLOPS_OK;
    if (isnan(x[bad]))
        return mlops__fail(MLOPS_EINVAL, "%s: sample %s[%zu] is NaN", func, name, bad);
    return mlops__fail(MLOPS_EINVAL, "%s: sample %s is not ascending: %s[%zu] = %.17g > %s[%zu] = %.17g",
                       func, name, name, bad - 1, x[bad - 1], name, bad, x[bad]);
}

int mlops__ks_2samp(const double *a, size_t n1, const double *b, size_t n2,
                    mlops__ks_result *out)
{
    static const char *const fn = "ks_2samp";
    if (!a || !b || !out) return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", fn);
    if (n1 == 0 || n2 == 0)
        return mlops__fail(MLOPS_EINVAL, "%s: sample %s is empty", fn, n1 == 0 ? "a" : "b");
    int rc = check_sorted(fn, "a", a, n1);
    if (rc == MLOPS_OK) rc = check_sorted(fn, "b", b, n2);
    if (rc != MLOPS_OK) return rc;
    uint64_t g = gcd_u64(n1, n2);
    uint64_t lcm = lcm_checked(n1, n2, g);
    if (lcm == 0)
        return mlops__fail(MLOPS_EINVAL, "%s: samples of %zu and %zu values are too large "
                           "(lcm of the sizes must be below 2^63)", fn, n1, n2);
    int64_t step1 = (int64_t)(n2 / g), step2 = (int64_t)(n1 / g);

    /* diff = k1 n2/g - k2 n1/g = lcm (F1 - F2) after each distinct value. */
    int64_t diff = 0, best_pos = 0, best_neg = 0;
    double loc_pos = NAN, loc_neg = NAN;
    size_t i = 0, j = 0;
    while (i < n1 && j < n2) {
        double v = a[i] <= b[j] ? a[i] : b[j];
        size_t i0 = i, j0 = j;
        while (i < n1 && a[i] == v) i++;
        while (j < n2 && b[j] == v) j++;
        diff += (int64_t)(i - i0) * step1 - (int64_t)(j - j0) * step2;
        if (diff > best_pos) {
            best_pos = diff;
            loc_pos = v;
        } else if (-diff > best_neg) {
            best_neg = -diff;
            loc_neg = v;
        }
    }
    /* Once a sample is used up the difference moves monotonically to 0, so
     * no larger extreme follows. */
    mlops__ks_result res;
    uint64_t h;
    if (best_neg > best_pos) {
        h = (uint64_t)best_neg;
        res.sign = -1;
        res.location = loc_neg;
    } else {
        h = (uint64_t)best_pos;
        res.sign = 1;
        res.location = h == 0 ? (a[0] < b[0] ? a[0] : b[0]) : loc_pos;
    }
    double d = (double)h / (double)lcm;
    rc = ks_pvalue(n1, n2, lcm, h, d, &res);
    if (rc != MLOPS_OK) return rc;
    *out = res;
    return MLOPS_OK;
}

int mlops__ks_2samp_pvalue(uint64_t n1, uint64_t n2, double d, mlops__ks_result *out)
{
    static const char *const fn = "ks_2samp_pvalue";
    if (!out) return mlops__fail(MLOPS_EINVAL, "%s: out is NULL", fn);
    if (n1 == 0 || n2 == 0)
        return mlops__fail(MLOPS_EINVAL, "%s: sample size %s is 0", fn, n1 == 0 ? "n1" : "n2");
    if (!(d >= 0.0 && d <= 1.0))
        return mlops__fail(MLOPS_EINVAL, "%s: statistic d = %g is not in [0, 1]", fn, d);
    uint64_t g = gcd_u64(n1, n2);
    uint64_t lcm = lcm_checked(n1, n2, g);
    if (lcm == 0)
        return mlops__fail(MLOPS_EINVAL, "%s: sizes %llu and %llu too large (lcm >= 2^63)", fn,
                           (unsigned long long)n1, (unsigned long long)n2);
    uint64_t h = 0;
    if ((n1 > n2 ? n1 : n2) <= MLOPS__KS_MAX_EXACT_N) h = (uint64_t)nearbyint(d * (double)lcm);
    mlops__ks_result res;
    res.location = NAN;
    res.sign = 1;
    int rc = ks_pvalue(n1, n2, lcm, h, d, &res);
    if (rc != MLOPS_OK) return rc;
    *out = res;
    return MLOPS_OK;
}

int mlops__ks_from_cdfs(const double *f1, const double *f2, const double *grid, size_t k,
                        double n1_eff, double n2_eff, mlops__ks_result *out)
{
    static const char *const fn = "ks_from_cdfs";
    if (!f1 || !f2 || !out) return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", fn);
    if (k == 0) return mlops__fail(MLOPS_EINVAL, "%s: the grid has no points", fn);
    if (!(isfinite(n1_eff) && n1_eff > 0.0) || !(isfinite(n2_eff) && n2_eff > 0.0))
        return mlops__fail(MLOPS_EINVAL, "%s: effective sample sizes %g and %g must be finite "
                           "and positive", fn, n1_eff, n2_eff);
    double max_pos = 0.0, max_neg = 0.0;
    size_t at_pos = 0, at_neg = 0;
    for (size_t i = 0; i < k; i++) {
        double u = f1[i], v = f2[i];
        if (!(u >= 0.0 && u <= 1.0) || !(v >= 0.0 && v <= 1.0))
            return mlops__fail(MLOPS_EINVAL, "%s: cdf value at grid point %zu (%g, %g) is not "
                               "in [0, 1]", fn, i, u, v);
        double diff = u - v;
        if (diff > max_pos) {
            max_pos = diff;
            at_pos = i;
        } else if (-diff > max_neg) {
            max_neg = -diff;
            at_neg = i;
        }
    }
    mlops__ks_result res;
    size_t at;
    double d;
    if (max_neg > max_pos) {
        d = max_neg;
        at = at_neg;
        res.sign = -1;
    } else {
        d = max_pos;
        at = at_pos;
        res.sign = 1;
    }
    res.location = grid ? grid[at] : NAN;
    res.exact_failed = false;
    double big = n1_eff > n2_eff ? n1_eff : n2_eff, small = n1_eff > n2_eff ? n2_eff : n1_eff;
    double nn = nearbyint(big * small / (big + small));
    if (nn < 1.0) nn = 1.0;
    double p;
    int rc = mlops__kstwo_sf(d, (uint64_t)nn, &p);
    if (rc != MLOPS_OK) return rc;
    res.statistic = d;
    res.pvalue = clip01(p);
    res.method = MLOPS__KS_ASYMP;
    *out = res;
    return MLOPS_OK;
}

/* ------------------------------------------------------------------------
 * Incomplete gamma and chi-square
 * ------------------------------------------------------------------------ */

/* x^a e^-x / Gamma(a + 1), x > 0. For a >= 10 in Loader's form
 * exp(a ln(x/a) + a - x - stirlerr(a)) / sqrt(2 pi a), whose exponent is
 * small where the value matters (the plain a ln x - x - ln Gamma(a + 1)
 * cancels terms of size a ln a); near the peak the exponent is
 * -a (u - log1p u), u = (x - a) / a, taken without cancellation. */
static double gamma_prefactor(double a, double x)
{
    if (a >= 10.0) {
        double expo;
        if (x >= 0.5 * a) expo = -a * log1pmx_neg((x - a) / a);
        else expo = a * log(x / a) + (a - x);
        return exp(expo - stirlerr(a)) / sqrt(2.0 * PI * a);
    }
    return exp(a * log(x) - x) / tgamma(a + 1.0);
}

static long gamma_iteration_cap(double a)
{
    double cap = 1000.0 + 40.0 * sqrt(a);
    return cap > 1e9 ? 1000000000L : (long)cap;
}

/* P(a, x) = x^a e^-x / Gamma(a + 1) sum_{k>=0} x^k / ((a+1)...(a+k)),
 * for x < a + 1 (the terms then decrease from the first). */
static double gamma_p_series(double a, double x)
{
    double sum = 1.0, term = 1.0;
    long cap = gamma_iteration_cap(a);
    for (long k = 1; k < cap; k++) {
        term *= x / (a + (double)k);
        sum += term;
        if (term <= 1e-17 * sum) break;
    }
    return gamma_prefactor(a, x) * sum;
}

/* Q(a, x) = x^a e^-x / Gamma(a) / (x + 1 - a - 1(1-a)/(x + 3 - a - 2(2-a)/...)),
 * by the modified Lentz method, for x >= a + 1. */
static double gamma_q_cf(double a, double x)
{
    const double tiny = 1e-300;
    double b = x + 1.0 - a;
    double c = 1.0 / tiny, dd = 1.0 / b, f = dd;
    long cap = gamma_iteration_cap(a);
    for (long i = 1; i < cap; i++) {
        double an = -(double)i * ((double)i - a);
        b += 2.0;
        dd = an * dd + b;
        if (fabs(dd) < tiny) dd = tiny;
        c = b + an / c;
        if (fabs(c) < tiny) c = tiny;
        dd = 1.0 / dd;
        double delta = dd * c;
        f *= delta;
        if (fabs(delta - 1.0) <= 1e-16) break;
    }
    return a * gamma_prefactor(a, x) * f;
}

/* (zeta(k) - 1) / k for k = 2..28 (computed to 40 digits). */
static const double ZETA_M1_OVER_K[27] = {
    0x1.4a34cc4a60fa6p-2, 0x1.13e001a557607p-4, 0x1.51322ac7d8483p-6,
    0x1.e404fc218f5f2p-8, 0x1.7add6eadb6c30p-9, 0x1.38ac5c2bf8e08p-10,
    0x1.0b36af86396e9p-11, 0x1.d3fd4c76d2fc8p-13, 0x1.a127b0f17d65ap-14,
    0x1.78de5bd7c81efp-15, 0x1.580dcee66eb02p-16, 0x1.3cbc963ce2243p-17,
    0x1.2597a39f34aacp-18, 0x1.11b2eb7679541p-19, 0x1.0064cdeb22f0fp-20,
    0x1.e2600d93cfd2fp-22, 0x1.c76bbb3f07a4dp-23, 0x1.af5a6cbbf8a97p-24,
    0x1.99b93c2070b0fp-25, 0x1.862c734df3eacp-26, 0x1.7469daccfadcdp-27,
    0x1.6434a8447aeadp-28, 0x1.555a877ffd2c3p-29, 0x1.47b1679258d0ep-30,
    0x1.3b15d2b2fc10cp-31, 0x1.2f69a9fabe3e0p-32, 0x1.24932a337434cp-33,
};
static const double EULER_GAMMA = 0x1.2788cfc6fb619p-1;

/* Gamma(1 + a) - 1 for |a| <= 1/2, from
 * ln Gamma(1 + a) = -log1p(a) + a (1 - gamma) + sum_k (-1)^k (zeta(k) - 1)/k a^k
 * (Abramowitz and Stegun 6.1.33), so tiny a keeps its relative accuracy. */
static double gamma1pm1(double a)
{
    double sum = 0.0;
    for (int k = 28; k >= 2; k--) sum = sum * -a + ZETA_M1_OVER_K[k - 2];
    double lg = -log1p(a) + a * (1.0 - EULER_GAMMA) + a * a * sum;
    return expm1(lg);
}

/* Q(a, x) for 0 < a < 1/2 and x < a + 1, where Q ~ a E1(x) is small and
 * 1 - P would lose its digits. With g = Gamma(1 + a) - 1 and
 * x^a - 1 = expm1(a ln x):
 *   Gamma(1 + a) Q = (g - (x^a - 1)) - a x^a sum_{n>=1} (-x)^n / (n! (a + n)),
 * from Gamma(a, x) = Gamma(a) - x^a sum_{n>=0} (-x)^n / (n! (a + n)). */
static double gamma_q_small_a(double a, double x)
{
    double g = gamma1pm1(a);
    double pm1 = expm1(a * log(x));
    double sum = 0.0, term = 1.0;
    for (int n = 1; n < 200; n++) {
        term *= -x / n;
        double t = term / (a + n);
        sum += t;
        if (fabs(t) <= 1e-18 * fabs(sum)) break;
    }
    return ((g - pm1) - a * (pm1 + 1.0) * sum) / (1.0 + g);
}

double mlops__gamma_q(double a, double x)
{
    if (isnan(a) || isnan(x) || !(a > 0.0) || isinf(a) || x < 0.0) return NAN;
    if (x == 0.0) return 1.0;
    if (isinf(x)) return 0.0;
    if (x < a + 1.0) {
        if (a < 0.5) return clip01(gamma_q_small_a(a, x));
        /* Q >= Q(1/2, 3/2) = 0.083 here, so 1 - P costs at most 4 bits. */
        return clip01(1.0 - gamma_p_series(a, x));
    }
    return clip01(gamma_q_cf(a, x));
}

double mlops__chi2_sf(double x, double dof)
{
    if (isnan(x) || isnan(dof) || !(dof > 0.0) || isinf(dof)) return NAN;
    if (x <= 0.0) return 1.0;
    return mlops__gamma_q(0.5 * dof, 0.5 * x);
}

int mlops__chi2_homogeneity(const double *ref, const double *cur, size_t k,
                            mlops__chi2_result *out)
{
    static const char *const fn = "chi2_homogeneity";
    if (!ref || !cur || !out) return mlops__fail(MLOPS_EINVAL, "%s: NULL argument", fn);
    if (k == 0) return mlops__fail(MLOPS_EINVAL, "%s: no categories", fn);
    double r1 = 0.0, r2 = 0.0;
    size_t cols = 0;
    for (size_t j = 0; j < k; j++) {
        if (!(isfinite(ref[j]) && ref[j] >= 0.0) || !(isfinite(cur[j]) && cur[j] >= 0.0))
            return mlops__fail(MLOPS_EINVAL, "%s: counts of category %zu (%g, %g) must be "
                               "finite and non-negative", fn, j, ref[j], cur[j]);
        r1 += ref[j];
        r2 += cur[j];
        if (ref[j] > 0.0 || cur[j] > 0.0) cols++;
    }
    if (r1 == 0.0 || r2 == 0.0)
        return mlops__fail(MLOPS_EINVAL, "%s: the %s sample has no counts (expected "
                           "frequencies would be 0)", fn, r1 == 0.0 ? "reference" : "current");
    mlops__chi2_result res;
    res.columns = cols;
    res.dof = cols - 1;
    res.yates = false;
    if (res.dof == 0) {
        res.statistic = 0.0;
        res.pvalue = 1.0;
        *out = res;
        return MLOPS_OK;
    }
    double total = r1 + r2;
    res.yates = res.dof == 1;
    /* Row-major order of the 2 x cols table, as SciPy sums it. */
    double stat = 0.0;
    for (int row = 0; row < 2; row++) {
        const double *obs = row == 0 ? ref : cur;
        double rsum = row == 0 ? r1 : r2;
        for (size_t j = 0; j < k; j++) {
            if (!(ref[j] > 0.0 || cur[j] > 0.0)) continue;
            double e = rsum * (ref[j] + cur[j]) / total;
            double o = obs[j];
            if (res.yates) {
                double diff = e - o;
                double mag = fabs(diff) < 0.5 ? fabs(diff) : 0.5;
                o = o + mag * (diff > 0.0 ? 1.0 : (diff < 0.0 ? -1.0 : 0.0));
            }
            double dev = o - e;
            stat += dev * dev / e;
        }
    }
    res.statistic = stat;
    res.pvalue = mlops__chi2_sf(stat, (double)res.dof);
    *out = res;
    return MLOPS_OK;
}

int mlops__ztest_proportions(double x1, double n1, double x2, double n2,
                             mlops__test_result *out)
{
    static const char *const fn = "ztest_proportions";
    if (!out) return mlops__fail(MLOPS_EINVAL, "%s: out is NULL", fn);
    if (!(isfinite(n1) && n1 > 0.0) || !(isfinite(n2) && n2 > 0.0))
        return mlops__fail(MLOPS_EINVAL, "%s: sample sizes n1 = %g and n2 = %g must be finite "
                           "and positive", fn, n1, n2);
    if (!(x1 >= 0.0 && x1 <= n1) || !(x2 >= 0.0 && x2 <= n2))
        return mlops__fail(MLOPS_EINVAL, "%s: counts x1 = %g of n1 = %g and x2 = %g of n2 = %g "
                           "must lie in [0, n]", fn, x1, n1, x2, n2);
    double pooled = (x1 + x2) / (n1 + n2);
    mlops__test_result res = {0.0, 1.0};
    if (pooled > 0.0 && pooled < 1.0) {
        double se = sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2));
        double z = (x1 / n1 - x2 / n2) / se;
        res.statistic = z;
        res.pvalue = clip01(2.0 * mlops__norm_sf(fabs(z)));
    }
    *out = res;
    return MLOPS_OK;
}
