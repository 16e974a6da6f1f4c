/* Prepared statements: SQL constants with $n parameters, registered once at startup and
 * prepared lazily, once per connection. */
#ifndef SIKU_DB_STMT_H
#define SIKU_DB_STMT_H

struct db_stmt {
    const char *name; /* unique; also the server-side prepared statement name */
    const char *sql;
    int nparams;
    int id; /* set by db_stmt_register */
};

/* Registers a statement; must run before any pool is created. Aborts on a duplicate name. */
void db_stmt_register(struct db_stmt *stmt);

/* Registers a NULL-terminated array of statements. */
void db_stmt_register_all(struct db_stmt *const *stmts);

int db_stmt_count(void);
const struct db_stmt *db_stmt_at(int id);

/* Forgets every registration (tests, shutdown). */
void db_stmt_reset(void);

#endif
