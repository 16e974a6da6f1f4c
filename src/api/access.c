/* Authentication and route-level authorization, before any handler work. Record-level scope
 * (region, owner) is checked by each handler's SQL with the caller's binding. */
#include "api/access.h"

#include "api/api_db.h"
#include "api/app.h"
#include "http/problem.h"
#include "http/request.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

static const struct auth anonymous = {.role = ROLE_ANON};

static struct db_stmt session_lookup = {
    "session_lookup",
    "SELECT u.id::text, u.role, u.username, u.region_code, u.enterprise_id::text,"
    " u.expert_id::text"
    " FROM sessions s JOIN users u ON u.id = s.user_id"
    " WHERE s.token_hash = decode($1, 'hex') AND s.revoked_at IS NULL"
    "   AND s.expires_at > now() AND NOT u.disabled",
    1, 0};

const struct auth *access_caller(const struct http_request *req)
{
    return req->auth ? req->auth : &anonymous;
}

void access_token_hash(const char *token, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, 65, h, sizeof h);
}

static void unauthorized(struct http_request *req, const char *detail)
{
    http_add_header(req, "WWW-Authenticate", "Bearer realm=\"siku\"");
    http_problem(req, 401, "unauthorized", detail);
}

static void authorize_and_run(struct http_request *req)
{
    const struct auth *a = access_caller(req);
    if (!(req->route->roles & a->role)) {
        if (a->role == ROLE_ANON)
            unauthorized(req, "此接口需要登录");
        else
            http_problem(req, 403, "forbidden", NULL);
        return;
    }
    req->route->handler(req);
}

static const char *dup_or_null(struct http_request *req, PGresult *res, int col)
{
    return PQgetisnull(res, 0, col) ? NULL : arena_strdup(&req->arena, PQgetvalue(res, 0, col));
}

static void session_done(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, 0);
    if (PQntuples(res) != 1) {
        unauthorized(req, "登录已失效或令牌无效，请重新登录");
        return;
    }
    struct auth *a = req->auth;
    a->role = role_from_name(PQgetvalue(res, 0, 1));
    a->user_id = dup_or_null(req, res, 0);
    a->username = dup_or_null(req, res, 2);
    a->region_code = dup_or_null(req, res, 3);
    a->enterprise_id = dup_or_null(req, res, 4);
    a->expert_id = dup_or_null(req, res, 5);
    req->log_user = a->user_id;
    authorize_and_run(req);
}

/* Tokens are 32 random bytes in unpadded base64url: 43 characters. */
static bool token_well_formed(const char *t)
{
    if (strlen(t) != 43)
        return false;
    for (const char *p = t; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

static bool metrics_token_matches(const char *token)
{
    const char *want = app_config()->metrics_token;
    size_t n = strlen(want);
    return n >= 16 && strlen(token) == n && sodium_memcmp(token, want, n) == 0;
}

void access_dispatch(struct http_request *req)
{
    const char *header = http_header(req, "Authorization");
    if (header == NULL || (req->route->flags & ROUTE_PUBLIC)) {
        authorize_and_run(req);
        return;
    }
    if (strncasecmp(header, "Bearer ", 7) != 0) {
        unauthorized(req, "Authorization 请求头应为 Bearer 令牌");
        return;
    }
    const char *token = header + 7;
    while (*token == ' ')
        token++;
    if ((req->route->flags & ROUTE_METRICS) && metrics_token_matches(token)) {
        req->route->handler(req);
        return;
    }
    if (!token_well_formed(token)) {
        unauthorized(req, "登录已失效或令牌无效，请重新登录");
        return;
    }
    struct auth *a = arena_calloc(&req->arena, sizeof *a);
    access_token_hash(token, a->token_hash);
    req->auth = a;
    const char *params[] = {a->token_hash};
    struct db_job *job = api_job(req);
    db_job_add(job, &session_lookup, 1, params);
    api_db_run(req, job, DB_RETRY_SAFE, session_done);
}

void access_register(void)
{
    db_stmt_register(&session_lookup);
}
