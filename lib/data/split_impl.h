/* Private: pieces the split functions share: the classes of a stratify
 * column, the size of a test part, and the building of the two parts. */
#ifndef MLOPS_DATA_SPLIT_IMPL_H
#define MLOPS_DATA_SPLIT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "mlops/dataset.h"

/* The classes of a stratify column, numbered 0, 1, ... in order of first
 * appearance in row order, so the numbering depends only on the data (not
 * on dictionary codes, which may hold categories no row uses). */
typedef struct mlops__split_classes {
    size_t col;
    size_t n;          /* number of classes */
    size_t *of_row;    /* class of each row (rows entries) */
    size_t *count;     /* rows per class */
    size_t *first_row; /* first row of each class, to name it in messages */
} mlops__split_classes;

/* Labels the rows of `d` by the classes of column `column`: categorical, or
 * numeric with whole-number values. Missing and fractional values are
 * MLOPS_EINVAL naming the row; `func` prefixes messages. */
int mlops__split_classes_init(mlops__split_classes *c, const mlops_dataset *d, const char *column,
                              const char *func);
void mlops__split_classes_clear(mlops__split_classes *c);

enum { MLOPS__CLASS_LABEL_SIZE = 96 };
/* The printable label of class `k` ("setosa", "2"), truncated to fit. */
const char *mlops__split_class_label(const mlops__split_classes *c, const mlops_dataset *d,
                                     size_t k, char buf[MLOPS__CLASS_LABEL_SIZE]);

/* Checks the output pointers (non-NULL, distinct) and the fraction, and
 * stores ceil(fraction * rows) in `n_test`; MLOPS_EINVAL when a part would
 * be empty. */
int mlops__split_test_size(const mlops_dataset *d, double fraction, size_t *n_test,
                           mlops_dataset **train, mlops_dataset **test, const char *func);
int mlops__split_check_outputs(mlops_dataset **train, mlops_dataset **test, const char *func);

/* Builds both parts from a mask (nonzero = test row), rows in their original
 * order. Writes the outputs only when both are built. */
int mlops__split_build(const mlops_dataset *d, const uint8_t *in_test, mlops_dataset **train,
                       mlops_dataset **test);

#endif
