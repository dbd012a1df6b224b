/* mlops_pipeline: the whole lifecycle of one model described in one YAML
 * file (schema version 1, see mlops-pipeline(5)), checked before anything
 * runs, then run into a run directory that can be verified years later.
 *
 * Use: mlops_pipeline_load() reads the file, mlops_pipeline_override()
 * applies command-line style overrides ("model.settings.l2=0.1"),
 * mlops_pipeline_validate() checks everything at once and lists every
 * problem with FILE:LINE:COLUMN, the key path and, for an unknown key, the
 * nearest valid one; mlops_pipeline_run() validates again if needed, then
 * reads and validates the data, splits it, fits the preprocessing and the
 * model (optionally choosing settings by grid search with cross-validation),
 * evaluates it with its gates, builds the monitoring reference profile,
 * optionally checks a later batch for drift, writes every artifact and the
 * lock file mlops.lock into the run directory and, when every gate passed,
 * registers the model and moves the configured alias (see registry.h).
 *
 * The pipeline layer is written on the public API only, as a user would.
 *
 * Thread safety: a pipeline is used by one thread at a time. */
#ifndef MLOPS_PIPELINE_H
#define MLOPS_PIPELINE_H

#include <stddef.h>

#include "mlops/export.h"

MLOPS_BEGIN_DECLS

typedef struct mlops_pipeline mlops_pipeline;

/** Reads the pipeline file at `path` (YAML; at most 4 MiB, nesting at most
 *  64 levels, at most 100000 nodes once aliases are expanded). Relative
 *  paths inside the file are taken from the file's directory. Only the YAML
 *  syntax is checked here; see mlops_pipeline_validate().
 *  Returns MLOPS_OK and a new pipeline in *out (release with
 *  mlops_pipeline_free()); MLOPS_EINVAL (NULL argument); MLOPS_ENOTFOUND or
 *  MLOPS_EIO (the file); MLOPS_EFORMAT (a YAML syntax error, a duplicate key
 *  or a limit, with "PATH:LINE:COLUMN: ..." in the message); MLOPS_ENOMEM. */
MLOPS_API int mlops_pipeline_load(mlops_pipeline **out, const char *path);

/** Releases a pipeline. NULL is allowed. */
MLOPS_API void mlops_pipeline_free(mlops_pipeline *p);

/** Applies one override "KEY.PATH=VALUE", as `mlops run --set` does: the
 *  dotted key path names a mapping key at any depth (missing mappings are
 *  created); VALUE is read as a YAML flow value, so "0.1" is a number,
 *  "[a, b]" a list and "'1'" a string. Overrides are checked by
 *  mlops_pipeline_validate() like the file's own keys; their problems are
 *  reported at "--set:N:COLUMN" (N the override's rank, from 1).
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL argument, no '=', empty key or key
 *  part, a path through a list or a scalar); MLOPS_EFORMAT (VALUE is not a
 *  YAML value); MLOPS_ENOMEM. */
MLOPS_API int mlops_pipeline_override(mlops_pipeline *p, const char *assignment);

/** Checks the whole configuration and collects every problem: unknown keys
 *  (with the nearest valid key), wrong types (saying what was expected),
 *  missing required keys, values the library refuses (model, preprocessing,
 *  evaluation and drift settings are tried on scratch objects), gate
 *  expressions that do not parse, data files that do not exist.
 *  Returns MLOPS_OK when there is none, MLOPS_EINVAL when there are some
 *  (mlops_last_error() gives the first and the count), MLOPS_ENOMEM. */
MLOPS_API int mlops_pipeline_validate(mlops_pipeline *p);

/** The number of problems the last validation found. */
MLOPS_API size_t mlops_pipeline_problem_count(const mlops_pipeline *p);

/** Problem `i` as "FILE:LINE:COLUMN: KEY.PATH: message", or NULL when `i`
 *  is out of range. Borrowed: valid until the next call on `p`. Problems
 *  come in file order; override problems last. */
MLOPS_API const char *mlops_pipeline_problem(const mlops_pipeline *p, size_t i);

/** The problems of the last validation as a JSON array in a new string
 *  *json (release with mlops_free()): [{"file", "line", "column", "key",
 *  "message", "suggestion" (null when none)}, ...]. Returns MLOPS_OK,
 *  MLOPS_EINVAL or MLOPS_ENOMEM. */
MLOPS_API int mlops_pipeline_problems_json(const mlops_pipeline *p, char **json);

/** The resolved configuration (overrides applied, every default filled in,
 *  paths made absolute) as JSON in a new string *json (release with
 *  mlops_free()). The configuration must have validated.
 *  Returns MLOPS_OK, MLOPS_EINVAL, MLOPS_ESTATE (not validated, or
 *  problems remain) or MLOPS_ENOMEM. */
MLOPS_API int mlops_pipeline_config_json(const mlops_pipeline *p, char **json);

/** Called at the start of each step of a run with the step's name ("read
 *  data", "train", ...) and a short detail (may be ""), and with done = 1
 *  when it ends. Returning non-zero cancels the run (MLOPS_ECANCELED). */
typedef int (*mlops_pipeline_step_fn)(void *ctx, const char *step, const char *detail, int done);

/** Sets (or, with NULL, removes) the step callback. Returns MLOPS_OK or
 *  MLOPS_EINVAL (NULL pipeline). */
MLOPS_API int mlops_pipeline_set_step_callback(mlops_pipeline *p, mlops_pipeline_step_fn fn,
                                               void *ctx);

/** Runs the pipeline into `run_dir` (relative to the working directory;
 *  NULL: the file's output.dir, relative to the pipeline file, default
 *  runs/NAME), which must not exist or be an empty directory. Everything is written even
 *  when a gate fails, so the attempt stays on record; the model is then
 *  neither registered nor promoted (the registry's audit log records the
 *  refused promotion). The run directory holds: model.mlops (the model, its
 *  card's creation time left empty so reruns are byte-identical: the time
 *  is in the lock), model_card.json, data_profile.json, data_validation.json,
 *  evaluation.json, reference.profile, drift.json (when monitor.current is
 *  set), search.json (with model.search), config.json and mlops.lock (see
 *  mlops_run_verify()), plus the hidden marker .mlops-run with which a run
 *  claims its directory (a second run into the same directory, even one
 *  started at the same moment, fails with MLOPS_ESTATE). The lock lists the
 *  pipeline file itself among the inputs.
 *  Returns MLOPS_OK; MLOPS_EGATE when a data validation rule, an evaluation
 *  gate or (with monitor.fail_on_drift) the drift check failed;
 *  MLOPS_EINVAL (invalid configuration: see the problems); MLOPS_ESTATE
 *  (run_dir is not empty); MLOPS_ECANCELED; or the failing step's code,
 *  with the step named in the message. */
MLOPS_API int mlops_pipeline_run(mlops_pipeline *p, const char *run_dir);

/** After mlops_pipeline_run(): the run's summary as JSON in a new string
 *  *json (release with mlops_free()): {"run_dir", "passed", "model":
 *  {"kind", "payload_sha256"}, "metrics": {...}, "gates": [{"expression",
 *  "value", "passed"}], "data_validation": {"passed", "violations"},
 *  "drift": null or {"dataset_drift", "drifted_columns"}, "registry": null
 *  or {"name", "version", "alias", "registered", "promotion_refused"},
 *  "rows": {"data", "dropped_missing_target", "train", "test"},
 *  "lock_sha256": the SHA-256 of the mlops.lock file as written, what
 *  sha256sum prints}.
 *  Returns MLOPS_OK, MLOPS_EINVAL, MLOPS_ESTATE (no run yet) or
 *  MLOPS_ENOMEM. */
MLOPS_API int mlops_pipeline_summary_json(const mlops_pipeline *p, char **json);

/** Re-checks the run directory `run_dir` against its mlops.lock: every file
 *  the lock lists must exist with the recorded size and SHA-256, the lock's
 *  own checksum must hold, and the model file's payload hash must match.
 *  Inputs still at their recorded path are checked too; a moved input is
 *  listed, not failed. Every file is checked even after a failure.
 *  With `report` non-NULL, *report receives a JSON document (release with
 *  mlops_free()) {"run_dir", "lock_ok", "files": [{"role", "path", "ok",
 *  "expected", "actual", "problem"}], "model_payload": {"ok", "expected",
 *  "actual"}, "checked", "ok", "first_problem"}, also on MLOPS_ECORRUPT
 *  (but not on MLOPS_ENOMEM: a check cut short writes no report).
 *  Returns MLOPS_OK; MLOPS_ECORRUPT naming the first file that differs;
 *  MLOPS_ENOTFOUND (no lock file, or a listed file is missing);
 *  MLOPS_EFORMAT (the lock is not a lock file); MLOPS_EIO; MLOPS_ENOMEM. */
MLOPS_API int mlops_run_verify(const char *run_dir, char **report);

MLOPS_END_DECLS

#endif /* MLOPS_PIPELINE_H */
