/* Sessions: login (throttled, argon2id off the loop, same answer for unknown users and
 * wrong passwords), logout, and the caller's own account. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"

#include "core/hasher.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One row: failures of this username since its last success and failures from this address,
 * both within the window; seconds until the oldest counted failure leaves the window; and
 * the account, if there is one. */
static struct db_stmt login_lookup = {
    "login_lookup",
    "WITH uf AS (SELECT at FROM login_attempts"
    "   WHERE lower(username) = lower($1) AND NOT success"
    "     AND at > now() - make_interval(secs => $3::int)"
    "     AND at > coalesce((SELECT max(at) FROM login_attempts"
    "                        WHERE lower(username) = lower($1) AND success), '-infinity')),"
    " af AS (SELECT at FROM login_attempts WHERE client_addr = $2 AND NOT success"
    "     AND at > now() - make_interval(secs => $3::int))"
    " SELECT (SELECT count(*) FROM uf), (SELECT count(*) FROM af),"
    "  greatest(1, ceil(extract(epoch FROM ((SELECT min(at) FROM uf)"
    "     + make_interval(secs => $3::int) - now()))))::int,"
    "  u.id::text, u.password_hash, u.disabled,"
    "  greatest(1, ceil(extract(epoch FROM ((SELECT min(at) FROM af)"
    "     + make_interval(secs => $3::int) - now()))))::int"
    " FROM (SELECT 1) one LEFT JOIN users u ON lower(u.username) = lower($1)",
    3, 0};

static struct db_stmt login_failed = {
    "login_failed",
    "WITH a AS (INSERT INTO login_attempts (username, client_addr, success)"
    "           VALUES ($1, $2, false))"
    " SELECT audit_append('login_failed', 'users', $3,"
    "                     NULL, jsonb_build_object('username', $1))",
    3, 0};

static struct db_stmt login_succeeded = {
    "login_succeeded",
    "WITH s AS (INSERT INTO sessions (token_hash, user_id, expires_at, client_addr)"
    "           VALUES (decode($1, 'hex'), $2::bigint,"
    "                   now() + make_interval(secs => $3::int), $4)"
    "           RETURNING expires_at),"
    " a AS (INSERT INTO login_attempts (username, client_addr, success)"
    "       SELECT username, $4, true FROM users WHERE id = $2::bigint),"
    " old AS (DELETE FROM login_attempts WHERE at < now() - interval '1 day')"
    " SELECT json_build_object('token', $5::text, 'token_type', 'Bearer',"
    "   'expires_at', (SELECT expires_at FROM s), 'user', user_json(u))::text,"
    "   audit_append('login', 'users', u.id::text, NULL, NULL)"
    " FROM users u WHERE u.id = $2::bigint",
    5, 0};

static struct db_stmt logout_stmt = {
    "logout",
    "WITH r AS (UPDATE sessions SET revoked_at = now()"
    "           WHERE token_hash = decode($1, 'hex') AND revoked_at IS NULL"
    "           RETURNING user_id)"
    " SELECT audit_append('logout', 'users', user_id::text, NULL, NULL) FROM r",
    1, 0};

static struct db_stmt me_stmt = {
    "me", "SELECT user_json(u)::text, u.version::text FROM users u WHERE u.id = $1::bigint", 1, 0};

struct login {
    struct http_request *req;
    char *username;
    char *password;
    char user_id[24];
    bool has_user;
};

/* The password lives in the request arena; wipe it as soon as it has been used. */
static void login_free_secret(struct login *l)
{
    if (l->password) {
        sodium_memzero(l->password, strlen(l->password));
        l->password = NULL;
    }
}

static void invalid_credentials(struct http_request *req, struct db_job *job)
{
    (void)job;
    http_problem(req, 401, "invalid_credentials", "用户名或密码错误");
}

static void succeeded_done(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    http_add_header(req, "Cache-Control", "no-store");
    http_reply_json_text(req, 200, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
}

static void verified(void *arg, bool ok, const char *hash)
{
    (void)hash;
    struct login *l = arg;
    struct http_request *req = l->req;
    login_free_secret(l);
    if (!ok || !l->has_user) {
        const char *params[] = {l->username, req->client_addr, l->has_user ? l->user_id : NULL};
        struct db_job *job = api_write_job(req, "login_failed");
        db_job_add(job, &login_failed, 3, params);
        api_db_run(req, job, 0, invalid_credentials);
        return;
    }
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    char token[64];
    sodium_bin2base64(token, sizeof token, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    char token_hash[65], ttl[16];
    access_token_hash(token, token_hash);
    snprintf(ttl, sizeof ttl, "%d", app_config()->token_ttl_s);
    const char *params[] = {token_hash, l->user_id, ttl, req->client_addr, token};
    struct db_job *job = api_write_job(req, "login");
    db_job_add(job, &login_succeeded, 5, params);
    sodium_memzero(token, sizeof token);
    api_db_run(req, job, 0, succeeded_done);
}

static void lookup_done(struct http_request *req, struct db_job *job)
{
    struct login *l = req->state;
    PGresult *res = db_job_result(job, 0);
    const struct config *cfg = app_config();
    long user_failures = atol(PQgetvalue(res, 0, 0));
    long addr_failures = atol(PQgetvalue(res, 0, 1));
    bool user_locked = user_failures >= cfg->login_max_failures;
    if (user_locked || addr_failures >= (long)cfg->login_max_failures * 5) {
        login_free_secret(l);
        /* Retry when the limit that was hit frees up. */
        http_add_header(req, "Retry-After", PQgetvalue(res, 0, user_locked ? 2 : 6));
        http_problem(req, 429, "too_many_requests", "登录失败次数过多，请稍后再试");
        return;
    }
    bool exists = !PQgetisnull(res, 0, 3);
    bool disabled = exists && strcmp(PQgetvalue(res, 0, 5), "t") == 0;
    l->has_user = exists && !disabled;
    if (exists)
        snprintf(l->user_id, sizeof l->user_id, "%s", PQgetvalue(res, 0, 3));
    /* Unknown and disabled accounts are checked against a dummy hash: same time, same answer. */
    const char *hash = l->has_user ? PQgetvalue(res, 0, 4) : hasher_dummy_hash();
    struct app_worker *w = req->app;
    if (!hasher_submit(w->base, hash, l->password, verified, l)) {
        login_free_secret(l);
        http_add_header(req, "Retry-After", "1");
        http_problem(req, 429, "too_many_requests", "同时登录的请求过多，请稍后再试");
    }
}

static bool string_field(struct http_request *req, const cJSON *body, const char *name, size_t max,
                         const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
    if (!cJSON_IsString(v) || v->valuestring[0] == '\0' || strlen(v->valuestring) > max) {
        cJSON *errors = cJSON_CreateArray();
        problem_add_field(errors, name, v ? "invalid" : "required", v ? "应为非空字符串" : "必填");
        http_problem_errors(req, 400, "validation_failed", NULL, errors);
        return false;
    }
    *out = v->valuestring;
    return true;
}

static void handle_login(struct http_request *req)
{
    cJSON *body;
    if (!http_read_json_object(req, &body))
        return;
    const cJSON *item;
    cJSON_ArrayForEach(item, body)
    {
        if (strcmp(item->string, "username") != 0 && strcmp(item->string, "password") != 0) {
            cJSON *errors = cJSON_CreateArray();
            problem_add_field(errors, item->string, "unknown_field", "不支持的字段");
            http_problem_errors(req, 400, "validation_failed", NULL, errors);
            cJSON_Delete(body);
            return;
        }
    }
    const char *username, *password;
    if (!string_field(req, body, "username", 64, &username) ||
        !string_field(req, body, "password", 256, &password)) {
        cJSON_Delete(body);
        return;
    }
    struct login *l = arena_calloc(&req->arena, sizeof *l);
    l->req = req;
    l->username = arena_strdup(&req->arena, username);
    l->password = arena_strdup(&req->arena, password);
    sodium_memzero((void *)password, strlen(password));
    cJSON_Delete(body);
    req->state = l;
    char window[16];
    snprintf(window, sizeof window, "%d", app_config()->login_window_s);
    const char *params[] = {l->username, req->client_addr, window};
    struct db_job *job = api_job(req);
    db_job_add(job, &login_lookup, 3, params);
    api_db_run(req, job, DB_RETRY_SAFE, lookup_done);
}

static void logout_done(struct http_request *req, struct db_job *job)
{
    (void)job;
    http_reply_empty(req, 204);
}

static void handle_logout(struct http_request *req)
{
    const struct auth *a = access_caller(req);
    access_forget_token(a->token_hash);
    const char *params[] = {a->token_hash};
    struct db_job *job = api_write_job(req, "logout");
    db_job_add(job, &logout_stmt, 1, params);
    api_db_run(req, job, 0, logout_done);
}

static void handle_me(struct http_request *req)
{
    const char *id = access_caller(req)->user_id;
    api_reply_json_row(req, &me_stmt, 1, &id);
}

void auth_register(struct router *r)
{
    static struct db_stmt *const stmts[] = {&login_lookup, &login_failed, &login_succeeded,
                                            &logout_stmt,  &me_stmt,      NULL};
    db_stmt_register_all(stmts);
    router_add(r, &(struct route){.method = HTTP_POST,
                                  .pattern = "/api/v1/auth/login",
                                  .handler = handle_login,
                                  .flags = ROUTE_DB,
                                  .roles = ROLES_EVERYONE});
    router_add(r, &(struct route){.method = HTTP_POST,
                                  .pattern = "/api/v1/auth/logout",
                                  .handler = handle_logout,
                                  .flags = ROUTE_DB,
                                  .roles = ROLES_SIGNED_IN});
    router_add(r, &(struct route){.method = HTTP_GET,
                                  .pattern = "/api/v1/me",
                                  .handler = handle_me,
                                  .flags = ROUTE_DB,
                                  .roles = ROLES_SIGNED_IN});
}
