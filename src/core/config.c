/* The settings table: every key, its type, default, bounds, environment name and help. */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum config_type { CONFIG_STRING, CONFIG_INT, CONFIG_SIZE, CONFIG_MS, CONFIG_BOOL };

struct config_key {
    const char *name;
    enum config_type type;
    size_t offset;
    const char *def;
    long min;
    long max;
    const char *help;
};

#define KEY(n, t, d, lo, hi, h)                                                                    \
    {                                                                                              \
#n, t, offsetof(struct config, n), d, lo, hi, h                                            \
    }

static const struct config_key config_keys[] = {
    KEY(listen, CONFIG_STRING, "127.0.0.1:8080", 0, 0, "address:port to serve HTTP on"),
    KEY(database, CONFIG_STRING, "dbname=siku", 0, 0, "libpq connection string or URI"),
    KEY(threads, CONFIG_INT, "0", 0, 256,
        "worker threads, each with its own event loop; 0 = cores"),
    KEY(max_connections, CONFIG_INT, "4096", 1, 1000000,
        "open client connections before accepting pauses"),
    KEY(max_header_size, CONFIG_SIZE, "16384", 1024, 1048576,
        "bytes of request line and headers (431 beyond)"),
    KEY(max_body_size, CONFIG_SIZE, "1048576", 1024, 1073741824, "bytes of a request body (413)"),
    KEY(max_import_size, CONFIG_SIZE, "52428800", 1024, 4294967295L,
        "bytes of an import upload (413)"),
    KEY(max_evidence_size, CONFIG_SIZE, "10485760", 1024, 1073741824,
        "bytes of one evidence file (证明材料) attached to an annual report (413)"),
    KEY(header_timeout_ms, CONFIG_MS, "10000", 100, 3600000,
        "time to receive a whole request head (408)"),
    KEY(read_timeout_ms, CONFIG_MS, "30000", 100, 3600000,
        "longest silence while a body is read (408)"),
    KEY(write_timeout_ms, CONFIG_MS, "30000", 100, 3600000,
        "longest stall while a response is written"),
    KEY(idle_timeout_ms, CONFIG_MS, "60000", 100, 3600000,
        "keep-alive idle time before the server closes"),
    KEY(request_deadline_ms, CONFIG_MS, "15000", 100, 3600000,
        "database work per request before 504"),
    KEY(import_timeout_ms, CONFIG_MS, "300000", 1000, 3600000,
        "database work of an import's final write (its statement timeout too)"),
    KEY(shutdown_timeout_ms, CONFIG_MS, "10000", 0, 3600000,
        "on SIGTERM, how long in-flight requests may finish"),
    KEY(db_pool_size, CONFIG_INT, "2", 1, 64, "PostgreSQL connections per worker thread"),
    KEY(db_pipeline_depth, CONFIG_INT, "16", 1, 256,
        "jobs in flight on one database connection at once (pipeline mode)"),
    KEY(cache_entries, CONFIG_INT, "100000", 0, 10000000,
        "sessions and expert records each kept in memory, evicted on change (LISTEN/NOTIFY);"
        " 0 = no cache"),
    KEY(audit_batch_ms, CONFIG_MS, "100", 1, 10000,
        "longest wait before queued read_personal audit rows are written"),
    KEY(audit_batch_rows, CONFIG_INT, "500", 1, 100000,
        "read_personal audit rows written at once when that many are queued"),
    KEY(db_queue_max, CONFIG_INT, "512", 0, 100000,
        "requests per worker waiting for a connection (503 beyond)"),
    KEY(db_queue_timeout_ms, CONFIG_MS, "5000", 1, 3600000,
        "longest wait for a free connection (503)"),
    KEY(db_statement_timeout_ms, CONFIG_MS, "10000", 0, 3600000,
        "server-side statement_timeout of every connection"),
    KEY(db_connect_timeout_ms, CONFIG_MS, "5000", 100, 3600000,
        "time to establish a database connection"),
    KEY(db_reconnect_max_ms, CONFIG_MS, "2000", 100, 3600000,
        "longest back-off between reconnection attempts"),
    KEY(token_ttl_s, CONFIG_INT, "43200", 60, 31536000, "lifetime of a login token in seconds"),
    KEY(login_max_failures, CONFIG_INT, "10", 1, 1000,
        "failed logins per username or address before 429"),
    KEY(login_window_s, CONFIG_INT, "900", 1, 86400, "window in which failed logins are counted"),
    KEY(hash_concurrency, CONFIG_INT, "2", 1, 64,
        "password hashes computed at once (each takes 64 MiB)"),
    KEY(metrics_token, CONFIG_STRING, "", 0, 0,
        "bearer token (16+ characters) a scraper may use for /metrics; empty = admins only"),
    KEY(log_level, CONFIG_STRING, "info", 0, 0, "debug, info, warn or error"),
    KEY(access_log, CONFIG_BOOL, "true", 0, 1, "one JSON line per request on stderr"),
    KEY(web_dir, CONFIG_STRING, "", 0, 0,
        "directory of the web console (read at start-up); empty = the installed copy"),
    KEY(dictionary, CONFIG_STRING, "/etc/friso/friso.ini", 0, 0,
        "libfriso ini of the Chinese word dictionary; empty = n-gram segmentation only"),
};

#define NKEYS (sizeof config_keys / sizeof config_keys[0])

static const struct config_key *find_key(const char *key)
{
    char norm[64];
    size_t i = 0;
    for (; i < sizeof norm - 1 && key[i]; i++)
        norm[i] = key[i] == '-' ? '_' : key[i];
    norm[i] = '\0';
    for (size_t k = 0; k < NKEYS; k++)
        if (strcmp(config_keys[k].name, norm) == 0)
            return &config_keys[k];
    return NULL;
}

bool config_has_key(const char *key)
{
    return find_key(key) != NULL;
}

static bool parse_long_suffixed(const char *text, enum config_type type, long *out)
{
    errno = 0;
    char *end;
    long long v = strtoll(text, &end, 10);
    if (end == text || errno != 0)
        return false;
    long long mult = 1;
    if (type == CONFIG_SIZE) {
        if (strcasecmp(end, "k") == 0 || strcasecmp(end, "kib") == 0)
            mult = 1024;
        else if (strcasecmp(end, "m") == 0 || strcasecmp(end, "mib") == 0)
            mult = 1024 * 1024;
        else if (*end != '\0')
            return false;
    } else if (type == CONFIG_MS) {
        if (strcmp(end, "s") == 0)
            mult = 1000;
        else if (*end != '\0' && strcmp(end, "ms") != 0)
            return false;
    } else if (*end != '\0') {
        return false;
    }
    if (v > LONG_MAX / mult || v < LONG_MIN / mult)
        return false;
    *out = (long)(v * mult);
    return true;
}

static bool parse_bool(const char *text, bool *out)
{
    if (!strcmp(text, "true") || !strcmp(text, "1") || !strcmp(text, "yes") || !strcmp(text, "on"))
        *out = true;
    else if (!strcmp(text, "false") || !strcmp(text, "0") || !strcmp(text, "no") ||
             !strcmp(text, "off"))
        *out = false;
    else
        return false;
    return true;
}

static bool apply(struct config *cfg, const struct config_key *k, const char *value, char *err,
                  size_t errlen)
{
    char *field = (char *)cfg + k->offset;
    long v;
    switch (k->type) {
    case CONFIG_STRING: {
        char *copy = strdup(value);
        if (copy == NULL) {
            snprintf(err, errlen, "out of memory");
            return false;
        }
        free(*(char **)field);
        *(char **)field = copy;
        return true;
    }
    case CONFIG_BOOL:
        if (!parse_bool(value, (bool *)field)) {
            snprintf(err, errlen, "%s: expected true or false, got \"%s\"", k->name, value);
            return false;
        }
        return true;
    case CONFIG_INT:
    case CONFIG_SIZE:
    case CONFIG_MS:
        if (!parse_long_suffixed(value, k->type, &v)) {
            snprintf(err, errlen, "%s: \"%s\" is not a number", k->name, value);
            return false;
        }
        if (v < k->min || v > k->max) {
            snprintf(err, errlen, "%s: %ld is out of range [%ld, %ld]", k->name, v, k->min, k->max);
            return false;
        }
        if (k->type == CONFIG_SIZE)
            *(long *)field = v;
        else
            *(int *)field = (int)v;
        return true;
    }
    return false;
}

bool config_set(struct config *cfg, const char *key, const char *value, char *err, size_t errlen)
{
    const struct config_key *k = find_key(key);
    if (k == NULL) {
        snprintf(err, errlen, "unknown setting \"%s\"", key);
        return false;
    }
    return apply(cfg, k, value, err, errlen);
}

void config_init(struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    char err[256];
    for (size_t k = 0; k < NKEYS; k++) {
        bool ok = apply(cfg, &config_keys[k], config_keys[k].def, err, sizeof err);
        (void)ok; /* defaults are within bounds by construction; unit-tested */
    }
}

void config_free(struct config *cfg)
{
    for (size_t k = 0; k < NKEYS; k++)
        if (config_keys[k].type == CONFIG_STRING) {
            char **field = (char **)((char *)cfg + config_keys[k].offset);
            free(*field);
            *field = NULL;
        }
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

bool config_load_file(struct config *cfg, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "could not open config file \"%s\": %s", path, strerror(errno));
        return false;
    }
    char line[4096];
    int lineno = 0;
    bool ok = true;
    while (ok && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
            ok = false;
            break;
        }
        *eq = '\0';
        char *key = trim(s);
        char *value = trim(eq + 1);
        size_t vlen = strlen(value);
        if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
            value[vlen - 1] = '\0';
            value++;
        }
        char inner[256];
        if (!config_set(cfg, key, value, inner, sizeof inner)) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, inner);
            ok = false;
        }
    }
    fclose(f);
    return ok;
}

bool config_load_env(struct config *cfg, char *err, size_t errlen)
{
    for (size_t k = 0; k < NKEYS; k++) {
        char env[80] = "SIKU_";
        size_t n = 5;
        for (const char *p = config_keys[k].name; *p && n < sizeof env - 1; p++)
            env[n++] = (char)toupper((unsigned char)*p);
        env[n] = '\0';
        const char *v = getenv(env);
        /* SIKU_DATABASE_URL is the documented name of the database setting. */
        if (v == NULL && strcmp(config_keys[k].name, "database") == 0)
            v = getenv("SIKU_DATABASE_URL");
        if (v == NULL)
            continue;
        char inner[256];
        if (!apply(cfg, &config_keys[k], v, inner, sizeof inner)) {
            snprintf(err, errlen, "%s: %s", env, inner);
            return false;
        }
    }
    return true;
}

void config_finish(struct config *cfg)
{
    if (cfg->threads == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        cfg->threads = cores > 0 ? (int)cores : 1;
    }
}

void config_write(const struct config *cfg, FILE *out)
{
    fprintf(out, "# sikud configuration. Every key may also be given as --key value on the\n"
                 "# command line or as SIKU_KEY in the environment (flags win over the\n"
                 "# environment, which wins over this file).\n");
    for (size_t k = 0; k < NKEYS; k++) {
        const struct config_key *key = &config_keys[k];
        const char *field = (const char *)cfg + key->offset;
        fprintf(out, "\n# %s", key->help);
        if (key->type != CONFIG_STRING && key->type != CONFIG_BOOL)
            fprintf(out, " [%ld..%ld]", key->min, key->max);
        fprintf(out, "\n");
        switch (key->type) {
        case CONFIG_STRING:
            fprintf(out, "%s = \"%s\"\n", key->name, *(char *const *)field);
            break;
        case CONFIG_BOOL:
            fprintf(out, "%s = %s\n", key->name, *(const bool *)field ? "true" : "false");
            break;
        case CONFIG_SIZE:
            fprintf(out, "%s = %ld\n", key->name, *(const long *)field);
            break;
        case CONFIG_INT:
        case CONFIG_MS:
            fprintf(out, "%s = %d\n", key->name, *(const int *)field);
            break;
        }
    }
}
