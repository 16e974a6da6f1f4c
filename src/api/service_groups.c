/* Service groups (服务群): named teams of experts, academicians and staff with a scope of
 * industries and regions. Staff keep them (county staff the groups whose regions include
 * theirs); an expert reads the groups they belong to; enterprises have no business here. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/constraints.h"
#include "api/list.h"
#include "api/list_call.h"
#include "api/resource.h"
#include "api/search.h"

#include "domain/codes.h"
#include "domain/validate.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <string.h>

static const char *const member_roles[] = {"leader", "member", "liaison", NULL};
/* The fields segmented into search terms (their weights: migrations/0029_service_search.sql). */
static const char *const search_fields[] = {"name", "description", NULL};

#define STAFF   ROLES_STAFF
#define READERS (ROLES_STAFF | ROLE_EXPERT)
#define MAX_ID  999999999999999LL

static const struct field_spec fields[] = {
    {"name", FIELD_STRING, FIELD_REQUIRED, 1, 100, 0, NULL, STAFF, NULL},
    {"description", FIELD_TEXT, 0, 0, 4000, 0, NULL, STAFF, NULL},
    {"industry_codes", FIELD_STRING_ARRAY, 0, 1, 3, 50, NULL, STAFF, codes_check_industry_code},
    {"region_codes", FIELD_STRING_ARRAY, 0, 6, 6, 30, NULL, STAFF, codes_check_region_code},
    {"id", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"archived", FIELD_BOOL, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"archived_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"created_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"updated_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"version", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

/* A member is an expert or academician (expert_id) or a staff account (user_id). */
static const struct field_spec member_fields[] = {
    {"expert_id", FIELD_INT, FIELD_NULLABLE, 1, MAX_ID, 0, NULL, 0, NULL},
    {"user_id", FIELD_INT, FIELD_NULLABLE, 1, MAX_ID, 0, NULL, 0, NULL},
    {"role", FIELD_ENUM, FIELD_REQUIRED, 0, 0, 0, member_roles, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

/* $1 fields, $2 caller, $3 search terms; then the idempotency key columns $4..$7. */
static struct db_stmt insert = {
    "service_group_insert",
    "WITH ins AS ("
    "  INSERT INTO service_groups (name, description, industry_codes, region_codes, created_by,"
    "    terms)"
    "  SELECT j->>'name', coalesce(j->>'description', ''),"
    "    ARRAY(SELECT jsonb_array_elements_text(coalesce(j->'industry_codes', '[]'))),"
    "    ARRAY(SELECT jsonb_array_elements_text(coalesce(j->'region_codes', '[]'))),"
    "    ($2::jsonb->>'user_id')::bigint, $3::jsonb"
    "  FROM (SELECT $1::jsonb AS j) x RETURNING service_groups AS g),"
    " idem AS (INSERT INTO idempotency_keys (user_id, key, route, request_hash, status, body,"
    "    location)"
    "  SELECT $4::bigint, $5::text, $6::text, $7::text, 201, service_group_json(g)::text,"
    "    '/api/v1/service-groups/' || (g).id FROM ins WHERE $5::text IS NOT NULL)"
    " SELECT service_group_json(g)::text, (g).version::text, (g).id::text FROM ins",
    7, 0};

static struct db_stmt get = {
    "service_group_get",
    "SELECT service_group_json(g)::text, g.version::text FROM service_groups g"
    " WHERE g.id = $1::bigint AND (g.archived_at IS NULL OR $3::boolean)"
    "   AND service_group_can_read(g, $2::jsonb)",
    3, 0};

/* $1 id, $2 fields, $3 expected version, $4 caller, $5 search terms of the patched fields. */
static struct db_stmt patch = {
    "service_group_patch",
    "WITH p AS (SELECT $2::jsonb AS j),"
    " cur AS (SELECT x.id, x.version, service_group_can_read(x, $4::jsonb) AS r,"
    "           service_group_can_write(x, $4::jsonb) AS w"
    "         FROM service_groups x WHERE x.id = $1::bigint AND x.archived_at IS NULL),"
    " upd AS (UPDATE service_groups g SET"
    "   name = CASE WHEN j ? 'name' THEN j->>'name' ELSE g.name END,"
    "   description = CASE WHEN j ? 'description' THEN j->>'description' ELSE g.description END,"
    "   industry_codes = CASE WHEN j ? 'industry_codes'"
    "                    THEN ARRAY(SELECT jsonb_array_elements_text(j->'industry_codes'))"
    "                    ELSE g.industry_codes END,"
    "   region_codes = CASE WHEN j ? 'region_codes'"
    "                  THEN ARRAY(SELECT jsonb_array_elements_text(j->'region_codes'))"
    "                  ELSE g.region_codes END,"
    "   terms = g.terms || $5::jsonb, updated_at = now(), version = g.version + 1"
    "   FROM p, cur WHERE g.id = cur.id AND cur.r AND cur.w"
    "     AND ($3::int IS NULL OR g.version = $3::int)"
    "   RETURNING g)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT service_group_json(upd.g)::text FROM upd), (SELECT (upd.g).version::text FROM upd)",
    5, 0};

/* $1 id, $2 caller, $3 expected version, $4 archive (true) or restore (false); idempotent. */
static struct db_stmt archive = {
    "service_group_archive",
    "WITH cur AS (SELECT x AS row, service_group_can_read(x, $2::jsonb) AS r,"
    "           service_group_can_write(x, $2::jsonb) AS w"
    "         FROM service_groups x WHERE x.id = $1::bigint),"
    " upd AS (UPDATE service_groups g SET"
    "   archived_at = CASE WHEN $4::boolean THEN now() END,"
    "   archived_by = CASE WHEN $4::boolean THEN ($2::jsonb->>'user_id')::bigint END,"
    "   updated_at = now(), version = g.version + 1"
    "   FROM cur WHERE g.id = (cur.row).id AND cur.r AND cur.w"
    "     AND (g.archived_at IS NULL) = $4::boolean"
    "     AND ($3::int IS NULL OR g.version = $3::int)"
    "   RETURNING g)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  coalesce((SELECT service_group_json(upd.g)::text FROM upd),"
    "           (SELECT service_group_json(cur.row)::text FROM cur"
    "            WHERE ((cur.row).archived_at IS NULL) <> $4::boolean"
    "              AND ($3::int IS NULL OR (cur.row).version = $3::int))),"
    "  coalesce((SELECT (upd.g).version::text FROM upd),"
    "           (SELECT (cur.row).version::text FROM cur))",
    4, 0};

/* $1 id, $2 caller, $3 $4 keyset (role rank, member id), $5 limit; 404 (no first row) when
 * the group is not visible. Leaders first, then liaisons. */
static struct db_stmt visible = {"service_group_visible",
                                 "SELECT 1 FROM service_groups g WHERE g.id = $1::bigint"
                                 "   AND service_group_visible(g, $2::jsonb)",
                                 2, 0};

static struct db_stmt members = {
    "service_group_members",
    "SELECT service_group_member_json(m)::text, service_group_member_rank(m.role)::text,"
    " m.id::text FROM service_group_members m"
    " WHERE m.group_id = $1::bigint"
    "   AND EXISTS (SELECT 1 FROM service_groups g WHERE g.id = $1::bigint"
    "               AND service_group_visible(g, $2::jsonb))"
    "   AND ($3::int IS NULL OR (service_group_member_rank(m.role), m.id) > ($3::int, $4::bigint))"
    " ORDER BY service_group_member_rank(m.role), m.id LIMIT $5::int",
    5, 0};

/* $1 id, $2 caller, $3 expert, $4 user, $5 role. Answers (readable, writable, json). */
static struct db_stmt member_add = {
    "service_group_member_add",
    "WITH cur AS (SELECT service_group_can_read(x, $2::jsonb) AS r,"
    "           service_group_can_write(x, $2::jsonb) AS w"
    "         FROM service_groups x WHERE x.id = $1::bigint AND x.archived_at IS NULL),"
    " ins AS (INSERT INTO service_group_members (group_id, expert_id, user_id, role)"
    "   SELECT $1::bigint, $3::bigint, $4::bigint, $5::text FROM cur WHERE cur.r AND cur.w"
    "   RETURNING service_group_members AS m)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT service_group_member_json(m)::text FROM ins)",
    5, 0};

/* $1 id, $2 caller, $3 member id. Answers (readable, writable, rows removed). */
static struct db_stmt member_remove = {
    "service_group_member_remove",
    "WITH cur AS (SELECT service_group_can_read(x, $2::jsonb) AS r,"
    "           service_group_can_write(x, $2::jsonb) AS w"
    "         FROM service_groups x WHERE x.id = $1::bigint AND x.archived_at IS NULL),"
    " del AS (DELETE FROM service_group_members m USING cur"
    "   WHERE m.group_id = $1::bigint AND m.id = $3::bigint AND cur.r AND cur.w"
    "   RETURNING m.id)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT count(*) FROM del)::text",
    3, 0};

/* Filters: $1 caller, $2 include archived, $3 region, $4 industry, $5 member expert,
 * $6 updated since, $10 tsquery of q; then the keyset $7 $8 and $9 the row limit. An expert
 * user sees only the groups they belong to. */
#define LIST_FROM                                                                                  \
    " FROM service_groups g"                                                                       \
    " WHERE (g.archived_at IS NULL OR $2::boolean)"                                                \
    "   AND ($1::jsonb->>'role' <> 'expert' OR EXISTS (SELECT 1 FROM service_group_members m"      \
    "        WHERE m.group_id = g.id AND m.expert_id = ($1::jsonb->>'expert')::bigint))"           \
    "   AND ($3::text IS NULL OR $3 = ANY (g.region_codes))"                                       \
    "   AND ($4::text IS NULL OR $4 = ANY (g.industry_codes))"                                     \
    "   AND ($5::bigint IS NULL OR EXISTS (SELECT 1 FROM service_group_members m"                  \
    "        WHERE m.group_id = g.id AND m.expert_id = $5::bigint))"                               \
    "   AND ($6::timestamptz IS NULL OR g.updated_at >= $6::timestamptz)"                          \
    "   AND ($10::tsquery IS NULL OR g.search @@ $10::tsquery)"

#define LIST_PARAMS 10

static struct db_stmt list_by_id = {
    "service_group_list_id",
    "SELECT service_group_json(g)::text, g.id::text AS key1, '' AS key2" LIST_FROM
    "   AND ($7::bigint IS NULL OR g.id > $7::bigint) AND $8::text IS NULL"
    " ORDER BY g.id LIMIT $9::int",
    LIST_PARAMS, 0};

static struct db_stmt list_by_name = {
    "service_group_list_name",
    "SELECT service_group_json(g)::text, g.name AS key1, g.id::text AS key2" LIST_FROM
    "   AND ($7::text IS NULL OR (g.name COLLATE \"C\", g.id) > ($7 COLLATE \"C\", $8::bigint))"
    " ORDER BY g.name COLLATE \"C\", g.id LIMIT $9::int",
    LIST_PARAMS, 0};

static struct db_stmt list_by_updated = {
    "service_group_list_updated",
    "SELECT service_group_json(g)::text, g.updated_at::text AS key1, g.id::text AS key2" LIST_FROM
    "   AND ($7::timestamptz IS NULL OR (g.updated_at, g.id) < ($7::timestamptz, $8::bigint))"
    " ORDER BY g.updated_at DESC, g.id DESC LIMIT $9::int",
    LIST_PARAMS, 0};

static struct db_stmt list_by_rank = {
    "service_group_list_rank",
    "SELECT service_group_json(g)::text, ts_rank(g.search, $10::tsquery)::text AS key1,"
    " g.id::text AS key2" LIST_FROM
    "   AND ($7::real IS NULL OR ts_rank(g.search, $10::tsquery) < $7::real"
    "        OR (ts_rank(g.search, $10::tsquery) = $7::real AND g.id > $8::bigint))"
    " ORDER BY ts_rank(g.search, $10::tsquery) DESC, g.id LIMIT $9::int",
    LIST_PARAMS, 0};

/* ---- helpers ---- */

/* County staff keep the groups whose region_codes include their region, and may not take
 * their region out (they would lose the group). */
static bool regions_in_scope(struct http_request *req, cJSON *clean)
{
    const struct auth *a = access_caller(req);
    if (a->role != ROLE_COUNTY)
        return true;
    const cJSON *regions = cJSON_GetObjectItemCaseSensitive(clean, "region_codes");
    if (regions == NULL) {
        cJSON *own = cJSON_AddArrayToObject(clean, "region_codes");
        cJSON_AddItemToArray(own, cJSON_CreateString(a->region_code));
        return true;
    }
    const cJSON *el;
    cJSON_ArrayForEach(el, regions)
    {
        if (cJSON_IsString(el) && strcmp(el->valuestring, a->region_code) == 0)
            return true;
    }
    api_forbidden_field(req, "region_codes",
                        "县（市、区）科协工作人员管理的服务群，region_codes 须包含本地区");
    return false;
}

/* (readable, writable, ...) of a write result: replies 404/403 and returns false. */
static bool scope_ok(struct http_request *req, PGresult *res)
{
    if (PQntuples(res) == 0 || strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        http_problem(req, 404, "not_found", NULL);
        return false;
    }
    if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
        http_problem(req, 403, "forbidden", "您可以查看此服务群，但无权修改");
        return false;
    }
    return true;
}

/* ---- reads ---- */

static void handle_get(struct http_request *req)
{
    api_get_record(req, &get);
}

static void handle_list(struct http_request *req)
{
    static const char *const allowed[] = {
        "region_code", "industry_code", "expert_id",        "updated_since",
        "q",           "sort",          "include_archived", NULL};
    struct list_call *lc = api_list_call(req, allowed, 2);
    if (lc == NULL)
        return;
    const struct query *qs = &lc->lp.query;
    const char *expert = query_get(qs, "expert_id"), *since = query_get(qs, "updated_since");
    const char *sort = query_get(qs, "sort"), *q = query_get(qs, "q"), *archived;
    if (q && *q == '\0')
        q = NULL;
    if (!api_include_archived(req, query_get(qs, "include_archived"), &archived))
        return;
    if (!api_id_param(req, "expert_id", expert) ||
        !api_code_param(req, "region_code", query_get(qs, "region_code"),
                        codes_check_region_code) ||
        !api_code_param(req, "industry_code", query_get(qs, "industry_code"),
                        codes_check_industry_code))
        return;
    if (since && !validate_datetime(since)) {
        api_param_error(req, "updated_since", "应为 RFC 3339 时间");
        return;
    }
    if (sort == NULL)
        lc->stmt = q ? &list_by_rank : &list_by_id;
    else if (strcmp(sort, "id") == 0)
        lc->stmt = &list_by_id;
    else if (strcmp(sort, "name") == 0)
        lc->stmt = &list_by_name;
    else if (strcmp(sort, "-updated_at") == 0)
        lc->stmt = &list_by_updated;
    else if (strcmp(sort, "relevance") == 0 && q)
        lc->stmt = &list_by_rank;
    else {
        api_param_error(req, "sort", "应为 id、name、-updated_at 或 relevance（需同时给出 q）");
        return;
    }
    bool int_key = lc->stmt == &list_by_id;
    if (!api_list_cursor_integer(req, lc, int_key ? 0 : 1))
        return;
    const char *const params[] = {api_caller_json(req),
                                  archived,
                                  query_get(qs, "region_code"),
                                  query_get(qs, "industry_code"),
                                  expert,
                                  since,
                                  lc->lp.nkeys ? lc->lp.keys[0] : NULL,
                                  lc->lp.nkeys && !int_key ? lc->lp.keys[1] : NULL,
                                  lc->lp.limit_plus_one,
                                  NULL};
    memcpy(lc->params, params, sizeof params);
    lc->nparams = LIST_PARAMS;
    lc->tsquery_param = 9;
    lc->by_relevance = &list_by_rank;
    lc->by_id = &list_by_id;
    api_list_run(req, lc, q);
}

static void members_done(struct http_request *req, struct db_job *job)
{
    struct list_call *lc = req->state;
    if (PQntuples(db_job_result(job, 0)) == 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    api_reply_page(req, db_job_result(job, 1), &lc->lp, 2);
}

static void handle_members(struct http_request *req)
{
    static const char *const allowed[] = {NULL};
    const char *id;
    struct list_call *lc = arena_calloc(&req->arena, sizeof *lc);
    if (!api_parse_id(req, "id", &id) || !api_list_params(req, allowed, 2, &lc->lp))
        return;
    if (lc->lp.nkeys && (!list_is_integer(lc->lp.keys[0]) || !list_is_integer(lc->lp.keys[1]))) {
        api_param_error(req, "cursor", "cursor 无效，请使用上一页返回的 next_cursor");
        return;
    }
    req->state = lc;
    const char *caller = api_caller_json(req);
    const char *vis[] = {id, caller};
    const char *params[] = {id, caller, lc->lp.nkeys ? lc->lp.keys[0] : NULL,
                            lc->lp.nkeys ? lc->lp.keys[1] : NULL, lc->lp.limit_plus_one};
    struct db_job *job = api_job(req);
    db_job_add(job, &visible, 2, vis);
    db_job_add(job, &members, 5, params);
    api_db_run(req, job, DB_RETRY_SAFE, members_done);
}

/* ---- writes ---- */

static void handle_create(struct http_request *req)
{
    cJSON *clean = api_validated_body(req, fields, VALIDATE_CREATE);
    if (clean == NULL)
        return;
    if (!regions_in_scope(req, clean)) {
        cJSON_Delete(clean);
        return;
    }
    const char *params[] = {api_json_text(req, clean), api_caller_json(req),
                            api_search_terms(req, clean, search_fields)};
    cJSON_Delete(clean);
    api_create(req, &insert, 3, params, "/api/v1/service-groups/");
}

static void handle_patch(struct http_request *req)
{
    const char *id, *version;
    if (!api_parse_id(req, "id", &id) || !api_if_match(req, &version))
        return;
    cJSON *clean = api_validated_body(req, fields, VALIDATE_PATCH);
    if (clean == NULL)
        return;
    if (cJSON_HasObjectItem(clean, "region_codes") && !regions_in_scope(req, clean)) {
        cJSON_Delete(clean);
        return;
    }
    const char *params[] = {id, api_json_text(req, clean), version, api_caller_json(req),
                            api_search_terms(req, clean, search_fields)};
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

static void member_added(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (!scope_ok(req, res))
        return;
    http_reply_json_text(req, 201, PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2));
}

static const char *id_text(struct http_request *req, const cJSON *clean, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(clean, name);
    return cJSON_IsNumber(v) ? arena_printf(&req->arena, "%.0f", v->valuedouble) : NULL;
}

static void handle_member_add(struct http_request *req)
{
    const char *id;
    if (!api_parse_id(req, "id", &id))
        return;
    cJSON *clean = api_validated_body(req, member_fields, VALIDATE_CREATE);
    if (clean == NULL)
        return;
    const char *expert = id_text(req, clean, "expert_id"), *user = id_text(req, clean, "user_id");
    const char *role =
        arena_strdup(&req->arena, cJSON_GetObjectItemCaseSensitive(clean, "role")->valuestring);
    cJSON_Delete(clean);
    if ((expert == NULL) == (user == NULL)) {
        api_field_error(req, expert ? "user_id" : "expert_id", "one_of",
                        "expert_id（专家或院士）与 user_id（工作人员）须且只须给出一个");
        return;
    }
    const char *params[] = {id, api_caller_json(req), expert, user, role};
    struct db_job *job = api_write_job(req, NULL);
    db_job_add(job, &member_add, 5, params);
    api_db_run(req, job, 0, member_added);
}

static void member_removed(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (!scope_ok(req, res))
        return;
    if (strcmp(PQgetvalue(res, 0, 2), "0") == 0) {
        http_problem(req, 404, "not_found", "此服务群没有这个成员");
        return;
    }
    http_reply_empty(req, 204);
}

static void handle_member_remove(struct http_request *req)
{
    const char *id, *member;
    if (!api_parse_id(req, "id", &id) || !api_parse_id(req, "member_id", &member))
        return;
    const char *params[] = {id, api_caller_json(req), member};
    struct db_job *job = api_write_job(req, NULL);
    db_job_add(job, &member_remove, 3, params);
    api_db_run(req, job, 0, member_removed);
}

static const struct constraint_field constraints[] = {
    {"service_groups_industry_codes", 400, "industry_codes", "unknown_code", "行业代码不存在"},
    {"service_groups_region_codes", 400, "region_codes", "unknown_code", "地区代码不存在"},
    {"service_group_members_expert", 409, "expert_id", "duplicate", "该专家已是服务群成员"},
    {"service_group_members_user", 409, "user_id", "duplicate", "该工作人员已是服务群成员"},
    {"service_group_members_expert_id_fkey", 400, "expert_id", "unknown_record", "专家不存在"},
    {"service_group_members_user_id_fkey", 400, "user_id", "unknown_record", "用户不存在"},
    {"service_group_members_user_staff", 400, "user_id", "not_staff",
     "只有工作人员账号（管理员、市科协、县（市、区）科协）可以作为 user_id 加入服务群"},
    {NULL, 0, NULL, NULL, NULL},
};

void service_groups_register(struct router *r)
{
    constraints_register(constraints);
    static struct db_stmt *const stmts[] = {
        &insert,     &get,           &patch,      &archive,      &visible,         &members,
        &member_add, &member_remove, &list_by_id, &list_by_name, &list_by_updated, &list_by_rank,
        NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_GET,
         .pattern = "/api/v1/service-groups",
         .handler = handle_list,
         .roles = READERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/service-groups",
         .handler = handle_create,
         .roles = STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/service-groups/{id}",
         .handler = handle_get,
         .roles = READERS},
        {.method = HTTP_PATCH,
         .pattern = "/api/v1/service-groups/{id}",
         .handler = handle_patch,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/service-groups/{id}/archive",
         .handler = handle_archive,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/service-groups/{id}/restore",
         .handler = handle_restore,
         .roles = STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/service-groups/{id}/members",
         .handler = handle_members,
         .roles = READERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/service-groups/{id}/members",
         .handler = handle_member_add,
         .roles = STAFF},
        {.method = HTTP_DELETE,
         .pattern = "/api/v1/service-groups/{id}/members/{member_id}",
         .handler = handle_member_remove,
         .roles = STAFF},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
