/* Reading CSV rosters: RFC 4180 quoting (separators, quotes and line breaks inside quoted
 * fields), CRLF or LF, a UTF-8 byte order mark, and the encodings Chinese spreadsheets write
 * (UTF-8, GB18030 and its subsets GBK/GB2312, UTF-16 "Unicode text"), detected or given. The
 * separator is the comma, or a tab or semicolon when the header line says so. */
#ifndef SIKU_DOMAIN_IMPORT_CSV_H
#define SIKU_DOMAIN_IMPORT_CSV_H

#include "domain/import_cells.h"

#include <stdbool.h>
#include <stddef.h>

enum import_charset {
    IMPORT_CHARSET_AUTO, /* BOM, else valid UTF-8, else GB18030 */
    IMPORT_CHARSET_UTF8,
    IMPORT_CHARSET_GB18030,
};

/* Parses a charset parameter ("utf-8", "gb18030", "gbk", "gb2312", case-insensitive). */
bool import_charset_parse(const char *s, enum import_charset *out);

struct import_csv {
    char *owned; /* the converted text when the file was not UTF-8 */
    const char *p, *end;
    size_t line; /* line number of the next record */
    char sep;
    const char *charset; /* what was read: "UTF-8", "GB18030" or "UTF-16" */
    const char *error;   /* a Chinese message once import_csv_next answered -1 */
};

/* Prepares to read data (which must outlive the reader). Returns false with r->error set
 * when the bytes are in none of the accepted encodings. */
bool import_csv_open(struct import_csv *r, const char *data, size_t len,
                     enum import_charset charset) __attribute__((warn_unused_result));
void import_csv_close(struct import_csv *r);

/* Reads the next record into cells: 1 read, 0 end of file, -1 error (r->error says which,
 * cells->row names the record's first line). */
int import_csv_next(struct import_csv *r, struct import_cells *cells)
    __attribute__((warn_unused_result));

#endif
