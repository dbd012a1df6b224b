/* Private: whole-file reads and crash-safe file replacement.
 *
 * An atomic write goes to a temporary file in the target's directory, is
 * flushed to disk, renamed over the target and the directory entry is
 * flushed: after a crash the target holds either the old or the new content,
 * never a mixture (a saved model must never be half-written). */
#ifndef MLOPS_CORE_FILE_H
#define MLOPS_CORE_FILE_H

#include <stddef.h>
#include <sys/stat.h>

typedef struct mlops__atomic_file {
    int fd;
    char *path;
    char *tmp_path;
} mlops__atomic_file;

int mlops__atomic_open(mlops__atomic_file *f, const char *path);
int mlops__atomic_write(mlops__atomic_file *f, const void *data, size_t len);
/* Flushes, renames over the target and releases `f` (also on failure, after
 * removing the temporary file). */
int mlops__atomic_commit(mlops__atomic_file *f);
/* Drops the temporary file and releases `f`; the target is untouched. */
void mlops__atomic_abort(mlops__atomic_file *f);
/* open + write + commit in one call. */
int mlops__write_file_atomic(const char *path, const void *data, size_t len);

/* Opens `path` read-only and inspects it: MLOPS_ENOTFOUND when it does not
 * exist, MLOPS_EIO for other failures, each naming the path. */
int mlops__open_for_reading(const char *path, int *fd, struct stat *st);

/* Reads a whole regular file into a new buffer (free with mlops__free),
 * refusing files larger than `max_len` bytes. */
int mlops__read_file(const char *path, size_t max_len, unsigned char **data, size_t *len);

/* "dir/file" in a new string (free with mlops__free); NULL when out of memory. */
char *mlops__join_path(const char *dir, const char *file);

#endif
