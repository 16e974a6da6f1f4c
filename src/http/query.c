/* Query-string decoding: '+' and %XX, refusing anything that is not clean UTF-8 text. */
#include "http/query.h"

#include "core/arena.h"
#include "core/utf8.h"

#include <string.h>

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char *decode(struct arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= n)
                return NULL;
            int hi = hexval((unsigned char)s[i + 1]), lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0)
                return NULL;
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return NULL;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return utf8_valid(out, o) ? out : NULL;
}

enum query_error query_parse(struct arena *a, const char *qs, struct query *q)
{
    q->n = 0;
    const char *p = qs;
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > 0) {
            if (q->n == QUERY_MAX_PARAMS)
                return QUERY_ERR_TOO_MANY;
            const char *eq = memchr(p, '=', len);
            size_t klen = eq ? (size_t)(eq - p) : len;
            char *key = decode(a, p, klen);
            char *value = eq ? decode(a, eq + 1, len - klen - 1) : decode(a, "", 0);
            if (key == NULL || value == NULL)
                return QUERY_ERR_ENCODING;
            q->params[q->n].key = key;
            q->params[q->n].value = value;
            q->n++;
        }
        if (amp == NULL)
            break;
        p = amp + 1;
    }
    return QUERY_OK;
}

const char *query_get(const struct query *q, const char *key)
{
    for (int i = 0; i < q->n; i++)
        if (strcmp(q->params[i].key, key) == 0)
            return q->params[i].value;
    return NULL;
}

int query_count(const struct query *q, const char *key)
{
    int n = 0;
    for (int i = 0; i < q->n; i++)
        if (strcmp(q->params[i].key, key) == 0)
            n++;
    return n;
}

const char *query_unknown_key(const struct query *q, const char *const *allowed)
{
    for (int i = 0; i < q->n; i++) {
        bool known = false;
        for (const char *const *k = allowed; *k && !known; k++)
            known = strcmp(*k, q->params[i].key) == 0;
        if (!known)
            return q->params[i].key;
    }
    return NULL;
}
