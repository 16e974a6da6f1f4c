/* XLSX reading: the zip container (libzip), the workbook's parts (expat), then the sheet as a
 * stream of rows, suspending expat after each row. */
#include "domain/import_xlsx.h"

#include "core/xmalloc.h"

#include <expat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define BLOCK 65536

struct strings {
    char *buf;
    size_t len, cap;
    size_t *offs;
    size_t n, ncap;
};

/* Every expat user data starts with this, so that shared handlers find the reader. */
struct part_base {
    struct import_xlsx *x;
    XML_Parser p;
};

struct import_xlsx {
    struct part_base base;
    zip_t *zip;
    zip_file_t *sheet;
    XML_Parser parser;
    const char *error;
    bool date1904;
    struct strings shared;
    unsigned char *date_style; /* per cellXfs index: does its number format show a date */
    size_t nstyles;
    /* sheet parsing state */
    char block[BLOCK];
    bool suspended, finished, row_ready;
    zip_uint64_t inflated, inflated_max;
    struct import_cells *out;
    size_t row, col;
    int in_value; /* inside <v> or <t> of an inline string (not phonetic) */
    bool in_cell, in_phonetic;
    char type[12];
    long style;
    struct import_cells value; /* one cell's text as it arrives */
};

const char *import_xlsx_error(const struct import_xlsx *x)
{
    return x->error;
}

/* ---- small helpers ---- */

static const char *local_name(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(local_name(atts[i]), name) == 0)
            return atts[i + 1];
    return NULL;
}

/* A part's name as the relationship gives it, made absolute from xl/. */
static void part_path(const char *target, char *out, size_t cap)
{
    if (target[0] == '/')
        snprintf(out, cap, "%s", target + 1);
    else
        snprintf(out, cap, "xl/%s", target);
}

static void strings_add(struct strings *s, const char *text, size_t len)
{
    if (s->n == s->ncap) {
        s->ncap = s->ncap ? s->ncap * 2 : 1024;
        s->offs = xrealloc(s->offs, s->ncap * sizeof *s->offs);
    }
    if (s->len + len + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 65536;
        while (cap < s->len + len + 1)
            cap *= 2;
        s->buf = xrealloc(s->buf, cap);
        s->cap = cap;
    }
    s->offs[s->n++] = s->len;
    memcpy(s->buf + s->len, text, len);
    s->len += len;
    s->buf[s->len++] = '\0';
}

/* Refuses parts that inflate beyond max, or too far beyond their compressed size. */
static bool entry_ok(struct import_xlsx *x, zip_int64_t index, zip_uint64_t max)
{
    zip_stat_t st;
    if (zip_stat_index(x->zip, (zip_uint64_t)index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
        !(st.valid & ZIP_STAT_COMP_SIZE)) {
        x->error = "不是有效的 XLSX 文件（zip 目录损坏）";
        return false;
    }
    if (st.size > max || (st.size > (1u << 20) && st.size / (st.comp_size + 1) > XLSX_MAX_RATIO)) {
        x->error = "XLSX 文件解压后过大（疑似压缩炸弹），已拒绝";
        return false;
    }
    return true;
}

static void XMLCALL refuse_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                                   const XML_Char *pubid, int has_internal)
{
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal;
    struct part_base *b = ud;
    b->x->error = "XLSX 文件中不允许 DTD 声明";
    XML_StopParser(b->p, XML_FALSE);
}

/* A parser for one part; DTDs are refused so that no entity can expand. */
static XML_Parser parser_new(struct part_base *b, XML_StartElementHandler start,
                             XML_EndElementHandler end, XML_CharacterDataHandler text)
{
    XML_Parser p = XML_ParserCreate("UTF-8");
    if (p == NULL)
        abort();
    b->p = p;
    XML_SetUserData(p, b);
    XML_SetElementHandler(p, start, end);
    if (text)
        XML_SetCharacterDataHandler(p, text);
    XML_SetStartDoctypeDeclHandler(p, refuse_doctype);
    XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
    return p;
}

static void fail_parse(struct part_base *b, const char *message)
{
    if (b->x->error == NULL)
        b->x->error = message;
    XML_StopParser(b->p, XML_FALSE);
}

/* Parses a whole (small) part with the given handlers; a missing optional part is fine. */
static bool parse_part(struct import_xlsx *x, const char *name, bool required, zip_uint64_t max,
                       struct part_base *b, XML_StartElementHandler start,
                       XML_EndElementHandler end, XML_CharacterDataHandler text)
{
    zip_int64_t idx = zip_name_locate(x->zip, name, 0);
    if (idx < 0) {
        if (required)
            x->error = "不是有效的 XLSX 文件（缺少工作簿内容）";
        return !required;
    }
    if (!entry_ok(x, idx, max))
        return false;
    zip_file_t *f = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0);
    if (f == NULL) {
        x->error = "不是有效的 XLSX 文件（无法读取其中的部件，可能已加密或损坏）";
        return false;
    }
    b->x = x;
    XML_Parser p = parser_new(b, start, end, text);
    bool ok = true;
    zip_uint64_t total = 0;
    for (;;) {
        zip_int64_t n = zip_fread(f, x->block, BLOCK);
        if (n < 0) {
            x->error = "XLSX 文件损坏或被截断（解压失败）";
            ok = false;
            break;
        }
        total += (zip_uint64_t)n;
        if (total > max) {
            x->error = "XLSX 文件解压后过大（疑似压缩炸弹），已拒绝";
            ok = false;
            break;
        }
        if (XML_Parse(p, x->block, (int)n, n == 0) != XML_STATUS_OK) {
            if (x->error == NULL)
                x->error = "XLSX 文件中的 XML 格式错误";
            ok = false;
            break;
        }
        if (n == 0)
            break;
    }
    XML_ParserFree(p);
    zip_fclose(f);
    return ok;
}

/* ---- workbook.xml and its relationships: which part is the sheet ---- */

struct workbook_ctx {
    struct part_base b;
    const char *want; /* sheet name, or NULL for the first */
    char rid[128];
    bool found;
};

static void XMLCALL workbook_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct workbook_ctx *w = ud;
    const char *n = local_name(name);
    if (strcmp(n, "workbookPr") == 0) {
        const char *d = attr(atts, "date1904");
        w->b.x->date1904 = d && (strcmp(d, "1") == 0 || strcmp(d, "true") == 0);
    } else if (strcmp(n, "sheet") == 0 && !w->found) {
        const char *sn = attr(atts, "name"), *id = attr(atts, "id");
        if (id && sn && (w->want == NULL || strcmp(sn, w->want) == 0)) {
            snprintf(w->rid, sizeof w->rid, "%s", id);
            w->found = true;
        }
    }
}

static void XMLCALL no_end(void *ud, const XML_Char *name)
{
    (void)ud;
    (void)name;
}

struct rels_ctx {
    struct part_base b;
    const char *rid;
    char sheet[512];
    char shared[512];
    char styles[512];
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct rels_ctx *r = ud;
    if (strcmp(local_name(name), "Relationship") != 0)
        return;
    const char *id = attr(atts, "Id"), *type = attr(atts, "Type"), *target = attr(atts, "Target");
    if (id == NULL || type == NULL || target == NULL)
        return;
    if (strcmp(id, r->rid) == 0)
        part_path(target, r->sheet, sizeof r->sheet);
    else if (ends_with(type, "/sharedStrings"))
        part_path(target, r->shared, sizeof r->shared);
    else if (ends_with(type, "/styles"))
        part_path(target, r->styles, sizeof r->styles);
}

/* ---- sharedStrings.xml ---- */

struct shared_ctx {
    struct part_base b;
    int depth_t; /* inside <t> of a string item, not of a phonetic run */
    bool in_si, in_phonetic;
    struct import_cells text;
};

static void XMLCALL shared_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    (void)atts;
    struct shared_ctx *s = ud;
    const char *n = local_name(name);
    if (strcmp(n, "si") == 0) {
        s->in_si = true;
        import_cells_reset(&s->text);
        if (!import_cells_begin(&s->text))
            fail_parse(&s->b, "XLSX 共享字符串无法读取");
    } else if (strcmp(n, "rPh") == 0) {
        s->in_phonetic = true;
    } else if (strcmp(n, "t") == 0 && s->in_si && !s->in_phonetic) {
        s->depth_t++;
    }
}

static void XMLCALL shared_end(void *ud, const XML_Char *name)
{
    struct shared_ctx *s = ud;
    const char *n = local_name(name);
    if (strcmp(n, "si") == 0) {
        s->in_si = false;
        if (s->b.x->shared.n >= (XLSX_MAX_SHARED / 8)) {
            fail_parse(&s->b, "XLSX 共享字符串过多");
            return;
        }
        strings_add(&s->b.x->shared, import_cells_get(&s->text, 0),
                    strlen(import_cells_get(&s->text, 0)));
    } else if (strcmp(n, "rPh") == 0) {
        s->in_phonetic = false;
    } else if (strcmp(n, "t") == 0 && s->depth_t > 0) {
        s->depth_t--;
    }
}

static void XMLCALL shared_text(void *ud, const XML_Char *text, int len)
{
    struct shared_ctx *s = ud;
    if (s->depth_t > 0 && !import_cells_append(&s->text, text, (size_t)len))
        fail_parse(&s->b, "单元格过大（超过 64 KiB）");
}

/* ---- styles.xml: which cell styles show dates ---- */

#define MAX_STYLES  65536
#define MAX_FORMATS 4096

struct styles_ctx {
    struct part_base b;
    bool in_cell_xfs;
    long fmt_ids[MAX_FORMATS];
    bool fmt_date[MAX_FORMATS];
    int nfmts;
};

static bool builtin_date(long id)
{
    return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}

bool import_xlsx_format_is_date(const char *code)
{
    bool quoted = false, date = false;
    for (const char *p = code; *p; p++) {
        if (*p == '"') {
            quoted = !quoted;
        } else if (quoted) {
            continue;
        } else if (*p == '\\' && p[1]) {
            p++;
        } else if (*p == '[') {
            const char *e = strchr(p, ']');
            if (e == NULL)
                return false;
            p = e;
        } else if (*p == ';') {
            break; /* the first section decides */
        } else if (strchr("yYdD", *p)) {
            date = true;
        } else if (strchr("hHsS0#?@", *p)) {
            if (!date)
                return false;
        }
    }
    return date;
}

static bool format_is_date(const struct styles_ctx *s, long id)
{
    for (int i = 0; i < s->nfmts; i++)
        if (s->fmt_ids[i] == id)
            return s->fmt_date[i];
    return builtin_date(id);
}

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct styles_ctx *s = ud;
    struct import_xlsx *x = s->b.x;
    const char *n = local_name(name);
    if (strcmp(n, "numFmt") == 0 && s->nfmts < MAX_FORMATS) {
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        if (id && code) {
            s->fmt_ids[s->nfmts] = strtol(id, NULL, 10);
            s->fmt_date[s->nfmts++] = import_xlsx_format_is_date(code);
        }
    } else if (strcmp(n, "cellXfs") == 0) {
        s->in_cell_xfs = true;
    } else if (strcmp(n, "xf") == 0 && s->in_cell_xfs) {
        if (x->nstyles >= MAX_STYLES) {
            fail_parse(&s->b, "XLSX 样式过多");
            return;
        }
        const char *id = attr(atts, "numFmtId");
        x->date_style = xrealloc(x->date_style, x->nstyles + 1);
        x->date_style[x->nstyles++] = id && format_is_date(s, strtol(id, NULL, 10));
    }
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
    struct styles_ctx *s = ud;
    if (strcmp(local_name(name), "cellXfs") == 0)
        s->in_cell_xfs = false;
}

/* ---- values ---- */

/* Days from 1970-01-01 to a civil date, and back (Howard Hinnant's algorithm). */
static void civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = (long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

bool import_xlsx_serial_date(double serial, bool date1904, char out[11])
{
    if (!(serial >= 1 && serial < 2958466)) /* 1900-01-01 .. 9999-12-31 */
        return false;
    long days = (long)floor(serial);
    long unix_days;
    if (date1904)
        unix_days = days - 24107; /* 1904-01-01 is day 0 */
    else if (days < 60)
        unix_days = days - 25568; /* serial 1 is 1900-01-01 */
    else if (days == 60)
        return false; /* 1900-02-29, a day that never was */
    else
        unix_days = days - 25569; /* Excel counts the fictitious 1900-02-29 */
    long y;
    unsigned m, d;
    civil_from_days(unix_days, &y, &m, &d);
    if (y < 1900 || y > 9999)
        return false;
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
    memcpy(out, tmp, 10);
    out[10] = '\0';
    return true;
}

/* Integral numbers print without a fraction or exponent (phones, codes, years). */
static void number_text(const char *raw, char *out, size_t cap)
{
    char *end;
    double v = strtod(raw, &end);
    if (end != raw && *end == '\0' && isfinite(v) && v == floor(v) && fabs(v) < 1e15)
        snprintf(out, cap, "%.0f", v);
    else
        snprintf(out, cap, "%s", raw);
}

/* ---- the sheet, streamed ---- */

static size_t column_of(const char *ref, bool *ok)
{
    size_t col = 0;
    const char *p = ref;
    for (; *p >= 'A' && *p <= 'Z'; p++) {
        col = col * 26 + (size_t)(*p - 'A' + 1);
        if (col > 16384)
            break;
    }
    *ok = p != ref && col >= 1 && col <= 16384;
    return col - 1;
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct import_xlsx *x = ud;
    const char *n = local_name(name);
    if (strcmp(n, "row") == 0) {
        const char *r = attr(atts, "r");
        long row = r ? strtol(r, NULL, 10) : (long)x->row + 1;
        if (row <= (long)x->row || row > 1048576) {
            fail_parse(&x->base, "XLSX 行号无效或顺序错误");
            return;
        }
        x->row = (size_t)row;
        x->col = 0;
        import_cells_reset(x->out);
        x->out->row = x->row;
    } else if (strcmp(n, "c") == 0) {
        const char *ref = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
        size_t col = x->col;
        if (ref) {
            bool ok;
            col = column_of(ref, &ok);
            if (!ok || col < x->col) {
                fail_parse(&x->base, "XLSX 单元格引用无效或顺序错误");
                return;
            }
        }
        if (col >= IMPORT_MAX_CELLS) {
            fail_parse(&x->base, "列数过多（最多 256 列）");
            return;
        }
        x->col = col + 1;
        if (!import_cells_pad(x->out, col)) {
            fail_parse(&x->base, "列数过多（最多 256 列）");
            return;
        }
        snprintf(x->type, sizeof x->type, "%s", t ? t : "n");
        x->style = s ? strtol(s, NULL, 10) : 0;
        x->in_cell = true;
        import_cells_reset(&x->value);
        if (!import_cells_begin(&x->value))
            abort();
    } else if (x->in_cell && strcmp(n, "rPh") == 0) {
        x->in_phonetic = true;
    } else if (x->in_cell && !x->in_phonetic && (strcmp(n, "v") == 0 || strcmp(n, "t") == 0)) {
        x->in_value++;
    }
}

/* The text a cell shows, from its type, style and raw value. */
static bool cell_text(struct import_xlsx *x, const char *raw, char *small, size_t cap,
                      const char **out)
{
    *out = raw;
    if (strcmp(x->type, "s") == 0) {
        char *end;
        unsigned long i = strtoul(raw, &end, 10);
        if (end == raw || *end || i >= x->shared.n)
            return false;
        *out = x->shared.buf + x->shared.offs[i];
    } else if (strcmp(x->type, "b") == 0) {
        *out = strcmp(raw, "1") == 0 ? "true" : "false";
    } else if (strcmp(x->type, "d") == 0) {
        snprintf(small, cap, "%.10s", raw); /* ISO 8601: the date part */
        *out = small;
    } else if (strcmp(x->type, "n") == 0 && *raw) {
        bool date = x->style >= 0 && (size_t)x->style < x->nstyles && x->date_style[x->style];
        char *end;
        double v = strtod(raw, &end);
        if (date && end != raw && *end == '\0' && import_xlsx_serial_date(v, x->date1904, small))
            *out = small;
        else {
            number_text(raw, small, cap);
            *out = small;
        }
    }
    return true;
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
    struct import_xlsx *x = ud;
    const char *n = local_name(name);
    if (strcmp(n, "c") == 0 && x->in_cell) {
        x->in_cell = false;
        char small[64];
        const char *text;
        if (!cell_text(x, import_cells_get(&x->value, 0), small, sizeof small, &text)) {
            fail_parse(&x->base, "XLSX 共享字符串索引无效");
            return;
        }
        if (!import_cells_begin(x->out) || !import_cells_append(x->out, text, strlen(text)))
            fail_parse(&x->base, "单元格过大（超过 64 KiB）");
    } else if (strcmp(n, "rPh") == 0) {
        x->in_phonetic = false;
    } else if ((strcmp(n, "v") == 0 || strcmp(n, "t") == 0) && x->in_value > 0) {
        x->in_value--;
    } else if (strcmp(n, "row") == 0) {
        if (x->out->n == 0 || import_cells_blank(x->out))
            return;
        x->row_ready = true;
        XML_StopParser(x->base.p, XML_TRUE);
    }
}

static void XMLCALL sheet_text(void *ud, const XML_Char *text, int len)
{
    struct import_xlsx *x = ud;
    if (x->in_value > 0 && !import_cells_append(&x->value, text, (size_t)len))
        fail_parse(&x->base, "单元格过大（超过 64 KiB）");
}

/* ---- opening ---- */

static bool open_zip(struct import_xlsx *x, const void *data, size_t len)
{
    zip_error_t zerr;
    zip_error_init(&zerr);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &zerr);
    if (src == NULL) {
        zip_error_fini(&zerr);
        x->error = "无法读取上传的文件";
        return false;
    }
    x->zip = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    zip_error_fini(&zerr);
    if (x->zip == NULL) {
        zip_source_free(src);
        x->error = "不是有效的 XLSX 文件（zip 结构损坏或文件被截断）";
        return false;
    }
    if (zip_get_num_entries(x->zip, 0) > XLSX_MAX_ENTRIES) {
        x->error = "XLSX 文件中的部件过多";
        return false;
    }
    return true;
}

static bool open_parts(struct import_xlsx *x, const char *sheet)
{
    struct workbook_ctx w = {.want = sheet};
    if (!parse_part(x, "xl/workbook.xml", true, XLSX_MAX_PART, &w.b, workbook_start, no_end, NULL))
        return false;
    if (!w.found) {
        x->error = sheet ? "工作簿中没有指定名称的工作表（sheet）" : "工作簿中没有工作表";
        return false;
    }
    struct rels_ctx r = {.rid = w.rid};
    snprintf(r.shared, sizeof r.shared, "xl/sharedStrings.xml");
    snprintf(r.styles, sizeof r.styles, "xl/styles.xml");
    if (!parse_part(x, "xl/_rels/workbook.xml.rels", true, XLSX_MAX_PART, &r.b, rels_start, no_end,
                    NULL))
        return false;
    if (r.sheet[0] == '\0') {
        x->error = "不是有效的 XLSX 文件（找不到工作表内容）";
        return false;
    }
    struct shared_ctx sc = {0};
    import_cells_init(&sc.text);
    bool ok = parse_part(x, r.shared, false, XLSX_MAX_SHARED, &sc.b, shared_start, shared_end,
                         shared_text);
    import_cells_free(&sc.text);
    if (!ok)
        return false;
    struct styles_ctx *st = xmalloc(sizeof *st);
    memset(st, 0, sizeof *st);
    ok = parse_part(x, r.styles, false, XLSX_MAX_PART, &st->b, styles_start, styles_end, NULL);
    free(st);
    if (!ok)
        return false;
    zip_int64_t idx = zip_name_locate(x->zip, r.sheet, 0);
    if (idx < 0) {
        x->error = "不是有效的 XLSX 文件（找不到工作表内容）";
        return false;
    }
    if (!entry_ok(x, idx, XLSX_MAX_SHEET))
        return false;
    x->sheet = zip_fopen_index(x->zip, (zip_uint64_t)idx, 0);
    if (x->sheet == NULL) {
        x->error = "不是有效的 XLSX 文件（无法读取工作表，可能已加密或损坏）";
        return false;
    }
    x->inflated_max = XLSX_MAX_SHEET;
    x->base.x = x;
    x->parser = parser_new(&x->base, sheet_start, sheet_end, sheet_text);
    return true;
}

struct import_xlsx *import_xlsx_open(const void *data, size_t len, const char *sheet,
                                     const char **error)
{
    struct import_xlsx *x = xmalloc(sizeof *x);
    memset(x, 0, sizeof *x);
    import_cells_init(&x->value);
    if (!open_zip(x, data, len) || !open_parts(x, sheet)) {
        *error = x->error;
        import_xlsx_close(x);
        return NULL;
    }
    return x;
}

void import_xlsx_close(struct import_xlsx *x)
{
    if (x == NULL)
        return;
    if (x->parser)
        XML_ParserFree(x->parser);
    if (x->sheet)
        zip_fclose(x->sheet);
    if (x->zip)
        zip_discard(x->zip);
    free(x->shared.buf);
    free(x->shared.offs);
    free(x->date_style);
    import_cells_free(&x->value);
    free(x);
}

/* Feeds the parser until a row is complete, the sheet ends, or something fails. */
int import_xlsx_next(struct import_xlsx *x, struct import_cells *cells)
{
    x->out = cells;
    x->row_ready = false;
    for (;;) {
        enum XML_Status st;
        if (x->suspended) {
            x->suspended = false;
            st = XML_ResumeParser(x->parser);
        } else if (x->finished) {
            return 0;
        } else {
            zip_int64_t n = zip_fread(x->sheet, x->block, BLOCK);
            if (n < 0) {
                x->error = "XLSX 文件损坏或被截断（解压失败）";
                return -1;
            }
            x->inflated += (zip_uint64_t)n;
            if (x->inflated > x->inflated_max) {
                x->error = "XLSX 文件解压后过大（疑似压缩炸弹），已拒绝";
                return -1;
            }
            x->finished = n == 0; /* the final (empty) piece has been fed */
            st = XML_Parse(x->parser, x->block, (int)n, n == 0);
        }
        if (st == XML_STATUS_ERROR) {
            if (x->error == NULL)
                x->error = "XLSX 工作表的 XML 格式错误（文件可能被截断）";
            return -1;
        }
        x->suspended = st == XML_STATUS_SUSPENDED;
        if (x->row_ready)
            return 1;
    }
}
