/* One client connection: reads request heads and bodies from a bufferevent, enforces the
 * limits and timeouts, hands routed requests to the application, and writes replies. */
#include "http/http_internal.h"
#include "http/problem.h"
#include "http/static_files.h"

#include "core/log.h"
#include "core/xmalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

extern atomic_int http_open_connections;

static void conn_read_cb(struct bufferevent *bev, void *arg);
static void conn_write_cb(struct bufferevent *bev, void *arg);
static void conn_event_cb(struct bufferevent *bev, short what, void *arg);
static void conn_timer_cb(evutil_socket_t fd, short what, void *arg);
static void conn_resume_cb(evutil_socket_t fd, short what, void *arg);
static void conn_process(struct http_conn *c);
static void conn_write_done(struct http_conn *c);

static void arm_timer(struct http_conn *c, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(c->timer, &tv);
}

static void format_addr(const struct sockaddr *sa, char *out, size_t cap)
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, host, sizeof host);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, host, sizeof host);
    snprintf(out, cap, "%s", host);
}

void http_conn_accept(struct http_worker *w, evutil_socket_t fd, const struct sockaddr *addr)
{
    const struct http_server_config *cfg = w->server->cfg;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct bufferevent *bev = bufferevent_socket_new(w->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL) {
        close(fd);
        atomic_fetch_sub(&http_open_connections, 1);
        return;
    }
    struct http_conn *c = xcalloc(1, sizeof *c);
    c->worker = w;
    c->bev = bev;
    c->state = CONN_IDLE;
    c->timer = evtimer_new(w->base, conn_timer_cb, c);
    c->resume = event_new(w->base, -1, 0, conn_resume_cb, c);
    c->scratch = evbuffer_new();
    format_addr(addr, c->addr, sizeof c->addr);
    TAILQ_INSERT_TAIL(&w->conns, c, link);
    w->nconns++;
    bufferevent_setcb(bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
    struct timeval wtv = {cfg->write_timeout_ms / 1000, (cfg->write_timeout_ms % 1000) * 1000};
    bufferevent_set_timeouts(bev, NULL, &wtv);
    /* Reading stays on for the connection's life (no epoll change per request); a client that
     * piles up input while its request is handled is paused at this mark. */
    bufferevent_setwatermark(bev, EV_READ, 0, (size_t)cfg->max_header_size + 65536);
    bufferevent_enable(bev, EV_READ);
    /* A new connection must start its request as promptly as a slow head must finish. */
    arm_timer(c, cfg->header_timeout_ms);
}

void http_conn_free(struct http_conn *c)
{
    struct http_worker *w = c->worker;
    if (c->req != NULL) {
        /* The application still owns the request: orphan it; its reply will free it. */
        struct http_request *req = c->req;
        req->conn = NULL;
        c->req = NULL;
        if (req->on_close)
            req->on_close(req);
    }
    TAILQ_REMOVE(&w->conns, c, link);
    w->nconns--;
    event_free(c->timer);
    event_free(c->resume);
    evbuffer_free(c->scratch);
    bufferevent_free(c->bev);
    free(c);
    atomic_fetch_sub(&http_open_connections, 1);
    if (w->draining && w->nconns == 0)
        event_base_loopbreak(w->base);
}

/* Answers a request the application never saw (bad framing, limits, timeouts) and closes. */
static void conn_fail(struct http_conn *c, int status, const char *code, const char *detail)
{
    bufferevent_disable(c->bev, EV_READ);
    c->close_after = true;
    if (c->req == NULL)
        c->req = http_request_new(c);
    c->state = CONN_HANDLING;
    http_reply_problem_raw(c->req, status, code, detail);
}

static void conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct http_conn *c = arg;
    switch (c->state) {
    case CONN_IDLE:
        if (evbuffer_get_length(bufferevent_get_input(c->bev)) == 0) {
            http_conn_free(c);
            return;
        }
        /* bytes arrived but never formed a head */
        /* fall through */
    case CONN_HEAD:
    case CONN_BODY:
        conn_fail(c, 408, "request_timeout", "the request was not received in time");
        break;
    case CONN_LINGER:
        http_conn_free(c);
        break;
    case CONN_HANDLING:
    case CONN_WRITING:
        break;
    }
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    struct http_conn *c = arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
        if (c->state == CONN_HANDLING && c->req && !c->req->replied && (what & BEV_EVENT_EOF) &&
            !(what & BEV_EVENT_WRITING)) {
            /* Half-close after a complete request: the client may still read our answer. */
            return;
        }
        http_conn_free(c);
    }
}

static void conn_read_cb(struct bufferevent *bev, void *arg)
{
    struct http_conn *c = arg;
    if (c->state == CONN_LINGER) {
        struct evbuffer *in = bufferevent_get_input(bev);
        evbuffer_drain(in, evbuffer_get_length(in));
        return;
    }
    conn_process(c);
}

static void conn_linger(struct http_conn *c);

struct evbuffer *http_conn_out(struct http_conn *c)
{
    return c->scratch;
}

void http_conn_reply_done(struct http_conn *c)
{
    c->req = NULL;
    c->state = CONN_WRITING;
    evtimer_del(c->timer);
    struct evbuffer *out = bufferevent_get_output(c->bev);
    /* Most replies fit the socket buffer: write them now, without waiting for a write event. */
    if (evbuffer_get_length(out) == 0 && evbuffer_get_length(c->scratch) > 0)
        evbuffer_write(c->scratch, bufferevent_getfd(c->bev));
    if (evbuffer_get_length(c->scratch) > 0) {
        bufferevent_write_buffer(c->bev, c->scratch);
        return; /* conn_write_cb runs when the rest is sent */
    }
    if (evbuffer_get_length(out) > 0)
        return;
    /* Sent. Pipelined input continues from the loop, not from here, so that a long pipeline
     * cannot recurse through handlers that answer at once. */
    if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0 && !c->close_after)
        event_active(c->resume, EV_READ, 0);
    else
        conn_write_done(c);
}

static void conn_resume_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    conn_write_done(arg);
}

static void conn_write_cb(struct bufferevent *bev, void *arg)
{
    (void)bev;
    struct http_conn *c = arg;
    if (c->req != NULL && c->req->streaming) {
        if (c->req->on_drain && !c->req->stream_ended)
            c->req->on_drain(c->req);
        return;
    }
    conn_write_done(c);
}

static void conn_write_done(struct http_conn *c)
{
    if (c->state != CONN_WRITING)
        return;
    if (c->close_after || c->worker->draining) {
        conn_linger(c);
        return;
    }
    c->state = CONN_IDLE;
    arm_timer(c, c->worker->server->cfg->idle_timeout_ms);
    /* Pipelined requests may already be buffered. */
    if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
        conn_process(c);
}

/* Closing a socket that still holds unread client bytes makes the kernel send a reset,
 * which can destroy the answer in flight (a 413 to a client still sending its body). So
 * shut down our side, discard what the client still sends for a moment, then close. */
static void conn_linger(struct http_conn *c)
{
    c->state = CONN_LINGER;
    shutdown(bufferevent_getfd(c->bev), SHUT_WR);
    evbuffer_drain(bufferevent_get_input(c->bev),
                   evbuffer_get_length(bufferevent_get_input(c->bev)));
    bufferevent_enable(c->bev, EV_READ);
    arm_timer(c, 2000);
}

static void fill_params(struct http_request *req)
{
    const struct route *rt = req->route;
    req->nparams = 0;
    for (int i = 0; i < rt->nsegments; i++)
        if (rt->segments[i] == NULL) {
            req->param_names[req->nparams] = rt->param_names[i];
            req->params[req->nparams] = req->head.segments[i];
            req->nparams++;
        }
}

static void dispatch(struct http_conn *c)
{
    c->state = CONN_HANDLING;
    evtimer_del(c->timer);
    c->worker->server->hooks->dispatch(c->req);
}

/* Routes the parsed head and decides how much body to read. Returns false when it replied. */
static bool route_request(struct http_conn *c)
{
    struct http_request *req = c->req;
    const struct http_server_config *cfg = c->worker->server->cfg;
    struct http_head *h = &req->head;
    bool has_body = h->chunked || (h->has_content_length && h->content_length > 0);
    if (!h->keep_alive)
        c->close_after = true;
    if (h->method == HTTP_OTHER) {
        if (has_body)
            c->close_after = true;
        http_reply_problem_raw(req, 501, "not_implemented", "method not implemented");
        return false;
    }
    unsigned allowed = 0;
    const struct route *rt = NULL;
    enum router_match m =
        router_find(c->worker->server->router, h->method, h->segments, h->nsegments, &rt, &allowed);
    if (m != ROUTER_FOUND) {
        if (has_body)
            c->close_after = true;
        if (m == ROUTER_NO_METHOD) {
            char allow[80];
            router_format_allow(allowed, allow, sizeof allow);
            http_add_header(req, "Allow", allow);
            http_reply_problem_raw(req, 405, "method_not_allowed", "method not allowed here");
        } else if (!http_static_serve(cfg->web, req)) {
            http_reply_problem_raw(req, 404, "route_not_found", "no such route");
        }
        return false;
    }
    req->route = rt;
    fill_params(req);
    c->body_limit = (uint64_t)((rt->flags & ROUTE_IMPORT_LIMIT)     ? cfg->max_import_size
                               : (rt->flags & ROUTE_EVIDENCE_LIMIT) ? cfg->max_evidence_size
                                                                    : cfg->max_body_size);
    if (h->has_content_length && h->content_length > c->body_limit) {
        c->close_after = true;
        http_reply_problem_raw(req, 413, "body_too_large", "request body exceeds the limit");
        return false;
    }
    return true;
}

static void chunk_emit(void *arg, const char *data, size_t n)
{
    evbuffer_add(arg, data, n);
}

/* Moves body bytes from the input; returns true once the whole body is here. */
static bool read_body(struct http_conn *c, struct evbuffer *in)
{
    struct http_request *req = c->req;
    if (!req->head.chunked) {
        size_t avail = evbuffer_get_length(in);
        size_t take = avail < c->body_left ? avail : (size_t)c->body_left;
        evbuffer_remove_buffer(in, req->body, take);
        c->body_left -= take;
        return c->body_left == 0;
    }
    for (;;) {
        struct evbuffer_iovec v;
        if (evbuffer_peek(in, -1, NULL, &v, 1) < 1 || v.iov_len == 0)
            return false;
        size_t used = 0;
        enum chunked_result r = chunked_feed(&c->chunk, v.iov_base, v.iov_len, &used, c->body_limit,
                                             chunk_emit, req->body);
        evbuffer_drain(in, used);
        if (r == CHUNKED_DONE)
            return true;
        if (r == CHUNKED_TOO_LARGE) {
            conn_fail(c, 413, "body_too_large", "request body exceeds the limit");
            return false;
        }
        if (r == CHUNKED_ERROR) {
            conn_fail(c, 400, "bad_request", "malformed chunked body");
            return false;
        }
    }
}

/* Reads a head out of the input; returns false when waiting for more or after replying. */
static bool read_head(struct http_conn *c, struct evbuffer *in)
{
    const struct http_server_config *cfg = c->worker->server->cfg;
    size_t avail = evbuffer_get_length(in);
    size_t look =
        avail < (size_t)cfg->max_header_size + 4 ? avail : (size_t)cfg->max_header_size + 4;
    char *p = (char *)evbuffer_pullup(in, (ev_ssize_t)look);
    size_t headlen = http_head_length(p, look);
    if (headlen == 0 || headlen > (size_t)cfg->max_header_size) {
        if (look > (size_t)cfg->max_header_size)
            conn_fail(c, 431, "headers_too_large", "request head exceeds the limit");
        return false;
    }
    struct http_request *req = http_request_new(c);
    c->req = req;
    char *head = arena_strndup(&req->arena, p, headlen);
    char *decoded = arena_alloc(&req->arena, headlen + 1);
    evbuffer_drain(in, headlen);
    struct http_parse_error err;
    if (!http_parse_head(head, headlen, decoded, &req->head, &err)) {
        conn_fail(c, err.status, err.code, err.detail);
        return false;
    }
    http_request_adopt_id(req);
    if (!route_request(c))
        return false;
    c->body_left = req->head.has_content_length ? req->head.content_length : 0;
    chunked_init(&c->chunk);
    if (req->head.expect_continue && (req->head.chunked || c->body_left > 0))
        evbuffer_add(bufferevent_get_output(c->bev), "HTTP/1.1 100 Continue\r\n\r\n", 25);
    return true;
}

static void conn_process(struct http_conn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    const struct http_server_config *cfg = c->worker->server->cfg;
    if (c->state == CONN_IDLE) {
        /* RFC 9112 2.2: ignore empty lines before a request line. */
        for (;;) {
            unsigned char *b = evbuffer_pullup(in, 1);
            if (b == NULL || (*b != '\r' && *b != '\n'))
                break;
            evbuffer_drain(in, 1);
        }
        if (evbuffer_get_length(in) == 0)
            return;
        c->state = CONN_HEAD;
        arm_timer(c, cfg->header_timeout_ms);
    }
    if (c->state == CONN_HEAD) {
        if (!read_head(c, in))
            return;
        if (!c->req->head.chunked && c->body_left == 0) {
            dispatch(c);
            return;
        }
        c->state = CONN_BODY;
        arm_timer(c, cfg->read_timeout_ms);
    }
    if (c->state == CONN_BODY) {
        arm_timer(c, cfg->read_timeout_ms);
        if (read_body(c, in))
            dispatch(c);
    }
}

void http_conn_drain(struct http_worker *w)
{
    struct http_conn *c, *next;
    for (c = TAILQ_FIRST(&w->conns); c != NULL; c = next) {
        next = TAILQ_NEXT(c, link);
        if (c->state == CONN_IDLE || c->state == CONN_LINGER ||
            (c->state == CONN_HEAD && c->req == NULL &&
             evbuffer_get_length(bufferevent_get_input(c->bev)) == 0))
            http_conn_free(c);
        else
            c->close_after = true;
    }
}
