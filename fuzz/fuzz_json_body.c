/* libFuzzer harness: a request body through the strict JSON reader and, when it is an
 * object, the validation against real field-spec tables (enterprises, experts, academicians)
 * as the handlers run it, then the search terms the write would store. Built twice: as
 * json_body (VALIDATE_CREATE) and, with FUZZ_PATCH, as merge_patch (VALIDATE_PATCH: a
 * merge-patch body, where null clears a field and immutable fields are refused; the merge
 * itself happens in SQL on the clean object this produces). */
#include "api/enterprises.h"
#include "api/experts_resource.h"
#include "core/json_strict.h"
#include "domain/search_terms.h"
#include "domain/segment.h"
#include "domain/validate.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef FUZZ_PATCH
#define FUZZ_MODE VALIDATE_PATCH
#else
#define FUZZ_MODE VALIDATE_CREATE
#endif

static const struct {
    const struct field_spec *specs;
    const char *const *search_fields;
} tables[] = {
    {enterprise_fields, enterprise_search_fields},
    {expert_fields, expert_search_fields},
    {academician_fields, expert_search_fields},
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Without the dictionary the n-gram fallback segments: still a valid run. */
    (void)segment_init("/etc/friso/friso.ini");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    cJSON *root = NULL;
    char dup[128];
    enum json_strict_error e =
        json_parse_strict((const char *)data, size, JSON_MAX_DEPTH, &root, dup, sizeof dup);
    if (e != JSON_OK) {
        if (root != NULL)
            abort();
        return 0;
    }
    if (cJSON_IsObject(root)) {
        /* Every role bit in turn would be slow; the input's length picks one. */
        unsigned role = 1u << (size % 6);
        for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
            struct validation v;
            bool ok = validate_body(root, tables[t].specs, FUZZ_MODE, role, &v);
            if (ok != (v.errors == NULL && v.forbidden_field == NULL))
                abort();
            /* The fields that passed, as a write would index them. */
            cJSON *terms = search_terms_object(v.clean, tables[t].search_fields);
            char *text = cJSON_PrintUnformatted(terms);
            cJSON_free(text);
            cJSON_Delete(terms);
            validation_free(&v);
        }
    }
    cJSON_Delete(root);
    return 0;
}
