/* libFuzzer target: the CSV reader. The input is a CSV file (plain, or
 * gzip detected by content). It is read whole from memory with the
 * defaults, then with settings chosen by its first byte, and streamed from
 * a file in small batches; a dataset that loads is fingerprinted, profiled
 * and has a schema inferred and checked against it, since those are what
 * untrusted data meets next. Valid input without the gzip magic is also
 * compressed and read again, so the decompressor sees valid streams too,
 * and one input in 64 is also read shifted so that the end of the
 * reader's 1 MiB buffer falls inside it. */
#include "fuzz_common.h"

/* The reader fills a buffer of 1 MiB at a time (CHUNK in
 * lib/data/csv_tokenizer.c); seeds are a few KiB. */
enum { READ_CHUNK = 1 << 20 };

static char *csv_path, *big_path;
static char *big;   /* READ_CHUNK spaces, then room for the input */
static size_t live_baseline;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    csv_path = fuzz_path("input.csv");
    big_path = fuzz_path("big.csv");
    live_baseline = mlops_live_allocations();
    return 0;
}

/* What a dataset from untrusted data goes through next. */
static void use_dataset(const mlops_dataset *d)
{
    char hex[65];
    size_t cols = mlops_dataset_cols(d), rows = mlops_dataset_rows(d);
    for (size_t c = 0; c < cols; c++) {
        if (mlops_dataset_column_name(d, c) == NULL) fuzz_die("column without a name", "");
        if (mlops_dataset_missing_count(d, c) > rows) fuzz_die("more missing than rows", "");
        if (mlops_dataset_column_type(d, c) == MLOPS_CATEGORICAL) {
            size_t k = mlops_dataset_category_count(d, c);
            for (size_t i = 0; i < k; i++)
                if (mlops_dataset_category(d, c, (int32_t)i) == NULL)
                    fuzz_die("category without text", mlops_dataset_column_name(d, c));
        }
    }
    mlops_dataset_fingerprint(d, hex, sizeof hex);

    mlops_schema *s = NULL;
    if (mlops_schema_infer(&s, d) == MLOPS_OK) {
        mlops_validation *v = NULL;
        if (mlops_schema_check(s, d, &v) == MLOPS_OK && !mlops_validation_passed(v)) {
            char *json = NULL;
            mlops_validation_to_json(v, &json);
            fprintf(stderr, "%s\n", json ? json : "");
            fuzz_die("data fails the schema inferred from it", "");
        }
        mlops_validation_free(v);
    }
    mlops_schema_free(s);

    if (rows > 2000) return;
    mlops_profile *p = NULL;
    if (mlops_profile_create(&p) == MLOPS_OK && mlops_profile_add(p, d) == MLOPS_OK) {
        char *json = NULL;
        mlops_profile_fix_bins(p);
        mlops_profile_to_json(p, &json);
        mlops_free(json);
    }
    mlops_profile_free(p);
}

/* Reads the input whole from memory; returns the dataset (or NULL). */
static mlops_dataset *read_memory(const uint8_t *data, size_t size, const mlops_csv_options *o)
{
    mlops_dataset *d = NULL;
    if (mlops_dataset_read_csv_memory(&d, data, size, "fuzz.csv", o) != MLOPS_OK) {
        if (d != NULL) fuzz_die("a failed read returned a dataset", mlops_last_error());
        return NULL;
    }
    use_dataset(d);
    return d;
}

/* Settings picked by the bits of `b`. */
static mlops_csv_options *options_from(unsigned b)
{
    mlops_csv_options *o = NULL;
    if (mlops_csv_options_create(&o) != MLOPS_OK) return NULL;
    static const char *const delimiters[] = {"auto", ",", "tab", ";"};
    mlops_csv_options_set(o, "delimiter", delimiters[b & 3]);
    if (b & 4) mlops_csv_options_set(o, "header", "false");
    if (b & 8) mlops_csv_options_set(o, "bad_rows", "skip");
    if (b & 16) mlops_csv_options_set(o, "quote", (b & 32) ? "none" : "'");
    if (b & 64) mlops_csv_options_set(o, "trim", "false");
    if (b & 128) {
        mlops_csv_options_set(o, "max_field_bytes", "8");
        mlops_csv_options_set(o, "missing", "x,,-");
    }
    char rows[8];
    snprintf(rows, sizeof rows, "%u", 1 + (b >> 3) % 5);
    mlops_csv_options_set(o, "batch_rows", rows);
    return o;
}

/* Streams the file in small batches. When every batch reads and `whole`
 * (the same input read at once with the same settings) is not NULL, the
 * batches put together must be the same data: the fingerprint ignores
 * batching. */
static void stream_file(const mlops_csv_options *o, const mlops_dataset *whole)
{
    mlops_csv_reader *r = NULL;
    if (mlops_csv_reader_open(&r, csv_path, o) != MLOPS_OK) return;
    mlops_dataset **batches = NULL;
    size_t n = 0, cap = 0;
    uint64_t rows = 0;
    int failed = 0;
    for (;;) {
        mlops_dataset *batch = NULL;
        int rc = mlops_csv_reader_next(r, &batch);
        if (rc != MLOPS_OK) {
            if (batch != NULL) fuzz_die("a failed batch was returned", mlops_last_error());
            if (mlops_csv_reader_next(r, &batch) != MLOPS_ESTATE || batch != NULL)
                fuzz_die("reader goes on after an error", "");
            failed = 1;
            break;
        }
        if (batch == NULL) {
            if (n == 0) fuzz_die("first batch is missing", "");
            break;
        }
        rows += mlops_dataset_rows(batch);
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            batches = realloc(batches, cap * sizeof *batches);
            if (batches == NULL) fuzz_die("out of memory", "batches");
        }
        batches[n++] = batch;
    }
    if (mlops_csv_reader_rows(r) != rows) fuzz_die("row count disagrees with the batches", "");
    if (!failed && whole != NULL) {
        if (rows != mlops_dataset_rows(whole))
            fuzz_die("streaming and whole-file reads give different row counts", "");
        if (mlops_csv_reader_skipped_rows(r) != mlops_dataset_skipped_rows(whole))
            fuzz_die("streaming and whole-file reads skip different rows", "");
        mlops_dataset *joined = NULL;
        char h1[65], h2[65];
        if (mlops_dataset_concat_rows(&joined, (const mlops_dataset *const *)batches, n) ==
                MLOPS_OK &&
            mlops_dataset_fingerprint(joined, h1, sizeof h1) == MLOPS_OK &&
            mlops_dataset_fingerprint(whole, h2, sizeof h2) == MLOPS_OK && strcmp(h1, h2) != 0)
            fuzz_die("streaming and whole-file reads give different data", "");
        mlops_dataset_free(joined);
    }
    for (size_t i = 0; i < n; i++) mlops_dataset_free(batches[i]);
    free(batches);
    mlops_csv_reader_free(r);
}

/* Records that straddle the end of the reader's buffer: the input is
 * shifted by spaces in front of its first field (which trimming removes)
 * so that the buffer ends at its byte `at`; read from a file, it must give
 * the data the unshifted input gives. Inputs whose first bytes mean
 * something at the very start (BOM, gzip magic, quote, blank line, space
 * or tab) are left out. */
static void read_across_refill(const uint8_t *data, size_t size, size_t at,
                               const mlops_dataset *plain)
{
    if (size == 0 || size > 65536) return;
    unsigned char c = data[0];
    if (c == 0xEF || c == 0x1F || c == '"' || c == '\n' || c == '\r' || c == ' ' || c == '\t')
        return;
    if (big == NULL) {
        big = malloc(READ_CHUNK + 65536);
        if (big == NULL) fuzz_die("out of memory", "shifted input");
        memset(big, ' ', READ_CHUNK);
    }
    size_t pad = READ_CHUNK - at % size;
    memcpy(big + pad, data, size);
    fuzz_write_file(big_path, big, pad + size);
    memset(big + pad, ' ', READ_CHUNK - pad);
    mlops_dataset *d = NULL;
    if (mlops_dataset_read_csv(&d, big_path, NULL) == MLOPS_OK && plain != NULL) {
        char h1[65], h2[65];
        if (mlops_dataset_rows(d) != mlops_dataset_rows(plain) ||
            (mlops_dataset_fingerprint(d, h1, sizeof h1) == MLOPS_OK &&
             mlops_dataset_fingerprint(plain, h2, sizeof h2) == MLOPS_OK && strcmp(h1, h2) != 0))
            fuzz_die("data read across the reader's buffer end differs", "");
    }
    mlops_dataset_free(d);
}

/* gzip of the input, or NULL. */
static unsigned char *gzip_of(const uint8_t *data, size_t size, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return NULL;
    uLong cap = deflateBound(&z, (uLong)size) + 32;
    unsigned char *out = malloc(cap);
    if (out == NULL) fuzz_die("out of memory", "gzip");
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)size;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = (size_t)z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mlops_dataset *plain = read_memory(data, size, NULL);
    if (size >= 3 && (data[size - 1] & 63) == 0) /* slow: 1 MiB under instrumentation */
        read_across_refill(data, size, (size_t)data[size - 2] << 8 | data[size - 3], plain);

    unsigned b = size > 0 ? data[0] : 0;
    mlops_csv_options *o = options_from(b);
    mlops_dataset *whole = o != NULL ? read_memory(data, size, o) : NULL;

    fuzz_write_file(csv_path, data, size);
    stream_file(o, whole);
    mlops_dataset_free(whole);
    mlops_csv_options_free(o);

    if (size >= 2 && !(data[0] == 0x1f && data[1] == 0x8b) && size <= 65536 && (b & 1)) {
        size_t zlen = 0;
        unsigned char *z = gzip_of(data, size, &zlen);
        if (z != NULL) {
            mlops_dataset *packed = NULL;
            int rc = mlops_dataset_read_csv_memory(&packed, z, zlen, "fuzz.csv.gz", NULL);
            if ((rc == MLOPS_OK) != (plain != NULL))
                fuzz_die("gzip changes the outcome", mlops_last_error());
            if (rc == MLOPS_OK) {
                char h1[65], h2[65];
                if (mlops_dataset_fingerprint(plain, h1, sizeof h1) == MLOPS_OK &&
                    mlops_dataset_fingerprint(packed, h2, sizeof h2) == MLOPS_OK &&
                    strcmp(h1, h2) != 0)
                    fuzz_die("gzip changes the data", "");
            }
            mlops_dataset_free(packed);
            free(z);
        }
    }
    mlops_dataset_free(plain);
    fuzz_check_live(live_baseline);
    return 0;
}
