/* libFuzzer harness: the opaque keyset cursor of list pages (base64url of a JSON array of
 * strings), as a client may tamper with it; what decodes must encode back to a cursor that
 * decodes to the same values. */
#include "api/list.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    /* The input is the cursor as sent; its length picks how many keys the list expects. */
    int n = 1 + (int)(size % LIST_MAX_KEYS);
    char *cursor = malloc(size + 1);
    memcpy(cursor, data, size);
    cursor[size] = '\0';
    char *values[LIST_MAX_KEYS] = {0};
    if (list_cursor_decode(cursor, values, n)) {
        char *again = list_cursor_encode((const char *const *)values, n);
        char *back[LIST_MAX_KEYS] = {0};
        /* Re-encoding may grow (raw control bytes come back escaped) past the length limit. */
        bool fits = strlen(again) <= 2048;
        if (fits && !list_cursor_decode(again, back, n))
            abort();
        for (int i = 0; i < n; i++) {
            if (fits && strcmp(values[i], back[i]) != 0)
                abort();
            free(back[i]);
            free(values[i]);
        }
        free(again);
    } else {
        for (int i = 0; i < n; i++)
            if (values[i] != NULL)
                abort(); /* a refused cursor leaves nothing to free */
    }
    free(cursor);
    return 0;
}
