/* Keyset pagination: the cursor is the sort key of the last row, so pages neither skip nor
 * repeat rows when records are inserted between requests. */
#include "api/list.h"

#include "core/json_strict.h"
#include "core/xmalloc.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <event2/buffer.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *list_cursor_encode(const char *const *values, int n)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(values[i] ? values[i] : ""));
    char *json = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    size_t len = strlen(json);
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = xmalloc(cap);
    sodium_bin2base64(out, cap, (const unsigned char *)json, len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    cJSON_free(json);
    return out;
}

bool list_cursor_decode(const char *cursor, char **values, int n)
{
    size_t clen = strlen(cursor);
    if (clen == 0 || clen > 2048)
        return false;
    unsigned char *bin = xmalloc(clen);
    size_t binlen = 0;
    bool ok = sodium_base642bin(bin, clen, cursor, clen, NULL, &binlen, NULL,
                                sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0;
    cJSON *arr = NULL;
    if (ok)
        ok = json_parse_strict((const char *)bin, binlen, 2, &arr, NULL, 0) == JSON_OK;
    free(bin);
    if (ok)
        ok = cJSON_IsArray(arr) && cJSON_GetArraySize(arr) == n;
    /* values is output only: on failure free exactly what was set here, never what the
     * caller's array held before. */
    int set = 0;
    for (; ok && set < n; set++) {
        cJSON *v = cJSON_GetArrayItem(arr, set);
        ok = cJSON_IsString(v);
        if (ok)
            values[set] = xstrdup(v->valuestring);
        else
            break;
    }
    if (!ok)
        for (int i = 0; i < n; i++) {
            if (i < set)
                free(values[i]);
            values[i] = NULL;
        }
    cJSON_Delete(arr);
    return ok;
}

bool list_is_integer(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 18)
        return false;
    for (size_t i = (s[0] == '-'); i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return n > (size_t)(s[0] == '-');
}

bool api_parse_query(struct http_request *req, const char *const *allowed, struct query *q)
{
    if (query_parse(&req->arena, req->head.query, q) != QUERY_OK) {
        http_problem(req, 400, "invalid_parameter", "查询参数编码无效或数量过多");
        return false;
    }
    for (int i = 0; i < q->n; i++) {
        const char *key = q->params[i].key;
        bool known = !strcmp(key, "limit") || !strcmp(key, "cursor");
        for (const char *const *k = allowed; *k && !known; k++)
            known = strcmp(*k, key) == 0;
        if (!known) {
            cJSON *errors = cJSON_CreateArray();
            problem_add_field(errors, key, "unknown_parameter", "不支持的查询参数");
            http_problem_errors(req, 400, "invalid_parameter",
                                arena_printf(&req->arena, "不支持的查询参数“%s”", key), errors);
            return false;
        }
        if (query_count(q, key) > 1) {
            cJSON *errors = cJSON_CreateArray();
            problem_add_field(errors, key, "repeated_parameter", "查询参数重复");
            http_problem_errors(req, 400, "invalid_parameter",
                                arena_printf(&req->arena, "查询参数“%s”重复", key), errors);
            return false;
        }
    }
    return true;
}

static void bad_param(struct http_request *req, const char *field, const char *code,
                      const char *message)
{
    cJSON *errors = cJSON_CreateArray();
    problem_add_field(errors, field, code, message);
    http_problem_errors(req, 400, "invalid_parameter", message, errors);
}

bool api_list_params(struct http_request *req, const char *const *allowed, int nkeys,
                     struct list_params *out)
{
    memset(out, 0, sizeof *out);
    if (!api_parse_query(req, allowed, &out->query))
        return false;
    out->limit = LIST_DEFAULT_LIMIT;
    const char *limit = query_get(&out->query, "limit");
    if (limit != NULL) {
        char *end;
        long v = strtol(limit, &end, 10);
        if (*limit == '\0' || *end != '\0' || v < 1 || v > LIST_MAX_LIMIT) {
            bad_param(req, "limit", "out_of_range", "limit 必须是 1 到 200 之间的整数");
            return false;
        }
        out->limit = (int)v;
    }
    snprintf(out->limit_plus_one, sizeof out->limit_plus_one, "%d", out->limit + 1);
    const char *cursor = query_get(&out->query, "cursor");
    if (cursor != NULL) {
        char *values[LIST_MAX_KEYS] = {0};
        if (nkeys > LIST_MAX_KEYS || !list_cursor_decode(cursor, values, nkeys)) {
            bad_param(req, "cursor", "invalid", "cursor 无效，请使用上一页返回的 next_cursor");
            return false;
        }
        for (int i = 0; i < nkeys; i++) {
            out->keys[i] = arena_strdup(&req->arena, values[i]);
            free(values[i]);
        }
        out->nkeys = nkeys;
    }
    return true;
}

void api_reply_page(struct http_request *req, PGresult *res, const struct list_params *lp,
                    int nkeys)
{
    int rows = PQntuples(res);
    int shown = rows > lp->limit ? lp->limit : rows;
    struct evbuffer *out = evbuffer_new();
    evbuffer_add(out, "{\"items\":[", 10);
    for (int r = 0; r < shown; r++) {
        if (r)
            evbuffer_add(out, ",", 1);
        evbuffer_add(out, PQgetvalue(res, r, 0), (size_t)PQgetlength(res, r, 0));
    }
    evbuffer_add(out, "],\"next_cursor\":", 16);
    if (rows > lp->limit && shown > 0) {
        const char *keys[LIST_MAX_KEYS];
        for (int k = 0; k < nkeys; k++)
            keys[k] = PQgetvalue(res, shown - 1, k + 1);
        char *cursor = list_cursor_encode(keys, nkeys);
        evbuffer_add_printf(out, "\"%s\"}", cursor);
        free(cursor);
    } else {
        evbuffer_add(out, "null}", 5);
    }
    http_reply_evbuffer(req, 200, "application/json; charset=utf-8", out);
    evbuffer_free(out);
}

bool api_param_error(struct http_request *req, const char *param, const char *message)
{
    cJSON *errors = cJSON_CreateArray();
    problem_add_field(errors, param, "invalid_value", message);
    http_problem_errors(req, 400, "invalid_parameter", message, errors);
    return false;
}

bool list_one_of(const char *value, const char *const *values)
{
    for (; *values; values++)
        if (strcmp(value, *values) == 0)
            return true;
    return false;
}

bool api_code_param(struct http_request *req, const char *name, const char *value,
                    field_check_fn check)
{
    const char *code, *message;
    return value == NULL || check(value, &code, &message) || api_param_error(req, name, message);
}

bool api_id_param(struct http_request *req, const char *name, const char *value)
{
    if (value == NULL || (list_is_integer(value) && value[0] != '-' && value[0] != '0'))
        return true;
    return api_param_error(req, name, "应为正整数编号");
}
