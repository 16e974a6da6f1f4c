/* The one table from a PostgreSQL SQLSTATE to an HTTP status and problem code. */
#ifndef SIKU_API_SQLSTATE_MAP_H
#define SIKU_API_SQLSTATE_MAP_H

#include <stdbool.h>

struct sqlstate_problem {
    int status;
    const char *code;
    bool use_server_message; /* the message was written for users (SK*** raised by siku's SQL) */
};

struct sqlstate_problem sqlstate_to_problem(const char *sqlstate);

#endif
