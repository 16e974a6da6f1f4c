/* Strict JSON: a pre-scan of the raw text (depth, NUL escapes), cJSON parse, duplicate-key
 * walk. */
#include "core/json_strict.h"

#include "core/utf8.h"
#include "core/xmalloc.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One pass over the raw text: nesting depth outside strings and "\u0000" inside them. */
static enum json_strict_error prescan(const char *s, size_t len, int max_depth)
{
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_string) {
            /* A raw NUL byte in a string is cut by cJSON just like "\u0000". */
            if (c == '\0')
                return JSON_ERR_NUL;
            if (c == '\\') {
                if (i + 1 < len && s[i + 1] == 'u' && i + 5 < len && s[i + 2] == '0' &&
                    s[i + 3] == '0' && s[i + 4] == '0' && s[i + 5] == '0')
                    return JSON_ERR_NUL;
                i++; /* skip the escaped character */
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth)
                return JSON_ERR_DEPTH;
        } else if (c == ']' || c == '}') {
            depth--;
        } else if (c == '\0') {
            return JSON_ERR_SYNTAX;
        }
    }
    return JSON_OK;
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *find_duplicate(const cJSON *node)
{
    if (cJSON_IsObject(node)) {
        int n = cJSON_GetArraySize(node);
        if (n > 1) {
            const char **keys = xmalloc((size_t)n * sizeof *keys);
            int k = 0;
            for (const cJSON *c = node->child; c; c = c->next)
                keys[k++] = c->string;
            qsort(keys, (size_t)k, sizeof *keys, compare_keys);
            const char *dup = NULL;
            for (int i = 1; i < k && dup == NULL; i++)
                if (strcmp(keys[i - 1], keys[i]) == 0)
                    dup = keys[i];
            free(keys);
            if (dup)
                return dup;
        }
    }
    for (const cJSON *c = node->child; c; c = c->next) {
        const char *dup = find_duplicate(c);
        if (dup)
            return dup;
    }
    return NULL;
}

enum json_strict_error json_parse_strict(const char *text, size_t len, int max_depth, cJSON **out,
                                         char *dup_key, size_t dup_key_len)
{
    *out = NULL;
    if (!utf8_valid(text, len))
        return JSON_ERR_UTF8;
    enum json_strict_error e = prescan(text, len, max_depth);
    if (e != JSON_OK)
        return e;
    /* cJSON reads past a non-terminated buffer in some versions: give it a terminated copy. */
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(copy, len + 1, &end, 1);
    free(copy);
    if (root == NULL)
        return JSON_ERR_SYNTAX;
    const char *dup = find_duplicate(root);
    if (dup) {
        if (dup_key && dup_key_len) {
            strncpy(dup_key, dup, dup_key_len - 1);
            dup_key[dup_key_len - 1] = '\0';
        }
        cJSON_Delete(root);
        return JSON_ERR_DUPLICATE;
    }
    *out = root;
    return JSON_OK;
}

bool json_get_int64(const cJSON *item, int64_t min, int64_t max, int64_t *out)
{
    if (!cJSON_IsNumber(item))
        return false;
    double d = item->valuedouble;
    if (!isfinite(d) || d != floor(d))
        return false;
    /* From 2^53 on a double no longer holds every integer: 2^53 itself is also what
     * "9007199254740993" parses to, so only |d| < 2^53 is known to be the value sent. */
    if (d <= -9007199254740992.0 || d >= 9007199254740992.0)
        return false;
    int64_t v = (int64_t)d;
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}
