/* The request context: one per request, owning everything the request allocates, answered
 * exactly once (the reply is what frees it, also when the client has gone). */
#ifndef SIKU_HTTP_REQUEST_H
#define SIKU_HTTP_REQUEST_H

#include "core/arena.h"
#include "http/http_parser.h"
#include "http/router.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evbuffer;
struct http_conn;
struct http_worker;
struct cJSON;

struct http_resp_header {
    struct http_resp_header *next;
    const char *name;
    const char *value;
};

/* A reply written in pieces (exports): called when the client has taken what was written. */
typedef void (*http_drain_fn)(struct http_request *req);

struct http_request {
    struct http_conn *conn; /* NULL once the client has gone */
    struct http_worker *worker;
    void *app; /* the application's per-worker state (database pool ...) */
    struct arena arena;
    struct http_head head;
    struct evbuffer *body;
    const struct route *route;
    const char *params[HTTP_MAX_SEGMENTS]; /* values of the route's {parameters}, in order */
    const char *param_names[HTTP_MAX_SEGMENTS];
    int nparams;
    char request_id[72];
    uint64_t start_ns;
    const char *client_addr;
    struct http_resp_header *resp_headers;
    int status;
    bool replied;
    bool streaming;
    bool stream_ended;
    http_drain_fn on_drain;
    void (*on_close)(struct http_request *req); /* client went away before the reply */
    /* The application's view of the caller and the handler's own state. */
    void *auth;
    void *state;
    const char *log_user; /* user id for the access log, or NULL */
};

/* The value of a route parameter by name, or NULL. */
const char *http_param(const struct http_request *req, const char *name);

/* A request header, or NULL. */
const char *http_header(const struct http_request *req, const char *name);

/* Adds a response header; name and value are copied into the request arena. */
void http_add_header(struct http_request *req, const char *name, const char *value);

/* Sends the whole reply and frees the request. */
void http_reply(struct http_request *req, int status, const char *content_type, const void *body,
                size_t len);
/* Same, taking the bytes of body (which is emptied, not freed). */
void http_reply_evbuffer(struct http_request *req, int status, const char *content_type,
                         struct evbuffer *body);
void http_reply_json_text(struct http_request *req, int status, const char *json, size_t len);
/* Prints json (unformatted), deletes it, and replies. */
void http_reply_cjson(struct http_request *req, int status, struct cJSON *json);
void http_reply_empty(struct http_request *req, int status);

/* Streaming: begin with headers (chunked encoding), write pieces, end. on_drain is called
 * whenever the client has taken the data written so far, so that the writer can produce more
 * without buffering a whole export. If the client goes away, on_close is called instead and
 * the writer must call http_stream_end to free the request. */
void http_stream_begin(struct http_request *req, int status, const char *content_type,
                       http_drain_fn on_drain);
void http_stream_write(struct http_request *req, const void *data, size_t len);
void http_stream_end(struct http_request *req);
/* Bytes written but not yet sent to the client. */
size_t http_stream_pending(struct http_request *req);

/* Monotonic clock in nanoseconds. */
uint64_t http_now_ns(void);

#endif
