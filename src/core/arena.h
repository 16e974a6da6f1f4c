/* A bump allocator that owns everything one request allocates; freed in one call. */
#ifndef SIKU_CORE_ARENA_H
#define SIKU_CORE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head;
    char *cur;
    size_t left;
    char first[2048]; /* most requests never allocate beyond this */
};

void arena_init(struct arena *a);
void arena_free(struct arena *a);

/* Never returns NULL: aborts on out-of-memory like the rest of the daemon's allocators. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
