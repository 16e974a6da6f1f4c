/* Matches: staff turn a ranked expert into a match on a demand, and move it through
 * proposed → contacted → accepted | declined → cooperating → closed (domain/match_workflow);
 * the expert answers their own; the enterprise sees its demands' matches; a cooperating match
 * becomes a project. Every step is kept (GET /api/v1/matches/{id}/history), and the demand
 * follows its matches forward (published → matching → matched → cooperating). */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/constraints.h"
#include "api/list.h"
#include "api/resource.h"
#include "api/search.h"

#include "domain/match_workflow.h"
#include "domain/validate.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>

static const char *const project_kinds[] = {
    "workstation", "industry_university", "soft_science", "transfer", "other", NULL};

static const struct field_spec create_fields[] = {
    {"expert_id", FIELD_INT, FIELD_REQUIRED, 1, 999999999999999LL, 0, NULL, 0, NULL},
    {"note", FIELD_TEXT, FIELD_NULLABLE, 0, 2000, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

static const struct field_spec patch_fields[] = {
    {"status", FIELD_ENUM, FIELD_REQUIRED, 0, 0, 0, match_status_names, 0, NULL},
    {"reason", FIELD_TEXT, FIELD_NULLABLE, 0, 1000, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

static const struct field_spec project_fields[] = {
    {"title", FIELD_STRING, FIELD_NULLABLE, 1, 200, 0, NULL, 0, NULL},
    {"kind", FIELD_ENUM, FIELD_NULLABLE, 0, 0, 0, project_kinds, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

/* ---- statements ---- */

/* $1 demand id, $2 caller: the demand's text and whether the caller runs its matching. */
static struct db_stmt demand_for_match = {
    "match_demand_for_create",
    "SELECT concat_ws(' ', d.title, d.description, array_to_string(d.keywords, ' ')),"
    "  demand_matching_staff(d, $2::jsonb)"
    " FROM demands d WHERE d.id = $1::bigint AND d.archived_at IS NULL",
    2, 0};

/* $1 demand, $2 expert, $3 note, $4 caller, $5 tsquery. The score and reasons are those the
 * ranking gives this expert now. Answers (open, offerable, json, version, id). */
static struct db_stmt insert = {
    "match_insert",
    "WITH d AS (SELECT * FROM demands WHERE id = $1::bigint),"
    " chk AS (SELECT (SELECT status FROM d) IN ('published', 'matching', 'matched',"
    "                 'cooperating') AS open,"
    "   EXISTS (SELECT 1 FROM experts e WHERE e.id = $2::bigint AND e.archived_at IS NULL"
    "           AND e.consent AND e.available AND e.status <> 'deceased') AS offerable),"
    " ins AS (INSERT INTO matches (demand_id, expert_id, score, reasons, note, created_by)"
    "   SELECT $1::bigint, $2::bigint, (h.hit->>'score')::real, h.hit->'reasons', $3::text,"
    "     ($4::jsonb->>'user_id')::bigint"
    "   FROM chk LEFT JOIN LATERAL match_hits($1::bigint, $5::tsquery,"
    "     jsonb_build_object('expert_id', $2::bigint), 1) h ON true"
    "   WHERE chk.open AND chk.offerable"
    "   ON CONFLICT (demand_id, expert_id) DO NOTHING RETURNING matches AS m),"
    " tr AS (INSERT INTO match_transitions (match_id, from_status, to_status, reason, user_id,"
    "    role) SELECT (ins.m).id, NULL, 'proposed', $3::text, ($4::jsonb->>'user_id')::bigint,"
    "    $4::jsonb->>'role' FROM ins),"
    " dm AS (SELECT demand_follow_match($1::bigint, 'matching', $4::jsonb) FROM ins)"
    " SELECT chk.open, chk.offerable, (SELECT match_json(ins.m)::text FROM ins),"
    "  (SELECT (ins.m).version::text FROM ins), (SELECT (ins.m).id::text FROM ins),"
    "  (SELECT count(*) FROM dm)"
    " FROM chk",
    5, 0};

/* $1 id, $2 caller. */
static struct db_stmt get = {"match_get",
                             "SELECT match_json(m)::text, m.version::text FROM matches m"
                             " WHERE m.id = $1::bigint AND match_can_read(m, $2::jsonb)",
                             2, 0};

/* $1 id, $2 caller: the match as the workflow needs it. */
static struct db_stmt state = {
    "match_state",
    "SELECT m.status, m.version::text, m.expert_id = ($2::jsonb->>'expert')::bigint,"
    "  demand_matching_staff(d, $2::jsonb)"
    " FROM matches m JOIN demands d ON d.id = m.demand_id"
    " WHERE m.id = $1::bigint AND match_can_read(m, $2::jsonb)",
    2, 0};

/* $1 id, $2 caller, $3 from, $4 to, $5 reason, $6 expected version, $7 the demand's status
 * after (or NULL). Answers (json, version) when the match was still in $3 at $6. */
static struct db_stmt transition = {
    "match_transition",
    "WITH upd AS (UPDATE matches m SET status = $4::text, updated_at = now(),"
    "   version = m.version + 1"
    "   WHERE m.id = $1::bigint AND m.status = $3::text AND m.version = $6::int"
    "   RETURNING m),"
    " tr AS (INSERT INTO match_transitions (match_id, from_status, to_status, reason, user_id,"
    "    role) SELECT (upd.m).id, $3::text, $4::text, $5::text, ($2::jsonb->>'user_id')::bigint,"
    "    $2::jsonb->>'role' FROM upd),"
    " dm AS (SELECT demand_follow_match((upd.m).demand_id, $7::text, $2::jsonb) FROM upd"
    "   WHERE $7::text IS NOT NULL)"
    " SELECT (SELECT match_json(upd.m)::text FROM upd), (SELECT (upd.m).version::text FROM upd),"
    "  (SELECT count(*) FROM dm)",
    7, 0};

/* $1 id, $2 caller: one row when the caller may see the match. */
static struct db_stmt visible = {"match_visible",
                                 "SELECT 1 FROM matches m WHERE m.id = $1::bigint"
                                 "   AND match_can_read(m, $2::jsonb)",
                                 2, 0};

/* $1 id, $2 caller, $3 after transition id, $4 limit. */
static struct db_stmt history = {
    "match_history",
    "SELECT match_transition_json(t)::text, t.id::text FROM match_transitions t"
    " WHERE t.match_id = $1::bigint"
    "   AND EXISTS (SELECT 1 FROM matches m WHERE m.id = $1::bigint"
    "               AND match_can_read(m, $2::jsonb))"
    "   AND ($3::bigint IS NULL OR t.id > $3::bigint)"
    " ORDER BY t.id LIMIT $4::int",
    4, 0};

/* $1 caller, $2 demand, $3 expert, $4 status, $5 after id, $6 limit. */
static struct db_stmt list = {"match_list",
                              "SELECT match_json(m)::text, m.id::text FROM matches m"
                              " WHERE match_can_read(m, $1::jsonb)"
                              "   AND ($2::bigint IS NULL OR m.demand_id = $2::bigint)"
                              "   AND ($3::bigint IS NULL OR m.expert_id = $3::bigint)"
                              "   AND ($4::text IS NULL OR m.status = $4::text)"
                              "   AND ($5::bigint IS NULL OR m.id > $5::bigint)"
                              " ORDER BY m.id LIMIT $6::int",
                              6, 0};

/* $1 match, $2 caller, $3 title, $4 kind. A cooperating match without a project gets one:
 * the demand's enterprise leads it, the expert is its lead member, and it starts applied.
 * Answers (found, writable, cooperating, free, json, id). */
static struct db_stmt make_project = {
    "match_make_project",
    "WITH cur AS (SELECT m, d FROM matches m JOIN demands d ON d.id = m.demand_id"
    "   WHERE m.id = $1::bigint AND match_can_read(m, $2::jsonb) FOR UPDATE OF m),"
    " chk AS (SELECT demand_matching_staff(cur.d, $2::jsonb) AS w,"
    "   (cur.m).status = 'cooperating' AS ready, (cur.m).project_id IS NULL AS free FROM cur),"
    " p AS (INSERT INTO projects (title, summary, kind, lead_enterprise_id, demand_id,"
    "    region_code, industry_code, keywords, created_by)"
    "  SELECT coalesce($3::text, (cur.d).title), (cur.d).description,"
    "    coalesce($4::text, 'industry_university'), (cur.d).enterprise_id, (cur.d).id,"
    "    (cur.d).region_code, (cur.d).industry_code, (cur.d).keywords,"
    "    ($2::jsonb->>'user_id')::bigint"
    "  FROM cur, chk WHERE chk.w AND chk.ready AND chk.free RETURNING projects AS p),"
    " mem AS (INSERT INTO project_members (project_id, expert_id, role)"
    "  SELECT (p.p).id, (cur.m).expert_id, 'lead' FROM p, cur),"
    " hist AS (INSERT INTO project_transitions (project_id, from_status, to_status, action,"
    "    reason, user_id, role)"
    "  SELECT (p.p).id, NULL, 'applied', 'create', '由专家匹配 #' || $1::text || ' 生成',"
    "    ($2::jsonb->>'user_id')::bigint, $2::jsonb->>'role' FROM p),"
    " mu AS (UPDATE matches m SET project_id = (p.p).id, updated_at = now(),"
    "    version = m.version + 1 FROM p WHERE m.id = $1::bigint)"
    " SELECT EXISTS (SELECT 1 FROM cur), coalesce((SELECT w FROM chk), false),"
    "  coalesce((SELECT ready FROM chk), false), coalesce((SELECT free FROM chk), false),"
    "  (SELECT project_json(p.p)::text FROM p), (SELECT (p.p).id::text FROM p)",
    4, 0};

/* ---- create ---- */

struct create_call {
    const char *demand;
    const char *expert;
    const char *note;
};

static void insert_done(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        http_problem(req, 409, "invalid_transition", "需求尚未发布或已结束，不能推荐专家");
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
        cJSON *errors = cJSON_CreateArray();
        problem_add_field(errors, "expert_id", "not_offerable",
                          "该专家不存在、已归档、未同意推荐或暂不可用");
        http_problem_errors(req, 409, "conflict", "该专家不能被推荐", errors);
        return;
    }
    if (PQgetisnull(res, 0, 2)) {
        cJSON *errors = cJSON_CreateArray();
        problem_add_field(errors, "expert_id", "duplicate", "该专家已推荐给此需求");
        http_problem_errors(req, 409, "conflict", "该专家已推荐给此需求", errors);
        return;
    }
    api_set_etag(req, PQgetvalue(res, 0, 3));
    http_add_header(req, "Location",
                    arena_printf(&req->arena, "/api/v1/matches/%s", PQgetvalue(res, 0, 4)));
    http_reply_json_text(req, 201, PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2));
}

static void create_ready(struct http_request *req, const char *tsquery)
{
    struct create_call *cc = req->state;
    const char *params[] = {cc->demand, cc->expert, cc->note, api_caller_json(req), tsquery};
    struct db_job *job = api_write_job(req, "match");
    db_job_add(job, &insert, 5, params);
    api_db_run(req, job, 0, insert_done);
}

static void demand_read(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, 0);
    if (PQntuples(res) == 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
        http_problem(req, 403, "forbidden", "县（市、区）科协工作人员只能为本地区的需求推荐专家");
        return;
    }
    api_search_prepare(req, arena_strdup(&req->arena, PQgetvalue(res, 0, 0)), QUERY_ANY,
                       create_ready);
}

static void handle_create(struct http_request *req)
{
    struct create_call *cc = arena_calloc(&req->arena, sizeof *cc);
    if (!api_parse_id(req, "id", &cc->demand))
        return;
    cJSON *clean = api_validated_body(req, create_fields, VALIDATE_CREATE);
    if (clean == NULL)
        return;
    const cJSON *expert = cJSON_GetObjectItemCaseSensitive(clean, "expert_id");
    const cJSON *note = cJSON_GetObjectItemCaseSensitive(clean, "note");
    cc->expert = arena_printf(&req->arena, "%.0f", expert->valuedouble);
    cc->note = cJSON_IsString(note) ? arena_strdup(&req->arena, note->valuestring) : NULL;
    cJSON_Delete(clean);
    req->state = cc;
    const char *params[] = {cc->demand, api_caller_json(req)};
    struct db_job *job = api_job(req);
    db_job_add(job, &demand_for_match, 2, params);
    api_db_run(req, job, DB_RETRY_SAFE, demand_read);
}

/* ---- reads ---- */

static void handle_get(struct http_request *req)
{
    const char *id;
    if (!api_parse_id(req, "id", &id))
        return;
    const char *params[] = {id, api_caller_json(req)};
    api_reply_json_row(req, &get, 2, params);
}

static void page_done(struct http_request *req, struct db_job *job)
{
    const struct list_params *lp = req->state;
    api_reply_page(req, db_job_result(job, 0), lp, 1);
}

static bool id_filter(struct http_request *req, const struct query *q, const char *key)
{
    const char *v = query_get(q, key);
    return v == NULL || list_is_integer(v) || api_param_error(req, key, "应为正整数");
}

static void handle_list(struct http_request *req)
{
    static const char *const allowed[] = {"demand_id", "expert_id", "status", NULL};
    struct list_params *lp = arena_calloc(&req->arena, sizeof *lp);
    if (!api_list_params(req, allowed, 1, lp) || !id_filter(req, &lp->query, "demand_id") ||
        !id_filter(req, &lp->query, "expert_id"))
        return;
    const char *status = query_get(&lp->query, "status");
    enum match_status s;
    if (status && !match_status_parse(status, &s)) {
        api_param_error(req, "status", "匹配状态无效");
        return;
    }
    req->state = lp;
    const char *params[] = {api_caller_json(req),
                            query_get(&lp->query, "demand_id"),
                            query_get(&lp->query, "expert_id"),
                            status,
                            lp->nkeys ? lp->keys[0] : NULL,
                            lp->limit_plus_one};
    struct db_job *job = api_job(req);
    db_job_add(job, &list, 6, params);
    api_db_run(req, job, DB_RETRY_SAFE, page_done);
}

static void history_done(struct http_request *req, struct db_job *job)
{
    if (PQntuples(db_job_result(job, 0)) == 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    const struct list_params *lp = req->state;
    api_reply_page(req, db_job_result(job, 1), lp, 1);
}

static void handle_history(struct http_request *req)
{
    const char *id;
    struct list_params *lp = arena_calloc(&req->arena, sizeof *lp);
    if (!api_parse_id(req, "id", &id) || !api_list_params(req, NULL, 1, lp))
        return;
    req->state = lp;
    const char *params[] = {id, api_caller_json(req), lp->nkeys ? lp->keys[0] : NULL,
                            lp->limit_plus_one};
    struct db_job *job = api_job(req);
    db_job_add(job, &visible, 2, params);
    db_job_add(job, &history, 4, params);
    api_db_run(req, job, DB_RETRY_SAFE, history_done);
}

/* ---- the workflow ---- */

struct patch_call {
    const char *id;
    const char *version; /* If-Match, or NULL */
    enum match_status to;
    const char *reason;
};

static void transition_done(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (PQgetisnull(res, 0, 0)) {
        http_problem(req, 409, "conflict", "匹配刚被他人修改，请刷新后重试");
        return;
    }
    api_set_etag(req, PQgetvalue(res, 0, 1));
    http_reply_json_text(req, 200, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
}

static bool verdict_ok(struct http_request *req, enum match_verdict v, enum match_status from,
                       enum match_status to)
{
    switch (v) {
    case MATCH_OK:
        return true;
    case MATCH_FORBIDDEN:
        http_problem(req, 403, "forbidden", "您无权将此匹配改为该状态");
        return false;
    case MATCH_REASON_REQUIRED:
        api_field_error(req, "reason", "required", "提前关闭匹配时必须说明原因");
        return false;
    case MATCH_NOT_ALLOWED:
    default:
        http_problem(req, 409, "invalid_transition",
                     arena_printf(&req->arena, "匹配当前状态为“%s”，不能改为“%s”",
                                  match_status_label(from), match_status_label(to)));
        return false;
    }
}

static void state_read(struct http_request *req, struct db_job *job)
{
    struct patch_call *pc = req->state;
    PGresult *res = db_job_result(job, 0);
    enum match_status from;
    if (PQntuples(res) == 0 || !match_status_parse(PQgetvalue(res, 0, 0), &from)) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    const char *current = PQgetvalue(res, 0, 1);
    enum match_actor actor = strcmp(PQgetvalue(res, 0, 3), "t") == 0   ? MATCH_BY_STAFF
                             : strcmp(PQgetvalue(res, 0, 2), "t") == 0 ? MATCH_BY_EXPERT
                                                                       : MATCH_BY_OTHER;
    if (!verdict_ok(req, match_workflow_check(from, pc->to, actor, pc->reason != NULL), from,
                    pc->to))
        return;
    if (pc->version && strcmp(pc->version, current) != 0) {
        http_problem(req, 412, "precondition_failed", NULL);
        return;
    }
    const char *params[] = {pc->id,
                            api_caller_json(req),
                            match_status_name(from),
                            match_status_name(pc->to),
                            pc->reason,
                            arena_strdup(&req->arena, current),
                            match_demand_status_after(pc->to)};
    struct db_job *write = api_write_job(req, match_status_name(pc->to));
    db_job_add(write, &transition, 7, params);
    api_db_run(req, write, 0, transition_done);
}

static void handle_patch(struct http_request *req)
{
    struct patch_call *pc = arena_calloc(&req->arena, sizeof *pc);
    if (!api_parse_id(req, "id", &pc->id) || !api_if_match(req, &pc->version))
        return;
    cJSON *clean = api_validated_body(req, patch_fields, VALIDATE_CREATE);
    if (clean == NULL)
        return;
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(clean, "status");
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(clean, "reason");
    bool known = match_status_parse(status->valuestring, &pc->to);
    if (cJSON_IsString(reason) && reason->valuestring[0] != '\0')
        pc->reason = arena_strdup(&req->arena, reason->valuestring);
    cJSON_Delete(clean);
    if (!known) { /* the field spec already refuses unknown codes */
        api_field_error(req, "status", "invalid_value", "匹配状态无效");
        return;
    }
    req->state = pc;
    const char *params[] = {pc->id, api_caller_json(req)};
    struct db_job *job = api_job(req);
    db_job_add(job, &state, 2, params);
    api_db_run(req, job, 0, state_read);
}

/* ---- a project from a match ---- */

static void project_done(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        http_problem(req, 404, "not_found", NULL);
    } else if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
        http_problem(req, 403, "forbidden", "只有负责该需求的科协工作人员可以据此立项");
    } else if (strcmp(PQgetvalue(res, 0, 2), "t") != 0) {
        http_problem(req, 409, "invalid_transition", "只有“合作中”的匹配可以生成项目");
    } else if (strcmp(PQgetvalue(res, 0, 3), "t") != 0) {
        http_problem(req, 409, "conflict", "该匹配已生成过项目");
    } else {
        http_add_header(req, "Location",
                        arena_printf(&req->arena, "/api/v1/projects/%s", PQgetvalue(res, 0, 5)));
        http_reply_json_text(req, 201, PQgetvalue(res, 0, 4), (size_t)PQgetlength(res, 0, 4));
    }
}

static void handle_project(struct http_request *req)
{
    const char *id;
    if (!api_parse_id(req, "id", &id))
        return;
    const char *title = NULL, *kind = NULL;
    if (evbuffer_get_length(req->body) > 0) {
        cJSON *clean = api_validated_body(req, project_fields, VALIDATE_CREATE);
        if (clean == NULL)
            return;
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(clean, "title");
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(clean, "kind");
        title = cJSON_IsString(t) ? arena_strdup(&req->arena, t->valuestring) : NULL;
        kind = cJSON_IsString(k) ? arena_strdup(&req->arena, k->valuestring) : NULL;
        cJSON_Delete(clean);
    }
    const char *params[] = {id, api_caller_json(req), title, kind};
    struct db_job *job = api_write_job(req, "create_project");
    db_job_add(job, &make_project, 4, params);
    api_db_run(req, job, 0, project_done);
}

static const struct constraint_field constraints[] = {
    {"matches_expert_id_fkey", 409, "expert_id", "not_offerable", "专家不存在"},
    {NULL, 0, NULL, NULL, NULL},
};

void matches_register(struct router *r)
{
    constraints_register(constraints);
    static struct db_stmt *const stmts[] = {&demand_for_match, &insert,  &get,     &state,
                                            &transition,       &visible, &history, &list,
                                            &make_project,     NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_POST,
         .pattern = "/api/v1/demands/{id}/matches",
         .handler = handle_create,
         .roles = ROLES_STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/matches",
         .handler = handle_list,
         .roles = ROLES_SIGNED_IN},
        {.method = HTTP_GET,
         .pattern = "/api/v1/matches/{id}",
         .handler = handle_get,
         .roles = ROLES_SIGNED_IN},
        {.method = HTTP_PATCH,
         .pattern = "/api/v1/matches/{id}",
         .handler = handle_patch,
         .roles = ROLES_STAFF | ROLE_EXPERT},
        {.method = HTTP_GET,
         .pattern = "/api/v1/matches/{id}/history",
         .handler = handle_history,
         .roles = ROLES_SIGNED_IN},
        {.method = HTTP_POST,
         .pattern = "/api/v1/matches/{id}/project",
         .handler = handle_project,
         .roles = ROLES_STAFF},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
