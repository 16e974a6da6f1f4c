/* libFuzzer harness: a query string as the client sent it (after the '?'), through the strict
 * decoder and the typed lookups the list handlers make. */
#include "api/list.h"
#include "core/arena.h"
#include "http/query.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16 * 1024)
        return 0;
    char *qs = malloc(size + 1);
    memcpy(qs, data, size);
    qs[size] = '\0';
    struct arena a;
    arena_init(&a);
    struct query q;
    if (query_parse(&a, qs, &q) == QUERY_OK) {
        static const char *const allowed[] = {"q", "region_code", "status", NULL};
        (void)query_unknown_key(&q, allowed);
        for (int i = 0; i < q.n; i++) {
            (void)query_count(&q, q.params[i].key);
            (void)list_is_integer(q.params[i].value);
        }
        const char *cursor = query_get(&q, "cursor");
        if (cursor != NULL) {
            char *values[LIST_MAX_KEYS] = {0};
            if (list_cursor_decode(cursor, values, 2))
                for (int i = 0; i < 2; i++)
                    free(values[i]);
        }
    }
    arena_free(&a);
    free(qs);
    return 0;
}
