/* Running a request's database work: the job goes to the worker's pool with the request's
 * deadline, and every failure becomes the right problem reply. */
#ifndef SIKU_API_DB_H
#define SIKU_API_DB_H

#include "db/db_pool.h"

#include <stdbool.h>

struct http_request;

typedef void (*api_db_done_fn)(struct http_request *req, struct db_job *job);

/* A new job on the request's worker pool. */
struct db_job *api_job(struct http_request *req);

/* A snapshot on the request's worker pool (db_snapshot_job makes its jobs). */
struct db_snapshot *api_snapshot(struct http_request *req);

/* Runs job; on success calls done (which must reply); on failure replies itself. */
void api_db_run(struct http_request *req, struct db_job *job, unsigned flags, api_db_done_fn done);

/* Replies the problem for a failed job (status other than DB_OK). */
void api_reply_db_failure(struct http_request *req, struct db_job *job);

/* One statement, one row, one JSON column: 200 with it, or 404 when there is no row. */
void api_reply_json_row(struct http_request *req, const struct db_stmt *stmt, int nparams,
                        const char *const *values);

/* Replies column 0 of row 0 of result i as JSON, or 404 when there is no row; a second column
 * is the record's version and becomes the ETag. */
void api_reply_row(struct http_request *req, struct db_job *job, int i, int status);

/* A job that runs with the caller recorded for the audit trigger: its first statement sets
 * the transaction's audit context, so the statement you add as number i has result i + 1.
 * action names the audit action ("login", "archive" ...), or NULL for the row operation. */
struct db_job *api_write_job(struct http_request *req, const char *action);
#define API_FIRST_RESULT 1

/* A write session on the request's worker pool (db_session_new), and a job of it that sets
 * the audit context as api_write_job's does. */
struct db_snapshot *api_session(struct http_request *req);
struct db_job *api_session_write_job(struct http_request *req, struct db_snapshot *session,
                                     const char *action);

/* Reads If-Match: *version is the expected version text, or NULL when absent (or "*").
 * Replies 400 and returns false when it is malformed. */
bool api_if_match(struct http_request *req, const char **version)
    __attribute__((warn_unused_result));
void api_set_etag(struct http_request *req, const char *version);

/* A positive decimal id route parameter; replies 404 and returns false otherwise (an id that
 * cannot exist is a record that does not exist). */
bool api_parse_id(struct http_request *req, const char *name, const char **id)
    __attribute__((warn_unused_result));

void api_db_register(void);

#endif
