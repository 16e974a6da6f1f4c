/* Rules for accounts: usernames, the password policy, and which binding each role needs. */
#ifndef SIKU_DOMAIN_ACCOUNT_H
#define SIKU_DOMAIN_ACCOUNT_H

#include "domain/role.h"

#include <stdbool.h>

#define PASSWORD_MIN_CHARS 8
#define PASSWORD_MAX_BYTES 256

/* 3 to 64 of A-Z a-z 0-9 _ . @ -. */
bool account_username_ok(const char *username, const char **code, const char **message);

/* At least PASSWORD_MIN_CHARS characters of at least two kinds (letters, digits, others),
 * not containing the username. message is Chinese. */
bool account_password_ok(const char *username, const char *password, const char **message);

/* The binding a role needs: "region_code", "enterprise_id", "expert_id" or NULL. */
const char *account_binding_for(enum role role);

#endif
