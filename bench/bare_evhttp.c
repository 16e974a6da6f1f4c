/* bare_evhttp PORT THREADS: the "bare libevent server" ceiling for bench/http. Every request
 * gets 200 {"status":"ok"}. Like sikud, each thread has its own event_base, its own evhttp and
 * its own SO_REUSEPORT listening socket on 127.0.0.1:PORT. Runs until killed. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* SOCK_NONBLOCK, SOCK_CLOEXEC */
#endif
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static const char body[] = "{\"status\":\"ok\"}";

static void reply(struct evhttp_request *req, void *arg)
{
    (void)arg;
    struct evbuffer *out = evbuffer_new();
    evbuffer_add_reference(out, body, sizeof body - 1, NULL, NULL);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evhttp_send_reply(req, 200, "OK", out);
    evbuffer_free(out);
}

static int listen_socket(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 1024) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void *worker(void *arg)
{
    int port = *(int *)arg;
    int fd = listen_socket(port);
    struct event_base *base = event_base_new();
    struct evhttp *http = base ? evhttp_new(base) : NULL;
    if (fd < 0 || http == NULL || evhttp_accept_socket(http, fd) != 0) {
        perror("bare_evhttp: listen");
        exit(1);
    }
    evhttp_set_gencb(http, reply, NULL);
    event_base_dispatch(base);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bare_evhttp PORT THREADS\n");
        return 2;
    }
    int port = atoi(argv[1]), threads = atoi(argv[2]);
    if (port <= 0 || port > 65535 || threads <= 0 || threads > 256) {
        fprintf(stderr, "bare_evhttp: bad PORT or THREADS\n");
        return 2;
    }
    evthread_use_pthreads(); /* as sikud does */
    pthread_t tid[256];
    for (int i = 0; i < threads; i++)
        if (pthread_create(&tid[i], NULL, worker, &port) != 0) {
            perror("bare_evhttp: pthread_create");
            return 1;
        }
    for (int i = 0; i < threads; i++)
        pthread_join(tid[i], NULL);
    return 0;
}
