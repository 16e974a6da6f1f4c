/* A record's search terms: for each searchable field present (a string, or an array of
 * strings), the segmenter's index terms, as the jsonb the libraries keep in `terms`. Shared by
 * the API (on every write) and `sikud reindex` (after a dictionary change or a bulk load). */
#ifndef SIKU_DOMAIN_SEARCH_TERMS_H
#define SIKU_DOMAIN_SEARCH_TERMS_H

struct cJSON;

/* {"field": ["term", ...]} for the fields of values named in fields (NULL-terminated); the
 * caller cJSON_Deletes it. */
struct cJSON *search_terms_object(const struct cJSON *values, const char *const *fields);

#endif
