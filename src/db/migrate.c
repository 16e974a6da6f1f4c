/* Applying and checking migrations. Applying is a blocking admin command (`sikud migrate`);
 * checking runs on every new pooled connection and from /readyz. */
#include "db/migrate.h"

#include "core/log.h"
#include "core/xmalloc.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic int current_state = SCHEMA_UNKNOWN;
static pthread_mutex_t detail_lock = PTHREAD_MUTEX_INITIALIZER;
static char state_detail[512] = "not checked yet";

struct db_stmt migrate_check_stmt = {
    "migrate_check", "SELECT version, checksum FROM schema_migrations ORDER BY version", 0, 0};

void migrate_checksum(const struct migration *m, char out[65])
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, m->sql, m->len);
    sodium_bin2hex(out, 65, hash, sizeof hash);
}

const char *migrate_state_name(enum schema_state s)
{
    switch (s) {
    case SCHEMA_UNKNOWN:
        return "unknown";
    case SCHEMA_CURRENT:
        return "current";
    case SCHEMA_AHEAD:
        return "ahead";
    case SCHEMA_BEHIND:
        return "behind";
    case SCHEMA_MISMATCH:
        return "mismatch";
    }
    return "unknown";
}

enum schema_state migrate_compare(const struct applied_migration *applied, size_t napplied,
                                  const struct migration *embedded, size_t nembedded, char *detail,
                                  size_t detail_len)
{
    size_t pending = 0;
    const char *first_pending = NULL;
    for (size_t i = 0; i < nembedded; i++) {
        char sum[65];
        migrate_checksum(&embedded[i], sum);
        bool found = false;
        for (size_t k = 0; k < napplied; k++) {
            if (strcmp(applied[k].name, embedded[i].name) != 0)
                continue;
            found = true;
            if (strcmp(applied[k].checksum, sum) != 0) {
                snprintf(detail, detail_len,
                         "migration %s was changed after it was applied to this database",
                         embedded[i].name);
                return SCHEMA_MISMATCH;
            }
        }
        if (!found && pending++ == 0)
            first_pending = embedded[i].name;
    }
    if (pending > 0) {
        snprintf(detail, detail_len,
                 "%zu migration(s) pending, starting with %s; run sikud migrate", pending,
                 first_pending);
        return SCHEMA_BEHIND;
    }
    for (size_t k = 0; k < napplied; k++) {
        bool known = false;
        for (size_t i = 0; i < nembedded && !known; i++)
            known = strcmp(applied[k].name, embedded[i].name) == 0;
        if (!known) {
            snprintf(detail, detail_len, "database has migration %s, newer than this build",
                     applied[k].name);
            return SCHEMA_AHEAD;
        }
    }
    snprintf(detail, detail_len, "%zu migrations applied", nembedded);
    return SCHEMA_CURRENT;
}

static void set_state(enum schema_state s, const char *detail)
{
    pthread_mutex_lock(&detail_lock);
    snprintf(state_detail, sizeof state_detail, "%s", detail);
    pthread_mutex_unlock(&detail_lock);
    int old = atomic_exchange(&current_state, (int)s);
    if (old != (int)s && s != SCHEMA_CURRENT)
        log_warn("database schema is %s: %s", migrate_state_name(s), detail);
}

enum schema_state migrate_state(void)
{
    return (enum schema_state)atomic_load(&current_state);
}

bool migrate_schema_current(void)
{
    enum schema_state s = migrate_state();
    return s == SCHEMA_CURRENT || s == SCHEMA_AHEAD;
}

void migrate_state_detail(char *out, size_t len)
{
    pthread_mutex_lock(&detail_lock);
    snprintf(out, len, "%s", state_detail);
    pthread_mutex_unlock(&detail_lock);
}

static void apply_result(PGresult *res)
{
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (st && strcmp(st, "42P01") == 0)
            set_state(SCHEMA_BEHIND, "no migrations applied; run sikud migrate");
        else if (PQresultStatus(res) == PGRES_PIPELINE_ABORTED)
            set_state(SCHEMA_BEHIND, "no migrations applied; run sikud migrate");
        else
            set_state(SCHEMA_UNKNOWN, "could not read schema_migrations");
        return;
    }
    int n = PQntuples(res);
    struct applied_migration *applied = xcalloc((size_t)(n ? n : 1), sizeof *applied);
    for (int i = 0; i < n; i++) {
        applied[i].name = PQgetvalue(res, i, 0);
        applied[i].checksum = PQgetvalue(res, i, 1);
    }
    char detail[512];
    enum schema_state s = migrate_compare(applied, (size_t)n, migrations_embedded,
                                          migrations_embedded_count, detail, sizeof detail);
    free(applied);
    set_state(s, detail);
}

void migrate_check_result(PGresult *res, void *arg)
{
    (void)arg;
    apply_result(res);
}

static bool exec_ok(PGconn *conn, const char *sql, const char *what)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "sikud migrate: %s failed: %s", what, PQerrorMessage(conn));
    PQclear(res);
    return ok;
}

static bool apply_one(PGconn *conn, const struct migration *m, const char *sum)
{
    char *sql = xmalloc(m->len + 1);
    memcpy(sql, m->sql, m->len);
    sql[m->len] = '\0';
    bool ok = exec_ok(conn, "BEGIN", "BEGIN") && exec_ok(conn, sql, m->name);
    free(sql);
    if (ok) {
        const char *params[] = {m->name, sum};
        PGresult *res = PQexecParams(conn,
                                     "INSERT INTO schema_migrations (version, checksum) "
                                     "VALUES ($1, $2)",
                                     2, NULL, params, NULL, NULL, 0);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok)
            fprintf(stderr, "sikud migrate: recording %s failed: %s", m->name,
                    PQerrorMessage(conn));
        PQclear(res);
    }
    if (ok)
        return exec_ok(conn, "COMMIT", "COMMIT");
    PQclear(PQexec(conn, "ROLLBACK"));
    return false;
}

int migrate_run(const char *conninfo, bool quiet)
{
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "sikud migrate: could not connect: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return 1;
    }
    /* One migrator at a time, whichever daemon or operator runs it. */
    bool ok = exec_ok(conn, "SET client_min_messages = warning", "setup") &&
              exec_ok(conn, "SELECT pg_advisory_lock(7270721)", "lock") &&
              exec_ok(conn,
                      "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      " version text PRIMARY KEY,"
                      " checksum text NOT NULL,"
                      " applied_at timestamptz NOT NULL DEFAULT now())",
                      "creating schema_migrations");
    PGresult *res = ok ? PQexec(conn, migrate_check_stmt.sql) : NULL;
    if (ok && PQresultStatus(res) != PGRES_TUPLES_OK) {
        fprintf(stderr, "sikud migrate: reading schema_migrations failed: %s",
                PQerrorMessage(conn));
        ok = false;
    }
    int applied_now = 0;
    for (size_t i = 0; ok && i < migrations_embedded_count; i++) {
        const struct migration *m = &migrations_embedded[i];
        char sum[65];
        migrate_checksum(m, sum);
        int found = -1;
        for (int r = 0; r < PQntuples(res); r++)
            if (strcmp(PQgetvalue(res, r, 0), m->name) == 0)
                found = r;
        if (found >= 0) {
            if (strcmp(PQgetvalue(res, found, 1), sum) != 0) {
                fprintf(stderr,
                        "sikud migrate: migration %s was changed after it was applied "
                        "(database checksum %s, file %s); restore the file and add a new "
                        "migration instead\n",
                        m->name, PQgetvalue(res, found, 1), sum);
                ok = false;
            }
            continue;
        }
        if (!quiet)
            printf("applying %s\n", m->name);
        ok = apply_one(conn, m, sum);
        applied_now += ok;
    }
    if (res)
        PQclear(res);
    PQfinish(conn);
    if (!ok)
        return 1;
    if (!quiet)
        printf(applied_now ? "applied %d migration(s)\n" : "database is up to date%.0d\n",
               applied_now);
    return 0;
}
