/* The rows-to-records path of src/api/imports.c, without HTTP and the database. */
#include "fuzz_import.h"

#include "api/import_adapters.h"
#include "domain/import_map.h"
#include "domain/role.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

static int next_nonblank(fuzz_next_row_fn next, void *reader, struct import_cells *cells)
{
    int rc;
    do
        rc = next(reader, cells);
    while (rc == 1 && import_cells_blank(cells));
    return rc;
}

void fuzz_import_rows(fuzz_next_row_fn next, void *reader, unsigned selector, size_t max_rows)
{
    size_t nadapters = 0;
    const struct import_adapter *all = import_adapters();
    while (all[nadapters].library)
        nadapters++;
    const struct import_adapter *ad = &all[selector % nadapters];
    unsigned role = (selector / nadapters) % 2 ? ROLE_COUNTY : ROLE_ADMIN;

    struct import_cells cells;
    import_cells_init(&cells);
    struct import_header header = {0};
    cJSON *report = cJSON_CreateArray();
    cJSON *defaults = cJSON_CreateObject();
    static const char *const region_optional[] = {"region_code", NULL};
    const char *const *optional = NULL;
    if (ad->region_scoped && role == ROLE_COUNTY) {
        cJSON_AddStringToObject(defaults, "region_code", "321002");
        optional = region_optional;
    }
    if (next_nonblank(next, reader, &cells) == 1 &&
        import_header_match(ad->columns, ad->specs, optional, &cells, &header, report)) {
        for (size_t n = 0; n < max_rows && next_nonblank(next, reader, &cells) == 1; n++) {
            cJSON *clean =
                import_row_build(ad->columns, ad->specs, &header, &cells, role, defaults, report);
            if (clean != NULL) {
                char key[256];
                ad->key(clean, key, sizeof key);
                cJSON_Delete(clean);
            }
        }
    }
    char *text = cJSON_PrintUnformatted(report);
    cJSON_free(text);
    cJSON_Delete(report);
    cJSON_Delete(defaults);
    import_header_free(&header);
    import_cells_free(&cells);
}
