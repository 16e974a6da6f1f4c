/* The asynchronous connection pool. Each connection runs in pipeline mode: a job's
 * PREPAREs (for statements this connection has not seen yet) and statements go out ending in
 * one Sync, so a job is one round trip and one transaction. Several jobs ride one connection
 * at once (up to pipeline_depth), their results coming back in order, and the writes of one
 * loop iteration leave in one flush. Every state change of a connection goes through
 * set_state(); every end of a job goes through job_finish(). */
#include "db/db_pool.h"

#include "core/arena.h"
#include "core/log.h"
#include "core/xmalloc.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

enum pconn_state {
    PC_DISCONNECTED, /* waiting to reconnect */
    PC_CONNECTING,
    PC_CHECKING, /* connected, running the check statement */
    PC_IDLE,     /* ready, nothing in flight */
    PC_BUSY,     /* ready, jobs in flight */
    PC_DRAINING, /* a job timed out and was cancelled: no new jobs until the rest is back */
    PC_NSTATES,
};

static const char *const pconn_state_names[PC_NSTATES] = {"disconnected", "connecting", "checking",
                                                          "idle",         "busy",       "draining"};

enum expect_kind { EXPECT_PREPARE, EXPECT_EXEC, EXPECT_CHECK };

struct expect {
    enum expect_kind kind;
    int index; /* statement id for PREPARE, query index for EXEC */
};

/* One Sync in flight: the job it belongs to (NULL once abandoned) and what comes back. */
struct inflight {
    struct db_job *job;
    bool check;
    struct expect expect[2 * DB_MAX_QUERIES + 1];
    int nexpect;
    int cursor;
};

struct pconn {
    struct db_pool *pool;
    PGconn *pg;
    enum pconn_state state;
    struct event *sock_ev;
    struct event *write_ev;
    struct event *flush_ev;
    struct event *timer;
    bool *prepared;
    struct inflight *ring; /* pipeline_depth + 1 slots, oldest at head */
    int ring_head;
    int ring_count;
    uint64_t head_since_ns; /* when the oldest job in flight started to run */
    int backoff_ms;
    struct db_snapshot *snapshot; /* holds the connection: no other job may run on it */
};

struct db_snapshot {
    struct db_pool *pool;
    struct pconn *conn; /* NULL until its first job starts, and once the connection is lost */
    bool lost;
    bool write; /* a read-write transaction (db_session_new) */
};

struct db_job {
    struct db_pool *pool;
    struct arena arena;
    const struct db_stmt *stmts[DB_MAX_QUERIES];
    int nparams[DB_MAX_QUERIES];
    const char **values[DB_MAX_QUERIES];
    int *lengths[DB_MAX_QUERIES]; /* NULL unless a parameter is binary */
    int *formats[DB_MAX_QUERIES];
    int nqueries;
    struct db_snapshot *snap; /* the snapshot it runs in, or NULL */
    int result_format;        /* 0 text, 1 binary */
    PGresult *results[DB_MAX_QUERIES];
    enum db_status status;
    enum db_status fail_with; /* for a job failed before it ran */
    bool failing;
    char sqlstate[6];
    char *message;
    char *constraint;
    int failed_index;
    unsigned flags;
    db_done_fn done;
    void *arg;
    struct event *timer;
    uint64_t deadline_ns;
    bool queued;
    TAILQ_ENTRY(db_job) link;
    struct pconn *conn;
    struct inflight *slot;
    int attempts;
};

struct db_pool {
    struct event_base *base;
    struct db_pool_config cfg;
    char *conninfo;
    char *options;
    struct pconn *conns;
    TAILQ_HEAD(, db_job) queue;
    int queued;
    bool last_connect_failed;
    bool freeing;
    time_t last_warning;
    int snapshots; /* connections held by snapshots */
};

/* Process-wide metrics over every pool. */
static atomic_int metric_conns[PC_NSTATES];
static atomic_int metric_waiting;
static atomic_ullong metric_jobs;
static atomic_ullong metric_errors_connection, metric_errors_query, metric_errors_timeout,
    metric_errors_overloaded;
static atomic_int cancels_in_flight;

static void conn_connect(struct pconn *c);
static void conn_take_next(struct pconn *c);
static void conn_broken(struct pconn *c, const char *why);
static void job_finish(struct db_job *job, enum db_status status);
static void cancel_in_background(PGcancel *cancel);
static void dispatch_queue(struct db_pool *p);

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void set_state(struct pconn *c, enum pconn_state s)
{
    if (c->state == s)
        return;
    atomic_fetch_sub(&metric_conns[c->state], 1);
    atomic_fetch_add(&metric_conns[s], 1);
    c->state = s;
}

static void arm(struct event *ev, uint64_t ns)
{
    struct timeval tv = {(time_t)(ns / 1000000000u), (suseconds_t)((ns % 1000000000u) / 1000)};
    evtimer_add(ev, &tv);
}

static int depth_of(const struct db_pool *p)
{
    return p->cfg.pipeline_depth > 0 ? p->cfg.pipeline_depth : 1;
}

static bool conn_alive(const struct pconn *c)
{
    return c->state == PC_CHECKING || c->state == PC_IDLE || c->state == PC_BUSY ||
           c->state == PC_DRAINING;
}

/* A connection that takes new jobs now (a snapshot's connection takes only its jobs). */
static bool conn_open_for_jobs(const struct pconn *c)
{
    return (c->state == PC_IDLE || c->state == PC_BUSY) && c->ring_count < depth_of(c->pool) &&
           c->snapshot == NULL;
}

static bool pool_any_alive(const struct db_pool *p)
{
    for (int i = 0; i < p->cfg.size; i++)
        if (conn_alive(&p->conns[i]))
            return true;
    return false;
}

bool db_pool_up(const struct db_pool *pool)
{
    for (int i = 0; i < pool->cfg.size; i++)
        if (pool->conns[i].state == PC_IDLE || pool->conns[i].state == PC_BUSY)
            return true;
    return false;
}

static void warn_limited(struct db_pool *p, const char *what, const char *detail)
{
    time_t now = time(NULL);
    if (now - p->last_warning < 10)
        return;
    p->last_warning = now;
    char msg[512];
    snprintf(msg, sizeof msg, "%s: %s", what, detail ? detail : "");
    /* libpq messages span lines; keep the log line one line. */
    for (char *q = msg; *q; q++)
        if (*q == '\n' || *q == '\t')
            *q = ' ';
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == ' ')
        msg[--n] = '\0';
    log_warn("%s", msg);
}

/* ---- the ring of Syncs in flight on a connection ---- */

static struct inflight *ring_at(struct pconn *c, int k)
{
    return &c->ring[(c->ring_head + k) % (depth_of(c->pool) + 1)];
}

static struct inflight *ring_push(struct pconn *c)
{
    struct inflight *f = ring_at(c, c->ring_count++);
    memset(f, 0, sizeof *f);
    return f;
}

static struct inflight *ring_front(struct pconn *c)
{
    return c->ring_count ? ring_at(c, 0) : NULL;
}

static void ring_pop(struct pconn *c)
{
    c->ring_head = (c->ring_head + 1) % (depth_of(c->pool) + 1);
    c->ring_count--;
}

/* ---- jobs ---- */

static void job_timer_cb(evutil_socket_t fd, short what, void *arg);

struct db_job *db_job_new(struct db_pool *pool)
{
    struct db_job *job = xcalloc(1, sizeof *job);
    job->pool = pool;
    arena_init(&job->arena);
    job->failed_index = -1;
    job->timer = evtimer_new(pool->base, job_timer_cb, job);
    return job;
}

void db_job_add(struct db_job *job, const struct db_stmt *stmt, int nparams,
                const char *const *values)
{
    if (job->nqueries == DB_MAX_QUERIES || nparams != stmt->nparams || nparams > DB_MAX_PARAMS) {
        log_error("db_job_add: statement %s with %d parameters does not fit the job", stmt->name,
                  nparams);
        abort();
    }
    int i = job->nqueries++;
    job->stmts[i] = stmt;
    job->nparams[i] = nparams;
    job->values[i] = arena_alloc(&job->arena, sizeof(char *) * (size_t)(nparams ? nparams : 1));
    for (int k = 0; k < nparams; k++)
        job->values[i][k] = values[k] ? arena_strdup(&job->arena, values[k]) : NULL;
}

void db_job_add_bytes(struct db_job *job, const struct db_stmt *stmt, int nparams,
                      const char *const *values, int bytes_index, const void *data, size_t len)
{
    if (bytes_index < 0 || bytes_index >= nparams || len > INT_MAX) {
        log_error("db_job_add_bytes: statement %s: bad binary parameter", stmt->name);
        abort();
    }
    const char *copy[DB_MAX_PARAMS];
    for (int k = 0; k < nparams && k < DB_MAX_PARAMS; k++)
        copy[k] = k == bytes_index ? NULL : values[k];
    db_job_add(job, stmt, nparams, copy);
    int i = job->nqueries - 1;
    job->lengths[i] = arena_calloc(&job->arena, sizeof(int) * (size_t)nparams);
    job->formats[i] = arena_calloc(&job->arena, sizeof(int) * (size_t)nparams);
    job->values[i][bytes_index] = data;
    job->lengths[i][bytes_index] = (int)len;
    job->formats[i][bytes_index] = 1;
}

void db_job_binary_results(struct db_job *job)
{
    job->result_format = 1;
}

static void job_clear_results(struct db_job *job)
{
    for (int i = 0; i < job->nqueries; i++)
        if (job->results[i]) {
            PQclear(job->results[i]);
            job->results[i] = NULL;
        }
    job->status = DB_OK;
    job->sqlstate[0] = '\0';
    job->message = job->constraint = NULL;
    job->failed_index = -1;
}

static void job_free(struct db_job *job)
{
    job_clear_results(job);
    event_free(job->timer);
    arena_free(&job->arena);
    free(job);
}

static void queue_remove(struct db_job *job)
{
    if (!job->queued)
        return;
    TAILQ_REMOVE(&job->pool->queue, job, link);
    job->pool->queued--;
    job->queued = false;
    atomic_fetch_sub(&metric_waiting, 1);
}

static void queue_insert(struct db_job *job, bool front)
{
    struct db_pool *p = job->pool;
    if (front)
        TAILQ_INSERT_HEAD(&p->queue, job, link);
    else
        TAILQ_INSERT_TAIL(&p->queue, job, link);
    job->queued = true;
    p->queued++;
    atomic_fetch_add(&metric_waiting, 1);
}

/* Detaches a job from the connection slot that carries it (its results will be dropped). */
static void job_detach(struct db_job *job)
{
    if (job->slot) {
        job->slot->job = NULL;
        job->slot = NULL;
    }
    job->conn = NULL;
}

static void job_finish(struct db_job *job, enum db_status status)
{
    evtimer_del(job->timer);
    queue_remove(job);
    job_detach(job);
    if (status != DB_OK)
        job->status = status;
    switch (job->status) {
    case DB_ERROR:
        atomic_fetch_add(&metric_errors_query, 1);
        break;
    case DB_UNAVAILABLE:
        atomic_fetch_add(&metric_errors_connection, 1);
        break;
    case DB_TIMEOUT:
        atomic_fetch_add(&metric_errors_timeout, 1);
        break;
    case DB_OVERLOADED:
        atomic_fetch_add(&metric_errors_overloaded, 1);
        break;
    default:
        break;
    }
    if (job->done)
        job->done(job, job->arg);
    job_free(job);
}

/* Fails a job that never ran, from the event loop rather than inside db_job_run, so that
 * callers never see their callback run before db_job_run returns. */
static void job_fail_soon(struct db_job *job, enum db_status status)
{
    job->failing = true;
    job->fail_with = status;
    arm(job->timer, 0);
}

/* Stops waiting for a job that is on the wire. If it is the statement the server is working
 * on, ask the server to cancel it and hold the connection back until the rest returns. */
static void abandon_inflight(struct db_job *job, bool cancel)
{
    struct pconn *c = job->conn;
    bool at_head = c && ring_front(c) && ring_front(c)->job == job;
    job_detach(job);
    if (c == NULL || !at_head || !cancel)
        return;
    set_state(c, PC_DRAINING);
    PGcancel *pc = PQgetCancel(c->pg);
    if (pc != NULL)
        cancel_in_background(pc);
    arm(c->timer, 3000000000u);
}

static void job_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct db_job *job = arg;
    if (job->failing) {
        job_finish(job, job->fail_with);
        return;
    }
    if (job->queued) {
        bool deadline = now_ns() >= job->deadline_ns;
        job_finish(job, deadline ? DB_TIMEOUT : DB_OVERLOADED);
        return;
    }
    abandon_inflight(job, true);
    job_finish(job, DB_TIMEOUT);
}

static void *cancel_thread(void *arg)
{
    PGcancel *cancel = arg;
    char err[256];
    if (!PQcancel(cancel, err, sizeof err))
        log_debug("cancel request failed: %s", err);
    PQfreeCancel(cancel);
    atomic_fetch_sub(&cancels_in_flight, 1);
    return NULL;
}

/* PQcancel blocks on its own connection to the server; it must never run on a loop. */
static void cancel_in_background(PGcancel *cancel)
{
    if (atomic_fetch_add(&cancels_in_flight, 1) >= 4) {
        atomic_fetch_sub(&cancels_in_flight, 1);
        PQfreeCancel(cancel);
        return;
    }
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, cancel_thread, cancel) != 0) {
        atomic_fetch_sub(&cancels_in_flight, 1);
        PQfreeCancel(cancel);
    }
    pthread_attr_destroy(&attr);
}

void db_job_cancel(struct db_job *job)
{
    job->done = NULL;
    if (!job->queued && !job->failing)
        abandon_inflight(job, false);
    job_finish(job, DB_CANCELLED);
}

enum db_status db_job_status(const struct db_job *job)
{
    return job->status;
}

const char *db_job_sqlstate(const struct db_job *job)
{
    return job->sqlstate;
}

const char *db_job_message(const struct db_job *job)
{
    return job->message ? job->message : "";
}

const char *db_job_constraint(const struct db_job *job)
{
    return job->constraint ? job->constraint : "";
}

int db_job_failed_index(const struct db_job *job)
{
    return job->failed_index;
}

int db_job_nresults(const struct db_job *job)
{
    return job->nqueries;
}

PGresult *db_job_result(const struct db_job *job, int i)
{
    return i >= 0 && i < job->nqueries ? job->results[i] : NULL;
}

/* ---- sending and receiving ---- */

static bool conn_flush(struct pconn *c)
{
    int r = PQflush(c->pg);
    if (r == 1)
        event_add(c->write_ev, NULL);
    if (r < 0) {
        conn_broken(c, PQerrorMessage(c->pg));
        return false;
    }
    return true;
}

/* Writes queued by callbacks of this loop iteration leave together, in one flush. */
static void flush_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pconn *c = arg;
    if (c->pg != NULL)
        conn_flush(c);
}

static void record_error(struct db_job *job, PGresult *res, int index)
{
    if (job == NULL || job->status == DB_ERROR)
        return;
    job->status = DB_ERROR;
    job->failed_index = index;
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    snprintf(job->sqlstate, sizeof job->sqlstate, "%s", state ? state : "XX000");
    const char *msg = PQresultErrorMessage(res);
    job->message = arena_strdup(&job->arena, msg ? msg : "");
    const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    job->constraint = arena_strdup(&job->arena, constraint ? constraint : "");
}

/* Sends a job's PREPAREs first (they do not fail unless the SQL is broken, so a failing
 * statement cannot skip a PREPARE that a job pipelined behind it relies on), then its
 * statements, then the Sync. */
static bool send_job(struct pconn *c, struct db_job *job, struct inflight *f)
{
    for (int i = 0; i < job->nqueries; i++) {
        const struct db_stmt *st = job->stmts[i];
        if (c->prepared[st->id])
            continue;
        if (!PQsendPrepare(c->pg, st->name, st->sql, st->nparams, NULL))
            return false;
        c->prepared[st->id] = true; /* undone if the PREPARE fails */
        f->expect[f->nexpect++] = (struct expect){EXPECT_PREPARE, st->id};
    }
    for (int i = 0; i < job->nqueries; i++) {
        const struct db_stmt *st = job->stmts[i];
        if (!PQsendQueryPrepared(c->pg, st->name, job->nparams[i], job->values[i], job->lengths[i],
                                 job->formats[i], job->result_format))
            return false;
        f->expect[f->nexpect++] = (struct expect){EXPECT_EXEC, i};
    }
    return PQpipelineSync(c->pg) == 1;
}

/* Sends sql (no parameters, no result wanted) as a pipeline of its own. */
static bool send_plain(struct pconn *c, const char *sql)
{
    struct inflight *f = ring_push(c);
    f->expect[f->nexpect++] = (struct expect){EXPECT_EXEC, 0};
    return PQsendQueryParams(c->pg, sql, 0, NULL, NULL, NULL, NULL, 0) == 1 &&
           PQpipelineSync(c->pg) == 1;
}

/* The first job of a snapshot takes c: the transaction begins in a pipeline of its own, as
 * the isolation level must be set before the job's PREPAREs take a snapshot. */
static bool snapshot_attach(struct pconn *c, struct db_snapshot *snap)
{
    snap->conn = c;
    c->snapshot = snap;
    c->pool->snapshots++;
    return send_plain(c, snap->write ? "BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE"
                                     : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

static void conn_start_job(struct pconn *c, struct db_job *job)
{
    if (c->ring_count == 0)
        c->head_since_ns = now_ns();
    if (job->snap && job->snap->conn == NULL && !snapshot_attach(c, job->snap)) {
        conn_broken(c, PQerrorMessage(c->pg));
        job_fail_soon(job, DB_UNAVAILABLE);
        return;
    }
    struct inflight *f = ring_push(c);
    f->job = job;
    job->conn = c;
    job->slot = f;
    job->attempts++;
    set_state(c, PC_BUSY);
    atomic_fetch_add(&metric_jobs, 1);
    uint64_t now = now_ns();
    evtimer_del(job->timer);
    arm(job->timer, job->deadline_ns > now ? job->deadline_ns - now : 0);
    if (!send_job(c, job, f)) {
        conn_broken(c, PQerrorMessage(c->pg));
        return;
    }
    event_active(c->flush_ev, EV_WRITE, 0);
}

static void handle_result(struct pconn *c, struct inflight *f, PGresult *res)
{
    struct expect *e = &f->expect[f->cursor];
    ExecStatusType st = PQresultStatus(res);
    struct db_job *job = f->job;
    switch (e->kind) {
    case EXPECT_PREPARE:
        if (st != PGRES_COMMAND_OK) {
            c->prepared[e->index] = false;
            if (st == PGRES_FATAL_ERROR)
                record_error(job, res, -1);
        }
        PQclear(res);
        break;
    case EXPECT_EXEC:
        if (st == PGRES_FATAL_ERROR) {
            record_error(job, res, e->index);
            /* A statement a concurrent job was to prepare is missing: prepare it again. */
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            if (state && strcmp(state, "26000") == 0 && job)
                c->prepared[job->stmts[e->index]->id] = false;
        }
        if (job != NULL && job->results[e->index] == NULL)
            job->results[e->index] = res;
        else
            PQclear(res);
        break;
    case EXPECT_CHECK:
        if (c->pool->cfg.check_fn)
            c->pool->cfg.check_fn(res, c->pool->cfg.check_arg);
        PQclear(res);
        break;
    }
}

/* The Sync of the oldest pipeline arrived. */
static void pipeline_done(struct pconn *c)
{
    struct inflight *f = ring_front(c);
    struct db_job *job = f->job;
    bool check = f->check;
    ring_pop(c);
    c->head_since_ns = now_ns();
    if (check) {
        c->pool->last_connect_failed = false;
        evtimer_del(c->timer);
    }
    if (c->ring_count == 0) {
        if (c->state == PC_DRAINING || check)
            evtimer_del(c->timer);
        set_state(c, PC_IDLE);
    }
    if (job != NULL) {
        job->slot = NULL;
        job->conn = NULL;
        bool retry = job->status == DB_ERROR && strcmp(job->sqlstate, "26000") == 0 &&
                     (job->flags & DB_RETRY_SAFE) && job->attempts < 2 && job->snap == NULL;
        if (retry) {
            job_clear_results(job);
            queue_insert(job, true);
        } else {
            job_finish(job, DB_OK);
        }
    }
    if (c->state == PC_IDLE || c->state == PC_BUSY)
        conn_take_next(c);
}

static void collect(struct pconn *c)
{
    while (c->pg != NULL && c->ring_count > 0 && !PQisBusy(c->pg)) {
        struct inflight *f = ring_front(c);
        PGresult *res = PQgetResult(c->pg);
        if (res == NULL) {
            if (f->cursor < f->nexpect) {
                f->cursor++;
                continue;
            }
            return;
        }
        if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            pipeline_done(c);
            continue;
        }
        if (f->cursor >= f->nexpect) {
            PQclear(res); /* nothing asked for it */
            continue;
        }
        handle_result(c, f, res);
    }
}

static void io_read_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pconn *c = arg;
    if (!PQconsumeInput(c->pg) || PQstatus(c->pg) == CONNECTION_BAD) {
        conn_broken(c, PQerrorMessage(c->pg));
        return;
    }
    if (c->ring_count > 0) {
        collect(c);
        if (c->pg != NULL && conn_alive(c))
            conn_flush(c);
        return;
    }
    /* An idle connection has nothing to say; drain notices or a FATAL before a close. */
    PGresult *res;
    while (!PQisBusy(c->pg) && (res = PQgetResult(c->pg)) != NULL)
        PQclear(res);
}

static void io_write_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    conn_flush(arg);
}

/* ---- connection lifecycle ---- */

static void conn_close(struct pconn *c)
{
    if (c->snapshot) {
        c->snapshot->conn = NULL;
        c->snapshot->lost = true;
        c->snapshot = NULL;
        c->pool->snapshots--;
    }
    if (c->sock_ev) {
        event_free(c->sock_ev);
        c->sock_ev = NULL;
    }
    if (c->write_ev) {
        event_free(c->write_ev);
        c->write_ev = NULL;
    }
    if (c->pg) {
        PQfinish(c->pg);
        c->pg = NULL;
    }
    event_del(c->flush_ev);
    evtimer_del(c->timer);
}

static void fail_queue(struct db_pool *p, enum db_status status)
{
    while (!TAILQ_EMPTY(&p->queue))
        job_finish(TAILQ_FIRST(&p->queue), status);
}

static void schedule_reconnect(struct pconn *c)
{
    int max = c->pool->cfg.reconnect_max_ms;
    c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : 100;
    if (c->backoff_ms > max)
        c->backoff_ms = max;
    /* Up to a quarter of jitter so that the connections of all workers do not stampede. */
    int jitter = c->backoff_ms / 4 ? rand() % (c->backoff_ms / 4) : 0;
    set_state(c, PC_DISCONNECTED);
    arm(c->timer, (uint64_t)(c->backoff_ms + jitter) * 1000000u);
}

/* A connection attempt failed. */
static void conn_failed(struct pconn *c, const char *why)
{
    struct db_pool *p = c->pool;
    warn_limited(p, "database connection failed", why);
    conn_close(c);
    p->last_connect_failed = true;
    schedule_reconnect(c);
    if (!pool_any_alive(p))
        fail_queue(p, DB_UNAVAILABLE);
}

/* Takes the jobs off a dead connection: reads go back to the queue once, writes fail (their
 * commit may have happened; only the client's Idempotency-Key can tell). */
static void rescue_inflight(struct pconn *c)
{
    struct db_pool *p = c->pool;
    struct db_job *again[2 * DB_MAX_QUERIES];
    int nagain = 0;
    while (c->ring_count > 0) {
        struct db_job *job = ring_front(c)->job;
        ring_pop(c);
        if (job == NULL)
            continue;
        job->slot = NULL;
        job->conn = NULL;
        job_clear_results(job);
        if ((job->flags & DB_RETRY_SAFE) && job->attempts < 2 && !p->freeing && job->snap == NULL &&
            nagain < (int)(sizeof again / sizeof again[0]))
            again[nagain++] = job;
        else
            job_finish(job, DB_UNAVAILABLE);
    }
    /* Oldest first at the head of the queue. */
    for (int i = nagain - 1; i >= 0; i--)
        queue_insert(again[i], true);
}

/* An established connection died (server restart, network, terminated backend). */
static void conn_broken(struct pconn *c, const char *why)
{
    struct db_pool *p = c->pool;
    warn_limited(p, "database connection lost", why);
    conn_close(c);
    set_state(c, PC_DISCONNECTED);
    c->backoff_ms = 0;
    arm(c->timer, 0);
    rescue_inflight(c);
    if (!p->freeing)
        dispatch_queue(p);
}

static void notice_cb(void *arg, const char *message)
{
    (void)arg;
    log_debug("postgres notice: %s", message);
}

static void conn_connected(struct pconn *c)
{
    struct db_pool *p = c->pool;
    if (c->sock_ev) {
        event_free(c->sock_ev);
        c->sock_ev = NULL;
    }
    evtimer_del(c->timer);
    c->backoff_ms = 0;
    PQsetNoticeProcessor(c->pg, notice_cb, NULL);
    if (PQsetnonblocking(c->pg, 1) != 0 || PQenterPipelineMode(c->pg) != 1) {
        conn_failed(c, PQerrorMessage(c->pg));
        return;
    }
    int fd = PQsocket(c->pg);
    c->sock_ev = event_new(p->base, fd, EV_READ | EV_PERSIST, io_read_cb, c);
    c->write_ev = event_new(p->base, fd, EV_WRITE, io_write_cb, c);
    event_add(c->sock_ev, NULL);
    memset(c->prepared, 0, sizeof(bool) * (size_t)(db_stmt_count() + 1));
    c->ring_head = c->ring_count = 0;
    if (p->cfg.check_stmt == NULL) {
        p->last_connect_failed = false;
        set_state(c, PC_IDLE);
        conn_take_next(c);
        return;
    }
    set_state(c, PC_CHECKING);
    const struct db_stmt *st = p->cfg.check_stmt;
    struct inflight *f = ring_push(c);
    f->check = true;
    if (!PQsendPrepare(c->pg, st->name, st->sql, 0, NULL) ||
        !PQsendQueryPrepared(c->pg, st->name, 0, NULL, NULL, NULL, 0) ||
        PQpipelineSync(c->pg) != 1) {
        conn_broken(c, PQerrorMessage(c->pg));
        return;
    }
    c->prepared[st->id] = true;
    f->expect[f->nexpect++] = (struct expect){EXPECT_PREPARE, st->id};
    f->expect[f->nexpect++] = (struct expect){EXPECT_CHECK, 0};
    arm(c->timer, (uint64_t)p->cfg.connect_timeout_ms * 1000000u);
    conn_flush(c);
}

static void connect_poll_cb(evutil_socket_t fd, short what, void *arg);

static void connect_wait(struct pconn *c, PostgresPollingStatusType want)
{
    if (c->sock_ev)
        event_free(c->sock_ev);
    c->sock_ev = event_new(c->pool->base, PQsocket(c->pg),
                           want == PGRES_POLLING_READING ? EV_READ : EV_WRITE, connect_poll_cb, c);
    event_add(c->sock_ev, NULL);
}

static void connect_poll_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pconn *c = arg;
    PostgresPollingStatusType r = PQconnectPoll(c->pg);
    if (r == PGRES_POLLING_OK)
        conn_connected(c);
    else if (r == PGRES_POLLING_FAILED)
        conn_failed(c, PQerrorMessage(c->pg));
    else
        connect_wait(c, r);
}

static void conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pconn *c = arg;
    switch (c->state) {
    case PC_DISCONNECTED:
        conn_connect(c);
        break;
    case PC_CONNECTING:
        conn_failed(c, "timed out connecting");
        break;
    case PC_CHECKING:
    case PC_DRAINING:
        /* No answer within the grace period: the server is frozen or far away. */
        conn_broken(c, "no answer from the server");
        break;
    case PC_IDLE:
    case PC_BUSY:
    case PC_NSTATES:
        break;
    }
}

static void conn_connect(struct pconn *c)
{
    struct db_pool *p = c->pool;
    const char *keys[] = {"dbname",
                          "options",
                          "fallback_application_name",
                          "keepalives",
                          "keepalives_idle",
                          "keepalives_interval",
                          "keepalives_count",
                          NULL};
    const char *vals[] = {p->conninfo, p->options, "sikud", "1", "30", "10", "3", NULL};
    set_state(c, PC_CONNECTING);
    c->pg = PQconnectStartParams(keys, vals, 1);
    if (c->pg == NULL || PQstatus(c->pg) == CONNECTION_BAD) {
        conn_failed(c, c->pg ? PQerrorMessage(c->pg) : "out of memory");
        return;
    }
    arm(c->timer, (uint64_t)p->cfg.connect_timeout_ms * 1000000u);
    connect_wait(c, PGRES_POLLING_WRITING);
}

/* Snapshots may hold all connections but one, so that other requests keep moving while
 * exports run. */
static bool snapshot_may_start(const struct db_job *job)
{
    const struct db_pool *p = job->pool;
    int limit = p->cfg.size > 1 ? p->cfg.size - 1 : 1;
    return job->snap == NULL || job->snap->conn != NULL || p->snapshots < limit;
}

/* The first queued job that may start now: in order, but a snapshot that must wait for a
 * held connection to come back does not hold up the jobs behind it. */
static struct db_job *queue_next(struct db_pool *p)
{
    for (struct db_job *job = TAILQ_FIRST(&p->queue); job != NULL; job = TAILQ_NEXT(job, link))
        if (snapshot_may_start(job))
            return job;
    return NULL;
}

/* Sends queued jobs on c while it has room. */
static void conn_take_next(struct pconn *c)
{
    struct db_pool *p = c->pool;
    struct db_job *job;
    while (conn_open_for_jobs(c) && (job = queue_next(p)) != NULL) {
        queue_remove(job);
        if ((job->flags & DB_NEEDS_SCHEMA) && p->cfg.schema_current && !p->cfg.schema_current()) {
            job_finish(job, DB_SCHEMA_BEHIND);
            continue;
        }
        conn_start_job(c, job);
    }
}

/* A connection whose oldest job has run this long is stuck behind a slow statement: new
 * jobs go elsewhere when they can, so that one slow query does not hold up the rest. */
#define STALL_NS 20000000u

/* The connection that should take the next job, or NULL: the fewest jobs in flight among
 * those that are not stalled, else among all that have room. */
static struct pconn *least_loaded(struct db_pool *p)
{
    struct pconn *best = NULL, *best_stalled = NULL;
    uint64_t now = 0;
    for (int i = 0; i < p->cfg.size; i++) {
        struct pconn *c = &p->conns[i];
        if (!conn_open_for_jobs(c))
            continue;
        if (c->ring_count > 0 && now == 0)
            now = now_ns();
        bool stalled = c->ring_count > 0 && now - c->head_since_ns > STALL_NS;
        struct pconn **slot = stalled ? &best_stalled : &best;
        if (*slot == NULL || c->ring_count < (*slot)->ring_count)
            *slot = c;
    }
    return best ? best : best_stalled;
}

static void dispatch_queue(struct db_pool *p)
{
    struct pconn *c;
    while (!TAILQ_EMPTY(&p->queue) && (c = least_loaded(p)) != NULL) {
        int before = p->queued;
        conn_take_next(c);
        if (p->queued == before)
            break;
    }
}

/* ---- the pool ---- */

/* Session settings go into the startup packet's options: a reset would drop a SET. */
static char *build_options(const struct db_pool_config *cfg)
{
    char *user_options = NULL;
    PQconninfoOption *opts = PQconninfoParse(cfg->conninfo, NULL);
    if (opts) {
        for (PQconninfoOption *o = opts; o->keyword; o++)
            if (strcmp(o->keyword, "options") == 0 && o->val)
                user_options = xstrdup(o->val);
        PQconninfoFree(opts);
    }
    char buf[1024];
    snprintf(buf, sizeof buf,
             "%s%s-c statement_timeout=%d -c idle_in_transaction_session_timeout=60000 "
             "-c lock_timeout=%d -c TimeZone=Asia/Shanghai -c client_encoding=UTF8",
             user_options ? user_options : "", user_options ? " " : "", cfg->statement_timeout_ms,
             cfg->statement_timeout_ms);
    free(user_options);
    return xstrdup(buf);
}

struct db_pool *db_pool_new(struct event_base *base, const struct db_pool_config *cfg)
{
    struct db_pool *p = xcalloc(1, sizeof *p);
    p->base = base;
    p->cfg = *cfg;
    p->conninfo = xstrdup(cfg->conninfo);
    p->cfg.conninfo = p->conninfo;
    p->options = build_options(cfg);
    TAILQ_INIT(&p->queue);
    p->conns = xcalloc((size_t)cfg->size, sizeof *p->conns);
    for (int i = 0; i < cfg->size; i++) {
        struct pconn *c = &p->conns[i];
        c->pool = p;
        c->state = PC_DISCONNECTED;
        atomic_fetch_add(&metric_conns[PC_DISCONNECTED], 1);
        c->timer = evtimer_new(base, conn_timer_cb, c);
        c->flush_ev = event_new(base, -1, 0, flush_cb, c);
        c->prepared = xcalloc((size_t)(db_stmt_count() + 1), sizeof(bool));
        c->ring = xcalloc((size_t)depth_of(p) + 1, sizeof *c->ring);
        conn_connect(c);
    }
    return p;
}

void db_pool_free(struct db_pool *p)
{
    p->freeing = true;
    fail_queue(p, DB_CANCELLED);
    for (int i = 0; i < p->cfg.size; i++) {
        struct pconn *c = &p->conns[i];
        while (c->ring_count > 0) {
            struct db_job *job = ring_front(c)->job;
            ring_pop(c);
            if (job) {
                job->slot = NULL;
                job->conn = NULL;
                job_finish(job, DB_CANCELLED);
            }
        }
    }
    /* Callbacks above may have queued new work; refuse it too. */
    fail_queue(p, DB_CANCELLED);
    for (int i = 0; i < p->cfg.size; i++) {
        struct pconn *c = &p->conns[i];
        conn_close(c);
        event_free(c->timer);
        event_free(c->flush_ev);
        free(c->prepared);
        free(c->ring);
        atomic_fetch_sub(&metric_conns[c->state], 1);
    }
    free(p->conns);
    free(p->conninfo);
    free(p->options);
    free(p);
}

void db_job_run(struct db_job *job, int deadline_ms, unsigned flags, db_done_fn done, void *arg)
{
    struct db_pool *p = job->pool;
    job->done = done;
    job->arg = arg;
    job->flags = flags;
    uint64_t now = now_ns();
    job->deadline_ns = now + (uint64_t)deadline_ms * 1000000u;
    if (p->freeing) {
        job_fail_soon(job, DB_CANCELLED);
        return;
    }
    if (job->nqueries == 0) {
        job_fail_soon(job, DB_OK);
        return;
    }
    if (job->snap && (job->snap->lost || job->snap->conn)) {
        /* A snapshot's later job: on its connection or nowhere. */
        struct pconn *held = job->snap->conn;
        if (held == NULL || (held->state != PC_IDLE && held->state != PC_BUSY))
            job_fail_soon(job, DB_UNAVAILABLE);
        else if ((flags & DB_NEEDS_SCHEMA) && p->cfg.schema_current && !p->cfg.schema_current())
            job_fail_soon(job, DB_SCHEMA_BEHIND);
        else
            conn_start_job(held, job);
        return;
    }
    /* Straight to a connection unless a job that could start is waiting (FIFO); a snapshot
     * waiting for a held connection to come back does not count. */
    struct pconn *c = queue_next(p) == NULL && snapshot_may_start(job) ? least_loaded(p) : NULL;
    if (c != NULL) {
        if ((flags & DB_NEEDS_SCHEMA) && p->cfg.schema_current && !p->cfg.schema_current()) {
            job_fail_soon(job, DB_SCHEMA_BEHIND);
            return;
        }
        conn_start_job(c, job);
        return;
    }
    if (!pool_any_alive(p) && p->last_connect_failed) {
        job_fail_soon(job, DB_UNAVAILABLE);
        return;
    }
    if (p->queued >= p->cfg.queue_max) {
        job_fail_soon(job, DB_OVERLOADED);
        return;
    }
    queue_insert(job, false);
    uint64_t wait = (uint64_t)p->cfg.queue_timeout_ms * 1000000u;
    uint64_t left = job->deadline_ns - now;
    arm(job->timer, wait < left ? wait : left);
}

/* ---- snapshots ---- */

struct db_snapshot *db_snapshot_new(struct db_pool *pool)
{
    struct db_snapshot *snap = xcalloc(1, sizeof *snap);
    snap->pool = pool;
    return snap;
}

struct db_snapshot *db_session_new(struct db_pool *pool)
{
    struct db_snapshot *snap = db_snapshot_new(pool);
    snap->write = true;
    return snap;
}

struct db_job *db_snapshot_job(struct db_snapshot *snap)
{
    struct db_job *job = db_job_new(snap->pool);
    job->snap = snap;
    return job;
}

void db_snapshot_end(struct db_snapshot *snap)
{
    struct pconn *c = snap->conn;
    free(snap);
    if (c == NULL)
        return;
    c->snapshot = NULL;
    c->pool->snapshots--;
    if (c->pool->freeing)
        return; /* the connection is about to close, which ends the transaction */
    if (c->ring_count == 0)
        c->head_since_ns = now_ns();
    /* A session whose last job committed has no transaction left to end. */
    if (c->ring_count == 0 && PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
        dispatch_queue(c->pool);
        return;
    }
    /* Pipelined behind whatever is still in flight (a cancelled statement while draining):
     * the transaction ends before any other job can reach the connection. */
    if (!send_plain(c, "ROLLBACK")) {
        conn_broken(c, PQerrorMessage(c->pg));
        return;
    }
    set_state(c, c->state == PC_IDLE ? PC_BUSY : c->state);
    event_active(c->flush_ev, EV_WRITE, 0);
    dispatch_queue(c->pool); /* the connection, and a waiting snapshot's turn */
}

void db_metrics_write(struct evbuffer *out)
{
    evbuffer_add_printf(out, "# HELP siku_db_pool_connections Database connections by state.\n"
                             "# TYPE siku_db_pool_connections gauge\n");
    for (int s = 0; s < PC_NSTATES; s++)
        evbuffer_add_printf(out, "siku_db_pool_connections{state=\"%s\"} %d\n",
                            pconn_state_names[s], atomic_load(&metric_conns[s]));
    evbuffer_add_printf(out,
                        "# HELP siku_db_pool_waiting Requests waiting for a connection.\n"
                        "# TYPE siku_db_pool_waiting gauge\nsiku_db_pool_waiting %d\n"
                        "# HELP siku_db_jobs_total Database jobs started.\n"
                        "# TYPE siku_db_jobs_total counter\nsiku_db_jobs_total %llu\n",
                        atomic_load(&metric_waiting), atomic_load(&metric_jobs));
    evbuffer_add_printf(out,
                        "# HELP siku_db_errors_total Database failures by kind.\n"
                        "# TYPE siku_db_errors_total counter\n"
                        "siku_db_errors_total{kind=\"connection\"} %llu\n"
                        "siku_db_errors_total{kind=\"query\"} %llu\n"
                        "siku_db_errors_total{kind=\"timeout\"} %llu\n"
                        "siku_db_errors_total{kind=\"overloaded\"} %llu\n",
                        atomic_load(&metric_errors_connection), atomic_load(&metric_errors_query),
                        atomic_load(&metric_errors_timeout),
                        atomic_load(&metric_errors_overloaded));
}
