/* The audit log, for admins: every write and every read of unmasked personal data, newest
 * first, filterable by user, record, action and time. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/list.h"

#include "domain/validate.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <string.h>

static struct db_stmt audit_list = {
    "audit_list",
    "SELECT json_build_object('id', id, 'at', at, 'user_id', user_id, 'role', role,"
    "  'action', action, 'route', route, 'request_id', request_id, 'client_addr', client_addr,"
    "  'record_type', record_type, 'record_id', record_id, 'before', before,"
    "  'after', after)::text, id::text AS key1"
    " FROM audit_log"
    " WHERE ($1::bigint IS NULL OR user_id = $1::bigint)"
    "   AND ($2::text IS NULL OR record_type = $2) AND ($3::text IS NULL OR record_id = $3)"
    "   AND ($4::text IS NULL OR action = $4)"
    "   AND ($5::timestamptz IS NULL OR at >= $5::timestamptz)"
    "   AND ($6::timestamptz IS NULL OR at < $6::timestamptz)"
    "   AND ($7::bigint IS NULL OR id < $7::bigint)"
    " ORDER BY id DESC LIMIT $8::int",
    8, 0};

static void list_done(struct http_request *req, struct db_job *job)
{
    api_reply_page(req, db_job_result(job, 0), req->state, 1);
}

static void handle_list(struct http_request *req)
{
    static const char *const allowed[] = {"user_id", "record_type", "record_id", "action",
                                          "since",   "until",       NULL};
    struct list_params *lp = arena_alloc(&req->arena, sizeof *lp);
    if (!api_list_params(req, allowed, 1, lp))
        return;
    const char *user_id = query_get(&lp->query, "user_id");
    const char *since = query_get(&lp->query, "since");
    const char *until = query_get(&lp->query, "until");
    cJSON *errors = cJSON_CreateArray();
    if (user_id && !list_is_integer(user_id))
        problem_add_field(errors, "user_id", "invalid_value", "应为用户编号");
    if (since && !validate_datetime(since))
        problem_add_field(errors, "since", "invalid_value", "应为 RFC 3339 时间");
    if (until && !validate_datetime(until))
        problem_add_field(errors, "until", "invalid_value", "应为 RFC 3339 时间");
    if (lp->nkeys && !list_is_integer(lp->keys[0]))
        problem_add_field(errors, "cursor", "invalid", "cursor 无效");
    if (cJSON_GetArraySize(errors) > 0) {
        http_problem_errors(req, 400, "invalid_parameter", NULL, errors);
        return;
    }
    cJSON_Delete(errors);
    const char *params[] = {user_id,
                            query_get(&lp->query, "record_type"),
                            query_get(&lp->query, "record_id"),
                            query_get(&lp->query, "action"),
                            since,
                            until,
                            lp->nkeys ? lp->keys[0] : NULL,
                            lp->limit_plus_one};
    req->state = lp;
    struct db_job *job = api_job(req);
    db_job_add(job, &audit_list, 8, params);
    api_db_run(req, job, DB_RETRY_SAFE, list_done);
}

void audit_register(struct router *r)
{
    db_stmt_register(&audit_list);
    router_add(r, &(struct route){.method = HTTP_GET,
                                  .pattern = "/api/v1/audit-log",
                                  .handler = handle_list,
                                  .flags = ROUTE_DB,
                                  .roles = ROLE_ADMIN});
}
