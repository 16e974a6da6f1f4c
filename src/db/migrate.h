/* Schema migrations: the SQL files of migrations/ embedded in the binary, applied in order
 * by `sikud migrate`, and the check that the serving daemon's database is current. */
#ifndef SIKU_DB_MIGRATE_H
#define SIKU_DB_MIGRATE_H

#include "db/db_stmt.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct migration {
    const char *name; /* "0001_reference" */
    const unsigned char *sql;
    size_t len;
};

/* Generated at build time from the files listed in migrations/meson.build
 * (tools/embed_migrations.c). */
extern const struct migration migrations_embedded[];
extern const size_t migrations_embedded_count;

enum schema_state {
    SCHEMA_UNKNOWN,  /* not checked yet (database unreachable so far) */
    SCHEMA_CURRENT,  /* every embedded migration applied, checksums equal */
    SCHEMA_AHEAD,    /* current, and the database also has newer migrations */
    SCHEMA_BEHIND,   /* some embedded migrations are not applied */
    SCHEMA_MISMATCH, /* an applied migration differs from the embedded file */
};

struct applied_migration {
    const char *name;
    const char *checksum;
};

/* Hex SHA-256 of a migration's text (65 bytes with the NUL). */
void migrate_checksum(const struct migration *m, char out[65]);

/* Compares the applied list with the embedded one; detail explains a non-current state. */
enum schema_state migrate_compare(const struct applied_migration *applied, size_t napplied,
                                  const struct migration *embedded, size_t nembedded, char *detail,
                                  size_t detail_len);

/* Applies pending migrations over a blocking connection. Returns a process exit code. */
int migrate_run(const char *conninfo, bool quiet);

/* The statement the pool runs on every new connection, and its result handler. */
extern struct db_stmt migrate_check_stmt;
void migrate_check_result(PGresult *res, void *arg);

enum schema_state migrate_state(void);
/* Copies the explanation of the current state. */
void migrate_state_detail(char *out, size_t len);
bool migrate_schema_current(void);
const char *migrate_state_name(enum schema_state s);

#endif
