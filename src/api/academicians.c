/* 院士库 routes: the academician-only view of the experts table (academy, division, election
 * year, ties to the city). An academician user edits their own record here or under
 * /experts/{id}. Handlers: api/experts_resource.c. */
#include "api/app.h"
#include "api/experts_resource.h"

#include "domain/role.h"

void academicians_register(struct router *r)
{
    experts_resource_register();
    static const struct route routes[] = {
        {.method = HTTP_GET,
         .pattern = "/api/v1/academicians",
         .handler = experts_handle_list,
         .roles = ROLES_STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/academicians",
         .handler = experts_handle_create,
         .roles = ROLES_STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/academicians/{id}",
         .handler = experts_handle_get,
         .roles = ROLES_STAFF | ROLE_EXPERT},
        {.method = HTTP_PATCH,
         .pattern = "/api/v1/academicians/{id}",
         .handler = experts_handle_patch,
         .roles = ROLES_STAFF | ROLE_EXPERT},
        {.method = HTTP_POST,
         .pattern = "/api/v1/academicians/{id}/archive",
         .handler = experts_handle_archive,
         .roles = ROLES_STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/academicians/{id}/restore",
         .handler = experts_handle_restore,
         .roles = ROLES_STAFF},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
