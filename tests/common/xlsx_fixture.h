/* Test helper: builds a zip (an XLSX) from (name, content) pairs in memory with libzip, so
 * tests can make workbooks with inline strings, date styles and hostile shapes. */
#ifndef SIKU_TESTS_XLSX_FIXTURE_H
#define SIKU_TESTS_XLSX_FIXTURE_H

#include <stddef.h>

struct zip_part {
    const char *name;
    const char *data;
    size_t len; /* 0: strlen(data) */
};

/* Returns malloc'd zip bytes (and their length), or NULL. */
char *fixture_zip(const struct zip_part *parts, size_t n, size_t *len);

/* A minimal workbook whose first sheet is sheet_xml (sheetData and all), with styles_xml
 * (NULL: none) and shared_xml (NULL: none). */
char *fixture_xlsx(const char *sheet_xml, const char *styles_xml, const char *shared_xml,
                   size_t *len);

/* Reads a whole file (malloc'd). */
char *fixture_read_file(const char *path, size_t *len);

#endif
