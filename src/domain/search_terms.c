#include "domain/search_terms.h"

#include "domain/segment.h"

#include "core/xmalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_terms_of(cJSON *arr, const char *text)
{
    struct terms t;
    terms_init(&t);
    segment_index_terms(text, &t);
    for (size_t i = 0; i < t.n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(t.v[i]));
    terms_free(&t);
}

cJSON *search_terms_object(const cJSON *values, const char *const *fields)
{
    cJSON *out = cJSON_CreateObject();
    for (const char *const *f = fields; *f; f++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, *f);
        if (v == NULL)
            continue;
        cJSON *arr = cJSON_AddArrayToObject(out, *f);
        if (cJSON_IsString(v)) {
            add_terms_of(arr, v->valuestring);
        } else if (cJSON_IsArray(v)) {
            const cJSON *el;
            cJSON_ArrayForEach(el, v)
            {
                if (cJSON_IsString(el))
                    add_terms_of(arr, el->valuestring);
            }
        }
    }
    return out;
}

/* jsonb keeps an object's keys shorter first, then bytewise (lengthCompareJsonbString). */
static int jsonb_key_cmp(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    size_t lx = strlen(x->string), ly = strlen(y->string);
    if (lx != ly)
        return lx < ly ? -1 : 1;
    return memcmp(x->string, y->string, lx);
}

struct text {
    char *s;
    size_t len, cap;
};

static void text_put(struct text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        while (t->len + n + 1 > t->cap)
            t->cap = t->cap ? t->cap * 2 : 1024;
        t->s = xrealloc(t->s, t->cap);
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static char weight_of(const struct search_weight *weights, const char *field)
{
    for (const struct search_weight *w = weights; w && w->field; w++)
        if (strcmp(w->field, field) == 0)
            return w->weight;
    return 'D';
}

char *search_terms_vector_text(const cJSON *terms, const struct search_weight *weights)
{
    size_t nfields = (size_t)cJSON_GetArraySize(terms);
    const cJSON **fields = xcalloc(nfields ? nfields : 1, sizeof *fields);
    size_t n = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, terms)
    {
        if (n < nfields && f->string)
            fields[n++] = f;
    }
    qsort(fields, n, sizeof *fields, jsonb_key_cmp);
    struct text out = {NULL, 0, 0};
    text_put(&out, "", 0);
    long pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (!cJSON_IsArray(fields[i]))
            continue;
        char w = weight_of(weights, fields[i]->string);
        const cJSON *t;
        cJSON_ArrayForEach(t, fields[i])
        {
            if (!cJSON_IsString(t) || t->valuestring[0] == '\0')
                continue;
            pos++;
            if (out.len)
                text_put(&out, " ", 1);
            text_put(&out, "'", 1);
            for (const char *p = t->valuestring; *p;) {
                size_t run = strcspn(p, "\\'");
                text_put(&out, p, run);
                p += run;
                if (*p) { /* a backslash or a quote: doubled, as terms_vector() escapes them */
                    text_put(&out, p, 1);
                    text_put(&out, p, 1);
                    p++;
                }
            }
            char tail[32];
            int k = snprintf(tail, sizeof tail, "':%ld%c", pos < 16383 ? pos : 16383, w);
            text_put(&out, tail, (size_t)k);
        }
    }
    free(fields);
    return out.s;
}
