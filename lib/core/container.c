/* Reader and writer of the binary container described in container.h. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/bytes.h"
#include "core/compress.h"
#include "core/container.h"
#include "core/error.h"
#include "core/file.h"

static const unsigned char MAGIC[8] = {0x89, 'M', 'L', 'O', 'P', 'S', '\r', '\n'};
enum { FLAG_ZLIB = 1u };

static bool valid_tag(const char *tag)
{
    if (tag == NULL) return false;
    for (int i = 0; i < 4; i++)
        if (tag[i] < 0x21 || tag[i] > 0x7e) return false;
    return tag[4] == '\0';
}

/* Tags read from a file are raw bytes; render them safely for messages. */
static void tag_from_bytes(const unsigned char *p, char out[5])
{
    for (int i = 0; i < 4; i++) out[i] = p[i] >= 0x21 && p[i] <= 0x7e ? (char)p[i] : '?';
    out[4] = '\0';
}

int mlops__cw_init(mlops__container_writer *w, const char *kind, uint32_t kind_version)
{
    memset(w, 0, sizeof *w);
    if (!valid_tag(kind))
        return mlops__fail(MLOPS_EINVAL, "container: kind must be 4 printable ASCII characters");
    memcpy(w->kind, kind, 5);
    w->kind_version = kind_version;
    return MLOPS_OK;
}

int mlops__cw_add(mlops__container_writer *w, const char *tag, const void *data, size_t len,
                  bool compress)
{
    if (!valid_tag(tag))
        return mlops__fail(MLOPS_EINVAL, "container: section tag must be 4 printable ASCII characters");
    if (data == NULL && len > 0) return mlops__fail(MLOPS_EINVAL, "container: NULL section data");
    for (size_t i = 0; i < w->count; i++)
        if (memcmp(w->sections[i].tag, tag, 4) == 0)
            return mlops__fail(MLOPS_EINVAL, "container: duplicate section '%s'", tag);
    if (w->count == MLOPS_CONTAINER_MAX_SECTIONS)
        return mlops__fail(MLOPS_ERANGE, "container: more than %d sections",
                           MLOPS_CONTAINER_MAX_SECTIONS);
    if (w->count == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        mlops__section *grown =
            mlops__realloc_array(w->sections, cap, sizeof *grown, "container sections");
        if (grown == NULL) return MLOPS_ENOMEM;
        w->sections = grown;
        w->cap = cap;
    }
    mlops__section s = {.raw_size = len, .crc = mlops__crc32(0, data, len)};
    memcpy(s.tag, tag, 5);
    if (compress) {
        size_t stored;
        int rc = mlops__deflate(data, len, &s.owned, &stored);
        if (rc != MLOPS_OK) return rc;
        s.stored_size = stored;
        s.flags = FLAG_ZLIB;
    } else {
        s.owned = mlops__malloc(len, "container section");
        if (s.owned == NULL) return MLOPS_ENOMEM;
        if (len) memcpy(s.owned, data, len);
        s.stored_size = len;
    }
    w->sections[w->count++] = s;
    return MLOPS_OK;
}

int mlops__cw_finish(const mlops__container_writer *w, unsigned char **out, size_t *out_len)
{
    size_t total = MLOPS_CONTAINER_HEADER_SIZE;
    for (size_t i = 0; i < w->count; i++)
        if (!mlops__add_size(total, MLOPS_CONTAINER_SECTION_HEADER_SIZE, &total) ||
            !mlops__add_size(total, (size_t)w->sections[i].stored_size, &total))
            return mlops__fail(MLOPS_ENOMEM, "container: total size overflows");
    unsigned char *buf = mlops__malloc(total, "container image");
    if (buf == NULL) return MLOPS_ENOMEM;
    memcpy(buf, MAGIC, 8);
    mlops__le_store(buf + 8, MLOPS_CONTAINER_VERSION, 2);
    mlops__le_store(buf + 10, 0, 2);
    memcpy(buf + 12, w->kind, 4);
    mlops__le_store(buf + 16, w->kind_version, 4);
    mlops__le_store(buf + 20, (uint32_t)w->count, 4);
    mlops__le_store(buf + 24, mlops__crc32(0, buf, 24), 4);
    unsigned char *p = buf + MLOPS_CONTAINER_HEADER_SIZE;
    for (size_t i = 0; i < w->count; i++) {
        const mlops__section *s = &w->sections[i];
        memcpy(p, s->tag, 4);
        mlops__le_store(p + 4, s->flags, 4);
        mlops__le_store(p + 8, s->stored_size, 8);
        mlops__le_store(p + 16, s->raw_size, 8);
        mlops__le_store(p + 24, s->crc, 4);
        mlops__le_store(p + 28, mlops__crc32(0, p, 28), 4);
        p += MLOPS_CONTAINER_SECTION_HEADER_SIZE;
        if (s->stored_size) memcpy(p, s->owned, (size_t)s->stored_size);
        p += s->stored_size;
    }
    *out = buf;
    *out_len = total;
    return MLOPS_OK;
}

int mlops__cw_write_file(const mlops__container_writer *w, const char *path)
{
    unsigned char *image;
    size_t len;
    int rc = mlops__cw_finish(w, &image, &len);
    if (rc != MLOPS_OK) return rc;
    rc = mlops__write_file_atomic(path, image, len);
    mlops__free(image);
    return rc;
}

void mlops__cw_free(mlops__container_writer *w)
{
    for (size_t i = 0; i < w->count; i++) mlops__free(w->sections[i].owned);
    mlops__free(w->sections);
    memset(w, 0, sizeof *w);
}

static int corrupt(const mlops__container *c, const char *what, size_t offset)
{
    return mlops__fail(MLOPS_ECORRUPT, "%s: %s (at byte %zu)", c->source, what, offset);
}

/* Largest expansion zlib can achieve is about 1032:1; a header claiming more
 * is damaged or hostile, and must not make us allocate its claim. */
static bool plausible_raw_size(uint64_t stored, uint64_t raw)
{
    return raw <= 64u || (raw - 64u) / 1040u <= stored;
}

static int parse(mlops__container *c, const void *data, size_t len, const char *source,
                 const char *expected_kind)
{
    memset(c, 0, sizeof *c);
    snprintf(c->source, sizeof c->source, "%s", source ? source : "container");
    if (data == NULL) return mlops__fail(MLOPS_EINVAL, "%s: NULL data", c->source);
    const unsigned char *p = data;
    c->data = p;
    c->len = len;
    if (len < 8 || memcmp(p, MAGIC, 8) != 0)
        return mlops__fail(MLOPS_EFORMAT, "%s: not a libmlops file (bad magic bytes)", c->source);
    if (len < MLOPS_CONTAINER_HEADER_SIZE) return corrupt(c, "file header is truncated", len);
    if ((uint32_t)mlops__le_load(p + 24, 4) != mlops__crc32(0, p, 24))
        return corrupt(c, "file header checksum mismatch", 24);
    c->version = (uint16_t)mlops__le_load(p + 8, 2);
    if (c->version == 0) return corrupt(c, "container version 0", 8);
    if (c->version > MLOPS_CONTAINER_VERSION)
        return mlops__fail(MLOPS_EVERSION,
                           "%s: container version %u is newer than this library reads (%d); "
                           "upgrade libmlops",
                           c->source, c->version, MLOPS_CONTAINER_VERSION);
    tag_from_bytes(p + 12, c->kind);
    c->kind_version = (uint32_t)mlops__le_load(p + 16, 4);
    if (expected_kind != NULL && memcmp(p + 12, expected_kind, 4) != 0)
        return mlops__fail(MLOPS_EFORMAT, "%s: holds a '%s' object, expected '%s'", c->source,
                           c->kind, expected_kind);
    uint32_t count = (uint32_t)mlops__le_load(p + 20, 4);
    if (count > MLOPS_CONTAINER_MAX_SECTIONS) return corrupt(c, "implausible section count", 20);
    c->sections = mlops__calloc(count ? count : 1, sizeof *c->sections, "container index");
    if (c->sections == NULL) return MLOPS_ENOMEM;
    size_t pos = MLOPS_CONTAINER_HEADER_SIZE;
    for (uint32_t i = 0; i < count; i++) {
        if (len - pos < MLOPS_CONTAINER_SECTION_HEADER_SIZE)
            return corrupt(c, "truncated inside a section header", len);
        const unsigned char *h = p + pos;
        if ((uint32_t)mlops__le_load(h + 28, 4) != mlops__crc32(0, h, 28))
            return corrupt(c, "section header checksum mismatch", pos + 28);
        mlops__section *s = &c->sections[i];
        tag_from_bytes(h, s->tag);
        s->flags = (uint32_t)mlops__le_load(h + 4, 4);
        s->stored_size = mlops__le_load(h + 8, 8);
        s->raw_size = mlops__le_load(h + 16, 8);
        s->crc = (uint32_t)mlops__le_load(h + 24, 4);
        pos += MLOPS_CONTAINER_SECTION_HEADER_SIZE;
        s->offset = pos;
        if ((s->flags & ~(uint32_t)FLAG_ZLIB) != 0) return corrupt(c, "unknown section flags", pos - 28);
        if (s->stored_size > len - pos) return corrupt(c, "section runs past the end of the file", pos);
        if ((s->flags & FLAG_ZLIB) ? !plausible_raw_size(s->stored_size, s->raw_size)
                                   : s->raw_size != s->stored_size)
            return corrupt(c, "section sizes are inconsistent", pos - 16);
        for (uint32_t k = 0; k < i; k++)
            if (memcmp(c->sections[k].tag, s->tag, 4) == 0)
                return corrupt(c, "duplicate section tag", pos - MLOPS_CONTAINER_SECTION_HEADER_SIZE);
        pos += (size_t)s->stored_size;
        c->count++;
    }
    if (pos != len) return corrupt(c, "unexpected bytes after the last section", pos);
    return MLOPS_OK;
}

int mlops__container_parse(mlops__container *c, const void *data, size_t len,
                           const char *source, const char *expected_kind)
{
    int rc = parse(c, data, len, source, expected_kind);
    if (rc != MLOPS_OK) mlops__container_free(c);
    return rc;
}

int mlops__container_open(mlops__container *c, const char *path, size_t max_len,
                          const char *expected_kind)
{
    unsigned char *data;
    size_t len;
    memset(c, 0, sizeof *c);
    int rc = mlops__read_file(path, max_len, &data, &len);
    if (rc != MLOPS_OK) return rc;
    rc = mlops__container_parse(c, data, len, path, expected_kind);
    if (rc != MLOPS_OK) {
        mlops__free(data);
        return rc;
    }
    c->owned = data;
    return MLOPS_OK;
}

static const mlops__section *find(const mlops__container *c, const char *tag)
{
    if (tag == NULL) return NULL;
    for (size_t i = 0; i < c->count; i++)
        if (strncmp(c->sections[i].tag, tag, 5) == 0) return &c->sections[i];
    return NULL;
}

bool mlops__container_has(const mlops__container *c, const char *tag)
{
    return find(c, tag) != NULL;
}

int mlops__container_read(const mlops__container *c, const char *tag, unsigned char **out,
                          size_t *len)
{
    const mlops__section *s = find(c, tag);
    if (s == NULL)
        return mlops__fail(MLOPS_ENOTFOUND, "%s: no section '%s'", c->source, tag ? tag : "(null)");
    size_t raw = (size_t)s->raw_size;
    if ((uint64_t)raw != s->raw_size || raw == SIZE_MAX)
        return mlops__fail(MLOPS_ENOMEM, "%s: section '%s' is too large for this platform",
                           c->source, s->tag);
    unsigned char *buf = mlops__malloc(raw + 1, "container section");
    if (buf == NULL) return MLOPS_ENOMEM;
    const unsigned char *stored = c->data + s->offset;
    char what[300];
    snprintf(what, sizeof what, "%s: section '%s'", c->source, s->tag);
    int rc = MLOPS_OK;
    if (s->flags & FLAG_ZLIB)
        rc = mlops__inflate(stored, (size_t)s->stored_size, buf, raw, what);
    else if (raw)
        memcpy(buf, stored, raw);
    uint32_t crc = rc == MLOPS_OK ? mlops__crc32(0, buf, raw) : 0;
    if (rc == MLOPS_OK && crc != s->crc)
        rc = mlops__fail(MLOPS_ECORRUPT, "%s checksum mismatch (stored 0x%08x, computed 0x%08x)",
                         what, (unsigned)s->crc, (unsigned)crc);
    if (rc != MLOPS_OK) {
        mlops__free(buf);
        return rc;
    }
    buf[raw] = '\0';
    *out = buf;
    *len = raw;
    return MLOPS_OK;
}

void mlops__container_free(mlops__container *c)
{
    mlops__free(c->sections);
    mlops__free(c->owned);
    c->sections = NULL;
    c->owned = NULL;
    c->count = 0;
}
