/* The forms a staff roster writes a value in, read as the API's values: a region by its name
 * (江都区, 扬州市江都区, 江都) resolved against the regions the database holds, dates of day or
 * month precision in the usual Chinese spellings, an agreement term as an end date, a range
 * (2023.01-2025.12, 2023年1月至2025年12月) or a length (3年), and full-width digits and
 * punctuation. Pure: no database, no I/O. */
#ifndef SIKU_DOMAIN_IMPORT_VALUES_H
#define SIKU_DOMAIN_IMPORT_VALUES_H

#include <stdbool.h>
#include <stddef.h>

/* A copy of in with full-width ASCII (U+FF01..U+FF5E) read as half-width, the ideographic
 * space as a space, and dashes (— – ‐ ―) as '-'; white space dropped when drop_spaces.
 * Caller frees. */
char *import_halfwidth(const char *in, bool drop_spaces);

/* ---- regions ---- */

struct import_regions;

struct import_regions *import_regions_new(void);
void import_regions_free(struct import_regions *r);
/* Adds a region of the database (kind as in the regions table; parent may be NULL). */
void import_regions_add(struct import_regions *r, const char *code, const char *name,
                        const char *kind, const char *parent);

/* The code of the region a cell names: a six-digit code is returned as written (the database
 * checks it exists); otherwise the text, with white space, dashes and full-width forms folded,
 * must be a region's name, its name after its parents' names (扬州市江都区, 江苏扬州江都区), its
 * short name without 省/市/区/县 (江都), its name without the parent's (生态科技新城) or with the
 * common abbreviation of a zone (经开区, 高新区). An exact name wins over the other forms; two
 * regions sharing the best form are ambiguous. Returns NULL with a Chinese reason naming column
 * (a header) in reason. The returned string belongs to r. */
const char *import_regions_resolve(struct import_regions *r, const char *text, const char *column,
                                   char *reason, size_t cap);

/* ---- code tables by name (disciplines, industries) ---- */

struct import_names;

struct import_names *import_names_new(void);
void import_names_free(struct import_names *t);
void import_names_add(struct import_names *t, const char *code, const char *name);

/* The code of the entry named text (white space, dashes and full-width forms aside; a name
 * ending in 学 also without it: 植物保护 for 植物保护学), or NULL: *ambiguous tells whether
 * several entries have that name. An exact name wins over the shortened one. The code belongs
 * to t. */
const char *import_names_find(struct import_names *t, const char *text, bool *ambiguous);

/* ---- dates and terms ---- */

struct import_date {
    int y, m, d;   /* m, d are 0 when not given */
    int precision; /* 1 year, 2 month, 3 day */
};

/* Reads a date at the start of s (half-width, no spaces): 2023-01-05, 2023/1/5, 2023.1.5,
 * 20230105, 2023年1月5日 (日 or 号), 2023-01, 2023.1, 2023年1月, 2023年, 2023. Returns the bytes
 * read, 0 when s does not start with one; the month and day are in range when given, the day
 * exists in its month. */
size_t import_date_prefix(const char *s, struct import_date *d);

/* A date cell as YYYY-MM-DD (out holds 11 bytes): day precision as written; month precision
 * as the month's first day, or its last when end is true (an end: 协议期满, 截止). False with a
 * reason when the cell is no date or only a year. */
bool import_date_parse(const char *s, bool end, char *out, char *reason, size_t cap);

/* What an agreement-term cell says. */
struct import_term {
    char start[11]; /* YYYY-MM-DD when a range or "起" gave one, else "" */
    char end[11];   /* YYYY-MM-DD when known, else "" (a length without a start) */
    int months;     /* a length (3年 = 36), else 0 */
};

/* Reads an agreement term: an end date (2025-12-31, 2025年12月 = its last day), a range of
 * dates of month or day precision (2023.01-2025.12, 2023年1月至2025年12月, 2023-01-01至2025-12-31,
 * 2023/1/1~2025/12/31), a length (3年, 三年, 36个月, 为期3年) or a start and a length
 * (2023年1月起3年). A range or an end of only a year, a start after its end and anything else
 * are refused with a Chinese reason. */
bool import_term_parse(const char *s, struct import_term *t, char *reason, size_t cap);

/* The last day of a term of months from start (YYYY-MM-DD): 2023-01-01 and 36 → 2025-12-31.
 * False when start is no date. */
bool import_term_end(const char *start, int months, char *out);

/* ---- academicians ---- */

/* The academy ("CAS" or "CAE") a division (学部) belongs to, by its present or former name
 * (数学物理学部, 数理学部, 机械与运载工程学部, 冶金与材料工程学部 …; white space, 、 and full-width
 * forms aside), or NULL when the name is no division of either. */
const char *import_academy_of_division(const char *division);

#endif
