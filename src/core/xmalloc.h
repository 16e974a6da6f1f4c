/* Allocation wrappers that abort on out-of-memory: the daemon cannot serve without memory. */
#ifndef SIKU_CORE_XMALLOC_H
#define SIKU_CORE_XMALLOC_H

#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
