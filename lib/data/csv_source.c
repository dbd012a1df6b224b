/* Chunked byte source for the CSV reader (see csv_source.h). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/compress.h"
#include "core/error.h"
#include "core/file.h"
#include "data/csv_source.h"

enum { ZIN_SIZE = 1 << 18 };

/* Plain bytes from the underlying file or buffer. */
static int raw_read(mlops__source *s, unsigned char *buf, size_t cap, size_t *got)
{
    if (s->fd < 0) {
        size_t n = s->mem_len - s->mem_pos < cap ? s->mem_len - s->mem_pos : cap;
        if (n) memcpy(buf, s->mem + s->mem_pos, n);
        s->mem_pos += n;
        *got = n;
    } else {
        ssize_t r;
        do {
            r = read(s->fd, buf, cap > ((size_t)1 << 30) ? ((size_t)1 << 30) : cap);
        } while (r < 0 && errno == EINTR);
        if (r < 0) return mlops__fail(MLOPS_EIO, "cannot read '%s': %s", s->name, strerror(errno));
        *got = (size_t)r;
    }
    s->raw_consumed += *got;
    return MLOPS_OK;
}

static int start_gzip(mlops__source *s)
{
    memset(&s->zs, 0, sizeof s->zs);
    s->zs.zalloc = mlops__zlib_alloc;
    s->zs.zfree = mlops__zlib_free;
    /* 15 + 16: gzip wrapper only, with its CRC-32 and length check. */
    if (inflateInit2(&s->zs, 15 + 16) != Z_OK) return MLOPS_ENOMEM;
    s->zs_open = true;
    if (s->zin == NULL && s->fd >= 0) {
        s->zin = mlops__malloc(ZIN_SIZE, "gzip input buffer");
        if (s->zin == NULL) return MLOPS_ENOMEM;
        s->zin_cap = ZIN_SIZE;
    }
    return MLOPS_OK;
}

/* Sniffs the first two bytes for the gzip magic, then rewinds. */
static int detect(mlops__source *s)
{
    unsigned char magic[2];
    size_t got = 0, n;
    int rc;
    while (got < 2) {
        if ((rc = raw_read(s, magic + got, 2 - got, &n)) != MLOPS_OK) return rc;
        if (n == 0) break;
        got += n;
    }
    s->gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    return mlops__source_rewind(s);
}

static int init_common(mlops__source *s, const char *name)
{
    s->name = mlops__strdup(name, "source name");
    if (s->name == NULL) return MLOPS_ENOMEM;
    return detect(s);
}

static int spool(int fd, const char *path, unsigned char **out, size_t *out_len)
{
    size_t cap = 1 << 20, len = 0;
    unsigned char *buf = mlops__malloc(cap, "spooled input");
    if (buf == NULL) return MLOPS_ENOMEM;
    for (;;) {
        if (len == cap) {
            unsigned char *grown = cap > SIZE_MAX / 2 ? NULL : mlops__realloc(buf, cap * 2, "spooled input");
            if (grown == NULL) {
                mlops__free(buf);
                return MLOPS_ENOMEM;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int err = errno;
            mlops__free(buf);
            return mlops__fail(MLOPS_EIO, "cannot read '%s': %s", path, strerror(err));
        }
        if (r == 0) break;
        len += (size_t)r;
    }
    *out = buf;
    *out_len = len;
    return MLOPS_OK;
}

int mlops__source_open_file(mlops__source *s, const char *path)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    int fd;
    struct stat st;
    int rc = mlops__open_for_reading(path, &fd, &st);
    if (rc != MLOPS_OK) return rc;
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return mlops__fail(MLOPS_EIO, "'%s' is a directory, not a CSV file", path);
    }
    if (!S_ISREG(st.st_mode)) {
        size_t len = 0;
        rc = spool(fd, path, &s->spooled, &len);
        close(fd);
        if (rc != MLOPS_OK) return rc;
        s->mem = s->spooled;
        s->mem_len = s->raw_total = len;
        rc = init_common(s, path);
        if (rc != MLOPS_OK) mlops__source_close(s);
        return rc;
    }
    s->fd = fd;
    s->raw_total = (uint64_t)st.st_size;
    rc = init_common(s, path);
    if (rc != MLOPS_OK) mlops__source_close(s);
    return rc;
}

int mlops__source_open_memory(mlops__source *s, const void *data, size_t len, const char *name)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    if (data == NULL && len > 0) return mlops__fail(MLOPS_EINVAL, "csv: NULL data");
    s->mem = data;
    s->mem_len = len;
    s->raw_total = len;
    int rc = init_common(s, name ? name : "<memory>");
    if (rc != MLOPS_OK) mlops__source_close(s);
    return rc;
}

int mlops__source_rewind(mlops__source *s)
{
    if (s->fd >= 0) {
        if (lseek(s->fd, 0, SEEK_SET) != 0)
            return mlops__fail(MLOPS_EIO, "cannot rewind '%s': %s", s->name, strerror(errno));
    } else {
        s->mem_pos = 0;
    }
    s->raw_consumed = 0;
    if (s->zs_open) {
        inflateEnd(&s->zs);
        s->zs_open = false;
    }
    return s->gzip ? start_gzip(s) : MLOPS_OK;
}

static int gzip_read(mlops__source *s, unsigned char *buf, size_t cap, size_t *got)
{
    /* zlib counts in uInt: offer at most UINT_MAX bytes per call. */
    if (cap > UINT_MAX) cap = UINT_MAX;
    s->zs.next_out = buf;
    s->zs.avail_out = (uInt)cap;
    while (s->zs.avail_out > 0) {
        if (s->zs.avail_in == 0) {
            size_t n;
            int rc;
            if (s->fd >= 0) {
                rc = raw_read(s, s->zin, s->zin_cap, &n);
                s->zs.next_in = s->zin;
            } else {
                /* Memory sources feed zlib in place, without a copy. */
                n = s->mem_len - s->mem_pos;
                if (n > UINT_MAX) n = UINT_MAX;
                s->zs.next_in = (Bytef *)(s->mem + s->mem_pos);
                s->mem_pos += n;
                s->raw_consumed += n;
                rc = MLOPS_OK;
            }
            if (rc != MLOPS_OK) return rc;
            s->zs.avail_in = (uInt)n;
            if (n == 0) {
                if (s->zs.total_in == 0 && s->zs.total_out == 0 && s->raw_consumed > 0)
                    break; /* after a complete member: the end of the input */
                return mlops__fail(MLOPS_ECORRUPT,
                                   "'%s': gzip stream is truncated (after %llu compressed bytes)",
                                   s->name, (unsigned long long)s->raw_consumed);
            }
        }
        int zr = inflate(&s->zs, Z_NO_FLUSH);
        if (zr == Z_STREAM_END) {
            /* Another gzip member may follow (as `cat a.gz b.gz` makes). */
            if (inflateReset(&s->zs) != Z_OK)
                return mlops__fail(MLOPS_ECORRUPT, "'%s': gzip reset failed", s->name);
            continue;
        }
        if (zr == Z_MEM_ERROR) return MLOPS_ENOMEM;
        if (zr != Z_OK && zr != Z_BUF_ERROR)
            return mlops__fail(MLOPS_ECORRUPT, "'%s': gzip data is damaged (%s)", s->name,
                               s->zs.msg ? s->zs.msg : "zlib error");
    }
    *got = cap - s->zs.avail_out;
    return MLOPS_OK;
}

int mlops__source_read(mlops__source *s, unsigned char *buf, size_t cap, size_t *got)
{
    return s->gzip ? gzip_read(s, buf, cap, got) : raw_read(s, buf, cap, got);
}

bool mlops__source_count_lines(mlops__source *s, uint64_t *lines)
{
    if (s->gzip) return false;
    uint64_t n = 0;
    if (s->fd < 0) {
        for (const unsigned char *p = s->mem, *end = s->mem + s->mem_len;
             (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
            n++;
    } else {
        unsigned char buf[1 << 16];
        size_t got;
        do {
            if (raw_read(s, buf, sizeof buf, &got) != MLOPS_OK) return false;
            for (const unsigned char *p = buf, *end = buf + got;
                 (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
                n++;
        } while (got > 0);
        if (mlops__source_rewind(s) != MLOPS_OK) return false;
    }
    *lines = n;
    return true;
}

void mlops__source_close(mlops__source *s)
{
    if (s->zs_open) inflateEnd(&s->zs);
    if (s->fd >= 0) close(s->fd);
    mlops__free(s->zin);
    mlops__free(s->spooled);
    mlops__free(s->name);
    memset(s, 0, sizeof *s);
    s->fd = -1;
}
