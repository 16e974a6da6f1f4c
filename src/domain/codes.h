/* Format checks for codes and contact details: the unified social credit code (GB 32100,
 * with its check character), region, discipline and industry code shapes, phones, e-mail,
 * resident identity card numbers.
 * Each has the field_check_fn shape of validate.h. */
#ifndef SIKU_DOMAIN_CODES_H
#define SIKU_DOMAIN_CODES_H

#include <stdbool.h>

/* The GB 32100 check character for the first 17 characters, or 0 if one is not allowed. */
char codes_credit_check_char(const char *first17);

bool codes_check_credit_code(const char *s, const char **code, const char **message);
bool codes_check_region_code(const char *s, const char **code, const char **message);
bool codes_check_discipline_code(const char *s, const char **code, const char **message);
bool codes_check_industry_code(const char *s, const char **code, const char **message);
/* Mainland mobile (13812345678) or landline (0514-87654321, 051487654321, +86 prefix ok). */
bool codes_check_phone(const char *s, const char **code, const char **message);
bool codes_check_email(const char *s, const char **code, const char **message);
/* Resident identity card number (GB 11643): 17 digits and the ISO 7064 MOD 11-2 check
 * character (0-9 or X), with a real birth date. */
char codes_id_check_char(const char *first17);
bool codes_check_id_number(const char *s, const char **code, const char **message);

#endif
