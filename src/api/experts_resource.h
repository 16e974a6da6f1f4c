/* The expert library and the academician library share one table, one id space and these
 * handlers: the route's prefix (/experts or /academicians) says which kind a request is about.
 * api/experts.c and api/academicians.c declare the routes. */
#ifndef SIKU_API_EXPERTS_RESOURCE_H
#define SIKU_API_EXPERTS_RESOURCE_H

#include "domain/validate.h"

struct http_request;

/* The fields of each kind, shared with the import adapters (an imported row passes these). */
extern const struct field_spec expert_fields[];
extern const struct field_spec academician_fields[];
/* The fields whose words are searchable (name, keywords, research fields ...). */
extern const char *const expert_search_fields[];

void experts_handle_list(struct http_request *req);
void experts_handle_create(struct http_request *req);
void experts_handle_get(struct http_request *req);
void experts_handle_patch(struct http_request *req);
void experts_handle_archive(struct http_request *req);
void experts_handle_restore(struct http_request *req);

/* Registers the statements and constraint messages (once, whichever file comes first). */
void experts_resource_register(void);

#endif
