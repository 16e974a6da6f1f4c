/* libFuzzer harness: an uploaded XLSX workbook (libzip over the bytes in memory, expat over
 * its parts), read row by row and taken through header matching and row validation. The
 * input is the file itself; its length picks the sheet parameter and the library. */
#include "domain/import_xlsx.h"
#include "fuzz_import.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int xlsx_next(void *reader, struct import_cells *cells)
{
    struct import_xlsx *x = reader;
    int rc = import_xlsx_next(x, cells);
    if (rc < 0 && import_xlsx_error(x) == NULL)
        abort();
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1024 * 1024)
        return 0;
    /* Mostly the first sheet, as most uploads; sometimes one by name. */
    static const char *const sheets[] = {NULL, NULL, NULL, "Sheet1", NULL, NULL, NULL, "企业"};
    const char *sheet = sheets[size % 8];
    char *file = malloc(size ? size : 1);
    memcpy(file, data, size);
    const char *error = NULL;
    struct import_xlsx *x = import_xlsx_open(file, size, sheet, &error);
    if (x != NULL)
        fuzz_import_rows(xlsx_next, x, (unsigned)(size / 8), 1000);
    else if (error == NULL)
        abort();
    import_xlsx_close(x);
    free(file);
    return 0;
}
