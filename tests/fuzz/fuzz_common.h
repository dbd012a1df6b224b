/* Shared by the libFuzzer targets: one private temporary directory per
 * process (created on first use, removed at exit), so a target never writes
 * anywhere else; file helpers; a check that an input left no library
 * allocation behind; and a fix-up of the checksums of the binary container
 * (models, profiles) so that mutated files also reach the section decoders
 * instead of stopping at the first CRC. Everything here is static inline:
 * each target uses only part of it. */
#ifndef MLOPS_FUZZ_COMMON_H
#define MLOPS_FUZZ_COMMON_H

#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif

#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "mlops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir_path[4096];

static inline void fuzz_die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz target: %s: %s\n", what, detail != NULL ? detail : "");
    abort();
}

static inline int fuzz_remove_entry(const char *path, const struct stat *st, int flag,
                                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* Removes `path` and everything below it; a missing path is fine. */
static inline void fuzz_remove_tree(const char *path)
{
    nftw(path, fuzz_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void fuzz_remove_dir_at_exit(void)
{
    if (fuzz_dir_path[0] != '\0') fuzz_remove_tree(fuzz_dir_path);
}

/* The process's own temporary directory: under $TMPDIR, else /dev/shm
 * (memory: the registry fsyncs on every open), else /tmp. */
static inline const char *fuzz_dir(void)
{
    if (fuzz_dir_path[0] != '\0') return fuzz_dir_path;
    const char *base = getenv("TMPDIR");
    struct stat st;
    if (base == NULL || *base == '\0') {
        base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0
                   ? "/dev/shm"
                   : "/tmp";
    }
    char tmpl[sizeof fuzz_dir_path];
    int n = snprintf(tmpl, sizeof tmpl, "%s/mlops-fuzz-XXXXXX", base);
    if (n < 0 || (size_t)n >= sizeof tmpl) fuzz_die("temporary directory name too long", base);
    if (mkdtemp(tmpl) == NULL) fuzz_die("cannot create a temporary directory", strerror(errno));
    memcpy(fuzz_dir_path, tmpl, (size_t)n + 1);
    atexit(fuzz_remove_dir_at_exit);
    return fuzz_dir_path;
}

/* DIR/name in a new string, kept for the life of the process. */
static inline char *fuzz_path(const char *name)
{
    const char *dir = fuzz_dir();
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p == NULL) fuzz_die("out of memory", name);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static inline void fuzz_write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) fuzz_die("cannot create", path);
    int bad = size > 0 && fwrite(data, 1, size, f) != size;
    if (fclose(f) != 0 || bad) fuzz_die("cannot write", path);
}

/* The input as a NUL-terminated string (malloc; the caller frees it). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL) fuzz_die("out of memory", "input copy");
    if (size > 0) memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Every library object made for one input must be gone when it is done:
 * the library counts its live allocations, so this catches leaks that
 * LeakSanitizer would miss because a global still points at them. */
static inline void fuzz_check_live(size_t baseline)
{
    size_t live = mlops_live_allocations();
    if (live != baseline) {
        fprintf(stderr, "fuzz target: %zu library allocations still live after the input "
                        "(expected %zu)\n", live, baseline);
        abort();
    }
}

static inline uint64_t fuzz_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static inline void fuzz_store_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint32_t fuzz_crc(const unsigned char *p, size_t n)
{
    return (uint32_t)crc32(0L, p, (uInt)n);
}

/* The transform encoding inside a model's TRAN section ends with its own
 * CRC-32 of the bytes before it (lib/data/transform_io.c). */
static inline void fuzz_fix_transform(unsigned char *p, size_t n)
{
    if (n >= 20 && memcmp(p, "MLTF", 4) == 0) fuzz_store_le32(p + n - 4, fuzz_crc(p, n - 4));
}

/* Rewrites, in place, every checksum of a container image (see
 * lib/core/container.h) that can be recomputed: the file header's, each
 * section header's, each section's CRC of its raw bytes (inflating zlib
 * sections of at most 4 MiB), the trailer of a transform encoding stored
 * uncompressed, and a profile's SUMS section (the CRC of each other
 * section's stored bytes). Sizes and the layout stay as they are, so a
 * damaged image stays damaged in every other way. Returns 1 when something
 * changed. */
static inline int fuzz_fix_container(unsigned char *buf, size_t len)
{
    static const unsigned char magic[8] = {0x89, 'M', 'L', 'O', 'P', 'S', '\r', '\n'};
    enum { MAX_SECTIONS = 64 };
    size_t at[MAX_SECTIONS], size[MAX_SECTIONS], n = 0, sums = MAX_SECTIONS;
    if (len < 28 || memcmp(buf, magic, 8) != 0) return 0;
    unsigned char *before = malloc(len);
    if (before == NULL) fuzz_die("out of memory", "container copy");
    memcpy(before, buf, len);
    fuzz_store_le32(buf + 24, fuzz_crc(buf, 24));

    /* Where each section is. */
    uint64_t count = fuzz_le(buf + 20, 4);
    size_t pos = 28;
    for (uint64_t i = 0; i < count && n < MAX_SECTIONS && len - pos >= 32; i++) {
        uint64_t stored = fuzz_le(buf + pos + 8, 8);
        if (stored > len - pos - 32) break;
        if (memcmp(buf + pos, "SUMS", 4) == 0 && fuzz_le(buf + pos + 4, 4) == 0) sums = n;
        at[n] = pos;
        size[n++] = (size_t)stored;
        pos += 32 + (size_t)stored;
    }
    /* Inner checksums first, then the SUMS list, then each section's. */
    for (size_t i = 0; i < n; i++)
        if (memcmp(buf + at[i], "TRAN", 4) == 0 && fuzz_le(buf + at[i] + 4, 4) == 0)
            fuzz_fix_transform(buf + at[i] + 32, size[i]);
    if (sums < n && size[sums] == 8 * (n - 1)) {
        unsigned char *out = buf + at[sums] + 32;
        for (size_t i = 0; i < n; i++) {
            if (i == sums) continue;
            memcpy(out, buf + at[i], 4);
            fuzz_store_le32(out + 4, fuzz_crc(buf + at[i] + 32, size[i]));
            out += 8;
        }
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char *h = buf + at[i];
        uint64_t flags = fuzz_le(h + 4, 4), raw = fuzz_le(h + 16, 8);
        if (flags == 0) {
            fuzz_store_le32(h + 24, fuzz_crc(h + 32, size[i]));
        } else if (flags == 1 && raw > 0 && raw <= (4u << 20)) {
            unsigned char *out = malloc((size_t)raw);
            uLongf out_len = (uLongf)raw;
            if (out == NULL) fuzz_die("out of memory", "inflate");
            if (uncompress(out, &out_len, h + 32, (uLong)size[i]) == Z_OK && out_len == raw)
                fuzz_store_le32(h + 24, fuzz_crc(out, (size_t)raw));
            free(out);
        }
        fuzz_store_le32(h + 28, fuzz_crc(h, 28));
    }
    int changed = memcmp(before, buf, len) != 0;
    free(before);
    return changed;
}

#endif
