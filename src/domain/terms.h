/* A growable list of owned strings (search terms, words). */
#ifndef SIKU_DOMAIN_TERMS_H
#define SIKU_DOMAIN_TERMS_H

#include <stdbool.h>
#include <stddef.h>

struct terms {
    char **v;
    size_t n;
    size_t cap;
};

void terms_init(struct terms *t);
void terms_free(struct terms *t);
/* Appends a copy of s[0..len). */
void terms_add(struct terms *t, const char *s, size_t len);
bool terms_contains(const struct terms *t, const char *s);
/* Sorts and removes duplicates. */
void terms_unique(struct terms *t);

#endif
