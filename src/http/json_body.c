/* JSON request bodies: media type check, strict parse, problem replies on failure. */
#include "http/json_body.h"

#include "core/json_strict.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <event2/buffer.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool http_content_type_is(const struct http_request *req, const char *media_type)
{
    const char *ct = http_header(req, "Content-Type");
    if (ct == NULL)
        return false;
    size_t n = strlen(media_type);
    if (strncasecmp(ct, media_type, n) != 0)
        return false;
    const char *rest = ct + n;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    if (*rest == '\0')
        return true;
    if (*rest != ';')
        return false;
    /* Only charset is meaningful, and only UTF-8 is accepted. */
    const char *cs = strcasestr(rest, "charset=");
    if (cs == NULL)
        return true;
    cs += 8;
    if (*cs == '"')
        cs++;
    return strncasecmp(cs, "utf-8", 5) == 0 || strncasecmp(cs, "utf8", 4) == 0;
}

bool http_read_json_object(struct http_request *req, cJSON **out)
{
    *out = NULL;
    bool patch = req->head.method == HTTP_PATCH;
    if (!http_content_type_is(req, "application/json") &&
        !(patch && http_content_type_is(req, "application/merge-patch+json"))) {
        http_problem(req, 415, "unsupported_media_type",
                     patch ? "请求体必须是 application/json 或 application/merge-patch+json"
                           : "请求体必须是 application/json（UTF-8）");
        return false;
    }
    size_t len = evbuffer_get_length(req->body);
    if (len == 0) {
        http_problem(req, 400, "malformed_json", "请求体为空");
        return false;
    }
    const char *text = (const char *)evbuffer_pullup(req->body, -1);
    char dup[128];
    cJSON *root = NULL;
    switch (json_parse_strict(text, len, JSON_MAX_DEPTH, &root, dup, sizeof dup)) {
    case JSON_OK:
        break;
    case JSON_ERR_UTF8:
        http_problem(req, 400, "invalid_utf8", "请求体不是合法的 UTF-8 文本");
        return false;
    case JSON_ERR_DEPTH:
        http_problem(req, 400, "json_too_deep", NULL);
        return false;
    case JSON_ERR_NUL:
        http_problem(req, 400, "malformed_json", "字符串中不允许出现 \\u0000");
        return false;
    case JSON_ERR_DUPLICATE: {
        char *detail = arena_printf(&req->arena, "字段“%s”重复出现", dup);
        http_problem(req, 400, "duplicate_key", detail);
        return false;
    }
    case JSON_ERR_SYNTAX:
        http_problem(req, 400, "malformed_json", NULL);
        return false;
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        http_problem(req, 400, "malformed_json", "请求体必须是 JSON 对象");
        return false;
    }
    *out = root;
    return true;
}
