/* File exports: a temporary file written as CSV (UTF-8 with a BOM) or XLSX (libxlsxwriter,
 * constant memory), then streamed chunk by chunk as the connection drains. The temporary file
 * is unlinked as soon as it is reopened for reading, so nothing is left behind whatever
 * happens to the connection. */
#include "api/export_stream.h"

#include "api/api_db.h"
#include "api/app.h"
#include "api/list.h"

#include "http/problem.h"
#include "http/request.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK   65536
#define STR_(x) #x
#define STR(x)  STR_(x)

struct export_state {
    FILE *file;
};

/* ---- streaming the finished file ---- */

static void export_drain(struct http_request *req)
{
    struct export_state *es = req->state;
    char buf[CHUNK];
    size_t n = fread(buf, 1, sizeof buf, es->file);
    if (n > 0)
        http_stream_write(req, buf, n);
    if (n < sizeof buf) {
        fclose(es->file);
        es->file = NULL;
        http_stream_end(req);
    }
}

static void export_closed(struct http_request *req)
{
    struct export_state *es = req->state;
    if (es->file)
        fclose(es->file);
    es->file = NULL;
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

static void export_send(struct http_request *req, FILE *f, bool xlsx, const char *ascii_name,
                        const char *name)
{
    struct export_state *es = arena_calloc(&req->arena, sizeof *es);
    es->file = f;
    req->state = es;
    const char *ext = xlsx ? "xlsx" : "csv";
    const char *full = arena_printf(&req->arena, "%s.%s", name, ext);
    http_add_header(req, "Content-Disposition",
                    arena_printf(&req->arena, "attachment; filename=\"%s.%s\"; filename*=UTF-8''%s",
                                 ascii_name, ext, ext_value(req, full)));
    req->on_close = export_closed;
    http_stream_begin(req, 200,
                      xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                           : "text/csv; charset=utf-8",
                      export_drain);
    export_drain(req);
}

/* ---- CSV ---- */

void export_csv_field(FILE *f, const char *s, bool last)
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

static void csv_header(FILE *f, const struct export_table *t)
{
    for (int c = 0; c < t->ncolumns; c++)
        export_csv_field(f, t->columns[c].header, c == t->ncolumns - 1);
}

static bool kind_is_text(enum export_kind k)
{
    return k == EXPORT_TEXT || k == EXPORT_WRAPPED;
}

/* Text a user typed that starts like a formula (= + - @, a tab or CR) would be run by a
 * spreadsheet opening the CSV: a leading apostrophe keeps it text (OWASP "CSV injection"). */
static void csv_text_field(FILE *f, const char *s, bool last)
{
    if (*s && strchr("=+-@\t\r", *s)) {
        size_t n = strlen(s);
        char *quoted = malloc(n + 2);
        if (quoted) {
            quoted[0] = '\'';
            memcpy(quoted + 1, s, n + 1);
            export_csv_field(f, quoted, last);
            free(quoted);
            return;
        }
    }
    export_csv_field(f, s, last);
}

static void csv_rows(FILE *f, const struct export_table *t, PGresult *res)
{
    int n = t->ncolumns;
    for (int i = 0; i < PQntuples(res); i++)
        for (int c = 0; c < n; c++) {
            const struct export_column *col = &t->columns[c];
            const char *v = PQgetvalue(res, i, col->source);
            if (kind_is_text(col->kind))
                csv_text_field(f, v, c == n - 1);
            else
                export_csv_field(f, v, c == n - 1);
        }
}

bool export_csv_table(FILE *f, const struct export_table *t, PGresult *res)
{
    csv_header(f, t);
    csv_rows(f, t, res);
    return !ferror(f);
}

/* ---- XLSX ---- */

lxw_format *export_header_format(lxw_workbook *wb, bool bordered)
{
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xDDEBF7);
    if (bordered)
        format_set_border(head, LXW_BORDER_THIN);
    return head;
}

static lxw_format *number_format(lxw_workbook *wb, const char *spec)
{
    lxw_format *f = workbook_add_format(wb);
    format_set_num_format(f, spec);
    return f;
}

/* A sheet being written row by row. */
struct sheet_writer {
    lxw_worksheet *ws;
    lxw_format *formats[EXPORT_NUMBER + 1];
    const struct export_table *t;
    int rows;
};

static void sheet_begin(struct sheet_writer *sw, lxw_workbook *wb, const struct export_table *t)
{
    memset(sw, 0, sizeof *sw);
    sw->t = t;
    sw->ws = workbook_add_worksheet(wb, t->sheet);
    lxw_format *head = export_header_format(wb, t->bordered_header);
    for (int c = 0; c < t->ncolumns; c++) {
        enum export_kind k = t->columns[c].kind;
        if (sw->formats[k] != NULL || k == EXPORT_TEXT || k == EXPORT_NUMBER)
            continue;
        if (k == EXPORT_WRAPPED) {
            sw->formats[k] = workbook_add_format(wb);
            format_set_text_wrap(sw->formats[k]);
            format_set_align(sw->formats[k], LXW_ALIGN_VERTICAL_TOP);
        } else {
            sw->formats[k] = number_format(wb, k == EXPORT_INTEGER ? "0"
                                               : k == EXPORT_DEC1  ? "0.0"
                                                                   : "0.00");
        }
    }
    for (int c = 0; c < t->ncolumns; c++) {
        worksheet_set_column(sw->ws, (lxw_col_t)c, (lxw_col_t)c, t->columns[c].width, NULL);
        worksheet_write_string(sw->ws, 0, (lxw_col_t)c, t->columns[c].header, head);
    }
    worksheet_freeze_panes(sw->ws, 1, 0);
}

static void sheet_rows(struct sheet_writer *sw, PGresult *res)
{
    const struct export_table *t = sw->t;
    for (int i = 0; i < PQntuples(res); i++) {
        lxw_row_t row = (lxw_row_t)(++sw->rows);
        for (int c = 0; c < t->ncolumns; c++) {
            const struct export_column *col = &t->columns[c];
            if (PQgetisnull(res, i, col->source))
                continue;
            const char *v = PQgetvalue(res, i, col->source);
            if (kind_is_text(col->kind))
                worksheet_write_string(sw->ws, row, (lxw_col_t)c, v, sw->formats[col->kind]);
            else
                worksheet_write_number(sw->ws, row, (lxw_col_t)c, strtod(v, NULL),
                                       sw->formats[col->kind]);
        }
    }
}

static void sheet_end(struct sheet_writer *sw)
{
    if (sw->t->autofilter)
        worksheet_autofilter(sw->ws, 0, 0, (lxw_row_t)sw->rows, (lxw_col_t)(sw->t->ncolumns - 1));
}

lxw_worksheet *export_xlsx_table(lxw_workbook *wb, const struct export_table *t, PGresult *res)
{
    struct sheet_writer sw;
    sheet_begin(&sw, wb, t);
    sheet_rows(&sw, res);
    sheet_end(&sw);
    return sw.ws;
}

/* ---- writing and sending ---- */

static const char *tmp_dir(void)
{
    const char *d = getenv("TMPDIR");
    return d && *d ? d : "/tmp";
}

void export_reply(struct http_request *req, bool xlsx, const char *ascii_name, const char *name,
                  export_csv_fn write_csv, export_xlsx_fn write_xlsx, void *ctx)
{
    char *path = arena_printf(&req->arena, "%s/siku-export-XXXXXX", tmp_dir());
    int fd = mkstemp(path);
    if (fd < 0) {
        http_problem(req, 500, "internal", "无法创建导出文件");
        return;
    }
    bool ok;
    if (xlsx) {
        close(fd);
        lxw_workbook_options opts = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
        lxw_workbook *wb = workbook_new_opt(path, &opts);
        ok = wb != NULL;
        if (wb) {
            ok = write_xlsx(wb, ctx);
            ok = workbook_close(wb) == LXW_NO_ERROR && ok;
        }
    } else {
        FILE *w = fdopen(fd, "wb");
        if (w) {
            fputs("\xEF\xBB\xBF", w);
            ok = write_csv(w, ctx) && !ferror(w);
            ok = fclose(w) == 0 && ok;
        } else {
            close(fd);
            ok = false;
        }
    }
    FILE *f = ok ? fopen(path, "rb") : NULL;
    unlink(path); /* the open handle keeps the data until it is streamed */
    if (f == NULL) {
        http_problem(req, 500, "internal", "生成导出文件失败");
        return;
    }
    export_send(req, f, xlsx, ascii_name, name);
}

/* ---- exports read page by page ---- */

struct paged_run {
    struct http_request *req;
    struct export_paged *ep;
    char *path;
    FILE *csv;
    lxw_workbook *wb;
    struct sheet_writer sheet;
    PGresult *summary; /* a copy, kept until the summary sheet is written */
    const char *keys[EXPORT_MAX_KEYS];
    bool started;
    struct db_snapshot *snap; /* every page reads the data as of the first */
};

static void paged_submit(struct paged_run *pr);

/* Drops whatever the run holds (on a failure): the workbook or file, the temporary file. */
static void paged_abort(struct paged_run *pr)
{
    if (pr->wb)
        workbook_close(pr->wb);
    if (pr->csv)
        fclose(pr->csv);
    if (pr->path)
        unlink(pr->path);
    if (pr->summary)
        PQclear(pr->summary);
    pr->wb = NULL;
    pr->csv = NULL;
    pr->path = NULL;
    pr->summary = NULL;
}

static bool paged_open(struct paged_run *pr)
{
    struct http_request *req = pr->req;
    const struct export_paged *ep = pr->ep;
    pr->path = arena_printf(&req->arena, "%s/siku-export-XXXXXX", tmp_dir());
    int fd = mkstemp(pr->path);
    if (fd < 0) {
        pr->path = NULL;
        return false;
    }
    if (ep->xlsx) {
        close(fd);
        lxw_workbook_options opts = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
        pr->wb = workbook_new_opt(pr->path, &opts);
        if (pr->wb == NULL)
            return false;
        sheet_begin(&pr->sheet, pr->wb, ep->table);
        return true;
    }
    pr->csv = fdopen(fd, "wb");
    if (pr->csv == NULL) {
        close(fd);
        return false;
    }
    fputs("\xEF\xBB\xBF", pr->csv);
    csv_header(pr->csv, ep->table);
    return true;
}

/* The last page is written: closes the file and streams it. */
static void paged_finish(struct paged_run *pr)
{
    struct http_request *req = pr->req;
    const struct export_paged *ep = pr->ep;
    bool ok;
    if (ep->xlsx) {
        sheet_end(&pr->sheet);
        if (ep->summary && pr->summary)
            export_xlsx_table(pr->wb, ep->summary, pr->summary);
        ok = workbook_close(pr->wb) == LXW_NO_ERROR;
        pr->wb = NULL;
    } else {
        ok = !ferror(pr->csv);
        ok = fclose(pr->csv) == 0 && ok;
        pr->csv = NULL;
    }
    FILE *f = ok ? fopen(pr->path, "rb") : NULL;
    paged_abort(pr); /* unlinks: the open handle keeps the data until it is streamed */
    if (f == NULL) {
        http_problem(req, 500, "internal", "生成导出文件失败");
        return;
    }
    export_send(req, f, ep->xlsx, ep->ascii_name, ep->name);
}

/* Writes a page; answers true when it asked for the next, false when the run is over (the
 * reply sent, which may have freed pr with its request). */
static bool paged_page(struct paged_run *pr, struct db_job *job)
{
    struct http_request *req = pr->req;
    const struct export_paged *ep = pr->ep;
    if (db_job_status(job) != DB_OK) {
        paged_abort(pr);
        api_reply_db_failure(req, job);
        return false;
    }
    PGresult *res = db_job_result(job, 0);
    if (!pr->started) {
        PGresult *summary = ep->summary_stmt ? db_job_result(job, 1) : NULL;
        if (ep->check && !ep->check(req, res, summary))
            return false;
        if (!paged_open(pr)) {
            paged_abort(pr);
            http_problem(req, 500, "internal", "无法创建导出文件");
            return false;
        }
        if (summary && ep->xlsx && ep->summary)
            pr->summary = PQcopyResult(summary, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
        pr->started = true;
    }
    if (ep->xlsx)
        sheet_rows(&pr->sheet, res);
    else
        csv_rows(pr->csv, ep->table, res);
    int n = PQntuples(res);
    if (n < EXPORT_PAGE_ROWS) {
        paged_finish(pr);
        return false;
    }
    int nf = PQnfields(res);
    for (int k = 0; k < ep->nkeys; k++)
        pr->keys[k] = PQgetisnull(res, n - 1, nf - ep->nkeys + k)
                          ? NULL
                          : arena_strdup(&req->arena, PQgetvalue(res, n - 1, nf - ep->nkeys + k));
    paged_submit(pr);
    return true;
}

static void paged_done(struct db_job *job, void *arg)
{
    struct paged_run *pr = arg;
    struct db_snapshot *snap = pr->snap;
    if (!paged_page(pr, job))
        db_snapshot_end(snap);
}

static void paged_submit(struct paged_run *pr)
{
    const struct export_paged *ep = pr->ep;
    const char *p[EXPORT_MAX_PARAMS + EXPORT_MAX_KEYS + 1];
    int n = 0;
    for (int i = 0; i < ep->nfixed; i++)
        p[n++] = ep->params[i];
    for (int k = 0; k < ep->nkeys; k++)
        p[n++] = pr->keys[k];
    p[n++] = STR(EXPORT_PAGE_ROWS);
    struct db_job *job = db_snapshot_job(pr->snap);
    db_job_add(job, ep->page, n, p);
    if (!pr->started && ep->summary_stmt)
        db_job_add(job, ep->summary_stmt, ep->nsummary, ep->params);
    db_job_run(job, app_config()->request_deadline_ms, DB_RETRY_SAFE | DB_NEEDS_SCHEMA, paged_done,
               pr);
}

void export_paged_run(struct http_request *req, struct export_paged *ep)
{
    struct paged_run *pr = arena_calloc(&req->arena, sizeof *pr);
    pr->req = req;
    pr->ep = ep;
    pr->snap = api_snapshot(req);
    paged_submit(pr);
}

bool export_parse_format(struct http_request *req, const char *format, bool *xlsx)
{
    if (format && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)
        return api_param_error(req, "format", "应为 csv 或 xlsx");
    *xlsx = format == NULL || strcmp(format, "xlsx") == 0;
    return true;
}
