/* Unit tests for the import readers and mapping: src/domain/import_csv.h, import_xlsx.h,
 * import_map.h. Workbooks are made here, with libxlsxwriter and by hand with libzip. */
#include "domain/codes.h"
#include "domain/import_csv.h"
#include "domain/import_map.h"
#include "domain/import_values.h"
#include "domain/import_xlsx.h"

#include "../common/xlsx_fixture.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* Reads all rows of a CSV into "a|b|c\n" lines (rows prefixed by their number). */
static char *csv_dump(const char *data, size_t len, enum import_charset cs, const char **error)
{
    struct import_csv r;
    struct import_cells c;
    import_cells_init(&c);
    *error = NULL;
    if (!import_csv_open(&r, data, len, cs)) {
        *error = r.error;
        import_csv_close(&r);
        return NULL;
    }
    static char out[1 << 16];
    size_t o = 0;
    int rc;
    while ((rc = import_csv_next(&r, &c)) == 1) {
        o += (size_t)snprintf(out + o, sizeof out - o, "%zu:", c.row);
        for (size_t i = 0; i < c.n; i++)
            o += (size_t)snprintf(out + o, sizeof out - o, "%s%s", i ? "|" : "",
                                  import_cells_get(&c, i));
        o += (size_t)snprintf(out + o, sizeof out - o, "\n");
    }
    if (rc < 0)
        *error = r.error;
    import_csv_close(&r);
    import_cells_free(&c);
    return rc < 0 ? NULL : out;
}

START_TEST(test_csv_reads_rfc4180_quotes_and_crlf)
{
    const char *in = "姓名,单位,备注\r\n张三,\"扬州大学, 化工学院\",\"说 \"\"好\"\"\"\r\n"
                     "李四,\"两行\r\n文字\",\r\n王五,,x";
    const char *err;
    const char *out = csv_dump(in, strlen(in), IMPORT_CHARSET_AUTO, &err);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, "1:姓名|单位|备注\n2:张三|扬州大学, 化工学院|说 \"好\"\n"
                          "3:李四|两行\r\n文字|\n5:王五||x\n");
}
END_TEST

START_TEST(test_csv_skips_the_utf8_bom_and_detects_tabs)
{
    const char *in = "\xEF\xBB\xBFname\tcredit_code\nA\tB\n";
    const char *err;
    const char *out = csv_dump(in, strlen(in), IMPORT_CHARSET_AUTO, &err);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, "1:name|credit_code\n2:A|B\n");
}
END_TEST

static size_t to_gb18030(const char *utf8, char *out, size_t cap)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    ck_assert(cd != (iconv_t)-1);
    char *in = (char *)utf8, *o = out;
    size_t inleft = strlen(utf8), outleft = cap;
    ck_assert(iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1);
    iconv_close(cd);
    return cap - outleft;
}

START_TEST(test_csv_detects_and_converts_gb18030)
{
    char gb[256];
    size_t n = to_gb18030("企业名称,地址\n扬州科技有限公司,广陵区文昌路\n", gb, sizeof gb);
    const char *err;
    const char *out = csv_dump(gb, n, IMPORT_CHARSET_AUTO, &err);
    ck_assert_msg(out != NULL, "%s", err);
    ck_assert_str_eq(out, "1:企业名称|地址\n2:扬州科技有限公司|广陵区文昌路\n");
    out = csv_dump(gb, n, IMPORT_CHARSET_GB18030, &err);
    ck_assert_ptr_nonnull(out);
    /* Told it is UTF-8, it is refused with a hint instead of read as garbage. */
    ck_assert_ptr_null(csv_dump(gb, n, IMPORT_CHARSET_UTF8, &err));
    ck_assert_ptr_nonnull(strstr(err, "UTF-8"));
}
END_TEST

START_TEST(test_csv_refuses_unclosed_quotes_nul_and_huge_cells)
{
    const char *err;
    ck_assert_ptr_null(csv_dump("a,b\n\"open,x\n", 12, IMPORT_CHARSET_AUTO, &err));
    ck_assert_ptr_nonnull(strstr(err, "引号"));
    ck_assert_ptr_null(csv_dump("a,b\0c\n", 6, IMPORT_CHARSET_AUTO, &err));
    size_t big = IMPORT_MAX_CELL_SIZE + 10;
    char *huge = malloc(big + 1);
    memset(huge, 'x', big);
    huge[big] = '\0';
    ck_assert_ptr_null(csv_dump(huge, big, IMPORT_CHARSET_AUTO, &err));
    ck_assert_ptr_nonnull(strstr(err, "64 KiB"));
    free(huge);
    enum import_charset cs;
    ck_assert(import_charset_parse("GBK", &cs) && cs == IMPORT_CHARSET_GB18030);
    ck_assert(!import_charset_parse("latin1", &cs));
}
END_TEST

/* ---- XLSX ---- */

static char *xlsx_dump(const char *data, size_t len, const char *sheet, const char **error)
{
    *error = NULL;
    struct import_xlsx *x = import_xlsx_open(data, len, sheet, error);
    if (x == NULL)
        return NULL;
    struct import_cells c;
    import_cells_init(&c);
    static char out[1 << 16];
    size_t o = 0;
    int rc;
    while ((rc = import_xlsx_next(x, &c)) == 1) {
        o += (size_t)snprintf(out + o, sizeof out - o, "%zu:", c.row);
        for (size_t i = 0; i < c.n; i++)
            o += (size_t)snprintf(out + o, sizeof out - o, "%s%s", i ? "|" : "",
                                  import_cells_get(&c, i));
        o += (size_t)snprintf(out + o, sizeof out - o, "\n");
    }
    if (rc < 0)
        *error = import_xlsx_error(x);
    import_cells_free(&c);
    import_xlsx_close(x);
    return rc < 0 ? NULL : out;
}

START_TEST(test_xlsx_reads_a_libxlsxwriter_workbook)
{
    char path[] = "/tmp/siku-xlsxw-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "专家");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy\"年\"m\"月\"d\"日\"");
    worksheet_write_string(ws, 0, 0, "姓名", NULL);
    worksheet_write_string(ws, 0, 1, "出生年份", NULL);
    worksheet_write_string(ws, 0, 3, "日期", NULL);
    worksheet_write_string(ws, 1, 0, "张三", NULL);
    worksheet_write_number(ws, 1, 1, 1965, NULL);
    lxw_datetime dt = {2024, 3, 15, 0, 0, 0};
    worksheet_write_datetime(ws, 1, 3, &dt, date);
    worksheet_write_string(ws, 3, 0, "李四", NULL); /* row 3 is empty */
    worksheet_write_number(ws, 3, 1, 13812345678.0, NULL);
    worksheet_write_boolean(ws, 3, 2, 1, NULL);
    ck_assert_int_eq(workbook_close(wb), LXW_NO_ERROR);
    size_t len;
    char *data = fixture_read_file(path, &len);
    unlink(path);
    const char *err;
    const char *out = xlsx_dump(data, len, NULL, &err);
    ck_assert_msg(out != NULL, "%s", err);
    ck_assert_str_eq(out,
                     "1:姓名|出生年份||日期\n2:张三|1965||2024-03-15\n4:李四|13812345678|true\n");
    free(data);
}
END_TEST

static const char *styles =
    "<styleSheet><numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy/m/d\"/>"
    "</numFmts><cellStyleXfs><xf numFmtId=\"14\"/></cellStyleXfs><cellXfs>"
    "<xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf numFmtId=\"14\"/><xf numFmtId=\"2\"/>"
    "</cellXfs></styleSheet>";

START_TEST(test_xlsx_reads_inline_strings_shared_strings_and_dates)
{
    const char *sheet =
        "<worksheet><sheetData>"
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t> 姓名 </t></is></c>"
        "<c r=\"C1\" t=\"s\"><v>0</v></c></row>"
        "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><r><t>王</t></r><r><t>五</t></r>"
        "<rPh><t>wang</t></rPh></is></c><c r=\"B2\" s=\"1\"><v>45366</v></c>"
        "<c r=\"C2\" s=\"2\"><v>61.5</v></c><c r=\"D2\" t=\"d\"><v>2020-02-29T00:00:00</v></c>"
        "<c r=\"E2\" s=\"3\"><v>3.25</v></c><c r=\"F2\"><f>1+1</f><v>2</v></c></row>"
        "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t></t></is></c></row>"
        "</sheetData></worksheet>";
    const char *shared = "<sst><si><t>单位&amp;地址</t></si></sst>";
    size_t len;
    char *data = fixture_xlsx(sheet, styles, shared, &len);
    const char *err;
    const char *out = xlsx_dump(data, len, NULL, &err);
    ck_assert_msg(out != NULL, "%s", err);
    ck_assert_str_eq(out, "1: 姓名 ||单位&地址\n2:王五|2024-03-15|1900-03-01|2020-02-29|3.25|2\n");
    out = xlsx_dump(data, len, "other", &err);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, "1:second\n");
    ck_assert_ptr_null(xlsx_dump(data, len, "nope", &err));
    ck_assert_ptr_nonnull(strstr(err, "工作表"));
    free(data);
}
END_TEST

START_TEST(test_xlsx_refuses_truncated_and_non_zip_files)
{
    const char *sheet = "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>a</t>"
                        "</is></c></row></sheetData></worksheet>";
    size_t len;
    char *data = fixture_xlsx(sheet, NULL, NULL, &len);
    const char *err;
    ck_assert_ptr_nonnull(xlsx_dump(data, len, NULL, &err));
    ck_assert_ptr_null(xlsx_dump(data, len / 2, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err, "XLSX"));
    ck_assert_ptr_null(xlsx_dump("name,phone\n", 11, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err, "XLSX"));
    free(data);
}
END_TEST

START_TEST(test_xlsx_refuses_a_zip_bomb_before_inflating_it)
{
    size_t big = 8u << 20; /* 8 MiB of one byte deflates about a thousand times */
    char *zeros = malloc(big);
    memset(zeros, ' ', big);
    struct zip_part parts[] = {
        {"xl/workbook.xml",
         "<workbook><sheets><sheet name=\"a\" r:id=\"rId1\" xmlns:r=\"r\"/></sheets></workbook>",
         0},
        {"xl/_rels/workbook.xml.rels",
         "<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" "
         "Target=\"worksheets/sheet1.xml\"/></Relationships>",
         0},
        {"xl/worksheets/sheet1.xml", zeros, big},
    };
    size_t len;
    char *data = fixture_zip(parts, 3, &len);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_lt(len, 100000);
    const char *err;
    ck_assert_ptr_null(xlsx_dump(data, len, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err, "压缩炸弹"));
    free(data);
    free(zeros);
}
END_TEST

START_TEST(test_xlsx_refuses_dtds_and_bad_references)
{
    const char *dtd = "<?xml version=\"1.0\"?><!DOCTYPE lol [<!ENTITY a \"aaaa\">]>"
                      "<worksheet><sheetData><row r=\"1\"><c t=\"inlineStr\"><is><t>&a;</t>"
                      "</is></c></row></sheetData></worksheet>";
    size_t len;
    char *data = fixture_xlsx(dtd, NULL, NULL, &len);
    const char *err;
    ck_assert_ptr_null(xlsx_dump(data, len, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err, "DTD"));
    free(data);
    const char *bad_shared = "<worksheet><sheetData><row r=\"1\"><c t=\"s\"><v>7</v></c></row>"
                             "</sheetData></worksheet>";
    data = fixture_xlsx(bad_shared, NULL, NULL, &len);
    ck_assert_ptr_null(xlsx_dump(data, len, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err, "共享字符串"));
    free(data);
    const char *far = "<worksheet><sheetData><row r=\"1\"><c r=\"XFD1\"><v>1</v></c></row>"
                      "</sheetData></worksheet>";
    data = fixture_xlsx(far, NULL, NULL, &len);
    ck_assert_ptr_null(xlsx_dump(data, len, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err, "列数过多"));
    free(data);
}
END_TEST

START_TEST(test_xlsx_serial_dates_and_date_formats)
{
    char d[11];
    ck_assert(import_xlsx_serial_date(1, false, d));
    ck_assert_str_eq(d, "1900-01-01");
    ck_assert(import_xlsx_serial_date(59, false, d));
    ck_assert_str_eq(d, "1900-02-28");
    ck_assert(!import_xlsx_serial_date(60, false, d));
    ck_assert(import_xlsx_serial_date(45000.75, false, d));
    ck_assert_str_eq(d, "2023-03-15");
    ck_assert(import_xlsx_serial_date(1, true, d));
    ck_assert_str_eq(d, "1904-01-02");
    ck_assert(!import_xlsx_serial_date(-3, false, d));
    ck_assert(import_xlsx_format_is_date("yyyy-mm-dd"));
    ck_assert(import_xlsx_format_is_date("yyyy\"年\"m\"月\"d\"日\""));
    ck_assert(import_xlsx_format_is_date("[$-804]yyyy/m/d;@"));
    ck_assert(!import_xlsx_format_is_date("0.00"));
    ck_assert(!import_xlsx_format_is_date("\"day\"0"));
    ck_assert(!import_xlsx_format_is_date("h:mm:ss"));
}
END_TEST

/* ---- headers and rows ---- */

static const char *const kinds[] = {"university", "enterprise", NULL};
static const struct import_label kind_labels[] = {
    {"university", "高校"}, {"enterprise", "企业"}, {NULL, NULL}};
static const char *const name_aliases[] = {"姓名", "专家姓名", NULL};

static const struct field_spec specs[] = {
    {"name", FIELD_STRING, FIELD_REQUIRED, 1, 64, 0, NULL, 0, NULL},
    {"birth_year", FIELD_INT, FIELD_NULLABLE, 1900, 2026, 0, NULL, 0, NULL},
    {"kind", FIELD_ENUM, FIELD_NULLABLE, 0, 0, 0, kinds, 0, NULL},
    {"consent", FIELD_BOOL, 0, 0, 0, 0, NULL, 0, NULL},
    {"keywords", FIELD_STRING_ARRAY, 0, 1, 20, 5, NULL, 0, NULL},
    {"since", FIELD_DATE, FIELD_NULLABLE, 0, 0, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

static const struct import_column columns[] = {
    {"name", "姓名", name_aliases, NULL},
    {"birth_year", "出生年份", NULL, NULL},
    {"kind", "单位类别", NULL, kind_labels},
    {"consent", "同意推荐", NULL, NULL},
    {"keywords", "关键词", NULL, NULL},
    {"since", "入库日期", NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

static void cells_of(struct import_cells *c, size_t row, const char *const *v, size_t n)
{
    import_cells_reset(c);
    c->row = row;
    for (size_t i = 0; i < n; i++) {
        ck_assert(import_cells_begin(c));
        ck_assert(import_cells_append(c, v[i], strlen(v[i])));
    }
}

START_TEST(test_header_normalize_tolerates_space_width_and_marks)
{
    char out[128];
    import_header_normalize(" 统一社会\u3000信用代码 *（必填）", out, sizeof out);
    ck_assert_str_eq(out, "统一社会信用代码");
    import_header_normalize("Ｃｒｅｄｉｔ　Ｃｏｄｅ", out, sizeof out);
    ck_assert_str_eq(out, "creditcode");
    import_header_normalize("credit_code", out, sizeof out);
    ck_assert_str_eq(out, "creditcode");
}
END_TEST

/* Natural keys (people, demands, stations) compare under this fold; SQL's import_fold() folds the
 * same characters (migration 0025), so a file's duplicates and the records already there agree. */
START_TEST(test_fold_reads_full_width_as_half_width_and_drops_every_space)
{
    char *f = import_fold(" 扬州大学（农学院）\u3000Ａｂ\u00a0ｃ\t");
    ck_assert_str_eq(f, "扬州大学(农学院)abc");
    free(f);
    f = import_fold("＋８６ １３８-１２３４-５６７８");
    ck_assert_str_eq(f, "+86138-1234-5678");
    free(f);
    f = import_fold("锂电池\u200b隔膜😀");
    ck_assert_str_eq(f, "锂电池隔膜😀");
    free(f);
    f = import_fold(NULL);
    ck_assert_str_eq(f, "");
    free(f);
}
END_TEST

START_TEST(test_header_reports_unknown_duplicate_and_missing_columns)
{
    struct import_cells c;
    import_cells_init(&c);
    struct import_header h;
    cJSON *report = cJSON_CreateArray();
    const char *good[] = {"序号", "专家 姓名", "Birth Year", "", "关键词"};
    cells_of(&c, 1, good, 5);
    ck_assert(import_header_match(columns, specs, NULL, &c, &h, report));
    ck_assert_int_eq(h.column[0], -1);
    ck_assert_int_eq(h.column[1], 0);
    ck_assert_int_eq(h.column[2], 1);
    ck_assert_int_eq(h.column[3], -1);
    ck_assert_int_eq(cJSON_GetArraySize(report), 0);
    import_header_free(&h);
    const char *bad[] = {"出生年份", "籍贯", "出生年份"};
    cells_of(&c, 1, bad, 3);
    ck_assert(!import_header_match(columns, specs, NULL, &c, &h, report));
    char *text = cJSON_PrintUnformatted(report);
    ck_assert_ptr_nonnull(strstr(text, "无法识别的列“籍贯”"));
    ck_assert_ptr_nonnull(strstr(text, "重复"));
    ck_assert_ptr_nonnull(strstr(text, "缺少必填列“姓名”"));
    free(text);
    import_header_free(&h);
    cJSON_Delete(report);
    import_cells_free(&c);
}
END_TEST

START_TEST(test_row_build_converts_and_validates_like_the_api)
{
    struct import_cells c;
    import_cells_init(&c);
    struct import_header h;
    cJSON *report = cJSON_CreateArray();
    const char *head[] = {"姓名", "出生年份", "单位类别", "同意推荐", "关键词", "入库日期"};
    cells_of(&c, 1, head, 6);
    ck_assert(import_header_match(columns, specs, NULL, &c, &h, report));
    const char *good[] = {"\u3000张三 ", "1965年", "高校", "是", "催化、 材料；AI", "2024年3月5日"};
    cells_of(&c, 2, good, 6);
    cJSON *clean = import_row_build(columns, specs, &h, &c, 1, NULL, report);
    ck_assert_ptr_nonnull(clean);
    char *text = cJSON_PrintUnformatted(clean);
    ck_assert_str_eq(text, "{\"name\":\"张三\",\"birth_year\":1965,\"kind\":\"university\","
                           "\"consent\":true,\"keywords\":[\"催化\",\"材料\",\"AI\"],"
                           "\"since\":\"2024-03-05\"}");
    free(text);
    cJSON_Delete(clean);
    const char *bad[] = {" ", "2099", "医院", "也许", "", "2024-02-30"};
    cells_of(&c, 7, bad, 6);
    ck_assert_ptr_null(import_row_build(columns, specs, &h, &c, 1, NULL, report));
    text = cJSON_PrintUnformatted(report);
    ck_assert_ptr_nonnull(strstr(
        text, "{\"row\":7,\"column\":\"单位类别\",\"reason\":\"应为以下之一：高校、企业\"}"));
    ck_assert_ptr_nonnull(strstr(text, "\"column\":\"同意推荐\""));
    ck_assert_ptr_nonnull(strstr(text, "\"column\":\"姓名\""));
    ck_assert_ptr_nonnull(strstr(text, "\"column\":\"出生年份\""));
    ck_assert_ptr_nonnull(strstr(text, "\"column\":\"入库日期\""));
    ck_assert_int_eq(cJSON_GetArraySize(report), 5);
    free(text);
    import_header_free(&h);
    cJSON_Delete(report);
    import_cells_free(&c);
}
END_TEST

static bool three_digits(const char *s, const char **code, const char **message)
{
    bool ok = strlen(s) == 3 && strspn(s, "0123456789") == 3;
    if (!ok) {
        *code = "invalid_code";
        *message = "应为三位数字";
    }
    return ok;
}

static const char *const modes[] = {"transfer", "consulting", NULL};
static const struct import_label mode_labels[] = {
    {"transfer", "技术转让"}, {"consulting", "技术咨询"}, {"consulting", "咨询"}, {NULL, NULL}};

static const struct field_spec person_specs[] = {
    {"name", FIELD_STRING, FIELD_REQUIRED, 1, 64, 0, NULL, 0, NULL},
    {"birth_year", FIELD_INT, FIELD_NULLABLE, 1900, 2100, 0, NULL, 0, NULL},
    {"codes", FIELD_STRING_ARRAY, 0, 3, 3, 5, NULL, 0, three_digits},
    {"keywords", FIELD_STRING_ARRAY, 0, 1, 20, 5, NULL, 0, NULL},
    {"modes", FIELD_ENUM_ARRAY, 0, 0, 0, 5, modes, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

static const struct import_column person_columns[] = {
    {"name", "姓名", NULL, NULL},
    {"birth_year", "出生年月", NULL, NULL},
    {"codes", "学科代码", NULL, NULL},
    {"keywords", "关键词", NULL, NULL},
    {"modes", "服务方式", NULL, mode_labels},
    {NULL, NULL, NULL, NULL},
};

START_TEST(test_row_build_takes_year_months_and_code_lists_split_at_spaces)
{
    struct import_cells c;
    import_cells_init(&c);
    struct import_header h;
    cJSON *report = cJSON_CreateArray();
    const char *head[] = {"姓名", "出生年月", "学科代码", "关键词", "服务方式"};
    cells_of(&c, 1, head, 5);
    ck_assert(import_header_match(person_columns, person_specs, NULL, &c, &h, report));
    static const char *const years[][2] = {
        {"1965.03", "1965"}, {"1965-03", "1965"}, {"1965/3/1", "1965"},  {"1965年3月", "1965"},
        {"1965年", "1965"},  {"1965.0", "1965"},  {"1965-03-01", "1965"}};
    for (size_t i = 0; i < sizeof years / sizeof years[0]; i++) {
        const char *row[] = {"张三", years[i][0], "480 460\u3000130、110", "机器 学习；催化",
                             "技术转让 咨询"};
        cells_of(&c, 2, row, 5);
        cJSON *clean = import_row_build(person_columns, person_specs, &h, &c, 1, NULL, report);
        ck_assert_msg(clean != NULL, "%s", years[i][0]);
        char *text = cJSON_PrintUnformatted(clean);
        char want[256];
        snprintf(want, sizeof want,
                 "{\"name\":\"张三\",\"birth_year\":%s,\"codes\":[\"480\",\"460\",\"130\","
                 "\"110\"],\"keywords\":[\"机器 学习\",\"催化\"],\"modes\":[\"transfer\","
                 "\"consulting\"]}",
                 years[i][1]);
        ck_assert_str_eq(text, want);
        free(text);
        cJSON_Delete(clean);
    }
    ck_assert_int_eq(cJSON_GetArraySize(report), 0);
    const char *bad[] = {"张三", "1965x", "480 46", "", "技术转让 随便"};
    cells_of(&c, 3, bad, 5);
    ck_assert_ptr_null(import_row_build(person_columns, person_specs, &h, &c, 1, NULL, report));
    char *text = cJSON_PrintUnformatted(report);
    ck_assert_ptr_nonnull(
        strstr(text, "{\"row\":3,\"column\":\"出生年月\",\"reason\":\"应为四位年份"));
    ck_assert_msg(strstr(text, "\"column\":\"学科代码\"") != NULL, "%s", text);
    ck_assert_ptr_nonnull(strstr(
        text,
        "{\"row\":3,\"column\":\"服务方式\",\"reason\":\"应为以下之一：技术转让、技术咨询\"}"));
    free(text);
    import_header_free(&h);
    cJSON_Delete(report);
    import_cells_free(&c);
}
END_TEST

/* The regions of migrations/0002 (Yangzhou), and two 鼓楼区 of two cities for ambiguity. */
static struct import_regions *yangzhou(void)
{
    struct import_regions *r = import_regions_new();
    static const char *const rows[][4] = {
        {"320000", "江苏省", "province", NULL},
        {"321000", "扬州市", "city", "320000"},
        {"321002", "广陵区", "district", "321000"},
        {"321003", "邗江区", "district", "321000"},
        {"321012", "江都区", "district", "321000"},
        {"321023", "宝应县", "county", "321000"},
        {"321071", "扬州经济技术开发区", "functional_zone", "321000"},
        {"321081", "仪征市", "county_city", "321000"},
        {"321084", "高邮市", "county_city", "321000"},
        {"321091", "扬州市生态科技新城", "functional_zone", "321000"},
        {"321092", "蜀冈—瘦西湖风景名胜区", "functional_zone", "321000"},
        {"320100", "南京市", "city", "320000"},
        {"320106", "鼓楼区", "district", "320100"},
        {"320300", "徐州市", "city", "320000"},
        {"320302", "鼓楼区", "district", "320300"},
        {"450000", "广西壮族自治区", "province", NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        import_regions_add(r, rows[i][0], rows[i][1], rows[i][2], rows[i][3]);
    return r;
}

START_TEST(test_regions_resolve_names_short_forms_and_parents)
{
    struct import_regions *r = yangzhou();
    static const char *const good[][2] = {
        {"江都区", "321012"},
        {"扬州市江都区", "321012"},
        {"江苏省扬州市江都区", "321012"},
        {"江苏扬州江都", "321012"},
        {"江都", "321012"},
        {" 江 都 区\u3000", "321012"},
        {"扬州市　江都区", "321012"},
        {"３２１０１２", "321012"},
        {"321012", "321012"},
        {"扬州", "321000"},
        {"扬州市", "321000"},
        {"仪征", "321081"},
        {"经开区", "321071"},
        {"扬州经开区", "321071"},
        {"经济技术开发区", "321071"},
        {"生态科技新城", "321091"},
        {"蜀冈-瘦西湖风景名胜区", "321092"},
        {"蜀冈瘦西湖风景区", "321092"},
        {"南京鼓楼区", "320106"},
        {"徐州市鼓楼区", "320302"},
        {"广西", "450000"},
        {"江都区大桥镇", "321012"},
        {"扬州市江都区仙女镇龙川路1号", "321012"},
        {"江苏省扬州市邗江区", "321003"},
    };
    char reason[512];
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        const char *code = import_regions_resolve(r, good[i][0], "地区", reason, sizeof reason);
        ck_assert_msg(code != NULL, "%s: %s", good[i][0], reason);
        ck_assert_msg(strcmp(code, good[i][1]) == 0, "%s: %s", good[i][0], code);
    }
    /* A six-digit code the table lacks goes on to the database's check. */
    ck_assert_str_eq(import_regions_resolve(r, "999999", "地区", reason, sizeof reason), "999999");
    ck_assert_ptr_null(import_regions_resolve(r, "江都县", "所在地区", reason, sizeof reason));
    ck_assert_msg(strstr(reason, "地区“江都县”不存在") && strstr(reason, "“所在地区”一列"), "%s",
                  reason);
    ck_assert_ptr_null(import_regions_resolve(r, "鼓楼区", "地区", reason, sizeof reason));
    ck_assert_msg(strstr(reason, "鼓楼区（320106）") && strstr(reason, "鼓楼区（320302）"), "%s",
                  reason);
    /* Two regions in one cell, or an address after a name two regions share, is no address. */
    ck_assert_ptr_null(import_regions_resolve(r, "江都区、邗江区", "地区", reason, sizeof reason));
    ck_assert_ptr_null(import_regions_resolve(r, "江都区邗江区", "地区", reason, sizeof reason));
    ck_assert_ptr_null(import_regions_resolve(r, "鼓楼区中山路", "地区", reason, sizeof reason));
    ck_assert_ptr_null(import_regions_resolve(r, "大桥镇", "地区", reason, sizeof reason));
    import_regions_free(r);
}
END_TEST

START_TEST(test_dates_of_day_and_month_precision)
{
    static const char *const good[][3] = {
        {"2023-01-05", "2023-01-05", "2023-01-05"},
        {"2023/1/5", "2023-01-05", "2023-01-05"},
        {"2023.1.5", "2023-01-05", "2023-01-05"},
        {"2023年1月5日", "2023-01-05", "2023-01-05"},
        {"2023年1月5号", "2023-01-05", "2023-01-05"},
        {"20230105", "2023-01-05", "2023-01-05"},
        {"２０２３．１．５", "2023-01-05", "2023-01-05"},
        {"2019年11月", "2019-11-01", "2019-11-30"},
        {"2019.11", "2019-11-01", "2019-11-30"},
        {"2024-02", "2024-02-01", "2024-02-29"},
        {"2019年 11 月", "2019-11-01", "2019-11-30"},
    };
    char out[11], reason[512];
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        ck_assert_msg(import_date_parse(good[i][0], false, out, reason, sizeof reason), "%s",
                      good[i][0]);
        ck_assert_str_eq(out, good[i][1]);
        ck_assert(import_date_parse(good[i][0], true, out, reason, sizeof reason));
        ck_assert_str_eq(out, good[i][2]);
    }
    ck_assert(!import_date_parse("2019", false, out, reason, sizeof reason));
    ck_assert_msg(strstr(reason, "只写了年份") != NULL, "%s", reason);
    static const char *const bad[] = {"2023-02-30", "2023-13", "明年", "2023-01-05x", "23.1.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(!import_date_parse(bad[i], false, out, reason, sizeof reason), "%s", bad[i]);
        ck_assert_msg(strstr(reason, "应为日期") != NULL, "%s: %s", bad[i], reason);
    }
}
END_TEST

START_TEST(test_terms_take_ranges_and_lengths_and_refuse_the_ambiguous)
{
    static const char *const ranges[][3] = {
        {"2023.01-2025.12", "2023-01-01", "2025-12-31"},
        {"2023年1月至2025年12月", "2023-01-01", "2025-12-31"},
        {"2023年1月-2025年12月", "2023-01-01", "2025-12-31"},
        {"2023-01-01至2025-12-31", "2023-01-01", "2025-12-31"},
        {"2023-01-2025-12", "2023-01-01", "2025-12-31"},
        {"2023-01-01-2025-06-30", "2023-01-01", "2025-06-30"},
        {"2023/1/1～2025/12/31", "2023-01-01", "2025-12-31"},
        {"2023.1 — 2026.2", "2023-01-01", "2026-02-28"},
        {"２０２３．０１－２０２５．１２", "2023-01-01", "2025-12-31"},
        {"2023年1月起至2025年12月止", "2023-01-01", "2025-12-31"},
        {"2023年3月15日起3年", "2023-03-15", "2026-03-14"},
        {"2025-12-31", "", "2025-12-31"},
        {"2025年12月", "", "2025-12-31"},
    };
    struct import_term t;
    char reason[512];
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        ck_assert_msg(import_term_parse(ranges[i][0], &t, reason, sizeof reason), "%s: %s",
                      ranges[i][0], reason);
        ck_assert_msg(strcmp(t.start, ranges[i][1]) == 0, "%s: %s", ranges[i][0], t.start);
        ck_assert_msg(strcmp(t.end, ranges[i][2]) == 0, "%s: %s", ranges[i][0], t.end);
    }
    static const struct {
        const char *text;
        int months;
    } lengths[] = {{"3年", 36},     {"三年", 36},  {"两年", 24},  {"36个月", 36},
                   {"为期5年", 60}, {"3年期", 36}, {"十年", 120}, {"３ 年", 36}};
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        ck_assert_msg(import_term_parse(lengths[i].text, &t, reason, sizeof reason), "%s",
                      lengths[i].text);
        ck_assert_int_eq(t.months, lengths[i].months);
        ck_assert_str_eq(t.end, "");
    }
    static const char *const bad[][2] = {
        {"2023-2025", "只写了年份"},
        {"2023年至2025年", "只写了年份"},
        {"2025", "只写了年份"},
        {"2025.12-2023.01", "晚于"},
        {"长期", "无法识别"},
        {"2023.01-", "无法识别"},
        {"2023.01-2025.12 续签", "无法识别"},
        {"0年", "无法识别"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(!import_term_parse(bad[i][0], &t, reason, sizeof reason), "%s", bad[i][0]);
        ck_assert_msg(strstr(reason, bad[i][1]) != NULL, "%s: %s", bad[i][0], reason);
    }
    char end[11];
    ck_assert(import_term_end("2023-01-01", 36, end));
    ck_assert_str_eq(end, "2025-12-31");
    ck_assert(import_term_end("2024-02-29", 12, end));
    ck_assert_str_eq(end, "2025-02-27");
    ck_assert(import_term_end("2023-03-01", 1, end));
    ck_assert_str_eq(end, "2023-03-31");
    ck_assert(!import_term_end("2023-03", 12, end));
}
END_TEST

START_TEST(test_names_find_codes_by_name)
{
    struct import_names *t = import_names_new();
    import_names_add(t, "21060", "植物保护学");
    import_names_add(t, "530", "化学工程");
    import_names_add(t, "A", "农、林、牧、渔业");
    import_names_add(t, "Z01", "智能制造");
    import_names_add(t, "X01", "同名");
    import_names_add(t, "X02", "同名");
    import_names_add(t, "Y01", "光学");
    import_names_add(t, "Y02", "光");
    bool ambiguous;
    ck_assert_str_eq(import_names_find(t, "植物保护学", &ambiguous), "21060");
    ck_assert_str_eq(import_names_find(t, " 植物保护 ", &ambiguous), "21060");
    ck_assert_str_eq(import_names_find(t, "化学　工程", &ambiguous), "530");
    ck_assert_str_eq(import_names_find(t, "农、林、牧、渔业", &ambiguous), "A");
    ck_assert_str_eq(import_names_find(t, "光", &ambiguous), "Y02"); /* the exact name wins */
    ck_assert_ptr_null(import_names_find(t, "同名", &ambiguous));
    ck_assert(ambiguous);
    ck_assert_ptr_null(import_names_find(t, "火星学", &ambiguous));
    ck_assert(!ambiguous);
    import_names_free(t);
}
END_TEST

START_TEST(test_academy_of_a_division)
{
    ck_assert_str_eq(import_academy_of_division("数学物理学部"), "CAS");
    ck_assert_str_eq(import_academy_of_division(" 生命科学和医学学部 "), "CAS");
    ck_assert_str_eq(import_academy_of_division("化工、冶金与材料工程学部"), "CAE");
    ck_assert_str_eq(import_academy_of_division("冶金与材料工程学部"), "CAE");
    ck_assert_ptr_null(import_academy_of_division("物理学部"));
}
END_TEST

static const char *const titles[] = {"senior", "associate_senior", "intermediate", NULL};
static const char *const academies[] = {"CAS", "CAE", "foreign", NULL};
static const struct import_label title_labels[] = {{"senior", "正高级"},
                                                   {"associate_senior", "副高级"},
                                                   {"intermediate", "中级"},
                                                   {"senior", "教授"},
                                                   {"associate_senior", "副教授"},
                                                   {"intermediate", "讲师"},
                                                   {"senior", "院士"},
                                                   {NULL, NULL}};
static const struct import_label academy_labels[] = {
    {"CAS", "中国科学院"}, {"CAE", "中国工程院"}, {"foreign", "外籍"}, {NULL, NULL}};

static const struct field_spec roster_specs[] = {
    {"name", FIELD_STRING, FIELD_REQUIRED, 1, 64, 0, NULL, 0, NULL},
    {"title", FIELD_ENUM, FIELD_NULLABLE, 0, 0, 0, titles, 0, NULL},
    {"region_code", FIELD_STRING, FIELD_NULLABLE, 6, 6, 0, NULL, 0, NULL},
    {"budget", FIELD_NUMBER, FIELD_NULLABLE, 0, 100000, 0, NULL, 0, NULL},
    {"academy", FIELD_ENUM, FIELD_NULLABLE, 0, 0, 0, academies, 0, NULL},
    {"division", FIELD_STRING, FIELD_NULLABLE, 0, 64, 0, NULL, 0, NULL},
    {"election_year", FIELD_INT, FIELD_NULLABLE, 1948, 2100, 0, NULL, 0, NULL},
    {"established_on", FIELD_DATE, FIELD_NULLABLE, 0, 0, 0, NULL, 0, NULL},
    {"signed_on", FIELD_DATE, FIELD_NULLABLE, 0, 0, 0, NULL, 0, NULL},
    {"term_end", FIELD_DATE, FIELD_NULLABLE, 0, 0, 0, NULL, 0, NULL},
    {"phone", FIELD_STRING, FIELD_NULLABLE, 0, 32, 0, NULL, 0, codes_check_phone},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

static const struct import_column roster_columns[] = {
    {"name", "姓名", NULL, NULL},
    {"title", "职称", NULL, title_labels},
    {"region_code", "地区", NULL, NULL},
    {"budget", "预算", NULL, NULL},
    {"academy", "院别", NULL, academy_labels},
    {"division", "学部", NULL, NULL},
    {"election_year", "当选年份", NULL, NULL},
    {"established_on", "建站日期", NULL, NULL},
    {"signed_on", "签约日期", NULL, NULL},
    {"term_end", "协议期限", NULL, NULL},
    {"phone", "手机", NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

/* Builds one row under head; the clean object's text, or NULL with the report's in *problems. */
static char *roster_row(const char *const *head, const char *const *cells, size_t n,
                        struct import_regions *regions, char **problems)
{
    struct import_cells c;
    import_cells_init(&c);
    struct import_header h;
    cJSON *report = cJSON_CreateArray();
    cells_of(&c, 1, head, n);
    ck_assert(import_header_match(roster_columns, roster_specs, NULL, &c, &h, report));
    h.regions = regions;
    cells_of(&c, 2, cells, n);
    cJSON *clean = import_row_build(roster_columns, roster_specs, &h, &c, 1, NULL, report);
    char *text = clean ? cJSON_PrintUnformatted(clean) : NULL;
    *problems = cJSON_PrintUnformatted(report);
    cJSON_Delete(clean);
    cJSON_Delete(report);
    import_header_free(&h);
    import_cells_free(&c);
    return text;
}

START_TEST(test_row_build_reads_what_rosters_write)
{
    struct import_regions *regions = yangzhou();
    char *problems;
    const char *head[] = {"姓名", "职称", "地区", "预算", "学部", "当选年份"};
    const char *row[] = {"王  伟",   "教授、博士生导师", "扬州市 江都区",
                         "５０万元", "数学物理学部",     "１９９１年"};
    char *text = roster_row(head, row, 6, regions, &problems);
    ck_assert_msg(text != NULL, "%s", problems);
    ck_assert_str_eq(text, "{\"name\":\"王伟\",\"title\":\"senior\",\"region_code\":\"321012\","
                           "\"budget\":50,\"division\":\"数学物理学部\",\"election_year\":1991,"
                           "\"academy\":\"CAS\"}");
    free(text);
    free(problems);
    /* Several titles: the highest counts; a word that is no title refuses the cell. */
    const char *row2[] = {"Li Lei", "副教授/教授", "邗江", "", "化工、冶金与材料工程学部", ""};
    text = roster_row(head, row2, 6, regions, &problems);
    ck_assert_msg(text != NULL, "%s", problems);
    ck_assert_str_eq(text, "{\"name\":\"Li Lei\",\"title\":\"senior\",\"region_code\":\"321003\","
                           "\"division\":\"化工、冶金与材料工程学部\",\"academy\":\"CAE\"}");
    free(text);
    free(problems);
    const char *row3[] = {"张三", "教授、歌手", "鼓楼区", "50元", "物理学部", "1901"};
    ck_assert_ptr_null(roster_row(head, row3, 6, regions, &problems));
    ck_assert_msg(strstr(problems, "\"column\":\"职称\""), "%s", problems);
    ck_assert_msg(strstr(problems, "\"column\":\"地区\",\"reason\":\"地区“鼓楼区”可能是"), "%s",
                  problems);
    ck_assert_msg(strstr(problems, "\"column\":\"预算\""), "%s", problems);
    ck_assert_msg(strstr(problems, "\"column\":\"院别\",\"reason\":\"未填院别"), "%s", problems);
    free(problems);
    const char *row4[] = {"张三", "", "", "", "地学部", "1901"};
    ck_assert_ptr_null(roster_row(head, row4, 6, regions, &problems));
    ck_assert_msg(strstr(problems, "当选年份 1901 早于中国科学院首批学部委员当选（1955 年）"), "%s",
                  problems);
    free(problems);
    import_regions_free(regions);
}
END_TEST

START_TEST(test_row_build_takes_one_contact_per_cell_as_text)
{
    char *problems;
    const char *head[] = {"姓名", "手机"};
    const char *wide[] = {"甲", "１３９ １２３４ ５６７８"};
    char *text = roster_row(head, wide, 2, NULL, &problems);
    ck_assert_msg(text != NULL, "%s", problems);
    ck_assert_str_eq(text, "{\"name\":\"甲\",\"phone\":\"13912345678\"}");
    free(text);
    free(problems);
    const char *two[] = {"乙", "13912345678、0514-87654321"};
    ck_assert_ptr_null(roster_row(head, two, 2, NULL, &problems));
    ck_assert_msg(strstr(problems, "一格只能填一个，这一格有 2 个"), "%s", problems);
    free(problems);
    const char *rounded[] = {"丙", "1.39123E+10"};
    ck_assert_ptr_null(roster_row(head, rounded, 2, NULL, &problems));
    ck_assert_msg(strstr(problems, "科学计数法"), "%s", problems);
    free(problems);
}
END_TEST

START_TEST(test_row_build_counts_a_term_from_the_signing_or_the_establishment)
{
    char *problems;
    const char *head[] = {"姓名", "建站日期", "签约日期", "协议期限"};
    const char *signed_row[] = {"站", "2022年6月", "2023.1.1", "3年"};
    char *text = roster_row(head, signed_row, 4, NULL, &problems);
    ck_assert_msg(text != NULL, "%s", problems);
    ck_assert_str_eq(text, "{\"name\":\"站\",\"established_on\":\"2022-06-01\","
                           "\"signed_on\":\"2023-01-01\",\"term_end\":\"2025-12-31\"}");
    free(text);
    free(problems);
    const char *head2[] = {"姓名", "建站日期", "协议期限"};
    const char *built[] = {"站", "2022-06-15", "两年"};
    text = roster_row(head2, built, 3, NULL, &problems);
    ck_assert_msg(text != NULL, "%s", problems);
    ck_assert_str_eq(text, "{\"name\":\"站\",\"established_on\":\"2022-06-15\","
                           "\"term_end\":\"2024-06-14\"}");
    free(text);
    free(problems);
    const char *range[] = {"站", "", "2023.01-2025.12"};
    text = roster_row(head2, range, 3, NULL, &problems);
    ck_assert_msg(text != NULL, "%s", problems);
    ck_assert_str_eq(text, "{\"name\":\"站\",\"term_end\":\"2025-12-31\"}");
    free(text);
    free(problems);
    const char *alone[] = {"站", "", "3年"};
    ck_assert_ptr_null(roster_row(head2, alone, 3, NULL, &problems));
    ck_assert_msg(strstr(problems, "\"column\":\"协议期限\",\"reason\":\"协议期限只写了年限"), "%s",
                  problems);
    free(problems);
    const char *years[] = {"站", "", "2023-2025"};
    ck_assert_ptr_null(roster_row(head2, years, 3, NULL, &problems));
    ck_assert_msg(strstr(problems, "只写了年份"), "%s", problems);
    free(problems);
}
END_TEST

static Suite *import_suite(void)
{
    Suite *s = suite_create("import");
    TCase *csv = tcase_create("csv");
    tcase_add_test(csv, test_csv_reads_rfc4180_quotes_and_crlf);
    tcase_add_test(csv, test_csv_skips_the_utf8_bom_and_detects_tabs);
    tcase_add_test(csv, test_csv_detects_and_converts_gb18030);
    tcase_add_test(csv, test_csv_refuses_unclosed_quotes_nul_and_huge_cells);
    suite_add_tcase(s, csv);
    TCase *xlsx = tcase_create("xlsx");
    tcase_set_timeout(xlsx, 30);
    tcase_add_test(xlsx, test_xlsx_reads_a_libxlsxwriter_workbook);
    tcase_add_test(xlsx, test_xlsx_reads_inline_strings_shared_strings_and_dates);
    tcase_add_test(xlsx, test_xlsx_refuses_truncated_and_non_zip_files);
    tcase_add_test(xlsx, test_xlsx_refuses_a_zip_bomb_before_inflating_it);
    tcase_add_test(xlsx, test_xlsx_refuses_dtds_and_bad_references);
    tcase_add_test(xlsx, test_xlsx_serial_dates_and_date_formats);
    suite_add_tcase(s, xlsx);
    TCase *map = tcase_create("map");
    tcase_add_test(map, test_header_normalize_tolerates_space_width_and_marks);
    tcase_add_test(map, test_fold_reads_full_width_as_half_width_and_drops_every_space);
    tcase_add_test(map, test_header_reports_unknown_duplicate_and_missing_columns);
    tcase_add_test(map, test_row_build_converts_and_validates_like_the_api);
    tcase_add_test(map, test_row_build_takes_year_months_and_code_lists_split_at_spaces);
    tcase_add_test(map, test_row_build_reads_what_rosters_write);
    tcase_add_test(map, test_row_build_counts_a_term_from_the_signing_or_the_establishment);
    tcase_add_test(map, test_row_build_takes_one_contact_per_cell_as_text);
    suite_add_tcase(s, map);
    TCase *values = tcase_create("values");
    tcase_add_test(values, test_regions_resolve_names_short_forms_and_parents);
    tcase_add_test(values, test_dates_of_day_and_month_precision);
    tcase_add_test(values, test_terms_take_ranges_and_lengths_and_refuse_the_ambiguous);
    tcase_add_test(values, test_academy_of_a_division);
    tcase_add_test(values, test_names_find_codes_by_name);
    suite_add_tcase(s, values);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(import_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
