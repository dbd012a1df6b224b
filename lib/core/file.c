/* Whole-file reading and atomic replacement (see file.h). POSIX only. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"

static int io_fail(const char *action, const char *path, int err)
{
    return mlops__fail(MLOPS_EIO, "cannot %s '%s': %s", action, path, strerror(err));
}

int mlops__atomic_open(mlops__atomic_file *f, const char *path)
{
    static atomic_uint sequence;
    f->fd = -1;
    f->path = f->tmp_path = NULL;
    if (path == NULL || *path == '\0') return mlops__fail(MLOPS_EINVAL, "atomic write: empty path");
    /* Replacing is for files: renaming over a device (/dev/null as root), a
     * directory or a pipe would destroy it. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return mlops__fail(MLOPS_EIO, "cannot write '%s': it exists and is not a regular file",
                           path);
    size_t cap = strlen(path) + 48;
    f->path = mlops__strdup(path, "file path");
    f->tmp_path = mlops__malloc(cap, "temporary file path");
    if (f->path == NULL || f->tmp_path == NULL) {
        mlops__free(f->tmp_path); /* not yet a file name: nothing to unlink */
        f->tmp_path = NULL;
        mlops__atomic_abort(f);
        return MLOPS_ENOMEM;
    }
    /* open(O_EXCL) with mode 0666 rather than mkstemp: the file then gets
     * the caller's umask without touching the process-wide umask. */
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(f->tmp_path, cap, "%s.tmp-%ld-%u", path, (long)getpid(),
                 atomic_fetch_add(&sequence, 1));
        f->fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (f->fd >= 0 || errno != EEXIST) break;
    }
    if (f->fd < 0) {
        int err = errno;
        mlops__free(f->tmp_path);
        f->tmp_path = NULL;
        mlops__atomic_abort(f);
        return io_fail("create a temporary file beside", path, err);
    }
    return MLOPS_OK;
}

int mlops__atomic_write(mlops__atomic_file *f, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(f->fd, p, len > ((size_t)1 << 30) ? ((size_t)1 << 30) : len);
        if (w < 0) {
            if (errno == EINTR) continue;
            return io_fail("write", f->tmp_path, errno);
        }
        p += w;
        len -= (size_t)w;
    }
    return MLOPS_OK;
}

static int sync_directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (slash == NULL) {
        strcpy(dir, ".");
    } else if (slash == path) {
        strcpy(dir, "/");
    } else {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof dir) return MLOPS_OK; /* cannot name it; the rename itself stood */
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return io_fail("open directory", dir, errno);
    int rc = fsync(fd) == 0 || errno == EINVAL ? MLOPS_OK : io_fail("flush directory", dir, errno);
    close(fd);
    return rc;
}

int mlops__atomic_commit(mlops__atomic_file *f)
{
    int rc = MLOPS_OK;
    if (fsync(f->fd) != 0) rc = io_fail("flush", f->tmp_path, errno);
    if (close(f->fd) != 0 && rc == MLOPS_OK) rc = io_fail("close", f->tmp_path, errno);
    f->fd = -1;
    if (rc == MLOPS_OK && rename(f->tmp_path, f->path) != 0) rc = io_fail("replace", f->path, errno);
    if (rc == MLOPS_OK) {
        mlops__free(f->tmp_path);
        f->tmp_path = NULL;
        rc = sync_directory_of(f->path);
    }
    mlops__atomic_abort(f);
    return rc;
}

void mlops__atomic_abort(mlops__atomic_file *f)
{
    if (f->fd >= 0) close(f->fd);
    if (f->tmp_path != NULL) unlink(f->tmp_path);
    mlops__free(f->tmp_path);
    mlops__free(f->path);
    f->fd = -1;
    f->tmp_path = f->path = NULL;
}

int mlops__write_file_atomic(const char *path, const void *data, size_t len)
{
    mlops__atomic_file f;
    int rc = mlops__atomic_open(&f, path);
    if (rc != MLOPS_OK) return rc;
    rc = mlops__atomic_write(&f, data, len);
    if (rc != MLOPS_OK) {
        mlops__atomic_abort(&f);
        return rc;
    }
    return mlops__atomic_commit(&f);
}

int mlops__open_for_reading(const char *path, int *fd, struct stat *st)
{
    if (path == NULL) return mlops__fail(MLOPS_EINVAL, "open: NULL path");
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) {
        int err = errno;
        return mlops__fail(err == ENOENT ? MLOPS_ENOTFOUND : MLOPS_EIO, "cannot open '%s': %s",
                           path, strerror(err));
    }
    if (fstat(*fd, st) != 0) {
        int err = errno;
        close(*fd);
        *fd = -1;
        return io_fail("inspect", path, err);
    }
    return MLOPS_OK;
}

int mlops__read_file(const char *path, size_t max_len, unsigned char **data, size_t *len)
{
    int fd;
    struct stat st;
    int rc = mlops__open_for_reading(path, &fd, &st);
    if (rc != MLOPS_OK) return rc;
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return mlops__fail(MLOPS_EIO, "'%s' is not a regular file", path);
    }
    if ((uintmax_t)st.st_size > (uintmax_t)max_len) {
        close(fd);
        return mlops__fail(MLOPS_ERANGE, "'%s' is %jd bytes, more than the limit of %zu", path,
                           (intmax_t)st.st_size, max_len);
    }
    size_t size = (size_t)st.st_size, got = 0;
    unsigned char *buf = mlops__malloc(size + 1, "file contents");
    if (buf == NULL) {
        close(fd);
        return MLOPS_ENOMEM;
    }
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            int err = r < 0 ? errno : 0;
            close(fd);
            mlops__free(buf);
            return r < 0 ? io_fail("read", path, err)
                         : mlops__fail(MLOPS_EIO, "'%s' shrank while being read", path);
        }
        got += (size_t)r;
    }
    close(fd);
    buf[size] = '\0';
    *data = buf;
    *len = size;
    return MLOPS_OK;
}

char *mlops__join_path(const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *path = mlops__malloc(n, "file path");
    if (path != NULL) snprintf(path, n, "%s/%s", dir, file);
    return path;
}
