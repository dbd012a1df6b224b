/* Private: the BLAS and LAPACK entry points the training core uses.
 *
 * BLAS comes through OpenBLAS's CBLAS header. Debian's OpenBLAS carries
 * LAPACK but not LAPACKE, so LAPACK is called through its Fortran symbols:
 * arguments by address, and the hidden length argument gfortran appends for
 * each CHARACTER argument passed explicitly, so the calls are exact on every
 * Fortran ABI the library is built with. */
#ifndef MLOPS_TRAIN_BLAS_H
#define MLOPS_TRAIN_BLAS_H

#include <stdbool.h>
#include <stddef.h>

#include <cblas.h>

/* gfortran's hidden CHARACTER length type. */
typedef size_t mlops__flen;

void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info,
             mlops__flen uplo_len);
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda,
             double *b, const int *ldb, int *info, mlops__flen uplo_len);
void dpocon_(const char *uplo, const int *n, const double *a, const int *lda,
             const double *anorm, double *rcond, double *work, int *iwork, int *info,
             mlops__flen uplo_len);
void dgelsd_(const int *m, const int *n, const int *nrhs, double *a, const int *lda, double *b,
             const int *ldb, double *s, const double *rcond, int *rank, double *work,
             const int *lwork, int *iwork, int *info);

/* Sets OpenBLAS's thread count for the life of a scope: returns the count
 * to restore (0 when `threads` is 0 and nothing changed). */
int mlops__blas_threads_push(unsigned threads);
void mlops__blas_threads_pop(int previous);

/* Logs, once per process, a warning when OpenBLAS runs a generic kernel on
 * a CPU that has AVX2: users otherwise lose a large factor silently. */
void mlops__blas_check_kernel(void);
/* Whether an OpenBLAS core name (openblas_get_corename()) is one of the
 * generic, pre-AVX2 kernels, in any letter case. */
bool mlops__blas_kernel_is_generic(const char *core);

/* LAPACK and BLAS take int sizes. */
#define MLOPS__BLAS_INT_MAX 2147483647

#endif
