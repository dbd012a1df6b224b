/* The audit log format and its verifier: every single-byte edit, every
 * removed, duplicated or swapped record, a record forged with its own hash
 * recomputed and a non-canonical spelling are all found, at the right
 * line; crafted logs that describe impossible histories are refused by the
 * registry's replay; times and texts are checked. */
#include "registry_fixture.h"

#include "core/alloc.h"
#include "core/sha256.h"
#include "pipeline/audit_log.h"
#include "fault_alloc.h"
#include "runner.h"

static char dir[128], reg[160], logpath[200];
static char v1[65], v2[65];
static char *original;
static size_t original_len;

/* A registry with six records of every action. */
static void setup(void)
{
    fixture_tmpdir(dir, sizeof dir, "audit");
    snprintf(reg, sizeof reg, "%s/reg", dir);
    snprintf(logpath, sizeof logpath, "%s/audit.log", reg);
    char m1[200], m2[200];
    snprintf(m1, sizeof m1, "%s/m1.mlops", dir);
    snprintf(m2, sizeof m2, "%s/m2.mlops", dir);
    fixture_train(m1, "0.0001", v1, NULL);
    fixture_train(m2, "0.5", v2, NULL);
    mlops_registry *r = NULL;
    CHECK_OK(mlops_registry_open(&r, reg, MLOPS_REGISTRY_CREATE));
    CHECK_OK(mlops_registry_set_actor(r, "auditor \"A\" \\ tab\there"));
    CHECK_OK(mlops_registry_register(r, "iris", m1, "first", NULL, 0));
    CHECK_OK(mlops_registry_register(r, "iris", m2, "second, with a\nnewline", NULL, 0));
    CHECK_OK(mlops_registry_set_alias(r, "iris", "production", v1, "release 1"));
    CHECK_OK(mlops_registry_set_alias(r, "iris", "production", v2, "release 2 — ünïcode"));
    CHECK_OK(mlops_registry_record_refusal(r, "iris", "production", v1, "gates failed"));
    CHECK_OK(mlops_registry_retire(r, "iris", v2, "withdrawn"));
    mlops_registry_free(r);
    original = fixture_read(logpath, &original_len);
}

static void teardown(void)
{
    free(original);
    fixture_rmtree(dir);
}

static void restore(void)
{
    fixture_write(logpath, original, original_len);
}

/* Verifies the log and expects the first bad record at `line`. */
static void expect_bad_at_ex(size_t line, const char *what, bool registry_too)
{
    char *report = NULL;
    int rc = mlops_audit_verify(logpath, &report);
    ck_assert_msg(rc == MLOPS_ECORRUPT, "%s: verify gave %d: %s", what, rc, mlops_last_error());
    char want[64];
    snprintf(want, sizeof want, "audit.log:%zu: ", line);
    ck_assert_msg(strstr(mlops_last_error(), want) != NULL, "%s: expected line %zu: %s", what,
                  line, mlops_last_error());
    snprintf(want, sizeof want, "\"line\": %zu,", line);
    ck_assert_msg(report != NULL && strstr(report, want) != NULL, "%s: report %s", what, report);
    ck_assert_ptr_nonnull(strstr(report, "\"ok\": false"));
    mlops_free(report);
    /* the registry refuses it too, naming the same place */
    if (registry_too) {
        ck_assert_int_eq(mlops_registry_verify(reg, NULL), MLOPS_ECORRUPT);
        snprintf(want, sizeof want, "audit.log:%zu: ", line);
        ck_assert_msg(strstr(mlops_last_error(), want) != NULL, "%s: registry: %s", what,
                      mlops_last_error());
    }
}

static void expect_bad_at(size_t line, const char *what)
{
    expect_bad_at_ex(line, what, true);
}

START_TEST(sound_log_verifies)
{
    char *report = NULL;
    CHECK_OK(mlops_audit_verify(logpath, &report));
    ck_assert_ptr_nonnull(strstr(report, "\"records\": 6,"));
    ck_assert_ptr_nonnull(strstr(report, "\"first_bad\": null"));
    mlops_free(report);
    CHECK_OK(mlops_registry_verify(reg, &report));
    ck_assert_ptr_nonnull(strstr(report, "\"models\""));
    mlops_free(report);
    ck_assert_uint_eq(fixture_count_lines(logpath), 6);
}
END_TEST

START_TEST(every_byte_edit_is_found)
{
    size_t starts[16];
    size_t nlines = fixture_line_starts(original, original_len, starts, 16);
    ck_assert_uint_eq(nlines, 6);
    char *copy = malloc(original_len);
    /* under valgrind (MLOPS_TEST_SHORT) every 13th byte stands for the rest */
    size_t step = getenv("MLOPS_TEST_SHORT") != NULL ? 13 : 1;
    for (size_t i = 0; i < original_len; i += step) {
        memcpy(copy, original, original_len);
        copy[i] = copy[i] == 'x' ? 'y' : 'x';
        fixture_write(logpath, copy, original_len);
        size_t line = 0;
        while (line + 1 < nlines && starts[line + 1] <= i) line++;
        char what[64];
        snprintf(what, sizeof what, "byte %zu edited", i);
        expect_bad_at_ex(line + 1, what, i % 97 == 0);
    }
    free(copy);
    restore();
    CHECK_OK(mlops_audit_verify(logpath, NULL));
}
END_TEST

/* The log with lines put together in the order `order` (1-based, n of them). */
static void write_lines(const size_t *order, size_t n)
{
    size_t starts[16];
    size_t nlines = fixture_line_starts(original, original_len, starts, 16);
    FILE *f = fopen(logpath, "wb");
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k] - 1;
        size_t end = i + 1 < nlines ? starts[i + 1] : original_len;
        fwrite(original + starts[i], 1, end - starts[i], f);
    }
    fclose(f);
}

START_TEST(removed_records_are_found)
{
    for (size_t gone = 1; gone <= 6; gone++) {
        size_t order[6], n = 0;
        for (size_t k = 1; k <= 6; k++)
            if (k != gone) order[n++] = k;
        write_lines(order, n);
        char what[32];
        snprintf(what, sizeof what, "record %zu removed", gone);
        expect_bad_at(gone, what); /* the last one through the head file */
    }
    restore();
}
END_TEST

START_TEST(reordered_and_duplicated_records_are_found)
{
    for (size_t k = 1; k < 6; k++) {
        size_t order[6] = {1, 2, 3, 4, 5, 6};
        order[k - 1] = k + 1;
        order[k] = k;
        write_lines(order, 6);
        char what[32];
        snprintf(what, sizeof what, "records %zu and %zu swapped", k, k + 1);
        expect_bad_at(k, what);
    }
    size_t dup[7] = {1, 2, 3, 3, 4, 5, 6};
    write_lines(dup, 7);
    expect_bad_at(4, "record 3 twice");
    restore();
}
END_TEST

/* Replaces line `k` (1-based) by `line` (with its newline). */
static void replace_line(size_t k, const char *line)
{
    size_t starts[16];
    size_t nlines = fixture_line_starts(original, original_len, starts, 16);
    size_t end = k < nlines ? starts[k] : original_len;
    FILE *f = fopen(logpath, "wb");
    fwrite(original, 1, starts[k - 1], f);
    fputs(line, f);
    fwrite(original + end, 1, original_len - end, f);
    fclose(f);
}

/* Line k of the original, edited by replacing `from` with `to`, and with
 * its hash recomputed over the edited text as a forger would. */
static char *forge(size_t k, const char *from, const char *to)
{
    size_t starts[16];
    fixture_line_starts(original, original_len, starts, 16);
    const char *line = original + starts[k - 1];
    size_t len = (size_t)(strchr(line, '\n') - line);
    char *text = calloc(1, len + 256);
    memcpy(text, line, len);
    char *at = strstr(text, from);
    ck_assert_ptr_nonnull(at);
    memmove(at + strlen(to), at + strlen(from), strlen(at + strlen(from)) + 1);
    memcpy(at, to, strlen(to));
    char *tail = strstr(text, ",\"hash\":\"");
    ck_assert_ptr_nonnull(tail);
    size_t body = (size_t)(tail - text);
    char *canonical = malloc(body + 2);
    memcpy(canonical, text, body);
    canonical[body] = '}';
    char hex[65];
    mlops__sha256_hex(canonical, body + 1, hex);
    free(canonical);
    snprintf(tail, 256, ",\"hash\":\"%s\"}\n", hex);
    return text;
}

START_TEST(forged_records_are_found)
{
    /* a record rewritten with a hash of its own: the next record's prev
     * no longer matches */
    char *forged = forge(3, "release 1", "release 9");
    replace_line(3, forged);
    expect_bad_at(4, "record 3 forged");
    free(forged);
    /* the last one: only the head file knows */
    forged = forge(6, "withdrawn", "routine");
    replace_line(6, forged);
    expect_bad_at(6, "record 6 forged");
    free(forged);
    /* a hash that matches a non-canonical spelling */
    forged = forge(2, "\"reason\":", "\"reason\": ");
    replace_line(2, forged);
    expect_bad_at(2, "record 2 with a space");
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "canonical"));
    free(forged);
    /* JSON escapes where the canonical form has the character itself */
    forged = forge(4, "ü", "\\u00fc");
    replace_line(4, forged);
    expect_bad_at(4, "record 4 with an escape");
    free(forged);
    restore();
}
END_TEST

START_TEST(edited_value_names_its_seq)
{
    char *copy = malloc(original_len + 1);
    memcpy(copy, original, original_len + 1);
    char *at = strstr(copy, "release 1");
    at[8] = '2';
    fixture_write(logpath, copy, original_len);
    char *report = NULL;
    CHECK_RC(mlops_audit_verify(logpath, &report), MLOPS_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "audit.log:3: record 3: hash mismatch"));
    ck_assert_ptr_nonnull(strstr(report, "\"seq\": 3,"));
    mlops_free(report);
    free(copy);
    restore();
}
END_TEST

START_TEST(torn_tail_and_other_logs)
{
    FILE *f = fopen(logpath, "ab");
    fputs("{\"action\":\"ali", f);
    fclose(f);
    char *report = NULL;
    CHECK_OK(mlops_audit_verify(logpath, &report));
    ck_assert_ptr_nonnull(strstr(report, "line 7 is incomplete"));
    mlops_free(report);
    restore();
    /* a log without a head file: the chain alone */
    char other[220];
    snprintf(other, sizeof other, "%s/copy.log", dir);
    fixture_write(other, original, original_len);
    CHECK_OK(mlops_audit_verify(other, &report));
    ck_assert_ptr_nonnull(strstr(report, "\"head\": null"));
    mlops_free(report);
    fixture_write(other, "", 0);
    CHECK_OK(mlops_audit_verify(other, NULL));
    fixture_write(other, "hello\n", 6);
    CHECK_RC(mlops_audit_verify(other, NULL), MLOPS_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "copy.log:1: the line does not end with the record's hash member"));
    CHECK_RC(mlops_audit_verify("/nonexistent/log", NULL), MLOPS_ENOTFOUND);
    CHECK_RC(mlops_audit_verify(NULL, NULL), MLOPS_EINVAL);
    /* a line longer than any record */
    char *big = malloc(70000);
    memset(big, 'a', 69999);
    big[69999] = '\n';
    fixture_write(other, big, 70000);
    CHECK_RC(mlops_audit_verify(other, NULL), MLOPS_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "longer than the limit"));
    free(big);
}
END_TEST

/* ---- Crafted histories ------------------------------------------------------ */

typedef struct crafted {
    const char *keys[5], *values[5];
} crafted;

static int write_crafted(mlops__json *j, const void *ctx)
{
    const crafted *c = ctx;
    for (size_t i = 0; i < 5 && c->keys[i] != NULL; i++) {
        mlops__json_key(j, c->keys[i]);
        mlops__json_string(j, c->values[i]);
    }
    return j->status;
}

/* Writes a registry whose log holds the given records (and a matching
 * head), each {action, object, details}. */
static void craft_registry(const char *path, size_t n, const char *const *actions,
                           const char *const *objects, const crafted *details)
{
    fixture_rmtree(path);
    mlops_registry *r = NULL;
    CHECK_OK(mlops_registry_open(&r, path, MLOPS_REGISTRY_CREATE));
    mlops_registry_free(r);
    char prev[65] = MLOPS_AUDIT_ZERO_HASH;
    FILE *f = fopen(fixture_path(path, "audit.log"), "wb");
    for (size_t i = 0; i < n; i++) {
        mlops__audit_fields fl = {i + 1, 1700000000000000LL + (int64_t)i, "crafter", actions[i],
                                  objects[i], "", prev};
        char *line = NULL;
        size_t len = 0;
        CHECK_OK(mlops__audit_build(&fl, write_crafted, &details[i], &line, &len, prev));
        fwrite(line, 1, len, f);
        mlops__free(line);
    }
    fclose(f);
    char head[300];
    int hn = snprintf(head, sizeof head, "{\"format\":\"mlops-audit-head\",\"format_version\":1,"
                      "\"last_hash\":\"%s\",\"records\":%zu}\n", prev, n);
    fixture_write(fixture_path(path, "audit.log.head"), head, (size_t)hn);
}

#define VA "aaaaaaaa11111111111111111111111111111111111111111111111111111111"
#define VB "aaaaaaaa22222222222222222222222222222222222222222222222222222222"
#define FS "0000000000000000000000000000000000000000000000000000000000000001"

START_TEST(ambiguous_prefixes)
{
    char path[220];
    snprintf(path, sizeof path, "%s/crafted", dir);
    const char *actions[] = {"register", "register"};
    const char *objects[] = {"x@" VA, "x@" VB};
    crafted details[] = {{{"file_sha256", "name", "version"}, {FS, "x", VA}},
                         {{"file_sha256", "name", "version"}, {FS, "x", VB}}};
    craft_registry(path, 2, actions, objects, details);
    mlops_registry *r = NULL;
    CHECK_OK(mlops_registry_open(&r, path, 0));
    char *v = NULL;
    CHECK_RC(mlops_registry_resolve(r, "x@aaaaaaaa", &v, NULL), MLOPS_EINVAL);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "ambiguous"));
    CHECK_OK(mlops_registry_resolve(r, "x@aaaaaaaa2", &v, NULL));
    ck_assert_str_eq(v, VB);
    mlops_free(v);
    CHECK_OK(mlops_registry_resolve(r, "x@AAAAAAAA1", &v, NULL));
    ck_assert_str_eq(v, VA);
    mlops_free(v);
    CHECK_RC(mlops_registry_set_alias(r, "x", "production", "aaaaaaaa", NULL), MLOPS_EINVAL);
    mlops_registry_free(r);
    /* the model files do not exist: the registry does not verify */
    CHECK_RC(mlops_registry_verify(path, NULL), MLOPS_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "model file"));
}
END_TEST

START_TEST(impossible_histories_are_refused)
{
    char path[220];
    snprintf(path, sizeof path, "%s/crafted", dir);
    const char *actions[] = {"register", "alias"};
    const char *objects[] = {"x@" VA, "x@production"};
    /* an alias record whose "previous" is a version the alias never held */
    crafted details[] = {{{"file_sha256", "name", "version"}, {FS, "x", VA}},
                         {{"alias", "name", "previous", "version"}, {"production", "x", VB, VA}}};
    craft_registry(path, 2, actions, objects, details);
    mlops_registry *r = NULL;
    CHECK_RC(mlops_registry_open(&r, path, 0), MLOPS_ECORRUPT);
    ck_assert_msg(strstr(mlops_last_error(), "audit.log:2: record 2: alias: details.previous") != NULL, "%s",
                  mlops_last_error());
    /* the plain log verifier checks form and chain only: it passes */
    CHECK_OK(mlops_audit_verify(fixture_path(path, "audit.log"), NULL));
    CHECK_RC(mlops_registry_verify(path, NULL), MLOPS_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "record 2"));

    /* a version aliased before it was registered */
    const char *a2[] = {"alias"};
    const char *o2[] = {"x@production"};
    crafted d2[] = {{{"alias", "name", "version"}, {"production", "x", VA}}};
    craft_registry(path, 1, a2, o2, d2);
    CHECK_RC(mlops_registry_open(&r, path, 0), MLOPS_ECORRUPT);
    /* an object that does not match the details */
    const char *o3[] = {"y@" VA};
    craft_registry(path, 1, actions, o3, details);
    CHECK_RC(mlops_registry_open(&r, path, 0), MLOPS_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "object does not match"));
    /* a decision record in a registry */
    const char *a4[] = {"decision"};
    craft_registry(path, 1, a4, o2, d2);
    CHECK_RC(mlops_registry_open(&r, path, 0), MLOPS_ECORRUPT);
    ck_assert_ptr_nonnull(strstr(mlops_last_error(), "not a registry action"));
}
END_TEST

/* ---- Record format ----------------------------------------------------------- */

static int no_details(mlops__json *j, const void *ctx)
{
    (void)ctx;
    return j->status;
}

START_TEST(record_round_trip)
{
    mlops__audit_fields f = {42, 1764150843120034LL, "ann", "refuse", "m@production",
                             "why: \"quoted\"\tand\nnewline", MLOPS_AUDIT_ZERO_HASH};
    char *line = NULL, hash[65];
    size_t len = 0;
    CHECK_OK(mlops__audit_build(&f, no_details, NULL, &line, &len, hash));
    const char *want = "{\"action\":\"refuse\",\"actor\":\"ann\",\"details\":{},\"object\":"
                       "\"m@production\",\"prev\":\"" MLOPS_AUDIT_ZERO_HASH "\",\"reason\":"
                       "\"why: \\\"quoted\\\"\\tand\\nnewline\",\"seq\":42,\"time\":"
                       "\"2025-11-26T09:54:03.120034Z\"}";
    char expect_hash[65];
    mlops__sha256_hex(want, strlen(want), expect_hash);
    ck_assert_str_eq(hash, expect_hash);
    ck_assert_uint_eq(len, strlen(want) - 1 + 75 + 1);
    ck_assert_mem_eq(line, want, strlen(want) - 1);
    mlops__audit_record rec;
    CHECK_OK(mlops__audit_parse(&rec, line, len - 1));
    ck_assert_uint_eq(rec.seq, 42);
    ck_assert_int_eq(rec.time_us, 1764150843120034LL);
    ck_assert_str_eq(rec.reason, "why: \"quoted\"\tand\nnewline");
    ck_assert_str_eq(rec.hash, hash);
    mlops__audit_record_free(&rec);
    mlops__free(line);
}
END_TEST

START_TEST(times)
{
    char buf[MLOPS_AUDIT_TIME_SIZE];
    int64_t us = 0;
    const int64_t cases[] = {0, 951782400000000LL /* 2000-02-29 */, -86400000001LL,
                             253402300799999999LL /* 9999-12-31T23:59:59.999999 */};
    const char *texts[] = {"1970-01-01T00:00:00.000000Z", "2000-02-29T00:00:00.000000Z",
                           "1969-12-30T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"};
    for (size_t i = 0; i < 4; i++) {
        mlops__audit_format_time(cases[i], buf);
        ck_assert_str_eq(buf, texts[i]);
        ck_assert(mlops__audit_parse_record_time(buf, &us));
        ck_assert_int_eq(us, cases[i]);
    }
    ck_assert(!mlops__audit_parse_record_time("2001-02-29T00:00:00.000000Z", &us));
    ck_assert(!mlops__audit_parse_record_time("2001-02-28T00:00:00.000000", &us));
    ck_assert(!mlops__audit_parse_record_time("2001-02-28 00:00:00.000000Z", &us));
    CHECK_OK(mlops__audit_parse_user_time("2000-02-29", "t", &us));
    ck_assert_int_eq(us, 951782400000000LL);
    CHECK_OK(mlops__audit_parse_user_time("2000-02-29T01:30+01:30", "t", &us));
    ck_assert_int_eq(us, 951782400000000LL);
    CHECK_OK(mlops__audit_parse_user_time("2000-02-28 22:00:00-02:00", "t", &us));
    ck_assert_int_eq(us, 951782400000000LL);
    CHECK_OK(mlops__audit_parse_user_time("2000-02-29T00:00:00.1234567Z", "t", &us));
    ck_assert_int_eq(us, 951782400123456LL);
    CHECK_OK(mlops__audit_parse_user_time("2000-02-29t00:00:00,5z", "t", &us));
    ck_assert_int_eq(us, 951782400500000LL);
    const char *bad[] = {"", "2000-2-29", "2000-02-29T", "2000-02-29T00", "2000-02-29T00:00:60",
                         "2000-02-29T00:00:00.", "2000-02-29T00:00+25:00", "2000-02-29 x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_RC(mlops__audit_parse_user_time(bad[i], "time", &us), MLOPS_EINVAL);
}
END_TEST

START_TEST(texts_and_names)
{
    CHECK_OK(mlops__audit_check_text("plain, ünïcode, 中文, \t", 100, false, "t"));
    CHECK_OK(mlops__audit_check_text("two\nlines", 100, true, "t"));
    CHECK_RC(mlops__audit_check_text("two\nlines", 100, false, "t"), MLOPS_EINVAL);
    const char *bad[] = {"\x01", "\x7f", "\xc2\x85", "\xe2\x80\xa8", "\xe2\x80\xa9",
                         "\xef\xbb\xbf", "\xef\xbf\xbe", "\xff", "\xc3"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_RC(mlops__audit_check_text(bad[i], 100, true, "t"), MLOPS_EINVAL);
    CHECK_RC(mlops__audit_check_text("toolong", 3, true, "t"), MLOPS_EINVAL);
    CHECK_OK(mlops__audit_check_name("Model_1.v2-final", "name"));
    char longname[200];
    memset(longname, 'a', 129);
    longname[129] = '\0';
    CHECK_RC(mlops__audit_check_name(longname, "name"), MLOPS_EINVAL);
    longname[128] = '\0';
    CHECK_OK(mlops__audit_check_name(longname, "name"));
    ck_assert(mlops__audit_is_hash(MLOPS_AUDIT_ZERO_HASH, true));
    ck_assert(!mlops__audit_is_hash("ABCDEF0000000000000000000000000000000000000000000000000000000000", true));
    ck_assert(mlops__audit_is_hash("ABCDEF0000000000000000000000000000000000000000000000000000000000", false));
}
END_TEST

static int parse_all(void *ctx)
{
    (void)ctx;
    size_t starts[16];
    size_t n = fixture_line_starts(original, original_len, starts, 16);
    for (size_t i = 0; i < n; i++) {
        const char *line = original + starts[i];
        mlops__audit_record rec;
        int rc = mlops__audit_parse(&rec, line, (size_t)(strchr(line, '\n') - line));
        mlops__audit_record_free(&rec);
        if (rc != MLOPS_OK) return rc;
    }
    return MLOPS_OK;
}

START_TEST(parse_out_of_memory)
{
    ck_assert_int_gt(fault_alloc_sweep(parse_all, NULL, NULL), 0);
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("audit");
    TCase *tc = tcase_create("audit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sound_log_verifies);
    tcase_add_test(tc, every_byte_edit_is_found);
    tcase_add_test(tc, removed_records_are_found);
    tcase_add_test(tc, reordered_and_duplicated_records_are_found);
    tcase_add_test(tc, forged_records_are_found);
    tcase_add_test(tc, edited_value_names_its_seq);
    tcase_add_test(tc, torn_tail_and_other_logs);
    tcase_add_test(tc, ambiguous_prefixes);
    tcase_add_test(tc, impossible_histories_are_refused);
    tcase_add_test(tc, parse_out_of_memory);
    suite_add_tcase(s, tc);
    TCase *format = tcase_create("format");
    tcase_add_test(format, record_round_trip);
    tcase_add_test(format, times);
    tcase_add_test(format, texts_and_names);
    suite_add_tcase(s, format);
    return s;
}
