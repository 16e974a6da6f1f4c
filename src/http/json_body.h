/* Reading a request's JSON body: content type, strict parsing, and the problem reply when
 * any of it fails (the caller just returns). */
#ifndef SIKU_HTTP_JSON_BODY_H
#define SIKU_HTTP_JSON_BODY_H

#include <stdbool.h>

struct http_request;
struct cJSON;

/* Parses the body; it must be a JSON object. Replies 400/415 and returns false otherwise. */
bool http_read_json_object(struct http_request *req, struct cJSON **out)
    __attribute__((warn_unused_result));

/* True when the request's Content-Type is media_type (parameters ignored, charset must be
 * utf-8 if given). */
bool http_content_type_is(const struct http_request *req, const char *media_type);

#endif
