/* Plausible years for people records (see person_years.h). */
#include "domain/person_years.h"

#include <string.h>

int person_academy_first_year(const char *academy)
{
    if (academy && strcmp(academy, "CAS") == 0)
        return 1955;
    if (academy && strcmp(academy, "CAE") == 0)
        return 1994;
    return 0;
}

static bool refuse(const char **field, const char **code, const char **message, const char *f,
                   const char *c, const char *m)
{
    *field = f;
    *code = c;
    *message = m;
    return false;
}

bool person_years_check(int birth, int election, const char *academy, int this_year,
                        const char **field, const char **code, const char **message)
{
    if (birth > this_year)
        return refuse(field, code, message, "birth_year", "out_of_range", "出生年份不能晚于今年");
    if (election > this_year)
        return refuse(field, code, message, "election_year", "out_of_range",
                      "当选年份不能晚于今年");
    int first = person_academy_first_year(academy);
    if (election && first && election < first)
        return refuse(field, code, message, "election_year", "out_of_range",
                      first == 1955 ? "当选年份早于中国科学院首批学部委员当选（1955 年）"
                                    : "当选年份早于中国工程院成立（1994 年）");
    if (election && birth && election < birth + 25)
        return refuse(field, code, message, "election_year", "implausible",
                      "当选年份应在出生 25 年之后");
    return true;
}
