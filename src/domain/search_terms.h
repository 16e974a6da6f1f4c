/* A record's search terms: for each searchable field present (a string, or an array of
 * strings), the segmenter's index terms, as the jsonb the libraries keep in `terms`. Shared by
 * the API (on every write) and `sikud reindex` (after a dictionary change or a bulk load). */
#ifndef SIKU_DOMAIN_SEARCH_TERMS_H
#define SIKU_DOMAIN_SEARCH_TERMS_H

struct cJSON;

/* {"field": ["term", ...]} for the fields of values named in fields (NULL-terminated); the
 * caller cJSON_Deletes it. */
struct cJSON *search_terms_object(const struct cJSON *values, const char *const *fields);

/* A field's weight in a record's tsvector ('A'..'D'); a list ends with a NULL field. */
struct search_weight {
    const char *field;
    char weight;
};

/* The tsvector, as text for its input function, that terms_vector(terms, weights) in SQL
 * (migrations/0004_libraries.sql) derives from terms: the fields in jsonb's key order (shorter
 * first, then bytewise), each non-empty term at the next position (at most 16383) with its
 * field's weight ('D' when unlisted). Lets a bulk write give the vector instead of having the
 * database run terms_vector() on every row. The caller frees it. */
char *search_terms_vector_text(const struct cJSON *terms, const struct search_weight *weights);

#endif
