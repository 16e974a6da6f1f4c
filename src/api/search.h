/* Turning a user's q (or a demand's text) into a tsquery: segmentation in the daemon, the
 * thesaurus from the database (one small round trip), then domain/search_query. */
#ifndef SIKU_API_SEARCH_H
#define SIKU_API_SEARCH_H

#include "domain/search_query.h"

struct http_request;

/* Called with the tsquery text, or NULL when q has no searchable word. */
typedef void (*search_ready_fn)(struct http_request *req, const char *tsquery);

/* Segments text, widens it with the thesaurus, and calls ready (which must reply). */
void api_search_prepare(struct http_request *req, const char *text, enum query_mode mode,
                        search_ready_fn ready);

void search_register(void);

#endif
