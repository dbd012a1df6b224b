/* Private: the fields of mlops_csv_options, read by the CSV reader. */
#ifndef MLOPS_DATA_CSV_OPTIONS_IMPL_H
#define MLOPS_DATA_CSV_OPTIONS_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "mlops/csv.h"

enum { MLOPS_CSV_MAX_MISSING_TOKENS = 32 };

/* A per-column setting (type.NAME, role.NAME, sensitive.NAME). */
typedef struct mlops__column_setting {
    char *name;
    int type;      /* 0 = infer */
    int role;      /* -1 = default */
    int sensitive; /* -1 = default */
} mlops__column_setting;

struct mlops_csv_options {
    char delimiter; /* 0 = auto */
    char quote;     /* 0 = none */
    bool header;
    bool trim;
    bool skip_bad_rows;
    size_t max_field_bytes;
    size_t batch_rows;
    char *missing[MLOPS_CSV_MAX_MISSING_TOKENS];
    size_t nmissing;
    mlops__column_setting *columns;
    size_t ncolumns;
    mlops_progress_fn progress;
    void *progress_data;
};

/* A deep copy, so a streaming reader does not depend on the caller keeping
 * its options alive. */
int mlops__csv_options_clone(const mlops_csv_options *o, mlops_csv_options **out);

/* The defaults, for a NULL options pointer. */
const mlops_csv_options *mlops__csv_default_options(void);

#endif
