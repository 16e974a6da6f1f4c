/* Authentication and route-level authorization, before any handler work. Record-level scope
 * (region, owner) is checked by each handler's SQL with the caller's binding. */
#include "api/access.h"

#include "api/api_db.h"
#include "api/app.h"
#include "http/problem.h"
#include "http/request.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <time.h>
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
 * A token that was just found valid is trusted for session_cache_ms without asking the
 * database again: one round trip per request instead of two. Logout, disabling, password and
 * role changes made through this process forget the entries at once; another daemon notices
 * within session_cache_ms. */

struct cached_session {
    struct cached_session *next;
    char token_hash[65];
    uint64_t valid_until_ns;
    enum role role;
    char *user_id, *username, *region_code, *enterprise_id, *expert_id;
};

#define CACHE_BUCKETS 1024
#define CACHE_MAX     20000

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached_session *cache[CACHE_BUCKETS];
static int cache_count;

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned bucket_of(const char *hash)
{
    return (unsigned)strtoul(
               (char[9]){hash[0], hash[1], hash[2], hash[3], hash[4], hash[5], hash[6], hash[7], 0},
               NULL, 16) %
           CACHE_BUCKETS;
}

static void entry_free(struct cached_session *e)
{
    free(e->user_id);
    free(e->username);
    free(e->region_code);
    free(e->enterprise_id);
    free(e->expert_id);
    free(e);
}

static char *dup_opt(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Removes entries matching (token hash or user id); NULL matches nothing. Lock held. */
static void cache_remove_locked(const char *token_hash, const char *user_id)
{
    for (int b = 0; b < CACHE_BUCKETS; b++) {
        if (token_hash && (unsigned)b != bucket_of(token_hash))
            continue;
        struct cached_session **pp = &cache[b];
        while (*pp) {
            struct cached_session *e = *pp;
            bool hit = (token_hash && strcmp(e->token_hash, token_hash) == 0) ||
                       (user_id && e->user_id && strcmp(e->user_id, user_id) == 0);
            if (hit) {
                *pp = e->next;
                entry_free(e);
                cache_count--;
            } else {
                pp = &e->next;
            }
        }
    }
}

static void cache_clear_locked(void)
{
    for (int b = 0; b < CACHE_BUCKETS; b++)
        while (cache[b]) {
            struct cached_session *e = cache[b];
            cache[b] = e->next;
            entry_free(e);
        }
    cache_count = 0;
}

void access_forget_token(const char *token_hash)
{
    pthread_mutex_lock(&cache_lock);
    cache_remove_locked(token_hash, NULL);
    pthread_mutex_unlock(&cache_lock);
}

void access_forget_user(const char *user_id)
{
    pthread_mutex_lock(&cache_lock);
    cache_remove_locked(NULL, user_id);
    pthread_mutex_unlock(&cache_lock);
}

void access_cache_clear(void)
{
    pthread_mutex_lock(&cache_lock);
    cache_clear_locked();
    pthread_mutex_unlock(&cache_lock);
}

static void cache_store(const struct auth *a, double seconds_left)
{
    int ms = app_config()->session_cache_ms;
    if (ms <= 0 || seconds_left <= 0)
        return;
    double keep = (double)ms / 1000.0 < seconds_left ? (double)ms / 1000.0 : seconds_left;
    struct cached_session *e = calloc(1, sizeof *e);
    if (e == NULL)
        return;
    memcpy(e->token_hash, a->token_hash, sizeof e->token_hash);
    e->valid_until_ns = mono_ns() + (uint64_t)(keep * 1e9);
    e->role = a->role;
    e->user_id = dup_opt(a->user_id);
    e->username = dup_opt(a->username);
    e->region_code = dup_opt(a->region_code);
    e->enterprise_id = dup_opt(a->enterprise_id);
    e->expert_id = dup_opt(a->expert_id);
    pthread_mutex_lock(&cache_lock);
    cache_remove_locked(e->token_hash, NULL);
    if (cache_count >= CACHE_MAX)
        cache_clear_locked();
    unsigned b = bucket_of(e->token_hash);
    e->next = cache[b];
    cache[b] = e;
    cache_count++;
    pthread_mutex_unlock(&cache_lock);
}

/* Fills a from the cache; false when absent or stale. */
static bool cache_find(struct http_request *req, struct auth *a)
{
    if (app_config()->session_cache_ms <= 0)
        return false;
    bool found = false;
    uint64_t now = mono_ns();
    pthread_mutex_lock(&cache_lock);
    for (struct cached_session *e = cache[bucket_of(a->token_hash)]; e; e = e->next) {
        if (strcmp(e->token_hash, a->token_hash) != 0)
            continue;
        if (e->valid_until_ns > now) {
            found = true;
            a->role = e->role;
            a->user_id = e->user_id ? arena_strdup(&req->arena, e->user_id) : NULL;
            a->username = e->username ? arena_strdup(&req->arena, e->username) : NULL;
            a->region_code = e->region_code ? arena_strdup(&req->arena, e->region_code) : NULL;
            a->enterprise_id =
                e->enterprise_id ? arena_strdup(&req->arena, e->enterprise_id) : NULL;
            a->expert_id = e->expert_id ? arena_strdup(&req->arena, e->expert_id) : NULL;
        }
        break;
    }
    pthread_mutex_unlock(&cache_lock);
    return found;
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
    cache_store(a, atof(PQgetvalue(res, 0, 6)));
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
    const char *params[] = {a->token_hash};
    struct db_job *job = api_job(req);
    db_job_add(job, &session_lookup, 1, params);
    api_db_run(req, job, DB_RETRY_SAFE, session_done);
}

void access_register(void)
{
    db_stmt_register(&session_lookup);
}
