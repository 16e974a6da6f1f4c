/* Placeholder until the projects resource lands: registers nothing. */
#include "api/app.h"

void projects_register(struct router *r)
{
    (void)r;
}
