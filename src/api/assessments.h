/* What the assessment routes share with the exports of a year. */
#ifndef SIKU_API_ASSESSMENTS_H
#define SIKU_API_ASSESSMENTS_H

#include <stdbool.h>

struct http_request;

/* The {year} of the path: four digits, 2000 to 2100; replies 404 and returns false otherwise
 * (a year that cannot exist is a record that does not exist). */
bool assessment_parse_year(struct http_request *req, const char **year)
    __attribute__((warn_unused_result));

struct rubric;

/* The year's rubric text (NULL: the default) parsed into r; replies 500 and returns false
 * when a saved rubric no longer parses. */
bool assessment_load_rubric(struct http_request *req, const char *text, struct rubric *r)
    __attribute__((warn_unused_result));

/* Checklist scores ({"key": score} as JSON text): every key a checklist item of r, every
 * score within its points; else replies 400 and returns false. */
bool assessment_checklist_valid(struct http_request *req, const struct rubric *r, const char *text)
    __attribute__((warn_unused_result));

#endif
