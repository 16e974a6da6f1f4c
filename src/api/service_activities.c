/* Placeholder until the service_activities resource lands: registers nothing. */
#include "api/app.h"

void service_activities_register(struct router *r)
{
    (void)r;
}
