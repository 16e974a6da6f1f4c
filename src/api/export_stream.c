/* File exports: a temporary file written as CSV (UTF-8 with a BOM) or XLSX (libxlsxwriter,
 * constant memory), then streamed chunk by chunk as the connection drains. The temporary file
 * is unlinked as soon as it is reopened for reading, so nothing is left behind whatever
 * happens to the connection. */
#include "api/export_stream.h"

#include "api/list.h"

#include "http/problem.h"
#include "http/request.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 65536

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

bool export_csv_table(FILE *f, const struct export_table *t, PGresult *res)
{
    int n = t->ncolumns;
    for (int c = 0; c < n; c++)
        export_csv_field(f, t->columns[c].header, c == n - 1);
    for (int i = 0; i < PQntuples(res); i++)
        for (int c = 0; c < n; c++)
            export_csv_field(f, PQgetvalue(res, i, t->columns[c].source), c == n - 1);
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

lxw_worksheet *export_xlsx_table(lxw_workbook *wb, const struct export_table *t, PGresult *res)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, t->sheet);
    lxw_format *head = export_header_format(wb, t->bordered_header);
    lxw_format *formats[EXPORT_NUMBER + 1] = {NULL};
    for (int c = 0; c < t->ncolumns; c++) {
        enum export_kind k = t->columns[c].kind;
        if (formats[k] == NULL && k != EXPORT_TEXT && k != EXPORT_NUMBER)
            formats[k] = number_format(wb, k == EXPORT_INTEGER ? "0"
                                           : k == EXPORT_DEC1  ? "0.0"
                                                               : "0.00");
    }
    for (int c = 0; c < t->ncolumns; c++) {
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, t->columns[c].width, NULL);
        worksheet_write_string(ws, 0, (lxw_col_t)c, t->columns[c].header, head);
    }
    worksheet_freeze_panes(ws, 1, 0);
    int rows = PQntuples(res);
    for (int i = 0; i < rows; i++) {
        for (int c = 0; c < t->ncolumns; c++) {
            const struct export_column *col = &t->columns[c];
            if (PQgetisnull(res, i, col->source))
                continue;
            const char *v = PQgetvalue(res, i, col->source);
            if (col->kind == EXPORT_TEXT)
                worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)c, v, NULL);
            else
                worksheet_write_number(ws, (lxw_row_t)(i + 1), (lxw_col_t)c, strtod(v, NULL),
                                       formats[col->kind]);
        }
    }
    if (t->autofilter)
        worksheet_autofilter(ws, 0, 0, (lxw_row_t)rows, (lxw_col_t)(t->ncolumns - 1));
    return ws;
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

bool export_parse_format(struct http_request *req, const char *format, bool *xlsx)
{
    if (format && strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)
        return api_param_error(req, "format", "应为 csv 或 xlsx");
    *xlsx = format == NULL || strcmp(format, "xlsx") == 0;
    return true;
}
