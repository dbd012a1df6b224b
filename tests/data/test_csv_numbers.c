/* Every number the CSV reader stores equals strtod's reading of its field,
 * whatever path it took (the wide-row fast path or the general one): random
 * tables mixing short integers, long decimals, exponents, signs, quoted
 * numbers, padding, missing tokens and CRLF lines are read and checked cell
 * by cell against the text that was written. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "runner.h"

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* Writes one random numeric field into buf; returns 1 when it is missing. */
static int random_field(char *buf, size_t cap, int variety)
{
    unsigned kind = (unsigned)(next() % (variety ? 12 : 3));
    switch (kind) {
    case 0: snprintf(buf, cap, "%u", (unsigned)(next() % 256)); return 0;
    case 1: snprintf(buf, cap, "%llu", (unsigned long long)(next() % 100000000ull)); return 0;
    case 2: snprintf(buf, cap, "-%u.%03u", (unsigned)(next() % 1000), (unsigned)(next() % 1000)); return 0;
    case 3: buf[0] = '\0'; return 1;
    case 4: snprintf(buf, cap, "%.17g", (double)(int64_t)next() / 3.0); return 0;
    case 5: snprintf(buf, cap, "%.6e", (double)(next() % 1000000) * 1e-9); return 0;
    case 6: snprintf(buf, cap, "NA"); return 1;
    case 7: snprintf(buf, cap, "\"%u.5\"", (unsigned)(next() % 100)); return 0;
    case 8: snprintf(buf, cap, "  %u ", (unsigned)(next() % 1000)); return 0;
    case 9: snprintf(buf, cap, "%llu", (unsigned long long)next()); return 0; /* 20 digits */
    case 10: snprintf(buf, cap, "0.%018llu", (unsigned long long)(next() % 1000000000000000000ull)); return 0;
    default: snprintf(buf, cap, ".%u", (unsigned)(next() % 10000)); return 0;
    }
}

static double expected(const char *field)
{
    char tmp[64];
    const char *s = field;
    while (*s == ' ' || *s == '"') s++;
    snprintf(tmp, sizeof tmp, "%s", s);
    size_t n = strlen(tmp);
    while (n > 0 && (tmp[n - 1] == ' ' || tmp[n - 1] == '"')) tmp[--n] = '\0';
    return strtod(tmp, NULL);
}

static void run_table(size_t rows, size_t cols, int variety, int crlf)
{
    size_t cap = rows * cols * 48 + cols * 16 + 64;
    char *text = malloc(cap);
    double *want = malloc(rows * cols * sizeof *want);
    size_t len = 0;
    for (size_t j = 0; j < cols; j++)
        len += (size_t)snprintf(text + len, cap - len, "%sc%zu", j ? "," : "", j);
    len += (size_t)snprintf(text + len, cap - len, crlf ? "\r\n" : "\n");
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < cols; j++) {
            char field[64];
            int missing = random_field(field, sizeof field, variety);
            want[i * cols + j] = missing ? NAN : expected(field);
            len += (size_t)snprintf(text + len, cap - len, "%s%s", j ? "," : "", field);
        }
        len += (size_t)snprintf(text + len, cap - len, crlf ? "\r\n" : "\n");
    }
    mlops_csv_options *o;
    ck_assert_int_eq(mlops_csv_options_create(&o), MLOPS_OK);
    for (size_t j = 0; j < cols; j++) {
        char key[32];
        snprintf(key, sizeof key, "type.c%zu", j);
        ck_assert_int_eq(mlops_csv_options_set(o, key, "numeric"), MLOPS_OK);
    }
    mlops_dataset *d;
    ck_assert_msg(mlops_dataset_read_csv_memory(&d, text, len, "numbers.csv", o) == MLOPS_OK, "%s",
                  mlops_last_error());
    ck_assert_uint_eq(mlops_dataset_rows(d), rows);
    for (size_t j = 0; j < cols; j++) {
        const double *v;
        ck_assert_int_eq(mlops_dataset_numeric_data(d, j, &v), MLOPS_OK);
        for (size_t i = 0; i < rows; i++) {
            double w = want[i * cols + j];
            ck_assert_msg(isnan(w) ? isnan(v[i]) : memcmp(&v[i], &w, sizeof w) == 0,
                          "row %zu col %zu: %a, strtod says %a", i, j, v[i], w);
        }
    }
    mlops_dataset_free(d);
    mlops_csv_options_free(o);
    free(text);
    free(want);
}

/* MLOPS_TEST_SHORT (set for the valgrind run) shrinks the tables. */
static size_t scaled(size_t rows)
{
    return getenv("MLOPS_TEST_SHORT") ? rows / 10 : rows;
}

START_TEST(short_integer_tables)
{
    run_table(scaled(3000), 97, 0, 0);
    run_table(scaled(500), 3, 0, 1);
}
END_TEST

START_TEST(mixed_number_spellings)
{
    for (int round = 0; round < 4; round++) run_table(scaled(2000), 13 + round, 1, round & 1);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("csv numbers");
    TCase *tc = tcase_create("strtod agreement");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, short_integer_tables);
    tcase_add_test(tc, mixed_number_spellings);
    suite_add_tcase(s, tc);
    return s;
}
