/* Integration harness: a fresh database from the migrated template, the real sikud on a free
 * port, and a small blocking HTTP/1.1 client that records every exchange for the contract
 * check. Environment (set by scripts/test):
 *   SIKU_TEST_PG      conninfo of the throwaway cluster as its superuser
 *   SIKU_TEST_SIKUD   path of the sikud binary under test
 *   SIKU_TEST_PGCTL   "DIR" argument for tests/integration/pgctl.sh (fault tests)
 *   SIKU_TEST_RECORD  JSONL file each exchange is appended to (optional) */
#ifndef SIKU_TEST_HARNESS_H
#define SIKU_TEST_HARNESS_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct t_server {
    pid_t pid;
    int port;
    char dbname[64];
    char conninfo[512];
    char log_path[256];
    char token[64]; /* sent as a bearer token by t_request when set */
};

struct t_resp {
    int status;
    char *head; /* status line and headers, NUL-terminated */
    char *body;
    size_t len;
    cJSON *json; /* parsed body when it is JSON, else NULL */
    bool closed; /* the server closed the connection after this response */
};

/* A database cloned from siku_template (migrated), owned by role siku. */
void t_db_create(const char *dbname, bool migrated);
void t_db_drop(const char *dbname);

/* Starts sikud on a fresh migrated database (or blank, if migrated is false) with extra
 * flags (NULL-terminated, may be NULL). Fails the test if it does not come up. */
void t_server_start(struct t_server *s, const char *dbname, bool migrated,
                    const char *const *extra_args);
/* Starts on an existing database (no creation). */
void t_server_start_on(struct t_server *s, const char *dbname, const char *const *extra_args);
/* Sends SIGTERM and waits; returns the exit status (or -1 if killed by a signal). */
int t_server_stop(struct t_server *s);
/* Stops the server, checks it exited 0, drops its database. */
void t_server_finish(struct t_server *s);

/* HTTP. headers is a NULL-terminated list of "Name: value" strings (may be NULL). */
struct t_resp *t_request(struct t_server *s, const char *method, const char *path,
                         const char *const *headers, const char *body);
/* The same with a body of any bytes (uploads). */
struct t_resp *t_request_bytes(struct t_server *s, const char *method, const char *path,
                               const char *const *headers, const char *body, size_t body_len);
struct t_resp *t_get(struct t_server *s, const char *path);
struct t_resp *t_post_json(struct t_server *s, const char *path, const char *json);
void t_resp_free(struct t_resp *r);
/* A response header (case-insensitive), malloc'd copy or NULL. */
char *t_resp_header(const struct t_resp *r, const char *name);
/* A string member of a JSON object, or "" when absent or not a string. */
const char *t_json_str(const cJSON *obj, const char *key);

/* Problem code of a problem+json response, or "". */
const char *t_problem_code(const struct t_resp *r);

/* Makes an account with `sikud create-user` (extra: e.g. "--region 321003", may be NULL). */
void t_create_user(struct t_server *s, const char *username, const char *role, const char *password,
                   const char *extra);
/* Logs in; returns the token (static storage, copy it) or fails the test. */
const char *t_login(struct t_server *s, const char *username, const char *password);
/* Creates an account of the role and makes its token the server's default. */
void t_become(struct t_server *s, const char *username, const char *role, const char *extra);
/* The same request with an explicit token (NULL: anonymous), whatever s->token says. */
struct t_resp *t_request_as(struct t_server *s, const char *token, const char *method,
                            const char *path, const char *body);

/* A request with an explicit token (NULL: anonymous) and extra headers (NULL-terminated, may
 * be NULL), whatever s->token says. */
struct t_resp *t_call(struct t_server *s, const char *token, const char *method, const char *path,
                      const char *const *headers, const char *body);
/* Fails the test unless the response has this status (the body is in the message). */
void t_expect_status(const struct t_resp *r, int status);
/* "field/code" of a problem's first field error. */
const char *t_first_error(const struct t_resp *r);
/* Fails the test unless the query (printf format) gives want as its first value. */
void t_assert_scalar(struct t_server *s, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same, waiting up to timeout_ms for the query to give want (work done after the reply,
 * such as batched audit rows). */
void t_await_scalar(struct t_server *s, int timeout_ms, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Raw socket client for hostile input. */
int t_connect(struct t_server *s);
void t_send_all(int fd, const void *data, size_t len);
/* Reads one response from fd (Content-Length or chunked or until close) within timeout_ms;
 * NULL if nothing arrived. */
struct t_resp *t_read_response(int fd, int timeout_ms);
/* Sends raw bytes on a new connection and reads one response. */
struct t_resp *t_raw(struct t_server *s, const void *data, size_t len);

/* Database access as the siku role. */
PGconn *t_db_connect(const char *dbname);
/* Runs sql on the server's database and returns the first column of the first row (malloc'd,
 * "" if no row, NULL on error). */
char *t_db_scalar(struct t_server *s, const char *sql);
void t_db_exec(struct t_server *s, const char *sql);

/* A part of the XLSX workbook (a zip) in r's body, e.g. "xl/worksheets/sheet1.xml", read
 * through unzip(1); malloc'd. Fails the test when the part is missing or empty. */
char *t_xlsx_part(const struct t_resp *r, const char *part);
/* The CSV in r's body: checks the UTF-8 BOM and answers a malloc'd copy of the lines after it
 * split at CRLF (lines[n] is NULL; free lines[0] then lines). Quoted fields are not split. */
char **t_csv_lines(const struct t_resp *r, int *n);

/* Cluster control for fault tests: "stop", "stop-immediate", "start". */
void t_pg_control(const char *action);

/* Log file contents of the server (malloc'd). */
char *t_server_log(struct t_server *s);

/* Milliseconds since an arbitrary point. */
double t_now_ms(void);
/* How much longer than on a quiet machine a wall-clock bound may take: the value of
 * SIKU_TEST_TIMEOUT_MULTIPLIER (scripts/test's knob for a busy machine), 1 when unset. */
double t_slack(void);

#endif
