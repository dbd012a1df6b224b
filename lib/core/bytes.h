/* Private: the little-endian byte encoding shared by the binary formats
 * (model sections, transform bytes, the container headers): a growable
 * writer and a bounds-checked reader. Integers are unsigned little-endian
 * of an explicit width, f64 is the IEEE-754 binary64 bit pattern as a u64,
 * a string is a u32 byte count and that many bytes of UTF-8 without NUL.
 *
 * Each format words its own errors: the writer names its encoding with a
 * label, and the reader hands every fault to a hook of the format, so a
 * message still names the object, section and field it concerns. */
#ifndef MLOPS_CORE_BYTES_H
#define MLOPS_CORE_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* Stores the low `n` (0..8) bytes of v at p, least significant first. */
void mlops__le_store(unsigned char *p, uint64_t v, size_t n);
/* The n-byte (0..8) little-endian value at p. */
uint64_t mlops__le_load(const unsigned char *p, size_t n);

/* ---- Writing ------------------------------------------------------------ */

/* Zero-initialize apart from `label`. Operations after a failure do
 * nothing, so a whole encoding is written and `status` checked once; `buf`
 * is then owned by the caller (mlops__free) whatever the status. */
typedef struct mlops__wbuf {
    unsigned char *buf;
    size_t len, cap;
    int status;        /* MLOPS_OK or the first failure */
    const char *label; /* names the encoding in messages: "model encoding" */
} mlops__wbuf;

/* Appends n bytes of data (MLOPS_ENOMEM on failure). */
void mlops__wbuf_put(mlops__wbuf *b, const void *data, size_t n);
/* Appends the low n (0..8) bytes of v, little-endian. */
void mlops__wbuf_put_le(mlops__wbuf *b, uint64_t v, size_t n);
void mlops__wbuf_put_f64(mlops__wbuf *b, double v);
/* Appends a u32 length and the bytes of s (NULL is written as ""); a string
 * above UINT32_MAX bytes is MLOPS_EINVAL. */
void mlops__wbuf_put_str(mlops__wbuf *b, const char *s);

/* ---- Reading ------------------------------------------------------------ */

/* What a read found wrong; `value` and `detail` of the hook below. */
typedef enum mlops__rbuf_fault {
    MLOPS__RBUF_TRUNCATED, /* value: the bytes needed, more than remain */
    MLOPS__RBUF_COUNT,     /* value: a count whose entries cannot fit in what remains */
    MLOPS__RBUF_STRING,    /* value: a string length running past the end */
    MLOPS__RBUF_NUL,       /* value: the string length; the text holds a NUL byte */
    MLOPS__RBUF_UTF8       /* value: the string length, detail: its valid UTF-8 prefix */
} mlops__rbuf_fault;

typedef struct mlops__rbuf mlops__rbuf;

/* Records a fault of `field` (mlops__fail) in the format's own words and
 * returns the code recorded. r->pos is where the fault was found: after a
 * count or string length, before a truncated value. */
typedef int (*mlops__rbuf_fail_fn)(const mlops__rbuf *r, mlops__rbuf_fault fault,
                                   const char *field, uint64_t value, size_t detail);

/* Reads p[pos..len). Operations after a failure return 0 or NULL and leave
 * `status`, the first failure, as it is. */
struct mlops__rbuf {
    const unsigned char *p; /* borrowed */
    size_t len, pos;
    int status;
    const char *label;        /* names string allocations: "model string" */
    mlops__rbuf_fail_fn fail; /* required */
};

/* The n-byte (0..8) little-endian value at pos, advancing past it. */
uint64_t mlops__rbuf_get_le(mlops__rbuf *r, size_t n, const char *field);
double mlops__rbuf_get_f64(mlops__rbuf *r, const char *field);
/* A `width`-byte count of entries of at least `min_size` (>= 1) bytes each,
 * which must fit in what remains, so a damaged count never drives a large
 * allocation. */
size_t mlops__rbuf_get_count(mlops__rbuf *r, size_t width, size_t min_size, const char *field);
/* A string as mlops__wbuf_put_str writes it, checked to be UTF-8 without
 * NUL; returned NUL-terminated, owned by the caller (mlops__free). */
char *mlops__rbuf_get_str(mlops__rbuf *r, const char *field);

#endif
