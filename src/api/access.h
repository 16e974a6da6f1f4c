/* Who is calling: the bearer token is looked up before any handler work, the route's roles
 * are checked, and the handler gets the caller (role and binding) for its scope checks. */
#ifndef SIKU_API_ACCESS_H
#define SIKU_API_ACCESS_H

#include "domain/role.h"

#include <stdbool.h>

struct http_request;
struct router;

struct auth {
    enum role role;
    const char *user_id; /* decimal text, or NULL for anonymous */
    const char *username;
    const char *region_code;   /* county staff */
    const char *enterprise_id; /* enterprise users */
    const char *expert_id;     /* expert users */
    char token_hash[65];       /* hex SHA-256 of the bearer token */
};

/* The caller of req (anonymous when no token was given). */
const struct auth *access_caller(const struct http_request *req);

/* Authenticates, authorizes against the route's roles, then runs the handler. */
void access_dispatch(struct http_request *req);

/* Hex SHA-256 of a token. */
void access_token_hash(const char *token, char out[65]);

/* Forget cached sessions at once: one token (logout), all of a user's (disabled, password or
 * role changed). The database's notification does the same a moment later, here and in
 * every other daemon. */
void access_forget_token(const char *token_hash);
void access_forget_user(const char *user_id);

/* Registers the statements access control runs. */
void access_register(void);

#endif
