/* Allocation wrappers and allocator hooks: overflow checks, live-block
 * accounting, refusal to swap allocators while blocks are outstanding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mlops.h>

#include "core/alloc.h"
#include "fault_alloc.h"
#include "runner.h"

START_TEST(size_arithmetic_detects_overflow)
{
    size_t out = 0;
    ck_assert(mlops__mul_size(1u << 20, 1u << 10, &out));
    ck_assert_uint_eq(out, (size_t)1 << 30);
    ck_assert(!mlops__mul_size(SIZE_MAX / 2 + 1, 2, &out));
    ck_assert(mlops__mul_size(SIZE_MAX, 0, &out));
    ck_assert_uint_eq(out, 0);
    ck_assert(mlops__add_size(SIZE_MAX - 1, 1, &out));
    ck_assert(!mlops__add_size(SIZE_MAX, 1, &out));
}
END_TEST

START_TEST(array_overflow_is_enomem_with_message)
{
    mlops_clear_error();
    ck_assert_ptr_null(mlops__malloc_array(SIZE_MAX / 8, 16, "test matrix"));
    ck_assert_int_eq(mlops_last_error_code(), MLOPS_ENOMEM);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "test matrix"));
    ck_assert_ptr_null(mlops__calloc(SIZE_MAX, 2, "zeros"));
    ck_assert_int_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(live_blocks_are_counted)
{
    ck_assert_uint_eq(mlops_live_allocations(), 0);
    char *a = mlops__strdup("hello", "greeting");
    double *b = mlops__calloc(4, sizeof *b, "vector");
    void *z = mlops__malloc(0, "empty");
    ck_assert_ptr_nonnull(z);
    ck_assert_str_eq(a, "hello");
    ck_assert(b[3] == 0.0);
    ck_assert_uint_eq(mlops_live_allocations(), 3);
    b = mlops__realloc_array(b, 1000, sizeof *b, "vector");
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(mlops_live_allocations(), 3);
    mlops_free(a);
    mlops__free(b);
    mlops__free(z);
    mlops__free(NULL);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

START_TEST(failed_realloc_keeps_the_block)
{
    char *p = mlops__strdup("keep me", "text");
    fault_alloc_fail_at(0);
    ck_assert_ptr_null(mlops__realloc(p, 1 << 20, "text"));
    fault_alloc_fail_at(-1);
    ck_assert_int_eq(mlops_last_error_code(), MLOPS_ENOMEM);
    ck_assert_str_eq(p, "keep me");
    mlops__free(p);
    ck_assert_uint_eq(mlops_live_allocations(), 0);
}
END_TEST

static size_t custom_calls;
static void *custom_malloc(size_t n, void *ud)
{
    custom_calls += *(int *)ud;
    return malloc(n);
}
static void *custom_realloc(void *p, size_t n, void *ud)
{
    custom_calls += *(int *)ud;
    return realloc(p, n);
}
static void custom_free(void *p, void *ud)
{
    (void)ud;
    free(p);
}

START_TEST(allocator_swap_rules)
{
    static int one = 1;
    /* Partial sets are refused. */
    ck_assert_int_eq(mlops_set_allocator(custom_malloc, NULL, custom_free, &one), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "2 of malloc, realloc, free"));
    /* Outstanding blocks pin the current allocator. */
    void *held = mlops__malloc(16, "held");
    ck_assert_int_eq(mlops_set_allocator(custom_malloc, custom_realloc, custom_free, &one),
                     MLOPS_ESTATE);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "1 block"));
    mlops__free(held);
    /* With nothing held the swap succeeds and user_data reaches the hooks. */
    ck_assert_int_eq(mlops_set_allocator(custom_malloc, custom_realloc, custom_free, &one),
                     MLOPS_OK);
    void *p = mlops__malloc(8, "x");
    p = mlops__realloc(p, 64, "x");
    mlops__free(p);
    ck_assert_uint_eq(custom_calls, 2);
    /* NULLs restore the C library's allocator. */
    ck_assert_int_eq(mlops_set_allocator(NULL, NULL, NULL, NULL), MLOPS_OK);
    mlops__free(mlops__malloc(8, "x"));
    ck_assert_uint_eq(custom_calls, 2);
    fault_alloc_install();
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("alloc");
    TCase *tc = tcase_create("hooks");
    tcase_add_test(tc, size_arithmetic_detects_overflow);
    tcase_add_test(tc, array_overflow_is_enomem_with_message);
    tcase_add_test(tc, live_blocks_are_counted);
    tcase_add_test(tc, failed_realloc_keeps_the_block);
    tcase_add_test(tc, allocator_swap_rules);
    suite_add_tcase(s, tc);
    return s;
}
