/* mlops_registry: a directory of models by name and immutable version, with
 * aliases (staging, production, ...) that move between versions, retirement
 * of versions, and an append-only, hash-chained audit log of every change;
 * mlops_decision_log: the same log format for the decisions a served model
 * makes, so it can be shown years later which model version decided what.
 *
 * Versions. A model's version is the SHA-256 of its payload
 * (mlops_model_payload_hash()): 64 lowercase hex digits. Wherever a version
 * is named ("version reference"), a unique prefix of at least 8 hex digits
 * of one of the model's versions is accepted (any case), and so is one of
 * the model's alias names, which stands for the version it points to.
 *
 * Names and aliases are 1 to 128 characters from [A-Za-z0-9._-], starting
 * with a letter or a digit (so no name is "." or "..", hidden, or taken for
 * a command-line option). An alias may not be 8 or more hex digits only,
 * so that "name@REF" never means two things.
 *
 * References to a model: "name@alias", "name@VERSION" (a version or unique
 * prefix, retired versions included: they stay loadable for the record) and
 * "name" (the most recently registered version that is not retired).
 *
 * Layout of a registry directory DIR:
 *   DIR/registry.lock              flock(2): exclusive for changes, shared for reads
 *   DIR/audit.log                  the audit log (format below)
 *   DIR/audit.log.head             {"format": "mlops-audit-head", "format_version": 1,
 *                                   "records": N, "last_hash": "..."}: the log's
 *                                   count and last hash, replaced atomically after
 *                                   each append, so deleting the last records is
 *                                   detected as well
 *   DIR/models/NAME/VERSION.mlops  the registered model files, never changed
 * The registry's state (versions, aliases, retirements) is rebuilt by
 * replaying the audit log under the lock, so the log and the state can
 * never disagree: a handle replays the whole log when it is opened, then at
 * each call the records appended since (a log replaced by another file is
 * replayed again in full). Every file is written atomically (a temporary file,
 * fsync, rename, fsync of the directory) and the log is appended with one
 * write(2) and fsync(2) per record, so a crash at any moment leaves a valid
 * registry: a torn last line (a crash during an append) is cut off, and a
 * log one record ahead of its head file (a crash between the append and
 * the head's update) is rolled forward, by the next change.
 *
 * Log format (audit and decision logs): UTF-8 text, one record per line,
 * each a JSON object with the members
 *   seq      1 for the first record, then +1 per record (= its line number)
 *   time     UTC, ISO 8601 with microseconds: "2026-11-26T09:14:03.120034Z";
 *            never earlier than the previous record's time
 *   actor    who made the change ($MLOPS_ACTOR, else the login name)
 *   action   "register", "alias", "retire", "refuse" or "decision"
 *   object   "name@VERSION" (register, retire), "name@alias" (alias,
 *            refuse) or the model reference used (decision)
 *   details  an object: register {"file_sha256", "name", "version"};
 *            alias {"alias", "name", "previous" (version or null),
 *            "version"}; retire {"aliases_removed" [...], "name",
 *            "version"}; refuse {"alias", "current" (version or null),
 *            "name", "version"}; decision {"input_sha256",
 *            "model_version", "output", "row"}
 *   reason   free text, "" when none was given
 *   prev     the hash of the previous record; 64 zeros for the first
 *   hash     SHA-256 of the record's canonical text
 * The canonical text of a record is the record without its hash member,
 * written as Python's json.dumps(record, sort_keys=True,
 * separators=(",", ":"), ensure_ascii=False) writes it, encoded in UTF-8;
 * the line is that text with ,"hash":"HEX" inserted before its final '}'.
 * An auditor can recompute every hash with:
 *   import hashlib, json
 *   prev = "0" * 64
 *   for n, line in enumerate(open("audit.log", encoding="utf-8"), 1):
 *       rec = json.loads(line); h = rec.pop("hash")
 *       text = json.dumps(rec, sort_keys=True, separators=(",", ":"),
 *                         ensure_ascii=False)
 *       assert rec["seq"] == n and rec["prev"] == prev
 *       assert hashlib.sha256(text.encode()).hexdigest() == h
 *       assert line == text[:-1] + ',"hash":"' + h + '"}\n'
 *       prev = h
 * The chain detects any edited, removed or reordered record; the head file
 * detects removed last records. A chain can be rewritten whole by whoever
 * can write the files, so keep the last hash (mlops_audit_verify() reports
 * it) somewhere else too when that matters.
 *
 * Thread safety: a registry handle is used by one thread at a time;
 * distinct handles (in one process or many) may work on one registry at
 * once, the file lock orders their changes. A decision log may be written
 * through one handle from many threads at once, and by several handles and
 * processes (appends are serialized with flock(2)). No handle may cross
 * fork(2): the child opens its own. */
#ifndef MLOPS_REGISTRY_H
#define MLOPS_REGISTRY_H

#include <stddef.h>

#include "mlops/dataset.h"
#include "mlops/export.h"
#include "mlops/model.h"

MLOPS_BEGIN_DECLS

typedef struct mlops_registry mlops_registry;

/** mlops_registry_open() flag: create the registry (and the directory `dir`,
 *  whose parent must exist) when there is none yet. */
#define MLOPS_REGISTRY_CREATE 0x1u

/** Capacity a version buffer needs: 64 hex digits and a NUL. */
#define MLOPS_REGISTRY_VERSION_SIZE 65

/** Opens the registry in directory `dir` (copied) into *out (release with
 *  mlops_registry_free()). With MLOPS_REGISTRY_CREATE a missing registry is
 *  created. Opening checks the audit log against its head file and repairs
 *  what a crash can leave (see the header comment).
 *  The actor recorded for changes is $MLOPS_ACTOR when set and valid, else
 *  the login name of the effective user, else "unknown"
 *  (see mlops_registry_set_actor()).
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL argument, unknown flag bits);
 *  MLOPS_ENOTFOUND (no registry in `dir` and no MLOPS_REGISTRY_CREATE);
 *  MLOPS_EVERSION (written by a newer format); MLOPS_ECORRUPT (the log is
 *  damaged or disagrees with its head, naming the record);
 *  MLOPS_EIO (naming the file and the system error); MLOPS_ENOMEM. */
MLOPS_API int mlops_registry_open(mlops_registry **out, const char *dir, unsigned flags);

/** Releases a registry handle (the registry itself is unchanged). NULL is
 *  allowed. */
MLOPS_API void mlops_registry_free(mlops_registry *r);

/** Sets who is recorded as the actor of later changes (copied): 1 to 256
 *  bytes of UTF-8 without control characters.
 *  Returns MLOPS_OK, MLOPS_EINVAL or MLOPS_ENOMEM. */
MLOPS_API int mlops_registry_set_actor(mlops_registry *r, const char *actor);

/** Registers the model file at `model_path` under `name`: the file is read
 *  once, loaded to check that it is a valid model (mlops_model_load_buffer),
 *  and those very bytes are stored as models/NAME/VERSION.mlops, where
 *  VERSION is the model's payload hash. `reason` (NULL for none; UTF-8, at
 *  most 4096 bytes) is recorded. Registering a payload already registered
 *  under `name` changes nothing and returns the existing version (the first
 *  file, with its card, is kept). The version (64 hex digits) is written
 *  to `version` (capacity `version_size` >= MLOPS_REGISTRY_VERSION_SIZE)
 *  unless `version` is NULL.
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL argument, a bad name or reason, a
 *  small buffer); MLOPS_ENOTFOUND (no such file); MLOPS_EFORMAT,
 *  MLOPS_ECORRUPT or MLOPS_EVERSION (the file is not a model this library
 *  can load, or the registry's log is damaged); MLOPS_ESTATE (that version
 *  of `name` was retired: it cannot come back); MLOPS_EIO; MLOPS_ENOMEM. */
MLOPS_API int mlops_registry_register(mlops_registry *r, const char *name,
                                      const char *model_path, const char *reason,
                                      char *version, size_t version_size);

/** Points alias `alias` of model `name` at the version `version_ref`
 *  names (a version, a unique prefix of at least 8 hex digits, or another
 *  alias of `name`), creating the alias or moving it; the previous version
 *  is recorded. Pointing an alias where it already points appends nothing.
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL argument, bad alias or reason, an
 *  ambiguous prefix); MLOPS_ENOTFOUND (no such model or version: the
 *  message suggests the nearest name); MLOPS_ESTATE (the version is
 *  retired); MLOPS_ECORRUPT; MLOPS_EIO; MLOPS_ENOMEM. */
MLOPS_API int mlops_registry_set_alias(mlops_registry *r, const char *name, const char *alias,
                                       const char *version_ref, const char *reason);

/** Retires the version of `name` that `version_ref` names: it loses its
 *  aliases (recorded), can get no new one, and "name" alone no longer
 *  resolves to it; its file stays, loadable as name@VERSION, for the
 *  record. Retiring is final.
 *  Returns MLOPS_OK; MLOPS_EINVAL; MLOPS_ENOTFOUND; MLOPS_ESTATE (already
 *  retired); MLOPS_ECORRUPT; MLOPS_EIO; MLOPS_ENOMEM. */
MLOPS_API int mlops_registry_retire(mlops_registry *r, const char *name,
                                    const char *version_ref, const char *reason);

/** Records that moving alias `alias` of `name` to the model whose payload
 *  hash is `model_payload_sha256` (64 hex digits; it need not be
 *  registered, and `name` need not exist yet) was refused, for example
 *  because a pipeline's gates failed. Nothing else changes.
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL argument, bad name, alias, hash or
 *  reason); MLOPS_ECORRUPT; MLOPS_EIO; MLOPS_ENOMEM. */
MLOPS_API int mlops_registry_record_refusal(mlops_registry *r, const char *name,
                                            const char *alias,
                                            const char *model_payload_sha256,
                                            const char *reason);

/** Resolves the reference `ref` ("name@alias", "name@VERSION", "name").
 *  On success *version (64 hex digits) and *model_path (the stored model
 *  file, "DIR/models/NAME/VERSION.mlops") receive new strings that the
 *  caller releases with mlops_free(); either pointer may be NULL when not
 *  wanted.
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL registry or ref, malformed ref, an
 *  ambiguous prefix); MLOPS_ENOTFOUND (no such model, alias or version,
 *  with the nearest name suggested; or "name" has no version that is not
 *  retired); MLOPS_ECORRUPT; MLOPS_EIO; MLOPS_ENOMEM. */
MLOPS_API int mlops_registry_resolve(mlops_registry *r, const char *ref, char **version,
                                     char **model_path);

/** Resolves `ref` and loads that model into *out (release with
 *  mlops_model_free()), after checking that the stored file is byte for
 *  byte the one registered (its SHA-256 is in the log) and that its payload
 *  hash is its version.
 *  Returns as mlops_registry_resolve(), and MLOPS_ECORRUPT when the stored
 *  file was changed, MLOPS_ENOTFOUND when it is missing. */
MLOPS_API int mlops_registry_load_model(mlops_registry *r, const char *ref, mlops_model **out);

/** The registry's content as JSON in a new string *json (release with
 *  mlops_free()): {"registry": DIR, "records": N, "models": [{"name",
 *  "latest" (version or null), "aliases": {ALIAS: VERSION, ...},
 *  "versions": [{"version", "registered" (time), "actor", "reason",
 *  "file_sha256", "path", "retired" (bool), "retired_at" (time or null),
 *  "aliases": [...]}, ...]}, ...]}, models by name (byte order), versions
 *  in registration order, aliases by name.
 *  Returns MLOPS_OK, MLOPS_EINVAL, MLOPS_ECORRUPT, MLOPS_EIO or
 *  MLOPS_ENOMEM. */
MLOPS_API int mlops_registry_list_json(mlops_registry *r, char **json);

/** The audit records of model `name` (NULL: of every model), oldest first,
 *  as JSON in a new string *json (release with mlops_free()):
 *  {"registry": DIR, "name": NAME or null, "records": [RECORD, ...]}, each
 *  RECORD exactly as in the log.
 *  Returns MLOPS_OK, MLOPS_EINVAL, MLOPS_ENOTFOUND (`name` has no record:
 *  the nearest name is suggested), MLOPS_ECORRUPT, MLOPS_EIO or
 *  MLOPS_ENOMEM. */
MLOPS_API int mlops_registry_history_json(mlops_registry *r, const char *name, char **json);

/** Which version alias `alias` of `name` pointed at, at time `time_iso8601`
 *  ("YYYY-MM-DD", or "YYYY-MM-DDTHH:MM[:SS[.ffffff]]" followed by "Z", a
 *  "+HH:MM"/"-HH:MM" offset or nothing, meaning UTC; a space may replace
 *  the 'T'): the state after every record whose time is at or before it.
 *  *version receives a new string (release with mlops_free()).
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL argument, a time that does not
 *  parse, saying what was expected); MLOPS_ENOTFOUND (the alias named no
 *  version at that time: not yet set, or its version had been retired);
 *  MLOPS_ECORRUPT; MLOPS_EIO; MLOPS_ENOMEM. */
MLOPS_API int mlops_registry_alias_at(mlops_registry *r, const char *name, const char *alias,
                                      const char *time_iso8601, char **version);

/** Verifies the registry in `dir` without changing it (shared lock): the
 *  audit log as mlops_audit_verify() does, the log against its head file
 *  (a log one record ahead of the head, or a torn last line, is what a
 *  crash leaves and is reported as a note, not a failure), and every
 *  registered model file (present, SHA-256 as recorded, payload hash equal
 *  to its version). With `report_json` non-NULL, *report_json receives
 *  (also on MLOPS_ECORRUPT) a new string (release with mlops_free()): the
 *  report of mlops_audit_verify() (whose "ok" speaks of the log) plus
 *  "models": [{"name", "version", "path", "ok", "problem" (null or text)}],
 *  "models_ok" and "all_ok" (log and model files).
 *  Returns MLOPS_OK; MLOPS_ECORRUPT naming the first bad record (its seq
 *  and line) or model file and why; MLOPS_EINVAL; MLOPS_ENOTFOUND (no
 *  registry); MLOPS_EVERSION; MLOPS_EIO; MLOPS_ENOMEM. */
MLOPS_API int mlops_registry_verify(const char *dir, char **report_json);

/** Verifies any log of this format (a registry's audit.log, a decision
 *  log) record by record, reading it once in bounded memory: each line
 *  must be a record in canonical form whose hash is right (an edited
 *  record fails here), whose seq is its line number and whose prev is the
 *  previous record's hash (a removed or reordered record fails here).
 *  When a head file LOG.head exists beside the log, the log must end where
 *  the head says (removed last records fail here). An incomplete last line
 *  (no newline: an interrupted append) is ignored with a note.
 *  With `report_json` non-NULL, *report_json receives (also on
 *  MLOPS_ECORRUPT) a new string (release with mlops_free()): {"log",
 *  "ok", "records" (valid records before the first bad one), "last_hash",
 *  "head": null or {"records", "last_hash", "ok"}, "first_bad": null or
 *  {"seq" (as found, or null), "line", "problem"}, "notes": [...]}.
 *  Returns MLOPS_OK; MLOPS_ECORRUPT ("LOG:LINE: record SEQ: why");
 *  MLOPS_EINVAL; MLOPS_ENOTFOUND (no such file); MLOPS_EIO; MLOPS_ENOMEM. */
MLOPS_API int mlops_audit_verify(const char *log_path, char **report_json);

/* ---- Decision log ------------------------------------------------------ */

typedef struct mlops_decision_log mlops_decision_log;

/** Opens the decision log at `path` (copied) into *out (release with
 *  mlops_decision_log_free()), creating an empty one when missing.
 *  Continuing a log checks its last record (format and hash; the whole
 *  chain is checked by mlops_audit_verify()) and cuts off an incomplete
 *  last line left by a crash. The actor defaults as for a registry.
 *  Returns MLOPS_OK; MLOPS_EINVAL; MLOPS_ECORRUPT (the last record is
 *  damaged, or the file is not a log: naming the line); MLOPS_EIO;
 *  MLOPS_ENOMEM. */
MLOPS_API int mlops_decision_log_open(mlops_decision_log **out, const char *path);

/** Closes a decision log. NULL is allowed. */
MLOPS_API void mlops_decision_log_free(mlops_decision_log *log);

/** Sets the actor of later records (as mlops_registry_set_actor()). */
MLOPS_API int mlops_decision_log_set_actor(mlops_decision_log *log, const char *actor);

/** The input fingerprint of row `row` of `d` for model `m`: the SHA-256,
 *  as 64 hex digits and a NUL in `hex` (capacity `hex_size` >= 65), of the
 *  UTF-8 text json.dumps(ROW, separators=(",", ":"), ensure_ascii=False)
 *  where ROW lists the model's inputs in mlops_model_input_name() order as
 *  [NAME, TYPE, VALUE]: TYPE "numeric" or "categorical" (the type of the
 *  column in `d`, found by name), VALUE null when missing, the category
 *  for a categorical column, and for a numeric one the shortest of
 *  "%.15g", "%.16g", "%.17g" that reads back as the same double. Columns of
 *  `d` the model does not use do not count.
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL argument, `row` out of range, a
 *  small buffer, a model input missing from `d`, naming it); MLOPS_ESTATE
 *  (the model is not fitted); MLOPS_ENOMEM. */
MLOPS_API int mlops_decision_fingerprint(const mlops_model *m, const mlops_dataset *d,
                                         size_t row, char *hex, size_t hex_size);

/** Appends the record of one decision: model `m` (its payload hash is
 *  recorded as model_version), known to the caller as `model_ref` (a
 *  registry reference or a path; recorded as the object), decided
 *  `output` (UTF-8, at most 16384 bytes, such as a class label) for row
 *  `row` of `d` (its input fingerprint, mlops_decision_fingerprint(), and
 *  the 0-based row number are recorded; `model_ref` is at most 1024 bytes
 *  of text). The record is written with one write(2)
 *  on a file opened with O_APPEND, under flock(2), and flushed with
 *  fsync(2) before the call returns.
 *  Returns MLOPS_OK; MLOPS_EINVAL (NULL argument, bad row or text);
 *  MLOPS_ESTATE (model not fitted); MLOPS_ECORRUPT (another writer left
 *  the log's tail damaged); MLOPS_EIO (nothing is left half-written);
 *  MLOPS_ENOMEM. */
MLOPS_API int mlops_decision_log_record(mlops_decision_log *log, const mlops_model *m,
                                        const char *model_ref, const mlops_dataset *d,
                                        size_t row, const char *output);

/** mlops_decision_log_record() for every row of `d`: outputs[i] is the
 *  output of row i (d's row count entries). One record per row, each in
 *  one write(2), all under one lock and flushed by one fsync(2) at the end:
 *  the batch path of a program that predicts a whole file. On failure the
 *  records of the rows before the failing one stay written (and flushed).
 *  Returns as mlops_decision_log_record(). */
MLOPS_API int mlops_decision_log_record_dataset(mlops_decision_log *log, const mlops_model *m,
                                                const char *model_ref,
                                                const mlops_dataset *d,
                                                const char *const *outputs);

MLOPS_END_DECLS

#endif /* MLOPS_REGISTRY_H */
