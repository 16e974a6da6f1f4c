/* Yearly statistics (年度统计, GET /api/v1/stats/{year}): academicians and experts brought in,
 * demands posted, matched and solved, matches by state, projects signed, workstations by
 * status and by grade, "四进" service activities by kind — per county-level region and
 * city-wide, as JSON or as a file (XLSX: a city-wide sheet and a per-region table; CSV: the
 * per-region table). The figures are computed by stats_year() (migrations/0017_stats.sql);
 * they are counts, no person is named. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/assessments.h"
#include "api/export_stream.h"
#include "api/list.h"

#include "http/problem.h"
#include "http/request.h"

#include <stdlib.h>
#include <string.h>

static struct db_stmt stats_json = {
    "stats_json",
    "SELECT json_build_object('year', $1::int,"
    " 'city_wide', (SELECT stats_row_json(s) FROM stats_year($1::int) s WHERE s.scope = 'city'),"
    " 'regions', (SELECT json_agg(stats_row_json(s) ORDER BY s.ord) FROM stats_year($1::int) s"
    "             WHERE s.scope <> 'city'))::text",
    1, 0};

/* The per-region table: regions, then the other row, then the city-wide total. */
static struct db_stmt stats_rows = {
    "stats_rows",
    "SELECT CASE s.scope WHEN 'city' THEN '全市合计' ELSE s.region_name END,"
    " s.academicians, s.experts, s.demands_posted, s.demands_matched, s.demands_solved,"
    " s.matches_proposed, s.matches_contacted, s.matches_accepted, s.matches_declined,"
    " s.matches_cooperating, s.matches_closed, s.matches_total, s.projects_signed,"
    " s.ws_planning, s.ws_running, s.ws_suspended, s.ws_revoked, s.ws_concluded, s.ws_total,"
    " s.grade_excellent, s.grade_good, s.grade_pass, s.grade_fail, s.grade_none,"
    " s.act_agency_lecture, s.act_campus_science, s.act_park_guidance,"
    " s.act_enterprise_station, s.act_other, s.act_total, coalesce(s.region_code, '')"
    " FROM stats_year($1::int) s ORDER BY s.ord",
    1, 0};

static const struct export_column columns[] = {
    {"地区", 0, 22, EXPORT_TEXT},
    {"引进院士", 1, 10, EXPORT_INTEGER},
    {"引进专家", 2, 10, EXPORT_INTEGER},
    {"发布需求", 3, 10, EXPORT_INTEGER},
    {"需求已对接", 4, 11, EXPORT_INTEGER},
    {"需求已解决", 5, 11, EXPORT_INTEGER},
    {"匹配-已推荐", 6, 12, EXPORT_INTEGER},
    {"匹配-已联系", 7, 12, EXPORT_INTEGER},
    {"匹配-已接受", 8, 12, EXPORT_INTEGER},
    {"匹配-已拒绝", 9, 12, EXPORT_INTEGER},
    {"匹配-合作中", 10, 12, EXPORT_INTEGER},
    {"匹配-已结束", 11, 12, EXPORT_INTEGER},
    {"匹配合计", 12, 10, EXPORT_INTEGER},
    {"签约项目（立项）", 13, 16, EXPORT_INTEGER},
    {"工作站-筹建", 14, 12, EXPORT_INTEGER},
    {"工作站-运行", 15, 12, EXPORT_INTEGER},
    {"工作站-暂停", 16, 12, EXPORT_INTEGER},
    {"工作站-撤销", 17, 12, EXPORT_INTEGER},
    {"工作站-验收结题", 18, 15, EXPORT_INTEGER},
    {"工作站合计", 19, 11, EXPORT_INTEGER},
    {"考核-优秀", 20, 10, EXPORT_INTEGER},
    {"考核-良好", 21, 10, EXPORT_INTEGER},
    {"考核-合格", 22, 10, EXPORT_INTEGER},
    {"考核-不合格", 23, 11, EXPORT_INTEGER},
    {"考核-未评等级", 24, 13, EXPORT_INTEGER},
    {"进机关宣讲", 25, 11, EXPORT_INTEGER},
    {"进校园科普", 26, 11, EXPORT_INTEGER},
    {"进园区指导", 27, 11, EXPORT_INTEGER},
    {"进企业建站", 28, 11, EXPORT_INTEGER},
    {"其他服务活动", 29, 13, EXPORT_INTEGER},
    {"服务活动合计", 30, 13, EXPORT_INTEGER},
    {"地区代码", 31, 10, EXPORT_TEXT},
};
#define NCOLUMNS ((int)(sizeof columns / sizeof columns[0]))

static const struct export_table regions_table = {"分地区统计", columns, NCOLUMNS, true, false};

struct stats_call {
    const char *year;
    bool xlsx;
    PGresult *rows;
};

static bool write_csv(FILE *f, void *ctx)
{
    struct stats_call *sc = ctx;
    return export_csv_table(f, &regions_table, sc->rows);
}

/* The city-wide sheet: one figure a line (指标, 数值), from the last (city-wide) row. */
static void write_city_sheet(lxw_workbook *wb, PGresult *rows, const char *year)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, "全市统计");
    lxw_format *head = export_header_format(wb, true);
    lxw_format *integer = workbook_add_format(wb);
    format_set_num_format(integer, "0");
    worksheet_set_column(ws, 0, 0, 24, NULL);
    worksheet_set_column(ws, 1, 1, 12, NULL);
    worksheet_write_string(ws, 0, 0, "指标", head);
    worksheet_write_string(ws, 0, 1, year, head);
    worksheet_freeze_panes(ws, 1, 0);
    int city = PQntuples(rows) - 1;
    for (int c = 1; c < NCOLUMNS && city >= 0; c++) {
        if (columns[c].kind != EXPORT_INTEGER)
            continue;
        worksheet_write_string(ws, (lxw_row_t)c, 0, columns[c].header, NULL);
        worksheet_write_number(ws, (lxw_row_t)c, 1,
                               strtod(PQgetvalue(rows, city, columns[c].source), NULL), integer);
    }
}

static bool write_xlsx(lxw_workbook *wb, void *ctx)
{
    struct stats_call *sc = ctx;
    write_city_sheet(wb, sc->rows, sc->year);
    export_xlsx_table(wb, &regions_table, sc->rows);
    return true;
}

static void rows_done(struct http_request *req, struct db_job *job)
{
    struct stats_call *sc = req->state;
    sc->rows = db_job_result(job, 0);
    export_reply(req, sc->xlsx, arena_printf(&req->arena, "stats-%s", sc->year),
                 arena_printf(&req->arena, "年度统计-%s", sc->year), write_csv, write_xlsx, sc);
}

static void json_done(struct http_request *req, struct db_job *job)
{
    api_reply_row(req, job, 0, 200);
}

static void handle_stats(struct http_request *req)
{
    static const char *const allowed[] = {"format", NULL};
    const char *year;
    struct query q;
    if (!assessment_parse_year(req, &year) || !api_parse_query(req, allowed, &q))
        return;
    const char *format = query_get(&q, "format");
    bool json = format == NULL || strcmp(format, "json") == 0;
    struct stats_call *sc = arena_calloc(&req->arena, sizeof *sc);
    if (!json && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0) {
        api_param_error(req, "format", "应为 json、csv 或 xlsx");
        return;
    }
    sc->xlsx = !json && strcmp(format, "xlsx") == 0;
    sc->year = year;
    req->state = sc;
    const char *p[] = {year};
    struct db_job *job = api_job(req);
    db_job_add(job, json ? &stats_json : &stats_rows, 1, p);
    api_db_run(req, job, DB_RETRY_SAFE, json ? json_done : rows_done);
}

void stats_register(struct router *r)
{
    static struct db_stmt *const stmts[] = {&stats_json, &stats_rows, NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_GET,
         .pattern = "/api/v1/stats/{year}",
         .handler = handle_stats,
         .roles = ROLES_STAFF},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
