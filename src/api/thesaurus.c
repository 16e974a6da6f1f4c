/* Placeholder until the thesaurus resource lands: registers nothing. */
#include "api/app.h"

void thesaurus_register(struct router *r)
{
    (void)r;
}
