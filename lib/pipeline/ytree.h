/* Private: a YAML document read with libyaml into a tree of nodes that
 * remember where they came from (file, line, column), so every later check
 * can name the exact place of a problem.
 *
 * Also the reader of the library's own JSON text files (run lock files,
 * audit records): JSON as we write it is YAML, so one reader serves both.
 *
 * Limits keep hostile input cheap: file size, nesting depth and the number
 * of nodes after alias expansion ("billion laughs") are bounded. Aliases
 * share the anchored node instead of copying it, and the expanded size of
 * every node is counted while parsing, so an exponential file is refused
 * after reading it once, in bounded memory. */
#ifndef MLOPS_PIPELINE_YTREE_H
#define MLOPS_PIPELINE_YTREE_H

#include <stdbool.h>
#include <stddef.h>

enum {
    MLOPS_YTREE_MAX_BYTES = 4 << 20,        /* a pipeline file is small */
    MLOPS_YTREE_MAX_DEPTH = 64,
    MLOPS_YTREE_MAX_EXPANDED = 100000       /* nodes after alias expansion */
};

typedef enum mlops__ynode_kind {
    MLOPS_YNODE_SCALAR,
    MLOPS_YNODE_SEQUENCE,
    MLOPS_YNODE_MAPPING
} mlops__ynode_kind;

typedef struct mlops__ynode mlops__ynode;
struct mlops__ynode {
    mlops__ynode_kind kind;
    const char *file;   /* the tree's file name (or "--set"); borrowed from the tree */
    size_t line, col;   /* 1-based position of the node's first character */
    /* Scalars: the text (NUL-terminated, may hold no NUL) and whether it was
     * written plain (unquoted): only plain scalars are numbers, booleans or
     * null; "1" quoted is the string 1. */
    char *text;
    size_t len;
    bool plain;
    /* Sequences: items[0..count). Mappings: keys[i] (scalar nodes) map to
     * items[i], in file order; duplicate keys are a parse error. */
    mlops__ynode **items;
    mlops__ynode **keys;
    size_t count, cap;
    size_t expanded;     /* nodes under this one, aliases expanded, itself included */
    bool owned;          /* false for a node reached again through an alias */
};

typedef struct mlops__ytree {
    char *file;          /* as given to the reader */
    mlops__ynode *root;  /* NULL for an empty document */
    /* every node allocated, for freeing (aliases share nodes) */
    mlops__ynode **all;
    size_t nall, capall;
} mlops__ytree;

/* Reads the file at `path` (one document). On a syntax error, a limit or a
 * duplicate key, fails with MLOPS_EFORMAT and a message
 * "PATH:LINE:COLUMN: what is wrong". MLOPS_ENOTFOUND / MLOPS_EIO name the
 * path. *out is initialised in every case and must be freed. */
int mlops__ytree_read_file(mlops__ytree *out, const char *path);
/* The bytes of the file at `path` (free with mlops__free), refusing a file
 * over MLOPS_YTREE_MAX_BYTES with MLOPS_EFORMAT "PATH:1:1: ...". */
int mlops__ytree_slurp(const char *path, unsigned char **data, size_t *len);
/* The same from memory; `name` is used in positions and messages. */
int mlops__ytree_read_buffer(mlops__ytree *out, const char *name, const char *text, size_t len);
void mlops__ytree_free(mlops__ytree *t);

/* A new node owned by tree `t` (for overrides): a scalar copy of text. */
mlops__ynode *mlops__ytree_new_scalar(mlops__ytree *t, const char *file, size_t line, size_t col,
                                      const char *text, bool plain);
mlops__ynode *mlops__ytree_new_container(mlops__ytree *t, mlops__ynode_kind kind,
                                         const char *file, size_t line, size_t col);
/* Appends item (and key, for a mapping) to a container node of `t`. */
int mlops__ytree_append(mlops__ynode *container, mlops__ynode *key, mlops__ynode *item);

/* The value of `key` in mapping `map`, or NULL (also when map is NULL or
 * not a mapping). */
const mlops__ynode *mlops__ynode_get(const mlops__ynode *map, const char *key);
/* Follows a dotted path of mapping keys ("model.settings.l2"). */
const mlops__ynode *mlops__ynode_path(const mlops__ynode *root, const char *path);
/* Scalar helpers: false when the node is not a scalar of that form. Plain
 * scalars only for numbers and booleans (YAML 1.2 core schema: true/false,
 * decimal and scientific numbers; also .inf/.nan are not accepted). */
bool mlops__ynode_is_null(const mlops__ynode *n);   /* absent, ~, null, or empty plain */
bool mlops__ynode_bool(const mlops__ynode *n, bool *out);
bool mlops__ynode_double(const mlops__ynode *n, double *out);
bool mlops__ynode_int(const mlops__ynode *n, long long *out);
/* The scalar's text, or NULL for a non-scalar. */
const char *mlops__ynode_text(const mlops__ynode *n);
/* "mapping", "sequence", "string", "number", "boolean" or "null": what a
 * message says the node is. */
const char *mlops__ynode_describe(const mlops__ynode *n);

#endif
