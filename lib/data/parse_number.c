/* Decimal to double for the CSV reader (see parse_number.h).
 *
 * Tiers, cheapest first, each used only where it is provably exact:
 *  1. short fields [-]digits[.digits] (the bulk of ML data: pixel values,
 *     "%.6f" output): one integer-to-double conversion, or one exact
 *     division, in a small function that hands anything else over;
 *  2. Clinger's fast path: significand and power of ten are both exact
 *     doubles, so one IEEE multiply or divide rounds correctly;
 *  3. Eisel-Lemire: the significand times a 128-bit power of five
 *     (lib/data/pow5_table.h), which rounds correctly unless its truncated
 *     product is ambiguous, and then says so; beyond 19 significant digits
 *     it is run on the two 19-digit values bracketing the field and trusted
 *     only when both give the same double;
 *  4. strtod in the "C" locale for whatever is left (a tiny fraction of
 *     real data: ambiguous products and near-halfway long fields).
 * The paper is Lemire, "Number Parsing at a Gigabyte per Second", Software:
 * Practice and Experience 51(8), 2021; the constants below are its binary64
 * ones. */
#include <float.h>
#include <stdint.h>
#include <string.h>

#include "core/numfmt.h"
#include "data/parse_number.h"
#include "data/pow5_table.h"

/* Clinger's path needs every double operation rounded once, straight to
 * double; x87-style excess precision would round twice. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define EXACT_DOUBLE_OPS 1
#else
#define EXACT_DOUBLE_OPS 0
#endif

#define MAX_EXACT_INT (UINT64_C(1) << 53)
#define MANTISSA_BITS 52
#define MANTISSA_MASK ((UINT64_C(1) << MANTISSA_BITS) - 1)
#define INFINITY_BITS UINT64_C(0x7FF0000000000000)
#define NAN_BITS UINT64_C(0x7FF8000000000000)
#define SIGN_BIT UINT64_C(0x8000000000000000)

/* The hot path must be one small leaf function: the digit loops go inside
 * it, the rare general case stays out. */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define NOINLINE
#define ALWAYS_INLINE inline
#endif

/* Exponent digits stop accumulating past this: the result is then 0 or
 * infinite, as no field can hold enough digits to offset it, and the
 * exponent arithmetic stays far from int64 overflow. */
#define EXP_SATURATE INT64_C(100000000000000000)

enum {
    /* 10^19 - 1 < 2^64: up to 19 digits accumulate without overflow. */
    MAX_FAST_DIGITS = 19,
    /* Longer fields go straight to the general parser, which reads digits
     * eight at a time. */
    HOT_PATH_MAX_LEN = 16,
    /* Largest k with 10^k exactly representable as a double. */
    MAX_EXACT_POW10 = 22,
    /* A double's round-to-nearest decision never needs more than 767
     * significant digits (the longest midpoint between two doubles), so
     * longer fields are cut to this many plus a sticky digit for strtod. */
    MAX_SLOW_DIGITS = 800,
    /* Sign, digits, sticky digit, 'e', exponent sign and 6 digits, NUL. */
    SLOW_BUFSIZE = 832,
    /* Exponents fed to strtod are clamped to this: with at most 801
     * digits the value is then already 0 or infinite. */
    SLOW_EXP_CLAMP = 100000,
};

static const double exact_pow10[MAX_EXACT_POW10 + 1] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static const uint64_t pow10_u64[16] = {
    UINT64_C(1),
    UINT64_C(10),
    UINT64_C(100),
    UINT64_C(1000),
    UINT64_C(10000),
    UINT64_C(100000),
    UINT64_C(1000000),
    UINT64_C(10000000),
    UINT64_C(100000000),
    UINT64_C(1000000000),
    UINT64_C(10000000000),
    UINT64_C(100000000000),
    UINT64_C(1000000000000),
    UINT64_C(10000000000000),
    UINT64_C(100000000000000),
    UINT64_C(1000000000000000)};

static bool is_digit(char c)
{
    return (unsigned)(c - '0') < 10u;
}

/* Eight digits at a time (the SWAR method of fast_float) where the field
 * has eight bytes left: long significands like "%.17g" output would
 * otherwise spend most of their time in the digit loop. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define EIGHT_DIGITS_AT_ONCE 1
#else
#define EIGHT_DIGITS_AT_ONCE 0
#endif

#if EIGHT_DIGITS_AT_ONCE
static uint64_t load8(const char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Every byte in '0'..'9': its high nibble is 3 and adding 6 keeps it 3 (a
 * byte that carries into its neighbour already fails the first test). */
static bool all_eight_digits(uint64_t v)
{
    return ((v & UINT64_C(0xF0F0F0F0F0F0F0F0)) |
            (((v + UINT64_C(0x0606060606060606)) & UINT64_C(0xF0F0F0F0F0F0F0F0)) >> 4)) ==
           UINT64_C(0x3333333333333333);
}

/* The value of eight digit bytes, first byte most significant: pairs, then
 * quads, then the whole, each by one multiply. */
static uint64_t eight_digits_value(uint64_t v)
{
    const uint64_t mask = UINT64_C(0x000000FF000000FF);
    const uint64_t mul1 = UINT64_C(100) + (UINT64_C(1000000) << 32);
    const uint64_t mul2 = UINT64_C(1) + (UINT64_C(10000) << 32);
    v -= UINT64_C(0x3030303030303030);
    v = v * 10 + (v >> 8);
    return (((v & mask) * mul1) + (((v >> 16) & mask) * mul2)) >> 32;
}
#endif

/* Accumulates the digits from p into *w (modulo 2^64); returns the first
 * byte that is not a digit, or end. */
static ALWAYS_INLINE const char *scan_digits(const char *p, const char *end, uint64_t *w)
{
    while (p != end && is_digit(*p)) {
        *w = 10 * *w + (uint64_t)(*p - '0');
        p++;
    }
    return p;
}

/* The same for long runs of digits; its constants would crowd the
 * registers of the hot path, so only the general parser uses it. */
static ALWAYS_INLINE const char *scan_many_digits(const char *p, const char *end, uint64_t *w)
{
#if EIGHT_DIGITS_AT_ONCE
    while (end - p >= 8 && all_eight_digits(load8(p))) {
        *w = *w * 100000000 + eight_digits_value(load8(p));
        p += 8;
    }
#endif
    return scan_digits(p, end, w);
}

static bool store_double(bool negative, double v, double *out)
{
    *out = negative ? -v : v;
    return true;
}

static bool store_bits(bool negative, uint64_t bits, double *out)
{
    if (negative) bits |= SIGN_BIT;
    memcpy(out, &bits, sizeof *out);
    return true;
}

/* ---- tier 2: Clinger ---------------------------------------------------- */

/* w * 10^q when both factors are exact doubles. Beyond 10^22 the product can
 * still be exact when w * 10^(q-22) is an exact integer below 2^53. */
static bool clinger(uint64_t w, int64_t q, double *v)
{
#if EXACT_DOUBLE_OPS
    if (w > MAX_EXACT_INT || q < -MAX_EXACT_POW10 || q > MAX_EXACT_POW10 + 15) return false;
    if (q < 0) {
        *v = (double)w / exact_pow10[-q];
    } else if (q <= MAX_EXACT_POW10) {
        *v = (double)w * exact_pow10[q];
    } else {
        uint64_t scale = pow10_u64[q - MAX_EXACT_POW10];
        if (w > MAX_EXACT_INT / scale) return false;
        *v = (double)(w * scale) * exact_pow10[MAX_EXACT_POW10];
    }
    return true;
#else
    (void)w;
    (void)q;
    (void)v;
    return false;
#endif
}

/* ---- tier 3: Eisel-Lemire ----------------------------------------------- */

typedef struct {
    uint64_t hi, lo;
} u128;

#if defined(__SIZEOF_INT128__) && !defined(MLOPS_NO_INT128)
__extension__ typedef unsigned __int128 uint128_native;

static u128 mul_64x64(uint64_t a, uint64_t b)
{
    uint128_native p = (uint128_native)a * b;
    return (u128){(uint64_t)(p >> 64), (uint64_t)p};
}
#else
static u128 mul_64x64(uint64_t a, uint64_t b)
{
    uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32;
    uint64_t b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
    uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
    uint64_t mid = (ll >> 32) + (lh & 0xFFFFFFFFu) + (hl & 0xFFFFFFFFu);
    return (u128){hh + (lh >> 32) + (hl >> 32) + (mid >> 32), (mid << 32) | (ll & 0xFFFFFFFFu)};
}
#endif

static int leading_zeros(uint64_t w) /* w != 0 */
{
#if defined(__GNUC__)
    return __builtin_clzll(w);
#else
    int n = 0;
    while (!(w & SIGN_BIT)) {
        w <<= 1;
        n++;
    }
    return n;
#endif
}

/* floor(q * log2(10)) + 63 for |q| <= 342, in integers; the division is
 * written out because >> of a negative value is implementation-defined. */
static int binary_exponent(int q)
{
    int32_t t = 217706 * q;
    int32_t f = t >= 0 ? t / 65536 : -((-t + 65535) / 65536);
    return f + 63;
}

/* The bits of the double nearest w * 10^q (sign excluded), or false when the
 * truncated product cannot decide the rounding. */
static bool eisel_lemire(uint64_t w, int64_t q, uint64_t *bits)
{
    if (w == 0 || q < POW5_SMALLEST_Q) {
        *bits = 0;
        return true;
    }
    if (q > POW5_LARGEST_Q) {
        *bits = INFINITY_BITS;
        return true;
    }
    int lz = leading_zeros(w);
    w <<= lz;
    const uint64_t *pow5 = pow5_128[q - POW5_SMALLEST_Q];
    u128 prod = mul_64x64(w, pow5[0]);
    /* The high word carries the 53 bits kept, a rounding bit and a possible
     * leading zero; the low 9 bits can be disturbed by a carry from the low
     * half of 5^q, so that half is only needed when they are all ones. */
    if ((prod.hi & 0x1FF) == 0x1FF) {
        u128 second = mul_64x64(w, pow5[1]);
        uint64_t lo = prod.lo + second.hi;
        if (lo < prod.lo) prod.hi++;
        prod.lo = lo;
    }
    /* Still all ones: the true product may lie just above a rounding
     * boundary the approximation sits just below. Exact outside this q range
     * only (5^q fits 128 bits, or 5^-q fits 64 bits). */
    if (prod.lo == UINT64_MAX && (q < -27 || q > 55)) return false;

    int upperbit = (int)(prod.hi >> 63);
    int shift = upperbit + 64 - MANTISSA_BITS - 3;
    uint64_t mantissa = prod.hi >> shift;
    int power2 = binary_exponent((int)q) + upperbit - lz + 1023;

    if (power2 <= 0) {
        /* Subnormal (or zero); an exact tie cannot occur this far down with
         * a 64-bit significand, so rounding half up is right. */
        if (-power2 + 1 >= 64) {
            *bits = 0;
            return true;
        }
        mantissa >>= -power2 + 1;
        mantissa += mantissa & 1;
        mantissa >>= 1;
        /* Rounding up may reach the smallest normal. */
        power2 = mantissa < (UINT64_C(1) << MANTISSA_BITS) ? 0 : 1;
        *bits = (uint64_t)power2 << MANTISSA_BITS | (mantissa & MANTISSA_MASK);
        return true;
    }
    /* An exact product halfway between two doubles must round to even, not
     * up; exact ties are only possible for these q. */
    if (prod.lo <= 1 && q >= -4 && q <= 23 && (mantissa & 3) == 1 &&
        (mantissa << shift) == prod.hi)
        mantissa &= ~UINT64_C(1);
    mantissa += mantissa & 1;
    mantissa >>= 1;
    if (mantissa >= (UINT64_C(2) << MANTISSA_BITS)) {
        mantissa = UINT64_C(1) << MANTISSA_BITS;
        power2++;
    }
    if (power2 >= 0x7FF) {
        *bits = INFINITY_BITS;
        return true;
    }
    *bits = (uint64_t)power2 << MANTISSA_BITS | (mantissa & MANTISSA_MASK);
    return true;
}

/* ---- tier 4: strtod ----------------------------------------------------- */

static void put_exponent(char *buf, size_t *len, int64_t e)
{
    if (e < -SLOW_EXP_CLAMP) e = -SLOW_EXP_CLAMP;
    if (e > SLOW_EXP_CLAMP) e = SLOW_EXP_CLAMP;
    buf[(*len)++] = 'e';
    if (e < 0) {
        buf[(*len)++] = '-';
        e = -e;
    }
    char digits[8];
    size_t k = 0;
    do {
        digits[k++] = (char)('0' + e % 10);
        e /= 10;
    } while (e);
    while (k) buf[(*len)++] = digits[--k];
}

/* strtod of the field. Fields that fit the buffer are copied as they are;
 * longer ones are rewritten as <first 800 significant digits><sticky 1 if
 * any later digit is nonzero>e<exponent>, which lies strictly between the
 * same two 800-digit neighbours as the field and so rounds the same way.
 * No heap, so nothing here can fail. `digits` is the significand (with any
 * '.'), holding `ndigits` digits of which at least one is nonzero, and the
 * value is (those digits as an integer) * 10^exp10. */
static double slow_path(const char *s, size_t n, bool negative, const char *digits,
                        size_t ndigits, int64_t exp10)
{
    char buf[SLOW_BUFSIZE];
    if (n < sizeof buf) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        return mlops__strtod_c(buf, NULL);
    }
    const char *d = digits;
    size_t significant = ndigits;
    while (*d == '0' || *d == '.') {
        if (*d == '0') significant--;
        d++;
    }
    size_t len = 0;
    if (negative) buf[len++] = '-';
    size_t kept = 0;
    for (; kept < significant && kept < MAX_SLOW_DIGITS; d++)
        if (*d != '.') {
            buf[len++] = *d;
            kept++;
        }
    int64_t e = exp10 + (int64_t)(significant - kept);
    for (size_t left = significant - kept; left; d++) {
        if (*d == '.') continue;
        if (*d != '0') {
            buf[len++] = '1';
            e--;
            break;
        }
        left--;
    }
    put_exponent(buf, &len, e);
    buf[len] = '\0';
    return mlops__strtod_c(buf, NULL);
}

/* ---- the parser --------------------------------------------------------- */

/* Case-insensitive whole-field match against a lower-case word. */
static bool matches_word(const char *p, size_t len, const char *word)
{
    size_t i = 0;
    for (; i < len; i++)
        if (word[i] == '\0' || (p[i] | 0x20) != word[i]) return false;
    return word[i] == '\0';
}

static bool parse_special(const char *p, size_t len, bool negative, double *out)
{
    if (matches_word(p, len, "inf") || matches_word(p, len, "infinity"))
        return store_bits(negative, INFINITY_BITS, out);
    if (matches_word(p, len, "nan")) return store_bits(negative, NAN_BITS, out);
    return false;
}

/* Any field (mlops__parse_double's contract). */
static NOINLINE bool parse_general(const char *s, size_t n, double *out)
{
    const char *p = s;
    const char *const end = s + n;
    bool negative = false;
    if (p != end && (*p == '-' || *p == '+')) {
        negative = *p == '-';
        p++;
    }

    /* Digits accumulate modulo 2^64; past 19 of them w is rebuilt below. */
    const char *const digits = p;
    uint64_t w = 0;
    p = scan_many_digits(p, end, &w);
    size_t int_digits = (size_t)(p - digits);

    size_t frac_digits = 0;
    bool has_dot = false;
    if (p != end && *p == '.') {
        has_dot = true;
        const char *frac = ++p;
        p = scan_many_digits(p, end, &w);
        frac_digits = (size_t)(p - frac);
    }
    size_t ndigits = int_digits + frac_digits;
    if (ndigits == 0) return !has_dot && parse_special(p, (size_t)(end - p), negative, out);

    int64_t exp10 = 0;
    if (p != end && (*p == 'e' || *p == 'E')) {
        p++;
        bool exp_negative = false;
        if (p != end && (*p == '-' || *p == '+')) {
            exp_negative = *p == '-';
            p++;
        }
        if (p == end || !is_digit(*p)) return false;
        int64_t e = 0;
        do {
            if (e < EXP_SATURATE) e = 10 * e + (*p - '0');
            p++;
        } while (p != end && is_digit(*p));
        exp10 = exp_negative ? -e : e;
    }
    if (p != end) return false;
    exp10 -= (int64_t)frac_digits;

    /* More than 19 digits: unless the excess is leading zeros, keep the
     * first 19 significant ones and remember that digits were dropped. */
    int64_t q = exp10;
    bool truncated = false;
    if (ndigits > MAX_FAST_DIGITS) {
        const char *first = digits;
        size_t significant = ndigits;
        while (first != end && (*first == '0' || *first == '.')) {
            if (*first == '0') significant--;
            first++;
        }
        if (significant > MAX_FAST_DIGITS) {
            w = 0;
            for (size_t taken = 0; taken < MAX_FAST_DIGITS; first++)
                if (*first != '.') {
                    w = 10 * w + (uint64_t)(*first - '0');
                    taken++;
                }
            q += (int64_t)(significant - MAX_FAST_DIGITS);
            truncated = true;
        }
    }

    if (!truncated) {
        if (q == 0 && (EXACT_DOUBLE_OPS || w <= MAX_EXACT_INT))
            return store_double(negative, (double)w, out);
        double v;
        if (clinger(w, q, &v)) return store_double(negative, v, out);
    }
    uint64_t bits;
    if (eisel_lemire(w, q, &bits)) {
        if (!truncated) return store_bits(negative, bits, out);
        /* The field lies in [w, w+1) * 10^q; rounding is monotonic, so if
         * both ends round alike, so does the field. */
        uint64_t bits_up;
        if (eisel_lemire(w + 1, q, &bits_up) && bits_up == bits)
            return store_bits(negative, bits, out);
    }
    return store_double(false, slow_path(s, n, negative, digits, ndigits, exp10), out);
}

bool mlops__parse_double(const char *s, size_t n, double *out)
{
    /* The shapes that fill ML files: short fields of the form
     * [-]digits[.digits] (so at most 19 digits), no exponent. An integer
     * conversion, or one exact division since the fraction has at most
     * 19 < 22 digits, settles them. Anything else starts over in the
     * general parser. */
    if (n > HOT_PATH_MAX_LEN) return parse_general(s, n, out);
    /* One to three digits (pixel values, counts, codes) without a loop:
     * the digit count varies from field to field and would cost a branch
     * misprediction; the first, middle and last bytes cover every digit. */
    if (n - 1 < 3) {
        static const unsigned char first_weight[3] = {0, 10, 100}, middle_weight[3] = {0, 0, 10};
        unsigned a = (unsigned)(s[0] - '0'), b = (unsigned)(s[n / 2] - '0');
        unsigned c = (unsigned)(s[n - 1] - '0');
        if ((a < 10) & (b < 10) & (c < 10)) {
            *out = (double)(first_weight[n - 1] * a + middle_weight[n - 1] * b + c);
            return true;
        }
    }
    const char *p = s;
    const char *const end = s + n;
    bool negative = p != end && *p == '-';
    p += negative;
    const char *const digits = p;
    uint64_t w = 0;
    p = scan_digits(p, end, &w);
    size_t ndigits = (size_t)(p - digits), frac_digits = 0;
    if (p != end && *p == '.') {
        const char *frac = ++p;
        p = scan_digits(p, end, &w);
        frac_digits = (size_t)(p - frac);
        ndigits += frac_digits;
    }
    /* ndigits - 1 wraps for 0 digits, so "" "-" "." fall through; the
     * length limit already keeps ndigits below 19. */
    if (p == end && ndigits - 1 < MAX_FAST_DIGITS) {
        if (frac_digits == 0 && (EXACT_DOUBLE_OPS || w <= MAX_EXACT_INT))
            return store_double(negative, (double)w, out);
        if (EXACT_DOUBLE_OPS && w <= MAX_EXACT_INT)
            return store_double(negative, (double)w / exact_pow10[frac_digits], out);
    }
    return parse_general(s, n, out);
}
