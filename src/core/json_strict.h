/* Strict JSON parsing on top of cJSON: UTF-8 checked, nesting bounded, duplicate keys and
 * "\u0000" refused (cJSON would keep the first duplicate and cut strings at the NUL). */
#ifndef SIKU_CORE_JSON_STRICT_H
#define SIKU_CORE_JSON_STRICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cJSON;

enum json_strict_error {
    JSON_OK,
    JSON_ERR_UTF8,
    JSON_ERR_DEPTH,
    JSON_ERR_NUL,
    JSON_ERR_SYNTAX,
    JSON_ERR_DUPLICATE,
};

#define JSON_MAX_DEPTH 32

/* Parses len bytes of text (need not be NUL-terminated). On success *out is the root, to be
 * freed with cJSON_Delete. On JSON_ERR_DUPLICATE, dup_key names the key (static buffer of
 * the caller, may be NULL). */
enum json_strict_error json_parse_strict(const char *text, size_t len, int max_depth,
                                         struct cJSON **out, char *dup_key, size_t dup_key_len);

/* Reads an integer from a cJSON number: it must be integral and within [min, max].
 * Never trusts cJSON's valueint, which saturates. */
bool json_get_int64(const struct cJSON *item, int64_t min, int64_t max, int64_t *out);

#endif
