/* The statement registry: a growing array indexed by statement id. */
#include "db/db_stmt.h"

#include "core/log.h"
#include "core/xmalloc.h"

#include <stdlib.h>
#include <string.h>

static struct db_stmt **registry;
static int registry_len, registry_cap;

void db_stmt_register(struct db_stmt *stmt)
{
    for (int i = 0; i < registry_len; i++) {
        if (registry[i] == stmt)
            return;
        if (strcmp(registry[i]->name, stmt->name) == 0) {
            log_error("statement name %s registered twice", stmt->name);
            abort();
        }
    }
    if (registry_len == registry_cap) {
        registry_cap = registry_cap ? registry_cap * 2 : 64;
        registry = xrealloc(registry, (size_t)registry_cap * sizeof *registry);
    }
    stmt->id = registry_len;
    registry[registry_len++] = stmt;
}

void db_stmt_register_all(struct db_stmt *const *stmts)
{
    for (; *stmts; stmts++)
        db_stmt_register(*stmts);
}

int db_stmt_count(void)
{
    return registry_len;
}

const struct db_stmt *db_stmt_at(int id)
{
    return id >= 0 && id < registry_len ? registry[id] : NULL;
}

void db_stmt_reset(void)
{
    free(registry);
    registry = NULL;
    registry_len = registry_cap = 0;
}
