/* Evidence file types, names and Content-Disposition (see evidence_file.h). */
#include "domain/evidence_file.h"

#include "core/utf8.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum magic { MAGIC_PDF, MAGIC_JPEG, MAGIC_PNG, MAGIC_ZIP, MAGIC_OLE };

struct type_entry {
    struct evidence_type t;
    enum magic magic;
    const char *alias_ext; /* a second extension, or NULL */
};

static const struct type_entry types[] = {
    {{"application/pdf", "pdf", "PDF"}, MAGIC_PDF, NULL},
    {{"image/jpeg", "jpg", "JPEG"}, MAGIC_JPEG, "jpeg"},
    {{"image/png", "png", "PNG"}, MAGIC_PNG, NULL},
    {{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "XLSX"},
     MAGIC_ZIP,
     NULL},
    {{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "DOCX"},
     MAGIC_ZIP,
     NULL},
    {{"application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx", "PPTX"},
     MAGIC_ZIP,
     NULL},
    {{"application/ofd", "ofd", "OFD"}, MAGIC_ZIP, NULL},
    {{"application/vnd.ms-excel", "xls", "XLS"}, MAGIC_OLE, NULL},
    {{"application/msword", "doc", "DOC"}, MAGIC_OLE, NULL},
    {{"application/vnd.ms-powerpoint", "ppt", "PPT"}, MAGIC_OLE, NULL},
};
#define NTYPES (sizeof types / sizeof types[0])

const struct evidence_type *evidence_type_of_media(const char *content_type)
{
    if (content_type == NULL)
        return NULL;
    while (*content_type == ' ' || *content_type == '\t')
        content_type++;
    size_t n = strcspn(content_type, "; \t");
    for (size_t i = 0; i < NTYPES; i++)
        if (strlen(types[i].t.media_type) == n &&
            strncasecmp(types[i].t.media_type, content_type, n) == 0)
            return &types[i].t;
    return NULL;
}

const struct evidence_type *evidence_type_of_name(const char *name)
{
    const char *dot = name ? strrchr(name, '.') : NULL;
    if (dot == NULL || dot == name)
        return NULL;
    for (size_t i = 0; i < NTYPES; i++)
        if (strcasecmp(dot + 1, types[i].t.ext) == 0 ||
            (types[i].alias_ext && strcasecmp(dot + 1, types[i].alias_ext) == 0))
            return &types[i].t;
    return NULL;
}

bool evidence_type_matches(const struct evidence_type *t, const void *data, size_t len)
{
    static const struct {
        const char *bytes;
        size_t len;
    } magics[] = {
        [MAGIC_PDF] = {"%PDF-", 5},
        [MAGIC_JPEG] = {"\xFF\xD8\xFF", 3},
        [MAGIC_PNG] = {"\x89PNG\r\n\x1A\n", 8},
        [MAGIC_ZIP] = {"PK\x03\x04", 4},
        [MAGIC_OLE] = {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8},
    };
    for (size_t i = 0; i < NTYPES; i++) {
        if (&types[i].t != t)
            continue;
        const char *m = magics[types[i].magic].bytes;
        size_t n = magics[types[i].magic].len;
        return len >= n && memcmp(data, m, n) == 0;
    }
    return false;
}

const char *evidence_type_list(void)
{
    return "PDF、JPEG、PNG、XLSX、DOCX、PPTX、OFD、XLS、DOC、PPT";
}

/* Length in bytes of the UTF-8 sequence starting with lead (the string is valid). */
static size_t seq_len(unsigned char lead)
{
    return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

/* U+200E, U+200F, U+202A..U+202E, U+2066..U+2069: marks that can make "exe.pdf" look like
 * "fdp.exe"; and U+FEFF. */
static bool invisible(const unsigned char *s, size_t n)
{
    if (n == 3 && s[0] == 0xE2 && s[1] == 0x80 &&
        (s[2] == 0x8E || s[2] == 0x8F || (s[2] >= 0xAA && s[2] <= 0xAE)))
        return true;
    if (n == 3 && s[0] == 0xE2 && s[1] == 0x81 && s[2] >= 0xA6 && s[2] <= 0xA9)
        return true;
    return n == 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF;
}

bool evidence_name_clean(const char *in, const struct evidence_type *t, char *out)
{
    out[0] = '\0';
    if (in == NULL || !utf8_valid(in, strlen(in)))
        return false;
    const char *base = in;
    for (const char *p = in; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    /* Copy character by character, dropping and replacing as we go. */
    char buf[1024];
    size_t n = 0;
    for (const unsigned char *s = (const unsigned char *)base; *s;) {
        size_t k = seq_len(*s);
        if (n + k + 1 >= sizeof buf)
            break;
        if (k == 1 && (*s < 0x20 || *s == 0x7F)) {
            s++;
            continue;
        }
        if (k == 3 && invisible(s, k)) {
            s += k;
            continue;
        }
        if (k == 2 && s[0] == 0xC2 && s[1] < 0xA0) { /* C1 controls */
            s += k;
            continue;
        }
        if (k == 1 && strchr(":*?\"<>|", *s)) {
            buf[n++] = '_';
            s++;
            continue;
        }
        memcpy(buf + n, s, k);
        n += k;
        s += k;
    }
    buf[n] = '\0';
    /* Trim blanks and dots at the start (no hidden files), blanks and dots at the end. */
    size_t start = 0;
    while (buf[start] == ' ' || buf[start] == '.')
        start++;
    while (n > start && (buf[n - 1] == ' ' || buf[n - 1] == '.'))
        buf[--n] = '\0';
    const char *name = buf + start;
    size_t len = n - start;
    if (len == 0)
        return false;
    /* The extension: the type's when the name lacks it. */
    const char *dot = strrchr(name, '.');
    const struct evidence_type *says = evidence_type_of_name(name);
    char ext[16] = "";
    size_t stem = len;
    if (says == t && dot) {
        stem = (size_t)(dot - name);
        snprintf(ext, sizeof ext, "%s", dot);
    } else if (t) {
        snprintf(ext, sizeof ext, ".%s", t->ext);
    }
    size_t ext_points = strlen(ext); /* ASCII */
    size_t keep = 0, points = 0;
    while (keep < stem && points + ext_points < EVIDENCE_NAME_MAX) {
        keep += seq_len((unsigned char)name[keep]);
        points++;
    }
    /* Trailing blanks of a cut stem look odd before the extension. */
    while (keep > 0 && name[keep - 1] == ' ')
        keep--;
    if (keep == 0 && ext_points == 0)
        return false;
    memcpy(out, name, keep);
    memcpy(out + keep, ext, ext_points + 1);
    return keep > 0;
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The value of a parameter (name=) in a header, case-insensitive; NULL if absent. */
static const char *param_value(const char *header, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = header; (p = strchr(p, ';')) != NULL;) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, name, n) == 0) {
            const char *v = p + n;
            while (*v == ' ' || *v == '\t')
                v++;
            if (*v == '=') {
                v++;
                while (*v == ' ' || *v == '\t')
                    v++;
                return v;
            }
        }
    }
    return NULL;
}

bool evidence_disposition_name(const char *header, char *out, size_t cap)
{
    if (header == NULL || cap == 0)
        return false;
    const char *v = param_value(header, "filename*");
    if (v) {
        if (strncasecmp(v, "UTF-8'", 6) != 0)
            return false;
        const char *q = strchr(v + 6, '\'');
        if (q == NULL)
            return false;
        size_t o = 0;
        for (const char *p = q + 1; *p && *p != ';' && *p != ' '; p++) {
            int c = (unsigned char)*p;
            if (c == '%') {
                int hi = hex_value(p[1]), lo = hi >= 0 ? hex_value(p[2]) : -1;
                if (lo < 0)
                    return false;
                c = hi * 16 + lo;
                p += 2;
            }
            if (c == 0 || o + 1 >= cap)
                return false;
            out[o++] = (char)c;
        }
        out[o] = '\0';
        return o > 0;
    }
    v = param_value(header, "filename");
    if (v == NULL)
        return false;
    size_t o = 0;
    if (*v == '"') {
        const char *p = v + 1;
        for (; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1])
                p++;
            if (o + 1 >= cap)
                return false;
            out[o++] = *p;
        }
        if (*p != '"')
            return false;
    } else {
        for (const char *p = v; *p && *p != ';' && *p != ' ' && *p != '\t'; p++) {
            if (o + 1 >= cap)
                return false;
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    return o > 0;
}

size_t evidence_disposition_header(const char *name, const char *ascii, char *out, size_t cap)
{
    static const char attr[] = "!#$&+-.^_`|~";
    int w = snprintf(out, cap, "attachment; filename=\"%s\"; filename*=UTF-8''", ascii);
    if (w < 0 || (size_t)w >= cap)
        return 0;
    size_t o = (size_t)w;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        bool plain = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                     (*c >= '0' && *c <= '9') || (*c < 0x80 && strchr(attr, *c));
        if (o + 4 >= cap)
            return 0;
        if (plain)
            out[o++] = (char)*c;
        else
            o += (size_t)snprintf(out + o, 4, "%%%02X", *c);
    }
    out[o] = '\0';
    return o;
}
