/* Worker threads and listening sockets: one event loop, one SO_REUSEPORT socket and one
 * set of connections per worker; the connection cap, descriptor exhaustion and drain. */
#include "http/http_internal.h"

#include "core/log.h"
#include "core/xmalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

atomic_int http_open_connections;

int http_server_open_connections(void)
{
    return atomic_load(&http_open_connections);
}

static void pause_listener(struct http_worker *w, int ms)
{
    if (w->listener == NULL)
        return;
    if (!w->listener_paused)
        evconnlistener_disable(w->listener);
    w->listener_paused = true;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(w->resume_timer, &tv);
}

static void resume_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct http_worker *w = arg;
    if (w->draining || w->listener == NULL)
        return;
    if (atomic_load(&http_open_connections) >= w->server->cfg->max_connections) {
        pause_listener(w, 50);
        return;
    }
    w->listener_paused = false;
    evconnlistener_enable(w->listener);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr,
                      int socklen, void *arg)
{
    (void)l;
    (void)socklen;
    struct http_worker *w = arg;
    int open = atomic_fetch_add(&http_open_connections, 1) + 1;
    if (w->draining) {
        close(fd);
        atomic_fetch_sub(&http_open_connections, 1);
        return;
    }
    http_conn_accept(w, fd, addr);
    if (open >= w->server->cfg->max_connections) {
        /* At the cap: stop accepting; the kernel queues new clients until we resume. */
        pause_listener(w, 50);
    }
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
    (void)l;
    struct http_worker *w = arg;
    int err = EVUTIL_SOCKET_ERROR();
    static _Atomic time_t last_logged;
    time_t now = time(NULL);
    if (atomic_exchange(&last_logged, now) != now)
        log_warn("accept failed: %s; pausing accepts", strerror(err));
    /* Out of descriptors (or memory): back off instead of spinning on a readable socket. */
    pause_listener(w, 100);
}

static evutil_socket_t open_listen_socket(const struct sockaddr *sa, int salen)
{
    evutil_socket_t fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (bind(fd, sa, (socklen_t)salen) != 0 || listen(fd, 1024) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static void drain_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct http_worker *w = arg;
    if (w->nconns > 0)
        log_warn("worker %d: shutdown timeout with %d connections open; closing them", w->index,
                 w->nconns);
    while (!TAILQ_EMPTY(&w->conns))
        http_conn_free(TAILQ_FIRST(&w->conns));
    event_base_loopbreak(w->base);
}

static void drain_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct http_worker *w = arg;
    w->draining = true;
    if (w->listener) {
        evconnlistener_free(w->listener);
        w->listener = NULL;
    }
    evtimer_del(w->resume_timer);
    http_conn_drain(w);
    if (w->nconns == 0) {
        event_base_loopbreak(w->base);
        return;
    }
    int ms = w->server->cfg->shutdown_timeout_ms;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(w->drain_deadline, &tv);
}

static void *worker_main(void *arg)
{
    struct http_worker *w = arg;
    const struct http_server_hooks *hooks = w->server->hooks;
    w->app = hooks->worker_init ? hooks->worker_init(w->index, w->base, hooks->arg) : NULL;
    evconnlistener_enable(w->listener);
    event_base_dispatch(w->base);
    if (hooks->worker_fini)
        hooks->worker_fini(w->app, hooks->arg);
    return NULL;
}

static bool worker_setup(struct http_server *s, struct http_worker *w, int index,
                         struct sockaddr_storage *ss, int salen)
{
    w->index = index;
    w->server = s;
    TAILQ_INIT(&w->conns);
    w->base = event_base_new();
    if (w->base == NULL)
        return false;
    w->fd = open_listen_socket((struct sockaddr *)ss, salen);
    if (w->fd < 0) {
        log_error("could not listen on %s: %s", s->cfg->listen, strerror(errno));
        return false;
    }
    /* With port 0 the first socket picks the port and the others share it. */
    socklen_t len = sizeof *ss;
    getsockname(w->fd, (struct sockaddr *)ss, &len);
    w->listener = evconnlistener_new(w->base, accept_cb, w,
                                     LEV_OPT_CLOSE_ON_FREE | LEV_OPT_DISABLED, 0, w->fd);
    if (w->listener == NULL)
        return false;
    evconnlistener_set_error_cb(w->listener, accept_error_cb);
    w->resume_timer = evtimer_new(w->base, resume_cb, w);
    w->drain_event = event_new(w->base, -1, 0, drain_cb, w);
    w->drain_deadline = evtimer_new(w->base, drain_deadline_cb, w);
    unsigned char rnd[4];
    randombytes_buf(rnd, sizeof rnd);
    snprintf(w->request_prefix, sizeof w->request_prefix, "%02x%02x%02x%02x", rnd[0], rnd[1],
             rnd[2], rnd[3]);
    return true;
}

static void worker_teardown(struct http_worker *w)
{
    if (w->listener)
        evconnlistener_free(w->listener);
    else if (w->fd >= 0 && w->base == NULL)
        close(w->fd);
    if (w->resume_timer)
        event_free(w->resume_timer);
    if (w->drain_event)
        event_free(w->drain_event);
    if (w->drain_deadline)
        event_free(w->drain_deadline);
    if (w->base)
        event_base_free(w->base);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    struct http_server *s = arg;
    log_info("received %s; draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    for (int i = 0; i < s->nworkers; i++)
        event_active(s->workers[i].drain_event, EV_READ, 0);
    event_base_loopbreak(s->main_base);
}

static void format_address(const struct sockaddr_storage *ss, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        snprintf(out, cap, "%s:%d", ip, ntohs(in->sin_port));
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
        snprintf(out, cap, "[%s]:%d", ip, ntohs(in6->sin6_port));
    }
}

static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        log_info("open file limit %llu", (unsigned long long)rl.rlim_cur);
}

bool http_server_run(const struct http_server_config *cfg, const struct router *router,
                     const struct http_server_hooks *hooks)
{
    struct sockaddr_storage ss;
    int salen = sizeof ss;
    memset(&ss, 0, sizeof ss);
    if (evutil_parse_sockaddr_port(cfg->listen, (struct sockaddr *)&ss, &salen) != 0) {
        log_error("listen: cannot parse address \"%s\" (expected host:port)", cfg->listen);
        return false;
    }
    evthread_use_pthreads();
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    struct http_server s = {.cfg = cfg, .router = router, .hooks = hooks};
    s.nworkers = cfg->threads;
    s.workers = xcalloc((size_t)s.nworkers, sizeof *s.workers);
    http_metrics_init(router->nroutes);
    http_metrics_set_router(router);
    bool ok = true;
    for (int i = 0; i < s.nworkers && ok; i++)
        ok = worker_setup(&s, &s.workers[i], i, &ss, salen);
    s.main_base = event_base_new();
    struct event *sigterm = evsignal_new(s.main_base, SIGTERM, signal_cb, &s);
    struct event *sigint = evsignal_new(s.main_base, SIGINT, signal_cb, &s);
    if (ok) {
        char host[INET6_ADDRSTRLEN + 8] = "?";
        format_address(&ss, host, sizeof host);
        log_info("listening on %s with %d worker threads", host, s.nworkers);
        evsignal_add(sigterm, NULL);
        evsignal_add(sigint, NULL);
        for (int i = 0; i < s.nworkers; i++)
            pthread_create(&s.workers[i].thread, NULL, worker_main, &s.workers[i]);
        event_base_dispatch(s.main_base);
        for (int i = 0; i < s.nworkers; i++)
            pthread_join(s.workers[i].thread, NULL);
        log_info("all workers stopped");
    }
    event_free(sigterm);
    event_free(sigint);
    event_base_free(s.main_base);
    for (int i = 0; i < s.nworkers; i++)
        worker_teardown(&s.workers[i]);
    free(s.workers);
    http_metrics_free();
    return ok;
}
