/* The HTTP/1.1 server: worker threads, each with its own libevent loop, listening socket
 * (SO_REUSEPORT) and connections; limits, timeouts, connection cap and graceful drain. */
#ifndef SIKU_HTTP_SERVER_H
#define SIKU_HTTP_SERVER_H

#include "http/router.h"

#include <stdbool.h>

struct event_base;
struct evbuffer;
struct http_static;

struct http_server_config {
    const char *listen; /* "127.0.0.1:8080", "[::1]:8080" */
    int threads;
    int max_connections;
    long max_header_size;
    long max_body_size;
    long max_import_size;
    long max_evidence_size;
    int header_timeout_ms;
    int read_timeout_ms;
    int write_timeout_ms;
    int idle_timeout_ms;
    int shutdown_timeout_ms;
    bool access_log;
    /* Files answered for paths no route claims (the web console), or NULL. */
    const struct http_static *web;
};

struct http_request;

struct http_server_hooks {
    /* In each worker thread before it serves: returns the worker's application state. */
    void *(*worker_init)(int index, struct event_base *base, void *arg);
    /* In each worker thread after it stopped serving: must finish (fail) pending work. */
    void (*worker_fini)(void *app, void *arg);
    /* A routed request: must eventually reply exactly once. */
    void (*dispatch)(struct http_request *req);
    void *arg;
};

/* Serves until SIGTERM or SIGINT, then drains. Returns false if it could not start. */
bool http_server_run(const struct http_server_config *cfg, const struct router *router,
                     const struct http_server_hooks *hooks) __attribute__((warn_unused_result));

/* Prometheus text for the HTTP metrics (requests by route and status, latency). */
void http_metrics_write(struct evbuffer *out);

/* Connections open right now, over all workers. */
int http_server_open_connections(void);

#endif
