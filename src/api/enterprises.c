/* The enterprise library: staff keep it (county staff the enterprises of their region); an
 * enterprise user sees and edits its own record's contact details. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/constraints.h"
#include "api/enterprises.h"
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

const char *const enterprise_search_fields[] = {"name", "description", "address", NULL};
const char *const enterprise_sizes[] = {"large", "medium", "small", "micro", NULL};

#define STAFF ROLES_STAFF

/* Shared with the import adapter (api/import_adapters.c): an imported row passes these. */
const struct field_spec enterprise_fields[] = {
    {"name", FIELD_STRING, FIELD_REQUIRED, 1, 200, 0, NULL, STAFF, NULL},
    {"credit_code", FIELD_STRING, FIELD_REQUIRED, 18, 18, 0, NULL, STAFF, codes_check_credit_code},
    {"region_code", FIELD_STRING, FIELD_REQUIRED, 6, 6, 0, NULL, STAFF, codes_check_region_code},
    {"industry_code", FIELD_STRING, FIELD_NULLABLE, 1, 3, 0, NULL, STAFF,
     codes_check_industry_code},
    {"size", FIELD_ENUM, FIELD_NULLABLE, 0, 0, 0, enterprise_sizes, STAFF, NULL},
    {"high_tech", FIELD_BOOL, 0, 0, 0, 0, NULL, STAFF, NULL},
    {"address", FIELD_STRING, FIELD_NULLABLE, 0, 200, 0, NULL, 0, NULL},
    {"contact_name", FIELD_STRING, FIELD_NULLABLE, 0, 64, 0, NULL, 0, NULL},
    {"contact_phone", FIELD_STRING, FIELD_NULLABLE, 0, 32, 0, NULL, 0, codes_check_phone},
    {"description", FIELD_TEXT, FIELD_NULLABLE, 0, 4000, 0, NULL, 0, NULL},
    {"id", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"size_label", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"archived", FIELD_BOOL, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"archived_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"created_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"updated_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"version", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

/* $1 fields, $2 terms, $3 caller; then the idempotency key columns $4..$7. */
static struct db_stmt insert = {
    "enterprise_insert",
    "WITH ins AS ("
    "  INSERT INTO enterprises (name, credit_code, region_code, industry_code, size, high_tech,"
    "    address, contact_name, contact_phone, description, terms, created_by)"
    "  SELECT j->>'name', upper(j->>'credit_code'), j->>'region_code', j->>'industry_code',"
    "    j->>'size', coalesce((j->>'high_tech')::boolean, false), j->>'address',"
    "    j->>'contact_name', j->>'contact_phone', j->>'description', $2::jsonb,"
    "    ($3::jsonb->>'user_id')::bigint"
    "  FROM (SELECT $1::jsonb AS j) x RETURNING enterprises AS e),"
    " idem AS (INSERT INTO idempotency_keys (user_id, key, route, request_hash, status, body,"
    "    location)"
    "  SELECT $4::bigint, $5::text, $6::text, $7::text, 201, enterprise_json(e)::text,"
    "    '/api/v1/enterprises/' || (e).id FROM ins WHERE $5::text IS NOT NULL)"
    " SELECT enterprise_json(e)::text, (e).version::text, (e).id::text FROM ins",
    7, 0};

static struct db_stmt get = {"enterprise_get",
                             "SELECT enterprise_json(e)::text, e.version::text FROM enterprises e"
                             " WHERE e.id = $1::bigint AND (e.archived_at IS NULL OR $3::boolean)"
                             "   AND enterprise_can_read(e, $2::jsonb)",
                             3, 0};

/* $1 id, $2 fields, $3 terms, $4 expected version, $5 caller. */
static struct db_stmt patch = {
    "enterprise_patch",
    "WITH p AS (SELECT $2::jsonb AS j),"
    " cur AS (SELECT e.id, e.version, enterprise_can_read(e, $5::jsonb) AS r,"
    "           enterprise_can_write(e, $5::jsonb) AS w"
    "         FROM enterprises e WHERE e.id = $1::bigint AND e.archived_at IS NULL),"
    " upd AS (UPDATE enterprises e SET"
    "   name = CASE WHEN j ? 'name' THEN j->>'name' ELSE e.name END,"
    "   credit_code = CASE WHEN j ? 'credit_code' THEN upper(j->>'credit_code')"
    "                 ELSE e.credit_code END,"
    "   region_code = CASE WHEN j ? 'region_code' THEN j->>'region_code' ELSE e.region_code END,"
    "   industry_code = CASE WHEN j ? 'industry_code' THEN j->>'industry_code'"
    "                   ELSE e.industry_code END,"
    "   size = CASE WHEN j ? 'size' THEN j->>'size' ELSE e.size END,"
    "   high_tech = CASE WHEN j ? 'high_tech' THEN (j->>'high_tech')::boolean ELSE e.high_tech END,"
    "   address = CASE WHEN j ? 'address' THEN j->>'address' ELSE e.address END,"
    "   contact_name = CASE WHEN j ? 'contact_name' THEN j->>'contact_name'"
    "                  ELSE e.contact_name END,"
    "   contact_phone = CASE WHEN j ? 'contact_phone' THEN j->>'contact_phone'"
    "                   ELSE e.contact_phone END,"
    "   description = CASE WHEN j ? 'description' THEN j->>'description' ELSE e.description END,"
    "   terms = e.terms || $3::jsonb, updated_at = now(), version = e.version + 1"
    "   FROM p, cur WHERE e.id = cur.id AND cur.r AND cur.w"
    "     AND ($4::int IS NULL OR e.version = $4::int)"
    "   RETURNING e)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT enterprise_json(upd.e)::text FROM upd), (SELECT (upd.e).version::text FROM upd)",
    5, 0};

/* $1 id, $2 caller, $3 expected version, $4 archive (true) or restore (false). Archiving an
 * archived record (or restoring a live one) changes nothing and answers its current state. */
static struct db_stmt archive = {
    "enterprise_archive",
    "WITH cur AS (SELECT e AS row, enterprise_can_read(e, $2::jsonb) AS r,"
    "           enterprise_can_write(e, $2::jsonb) AS w"
    "         FROM enterprises e WHERE e.id = $1::bigint),"
    " upd AS (UPDATE enterprises e SET"
    "   archived_at = CASE WHEN $4::boolean THEN now() END,"
    "   archived_by = CASE WHEN $4::boolean THEN ($2::jsonb->>'user_id')::bigint END,"
    "   updated_at = now(), version = e.version + 1"
    "   FROM cur WHERE e.id = (cur.row).id AND cur.r AND cur.w"
    "     AND (e.archived_at IS NULL) = $4::boolean"
    "     AND ($3::int IS NULL OR e.version = $3::int)"
    "   RETURNING e)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  coalesce((SELECT enterprise_json(upd.e)::text FROM upd),"
    "           (SELECT enterprise_json(cur.row)::text FROM cur"
    "            WHERE ((cur.row).archived_at IS NULL) <> $4::boolean"
    "              AND ($3::int IS NULL OR (cur.row).version = $3::int))),"
    "  coalesce((SELECT (upd.e).version::text FROM upd), (SELECT (cur.row).version::text FROM "
    "cur))",
    4, 0};

/* Filters: $1 caller, $2 include archived, $3 region, $4 industry, $5 size, $6 high_tech,
 * $7 updated since, $8 tsquery; then the keyset and $11 the row limit. */
#define LIST_FROM                                                                                  \
    " FROM enterprises e"                                                                          \
    " WHERE (e.archived_at IS NULL OR $2::boolean)"                                                \
    "   AND ($1::jsonb->>'role' <> 'enterprise' OR e.id = ($1::jsonb->>'enterprise')::bigint)"     \
    "   AND ($3::text IS NULL OR e.region_code = $3) AND ($4::text IS NULL OR e.industry_code = "  \
    "$4)"                                                                                          \
    "   AND ($5::text IS NULL OR e.size = $5) AND ($6::boolean IS NULL OR e.high_tech = $6)"       \
    "   AND ($7::timestamptz IS NULL OR e.updated_at >= $7::timestamptz)"                          \
    "   AND ($8::tsquery IS NULL OR e.search @@ $8::tsquery)"

static struct db_stmt list_by_id = {
    "enterprise_list_id",
    "SELECT enterprise_json(e)::text, e.id::text AS key1, '' AS key2" LIST_FROM
    "   AND ($9::bigint IS NULL OR e.id > $9::bigint) AND $10::text IS NULL"
    " ORDER BY e.id LIMIT $11::int",
    11, 0};

static struct db_stmt list_by_name = {
    "enterprise_list_name",
    "SELECT enterprise_json(e)::text, e.name AS key1, e.id::text AS key2" LIST_FROM
    "   AND ($9::text IS NULL OR (e.name COLLATE \"C\", e.id) > ($9 COLLATE \"C\", $10::bigint))"
    " ORDER BY e.name COLLATE \"C\", e.id LIMIT $11::int",
    11, 0};

static struct db_stmt list_by_updated = {
    "enterprise_list_updated",
    "SELECT enterprise_json(e)::text, e.updated_at::text AS key1, e.id::text AS key2" LIST_FROM
    "   AND ($9::timestamptz IS NULL OR (e.updated_at, e.id) < ($9::timestamptz, $10::bigint))"
    " ORDER BY e.updated_at DESC, e.id DESC LIMIT $11::int",
    11, 0};

static struct db_stmt list_by_rank = {
    "enterprise_list_rank",
    "SELECT enterprise_json(e)::text, ts_rank(e.search, $8::tsquery)::text AS key1,"
    " e.id::text AS key2" LIST_FROM
    "   AND ($9::real IS NULL OR ts_rank(e.search, $8::tsquery) < $9::real"
    "        OR (ts_rank(e.search, $8::tsquery) = $9::real AND e.id > $10::bigint))"
    " ORDER BY ts_rank(e.search, $8::tsquery) DESC, e.id LIMIT $11::int",
    11, 0};

/* ---- reads ---- */

static void handle_get(struct http_request *req)
{
    api_get_record(req, &get);
}

/* Checks the filters and the sort; fills the statement's parameters. */
static bool list_parse(struct http_request *req, struct list_call *lc, const char **q)
{
    const struct query *qs = &lc->lp.query;
    const char *size = query_get(qs, "size"), *high_tech = query_get(qs, "high_tech");
    const char *since = query_get(qs, "updated_since"), *sort = query_get(qs, "sort");
    const char *archived;
    if (!api_include_archived(req, query_get(qs, "include_archived"), &archived))
        return false;
    bool ok = true;
    for (const char *const *s = enterprise_sizes; size && *s && ok; s++)
        ok = strcmp(size, *s) != 0;
    if (size && ok)
        return api_param_error(req, "size", "应为 large、medium、small 或 micro");
    if (high_tech && strcmp(high_tech, "true") != 0 && strcmp(high_tech, "false") != 0)
        return api_param_error(req, "high_tech", "应为 true 或 false");
    if (!api_code_param(req, "region_code", query_get(qs, "region_code"),
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
    else if (strcmp(sort, "name") == 0)
        lc->stmt = &list_by_name;
    else if (strcmp(sort, "-updated_at") == 0)
        lc->stmt = &list_by_updated;
    else if (strcmp(sort, "relevance") == 0 && *q)
        lc->stmt = &list_by_rank;
    else
        return api_param_error(req, "sort",
                               "应为 id、name、-updated_at 或 relevance（需同时给出 q）");
    /* Cursor keys must be of the sort's type; checked here so that a forged cursor is a 400. */
    bool int_key = lc->stmt == &list_by_id;
    if (!api_list_cursor_integer(req, lc, int_key ? 0 : 1))
        return false;
    const char *const p[11] = {api_caller_json(req),
                               archived,
                               query_get(qs, "region_code"),
                               query_get(qs, "industry_code"),
                               size,
                               high_tech,
                               since,
                               NULL,
                               lc->lp.nkeys ? lc->lp.keys[0] : NULL,
                               lc->lp.nkeys && !int_key ? lc->lp.keys[1] : NULL,
                               lc->lp.limit_plus_one};
    memcpy(lc->params, p, sizeof p);
    lc->nparams = 11;
    lc->tsquery_param = 7;
    lc->by_relevance = &list_by_rank;
    lc->by_id = &list_by_id;
    return true;
}

static void handle_list(struct http_request *req)
{
    static const char *const allowed[] = {"region_code", "industry_code",    "size",
                                          "high_tech",   "updated_since",    "q",
                                          "sort",        "include_archived", NULL};
    struct list_call *lc = api_list_call(req, allowed, 2);
    if (lc == NULL)
        return;
    const char *q = NULL;
    if (!list_parse(req, lc, &q))
        return;
    api_list_run(req, lc, q);
}

/* ---- writes ---- */

static void handle_create(struct http_request *req)
{
    cJSON *clean = api_validated_body(req, enterprise_fields, VALIDATE_CREATE);
    if (clean == NULL)
        return;
    if (!api_region_in_scope(req, clean, true)) {
        cJSON_Delete(clean);
        return;
    }
    const char *params[] = {api_json_text(req, clean),
                            api_search_terms(req, clean, enterprise_search_fields),
                            api_caller_json(req)};
    cJSON_Delete(clean);
    api_create(req, &insert, 3, params, "/api/v1/enterprises/");
}

static void handle_patch(struct http_request *req)
{
    const char *id, *version;
    if (!api_parse_id(req, "id", &id) || !api_if_match(req, &version))
        return;
    cJSON *clean = api_validated_body(req, enterprise_fields, VALIDATE_PATCH);
    if (clean == NULL)
        return;
    if (cJSON_HasObjectItem(clean, "region_code") && !api_region_in_scope(req, clean, true)) {
        cJSON_Delete(clean);
        return;
    }
    const char *params[] = {id, api_json_text(req, clean),
                            api_search_terms(req, clean, enterprise_search_fields), version,
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

static const struct constraint_field constraints[] = {
    {"enterprises_credit_code", 409, "credit_code", "duplicate", "统一社会信用代码已存在"},
    {"enterprises_region_code_fkey", 400, "region_code", "unknown_code", "地区代码不存在"},
    {"enterprises_industry_code_fkey", 400, "industry_code", "unknown_code", "行业代码不存在"},
    {NULL, 0, NULL, NULL, NULL},
};

void enterprises_register(struct router *r)
{
    constraints_register(constraints);
    static struct db_stmt *const stmts[] = {&insert,          &get,          &patch,
                                            &archive,         &list_by_id,   &list_by_name,
                                            &list_by_updated, &list_by_rank, NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_GET,
         .pattern = "/api/v1/enterprises",
         .handler = handle_list,
         .roles = STAFF | ROLE_ENTERPRISE},
        {.method = HTTP_POST,
         .pattern = "/api/v1/enterprises",
         .handler = handle_create,
         .roles = STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/enterprises/{id}",
         .handler = handle_get,
         .roles = STAFF | ROLE_ENTERPRISE},
        {.method = HTTP_PATCH,
         .pattern = "/api/v1/enterprises/{id}",
         .handler = handle_patch,
         .roles = STAFF | ROLE_ENTERPRISE},
        {.method = HTTP_POST,
         .pattern = "/api/v1/enterprises/{id}/archive",
         .handler = handle_archive,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/enterprises/{id}/restore",
         .handler = handle_restore,
         .roles = STAFF},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
