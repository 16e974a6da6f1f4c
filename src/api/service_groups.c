/* Placeholder until the service_groups resource lands: registers nothing. */
#include "api/app.h"

void service_groups_register(struct router *r)
{
    (void)r;
}
