/* Placeholder until the demands resource lands: registers nothing. */
#include "api/app.h"

void demands_register(struct router *r)
{
    (void)r;
}
