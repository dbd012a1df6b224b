/* libFuzzer target: the registry's audit log reader and the decision log.
 * The input is an audit log. It is verified as it is (mlops_audit_verify);
 * then its hash chain is relinked - each record's prev set to the hash
 * before it and its hash recomputed - so that mutations get past the
 * SHA-256 checks into the replay of the registry's state, and it becomes
 * DIR/reg/audit.log with a head file that matches. That registry is
 * verified, opened, queried for the first model the log names, and changed
 * (an alias, a refusal), and the log is opened as a decision log.
 *
 * A small model fitted at start-up is stored in the registry under each
 * name the log registers it as, so resolving and loading reach a real
 * file. With MLOPS_FUZZ_WRITE_SEEDS=DIR set, the target instead writes
 * seed logs that register that model into DIR and exits. */
#include "fuzz_common.h"

#include "core/sha256.h"

static char *raw_path, *reg_dir, *log_path, *head_path, *decision_path;
static unsigned char *model_bytes;
static size_t model_len;
static char model_version[65];
static mlops_model *model;   /* the model above, for decisions */
static mlops_dataset *rows;  /* one row of its input */
static size_t live_baseline;

static void must(int rc, const char *what)
{
    if (rc != MLOPS_OK) fuzz_die(what, mlops_last_error());
}

/* A linear regression on six rows: the same bytes in every process. */
static void make_model(void)
{
    static const double xy[] = {1, 2, 2, 4.1, 3, 5.9, 4, 8.2, 5, 9.9, 6, 12.1};
    static const char *const names[] = {"x", "y"};
    mlops_dataset *d = NULL;
    mlops_model *m = NULL;
    must(mlops_dataset_from_matrix(&d, xy, 6, 2, 0, names), "data");
    must(mlops_dataset_set_role(d, 1, MLOPS_ROLE_TARGET), "role");
    must(mlops_model_create(&m, "linear_regression"), "model");
    must(mlops_model_card_set(m, "created", ""), "card");
    must(mlops_model_fit(m, d), "fit");
    unsigned char *bytes = NULL;
    must(mlops_model_save_buffer(m, &bytes, &model_len), "save");
    model_bytes = malloc(model_len);
    if (model_bytes == NULL) fuzz_die("out of memory", "model");
    memcpy(model_bytes, bytes, model_len);
    mlops_free(bytes);
    must(mlops_model_payload_hash(m, model_version, sizeof model_version), "hash");
    model = m;
    rows = d;
}

/* Registries made through the API, their logs copied to `out`. */
static void write_seeds(const char *out)
{
    char *seed_model = fuzz_path("seed.mlops");
    fuzz_write_file(seed_model, model_bytes, model_len);
    for (int variant = 0; variant < 2; variant++) {
        mlops_registry *r = NULL;
        fuzz_remove_tree(reg_dir);
        must(mlops_registry_open(&r, reg_dir, MLOPS_REGISTRY_CREATE), "create registry");
        must(mlops_registry_set_actor(r, "fuzz seed"), "actor");
        must(mlops_registry_register(r, "tiny", seed_model, "first", NULL, 0), "register");
        must(mlops_registry_set_alias(r, "tiny", "production", model_version, "ok"), "alias");
        must(mlops_registry_record_refusal(r, "tiny", "staging", model_version, "gate failed"),
             "refusal");
        if (variant == 1) {
            must(mlops_registry_register(r, "other", seed_model, NULL, NULL, 0), "register");
            must(mlops_registry_set_alias(r, "other", "staging", model_version, NULL), "alias");
            must(mlops_registry_retire(r, "tiny", model_version, "replaced"), "retire");
        }
        mlops_registry_free(r);
        FILE *in = fopen(log_path, "rb");
        char name[4096], buf[65536];
        snprintf(name, sizeof name, "%s/api_registry_%d.log", out, variant + 1);
        FILE *o = fopen(name, "wb");
        if (in == NULL || o == NULL) fuzz_die("cannot copy the seed log", name);
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, o);
        fclose(in);
        if (fclose(o) != 0) fuzz_die("cannot write", name);
    }
    free(seed_model);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    raw_path = fuzz_path("raw.log");
    reg_dir = fuzz_path("reg");
    log_path = fuzz_path("reg/audit.log");
    head_path = fuzz_path("reg/audit.log.head");
    decision_path = fuzz_path("decision.log");
    make_model();
    const char *seeds = getenv("MLOPS_FUZZ_WRITE_SEEDS");
    if (seeds != NULL && *seeds != '\0') {
        write_seeds(seeds);
        exit(0);
    }
    live_baseline = mlops_live_allocations();
    return 0;
}

static int is_hex64(const char *p)
{
    for (int i = 0; i < 64; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f'))) return 0;
    return 1;
}

/* Relinks the chain of `log` (n bytes, changed in place) as described at
 * the top; returns the number of complete lines and the last hash. */
static size_t relink(char *log, size_t n, char last[65])
{
    static const char hash_key[] = ",\"hash\":\"", prev_key[] = "\"prev\":\"";
    const size_t hk = sizeof hash_key - 1, pk = sizeof prev_key - 1;
    size_t lines = 0, start = 0;
    memset(last, '0', 64);
    last[64] = '\0';
    while (start < n) {
        char *nl = memchr(log + start, '\n', n - start);
        if (nl == NULL) break;
        char *line = log + start;
        size_t len = (size_t)(nl - line);
        lines++;
        start += len + 1;
        if (len < hk + 66 + 1 || memcmp(line + len - 66 - hk, hash_key, hk) != 0 ||
            memcmp(line + len - 2, "\"}", 2) != 0)
            continue;
        size_t body = len - 66 - hk; /* the record up to its hash member */
        char *prev = NULL;
        for (size_t i = 0; i + pk + 64 <= body; i++)
            if (memcmp(line + i, prev_key, pk) == 0) prev = line + i + pk;
        if (prev != NULL && is_hex64(prev)) memcpy(prev, last, 64);
        mlops__sha256 h;
        unsigned char digest[MLOPS_SHA256_SIZE];
        mlops__sha256_init(&h);
        mlops__sha256_update(&h, line, body);
        mlops__sha256_update(&h, "}", 1);
        mlops__sha256_final(&h, digest);
        mlops__hex_encode(digest, sizeof digest, last);
        last[64] = '\0';
        memcpy(line + body + hk, last, 64);
    }
    return lines;
}

/* The first model name the log mentions ("object":"NAME@...), or "". */
static void first_name(const char *log, size_t n, char *name, size_t cap)
{
    static const char key[] = "\"object\":\"";
    const size_t k = sizeof key - 1;
    name[0] = '\0';
    for (size_t i = 0; i + k < n; i++)
        if (memcmp(log + i, key, k) == 0) {
            size_t j = 0;
            for (const char *p = log + i + k; p < log + n && *p != '@' && *p != '"' && j + 1 < cap; p++)
                name[j++] = *p;
            name[j] = '\0';
            return;
        }
}

/* Stores the start-up model as every model file the log registers, so
 * that the registry finds real files where it looks. */
static void place_models(const char *log, size_t n)
{
    static const char key[] = "\"object\":\"";
    const size_t k = sizeof key - 1;
    for (size_t i = 0; i + k < n; i++) {
        if (memcmp(log + i, key, k) != 0) continue;
        const char *name = log + i + k, *at = name;
        while (at < log + n && *at != '@' && *at != '"' && *at != '/' && *at != '\n') at++;
        if (at == name || at >= log + n - 65 || *at != '@' || (size_t)(at - name) > 128) continue;
        if (!is_hex64(at + 1) || at[65] != '"') continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/models", reg_dir);
        mkdir(sub, 0777);
        snprintf(sub, sizeof sub, "%s/models/%.*s", reg_dir, (int)(at - name), name);
        if (name[0] == '.' || mkdir(sub, 0777) != 0) continue;
        snprintf(sub, sizeof sub, "%s/models/%.*s/%.64s.mlops", reg_dir, (int)(at - name), name,
                 at + 1);
        fuzz_write_file(sub, model_bytes, model_len);
    }
}

static void use_registry(const char *log, size_t n)
{
    char name[160], ref[200], *json = NULL, *version = NULL, *path = NULL;
    mlops_registry *r = NULL;
    int verified = mlops_registry_verify(reg_dir, &json);
    if (verified == MLOPS_ECORRUPT && json == NULL)
        fuzz_die("a failed verification gave no report", mlops_last_error());
    mlops_free(json);
    json = NULL;
    if (mlops_registry_open(&r, reg_dir, 0) != MLOPS_OK) {
        if (verified == MLOPS_OK) fuzz_die("a verified registry does not open", mlops_last_error());
        return;
    }
    if (mlops_registry_list_json(r, &json) == MLOPS_OK) mlops_free(json);
    json = NULL;
    if (mlops_registry_history_json(r, NULL, &json) == MLOPS_OK) mlops_free(json);
    json = NULL;
    first_name(log, n, name, sizeof name);
    if (name[0] != '\0') {
        if (mlops_registry_history_json(r, name, &json) == MLOPS_OK) mlops_free(json);
        static const char *const suffixes[] = {"", "@production", "@staging"};
        for (size_t i = 0; i < 3; i++) {
            snprintf(ref, sizeof ref, "%s%s", name, suffixes[i]);
            if (mlops_registry_resolve(r, ref, &version, &path) == MLOPS_OK) {
                mlops_free(version);
                mlops_free(path);
                mlops_model *m = NULL;
                mlops_registry_load_model(r, ref, &m);
                mlops_model_free(m);
            }
        }
        static const char *const times[] = {"2000-01-01", "2026-11-26T09:14:03.120034Z",
                                            "2100-01-01 00:00+01:00"};
        for (size_t i = 0; i < 3; i++)
            if (mlops_registry_alias_at(r, name, "production", times[i], &version) == MLOPS_OK)
                mlops_free(version);
        mlops_registry_set_actor(r, "fuzz");
        mlops_registry_set_alias(r, name, "fuzzed", "production", "moved by the fuzzer");
        mlops_registry_record_refusal(r, name, "production", model_version, NULL);
        if (mlops_registry_list_json(r, &json) == MLOPS_OK) mlops_free(json);
    }
    mlops_registry_free(r);
    if (verified == MLOPS_OK && mlops_registry_verify(reg_dir, NULL) != MLOPS_OK)
        fuzz_die("the library's own changes broke a valid registry", mlops_last_error());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *json = NULL;
    fuzz_write_file(raw_path, data, size);
    if (mlops_audit_verify(raw_path, &json) != MLOPS_OK && json == NULL &&
        mlops_last_error_code() == MLOPS_ECORRUPT)
        fuzz_die("a failed verification gave no report", mlops_last_error());
    mlops_free(json);
    json = NULL;

    char *log = fuzz_strndup(data, size), last[65];
    size_t records = relink(log, size, last);
    fuzz_remove_tree(reg_dir);
    if (mkdir(reg_dir, 0777) != 0) fuzz_die("cannot create", reg_dir);
    fuzz_write_file(log_path, log, size);
    char head[256];
    int hn = snprintf(head, sizeof head,
                      "{\"format\":\"mlops-audit-head\",\"format_version\":1,\"last_hash\":\"%s\","
                      "\"records\":%zu}\n",
                      last, records);
    fuzz_write_file(head_path, head, (size_t)hn);
    place_models(log, size);
    if (mlops_audit_verify(log_path, &json) == MLOPS_OK) mlops_free(json);
    else mlops_free(json);
    json = NULL;
    use_registry(log, size);

    fuzz_write_file(decision_path, log, size);
    mlops_decision_log *d = NULL;
    if (mlops_decision_log_open(&d, decision_path) == MLOPS_OK) {
        mlops_decision_log_set_actor(d, "fuzz");
        if (mlops_decision_log_record(d, model, "tiny@production", rows, 0, "2.0") == MLOPS_OK &&
            mlops_audit_verify(decision_path, NULL) != MLOPS_OK &&
            mlops_audit_verify(raw_path, NULL) == MLOPS_OK)
            fuzz_die("appending a decision broke a valid log", mlops_last_error());
    }
    mlops_decision_log_free(d);
    free(log);
    fuzz_check_live(live_baseline);
    return 0;
}
