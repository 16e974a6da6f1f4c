/* The route table: method + path pattern ("/api/v1/regions/{code}") -> handler and policy. */
#ifndef SIKU_HTTP_ROUTER_H
#define SIKU_HTTP_ROUTER_H

#include "http/http_parser.h"

#include <stdbool.h>

struct http_request;
typedef void (*http_handler_fn)(struct http_request *req);

enum route_flags {
    ROUTE_DB = 1 << 0,            /* needs the database and a current schema */
    ROUTE_RAW_BODY = 1 << 1,      /* body is not JSON (uploads) */
    ROUTE_IMPORT_LIMIT = 1 << 2,  /* body limit is max_import_size, not max_body_size */
    ROUTE_METRICS = 1 << 3,       /* also open to the configured metrics_token */
    ROUTE_PUBLIC = 1 << 4,        /* open to all; a token, if sent, is not even looked up */
    ROUTE_EVIDENCE_LIMIT = 1 << 5 /* body limit is max_evidence_size (evidence files) */
};

struct route {
    enum http_method method;
    const char *pattern;
    http_handler_fn handler;
    unsigned flags;
    /* Who may call the route and how a record's scope is checked: interpreted by the API
     * layer (src/api/access.h), opaque here. */
    unsigned roles;
    int scope;
    /* Filled by router_add. */
    int id;
    int nsegments;
    const char *segments[HTTP_MAX_SEGMENTS]; /* NULL entry = parameter */
    const char *param_names[HTTP_MAX_SEGMENTS];
};

#define ROUTER_MAX_ROUTES 400

struct router {
    struct route routes[ROUTER_MAX_ROUTES];
    int nroutes;
};

enum router_match { ROUTER_FOUND, ROUTER_NO_PATH, ROUTER_NO_METHOD };

void router_init(struct router *r);
void router_free(struct router *r);

/* Copies the route, splitting its pattern. Aborts on a malformed pattern or a duplicate:
 * the route table is code, and a bad entry is a programming error. */
const struct route *router_add(struct router *r, const struct route *route);

/* Finds the route for method and decoded segments. On ROUTER_NO_METHOD, *allowed holds the
 * methods the path does accept. HEAD matches GET routes. */
enum router_match router_find(const struct router *r, enum http_method method,
                              const char *const *segments, int nsegments,
                              const struct route **found, unsigned *allowed);

/* Writes "GET, HEAD, POST" for a method mask. */
void router_format_allow(unsigned methods, char *out, size_t cap);

#endif
