/* Export of a year's assessment results: CSV (UTF-8 with a BOM, so that Excel reads the
 * Chinese) or XLSX through libxlsxwriter (Chinese headers, frozen header row, column widths,
 * number formats; a results sheet and a summary sheet by region and grade). The file is
 * written to a temporary file (libxlsxwriter in constant-memory mode) and streamed to the
 * client chunk by chunk as the connection drains, so the reply never sits in memory whole.
 * Results carry no personal data; nothing needs masking here. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/assessments.h"
#include "api/list.h"

#include "http/problem.h"
#include "http/request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define CHUNK 65536

/* One row per station, in rank order: the columns of the results sheet. */
static struct db_stmt rows = {
    "assessment_export_rows",
    "SELECT r.rank::text, w.name, e.name, g.name, r.computed_score::text,"
    " r.adjusted_score::text, r.adjust_reason, r.score::text,"
    " assessment_grade_label(r.grade), CASE WHEN r.exemplar THEN '是' ELSE '' END,"
    " assessment_status_label(r.status),"
    " concat_ws('；', CASE WHEN r.problems ? 'academician_days_excess'"
    "                     THEN '院士在站天数多于服务活动记录' END,"
    "                CASE WHEN r.problems ? 'evidence_missing' THEN '缺少必需的证明材料' END),"
    " w.id::text"
    " FROM assessment_results r JOIN workstations w ON w.id = r.workstation_id"
    " LEFT JOIN enterprises e ON e.id = w.host_enterprise_id"
    " LEFT JOIN regions g ON g.code = w.region_code"
    " WHERE r.year = $1::int"
    " ORDER BY coalesce(r.rank, 2147483647), r.workstation_id",
    1, 0};

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

static const char *const headers[] = {
    "名次",     "工作站编号", "工作站名称", "依托企业",     "所在地区", "计算得分", "调整得分",
    "调整理由", "最终得分",   "等级",       "示范典型推荐", "评分状态", "报告问题"};
#define NCOLS 13
/* Result columns in the order of headers (12 = the station id). */
static const int source_col[NCOLS] = {0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
static const double widths[NCOLS] = {6, 10, 30, 30, 12, 10, 10, 30, 10, 8, 12, 18, 28};

static const char *const summary_headers[] = {"地区",   "优秀",   "良好", "合格",
                                              "不合格", "未评分", "合计"};

struct export_call {
    const char *year;
    bool xlsx;
    FILE *file;
};

/* ---- streaming the finished file ---- */

static void export_drain(struct http_request *req)
{
    struct export_call *ec = req->state;
    char buf[CHUNK];
    size_t n = fread(buf, 1, sizeof buf, ec->file);
    if (n > 0)
        http_stream_write(req, buf, n);
    if (n < sizeof buf) {
        fclose(ec->file);
        ec->file = NULL;
        http_stream_end(req);
    }
}

static void export_closed(struct http_request *req)
{
    struct export_call *ec = req->state;
    if (ec->file)
        fclose(ec->file);
    ec->file = NULL;
    http_stream_end(req);
}

/* RFC 5987 ext-value: UTF-8 bytes other than attr-chars are percent-encoded. */
static const char *ext_value(struct http_request *req, const char *s)
{
    static const char attr[] = "!#$&+-.^_`|~";
    char *out = arena_alloc(&req->arena, strlen(s) * 3 + 1), *p = out;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        bool plain = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                     (*c >= '0' && *c <= '9') || (*c < 0x80 && strchr(attr, *c));
        if (plain)
            *p++ = (char)*c;
        else
            p += snprintf(p, 4, "%%%02X", *c);
    }
    *p = '\0';
    return out;
}

static void export_send(struct http_request *req, FILE *f)
{
    struct export_call *ec = req->state;
    ec->file = f;
    const char *ext = ec->xlsx ? "xlsx" : "csv";
    const char *name = arena_printf(&req->arena, "院士工作站考核结果-%s.%s", ec->year, ext);
    http_add_header(req, "Content-Disposition",
                    arena_printf(&req->arena,
                                 "attachment; filename=\"assessment-%s.%s\"; filename*=UTF-8''%s",
                                 ec->year, ext, ext_value(req, name)));
    req->on_close = export_closed;
    http_stream_begin(req, 200,
                      ec->xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                               : "text/csv; charset=utf-8",
                      export_drain);
    export_drain(req);
}

/* ---- CSV ---- */

static void csv_field(FILE *f, const char *s, bool last)
{
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputs(last ? "\r\n" : ",", f);
}

static bool write_csv(FILE *f, PGresult *res)
{
    fputs("\xEF\xBB\xBF", f);
    for (int c = 0; c < NCOLS; c++)
        csv_field(f, headers[c], c == NCOLS - 1);
    for (int i = 0; i < PQntuples(res); i++)
        for (int c = 0; c < NCOLS; c++)
            csv_field(f, PQgetvalue(res, i, source_col[c]), c == NCOLS - 1);
    return !ferror(f);
}

/* ---- XLSX ---- */

static bool numeric_col(int c)
{
    return c == 0 || c == 1 || c == 5 || c == 6 || c == 8;
}

static void write_results_sheet(lxw_workbook *wb, PGresult *res)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, "考核结果");
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xDDEBF7);
    format_set_border(head, LXW_BORDER_THIN);
    lxw_format *score = workbook_add_format(wb);
    format_set_num_format(score, "0.00");
    lxw_format *integer = workbook_add_format(wb);
    format_set_num_format(integer, "0");
    for (int c = 0; c < NCOLS; c++) {
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
        worksheet_write_string(ws, 0, (lxw_col_t)c, headers[c], head);
    }
    worksheet_freeze_panes(ws, 1, 0);
    for (int i = 0; i < PQntuples(res); i++) {
        for (int c = 0; c < NCOLS; c++) {
            int col = source_col[c];
            if (PQgetisnull(res, i, col))
                continue;
            const char *v = PQgetvalue(res, i, col);
            if (numeric_col(c))
                worksheet_write_number(ws, (lxw_row_t)(i + 1), (lxw_col_t)c, strtod(v, NULL),
                                       c <= 1 ? integer : score);
            else
                worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)c, v, NULL);
        }
    }
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)PQntuples(res), NCOLS - 1);
}

static void write_summary_sheet(lxw_workbook *wb, PGresult *res)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, "按地区和等级汇总");
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xDDEBF7);
    for (int c = 0; c < 7; c++) {
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, c == 0 ? 16 : 10, NULL);
        worksheet_write_string(ws, 0, (lxw_col_t)c, summary_headers[c], head);
    }
    worksheet_freeze_panes(ws, 1, 0);
    for (int i = 0; i < PQntuples(res); i++) {
        worksheet_write_string(ws, (lxw_row_t)(i + 1), 0, PQgetvalue(res, i, 0), NULL);
        for (int c = 1; c < 7; c++)
            worksheet_write_number(ws, (lxw_row_t)(i + 1), (lxw_col_t)c,
                                   strtod(PQgetvalue(res, i, c), NULL), NULL);
    }
}

static bool write_xlsx(const char *path, PGresult *results, PGresult *regions)
{
    lxw_workbook_options opts = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(path, &opts);
    if (wb == NULL)
        return false;
    write_results_sheet(wb, results);
    write_summary_sheet(wb, regions);
    return workbook_close(wb) == LXW_NO_ERROR;
}

/* ---- the route ---- */

static const char *tmp_dir(void)
{
    const char *d = getenv("TMPDIR");
    return d && *d ? d : "/tmp";
}

static void export_rows(struct http_request *req, struct db_job *job)
{
    struct export_call *ec = req->state;
    PGresult *res = db_job_result(job, 0);
    if (PQntuples(res) == 0) {
        http_problem(req, 404, "not_found", "该年度还没有考核结果，请先运行考核");
        return;
    }
    char *path = arena_printf(&req->arena, "%s/siku-export-XXXXXX", tmp_dir());
    int fd = mkstemp(path);
    if (fd < 0) {
        http_problem(req, 500, "internal", "无法创建导出文件");
        return;
    }
    bool ok;
    if (ec->xlsx) {
        close(fd);
        ok = write_xlsx(path, res, db_job_result(job, 1));
    } else {
        FILE *w = fdopen(fd, "wb");
        ok = w && write_csv(w, res);
        if (w)
            ok = fclose(w) == 0 && ok;
        else
            close(fd);
    }
    FILE *f = ok ? fopen(path, "rb") : NULL;
    unlink(path); /* the open handle keeps the data until it is streamed */
    if (f == NULL) {
        http_problem(req, 500, "internal", "生成导出文件失败");
        return;
    }
    export_send(req, f);
}

static void handle_export(struct http_request *req)
{
    static const char *const allowed[] = {"format", NULL};
    const char *year;
    struct query q;
    if (!assessment_parse_year(req, &year) || !api_parse_query(req, allowed, &q))
        return;
    const char *format = query_get(&q, "format");
    if (format && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0) {
        api_param_error(req, "format", "应为 csv 或 xlsx");
        return;
    }
    struct export_call *ec = arena_calloc(&req->arena, sizeof *ec);
    ec->year = year;
    ec->xlsx = format == NULL || strcmp(format, "xlsx") == 0;
    req->state = ec;
    const char *p[] = {year};
    struct db_job *job = api_job(req);
    db_job_add(job, &rows, 1, p);
    db_job_add(job, &by_region, 1, p);
    api_db_run(req, job, DB_RETRY_SAFE, export_rows);
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
