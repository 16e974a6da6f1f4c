/* Roster forms of regions, dates and agreement terms (see import_values.h). */
#include "domain/import_values.h"

#include "core/xmalloc.h"
#include "domain/import_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes one UTF-8 code point of valid UTF-8; returns its length. */
static bool is_dash(unsigned cp)
{
    return cp == 0x2010 || cp == 0x2012 || cp == 0x2013 || cp == 0x2014 || cp == 0x2015 ||
           cp == 0x2212;
}

char *import_halfwidth(const char *in, bool drop_spaces)
{
    const unsigned char *s = (const unsigned char *)(in ? in : "");
    char *out = xmalloc(strlen((const char *)s) + 1);
    size_t o = 0;
    while (*s) {
        unsigned cp;
        size_t n = import_utf8_decode(s, &cp);
        if (cp >= 0xFF01 && cp <= 0xFF5E)
            cp -= 0xFEE0;
        else if (is_dash(cp))
            cp = '-';
        if (import_is_space(cp)) {
            if (!drop_spaces)
                out[o++] = ' ';
        } else if (cp < 0x80) {
            out[o++] = (char)cp;
        } else {
            memcpy(out + o, s, n);
            o += n;
        }
        s += n;
    }
    out[o] = '\0';
    return out;
}

/* ---- regions ---- */

enum { FORM_NAME, FORM_FULL, FORM_SHORT }; /* how good a match is: the lower the better */

struct region {
    char *code, *name, *kind, *parent;
};

struct form {
    char *text;
    int quality;
    size_t region;
};

struct import_regions {
    struct region *r;
    size_t n, cap;
    struct form *f;
    size_t nf, fcap;
    bool indexed;
};

struct import_regions *import_regions_new(void)
{
    struct import_regions *r = xmalloc(sizeof *r);
    memset(r, 0, sizeof *r);
    return r;
}

static void forms_clear(struct import_regions *r)
{
    for (size_t i = 0; i < r->nf; i++)
        free(r->f[i].text);
    free(r->f);
    r->f = NULL;
    r->nf = r->fcap = 0;
    r->indexed = false;
}

void import_regions_free(struct import_regions *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->r[i].code);
        free(r->r[i].name);
        free(r->r[i].kind);
        free(r->r[i].parent);
    }
    free(r->r);
    forms_clear(r);
    free(r);
}

void import_regions_add(struct import_regions *r, const char *code, const char *name,
                        const char *kind, const char *parent)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 32;
        r->r = xrealloc(r->r, r->cap * sizeof *r->r);
    }
    struct region *g = &r->r[r->n++];
    g->code = xstrdup(code);
    g->name = xstrdup(name);
    g->kind = xstrdup(kind ? kind : "");
    g->parent = parent && *parent ? xstrdup(parent) : NULL;
    forms_clear(r);
}

/* The comparison form of a region's text: import_fold() (full-width as half-width, no white
 * space, ASCII lower case), less dashes and middle dots (蜀冈—瘦西湖, 蜀冈-瘦西湖). */
static char *region_fold(const char *in)
{
    char *dashed = import_halfwidth(in, true);
    char *f = import_fold(dashed);
    free(dashed);
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)f;
    while (*s) {
        unsigned cp;
        size_t n = import_utf8_decode(s, &cp);
        if (cp != '-' && cp != 0xB7 && cp != 0x30FB && cp != 0xFF65 && cp != '.') {
            memmove(f + o, s, n);
            o += n;
        }
        s += n;
    }
    f[o] = '\0';
    return f;
}

static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* The name without its level's word (江都区 → 江都, 扬州市 → 扬州, 内蒙古自治区 → 内蒙古,
 * 长阳土家族自治县 → 长阳), when at least two characters remain; NULL for zones, whose names are
 * the whole of them. */
static char *short_name(const char *name, const char *kind)
{
    if (strcmp(kind, "functional_zone") == 0)
        return NULL;
    static const char *const autonomous[] = {"自治区", "自治州", "自治县", "自治旗", NULL};
    static const char *const words[] = {"特别行政区", "地区", "林区", "矿区", "新区", "省",
                                        "市",         "区",   "县",   "旗",   "盟",   NULL};
    for (const char *const *w = autonomous; *w; w++)
        if (ends_with(name, *w)) {
            char *s = xstrdup(name);
            s[strlen(s) - strlen(*w)] = '\0';
            char *zu = strstr(s, "族"); /* 宁夏回族 → 宁夏: the place is before the people */
            if (zu && chars(s) > 2) {
                const char *p = s;
                for (int i = 0; i < 2 && *p; i++) {
                    unsigned cp;
                    p += import_utf8_decode((const unsigned char *)p, &cp);
                }
                s[p - s] = '\0';
            }
            if (chars(s) >= 2)
                return s;
            free(s);
            return NULL;
        }
    for (const char *const *w = words; *w; w++)
        if (ends_with(name, *w) && chars(name) - chars(*w) >= 2) {
            char *s = xstrdup(name);
            s[strlen(s) - strlen(*w)] = '\0';
            return s;
        }
    return NULL;
}

static void form_add(struct import_regions *r, const char *text, int quality, size_t region)
{
    if (text == NULL || *text == '\0')
        return;
    if (r->nf == r->fcap) {
        r->fcap = r->fcap ? r->fcap * 2 : 256;
        r->f = xrealloc(r->f, r->fcap * sizeof *r->f);
    }
    r->f[r->nf++] = (struct form){region_fold(text), quality, region};
}

static const struct region *region_of(const struct import_regions *r, const char *code)
{
    for (size_t i = 0; code && i < r->n; i++)
        if (strcmp(r->r[i].code, code) == 0)
            return &r->r[i];
    return NULL;
}

/* The common abbreviations of a zone's word, each (long, short). */
static const char *const abbreviations[][2] = {
    {"经济技术开发区", "经开区"}, {"经济开发区", "经开区"}, {"高新技术产业开发区", "高新区"},
    {"高新技术开发区", "高新区"}, {"风景名胜区", "风景区"}, {NULL, NULL}};

static char *abbreviated(const char *name)
{
    for (size_t i = 0; abbreviations[i][0]; i++) {
        const char *at = strstr(name, abbreviations[i][0]);
        if (at) {
            size_t head = (size_t)(at - name), len = strlen(abbreviations[i][0]);
            char *s = xmalloc(strlen(name) + 1);
            snprintf(s, strlen(name) + 1, "%.*s%s%s", (int)head, name, abbreviations[i][1],
                     at + len);
            return s;
        }
    }
    return NULL;
}

#define MAX_DEPTH 4
#define MAX_BASES 8

/* Every form of region i: alone, then after each run of its parents' names (full or short). */
static void region_forms(struct import_regions *r, size_t i)
{
    const struct region *g = &r->r[i];
    const struct region *up[MAX_DEPTH];
    size_t depth = 0;
    for (const struct region *p = region_of(r, g->parent); p && depth < MAX_DEPTH;
         p = region_of(r, p->parent))
        up[depth++] = p;
    char *base[MAX_BASES];
    int quality[MAX_BASES];
    size_t nb = 0;
    base[nb] = xstrdup(g->name), quality[nb++] = FORM_NAME;
    base[nb] = short_name(g->name, g->kind), quality[nb++] = FORM_SHORT;
    /* Without the parent's name it starts with: 扬州经济技术开发区 → 经济技术开发区. */
    for (size_t k = 0; k < depth && nb + 1 < MAX_BASES; k++) {
        char *ps = short_name(up[k]->name, up[k]->kind);
        const char *parent_forms[] = {up[k]->name, ps};
        for (size_t j = 0; j < 2; j++) {
            const char *pf = parent_forms[j];
            if (pf && strncmp(g->name, pf, strlen(pf)) == 0 && chars(g->name + strlen(pf)) >= 2 &&
                nb < MAX_BASES - 1) {
                base[nb] = xstrdup(g->name + strlen(pf)), quality[nb++] = FORM_SHORT;
                break;
            }
        }
        free(ps);
    }
    for (size_t b = 0, n = nb; b < n && nb < MAX_BASES; b++)
        if (base[b] && (base[nb] = abbreviated(base[b])) != NULL)
            quality[nb++] = FORM_SHORT;
    for (size_t b = 0; b < nb; b++) {
        if (base[b] == NULL)
            continue;
        form_add(r, base[b], quality[b], i);
        /* Parents k-1 .. 0 before it, each by its name or short name: 2^k spellings. */
        for (size_t k = 1; k <= depth; k++) {
            for (unsigned mask = 0; mask < (1u << k); mask++) {
                char text[512] = "";
                size_t o = 0;
                bool ok = true;
                for (size_t j = k; j-- > 0 && ok;) {
                    char *ps = (mask >> j) & 1 ? short_name(up[j]->name, up[j]->kind) : NULL;
                    const char *part = (mask >> j) & 1 ? ps : up[j]->name;
                    ok = part != NULL;
                    if (ok)
                        o += (size_t)snprintf(text + o, sizeof text - o, "%s", part);
                    free(ps);
                }
                if (ok && o < sizeof text) {
                    snprintf(text + o, sizeof text - o, "%s", base[b]);
                    form_add(r, text, quality[b] == FORM_NAME ? FORM_FULL : quality[b], i);
                }
            }
        }
        free(base[b]);
    }
}

static int form_cmp(const void *a, const void *b)
{
    const struct form *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    return c ? c : x->quality - y->quality;
}

static void regions_index(struct import_regions *r)
{
    forms_clear(r);
    for (size_t i = 0; i < r->n; i++)
        region_forms(r, i);
    qsort(r->f, r->nf, sizeof *r->f, form_cmp);
    r->indexed = true;
}

/* A district or county to show as an example, else the first region. */
static const struct region *example(const struct import_regions *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->r[i].kind, "district") == 0 || strcmp(r->r[i].kind, "county") == 0)
            return &r->r[i];
    return r->n ? &r->r[0] : NULL;
}

static bool six_digits(const char *s)
{
    return strlen(s) == 6 && strspn(s, "0123456789") == 6;
}

/* The first form at or after lo whose text is key, or r->nf. */
static size_t form_find(const struct import_regions *r, const char *key)
{
    size_t lo = 0, hi = r->nf;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(r->f[mid].text, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->nf && strcmp(r->f[lo].text, key) == 0 ? lo : r->nf;
}

/* An address in a region column (扬州市江都区仙女镇, 江都区大桥镇): the region whose full name
 * (with or without its parents) starts it, the longest such, when that is one region and the
 * rest names no other region and lists nothing (江都区、邗江区 is two regions, not an address). */
static const char *address_region(const struct import_regions *r, const char *key)
{
    static const char *const separators[] = {"、", ",", ";", "/", "，", "；", "|", NULL};
    for (const char *const *sp = separators; *sp; sp++)
        if (strstr(key, *sp))
            return NULL;
    char *prefix = xstrdup(key);
    const char *code = NULL;
    for (size_t n = strlen(key); n > 0 && code == NULL; n--) {
        if (((unsigned char)key[n] & 0xC0) == 0x80 || key[n] == '\0')
            continue; /* not a character boundary, or the whole key (no rest) */
        prefix[n] = '\0';
        size_t i = form_find(r, prefix);
        if (i == r->nf || r->f[i].quality == FORM_SHORT)
            continue;
        bool unique = true;
        for (size_t j = i + 1; j < r->nf && strcmp(r->f[j].text, prefix) == 0; j++)
            unique = unique && (r->f[j].quality == FORM_SHORT || r->f[j].region == r->f[i].region);
        if (!unique)
            break; /* a longest full name two regions share: ambiguous, not an address */
        const char *rest = key + n;
        bool other = false;
        for (size_t g = 0; g < r->n && !other; g++) {
            char *name = region_fold(r->r[g].name);
            other = strstr(rest, name) != NULL;
            free(name);
        }
        if (!other)
            code = r->r[r->f[i].region].code;
        else
            break;
    }
    free(prefix);
    return code;
}

const char *import_regions_resolve(struct import_regions *r, const char *text, const char *column,
                                   char *reason, size_t cap)
{
    char *digits = import_halfwidth(text, true);
    if (six_digits(digits)) {
        for (size_t i = 0; i < r->n; i++)
            if (strcmp(r->r[i].code, digits) == 0) {
                free(digits);
                return r->r[i].code;
            }
        /* Not among ours: the database reports it, as it does for the API. */
        free(digits);
        return text;
    }
    free(digits);
    if (!r->indexed)
        regions_index(r);
    char *key = region_fold(text);
    size_t lo = 0, hi = r->nf;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(r->f[mid].text, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t found[8], nfound = 0;
    int best = -1;
    if (lo >= r->nf || strcmp(r->f[lo].text, key) != 0) {
        const char *code = address_region(r, key);
        if (code) {
            free(key);
            return code;
        }
    }
    for (size_t i = lo; i < r->nf && strcmp(r->f[i].text, key) == 0; i++) {
        if (best >= 0 && r->f[i].quality > best)
            break; /* sorted by quality within a text */
        best = r->f[i].quality;
        bool seen = false;
        for (size_t j = 0; j < nfound && !seen; j++)
            seen = found[j] == r->f[i].region;
        if (!seen && nfound < sizeof found / sizeof found[0])
            found[nfound++] = r->f[i].region;
    }
    free(key);
    if (nfound == 1)
        return r->r[found[0]].code;
    const struct region *ex = example(r);
    if (nfound == 0) {
        snprintf(reason, cap,
                 "地区“%s”不存在：“%s”一列应填地区名称（如“%s”）或六位行政区划代码（如 %s）", text,
                 column, ex ? ex->name : "", ex ? ex->code : "");
        return NULL;
    }
    size_t o = (size_t)snprintf(reason, cap, "地区“%s”可能是", text);
    for (size_t j = 0; j < nfound && o < cap; j++)
        o += (size_t)snprintf(reason + o, cap - o, "%s%s（%s）", j ? "、" : "", r->r[found[j]].name,
                              r->r[found[j]].code);
    if (o < cap)
        snprintf(reason + o, cap - o, "：“%s”一列请填写带上级的全称或六位行政区划代码", column);
    return NULL;
}

/* ---- code tables by name ---- */

struct name_entry {
    char *key, *code;
    int quality; /* 0 the name, 1 the name without 学 */
};

struct import_names {
    struct name_entry *e;
    size_t n, cap;
    bool sorted;
};

struct import_names *import_names_new(void)
{
    struct import_names *t = xmalloc(sizeof *t);
    memset(t, 0, sizeof *t);
    return t;
}

void import_names_free(struct import_names *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->e[i].key);
        free(t->e[i].code);
    }
    free(t->e);
    free(t);
}

static void names_push(struct import_names *t, char *key, const char *code, int quality)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->e = xrealloc(t->e, t->cap * sizeof *t->e);
    }
    t->e[t->n++] = (struct name_entry){key, xstrdup(code), quality};
    t->sorted = false;
}

void import_names_add(struct import_names *t, const char *code, const char *name)
{
    char *key = region_fold(name);
    if (ends_with(key, "学") && chars(key) >= 3) {
        char *shorter = xstrdup(key);
        shorter[strlen(shorter) - strlen("学")] = '\0';
        names_push(t, shorter, code, 1);
    }
    names_push(t, key, code, 0);
}

static int name_cmp(const void *a, const void *b)
{
    const struct name_entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : x->quality - y->quality;
}

const char *import_names_find(struct import_names *t, const char *text, bool *ambiguous)
{
    *ambiguous = false;
    if (!t->sorted) {
        qsort(t->e, t->n, sizeof *t->e, name_cmp);
        t->sorted = true;
    }
    char *key = region_fold(text);
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(t->e[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    const char *code = NULL;
    for (size_t i = lo; i < t->n && strcmp(t->e[i].key, key) == 0; i++) {
        if (code && t->e[i].quality > t->e[lo].quality)
            break;
        if (code && strcmp(code, t->e[i].code) != 0) {
            *ambiguous = true;
            code = NULL;
            break;
        }
        code = t->e[i].code;
    }
    free(key);
    return code;
}

/* ---- dates ---- */

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* n digits at s, no more (the next byte is no digit); their value, or -1. */
static int digits_at(const char *s, size_t min, size_t max, size_t *len)
{
    size_t n = strspn(s, "0123456789");
    if (n < min || n > max)
        return -1;
    *len = n;
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static size_t word_at(const char *s, const char *word)
{
    size_t n = strlen(word);
    return strncmp(s, word, n) == 0 ? n : 0;
}

size_t import_date_prefix(const char *s, struct import_date *d)
{
    size_t n;
    memset(d, 0, sizeof *d);
    if (strspn(s, "0123456789") == 8) { /* 20230105 */
        int y = digits_at(s, 8, 8, &n);
        d->y = y / 10000, d->m = y / 100 % 100, d->d = y % 100, d->precision = 3;
        return d->m >= 1 && d->m <= 12 && d->d >= 1 && d->d <= month_days(d->y, d->m) ? 8 : 0;
    }
    d->y = digits_at(s, 4, 4, &n);
    if (d->y < 0)
        return 0;
    d->precision = 1;
    const char *p = s + 4;
    size_t w = word_at(p, "年");
    char sep = w ? 0 : (*p == '-' || *p == '/' || *p == '.' ? *p : 1);
    if (sep == 1)
        return (size_t)(p - s);
    const char *q = p + (w ? w : 1);
    int m = digits_at(q, 1, 2, &n);
    if (m < 1 || m > 12)
        return (size_t)(p - s) + w; /* "2023年" is a year; "2023-2025" stops before '-' */
    d->m = m, d->precision = 2;
    p = q + n;
    const char *r = NULL; /* where the day would start */
    if (sep == 0) {
        size_t mw = word_at(p, "月");
        if (mw == 0) /* 2023年1: a month, and nothing may follow as a day */
            return (size_t)(p - s);
        p += mw;
        r = p;
    } else if (*p == sep) {
        r = p + 1;
    }
    int day = r ? digits_at(r, 1, 2, &n) : -1;
    if (day >= 1 && day <= month_days(d->y, m)) {
        d->d = day, d->precision = 3;
        p = r + n;
        if (sep == 0) {
            size_t dw = word_at(p, "日");
            p += dw ? dw : word_at(p, "号");
        }
    }
    return (size_t)(p - s);
}

static void date_text(const struct import_date *d, bool end, char *out)
{
    int day = d->precision >= 3 ? d->d : end ? month_days(d->y, d->m) : 1;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)d->y % 10000u, (unsigned)d->m % 100u,
             (unsigned)day % 100u);
}

#define DATE_FORMS "如 2023-01-05、2023/1/5、2023.1.5、2023年1月5日，或年月 2023.01、2023年1月"

bool import_date_parse(const char *s, bool end, char *out, char *reason, size_t cap)
{
    char *h = import_halfwidth(s, true);
    struct import_date d;
    size_t n = import_date_prefix(h, &d);
    bool ok = n > 0 && h[n] == '\0' && d.precision >= 2;
    if (ok)
        date_text(&d, end, out);
    else if (n > 0 && h[n] == '\0')
        snprintf(reason, cap, "只写了年份，无法确定日期：请写到月或日（%s）", DATE_FORMS);
    else
        snprintf(reason, cap, "应为日期（%s）", DATE_FORMS);
    free(h);
    return ok;
}

/* 3, 36, 三, 十, 两: a small count, or -1; *len is what was read. */
static int count_at(const char *s, size_t *len)
{
    int v = digits_at(s, 1, 3, len);
    if (v >= 0)
        return v;
    static const char *const numerals[] = {"零", "一", "二", "三", "四", "五",
                                           "六", "七", "八", "九", "十", NULL};
    if (word_at(s, "两")) {
        *len = strlen("两");
        return 2;
    }
    for (int i = 0; numerals[i]; i++)
        if (word_at(s, numerals[i])) {
            *len = strlen(numerals[i]);
            if (i == 10) { /* 十, 十二 */
                size_t more;
                for (int j = 1; j < 10; j++)
                    if ((more = word_at(s + *len, numerals[j])) > 0) {
                        *len += more;
                        return 10 + j;
                    }
            }
            return i;
        }
    return -1;
}

/* A length: [为期|期限] N 年|个月|月 [期]; months, or -1. */
static int length_at(const char *s, size_t *len)
{
    const char *p = s;
    p += word_at(p, "为期");
    p += word_at(p, "期限");
    size_t n;
    int v = count_at(p, &n);
    if (v <= 0)
        return -1;
    p += n;
    int months;
    if ((n = word_at(p, "年")) > 0)
        months = v * 12;
    else if ((n = word_at(p, "个月")) > 0 || (n = word_at(p, "月")) > 0)
        months = v;
    else
        return -1;
    p += n;
    p += word_at(p, "期");
    *len = (size_t)(p - s);
    return months;
}

static size_t range_sep_at(const char *s)
{
    static const char *const seps[] = {"至", "到", "-", "~", "—", "－", "～", NULL};
    size_t n = 0;
    for (const char *const *sp = seps; *sp; sp++)
        if ((n = word_at(s, *sp)) > 0)
            break;
    size_t more = n ? word_at(s + n, "-") : 0; /* "--" */
    return n + more;
}

#define TERM_FORMS                                                                                               \
    "协议期限可填到期日期（2025-12-31、2025年12月）、起止年月或日期（2023.01-2025.12、" \
    "2023年1月至2025年12月、2023-01-01至2025-12-31）或年限（3年，另需“签约日期”或“建站日期”列）"

bool import_term_parse(const char *s, struct import_term *t, char *reason, size_t cap)
{
    memset(t, 0, sizeof *t);
    char *h = import_halfwidth(s, true);
    const char *p = h;
    size_t n;
    int months = length_at(p, &n);
    bool ok = false;
    if (months > 0 && p[n] == '\0') {
        t->months = months;
        ok = true;
        goto out;
    }
    struct import_date a, b;
    if ((n = import_date_prefix(p, &a)) == 0) {
        snprintf(reason, cap, "无法识别：%s", TERM_FORMS);
        goto out;
    }
    p += n;
    if (*p == '\0') { /* an end date alone */
        ok = a.precision >= 2;
        if (ok)
            date_text(&a, true, t->end);
        else
            snprintf(reason, cap, "只写了年份，无法确定到期日：%s", TERM_FORMS);
        goto out;
    }
    size_t started = word_at(p, "起");
    p += started;
    if (started && (months = length_at(p, &n)) > 0 && p[n] == '\0') { /* 2023年1月起3年 */
        if (a.precision < 2) {
            snprintf(reason, cap, "起始只写了年份，无法算出到期日：%s", TERM_FORMS);
            goto out;
        }
        date_text(&a, false, t->start);
        t->months = months;
        ok = import_term_end(t->start, months, t->end);
        goto out;
    }
    if ((n = range_sep_at(p)) == 0 || (n = import_date_prefix(p + n, &b), n == 0)) {
        snprintf(reason, cap, "无法识别：%s", TERM_FORMS);
        goto out;
    }
    p += range_sep_at(p) + n;
    p += word_at(p, "止");
    if (*p != '\0') {
        snprintf(reason, cap, "无法识别：%s", TERM_FORMS);
        goto out;
    }
    if (a.precision < 2 || b.precision < 2) {
        snprintf(reason, cap, "起止只写了年份，无法确定到期日：请写到月或日（%s）", TERM_FORMS);
        goto out;
    }
    date_text(&a, false, t->start);
    date_text(&b, true, t->end);
    if (strcmp(t->start, t->end) > 0) {
        snprintf(reason, cap, "协议期限的开始（%s）晚于结束（%s）", t->start, t->end);
        goto out;
    }
    ok = true;
out:
    free(h);
    return ok;
}

bool import_term_end(const char *start, int months, char *out)
{
    struct import_date d;
    if (start == NULL || import_date_prefix(start, &d) != 10 || d.precision != 3 || months <= 0)
        return false;
    int total = d.y * 12 + (d.m - 1) + months;
    int y = total / 12, m = total % 12 + 1;
    int day = d.d <= month_days(y, m) ? d.d : month_days(y, m);
    /* the day before */
    if (--day == 0) {
        if (--m == 0) {
            m = 12;
            y--;
        }
        day = month_days(y, m);
    }
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)day % 100u);
    return true;
}

/* ---- academicians ---- */

const char *import_academy_of_division(const char *division)
{
    static const char *const divisions[][2] = {
        {"数学物理学部", "CAS"},
        {"数理学部", "CAS"},
        {"化学部", "CAS"},
        {"生命科学和医学学部", "CAS"},
        {"生命科学与医学学部", "CAS"},
        {"生物学部", "CAS"},
        {"地学部", "CAS"},
        {"信息技术科学部", "CAS"},
        {"技术科学部", "CAS"},
        {"机械与运载工程学部", "CAE"},
        {"信息与电子工程学部", "CAE"},
        {"化工冶金与材料工程学部", "CAE"},
        {"冶金与材料工程学部", "CAE"},
        {"能源与矿业工程学部", "CAE"},
        {"土木水利与建筑工程学部", "CAE"},
        {"水利与建筑工程学部", "CAE"},
        {"环境与轻纺工程学部", "CAE"},
        {"农业轻纺与环境工程学部", "CAE"},
        {"农业学部", "CAE"},
        {"医药卫生学部", "CAE"},
        {"工程管理学部", "CAE"},
        {NULL, NULL},
    };
    char *f = region_fold(division);
    /* 化工、冶金与材料工程学部: the enumeration comma is no part of the name */
    char *p;
    while ((p = strstr(f, "、")) != NULL)
        memmove(p, p + strlen("、"), strlen(p + strlen("、")) + 1);
    const char *academy = NULL;
    for (size_t i = 0; divisions[i][0] && academy == NULL; i++)
        if (strcmp(f, divisions[i][0]) == 0)
            academy = divisions[i][1];
    free(f);
    return academy;
}
