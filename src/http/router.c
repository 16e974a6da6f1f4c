/* Route matching by path segments: literal segments beat parameters, left to right. */
#include "http/router.h"

#include "core/log.h"
#include "core/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void router_init(struct router *r)
{
    memset(r, 0, sizeof *r);
}

void router_free(struct router *r)
{
    for (int i = 0; i < r->nroutes; i++) {
        struct route *rt = &r->routes[i];
        for (int s = 0; s < rt->nsegments; s++) {
            free((char *)rt->segments[s]);
            free((char *)rt->param_names[s]);
        }
    }
    r->nroutes = 0;
}

static void split_pattern(struct route *rt)
{
    const char *p = rt->pattern;
    if (p[0] != '/') {
        log_error("route pattern %s must start with /", rt->pattern);
        abort();
    }
    p++;
    rt->nsegments = 0;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (rt->nsegments == HTTP_MAX_SEGMENTS || n == 0) {
            log_error("route pattern %s is malformed", rt->pattern);
            abort();
        }
        char *seg = xmalloc(n + 1);
        memcpy(seg, p, n);
        seg[n] = '\0';
        if (seg[0] == '{' && seg[n - 1] == '}') {
            seg[n - 1] = '\0';
            rt->param_names[rt->nsegments] = xstrdup(seg + 1);
            rt->segments[rt->nsegments] = NULL;
            free(seg);
        } else {
            rt->segments[rt->nsegments] = seg;
            rt->param_names[rt->nsegments] = NULL;
        }
        rt->nsegments++;
        p += n;
        if (*p == '/')
            p++;
    }
}

static bool same_shape(const struct route *a, const struct route *b)
{
    if (a->nsegments != b->nsegments)
        return false;
    for (int i = 0; i < a->nsegments; i++) {
        if ((a->segments[i] == NULL) != (b->segments[i] == NULL))
            return false;
        if (a->segments[i] && strcmp(a->segments[i], b->segments[i]) != 0)
            return false;
    }
    return true;
}

const struct route *router_add(struct router *r, const struct route *route)
{
    if (r->nroutes == ROUTER_MAX_ROUTES) {
        log_error("too many routes; raise ROUTER_MAX_ROUTES");
        abort();
    }
    struct route *rt = &r->routes[r->nroutes];
    *rt = *route;
    split_pattern(rt);
    for (int i = 0; i < r->nroutes; i++)
        if (r->routes[i].method == rt->method && same_shape(&r->routes[i], rt)) {
            log_error("duplicate route %s %s", http_method_name(rt->method), rt->pattern);
            abort();
        }
    rt->id = r->nroutes++;
    return rt;
}

/* Ranks a matching route: a bit per literal segment, the leftmost most significant. */
static int match_rank(const struct route *rt, const char *const *segments, int nsegments)
{
    if (rt->nsegments != nsegments)
        return -1;
    int rank = 0;
    for (int i = 0; i < nsegments; i++) {
        rank <<= 1;
        if (rt->segments[i] == NULL) {
            if (segments[i][0] == '\0')
                return -1;
            continue;
        }
        if (rt->segments[i][0] != segments[i][0] || strcmp(rt->segments[i], segments[i]) != 0)
            return -1;
        rank |= 1;
    }
    return rank;
}

enum router_match router_find(const struct router *r, enum http_method method,
                              const char *const *segments, int nsegments,
                              const struct route **found, unsigned *allowed)
{
    enum http_method want = method == HTTP_HEAD ? HTTP_GET : method;
    /* One pass ranks every route (most differ in their segment count or in the first
     * character of a literal); the best-ranked path shape then decides, whatever the method. */
    static _Thread_local int ranks[ROUTER_MAX_ROUTES];
    int best_path_rank = -1;
    *allowed = 0;
    for (int i = 0; i < r->nroutes; i++) {
        int rank = match_rank(&r->routes[i], segments, nsegments);
        ranks[i] = rank;
        if (rank > best_path_rank)
            best_path_rank = rank;
    }
    if (best_path_rank < 0)
        return ROUTER_NO_PATH;
    const struct route *best = NULL;
    for (int i = 0; i < r->nroutes; i++) {
        const struct route *rt = &r->routes[i];
        if (ranks[i] != best_path_rank)
            continue;
        *allowed |= rt->method;
        if (rt->method == HTTP_GET)
            *allowed |= HTTP_HEAD;
        if (rt->method == want && best == NULL)
            best = rt;
    }
    if (best == NULL)
        return ROUTER_NO_METHOD;
    *found = best;
    return ROUTER_FOUND;
}

void router_format_allow(unsigned methods, char *out, size_t cap)
{
    static const enum http_method order[] = {HTTP_GET,   HTTP_HEAD,   HTTP_POST,   HTTP_PUT,
                                             HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS};
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (!(methods & order[i]))
            continue;
        int w = snprintf(out + n, cap - n, "%s%s", n ? ", " : "", http_method_name(order[i]));
        if (w < 0 || (size_t)w >= cap - n) {
            out[n] = '\0'; /* drop the method snprintf cut short, not half of it */
            break;
        }
        n += (size_t)w;
    }
}
