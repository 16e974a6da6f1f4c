/* Glue between requests and the pool: deadlines, failure replies, common single-row reads. */
#include "api/api_db.h"

#include "api/access.h"
#include "api/app.h"
#include "api/constraints.h"
#include "api/sqlstate_map.h"
#include "core/log.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct db_job *api_job(struct http_request *req)
{
    struct app_worker *w = req->app;
    return db_job_new(w->pool);
}

struct db_snapshot *api_snapshot(struct http_request *req)
{
    struct app_worker *w = req->app;
    return db_snapshot_new(w->pool);
}

void api_reply_db_failure(struct http_request *req, struct db_job *job)
{
    switch (db_job_status(job)) {
    case DB_OK:
        http_problem(req, 500, "internal", NULL);
        return;
    case DB_UNAVAILABLE:
    case DB_CANCELLED:
        http_problem(req, 503, "db_unavailable", NULL);
        return;
    case DB_OVERLOADED:
        http_problem(req, 503, "overloaded", NULL);
        return;
    case DB_TIMEOUT:
        http_problem(req, 504, "db_timeout", NULL);
        return;
    case DB_SCHEMA_BEHIND:
        http_problem(req, 503, "schema_behind", NULL);
        return;
    case DB_ERROR:
        break;
    }
    const char *state = db_job_sqlstate(job);
    const struct constraint_field *cf = constraint_lookup(db_job_constraint(job));
    if (cf != NULL) {
        cJSON *errors = cJSON_CreateArray();
        problem_add_field(errors, cf->field, cf->code, cf->message);
        http_problem_errors(req, cf->status, cf->status == 409 ? "conflict" : "validation_failed",
                            cf->message, errors);
        return;
    }
    struct sqlstate_problem p = sqlstate_to_problem(state);
    /* The one SK409 with a type of its own: a write to a published assessment year, refused
     * by migration 0030's triggers (a write the statement's own checks did not see coming). */
    const char *constraint = db_job_constraint(job);
    if (p.status == 409 && p.use_server_message && constraint != NULL &&
        strcmp(constraint, "assessment_published") == 0)
        p.code = "assessment_published";
    if (p.status >= 500 && strcmp(p.code, "internal") == 0) {
        /* A server-side bug, not the client's fault: keep the message for operators. */
        struct log_field f[] = {{"request_id", req->request_id},
                                {"sqlstate", state},
                                {"route", req->route ? req->route->pattern : ""},
                                {"error", db_job_message(job)}};
        log_emit(LOG_ERROR, "database error", f, 4);
    }
    if (p.use_server_message) {
        /* PostgreSQL prefixes "ERROR:  " and appends a newline. */
        const char *msg = db_job_message(job);
        const char *colon = strstr(msg, ":  ");
        char *detail = arena_strdup(&req->arena, colon ? colon + 3 : msg);
        size_t n = strlen(detail);
        while (n > 0 && (detail[n - 1] == '\n' || detail[n - 1] == ' '))
            detail[--n] = '\0';
        http_problem(req, p.status, p.code, detail);
        return;
    }
    http_problem(req, p.status, p.code, NULL);
}

struct api_call {
    struct http_request *req;
    api_db_done_fn done;
};

static void run_done(struct db_job *job, void *arg)
{
    struct api_call *call = arg;
    if (db_job_status(job) != DB_OK) {
        api_reply_db_failure(call->req, job);
        return;
    }
    call->done(call->req, job);
}

void api_db_run(struct http_request *req, struct db_job *job, unsigned flags, api_db_done_fn done)
{
    struct api_call *call = arena_alloc(&req->arena, sizeof *call);
    call->req = req;
    call->done = done;
    db_job_run(job, app_config()->request_deadline_ms, flags | DB_NEEDS_SCHEMA, run_done, call);
}

void api_reply_row(struct http_request *req, struct db_job *job, int i, int status)
{
    PGresult *res = db_job_result(job, i);
    if (res == NULL || PQntuples(res) == 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    if (PQnfields(res) > 1 && !PQgetisnull(res, 0, 1))
        api_set_etag(req, PQgetvalue(res, 0, 1));
    http_reply_json_text(req, status, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
}

static void json_row_done(struct http_request *req, struct db_job *job)
{
    api_reply_row(req, job, 0, 200);
}

void api_reply_json_row(struct http_request *req, const struct db_stmt *stmt, int nparams,
                        const char *const *values)
{
    struct db_job *job = api_job(req);
    db_job_add(job, stmt, nparams, values);
    api_db_run(req, job, DB_RETRY_SAFE, json_row_done);
}

static struct db_stmt write_context = {
    "write_context",
    "SELECT set_config('siku.user_id', coalesce($1, ''), true),"
    " set_config('siku.role', $2, true), set_config('siku.request_id', $3, true),"
    " set_config('siku.route', $4, true), set_config('siku.client', $5, true),"
    " set_config('siku.action', coalesce($6, ''), true)",
    6, 0};

static struct db_job *with_write_context(struct http_request *req, struct db_job *job,
                                         const char *action)
{
    const struct auth *a = access_caller(req);
    char route[256];
    snprintf(route, sizeof route, "%s %s", http_method_name(req->head.method),
             req->route ? req->route->pattern : "");
    const char *params[] = {a->user_id, role_name(a->role), req->request_id,
                            route,      req->client_addr,   action};
    db_job_add(job, &write_context, 6, params);
    return job;
}

struct db_job *api_write_job(struct http_request *req, const char *action)
{
    return with_write_context(req, api_job(req), action);
}

struct db_snapshot *api_session(struct http_request *req)
{
    struct app_worker *w = req->app;
    return db_session_new(w->pool);
}

struct db_job *api_session_write_job(struct http_request *req, struct db_snapshot *session,
                                     const char *action)
{
    return with_write_context(req, db_snapshot_job(session), action);
}

void api_db_register(void)
{
    db_stmt_register(&write_context);
}

bool api_if_match(struct http_request *req, const char **version)
{
    *version = NULL;
    const char *h = http_header(req, "If-Match");
    if (h == NULL || strcmp(h, "*") == 0)
        return true;
    const char *p = h;
    if (strncmp(p, "W/", 2) == 0)
        p += 2;
    if (*p == '"')
        p++;
    char digits[16];
    size_t n = 0;
    while (*p >= '0' && *p <= '9' && n < sizeof digits - 1)
        digits[n++] = *p++;
    digits[n] = '\0';
    if (*p == '"')
        p++;
    if (n == 0 || *p != '\0') {
        cJSON *errors = cJSON_CreateArray();
        problem_add_field(errors, "If-Match", "invalid", "If-Match 应为记录的 ETag，如 \"3\"");
        http_problem_errors(req, 400, "bad_request", "If-Match 请求头格式无效", errors);
        return false;
    }
    *version = arena_strdup(&req->arena, digits);
    return true;
}

void api_set_etag(struct http_request *req, const char *version)
{
    char etag[32];
    snprintf(etag, sizeof etag, "\"%s\"", version);
    http_add_header(req, "ETag", etag);
}

bool api_parse_id(struct http_request *req, const char *name, const char **id)
{
    const char *v = http_param(req, name);
    size_t n = v ? strlen(v) : 0;
    bool ok = n > 0 && n <= 15 && v[0] != '0';
    for (size_t i = 0; ok && i < n; i++)
        ok = v[i] >= '0' && v[i] <= '9';
    if (!ok) {
        http_problem(req, 404, "not_found", NULL);
        return false;
    }
    *id = v;
    return true;
}
