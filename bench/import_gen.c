/* bench/import_gen: writes N rows of one library as the three inputs bench/import compares: a
 * UTF-8 CSV and an XLSX (libxlsxwriter, constant memory) for POST /api/v1/imports/{library},
 * and a COPY text file of the same rows for PostgreSQL's own COPY (the ceiling).
 * Usage: import_gen enterprises N out.csv out.xlsx out.copy */
#include "domain/codes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#define NCOLS 8

static const char *const heads[NCOLS] = {"企业名称", "统一社会信用代码", "地区代码",
                                         "企业规模", "高新技术企业",     "地址",
                                         "联系人",   "联系电话"};
static const char *const regions[] = {"321002", "321003", "321012", "321023", "321081", "321084"};
static const char *const sizes[] = {"大型", "中型", "小型", "微型"};
static const char *const size_codes[] = {"large", "medium", "small", "micro"};

/* Row i's cells (as staff would type them) and its COPY line (as the table stores them). */
static void row(long i, char cells[NCOLS][128], char *copy, size_t cap)
{
    const char *region = regions[i % 6];
    snprintf(cells[0], 128, "扬州市第%ld号智能制造有限公司", i);
    snprintf(cells[1], 128, "91%sMA%07ld", region, i);
    cells[1][17] = codes_credit_check_char(cells[1]);
    cells[1][18] = '\0';
    snprintf(cells[2], 128, "%s", region);
    snprintf(cells[3], 128, "%s", sizes[i % 4]);
    snprintf(cells[4], 128, "%s", i % 3 == 0 ? "是" : "否");
    snprintf(cells[5], 128, "扬州市文昌中路%ld号", i % 1000);
    snprintf(cells[6], 128, "联系人%ld", i % 500);
    snprintf(cells[7], 128, "138%08ld", i);
    snprintf(copy, cap, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cells[0], cells[1], cells[2],
             size_codes[i % 4], i % 3 == 0 ? "t" : "f", cells[5], cells[6], cells[7]);
}

int main(int argc, char **argv)
{
    if (argc != 6 || strcmp(argv[1], "enterprises") != 0) {
        fprintf(stderr, "usage: import_gen enterprises N out.csv out.xlsx out.copy\n");
        return 2;
    }
    long n = strtol(argv[2], NULL, 10);
    FILE *csv = fopen(argv[3], "w"), *copy = fopen(argv[5], "w");
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE};
    lxw_workbook *wb = workbook_new_opt(argv[4], &opt);
    if (csv == NULL || copy == NULL || wb == NULL) {
        perror("import_gen");
        return 1;
    }
    lxw_worksheet *ws = workbook_add_worksheet(wb, "企业名录");
    for (int c = 0; c < NCOLS; c++) {
        fprintf(csv, "%s%s", c ? "," : "", heads[c]);
        worksheet_write_string(ws, 0, (lxw_col_t)c, heads[c], NULL);
    }
    fprintf(csv, "\r\n");
    char cells[NCOLS][128], line[2048];
    for (long i = 1; i <= n; i++) {
        row(i, cells, line, sizeof line);
        for (int c = 0; c < NCOLS; c++) {
            fprintf(csv, "%s%s", c ? "," : "", cells[c]);
            worksheet_write_string(ws, (lxw_row_t)i, (lxw_col_t)c, cells[c], NULL);
        }
        fprintf(csv, "\r\n");
        fputs(line, copy);
    }
    fclose(csv);
    fclose(copy);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}
