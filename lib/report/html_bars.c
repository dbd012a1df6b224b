/* The label and value arrays behind a bar chart, and the ordering of
 * ranked items, shared by the pages (see html.h). */
#include <string.h>

#include "core/alloc.h"
#include "report/html.h"

bool mlops__bars_alloc(mlops__html *h, mlops__bars *b, size_t n)
{
    memset(b, 0, sizeof *b);
    if (h->status != MLOPS_OK) return false;
    b->n = n;
    b->text = mlops__malloc_array(n ? n : 1, MLOPS__BAR_LABEL, "report chart labels");
    b->labels = mlops__malloc_array(n ? n : 1, sizeof *b->labels, "report chart labels");
    b->values = mlops__malloc_array(n ? n : 1, sizeof *b->values, "report chart values");
    if (b->text == NULL || b->labels == NULL || b->values == NULL) {
        h->status = MLOPS_ENOMEM;
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        b->labels[i] = b->text + i * MLOPS__BAR_LABEL;
        b->text[i * MLOPS__BAR_LABEL] = '\0';
    }
    return true;
}

void mlops__bars_free(mlops__bars *b)
{
    mlops__free(b->text);
    mlops__free((void *)b->labels);
    mlops__free(b->values);
    memset(b, 0, sizeof *b);
}

char *mlops__bar_label(mlops__bars *b, size_t i)
{
    return b->text + i * MLOPS__BAR_LABEL;
}

int mlops__ranked_desc(const void *pa, const void *pb)
{
    const mlops__ranked *a = pa, *b = pb;
    if (a->key != b->key) return a->key > b->key ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}
