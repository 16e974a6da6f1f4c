/* `sikud create-user`: makes an account from the command line, the password read from
 * standard input, so that a script can make the first admin. */
#ifndef SIKU_CLI_CREATE_USER_H
#define SIKU_CLI_CREATE_USER_H

#include <stdbool.h>

struct create_user_args {
    const char *username;
    const char *role;
    const char *display_name;
    const char *region;
    const char *enterprise;
    const char *expert;
    bool if_missing; /* an existing username is not an error (and is left unchanged) */
};

/* Returns a process exit code. */
int create_user_run(const char *conninfo, const struct create_user_args *args);

#endif
