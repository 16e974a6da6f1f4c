/* Authentication and route-level authorization, before any handler work. Record-level scope
 * (region, owner) is checked by each handler's SQL with the caller's binding. */
#include "api/access.h"

#include "api/api_db.h"
#include "api/app.h"
#include "api/read_cache.h"
#include "core/lru.h"
#include "http/problem.h"
#include "http/request.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct auth anonymous = {.role = ROLE_ANON};

static struct db_stmt session_lookup = {
    "session_lookup",
    "SELECT u.id::text, u.role, u.username, u.region_code, u.enterprise_id::text,"
    " u.expert_id::text, extract(epoch FROM s.expires_at - now())::float8"
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

/* ---- the session cache ----
 * A token found valid is kept (api/read_cache.h) until its session or its user changes (a
 * notification evicts it), its expiry passes, or the listener is lost. An entry is the
 * caller's role and bindings, one line each ('+' value, or '-' for none), tagged with the
 * user id so that a change to the user evicts all of its sessions. */

static void *arena_alloc_cb(void *ctx, size_t n)
{
    return arena_alloc(ctx, n);
}

static char *take_line(char **p)
{
    char *line = *p, *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = line + strlen(line);
    }
    return line[0] == '+' ? line + 1 : NULL;
}

void access_forget_token(const char *token_hash)
{
    read_cache_forget_session(token_hash);
}

void access_forget_user(const char *user_id)
{
    read_cache_forget_user(user_id);
}

static void cache_store(struct lru *c, uint64_t gen, const struct auth *a, double seconds_left)
{
    if (c == NULL || seconds_left <= 0 || a->user_id == NULL)
        return;
    char buf[512];
    const char *f[] = {a->user_id, a->username, a->region_code, a->enterprise_id, a->expert_id};
    int n = snprintf(buf, sizeof buf, "%d", (int)a->role);
    for (size_t i = 0; i < sizeof f / sizeof f[0] && n > 0 && (size_t)n < sizeof buf; i++)
        n +=
            snprintf(buf + n, sizeof buf - (size_t)n, "\n%c%s", f[i] ? '+' : '-', f[i] ? f[i] : "");
    if (n <= 0 || (size_t)n >= sizeof buf)
        return;
    uint64_t expires = read_cache_now_ns() + (uint64_t)(seconds_left * 1e9);
    (void)lru_put(c, a->token_hash, buf, (size_t)n, a->user_id, expires, gen);
}

/* Fills a from the cache; false when absent, expired or the cache is off. */
static bool cache_find(struct http_request *req, struct auth *a)
{
    struct lru *c = read_cache_sessions();
    size_t len;
    char *v = c ? lru_get(c, a->token_hash, read_cache_now_ns(), arena_alloc_cb, &req->arena, &len)
                : NULL;
    if (v == NULL)
        return false;
    char *nl = strchr(v, '\n');
    if (nl == NULL)
        return false;
    *nl = '\0';
    a->role = (enum role)atoi(v);
    v = nl + 1;
    a->user_id = take_line(&v);
    a->username = take_line(&v);
    a->region_code = take_line(&v);
    a->enterprise_id = take_line(&v);
    a->expert_id = take_line(&v);
    return true;
}

struct session_fill {
    struct lru *cache;
    uint64_t gen;
    void *saved_state;
};

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
    struct session_fill *fill = req->state;
    cache_store(fill->cache, fill->gen, a, atof(PQgetvalue(res, 0, 6)));
    req->state = fill->saved_state;
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
    if (cache_find(req, a)) {
        req->log_user = a->user_id;
        authorize_and_run(req);
        return;
    }
    /* Noted before asking: a session changed while the answer travels is not kept. */
    struct session_fill *fill = arena_alloc(&req->arena, sizeof *fill);
    fill->cache = read_cache_sessions();
    fill->gen = fill->cache ? lru_generation(fill->cache) : 0;
    fill->saved_state = req->state;
    req->state = fill;
    const char *params[] = {a->token_hash};
    struct db_job *job = api_job(req);
    db_job_add(job, &session_lookup, 1, params);
    api_db_run(req, job, DB_RETRY_SAFE, session_done);
}

void access_register(void)
{
    db_stmt_register(&session_lookup);
}
