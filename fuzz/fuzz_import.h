/* What the CSV and XLSX harnesses share: the import handler's path from rows to records
 * (header row matched against a library's template, each following row built and validated
 * with the library's real field specs, its natural key taken), minus the database. */
#ifndef SIKU_FUZZ_IMPORT_H
#define SIKU_FUZZ_IMPORT_H

#include "domain/import_cells.h"

#include <stddef.h>

/* Reads the next row like import_csv_next / import_xlsx_next: 1, 0 at the end, -1 on error. */
typedef int (*fuzz_next_row_fn)(void *reader, struct import_cells *cells);

/* Runs the rows of reader into the library picked by selector, at most max_rows of them. */
void fuzz_import_rows(fuzz_next_row_fn next, void *reader, unsigned selector, size_t max_rows);

#endif
