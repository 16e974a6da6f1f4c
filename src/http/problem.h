/* RFC 9457 problem details: a stable machine code, a Chinese title and detail, field errors. */
#ifndef SIKU_HTTP_PROBLEM_H
#define SIKU_HTTP_PROBLEM_H

struct http_request;
struct cJSON;

/* Replies application/problem+json. title comes from the code's catalogue entry; detail
 * (Chinese) may be NULL for the catalogue's default. */
void http_problem(struct http_request *req, int status, const char *code, const char *detail);

/* The same with per-field errors: a cJSON array of {"field","code","message"}, consumed. */
void http_problem_errors(struct http_request *req, int status, const char *code, const char *detail,
                         struct cJSON *errors);

/* The Chinese title of a problem code (a generic one by status if the code is unknown). */
const char *problem_title(const char *code, int status);

/* Appends {"field":..,"code":..,"message":..} to an errors array. */
void problem_add_field(struct cJSON *errors, const char *field, const char *code,
                       const char *message);

#endif
