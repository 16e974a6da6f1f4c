/* sikud: the daemon and its subcommands (migrate, print-config). Wiring only: settings from
 * defaults, file, environment and flags; then the subcommand. */
#include "api/app.h"
#include "api/read_cache.h"
#include "cli/create_user.h"
#include "cli/reindex.h"
#include "core/hasher.h"
#include "core/config.h"
#include "core/log.h"
#include "db/db_stmt.h"
#include "db/migrate.h"
#include "domain/role.h"
#include "domain/segment.h"
#include "http/http_server.h"
#include "http/static_files.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SIKU_VERSION
#define SIKU_VERSION "dev"
#endif
#ifndef SIKU_WEB_DIR
#define SIKU_WEB_DIR "/usr/local/share/siku/web"
#endif

static void usage(FILE *out)
{
    fprintf(out, "usage: sikud [COMMAND] [--config FILE] [--KEY VALUE ...]\n\n"
                 "commands:\n"
                 "  serve          serve the HTTP API (the default)\n"
                 "  migrate        apply pending database migrations and exit\n"
                 "  create-user    --username U --role R [--display-name N] [--region CODE]\n"
                 "                 [--enterprise ID] [--expert ID] [--if-missing]; the password\n"
                 "                 is read from standard input\n"
                 "  reindex        recompute every library record's search terms (after a bulk\n"
                 "                 load with SQL, or a dictionary change) and exit\n"
                 "  routes         print every route with the roles that may call it\n"
                 "  print-config   print every setting with its current value\n"
                 "  version        print the version\n\n"
                 "Every setting (see print-config) may be given as --key value, as SIKU_KEY in\n"
                 "the environment, or in the --config file; flags win over the environment, which\n"
                 "wins over the file. --listen, --database and --threads are the usual ones;\n"
                 "SIKU_DATABASE_URL is accepted for --database.\n");
}

struct cli {
    const char *command;
    const char *config_file;
    int first_flag;
    struct create_user_args user;
};

/* create-user's own flags: consumed here so that the rest are settings. */
static bool take_user_flag(struct cli *cli, char **argv, int *i, int argc)
{
    static const char *const names[] = {"--username", "--role",       "--display-name",
                                        "--region",   "--enterprise", "--expert"};
    const char **slots[] = {&cli->user.username, &cli->user.role,       &cli->user.display_name,
                            &cli->user.region,   &cli->user.enterprise, &cli->user.expert};
    if (strcmp(argv[*i], "--if-missing") == 0) {
        cli->user.if_missing = true;
        argv[*i] = NULL;
        return true;
    }
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(argv[*i], names[k]) == 0 && *i + 1 < argc) {
            *slots[k] = argv[*i + 1];
            argv[*i] = argv[*i + 1] = NULL;
            (*i)++;
            return true;
        }
    return false;
}

static bool parse_command(int argc, char **argv, struct cli *cli)
{
    memset(cli, 0, sizeof *cli);
    cli->command = "serve";
    cli->config_file = NULL;
    cli->first_flag = 1;
    if (argc > 1 && argv[1][0] != '-') {
        cli->command = argv[1];
        cli->first_flag = 2;
    }
    for (int i = cli->first_flag; i < argc; i++) {
        if (strcmp(cli->command, "create-user") == 0 && take_user_flag(cli, argv, &i, argc))
            continue;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            cli->config_file = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            cli->config_file = argv[i] + 9;
    }
    return true;
}

static bool apply_flags(struct config *cfg, int argc, char **argv, int first, char *err,
                        size_t errlen)
{
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (arg == NULL)
            continue; /* taken by the subcommand */
        if (strncmp(arg, "--", 2) != 0) {
            snprintf(err, errlen, "unexpected argument \"%s\"", arg);
            return false;
        }
        arg += 2;
        const char *eq = strchr(arg, '=');
        char key[64];
        const char *value;
        if (eq) {
            snprintf(key, sizeof key, "%.*s", (int)(eq - arg), arg);
            value = eq + 1;
        } else {
            snprintf(key, sizeof key, "%s", arg);
            if (i + 1 >= argc) {
                snprintf(err, errlen, "--%s needs a value", key);
                return false;
            }
            value = argv[++i];
        }
        if (strcmp(key, "config") == 0)
            continue;
        if (!config_set(cfg, key, value, err, errlen))
            return false;
    }
    return true;
}

static bool load_config(struct config *cfg, const struct cli *cli, int argc, char **argv)
{
    char err[512];
    config_init(cfg);
    if (cli->config_file && !config_load_file(cfg, cli->config_file, err, sizeof err)) {
        fprintf(stderr, "sikud: %s\n", err);
        return false;
    }
    if (!config_load_env(cfg, err, sizeof err) ||
        !apply_flags(cfg, argc, argv, cli->first_flag, err, sizeof err)) {
        fprintf(stderr, "sikud: %s\n", err);
        return false;
    }
    if (!log_set_level_name(cfg->log_level)) {
        fprintf(stderr, "sikud: log_level must be debug, info, warn or error\n");
        return false;
    }
    char *pqerr = NULL;
    PQconninfoOption *opts = PQconninfoParse(cfg->database, &pqerr);
    if (opts == NULL) {
        fprintf(stderr, "sikud: database: %s", pqerr ? pqerr : "invalid connection string\n");
        PQfreemem(pqerr);
        return false;
    }
    PQconninfoFree(opts);
    config_finish(cfg);
    return true;
}

/* The web console: web_dir, or the installed copy. A console that is not there is not an
 * error (the API serves without it); one that cannot be read is. */
static bool load_web(const struct config *cfg, struct http_static **out)
{
    const char *dir = cfg->web_dir[0] ? cfg->web_dir : SIKU_WEB_DIR;
    char err[512];
    *out = NULL;
    if (cfg->web_dir[0] == '\0' && access(dir, F_OK) != 0) {
        log_info("no web console at %s; serving the API only", dir);
        return true;
    }
    *out = http_static_load(dir, err, sizeof err);
    if (*out == NULL) {
        log_error("web console: %s", err);
        return false;
    }
    log_info("web console: %zu files from %s", http_static_count(*out), dir);
    return true;
}

static int serve(struct config *cfg)
{
    app_set_config(cfg);
    struct router router;
    router_init(&router);
    app_register_routes(&router);
    struct http_static *web;
    if (!load_web(cfg, &web)) {
        router_free(&router);
        db_stmt_reset();
        return 1;
    }
    struct http_server_config hc = {
        .listen = cfg->listen,
        .threads = cfg->threads,
        .max_connections = cfg->max_connections,
        .max_header_size = cfg->max_header_size,
        .max_body_size = cfg->max_body_size,
        .max_import_size = cfg->max_import_size,
        .max_evidence_size = cfg->max_evidence_size,
        .header_timeout_ms = cfg->header_timeout_ms,
        .read_timeout_ms = cfg->read_timeout_ms,
        .write_timeout_ms = cfg->write_timeout_ms,
        .idle_timeout_ms = cfg->idle_timeout_ms,
        .shutdown_timeout_ms = cfg->shutdown_timeout_ms,
        .access_log = cfg->access_log,
        .web = web,
    };
    struct http_server_hooks hooks = {
        .worker_init = app_worker_init,
        .worker_fini = app_worker_fini,
        .dispatch = app_dispatch,
    };
    log_info("sikud %s starting", SIKU_VERSION);
    if (!segment_init(cfg->dictionary))
        log_warn("Chinese dictionary \"%s\" not loaded; searching by character n-grams only",
                 cfg->dictionary);
    if (!hasher_start(cfg->hash_concurrency, 64)) {
        log_error("could not start the password hashing threads");
        return 1;
    }
    if (!read_cache_start(cfg)) {
        log_error("could not start the cache listener thread");
        hasher_stop();
        return 1;
    }
    bool ok = http_server_run(&hc, &router, &hooks);
    /* After the workers: the audit rows they queued are written before exit. */
    read_cache_stop();
    hasher_stop();
    segment_shutdown();
    router_free(&router);
    http_static_free(web);
    db_stmt_reset();
    return ok ? 0 : 1;
}

static int print_routes(struct config *cfg)
{
    app_set_config(cfg);
    struct router router;
    router_init(&router);
    app_register_routes(&router);
    for (int i = 0; i < router.nroutes; i++) {
        const struct route *rt = &router.routes[i];
        printf("%s %s", http_method_name(rt->method), rt->pattern);
        for (unsigned bit = ROLE_ANON; bit <= ROLE_EXPERT; bit <<= 1)
            if (rt->roles & bit)
                printf(" %s", role_name((enum role)bit));
        printf("\n");
    }
    router_free(&router);
    db_stmt_reset();
    return 0;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "sikud: libsodium failed to initialise\n");
        return 1;
    }
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
    struct cli cli;
    parse_command(argc, argv, &cli);
    if (strcmp(cli.command, "version") == 0) {
        printf("sikud %s\n", SIKU_VERSION);
        return 0;
    }
    struct config cfg;
    if (!load_config(&cfg, &cli, argc, argv)) {
        config_free(&cfg);
        return 2;
    }
    int rc;
    if (strcmp(cli.command, "serve") == 0) {
        rc = serve(&cfg);
    } else if (strcmp(cli.command, "migrate") == 0) {
        rc = migrate_run(cfg.database, false);
    } else if (strcmp(cli.command, "create-user") == 0) {
        rc = create_user_run(cfg.database, &cli.user);
    } else if (strcmp(cli.command, "reindex") == 0) {
        if (!segment_init(cfg.dictionary))
            fprintf(stderr,
                    "sikud reindex: dictionary \"%s\" not loaded; indexing by character"
                    " n-grams only\n",
                    cfg.dictionary);
        rc = reindex_run(cfg.database);
        segment_shutdown();
    } else if (strcmp(cli.command, "routes") == 0) {
        rc = print_routes(&cfg);
    } else if (strcmp(cli.command, "print-config") == 0) {
        config_write(&cfg, stdout);
        rc = 0;
    } else {
        fprintf(stderr, "sikud: unknown command \"%s\"\n\n", cli.command);
        usage(stderr);
        rc = 2;
    }
    config_free(&cfg);
    return rc;
}
