/* Running a request's database work: the job goes to the worker's pool with the request's
 * deadline, and every failure becomes the right problem reply. */
#ifndef SIKU_API_DB_H
#define SIKU_API_DB_H

#include "db/db_pool.h"

struct http_request;

typedef void (*api_db_done_fn)(struct http_request *req, struct db_job *job);

/* A new job on the request's worker pool. */
struct db_job *api_job(struct http_request *req);

/* Runs job; on success calls done (which must reply); on failure replies itself. */
void api_db_run(struct http_request *req, struct db_job *job, unsigned flags,
                api_db_done_fn done);

/* Replies the problem for a failed job (status other than DB_OK). */
void api_reply_db_failure(struct http_request *req, struct db_job *job);

/* One statement, one row, one JSON column: 200 with it, or 404 when there is no row. */
void api_reply_json_row(struct http_request *req, const struct db_stmt *stmt, int nparams,
                        const char *const *values);

/* Replies column 0 of row 0 of result i as JSON (200), or 404 when there is no row. */
void api_reply_row(struct http_request *req, struct db_job *job, int i, int status);

#endif
