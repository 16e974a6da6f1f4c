/* The database layer in process, against the test cluster: jobs run as one transaction,
 * statements are prepared once per connection, deadlines end in DB_TIMEOUT, errors carry
 * their SQLSTATE, and a restarted server is reconnected to. */
#include "harness.h"

#include "db/db_pool.h"

#include <check.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct event_base *base;
static struct db_pool *pool;
static char conninfo[512];
static const char *dbname = "it_db_pool";

static struct db_stmt st_create = {"t_create",
                                   "CREATE TABLE IF NOT EXISTS t_items (id int PRIMARY KEY, "
                                   "note text NOT NULL)",
                                   0, 0};
static struct db_stmt st_insert = {"t_insert", "INSERT INTO t_items VALUES ($1::int, $2)", 2, 0};
static struct db_stmt st_count = {"t_count", "SELECT count(*) FROM t_items", 0, 0};
static struct db_stmt st_sleep = {"t_sleep", "SELECT pg_sleep($1::float8)", 1, 0};
static struct db_stmt st_echo = {"t_echo", "SELECT $1::text || '!'", 1, 0};
static struct db_stmt st_bytes = {"t_bytes",
                                  "SELECT $1::text || length($2::bytea) || ':' ||"
                                  " get_byte($2::bytea, 0) || ',' || get_byte($2::bytea, 5)",
                                  2, 0};
static struct db_stmt st_xact = {"t_xact",
                                 "SELECT current_setting('transaction_isolation') || ' ' ||"
                                 " current_setting('transaction_read_only')",
                                 0, 0};
static struct db_stmt st_commit = {"t_commit", "COMMIT", 0, 0};
static struct db_stmt st_prepared = {"t_prepared",
                                     "SELECT count(*) FROM pg_prepared_statements "
                                     "WHERE name = 't_echo'",
                                     0, 0};

struct outcome {
    bool done;
    enum db_status status;
    char sqlstate[6];
    char value[64];
    int failed;
};

static void on_done(struct db_job *job, void *arg)
{
    struct outcome *o = arg;
    o->done = true;
    o->status = db_job_status(job);
    snprintf(o->sqlstate, sizeof o->sqlstate, "%s", db_job_sqlstate(job));
    o->failed = db_job_failed_index(job);
    PGresult *r = db_job_result(job, db_job_nresults(job) - 1);
    if (o->status == DB_OK && r && PQntuples(r) > 0)
        snprintf(o->value, sizeof o->value, "%s", PQgetvalue(r, 0, 0));
    event_base_loopbreak(base);
}

static void run(struct db_job *job, int deadline_ms, struct outcome *o)
{
    memset(o, 0, sizeof *o);
    db_job_run(job, deadline_ms, 0, on_done, o);
    while (!o->done)
        event_base_loop(base, EVLOOP_ONCE);
}

static void wait_until_up(void)
{
    for (int i = 0; i < 300 && !db_pool_up(pool); i++)
        event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), usleep(10000);
    ck_assert(db_pool_up(pool));
}

static void setup(void)
{
    t_db_create(dbname, false);
    snprintf(conninfo, sizeof conninfo, "%s user=siku dbname=%s", getenv("SIKU_TEST_PG"), dbname);
    static struct db_stmt *const all[] = {&st_create,   &st_insert, &st_count, &st_sleep,  &st_echo,
                                          &st_prepared, &st_bytes,  &st_xact,  &st_commit, NULL};
    db_stmt_register_all(all);
    base = event_base_new();
    struct db_pool_config cfg = {.conninfo = conninfo,
                                 .size = 2,
                                 .queue_max = 16,
                                 .queue_timeout_ms = 5000,
                                 .statement_timeout_ms = 5000,
                                 .connect_timeout_ms = 3000,
                                 .reconnect_max_ms = 500};
    pool = db_pool_new(base, &cfg);
    wait_until_up();
    struct outcome o;
    struct db_job *job = db_job_new(pool);
    db_job_add(job, &st_create, 0, NULL);
    run(job, 5000, &o);
    ck_assert_int_eq(o.status, DB_OK);
}

static void teardown(void)
{
    db_pool_free(pool);
    event_base_free(base);
    db_stmt_reset();
    t_db_drop(dbname);
}

START_TEST(test_job_statements_commit_together_or_not_at_all)
{
    struct outcome o;
    struct db_job *job = db_job_new(pool);
    const char *a[] = {"1", "first"}, *b[] = {"2", "second"}, *dup[] = {"1", "again"};
    db_job_add(job, &st_insert, 2, a);
    db_job_add(job, &st_insert, 2, b);
    db_job_add(job, &st_insert, 2, dup); /* unique violation: the whole job must roll back */
    run(job, 5000, &o);
    ck_assert_int_eq(o.status, DB_ERROR);
    ck_assert_str_eq(o.sqlstate, "23505");
    ck_assert_int_eq(o.failed, 2);

    job = db_job_new(pool);
    db_job_add(job, &st_count, 0, NULL);
    run(job, 5000, &o);
    ck_assert_int_eq(o.status, DB_OK);
    ck_assert_str_eq(o.value, "0");

    job = db_job_new(pool);
    db_job_add(job, &st_insert, 2, a);
    db_job_add(job, &st_insert, 2, b);
    db_job_add(job, &st_count, 0, NULL);
    run(job, 5000, &o);
    ck_assert_int_eq(o.status, DB_OK);
    ck_assert_str_eq(o.value, "2");
}
END_TEST

START_TEST(test_parameters_travel_as_values_not_sql)
{
    struct outcome o;
    struct db_job *job = db_job_new(pool);
    const char *evil[] = {"x'; DROP TABLE t_items; --"};
    db_job_add(job, &st_echo, 1, evil);
    run(job, 5000, &o);
    ck_assert_int_eq(o.status, DB_OK);
    ck_assert_str_eq(o.value, "x'; DROP TABLE t_items; --!");
}
END_TEST

START_TEST(test_bytes_travel_binary_with_nul_and_high_bytes)
{
    struct outcome o;
    static const unsigned char data[] = {0x00, 0xff, 0x5c, 0x78, 0x27, 0x80, 0x00};
    const char *v[] = {"len=", NULL};
    struct db_job *job = db_job_new(pool);
    db_job_add_bytes(job, &st_bytes, 2, v, 1, data, sizeof data);
    run(job, 5000, &o);
    ck_assert_int_eq(o.status, DB_OK);
    ck_assert_str_eq(o.value, "len=7:0,128");
}
END_TEST

/* A snapshot's jobs see the data as of its first, whatever commits in between on the other
 * connection; the snapshot's connection takes no other job meanwhile; once it ends, the
 * pool sees the new data and uses both connections again. */
START_TEST(test_snapshot_jobs_see_one_state)
{
    struct outcome o;
    struct db_snapshot *snap = db_snapshot_new(pool);
    struct db_job *job = db_snapshot_job(snap);
    db_job_add(job, &st_count, 0, NULL);
    db_job_add(job, &st_xact, 0, NULL);
    run(job, 5000, &o);
    ck_assert_int_eq(o.status, DB_OK);
    ck_assert_str_eq(o.value, "repeatable read on");
    job = db_snapshot_job(snap);
    db_job_add(job, &st_count, 0, NULL);
    run(job, 5000, &o);
    char first[64];
    snprintf(first, sizeof first, "%s", o.value);
    for (int i = 0; i < 4; i++) { /* other jobs go to the other connection and commit */
        char id[16];
        snprintf(id, sizeof id, "%d", 100 + i);
        const char *v[] = {id, "meanwhile"};
        job = db_job_new(pool);
        db_job_add(job, &st_insert, 2, v);
        run(job, 5000, &o);
        ck_assert_int_eq(o.status, DB_OK);
    }
    job = db_snapshot_job(snap);
    db_job_add(job, &st_count, 0, NULL);
    run(job, 5000, &o);
    ck_assert_int_eq(o.status, DB_OK);
    ck_assert_str_eq(o.value, first);
    db_snapshot_end(snap);
    job = db_job_new(pool);
    db_job_add(job, &st_count, 0, NULL);
    db_job_add(job, &st_xact, 0, NULL);
    run(job, 5000, &o);
    ck_assert_int_eq(o.status, DB_OK);
    ck_assert_str_eq(o.value, "read committed off");
    job = db_job_new(pool);
    db_job_add(job, &st_count, 0, NULL);
    run(job, 5000, &o);
    ck_assert_int_eq(atoi(o.value), atoi(first) + 4);
}
END_TEST

/* A write session's jobs are one READ COMMITTED transaction: each sees the rows of the ones
 * before, nobody else sees any until its COMMIT; a session ended without one changes nothing;
 * after either, the connection serves ordinary jobs (outside any transaction). */
START_TEST(test_write_session_commits_at_the_end_or_changes_nothing)
{
    struct outcome o;
    struct db_job *before = db_job_new(pool);
    db_job_add(before, &st_count, 0, NULL);
    run(before, 5000, &o);
    int n = atoi(o.value);
    for (int commit = 0; commit < 2; commit++) {
        struct db_snapshot *s = db_session_new(pool);
        for (int i = 0; i < 3; i++) {
            char id[16];
            snprintf(id, sizeof id, "%d", 900 + i); /* the same ids again: rolled back */
            const char *v[] = {id, "session"};
            struct db_job *job = db_snapshot_job(s);
            db_job_add(job, &st_insert, 2, v);
            db_job_add(job, &st_count, 0, NULL);
            if (i == 0)
                db_job_add(job, &st_xact, 0, NULL);
            run(job, 5000, &o);
            ck_assert_int_eq(o.status, DB_OK);
            if (i == 0)
                ck_assert_str_eq(o.value, "read committed off");
            else
                ck_assert_int_eq(atoi(o.value), n + i + 1);
            struct db_job *other = db_job_new(pool); /* the other connection sees none yet */
            db_job_add(other, &st_count, 0, NULL);
            run(other, 5000, &o);
            ck_assert_int_eq(atoi(o.value), n);
        }
        if (commit) {
            struct db_job *job = db_snapshot_job(s);
            db_job_add(job, &st_commit, 0, NULL);
            run(job, 5000, &o);
            ck_assert_int_eq(o.status, DB_OK);
        }
        db_snapshot_end(s);
        for (int i = 0; i < 3; i++) { /* both connections: the rows, and no transaction left */
            struct db_job *job = db_job_new(pool);
            db_job_add(job, &st_count, 0, NULL);
            run(job, 5000, &o);
            ck_assert_int_eq(o.status, DB_OK);
            ck_assert_int_eq(atoi(o.value), commit ? n + 3 : n);
        }
    }
}
END_TEST

/* Snapshots hold at most all connections but one: with two, a second snapshot waits for the
 * first to end, while ordinary jobs keep running on the other connection. */
START_TEST(test_second_snapshot_waits_and_others_keep_running)
{
    struct outcome o, waiting;
    struct db_snapshot *first = db_snapshot_new(pool), *second = db_snapshot_new(pool);
    struct db_job *job = db_snapshot_job(first);
    db_job_add(job, &st_count, 0, NULL);
    run(job, 5000, &o);
    ck_assert_int_eq(o.status, DB_OK);
    memset(&waiting, 0, sizeof waiting);
    job = db_snapshot_job(second);
    db_job_add(job, &st_xact, 0, NULL);
    db_job_run(job, 5000, 0, on_done, &waiting);
    for (int i = 0; i < 20; i++) {
        event_base_loop(base, EVLOOP_NONBLOCK);
        usleep(10000);
    }
    ck_assert(!waiting.done);
    for (int i = 0; i < 3; i++) {
        const char *v[] = {"meanwhile"};
        job = db_job_new(pool);
        db_job_add(job, &st_echo, 1, v);
        run(job, 5000, &o);
        ck_assert_int_eq(o.status, DB_OK);
        ck_assert_str_eq(o.value, "meanwhile!");
    }
    ck_assert(!waiting.done);
    db_snapshot_end(first);
    while (!waiting.done)
        event_base_loop(base, EVLOOP_ONCE);
    ck_assert_int_eq(waiting.status, DB_OK);
    ck_assert_str_eq(waiting.value, "repeatable read on");
    db_snapshot_end(second);
}
END_TEST

START_TEST(test_statement_is_prepared_once_per_connection)
{
    struct outcome o;
    for (int i = 0; i < 6; i++) {
        struct db_job *job = db_job_new(pool);
        const char *v[] = {"hi"};
        db_job_add(job, &st_echo, 1, v);
        db_job_add(job, &st_prepared, 0, NULL);
        run(job, 5000, &o);
        ck_assert_int_eq(o.status, DB_OK);
        /* The session that ran it has exactly one prepared t_echo, never two. */
        ck_assert_str_eq(o.value, "1");
    }
}
END_TEST

START_TEST(test_deadline_gives_timeout_and_connection_recovers)
{
    struct outcome o;
    struct db_job *job = db_job_new(pool);
    const char *secs[] = {"3"};
    db_job_add(job, &st_sleep, 1, secs);
    double start = t_now_ms();
    run(job, 300, &o);
    ck_assert_int_eq(o.status, DB_TIMEOUT);
    ck_assert_msg(t_now_ms() - start < 1500 * t_slack(), "timeout after %.0f ms",
                  t_now_ms() - start);
    /* The pool keeps working, on the other connection and after the cancel. */
    for (int i = 0; i < 4; i++) {
        job = db_job_new(pool);
        const char *v[] = {"ok"};
        db_job_add(job, &st_echo, 1, v);
        run(job, 5000, &o);
        ck_assert_int_eq(o.status, DB_OK);
        ck_assert_str_eq(o.value, "ok!");
    }
}
END_TEST

START_TEST(test_server_statement_timeout_is_an_error_with_sqlstate)
{
    struct outcome o;
    struct db_job *job = db_job_new(pool);
    const char *secs[] = {"6"};
    db_job_add(job, &st_sleep, 1, secs);
    run(job, 10000, &o);
    ck_assert_int_eq(o.status, DB_ERROR);
    ck_assert_str_eq(o.sqlstate, "57014");
}
END_TEST

START_TEST(test_terminated_backend_is_replaced)
{
    struct outcome o;
    PGconn *admin = t_db_connect(dbname);
    PGresult *r =
        PQexec(admin, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                      "WHERE application_name = 'sikud' AND datname = current_database()");
    ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
    PQclear(r);
    PQfinish(admin);
    /* Reads are retried on a fresh connection; within a moment everything works again. */
    bool ok = false;
    for (int i = 0; i < 50 && !ok; i++) {
        struct db_job *job = db_job_new(pool);
        const char *v[] = {"back"};
        db_job_add(job, &st_echo, 1, v);
        run(job, 2000, &o);
        ok = o.status == DB_OK;
        if (!ok) {
            ck_assert_int_eq(o.status, DB_UNAVAILABLE);
            usleep(100000);
        }
    }
    ck_assert(ok);
}
END_TEST

static Suite *pool_suite(void)
{
    Suite *s = suite_create("db_pool");
    TCase *tc = tcase_create("pool");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_job_statements_commit_together_or_not_at_all);
    tcase_add_test(tc, test_parameters_travel_as_values_not_sql);
    tcase_add_test(tc, test_statement_is_prepared_once_per_connection);
    tcase_add_test(tc, test_bytes_travel_binary_with_nul_and_high_bytes);
    tcase_add_test(tc, test_snapshot_jobs_see_one_state);
    tcase_add_test(tc, test_second_snapshot_waits_and_others_keep_running);
    tcase_add_test(tc, test_write_session_commits_at_the_end_or_changes_nothing);
    tcase_add_test(tc, test_deadline_gives_timeout_and_connection_recovers);
    tcase_add_test(tc, test_server_statement_timeout_is_an_error_with_sqlstate);
    tcase_add_test(tc, test_terminated_backend_is_replaced);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pool_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
