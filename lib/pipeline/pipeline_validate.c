/* mlops_pipeline_validate: runs the three passes (keys, values, columns)
 * and keeps every problem they find, each with its place in the file, so
 * a user fixes a pipeline in one round instead of one error per run. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "pipeline/pipeline_check.h"

size_t mlops__pipeline_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--;
    return max;
}

void mlops__pipeline_keyf(char *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, MLOPS_PIPELINE_KEY_MAX, fmt, ap);
    va_end(ap);
}

const char *mlops__pipeline_got(const mlops__ynode *n, char *buf, size_t size)
{
    const char *what = mlops__ynode_describe(n);
    if (n == NULL || strcmp(what, "null") == 0) return "null";
    if (n->kind == MLOPS_YNODE_MAPPING) return "a mapping";
    if (n->kind == MLOPS_YNODE_SEQUENCE) return n->count == 0 ? "an empty list" : "a list";
    size_t len = mlops__pipeline_cut(n->text, MLOPS_PIPELINE_QUOTE_MAX);
    bool quote = strcmp(what, "string") == 0;
    snprintf(buf, size, "the %s %s%.*s%s%s", what, quote ? "'" : "", (int)len, n->text,
             len < n->len ? "..." : "", quote ? "'" : "");
    return buf;
}

static char *format(const char *fmt, va_list ap) MLOPS_PRINTF_LIKE(1, 0);
static char *format(const char *fmt, va_list ap)
{
    char small[256];
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    if (n < 0) n = 0;
    char *s = mlops__malloc((size_t)n + 1, "pipeline problem");
    if (s == NULL) return NULL;
    if ((size_t)n < sizeof small)
        memcpy(s, small, (size_t)n + 1);
    else
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

static char *text_of(const mlops__pipeline_problem *q)
{
    const char *sep = *q->key ? ": " : "";
    int n = q->suggestion != NULL
                ? snprintf(NULL, 0, "%s:%zu:%zu: %s%s%s (did you mean '%s'?)", q->file, q->line, q->col,
                           q->key, sep, q->message, q->suggestion)
                : snprintf(NULL, 0, "%s:%zu:%zu: %s%s%s", q->file, q->line, q->col, q->key, sep, q->message);
    size_t size = (size_t)(n > 0 ? n : 0) + 1;
    char *s = mlops__malloc(size, "pipeline problem");
    if (s == NULL) return NULL;
    if (q->suggestion != NULL)
        snprintf(s, size, "%s:%zu:%zu: %s%s%s (did you mean '%s'?)", q->file, q->line, q->col, q->key, sep,
                 q->message, q->suggestion);
    else
        snprintf(s, size, "%s:%zu:%zu: %s%s%s", q->file, q->line, q->col, q->key, sep, q->message);
    return s;
}

static int add(mlops_pipeline *p, const mlops__ynode *at, const char *key, const char *suggestion,
               char *message)
{
    if (message == NULL) return MLOPS_ENOMEM;
    if (p->nproblems == p->capproblems) {
        size_t cap = p->capproblems ? p->capproblems * 2 : 8;
        mlops__pipeline_problem *q = mlops__realloc_array(p->problems, cap, sizeof *q, "pipeline problems");
        if (q == NULL) {
            mlops__free(message);
            return MLOPS_ENOMEM;
        }
        p->problems = q;
        p->capproblems = cap;
    }
    mlops__pipeline_problem q = {0};
    q.file = mlops__strdup(at != NULL ? at->file : p->path, "pipeline problem");
    q.line = at != NULL ? at->line : 1;
    q.col = at != NULL ? at->col : 1;
    q.key = mlops__strdup(key, "pipeline problem");
    q.message = message;
    q.suggestion = suggestion != NULL ? mlops__strdup(suggestion, "pipeline problem") : NULL;
    if (q.file != NULL && q.key != NULL && (suggestion == NULL || q.suggestion != NULL))
        q.text = text_of(&q);
    if (q.text == NULL) {
        mlops__free(q.file);
        mlops__free(q.key);
        mlops__free(q.message);
        mlops__free(q.suggestion);
        return MLOPS_ENOMEM;
    }
    p->problems[p->nproblems++] = q;
    return MLOPS_OK;
}

int mlops__pipeline_add_problem(mlops_pipeline *p, const mlops__ynode *at, const char *key,
                                const char *suggestion, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *message = format(fmt, ap);
    va_end(ap);
    return add(p, at, key, suggestion, message);
}

/* Drops a leading "mlops_function: " and the prefixes that repeat what the
 * key path already says ("model setting 'l2': ", "schema column 'a' key 'min': "). */
static const char *strip_prefix(const char *m)
{
    if (strncmp(m, "mlops_", 6) == 0) {
        size_t n = strspn(m, "abcdefghijklmnopqrstuvwxyz_");
        if (strncmp(m + n, ": ", 2) == 0) m += n + 2;
    }
    static const char *const prefixes[] = {"model setting '", "schema column '"};
    for (size_t i = 0; i < 2; i++) {
        if (strncmp(m, prefixes[i], strlen(prefixes[i])) != 0) continue;
        const char *end = strstr(m, "': ");
        if (end != NULL && strchr(end + 3, '\'') != NULL && strncmp(end + 3, "key '", 5) == 0)
            end = strstr(end + 3, "': ");
        if (end != NULL) m = end + 3;
    }
    return m;
}

int mlops__pipeline_refused(mlops_pipeline *p, const mlops__ynode *at, const char *key, int rc)
{
    if (rc == MLOPS_OK || rc == MLOPS_ENOMEM) return rc;
    const char *m = strip_prefix(mlops_last_error());
    /* the library's "did you mean 'x'?" becomes the problem's suggestion */
    const char *dym = strstr(m, "did you mean '");
    char suggestion[128];
    size_t keep = strlen(m);
    const char *after = "";
    suggestion[0] = '\0';
    if (dym != NULL) {
        const char *s = dym + 14, *e = strstr(s, "'?");
        if (e != NULL && (size_t)(e - s) < sizeof suggestion) {
            memcpy(suggestion, s, (size_t)(e - s));
            suggestion[e - s] = '\0';
            keep = (size_t)(dym - m);
            after = e + 2;
            if (keep >= 2 && (strncmp(dym - 2, "; ", 2) == 0 || strncmp(dym - 2, " (", 2) == 0)) {
                if (dym[-1] == '(' && *after == ')') after++;
                keep -= 2;
            }
        }
    }
    return mlops__pipeline_add_problem(p, at, key, suggestion[0] ? suggestion : NULL, "%.*s%s",
                                       (int)keep, m, after);
}

/* File order; overrides (file "--set") last; equal places keep their order. */
static bool before(const mlops__pipeline_problem *a, const mlops__pipeline_problem *b)
{
    bool sa = strcmp(a->file, "--set") == 0, sb = strcmp(b->file, "--set") == 0;
    if (sa != sb) return sb;
    return a->line != b->line ? a->line < b->line : a->col < b->col;
}

static void sort_problems(mlops_pipeline *p)
{
    for (size_t i = 1; i < p->nproblems; i++) {
        mlops__pipeline_problem q = p->problems[i];
        size_t j = i;
        while (j > 0 && before(&q, &p->problems[j - 1])) {
            p->problems[j] = p->problems[j - 1];
            j--;
        }
        p->problems[j] = q;
    }
}

MLOPS_API int mlops_pipeline_validate(mlops_pipeline *p)
{
    MLOPS_CHECK_ARG(p != NULL, "mlops_pipeline_validate", "NULL pipeline");
    mlops__pipeline_clear_problems(p);
    p->validated = false;
    int rc = mlops__pipeline_check_keys(p);
    if (rc == MLOPS_OK) rc = mlops__pipeline_check_values(p);
    if (rc == MLOPS_OK) rc = mlops__pipeline_check_columns(p);
    if (rc != MLOPS_OK) {
        mlops__pipeline_clear_problems(p);
        return rc == MLOPS_ENOMEM ? rc : mlops__fail(rc, "pipeline %s: validation failed", p->path);
    }
    sort_problems(p);
    p->validated = true;
    if (p->nproblems == 0) return MLOPS_OK;
    return mlops__fail(MLOPS_EINVAL, "pipeline %s: %zu problem%s; the first: %s", p->path,
                       p->nproblems, p->nproblems == 1 ? "" : "s", p->problems[0].text);
}
