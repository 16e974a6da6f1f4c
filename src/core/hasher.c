/* The hashing pool: tasks queue under one mutex; a finished task is handed back to its
 * loop with event_active, which libevent allows from any thread. */
#include "core/hasher.h"

#include "core/log.h"
#include "core/xmalloc.h"

#include <event2/event.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct task {
    struct task *next;
    struct event_base *base;
    struct event *ev;
    char *password;
    size_t password_len;
    char *stored;
    char hash[crypto_pwhash_STRBYTES];
    bool ok;
    bool running;
    hasher_done_fn done;
    void *arg;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_ready = PTHREAD_COND_INITIALIZER;
static pthread_cond_t work_done = PTHREAD_COND_INITIALIZER;
static struct task *queue_head, *queue_tail;
static int queued, running_count, queue_limit;
static bool stopping;
static pthread_t *threads;
static int nthreads;
static char dummy_hash[crypto_pwhash_STRBYTES];

static void task_free(struct task *t)
{
    sodium_memzero(t->password, t->password_len);
    free(t->password);
    free(t->stored);
    sodium_memzero(t->hash, sizeof t->hash);
    event_free(t->ev);
    free(t);
}

/* Runs on the task's loop. */
static void complete_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct task *t = arg;
    t->done(t->arg, t->ok, t->stored ? NULL : t->hash);
    task_free(t);
}

static void run_task(struct task *t)
{
    if (t->stored)
        t->ok = crypto_pwhash_str_verify(t->stored, t->password, t->password_len) == 0;
    else
        t->ok = crypto_pwhash_str(t->hash, t->password, t->password_len,
                                  crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                  crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

static void *thread_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (queue_head == NULL && !stopping)
            pthread_cond_wait(&work_ready, &lock);
        if (queue_head == NULL && stopping)
            break;
        struct task *t = queue_head;
        queue_head = t->next;
        if (queue_head == NULL)
            queue_tail = NULL;
        queued--;
        running_count++;
        t->running = true;
        pthread_mutex_unlock(&lock);
        run_task(t);
        pthread_mutex_lock(&lock);
        running_count--;
        t->running = false;
        event_active(t->ev, EV_READ, 0);
        pthread_cond_broadcast(&work_done);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

bool hasher_start(int n, int queue_max)
{
    if (!hasher_hash_now("siku-dummy-password-never-used", dummy_hash))
        return false;
    queue_limit = queue_max;
    nthreads = n;
    threads = xcalloc((size_t)n, sizeof *threads);
    for (int i = 0; i < n; i++)
        if (pthread_create(&threads[i], NULL, thread_main, NULL) != 0)
            return false;
    return true;
}

void hasher_stop(void)
{
    pthread_mutex_lock(&lock);
    stopping = true;
    pthread_cond_broadcast(&work_ready);
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < nthreads; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    threads = NULL;
    nthreads = 0;
}

const char *hasher_dummy_hash(void)
{
    return dummy_hash;
}

bool hasher_hash_now(const char *password, char out[128])
{
    return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

bool hasher_submit(struct event_base *base, const char *stored_hash, const char *password,
                   hasher_done_fn done, void *arg)
{
    pthread_mutex_lock(&lock);
    bool full = queued >= queue_limit || stopping;
    pthread_mutex_unlock(&lock);
    if (full)
        return false;
    struct task *t = xcalloc(1, sizeof *t);
    t->base = base;
    t->ev = event_new(base, -1, 0, complete_cb, t);
    t->password_len = strlen(password);
    t->password = xmalloc(t->password_len + 1);
    memcpy(t->password, password, t->password_len + 1);
    t->stored = stored_hash ? xstrdup(stored_hash) : NULL;
    t->done = done;
    t->arg = arg;
    pthread_mutex_lock(&lock);
    if (queue_tail)
        queue_tail->next = t;
    else
        queue_head = t;
    queue_tail = t;
    queued++;
    pthread_cond_signal(&work_ready);
    pthread_mutex_unlock(&lock);
    return true;
}

void hasher_drain(struct event_base *base)
{
    pthread_mutex_lock(&lock);
    /* Queued tasks of this loop fail at once; running ones are waited for. */
    struct task **pp = &queue_head, *prev = NULL;
    while (*pp) {
        struct task *t = *pp;
        if (t->base == base) {
            *pp = t->next;
            if (queue_tail == t)
                queue_tail = prev;
            queued--;
            t->ok = false;
            event_active(t->ev, EV_READ, 0);
        } else {
            prev = t;
            pp = &t->next;
        }
    }
    /* Running tasks have left the queue: wait until none runs (at most one hash long). */
    while (running_count > 0)
        pthread_cond_wait(&work_done, &lock);
    pthread_mutex_unlock(&lock);
    /* Deliver the activated completions on this loop now. */
    event_base_loop(base, EVLOOP_NONBLOCK);
}
