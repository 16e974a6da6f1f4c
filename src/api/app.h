/* The application wired onto the HTTP server: settings, per-worker state, the route table
 * and the dispatch every request passes through before its handler. */
#ifndef SIKU_API_APP_H
#define SIKU_API_APP_H

#include "core/config.h"
#include "http/router.h"

#include <stddef.h>

struct db_pool;
struct event_base;
struct http_request;

struct app_worker {
    int index;
    struct event_base *base;
    struct db_pool *pool;
    struct match_stats *match_stats; /* worker 0 only: see api/matching.h */
};

/* The daemon's settings, set once before serving. */
void app_set_config(const struct config *cfg);
const struct config *app_config(void);

/* Registers every route and statement of the API. */
void app_register_routes(struct router *router);

void *app_worker_init(int index, struct event_base *base, void *arg);
void app_worker_fini(void *worker, void *arg);
void app_dispatch(struct http_request *req);

/* Adds routes that need the database (ROUTE_DB is set on each). */
void app_add_db_routes(struct router *r, const struct route *routes, size_t n);

/* Route registration for each resource file. */
void ops_register(struct router *r);
void reference_register(struct router *r);
void auth_register(struct router *r);
void users_register(struct router *r);
void audit_register(struct router *r);
void enterprises_register(struct router *r);
void experts_register(struct router *r);
void academicians_register(struct router *r);
void demands_register(struct router *r);
void projects_register(struct router *r);
void service_groups_register(struct router *r);
void service_activities_register(struct router *r);
void thesaurus_register(struct router *r);
void imports_register(struct router *r);
void workstations_register(struct router *r);
void workstation_reports_register(struct router *r);
void workstation_evidence_register(struct router *r);
void assessments_register(struct router *r);
void assessment_panels_register(struct router *r);
void assessment_export_register(struct router *r);
void workstation_export_register(struct router *r);
void stats_register(struct router *r);
void matching_register(struct router *r);
void matches_register(struct router *r);

#endif
