/* CSV reading for imports: decoding to UTF-8 once, then RFC 4180 records one at a time. */
#include "domain/import_csv.h"

#include "core/utf8.h"
#include "core/xmalloc.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool import_charset_parse(const char *s, enum import_charset *out)
{
    static const struct {
        const char *name;
        enum import_charset cs;
    } names[] = {{"utf-8", IMPORT_CHARSET_UTF8},      {"utf8", IMPORT_CHARSET_UTF8},
                 {"gb18030", IMPORT_CHARSET_GB18030}, {"gbk", IMPORT_CHARSET_GB18030},
                 {"gb2312", IMPORT_CHARSET_GB18030},  {"auto", IMPORT_CHARSET_AUTO}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(s, names[i].name) == 0) {
            *out = names[i].cs;
            return true;
        }
    return false;
}

/* Converts the whole file to UTF-8 (at most twice its size for these encodings). */
static bool convert(struct import_csv *r, const char *from, const char *data, size_t len)
{
    iconv_t cd = iconv_open("UTF-8", from);
    if (cd == (iconv_t)-1) {
        r->error = "服务器缺少字符集转换支持";
        return false;
    }
    size_t cap = 2 * len + 16;
    r->owned = xmalloc(cap);
    char *in = (char *)data, *out = r->owned;
    size_t inleft = len, outleft = cap - 1;
    size_t rc = iconv(cd, &in, &inleft, &out, &outleft);
    iconv_close(cd);
    if (rc == (size_t)-1 || inleft != 0) {
        r->error = errno == EINVAL ? "文件在字符中间结束（被截断）"
                                   : "文件编码无法识别：请保存为 UTF-8 或 GB18030 编码的 CSV";
        return false;
    }
    *out = '\0';
    r->p = r->owned;
    r->end = out;
    return true;
}

static char guess_separator(const char *p, const char *end)
{
    size_t comma = 0, tab = 0, semi = 0;
    bool quoted = false;
    for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && *p == ',')
            comma++;
        else if (!quoted && *p == '\t')
            tab++;
        else if (!quoted && *p == ';')
            semi++;
    }
    if (tab > comma && tab >= semi)
        return '\t';
    return semi > comma ? ';' : ',';
}

static bool decode(struct import_csv *r, const char *data, size_t len, enum import_charset cs)
{
    const unsigned char *u = (const unsigned char *)data;
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        r->charset = "UTF-16";
        return convert(r, u[0] == 0xFF ? "UTF-16LE" : "UTF-16BE", data + 2, len - 2);
    }
    bool bom = len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF;
    if (cs == IMPORT_CHARSET_GB18030 && !bom) {
        r->charset = "GB18030";
        return convert(r, "GB18030", data, len);
    }
    if (bom) {
        data += 3;
        len -= 3;
    }
    if (utf8_valid(data, len)) {
        r->charset = "UTF-8";
        r->p = data;
        r->end = data + len;
        return true;
    }
    if (cs == IMPORT_CHARSET_UTF8 || bom) {
        r->error = "文件不是有效的 UTF-8 编码（GB18030 文件请给出 charset=gb18030 或去掉 BOM）";
        return false;
    }
    r->charset = "GB18030";
    return convert(r, "GB18030", data, len);
}

bool import_csv_open(struct import_csv *r, const char *data, size_t len,
                     enum import_charset charset)
{
    memset(r, 0, sizeof *r);
    r->line = 1;
    if (!decode(r, data, len, charset))
        return false;
    if (memchr(r->p, '\0', (size_t)(r->end - r->p))) {
        r->error = "文件含有 NUL 字节，不是文本文件";
        return false;
    }
    r->sep = guess_separator(r->p, r->end);
    return true;
}

void import_csv_close(struct import_csv *r)
{
    free(r->owned);
    r->owned = NULL;
}

/* A line break at p (CRLF, LF or a lone CR): its length, or 0. */
static size_t line_break(const char *p, const char *end)
{
    if (*p == '\n')
        return 1;
    if (*p == '\r')
        return p + 1 < end && p[1] == '\n' ? 2 : 1;
    return 0;
}

static int fail(struct import_csv *r, const char *message)
{
    r->error = message;
    return -1;
}

/* A quoted field from just after its opening quote; leaves r->p after the closing one. */
static int quoted_field(struct import_csv *r, struct import_cells *cells)
{
    const char *p = r->p;
    for (;;) {
        const char *q = memchr(p, '"', (size_t)(r->end - p));
        if (q == NULL)
            return fail(r, "引号未闭合（文件可能被截断）");
        for (const char *s = p; s < q; s++)
            if (*s == '\n' || (*s == '\r' && (s + 1 == q || s[1] != '\n')))
                r->line++;
        if (!import_cells_append(cells, p, (size_t)(q - p)))
            return fail(r, "单元格过大（超过 64 KiB）");
        if (q + 1 < r->end && q[1] == '"') {
            if (!import_cells_append(cells, "\"", 1))
                return fail(r, "单元格过大（超过 64 KiB）");
            p = q + 2;
            continue;
        }
        r->p = q + 1;
        return 0;
    }
}

int import_csv_next(struct import_csv *r, struct import_cells *cells)
{
    import_cells_reset(cells);
    cells->row = r->line;
    if (r->p >= r->end)
        return 0;
    if (!import_cells_begin(cells))
        return fail(r, "列数过多");
    while (r->p < r->end) {
        size_t nl = line_break(r->p, r->end);
        if (nl) {
            r->p += nl;
            r->line++;
            return 1;
        }
        if (*r->p == r->sep) {
            r->p++;
            if (!import_cells_begin(cells))
                return fail(r, "列数过多（最多 256 列）");
            continue;
        }
        if (*r->p == '"' && cells->len - 1 == cells->offs[cells->n - 1]) {
            r->p++;
            if (quoted_field(r, cells) < 0)
                return -1;
            continue;
        }
        const char *s = r->p;
        while (r->p < r->end && *r->p != r->sep && *r->p != '\n' && *r->p != '\r')
            r->p++;
        if (!import_cells_append(cells, s, (size_t)(r->p - s)))
            return fail(r, "单元格过大（超过 64 KiB）");
    }
    return 1;
}
