/* create-user over a blocking connection (an admin command, not the serving path). */
#include "cli/create_user.h"

#include "core/hasher.h"
#include "domain/account.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool read_password(char *out, size_t cap)
{
    if (fgets(out, (int)cap, stdin) == NULL)
        return false;
    size_t n = strlen(out);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return n > 0;
}

static bool check_args(const struct create_user_args *a, enum role *role)
{
    const char *code, *message;
    if (a->username == NULL || !account_username_ok(a->username, &code, &message)) {
        fprintf(stderr, "sikud create-user: --username: 3 to 64 of A-Z a-z 0-9 _ . @ -\n");
        return false;
    }
    *role = a->role ? role_from_name(a->role) : 0;
    if (*role == 0) {
        fprintf(stderr, "sikud create-user: --role must be admin, city_staff, county_staff, "
                        "enterprise or expert\n");
        return false;
    }
    const char *need = account_binding_for(*role);
    bool region = a->region != NULL, enterprise = a->enterprise != NULL, expert = a->expert != NULL;
    bool ok = region == (need && !strcmp(need, "region_code")) &&
              enterprise == (need && !strcmp(need, "enterprise_id")) &&
              expert == (need && !strcmp(need, "expert_id"));
    if (!ok)
        fprintf(stderr, "sikud create-user: county_staff needs --region, enterprise needs "
                        "--enterprise, expert needs --expert, and other roles take none\n");
    return ok;
}

static bool exec_ok(PGconn *c, PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "sikud create-user: %s", PQerrorMessage(c));
    return ok;
}

static int insert_user(PGconn *c, const struct create_user_args *a, const char *hash)
{
    PGresult *r = PQexec(c, "SET TimeZone = 'Asia/Shanghai'");
    PQclear(r);
    r = PQexec(c, "BEGIN");
    PQclear(r);
    r = PQexec(c, "SELECT set_config('siku.role', 'cli', true),"
                  " set_config('siku.route', 'sikud create-user', true)");
    PQclear(r);
    const char *params[] = {a->username,   a->display_name ? a->display_name : a->username,
                            a->role,       a->region,
                            a->enterprise, a->expert,
                            hash};
    r = PQexecParams(c,
                     "INSERT INTO users (username, display_name, role, region_code,"
                     " enterprise_id, expert_id, password_hash)"
                     " VALUES ($1, $2, $3, $4, $5::bigint, $6::bigint, $7) RETURNING id",
                     7, NULL, params, NULL, NULL, 0);
    bool ok = exec_ok(c, r);
    if (ok)
        printf("created user %s (id %s, %s)\n", a->username, PQgetvalue(r, 0, 0), a->role);
    PQclear(r);
    r = PQexec(c, ok ? "COMMIT" : "ROLLBACK");
    ok = ok && exec_ok(c, r);
    PQclear(r);
    return ok ? 0 : 1;
}

int create_user_run(const char *conninfo, const struct create_user_args *a)
{
    enum role role;
    if (!check_args(a, &role))
        return 2;
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "sikud create-user: could not connect: %s", PQerrorMessage(c));
        PQfinish(c);
        return 1;
    }
    const char *params[] = {a->username};
    PGresult *r = PQexecParams(c, "SELECT id FROM users WHERE lower(username) = lower($1)", 1, NULL,
                               params, NULL, NULL, 0);
    if (!exec_ok(c, r)) {
        PQclear(r);
        PQfinish(c);
        return 1;
    }
    bool exists = PQntuples(r) > 0;
    PQclear(r);
    if (exists) {
        PQfinish(c);
        fprintf(stderr, "sikud create-user: user %s already exists%s\n", a->username,
                a->if_missing ? "; left unchanged" : "");
        return a->if_missing ? 0 : 3;
    }
    char password[PASSWORD_MAX_BYTES + 2];
    const char *message;
    int rc = 2;
    if (!read_password(password, sizeof password)) {
        fprintf(stderr, "sikud create-user: give the password on standard input\n");
    } else if (!account_password_ok(a->username, password, &message)) {
        fprintf(stderr, "sikud create-user: password refused: %s\n", message);
    } else {
        char hash[128];
        rc = hasher_hash_now(password, hash) ? insert_user(c, a, hash) : 1;
        sodium_memzero(hash, sizeof hash);
    }
    sodium_memzero(password, sizeof password);
    PQfinish(c);
    return rc;
}
