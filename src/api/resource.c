/* Shared machinery of the library resources. */
#include "api/resource.h"

#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/list.h"
#include "domain/search_terms.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <event2/buffer.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *api_caller_json(struct http_request *req)
{
    const struct auth *a = access_caller(req);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "role", role_name(a->role));
    if (a->user_id)
        cJSON_AddStringToObject(o, "user_id", a->user_id);
    if (a->region_code)
        cJSON_AddStringToObject(o, "region", a->region_code);
    if (a->enterprise_id)
        cJSON_AddStringToObject(o, "enterprise", a->enterprise_id);
    if (a->expert_id)
        cJSON_AddStringToObject(o, "expert", a->expert_id);
    const char *text = api_json_text(req, o);
    cJSON_Delete(o);
    return text;
}

const char *api_json_text(struct http_request *req, const cJSON *clean)
{
    char *s = cJSON_PrintUnformatted(clean);
    const char *copy = arena_strdup(&req->arena, s ? s : "{}");
    cJSON_free(s);
    return copy;
}

void api_forbidden_field(struct http_request *req, const char *field, const char *detail)
{
    cJSON *errors = cJSON_CreateArray();
    problem_add_field(errors, field, "forbidden", detail ? detail : "无权设置此字段");
    http_problem_errors(req, 403, "forbidden", arena_printf(&req->arena, "无权设置字段“%s”", field),
                        errors);
}

void api_field_error(struct http_request *req, const char *field, const char *code,
                     const char *message)
{
    cJSON *errors = cJSON_CreateArray();
    problem_add_field(errors, field, code, message);
    http_problem_errors(req, 400, "validation_failed", message, errors);
}

cJSON *api_validated_body(struct http_request *req, const struct field_spec *specs,
                          enum validate_mode mode)
{
    cJSON *body;
    if (!http_read_json_object(req, &body))
        return NULL;
    struct validation v;
    bool ok = validate_body(body, specs, mode, access_caller(req)->role, &v);
    cJSON_Delete(body);
    if (ok) {
        cJSON *clean = v.clean;
        v.clean = NULL;
        validation_free(&v);
        return clean;
    }
    if (v.forbidden_field)
        api_forbidden_field(req, v.forbidden_field, NULL);
    else {
        http_problem_errors(req, 400, "validation_failed", NULL, v.errors);
        v.errors = NULL;
    }
    validation_free(&v);
    return NULL;
}

const char *api_search_terms(struct http_request *req, const cJSON *clean,
                             const char *const *search_fields)
{
    cJSON *out = search_terms_object(clean, search_fields);
    const char *text = api_json_text(req, out);
    cJSON_Delete(out);
    return text;
}

bool api_include_archived(struct http_request *req, const char *value, const char **out)
{
    *out = "false";
    if (value == NULL)
        return true;
    if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
        cJSON *errors = cJSON_CreateArray();
        problem_add_field(errors, "include_archived", "invalid_value", "应为 true 或 false");
        http_problem_errors(req, 400, "invalid_parameter", NULL, errors);
        return false;
    }
    if (strcmp(value, "true") == 0 && !(access_caller(req)->role & ROLES_STAFF)) {
        http_problem(req, 403, "forbidden", "只有工作人员可以查看已归档的记录");
        return false;
    }
    *out = value;
    return true;
}

void api_get_record(struct http_request *req, const struct db_stmt *stmt)
{
    const char *id, *archived;
    struct query q;
    static const char *const allowed[] = {"include_archived", NULL};
    if (!api_parse_id(req, "id", &id) || !api_parse_query(req, allowed, &q) ||
        !api_include_archived(req, query_get(&q, "include_archived"), &archived))
        return;
    const char *params[] = {id, api_caller_json(req), archived};
    api_reply_json_row(req, stmt, 3, params);
}

void api_write_done(struct http_request *req, struct db_job *job)
{
    api_reply_write(req, job, API_FIRST_RESULT, 200);
}

void api_archive_record(struct http_request *req, const struct db_stmt *stmt, bool archiving)
{
    const char *id, *version;
    if (!api_parse_id(req, "id", &id) || !api_if_match(req, &version))
        return;
    const char *params[] = {id, api_caller_json(req), version, archiving ? "true" : "false"};
    struct db_job *job = api_write_job(req, archiving ? "archive" : "restore");
    db_job_add(job, stmt, 4, params);
    api_db_run(req, job, 0, api_write_done);
}

void api_reply_write(struct http_request *req, struct db_job *job, int i, int status)
{
    PGresult *res = db_job_result(job, i);
    if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0) || strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
        http_problem(req, 403, "forbidden", "您可以查看此记录，但无权修改");
        return;
    }
    if (PQgetisnull(res, 0, 2)) {
        http_problem(req, 412, "precondition_failed", NULL);
        return;
    }
    api_set_etag(req, PQgetvalue(res, 0, 3));
    http_reply_json_text(req, status, PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2));
}

/* ---- idempotent creates ---- */

static struct db_stmt idempotency_lookup = {
    "idempotency_lookup",
    "SELECT status, body, location, request_hash = $3 FROM idempotency_keys"
    " WHERE user_id = $1::bigint AND key = $2",
    3, 0};

struct create_call {
    const struct db_stmt *insert;
    int nparams;
    const char **params; /* nparams + 4 */
    const char *location_prefix;
    const char *key;
    const char *hash;
    int attempts;
};

static void create_run(struct http_request *req);

static void reply_stored(struct http_request *req, PGresult *res)
{
    if (strcmp(PQgetvalue(res, 0, 3), "t") != 0) {
        http_problem(req, 409, "conflict",
                     "Idempotency-Key 已用于另一个不同的请求，请为新请求使用新的键");
        return;
    }
    if (!PQgetisnull(res, 0, 2))
        http_add_header(req, "Location", PQgetvalue(res, 0, 2));
    http_add_header(req, "Idempotent-Replayed", "true");
    http_reply_json_text(req, atoi(PQgetvalue(res, 0, 0)), PQgetvalue(res, 0, 1),
                         (size_t)PQgetlength(res, 0, 1));
}

static void created(struct http_request *req, struct db_job *job)
{
    struct create_call *c = req->state;
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    http_add_header(req, "Location",
                    arena_printf(&req->arena, "%s%s", c->location_prefix, PQgetvalue(res, 0, 2)));
    api_reply_row(req, job, API_FIRST_RESULT, 201);
}

static void create_done(struct db_job *job, void *arg)
{
    struct http_request *req = arg;
    struct create_call *c = req->state;
    if (db_job_status(job) == DB_OK) {
        created(req, job);
        return;
    }
    /* The same key committed by a concurrent request: answer what it answered. */
    if (db_job_status(job) == DB_ERROR && strcmp(db_job_sqlstate(job), "23505") == 0 &&
        strcmp(db_job_constraint(job), "idempotency_keys_pkey") == 0 && c->attempts < 3) {
        create_run(req);
        return;
    }
    api_reply_db_failure(req, job);
}

static void insert_now(struct http_request *req)
{
    struct create_call *c = req->state;
    struct db_job *write = api_write_job(req, NULL);
    db_job_add(write, c->insert, c->nparams + 4, c->params);
    db_job_run(write, app_config()->request_deadline_ms, DB_NEEDS_SCHEMA, create_done, req);
}

static void lookup_done(struct db_job *job, void *arg)
{
    struct http_request *req = arg;
    if (db_job_status(job) != DB_OK) {
        api_reply_db_failure(req, job);
        return;
    }
    PGresult *res = db_job_result(job, 0);
    if (PQntuples(res) > 0) {
        reply_stored(req, res);
        return;
    }
    insert_now(req);
}

static void create_run(struct http_request *req)
{
    struct create_call *c = req->state;
    c->attempts++;
    if (c->key == NULL) {
        insert_now(req);
        return;
    }
    const struct auth *a = access_caller(req);
    const char *params[] = {a->user_id, c->key, c->hash};
    struct db_job *job = api_job(req);
    db_job_add(job, &idempotency_lookup, 3, params);
    db_job_run(job, app_config()->request_deadline_ms, DB_NEEDS_SCHEMA | DB_RETRY_SAFE, lookup_done,
               req);
}

static bool key_acceptable(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > 128)
        return false;
    for (const char *p = key; *p; p++)
        if (*p < 0x21 || *p > 0x7e)
            return false;
    return true;
}

void api_create(struct http_request *req, const struct db_stmt *insert, int nparams,
                const char **params, const char *location_prefix)
{
    struct create_call *c = arena_calloc(&req->arena, sizeof *c);
    c->insert = insert;
    c->nparams = nparams;
    c->location_prefix = location_prefix;
    c->params = arena_calloc(&req->arena, sizeof(char *) * (size_t)(nparams + 4));
    memcpy(c->params, params, sizeof(char *) * (size_t)nparams);
    const char *key = http_header(req, "Idempotency-Key");
    const struct auth *a = access_caller(req);
    if (key != NULL && a->user_id != NULL) {
        if (!key_acceptable(key)) {
            cJSON *errors = cJSON_CreateArray();
            problem_add_field(errors, "Idempotency-Key", "invalid",
                              "应为 1 到 128 个可见 ASCII 字符");
            http_problem_errors(req, 400, "bad_request", "Idempotency-Key 请求头无效", errors);
            return;
        }
        /* The key is bound to the request it was first used with. */
        unsigned char h[crypto_hash_sha256_BYTES];
        crypto_hash_sha256_state st;
        crypto_hash_sha256_init(&st);
        crypto_hash_sha256_update(&st, (const unsigned char *)req->route->pattern,
                                  strlen(req->route->pattern));
        crypto_hash_sha256_update(&st, (const unsigned char *)req->head.path,
                                  strlen(req->head.path));
        size_t blen = evbuffer_get_length(req->body);
        crypto_hash_sha256_update(&st, evbuffer_pullup(req->body, -1), blen);
        crypto_hash_sha256_final(&st, h);
        char *hex = arena_alloc(&req->arena, 65);
        sodium_bin2hex(hex, 65, h, sizeof h);
        c->key = arena_strdup(&req->arena, key);
        c->hash = hex;
        c->params[nparams] = a->user_id;
        c->params[nparams + 1] = c->key;
        c->params[nparams + 2] = req->route->pattern;
        c->params[nparams + 3] = hex;
    }
    req->state = c;
    create_run(req);
}

void resource_register(void)
{
    db_stmt_register(&idempotency_lookup);
}

bool api_region_in_scope(struct http_request *req, cJSON *clean, bool fill_default)
{
    const struct auth *a = access_caller(req);
    if (a->role != ROLE_COUNTY)
        return true;
    const cJSON *region = cJSON_GetObjectItemCaseSensitive(clean, "region_code");
    if (region == NULL) {
        if (fill_default)
            cJSON_AddStringToObject(clean, "region_code", a->region_code);
        return true;
    }
    if (cJSON_IsString(region) && strcmp(region->valuestring, a->region_code) == 0)
        return true;
    api_forbidden_field(req, "region_code", "县（市、区）科协工作人员只能使用本地区的地区代码");
    return false;
}
