/* Test support: each Check program provides its suite to the shared main(). */
#ifndef MLOPS_TEST_RUNNER_H
#define MLOPS_TEST_RUNNER_H

#include <check.h>

Suite *test_suite(void);

#endif
