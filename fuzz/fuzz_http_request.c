/* libFuzzer harness: raw bytes as they arrive on a connection. The head goes through
 * http_head_length and http_parse_head as src/http/http_conn.c calls them, the parsed target
 * through the daemon's real route table and the query-string parser, and what follows the
 * head through the chunked decoder, fed in two pieces. */
#include "api/app.h"
#include "core/arena.h"
#include "http/http_parser.h"
#include "http/query.h"
#include "http/router.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct router router;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    router_init(&router);
    app_register_routes(&router);
    return 0;
}

static void count_body(void *arg, const char *data, size_t n)
{
    (void)data;
    *(size_t *)arg += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    size_t headlen = http_head_length((const char *)data, size);
    if (headlen == 0)
        return 0;
    /* As the connection does: a NUL-terminated copy of the head, and room for the decoded
     * path segments. */
    char *head = malloc(headlen + 1);
    char *decoded = malloc(headlen + 1);
    memcpy(head, data, headlen);
    head[headlen] = '\0';
    struct http_head h;
    struct http_parse_error err;
    if (http_parse_head(head, headlen, decoded, &h, &err)) {
        const struct route *rt = NULL;
        unsigned allowed = 0;
        char allow[128];
        if (router_find(&router, h.method, h.segments, h.nsegments, &rt, &allowed) ==
            ROUTER_NO_METHOD)
            router_format_allow(allowed, allow, sizeof allow);
        (void)http_head_get(&h, "content-type");
        struct arena a;
        arena_init(&a);
        struct query q;
        if (query_parse(&a, h.query, &q) == QUERY_OK) {
            static const char *const allowed_keys[] = {"q", "limit", "cursor", NULL};
            (void)query_unknown_key(&q, allowed_keys);
            (void)query_count(&q, "limit");
            (void)query_get(&q, "cursor");
        }
        arena_free(&a);
        if (h.chunked) {
            struct chunked_decoder d;
            chunked_init(&d);
            const char *body = (const char *)data + headlen;
            size_t left = size - headlen, half = left / 2, used = 0, total = 0;
            enum chunked_result r =
                chunked_feed(&d, body, half, &used, 1 << 20, count_body, &total);
            if (r == CHUNKED_MORE && used == half)
                r = chunked_feed(&d, body + half, left - half, &used, 1 << 20, count_body, &total);
            if (total > (1u << 20))
                abort(); /* the limit must hold */
        }
    } else if (err.status < 400 || err.status > 599 || err.code == NULL) {
        abort(); /* every refusal names a status and a problem code */
    }
    free(decoded);
    free(head);
    return 0;
}
