/* Writes the seed workbooks of fuzz/corpus/xlsx with libxlsxwriter, as the console's users
 * would upload them: an enterprise roster (shared strings, a boolean, a Chinese header), an
 * expert roster with dates and numbers, and a workbook whose roster is on its second sheet.
 * Run once by fuzz/make-seeds; its output is committed. Usage: fuzz_make_seeds DIR */
#include <stdio.h>
#include <xlsxwriter.h>

static int enterprises(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/enterprises.xlsx", dir);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "企业");
    static const char *const header[] = {"企业名称*", "统一社会信用代码", "地区代码",
                                         "行业代码",  "企业规模",         "高新技术企业",
                                         "地址",      "联系人",           "联系电话"};
    for (int c = 0; c < 9; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, header[c], NULL);
    worksheet_write_string(ws, 1, 0, "扬州锂电新材料有限公司", NULL);
    worksheet_write_string(ws, 1, 1, "91321000MA1MXXXX0X", NULL);
    worksheet_write_string(ws, 1, 2, "321002", NULL);
    worksheet_write_string(ws, 1, 3, "C38", NULL);
    worksheet_write_string(ws, 1, 4, "小型", NULL);
    worksheet_write_boolean(ws, 1, 5, 1, NULL);
    worksheet_write_string(ws, 1, 6, "江苏省扬州市广陵区文昌东路 1 号", NULL);
    worksheet_write_string(ws, 1, 7, "王工", NULL);
    worksheet_write_number(ws, 1, 8, 13812345678.0, NULL);
    worksheet_write_string(ws, 3, 0, "  仪征化纤配套厂  ", NULL);
    worksheet_write_string(ws, 3, 2, "321081", NULL);
    worksheet_write_boolean(ws, 3, 5, 0, NULL);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}

static int experts(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/experts.xlsx", dir);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy\"年\"m\"月\"d\"日\"");
    lxw_format *iso = workbook_add_format(wb);
    format_set_num_format(iso, "yyyy-mm-dd");
    static const char *const header[] = {"姓名", "单位", "职称", "研究方向", "出生日期", "手机"};
    for (int c = 0; c < 6; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, header[c], NULL);
    worksheet_write_string(ws, 1, 0, "张伟", NULL);
    worksheet_write_string(ws, 1, 1, "扬州大学", NULL);
    worksheet_write_string(ws, 1, 2, "教授", NULL);
    worksheet_write_string(ws, 1, 3, "锂离子电池；储能材料", NULL);
    lxw_datetime born = {1975, 6, 1, 0, 0, 0};
    worksheet_write_datetime(ws, 1, 4, &born, date);
    worksheet_write_string(ws, 1, 5, "13912345678", NULL);
    worksheet_write_string(ws, 2, 0, "Li Na", NULL);
    worksheet_write_number(ws, 2, 4, 29000.0, iso);
    worksheet_write_formula(ws, 2, 5, "=1+1", NULL);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}

static int two_sheets(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/two-sheets.xlsx", dir);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *notes = workbook_add_worksheet(wb, "说明");
    worksheet_write_string(notes, 0, 0, "请在 Sheet1 中填写", NULL);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Sheet1");
    worksheet_write_string(ws, 0, 0, "企业名称", NULL);
    worksheet_write_string(ws, 0, 1, "credit code", NULL);
    worksheet_write_string(ws, 0, 2, "region", NULL);
    worksheet_write_string(ws, 1, 0, "高邮电子科技", NULL);
    worksheet_write_string(ws, 1, 1, "91321084MA1NXXXX1Y", NULL);
    worksheet_write_number(ws, 1, 2, 321084.0, NULL);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    return enterprises(argv[1]) | experts(argv[1]) | two_sheets(argv[1]);
}
