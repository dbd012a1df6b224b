/* A small reader for JSON documents the library wrote (such as the model
 * card), so `mlops inspect` can show facts that only the card carries
 * (creation time, training data source and fingerprint, class counts,
 * solver) without a JSON dependency. Lookup only: values are located in
 * the text and decoded on demand. */
#ifndef MLOPS_CLI_JSON_H
#define MLOPS_CLI_JSON_H

#include <stddef.h>

/* The value at `path` (member names separated by '.', each step into an
 * object) in the document `json`, as a pointer into the text; NULL when a
 * member is absent, a step is not an object, or the text is malformed. */
const char *cli_json_find(const char *json, const char *path);

/* Element `i` of the array `value` points at (as cli_json_find() gives);
 * NULL when out of range or not an array. */
const char *cli_json_item(const char *value, size_t i);

/* The position just after the value `value` points at (as cli_json_find()
 * gives), so a caller can copy the text around it; NULL when malformed. */
const char *cli_json_end(const char *value);

/* The string or number `value` points at, as a new NUL-terminated string
 * (strings decoded from their escapes) that the caller frees with free();
 * NULL for null, other kinds of value, malformed text or no memory. */
char *cli_json_text(const char *value);

#endif
