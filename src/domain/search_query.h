/* From the words of a query (or a demand) to PostgreSQL tsquery text: each long word also
 * matches its parts, unknown words their bigrams, English words their prefix, and a span
 * of words that is a thesaurus term also matches the other terms of its group. */
#ifndef SIKU_DOMAIN_SEARCH_QUERY_H
#define SIKU_DOMAIN_SEARCH_QUERY_H

#include "domain/terms.h"

#include <stddef.h>

/* A thesaurus term found among the words, as words, and the other terms of its group. */
struct synonym_group {
    struct terms term_words;
    struct terms synonyms;
};

enum query_mode {
    QUERY_ALL, /* every word (search: q=) */
    QUERY_ANY, /* any word, ranked by how many (matching a demand) */
};

#define SEARCH_MAX_WORDS 32

/* tsquery text, malloc'd, or NULL when words is empty. */
char *search_tsquery(const struct terms *words, const struct synonym_group *groups, size_t ngroups,
                     enum query_mode mode);

/* Appends a lexeme quoted for tsquery input ('it''s'). */
void search_quote_lexeme(const char *lexeme, char **buf, size_t *len, size_t *cap);

#endif
