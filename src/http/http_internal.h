/* Internals shared by the HTTP server's files: workers, connections, metrics. */
#ifndef SIKU_HTTP_INTERNAL_H
#define SIKU_HTTP_INTERNAL_H

#include "http/http_parser.h"
#include "http/http_server.h"
#include "http/request.h"

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/queue.h>

enum conn_state {
    CONN_IDLE,     /* waiting for the first byte of a request */
    CONN_HEAD,     /* reading the request head */
    CONN_BODY,     /* reading the body */
    CONN_HANDLING, /* the application has the request */
    CONN_WRITING,  /* the reply is being written */
    CONN_LINGER,   /* replied and closing: discarding what the client still sends */
};

struct http_server;

struct http_worker {
    int index;
    struct http_server *server;
    pthread_t thread;
    struct event_base *base;
    struct evconnlistener *listener;
    evutil_socket_t fd;
    bool listener_paused;
    struct event *resume_timer;
    struct event *drain_event;
    struct event *drain_deadline;
    bool draining;
    TAILQ_HEAD(, http_conn) conns;
    int nconns;
    void *app;
    uint64_t request_counter;
    char request_prefix[12];
    time_t date_second;
    char date[40];
};

struct http_conn {
    TAILQ_ENTRY(http_conn) link;
    struct http_worker *worker;
    struct bufferevent *bev;
    enum conn_state state;
    struct event *timer;
    struct event *resume;     /* continues with pipelined input after a reply written at once */
    struct evbuffer *scratch; /* a reply being assembled, written directly when it fits */
    struct http_request *req;
    char addr[64];
    bool close_after;
    uint64_t body_left;
    uint64_t body_limit;
    struct chunked_decoder chunk;
};

struct http_server {
    const struct http_server_config *cfg;
    const struct router *router;
    const struct http_server_hooks *hooks;
    struct http_worker *workers;
    int nworkers;
    struct event_base *main_base;
};

/* http_conn.c */
void http_conn_accept(struct http_worker *w, evutil_socket_t fd, const struct sockaddr *addr);
void http_conn_free(struct http_conn *c);
void http_conn_reply_done(struct http_conn *c);
/* Where a (non-streaming) reply is assembled before it is written. */
struct evbuffer *http_conn_out(struct http_conn *c);
void http_conn_drain(struct http_worker *w);

/* reply.c */
void http_request_free(struct http_request *req);
struct http_request *http_request_new(struct http_conn *c);
/* Takes the client's X-Request-Id when it is a sane token. */
void http_request_adopt_id(struct http_request *req);
void http_reply_problem_raw(struct http_request *req, int status, const char *code,
                            const char *detail);

/* metrics.c */
void http_metrics_init(int nroutes);
void http_metrics_free(void);
void http_metrics_record(int route_id, int status, uint64_t latency_ns);
void http_metrics_set_router(const struct router *r);

#endif
