/* SQLSTATE -> HTTP. siku's own SQL raises class SK with the HTTP status in the last three
 * digits (SK404, SK409 ...) and a Chinese message meant for the user. */
#include "api/sqlstate_map.h"

#include <string.h>

struct sqlstate_problem sqlstate_to_problem(const char *s)
{
    struct sqlstate_problem p = {500, "internal", false};
    if (s == NULL || strlen(s) != 5)
        return p;
    if (s[0] == 'S' && s[1] == 'K') {
        p.use_server_message = true;
        if (!strcmp(s + 2, "400"))
            p = (struct sqlstate_problem){400, "validation_failed", true};
        else if (!strcmp(s + 2, "403"))
            p = (struct sqlstate_problem){403, "forbidden", true};
        else if (!strcmp(s + 2, "404"))
            p = (struct sqlstate_problem){404, "not_found", true};
        else if (!strcmp(s + 2, "409"))
            p = (struct sqlstate_problem){409, "invalid_transition", true};
        else if (!strcmp(s + 2, "412"))
            p = (struct sqlstate_problem){412, "precondition_failed", true};
        else if (!strcmp(s + 2, "429"))
            p = (struct sqlstate_problem){429, "too_many_requests", true};
        return p;
    }
    if (!strncmp(s, "08", 2) || !strcmp(s, "57P01") || !strcmp(s, "57P02") || !strcmp(s, "57P03"))
        return (struct sqlstate_problem){503, "db_unavailable", false};
    if (!strncmp(s, "53", 2))
        return (struct sqlstate_problem){503, "overloaded", false};
    if (!strcmp(s, "57014") || !strcmp(s, "55P03"))
        return (struct sqlstate_problem){504, "db_timeout", false};
    if (!strcmp(s, "40001") || !strcmp(s, "40P01"))
        return (struct sqlstate_problem){409, "conflict", false};
    if (!strcmp(s, "23505") || !strcmp(s, "23503") || !strcmp(s, "23P01"))
        return (struct sqlstate_problem){409, "conflict", false};
    if (!strcmp(s, "23514") || !strcmp(s, "23502") || !strncmp(s, "22", 2))
        return (struct sqlstate_problem){400, "validation_failed", false};
    return p;
}
