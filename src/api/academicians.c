/* Placeholder until the academicians resource lands: registers nothing. */
#include "api/app.h"

void academicians_register(struct router *r)
{
    (void)r;
}
