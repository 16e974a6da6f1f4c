/* Ranking: experts and academicians for a demand (GET /api/v1/demands/{id}/matches) and open
 * demands for an expert (GET /api/v1/experts/{id}/recommended-demands). The daemon segments
 * the text and widens it with the thesaurus (api/search.c); the score and its explanation
 * are one SQL function each (migrations/0010_matching.sql, docs/matching.md). */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/list.h"
#include "api/matching.h"
#include "api/resource.h"
#include "api/search.h"

#include "domain/codes.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define MATCH_DEFAULT_LIMIT 10
#define MATCH_MAX_LIMIT     50

static const char *const titles[] = {
    "senior", "associate_senior", "intermediate", "junior", "other", NULL};
static const char *const affiliation_kinds[] = {"university", "institute", "enterprise", "other",
                                                NULL};
static const char *const kinds[] = {"expert", "academician", NULL};

/* $1 demand id, $2 caller: the demand's text, and whether the caller may see its ranking. */
static struct db_stmt demand_text = {
    "match_demand_text",
    "SELECT concat_ws(' ', d.title, d.description, array_to_string(d.keywords, ' ')),"
    "  CASE $2::jsonb->>'role' WHEN 'enterprise'"
    "       THEN d.enterprise_id = ($2::jsonb->>'enterprise')::bigint ELSE true END"
    " FROM demands d WHERE d.id = $1::bigint AND d.archived_at IS NULL",
    2, 0};

/* $1 demand id, $2 tsquery, $3 filters, $4 limit. */
static struct db_stmt rank = {
    "match_rank_page",
    "SELECT json_build_object('items', coalesce(json_agg(h.hit ORDER BY (h.hit->>'rank')::int),"
    "  '[]'::json), 'next_cursor', NULL)::text"
    " FROM match_hits($1::bigint, $2::tsquery, $3::jsonb, $4::int) h",
    4, 0};

/* $1 expert id, $2 caller: the expert's text, and whether the caller may see it. */
static struct db_stmt expert_text = {
    "match_expert_text",
    "SELECT concat_ws(' ', array_to_string(e.keywords, ' '), e.research_fields),"
    "  CASE $2::jsonb->>'role' WHEN 'expert'"
    "       THEN e.id = ($2::jsonb->>'expert')::bigint ELSE true END"
    " FROM experts e WHERE e.id = $1::bigint AND e.archived_at IS NULL",
    2, 0};

/* $1 expert id, $2 tsquery, $3 limit. */
static struct db_stmt recommend = {
    "match_recommend_page",
    "SELECT json_build_object('items', coalesce(json_agg(h.hit ORDER BY (h.hit->>'rank')::int),"
    "  '[]'::json), 'next_cursor', NULL)::text"
    " FROM recommend_demands($1::bigint, $2::tsquery, $3::int) h",
    3, 0};

/* What a ranking request carries between its round trips (in the request arena). */
struct rank_call {
    const char *id;
    const char *filters;
    const char *limit;
};

static bool in_list(const char *v, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(v, list[i]) == 0)
            return true;
    return false;
}

/* limit: 1..MATCH_MAX_LIMIT, default MATCH_DEFAULT_LIMIT. */
static bool parse_limit(struct http_request *req, const struct query *q, const char **out)
{
    const char *v = query_get(q, "limit");
    if (v == NULL) {
        *out = arena_printf(&req->arena, "%d", MATCH_DEFAULT_LIMIT);
        return true;
    }
    char *end;
    long n = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || n < 1 || n > MATCH_MAX_LIMIT)
        return api_param_error(req, "limit", "limit 应为 1 到 50 之间的整数");
    *out = arena_printf(&req->arena, "%ld", n);
    return true;
}

static bool parse_bool(struct http_request *req, const struct query *q, const char *key, bool *out)
{
    const char *v = query_get(q, key);
    *out = false;
    if (v == NULL || strcmp(v, "false") == 0)
        return true;
    if (strcmp(v, "true") == 0) {
        *out = true;
        return true;
    }
    return api_param_error(req, key, "应为 true 或 false");
}

/* An optional enumerated filter copied into the filters object. */
static bool enum_filter(struct http_request *req, const struct query *q, const char *key,
                        const char *const *allowed, cJSON *filters)
{
    const char *v = query_get(q, key);
    if (v == NULL)
        return true;
    if (!in_list(v, allowed))
        return api_param_error(req, key, arena_printf(&req->arena, "%s 的取值无效", key));
    cJSON_AddStringToObject(filters, key, v);
    return true;
}

static bool parse_filters(struct http_request *req, const struct query *q, cJSON *filters)
{
    const char *region = query_get(q, "region_code");
    const char *code, *message;
    if (region && !codes_check_region_code(region, &code, &message))
        return api_param_error(req, "region_code", message);
    if (region)
        cJSON_AddStringToObject(filters, "region_code", region);
    bool academicians_only, exclude_matched;
    if (!parse_bool(req, q, "academicians_only", &academicians_only) ||
        !parse_bool(req, q, "exclude_matched", &exclude_matched) ||
        !enum_filter(req, q, "kind", kinds, filters) ||
        !enum_filter(req, q, "title", titles, filters) ||
        !enum_filter(req, q, "affiliation_kind", affiliation_kinds, filters) ||
        !enum_filter(req, q, "service_mode", match_service_modes, filters))
        return false;
    if (academicians_only) {
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(filters, "kind");
        if (kind && strcmp(kind->valuestring, "academician") != 0)
            return api_param_error(req, "kind", "与 academicians_only=true 矛盾");
        if (!kind)
            cJSON_AddStringToObject(filters, "kind", "academician");
    }
    if (exclude_matched)
        cJSON_AddTrueToObject(filters, "exclude_matched");
    return true;
}

static void page_done(struct http_request *req, struct db_job *job)
{
    api_reply_row(req, job, 0, 200);
}

static void rank_ready(struct http_request *req, const char *tsquery)
{
    struct rank_call *rc = req->state;
    const char *params[] = {rc->id, tsquery, rc->filters, rc->limit};
    struct db_job *job = api_job(req);
    db_job_add(job, &rank, 4, params);
    api_db_run(req, job, DB_RETRY_SAFE, page_done);
}

static void recommend_ready(struct http_request *req, const char *tsquery)
{
    struct rank_call *rc = req->state;
    const char *params[] = {rc->id, tsquery, rc->limit};
    struct db_job *job = api_job(req);
    db_job_add(job, &recommend, 3, params);
    api_db_run(req, job, DB_RETRY_SAFE, page_done);
}

/* The subject's text is read; unless it is not there (or not the caller's), search it. */
static void text_done(struct http_request *req, struct db_job *job, search_ready_fn ready)
{
    PGresult *res = db_job_result(job, 0);
    if (PQntuples(res) == 0 || strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    const char *text = arena_strdup(&req->arena, PQgetvalue(res, 0, 0));
    api_search_prepare(req, text, QUERY_ANY, ready);
}

static void demand_text_done(struct http_request *req, struct db_job *job)
{
    text_done(req, job, rank_ready);
}

static void expert_text_done(struct http_request *req, struct db_job *job)
{
    text_done(req, job, recommend_ready);
}

static void handle_rank(struct http_request *req)
{
    static const char *const allowed[] = {"limit",        "region_code",     "academicians_only",
                                          "kind",         "title",           "affiliation_kind",
                                          "service_mode", "exclude_matched", NULL};
    struct query q;
    struct rank_call *rc = arena_calloc(&req->arena, sizeof *rc);
    if (!api_parse_id(req, "id", &rc->id) || !api_parse_query(req, allowed, &q) ||
        !parse_limit(req, &q, &rc->limit))
        return;
    cJSON *filters = cJSON_CreateObject();
    bool ok = parse_filters(req, &q, filters);
    if (ok)
        rc->filters = api_json_text(req, filters);
    cJSON_Delete(filters);
    if (!ok)
        return;
    req->state = rc;
    const char *params[] = {rc->id, api_caller_json(req)};
    struct db_job *job = api_job(req);
    db_job_add(job, &demand_text, 2, params);
    api_db_run(req, job, DB_RETRY_SAFE, demand_text_done);
}

static void handle_recommend(struct http_request *req)
{
    static const char *const allowed[] = {"limit", NULL};
    struct query q;
    struct rank_call *rc = arena_calloc(&req->arena, sizeof *rc);
    if (!api_parse_id(req, "id", &rc->id) || !api_parse_query(req, allowed, &q) ||
        !parse_limit(req, &q, &rc->limit))
        return;
    req->state = rc;
    const char *params[] = {rc->id, api_caller_json(req)};
    struct db_job *job = api_job(req);
    db_job_add(job, &expert_text, 2, params);
    api_db_run(req, job, DB_RETRY_SAFE, expert_text_done);
}

void matching_register(struct router *r)
{
    static struct db_stmt *const stmts[] = {&demand_text, &rank, &expert_text, &recommend, NULL};
    db_stmt_register_all(stmts);
    match_stats_register();
    static const struct route routes[] = {
        {.method = HTTP_GET,
         .pattern = "/api/v1/demands/{id}/matches",
         .handler = handle_rank,
         .roles = ROLES_STAFF | ROLE_ENTERPRISE},
        {.method = HTTP_GET,
         .pattern = "/api/v1/experts/{id}/recommended-demands",
         .handler = handle_recommend,
         .roles = ROLES_STAFF | ROLE_EXPERT},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
