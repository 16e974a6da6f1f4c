/* What the assessment routes share with the exports of a year. */
#ifndef SIKU_API_ASSESSMENTS_H
#define SIKU_API_ASSESSMENTS_H

#include <stdbool.h>

struct http_request;

/* The {year} of the path: four digits, 2000 to 2100; replies 404 and returns false otherwise
 * (a year that cannot exist is a record that does not exist). */
bool assessment_parse_year(struct http_request *req, const char **year)
    __attribute__((warn_unused_result));

#endif
