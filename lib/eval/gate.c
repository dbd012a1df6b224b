/* Gates: "NAME OP NUMBER" expressions that turn a report into a verdict.
 * They are parsed when added, so a malformed or misspelt gate is refused
 * before any work is done, and checked against the report's named values
 * after a run. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/numfmt.h"
#include "core/suggest.h"
#include "eval/eval_impl.h"

static const char *const OPS[] = {">=", "<=", ">", "<", "==", "!="};

const char *mlops__gate_op_text(int op)
{
    return OPS[op];
}

/* Words that may appear in a value name besides metric names. */
static const char *const WORDS[] = {
    "ci_low", "ci_high", "std", "mean", "change", "flip_rate", "small", "group_difference",
    "group_ratio", "best_index", "demographic_parity_difference", "demographic_parity_ratio",
    "equalized_odds_difference", "equalized_odds_ratio", "equal_opportunity_difference",
    "equal_opportunity_ratio", "statistical_parity_difference", "disparate_impact",
    "average_odds_difference", "support", "prediction_change",
};
enum { NWORDS = sizeof WORDS / sizeof WORDS[0] };

static const char *word_at(size_t i, const void *ctx)
{
    (void)ctx;
    return i < M__COUNT ? mlops__metric_defs[i].name : WORDS[i - M__COUNT];
}

static bool known_word(const char *w, size_t len)
{
    char buf[96];
    if (len >= sizeof buf) return false;
    memcpy(buf, w, len);
    buf[len] = '\0';
    if (mlops__metric_find(buf) >= 0) return true;
    for (size_t i = 0; i < NWORDS; i++)
        if (strcmp(buf, WORDS[i]) == 0) return true;
    return false;
}

/* A name is plausible when one of its '.', '=' or '&' separated words is a
 * metric or a known aggregate; whether it exists is checked after the run. */
static int check_name(const char *expression, const char *name)
{
    const char *p = name;
    while (*p != '\0') {
        size_t len = strcspn(p, ".=&");
        if (len > 0 && known_word(p, len)) return MLOPS_OK;
        p += len;
        if (*p != '\0') p++;
    }
    char first[96];
    size_t len = strcspn(name, ".=&");
    if (len >= sizeof first) len = sizeof first - 1;
    memcpy(first, name, len);
    first[len] = '\0';
    const char *near = mlops__suggest(first, M__COUNT + NWORDS, word_at, NULL);
    return mlops__fail(MLOPS_EINVAL, "gate '%s': unknown metric '%s'%s%s%s", expression, name,
                       near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

void mlops__gate_clear(mlops__gate *g)
{
    mlops__free(g->expression);
    mlops__free(g->name);
    memset(g, 0, sizeof *g);
}

int mlops__gate_parse(const char *expression, mlops__gate *g)
{
    memset(g, 0, sizeof *g);
    const char *e = expression;
    while (isspace((unsigned char)*e)) e++;
    if (strcmp(e, "four_fifths_rule") == 0) e = "demographic_parity_ratio >= 0.8";
    /* The operator is the last run of < > = ! characters: group values in
     * names may hold '=' ("sex=F.accuracy"), numbers never do. */
    size_t len = strlen(e), at = len;
    for (size_t i = len; i-- > 0;)
        if (strchr("<>=!", e[i]) != NULL) {
            at = i;
            break;
        }
    if (at == len)
        return mlops__fail(MLOPS_EINVAL,
                           "gate '%s': no comparison (expected NAME OP NUMBER with OP one of "
                           ">=, <=, >, <, ==, !=)",
                           expression);
    if (at > 0 && strchr("<>=!", e[at - 1]) != NULL) at--;
    size_t nlen = at;
    while (nlen > 0 && isspace((unsigned char)e[nlen - 1])) nlen--;
    if (nlen == 0)
        return mlops__fail(MLOPS_EINVAL, "gate '%s': no metric name before '%c'", expression,
                           e[at]);
    int op = -1;
    size_t oplen = 0;
    for (int i = 0; i < 6; i++) {
        size_t l = strlen(OPS[i]);
        if (strncmp(e + at, OPS[i], l) == 0 && l > oplen) {
            op = i;
            oplen = l;
        }
    }
    if (op < 0 || (e[at + oplen] != '\0' && strchr("<>=!", e[at + oplen]) != NULL))
        return mlops__fail(MLOPS_EINVAL,
                           "gate '%s': '%.2s' at position %zu is not a comparison (use >=, <=, "
                           ">, <, == or !=)",
                           expression, e + at, (size_t)(e + at - expression) + 1);
    const char *num = e + at + oplen;
    while (isspace((unsigned char)*num)) num++;
    char *end;
    double bound = mlops__strtod_c(num, &end);
    if (num[0] == '\0' || end == num)
        return mlops__fail(MLOPS_EINVAL, "gate '%s': expected a number after '%s'", expression,
                           OPS[op]);
    while (isspace((unsigned char)*end)) end++;
    if (*end != '\0')
        return mlops__fail(MLOPS_EINVAL, "gate '%s': unexpected '%s' after the number",
                           expression, end);
    if (!isfinite(bound))
        return mlops__fail(MLOPS_EINVAL, "gate '%s': the bound must be a finite number",
                           expression);
    for (size_t i = 0; i < nlen; i++)
        if (isspace((unsigned char)e[i]))
            return mlops__fail(MLOPS_EINVAL, "gate '%s': a metric name has no spaces",
                               expression);
    g->name = mlops__malloc(nlen + 1, "gate name");
    if (g->name == NULL) return MLOPS_ENOMEM;
    memcpy(g->name, e, nlen);
    g->name[nlen] = '\0';
    int rc = check_name(expression, g->name);
    if (rc == MLOPS_OK) {
        g->expression = mlops__strdup(expression, "gate expression");
        if (g->expression == NULL) rc = MLOPS_ENOMEM;
    }
    if (rc != MLOPS_OK) {
        mlops__gate_clear(g);
        return rc;
    }
    g->op = op;
    g->bound = bound;
    return MLOPS_OK;
}

bool mlops__gate_holds(const mlops__gate *g, double v)
{
    if (isnan(v)) return false;
    switch (g->op) {
    case GATE_GE: return v >= g->bound;
    case GATE_LE: return v <= g->bound;
    case GATE_GT: return v > g->bound;
    case GATE_LT: return v < g->bound;
    case GATE_EQ: return v == g->bound;
    default: return v != g->bound;
    }
}
