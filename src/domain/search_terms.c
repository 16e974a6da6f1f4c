#include "domain/search_terms.h"

#include "domain/segment.h"

#include <cjson/cJSON.h>

static void add_terms_of(cJSON *arr, const char *text)
{
    struct terms t;
    terms_init(&t);
    segment_index_terms(text, &t);
    for (size_t i = 0; i < t.n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(t.v[i]));
    terms_free(&t);
}

cJSON *search_terms_object(const cJSON *values, const char *const *fields)
{
    cJSON *out = cJSON_CreateObject();
    for (const char *const *f = fields; *f; f++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, *f);
        if (v == NULL)
            continue;
        cJSON *arr = cJSON_AddArrayToObject(out, *f);
        if (cJSON_IsString(v)) {
            add_terms_of(arr, v->valuestring);
        } else if (cJSON_IsArray(v)) {
            const cJSON *el;
            cJSON_ArrayForEach(el, v)
            {
                if (cJSON_IsString(el))
                    add_terms_of(arr, el->valuestring);
            }
        }
    }
    return out;
}
