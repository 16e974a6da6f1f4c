/* Wiring of the API onto the server: per-worker pools, the route table, and dispatch
 * (schema gate, then the route's handler). */
#include "api/app.h"
#include "api/matching.h"

#include "api/access.h"
#include "api/api_db.h"
#include "api/resource.h"
#include "api/search.h"
#include "core/hasher.h"

#include "core/log.h"
#include "core/xmalloc.h"
#include "db/db_pool.h"
#include "db/migrate.h"
#include "http/problem.h"
#include "http/request.h"

#include <stdlib.h>

static const struct config *app_cfg;

void app_set_config(const struct config *cfg)
{
    app_cfg = cfg;
}

const struct config *app_config(void)
{
    return app_cfg;
}

void app_register_routes(struct router *router)
{
    db_stmt_register(&migrate_check_stmt);
    api_db_register();
    access_register();
    resource_register();
    search_register();
    ops_register(router);
    reference_register(router);
    auth_register(router);
    users_register(router);
    audit_register(router);
    enterprises_register(router);
    experts_register(router);
    academicians_register(router);
    demands_register(router);
    projects_register(router);
    service_groups_register(router);
    service_activities_register(router);
    thesaurus_register(router);
    imports_register(router);
    workstations_register(router);
    workstation_reports_register(router);
    workstation_evidence_register(router);
    assessments_register(router);
    assessment_panels_register(router);
    assessment_export_register(router);
    workstation_export_register(router);
    stats_register(router);
    matching_register(router);
    matches_register(router);
}

void app_add_db_routes(struct router *r, const struct route *routes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct route rt = routes[i];
        rt.flags |= ROUTE_DB;
        router_add(r, &rt);
    }
}

void *app_worker_init(int index, struct event_base *base, void *arg)
{
    (void)arg;
    struct app_worker *w = xcalloc(1, sizeof *w);
    w->index = index;
    w->base = base;
    struct db_pool_config pc = {
        .conninfo = app_cfg->database,
        .size = app_cfg->db_pool_size,
        .pipeline_depth = app_cfg->db_pipeline_depth,
        .queue_max = app_cfg->db_queue_max,
        .queue_timeout_ms = app_cfg->db_queue_timeout_ms,
        .statement_timeout_ms = app_cfg->db_statement_timeout_ms,
        .connect_timeout_ms = app_cfg->db_connect_timeout_ms,
        .reconnect_max_ms = app_cfg->db_reconnect_max_ms,
        .check_stmt = &migrate_check_stmt,
        .check_fn = migrate_check_result,
        .check_arg = NULL,
        .schema_current = migrate_schema_current,
    };
    w->pool = db_pool_new(base, &pc);
    match_stats_start(w);
    return w;
}

void app_worker_fini(void *worker, void *arg)
{
    (void)arg;
    struct app_worker *w = worker;
    /* Logins hashing for this worker finish first; their callbacks still need the pool. */
    hasher_drain(w->base);
    match_stats_stop(w);
    db_pool_free(w->pool);
    free(w);
}

void app_dispatch(struct http_request *req)
{
    const struct route *rt = req->route;
    if ((rt->flags & ROUTE_DB) && migrate_state() >= SCHEMA_BEHIND) {
        http_problem(req, 503, "schema_behind", NULL);
        return;
    }
    access_dispatch(req);
}
