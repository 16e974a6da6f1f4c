/* What the demand resource shares with other API files (the import adapter): its field specs
 * and its searchable fields. */
#ifndef SIKU_API_DEMANDS_H
#define SIKU_API_DEMANDS_H

#include "domain/validate.h"

extern const struct field_spec demand_fields[];
extern const char *const demand_search_fields[];

#endif
