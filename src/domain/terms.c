/* String lists for segmentation results. */
#include "domain/terms.h"

#include "core/xmalloc.h"

#include <stdlib.h>
#include <string.h>

void terms_init(struct terms *t)
{
    t->v = NULL;
    t->n = t->cap = 0;
}

void terms_free(struct terms *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i]);
    free(t->v);
    terms_init(t);
}

void terms_add(struct terms *t, const char *s, size_t len)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->v = xrealloc(t->v, t->cap * sizeof *t->v);
    }
    char *copy = xmalloc(len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    t->v[t->n++] = copy;
}

bool terms_contains(const struct terms *t, const char *s)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i], s) == 0)
            return true;
    return false;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void terms_unique(struct terms *t)
{
    if (t->n < 2)
        return;
    qsort(t->v, t->n, sizeof *t->v, cmp);
    size_t out = 1;
    for (size_t i = 1; i < t->n; i++) {
        if (strcmp(t->v[i], t->v[out - 1]) == 0)
            free(t->v[i]);
        else
            t->v[out++] = t->v[i];
    }
    t->n = out;
}
