/* The CSV reader's number parser against glibc strtod, bit for bit, on
 * generated fields (integers, decimals over the whole exponent range, random
 * doubles, exact and near midpoints between doubles, neighbours of the
 * extremes), plus hand-picked values and fields that must be rejected.
 * MLOPS_TEST_SHORT in the environment cuts the generated count from
 * 2,000,000 to 50,000, for runs under valgrind. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/numfmt.h"
#include "core/rng.h"
#include "data/parse_number.h"
#include "runner.h"

static size_t total_cases(void)
{
    return getenv("MLOPS_TEST_SHORT") ? 50000 : 2000000;
}

static uint64_t bits_of(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static double from_bits(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

/* Parses a copy of exactly n bytes (so a sanitizer sees any read past the
 * field) and compares with strtod on the NUL-terminated original. Millions
 * of calls: Check's assertions each write to a pipe, so they are kept to
 * the failure branches. */
static void check_field_n(const char *s, size_t n)
{
    char *exact = malloc(n ? n : 1);
    if (!exact) ck_abort_msg("out of memory");
    memcpy(exact, s, n);
    char *end;
    double want = mlops__strtod_c(s, &end);
    if (end != s + n)
        ck_abort_msg("generator made a field strtod does not take whole: '%.200s'", s);
    double got = 0;
    bool ok = mlops__parse_double(exact, n, &got);
    free(exact);
    if (!ok) ck_abort_msg("rejected '%.300s' (%zu chars)", s, n);
    if (bits_of(got) != bits_of(want))
        ck_abort_msg("'%.300s' (%zu chars): got %a, strtod %a", s, n, got, want);
}

static void check_field(const char *s)
{
    check_field_n(s, strlen(s));
}

static void expect_value_n(const char *s, size_t n, double want)
{
    char *exact = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(exact);
    memcpy(exact, s, n);
    double got = 0;
    bool ok = mlops__parse_double(exact, n, &got);
    free(exact);
    ck_assert_msg(ok, "rejected '%.*s'", (int)n, s);
    ck_assert_msg(bits_of(got) == bits_of(want), "'%.*s': got %a, want %a", (int)n, s, got, want);
}

static void expect_value(const char *s, double want)
{
    expect_value_n(s, strlen(s), want);
}

static void expect_reject_n(const char *s, size_t n)
{
    char *exact = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(exact);
    memcpy(exact, s, n);
    double out = 42.5;
    bool ok = mlops__parse_double(exact, n, &out);
    free(exact);
    ck_assert_msg(!ok, "accepted '%.*s' (%zu bytes) as %a", (int)n, s, n, out);
    ck_assert_msg(out == 42.5, "'%.*s' was rejected but *out changed", (int)n, s);
}

static void expect_reject(const char *s)
{
    expect_reject_n(s, strlen(s));
}

/* ---- exact decimal arithmetic for midpoints ----------------------------- */

/* Every double has at most 1074 fractional digits, a midpoint between two
 * doubles at most 1075; one more keeps halving exact. */
enum { FRAC_MAX = 1076, FIXED_MAX = 320 + FRAC_MAX };

/* Fractional digits that hold x >= 0, x + ulp(x) and the midpoint between
 * them exactly, plus one: printing fewer keeps the test fast. */
static int midpoint_frac_digits(double x)
{
    int e;
    frexp(x, &e);
    e -= 1; /* x = 1.f * 2^e */
    if (x == 0 || e < -1022) e = -1022;
    int ulp_half_exp = e - 53;
    return (ulp_half_exp < 0 ? -ulp_half_exp : 0) + 1;
}

/* The exact value of finite x >= 0 in fixed notation with `frac` digits
 * after the point (glibc prints exactly). */
static void exact_fixed(double x, int frac, char *out)
{
    snprintf(out, FIXED_MAX, "%.*f", frac, x);
}

/* out = a + b for two exact_fixed strings with equally many fractional
 * digits. */
static void fixed_add(const char *a, const char *b, char *out)
{
    size_t ia = (size_t)(strchr(a, '.') - a), ib = (size_t)(strchr(b, '.') - b);
    size_t frac = strlen(a) - ia - 1;
    size_t ilen = (ia > ib ? ia : ib) + 1;
    int carry = 0;
    for (size_t k = frac; k-- > 0;) {
        int sum = (a[ia + 1 + k] - '0') + (b[ib + 1 + k] - '0') + carry;
        out[ilen + 1 + k] = (char)('0' + sum % 10);
        carry = sum / 10;
    }
    out[ilen] = '.';
    for (size_t k = 0; k < ilen; k++) {
        int x = k < ia ? a[ia - 1 - k] - '0' : 0;
        int y = k < ib ? b[ib - 1 - k] - '0' : 0;
        int sum = x + y + carry;
        out[ilen - 1 - k] = (char)('0' + sum % 10);
        carry = sum / 10;
    }
    out[ilen + 1 + frac] = '\0';
}

static void fixed_half(char *s)
{
    int rem = 0;
    for (char *p = s; *p; p++) {
        if (*p == '.') continue;
        int v = rem * 10 + (*p - '0');
        *p = (char)('0' + v / 2);
        rem = v % 2;
    }
    if (rem != 0) ck_abort_msg("odd sum: the midpoint needs more digits");
}

/* Significant digits (no leading or trailing zeros) and the exponent of the
 * first of them, for a fixed string with a nonzero value. */
static void fixed_digits(const char *fixed, char *digits, long *exp10)
{
    const char *dot = strchr(fixed, '.');
    const char *p = fixed;
    while (*p == '0' || *p == '.') p++;
    *exp10 = p < dot ? (long)(dot - p) - 1 : -(long)(p - dot);
    size_t n = 0;
    for (; *p; p++)
        if (*p != '.') digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0') n--;
    digits[n] = '\0';
}

/* "<sign>d.ddd<tail>e<exp>" from digits[0..n) ("d.e5" is valid too). */
static void sci_from_digits(const char *digits, size_t n, long exp10, const char *sign,
                            const char *tail, char *out, size_t outsize)
{
    snprintf(out, outsize, "%s%c.%.*s%se%ld", sign, digits[0], (int)(n - 1), digits + 1, tail,
             exp10);
}

/* Checks the exact midpoint between x >= 0 and the next double up, in fixed
 * and scientific notation, and values just below and just above it. */
static void check_midpoint(mlops__rng *rng, double x)
{
    static char a[FIXED_MAX], b[FIXED_MAX], mid[FIXED_MAX + 2], digits[FIXED_MAX];
    static char field[FIXED_MAX + 16];
    double next = nextafter(x, INFINITY);
    int frac = midpoint_frac_digits(x);
    exact_fixed(x, frac, a);
    if (isinf(next)) {
        /* Past DBL_MAX the midpoint is DBL_MAX + ulp/2 = DBL_MAX + 2^970. */
        exact_fixed(ldexp(1.0, 970), frac, b);
        fixed_add(a, b, mid);
    } else {
        exact_fixed(next, frac, b);
        fixed_add(a, b, mid);
        fixed_half(mid);
    }
    const char *sign = mlops__rng_below(rng, 2) ? "-" : "";
    snprintf(field, sizeof field, "%s%s", sign, mid);
    check_field(field);

    long e;
    fixed_digits(mid, digits, &e);
    size_t nd = strlen(digits);
    sci_from_digits(digits, nd, e, sign, "", field, sizeof field);
    check_field(field);
    /* Just above: an extra nonzero digit far down. */
    sci_from_digits(digits, nd, e, sign, "000000000000000000001", field, sizeof field);
    check_field(field);
    /* Just below: a truncation (the last digit kept by fixed_digits is
     * nonzero). */
    if (nd > 1) {
        size_t keep = 1 + (size_t)mlops__rng_below(rng, nd - 1);
        sci_from_digits(digits, keep, e, sign, "", field, sizeof field);
        check_field(field);
    }
}

/* ---- generators --------------------------------------------------------- */

/* A printf conversion of a double, kept as data so the format strings
 * themselves stay literal. */
typedef struct {
    char conversion; /* 'g', 'e' or 'f' */
    int precision;   /* -1: the default */
} print_style;

static void print_double(char *out, size_t size, print_style style, double x)
{
    int p = style.precision < 0 ? 6 : style.precision;
    switch (style.conversion) {
    case 'e': snprintf(out, size, "%.*e", p, x); break;
    case 'f': snprintf(out, size, "%.*f", p, x); break;
    default: snprintf(out, size, "%.*g", p, x); break;
    }
}

static double random_double(mlops__rng *rng)
{
    return from_bits(mlops__rng_next(rng));
}

/* A finite, non-negative double with its exponent uniform over all binades
 * (subnormals included), so every scale gets the same attention. */
static double random_finite(mlops__rng *rng)
{
    uint64_t exponent = mlops__rng_below(rng, 2047);
    uint64_t mantissa = mlops__rng_next(rng) & ((UINT64_C(1) << 52) - 1);
    return from_bits(exponent << 52 | mantissa);
}

static const char *random_sign(mlops__rng *rng)
{
    static const char *const signs[4] = {"", "", "-", "+"};
    return signs[mlops__rng_below(rng, 4)];
}

static void random_digits(mlops__rng *rng, char *out, size_t n, bool nonzero_first)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (char)('0' + mlops__rng_below(rng, 10));
    if (nonzero_first && n) out[0] = (char)('1' + mlops__rng_below(rng, 9));
    out[n] = '\0';
}

START_TEST(random_integers)
{
    mlops__rng rng;
    mlops__rng_seed(&rng, 1);
    size_t count = total_cases() / 4;
    char digits[32], field[40];
    for (size_t i = 0; i < count; i++) {
        switch (i % 4) {
        case 0: /* pixel values */
            snprintf(field, sizeof field, "%u", (unsigned)mlops__rng_below(&rng, 256));
            break;
        case 1: /* %.6f decimals, as written by most tools */
            snprintf(field, sizeof field, "%s%.6f", random_sign(&rng),
                     mlops__rng_uniform(&rng) * 1000.0);
            break;
        default: { /* 1..19 digits, sometimes 20, sometimes with leading zeros */
            size_t n = 1 + (size_t)mlops__rng_below(&rng, 20);
            random_digits(&rng, digits, n, mlops__rng_below(&rng, 8) != 0);
            snprintf(field, sizeof field, "%s%s", random_sign(&rng), digits);
        }
        }
        check_field(field);
    }
}
END_TEST

START_TEST(random_decimals)
{
    mlops__rng rng;
    mlops__rng_seed(&rng, 2);
    size_t count = total_cases() * 3 / 10;
    char digits[32], field[400];
    for (size_t i = 0; i < count; i++) {
        size_t k = 1 + (size_t)mlops__rng_below(&rng, 25);
        random_digits(&rng, digits, k, true);
        long e = -330 + (long)mlops__rng_below(&rng, 641); /* exponent of the first digit */
        const char *sign = random_sign(&rng);
        const char *echar = mlops__rng_below(&rng, 4) ? "e" : "E";
        switch (mlops__rng_below(&rng, 5)) {
        case 0: /* d.ddde-12 */
            if (k == 1)
                snprintf(field, sizeof field, "%s%c%s%ld", sign, digits[0], echar, e);
            else
                snprintf(field, sizeof field, "%s%c.%s%s%ld", sign, digits[0], digits + 1, echar,
                         e);
            break;
        case 1: /* dddde+5: integer significand */
            snprintf(field, sizeof field, "%s%s%s%+ld", sign, digits, echar, e - (long)k + 1);
            break;
        case 2: { /* dd.dde7 with the point anywhere, ".ddd" and "ddd." included */
            size_t dot = (size_t)mlops__rng_below(&rng, k + 1);
            snprintf(field, sizeof field, "%s%.*s.%s%s%ld", sign, (int)dot, digits, digits + dot,
                     echar, e - (long)dot + 1);
            break;
        }
        case 3: /* leading zeros before the significand */
            snprintf(field, sizeof field, "%s000000000000000000000.%s%s%ld", sign, digits, echar,
                     e + 1);
            break;
        default: { /* plain fixed notation, first digit at 10^-29 .. 10^29 */
            static const char zeros[] = "000000000000000000000000000000";
            long small = e % 30;
            if (small < 0)
                snprintf(field, sizeof field, "%s0.%.*s%s", sign, (int)(-small - 1), zeros,
                         digits);
            else if ((long)k > small + 1)
                snprintf(field, sizeof field, "%s%.*s.%s", sign, (int)(small + 1), digits,
                         digits + small + 1);
            else
                snprintf(field, sizeof field, "%s%s%.*s%s", sign, digits,
                         (int)(small + 1 - (long)k), zeros, (i & 1) ? "." : "");
        }
        }
        check_field(field);
    }
}
END_TEST

START_TEST(random_doubles_printed)
{
    static const print_style formats[] = {{'g', 17}, {'g', 15}, {'e', 6}, {'e', 16}, {'e', 17},
                                          {'g', 3},  {'g', 9},  {'g', 25}, {'f', 10}, {'g', -1}};
    enum { NFORMATS = sizeof formats / sizeof formats[0] };
    mlops__rng rng;
    mlops__rng_seed(&rng, 3);
    size_t count = total_cases() * 3 / 10;
    char field[400];
    for (size_t i = 0; i < count; i++) {
        /* Half raw bit patterns (inf and NaN included), half uniform over
         * binades. */
        double x = (i & 1) ? random_double(&rng) : random_finite(&rng);
        if (!(i & 1) && mlops__rng_below(&rng, 2)) x = -x;
        print_double(field, sizeof field, formats[mlops__rng_below(&rng, NFORMATS)], x);
        check_field(field);
    }
}
END_TEST

START_TEST(midpoints_between_doubles)
{
    mlops__rng rng;
    mlops__rng_seed(&rng, 4);
    size_t count = total_cases() / 50; /* 4 fields each */
    for (size_t i = 0; i < count; i++) {
        double x = random_finite(&rng);
        if (i % 8 == 0) x = (double)(mlops__rng_next(&rng) >> (11 + mlops__rng_below(&rng, 40)));
        check_midpoint(&rng, x);
    }
}
END_TEST

START_TEST(neighbours_of_extremes)
{
    static const print_style formats[] = {{'g', 17}, {'g', 16}, {'g', 15}, {'e', 17}, {'e', 20},
                                          {'e', 25}, {'g', 40}, {'e', 6},  {'e', 30}};
    enum { NFORMATS = sizeof formats / sizeof formats[0] };
    const double bases[] = {DBL_MAX,  DBL_MIN,  0x1p-1074, 0x1p-1022 - 0x1p-1074, 0.0,
                            1.0,      0x1p53,   0x1p63,    0x1p64,                1e22,
                            1e23,     1e-22,    1e15,      1e308,                 1e-308,
                            5e-324,   0x1p-1000, 0x1p1000, 0.1,                   1.5};
    enum { NBASES = sizeof bases / sizeof bases[0] };
    mlops__rng rng;
    mlops__rng_seed(&rng, 5);
    size_t count = total_cases() / 10;
    char field[400];
    for (size_t i = 0; i < count; i++) {
        double x = bases[mlops__rng_below(&rng, NBASES)];
        long steps = (long)mlops__rng_below(&rng, 81) - 40;
        for (; steps > 0; steps--) x = nextafter(x, INFINITY);
        for (; steps < 0 && x > 0; steps++) x = nextafter(x, 0.0);
        if (isinf(x)) x = DBL_MAX;
        if (i % 16 == 0) {
            check_midpoint(&rng, x);
            continue;
        }
        print_double(field, sizeof field, formats[mlops__rng_below(&rng, NFORMATS)],
                     mlops__rng_below(&rng, 2) ? -x : x);
        check_field(field);
    }
}
END_TEST

/* ---- hand-picked -------------------------------------------------------- */

START_TEST(hand_picked_values)
{
    expect_value("0", 0.0);
    expect_value("-0", -0.0);
    expect_value("+0", 0.0);
    expect_value("-0.0", -0.0);
    expect_value("-0e999", -0.0);
    expect_value("0000.000e99999999999", 0.0);
    expect_value("-0000.000e-99999999999999999999999999", -0.0);
    expect_value("0e-99999999999999999999999999999999999999999", 0.0);
    expect_value("1", 1.0);
    expect_value("255", 255.0);
    expect_value("-12.5e-3", -0.0125);
    expect_value("0.123456", 0.123456);
    expect_value(".5", 0.5);
    expect_value("5.", 5.0);
    expect_value("-.5", -0.5);
    expect_value("+.5e+1", 5.0);
    expect_value("1E2", 100.0);
    expect_value("1e+2", 100.0);
    expect_value("00001", 1.0);
    expect_value("000", 0.0);
    expect_value("09", 9.0);
    expect_value("999", 999.0);
    expect_value("1000", 1000.0);
    expect_value("0.1", 0x1.999999999999ap-4);
    expect_value("1e23", 0x1.52d02c7e14af6p+76);
    expect_value("7.038531e-26", 0x1.5c87fbp-84);
    expect_value("123456789012345678901234567890", 0x1.8ee90ff6c373ep+96);
    expect_value("9007199254740992", 0x1p53);
    expect_value("9007199254740993", 0x1p53); /* tie, to even */
    expect_value("9007199254740995", 0x1.0000000000002p53);
    expect_value("9007199254740993.0000000000000001", 0x1.0000000000001p53);
    expect_value("18446744073709551615", 0x1p64);
    expect_value("9999999999999999999", 1e19);
    expect_value("1.00000000000000011102230246251565404236316680908203125", 1.0);
    expect_value("1.00000000000000011102230246251565404236316680908203124", 1.0);
    expect_value("1.00000000000000011102230246251565404236316680908203126",
                 0x1.0000000000001p+0);
    expect_value("1.7976931348623157e308", DBL_MAX);
    expect_value("1.7976931348623158e308", DBL_MAX);
    expect_value("1.7976931348623159e308", INFINITY);
    expect_value("-1.7976931348623159e308", -INFINITY);
    expect_value("1e400", INFINITY);
    expect_value("-1e400", -INFINITY);
    expect_value("1e99999999999999999999", INFINITY);
    expect_value("2.2250738585072014e-308", DBL_MIN);
    expect_value("2.2250738585072011e-308", 0x0.fffffffffffffp-1022);
    expect_value("4.9406564584124654e-324", 0x1p-1074);
    expect_value("5e-324", 0x1p-1074);
    expect_value("2.4703282292062328e-324", 0x1p-1074);
    expect_value("2.4703282292062327e-324", 0.0);
    expect_value("-2.4703282292062327e-324", -0.0);
    expect_value("8.5e-322", 0x0.00000000000acp-1022);
    expect_value("1e-400", 0.0);
    expect_value("-1e-400", -0.0);
    expect_value("inf", INFINITY);
    expect_value("INF", INFINITY);
    expect_value("+Inf", INFINITY);
    expect_value("-inf", -INFINITY);
    expect_value("infinity", INFINITY);
    expect_value("-InFiNiTy", -INFINITY);

    double v = 0;
    ck_assert(mlops__parse_double("nan", 3, &v) && isnan(v) && !signbit(v));
    ck_assert(mlops__parse_double("NaN", 3, &v) && isnan(v) && !signbit(v));
    ck_assert(mlops__parse_double("+nan", 4, &v) && isnan(v) && !signbit(v));
    ck_assert(mlops__parse_double("-NAN", 4, &v) && isnan(v) && signbit(v));
    check_field("nan");
    check_field("-nan");
}
END_TEST

START_TEST(long_fields)
{
    /* 800 digits and more: the rebuilt significand, the sticky digit
     * and the strtod fallback on a rewritten field. */
    static char field[4200];
    mlops__rng rng;
    mlops__rng_seed(&rng, 6);
    size_t lengths[] = {20, 21, 40, 100, 760, 770, 800, 801, 820, 831, 832, 833, 900, 2000, 4000};
    for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
        size_t len = lengths[li];
        for (int rep = 0; rep < 40; rep++) {
            random_digits(&rng, field, len, rep % 2 == 0);
            check_field(field);
            /* A point somewhere, and an exponent. */
            memmove(field + 2, field + 1, len);
            field[1] = '.';
            check_field(field);
            char *end = field + strlen(field);
            snprintf(end, 32, "e%d", (int)mlops__rng_below(&rng, 700) - 350 - (int)len);
            check_field(field);
        }
        /* A value whose only nonzero digit comes after many zeros. */
        memset(field, '0', len);
        field[len] = '\0';
        expect_value(field, 0.0);
        field[len - 1] = '1';
        check_field(field);
        field[1] = '.';
        check_field(field);
        memset(field, '0', len);
        field[0] = '1';
        field[1] = '.';
        field[len] = '\0';
        expect_value(field, 1.0);
    }
    /* An exact tie with hundreds of significant digits (between two
     * subnormals, the lower one even), padded past 800 digits: zeros after
     * the cut must not count as a nonzero tail, a 1 must. */
    static char a[FIXED_MAX], b[FIXED_MAX], mid[FIXED_MAX + 2], digits[FIXED_MAX];
    exact_fixed(0x0.ffffffffffffep-1022, FRAC_MAX, a);
    exact_fixed(0x0.fffffffffffffp-1022, FRAC_MAX, b);
    fixed_add(a, b, mid);
    fixed_half(mid);
    long e;
    fixed_digits(mid, digits, &e);
    size_t nd = strlen(digits);
    ck_assert_uint_gt(nd, 700);
    memset(digits + nd, '0', 300);
    digits[nd + 300] = '\0';
    sci_from_digits(digits, nd + 300, e, "", "", field, sizeof field);
    ck_assert_uint_gt(strlen(field), 1000);
    expect_value(field, 0x0.ffffffffffffep-1022);
    check_field(field);
    sci_from_digits(digits, nd + 300, e, "-", "1", field, sizeof field);
    expect_value(field, -0x0.fffffffffffffp-1022);
    check_field(field);
    /* 1 followed by 800 zeros overflows; 0.(800 zeros)1 underflows. */
    memset(field, '0', 801);
    field[0] = '1';
    field[801] = '\0';
    expect_value(field, INFINITY);
    memcpy(field, "0.", 2);
    memset(field + 2, '0', 800);
    field[802] = '1';
    field[803] = '\0';
    expect_value(field, 0.0);
    /* 1 followed by 300 zeros, and then e-300 */
    memset(field, '0', 301);
    field[0] = '1';
    field[301] = '\0';
    check_field(field);
    strcpy(field + 301, "e-300");
    expect_value(field, 1.0);
    /* The midpoint 1 + 2^-53 followed by 2000 zeros then a 1: just above. */
    strcpy(field, "1.00000000000000011102230246251565404236316680908203125");
    size_t base = strlen(field);
    memset(field + base, '0', 2000);
    strcpy(field + base + 2000, "1");
    expect_value(field, 0x1.0000000000001p+0);
    field[base + 2000] = '\0';
    expect_value(field, 1.0);
}
END_TEST

START_TEST(rejections)
{
    static const char *const bad[] = {
        /* empty, lone sign or point, missing significand or exponent digits */
        "", "+", "-", ".", "+.", "-.", "e5", "E5", ".e5", "-e1", "e", "1e", "1e+", "1e-", "1E",
        "1.e",
        /* malformed structure */
        "1.2.3", "1..2", "..5", "5..", "--1", "+-1", "-+1", "++1", "1-", "1+", "1e5.5", "1e5e5",
        "1e--5", "1e+-1",
        /* separators and whitespace (the caller trims) */
        "1,000", "1 000", "1_000", " 1", "1 ", "\t1", "1\n", "1e1 ", "+inf ", "9 9",
        /* other notations */
        "0x1p3", "0x10", "0x", "0b101", "1/2", "1f", "1d", "1.5f", "$1", "1%",
        /* bytes next to '0'..'9', short fields (the branch-free path) */
        "9:", ":9", "/", "1/0", "19:", "/99",
        /* words */
        "abc", "i", "n", "-i", "in", "na", "inf1", "infinit", "infinityy", "infnan", "nan(123)",
        "nanx",
        /* non-ASCII look-alikes: Arabic-Indic one, dotless i, n with acute */
        "\xd9\xa1", "\xc4\xb1nf", "na\xc5\x84",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) expect_reject(bad[i]);
    /* Embedded NUL. */
    expect_reject_n("1\0", 2);
    expect_reject_n("1\0" "2", 3);
    expect_reject_n("\0" "1", 2);
    expect_reject_n("1e\0" "5", 4);
    expect_reject_n("inf\0", 4);
}
END_TEST

START_TEST(never_reads_past_the_field)
{
    /* The bytes after the field would change the answer if read. */
    double v = 0;
    ck_assert(mlops__parse_double("125", 2, &v) && v == 12.0);
    ck_assert(mlops__parse_double("0.55", 3, &v) && v == 0.5);
    ck_assert(mlops__parse_double("1e55", 3, &v) && v == 1e5);
    ck_assert(mlops__parse_double("12345678901234567890123", 20, &v) &&
              v == 12345678901234567890.0);
    ck_assert(mlops__parse_double("infinity", 3, &v) && isinf(v));
    ck_assert(!mlops__parse_double("1e5", 2, &v));
    ck_assert(!mlops__parse_double("infinity", 5, &v));
    ck_assert(!mlops__parse_double("nan", 2, &v));
    ck_assert(mlops__parse_double("00000000000000000000000000005", 28, &v) && v == 0.0);
    /* Eight-digit chunks stop at the field's end, not at the digits' end. */
    ck_assert(mlops__parse_double("1234567890123456789", 17, &v) && v == 12345678901234567.0);
    ck_assert(mlops__parse_double("0.1234567812345678e9", 18, &v) && v == 0.1234567812345678);
    ck_assert(mlops__parse_double("123456789", 7, &v) && v == 1234567.0);
    /* The field may end without a terminator anywhere nearby. */
    static const char run[] = "4.5,17,-3e2,0.000000000000000000000000001,nan";
    const char *p = run;
    double want[] = {4.5, 17.0, -300.0, 1e-27};
    for (int i = 0; i < 4; i++) {
        const char *comma = strchr(p, ',');
        ck_assert(mlops__parse_double(p, (size_t)(comma - p), &v));
        ck_assert_msg(v == want[i], "field %d: %a", i, v);
        p = comma + 1;
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("parse_number");
    TCase *hand = tcase_create("hand-picked");
    tcase_add_test(hand, hand_picked_values);
    tcase_add_test(hand, long_fields);
    tcase_add_test(hand, rejections);
    tcase_add_test(hand, never_reads_past_the_field);
    suite_add_tcase(s, hand);
    TCase *gen = tcase_create("against strtod");
    tcase_set_timeout(gen, 600);
    tcase_add_test(gen, random_integers);
    tcase_add_test(gen, random_decimals);
    tcase_add_test(gen, random_doubles_printed);
    tcase_add_test(gen, midpoints_between_doubles);
    tcase_add_test(gen, neighbours_of_extremes);
    suite_add_tcase(s, gen);
    return s;
}
