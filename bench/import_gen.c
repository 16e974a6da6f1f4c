/* bench/import_gen: writes N rows of one library as the three inputs bench/import compares: a
 * UTF-8 CSV and an XLSX (libxlsxwriter, constant memory) for POST /api/v1/imports/{library},
 * and a COPY text file of the same rows for PostgreSQL's own COPY (the ceiling).
 * Usage: import_gen enterprises|experts N out.csv out.xlsx out.copy
 * (experts: half the rows carry an ID number, half are matched by name + affiliation + phone;
 * the COPY columns are listed in bench/import). */
#include "domain/codes.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#define MAX_COLS 16

static const char *const enterprise_heads[] = {"企业名称", "统一社会信用代码", "地区代码",
                                               "企业规模", "高新技术企业",     "地址",
                                               "联系人",   "联系电话",         NULL};
static const char *const regions[] = {"321002", "321003", "321012", "321023", "321081", "321084"};
static const char *const sizes[] = {"大型", "中型", "小型", "微型"};
static const char *const size_codes[] = {"large", "medium", "small", "micro"};

/* Row i's cells (as staff would type them) and its COPY line (as the table stores them). */
static void enterprise_row(long i, char cells[MAX_COLS][128], char *copy, size_t cap)
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

static const char *const expert_heads[] = {
    "姓名",     "性别",     "出生年月", "职称",     "工作单位", "单位类型",
    "地区代码", "学科代码", "行业代码", "研究方向", "关键词",   "服务方式",
    "手机",     "电子邮箱", "身份证号", "同意推荐", NULL};
static const char *const titles[] = {"教授", "副教授", "研究员", "高级工程师", "工程师"};
static const char *const title_codes[] = {"senior", "associate_senior", "senior",
                                          "associate_senior", "intermediate"};
static const char *const units[] = {"扬州大学", "扬州市职业大学", "江苏省农业科学院里下河所",
                                    "扬州某智能装备有限公司"};
static const char *const unit_kinds[] = {"高校", "高校", "科研院所", "企业"};
static const char *const unit_kind_codes[] = {"university", "university", "institute",
                                              "enterprise"};
static const char *const disciplines[][2] = {{"480、46020", "{480,46020}"},
                                             {"520", "{520}"},
                                             {"510 41010", "{510,41010}"},
                                             {"413", "{413}"}};
static const char *const industries[][2] = {
    {"C35", "{C35}"}, {"C38；I65", "{C38,I65}"}, {"I64", "{I64}"}, {"", "{}"}};
static const char *const fields[] = {"锂电池正极材料与电池管理系统", "作物遗传育种与栽培",
                                     "工业机器人与智能制造", "大数据分析与人工智能应用"};
static const char *const keywords[][2] = {{"正极材料、电池管理", "{正极材料,电池管理}"},
                                          {"水稻育种", "{水稻育种}"},
                                          {"机器人、数控", "{机器人,数控}"},
                                          {"大数据、机器学习", "{大数据,机器学习}"}};
static const char *const modes[][2] = {{"技术转让、技术咨询", "{transfer,consulting}"},
                                       {"联合攻关", "{joint}"},
                                       {"委托研究", "{commissioned}"},
                                       {"人才培养、技术咨询", "{training,consulting}"}};

static void expert_row(long i, char cells[MAX_COLS][128], char *copy, size_t cap)
{
    const char *region = regions[i % 6];
    int born = 1950 + (int)(i % 45), k = (int)(i % 4);
    snprintf(cells[0], 128, "专家%ld", i);
    snprintf(cells[1], 128, "%s", i % 2 ? "男" : "女");
    snprintf(cells[2], 128, "%d.%02d", born, (int)(i % 12) + 1);
    snprintf(cells[3], 128, "%s", titles[i % 5]);
    snprintf(cells[4], 128, "%s", units[k]);
    snprintf(cells[5], 128, "%s", unit_kinds[k]);
    snprintf(cells[6], 128, "%s", region);
    snprintf(cells[7], 128, "%s", disciplines[i % 4][0]);
    snprintf(cells[8], 128, "%s", industries[(i / 4) % 4][0]);
    snprintf(cells[9], 128, "%s", fields[k]);
    snprintf(cells[10], 128, "%s", keywords[k][0]);
    snprintf(cells[11], 128, "%s", modes[(i / 3) % 4][0]);
    snprintf(cells[12], 128, "139%08ld", i);
    snprintf(cells[13], 128, "expert%ld@example.cn", i);
    cells[14][0] = '\0';
    if (i % 2 == 0) {
        long j = i / 2; /* unique up to 336,000 rows: month, day and sequence number */
        snprintf(cells[14], 128, "%.6s%d%02d%02d%03ld", region, born, (int)(j / 28000 % 12) + 1,
                 (int)(j / 1000 % 28) + 1, j % 1000);
        cells[14][17] = codes_id_check_char(cells[14]);
        cells[14][18] = '\0';
    }
    snprintf(cells[15], 128, "%s", i % 3 ? "是" : "否");
    snprintf(copy, cap, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
             cells[0], i % 2 ? "male" : "female", born, title_codes[i % 5], cells[4],
             unit_kind_codes[k], region, disciplines[i % 4][1], industries[(i / 4) % 4][1],
             cells[9], keywords[k][1], modes[(i / 3) % 4][1], cells[12], cells[13],
             cells[14][0] ? cells[14] : "\\N", i % 3 ? "t" : "f");
}

int main(int argc, char **argv)
{
    bool experts = argc == 6 && strcmp(argv[1], "experts") == 0;
    if (argc != 6 || (!experts && strcmp(argv[1], "enterprises") != 0)) {
        fprintf(stderr, "usage: import_gen enterprises|experts N out.csv out.xlsx out.copy\n");
        return 2;
    }
    const char *const *heads = experts ? expert_heads : enterprise_heads;
    void (*row)(long, char[MAX_COLS][128], char *, size_t) = experts ? expert_row : enterprise_row;
    int ncols = 0;
    while (heads[ncols])
        ncols++;
    long n = strtol(argv[2], NULL, 10);
    FILE *csv = fopen(argv[3], "w"), *copy = fopen(argv[5], "w");
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE};
    lxw_workbook *wb = workbook_new_opt(argv[4], &opt);
    if (csv == NULL || copy == NULL || wb == NULL) {
        perror("import_gen");
        return 1;
    }
    lxw_worksheet *ws = workbook_add_worksheet(wb, experts ? "专家名单" : "企业名录");
    for (int c = 0; c < ncols; c++) {
        fprintf(csv, "%s%s", c ? "," : "", heads[c]);
        worksheet_write_string(ws, 0, (lxw_col_t)c, heads[c], NULL);
    }
    fprintf(csv, "\r\n");
    char cells[MAX_COLS][128], line[4096];
    for (long i = 1; i <= n; i++) {
        row(i, cells, line, sizeof line);
        for (int c = 0; c < ncols; c++) {
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
