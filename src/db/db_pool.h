/* A worker's pool of non-blocking libpq connections driven by its event loop. A job is a
 * group of prepared statements sent as one pipeline ending in a single Sync, so its
 * statements run in one transaction: they commit together or not at all. */
#ifndef SIKU_DB_POOL_H
#define SIKU_DB_POOL_H

#include "db/db_stmt.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct evbuffer;
struct db_pool;
struct db_job;

#define DB_MAX_QUERIES 24
#define DB_MAX_PARAMS  48

enum db_status {
    DB_OK,
    DB_ERROR,         /* a statement failed; see db_job_sqlstate */
    DB_UNAVAILABLE,   /* no connection to the server (down, restarting, lost mid-job) */
    DB_TIMEOUT,       /* the job's deadline passed */
    DB_OVERLOADED,    /* the wait queue is full or the wait was too long */
    DB_SCHEMA_BEHIND, /* the database is not migrated to this build */
    DB_CANCELLED,     /* the pool is shutting down */
};

enum db_job_flags {
    DB_NEEDS_SCHEMA = 1 << 0, /* refuse to run unless the schema is current */
    DB_RETRY_SAFE = 1 << 1,   /* read-only: may be re-sent once if the connection dies */
};

typedef void (*db_done_fn)(struct db_job *job, void *arg);

/* Verifies a fresh connection before it serves (the schema check). */
typedef void (*db_check_fn)(PGresult *res, void *arg);

struct db_pool_config {
    const char *conninfo;
    int size;
    int pipeline_depth; /* jobs in flight on one connection at once */
    int queue_max;
    int queue_timeout_ms;
    int statement_timeout_ms;
    int connect_timeout_ms;
    int reconnect_max_ms;
    const struct db_stmt *check_stmt; /* run on every new connection, or NULL */
    db_check_fn check_fn;
    void *check_arg;
    /* Consulted before a DB_NEEDS_SCHEMA job runs. */
    bool (*schema_current)(void);
};

struct db_pool *db_pool_new(struct event_base *base, const struct db_pool_config *cfg);
/* Fails every pending job with DB_CANCELLED, closes the connections and frees the pool. */
void db_pool_free(struct db_pool *pool);

/* A job owns copies of its parameters; it is freed after its done callback returns. */
struct db_job *db_job_new(struct db_pool *pool);
/* Adds a statement with text parameters (NULL = SQL NULL); values are copied. */
void db_job_add(struct db_job *job, const struct db_stmt *stmt, int nparams,
                const char *const *values);
/* Adds a statement whose parameter number bytes_index (0-based) travels as len raw bytes in
 * binary format (a bytea: half the size of its hex text, and no copy to make); the other
 * values are text as for db_job_add. The bytes are not copied: they must stay valid until the
 * job's done callback has returned (a request's body does). */
void db_job_add_bytes(struct db_job *job, const struct db_stmt *stmt, int nparams,
                      const char *const *values, int bytes_index, const void *data, size_t len);
/* The job's results come back in binary format: a bytea column as its raw bytes (text
 * columns are the same either way; numbers are not, so keep such jobs to text and bytea). */
void db_job_binary_results(struct db_job *job);
void db_job_run(struct db_job *job, int deadline_ms, unsigned flags, db_done_fn done, void *arg);
/* Abandons a queued or running job: done will not be called; the job is freed. */
void db_job_cancel(struct db_job *job);

enum db_status db_job_status(const struct db_job *job);
const char *db_job_sqlstate(const struct db_job *job);   /* "" unless DB_ERROR */
const char *db_job_message(const struct db_job *job);    /* server's message, for logs */
const char *db_job_constraint(const struct db_job *job); /* violated constraint, or "" */
int db_job_failed_index(const struct db_job *job);       /* statement that failed, or -1 */
int db_job_nresults(const struct db_job *job);
PGresult *db_job_result(const struct db_job *job, int i);

/* ---- snapshots ----
 * A read that spans several jobs but must see one state of the data (an export read page by
 * page): the snapshot holds one connection in a REPEATABLE READ READ ONLY transaction, and
 * its jobs run there one after another, so every page sees the data as of the first. While
 * it is held, the connection takes no other job; db_snapshot_end rolls the transaction back
 * and gives the connection back. If the connection is lost, the snapshot's later jobs fail
 * with DB_UNAVAILABLE (they are never re-sent elsewhere: the snapshot is gone). */
struct db_snapshot;

struct db_snapshot *db_snapshot_new(struct db_pool *pool);
/* A write session: the same, but the transaction is READ COMMITTED READ WRITE, so that a
 * long write (an import) can be sent in parts, each seeing the ones before. Its last job may
 * end the transaction with a COMMIT statement (whose result says whether it committed);
 * db_snapshot_end rolls back whatever is not committed. */
struct db_snapshot *db_session_new(struct db_pool *pool);
/* A new job that runs inside the snapshot (run it with db_job_run as usual). Run one at a
 * time: the next after the previous one's done callback. */
struct db_job *db_snapshot_job(struct db_snapshot *snap);
/* Ends the transaction, frees the snapshot. Not while one of its jobs is queued or running. */
void db_snapshot_end(struct db_snapshot *snap);

/* Whether the pool has at least one working connection. */
bool db_pool_up(const struct db_pool *pool);

/* Prometheus text for all pools of the process. */
void db_metrics_write(struct evbuffer *out);

#endif
