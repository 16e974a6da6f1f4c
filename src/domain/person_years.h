/* Years no real expert or academician record can have: born in the future, elected before
 * their academy elected anyone (CAS 学部委员 1955, CAE 1994) or in the future, or elected
 * younger than 25. The same rules as the imports' (api/import_adapters.c). Pure. */
#ifndef SIKU_DOMAIN_PERSON_YEARS_H
#define SIKU_DOMAIN_PERSON_YEARS_H

#include <stdbool.h>

/* The first year an academy elected members, or 0 for one without such a rule. */
int person_academy_first_year(const char *academy);

/* birth and election are 0 when unknown; academy may be NULL. On a refusal returns false and
 * sets the field it concerns, a problem code and a Chinese message. */
bool person_years_check(int birth, int election, const char *academy, int this_year,
                        const char **field, const char **code, const char **message);

#endif
