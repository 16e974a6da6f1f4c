/* What the enterprise resource shares with other API files (the import adapter): its field
 * specs, its searchable fields and its size codes. */
#ifndef SIKU_API_ENTERPRISES_H
#define SIKU_API_ENTERPRISES_H

#include "domain/validate.h"

extern const struct field_spec enterprise_fields[];
extern const char *const enterprise_search_fields[];
extern const char *const enterprise_sizes[];

#endif
