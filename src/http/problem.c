/* The problem catalogue (code -> Chinese title and default detail) and problem replies. */
#include "http/problem.h"

#include "http/request.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

struct problem_entry {
    const char *code;
    const char *title;
    const char *detail;
};

static const struct problem_entry catalogue[] = {
    {"bad_request", "请求格式错误", "请求不符合 HTTP 协议要求"},
    {"bad_path", "请求路径无效", "请求路径含有不允许的字符或编码"},
    {"route_not_found", "接口不存在", "没有与该路径对应的接口"},
    {"not_found", "记录不存在", "要访问的记录不存在或您无权查看"},
    {"method_not_allowed", "请求方法不被允许", "该接口不支持此请求方法"},
    {"not_implemented", "请求方法未实现", "服务器不支持此请求方法"},
    {"request_timeout", "请求超时", "未能在规定时间内收到完整请求"},
    {"body_too_large", "请求体过大", "请求体超过了允许的大小"},
    {"headers_too_large", "请求头过大", "请求头超过了允许的大小或数量"},
    {"expectation_failed", "不支持的 Expect 请求头", "仅支持 Expect: 100-continue"},
    {"http_version_not_supported", "不支持的 HTTP 版本", "仅支持 HTTP/1.0 与 HTTP/1.1"},
    {"unsupported_media_type", "不支持的内容类型", "请求体必须是 application/json"},
    {"malformed_json", "请求体不是合法的 JSON", "请求体无法按 JSON 解析"},
    {"invalid_utf8", "内容不是合法的 UTF-8", "请求内容必须使用 UTF-8 编码"},
    {"json_too_deep", "JSON 嵌套层级过深", "请求体的嵌套层级超过了允许的深度"},
    {"duplicate_key", "JSON 字段重复", "同一对象中出现了重复的字段"},
    {"validation_failed", "数据校验未通过", "请求中有字段不符合要求，详见 errors"},
    {"invalid_parameter", "查询参数无效", "查询参数不符合要求，详见 errors"},
    {"unauthorized", "未登录或登录已失效", "请先登录"},
    {"invalid_credentials", "用户名或密码错误", "用户名或密码错误"},
    {"forbidden", "没有权限", "您的角色无权执行此操作"},
    {"conflict", "数据冲突", "请求与现有数据冲突"},
    {"invalid_transition", "状态不允许此操作", "记录当前状态不允许执行该操作"},
    {"precondition_failed", "记录已被修改", "记录已被他人修改，请刷新后重试"},
    {"precondition_required", "缺少 If-Match 请求头", "修改记录时必须提供 If-Match 请求头"},
    {"too_many_requests", "请求过于频繁", "请稍后再试"},
    {"db_unavailable", "数据库暂时不可用", "数据库暂时无法连接，请稍后重试"},
    {"schema_behind", "数据库结构版本落后", "数据库尚未迁移到当前版本，请运行 sikud migrate"},
    {"overloaded", "服务繁忙", "服务器当前请求过多，请稍后重试"},
    {"db_timeout", "数据库响应超时", "数据库未能在规定时间内完成请求"},
    {"invalid_file", "文件无法读取", "上传的文件不是可读取的 CSV 或 XLSX 文件"},
    {"invalid_header", "表头不符合模板", "文件的表头与导入模板不一致，详见 rejected"},
    {"import_rejected", "导入未通过校验", "有记录未通过校验，未导入任何数据，详见 rejected"},
    {"not_enough_candidates", "符合条件的专家不足", "符合条件且无利益冲突的专家少于要抽取的人数"},
    {"invalid_rubric", "考核细则不成立", "考核细则的分值或等级线不一致，详见 errors"},
    {"not_run", "尚未运行考核", "该年度尚未运行考核，没有可发布的结果"},
    {"assessment_published", "该年度考核已发布", "该年度考核已发布，不能再修改"},
    {"internal", "服务器内部错误", "服务器处理请求时出错，请联系管理员并提供请求编号"},
};

static const struct problem_entry *lookup(const char *code)
{
    for (size_t i = 0; i < sizeof catalogue / sizeof catalogue[0]; i++)
        if (strcmp(catalogue[i].code, code) == 0)
            return &catalogue[i];
    return NULL;
}

const char *problem_title(const char *code, int status)
{
    const struct problem_entry *e = lookup(code);
    if (e)
        return e->title;
    if (status >= 500)
        return "服务器内部错误";
    return "请求错误";
}

void problem_add_field(cJSON *errors, const char *field, const char *code, const char *message)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "field", field);
    cJSON_AddStringToObject(e, "code", code);
    cJSON_AddStringToObject(e, "message", message);
    cJSON_AddItemToArray(errors, e);
}

void http_problem_errors(struct http_request *req, int status, const char *code, const char *detail,
                         cJSON *errors)
{
    const struct problem_entry *e = lookup(code);
    cJSON *p = cJSON_CreateObject();
    char type[96];
    snprintf(type, sizeof type, "/problems/%s", code);
    cJSON_AddStringToObject(p, "type", type);
    cJSON_AddStringToObject(p, "title", problem_title(code, status));
    cJSON_AddNumberToObject(p, "status", status);
    cJSON_AddStringToObject(p, "detail", detail ? detail : e ? e->detail : "请求失败");
    cJSON_AddStringToObject(p, "code", code);
    cJSON_AddStringToObject(p, "request_id", req->request_id);
    if (errors)
        cJSON_AddItemToObject(p, "errors", errors);
    if (status == 503)
        http_add_header(req, "Retry-After", "1");
    char *text = cJSON_PrintUnformatted(p);
    cJSON_Delete(p);
    if (text == NULL) {
        static const char oom[] = "{\"type\":\"/problems/internal\",\"title\":\"服务器内部错误\","
                                  "\"status\":500,\"code\":\"internal\"}";
        http_reply(req, 500, "application/problem+json; charset=utf-8", oom, sizeof oom - 1);
        return;
    }
    http_reply(req, status, "application/problem+json; charset=utf-8", text, strlen(text));
    cJSON_free(text);
}

void http_problem(struct http_request *req, int status, const char *code, const char *detail)
{
    http_problem_errors(req, status, code, detail, NULL);
}
