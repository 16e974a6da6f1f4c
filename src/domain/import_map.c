/* Header matching and row-to-record conversion for imports (pure: cJSON only). */
#include "domain/import_map.h"

#include "core/xmalloc.h"
#include "domain/import_values.h"

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
size_t import_utf8_decode(const unsigned char *s, unsigned *cp)
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

bool import_is_space(unsigned cp)
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
        size_t n = import_utf8_decode(s, &cp);
        if (cp >= 0xFF01 && cp <= 0xFF5E) /* full-width ASCII: 3 bytes become 1 */
            cp -= 0xFEE0;
        if (!import_is_space(cp)) {
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
        size_t n = import_utf8_decode(s, &cp);
        if (cp >= 0xFF01 && cp <= 0xFF5E) /* full-width ASCII */
            cp -= 0xFEE0;
        if (import_is_space(cp) || cp == '*' || cp == '_' || cp == '-' || cp == ':') {
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
    cut(out, "(单位万元)"); /* amounts are in 万元 already: 拟投入资金（万元） */
    cut(out, "(万元)");
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

/* A required field a row may leave out because another column tells it: an academician's
 * academy (院别) by the division (学部), which belongs to one academy. */
static const char *derived_from(const char *field)
{
    return strcmp(field, "academy") == 0 ? "division" : NULL;
}

static bool derived(const struct import_column *columns, const bool *seen, const char *field)
{
    const char *from = derived_from(field);
    for (int c = 0; from && c < MAX_COLUMNS && columns[c].field; c++)
        if (seen[c] && strcmp(columns[c].field, from) == 0)
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
        if (!seen[c] && f && (f->flags & FIELD_REQUIRED) && !is_optional(optional, f->name) &&
            !derived(columns, seen, f->name)) {
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
    static const char *const yes[] = {"是", "true", "1",    "y", "yes", "√", "有",
                                      "t",  "同意", "可以", "✓", "✔",   NULL};
    static const char *const no[] = {"否", "false",  "0",      "n", "no", "×", "无",
                                     "f",  "不同意", "不可以", "✗", "✘",  NULL};
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

/* What one row's conversion carries from cell to cell. */
struct row_context {
    struct import_regions *regions;
    struct import_names *disciplines, *industries;
    const char *header; /* the file's header of the cell being converted */
    int term_months;    /* a term_end given as a length, counted once every cell is read */
    const char *term_header;
};

/* Whether a field's cells are read with full-width forms folded and white space dropped:
 * numbers, dates, flags, codes and contact details, never free text. */
static bool folded_field(const struct field_spec *f)
{
    return f->type == FIELD_INT || f->type == FIELD_NUMBER || f->type == FIELD_BOOL ||
           f->type == FIELD_DATE || f->type == FIELD_ENUM ||
           (f->type == FIELD_STRING && f->check != NULL);
}

/* Dates that end something: a month alone means its last day. */
static bool end_date_field(const struct field_spec *f)
{
    return strcmp(f->name, "term_end") == 0 || strcmp(f->name, "deadline") == 0;
}

/* An amount in 万元 may say so: 50万元, 50万. */
static bool parse_amount(const char *s, double *out)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    size_t n = strlen(buf);
    static const char *const units[] = {"万元", "万", NULL};
    for (const char *const *u = units; *u; u++) {
        size_t k = strlen(*u);
        if (n > k && strcmp(buf + n - k, *u) == 0) {
            buf[n - k] = '\0';
            break;
        }
    }
    char *end;
    *out = strtod(buf, &end);
    return end != buf && *end == '\0';
}

/* Words a title cell may carry beside the title itself (教授、博士生导师): not titles. */
static bool title_extra(const char *s)
{
    static const char *const extra[] = {"博士生导师", "博导",       "硕士生导师", "硕导", "博士",
                                        "硕士",       "首席科学家", "首席专家",   NULL};
    for (const char *const *e = extra; *e; e++)
        if (strcmp(s, *e) == 0)
            return true;
    return false;
}

static bool starts_with(const char *s, const char *head)
{
    return strncmp(s, head, strlen(head)) == 0;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* The level of a title the label table does not list, by how Chinese titles are made:
 * 正高级… and …教授级/研究员级… are senior, 主任…师 senior and 副主任…师 associate senior,
 * 高级…师 associate senior, 助理…师 junior; the code when f has it, else NULL. */
static const char *title_by_rule(const struct field_spec *f, const char *s)
{
    const char *code = NULL;
    if (starts_with(s, "正高级") || strstr(s, "教授级") || strstr(s, "研究员级") ||
        ends_with(s, "院士"))
        code = "senior";
    else if (starts_with(s, "副主任") && ends_with(s, "师"))
        code = "associate_senior";
    else if (starts_with(s, "主任") && ends_with(s, "师"))
        code = "senior";
    else if (starts_with(s, "高级") && ends_with(s, "师"))
        code = "associate_senior";
    else if (starts_with(s, "助理") && ends_with(s, "师"))
        code = "junior";
    for (const char *const *v = f->values; code && v && *v; v++)
        if (strcmp(*v, code) == 0)
            return *v;
    return NULL;
}

/* A title cell: one title, or several (教授、博士生导师; 研究员/院士) of which the highest
 * level counts (the levels are listed from the highest). */
static const char *title_code(const struct import_column *col, const struct field_spec *f,
                              const char *s)
{
    const char *code = enum_code(col, f, s);
    if (code || (code = title_by_rule(f, s)) != NULL)
        return code;
    char *copy = xstrdup(s);
    for (char *p = copy; *p; p++)
        if (*p == '/')
            *p = ',';
    cJSON *items = split_list(copy, false), *item;
    free(copy);
    const char *best = NULL;
    bool bad = cJSON_GetArraySize(items) < 2;
    cJSON_ArrayForEach(item, items)
    {
        const char *c = enum_code(col, f, item->valuestring);
        if (c == NULL)
            c = title_by_rule(f, item->valuestring);
        if (c == NULL) {
            bad = bad || !title_extra(item->valuestring);
            continue;
        }
        for (const char *const *v = f->values; v && *v; v++) {
            if (best && strcmp(*v, best) == 0)
                break;
            if (strcmp(*v, c) == 0) {
                best = *v;
                break;
            }
        }
    }
    cJSON_Delete(items);
    return bad ? NULL : best;
}

/* Drops white space between two CJK characters (rosters pad two-character names: 王  伟). */
static void squeeze_cjk_spaces(char *s)
{
    size_t o = 0, i = 0, n = strlen(s);
    while (i < n) {
        if ((s[i] == ' ' || strncmp(s + i, "\u3000", 3) == 0) && o >= 3 &&
            (unsigned char)s[o - 3] >= 0xE3 && (unsigned char)s[o - 3] <= 0xE9) {
            size_t j = i;
            while (j < n && (s[j] == ' ' || strncmp(s + j, "\u3000", 3) == 0))
                j += s[j] == ' ' ? 1 : 3;
            if (j < n && (unsigned char)s[j] >= 0xE3 && (unsigned char)s[j] <= 0xE9) {
                i = j;
                continue;
            }
        }
        s[o++] = s[i++];
    }
    s[o] = '\0';
}

/* Whether s is a number in scientific notation (3.21002E+17), which is what Excel makes of a
 * long number typed into a cell not formatted as text. */
static bool scientific(const char *s)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0)
        return false;
    s += n;
    if (*s == '.')
        s += 1 + strspn(s + 1, "0123456789");
    if (*s != 'E' && *s != 'e')
        return false;
    s++;
    if (*s == '+')
        s++;
    n = strspn(s, "0123456789");
    return n > 0 && s[n] == '\0';
}

/* A code or contact cell holds one value: not a list, not a number Excel rounded. */
static bool check_single(const char *s, char *reason, size_t cap)
{
    if (scientific(s)) {
        snprintf(reason, cap,
                 "“%s”是 Excel 把长号码当成数字后的科学计数法，末几位已经丢失："
                 "请把这一列设为“文本”格式，重新填写完整的号码",
                 s);
        return false;
    }
    cJSON *items = split_list(s, false), *item;
    int n = cJSON_GetArraySize(items);
    bool ascii = true; /* codes and contacts are; names (农、林、牧、渔业) are not lists */
    cJSON_ArrayForEach(item, items)
    {
        for (const char *p = item->valuestring; *p && ascii; p++)
            ascii = (unsigned char)*p < 0x80;
    }
    cJSON_Delete(items);
    if (n > 1 && ascii) {
        snprintf(reason, cap,
                 "一格只能填一个，这一格有 %d 个（用顿号、逗号或分号隔开）：请只留一个", n);
        return false;
    }
    return true;
}

static bool ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

/* The table a code field's cells may name entries of: disciplines or industries. */
static struct import_names *names_of(const struct field_spec *f, const struct row_context *ctx)
{
    if (strncmp(f->name, "discipline_code", 15) == 0)
        return ctx->disciplines;
    if (strncmp(f->name, "industry_code", 13) == 0)
        return ctx->industries;
    return NULL;
}

/* Replaces a list item that names an entry by its code; false with a reason naming column. */
static bool name_to_code(struct import_names *names, const struct field_spec *f, cJSON *item,
                         const char *column, char *reason, size_t cap)
{
    bool ambiguous;
    const char *code = import_names_find(names, item->valuestring, &ambiguous);
    if (code) {
        cJSON_SetValuestring(item, code);
        return true;
    }
    bool discipline = strncmp(f->name, "discipline", 10) == 0;
    const char *what = discipline ? "学科" : "行业";
    const char *standard = discipline ? "GB/T 13745 学科分类" : "GB/T 4754 国民经济行业分类";
    if (ambiguous)
        snprintf(reason, cap, "%s中有不止一个“%.100s”：“%s”一列请填代码", standard,
                 item->valuestring, column);
    else
        snprintf(reason, cap, "%s“%.100s”不在 %s中：“%s”一列应填%s代码（如 %s）或分类中的名称",
                 what, item->valuestring, standard, column, what, discipline ? "21060" : "C38");
    return false;
}

/* Converts one cell to the field's JSON type; false with a reason when it cannot be one. */
static bool convert_value(const struct import_column *col, const struct field_spec *f,
                          const char *s, cJSON *obj, struct row_context *ctx, char *reason,
                          size_t cap)
{
    if (strcmp(f->name, "region_code") == 0 && ctx->regions) {
        const char *code = import_regions_resolve(ctx->regions, s, ctx->header, reason, cap);
        if (code == NULL)
            return false;
        cJSON_AddStringToObject(obj, f->name, code);
        return true;
    }
    if (f->type == FIELD_STRING && f->check && !check_single(s, reason, cap))
        return false;
    switch (f->type) {
    case FIELD_INT: {
        long long v;
        if (!parse_int(s, &v) && !(is_year_field(f) && parse_year(s, &v))) {
            snprintf(reason, cap,
                     is_year_field(f) ? "应为四位年份（如 1991、1991年、1991.03）" : "应为整数");
            return false;
        }
        cJSON_AddNumberToObject(obj, f->name, (double)v);
        return true;
    }
    case FIELD_NUMBER: {
        double v;
        if (!parse_amount(s, &v)) {
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
        const char *code =
            strcmp(f->name, "title") == 0 ? title_code(col, f, s) : enum_code(col, f, s);
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
    case FIELD_STRING_ARRAY: {
        struct import_names *names = names_of(f, ctx);
        bool shared;
        const char *whole = names && !ascii(s) ? import_names_find(names, s, &shared) : NULL;
        if (whole) { /* one name with 、 in it: 农、林、牧、渔业 */
            cJSON *one = cJSON_CreateArray();
            cJSON_AddItemToArray(one, cJSON_CreateString(whole));
            cJSON_AddItemToObject(obj, f->name, one);
            return true;
        }
        cJSON *arr = split_list(s, f->check != NULL), *item;
        cJSON_ArrayForEach(item, arr)
        {
            if (f->check) { /* codes: Ｃ３５ is C35 */
                char *h = import_halfwidth(item->valuestring, true);
                cJSON_SetValuestring(item, h);
                free(h);
            }
            if (names && !ascii(item->valuestring)) {
                if (!name_to_code(names, f, item, ctx->header, reason, cap)) {
                    cJSON_Delete(arr);
                    return false;
                }
            }
        }
        cJSON_AddItemToObject(obj, f->name, arr);
        return true;
    }
    case FIELD_DATE: {
        char d[11];
        if (strcmp(f->name, "term_end") == 0) {
            struct import_term t;
            if (!import_term_parse(s, &t, reason, cap))
                return false;
            if (t.end[0])
                cJSON_AddStringToObject(obj, f->name, t.end);
            else {
                ctx->term_months = t.months;
                ctx->term_header = ctx->header;
            }
            return true;
        }
        if (!import_date_parse(s, end_date_field(f), d, reason, cap))
            return false;
        cJSON_AddStringToObject(obj, f->name, d);
        return true;
    }
    case FIELD_STRING:
    case FIELD_TEXT:
        break;
    }
    struct import_names *names = names_of(f, ctx);
    bool ambiguous;
    const char *code = names && !ascii(s) ? import_names_find(names, s, &ambiguous) : NULL;
    if (code) { /* an industry by its name; an unknown name goes on to the check as before */
        cJSON_AddStringToObject(obj, f->name, code);
        return true;
    }
    if (strcmp(f->name, "name") == 0) {
        char *squeezed = xstrdup(s);
        squeeze_cjk_spaces(squeezed);
        cJSON_AddStringToObject(obj, f->name, squeezed);
        free(squeezed);
        return true;
    }
    cJSON_AddStringToObject(obj, f->name, s);
    return true;
}

static bool convert(const struct import_column *col, const struct field_spec *f, const char *s,
                    cJSON *obj, struct row_context *ctx, char *reason, size_t cap)
{
    if (!folded_field(f))
        return convert_value(col, f, s, obj, ctx, reason, cap);
    char *h = import_halfwidth(s, true);
    bool ok = convert_value(col, f, h, obj, ctx, reason, cap);
    free(h);
    return ok;
}

/* A term given as a length ends a day short of that many months after the signing date
 * (签约日期), else the station's establishment (建站日期). */
static bool finish_term(cJSON *obj, const struct row_context *ctx, char *reason, size_t cap)
{
    if (ctx->term_months <= 0)
        return true;
    const char *start = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "signed_on"));
    if (start == NULL)
        start = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "established_on"));
    char end[11];
    if (start == NULL || !import_term_end(start, ctx->term_months, end)) {
        snprintf(reason, cap,
                 "协议期限只写了年限，需要“签约日期”或“建站日期”列给出起始日期才能算出到期日；"
                 "也可直接填起止年月，如 2023.01-2025.12");
        return false;
    }
    cJSON_AddStringToObject(obj, "term_end", end);
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
    struct row_context ctx = {h->regions, h->disciplines, h->industries, NULL, 0, NULL};
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
        ctx.header = h->text[i];
        if (!convert(col, f, text, obj, &ctx, reason, sizeof reason)) {
            import_report_add(report, row->row, h->text[i], reason);
            cJSON_AddItemToArray(failed, cJSON_CreateString(f->name));
        }
    }
    free(text);
    char reason[512];
    const char *division = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "division"));
    if (spec_of(specs, "academy") && !cJSON_HasObjectItem(obj, "academy") && division) {
        const char *academy = import_academy_of_division(division);
        if (academy)
            cJSON_AddStringToObject(obj, "academy", academy);
        else {
            snprintf(reason, sizeof reason,
                     "未填院别，从学部“%.100s”也看不出是中国科学院还是中国工程院：请填写院别",
                     division);
            import_report_add(report, row->row, header_of(columns, h, "academy"), reason);
            cJSON_AddItemToArray(failed, cJSON_CreateString("academy"));
        }
    }
    const cJSON *elected = cJSON_GetObjectItemCaseSensitive(obj, "election_year");
    const char *academy = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, "academy"));
    if (cJSON_IsNumber(elected) && academy) {
        bool cas = strcmp(academy, "CAS") == 0, cae = strcmp(academy, "CAE") == 0;
        int first = cas ? 1955 : cae ? 1994 : 0;
        if (elected->valuedouble < first) {
            snprintf(reason, sizeof reason,
                     "当选年份 %d 早于%s（%d 年），不可能；名单里没有当选年份时请留空",
                     (int)elected->valuedouble,
                     cas ? "中国科学院首批学部委员当选" : "中国工程院成立", first);
            import_report_add(report, row->row, header_of(columns, h, "election_year"), reason);
            cJSON_AddItemToArray(failed, cJSON_CreateString("election_year"));
        }
    }
    if (!in_list(failed, "established_on") && !in_list(failed, "signed_on") &&
        !finish_term(obj, &ctx, reason, sizeof reason)) {
        import_report_add(report, row->row, ctx.term_header, reason);
        cJSON_AddItemToArray(failed, cJSON_CreateString("term_end"));
    }
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
