/* Operations endpoints: /healthz (the process is alive), /readyz (database reachable and
 * migrated), /metrics (Prometheus text). */
#include "api/read_cache.h"
#include "api/app.h"

#include "db/db_pool.h"
#include "domain/role.h"
#include "db/migrate.h"
#include "http/http_server.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <event2/buffer.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static time_t started_at;

/* api/openapi.yaml, embedded at build time (tools/embed_blob.c). */
extern const unsigned char openapi_yaml[];
extern const size_t openapi_yaml_len;

static void handle_openapi(struct http_request *req)
{
    http_add_header(req, "Cache-Control", "public, max-age=300");
    http_reply(req, 200, "application/yaml; charset=utf-8", openapi_yaml, openapi_yaml_len);
}

static void handle_healthz(struct http_request *req)
{
    static const char body[] = "{\"status\":\"ok\"}";
    http_reply_json_text(req, 200, body, sizeof body - 1);
}

static void readyz_reply(struct http_request *req, bool db_ok, const char *db_detail)
{
    enum schema_state s = migrate_state();
    bool ready = db_ok && (s == SCHEMA_CURRENT || s == SCHEMA_AHEAD);
    char detail[512];
    migrate_state_detail(detail, sizeof detail);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", ready ? "ready" : "not_ready");
    cJSON_AddStringToObject(o, "database", db_ok ? "reachable" : "unreachable");
    cJSON_AddStringToObject(o, "schema", migrate_state_name(s));
    cJSON_AddNumberToObject(o, "migrations", (double)migrations_embedded_count);
    cJSON_AddStringToObject(o, "detail", db_ok ? detail : db_detail);
    if (!ready)
        http_add_header(req, "Retry-After", "1");
    http_add_header(req, "Cache-Control", "no-store");
    http_reply_cjson(req, ready ? 200 : 503, o);
}

static void readyz_done(struct db_job *job, void *arg)
{
    struct http_request *req = arg;
    enum db_status st = db_job_status(job);
    if (st == DB_OK || st == DB_ERROR) {
        /* An error here is the missing schema_migrations table: reachable but behind. */
        migrate_check_result(db_job_result(job, 0), NULL);
        readyz_reply(req, true, NULL);
        return;
    }
    readyz_reply(req, false,
                 st == DB_TIMEOUT ? "database did not answer in time" : "database unreachable");
}

static void handle_readyz(struct http_request *req)
{
    struct app_worker *w = req->app;
    struct db_job *job = db_job_new(w->pool);
    db_job_add(job, &migrate_check_stmt, 0, NULL);
    int deadline =
        app_config()->request_deadline_ms < 2000 ? app_config()->request_deadline_ms : 2000;
    db_job_run(job, deadline, 0, readyz_done, req);
}

static long resident_bytes(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
        rss = 0;
    fclose(f);
    return rss * sysconf(_SC_PAGESIZE);
}

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return 0;
    int n = 0;
    while (readdir(d) != NULL)
        n++;
    closedir(d);
    return n - 3; /* ".", ".." and the directory itself */
}

static void handle_metrics(struct http_request *req)
{
    struct evbuffer *out = evbuffer_new();
    http_metrics_write(out);
    db_metrics_write(out);
    read_cache_metrics_write(out);
    evbuffer_add_printf(out,
                        "# HELP siku_schema_current 1 when the database schema is current.\n"
                        "# TYPE siku_schema_current gauge\nsiku_schema_current %d\n"
                        "# HELP siku_process_resident_memory_bytes Resident memory.\n"
                        "# TYPE siku_process_resident_memory_bytes gauge\n"
                        "siku_process_resident_memory_bytes %ld\n"
                        "# HELP siku_process_open_fds Open file descriptors.\n"
                        "# TYPE siku_process_open_fds gauge\nsiku_process_open_fds %d\n"
                        "# HELP siku_process_start_time_seconds Start time since the epoch.\n"
                        "# TYPE siku_process_start_time_seconds gauge\n"
                        "siku_process_start_time_seconds %lld\n",
                        migrate_schema_current() ? 1 : 0, resident_bytes(), open_fds(),
                        (long long)started_at);
    http_reply_evbuffer(req, 200, "text/plain; version=0.0.4; charset=utf-8", out);
    evbuffer_free(out);
}

void ops_register(struct router *r)
{
    started_at = time(NULL);
    router_add(r, &(struct route){.method = HTTP_GET,
                                  .pattern = "/healthz",
                                  .handler = handle_healthz,
                                  .flags = ROUTE_PUBLIC,
                                  .roles = ROLES_EVERYONE});
    router_add(r, &(struct route){.method = HTTP_GET,
                                  .pattern = "/readyz",
                                  .handler = handle_readyz,
                                  .flags = ROUTE_PUBLIC,
                                  .roles = ROLES_EVERYONE});
    router_add(r, &(struct route){.method = HTTP_GET,
                                  .pattern = "/api/v1/openapi.yaml",
                                  .handler = handle_openapi,
                                  .flags = ROUTE_PUBLIC,
                                  .roles = ROLES_EVERYONE});
    router_add(r, &(struct route){.method = HTTP_GET,
                                  .pattern = "/metrics",
                                  .handler = handle_metrics,
                                  .flags = ROUTE_METRICS,
                                  .roles = ROLE_ADMIN});
}
