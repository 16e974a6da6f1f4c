/* Placeholder until the experts resource lands: registers nothing. */
#include "api/app.h"

void experts_register(struct router *r)
{
    (void)r;
}
