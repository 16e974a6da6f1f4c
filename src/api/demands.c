/* The enterprise demand library (企业需求库): an enterprise files, edits, submits and withdraws its
 * own demands; staff review them (publish or reject with a reason), close them and keep the
 * library (county staff the demands of their region). Published demands are open to everyone,
 * fields that identify the enterprise left out. Every workflow step is recorded. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/constraints.h"
#include "api/demands.h"
#include "api/list.h"
#include "api/list_call.h"
#include "api/matching.h"
#include "api/resource.h"
#include "api/search.h"

#include "domain/codes.h"
#include "domain/demand_workflow.h"
#include "domain/validate.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>

const char *const demand_search_fields[] = {"title", "keywords", "description", NULL};

#define STAFF      ROLES_STAFF
#define WRITERS    (ROLES_STAFF | ROLE_ENTERPRISE)
#define READERS    (ROLES_STAFF | ROLE_ENTERPRISE | ROLE_EXPERT)
#define MAX_ID     999999999999999LL
#define MAX_AMOUNT 999999999999LL /* numeric(14, 2) in 万元 */

const struct field_spec demand_fields[] = {
    {"enterprise_id", FIELD_INT, 0, 1, MAX_ID, 0, NULL, 0, NULL},
    {"title", FIELD_STRING, FIELD_REQUIRED, 1, 200, 0, NULL, 0, NULL},
    {"description", FIELD_TEXT, 0, 0, 4000, 0, NULL, 0, NULL},
    {"kind", FIELD_ENUM, FIELD_REQUIRED, 0, 0, 0, demand_kind_names, 0, NULL},
    {"service_modes", FIELD_ENUM_ARRAY, 0, 0, 0, 5, match_service_modes, 0, NULL},
    {"industry_code", FIELD_STRING, FIELD_NULLABLE, 1, 3, 0, NULL, 0, codes_check_industry_code},
    {"discipline_codes", FIELD_STRING_ARRAY, 0, 1, 7, 20, NULL, 0, codes_check_discipline_code},
    {"keywords", FIELD_STRING_ARRAY, 0, 1, 32, 20, NULL, 0, NULL},
    {"budget_min", FIELD_NUMBER, FIELD_NULLABLE, 0, MAX_AMOUNT, 0, NULL, 0, NULL},
    {"budget_max", FIELD_NUMBER, FIELD_NULLABLE, 0, MAX_AMOUNT, 0, NULL, 0, NULL},
    {"deadline", FIELD_DATE, FIELD_NULLABLE, 0, 0, 0, NULL, 0, NULL},
    {"region_code", FIELD_STRING, 0, 6, 6, 0, NULL, 0, codes_check_region_code},
    {"id", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"enterprise_name", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"kind_label", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"status", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"status_label", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"status_reason", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"published_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"archived", FIELD_BOOL, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"archived_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"created_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"updated_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"version", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

/* The body of a workflow action: why (required for a rejection). */
static const struct field_spec reason_optional[] = {
    {"reason", FIELD_TEXT, FIELD_NULLABLE, 0, 1000, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};
static const struct field_spec reason_required[] = {
    {"reason", FIELD_TEXT, FIELD_REQUIRED, 1, 1000, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

/* ---- statements ---- */

/* $1 fields, $2 terms, $3 caller; then the idempotency key columns $4..$7. The first history
 * row records who filed the demand (from nothing to draft). */
static struct db_stmt insert = {
    "demand_insert",
    "WITH ins AS ("
    "  INSERT INTO demands (enterprise_id, title, description, kind, service_modes,"
    "    industry_code, discipline_codes, keywords, budget_min, budget_max, deadline,"
    "    region_code, terms, created_by)"
    "  SELECT (j->>'enterprise_id')::bigint, j->>'title', coalesce(j->>'description', ''),"
    "    j->>'kind', ARRAY(SELECT jsonb_array_elements_text(coalesce(j->'service_modes', '[]'))),"
    "    j->>'industry_code',"
    "    ARRAY(SELECT jsonb_array_elements_text(coalesce(j->'discipline_codes', '[]'))),"
    "    ARRAY(SELECT jsonb_array_elements_text(coalesce(j->'keywords', '[]'))),"
    "    (j->>'budget_min')::numeric, (j->>'budget_max')::numeric, (j->>'deadline')::date,"
    "    demand_region(j), $2::jsonb, ($3::jsonb->>'user_id')::bigint"
    "  FROM (SELECT $1::jsonb AS j) x RETURNING demands AS d),"
    " hist AS (INSERT INTO demand_transitions (demand_id, from_status, to_status, action,"
    "    user_id, role)"
    "  SELECT (d).id, NULL, (d).status, 'create', ($3::jsonb->>'user_id')::bigint,"
    "    $3::jsonb->>'role' FROM ins),"
    " idem AS (INSERT INTO idempotency_keys (user_id, key, route, request_hash, status, body,"
    "    location)"
    "  SELECT $4::bigint, $5::text, $6::text, $7::text, 201, demand_json(d)::text,"
    "    '/api/v1/demands/' || (d).id FROM ins WHERE $5::text IS NOT NULL)"
    " SELECT demand_json(d)::text, (d).version::text, (d).id::text FROM ins",
    7, 0};

/* $1 id, $2 caller, $3 include archived. Whoever may not read it fully reads a public demand's
 * public fields. */
static struct db_stmt get = {"demand_get",
                             "SELECT demand_json_for(d, $2::jsonb)::text, d.version::text"
                             " FROM demands d"
                             " WHERE d.id = $1::bigint AND (d.archived_at IS NULL OR $3::boolean)"
                             "   AND demand_visible(d, $2::jsonb)",
                             3, 0};

/* $1 id, $2 fields, $3 terms, $4 expected version, $5 caller. Answers (visible, writable, json,
 * version, editable in its status, current status). */
static struct db_stmt patch = {
    "demand_patch",
    "WITH p AS (SELECT $2::jsonb AS j),"
    " cur AS (SELECT x.id, x.version, x.status, demand_visible(x, $5::jsonb) AS r,"
    "           demand_can_write(x, $5::jsonb) AS w, demand_editable(x, $5::jsonb) AS ed"
    "         FROM demands x WHERE x.id = $1::bigint AND x.archived_at IS NULL FOR UPDATE),"
    " upd AS (UPDATE demands e SET"
    "   enterprise_id = CASE WHEN j ? 'enterprise_id' THEN (j->>'enterprise_id')::bigint"
    "                   ELSE e.enterprise_id END,"
    "   title = CASE WHEN j ? 'title' THEN j->>'title' ELSE e.title END,"
    "   description = CASE WHEN j ? 'description' THEN j->>'description' ELSE e.description END,"
    "   kind = CASE WHEN j ? 'kind' THEN j->>'kind' ELSE e.kind END,"
    "   service_modes = CASE WHEN j ? 'service_modes'"
    "                   THEN ARRAY(SELECT jsonb_array_elements_text(j->'service_modes'))"
    "                   ELSE e.service_modes END,"
    "   industry_code = CASE WHEN j ? 'industry_code' THEN j->>'industry_code'"
    "                   ELSE e.industry_code END,"
    "   discipline_codes = CASE WHEN j ? 'discipline_codes'"
    "                      THEN ARRAY(SELECT jsonb_array_elements_text(j->'discipline_codes'))"
    "                      ELSE e.discipline_codes END,"
    "   keywords = CASE WHEN j ? 'keywords'"
    "              THEN ARRAY(SELECT jsonb_array_elements_text(j->'keywords'))"
    "              ELSE e.keywords END,"
    "   budget_min = CASE WHEN j ? 'budget_min' THEN (j->>'budget_min')::numeric"
    "                ELSE e.budget_min END,"
    "   budget_max = CASE WHEN j ? 'budget_max' THEN (j->>'budget_max')::numeric"
    "                ELSE e.budget_max END,"
    "   deadline = CASE WHEN j ? 'deadline' THEN (j->>'deadline')::date ELSE e.deadline END,"
    "   region_code = CASE WHEN j ? 'region_code' THEN j->>'region_code' ELSE e.region_code END,"
    "   terms = e.terms || $3::jsonb, updated_at = now(), version = e.version + 1"
    "   FROM p, cur WHERE e.id = cur.id AND cur.r AND cur.w AND cur.ed"
    "     AND ($4::int IS NULL OR e.version = $4::int)"
    "   RETURNING e)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT demand_json(upd.e)::text FROM upd), (SELECT (upd.e).version::text FROM upd),"
    "  coalesce((SELECT ed FROM cur), false), (SELECT status FROM cur)",
    5, 0};

/* $1 id, $2 caller, $3 expected version, $4 archive (true) or restore (false). Archiving an
 * archived record (or restoring a live one) changes nothing and answers its current state. */
static struct db_stmt archive = {
    "demand_archive",
    "WITH cur AS (SELECT x AS row, demand_visible(x, $2::jsonb) AS r,"
    "           demand_can_write(x, $2::jsonb) AS w"
    "         FROM demands x WHERE x.id = $1::bigint),"
    " upd AS (UPDATE demands e SET"
    "   archived_at = CASE WHEN $4::boolean THEN now() END,"
    "   archived_by = CASE WHEN $4::boolean THEN ($2::jsonb->>'user_id')::bigint END,"
    "   updated_at = now(), version = e.version + 1"
    "   FROM cur WHERE e.id = (cur.row).id AND cur.r AND cur.w"
    "     AND (e.archived_at IS NULL) = $4::boolean"
    "     AND ($3::int IS NULL OR e.version = $3::int)"
    "   RETURNING e)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  coalesce((SELECT demand_json(upd.e)::text FROM upd),"
    "           (SELECT demand_json(cur.row)::text FROM cur"
    "            WHERE ((cur.row).archived_at IS NULL) <> $4::boolean"
    "              AND ($3::int IS NULL OR (cur.row).version = $3::int))),"
    "  coalesce((SELECT (upd.e).version::text FROM upd), (SELECT (cur.row).version::text FROM "
    "cur))",
    4, 0};

/* $1 id, $2 caller, $3 expected version, $4 action, $5 {"from": "to", ...} of the action
 * (decided by domain/demand_workflow), $6 reason. The row is locked so that of two concurrent
 * steps the second sees the first's status; the step and its history row are one statement.
 * Answers (visible, writable, json, version, current status, current version). */
static struct db_stmt transition = {
    "demand_transition",
    "WITH cur AS (SELECT x AS row, demand_visible(x, $2::jsonb) AS r,"
    "           demand_can_write(x, $2::jsonb) AS w, $5::jsonb ->> x.status AS next"
    "         FROM demands x WHERE x.id = $1::bigint AND x.archived_at IS NULL FOR UPDATE),"
    " upd AS (UPDATE demands e SET status = cur.next, status_reason = $6::text,"
    "   published_at = CASE WHEN $4::text = 'publish' THEN now() ELSE e.published_at END,"
    "   updated_at = now(), version = e.version + 1"
    "   FROM cur WHERE e.id = (cur.row).id AND cur.r AND cur.w AND cur.next IS NOT NULL"
    "     AND ($3::int IS NULL OR e.version = $3::int)"
    "   RETURNING e, (cur.row).status AS from_status),"
    " hist AS (INSERT INTO demand_transitions (demand_id, from_status, to_status, action,"
    "    reason, user_id, role)"
    "  SELECT (upd.e).id, upd.from_status, (upd.e).status, $4::text, $6::text,"
    "    ($2::jsonb->>'user_id')::bigint, $2::jsonb->>'role' FROM upd)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT demand_json(upd.e)::text FROM upd), (SELECT (upd.e).version::text FROM upd),"
    "  (SELECT (cur.row).status FROM cur), (SELECT (cur.row).version::text FROM cur)",
    6, 0};

/* $1 id, $2 caller: one row when the caller may know the demand exists, saying whether it
 * may read its history (full access; archived demands for staff only). */
static struct db_stmt history_access = {
    "demand_history_access",
    "SELECT demand_can_read(d, $2::jsonb)"
    "   AND (d.archived_at IS NULL OR $2::jsonb->>'role' IN ('admin', 'city_staff',"
    "        'county_staff'))"
    " FROM demands d WHERE d.id = $1::bigint AND demand_visible(d, $2::jsonb)",
    2, 0};

/* $1 id, $2 after transition id, $3 limit. Run only after history_access allowed it. */
static struct db_stmt history = {
    "demand_history",
    "SELECT demand_transition_json(t)::text, t.id::text FROM demand_transitions t"
    " WHERE t.demand_id = $1::bigint AND ($2::bigint IS NULL OR t.id > $2::bigint)"
    " ORDER BY t.id LIMIT $3::int",
    3, 0};

/* Filters: $1 caller, $2 include archived, $3 status, $4 kind, $5 region, $6 industry,
 * $7 enterprise, $8 service mode, $9 discipline, $10 updated since, $11 tsquery; then the
 * keyset $12 $13 and $14 the row limit. Staff list every demand, an enterprise user its own,
 * everyone else the public ones. */
#define LIST_FROM                                                                                  \
    " FROM demands d"                                                                              \
    " WHERE (d.archived_at IS NULL OR $2::boolean)"                                                \
    "   AND CASE $1::jsonb->>'role' WHEN 'admin' THEN true WHEN 'city_staff' THEN true"            \
    "       WHEN 'county_staff' THEN true"                                                         \
    "       WHEN 'enterprise' THEN d.enterprise_id = ($1::jsonb->>'enterprise')::bigint"           \
    "       ELSE d.status IN ('published', 'matching') AND d.archived_at IS NULL END"              \
    "   AND ($3::text IS NULL OR d.status = $3) AND ($4::text IS NULL OR d.kind = $4)"             \
    "   AND ($5::text IS NULL OR d.region_code = $5)"                                              \
    "   AND ($6::text IS NULL OR d.industry_code = $6)"                                            \
    "   AND ($7::bigint IS NULL OR d.enterprise_id = $7::bigint)"                                  \
    "   AND ($8::text IS NULL OR d.service_modes @> ARRAY[$8::text])"                              \
    "   AND ($9::text IS NULL OR d.discipline_codes @> ARRAY[$9::text])"                           \
    "   AND ($10::timestamptz IS NULL OR d.updated_at >= $10::timestamptz)"                        \
    "   AND ($11::tsquery IS NULL OR d.search @@ $11::tsquery)"

static struct db_stmt list_by_id = {
    "demand_list_id",
    "SELECT demand_json_for(d, $1::jsonb)::text, d.id::text AS key1, '' AS key2" LIST_FROM
    "   AND ($12::bigint IS NULL OR d.id > $12::bigint) AND $13::text IS NULL"
    " ORDER BY d.id LIMIT $14::int",
    14, 0};

static struct db_stmt list_by_updated = {
    "demand_list_updated",
    "SELECT demand_json_for(d, $1::jsonb)::text, d.updated_at::text AS key1,"
    " d.id::text AS key2" LIST_FROM
    "   AND ($12::timestamptz IS NULL OR (d.updated_at, d.id) < ($12::timestamptz, $13::bigint))"
    " ORDER BY d.updated_at DESC, d.id DESC LIMIT $14::int",
    14, 0};

static struct db_stmt list_by_rank = {
    "demand_list_rank",
    "SELECT demand_json_for(d, $1::jsonb)::text, ts_rank(d.search, $11::tsquery)::text AS key1,"
    " d.id::text AS key2" LIST_FROM
    "   AND ($12::real IS NULL OR ts_rank(d.search, $11::tsquery) < $12::real"
    "        OR (ts_rank(d.search, $11::tsquery) = $12::real AND d.id > $13::bigint))"
    " ORDER BY ts_rank(d.search, $11::tsquery) DESC, d.id LIMIT $14::int",
    14, 0};

/* ---- helpers ---- */

/* An enterprise user files demands for its own enterprise only: enterprise_id defaults to it,
 * another one is refused. Staff must name the enterprise. */
static bool enterprise_in_scope(struct http_request *req, cJSON *clean, bool creating)
{
    const struct auth *a = access_caller(req);
    const cJSON *ent = cJSON_GetObjectItemCaseSensitive(clean, "enterprise_id");
    if (a->role != ROLE_ENTERPRISE) {
        if (creating && ent == NULL) {
            api_field_error(req, "enterprise_id", "required", "必填：需求所属企业的编号");
            return false;
        }
        return true;
    }
    if (ent == NULL) {
        if (creating && a->enterprise_id)
            cJSON_AddNumberToObject(clean, "enterprise_id", strtod(a->enterprise_id, NULL));
        return true;
    }
    char own[32];
    snprintf(own, sizeof own, "%.0f", ent->valuedouble);
    if (a->enterprise_id && strcmp(own, a->enterprise_id) == 0)
        return true;
    api_forbidden_field(req, "enterprise_id", "企业用户只能为本企业登记需求");
    return false;
}

/* budget_min <= budget_max when the body gives both (the table's check covers the rest). */
static bool budget_in_order(struct http_request *req, const cJSON *clean)
{
    const cJSON *lo = cJSON_GetObjectItemCaseSensitive(clean, "budget_min");
    const cJSON *hi = cJSON_GetObjectItemCaseSensitive(clean, "budget_max");
    if (cJSON_IsNumber(lo) && cJSON_IsNumber(hi) && lo->valuedouble > hi->valuedouble) {
        api_field_error(req, "budget_max", "invalid_range", "预算上限不能低于预算下限");
        return false;
    }
    return true;
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
    const char *ent = query_get(qs, "enterprise_id"), *mode = query_get(qs, "service_mode");
    const char *since = query_get(qs, "updated_since"), *sort = query_get(qs, "sort");
    const char *archived;
    if (!api_include_archived(req, query_get(qs, "include_archived"), &archived))
        return false;
    if (status && !list_one_of(status, demand_status_names))
        return api_param_error(req, "status",
                               "应为 draft、submitted、published、matching、matched、"
                               "cooperating、closed、rejected 或 withdrawn");
    if (kind && !list_one_of(kind, demand_kind_names))
        return api_param_error(req, "kind",
                               "应为 technical_problem、talent、transfer、joint_rnd 或 equipment");
    if (mode && !list_one_of(mode, match_service_modes))
        return api_param_error(req, "service_mode",
                               "应为 transfer、commissioned、joint、training 或 consulting");
    if (!api_id_param(req, "enterprise_id", ent) ||
        !api_code_param(req, "region_code", query_get(qs, "region_code"),
                        codes_check_region_code) ||
        !api_code_param(req, "industry_code", query_get(qs, "industry_code"),
                        codes_check_industry_code) ||
        !api_code_param(req, "discipline_code", query_get(qs, "discipline_code"),
                        codes_check_discipline_code))
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
    const char *const p[14] = {api_caller_json(req),
                               archived,
                               status,
                               kind,
                               query_get(qs, "region_code"),
                               query_get(qs, "industry_code"),
                               ent,
                               mode,
                               query_get(qs, "discipline_code"),
                               since,
                               NULL,
                               lc->lp.nkeys ? lc->lp.keys[0] : NULL,
                               lc->lp.nkeys && !int_key ? lc->lp.keys[1] : NULL,
                               lc->lp.limit_plus_one};
    memcpy(lc->params, p, sizeof p);
    lc->nparams = 14;
    lc->tsquery_param = 10;
    lc->by_relevance = &list_by_rank;
    lc->by_id = &list_by_id;
    return true;
}

static void handle_list(struct http_request *req)
{
    static const char *const allowed[] = {"status",           "kind",          "region_code",
                                          "industry_code",    "enterprise_id", "service_mode",
                                          "discipline_code",  "updated_since", "q",
                                          "include_archived", "sort",          NULL};
    struct list_call *lc = api_list_call(req, allowed, 2);
    if (lc == NULL)
        return;
    const char *q = NULL;
    if (!list_parse(req, lc, &q))
        return;
    api_list_run(req, lc, q);
}

struct history_call {
    struct list_params lp;
};

static void history_done(struct http_request *req, struct db_job *job)
{
    struct history_call *hc = req->state;
    PGresult *access = db_job_result(job, 0);
    if (PQntuples(access) == 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    if (strcmp(PQgetvalue(access, 0, 0), "t") != 0) {
        http_problem(req, 403, "forbidden", "只有需求所属企业和工作人员可以查看需求的处理记录");
        return;
    }
    api_reply_page(req, db_job_result(job, 1), &hc->lp, 1);
}

static void handle_history(struct http_request *req)
{
    static const char *const allowed[] = {NULL};
    const char *id;
    struct history_call *hc = arena_calloc(&req->arena, sizeof *hc);
    if (!api_parse_id(req, "id", &id) || !api_list_params(req, allowed, 1, &hc->lp))
        return;
    if (hc->lp.nkeys && !list_is_integer(hc->lp.keys[0])) {
        api_param_error(req, "cursor", "cursor 无效，请使用上一页返回的 next_cursor");
        return;
    }
    req->state = hc;
    const char *access[] = {id, api_caller_json(req)};
    const char *params[] = {id, hc->lp.nkeys ? hc->lp.keys[0] : NULL, hc->lp.limit_plus_one};
    struct db_job *job = api_job(req);
    db_job_add(job, &history_access, 2, access);
    /* Fetched with the check (one round trip); answered only when the check allows it. */
    db_job_add(job, &history, 3, params);
    api_db_run(req, job, DB_RETRY_SAFE, history_done);
}

/* ---- writes ---- */

static void handle_create(struct http_request *req)
{
    cJSON *clean = api_validated_body(req, demand_fields, VALIDATE_CREATE);
    if (clean == NULL)
        return;
    if (!enterprise_in_scope(req, clean, true) || !api_region_in_scope(req, clean, true) ||
        !budget_in_order(req, clean)) {
        cJSON_Delete(clean);
        return;
    }
    const char *params[] = {api_json_text(req, clean),
                            api_search_terms(req, clean, demand_search_fields),
                            api_caller_json(req)};
    cJSON_Delete(clean);
    api_create(req, &insert, 3, params, "/api/v1/demands/");
}

static void patch_done(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    bool writable =
        strcmp(PQgetvalue(res, 0, 0), "t") == 0 && strcmp(PQgetvalue(res, 0, 1), "t") == 0;
    if (writable && strcmp(PQgetvalue(res, 0, 4), "t") != 0) {
        enum demand_status now;
        const char *label =
            demand_status_parse(PQgetvalue(res, 0, 5), &now) ? demand_status_label(now) : "未知";
        const char *detail =
            access_caller(req)->role == ROLE_ENTERPRISE
                ? arena_printf(&req->arena,
                               "需求当前状态为“%s”，企业只能修改草稿、已退回或已撤回的需求；"
                               "如需修改，请先撤回",
                               label)
                : arena_printf(&req->arena, "需求当前状态为“%s”，不能再修改", label);
        http_problem(req, 409, "invalid_transition", detail);
        return;
    }
    api_reply_write(req, job, API_FIRST_RESULT, 200);
}

static void handle_patch(struct http_request *req)
{
    const char *id, *version;
    if (!api_parse_id(req, "id", &id) || !api_if_match(req, &version))
        return;
    cJSON *clean = api_validated_body(req, demand_fields, VALIDATE_PATCH);
    if (clean == NULL)
        return;
    if (!enterprise_in_scope(req, clean, false) ||
        (cJSON_HasObjectItem(clean, "region_code") && !api_region_in_scope(req, clean, false)) ||
        !budget_in_order(req, clean)) {
        cJSON_Delete(clean);
        return;
    }
    const char *params[] = {id, api_json_text(req, clean),
                            api_search_terms(req, clean, demand_search_fields), version,
                            api_caller_json(req)};
    cJSON_Delete(clean);
    struct db_job *job = api_write_job(req, NULL);
    db_job_add(job, &patch, 5, params);
    api_db_run(req, job, 0, patch_done);
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
    enum demand_action action;
    const char *version;
};

/* "“草稿”、“已提交”或“已发布”": the statuses the action starts from. */
static const char *action_sources(struct http_request *req, enum demand_action action)
{
    const char *names[DEMAND_STATUS_COUNT];
    int n = 0;
    for (int s = 0; s < DEMAND_STATUS_COUNT; s++) {
        enum demand_status to;
        if (demand_workflow_next((enum demand_status)s, action, &to))
            names[n++] = demand_status_label((enum demand_status)s);
    }
    const char *out = "";
    for (int i = 0; i < n; i++)
        out = arena_printf(&req->arena, "%s%s“%s”", out,
                           i == 0       ? ""
                           : i == n - 1 ? "或"
                                        : "、",
                           names[i]);
    return out;
}

/* {"from": "to", ...}: every step the action may take, for the statement to pick from. */
static const char *action_steps(struct http_request *req, enum demand_action action)
{
    cJSON *o = cJSON_CreateObject();
    for (int s = 0; s < DEMAND_STATUS_COUNT; s++) {
        enum demand_status to;
        if (demand_workflow_next((enum demand_status)s, action, &to))
            cJSON_AddStringToObject(o, demand_status_name((enum demand_status)s),
                                    demand_status_name(to));
    }
    const char *text = api_json_text(req, o);
    cJSON_Delete(o);
    return text;
}

static void transition_done(struct http_request *req, struct db_job *job)
{
    struct transition_call *tc = req->state;
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
        http_problem(req, 403, "forbidden", "您可以查看此需求，但无权办理");
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
    enum demand_status now;
    const char *now_label =
        demand_status_parse(PQgetvalue(res, 0, 4), &now) ? demand_status_label(now) : "未知";
    http_problem(
        req, 409, "invalid_transition",
        arena_printf(&req->arena, "需求当前状态为“%s”，不能执行“%s”：该操作只适用于%s状态的需求",
                     now_label, demand_action_label(tc->action), action_sources(req, tc->action)));
}

/* The optional body {"reason": "..."}; a rejection must give one. */
static bool read_reason(struct http_request *req, enum demand_action action, const char **reason)
{
    *reason = NULL;
    bool needed = demand_action_needs_reason(action);
    if (evbuffer_get_length(req->body) == 0) {
        if (!needed)
            return true;
        api_field_error(req, "reason", "required", "退回时必须说明原因，以便企业修改");
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

static void transition_run(struct http_request *req, enum demand_action action)
{
    const char *id, *version, *reason;
    if (!api_parse_id(req, "id", &id) || !api_if_match(req, &version) ||
        !read_reason(req, action, &reason))
        return;
    struct transition_call *tc = arena_calloc(&req->arena, sizeof *tc);
    tc->action = action;
    tc->version = version;
    req->state = tc;
    const char *params[] = {
        id,    api_caller_json(req), version, demand_action_name(action), action_steps(req, action),
        reason};
    struct db_job *job = api_write_job(req, demand_action_name(action));
    db_job_add(job, &transition, 6, params);
    api_db_run(req, job, 0, transition_done);
}

static void handle_submit(struct http_request *req)
{
    transition_run(req, DEMAND_SUBMIT);
}

static void handle_publish(struct http_request *req)
{
    transition_run(req, DEMAND_PUBLISH);
}

static void handle_reject(struct http_request *req)
{
    transition_run(req, DEMAND_REJECT);
}

static void handle_withdraw(struct http_request *req)
{
    transition_run(req, DEMAND_WITHDRAW);
}

static void handle_revise(struct http_request *req)
{
    transition_run(req, DEMAND_REVISE);
}

static void handle_close(struct http_request *req)
{
    transition_run(req, DEMAND_CLOSE);
}

static const struct constraint_field constraints[] = {
    {"demands_enterprise_id_fkey", 400, "enterprise_id", "unknown_record", "企业不存在"},
    {"demands_region_code_fkey", 400, "region_code", "unknown_code", "地区代码不存在"},
    {"demands_industry_code_fkey", 400, "industry_code", "unknown_code", "行业代码不存在"},
    {"demands_discipline_codes", 400, "discipline_codes", "unknown_code", "学科代码不存在"},
    {"demands_budget_range", 400, "budget_max", "invalid_range", "预算上限不能低于预算下限"},
    {"demands_budget_min_check", 400, "budget_min", "out_of_range", "预算不能为负数"},
    {"demands_budget_max_check", 400, "budget_max", "out_of_range", "预算不能为负数"},
    {"demands_title_check", 400, "title", "length", "需求名称应为 1 到 200 个字符"},
    {"demands_kind_check", 400, "kind", "invalid_value", "取值不在允许范围内"},
    {NULL, 0, NULL, NULL, NULL},
};

void demands_register(struct router *r)
{
    constraints_register(constraints);
    static struct db_stmt *const stmts[] = {
        &insert,  &get,        &patch,           &archive,      &transition, &history_access,
        &history, &list_by_id, &list_by_updated, &list_by_rank, NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_GET,
         .pattern = "/api/v1/demands",
         .handler = handle_list,
         .roles = ROLES_EVERYONE},
        {.method = HTTP_POST,
         .pattern = "/api/v1/demands",
         .handler = handle_create,
         .roles = WRITERS},
        {.method = HTTP_GET,
         .pattern = "/api/v1/demands/{id}",
         .handler = handle_get,
         .roles = ROLES_EVERYONE},
        {.method = HTTP_PATCH,
         .pattern = "/api/v1/demands/{id}",
         .handler = handle_patch,
         .roles = WRITERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/demands/{id}/archive",
         .handler = handle_archive,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/demands/{id}/restore",
         .handler = handle_restore,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/demands/{id}/submit",
         .handler = handle_submit,
         .roles = WRITERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/demands/{id}/publish",
         .handler = handle_publish,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/demands/{id}/reject",
         .handler = handle_reject,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/demands/{id}/withdraw",
         .handler = handle_withdraw,
         .roles = WRITERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/demands/{id}/revise",
         .handler = handle_revise,
         .roles = WRITERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/demands/{id}/close",
         .handler = handle_close,
         .roles = STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/demands/{id}/history",
         .handler = handle_history,
         .roles = READERS},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
