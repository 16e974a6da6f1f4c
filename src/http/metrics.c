/* HTTP metrics: requests by route and status, and a latency histogram per route. */
#include "http/http_internal.h"

#include "core/xmalloc.h"

#include <event2/buffer.h>
#include <stdatomic.h>
#include <stdlib.h>

static const int status_codes[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 408, 409, 412,
                                   413, 415, 417, 422, 428, 429, 431, 500, 501, 503, 504, 505};
#define NSTATUS      (sizeof status_codes / sizeof status_codes[0])
#define STATUS_SLOTS (NSTATUS + 1) /* last slot: any other status */

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

struct route_metrics {
    atomic_ullong requests[STATUS_SLOTS];
    atomic_ullong bucket[NBUCKETS];
    atomic_ullong count;
    atomic_ullong sum_ns;
};

static struct route_metrics *metrics;
static int metrics_routes; /* routes + 1 for requests that matched none */
static const struct router *metrics_router;

void http_metrics_init(int nroutes)
{
    metrics_routes = nroutes + 1;
    metrics = xcalloc((size_t)metrics_routes, sizeof *metrics);
}

void http_metrics_free(void)
{
    free(metrics);
    metrics = NULL;
}

void http_metrics_set_router(const struct router *r)
{
    metrics_router = r;
}

static int status_slot(int status)
{
    for (size_t i = 0; i < NSTATUS; i++)
        if (status_codes[i] == status)
            return (int)i;
    return (int)NSTATUS;
}

void http_metrics_record(int route_id, int status, uint64_t latency_ns)
{
    if (metrics == NULL)
        return;
    struct route_metrics *m = &metrics[route_id < 0 ? metrics_routes - 1 : route_id];
    atomic_fetch_add_explicit(&m->requests[status_slot(status)], 1, memory_order_relaxed);
    double secs = (double)latency_ns / 1e9;
    for (size_t b = 0; b < NBUCKETS; b++)
        if (secs <= buckets[b]) {
            atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
            break;
        }
    atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_ns, latency_ns, memory_order_relaxed);
}

static void route_label(int i, const char **method, const char **pattern)
{
    if (metrics_router == NULL || i >= metrics_router->nroutes) {
        *method = "";
        *pattern = "unmatched";
        return;
    }
    *method = http_method_name(metrics_router->routes[i].method);
    *pattern = metrics_router->routes[i].pattern;
}

void http_metrics_write(struct evbuffer *out)
{
    if (metrics == NULL)
        return;
    evbuffer_add_printf(out, "# HELP siku_http_requests_total HTTP requests answered, by route "
                             "and status.\n# TYPE siku_http_requests_total counter\n");
    for (int i = 0; i < metrics_routes; i++) {
        const char *method, *pattern;
        route_label(i, &method, &pattern);
        for (size_t s = 0; s < STATUS_SLOTS; s++) {
            unsigned long long n =
                atomic_load_explicit(&metrics[i].requests[s], memory_order_relaxed);
            if (n == 0)
                continue;
            if (s < NSTATUS)
                evbuffer_add_printf(out,
                                    "siku_http_requests_total{method=\"%s\",route=\"%s\","
                                    "status=\"%d\"} %llu\n",
                                    method, pattern, status_codes[s], n);
            else
                evbuffer_add_printf(out,
                                    "siku_http_requests_total{method=\"%s\",route=\"%s\","
                                    "status=\"other\"} %llu\n",
                                    method, pattern, n);
        }
    }
    evbuffer_add_printf(out, "# HELP siku_http_request_duration_seconds Time from first byte "
                             "of the head to the reply, by route.\n"
                             "# TYPE siku_http_request_duration_seconds histogram\n");
    for (int i = 0; i < metrics_routes; i++) {
        unsigned long long count = atomic_load_explicit(&metrics[i].count, memory_order_relaxed);
        if (count == 0)
            continue;
        const char *method, *pattern;
        route_label(i, &method, &pattern);
        unsigned long long cumulative = 0;
        for (size_t b = 0; b < NBUCKETS; b++) {
            cumulative += atomic_load_explicit(&metrics[i].bucket[b], memory_order_relaxed);
            evbuffer_add_printf(out,
                                "siku_http_request_duration_seconds_bucket{method=\"%s\","
                                "route=\"%s\",le=\"%g\"} %llu\n",
                                method, pattern, buckets[b], cumulative);
        }
        evbuffer_add_printf(out,
                            "siku_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
                            "le=\"+Inf\"} %llu\n",
                            method, pattern, count);
        evbuffer_add_printf(out,
                            "siku_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} "
                            "%.6f\n",
                            method, pattern,
                            (double)atomic_load_explicit(&metrics[i].sum_ns, memory_order_relaxed) /
                                1e9);
        evbuffer_add_printf(out,
                            "siku_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} "
                            "%llu\n",
                            method, pattern, count);
    }
    evbuffer_add_printf(out,
                        "# HELP siku_http_open_connections Client connections open.\n"
                        "# TYPE siku_http_open_connections gauge\n"
                        "siku_http_open_connections %d\n",
                        http_server_open_connections());
}
