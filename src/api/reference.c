/* Reference data, read-only: regions (GB/T 2260), disciplines (GB/T 13745) and industries
 * (GB/T 4754-2017 plus the city's leading-industry tags). */
#include "api/api_db.h"
#include "api/app.h"
#include "api/list.h"

#include "domain/role.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <string.h>

/* Each list statement takes: $1 first filter, $2 parent_code, $3 q (substring of the name),
 * $4/$5 the cursor (sort_order, code), $6 the row limit (page size + 1). */
static struct db_stmt region_list = {
    "region_list",
    "SELECT json_build_object('code', code, 'name', name, 'kind', kind, 'kind_label',"
    "  CASE kind WHEN 'province' THEN '省' WHEN 'city' THEN '地级市' WHEN 'district' THEN '市辖区'"
    "  WHEN 'county' THEN '县' WHEN 'county_city' THEN '县级市' ELSE '功能区' END,"
    "  'parent_code', parent_code)::text, sort_order::text AS key1, code AS key2"
    " FROM regions"
    " WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR parent_code = $2)"
    "   AND ($3::text IS NULL OR strpos(name, $3) > 0 OR code = $3)"
    "   AND ($4::int IS NULL OR (sort_order, code) > ($4::int, $5::text))"
    " ORDER BY sort_order, code LIMIT $6::int",
    6, 0};

static struct db_stmt region_get = {
    "region_get",
    "SELECT json_build_object('code', code, 'name', name, 'kind', kind, 'kind_label',"
    "  CASE kind WHEN 'province' THEN '省' WHEN 'city' THEN '地级市' WHEN 'district' THEN '市辖区'"
    "  WHEN 'county' THEN '县' WHEN 'county_city' THEN '县级市' ELSE '功能区' END,"
    "  'parent_code', parent_code)::text FROM regions WHERE code = $1",
    1, 0};

static struct db_stmt discipline_list = {
    "discipline_list",
    "SELECT json_build_object('code', code, 'name', name, 'level', level, 'level_label',"
    "  CASE level WHEN 1 THEN '一级学科' ELSE '二级学科' END, 'parent_code', parent_code)::text,"
    "  sort_order::text AS key1, code AS key2"
    " FROM disciplines"
    " WHERE ($1::text IS NULL OR level = $1::smallint) AND ($2::text IS NULL OR parent_code = $2)"
    "   AND ($3::text IS NULL OR strpos(name, $3) > 0 OR code = $3)"
    "   AND ($4::int IS NULL OR (sort_order, code) > ($4::int, $5::text))"
    " ORDER BY sort_order, code LIMIT $6::int",
    6, 0};

static struct db_stmt discipline_get = {
    "discipline_get",
    "SELECT json_build_object('code', code, 'name', name, 'level', level, 'level_label',"
    "  CASE level WHEN 1 THEN '一级学科' ELSE '二级学科' END, 'parent_code', parent_code)::text"
    " FROM disciplines WHERE code = $1",
    1, 0};

static struct db_stmt industry_list = {
    "industry_list",
    "SELECT json_build_object('code', code, 'name', name, 'level', level, 'level_label',"
    "  CASE level WHEN 'section' THEN '门类' WHEN 'division' THEN '大类' ELSE '主导产业' END,"
    "  'parent_code', parent_code)::text, sort_order::text AS key1, code AS key2"
    " FROM industries"
    " WHERE ($1::text IS NULL OR level = $1) AND ($2::text IS NULL OR parent_code = $2)"
    "   AND ($3::text IS NULL OR strpos(name, $3) > 0 OR code = $3)"
    "   AND ($4::int IS NULL OR (sort_order, code) > ($4::int, $5::text))"
    " ORDER BY sort_order, code LIMIT $6::int",
    6, 0};

static struct db_stmt industry_get = {
    "industry_get",
    "SELECT json_build_object('code', code, 'name', name, 'level', level, 'level_label',"
    "  CASE level WHEN 'section' THEN '门类' WHEN 'division' THEN '大类' ELSE '主导产业' END,"
    "  'parent_code', parent_code)::text FROM industries WHERE code = $1",
    1, 0};

struct reference_table {
    struct db_stmt *list;
    struct db_stmt *get;
    const char *filter;               /* the first filter's query key */
    const char *const *filter_values; /* its allowed values */
};

static const char *const region_kinds[] = {
    "province", "city", "district", "county", "county_city", "functional_zone", NULL};
static const char *const discipline_levels[] = {"1", "2", NULL};
static const char *const industry_levels[] = {"section", "division", "tag", NULL};

static const struct reference_table regions = {&region_list, &region_get, "kind", region_kinds};
static const struct reference_table disciplines = {&discipline_list, &discipline_get, "level",
                                                   discipline_levels};
static const struct reference_table industries = {&industry_list, &industry_get, "level",
                                                  industry_levels};

static void list_done(struct http_request *req, struct db_job *job)
{
    api_reply_page(req, db_job_result(job, 0), req->state, 2);
}

static void reference_list(struct http_request *req, const struct reference_table *t)
{
    const char *allowed[] = {t->filter, "parent_code", "q", NULL};
    struct list_params *lp = arena_alloc(&req->arena, sizeof *lp);
    if (!api_list_params(req, allowed, 2, lp))
        return;
    if (lp->nkeys && !list_is_integer(lp->keys[0])) {
        cJSON *errors = cJSON_CreateArray();
        problem_add_field(errors, "cursor", "invalid",
                          "cursor 无效，请使用上一页返回的 next_cursor");
        http_problem_errors(req, 400, "invalid_parameter", NULL, errors);
        return;
    }
    const char *filter = query_get(&lp->query, t->filter);
    if (filter != NULL && !list_one_of(filter, t->filter_values)) {
        cJSON *errors = cJSON_CreateArray();
        problem_add_field(errors, t->filter, "invalid_value", "取值不在允许范围内");
        http_problem_errors(req, 400, "invalid_parameter", NULL, errors);
        return;
    }
    const char *q = query_get(&lp->query, "q");
    const char *params[6] = {filter,
                             query_get(&lp->query, "parent_code"),
                             q && *q ? q : NULL,
                             lp->nkeys ? lp->keys[0] : NULL,
                             lp->nkeys ? lp->keys[1] : NULL,
                             lp->limit_plus_one};
    req->state = lp;
    struct db_job *job = api_job(req);
    db_job_add(job, t->list, 6, params);
    api_db_run(req, job, DB_RETRY_SAFE, list_done);
}

static void reference_get(struct http_request *req, const struct reference_table *t)
{
    const char *code = http_param(req, "code");
    api_reply_json_row(req, t->get, 1, &code);
}

static void handle_region_list(struct http_request *req)
{
    reference_list(req, &regions);
}

static void handle_region_get(struct http_request *req)
{
    reference_get(req, &regions);
}

static void handle_discipline_list(struct http_request *req)
{
    reference_list(req, &disciplines);
}

static void handle_discipline_get(struct http_request *req)
{
    reference_get(req, &disciplines);
}

static void handle_industry_list(struct http_request *req)
{
    reference_list(req, &industries);
}

static void handle_industry_get(struct http_request *req)
{
    reference_get(req, &industries);
}

void reference_register(struct router *r)
{
    static struct db_stmt *const stmts[] = {
        &region_list,  &region_get, &discipline_list, &discipline_get, &industry_list,
        &industry_get, NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_GET, .pattern = "/api/v1/regions", .handler = handle_region_list},
        {.method = HTTP_GET, .pattern = "/api/v1/regions/{code}", .handler = handle_region_get},
        {.method = HTTP_GET, .pattern = "/api/v1/disciplines", .handler = handle_discipline_list},
        {.method = HTTP_GET,
         .pattern = "/api/v1/disciplines/{code}",
         .handler = handle_discipline_get},
        {.method = HTTP_GET, .pattern = "/api/v1/industries", .handler = handle_industry_list},
        {.method = HTTP_GET,
         .pattern = "/api/v1/industries/{code}",
         .handler = handle_industry_get},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        struct route rt = routes[i];
        rt.flags |= ROUTE_DB;
        rt.roles = ROLES_SIGNED_IN;
        router_add(r, &rt);
    }
}
