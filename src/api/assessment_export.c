/* Export of a year's assessment results: CSV (UTF-8 with a BOM, so that Excel reads the
 * Chinese) or XLSX through libxlsxwriter (Chinese headers, frozen header row, column widths,
 * number formats; a results sheet and a summary sheet by region and grade), written and
 * streamed by api/export_stream. Results carry no personal data; nothing needs masking. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/assessments.h"
#include "api/export_stream.h"
#include "api/list.h"

#include "http/problem.h"
#include "http/request.h"

/* One row per station, in rank order: the columns of the results sheet. $1 year, then the
 * keyset ($2 rank key, $3 station) and $4 the page size (api/export_stream reads pages). */
static struct db_stmt rows = {
    "assessment_export_rows",
    "SELECT r.rank::text, w.name, e.name, g.name, r.computed_score::text,"
    " r.adjusted_score::text, r.adjust_reason, r.score::text,"
    " assessment_grade_label(r.grade), CASE WHEN r.exemplar THEN '是' ELSE '' END,"
    " assessment_status_label(r.status),"
    " concat_ws('；', CASE WHEN r.problems ? 'academician_days_excess'"
    "                     THEN '院士在站天数多于服务活动记录' END,"
    "                CASE WHEN r.problems ? 'evidence_missing' THEN '缺少必需的证明材料' END),"
    " w.id::text,"
    " CASE WHEN r.rank IS NOT NULL AND EXISTS (SELECT 1 FROM assessment_results o"
    "   WHERE o.year = r.year AND o.rank = r.rank AND o.workstation_id <> r.workstation_id)"
    "   THEN '是' ELSE '' END,"
    " coalesce(r.rank, 2147483647)::text, r.workstation_id::text"
    " FROM assessment_results r JOIN workstations w ON w.id = r.workstation_id"
    " LEFT JOIN enterprises e ON e.id = w.host_enterprise_id"
    " LEFT JOIN regions g ON g.code = w.region_code"
    " WHERE r.year = $1::int"
    "   AND ($2::int IS NULL"
    "        OR (coalesce(r.rank, 2147483647), r.workstation_id) > ($2::int, $3::bigint))"
    " ORDER BY coalesce(r.rank, 2147483647), r.workstation_id LIMIT $4::int",
    4, 0};

/* Counts by region and grade, regions in code order, then the city-wide total. */
static struct db_stmt by_region = {
    "assessment_export_regions",
    "SELECT coalesce(g.name, '全市合计'),"
    " count(*) FILTER (WHERE r.grade = 'excellent')::text,"
    " count(*) FILTER (WHERE r.grade = 'good')::text,"
    " count(*) FILTER (WHERE r.grade = 'pass')::text,"
    " count(*) FILTER (WHERE r.grade = 'fail')::text,"
    " count(*) FILTER (WHERE r.status <> 'scored')::text, count(*)::text"
    " FROM assessment_results r JOIN workstations w ON w.id = r.workstation_id"
    " LEFT JOIN regions g ON g.code = w.region_code"
    " WHERE r.year = $1::int"
    " GROUP BY ROLLUP ((w.region_code, g.name))"
    " ORDER BY w.region_code NULLS LAST",
    1, 0};

/* The results sheet: the columns of rows in header order (12 = the station id, 13 = whether
 * the rank is shared: equal scores share a rank, 1, 1, 3). */
static const struct export_column result_columns[] = {
    {"名次", 0, 6, EXPORT_INTEGER},
    {"并列", 13, 6, EXPORT_TEXT},
    {"工作站编号", 12, 10, EXPORT_INTEGER},
    {"工作站名称", 1, 30, EXPORT_TEXT},
    {"依托企业", 2, 30, EXPORT_TEXT},
    {"所在地区", 3, 12, EXPORT_TEXT},
    {"计算得分", 4, 10, EXPORT_DEC2},
    {"调整得分", 5, 10, EXPORT_DEC2},
    {"调整理由", 6, 30, EXPORT_TEXT},
    {"最终得分", 7, 10, EXPORT_DEC2},
    {"等级", 8, 8, EXPORT_TEXT},
    {"示范典型推荐", 9, 12, EXPORT_TEXT},
    {"评分状态", 10, 18, EXPORT_TEXT},
    {"报告问题", 11, 28, EXPORT_TEXT},
};
static const struct export_table results_table = {
    "考核结果", result_columns, sizeof result_columns / sizeof result_columns[0], true, true};

static const struct export_column summary_columns[] = {
    {"地区", 0, 16, EXPORT_TEXT},     {"优秀", 1, 10, EXPORT_NUMBER},
    {"良好", 2, 10, EXPORT_NUMBER},   {"合格", 3, 10, EXPORT_NUMBER},
    {"不合格", 4, 10, EXPORT_NUMBER}, {"未评分", 5, 10, EXPORT_NUMBER},
    {"合计", 6, 10, EXPORT_NUMBER},
};
static const struct export_table summary_table = {
    "按地区和等级汇总", summary_columns, sizeof summary_columns / sizeof summary_columns[0], false,
    false};

static bool check_rows(struct http_request *req, PGresult *first_page, PGresult *summary)
{
    (void)summary;
    if (PQntuples(first_page) == 0) {
        http_problem(req, 404, "not_found", "该年度还没有考核结果，请先运行考核");
        return false;
    }
    return true;
}

/* ---- the route ---- */

static void handle_export(struct http_request *req)
{
    static const char *const allowed[] = {"format", NULL};
    const char *year;
    struct query q;
    if (!assessment_parse_year(req, &year) || !api_parse_query(req, allowed, &q))
        return;
    struct export_paged *ep = arena_calloc(&req->arena, sizeof *ep);
    if (!export_parse_format(req, query_get(&q, "format"), &ep->xlsx))
        return;
    ep->ascii_name = arena_printf(&req->arena, "assessment-%s", year);
    ep->name = arena_printf(&req->arena, "院士工作站考核结果-%s", year);
    ep->table = &results_table;
    ep->page = &rows;
    ep->params[0] = year;
    ep->nfixed = 1;
    ep->nkeys = 2;
    ep->summary = &summary_table;
    ep->summary_stmt = &by_region;
    ep->nsummary = 1;
    ep->check = check_rows;
    export_paged_run(req, ep);
}

void assessment_export_register(struct router *r)
{
    static struct db_stmt *const stmts[] = {&rows, &by_region, NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_GET,
         .pattern = "/api/v1/assessments/{year}/export",
         .handler = handle_export,
         .roles = ROLES_STAFF},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
