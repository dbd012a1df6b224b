/* SHA-256 against the NIST FIPS 180-4 examples and hashlib-made digests. */
#include <string.h>

#include "core/sha256.h"
#include "runner.h"
#include "sha256_reference.h"

static void pattern(unsigned char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)((i * 31 + 7) % 256);
}

START_TEST(nist_vectors)
{
    static const struct {
        const char *msg, *hex;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopq"
         "rlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char hex[MLOPS_SHA256_HEX_SIZE];
        mlops__sha256_hex(v[i].msg, strlen(v[i].msg), hex);
        ck_assert_str_eq(hex, v[i].hex);
    }
}
END_TEST

START_TEST(million_a_in_odd_chunks)
{
    static unsigned char chunk[997];
    memset(chunk, 'a', sizeof chunk);
    mlops__sha256 h;
    mlops__sha256_init(&h);
    size_t left = 1000000;
    while (left > 0) {
        size_t n = left < sizeof chunk ? left : sizeof chunk;
        mlops__sha256_update(&h, chunk, n);
        left -= n;
    }
    unsigned char digest[MLOPS_SHA256_SIZE];
    char hex[MLOPS_SHA256_HEX_SIZE];
    mlops__sha256_final(&h, digest);
    mlops__hex_encode(digest, sizeof digest, hex);
    ck_assert_str_eq(hex, sha_million_a_hex);
}
END_TEST

START_TEST(every_length_one_shot_and_bytewise)
{
    unsigned char buf[SHA_PATTERN_MAX];
    pattern(buf, sizeof buf);
    for (size_t n = 0; n <= SHA_PATTERN_MAX; n++) {
        char hex[MLOPS_SHA256_HEX_SIZE];
        mlops__sha256_hex(buf, n, hex);
        ck_assert_msg(strcmp(hex, sha_pattern_hex[n]) == 0, "length %zu one-shot", n);
        mlops__sha256 h;
        unsigned char digest[MLOPS_SHA256_SIZE];
        mlops__sha256_init(&h);
        for (size_t i = 0; i < n; i++) mlops__sha256_update(&h, buf + i, 1);
        mlops__sha256_final(&h, digest);
        mlops__hex_encode(digest, sizeof digest, hex);
        ck_assert_msg(strcmp(hex, sha_pattern_hex[n]) == 0, "length %zu byte by byte", n);
    }
}
END_TEST

Suite *test_suite(void)
{
    Suite *s = suite_create("sha256");
    TCase *tc = tcase_create("digests");
    tcase_add_test(tc, nist_vectors);
    tcase_add_test(tc, million_a_in_odd_chunks);
    tcase_add_test(tc, every_length_one_shot_and_bytewise);
    suite_add_tcase(s, tc);
    return s;
}
