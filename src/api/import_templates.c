/* The import templates staff download: per library, a CSV (UTF-8 with BOM, so that Excel opens
 * the Chinese headers correctly) and an XLSX (bold frozen header row, widths set, a second sheet
 * explaining each column), made once at start-up with libxlsxwriter. */
#include "api/import_templates.h"

#include "api/import_adapters.h"
#include "core/log.h"
#include "http/problem.h"
#include "http/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define MAX_LIBRARIES 8

struct template_files {
    const char *library;
    char *xlsx;
    size_t xlsx_len;
    char *csv;
    size_t csv_len;
};

static struct template_files templates[MAX_LIBRARIES];

static const struct field_spec *spec_of(const struct import_adapter *a, const char *field)
{
    for (const struct field_spec *f = a->specs; f->name; f++)
        if (strcmp(f->name, field) == 0)
            return f;
    return NULL;
}

/* What a column takes, in words, for the explanation sheet. */
static void describe(const struct import_column *c, const struct field_spec *f, char *out,
                     size_t cap)
{
    size_t n;
    size_t o = 0;
    /* The columns that take more than their type's forms (import_values.h). */
    if (strcmp(c->field, "region_code") == 0) {
        snprintf(out, cap,
                 "地区名称（如 江都区、扬州市江都区、江都）或六位行政区划代码（如 "
                 "321012）");
        return;
    }
    if (strcmp(c->field, "term_end") == 0) {
        snprintf(out, cap,
                 "到期日期（2025-12-31、2025/12/31、2025年12月31日；只写年月如 2025.12 即该月最后"
                 "一天），或起止年月、日期（2023.01-2025.12、2023年1月至2025年12月、"
                 "2023-01-01至2025-12-31），或年限（3年、36个月，从“签约日期”算起，"
                 "没有签约日期时从“建站日期”算起）");
        return;
    }
    if (strcmp(c->field, "signed_on") == 0) {
        snprintf(out, cap, "日期；只在“协议期满日期”写年限（如 3年）时用来算出到期日");
        return;
    }
    switch (f ? f->type : FIELD_STRING) {
    case FIELD_INT:
        n = strlen(f->name);
        if (n > 5 && strcmp(f->name + n - 5, "_year") == 0)
            o = (size_t)snprintf(out, cap,
                                 "四位年份（%lld–%lld），也可写年月，如 1965.03、"
                                 "1965年3月",
                                 f->min, f->max);
        else
            o = (size_t)snprintf(out, cap, "整数（%lld–%lld）", f->min, f->max);
        break;
    case FIELD_NUMBER:
        o = (size_t)snprintf(out, cap, "数字（单位万元，可带“万元”）");
        break;
    case FIELD_BOOL:
        o = (size_t)snprintf(out, cap, "是 或 否");
        break;
    case FIELD_DATE:
        o = (size_t)snprintf(out, cap,
                             "日期，如 2026-01-31、2026/1/31、2026.1.31、2026年1月31日；也可只写"
                             "年月，如 2026.01、2026年1月");
        break;
    case FIELD_STRING_ARRAY:
        o = (size_t)snprintf(out, cap, "多个值用顿号（、）或逗号分隔");
        break;
    case FIELD_ENUM:
    case FIELD_ENUM_ARRAY:
        o = (size_t)snprintf(out, cap, "%s",
                             f->type == FIELD_ENUM ? "以下之一：" : "以下若干，用顿号分隔：");
        for (const struct import_label *l = c->labels; l && l->code && o < cap; l++) {
            bool named = false; /* a code's first label names it; later ones are synonyms */
            for (const struct import_label *k = c->labels; k < l && !named; k++)
                named = strcmp(k->code, l->code) == 0;
            if (!named)
                o += (size_t)snprintf(out + o, cap - o, "%s%s", l == c->labels ? "" : "、",
                                      l->label);
        }
        break;
    default:
        o = (size_t)snprintf(out, cap, "文字");
        if (f && f->max > 0 && o < cap)
            o += (size_t)snprintf(out + o, cap - o, "，最多 %lld 字", f->max);
    }
    (void)o;
}

static char *build_xlsx(const struct import_adapter *a, size_t *len)
{
    char path[] = "/tmp/siku-template-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    if (wb == NULL) {
        unlink(path);
        return NULL;
    }
    lxw_worksheet *data = workbook_add_worksheet(wb, a->title);
    lxw_worksheet *help = workbook_add_worksheet(wb, "填写说明");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_bg_color(bold, 0xDDEBF7);
    lxw_format *text = workbook_add_format(wb);
    format_set_num_format(text, "@"); /* codes and phones stay text, leading zeros and all */
    worksheet_write_string(help, 0, 0, "列名", bold);
    worksheet_write_string(help, 0, 1, "字段", bold);
    worksheet_write_string(help, 0, 2, "必填", bold);
    worksheet_write_string(help, 0, 3, "填写要求", bold);
    worksheet_write_string(help, 0, 4, "也认得的列名", bold);
    worksheet_set_column(help, 0, 1, 20, NULL);
    worksheet_set_column(help, 3, 3, 60, NULL);
    worksheet_set_column(help, 4, 4, 40, NULL);
    int col = 0;
    for (const struct import_column *c = a->columns; c->field; c++, col++) {
        const struct field_spec *f = spec_of(a, c->field);
        worksheet_write_string(data, 0, (lxw_col_t)col, c->label, bold);
        worksheet_set_column(
            data, (lxw_col_t)col, (lxw_col_t)col,
            strlen(c->label) / 3.0 * 2 + 6 > 14 ? strlen(c->label) / 3.0 * 2 + 6 : 14, text);
        char what[512];
        describe(c, f, what, sizeof what);
        worksheet_write_string(help, (lxw_row_t)col + 1, 0, c->label, NULL);
        worksheet_write_string(help, (lxw_row_t)col + 1, 1, c->field, NULL);
        worksheet_write_string(help, (lxw_row_t)col + 1, 2,
                               f && (f->flags & FIELD_REQUIRED) ? "是" : "", NULL);
        worksheet_write_string(help, (lxw_row_t)col + 1, 3, what, NULL);
        char aliases[1024];
        size_t o = 0;
        aliases[0] = '\0';
        for (const char *const *al = c->aliases; al && *al && o < sizeof aliases; al++)
            o += (size_t)snprintf(aliases + o, sizeof aliases - o, "%s%s",
                                  al == c->aliases ? "" : "、", *al);
        worksheet_write_string(help, (lxw_row_t)col + 1, 4, aliases, NULL);
    }
    worksheet_freeze_panes(data, 1, 0);
    char *out = NULL;
    if (workbook_close(wb) == LXW_NO_ERROR) {
        FILE *f = fopen(path, "rb");
        if (f) {
            fseek(f, 0, SEEK_END);
            long n = ftell(f);
            fseek(f, 0, SEEK_SET);
            out = malloc((size_t)n);
            if (out && fread(out, 1, (size_t)n, f) == (size_t)n)
                *len = (size_t)n;
            else {
                free(out);
                out = NULL;
            }
            fclose(f);
        }
    }
    unlink(path);
    return out;
}

static char *build_csv(const struct import_adapter *a, size_t *len)
{
    size_t cap = 4096, o = 0;
    char *out = malloc(cap);
    if (out == NULL)
        abort();
    o += (size_t)snprintf(out, cap, "\xEF\xBB\xBF");
    for (const struct import_column *c = a->columns; c->field && o < cap; c++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", c == a->columns ? "" : ",", c->label);
    if (o + 3 > cap)
        abort();
    o += (size_t)snprintf(out + o, cap - o, "\r\n");
    *len = o;
    return out;
}

void import_templates_build(void)
{
    int i = 0;
    for (const struct import_adapter *a = import_adapters(); a->library && i < MAX_LIBRARIES;
         a++, i++) {
        templates[i].library = a->library;
        templates[i].csv = build_csv(a, &templates[i].csv_len);
        templates[i].xlsx = build_xlsx(a, &templates[i].xlsx_len);
        if (templates[i].xlsx == NULL) {
            struct log_field f[] = {{"library", a->library}};
            log_emit(LOG_WARN, "cannot build the xlsx import template", f, 1);
        }
    }
}

static const struct template_files *find(const char *library)
{
    for (int i = 0; i < MAX_LIBRARIES && templates[i].library; i++)
        if (library && strcmp(templates[i].library, library) == 0)
            return &templates[i];
    return NULL;
}

static void reply_template(struct http_request *req, bool xlsx)
{
    const struct import_adapter *a = import_adapter_find(http_param(req, "library"));
    const struct template_files *t = a ? find(a->library) : NULL;
    if (t == NULL || (xlsx && t->xlsx == NULL)) {
        http_problem(req, 404, "not_found", "没有这个可导入的库");
        return;
    }
    char disposition[200];
    snprintf(disposition, sizeof disposition,
             "attachment; filename=\"%s-template.%s\"; filename*=UTF-8''%s-template.%s", a->library,
             xlsx ? "xlsx" : "csv", a->library, xlsx ? "xlsx" : "csv");
    http_add_header(req, "Content-Disposition", disposition);
    if (xlsx)
        http_reply(req, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   t->xlsx, t->xlsx_len);
    else
        http_reply(req, 200, "text/csv; charset=utf-8", t->csv, t->csv_len);
}

void import_template_xlsx(struct http_request *req)
{
    reply_template(req, true);
}

void import_template_csv(struct http_request *req)
{
    reply_template(req, false);
}
