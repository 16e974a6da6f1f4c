/* Query strings: strict percent-decoding into key/value pairs, and typed lookups. */
#ifndef SIKU_HTTP_QUERY_H
#define SIKU_HTTP_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

#define QUERY_MAX_PARAMS 64

struct query_param {
    const char *key;
    const char *value;
};

struct query {
    struct query_param params[QUERY_MAX_PARAMS];
    int n;
};

enum query_error {
    QUERY_OK,
    QUERY_ERR_ENCODING, /* bad escape, NUL, control byte or invalid UTF-8 */
    QUERY_ERR_TOO_MANY,
};

/* Decodes "a=1&b=%E4%B8%AD" ('+' is a space) into q; strings live in the arena. */
enum query_error query_parse(struct arena *a, const char *qs, struct query *q);

/* The value of key (the first if repeated), or NULL. */
const char *query_get(const struct query *q, const char *key);

/* Number of times key appears. */
int query_count(const struct query *q, const char *key);

/* The first key not in the NULL-terminated allowed list, or NULL if all are known. */
const char *query_unknown_key(const struct query *q, const char *const *allowed);

#endif
