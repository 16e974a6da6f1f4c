/* libFuzzer harness: an uploaded CSV roster, read record by record and taken through header
 * matching and row validation. The input is the file itself (so a crash input is a file one
 * can upload); its length picks the charset parameter (auto, utf-8, gb18030) and the
 * library. */
#include "domain/import_csv.h"
#include "fuzz_import.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int csv_next(void *reader, struct import_cells *cells)
{
    struct import_csv *r = reader;
    int rc = import_csv_next(r, cells);
    if (rc < 0 && r->error == NULL)
        abort(); /* an error always carries its message */
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    static const enum import_charset charsets[] = {IMPORT_CHARSET_AUTO, IMPORT_CHARSET_UTF8,
                                                   IMPORT_CHARSET_GB18030};
    enum import_charset cs = charsets[size % 3];
    struct import_csv r;
    /* A copy of exactly the file's bytes, so that reading past it is caught. */
    char *file = malloc(size ? size : 1);
    memcpy(file, data, size);
    if (import_csv_open(&r, file, size, cs))
        fuzz_import_rows(csv_next, &r, (unsigned)(size / 3), 1000);
    else if (r.error == NULL)
        abort();
    import_csv_close(&r);
    free(file);
    return 0;
}
