/* Service activities: the "四进" visits (进机关宣讲、进校园科普、进园区指导、进企业建站) and other
 * services, with their participants, the enterprises served and the academician days on site
 * that feed the workstation assessment. Staff keep them (county staff those of their
 * region); a participating expert and a served enterprise read the ones that concern them. */
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
#include "http/json_body.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const kinds[] = {"agency_lecture",     "campus_science", "park_guidance",
                                    "enterprise_station", "other",          NULL};

#define STAFF   ROLES_STAFF
#define READERS (ROLES_STAFF | ROLE_ENTERPRISE | ROLE_EXPERT)
#define MAX_ID  999999999999999LL
#define MAX_IDS 200

/* expert_ids and enterprise_ids are arrays of record ids, checked by check_ids below. */
static const struct field_spec fields[] = {
    {"kind", FIELD_ENUM, FIELD_REQUIRED, 0, 0, 0, kinds, STAFF, NULL},
    {"title", FIELD_STRING, FIELD_REQUIRED, 1, 200, 0, NULL, STAFF, NULL},
    {"held_on", FIELD_DATE, FIELD_REQUIRED, 0, 0, 0, NULL, STAFF, NULL},
    {"place", FIELD_STRING, FIELD_NULLABLE, 0, 200, 0, NULL, STAFF, NULL},
    {"region_code", FIELD_STRING, 0, 6, 6, 0, NULL, STAFF, codes_check_region_code},
    {"group_id", FIELD_INT, FIELD_NULLABLE, 1, MAX_ID, 0, NULL, STAFF, NULL},
    {"workstation_id", FIELD_INT, FIELD_NULLABLE, 1, MAX_ID, 0, NULL, STAFF, NULL},
    {"academician_days", FIELD_NUMBER, 0, 0, 366, 0, NULL, STAFF, NULL},
    {"outcome", FIELD_TEXT, FIELD_NULLABLE, 0, 4000, 0, NULL, STAFF, NULL},
    {"id", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"kind_label", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"archived", FIELD_BOOL, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"archived_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"created_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"updated_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"version", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

static const char *const id_array_fields[] = {"expert_ids", "enterprise_ids", NULL};
/* The fields segmented into search terms (their weights: migrations/0029_service_search.sql). */
static const char *const search_fields[] = {"title", "outcome", "place", NULL};

/* $1 fields, $2 caller, $3 search terms; then the idempotency key columns $4..$7. */
static struct db_stmt insert = {
    "service_activity_insert",
    "WITH ins AS ("
    "  INSERT INTO service_activities (kind, title, held_on, place, region_code, group_id,"
    "    workstation_id, expert_ids, enterprise_ids, academician_days, outcome, created_by,"
    "    terms)"
    "  SELECT j->>'kind', j->>'title', (j->>'held_on')::date, j->>'place', j->>'region_code',"
    "    (j->>'group_id')::bigint, (j->>'workstation_id')::bigint,"
    "    ARRAY(SELECT i::bigint FROM jsonb_array_elements_text(coalesce(j->'expert_ids', '[]')) i),"
    "    ARRAY(SELECT i::bigint"
    "          FROM jsonb_array_elements_text(coalesce(j->'enterprise_ids', '[]')) i),"
    "    coalesce((j->>'academician_days')::numeric, 0), j->>'outcome',"
    "    ($2::jsonb->>'user_id')::bigint, $3::jsonb"
    "  FROM (SELECT $1::jsonb AS j) x RETURNING service_activities AS a),"
    " idem AS (INSERT INTO idempotency_keys (user_id, key, route, request_hash, status, body,"
    "    location)"
    "  SELECT $4::bigint, $5::text, $6::text, $7::text, 201,"
    "    service_activity_json(a, $2::jsonb)::text,"
    "    '/api/v1/service-activities/' || (a).id FROM ins WHERE $5::text IS NOT NULL)"
    " SELECT service_activity_json(a, $2::jsonb)::text, (a).version::text, (a).id::text FROM ins",
    7, 0};

static struct db_stmt get = {"service_activity_get",
                             "SELECT service_activity_json(a, $2::jsonb)::text, a.version::text"
                             " FROM service_activities a"
                             " WHERE a.id = $1::bigint AND (a.archived_at IS NULL OR $3::boolean)"
                             "   AND service_activity_can_read(a, $2::jsonb)",
                             3, 0};

/* $1 id, $2 fields, $3 expected version, $4 caller, $5 search terms of the patched fields. */
static struct db_stmt patch = {
    "service_activity_patch",
    "WITH p AS (SELECT $2::jsonb AS j),"
    " cur AS (SELECT x.id, x.version, service_activity_can_read(x, $4::jsonb) AS r,"
    "           service_activity_can_write(x, $4::jsonb) AS w"
    "         FROM service_activities x WHERE x.id = $1::bigint AND x.archived_at IS NULL),"
    " upd AS (UPDATE service_activities a SET"
    "   kind = CASE WHEN j ? 'kind' THEN j->>'kind' ELSE a.kind END,"
    "   title = CASE WHEN j ? 'title' THEN j->>'title' ELSE a.title END,"
    "   held_on = CASE WHEN j ? 'held_on' THEN (j->>'held_on')::date ELSE a.held_on END,"
    "   place = CASE WHEN j ? 'place' THEN j->>'place' ELSE a.place END,"
    "   region_code = CASE WHEN j ? 'region_code' THEN j->>'region_code' ELSE a.region_code END,"
    "   group_id = CASE WHEN j ? 'group_id' THEN (j->>'group_id')::bigint ELSE a.group_id END,"
    "   workstation_id = CASE WHEN j ? 'workstation_id' THEN (j->>'workstation_id')::bigint"
    "                    ELSE a.workstation_id END,"
    "   expert_ids = CASE WHEN j ? 'expert_ids'"
    "                THEN ARRAY(SELECT i::bigint FROM jsonb_array_elements_text(j->'expert_ids') i)"
    "                ELSE a.expert_ids END,"
    "   enterprise_ids = CASE WHEN j ? 'enterprise_ids'"
    "                    THEN ARRAY(SELECT i::bigint"
    "                               FROM jsonb_array_elements_text(j->'enterprise_ids') i)"
    "                    ELSE a.enterprise_ids END,"
    "   academician_days = CASE WHEN j ? 'academician_days'"
    "                      THEN (j->>'academician_days')::numeric ELSE a.academician_days END,"
    "   outcome = CASE WHEN j ? 'outcome' THEN j->>'outcome' ELSE a.outcome END,"
    "   terms = a.terms || $5::jsonb, updated_at = now(), version = a.version + 1"
    "   FROM p, cur WHERE a.id = cur.id AND cur.r AND cur.w"
    "     AND ($3::int IS NULL OR a.version = $3::int)"
    "   RETURNING a)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT service_activity_json(upd.a, $4::jsonb)::text FROM upd),"
    "  (SELECT (upd.a).version::text FROM upd)",
    5, 0};

/* $1 id, $2 caller, $3 expected version, $4 archive (true) or restore (false); idempotent. */
static struct db_stmt archive = {
    "service_activity_archive",
    "WITH cur AS (SELECT x AS row, service_activity_can_read(x, $2::jsonb) AS r,"
    "           service_activity_can_write(x, $2::jsonb) AS w"
    "         FROM service_activities x WHERE x.id = $1::bigint),"
    " upd AS (UPDATE service_activities a SET"
    "   archived_at = CASE WHEN $4::boolean THEN now() END,"
    "   archived_by = CASE WHEN $4::boolean THEN ($2::jsonb->>'user_id')::bigint END,"
    "   updated_at = now(), version = a.version + 1"
    "   FROM cur WHERE a.id = (cur.row).id AND cur.r AND cur.w"
    "     AND (a.archived_at IS NULL) = $4::boolean"
    "     AND ($3::int IS NULL OR a.version = $3::int)"
    "   RETURNING a)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  coalesce((SELECT service_activity_json(upd.a, $2::jsonb)::text FROM upd),"
    "           (SELECT service_activity_json(cur.row, $2::jsonb)::text FROM cur"
    "            WHERE ((cur.row).archived_at IS NULL) <> $4::boolean"
    "              AND ($3::int IS NULL OR (cur.row).version = $3::int))),"
    "  coalesce((SELECT (upd.a).version::text FROM upd),"
    "           (SELECT (cur.row).version::text FROM cur))",
    4, 0};

/* Filters: $1 caller, $2 include archived, $3 kind, $4 region, $5 group, $6 workstation,
 * $7 participating expert, $8 enterprise served, $9 held from, $10 held to, $11 updated
 * since, $15 tsquery of q; then the keyset $12 $13 and $14 the row limit. Experts and enterprises
 * see only the activities that concern them. */
#define LIST_FROM                                                                                  \
    " FROM service_activities a"                                                                   \
    " WHERE (a.archived_at IS NULL OR $2::boolean)"                                                \
    "   AND ($1::jsonb->>'role' <> 'expert'"                                                       \
    "        OR ($1::jsonb->>'expert')::bigint = ANY (a.expert_ids))"                              \
    "   AND ($1::jsonb->>'role' <> 'enterprise'"                                                   \
    "        OR ($1::jsonb->>'enterprise')::bigint = ANY (a.enterprise_ids))"                      \
    "   AND ($3::text IS NULL OR a.kind = $3) AND ($4::text IS NULL OR a.region_code = $4)"        \
    "   AND ($5::bigint IS NULL OR a.group_id = $5::bigint)"                                       \
    "   AND ($6::bigint IS NULL OR a.workstation_id = $6::bigint)"                                 \
    "   AND ($7::bigint IS NULL OR $7::bigint = ANY (a.expert_ids))"                               \
    "   AND ($8::bigint IS NULL OR $8::bigint = ANY (a.enterprise_ids))"                           \
    "   AND ($9::date IS NULL OR a.held_on >= $9::date)"                                           \
    "   AND ($10::date IS NULL OR a.held_on <= $10::date)"                                         \
    "   AND ($11::timestamptz IS NULL OR a.updated_at >= $11::timestamptz)"                        \
    "   AND ($15::tsquery IS NULL OR a.search @@ $15::tsquery)"

#define LIST_PARAMS 15

static struct db_stmt list_by_held = {
    "service_activity_list_held",
    "SELECT service_activity_json(a, $1::jsonb)::text, a.held_on::text AS key1,"
    " a.id::text AS key2" LIST_FROM
    "   AND ($12::date IS NULL OR (a.held_on, a.id) < ($12::date, $13::bigint))"
    " ORDER BY a.held_on DESC, a.id DESC LIMIT $14::int",
    LIST_PARAMS, 0};

static struct db_stmt list_by_id = {
    "service_activity_list_id",
    "SELECT service_activity_json(a, $1::jsonb)::text, a.id::text AS key1, '' AS key2" LIST_FROM
    "   AND ($12::bigint IS NULL OR a.id > $12::bigint) AND $13::text IS NULL"
    " ORDER BY a.id LIMIT $14::int",
    LIST_PARAMS, 0};

static struct db_stmt list_by_updated = {
    "service_activity_list_updated",
    "SELECT service_activity_json(a, $1::jsonb)::text, a.updated_at::text AS key1,"
    " a.id::text AS key2" LIST_FROM
    "   AND ($12::timestamptz IS NULL OR (a.updated_at, a.id) < ($12::timestamptz, $13::bigint))"
    " ORDER BY a.updated_at DESC, a.id DESC LIMIT $14::int",
    LIST_PARAMS, 0};

static struct db_stmt list_by_rank = {
    "service_activity_list_rank",
    "SELECT service_activity_json(a, $1::jsonb)::text, ts_rank(a.search, $15::tsquery)::text"
    " AS key1, a.id::text AS key2" LIST_FROM
    "   AND ($12::real IS NULL OR ts_rank(a.search, $15::tsquery) < $12::real"
    "        OR (ts_rank(a.search, $15::tsquery) = $12::real AND a.id > $13::bigint))"
    " ORDER BY ts_rank(a.search, $15::tsquery) DESC, a.id LIMIT $14::int",
    LIST_PARAMS, 0};

/* ---- helpers ---- */

/* An array of distinct positive record ids (duplicates dropped), or an error in v. */
static cJSON *check_ids(const char *name, const cJSON *item, struct validation *v)
{
    if (cJSON_IsNull(item)) {
        validation_add(v, name, "required", "不能为空，没有时请给出 []");
        return NULL;
    }
    if (!cJSON_IsArray(item)) {
        validation_add(v, name, "type", "应为编号数组");
        return NULL;
    }
    if (cJSON_GetArraySize(item) > MAX_IDS) {
        char msg[64];
        snprintf(msg, sizeof msg, "最多 %d 项", MAX_IDS);
        validation_add(v, name, "too_many", msg);
        return NULL;
    }
    cJSON *out = cJSON_CreateArray();
    int index = 0;
    const cJSON *el;
    cJSON_ArrayForEach(el, item)
    {
        double d = cJSON_IsNumber(el) ? el->valuedouble : 0;
        if (!cJSON_IsNumber(el) || d < 1 || d > (double)MAX_ID || floor(d) != d) {
            char field[64];
            snprintf(field, sizeof field, "%s[%d]", name, index);
            validation_add(v, field, "type", "应为正整数编号");
            cJSON_Delete(out);
            return NULL;
        }
        bool dup = false;
        const cJSON *prev;
        cJSON_ArrayForEach(prev, out)
        {
            dup |= prev->valuedouble == d;
        }
        if (!dup)
            cJSON_AddItemToArray(out, cJSON_CreateNumber(d));
        index++;
    }
    return out;
}

/* api_validated_body plus the id arrays, which validate.h has no type for. */
static cJSON *validated_body(struct http_request *req, enum validate_mode mode)
{
    cJSON *body;
    if (!http_read_json_object(req, &body))
        return NULL;
    cJSON *ids[2];
    for (int i = 0; i < 2; i++)
        ids[i] = cJSON_DetachItemFromObjectCaseSensitive(body, id_array_fields[i]);
    struct validation v;
    validate_body(body, fields, mode, access_caller(req)->role, &v);
    cJSON_Delete(body);
    for (int i = 0; i < 2; i++) {
        if (ids[i] == NULL)
            continue;
        cJSON *clean = check_ids(id_array_fields[i], ids[i], &v);
        if (clean)
            cJSON_AddItemToObject(v.clean, id_array_fields[i], clean);
        cJSON_Delete(ids[i]);
    }
    /* Days on site are counted in tenths (numeric(6, 1)). */
    const cJSON *days = cJSON_GetObjectItemCaseSensitive(v.clean, "academician_days");
    if (cJSON_IsNumber(days) && fabs(days->valuedouble * 10 - round(days->valuedouble * 10)) > 1e-6)
        validation_add(&v, "academician_days", "precision", "最多保留一位小数，如 2.5");
    if (v.errors == NULL && v.forbidden_field == NULL) {
        cJSON *clean = v.clean;
        v.clean = NULL;
        validation_free(&v);
        return clean;
    }
    if (v.forbidden_field)
        api_forbidden_field(req, v.forbidden_field, NULL);
    else {
        http_problem_errors(req, 400, "validation_failed", NULL, v.errors);
        v.errors = NULL;
    }
    validation_free(&v);
    return NULL;
}

/* ---- reads ---- */

static void handle_get(struct http_request *req)
{
    api_get_record(req, &get);
}

/* The sort and its cursor: -held_on (default; relevance when q is given), id, -updated_at or
 * relevance. */
static bool pick_sort(struct http_request *req, const struct list_params *lp, const char *sort,
                      const char *q, struct db_stmt **stmt)
{
    if (sort == NULL)
        *stmt = q ? &list_by_rank : &list_by_held;
    else if (strcmp(sort, "-held_on") == 0)
        *stmt = &list_by_held;
    else if (strcmp(sort, "id") == 0)
        *stmt = &list_by_id;
    else if (strcmp(sort, "-updated_at") == 0)
        *stmt = &list_by_updated;
    else if (strcmp(sort, "relevance") == 0 && q)
        *stmt = &list_by_rank;
    else
        return api_param_error(req, "sort",
                               "应为 -held_on、id、-updated_at 或 relevance（需同时给出 q）");
    bool ok = true;
    if (lp->nkeys && *stmt == &list_by_id)
        ok = list_is_integer(lp->keys[0]);
    else if (lp->nkeys)
        ok = list_is_integer(lp->keys[1]) && (*stmt != &list_by_held || validate_date(lp->keys[0]));
    return ok || api_param_error(req, "cursor", "cursor 无效，请使用上一页返回的 next_cursor");
}

static void handle_list(struct http_request *req)
{
    static const char *const allowed[] = {
        "kind",          "region_code",      "group_id", "workstation_id", "expert_id",
        "enterprise_id", "held_from",        "held_to",  "updated_since",  "q",
        "sort",          "include_archived", NULL};
    struct list_call *lc = api_list_call(req, allowed, 2);
    if (lc == NULL)
        return;
    const struct query *qs = &lc->lp.query;
    const char *kind = query_get(qs, "kind"), *since = query_get(qs, "updated_since");
    const char *from = query_get(qs, "held_from"), *to = query_get(qs, "held_to");
    const char *q = query_get(qs, "q"), *archived;
    if (q && *q == '\0')
        q = NULL;
    if (!api_include_archived(req, query_get(qs, "include_archived"), &archived))
        return;
    if (kind && !list_one_of(kind, kinds)) {
        api_param_error(
            req, "kind",
            "应为 agency_lecture、campus_science、park_guidance、enterprise_station 或 other");
        return;
    }
    static const char *const id_filters[] = {"group_id", "workstation_id", "expert_id",
                                             "enterprise_id", NULL};
    for (const char *const *f = id_filters; *f; f++) {
        if (!api_id_param(req, *f, query_get(qs, *f)))
            return;
    }
    if ((from && !validate_date(from)) || (to && !validate_date(to))) {
        api_param_error(req, from && !validate_date(from) ? "held_from" : "held_to",
                        "应为日期，格式 YYYY-MM-DD");
        return;
    }
    if (since && !validate_datetime(since)) {
        api_param_error(req, "updated_since", "应为 RFC 3339 时间");
        return;
    }
    if (!api_code_param(req, "region_code", query_get(qs, "region_code"),
                        codes_check_region_code) ||
        !pick_sort(req, &lc->lp, query_get(qs, "sort"), q, &lc->stmt))
        return;
    bool int_key = lc->stmt == &list_by_id;
    const char *const params[] = {api_caller_json(req),
                                  archived,
                                  kind,
                                  query_get(qs, "region_code"),
                                  query_get(qs, "group_id"),
                                  query_get(qs, "workstation_id"),
                                  query_get(qs, "expert_id"),
                                  query_get(qs, "enterprise_id"),
                                  from,
                                  to,
                                  since,
                                  lc->lp.nkeys ? lc->lp.keys[0] : NULL,
                                  lc->lp.nkeys && !int_key ? lc->lp.keys[1] : NULL,
                                  lc->lp.limit_plus_one,
                                  NULL};
    memcpy(lc->params, params, sizeof params);
    lc->nparams = LIST_PARAMS;
    lc->tsquery_param = 14;
    lc->by_relevance = &list_by_rank;
    lc->by_id = &list_by_held; /* a q without searchable words: the default order */
    api_list_run(req, lc, q);
}

/* ---- writes ---- */

static void handle_create(struct http_request *req)
{
    cJSON *clean = validated_body(req, VALIDATE_CREATE);
    if (clean == NULL)
        return;
    if (!api_region_in_scope(req, clean, true)) {
        cJSON_Delete(clean);
        return;
    }
    const char *params[] = {api_json_text(req, clean), api_caller_json(req),
                            api_search_terms(req, clean, search_fields)};
    cJSON_Delete(clean);
    api_create(req, &insert, 3, params, "/api/v1/service-activities/");
}

static void handle_patch(struct http_request *req)
{
    const char *id, *version;
    if (!api_parse_id(req, "id", &id) || !api_if_match(req, &version))
        return;
    cJSON *clean = validated_body(req, VALIDATE_PATCH);
    if (clean == NULL)
        return;
    if (cJSON_HasObjectItem(clean, "region_code") && !api_region_in_scope(req, clean, true)) {
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

static const struct constraint_field constraints[] = {
    {"service_activities_expert_ids", 400, "expert_ids", "unknown_record",
     "expert_ids 中有不存在的专家或院士"},
    {"service_activities_enterprise_ids", 400, "enterprise_ids", "unknown_record",
     "enterprise_ids 中有不存在的企业"},
    {"service_activities_region_code_fkey", 400, "region_code", "unknown_code", "地区代码不存在"},
    {"service_activities_group_id_fkey", 400, "group_id", "unknown_record", "服务群不存在"},
    {NULL, 0, NULL, NULL, NULL},
};

void service_activities_register(struct router *r)
{
    constraints_register(constraints);
    static struct db_stmt *const stmts[] = {&insert,          &get,          &patch,
                                            &archive,         &list_by_held, &list_by_id,
                                            &list_by_updated, &list_by_rank, NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_GET,
         .pattern = "/api/v1/service-activities",
         .handler = handle_list,
         .roles = READERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/service-activities",
         .handler = handle_create,
         .roles = STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/service-activities/{id}",
         .handler = handle_get,
         .roles = READERS},
        {.method = HTTP_PATCH,
         .pattern = "/api/v1/service-activities/{id}",
         .handler = handle_patch,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/service-activities/{id}/archive",
         .handler = handle_archive,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/service-activities/{id}/restore",
         .handler = handle_restore,
         .roles = STAFF},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
