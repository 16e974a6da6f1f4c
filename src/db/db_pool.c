/* The asynchronous connection pool. Each connection runs in pipeline mode: a job's
 * statements (and the PREPAREs it still needs) go out in one flush and end in one Sync, so
 * a job is one round trip and one transaction. Every state change of a connection goes
 * through set_state(); every end of a job goes through job_finish(). */
#include "db/db_pool.h"

#include "core/arena.h"
#include "core/log.h"
#include "core/xmalloc.h"

#include <event2/buffer.h>
#include <event2/event.h>
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
    PC_IDLE,
    PC_BUSY,
    PC_CANCELLING, /* its job timed out; draining the rest of the pipeline */
    PC_NSTATES,
};

static const char *const pconn_state_names[PC_NSTATES] = {
    "disconnected", "connecting", "checking", "idle", "busy", "cancelling"};

enum expect_kind { EXPECT_PREPARE, EXPECT_EXEC, EXPECT_CHECK };

struct expect {
    enum expect_kind kind;
    int index; /* statement id for PREPARE, query index for EXEC */
};

struct pconn {
    struct db_pool *pool;
    PGconn *pg;
    enum pconn_state state;
    struct event *sock_ev;
    struct event *write_ev;
    struct event *timer;
    bool *prepared;
    struct db_job *job;
    struct expect expect[2 * DB_MAX_QUERIES + 1];
    int nexpect;
    int cursor;
    int backoff_ms;
};

struct db_job {
    struct db_pool *pool;
    struct arena arena;
    const struct db_stmt *stmts[DB_MAX_QUERIES];
    int nparams[DB_MAX_QUERIES];
    const char **values[DB_MAX_QUERIES];
    int nqueries;
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
    uint64_t queue_deadline_ns;
    bool queued;
    TAILQ_ENTRY(db_job) link;
    struct pconn *conn;
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

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void set_state(struct pconn *c, enum pconn_state s)
{
    atomic_fetch_sub(&metric_conns[c->state], 1);
    atomic_fetch_add(&metric_conns[s], 1);
    c->state = s;
}

static void arm(struct event *ev, uint64_t ns)
{
    struct timeval tv = {(time_t)(ns / 1000000000u), (suseconds_t)((ns % 1000000000u) / 1000)};
    evtimer_add(ev, &tv);
}

static bool conn_alive(const struct pconn *c)
{
    return c->state == PC_CHECKING || c->state == PC_IDLE || c->state == PC_BUSY ||
           c->state == PC_CANCELLING;
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
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    log_warn("%s", msg);
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

static void job_free(struct db_job *job)
{
    for (int i = 0; i < job->nqueries; i++)
        if (job->results[i])
            PQclear(job->results[i]);
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

static void job_finish(struct db_job *job, enum db_status status)
{
    evtimer_del(job->timer);
    queue_remove(job);
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
    struct pconn *c = job->conn;
    if (c != NULL && c->job == job) {
        /* The server is slow or frozen: stop waiting, ask it to cancel, and give the
         * connection a short grace to come back before it is dropped. */
        c->job = NULL;
        set_state(c, PC_CANCELLING);
        PGcancel *cancel = PQgetCancel(c->pg);
        if (cancel != NULL)
            cancel_in_background(cancel);
        arm(c->timer, 3000000000u);
    }
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
    if (job->queued || job->failing) {
        job_finish(job, DB_CANCELLED);
        return;
    }
    struct pconn *c = job->conn;
    if (c != NULL && c->job == job) {
        c->job = NULL;
        set_state(c, PC_CANCELLING);
        arm(c->timer, 3000000000u);
    }
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

static bool send_job(struct pconn *c, struct db_job *job)
{
    c->nexpect = 0;
    c->cursor = 0;
    for (int i = 0; i < job->nqueries; i++) {
        const struct db_stmt *st = job->stmts[i];
        if (!c->prepared[st->id]) {
            if (!PQsendPrepare(c->pg, st->name, st->sql, st->nparams, NULL))
                return false;
            c->prepared[st->id] = true; /* undone below if the PREPARE fails */
            c->expect[c->nexpect++] = (struct expect){EXPECT_PREPARE, st->id};
        }
        if (!PQsendQueryPrepared(c->pg, st->name, job->nparams[i], job->values[i], NULL, NULL, 0))
            return false;
        c->expect[c->nexpect++] = (struct expect){EXPECT_EXEC, i};
    }
    return PQpipelineSync(c->pg) == 1;
}

static void conn_start_job(struct pconn *c, struct db_job *job)
{
    c->job = job;
    job->conn = c;
    job->attempts++;
    set_state(c, PC_BUSY);
    atomic_fetch_add(&metric_jobs, 1);
    uint64_t now = now_ns();
    evtimer_del(job->timer);
    arm(job->timer, job->deadline_ns > now ? job->deadline_ns - now : 0);
    if (!send_job(c, job)) {
        conn_broken(c, PQerrorMessage(c->pg));
        return;
    }
    conn_flush(c);
}

static void handle_result(struct pconn *c, PGresult *res)
{
    struct expect *e = &c->expect[c->cursor];
    ExecStatusType st = PQresultStatus(res);
    struct db_job *job = c->job;
    switch (e->kind) {
    case EXPECT_PREPARE:
        if (st != PGRES_COMMAND_OK) {
            c->prepared[e->index] = false;
            if (st == PGRES_FATAL_ERROR) {
                /* Attribute the failure to the statement this PREPARE was for. */
                int q = c->cursor + 1 < c->nexpect ? c->expect[c->cursor + 1].index : -1;
                record_error(job, res, q);
            }
        }
        PQclear(res);
        break;
    case EXPECT_EXEC:
        if (st == PGRES_FATAL_ERROR)
            record_error(job, res, e->index);
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

/* The Sync of a pipeline arrived: the connection is free again. */
static void pipeline_done(struct pconn *c)
{
    struct db_job *job = c->job;
    c->job = NULL;
    if (c->state == PC_CHECKING)
        c->pool->last_connect_failed = false;
    evtimer_del(c->timer);
    set_state(c, PC_IDLE);
    if (job != NULL)
        job_finish(job, DB_OK);
    if (c->state == PC_IDLE)
        conn_take_next(c);
}

static void collect(struct pconn *c)
{
    while (c->pg != NULL && !PQisBusy(c->pg)) {
        PGresult *res = PQgetResult(c->pg);
        if (res == NULL) {
            if (c->cursor < c->nexpect) {
                c->cursor++;
                continue;
            }
            return;
        }
        if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            pipeline_done(c);
            return;
        }
        if (c->cursor >= c->nexpect) {
            PQclear(res); /* nothing asked for it */
            continue;
        }
        handle_result(c, res);
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
    if (c->state == PC_BUSY || c->state == PC_CHECKING || c->state == PC_CANCELLING) {
        collect(c);
        if (c->pg != NULL && PQisnonblocking(c->pg) && c->state != PC_IDLE &&
            c->state != PC_DISCONNECTED)
            conn_flush(c);
    } else {
        /* An idle connection has nothing to say; drain notices or a FATAL before close. */
        PGresult *res;
        while (!PQisBusy(c->pg) && (res = PQgetResult(c->pg)) != NULL)
            PQclear(res);
    }
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

/* An established connection died (server restart, network, terminated backend). */
static void conn_broken(struct pconn *c, const char *why)
{
    struct db_pool *p = c->pool;
    struct db_job *job = c->job;
    c->job = NULL;
    warn_limited(p, "database connection lost", why);
    conn_close(c);
    set_state(c, PC_DISCONNECTED);
    c->backoff_ms = 0;
    arm(c->timer, 0);
    if (job != NULL) {
        job->conn = NULL;
        for (int i = 0; i < job->nqueries; i++)
            if (job->results[i]) {
                PQclear(job->results[i]);
                job->results[i] = NULL;
            }
        job->status = DB_OK;
        job->sqlstate[0] = '\0';
        job->message = job->constraint = NULL;
        job->failed_index = -1;
        if ((job->flags & DB_RETRY_SAFE) && job->attempts < 2 && !p->freeing) {
            /* A read may be re-sent on another connection. Writes are not: their commit
             * may have happened, and only the client's Idempotency-Key can tell. */
            TAILQ_INSERT_HEAD(&p->queue, job, link);
            job->queued = true;
            p->queued++;
            atomic_fetch_add(&metric_waiting, 1);
            for (int i = 0; i < p->cfg.size; i++)
                if (p->conns[i].state == PC_IDLE) {
                    conn_take_next(&p->conns[i]);
                    break;
                }
        } else {
            job_finish(job, DB_UNAVAILABLE);
        }
    }
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
    memset(c->prepared, 0, sizeof(bool) * (size_t)db_stmt_count());
    if (p->cfg.check_stmt == NULL) {
        p->last_connect_failed = false;
        set_state(c, PC_IDLE);
        conn_take_next(c);
        return;
    }
    /* The check statement is sent unprepared-then-prepared like any other. */
    set_state(c, PC_CHECKING);
    const struct db_stmt *st = p->cfg.check_stmt;
    c->nexpect = 0;
    c->cursor = 0;
    if (!PQsendPrepare(c->pg, st->name, st->sql, 0, NULL) ||
        !PQsendQueryPrepared(c->pg, st->name, 0, NULL, NULL, NULL, 0) ||
        PQpipelineSync(c->pg) != 1) {
        conn_broken(c, PQerrorMessage(c->pg));
        return;
    }
    c->prepared[st->id] = true;
    c->expect[c->nexpect++] = (struct expect){EXPECT_PREPARE, st->id};
    c->expect[c->nexpect++] = (struct expect){EXPECT_CHECK, 0};
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
    case PC_CANCELLING:
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

static void conn_take_next(struct pconn *c)
{
    struct db_pool *p = c->pool;
    while (c->state == PC_IDLE && !TAILQ_EMPTY(&p->queue)) {
        struct db_job *job = TAILQ_FIRST(&p->queue);
        queue_remove(job);
        if ((job->flags & DB_NEEDS_SCHEMA) && p->cfg.schema_current && !p->cfg.schema_current()) {
            job_finish(job, DB_SCHEMA_BEHIND);
            continue;
        }
        conn_start_job(c, job);
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
        c->prepared = xcalloc((size_t)(db_stmt_count() + 1), sizeof(bool));
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
        struct db_job *job = c->job;
        c->job = NULL;
        if (job)
            job_finish(job, DB_CANCELLED);
    }
    /* Callbacks above may have queued new work; refuse it too. */
    fail_queue(p, DB_CANCELLED);
    for (int i = 0; i < p->cfg.size; i++) {
        struct pconn *c = &p->conns[i];
        conn_close(c);
        event_free(c->timer);
        free(c->prepared);
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
    for (int i = 0; i < p->cfg.size; i++)
        if (p->conns[i].state == PC_IDLE) {
            if ((flags & DB_NEEDS_SCHEMA) && p->cfg.schema_current && !p->cfg.schema_current()) {
                job_fail_soon(job, DB_SCHEMA_BEHIND);
                return;
            }
            conn_start_job(&p->conns[i], job);
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
    TAILQ_INSERT_TAIL(&p->queue, job, link);
    job->queued = true;
    p->queued++;
    atomic_fetch_add(&metric_waiting, 1);
    uint64_t wait = (uint64_t)p->cfg.queue_timeout_ms * 1000000u;
    uint64_t left = job->deadline_ns - now;
    arm(job->timer, wait < left ? wait : left);
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
