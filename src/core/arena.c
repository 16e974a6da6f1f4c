/* Request arena: blocks chained in a list, each allocation 16-byte aligned. */
#include "core/arena.h"

#include "core/xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    struct arena_block *next;
    max_align_t data[];
};

#define ALIGN 16u

void arena_init(struct arena *a)
{
    a->head = NULL;
    a->cur = a->first;
    a->left = sizeof a->first;
}

void arena_free(struct arena *a)
{
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    arena_init(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
    size_t pad = (ALIGN - ((uintptr_t)a->cur & (ALIGN - 1))) & (ALIGN - 1);
    if (n + pad > a->left) {
        size_t size = n > 8192 ? n : 8192;
        struct arena_block *b = xmalloc(sizeof *b + size);
        b->next = a->head;
        a->head = b;
        a->cur = (char *)b->data;
        a->left = size;
        pad = 0;
    }
    char *p = a->cur + pad;
    a->cur = p + n;
    a->left -= n + pad;
    return p;
}

void *arena_calloc(struct arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
