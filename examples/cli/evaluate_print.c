/* Prints an evaluation report as a short table (see evaluate_print.h).
 * Values are sorted into sections by their documented names (see
 * mlops_report_value(3)): "<column>=<value>.<metric>" for groups, the
 * fairness aggregates by their fixed names, ".change" and ".flip_rate" for
 * probes; every value is read back through mlops_report_value(). */
#include "evaluate_print.h"

#include <math.h>
#include <string.h>

#include "cli_common.h"

/* Fairness aggregates: reported unsuffixed for the first group column and
 * suffixed ".<column>" for each. */
static const char *const FAIRNESS[] = {
    "demographic_parity_difference", "demographic_parity_ratio",
    "equalized_odds_difference",     "equalized_odds_ratio",
    "equal_opportunity_difference",  "equal_opportunity_ratio",
    "statistical_parity_difference", "disparate_impact",
    "average_odds_difference"};

/* Per-group columns of the table after the count and the primary metric;
 * a column is shown when the first group has it. */
static const char *const GROUP_COLUMNS[] = {"selection_rate", "true_positive_rate",
                                            "false_positive_rate"};
static const char *const GROUP_HEADERS[] = {"sel_rate", "tpr", "fpr"};
enum { NGROUP_COLUMNS = sizeof GROUP_COLUMNS / sizeof *GROUP_COLUMNS };

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* A fairness aggregate, or a "<metric>.group_difference" / ".group_ratio". */
static int is_fairness(const char *name)
{
    size_t base = strcspn(name, ".");
    for (size_t i = 0; i < sizeof FAIRNESS / sizeof *FAIRNESS; i++)
        if (strlen(FAIRNESS[i]) == base && strncmp(name, FAIRNESS[i], base) == 0) return 1;
    return strstr(name, ".group_difference") != NULL || strstr(name, ".group_ratio") != NULL;
}

/* The fairness aggregates shown in the table: the named ones, per column
 * (".<column>" suffixed); the unsuffixed copies for the first column and
 * the per-metric differences stay in the JSON. */
static int is_shown_fairness(const char *name)
{
    size_t base = strcspn(name, ".");
    if (name[base] == '\0') return 0;
    for (size_t i = 0; i < sizeof FAIRNESS / sizeof *FAIRNESS; i++)
        if (strlen(FAIRNESS[i]) == base && strncmp(name, FAIRNESS[i], base) == 0) return 1;
    return 0;
}

static int is_group_value(const char *name)
{
    return strchr(name, '=') != NULL;
}

static int is_overall_metric(const char *name)
{
    return strchr(name, '.') == NULL && !is_group_value(name) && !is_fairness(name) &&
           strcmp(name, "count") != 0 && strcmp(name, "weight_sum") != 0;
}

static int is_robustness(const char *name)
{
    return !is_group_value(name) && !is_fairness(name) &&
           (ends_with(name, ".change") || ends_with(name, ".flip_rate"));
}

/* The value `name`, or NaN with *found = 0 when the report lacks it. */
static double lookup(const mlops_report *r, const char *name, int *found)
{
    double v = NAN;
    int ok = mlops_report_value(r, name, &v) == MLOPS_OK;
    if (found != NULL) *found = ok;
    return ok ? v : NAN;
}

/* lookup() of "<prefix>.<suffix>". */
static double lookup2(const mlops_report *r, const char *prefix, const char *suffix, int *found)
{
    char name[512];
    int n = snprintf(name, sizeof name, "%s.%s", prefix, suffix);
    if (n < 0 || (size_t)n >= sizeof name) {
        if (found != NULL) *found = 0;
        return NAN;
    }
    return lookup(r, name, found);
}

static void put_number(FILE *f, int width, double v)
{
    if (isnan(v)) fprintf(f, "%*s", width, "undefined");
    else fprintf(f, "%*.6g", width, v);
}

static size_t name_width(const mlops_report *r, int (*pick)(const char *), size_t floor)
{
    size_t w = floor;
    for (size_t i = 0; i < mlops_report_value_count(r); i++) {
        const char *name = mlops_report_value_name(r, i);
        if (pick(name) && strlen(name) > w) w = strlen(name);
    }
    return w;
}

static void print_header(FILE *f, const mlops_model *m, const mlops_report *r,
                         const evaluate_header *h)
{
    fprintf(f, "evaluated %s %s on %s\n", mlops_model_kind(m), h->model, h->data);
    int has_weight = 0;
    double rows = lookup(r, "count", NULL), wsum = lookup(r, "weight_sum", &has_weight);
    fputs("  rows      ", f);
    put_number(f, 0, rows);
    if (has_weight && wsum != rows) {
        fputs(" (weight sum ", f);
        put_number(f, 0, wsum);
        fputc(')', f);
    }
    fprintf(f, "\n  target    %s", h->target);
    size_t k = mlops_report_class_count(r);
    if (k > 0) {
        fprintf(f, ", %zu classes:", k);
        for (size_t c = 0; c < k; c++)
            fprintf(f, "%s %s", c ? "," : "", mlops_report_class_label(r, c));
    }
    fputc('\n', f);
    if (h->attach != NULL)
        fprintf(f, "  attached  the report to a copy of the model: %s\n", h->attach);
}

static void print_metrics(FILE *f, const mlops_report *r)
{
    int w = (int)name_width(r, is_overall_metric, 6);
    fputs("\nmetrics\n", f);
    for (size_t i = 0; i < mlops_report_value_count(r); i++) {
        const char *name = mlops_report_value_name(r, i);
        if (!is_overall_metric(name)) continue;
        fprintf(f, "  %-*s  ", w, name);
        put_number(f, 12, lookup(r, name, NULL));
        int lo_found = 0, hi_found = 0;
        double lo = lookup2(r, name, "ci_low", &lo_found);
        double hi = lookup2(r, name, "ci_high", &hi_found);
        if (lo_found && hi_found) {
            fputs("  [", f);
            put_number(f, 0, lo);
            fputs(", ", f);
            put_number(f, 0, hi);
            fputc(']', f);
        }
        fputc('\n', f);
    }
}

/* Group rows are the "<column>=<value>.count" values; the key is the name
 * without ".count". */
static int is_group_count(const char *name)
{
    return is_group_value(name) && ends_with(name, ".count");
}

static void print_groups(FILE *f, const mlops_report *r, const char *metric)
{
    const char *first = NULL;
    size_t key_width = 5;
    for (size_t i = 0; i < mlops_report_value_count(r); i++) {
        const char *name = mlops_report_value_name(r, i);
        if (!is_group_count(name)) continue;
        if (first == NULL) first = name;
        size_t len = strlen(name) - strlen(".count");
        if (len > key_width) key_width = len;
    }
    if (first == NULL) return;

    /* the columns the first group has */
    char key[512];
    size_t len = strlen(first) - strlen(".count");
    if (len >= sizeof key) len = sizeof key - 1;
    memcpy(key, first, len);
    key[len] = '\0';
    int show_metric = 0, show[NGROUP_COLUMNS];
    lookup2(r, key, metric, &show_metric);
    for (size_t c = 0; c < NGROUP_COLUMNS; c++) lookup2(r, key, GROUP_COLUMNS[c], &show[c]);

    int w = (int)key_width;
    fprintf(f, "\ngroups\n  %-*s  %9s", w, "group", "count");
    if (show_metric) fprintf(f, "  %12s", metric);
    for (size_t c = 0; c < NGROUP_COLUMNS; c++)
        if (show[c]) fprintf(f, "  %10s", GROUP_HEADERS[c]);
    fputs("  small\n", f);
    for (size_t i = 0; i < mlops_report_value_count(r); i++) {
        const char *name = mlops_report_value_name(r, i);
        if (!is_group_count(name)) continue;
        len = strlen(name) - strlen(".count");
        if (len >= sizeof key) continue;
        memcpy(key, name, len);
        key[len] = '\0';
        fprintf(f, "  %-*s  ", w, key);
        put_number(f, 9, lookup(r, name, NULL));
        if (show_metric) {
            fputs("  ", f);
            put_number(f, 12, lookup2(r, key, metric, NULL));
        }
        for (size_t c = 0; c < NGROUP_COLUMNS; c++) {
            if (!show[c]) continue;
            fputs("  ", f);
            put_number(f, 10, lookup2(r, key, GROUP_COLUMNS[c], NULL));
        }
        fprintf(f, "  %s\n", lookup2(r, key, "small", NULL) == 1 ? "yes" : "no");
    }
}

/* Every value `pick` selects, under a title (nothing when none is). */
static void print_section(FILE *f, const mlops_report *r, const char *title,
                          int (*pick)(const char *))
{
    int w = (int)name_width(r, pick, 6), any = 0;
    for (size_t i = 0; i < mlops_report_value_count(r); i++) {
        const char *name = mlops_report_value_name(r, i);
        if (!pick(name)) continue;
        if (!any) fprintf(f, "\n%s\n", title);
        any = 1;
        fprintf(f, "  %-*s  ", w, name);
        put_number(f, 12, lookup(r, name, NULL));
        fputc('\n', f);
    }
}

static void print_gates_and_verdict(FILE *f, const mlops_report *r)
{
    size_t n = mlops_report_gate_count(r), failed = 0, w = 4;
    for (size_t i = 0; i < n; i++) {
        const char *expr = NULL;
        if (mlops_report_gate(r, i, &expr, NULL, NULL) == MLOPS_OK && strlen(expr) > w)
            w = strlen(expr);
    }
    if (n > 0) fputs("\ngates\n", f);
    for (size_t i = 0; i < n; i++) {
        const char *expr = NULL;
        double observed = NAN;
        int passed = 0;
        if (mlops_report_gate(r, i, &expr, &observed, &passed) != MLOPS_OK) continue;
        failed += !passed;
        fprintf(f, "  %s  %-*s  observed ", passed ? "PASS" : "FAIL", (int)w, expr);
        put_number(f, 0, observed);
        fputc('\n', f);
    }
    size_t notes = mlops_report_note_count(r);
    if (notes > 0) fputs("\nnotes\n", f);
    for (size_t i = 0; i < notes; i++) fprintf(f, "  - %s\n", mlops_report_note(r, i));

    fputs("\nverdict   ", f);
    if (n == 0) fputs("PASS (no gates declared)\n", f);
    else if (failed == 0) fprintf(f, "PASS (%zu of %zu gates passed)\n", n, n);
    else fprintf(f, "FAIL (%zu of %zu gates failed)\n", failed, n);
}

int evaluate_print_text(FILE *f, const mlops_model *m, const mlops_report *r,
                        const evaluate_header *h)
{
    print_header(f, m, r, h);
    print_metrics(f, r);
    /* the evaluator's default primary metric */
    const char *metric = h->metric != NULL && h->metric[0] != '\0' ? h->metric
                         : mlops_report_class_count(r) > 0       ? "accuracy"
                                                                 : "r2";
    print_groups(f, r, metric);
    print_section(f, r, "fairness", is_shown_fairness);
    print_section(f, r, "robustness", is_robustness);
    print_gates_and_verdict(f, r);
    return CLI_OK;
}
