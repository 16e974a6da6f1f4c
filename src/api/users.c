/* User accounts, for admins: list, create, read, and patch (display name, role and binding,
 * disable, password reset). Changing what an account may do ends its sessions. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/list.h"

#include "core/hasher.h"
#include "domain/account.h"
#include "domain/validate.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static struct db_stmt user_list = {
    "user_list",
    "SELECT user_json(u)::text, u.id::text FROM users u"
    " WHERE ($1::text IS NULL OR u.role = $1) AND ($2::text IS NULL OR u.region_code = $2)"
    "   AND ($3::boolean IS NULL OR u.disabled = $3::boolean)"
    "   AND ($4::text IS NULL OR strpos(lower(u.username), lower($4)) > 0"
    "        OR strpos(u.display_name, $4) > 0)"
    "   AND ($5::bigint IS NULL OR u.id > $5::bigint)"
    " ORDER BY u.id LIMIT $6::int",
    6, 0};

static struct db_stmt user_get = {
    "user_get", "SELECT user_json(u)::text, u.version::text FROM users u WHERE u.id = $1::bigint",
    1, 0};

static struct db_stmt user_username = {"user_username",
                                       "SELECT username FROM users WHERE id = $1::bigint", 1, 0};

static struct db_stmt user_insert = {
    "user_insert",
    "INSERT INTO users (username, display_name, role, region_code, enterprise_id, expert_id,"
    "                   disabled, password_hash)"
    " SELECT j->>'username', j->>'display_name', j->>'role', j->>'region_code',"
    "        (j->>'enterprise_id')::bigint, (j->>'expert_id')::bigint,"
    "        coalesce((j->>'disabled')::boolean, false), $2"
    " FROM (SELECT $1::jsonb AS j) x"
    " RETURNING user_json(users)::text, version::text, id::text",
    2, 0};

/* $1 id, $2 patch, $3 expected version or NULL, $4 new password hash or NULL, $5 end the
 * account's sessions. One row: whether the id exists, the new record, its version. */
static struct db_stmt user_patch = {
    "user_patch",
    "WITH p AS (SELECT $2::jsonb AS j),"
    " cur AS (SELECT id, version FROM users WHERE id = $1::bigint),"
    " upd AS (UPDATE users u SET"
    "   display_name = CASE WHEN j ? 'display_name' THEN j->>'display_name'"
    "                       ELSE u.display_name END,"
    "   role = CASE WHEN j ? 'role' THEN j->>'role' ELSE u.role END,"
    "   region_code = CASE WHEN j ? 'region_code' THEN j->>'region_code' ELSE u.region_code END,"
    "   enterprise_id = CASE WHEN j ? 'enterprise_id' THEN (j->>'enterprise_id')::bigint"
    "                        ELSE u.enterprise_id END,"
    "   expert_id = CASE WHEN j ? 'expert_id' THEN (j->>'expert_id')::bigint"
    "                    ELSE u.expert_id END,"
    "   disabled = CASE WHEN j ? 'disabled' THEN (j->>'disabled')::boolean ELSE u.disabled END,"
    "   password_hash = coalesce($4, u.password_hash),"
    "   password_changed_at = CASE WHEN $4 IS NULL THEN u.password_changed_at ELSE now() END,"
    "   updated_at = now(), version = u.version + 1"
    "   FROM p, cur WHERE u.id = cur.id AND ($3::int IS NULL OR u.version = $3::int)"
    "   RETURNING u.*),"
    " ended AS (UPDATE sessions SET revoked_at = now()"
    "   WHERE $5::boolean AND revoked_at IS NULL AND user_id = (SELECT id FROM upd))"
    " SELECT (SELECT count(*) FROM cur)::int, (SELECT user_json(upd)::text FROM upd),"
    "        (SELECT version::text FROM upd)",
    5, 0};

static const char *const role_values[] = {"admin",      "city_staff", "county_staff",
                                          "enterprise", "expert",     NULL};

static bool check_username(const char *s, const char **code, const char **message)
{
    return account_username_ok(s, code, message);
}

static bool check_region_code(const char *s, const char **code, const char **message)
{
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9') {
            *code = "invalid_code";
            *message = "应为 6 位 GB/T 2260 行政区划代码";
            return false;
        }
    return true;
}

#define MAX_ID 9007199254740991LL

static const struct field_spec user_fields[] = {
    {"username", FIELD_STRING, FIELD_REQUIRED | FIELD_IMMUTABLE, 3, 64, 0, NULL, 0, check_username},
    {"display_name", FIELD_STRING, FIELD_REQUIRED, 1, 64, 0, NULL, 0, NULL},
    {"role", FIELD_ENUM, FIELD_REQUIRED, 0, 0, 0, role_values, 0, NULL},
    {"region_code", FIELD_STRING, FIELD_NULLABLE, 6, 6, 0, NULL, 0, check_region_code},
    {"enterprise_id", FIELD_INT, FIELD_NULLABLE, 1, MAX_ID, 0, NULL, 0, NULL},
    {"expert_id", FIELD_INT, FIELD_NULLABLE, 1, MAX_ID, 0, NULL, 0, NULL},
    {"password", FIELD_STRING, FIELD_REQUIRED, 1, 256, 0, NULL, 0, NULL},
    {"disabled", FIELD_BOOL, 0, 0, 0, 0, NULL, 0, NULL},
    {"id", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"role_label", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"created_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"updated_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"version", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

/* State of a create or patch across the hash and the database. */
struct user_write {
    const char *id;
    const char *version;
    char *clean;    /* validated fields as JSON text */
    char *password; /* raw, wiped after hashing */
    const char *username;
    bool revoke;
};

static void wipe(struct user_write *uw)
{
    if (uw->password) {
        sodium_memzero(uw->password, strlen(uw->password));
        uw->password = NULL;
    }
}

/* Replies the validation problem; returns false when the body was acceptable. */
static bool reply_invalid(struct http_request *req, struct validation *v)
{
    if (v->forbidden_field) {
        cJSON *errors = cJSON_CreateArray();
        problem_add_field(errors, v->forbidden_field, "forbidden", "无权设置此字段");
        http_problem_errors(req, 403, "forbidden",
                            arena_printf(&req->arena, "无权设置字段“%s”", v->forbidden_field),
                            errors);
        return true;
    }
    if (v->errors) {
        http_problem_errors(req, 400, "validation_failed", NULL, v->errors);
        v->errors = NULL;
        return true;
    }
    return false;
}

/* On create: the role's binding must be given and the others must not. */
static void check_binding(const cJSON *clean, struct validation *v)
{
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(clean, "role");
    if (!cJSON_IsString(role))
        return;
    const char *need = account_binding_for(role_from_name(role->valuestring));
    static const char *const bindings[] = {"region_code", "enterprise_id", "expert_id"};
    for (int i = 0; i < 3; i++) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(clean, bindings[i]);
        bool given = b != NULL && !cJSON_IsNull(b);
        if (need && strcmp(need, bindings[i]) == 0 && !given)
            validation_add(v, bindings[i], "required", "该角色必须指定此绑定");
        else if ((!need || strcmp(need, bindings[i]) != 0) && given)
            validation_add(v, bindings[i], "not_allowed", "该角色不能指定此绑定");
    }
}

static const char *raw_password(const cJSON *body)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(body, "password");
    return cJSON_IsString(p) ? p->valuestring : NULL;
}

static bool password_acceptable(struct http_request *req, const char *username,
                                const char *password)
{
    const char *message;
    if (account_password_ok(username, password, &message))
        return true;
    cJSON *errors = cJSON_CreateArray();
    problem_add_field(errors, "password", "weak_password", message);
    http_problem_errors(req, 400, "validation_failed", message, errors);
    return false;
}

static void created_done(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    http_add_header(req, "Location",
                    arena_printf(&req->arena, "/api/v1/users/%s", PQgetvalue(res, 0, 2)));
    api_reply_row(req, job, API_FIRST_RESULT, 201);
}

static void create_hashed(void *arg, bool ok, const char *hash)
{
    struct http_request *req = arg;
    struct user_write *uw = req->state;
    if (!ok) {
        http_problem(req, 500, "internal", NULL);
        return;
    }
    const char *params[] = {uw->clean, hash};
    struct db_job *job = api_write_job(req, NULL);
    db_job_add(job, &user_insert, 2, params);
    api_db_run(req, job, 0, created_done);
}

static bool start_hash(struct http_request *req, struct user_write *uw, hasher_done_fn done)
{
    struct app_worker *w = req->app;
    bool queued = hasher_submit(w->base, NULL, uw->password, done, req);
    wipe(uw);
    if (!queued) {
        http_add_header(req, "Retry-After", "1");
        http_problem(req, 429, "too_many_requests", "服务器正忙于处理密码，请稍后再试");
    }
    return queued;
}

static void handle_create(struct http_request *req)
{
    cJSON *body;
    if (!http_read_json_object(req, &body))
        return;
    struct validation v;
    bool ok = validate_body(body, user_fields, VALIDATE_CREATE, access_caller(req)->role, &v);
    if (ok || v.forbidden_field == NULL)
        check_binding(v.clean, &v);
    if (reply_invalid(req, &v)) {
        validation_free(&v);
        cJSON_Delete(body);
        return;
    }
    struct user_write *uw = arena_calloc(&req->arena, sizeof *uw);
    const char *username = cJSON_GetObjectItem(v.clean, "username")->valuestring;
    const char *password = raw_password(body);
    if (!password_acceptable(req, username, password)) {
        validation_free(&v);
        cJSON_Delete(body);
        return;
    }
    uw->password = arena_strdup(&req->arena, password);
    cJSON_DeleteItemFromObject(v.clean, "password");
    char *clean = cJSON_PrintUnformatted(v.clean);
    uw->clean = arena_strdup(&req->arena, clean);
    cJSON_free(clean);
    validation_free(&v);
    sodium_memzero((void *)password, strlen(password));
    cJSON_Delete(body);
    req->state = uw;
    start_hash(req, uw, create_hashed);
}

static void patched_done(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    if (PQgetisnull(res, 0, 1)) {
        http_problem(req, 412, "precondition_failed", NULL);
        return;
    }
    struct user_write *uw = req->state;
    if (uw->revoke) /* sessions used while the patch ran must not stay cached */
        access_forget_user(uw->id);
    api_set_etag(req, PQgetvalue(res, 0, 2));
    http_reply_json_text(req, 200, PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1));
}

static void run_patch(struct http_request *req, const char *hash)
{
    struct user_write *uw = req->state;
    if (uw->revoke)
        access_forget_user(uw->id);
    const char *params[] = {uw->id, uw->clean, uw->version, hash, uw->revoke ? "true" : "false"};
    struct db_job *job = api_write_job(req, NULL);
    db_job_add(job, &user_patch, 5, params);
    api_db_run(req, job, 0, patched_done);
}

static void patch_hashed(void *arg, bool ok, const char *hash)
{
    struct http_request *req = arg;
    if (!ok) {
        http_problem(req, 500, "internal", NULL);
        return;
    }
    run_patch(req, hash);
}

static void username_done(struct http_request *req, struct db_job *job)
{
    struct user_write *uw = req->state;
    PGresult *res = db_job_result(job, 0);
    if (PQntuples(res) == 0) {
        wipe(uw);
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    if (!password_acceptable(req, PQgetvalue(res, 0, 0), uw->password)) {
        wipe(uw);
        return;
    }
    start_hash(req, uw, patch_hashed);
}

static void handle_patch(struct http_request *req)
{
    struct user_write *uw = arena_calloc(&req->arena, sizeof *uw);
    if (!api_parse_id(req, "id", &uw->id) || !api_if_match(req, &uw->version))
        return;
    cJSON *body;
    if (!http_read_json_object(req, &body))
        return;
    struct validation v;
    validate_body(body, user_fields, VALIDATE_PATCH, access_caller(req)->role, &v);
    if (reply_invalid(req, &v)) {
        validation_free(&v);
        cJSON_Delete(body);
        return;
    }
    const cJSON *disabled = cJSON_GetObjectItemCaseSensitive(v.clean, "disabled");
    uw->revoke =
        cJSON_IsTrue(disabled) || cJSON_HasObjectItem(v.clean, "password") ||
        cJSON_HasObjectItem(v.clean, "role") || cJSON_HasObjectItem(v.clean, "region_code") ||
        cJSON_HasObjectItem(v.clean, "enterprise_id") || cJSON_HasObjectItem(v.clean, "expert_id");
    const char *password = cJSON_HasObjectItem(v.clean, "password") ? raw_password(body) : NULL;
    if (password) {
        uw->password = arena_strdup(&req->arena, password);
        sodium_memzero((void *)password, strlen(password));
        cJSON_DeleteItemFromObject(v.clean, "password");
    }
    char *clean = cJSON_PrintUnformatted(v.clean);
    uw->clean = arena_strdup(&req->arena, clean);
    cJSON_free(clean);
    validation_free(&v);
    cJSON_Delete(body);
    req->state = uw;
    if (uw->password == NULL) {
        run_patch(req, NULL);
        return;
    }
    /* The password policy needs the username. */
    struct db_job *job = api_job(req);
    db_job_add(job, &user_username, 1, &uw->id);
    api_db_run(req, job, 0, username_done);
}

static void handle_get(struct http_request *req)
{
    const char *id;
    if (!api_parse_id(req, "id", &id))
        return;
    api_reply_json_row(req, &user_get, 1, &id);
}

static void list_done(struct http_request *req, struct db_job *job)
{
    api_reply_page(req, db_job_result(job, 0), req->state, 1);
}

static void handle_list(struct http_request *req)
{
    static const char *const allowed[] = {"role", "region_code", "disabled", "q", NULL};
    struct list_params *lp = arena_alloc(&req->arena, sizeof *lp);
    if (!api_list_params(req, allowed, 1, lp))
        return;
    const char *role = query_get(&lp->query, "role");
    const char *disabled = query_get(&lp->query, "disabled");
    const char *bad = NULL;
    if (role && role_from_name(role) == 0)
        bad = "role";
    else if (disabled && strcmp(disabled, "true") != 0 && strcmp(disabled, "false") != 0)
        bad = "disabled";
    else if (lp->nkeys && !list_is_integer(lp->keys[0]))
        bad = "cursor";
    if (bad) {
        cJSON *errors = cJSON_CreateArray();
        problem_add_field(errors, bad, "invalid_value", "取值无效");
        http_problem_errors(req, 400, "invalid_parameter", NULL, errors);
        return;
    }
    const char *q = query_get(&lp->query, "q");
    const char *params[] = {role,
                            query_get(&lp->query, "region_code"),
                            disabled,
                            q && *q ? q : NULL,
                            lp->nkeys ? lp->keys[0] : NULL,
                            lp->limit_plus_one};
    req->state = lp;
    struct db_job *job = api_job(req);
    db_job_add(job, &user_list, 6, params);
    api_db_run(req, job, DB_RETRY_SAFE, list_done);
}

void users_register(struct router *r)
{
    static struct db_stmt *const stmts[] = {&user_list,   &user_get,   &user_username,
                                            &user_insert, &user_patch, NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_GET, .pattern = "/api/v1/users", .handler = handle_list},
        {.method = HTTP_POST, .pattern = "/api/v1/users", .handler = handle_create},
        {.method = HTTP_GET, .pattern = "/api/v1/users/{id}", .handler = handle_get},
        {.method = HTTP_PATCH, .pattern = "/api/v1/users/{id}", .handler = handle_patch},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        struct route rt = routes[i];
        rt.flags = ROUTE_DB;
        rt.roles = ROLE_ADMIN;
        router_add(r, &rt);
    }
}
