/* Reading XLSX workbooks for imports, one row at a time: libzip opens the archive in memory,
 * expat streams the sheet. The first sheet or a named one; shared and inline strings, numbers,
 * dates (by the cell's number format, 1900 and 1904 systems), booleans, empty cells. Every
 * part has a size bound and a compression-ratio bound, so a zip bomb is refused before it is
 * inflated; DTDs are refused, so no entity can expand. */
#ifndef SIKU_DOMAIN_IMPORT_XLSX_H
#define SIKU_DOMAIN_IMPORT_XLSX_H

#include "domain/import_cells.h"

#include <stdbool.h>
#include <stddef.h>

#define XLSX_MAX_ENTRIES 4096
#define XLSX_MAX_PART    (16u << 20)  /* workbook, relationships, styles */
#define XLSX_MAX_SHARED  (256u << 20) /* the shared strings part, inflated */
#define XLSX_MAX_SHEET   (1024u << 20)
#define XLSX_MAX_RATIO   200 /* inflated / compressed, for parts over 1 MiB */

struct import_xlsx;

/* Opens data (which must outlive the reader) and the sheet named sheet (NULL: the first).
 * Returns NULL with *error set to a Chinese message when the file is not a readable
 * workbook, is too large when inflated, or has no such sheet. */
struct import_xlsx *import_xlsx_open(const void *data, size_t len, const char *sheet,
                                     const char **error);

/* Reads the next row: 1 read, 0 end, -1 error (import_xlsx_error says which). Rows keep the
 * sheet's row numbers; empty rows are not handed out. */
int import_xlsx_next(struct import_xlsx *x, struct import_cells *cells)
    __attribute__((warn_unused_result));
const char *import_xlsx_error(const struct import_xlsx *x);
void import_xlsx_close(struct import_xlsx *x);

/* "YYYY-MM-DD" of an Excel serial day number; false when out of range. Exposed for tests. */
bool import_xlsx_serial_date(double serial, bool date1904, char out[11]);

/* Whether a number format code shows a date (yyyy-mm-dd, yyyy"年"m"月"d"日" ...). */
bool import_xlsx_format_is_date(const char *code);

#endif
