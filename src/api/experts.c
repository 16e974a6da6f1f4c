/* 专家库 routes. An academician is an expert too: /experts/{id} reads, edits and archives
 * either kind (an expert user edits their own record here); the list and create are plain
 * experts'. Handlers: api/experts_resource.c. */
#include "api/app.h"
#include "api/experts_resource.h"

#include "domain/role.h"

void experts_register(struct router *r)
{
    experts_resource_register();
    static const struct route routes[] = {
        {.method = HTTP_GET,
         .pattern = "/api/v1/experts",
         .handler = experts_handle_list,
         .roles = ROLES_STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/experts",
         .handler = experts_handle_create,
         .roles = ROLES_STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/experts/{id}",
         .handler = experts_handle_get,
         .roles = ROLES_STAFF | ROLE_EXPERT},
        {.method = HTTP_PATCH,
         .pattern = "/api/v1/experts/{id}",
         .handler = experts_handle_patch,
         .roles = ROLES_STAFF | ROLE_EXPERT},
        {.method = HTTP_POST,
         .pattern = "/api/v1/experts/{id}/archive",
         .handler = experts_handle_archive,
         .roles = ROLES_STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/experts/{id}/restore",
         .handler = experts_handle_restore,
         .roles = ROLES_STAFF},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
