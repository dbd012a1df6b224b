/* Private: the pipeline object shared by the loader and validator
 * (pipeline_load.c, pipeline_validate.c, pipeline_override.c) and the
 * runner (pipeline_run*.c). The configuration lives in the YAML tree
 * itself, overrides applied in place; readers take values through
 * mlops__pipeline_value(), which falls back to the schema's default. */
#ifndef MLOPS_PIPELINE_IMPL_H
#define MLOPS_PIPELINE_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "mlops/pipeline.h"
#include "pipeline/ytree.h"

typedef struct mlops__pipeline_problem {
    char *file;        /* the pipeline file, or "--set" */
    size_t line, col;
    char *key;         /* dotted key path, "" for the document */
    char *message;
    char *suggestion;  /* nearest valid key or value, or NULL */
    char *text;        /* "FILE:LINE:COLUMN: KEY: message (did you mean 'x'?)" */
} mlops__pipeline_problem;

struct mlops_pipeline {
    mlops__ytree tree;       /* the file; override nodes are added to it */
    char *path;              /* as given to mlops_pipeline_load */
    char *dir;               /* the file's directory, absolute */
    char sha256[65];         /* of the file's bytes */
    char **overrides;        /* the override texts, in order */
    size_t noverrides;

    bool validated;          /* validate ran since the last override */
    mlops__pipeline_problem *problems;
    size_t nproblems, capproblems;

    mlops_pipeline_step_fn step_fn;
    void *step_ctx;

    bool ran;
    char *summary_json;      /* after a run */
};

/* The node at dotted `path` of the configuration, or NULL when absent. */
const mlops__ynode *mlops__pipeline_node(const mlops_pipeline *p, const char *path);
/* The scalar text at `path`, or the schema's default for it, or NULL. */
const char *mlops__pipeline_value(const mlops_pipeline *p, const char *path);
/* `rel` resolved against the pipeline file's directory (absolute paths are
 * kept), in a new string (mlops__free), or NULL on ENOMEM. */
char *mlops__pipeline_resolve(const mlops_pipeline *p, const char *rel);

#endif
