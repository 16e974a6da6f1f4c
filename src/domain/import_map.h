/* From a file's rows to records: matching its header row to a library's columns (Chinese or
 * English names, tolerant of white space, full-width characters and "*"/"(必填)" marks), and
 * turning each row into the JSON object the resource's own field specs then validate, so an
 * imported row passes exactly the rules of the API. Problems are {row, column, reason}. */
#ifndef SIKU_DOMAIN_IMPORT_MAP_H
#define SIKU_DOMAIN_IMPORT_MAP_H

#include "domain/import_cells.h"
#include "domain/validate.h"

#include <stdbool.h>
#include <stddef.h>

struct cJSON;

struct import_label {
    const char *code;
    const char *label;
};

/* One column of a library's template. */
struct import_column {
    const char *field;                 /* the resource's field name (also an accepted header) */
    const char *label;                 /* the template's Chinese header */
    const char *const *aliases;        /* other accepted headers, NULL-terminated, or NULL */
    const struct import_label *labels; /* Chinese labels of enumeration codes, or NULL */
};

/* What a header row says: which column of the library each file column holds. */
struct import_header {
    int column[IMPORT_MAX_CELLS]; /* file column -> index in the columns table, or -1 */
    char *text[IMPORT_MAX_CELLS]; /* the file's header of each column (for reports) */
    size_t n;
    /* The regions a region_code cell may name (import_values.h); NULL: codes only. Not owned. */
    struct import_regions *regions;
    /* The disciplines and industries a code-list cell may name by name; NULL: codes only. */
    struct import_names *disciplines, *industries;
};

/* Canonical form of a header for comparison, written to out (cap bytes). */
void import_header_normalize(const char *in, char *out, size_t cap);

/* Matches a header row. Columns not in the table and duplicate columns are reported (row 1
 * of the report is the header row), as are required fields (FIELD_REQUIRED in specs) that
 * have no column, except those named in optional (NULL-terminated, may be NULL). Returns
 * false when anything was reported. */
bool import_header_match(const struct import_column *columns, const struct field_spec *specs,
                         const char *const *optional, const struct import_cells *row,
                         struct import_header *h, struct cJSON *report);
void import_header_free(struct import_header *h);

/* Builds the record of one row and validates it with specs as a create by role; members of
 * defaults (may be NULL) stand in for fields the row leaves out. Returns the clean object
 * (caller deletes), or NULL after adding the row's problems to report.
 * Beyond the API's forms, a cell may hold what rosters write (import_values.h): full-width
 * digits and punctuation in numbers, dates, codes and contact details; dates of month
 * precision (the month's first day, or its last for an end: term_end, deadline); a region's
 * name in region_code (resolved with h->regions); a term_end as a range or a length (3年,
 * counted from signed_on, else established_on); 万/万元 after an amount; several titles
 * (教授、博士生导师), of which the highest counts. */
struct cJSON *import_row_build(const struct import_column *columns, const struct field_spec *specs,
                               const struct import_header *h, const struct import_cells *row,
                               unsigned role, const struct cJSON *defaults, struct cJSON *report);

/* The fold every natural key of an import is compared under: full-width ASCII (U+FF01..U+FF5E)
 * read as half-width, white space of every kind dropped, ASCII letters lower-cased. SQL's
 * import_fold() (migration 0025) does the same by NFKC, which folds a little more. Returns a new
 * string (never longer than in; caller frees). */
char *import_fold(const char *in);

/* Adds {row, column, reason} to report. */
void import_report_add(struct cJSON *report, size_t row, const char *column, const char *reason);

/* One UTF-8 sequence at s: its code point in *cp (U+FFFD for a malformed one) and its length. */
size_t import_utf8_decode(const unsigned char *s, unsigned *cp);

/* Whether cp is a space of any kind a spreadsheet cell may hold (ASCII, no-break, ideographic,
 * zero-width, BOM). */
bool import_is_space(unsigned cp);

#endif
