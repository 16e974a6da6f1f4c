/* The project library (科技项目库): staff keep it (county staff the projects of their region)
 * and move projects through their workflow, each step recorded; the lead enterprise and the
 * member experts read the projects that concern them. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/constraints.h"
#include "api/list.h"
#include "api/list_call.h"
#include "api/resource.h"
#include "api/search.h"

#include "domain/codes.h"
#include "domain/project_workflow.h"
#include "domain/validate.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <event2/buffer.h>
#include <string.h>

static const char *const search_fields[] = {"title", "summary", "keywords", "outcome_note", NULL};
static const char *const member_roles[] = {"lead", "member", "advisor", NULL};

#define STAFF      ROLES_STAFF
#define READERS    (ROLES_STAFF | ROLE_ENTERPRISE | ROLE_EXPERT)
#define MAX_ID     999999999999999LL
#define MAX_AMOUNT 999999999999LL /* numeric(14, 2) in 万元 */
#define MAX_COUNT  1000000LL

static const struct field_spec fields[] = {
    {"title", FIELD_STRING, FIELD_REQUIRED, 1, 200, 0, NULL, STAFF, NULL},
    {"summary", FIELD_TEXT, 0, 0, 4000, 0, NULL, STAFF, NULL},
    {"kind", FIELD_ENUM, FIELD_REQUIRED, 0, 0, 0, project_kind_names, STAFF, NULL},
    {"start_date", FIELD_DATE, FIELD_NULLABLE, 0, 0, 0, NULL, STAFF, NULL},
    {"end_date", FIELD_DATE, FIELD_NULLABLE, 0, 0, 0, NULL, STAFF, NULL},
    {"funding", FIELD_NUMBER, FIELD_NULLABLE, 0, MAX_AMOUNT, 0, NULL, STAFF, NULL},
    {"lead_enterprise_id", FIELD_INT, FIELD_NULLABLE, 1, MAX_ID, 0, NULL, STAFF, NULL},
    {"workstation_id", FIELD_INT, FIELD_NULLABLE, 1, MAX_ID, 0, NULL, STAFF, NULL},
    {"demand_id", FIELD_INT, FIELD_NULLABLE, 1, MAX_ID, 0, NULL, STAFF, NULL},
    {"region_code", FIELD_STRING, 0, 6, 6, 0, NULL, STAFF, codes_check_region_code},
    {"industry_code", FIELD_STRING, FIELD_NULLABLE, 1, 3, 0, NULL, STAFF,
     codes_check_industry_code},
    {"keywords", FIELD_STRING_ARRAY, 0, 1, 32, 20, NULL, STAFF, NULL},
    {"outcome_patents", FIELD_INT, 0, 0, MAX_COUNT, 0, NULL, STAFF, NULL},
    {"outcome_papers", FIELD_INT, 0, 0, MAX_COUNT, 0, NULL, STAFF, NULL},
    {"outcome_products", FIELD_INT, 0, 0, MAX_COUNT, 0, NULL, STAFF, NULL},
    {"outcome_standards", FIELD_INT, 0, 0, MAX_COUNT, 0, NULL, STAFF, NULL},
    {"outcome_revenue", FIELD_NUMBER, 0, 0, MAX_AMOUNT, 0, NULL, STAFF, NULL},
    {"outcome_note", FIELD_TEXT, FIELD_NULLABLE, 0, 4000, 0, NULL, STAFF, NULL},
    {"id", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"kind_label", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"status", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"status_label", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"archived", FIELD_BOOL, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"archived_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"created_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"updated_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"version", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

/* The body of a workflow action: why (required for a return). */
static const struct field_spec reason_optional[] = {
    {"reason", FIELD_TEXT, FIELD_NULLABLE, 0, 1000, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};
static const struct field_spec reason_required[] = {
    {"reason", FIELD_TEXT, FIELD_REQUIRED, 1, 1000, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

static const struct field_spec member_fields[] = {
    {"expert_id", FIELD_INT, FIELD_REQUIRED, 1, MAX_ID, 0, NULL, 0, NULL},
    {"role", FIELD_ENUM, FIELD_REQUIRED, 0, 0, 0, member_roles, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

/* $1 fields, $2 terms, $3 caller; then the idempotency key columns $4..$7. The first
 * history row records who filed the project. */
static struct db_stmt insert = {
    "project_insert",
    "WITH ins AS ("
    "  INSERT INTO projects (title, summary, kind, start_date, end_date, funding,"
    "    lead_enterprise_id, workstation_id, demand_id, region_code, industry_code, keywords,"
    "    outcome_patents, outcome_papers, outcome_products, outcome_standards, outcome_revenue,"
    "    outcome_note, terms, created_by)"
    "  SELECT j->>'title', coalesce(j->>'summary', ''), j->>'kind', (j->>'start_date')::date,"
    "    (j->>'end_date')::date, (j->>'funding')::numeric, (j->>'lead_enterprise_id')::bigint,"
    "    (j->>'workstation_id')::bigint, (j->>'demand_id')::bigint,"
    "    project_region(j, $3::jsonb), j->>'industry_code',"
    "    ARRAY(SELECT jsonb_array_elements_text(coalesce(j->'keywords', '[]'))),"
    "    coalesce((j->>'outcome_patents')::int, 0), coalesce((j->>'outcome_papers')::int, 0),"
    "    coalesce((j->>'outcome_products')::int, 0), coalesce((j->>'outcome_standards')::int, 0),"
    "    coalesce((j->>'outcome_revenue')::numeric, 0), j->>'outcome_note', $2::jsonb,"
    "    ($3::jsonb->>'user_id')::bigint"
    "  FROM (SELECT $1::jsonb AS j) x RETURNING projects AS p),"
    " hist AS (INSERT INTO project_transitions (project_id, from_status, to_status, action,"
    "    user_id, role)"
    "  SELECT (p).id, NULL, (p).status, 'create', ($3::jsonb->>'user_id')::bigint,"
    "    $3::jsonb->>'role' FROM ins),"
    " idem AS (INSERT INTO idempotency_keys (user_id, key, route, request_hash, status, body,"
    "    location)"
    "  SELECT $4::bigint, $5::text, $6::text, $7::text, 201, project_json(p)::text,"
    "    '/api/v1/projects/' || (p).id FROM ins WHERE $5::text IS NOT NULL)"
    " SELECT project_json(p)::text, (p).version::text, (p).id::text FROM ins",
    7, 0};

static struct db_stmt get = {"project_get",
                             "SELECT project_json(p)::text, p.version::text FROM projects p"
                             " WHERE p.id = $1::bigint AND (p.archived_at IS NULL OR $3::boolean)"
                             "   AND project_can_read(p, $2::jsonb)",
                             3, 0};

/* $1 id, $2 fields, $3 terms, $4 expected version, $5 caller. */
static struct db_stmt patch = {
    "project_patch",
    "WITH p AS (SELECT $2::jsonb AS j),"
    " cur AS (SELECT x.id, x.version, project_can_read(x, $5::jsonb) AS r,"
    "           project_can_write(x, $5::jsonb) AS w"
    "         FROM projects x WHERE x.id = $1::bigint AND x.archived_at IS NULL),"
    " upd AS (UPDATE projects e SET"
    "   title = CASE WHEN j ? 'title' THEN j->>'title' ELSE e.title END,"
    "   summary = CASE WHEN j ? 'summary' THEN j->>'summary' ELSE e.summary END,"
    "   kind = CASE WHEN j ? 'kind' THEN j->>'kind' ELSE e.kind END,"
    "   start_date = CASE WHEN j ? 'start_date' THEN (j->>'start_date')::date"
    "                ELSE e.start_date END,"
    "   end_date = CASE WHEN j ? 'end_date' THEN (j->>'end_date')::date ELSE e.end_date END,"
    "   funding = CASE WHEN j ? 'funding' THEN (j->>'funding')::numeric ELSE e.funding END,"
    "   lead_enterprise_id = CASE WHEN j ? 'lead_enterprise_id'"
    "                        THEN (j->>'lead_enterprise_id')::bigint"
    "                        ELSE e.lead_enterprise_id END,"
    "   workstation_id = CASE WHEN j ? 'workstation_id' THEN (j->>'workstation_id')::bigint"
    "                    ELSE e.workstation_id END,"
    "   demand_id = CASE WHEN j ? 'demand_id' THEN (j->>'demand_id')::bigint"
    "               ELSE e.demand_id END,"
    "   region_code = CASE WHEN j ? 'region_code' THEN j->>'region_code' ELSE e.region_code END,"
    "   industry_code = CASE WHEN j ? 'industry_code' THEN j->>'industry_code'"
    "                   ELSE e.industry_code END,"
    "   keywords = CASE WHEN j ? 'keywords'"
    "              THEN ARRAY(SELECT jsonb_array_elements_text(j->'keywords'))"
    "              ELSE e.keywords END,"
    "   outcome_patents = CASE WHEN j ? 'outcome_patents' THEN (j->>'outcome_patents')::int"
    "                     ELSE e.outcome_patents END,"
    "   outcome_papers = CASE WHEN j ? 'outcome_papers' THEN (j->>'outcome_papers')::int"
    "                    ELSE e.outcome_papers END,"
    "   outcome_products = CASE WHEN j ? 'outcome_products' THEN (j->>'outcome_products')::int"
    "                      ELSE e.outcome_products END,"
    "   outcome_standards = CASE WHEN j ? 'outcome_standards'"
    "                       THEN (j->>'outcome_standards')::int ELSE e.outcome_standards END,"
    "   outcome_revenue = CASE WHEN j ? 'outcome_revenue' THEN (j->>'outcome_revenue')::numeric"
    "                     ELSE e.outcome_revenue END,"
    "   outcome_note = CASE WHEN j ? 'outcome_note' THEN j->>'outcome_note'"
    "                  ELSE e.outcome_note END,"
    "   terms = e.terms || $3::jsonb, updated_at = now(), version = e.version + 1"
    "   FROM p, cur WHERE e.id = cur.id AND cur.r AND cur.w"
    "     AND ($4::int IS NULL OR e.version = $4::int)"
    "   RETURNING e)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT project_json(upd.e)::text FROM upd), (SELECT (upd.e).version::text FROM upd)",
    5, 0};

/* $1 id, $2 caller, $3 expected version, $4 archive (true) or restore (false). Archiving an
 * archived record (or restoring a live one) changes nothing and answers its current state. */
static struct db_stmt archive = {
    "project_archive",
    "WITH cur AS (SELECT x AS row, project_can_read(x, $2::jsonb) AS r,"
    "           project_can_write(x, $2::jsonb) AS w"
    "         FROM projects x WHERE x.id = $1::bigint),"
    " upd AS (UPDATE projects e SET"
    "   archived_at = CASE WHEN $4::boolean THEN now() END,"
    "   archived_by = CASE WHEN $4::boolean THEN ($2::jsonb->>'user_id')::bigint END,"
    "   updated_at = now(), version = e.version + 1"
    "   FROM cur WHERE e.id = (cur.row).id AND cur.r AND cur.w"
    "     AND (e.archived_at IS NULL) = $4::boolean"
    "     AND ($3::int IS NULL OR e.version = $3::int)"
    "   RETURNING e)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  coalesce((SELECT project_json(upd.e)::text FROM upd),"
    "           (SELECT project_json(cur.row)::text FROM cur"
    "            WHERE ((cur.row).archived_at IS NULL) <> $4::boolean"
    "              AND ($3::int IS NULL OR (cur.row).version = $3::int))),"
    "  coalesce((SELECT (upd.e).version::text FROM upd), (SELECT (cur.row).version::text FROM "
    "cur))",
    4, 0};

/* $1 id, $2 caller, $3 expected version, $4 action, $5 the status it starts from, $6 the
 * status it leads to (both decided by domain/project_workflow), $7 reason. The row is locked
 * so that of two concurrent steps the second sees the first's status. Answers (readable,
 * writable, json, version, current status, current version). */
static struct db_stmt transition = {
    "project_transition",
    "WITH cur AS (SELECT x AS row, project_can_read(x, $2::jsonb) AS r,"
    "           project_can_write(x, $2::jsonb) AS w"
    "         FROM projects x WHERE x.id = $1::bigint AND x.archived_at IS NULL FOR UPDATE),"
    " upd AS (UPDATE projects e SET status = $6::text, updated_at = now(),"
    "   version = e.version + 1"
    "   FROM cur WHERE e.id = (cur.row).id AND cur.r AND cur.w AND (cur.row).status = $5::text"
    "     AND ($3::int IS NULL OR e.version = $3::int)"
    "   RETURNING e),"
    " hist AS (INSERT INTO project_transitions (project_id, from_status, to_status, action,"
    "    reason, user_id, role)"
    "  SELECT (upd.e).id, $5::text, $6::text, $4::text, $7::text,"
    "    ($2::jsonb->>'user_id')::bigint, $2::jsonb->>'role' FROM upd)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT project_json(upd.e)::text FROM upd), (SELECT (upd.e).version::text FROM upd),"
    "  (SELECT (cur.row).status FROM cur), (SELECT (cur.row).version::text FROM cur)",
    7, 0};

/* $1 id, $2 caller: one row when the caller may see the project (sub-resource reads). */
static struct db_stmt visible = {"project_visible",
                                 "SELECT 1 FROM projects p WHERE p.id = $1::bigint"
                                 "   AND project_visible(p, $2::jsonb)",
                                 2, 0};

/* $1 id, $2 caller, $3 after transition id, $4 limit. */
static struct db_stmt history = {
    "project_history",
    "SELECT project_transition_json(t)::text, t.id::text FROM project_transitions t"
    " WHERE t.project_id = $1::bigint"
    "   AND EXISTS (SELECT 1 FROM projects p WHERE p.id = $1::bigint"
    "               AND project_visible(p, $2::jsonb))"
    "   AND ($3::bigint IS NULL OR t.id > $3::bigint)"
    " ORDER BY t.id LIMIT $4::int",
    4, 0};

/* $1 id, $2 caller, $3 $4 keyset (role rank, expert id), $5 limit. Leads first. */
static struct db_stmt members = {
    "project_members",
    "SELECT project_member_json(m)::text, project_member_rank(m.role)::text, m.expert_id::text"
    " FROM project_members m"
    " WHERE m.project_id = $1::bigint"
    "   AND EXISTS (SELECT 1 FROM projects p WHERE p.id = $1::bigint"
    "               AND project_visible(p, $2::jsonb))"
    "   AND ($3::int IS NULL"
    "        OR (project_member_rank(m.role), m.expert_id) > ($3::int, $4::bigint))"
    " ORDER BY project_member_rank(m.role), m.expert_id LIMIT $5::int",
    5, 0};

/* $1 id, $2 caller, $3 expert, $4 role. Answers (readable, writable, member json). A
 * duplicate is the primary key's 409, an unknown expert the foreign key's 400. */
static struct db_stmt member_add = {
    "project_member_add",
    "WITH cur AS (SELECT project_can_read(x, $2::jsonb) AS r, project_can_write(x, $2::jsonb) AS w"
    "         FROM projects x WHERE x.id = $1::bigint AND x.archived_at IS NULL),"
    " ins AS (INSERT INTO project_members (project_id, expert_id, role)"
    "   SELECT $1::bigint, $3::bigint, $4::text FROM cur WHERE cur.r AND cur.w"
    "   RETURNING project_members AS m)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT project_member_json(m)::text FROM ins)",
    4, 0};

/* $1 id, $2 caller, $3 expert. Answers (readable, writable, rows removed). */
static struct db_stmt member_remove = {
    "project_member_remove",
    "WITH cur AS (SELECT project_can_read(x, $2::jsonb) AS r, project_can_write(x, $2::jsonb) AS w"
    "         FROM projects x WHERE x.id = $1::bigint AND x.archived_at IS NULL),"
    " del AS (DELETE FROM project_members m USING cur"
    "   WHERE m.project_id = $1::bigint AND m.expert_id = $3::bigint AND cur.r AND cur.w"
    "   RETURNING m.expert_id)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT count(*) FROM del)::text",
    3, 0};

/* Filters: $1 caller, $2 include archived, $3 status, $4 kind, $5 region, $6 industry,
 * $7 lead enterprise, $8 member expert, $9 updated since, $10 tsquery; then the keyset
 * $11 $12 and $13 the row limit. Enterprise and expert users see only their projects. */
#define LIST_FROM                                                                                  \
    " FROM projects p"                                                                             \
    " WHERE (p.archived_at IS NULL OR $2::boolean)"                                                \
    "   AND ($1::jsonb->>'role' <> 'enterprise'"                                                   \
    "        OR p.lead_enterprise_id = ($1::jsonb->>'enterprise')::bigint)"                        \
    "   AND ($1::jsonb->>'role' <> 'expert' OR EXISTS (SELECT 1 FROM project_members m"            \
    "        WHERE m.project_id = p.id AND m.expert_id = ($1::jsonb->>'expert')::bigint))"         \
    "   AND ($3::text IS NULL OR p.status = $3) AND ($4::text IS NULL OR p.kind = $4)"             \
    "   AND ($5::text IS NULL OR p.region_code = $5)"                                              \
    "   AND ($6::text IS NULL OR p.industry_code = $6)"                                            \
    "   AND ($7::bigint IS NULL OR p.lead_enterprise_id = $7::bigint)"                             \
    "   AND ($8::bigint IS NULL OR EXISTS (SELECT 1 FROM project_members m"                        \
    "        WHERE m.project_id = p.id AND m.expert_id = $8::bigint))"                             \
    "   AND ($9::timestamptz IS NULL OR p.updated_at >= $9::timestamptz)"                          \
    "   AND ($10::tsquery IS NULL OR p.search @@ $10::tsquery)"

static struct db_stmt list_by_id = {
    "project_list_id",
    "SELECT project_json(p)::text, p.id::text AS key1, '' AS key2" LIST_FROM
    "   AND ($11::bigint IS NULL OR p.id > $11::bigint) AND $12::text IS NULL"
    " ORDER BY p.id LIMIT $13::int",
    13, 0};

static struct db_stmt list_by_updated = {
    "project_list_updated",
    "SELECT project_json(p)::text, p.updated_at::text AS key1, p.id::text AS key2" LIST_FROM
    "   AND ($11::timestamptz IS NULL OR (p.updated_at, p.id) < ($11::timestamptz, $12::bigint))"
    " ORDER BY p.updated_at DESC, p.id DESC LIMIT $13::int",
    13, 0};

static struct db_stmt list_by_rank = {
    "project_list_rank",
    "SELECT project_json(p)::text, ts_rank(p.search, $10::tsquery)::text AS key1,"
    " p.id::text AS key2" LIST_FROM
    "   AND ($11::real IS NULL OR ts_rank(p.search, $10::tsquery) < $11::real"
    "        OR (ts_rank(p.search, $10::tsquery) = $11::real AND p.id > $12::bigint))"
    " ORDER BY ts_rank(p.search, $10::tsquery) DESC, p.id LIMIT $13::int",
    13, 0};

/* ---- helpers ---- */

/* County staff create and move projects only within their region; without a lead enterprise
 * to take the region from, a county-created project is in theirs. */
static bool region_in_scope(struct http_request *req, cJSON *clean, bool creating)
{
    const cJSON *lead = cJSON_GetObjectItemCaseSensitive(clean, "lead_enterprise_id");
    return api_region_in_scope(req, clean, creating && (lead == NULL || cJSON_IsNull(lead)));
}

/* ---- reads ---- */

static void handle_get(struct http_request *req)
{
    api_get_record(req, &get);
}

/* Checks the filters and the sort; fills the statement's parameters. */
static bool list_parse(struct http_request *req, struct list_call *lc, const char **q)
{
    const struct query *qs = &lc->lp.query;
    const char *status = query_get(qs, "status"), *kind = query_get(qs, "kind");
    const char *lead = query_get(qs, "lead_enterprise_id"), *expert = query_get(qs, "expert_id");
    const char *since = query_get(qs, "updated_since"), *sort = query_get(qs, "sort");
    const char *archived;
    if (!api_include_archived(req, query_get(qs, "include_archived"), &archived))
        return false;
    if (status && !list_one_of(status, project_status_names))
        return api_param_error(req, "status",
                               "应为 applied、approved、in_progress、concluded 或 accepted");
    if (kind && !list_one_of(kind, project_kind_names))
        return api_param_error(
            req, "kind", "应为 workstation、industry_university、soft_science、transfer 或 other");
    if (!api_id_param(req, "lead_enterprise_id", lead) || !api_id_param(req, "expert_id", expert) ||
        !api_code_param(req, "region_code", query_get(qs, "region_code"),
                        codes_check_region_code) ||
        !api_code_param(req, "industry_code", query_get(qs, "industry_code"),
                        codes_check_industry_code))
        return false;
    if (since && !validate_datetime(since))
        return api_param_error(req, "updated_since", "应为 RFC 3339 时间");
    *q = query_get(qs, "q");
    if (*q && **q == '\0')
        *q = NULL;
    if (sort == NULL)
        lc->stmt = *q ? &list_by_rank : &list_by_id;
    else if (strcmp(sort, "id") == 0)
        lc->stmt = &list_by_id;
    else if (strcmp(sort, "-updated_at") == 0)
        lc->stmt = &list_by_updated;
    else if (strcmp(sort, "relevance") == 0 && *q)
        lc->stmt = &list_by_rank;
    else
        return api_param_error(req, "sort", "应为 id、-updated_at 或 relevance（需同时给出 q）");
    /* Cursor keys must be of the sort's type; checked here so that a forged cursor is a 400. */
    bool int_key = lc->stmt == &list_by_id;
    if (!api_list_cursor_integer(req, lc, int_key ? 0 : 1))
        return false;
    const char *const p[13] = {api_caller_json(req),
                               archived,
                               status,
                               kind,
                               query_get(qs, "region_code"),
                               query_get(qs, "industry_code"),
                               lead,
                               expert,
                               since,
                               NULL,
                               lc->lp.nkeys ? lc->lp.keys[0] : NULL,
                               lc->lp.nkeys && !int_key ? lc->lp.keys[1] : NULL,
                               lc->lp.limit_plus_one};
    memcpy(lc->params, p, sizeof p);
    lc->nparams = 13;
    lc->tsquery_param = 9;
    lc->by_relevance = &list_by_rank;
    lc->by_id = &list_by_id;
    return true;
}

static void handle_list(struct http_request *req)
{
    static const char *const allowed[] = {
        "status",    "kind",          "region_code", "industry_code",    "lead_enterprise_id",
        "expert_id", "updated_since", "q",           "include_archived", "sort",
        NULL};
    struct list_call *lc = api_list_call(req, allowed, 2);
    if (lc == NULL)
        return;
    const char *q = NULL;
    if (!list_parse(req, lc, &q))
        return;
    api_list_run(req, lc, q);
}

/* A page of a project's sub-list (history, members): 404 when the project is not visible. */
struct sub_list_call {
    struct list_params lp;
    int nkeys;
};

static void sub_list_done(struct http_request *req, struct db_job *job)
{
    struct sub_list_call *sc = req->state;
    if (PQntuples(db_job_result(job, 0)) == 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    api_reply_page(req, db_job_result(job, 1), &sc->lp, sc->nkeys);
}

static void sub_list(struct http_request *req, struct db_stmt *stmt, int nkeys)
{
    static const char *const allowed[] = {NULL};
    const char *id;
    struct sub_list_call *sc = arena_calloc(&req->arena, sizeof *sc);
    if (!api_parse_id(req, "id", &id) || !api_list_params(req, allowed, nkeys, &sc->lp))
        return;
    for (int i = 0; i < sc->lp.nkeys; i++)
        if (!list_is_integer(sc->lp.keys[i])) {
            api_param_error(req, "cursor", "cursor 无效，请使用上一页返回的 next_cursor");
            return;
        }
    sc->nkeys = nkeys;
    req->state = sc;
    const char *caller = api_caller_json(req);
    const char *vis[] = {id, caller};
    const char *params[] = {id, caller, sc->lp.nkeys ? sc->lp.keys[0] : NULL,
                            sc->lp.nkeys && nkeys > 1 ? sc->lp.keys[1] : NULL,
                            sc->lp.limit_plus_one};
    if (nkeys == 1)
        params[3] = sc->lp.limit_plus_one;
    struct db_job *job = api_job(req);
    db_job_add(job, &visible, 2, vis);
    db_job_add(job, stmt, stmt->nparams, params);
    api_db_run(req, job, DB_RETRY_SAFE, sub_list_done);
}

static void handle_history(struct http_request *req)
{
    sub_list(req, &history, 1);
}

static void handle_members(struct http_request *req)
{
    sub_list(req, &members, 2);
}

/* ---- writes ---- */

static void handle_create(struct http_request *req)
{
    cJSON *clean = api_validated_body(req, fields, VALIDATE_CREATE);
    if (clean == NULL)
        return;
    if (!region_in_scope(req, clean, true)) {
        cJSON_Delete(clean);
        return;
    }
    const char *params[] = {api_json_text(req, clean), api_search_terms(req, clean, search_fields),
                            api_caller_json(req)};
    cJSON_Delete(clean);
    api_create(req, &insert, 3, params, "/api/v1/projects/");
}

static void handle_patch(struct http_request *req)
{
    const char *id, *version;
    if (!api_parse_id(req, "id", &id) || !api_if_match(req, &version))
        return;
    cJSON *clean = api_validated_body(req, fields, VALIDATE_PATCH);
    if (clean == NULL)
        return;
    if (cJSON_HasObjectItem(clean, "region_code") && !region_in_scope(req, clean, false)) {
        cJSON_Delete(clean);
        return;
    }
    const char *params[] = {id, api_json_text(req, clean),
                            api_search_terms(req, clean, search_fields), version,
                            api_caller_json(req)};
    cJSON_Delete(clean);
    struct db_job *job = api_write_job(req, NULL);
    db_job_add(job, &patch, 5, params);
    api_db_run(req, job, 0, api_write_done);
}

static void handle_archive(struct http_request *req)
{
    api_archive_record(req, &archive, true);
}

static void handle_restore(struct http_request *req)
{
    api_archive_record(req, &archive, false);
}

/* ---- the workflow ---- */

struct transition_call {
    enum project_action action;
    const char *version;
};

static void transition_done(struct http_request *req, struct db_job *job)
{
    struct transition_call *tc = req->state;
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
        http_problem(req, 403, "forbidden", "您可以查看此项目，但无权修改");
        return;
    }
    if (!PQgetisnull(res, 0, 2)) {
        api_set_etag(req, PQgetvalue(res, 0, 3));
        http_reply_json_text(req, 200, PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2));
        return;
    }
    if (tc->version && strcmp(PQgetvalue(res, 0, 5), tc->version) != 0) {
        http_problem(req, 412, "precondition_failed", NULL);
        return;
    }
    enum project_status now;
    const char *now_label =
        project_status_parse(PQgetvalue(res, 0, 4), &now) ? project_status_label(now) : "未知";
    http_problem(req, 409, "invalid_transition",
                 arena_printf(&req->arena,
                              "项目当前状态为“%s”，不能执行“%s”：该操作只适用于“%s”状态的项目",
                              now_label, project_action_label(tc->action),
                              project_status_label(project_action_from(tc->action))));
}

/* The optional body {"reason": "..."}; a return must give one. */
static bool read_reason(struct http_request *req, enum project_action action, const char **reason)
{
    *reason = NULL;
    bool needed = project_action_needs_reason(action);
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

static void transition_run(struct http_request *req, enum project_action action)
{
    const char *id, *version, *reason;
    if (!api_parse_id(req, "id", &id) || !api_if_match(req, &version) ||
        !read_reason(req, action, &reason))
        return;
    struct transition_call *tc = arena_calloc(&req->arena, sizeof *tc);
    tc->action = action;
    tc->version = version;
    req->state = tc;
    const char *params[] = {id,
                            api_caller_json(req),
                            version,
                            project_action_name(action),
                            project_status_name(project_action_from(action)),
                            project_status_name(project_action_to(action)),
                            reason};
    struct db_job *job = api_write_job(req, project_action_name(action));
    db_job_add(job, &transition, 7, params);
    api_db_run(req, job, 0, transition_done);
}

static void handle_approve(struct http_request *req)
{
    transition_run(req, PROJECT_APPROVE);
}

static void handle_start(struct http_request *req)
{
    transition_run(req, PROJECT_START);
}

static void handle_conclude(struct http_request *req)
{
    transition_run(req, PROJECT_CONCLUDE);
}

static void handle_accept(struct http_request *req)
{
    transition_run(req, PROJECT_ACCEPT);
}

static void handle_return(struct http_request *req)
{
    transition_run(req, PROJECT_RETURN);
}

/* ---- members ---- */

/* Reads (readable, writable, ...) of result i: replies 404/403 and returns false. */
static bool scope_ok(struct http_request *req, PGresult *res)
{
    if (PQntuples(res) == 0 || strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        http_problem(req, 404, "not_found", NULL);
        return false;
    }
    if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
        http_problem(req, 403, "forbidden", "您可以查看此项目，但无权修改");
        return false;
    }
    return true;
}

static void member_added(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (!scope_ok(req, res))
        return;
    http_reply_json_text(req, 201, PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2));
}

static void handle_member_add(struct http_request *req)
{
    const char *id;
    if (!api_parse_id(req, "id", &id))
        return;
    cJSON *clean = api_validated_body(req, member_fields, VALIDATE_CREATE);
    if (clean == NULL)
        return;
    const cJSON *expert = cJSON_GetObjectItemCaseSensitive(clean, "expert_id");
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(clean, "role");
    const char *params[] = {id, api_caller_json(req),
                            arena_printf(&req->arena, "%.0f", expert->valuedouble),
                            arena_strdup(&req->arena, role->valuestring)};
    cJSON_Delete(clean);
    struct db_job *job = api_write_job(req, NULL);
    db_job_add(job, &member_add, 4, params);
    api_db_run(req, job, 0, member_added);
}

static void member_removed(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (!scope_ok(req, res))
        return;
    if (strcmp(PQgetvalue(res, 0, 2), "0") == 0) {
        http_problem(req, 404, "not_found", "该专家不是此项目的成员");
        return;
    }
    http_reply_empty(req, 204);
}

static void handle_member_remove(struct http_request *req)
{
    const char *id, *expert;
    if (!api_parse_id(req, "id", &id) || !api_parse_id(req, "expert_id", &expert))
        return;
    const char *params[] = {id, api_caller_json(req), expert};
    struct db_job *job = api_write_job(req, NULL);
    db_job_add(job, &member_remove, 3, params);
    api_db_run(req, job, 0, member_removed);
}

static const struct constraint_field constraints[] = {
    {"projects_dates", 400, "end_date", "invalid_range", "结束日期不能早于开始日期"},
    {"projects_region_code_fkey", 400, "region_code", "unknown_code", "地区代码不存在"},
    {"projects_industry_code_fkey", 400, "industry_code", "unknown_code", "行业代码不存在"},
    {"projects_lead_enterprise_id_fkey", 400, "lead_enterprise_id", "unknown_record",
     "牵头企业不存在"},
    {"projects_demand_id_fkey", 400, "demand_id", "unknown_record", "需求不存在"},
    {"project_members_pkey", 409, "expert_id", "duplicate", "该专家已是项目成员"},
    {"project_members_expert_id_fkey", 400, "expert_id", "unknown_record", "专家不存在"},
    {NULL, 0, NULL, NULL, NULL},
};

void projects_register(struct router *r)
{
    constraints_register(constraints);
    static struct db_stmt *const stmts[] = {
        &insert,       &get,     &patch,      &archive,       &transition, &visible,
        &history,      &members, &member_add, &member_remove, &list_by_id, &list_by_updated,
        &list_by_rank, NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_GET,
         .pattern = "/api/v1/projects",
         .handler = handle_list,
         .roles = READERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/projects",
         .handler = handle_create,
         .roles = STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/projects/{id}",
         .handler = handle_get,
         .roles = READERS},
        {.method = HTTP_PATCH,
         .pattern = "/api/v1/projects/{id}",
         .handler = handle_patch,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/projects/{id}/archive",
         .handler = handle_archive,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/projects/{id}/restore",
         .handler = handle_restore,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/projects/{id}/approve",
         .handler = handle_approve,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/projects/{id}/start",
         .handler = handle_start,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/projects/{id}/conclude",
         .handler = handle_conclude,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/projects/{id}/accept",
         .handler = handle_accept,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/projects/{id}/return",
         .handler = handle_return,
         .roles = STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/projects/{id}/history",
         .handler = handle_history,
         .roles = READERS},
        {.method = HTTP_GET,
         .pattern = "/api/v1/projects/{id}/members",
         .handler = handle_members,
         .roles = READERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/projects/{id}/members",
         .handler = handle_member_add,
         .roles = STAFF},
        {.method = HTTP_DELETE,
         .pattern = "/api/v1/projects/{id}/members/{expert_id}",
         .handler = handle_member_remove,
         .roles = STAFF},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
