/* What every file export shares: the file is written to a temporary file (CSV as UTF-8 with
 * a BOM so that Excel reads the Chinese; XLSX through libxlsxwriter in constant-memory mode)
 * and then streamed to the client chunk by chunk as the connection drains, so that neither
 * the workbook nor the reply ever sits in memory whole. Tables are described once by their
 * columns and written to either format from a PGresult. */
#ifndef SIKU_API_EXPORT_STREAM_H
#define SIKU_API_EXPORT_STREAM_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <xlsxwriter.h>

struct http_request;

/* How a column's values are written to XLSX (CSV writes the text as PostgreSQL gave it). */
enum export_kind {
    EXPORT_TEXT,    /* a string */
    EXPORT_WRAPPED, /* a string that may be long: wrapped in its cell, top-aligned */
    EXPORT_INTEGER, /* a number, format 0 */
    EXPORT_DEC1,    /* a number, format 0.0 */
    EXPORT_DEC2,    /* a number, format 0.00 */
    EXPORT_NUMBER,  /* a number, the General format */
};

struct export_column {
    const char *header; /* Chinese */
    int source;         /* the column of the PGresult */
    double width;       /* in characters */
    enum export_kind kind;
};

struct export_table {
    const char *sheet; /* the XLSX sheet name (at most 31 characters) */
    const struct export_column *columns;
    int ncolumns;
    bool bordered_header; /* a thin border around the header cells */
    bool autofilter;      /* an autofilter over the header row */
};

/* Writes a CSV cell (quoted when it must be) and "," or, after the last, CRLF. */
void export_csv_field(FILE *f, const char *s, bool last);

/* Writes the table to f as CSV: the header row, then one line per row of res (NULL as an
 * empty cell). The BOM is written by export_reply before the callback runs. */
bool export_csv_table(FILE *f, const struct export_table *t, PGresult *res);

/* Adds a sheet to wb for the table: bold shaded header, frozen header row, the widths and
 * number formats of the columns; NULL cells stay empty. Answers the sheet. */
lxw_worksheet *export_xlsx_table(lxw_workbook *wb, const struct export_table *t, PGresult *res);

/* The bold, shaded header format every export uses. */
lxw_format *export_header_format(lxw_workbook *wb, bool bordered);

typedef bool (*export_csv_fn)(FILE *f, void *ctx);
typedef bool (*export_xlsx_fn)(lxw_workbook *wb, void *ctx);

/* Writes the export to a temporary file and streams it as the reply: for XLSX through
 * write_xlsx on a constant-memory workbook, for CSV through write_csv after a BOM. The file
 * is named ascii_name.EXT (the filename fallback) and name.EXT (filename*, RFC 5987). Answers
 * a 500 problem when the file cannot be written. */
void export_reply(struct http_request *req, bool xlsx, const char *ascii_name, const char *name,
                  export_csv_fn write_csv, export_xlsx_fn write_xlsx, void *ctx);

/* ---- exports read page by page ----
 * A table of any length is read in pages of EXPORT_PAGE_ROWS rows by keyset, each page
 * written to the file before the next is asked for, so that memory holds one page whatever
 * the number of rows. All pages (and the summary) are read in one db_snapshot, so that a
 * file never mixes two states of the data. The page statement takes the fixed parameters, then the
 * keyset (NULL for the first page), then the page size, and answers its rows ordered by the keyset
 * with the keyset's values in its last nkeys columns. */
#define EXPORT_PAGE_ROWS  1000
#define EXPORT_MAX_PARAMS 16
#define EXPORT_MAX_KEYS   3
struct db_stmt;

struct export_paged {
    bool xlsx;
    const char *ascii_name, *name; /* as for export_reply */
    const struct export_table *table;
    const struct db_stmt *page;
    const char *params[EXPORT_MAX_PARAMS]; /* the fixed ones */
    int nfixed, nkeys;
    /* An optional second sheet (XLSX only), read once with the first page; its statement takes
     * the first nsummary fixed parameters. */
    const struct export_table *summary;
    const struct db_stmt *summary_stmt;
    int nsummary;
    /* Optional: looks at the first page (and the summary) before anything is written; replies
     * (a 404 ...) and returns false to stop. */
    bool (*check)(struct http_request *req, PGresult *first_page, PGresult *summary);
};

/* Runs the paged export and replies with the file (or the problem of a failure). */
void export_paged_run(struct http_request *req, struct export_paged *ep);

/* Reads ?format= from a query value: NULL or xlsx (true) or csv (false); anything else answers
 * 400 and returns false. */
bool export_parse_format(struct http_request *req, const char *format, bool *xlsx)
    __attribute__((warn_unused_result));

#endif
