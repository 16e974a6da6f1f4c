/* The read caches and their listener. One thread owns one blocking libpq connection (it never
 * runs on a worker's event loop): LISTEN siku_cache, evict on each notification, and every
 * audit_batch_ms (or audit_batch_rows) write the queued read_personal rows with one COPY.
 * The caches are used only while that connection is up; losing it empties them. */
#include "api/read_cache.h"

#include "core/log.h"
#include "core/lru.h"

#include <errno.h>
#include <event2/buffer.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHANNEL                "siku_cache"
#define AUDIT_QUEUE_MAX        200000 /* rows; beyond it reads of personal data fail (503) */
#define RECONNECT_MAX_MS       2000
#define AUDIT_WRITE_TIMEOUT_MS 10000
#define AUDIT_BATCH_MAX        20000 /* rows in one COPY at most */

static struct lru *sessions, *experts;
static atomic_bool listening;
static atomic_ullong listener_connects, listener_losses, notifications;

static pthread_t thread;
static bool thread_running;
static atomic_bool stopping;
static int wake_pipe[2] = {-1, -1};
static char *conninfo;
static int batch_ms, batch_rows;

/* The audit queue: rows in COPY's text format (tab-separated, one per line), waiting for the
 * next batch, which sends them with COPY FROM STDIN. */
static pthread_mutex_t audit_lock = PTHREAD_MUTEX_INITIALIZER;
static char *audit_buf;
static size_t audit_len, audit_cap;
static int audit_rows;
static uint64_t audit_first_ns; /* when the oldest queued row was queued */
static atomic_ullong audit_written, audit_batches, audit_failures;

static const char copy_sql[] =
    "COPY audit_log (at, user_id, role, action, route, request_id, client_addr, record_type,"
    " record_id) FROM STDIN";

uint64_t read_cache_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct lru *read_cache_sessions(void)
{
    return atomic_load(&listening) ? sessions : NULL;
}

struct lru *read_cache_experts(void)
{
    return atomic_load(&listening) ? experts : NULL;
}

static void clear_all(void)
{
    if (sessions)
        lru_clear(sessions);
    if (experts)
        lru_clear(experts);
}

void read_cache_forget_expert(const char *id)
{
    if (experts)
        lru_remove(experts, id);
}

void read_cache_forget_session(const char *token_hash)
{
    if (sessions)
        lru_remove(sessions, token_hash);
}

void read_cache_forget_user(const char *user_id)
{
    if (sessions)
        lru_remove_tagged(sessions, user_id);
}

void read_cache_apply_notification(const char *p)
{
    atomic_fetch_add(&notifications, 1);
    if (strncmp(p, "s:", 2) == 0)
        read_cache_forget_session(p + 2);
    else if (strncmp(p, "u:", 2) == 0)
        read_cache_forget_user(p + 2);
    else if (strncmp(p, "e:", 2) == 0)
        read_cache_forget_expert(p + 2);
    else
        clear_all(); /* "*" or anything this build does not know: the safe answer */
}

static void wake(void)
{
    if (wake_pipe[1] >= 0) {
        char c = 1;
        ssize_t n = write(wake_pipe[1], &c, 1);
        (void)n; /* a full pipe is already a pending wake-up */
    }
}

/* ---- the audit queue ---- */

/* Appends s to p as one field of COPY's text format (NULL as \\N); returns the new end. The
 * caller leaves room for every byte to double. */
static char *copy_field(char *p, const char *s)
{
    if (s == NULL) {
        memcpy(p, "\\N", 2);
        return p + 2;
    }
    for (; *s; s++) {
        char c = *s;
        if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            *p++ = '\\';
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
        }
        *p++ = c;
    }
    return p;
}

/* The time of the read as timestamptz text; the date and time of day are formatted once a
 * second per thread. */
static size_t format_at(char *out)
{
    static _Thread_local time_t last_sec = -1;
    static _Thread_local char sec_text[24];
    static _Thread_local size_t sec_len;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != last_sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        sec_len = strftime(sec_text, sizeof sec_text, "%Y-%m-%dT%H:%M:%S", &tm);
        last_sec = ts.tv_sec;
    }
    memcpy(out, sec_text, sec_len);
    char *p = out + sec_len;
    *p++ = '.';
    long us = ts.tv_nsec / 1000;
    for (int i = 5; i >= 0; i--) {
        p[i] = (char)('0' + us % 10);
        us /= 10;
    }
    p += 6;
    *p++ = 'Z';
    return (size_t)(p - out);
}

bool read_cache_audit(const struct read_audit *a)
{
    const char *vals[] = {a->user_id,    a->role,        "read_personal", a->route,
                          a->request_id, a->client_addr, a->record_type,  a->record_id};
    size_t need = 40 + sizeof vals / sizeof vals[0];
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        need += vals[i] ? 2 * strlen(vals[i]) : 2;
    char stack[2048];
    char *row = need <= sizeof stack ? stack : malloc(need);
    if (row == NULL)
        return false;
    char *p = row + format_at(row);
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        *p++ = '\t';
        p = copy_field(p, vals[i]);
    }
    *p++ = '\n';
    size_t tlen = (size_t)(p - row);
    bool ok = false, full_batch = false;
    pthread_mutex_lock(&audit_lock);
    if (audit_rows < AUDIT_QUEUE_MAX) {
        if (audit_len + tlen > audit_cap) {
            size_t cap = audit_cap ? audit_cap * 2 : 65536;
            while (cap < audit_len + tlen)
                cap *= 2;
            char *nb = realloc(audit_buf, cap);
            if (nb) {
                audit_buf = nb;
                audit_cap = cap;
            }
        }
        if (audit_len + tlen <= audit_cap) {
            if (audit_rows == 0)
                audit_first_ns = read_cache_now_ns();
            memcpy(audit_buf + audit_len, row, tlen);
            audit_len += tlen;
            audit_rows++;
            ok = true;
            full_batch = audit_rows == batch_rows;
        }
    }
    pthread_mutex_unlock(&audit_lock);
    if (row != stack)
        free(row);
    if (full_batch)
        wake();
    return ok;
}

/* Takes the queue (COPY text, *len bytes) when a batch is due; NULL when not. */
static char *audit_take(bool force, int *rows, size_t *len)
{
    char *out = NULL;
    pthread_mutex_lock(&audit_lock);
    uint64_t age_ms = audit_rows ? (read_cache_now_ns() - audit_first_ns) / 1000000u : 0;
    if (audit_rows > 0 && (force || audit_rows >= batch_rows || age_ms >= (uint64_t)batch_ms)) {
        if (audit_rows <= AUDIT_BATCH_MAX) {
            /* The whole buffer changes hands; the next row starts a new one. */
            out = audit_buf;
            *len = audit_len;
            *rows = audit_rows;
            audit_buf = NULL;
            audit_len = audit_cap = 0;
            audit_rows = 0;
        } else {
            /* A backlog goes in bounded statements, so that each one finishes well within
             * AUDIT_WRITE_TIMEOUT_MS however far behind the writer is: the oldest rows first
             * (each row ends with the only unescaped newline of its text). */
            size_t cut = 0;
            for (int n = 0; n < AUDIT_BATCH_MAX; n++)
                cut = (size_t)((char *)memchr(audit_buf + cut, '\n', audit_len - cut) - audit_buf) +
                      1;
            out = malloc(cut);
            if (out) {
                memcpy(out, audit_buf, cut);
                memmove(audit_buf, audit_buf + cut, audit_len - cut);
                audit_len -= cut;
                audit_rows -= AUDIT_BATCH_MAX;
                *len = cut;
                *rows = AUDIT_BATCH_MAX;
            }
        }
    }
    pthread_mutex_unlock(&audit_lock);
    return out;
}

/* Puts a batch that could not be written back in front of the queue. */
static void audit_return(char *batch, size_t blen, int rows)
{
    pthread_mutex_lock(&audit_lock);
    size_t need = blen + audit_len;
    char *nb = malloc(need > audit_cap ? need : audit_cap);
    if (nb) {
        memcpy(nb, batch, blen);
        if (audit_len)
            memcpy(nb + blen, audit_buf, audit_len);
        free(audit_buf);
        audit_buf = nb;
        audit_cap = need > audit_cap ? need : audit_cap;
        audit_len = need;
        audit_rows += rows;
        audit_first_ns = read_cache_now_ns() - (uint64_t)batch_ms * 1000000u;
    } else {
        log_error("audit: %d read_personal rows lost (out of memory)", rows);
    }
    pthread_mutex_unlock(&audit_lock);
}

static int audit_queued(void)
{
    pthread_mutex_lock(&audit_lock);
    int n = audit_rows;
    pthread_mutex_unlock(&audit_lock);
    return n;
}

static bool result_ok(const PGresult *r)
{
    return PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
}

/* The result of the query sent on conn, waiting at most ms (a frozen server must not keep
 * shutdown waiting); NULL on timeout or a broken connection. *conn_ok: the connection is still
 * usable afterwards. Notifications that arrive meanwhile stay queued for PQnotifies. */
static PGresult *exec_result(PGconn *conn, int ms, bool *conn_ok)
{
    uint64_t until = read_cache_now_ns() + (uint64_t)ms * 1000000u;
    PGresult *first = NULL, *res;
    *conn_ok = false;
    for (;;) {
        int f = PQflush(conn);
        if (f < 0)
            break;
        if (f == 0 && !PQisBusy(conn)) {
            while ((res = PQgetResult(conn)) != NULL) {
                /* Keep the first result, or the first error after it. */
                if (first == NULL) {
                    first = res;
                } else if (result_ok(first) && !result_ok(res)) {
                    PQclear(first);
                    first = res;
                } else {
                    PQclear(res);
                }
                if (PQisBusy(conn))
                    break;
            }
            if (res == NULL) {
                *conn_ok = PQstatus(conn) == CONNECTION_OK;
                return first;
            }
        }
        uint64_t now = read_cache_now_ns();
        if (now >= until)
            break;
        struct pollfd p = {PQsocket(conn), (short)(POLLIN | (f == 1 ? POLLOUT : 0)), 0};
        if (poll(&p, 1, (int)((until - now) / 1000000u) + 1) < 0 && errno != EINTR)
            break;
        if (!PQconsumeInput(conn))
            break;
    }
    PQclear(first);
    return NULL;
}

/* Waits until conn can take more output (nonblocking COPY data); false at the deadline. */
static bool wait_writable(PGconn *conn, uint64_t until)
{
    for (;;) {
        int f = PQflush(conn);
        if (f <= 0)
            return f == 0;
        uint64_t now = read_cache_now_ns();
        if (now >= until)
            return false;
        struct pollfd p = {PQsocket(conn), POLLIN | POLLOUT, 0};
        if (poll(&p, 1, (int)((until - now) / 1000000u) + 1) < 0 && errno != EINTR)
            return false;
        if ((p.revents & POLLIN) && !PQconsumeInput(conn))
            return false;
    }
}

/* COPY FROM STDIN of len bytes of rows; the final result (NULL on timeout or a broken
 * connection). */
static PGresult *copy_rows(PGconn *conn, const char *data, size_t len, bool *conn_ok)
{
    uint64_t until = read_cache_now_ns() + (uint64_t)AUDIT_WRITE_TIMEOUT_MS * 1000000u;
    *conn_ok = false;
    if (!PQsendQuery(conn, copy_sql))
        return NULL;
    /* The server answers COPY with CopyInResponse, or with an error. */
    PGresult *res = NULL;
    for (;;) {
        if (!PQconsumeInput(conn))
            return NULL;
        if (!PQisBusy(conn)) {
            res = PQgetResult(conn);
            break;
        }
        uint64_t now = read_cache_now_ns();
        if (now >= until)
            return NULL;
        struct pollfd p = {PQsocket(conn), POLLIN, 0};
        if (poll(&p, 1, (int)((until - now) / 1000000u) + 1) < 0 && errno != EINTR)
            return NULL;
    }
    if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
        /* An error instead: collect the rest so that the connection is idle again. */
        bool ok = false;
        PGresult *rest = exec_result(conn, AUDIT_WRITE_TIMEOUT_MS, &ok);
        PQclear(rest);
        *conn_ok = ok;
        return res;
    }
    PQclear(res);
    const size_t chunk = 65536;
    for (size_t off = 0; off < len;) {
        size_t n = len - off < chunk ? len - off : chunk;
        int r = PQputCopyData(conn, data + off, (int)n);
        if (r < 0)
            return NULL;
        if (r == 0) { /* buffers full: wait for the socket */
            if (!wait_writable(conn, until))
                return NULL;
            continue;
        }
        off += n;
    }
    int r;
    while ((r = PQputCopyEnd(conn, NULL)) == 0)
        if (!wait_writable(conn, until))
            return NULL;
    if (r < 0)
        return NULL;
    uint64_t now = read_cache_now_ns();
    return exec_result(conn, now < until ? (int)((until - now) / 1000000u) + 1 : 1, conn_ok);
}

/* Writes a due batch on conn; false when the connection failed. */
static bool audit_flush(PGconn *conn, bool force)
{
    int rows = 0;
    size_t len = 0;
    char *batch = audit_take(force, &rows, &len);
    if (batch == NULL)
        return true;
    bool conn_ok = false;
    PGresult *res = copy_rows(conn, batch, len, &conn_ok);
    bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        log_error("audit: writing %d read_personal rows failed: %s", rows,
                  res ? PQresultErrorMessage(res) : "no answer in time");
    PQclear(res);
    if (ok) {
        atomic_fetch_add(&audit_written, (unsigned long long)rows);
        atomic_fetch_add(&audit_batches, 1);
    } else {
        atomic_fetch_add(&audit_failures, 1);
        audit_return(batch, len, rows);
    }
    free(batch);
    return ok || conn_ok;
}

/* ---- the listener ---- */

static PGconn *listener_connect(void)
{
    const char *keys[] = {"dbname",
                          "application_name",
                          "keepalives",
                          "keepalives_idle",
                          "keepalives_interval",
                          "keepalives_count",
                          "connect_timeout",
                          NULL};
    const char *vals[] = {conninfo, "sikud-cache", "1", "10", "5", "3", "5", NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(conn) != CONNECTION_OK) {
        PQfinish(conn);
        return NULL;
    }
    /* Audit rows of reads commit without waiting for their WAL flush, as they did one per
     * read before batching (docs/security.md). */
    bool ok = false, conn_ok = false;
    if (PQsetnonblocking(conn, 1) == 0 &&
        PQsendQuery(conn, "SET synchronous_commit = off; LISTEN " CHANNEL)) {
        PGresult *res = exec_result(conn, AUDIT_WRITE_TIMEOUT_MS, &conn_ok);
        ok = conn_ok && res && PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
    }
    if (!ok) {
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

static void listener_lost(PGconn **conn)
{
    atomic_store(&listening, false);
    clear_all();
    atomic_fetch_add(&listener_losses, 1);
    log_warn("cache: lost the listening connection; caches dropped until it is back");
    PQfinish(*conn);
    *conn = NULL;
}

static void drain_wake(void)
{
    char buf[64];
    while (read(wake_pipe[0], buf, sizeof buf) > 0) {
    }
}

/* Waits up to ms for the connection (or fd -1: only the wake pipe). */
static void wait_for(int fd, int ms)
{
    struct pollfd p[2] = {{wake_pipe[0], POLLIN, 0}, {fd, POLLIN, 0}};
    if (poll(p, fd >= 0 ? 2 : 1, ms) > 0 && (p[0].revents & POLLIN))
        drain_wake();
}

static void *listener_main(void *arg)
{
    (void)arg;
    PGconn *conn = NULL;
    int backoff = 50;
    while (!atomic_load(&stopping)) {
        if (conn == NULL) {
            conn = listener_connect();
            if (conn == NULL) {
                wait_for(-1, backoff);
                backoff = backoff * 2 > RECONNECT_MAX_MS ? RECONNECT_MAX_MS : backoff * 2;
                continue;
            }
            backoff = 50;
            /* Whatever changed while nobody listened is unknown: start empty. */
            clear_all();
            atomic_store(&listening, true);
            atomic_fetch_add(&listener_connects, 1);
        }
        /* A backlog of a full batch or more is written without waiting. */
        int queued = audit_queued();
        wait_for(PQsocket(conn), queued >= batch_rows ? 0 : queued ? batch_ms : 1000);
        if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK) {
            listener_lost(&conn);
            continue;
        }
        PGnotify *n;
        while ((n = PQnotifies(conn)) != NULL) {
            read_cache_apply_notification(n->extra);
            PQfreemem(n);
        }
        if (!audit_flush(conn, false))
            listener_lost(&conn);
    }
    /* Shutdown: the workers have stopped; write what they queued. */
    atomic_store(&listening, false);
    for (int failures = 0; failures < 3 && audit_queued() > 0;) {
        if (conn == NULL)
            conn = listener_connect();
        uint64_t written = atomic_load(&audit_written);
        if (conn && !audit_flush(conn, true)) {
            PQfinish(conn);
            conn = NULL;
        }
        if (atomic_load(&audit_written) == written) /* nothing went in: a failed attempt */
            failures++;
    }
    int lost = audit_queued();
    if (lost > 0)
        log_error("audit: %d read_personal rows could not be written at shutdown", lost);
    if (conn)
        PQfinish(conn);
    return NULL;
}

bool read_cache_start(const struct config *cfg)
{
    if (cfg->cache_entries > 0) {
        sessions = lru_new((size_t)cfg->cache_entries);
        experts = lru_new((size_t)cfg->cache_entries);
    }
    batch_ms = cfg->audit_batch_ms;
    batch_rows = cfg->audit_batch_rows;
    conninfo = strdup(cfg->database);
    atomic_store(&stopping, false);
    if (conninfo == NULL || pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0 ||
        pthread_create(&thread, NULL, listener_main, NULL) != 0) {
        read_cache_stop();
        return false;
    }
    thread_running = true;
    return true;
}

void read_cache_stop(void)
{
    atomic_store(&stopping, true);
    if (thread_running) {
        wake();
        pthread_join(thread, NULL);
        thread_running = false;
    }
    for (int i = 0; i < 2; i++)
        if (wake_pipe[i] >= 0) {
            close(wake_pipe[i]);
            wake_pipe[i] = -1;
        }
    lru_free(sessions);
    lru_free(experts);
    sessions = experts = NULL;
    free(conninfo);
    conninfo = NULL;
    free(audit_buf);
    audit_buf = NULL;
    audit_len = audit_cap = 0;
    audit_rows = 0;
}

static void write_cache(struct evbuffer *out, const char *name, struct lru *c)
{
    struct lru_stats s = {0};
    if (c)
        lru_get_stats(c, &s);
    evbuffer_add_printf(out,
                        "siku_cache_hits_total{cache=\"%s\"} %llu\n"
                        "siku_cache_misses_total{cache=\"%s\"} %llu\n"
                        "siku_cache_evictions_total{cache=\"%s\"} %llu\n"
                        "siku_cache_invalidations_total{cache=\"%s\"} %llu\n"
                        "siku_cache_entries{cache=\"%s\"} %llu\n"
                        "siku_cache_capacity{cache=\"%s\"} %llu\n",
                        name, (unsigned long long)s.hits, name, (unsigned long long)s.misses, name,
                        (unsigned long long)s.evictions, name, (unsigned long long)s.invalidations,
                        name, (unsigned long long)s.entries, name, (unsigned long long)s.capacity);
}

void read_cache_metrics_write(struct evbuffer *out)
{
    evbuffer_add_printf(out, "# HELP siku_cache_hits_total Reads answered from a cache.\n"
                             "# TYPE siku_cache_hits_total counter\n"
                             "# HELP siku_cache_misses_total Reads that asked the database.\n"
                             "# TYPE siku_cache_misses_total counter\n"
                             "# HELP siku_cache_evictions_total Entries dropped for room.\n"
                             "# TYPE siku_cache_evictions_total counter\n"
                             "# HELP siku_cache_invalidations_total Entries dropped because "
                             "their row changed (or the listener reconnected).\n"
                             "# TYPE siku_cache_invalidations_total counter\n"
                             "# HELP siku_cache_entries Entries held.\n"
                             "# TYPE siku_cache_entries gauge\n"
                             "# HELP siku_cache_capacity Entries at most (cache_entries).\n"
                             "# TYPE siku_cache_capacity gauge\n");
    write_cache(out, "sessions", sessions);
    write_cache(out, "experts", experts);
    evbuffer_add_printf(
        out,
        "# HELP siku_cache_listening 1 while the invalidation listener is connected.\n"
        "# TYPE siku_cache_listening gauge\nsiku_cache_listening %d\n"
        "# HELP siku_cache_listener_connects_total Listener connections made.\n"
        "# TYPE siku_cache_listener_connects_total counter\n"
        "siku_cache_listener_connects_total %llu\n"
        "# HELP siku_cache_listener_losses_total Listener connections lost (caches dropped).\n"
        "# TYPE siku_cache_listener_losses_total counter\n"
        "siku_cache_listener_losses_total %llu\n"
        "# HELP siku_cache_notifications_total Invalidation notifications received.\n"
        "# TYPE siku_cache_notifications_total counter\nsiku_cache_notifications_total %llu\n"
        "# HELP siku_audit_queued Read audit rows waiting for their batch.\n"
        "# TYPE siku_audit_queued gauge\nsiku_audit_queued %d\n"
        "# HELP siku_audit_rows_written_total Read audit rows written in batches.\n"
        "# TYPE siku_audit_rows_written_total counter\nsiku_audit_rows_written_total %llu\n"
        "# HELP siku_audit_batches_total Audit batches written.\n"
        "# TYPE siku_audit_batches_total counter\nsiku_audit_batches_total %llu\n"
        "# HELP siku_audit_batch_failures_total Audit batches that failed (kept, retried).\n"
        "# TYPE siku_audit_batch_failures_total counter\nsiku_audit_batch_failures_total %llu\n",
        atomic_load(&listening) ? 1 : 0, (unsigned long long)atomic_load(&listener_connects),
        (unsigned long long)atomic_load(&listener_losses),
        (unsigned long long)atomic_load(&notifications), audit_queued(),
        (unsigned long long)atomic_load(&audit_written),
        (unsigned long long)atomic_load(&audit_batches),
        (unsigned long long)atomic_load(&audit_failures));
}
