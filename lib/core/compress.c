/* zlib wrappers. zlib's own compress()/uncompress() would allocate behind the
 * allocator hooks' back, so streams are driven directly with zalloc/zfree. */
#include <limits.h>
#include <zlib.h>

#include "core/alloc.h"
#include "core/compress.h"
#include "core/error.h"

uint32_t mlops__crc32(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;
    uLong c = crc;
    while (len > 0) {
        uInt chunk = len > UINT_MAX ? UINT_MAX : (uInt)len;
        c = crc32(c, p, chunk);
        p += chunk;
        len -= chunk;
    }
    return (uint32_t)c;
}

voidpf mlops__zlib_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return mlops__malloc_array(items, size, "zlib state");
}

void mlops__zlib_free(voidpf opaque, voidpf ptr)
{
    (void)opaque;
    mlops__free(ptr);
}

/* Feeds and drains a stream in chunks so inputs larger than uInt work. */
static void next_chunk(const unsigned char **src, size_t *left, Bytef **next, uInt *avail)
{
    if (*avail == 0 && *left > 0) {
        uInt n = *left > UINT_MAX ? UINT_MAX : (uInt)*left;
        *next = (Bytef *)*src;
        *avail = n;
        *src += n;
        *left -= n;
    }
}

int mlops__deflate(const void *data, size_t len, unsigned char **out, size_t *out_len)
{
    z_stream zs = {.zalloc = mlops__zlib_alloc, .zfree = mlops__zlib_free};
    if (deflateInit(&zs, Z_DEFAULT_COMPRESSION) != Z_OK)
        return mlops_last_error_code() == MLOPS_ENOMEM
                   ? MLOPS_ENOMEM
                   : mlops__fail(MLOPS_ENOMEM, "zlib: cannot start compressor");
    /* deflateBound is exact for the worst case; grow only if it underestimates
     * on a >4 GiB input, where uLong bounds may be approximate. */
    size_t cap = (size_t)deflateBound(&zs, len > ULONG_MAX ? ULONG_MAX : (uLong)len) + 64;
    unsigned char *buf = mlops__malloc(cap, "compressed section");
    if (buf == NULL) {
        deflateEnd(&zs);
        return MLOPS_ENOMEM;
    }
    const unsigned char *src = data;
    size_t left = len, produced = 0;
    int rc;
    do {
        next_chunk(&src, &left, &zs.next_in, &zs.avail_in);
        if (produced == cap) {
            unsigned char *bigger = mlops__realloc(buf, cap * 2, "compressed section");
            if (bigger == NULL) {
                mlops__free(buf);
                deflateEnd(&zs);
                return MLOPS_ENOMEM;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t room = cap - produced;
        zs.next_out = buf + produced;
        zs.avail_out = room > UINT_MAX ? UINT_MAX : (uInt)room;
        uInt before = zs.avail_out;
        rc = deflate(&zs, left == 0 ? Z_FINISH : Z_NO_FLUSH);
        produced += before - zs.avail_out;
    } while (rc == Z_OK || rc == Z_BUF_ERROR);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        mlops__free(buf);
        return mlops__fail(MLOPS_ENOMEM, "zlib: compression failed (code %d)", rc);
    }
    *out = buf;
    *out_len = produced;
    return MLOPS_OK;
}

int mlops__inflate(const void *data, size_t len, void *raw, size_t raw_len, const char *what)
{
    z_stream zs = {.zalloc = mlops__zlib_alloc, .zfree = mlops__zlib_free};
    if (inflateInit(&zs) != Z_OK) return MLOPS_ENOMEM;
    /* zlib refuses a NULL output pointer, so an empty result still gets a
     * one-byte sink; anything written to it is excess output. */
    unsigned char sink;
    const unsigned char *src = data;
    unsigned char *dst = raw_len ? raw : &sink;
    size_t left = len, room = raw_len ? raw_len : 1;
    int rc;
    do {
        next_chunk(&src, &left, &zs.next_in, &zs.avail_in);
        if (zs.avail_out == 0 && room > 0) {
            uInt n = room > UINT_MAX ? UINT_MAX : (uInt)room;
            zs.next_out = dst;
            zs.avail_out = n;
            dst += n;
            room -= n;
        }
        rc = inflate(&zs, Z_NO_FLUSH);
    } while (rc == Z_OK && (zs.avail_in > 0 || left > 0 || zs.avail_out > 0 || room > 0));
    size_t produced = (raw_len ? raw_len : 1) - room - zs.avail_out;
    size_t trailing = zs.avail_in + left;
    inflateEnd(&zs);
    if (rc == Z_MEM_ERROR) return MLOPS_ENOMEM;
    if (rc != Z_STREAM_END || produced != raw_len || trailing != 0)
        return mlops__fail(MLOPS_ECORRUPT,
                           "%s: compressed data is damaged (zlib code %d, %zu of %zu bytes "
                           "restored, %zu bytes left over)",
                           what, rc, produced, raw_len, trailing);
    return MLOPS_OK;
}
