/* Header matching and row-to-record conversion for imports (pure: cJSON only). */
#include "domain/import_map.h"

#include "core/xmalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_COLUMNS 64 /* of a library's template */

void import_report_add(cJSON *report, size_t row, const char *column, const char *reason)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "row", (double)row);
    cJSON_AddStringToObject(e, "column", column ? column : "");
    cJSON_AddStringToObject(e, "reason", reason);
    cJSON_AddItemToArray(report, e);
}

/* Decodes one UTF-8 code point (the input is valid UTF-8); returns its length. */
static size_t decode(const unsigned char *s, unsigned *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0 && s[1]) {
        *cp = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
        return 2;
    }
    if ((s[0] & 0xF0) == 0xE0 && s[1] && s[2]) {
        *cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        return 3;
    }
    *cp = 0xFFFD;
    size_t n = 1;
    while (s[n] && (s[n] & 0xC0) == 0x80 && n < 4)
        n++;
    return n;
}

static bool is_space(unsigned cp)
{
    return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

char *import_fold(const char *in)
{
    const unsigned char *s = (const unsigned char *)(in ? in : "");
    char *out = xmalloc(strlen((const char *)s) + 1);
    size_t o = 0;
    while (*s) {
        unsigned cp;
        size_t n = decode(s, &cp);
        if (cp >= 0xFF01 && cp <= 0xFF5E) /* full-width ASCII: 3 bytes become 1 */
            cp -= 0xFEE0;
        if (!is_space(cp)) {
            if (cp < 0x80)
                out[o++] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
            else {
                memcpy(out + o, s, n);
                o += n;
            }
        }
        s += n;
    }
    out[o] = '\0';
    return out;
}

static void cut(char *s, const char *what)
{
    char *p;
    size_t n = strlen(what);
    while ((p = strstr(s, what)) != NULL)
        memmove(p, p + n, strlen(p + n) + 1);
}

void import_header_normalize(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)in;
    while (*s && o + 5 < cap) {
        unsigned cp;
        size_t n = decode(s, &cp);
        if (cp >= 0xFF01 && cp <= 0xFF5E) /* full-width ASCII */
            cp -= 0xFEE0;
        if (is_space(cp) || cp == '*' || cp == '_' || cp == '-' || cp == ':') {
            s += n;
            continue;
        }
        if (cp < 0x80) {
            out[o++] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        } else {
            memcpy(out + o, s, n);
            o += n;
        }
        s += n;
    }
    out[o] = '\0';
    cut(out, "(必填)");
    cut(out, "(选填)");
    cut(out, "(可选)");
}

static bool header_is(const char *norm, const char *name)
{
    char buf[256];
    import_header_normalize(name, buf, sizeof buf);
    return strcmp(norm, buf) == 0;
}

static int column_for(const struct import_column *columns, const char *norm)
{
    for (int c = 0; columns[c].field; c++) {
        if (header_is(norm, columns[c].field) || header_is(norm, columns[c].label))
            return c;
        for (const char *const *a = columns[c].aliases; a && *a; a++)
            if (header_is(norm, *a))
                return c;
    }
    return -1;
}

/* Columns staff keep for themselves (a running number): accepted and ignored. */
static bool ignored_header(const char *norm)
{
    static const char *const ignored[] = {"序号", "no", "no.", "#", "行号", NULL};
    for (const char *const *i = ignored; *i; i++)
        if (strcmp(norm, *i) == 0)
            return true;
    return false;
}

static const struct field_spec *spec_of(const struct field_spec *specs, const char *name)
{
    for (const struct field_spec *f = specs; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static bool is_optional(const char *const *optional, const char *field)
{
    for (const char *const *o = optional; o && *o; o++)
        if (strcmp(*o, field) == 0)
            return true;
    return false;
}

bool import_header_match(const struct import_column *columns, const struct field_spec *specs,
                         const char *const *optional, const struct import_cells *row,
                         struct import_header *h, cJSON *report)
{
    memset(h, 0, sizeof *h);
    bool seen[MAX_COLUMNS] = {false}, ok = true;
    h->n = row->n;
    for (size_t i = 0; i < row->n; i++) {
        char norm[256], msg[512];
        const char *text = import_cells_get(row, i);
        h->text[i] = xstrdup(text);
        import_header_normalize(text, norm, sizeof norm);
        int c = norm[0] ? column_for(columns, norm) : -1;
        h->column[i] = c;
        if (c < 0 && norm[0] && !ignored_header(norm)) {
            snprintf(msg, sizeof msg, "无法识别的列“%.200s”：请使用模板中的列名", text);
            import_report_add(report, row->row, text, msg);
            ok = false;
        } else if (c >= 0 && c < MAX_COLUMNS && seen[c]) {
            snprintf(msg, sizeof msg, "列“%s”重复出现", columns[c].label);
            import_report_add(report, row->row, text, msg);
            ok = false;
        } else if (c >= 0 && c < MAX_COLUMNS) {
            seen[c] = true;
        }
    }
    for (int c = 0; c < MAX_COLUMNS && columns[c].field; c++) {
        const struct field_spec *f = spec_of(specs, columns[c].field);
        if (!seen[c] && f && (f->flags & FIELD_REQUIRED) && !is_optional(optional, f->name)) {
            char msg[256];
            snprintf(msg, sizeof msg, "缺少必填列“%s”", columns[c].label);
            import_report_add(report, row->row, columns[c].label, msg);
            ok = false;
        }
    }
    return ok;
}

void import_header_free(struct import_header *h)
{
    for (size_t i = 0; i < h->n; i++)
        free(h->text[i]);
    memset(h, 0, sizeof *h);
}

/* ---- values ---- */

static bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"是", "true", "1", "y", "yes", "√", "有", "t", NULL};
    static const char *const no[] = {"否", "false", "0", "n", "no", "×", "无", "f", NULL};
    for (const char *const *p = yes; *p; p++)
        if (strcasecmp(s, *p) == 0) {
            *out = true;
            return true;
        }
    for (const char *const *p = no; *p; p++)
        if (strcasecmp(s, *p) == 0) {
            *out = false;
            return true;
        }
    return false;
}

static bool parse_int(const char *s, long long *out)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    cut(buf, "年"); /* "1965年" */
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (end == buf)
        return false;
    if (strcmp(end, ".0") == 0 || *end == '\0') {
        *out = v;
        return true;
    }
    return false;
}

/* A year column also takes a year and month or a whole date ("出生年月": 1965.03, 1965-03,
 * 1965/3/1, 1965年3月) and keeps the year: four digits, then a separator, then only digits,
 * separators and 年月日. */
static bool parse_year(const char *s, long long *out)
{
    if (strlen(s) < 5 || strspn(s, "0123456789") != 4)
        return false;
    const char *p = s + 4;
    if (strchr("-/.", *p) == NULL && strncmp(p, "年", strlen("年")) != 0)
        return false;
    while (*p) {
        if (strchr("0123456789-/.", *p) != NULL) {
            p++;
            continue;
        }
        bool unit = false;
        static const char *const units[] = {"年", "月", "日", NULL};
        for (const char *const *u = units; *u && !unit; u++)
            if (strncmp(p, *u, strlen(*u)) == 0) {
                p += strlen(*u);
                unit = true;
            }
        if (!unit)
            return false;
    }
    *out = strtoll(s, NULL, 10);
    return true;
}

static bool is_year_field(const struct field_spec *f)
{
    size_t n = strlen(f->name);
    return n > 5 && strcmp(f->name + n - 5, "_year") == 0;
}

/* 2026-1-5, 2026/01/05, 2026.1.5 and 2026年1月5日 become 2026-01-05; others stay as they are. */
static void normalize_date(const char *s, char *out, size_t cap)
{
    int y, m, d, n = 0;
    char s1[8], s2[8];
    if (sscanf(s, "%4d%3[-/.年]%2d%3[-/.月]%2d%n", &y, s1, &m, s2, &d, &n) == 5 &&
        (s[n] == '\0' || strcmp(s + n, "日") == 0))
        snprintf(out, cap, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
    else
        snprintf(out, cap, "%s", s);
}

static const char *enum_code(const struct import_column *col, const struct field_spec *f,
                             const char *s)
{
    for (const char *const *v = f->values; v && *v; v++)
        if (strcasecmp(s, *v) == 0)
            return *v;
    for (const struct import_label *l = col->labels; l && l->code; l++)
        if (strcmp(s, l->label) == 0)
            return l->code;
    return NULL;
}

static void enum_message(const struct import_column *col, const struct field_spec *f, char *out,
                         size_t cap)
{
    size_t o = (size_t)snprintf(out, cap, "应为以下之一：");
    for (const char *const *v = f->values; v && *v && o < cap; v++) {
        const char *label = NULL;
        for (const struct import_label *l = col->labels; l && l->code && !label; l++)
            if (strcmp(l->code, *v) == 0)
                label = l->label; /* the first label of a code is its name; others synonyms */
        o += (size_t)snprintf(out + o, cap - o, "%s%s", v == f->values ? "" : "、",
                              label ? label : *v);
    }
}

/* Splits a list cell at 、，；,;| and line breaks into trimmed, non-empty items; lists of codes
 * (words never hold a space) split at spaces too. */
static cJSON *split_list(const char *s, bool at_spaces)
{
    cJSON *arr = cJSON_CreateArray();
    char *copy = xstrdup(s);
    static const char *const seps[] = {"、", "，", "；", ",",  ";",      "|",
                                       "\n", "\r", " ",  "\t", "\u3000", NULL};
    size_t nseps = sizeof seps / sizeof seps[0] - (at_spaces ? 1 : 4);
    char *p = copy;
    while (*p) {
        char *next = NULL;
        size_t seplen = 0;
        for (const char *const *sp = seps; sp < seps + nseps; sp++) {
            char *q = strstr(p, *sp);
            if (q && (next == NULL || q < next)) {
                next = q;
                seplen = strlen(*sp);
            }
        }
        if (next)
            *next = '\0';
        validate_trim(p);
        if (*p)
            cJSON_AddItemToArray(arr, cJSON_CreateString(p));
        if (next == NULL)
            break;
        p = next + seplen;
    }
    free(copy);
    return arr;
}

/* Converts one cell to the field's JSON type; false with a reason when it cannot be one. */
static bool convert(const struct import_column *col, const struct field_spec *f, const char *s,
                    cJSON *obj, char *reason, size_t cap)
{
    switch (f->type) {
    case FIELD_INT: {
        long long v;
        if (!parse_int(s, &v) && !(is_year_field(f) && parse_year(s, &v))) {
            snprintf(reason, cap, "应为整数");
            return false;
        }
        cJSON_AddNumberToObject(obj, f->name, (double)v);
        return true;
    }
    case FIELD_NUMBER: {
        char *end;
        double v = strtod(s, &end);
        if (end == s || *end) {
            snprintf(reason, cap, "应为数字");
            return false;
        }
        cJSON_AddNumberToObject(obj, f->name, v);
        return true;
    }
    case FIELD_BOOL: {
        bool v;
        if (!parse_bool(s, &v)) {
            snprintf(reason, cap, "应为“是”或“否”");
            return false;
        }
        cJSON_AddBoolToObject(obj, f->name, v);
        return true;
    }
    case FIELD_ENUM: {
        const char *code = enum_code(col, f, s);
        if (code == NULL) {
            enum_message(col, f, reason, cap);
            return false;
        }
        cJSON_AddStringToObject(obj, f->name, code);
        return true;
    }
    case FIELD_ENUM_ARRAY: {
        cJSON *arr = split_list(s, true), *item;
        cJSON_ArrayForEach(item, arr)
        {
            const char *code = enum_code(col, f, item->valuestring);
            if (code == NULL) {
                cJSON_Delete(arr);
                enum_message(col, f, reason, cap);
                return false;
            }
            cJSON_SetValuestring(item, code);
        }
        cJSON_AddItemToObject(obj, f->name, arr);
        return true;
    }
    case FIELD_STRING_ARRAY:
        cJSON_AddItemToObject(obj, f->name, split_list(s, f->check != NULL));
        return true;
    case FIELD_DATE: {
        char d[64];
        normalize_date(s, d, sizeof d);
        cJSON_AddStringToObject(obj, f->name, d);
        return true;
    }
    case FIELD_STRING:
    case FIELD_TEXT:
        break;
    }
    cJSON_AddStringToObject(obj, f->name, s);
    return true;
}

/* The file's header of the column holding field, for reports. */
static const char *header_of(const struct import_column *columns, const struct import_header *h,
                             const char *field)
{
    for (size_t i = 0; i < h->n; i++)
        if (h->column[i] >= 0 && strcmp(columns[h->column[i]].field, field) == 0)
            return h->text[i];
    for (int c = 0; columns[c].field; c++)
        if (strcmp(columns[c].field, field) == 0)
            return columns[c].label;
    return field;
}

static bool in_list(const cJSON *list, const char *field)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        if (strcmp(item->valuestring, field) == 0)
            return true;
    }
    return false;
}

cJSON *import_row_build(const struct import_column *columns, const struct field_spec *specs,
                        const struct import_header *h, const struct import_cells *row,
                        unsigned role, const cJSON *defaults, cJSON *report)
{
    cJSON *obj = cJSON_CreateObject(), *failed = cJSON_CreateArray();
    char *text = NULL;
    for (size_t i = 0; i < h->n && i < row->n; i++) {
        if (h->column[i] < 0)
            continue;
        const struct import_column *col = &columns[h->column[i]];
        const struct field_spec *f = spec_of(specs, col->field);
        if (f == NULL)
            continue;
        free(text);
        text = validate_trim(xstrdup(import_cells_get(row, i)));
        if (*text == '\0')
            continue;
        char reason[512];
        if (!convert(col, f, text, obj, reason, sizeof reason)) {
            import_report_add(report, row->row, h->text[i], reason);
            cJSON_AddItemToArray(failed, cJSON_CreateString(f->name));
        }
    }
    free(text);
    const cJSON *d;
    cJSON_ArrayForEach(d, defaults)
    {
        if (!cJSON_HasObjectItem(obj, d->string))
            cJSON_AddItemToObject(obj, d->string, cJSON_Duplicate(d, true));
    }
    struct validation v;
    bool ok =
        validate_body(obj, specs, VALIDATE_CREATE, role, &v) && cJSON_GetArraySize(failed) == 0;
    cJSON_Delete(obj);
    if (v.forbidden_field)
        import_report_add(report, row->row, header_of(columns, h, v.forbidden_field),
                          "无权设置此字段");
    const cJSON *e;
    cJSON_ArrayForEach(e, v.errors)
    {
        const char *field = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "field"));
        const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message"));
        char base[64]; /* "discipline_codes[1]": an item of the column's list */
        snprintf(base, sizeof base, "%.*s", field ? (int)strcspn(field, "[") : 0,
                 field ? field : "");
        if (field && !in_list(failed, base))
            import_report_add(report, row->row, header_of(columns, h, base), msg ? msg : "无效");
    }
    cJSON_Delete(failed);
    cJSON *clean = NULL;
    if (ok) {
        clean = v.clean;
        v.clean = NULL;
    }
    validation_free(&v);
    return clean;
}
