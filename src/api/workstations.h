/* What the workstation resource shares with other API files (the import adapter): its field
 * specs and its searchable fields. */
#ifndef SIKU_API_WORKSTATIONS_H
#define SIKU_API_WORKSTATIONS_H

#include "domain/validate.h"

extern const struct field_spec workstation_fields[];
extern const char *const workstation_search_fields[];

#endif
