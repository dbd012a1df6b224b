/* What every split shares at its ends: checking the output pointers and the
 * test fraction on the way in, and building the two parts on the way out. */
#include <math.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/numfmt.h"
#include "data/dataset_impl.h"
#include "data/split_impl.h"

int mlops__split_check_outputs(mlops_dataset **train, mlops_dataset **test, const char *func)
{
    if (train == NULL || test == NULL)
        return mlops__fail(MLOPS_EINVAL, "%s: NULL output pointer", func);
    if (train == test)
        return mlops__fail(MLOPS_EINVAL, "%s: train and test point to the same variable", func);
    return MLOPS_OK;
}

int mlops__split_test_size(const mlops_dataset *d, double fraction, size_t *n_test,
                           mlops_dataset **train, mlops_dataset **test, const char *func)
{
    if (d == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL dataset", func);
    int rc = mlops__split_check_outputs(train, test, func);
    if (rc != MLOPS_OK) return rc;
    if (d->rows < 2)
        return mlops__fail(MLOPS_EINVAL, "%s: dataset '%s' has %zu row(s); a split needs 2 or more",
                           func, d->source, d->rows);
    if (!(fraction > 0.0 && fraction < 1.0))
        return mlops__fail(MLOPS_EINVAL, "%s: test_fraction %g is not strictly between 0 and 1",
                           func, fraction);
    /* The product is rounded to double once (as in scikit-learn, which
     * computes it in Python floats), so the count is the same everywhere. */
    double product = fraction * (double)d->rows;
    double wanted = ceil(product);
    if (wanted >= (double)d->rows) {
        char text[MLOPS_DOUBLE_BUFSIZE]; /* %g would show 0.9999999 as 1 */
        mlops__format_double(fraction, text);
        return mlops__fail(MLOPS_EINVAL,
                           "%s: test_fraction %s of %zu rows leaves no training rows", func, text,
                           d->rows);
    }
    *n_test = (size_t)wanted;
    return MLOPS_OK;
}

int mlops__split_build(const mlops_dataset *d, const uint8_t *in_test, mlops_dataset **train,
                       mlops_dataset **test)
{
    size_t n = d->rows;
    size_t *rows = mlops__malloc_array(n, sizeof *rows, "split row indices");
    if (rows == NULL) return MLOPS_ENOMEM;
    /* Training rows fill the front in increasing order, test rows the back
     * in decreasing order, so each part is one contiguous run. */
    size_t n_train = 0, back = n;
    for (size_t r = 0; r < n; r++)
        if (in_test[r])
            rows[--back] = r;
        else
            rows[n_train++] = r;
    for (size_t i = back, j = n - 1; i < j; i++, j--) {
        size_t t = rows[i];
        rows[i] = rows[j];
        rows[j] = t;
    }
    mlops_dataset *a = NULL, *b = NULL;
    int rc = mlops_dataset_take_rows(&a, d, rows, n_train);
    if (rc == MLOPS_OK) rc = mlops_dataset_take_rows(&b, d, rows + n_train, n - n_train);
    mlops__free(rows);
    if (rc != MLOPS_OK) {
        mlops_dataset_free(a);
        return rc;
    }
    *train = a;
    *test = b;
    return MLOPS_OK;
}
