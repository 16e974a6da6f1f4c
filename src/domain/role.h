/* Roles of PRODUCT.md as bits, so that a route can name every role that may call it. */
#ifndef SIKU_DOMAIN_ROLE_H
#define SIKU_DOMAIN_ROLE_H

#include <stdbool.h>

enum role {
    ROLE_ANON = 1 << 0,
    ROLE_ADMIN = 1 << 1,
    ROLE_CITY = 1 << 2,
    ROLE_COUNTY = 1 << 3,
    ROLE_ENTERPRISE = 1 << 4,
    ROLE_EXPERT = 1 << 5,
};

#define ROLES_STAFF     (ROLE_ADMIN | ROLE_CITY | ROLE_COUNTY)
#define ROLES_CITYWIDE  (ROLE_ADMIN | ROLE_CITY)
#define ROLES_SIGNED_IN (ROLES_STAFF | ROLE_ENTERPRISE | ROLE_EXPERT)
#define ROLES_EVERYONE  (ROLES_SIGNED_IN | ROLE_ANON)

/* "admin" -> ROLE_ADMIN ...; 0 for an unknown name. */
enum role role_from_name(const char *name);
const char *role_name(enum role r);
const char *role_label(enum role r);

#endif
