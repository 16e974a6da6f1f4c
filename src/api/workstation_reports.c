/* The annual reports of academician workstations: the host enterprise or the county staff
 * fill in a year's indicators (PUT, while a draft or returned) and submit them; the city
 * reviews (return with a reason, or accept). Every step is recorded. Academician days on
 * site default to what the service activities recorded, and the excess of a claim over the
 * record is shown beside it. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/constraints.h"
#include "api/list.h"
#include "api/resource.h"

#include "domain/report_indicators.h"
#include "domain/report_workflow.h"
#include "domain/validate.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define READERS (ROLES_STAFF | ROLE_ENTERPRISE)
#define FILERS  (ROLES_STAFF | ROLE_ENTERPRISE)

/* Bounds as in domain/report_indicators.c (checked by its unit test). */
static const struct field_spec fields[] = {
    {"academician_days", FIELD_NUMBER, 0, 0, 3660, 0, NULL, 0, NULL},
    {"joint_projects_new", FIELD_INT, 0, 0, 1000, 0, NULL, 0, NULL},
    {"joint_projects_ongoing", FIELD_INT, 0, 0, 1000, 0, NULL, 0, NULL},
    {"rd_input", FIELD_NUMBER, 0, 0, 1000000, 0, NULL, 0, NULL},
    {"patents_applied", FIELD_INT, 0, 0, 1000, 0, NULL, 0, NULL},
    {"patents_granted", FIELD_INT, 0, 0, 1000, 0, NULL, 0, NULL},
    {"invention_patents_granted", FIELD_INT, 0, 0, 1000, 0, NULL, 0, NULL},
    {"new_products", FIELD_INT, 0, 0, 1000, 0, NULL, 0, NULL},
    {"standards", FIELD_INT, 0, 0, 1000, 0, NULL, 0, NULL},
    {"papers", FIELD_INT, 0, 0, 1000, 0, NULL, 0, NULL},
    {"new_product_revenue", FIELD_NUMBER, 0, 0, 1000000, 0, NULL, 0, NULL},
    {"talents_trained", FIELD_INT, 0, 0, 10000, 0, NULL, 0, NULL},
    {"awards", FIELD_INT, 0, 0, 1000, 0, NULL, 0, NULL},
    {"summary", FIELD_TEXT, 0, 0, 8000, 0, NULL, 0, NULL},
    {"id", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"workstation_id", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"year", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"status", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"status_label", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"recorded_academician_days", FIELD_NUMBER, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"academician_days_excess", FIELD_NUMBER, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"created_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"updated_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"version", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

static const struct field_spec reason_optional[] = {
    {"reason", FIELD_TEXT, FIELD_NULLABLE, 0, 1000, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};
static const struct field_spec reason_required[] = {
    {"reason", FIELD_TEXT, FIELD_REQUIRED, 1, 1000, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

#define FIGURE(name, type, dflt) "coalesce((j->>'" name "')::" type ", " dflt ")"

/* The figures of a PUT in the column order of workstation_reports; absent indicators are 0,
 * absent academician days the recorded ones (d). */
// clang-format off
#define FIGURE_COLUMNS \
    "academician_days, joint_projects_new, joint_projects_ongoing, rd_input, patents_applied," \
    " patents_granted, invention_patents_granted, new_products, standards, papers," \
    " new_product_revenue, talents_trained, awards, summary"
#define FIGURE_VALUES \
    FIGURE("academician_days", "numeric", "d") ", " \
    FIGURE("joint_projects_new", "int", "0") ", " \
    FIGURE("joint_projects_ongoing", "int", "0") ", " \
    FIGURE("rd_input", "numeric", "0") ", " \
    FIGURE("patents_applied", "int", "0") ", " \
    FIGURE("patents_granted", "int", "0") ", " \
    FIGURE("invention_patents_granted", "int", "0") ", " \
    FIGURE("new_products", "int", "0") ", " \
    FIGURE("standards", "int", "0") ", " \
    FIGURE("papers", "int", "0") ", " \
    FIGURE("new_product_revenue", "numeric", "0") ", " \
    FIGURE("talents_trained", "int", "0") ", " \
    FIGURE("awards", "int", "0") ", " \
    "coalesce(j->>'summary', '')"

/* Whether the report's year ($2) is published: then nothing of it may change (0030). */
#define YEAR_PUBLISHED \
    "EXISTS (SELECT 1 FROM assessment_years y WHERE y.year = $2::int AND y.published_at IS NOT NULL)"

/* $1 station, $2 year, $3 caller, $4 fields, $5 expected version. A PUT replaces the whole
 * report. The report is created when the year has none (then If-Match must be absent), else
 * replaced while it is a draft or returned; nothing is written to a published year. Answers
 * (readable, may file, json, version, created, current status, current version, published). */
static struct db_stmt put = {
    "workstation_report_put",
    "WITH ws AS (SELECT workstation_can_read(x, $3::jsonb) AS r,"
    "           workstation_can_report(x, $3::jsonb) AS f"
    "         FROM workstations x WHERE x.id = $1::bigint AND x.archived_at IS NULL),"
    " pub AS (SELECT " YEAR_PUBLISHED " AS p),"
    " cur AS (SELECT c AS row FROM workstation_reports c"
    "         WHERE c.workstation_id = $1::bigint AND c.year = $2::int FOR UPDATE),"
    " v AS (SELECT $4::jsonb AS j, workstation_recorded_days($1::bigint, $2::int) AS d),"
    " ins AS (INSERT INTO workstation_reports (workstation_id, year, " FIGURE_COLUMNS ", created_by)"
    "  SELECT $1::bigint, $2::int, " FIGURE_VALUES ", ($3::jsonb->>'user_id')::bigint"
    "  FROM v, ws, pub WHERE ws.r AND ws.f AND NOT pub.p AND NOT EXISTS (SELECT 1 FROM cur)"
    "    AND $5::int IS NULL"
    "  ON CONFLICT ON CONSTRAINT workstation_reports_year_unique DO NOTHING"
    "  RETURNING workstation_reports AS x),"
    " hist AS (INSERT INTO workstation_report_transitions (report_id, from_status, to_status,"
    "    action, user_id, role)"
    "  SELECT (x).id, NULL, (x).status, 'create', ($3::jsonb->>'user_id')::bigint,"
    "    $3::jsonb->>'role' FROM ins),"
    " upd AS (UPDATE workstation_reports e SET (" FIGURE_COLUMNS ") = (" FIGURE_VALUES "),"
    "   updated_at = now(), version = e.version + 1"
    "   FROM v, ws, cur, pub WHERE e.id = (cur.row).id AND ws.r AND ws.f AND NOT pub.p"
    "     AND (cur.row).status IN ('draft', 'returned')"
    "     AND ($5::int IS NULL OR (cur.row).version = $5::int)"
    "   RETURNING e)"
    " SELECT coalesce((SELECT r FROM ws), false), coalesce((SELECT f FROM ws), false),"
    "  coalesce((SELECT workstation_report_json(x)::text FROM ins),"
    "           (SELECT workstation_report_json(upd.e)::text FROM upd)),"
    "  coalesce((SELECT (x).version::text FROM ins), (SELECT (upd.e).version::text FROM upd)),"
    "  EXISTS (SELECT 1 FROM ins),"
    "  (SELECT (cur.row).status FROM cur), (SELECT (cur.row).version::text FROM cur),"
    "  (SELECT p FROM pub)",
    5, 0};
// clang-format on

/* $1 station, $2 year, $3 caller. */
static struct db_stmt get = {
    "workstation_report_get",
    "SELECT workstation_report_json(r)::text, r.version::text FROM workstation_reports r"
    " JOIN workstations w ON w.id = r.workstation_id"
    " WHERE r.workstation_id = $1::bigint AND r.year = $2::int"
    "   AND workstation_can_read(w, $3::jsonb)",
    3, 0};

/* $1 station, $2 year, $3 caller, $4 expected version, $5 action, $6 the statuses it starts
 * from, $7 the status it leads to (decided by domain/report_workflow), $8 reason, $9 whether
 * it is a review (the city's) rather than the filer's. Nothing moves in a published year.
 * Answers (readable, writable, json, version, current status, current version, published). */
static struct db_stmt transition = {
    "workstation_report_transition",
    "WITH ws AS (SELECT workstation_can_read(x, $3::jsonb) AS r,"
    "           CASE WHEN $9::boolean THEN workstation_can_review($3::jsonb)"
    "                ELSE workstation_can_report(x, $3::jsonb) END AS w"
    "         FROM workstations x WHERE x.id = $1::bigint AND x.archived_at IS NULL),"
    " cur AS (SELECT c AS row FROM workstation_reports c"
    "         WHERE c.workstation_id = $1::bigint AND c.year = $2::int FOR UPDATE),"
    " upd AS (UPDATE workstation_reports e SET status = $7::text, updated_at = now(),"
    "   version = e.version + 1"
    "   FROM ws, cur WHERE e.id = (cur.row).id AND ws.r AND ws.w AND NOT " YEAR_PUBLISHED
    "     AND (cur.row).status = ANY ($6::text[])"
    "     AND ($4::int IS NULL OR e.version = $4::int)"
    "   RETURNING e),"
    " hist AS (INSERT INTO workstation_report_transitions (report_id, from_status, to_status,"
    "    action, reason, user_id, role)"
    "  SELECT (upd.e).id, (SELECT (cur.row).status FROM cur), $7::text, $5::text, $8::text,"
    "    ($3::jsonb->>'user_id')::bigint, $3::jsonb->>'role' FROM upd)"
    " SELECT coalesce((SELECT r FROM ws), false), coalesce((SELECT w FROM ws), false),"
    "  (SELECT workstation_report_json(upd.e)::text FROM upd),"
    "  (SELECT (upd.e).version::text FROM upd),"
    "  (SELECT (cur.row).status FROM cur), (SELECT (cur.row).version::text FROM cur),"
    "  " YEAR_PUBLISHED,
    9, 0};

/* $1 station, $2 caller: one row when the caller may see the station. */
static struct db_stmt visible = {"workstation_report_visible",
                                 "SELECT 1 FROM workstations w WHERE w.id = $1::bigint"
                                 "   AND workstation_can_read(w, $2::jsonb)",
                                 2, 0};

/* $1 station, $2 before year (newest first), $3 limit. */
static struct db_stmt list = {
    "workstation_report_list",
    "SELECT workstation_report_json(r)::text, r.year::text FROM workstation_reports r"
    " WHERE r.workstation_id = $1::bigint AND ($2::int IS NULL OR r.year < $2::int)"
    " ORDER BY r.year DESC LIMIT $3::int",
    3, 0};

/* $1 station, $2 year, $3 caller: one row when the report exists and may be seen. */
static struct db_stmt report_visible = {
    "workstation_report_exists",
    "SELECT r.id FROM workstation_reports r JOIN workstations w ON w.id = r.workstation_id"
    " WHERE r.workstation_id = $1::bigint AND r.year = $2::int"
    "   AND workstation_can_read(w, $3::jsonb)",
    3, 0};

/* $1 station, $2 year, $3 after transition id, $4 limit. */
static struct db_stmt history = {
    "workstation_report_history",
    "SELECT workstation_report_transition_json(t)::text, t.id::text"
    " FROM workstation_report_transitions t JOIN workstation_reports r ON r.id = t.report_id"
    " WHERE r.workstation_id = $1::bigint AND r.year = $2::int"
    "   AND ($3::bigint IS NULL OR t.id > $3::bigint)"
    " ORDER BY t.id LIMIT $4::int",
    4, 0};

/* ---- helpers ---- */

static int current_year(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return tm.tm_year + 1900;
}

/* The {year} of the path: four digits from 2000 on; anything else is a report that cannot
 * exist (404). */
static bool parse_year(struct http_request *req, const char **year)
{
    const char *v = http_param(req, "year");
    bool ok = v && strlen(v) == 4 && v[0] == '2';
    for (int i = 0; ok && i < 4; i++)
        ok = v[i] >= '0' && v[i] <= '9';
    if (!ok || atoi(v) < 2000 || atoi(v) > 2100) {
        http_problem(req, 404, "not_found", NULL);
        return false;
    }
    *year = v;
    return true;
}

/* A full report's figures (absent ones are 0) checked against each other; replies 400 with
 * every problem and returns false. */
static bool figures_consistent(struct http_request *req, const cJSON *clean)
{
    double f[IND_COUNT];
    for (int i = 0; i < IND_COUNT; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(clean, report_indicators[i].name);
        f[i] = cJSON_IsNumber(v) ? v->valuedouble : 0;
    }
    struct report_problem p[IND_COUNT];
    int n = report_indicators_check(f, p, IND_COUNT);
    if (n == 0)
        return true;
    cJSON *errors = cJSON_CreateArray();
    for (int i = 0; i < n && i < IND_COUNT; i++)
        problem_add_field(errors, p[i].field, p[i].code, p[i].message);
    http_problem_errors(req, 400, "validation_failed", p[0].message, errors);
    return false;
}

/* ---- reads ---- */

static void handle_get(struct http_request *req)
{
    const char *id, *year;
    if (!api_parse_id(req, "id", &id) || !parse_year(req, &year))
        return;
    struct query q;
    static const char *const allowed[] = {NULL};
    if (!api_parse_query(req, allowed, &q))
        return;
    const char *params[] = {id, year, api_caller_json(req)};
    api_reply_json_row(req, &get, 3, params);
}

struct page_call {
    struct list_params lp;
};

static void page_done(struct http_request *req, struct db_job *job)
{
    struct page_call *pc = req->state;
    if (PQntuples(db_job_result(job, 0)) == 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    api_reply_page(req, db_job_result(job, 1), &pc->lp, 1);
}

/* Parses limit and cursor (one integer key); replies 400 and returns NULL. */
static struct page_call *page_params(struct http_request *req)
{
    static const char *const allowed[] = {NULL};
    struct page_call *pc = arena_calloc(&req->arena, sizeof *pc);
    if (!api_list_params(req, allowed, 1, &pc->lp))
        return NULL;
    if (pc->lp.nkeys && !list_is_integer(pc->lp.keys[0])) {
        api_param_error(req, "cursor", "cursor 无效，请使用上一页返回的 next_cursor");
        return NULL;
    }
    req->state = pc;
    return pc;
}

static void handle_list(struct http_request *req)
{
    const char *id;
    if (!api_parse_id(req, "id", &id))
        return;
    struct page_call *pc = page_params(req);
    if (pc == NULL)
        return;
    const char *vis[] = {id, api_caller_json(req)};
    const char *params[] = {id, pc->lp.nkeys ? pc->lp.keys[0] : NULL, pc->lp.limit_plus_one};
    struct db_job *job = api_job(req);
    db_job_add(job, &visible, 2, vis);
    db_job_add(job, &list, 3, params);
    api_db_run(req, job, DB_RETRY_SAFE, page_done);
}

static void handle_history(struct http_request *req)
{
    const char *id, *year;
    if (!api_parse_id(req, "id", &id) || !parse_year(req, &year))
        return;
    struct page_call *pc = page_params(req);
    if (pc == NULL)
        return;
    const char *vis[] = {id, year, api_caller_json(req)};
    const char *params[] = {id, year, pc->lp.nkeys ? pc->lp.keys[0] : NULL, pc->lp.limit_plus_one};
    struct db_job *job = api_job(req);
    db_job_add(job, &report_visible, 3, vis);
    db_job_add(job, &history, 4, params);
    api_db_run(req, job, DB_RETRY_SAFE, page_done);
}

/* ---- filing ---- */

static void reply_published(struct http_request *req)
{
    http_problem(req, 409, "assessment_published", "该年度考核已发布，年度报告不能再修改");
}

struct put_call {
    const char *version;
};

static void put_done(struct http_request *req, struct db_job *job)
{
    struct put_call *pc = req->state;
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
        http_problem(req, 403, "forbidden", "您可以查看此工作站，但无权填报其年度报告");
        return;
    }
    if (!PQgetisnull(res, 0, 2)) {
        api_set_etag(req, PQgetvalue(res, 0, 3));
        http_reply_json_text(req, strcmp(PQgetvalue(res, 0, 4), "t") == 0 ? 201 : 200,
                             PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2));
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 7), "t") == 0) {
        reply_published(req);
        return;
    }
    bool exists = !PQgetisnull(res, 0, 5);
    if (pc->version && (!exists || strcmp(PQgetvalue(res, 0, 6), pc->version) != 0)) {
        http_problem(req, 412, "precondition_failed", NULL);
        return;
    }
    enum report_status now;
    if (exists && report_status_parse(PQgetvalue(res, 0, 5), &now) &&
        !report_status_editable(now)) {
        http_problem(
            req, 409, "invalid_transition",
            arena_printf(&req->arena,
                         "年度报告当前状态为“%s”，不能修改：只有草稿或被退回的报告可以修改",
                         report_status_label(now)));
        return;
    }
    http_problem(req, 409, "conflict", "年度报告正被他人同时填报，请刷新后重试");
}

static void handle_put(struct http_request *req)
{
    const char *id, *year, *version;
    if (!api_parse_id(req, "id", &id) || !parse_year(req, &year) || !api_if_match(req, &version))
        return;
    if (atoi(year) > current_year()) {
        api_field_error(req, "year", "future_year", "不能填报尚未到来的年度");
        return;
    }
    cJSON *clean = api_validated_body(req, fields, VALIDATE_CREATE);
    if (clean == NULL)
        return;
    if (!figures_consistent(req, clean)) {
        cJSON_Delete(clean);
        return;
    }
    struct put_call *pc = arena_calloc(&req->arena, sizeof *pc);
    pc->version = version;
    req->state = pc;
    const char *params[] = {id, year, api_caller_json(req), api_json_text(req, clean), version};
    cJSON_Delete(clean);
    struct db_job *job = api_write_job(req, NULL);
    db_job_add(job, &put, 5, params);
    api_db_run(req, job, 0, put_done);
}

/* ---- the workflow ---- */

struct transition_call {
    enum report_action action;
    const char *version;
};

static void transition_done(struct http_request *req, struct db_job *job)
{
    struct transition_call *tc = req->state;
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0 || PQgetisnull(res, 0, 4)) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
        http_problem(req, 403, "forbidden",
                     report_action_is_review(tc->action) ? "年度报告由市科协审核"
                                                         : "您可以查看此年度报告，但无权提交");
        return;
    }
    if (!PQgetisnull(res, 0, 2)) {
        api_set_etag(req, PQgetvalue(res, 0, 3));
        http_reply_json_text(req, 200, PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2));
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 6), "t") == 0) {
        reply_published(req);
        return;
    }
    if (tc->version && strcmp(PQgetvalue(res, 0, 5), tc->version) != 0) {
        http_problem(req, 412, "precondition_failed", NULL);
        return;
    }
    enum report_status now;
    const char *now_label =
        report_status_parse(PQgetvalue(res, 0, 4), &now) ? report_status_label(now) : "未知";
    http_problem(req, 409, "invalid_transition",
                 arena_printf(&req->arena, "年度报告当前状态为“%s”，不能执行“%s”", now_label,
                              report_action_label(tc->action)));
}

/* The optional body {"reason": "..."}; a return must give one. */
static bool read_reason(struct http_request *req, enum report_action action, const char **reason)
{
    *reason = NULL;
    bool needed = report_action_needs_reason(action);
    if (evbuffer_get_length(req->body) == 0) {
        if (!needed)
            return true;
        api_field_error(req, "reason", "required", "退回时必须说明原因");
        return false;
    }
    cJSON *clean =
        api_validated_body(req, needed ? reason_required : reason_optional, VALIDATE_CREATE);
    if (clean == NULL)
        return false;
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(clean, "reason");
    if (cJSON_IsString(r) && r->valuestring[0] != '\0')
        *reason = arena_strdup(&req->arena, r->valuestring);
    cJSON_Delete(clean);
    return true;
}

/* {"draft","returned"}: the statuses an action starts from, as a text[] literal. */
static const char *sources_literal(struct http_request *req, enum report_action action)
{
    unsigned from = report_action_sources(action);
    const char *out = "{";
    for (int s = 0; s < REPORT_STATUS_COUNT; s++)
        if (from & (1u << s))
            out = arena_printf(&req->arena, "%s%s%s", out, strlen(out) > 1 ? "," : "",
                               report_status_name((enum report_status)s));
    return arena_printf(&req->arena, "%s}", out);
}

static void transition_run(struct http_request *req, enum report_action action)
{
    const char *id, *year, *version, *reason;
    if (!api_parse_id(req, "id", &id) || !parse_year(req, &year) || !api_if_match(req, &version) ||
        !read_reason(req, action, &reason))
        return;
    struct transition_call *tc = arena_calloc(&req->arena, sizeof *tc);
    tc->action = action;
    tc->version = version;
    req->state = tc;
    const char *params[] = {id,
                            year,
                            api_caller_json(req),
                            version,
                            report_action_name(action),
                            sources_literal(req, action),
                            report_status_name(report_action_to(action)),
                            reason,
                            report_action_is_review(action) ? "true" : "false"};
    struct db_job *job = api_write_job(req, report_action_name(action));
    db_job_add(job, &transition, 9, params);
    api_db_run(req, job, 0, transition_done);
}

static void handle_submit(struct http_request *req)
{
    transition_run(req, REPORT_SUBMIT);
}

static void handle_return(struct http_request *req)
{
    transition_run(req, REPORT_RETURN);
}

static void handle_accept(struct http_request *req)
{
    transition_run(req, REPORT_ACCEPT);
}

static const struct constraint_field constraints[] = {
    {"workstation_reports_granted", 400, "patents_granted", "exceeds_applied",
     "授权专利数不能多于申请专利数"},
    {"workstation_reports_invention", 400, "invention_patents_granted", "exceeds_granted",
     "授权发明专利数不能多于授权专利总数"},
    {NULL, 0, NULL, NULL, NULL},
};

void workstation_reports_register(struct router *r)
{
    constraints_register(constraints);
    static struct db_stmt *const stmts[] = {
        &put, &get, &transition, &visible, &list, &report_visible, &history, NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_GET,
         .pattern = "/api/v1/workstations/{id}/reports",
         .handler = handle_list,
         .roles = READERS},
        {.method = HTTP_GET,
         .pattern = "/api/v1/workstations/{id}/reports/{year}",
         .handler = handle_get,
         .roles = READERS},
        {.method = HTTP_PUT,
         .pattern = "/api/v1/workstations/{id}/reports/{year}",
         .handler = handle_put,
         .roles = FILERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/workstations/{id}/reports/{year}/submit",
         .handler = handle_submit,
         .roles = FILERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/workstations/{id}/reports/{year}/return",
         .handler = handle_return,
         .roles = ROLES_STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/workstations/{id}/reports/{year}/accept",
         .handler = handle_accept,
         .roles = ROLES_STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/workstations/{id}/reports/{year}/history",
         .handler = handle_history,
         .roles = READERS},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
