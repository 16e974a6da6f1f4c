/* Lists: query-string checking, limit and opaque keyset cursors, and the page reply
 * {"items": [...], "next_cursor": "..." | null}. */
#ifndef SIKU_API_LIST_H
#define SIKU_API_LIST_H

#include "domain/validate.h"
#include "http/query.h"

#include <libpq-fe.h>
#include <stdbool.h>

struct http_request;

#define LIST_DEFAULT_LIMIT 20
#define LIST_MAX_LIMIT     200
#define LIST_MAX_KEYS      4

struct list_params {
    struct query query;
    int limit;
    char limit_plus_one[12]; /* the statement fetches one row more to know if more follow */
    int nkeys;               /* cursor key values present (0 on the first page) */
    const char *keys[LIST_MAX_KEYS];
};

/* Parses the query string of req; keys not in allowed (NULL-terminated; limit and cursor
 * are always allowed) are refused. A cursor must carry exactly nkeys values. Replies 400
 * and returns false on any problem. */
bool api_parse_query(struct http_request *req, const char *const *allowed, struct query *q)
    __attribute__((warn_unused_result));
bool api_list_params(struct http_request *req, const char *const *allowed, int nkeys,
                     struct list_params *out) __attribute__((warn_unused_result));

/* Replies 400 invalid_parameter naming the query parameter; returns false (for `return`). */
bool api_param_error(struct http_request *req, const char *param, const char *message);

/* Whether value is one of values (NULL-terminated); value must not be NULL. */
bool list_one_of(const char *value, const char *const *values);

/* A positive id filter, or absent; replies 400 naming the parameter and returns false else. */
bool api_id_param(struct http_request *req, const char *name, const char *value)
    __attribute__((warn_unused_result));

/* A code filter (region, discipline, industry: check is the codes_check_* of the field), or
 * absent; replies 400 naming the parameter and returns false when the code is malformed. */
bool api_code_param(struct http_request *req, const char *name, const char *value,
                    field_check_fn check) __attribute__((warn_unused_result));

/* True for a decimal integer that fits a bigint (cursor keys, id filters). */
bool list_is_integer(const char *s);

/* Rows: column 0 is the item's JSON, columns 1..nkeys the keyset of the row. */
void api_reply_page(struct http_request *req, PGresult *res, const struct list_params *lp,
                    int nkeys);

/* Cursor encoding (base64url of a JSON array of strings); exposed for tests. */
char *list_cursor_encode(const char *const *values, int n);
bool list_cursor_decode(const char *cursor, char **values, int n);

#endif
