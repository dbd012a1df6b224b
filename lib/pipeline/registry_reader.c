/* Reading a log line by line from any offset in bounded memory (two
 * record lengths): decision logs grow without limit and are verified in
 * one pass. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "pipeline/registry_impl.h"

int mlops__audit_reader_init(mlops__audit_reader *rd, int fd, const char *path, uint64_t offset)
{
    memset(rd, 0, sizeof *rd);
    rd->fd = fd;
    rd->path = path;
    rd->offset = offset;
    rd->cap = (size_t)MLOPS_AUDIT_MAX_LINE * 2;
    rd->buf = mlops__malloc(rd->cap, "log read buffer");
    return rd->buf != NULL ? MLOPS_OK : MLOPS_ENOMEM;
}

static int fill(mlops__audit_reader *rd)
{
    if (rd->start > 0) {
        memmove(rd->buf, rd->buf + rd->start, rd->end - rd->start);
        rd->end -= rd->start;
        rd->start = 0;
    }
    uint64_t at = rd->offset + rd->end;
    for (;;) {
        ssize_t r = pread(rd->fd, rd->buf + rd->end, rd->cap - rd->end, (off_t)at);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return mlops__fail(MLOPS_EIO, "cannot read '%s': %s", rd->path, strerror(errno));
        if (r == 0) rd->eof = true;
        rd->end += (size_t)r;
        return MLOPS_OK;
    }
}

int mlops__audit_reader_next(mlops__audit_reader *rd, const char **line, size_t *len,
                             bool *complete, uint64_t *at)
{
    for (;;) {
        char *nl = memchr(rd->buf + rd->start, '\n', rd->end - rd->start);
        size_t have = rd->end - rd->start;
        *at = rd->offset;
        if (nl != NULL || have >= MLOPS_AUDIT_MAX_LINE || (rd->eof && have > 0)) {
            size_t n = nl != NULL ? (size_t)(nl - (rd->buf + rd->start)) : have;
            if (n + 1 > MLOPS_AUDIT_MAX_LINE)
                return mlops__fail(MLOPS_ECORRUPT, "a line longer than the limit of %d bytes",
                                   (int)MLOPS_AUDIT_MAX_LINE);
            *line = rd->buf + rd->start;
            *len = n;
            *complete = nl != NULL;
            size_t used = n + (nl != NULL);
            rd->start += used;
            rd->offset += used;
            return 1;
        }
        if (rd->eof) return 0;
        int rc = fill(rd);
        if (rc != MLOPS_OK) return rc;
    }
}

void mlops__audit_reader_free(mlops__audit_reader *rd)
{
    mlops__free(rd->buf);
    rd->buf = NULL;
}
