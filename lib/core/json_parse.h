/* Private: a small JSON reader into a tree, for documents the library wrote
 * itself (evaluation, drift, profile and model-card JSON) that it renders
 * again, e.g. as HTML reports from a run directory. Strict RFC 8259; nesting
 * is limited so hostile input cannot exhaust the stack. */
#ifndef MLOPS_CORE_JSON_PARSE_H
#define MLOPS_CORE_JSON_PARSE_H

#include <stdbool.h>
#include <stddef.h>

enum { MLOPS__JV_NULL, MLOPS__JV_BOOL, MLOPS__JV_NUMBER, MLOPS__JV_STRING, MLOPS__JV_ARRAY,
       MLOPS__JV_OBJECT };

typedef struct mlops__jv {
    int type;
    bool boolean;
    double number;
    char *string;              /* NUL-terminated (a string may hold \u0000: then cut there) */
    size_t n;                  /* array items or object members */
    struct mlops__jv *items;   /* values */
    char **keys;               /* object member names, parallel to items */
} mlops__jv;

/* Parses text[0..len) into *out (free with mlops__jv_free). On bad input
 * returns MLOPS_EFORMAT with a message naming `what`, the line and column. */
int mlops__json_parse(const char *text, size_t len, const char *what, mlops__jv **out);
void mlops__jv_free(mlops__jv *v);

/* Member `key` of an object; NULL when v is NULL, not an object, or has no such key. */
const mlops__jv *mlops__jv_get(const mlops__jv *v, const char *key);
/* Item i of an array (NULL when out of range or not an array). */
const mlops__jv *mlops__jv_at(const mlops__jv *v, size_t i);
/* Item count of an array or object, else 0. */
size_t mlops__jv_len(const mlops__jv *v);
/* A number's value; NaN for null, anything else, or NULL. */
double mlops__jv_number(const mlops__jv *v);
/* A string's text; NULL when v is not a string. */
const char *mlops__jv_string(const mlops__jv *v);
/* true only for the literal true. */
bool mlops__jv_true(const mlops__jv *v);

#endif
