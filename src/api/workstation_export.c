/* Exports of the workstations (GET /api/v1/workstations/export; the XLSX adds their counts by
 * region and status) and of a year's annual reports
 * (GET /api/v1/workstations/reports/{year}/export), as XLSX or CSV through api/export_stream:
 * Chinese headers and labels, never codes. Staff only; staff read every station, so county staff
 * get all rows. No contact data of any person is exported: the academicians in residence appear by
 * name only (names are not masked anywhere in siku). */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/assessments.h"
#include "api/export_stream.h"
#include "api/list.h"
#include "api/resource.h"

#include "domain/workstation_status.h"
#include "http/problem.h"
#include "http/request.h"

#include <string.h>

/* ---- the workstation list ---- */

/* $1 caller, $2 include archived, $3 status, $4 level, $5 region, $6 industry, $7 host
 * enterprise, $8 demonstration: the filters of the list; then the keyset ($9 the region's
 * order, $10 the station) and $11 the page size (api/export_stream reads pages). */
static struct db_stmt list_rows = {
    "workstation_export_rows",
    "SELECT w.id::text, w.name, e.name, workstation_level_label(w.level), g.name, i.name,"
    " w.established_on::text, w.term_end::text, workstation_status_label(w.status),"
    " CASE WHEN w.demonstration_year IS NOT NULL THEN '是' ELSE '否' END,"
    " w.demonstration_year::text,"
    " (SELECT count(*) FROM workstation_academicians a WHERE a.workstation_id = w.id"
    "   AND (a.end_on IS NULL OR a.end_on >= current_date))::text,"
    " (SELECT string_agg(x.name, '、' ORDER BY a.start_on, x.id)"
    "   FROM workstation_academicians a JOIN experts x ON x.id = a.expert_id"
    "   WHERE a.workstation_id = w.id AND (a.end_on IS NULL OR a.end_on >= current_date)),"
    " (SELECT count(*) FROM workstation_team t WHERE t.workstation_id = w.id)::text,"
    " CASE WHEN w.archived_at IS NOT NULL THEN '已归档' ELSE '' END,"
    " coalesce(g.sort_order, 2147483647)::text, w.id::text"
    " FROM workstations w"
    " LEFT JOIN enterprises e ON e.id = w.host_enterprise_id"
    " LEFT JOIN regions g ON g.code = w.region_code"
    " LEFT JOIN industries i ON i.code = w.industry_code"
    " WHERE workstation_can_read(w, $1::jsonb) AND (w.archived_at IS NULL OR $2::boolean)"
    "   AND ($3::text IS NULL OR w.status = $3) AND ($4::text IS NULL OR w.level = $4)"
    "   AND ($5::text IS NULL OR w.region_code = $5)"
    "   AND ($6::text IS NULL OR w.industry_code = $6)"
    "   AND ($7::bigint IS NULL OR w.host_enterprise_id = $7::bigint)"
    "   AND ($8::boolean IS NULL OR (w.demonstration_year IS NOT NULL) = $8::boolean)"
    "   AND ($9::int IS NULL OR (coalesce(g.sort_order, 2147483647), w.id) > ($9::int, "
    "$10::bigint))"
    " ORDER BY coalesce(g.sort_order, 2147483647), w.id LIMIT $11::int",
    11, 0};

/* $1..$8 the filters of the list: the stations counted by region and status, with the levels
 * and the demonstration stations, regions in their order, then the city-wide total (those
 * without a region as 未填地区). */
static struct db_stmt list_regions = {
    "workstation_export_regions",
    "SELECT CASE WHEN GROUPING(w.region_code) = 1 THEN '全市合计'"
    "   ELSE coalesce(g.name, '未填地区') END,"
    " count(*) FILTER (WHERE w.status = 'planning')::text,"
    " count(*) FILTER (WHERE w.status = 'running')::text,"
    " count(*) FILTER (WHERE w.status = 'suspended')::text,"
    " count(*) FILTER (WHERE w.status = 'revoked')::text,"
    " count(*) FILTER (WHERE w.status = 'concluded')::text,"
    " count(*) FILTER (WHERE w.level = 'provincial')::text,"
    " count(*) FILTER (WHERE w.level = 'city')::text,"
    " count(*) FILTER (WHERE w.demonstration_year IS NOT NULL)::text, count(*)::text"
    " FROM workstations w LEFT JOIN regions g ON g.code = w.region_code"
    " WHERE workstation_can_read(w, $1::jsonb) AND (w.archived_at IS NULL OR $2::boolean)"
    "   AND ($3::text IS NULL OR w.status = $3) AND ($4::text IS NULL OR w.level = $4)"
    "   AND ($5::text IS NULL OR w.region_code = $5)"
    "   AND ($6::text IS NULL OR w.industry_code = $6)"
    "   AND ($7::bigint IS NULL OR w.host_enterprise_id = $7::bigint)"
    "   AND ($8::boolean IS NULL OR (w.demonstration_year IS NOT NULL) = $8::boolean)"
    " GROUP BY ROLLUP ((w.region_code, g.name, g.sort_order))"
    " ORDER BY GROUPING(w.region_code), g.sort_order NULLS LAST",
    8, 0};

static const struct export_column list_columns[] = {
    {"编号", 0, 8, EXPORT_INTEGER},       {"名称", 1, 30, EXPORT_TEXT},
    {"依托单位", 2, 30, EXPORT_TEXT},     {"级别", 3, 8, EXPORT_TEXT},
    {"地区", 4, 14, EXPORT_TEXT},         {"行业", 5, 24, EXPORT_TEXT},
    {"建站日期", 6, 12, EXPORT_TEXT},     {"协议期满", 7, 12, EXPORT_TEXT},
    {"状态", 8, 10, EXPORT_TEXT},         {"示范", 9, 6, EXPORT_TEXT},
    {"示范年份", 10, 10, EXPORT_INTEGER}, {"在站院士人数", 11, 12, EXPORT_INTEGER},
    {"在站院士", 12, 30, EXPORT_TEXT},    {"专家团队人数", 13, 12, EXPORT_INTEGER},
    {"归档", 14, 8, EXPORT_TEXT},
};
static const struct export_table list_table = {
    "院士工作站", list_columns, sizeof list_columns / sizeof list_columns[0], true, true};

static const struct export_column list_sum_columns[] = {
    {"地区", 0, 16, EXPORT_TEXT},   {"筹建", 1, 8, EXPORT_INTEGER},
    {"运行", 2, 8, EXPORT_INTEGER}, {"暂停", 3, 8, EXPORT_INTEGER},
    {"撤销", 4, 8, EXPORT_INTEGER}, {"验收结题", 5, 10, EXPORT_INTEGER},
    {"省级", 6, 8, EXPORT_INTEGER}, {"市级", 7, 8, EXPORT_INTEGER},
    {"示范", 8, 8, EXPORT_INTEGER}, {"合计", 9, 8, EXPORT_INTEGER},
};
static const struct export_table list_sum_table = {
    "按地区和状态汇总", list_sum_columns, sizeof list_sum_columns / sizeof list_sum_columns[0],
    true, false};

/* ---- a year's reports ---- */

/* $1 year: every station with a report that year, and every station running at the end of
 * the year without one (as 未填报); then the keyset ($2 the region's order, $3 the station)
 * and $4 the page size. */
static struct db_stmt report_rows = {
    "workstation_report_export_rows",
    "SELECT w.id::text, w.name, e.name, g.name, workstation_status_label(w.status),"
    " coalesce(workstation_report_status_label(r.status), '未填报'),"
    " r.academician_days::text, workstation_recorded_days(w.id, $1::int)::text,"
    " r.joint_projects_new::text, r.joint_projects_ongoing::text, r.rd_input::text,"
    " r.patents_applied::text, r.patents_granted::text, r.invention_patents_granted::text,"
    " r.new_products::text, r.standards::text, r.papers::text, r.new_product_revenue::text,"
    " r.talents_trained::text, r.awards::text, r.summary,"
    " coalesce(g.sort_order, 2147483647)::text, w.id::text"
    " FROM workstations w"
    " LEFT JOIN workstation_reports r ON r.workstation_id = w.id AND r.year = $1::int"
    " LEFT JOIN enterprises e ON e.id = w.host_enterprise_id"
    " LEFT JOIN regions g ON g.code = w.region_code"
    " WHERE w.archived_at IS NULL"
    "   AND (r.id IS NOT NULL OR workstation_status_at_year_end(w, $1::int) = 'running')"
    "   AND ($2::int IS NULL OR (coalesce(g.sort_order, 2147483647), w.id) > ($2::int, $3::bigint))"
    " ORDER BY coalesce(g.sort_order, 2147483647), w.id LIMIT $4::int",
    4, 0};

/* $1 year: the reports' figures summed by region, then city-wide (the last row). */
static struct db_stmt report_regions = {
    "workstation_report_export_regions",
    "SELECT coalesce(g.name, '全市合计'), count(r.id)::text,"
    " count(r.id) FILTER (WHERE r.status = 'accepted')::text,"
    " coalesce(sum(r.academician_days), 0)::text, coalesce(sum(r.joint_projects_new), 0)::text,"
    " coalesce(sum(r.joint_projects_ongoing), 0)::text, coalesce(sum(r.rd_input), 0)::text,"
    " coalesce(sum(r.patents_applied), 0)::text, coalesce(sum(r.patents_granted), 0)::text,"
    " coalesce(sum(r.invention_patents_granted), 0)::text,"
    " coalesce(sum(r.new_products), 0)::text, coalesce(sum(r.standards), 0)::text,"
    " coalesce(sum(r.papers), 0)::text, coalesce(sum(r.new_product_revenue), 0)::text,"
    " coalesce(sum(r.talents_trained), 0)::text, coalesce(sum(r.awards), 0)::text"
    " FROM workstation_reports r JOIN workstations w ON w.id = r.workstation_id"
    " LEFT JOIN regions g ON g.code = w.region_code"
    " WHERE r.year = $1::int AND w.archived_at IS NULL"
    " GROUP BY ROLLUP ((w.region_code, g.name, g.sort_order))"
    " ORDER BY GROUPING(w.region_code), g.sort_order NULLS LAST",
    1, 0};

static const struct export_column report_columns[] = {
    {"工作站编号", 0, 10, EXPORT_INTEGER},     {"工作站名称", 1, 30, EXPORT_TEXT},
    {"依托单位", 2, 30, EXPORT_TEXT},          {"地区", 3, 14, EXPORT_TEXT},
    {"工作站状态", 4, 10, EXPORT_TEXT},        {"报告状态", 5, 10, EXPORT_TEXT},
    {"院士在站天数", 6, 12, EXPORT_DEC1},      {"服务活动记录天数", 7, 16, EXPORT_DEC1},
    {"新增合作项目", 8, 12, EXPORT_INTEGER},   {"在研合作项目", 9, 12, EXPORT_INTEGER},
    {"研发投入（万元）", 10, 16, EXPORT_DEC2}, {"专利申请", 11, 10, EXPORT_INTEGER},
    {"专利授权", 12, 10, EXPORT_INTEGER},      {"其中发明专利授权", 13, 16, EXPORT_INTEGER},
    {"新产品", 14, 8, EXPORT_INTEGER},         {"标准", 15, 8, EXPORT_INTEGER},
    {"论文", 16, 8, EXPORT_INTEGER},           {"新产品销售收入（万元）", 17, 20, EXPORT_DEC2},
    {"培养人才", 18, 10, EXPORT_INTEGER},      {"获奖", 19, 8, EXPORT_INTEGER},
    {"年度总结", 20, 60, EXPORT_WRAPPED},
};
static const struct export_table report_table = {
    "年度报告", report_columns, sizeof report_columns / sizeof report_columns[0], true, true};

static const struct export_column report_sum_columns[] = {
    {"地区", 0, 16, EXPORT_TEXT},
    {"报告数", 1, 8, EXPORT_INTEGER},
    {"已通过", 2, 8, EXPORT_INTEGER},
    {"院士在站天数", 3, 12, EXPORT_DEC1},
    {"新增合作项目", 4, 12, EXPORT_INTEGER},
    {"在研合作项目", 5, 12, EXPORT_INTEGER},
    {"研发投入（万元）", 6, 16, EXPORT_DEC2},
    {"专利申请", 7, 10, EXPORT_INTEGER},
    {"专利授权", 8, 10, EXPORT_INTEGER},
    {"其中发明专利授权", 9, 16, EXPORT_INTEGER},
    {"新产品", 10, 8, EXPORT_INTEGER},
    {"标准", 11, 8, EXPORT_INTEGER},
    {"论文", 12, 8, EXPORT_INTEGER},
    {"新产品销售收入（万元）", 13, 20, EXPORT_DEC2},
    {"培养人才", 14, 10, EXPORT_INTEGER},
    {"获奖", 15, 8, EXPORT_INTEGER},
};
static const struct export_table report_sum_table = {
    "按地区汇总", report_sum_columns, sizeof report_sum_columns / sizeof report_sum_columns[0],
    true, false};

/* ---- routes ---- */

static void handle_list_export(struct http_request *req)
{
    static const char *const allowed[] = {"format",        "status",           "level",
                                          "region_code",   "industry_code",    "host_enterprise_id",
                                          "demonstration", "include_archived", NULL};
    struct query q;
    if (!api_parse_query(req, allowed, &q))
        return;
    struct export_paged *ep = arena_calloc(&req->arena, sizeof *ep);
    if (!export_parse_format(req, query_get(&q, "format"), &ep->xlsx))
        return;
    const char *status = query_get(&q, "status"), *level = query_get(&q, "level");
    const char *host = query_get(&q, "host_enterprise_id"), *demo = query_get(&q, "demonstration");
    const char *archived;
    if (!api_include_archived(req, query_get(&q, "include_archived"), &archived))
        return;
    if (status && !list_one_of(status, workstation_status_names)) {
        api_param_error(req, "status", "应为 planning、running、suspended、revoked 或 concluded");
        return;
    }
    if (level && !list_one_of(level, workstation_level_names)) {
        api_param_error(req, "level", "应为 city 或 provincial");
        return;
    }
    if (host && !(list_is_integer(host) && host[0] != '-' && host[0] != '0')) {
        api_param_error(req, "host_enterprise_id", "应为正整数编号");
        return;
    }
    if (demo && strcmp(demo, "true") != 0 && strcmp(demo, "false") != 0) {
        api_param_error(req, "demonstration", "应为 true 或 false");
        return;
    }
    const char *p[] = {
        api_caller_json(req),           archived, status, level, query_get(&q, "region_code"),
        query_get(&q, "industry_code"), host,     demo};
    memcpy(ep->params, p, sizeof p);
    ep->nfixed = 8;
    ep->nkeys = 2;
    ep->ascii_name = "workstations";
    ep->name = "院士工作站名录";
    ep->table = &list_table;
    ep->page = &list_rows;
    ep->summary = &list_sum_table;
    ep->summary_stmt = &list_regions;
    ep->nsummary = 8;
    export_paged_run(req, ep);
}

static bool reports_check(struct http_request *req, PGresult *first_page, PGresult *regions)
{
    (void)first_page;
    int total = PQntuples(regions) - 1;
    if (total < 0 || strcmp(PQgetvalue(regions, total, 1), "0") == 0) {
        http_problem(req, 404, "not_found", "该年度还没有任何工作站年度报告");
        return false;
    }
    return true;
}

static void handle_reports_export(struct http_request *req)
{
    static const char *const allowed[] = {"format", NULL};
    const char *year;
    struct query q;
    if (!assessment_parse_year(req, &year) || !api_parse_query(req, allowed, &q))
        return;
    struct export_paged *ep = arena_calloc(&req->arena, sizeof *ep);
    if (!export_parse_format(req, query_get(&q, "format"), &ep->xlsx))
        return;
    ep->ascii_name = arena_printf(&req->arena, "workstation-reports-%s", year);
    ep->name = arena_printf(&req->arena, "院士工作站年度报告-%s", year);
    ep->table = &report_table;
    ep->page = &report_rows;
    ep->params[0] = year;
    ep->nfixed = 1;
    ep->nkeys = 2;
    ep->summary = &report_sum_table;
    ep->summary_stmt = &report_regions;
    ep->nsummary = 1;
    ep->check = reports_check;
    export_paged_run(req, ep);
}

void workstation_export_register(struct router *r)
{
    static struct db_stmt *const stmts[] = {&list_rows, &list_regions, &report_rows,
                                            &report_regions, NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_GET,
         .pattern = "/api/v1/workstations/export",
         .handler = handle_list_export,
         .roles = ROLES_STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/workstations/reports/{year}/export",
         .handler = handle_reports_export,
         .roles = ROLES_STAFF},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
