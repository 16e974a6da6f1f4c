/* Bulk imports over real HTTP with real files made here: CSV in UTF-8 (with BOM) and GB18030,
 * XLSX written by libxlsxwriter and by hand (inline strings), bad rows of every kind, re-import,
 * dry run, all-or-nothing and partial, county scope, templates, and hostile files (truncated or
 * non-zip XLSX, a zip bomb, a huge cell, a wrong charset), each a 4xx that changes nothing. */
#include "harness.h"

#include "../common/xlsx_fixture.h"
#include "domain/codes.h"
#include "domain/import_xlsx.h"

#include <check.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

static struct t_server srv;
static char admin[64], county[64], expert_user[64];

static const char *credit(int n, const char *region)
{
    static char codes[8][19];
    static int next;
    char *code = codes[next++ % 8];
    snprintf(code, 19, "91%sMA%07dX", region, n);
    code[17] = codes_credit_check_char(code);
    return code;
}

static char *scalar(const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    char *v = t_db_scalar(&srv, sql);
    ck_assert_msg(v != NULL, "%s failed", sql);
    return v;
}

static struct t_resp *upload_to(const char *library, const char *token, const char *query,
                                const char *data, size_t len)
{
    char path[256], saved[sizeof srv.token];
    snprintf(path, sizeof path, "/api/v1/imports/%s%s", library, query ? query : "");
    memcpy(saved, srv.token, sizeof saved);
    snprintf(srv.token, sizeof srv.token, "%s", token);
    static const char *const headers[] = {"Content-Type: application/octet-stream", NULL};
    struct t_resp *r = t_request_bytes(&srv, "POST", path, headers, data, len);
    memcpy(srv.token, saved, sizeof saved);
    return r;
}

static struct t_resp *upload(const char *token, const char *query, const char *data, size_t len)
{
    return upload_to("enterprises", token, query, data, len);
}

static double num(const struct t_resp *r, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(r->json, key);
    ck_assert_msg(cJSON_IsNumber(v), "no %s in %s", key, r->body);
    return v->valuedouble;
}

/* Whether the report lists {row, column} with a reason containing what. */
static bool reported(const struct t_resp *r, int row, const char *column, const char *what)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(r->json, "rejected"))
    {
        if (cJSON_GetObjectItem(e, "row")->valueint == row &&
            strcmp(t_json_str(e, "column"), column) == 0 &&
            strstr(t_json_str(e, "reason"), what) != NULL)
            return true;
    }
    return false;
}

static const char *count_sql = "SELECT count(*) FROM enterprises";

static void setup(void)
{
    t_server_start(&srv, "it_imports", true, NULL);
    t_create_user(&srv, "i_admin", "admin", "Test-pass-2026", NULL);
    snprintf(admin, sizeof admin, "%s", t_login(&srv, "i_admin", "Test-pass-2026"));
    t_create_user(&srv, "i_county", "county_staff", "Test-pass-2026", "--region 321012");
    snprintf(county, sizeof county, "%s", t_login(&srv, "i_county", "Test-pass-2026"));
    char *expert = t_db_scalar(&srv, "INSERT INTO experts (name) VALUES ('张专家') RETURNING id");
    char bind[64];
    snprintf(bind, sizeof bind, "--expert %s", expert);
    free(expert);
    t_create_user(&srv, "i_expert", "expert", "Test-pass-2026", bind);
    snprintf(expert_user, sizeof expert_user, "%s", t_login(&srv, "i_expert", "Test-pass-2026"));
}

static void teardown(void)
{
    t_server_finish(&srv);
}

START_TEST(csv_with_bom_imports_and_a_reimport_inserts_nothing_twice)
{
    char csv[2048];
    snprintf(csv, sizeof csv,
             "\xEF\xBB\xBF企业名称,统一社会信用代码,地区代码,企业规模,高新技术企业,联系电话\r\n"
             "扬州导入一号有限公司,%s,321003,中型,是,0514-87654321\r\n"
             "\"扬州导入二号, 有限公司\",%s,321003,small,否,\r\n"
             " 扬州导入三号有限公司\u3000,%s,321003,,,13812345678\r\n",
             credit(101, "321003"), credit(102, "321003"), credit(103, "321003"));
    struct t_resp *r = upload(admin, "?file_name=%E4%BC%81%E4%B8%9A.csv", csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "rows"), 3);
    ck_assert_int_eq((int)num(r, "inserted"), 3);
    ck_assert_int_eq((int)num(r, "updated"), 0);
    ck_assert_str_eq(t_json_str(r->json, "charset"), "UTF-8");
    t_resp_free(r);
    char *v = scalar("SELECT name || '/' || size || '/' || high_tech FROM enterprises"
                     " WHERE credit_code = '%s'",
                     credit(101, "321003"));
    ck_assert_str_eq(v, "扬州导入一号有限公司/medium/true");
    free(v);
    t_assert_scalar(&srv, "扬州导入三号有限公司", "%s",
                    "SELECT name FROM enterprises WHERE name LIKE '%三号%'");
    t_assert_scalar(&srv, "1", "%s",
                    "SELECT count(*) FROM imports WHERE status = 'done' AND file_name = "
                    "'企业.csv' AND inserted = 3");
    t_assert_scalar(&srv, "t", "%s",
                    "SELECT count(*) >= 3 FROM audit_log WHERE action = 'import'"
                    " AND record_type = 'enterprises'");
    /* The same file again: nothing new; then one changed row is an update. */
    r = upload(admin, NULL, csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 0);
    ck_assert_int_eq((int)num(r, "unchanged"), 3);
    t_resp_free(r);
    char *p = strstr(csv, "中型");
    memcpy(p, "大型", strlen("大型"));
    r = upload(admin, NULL, csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 0);
    ck_assert_int_eq((int)num(r, "updated"), 1);
    ck_assert_int_eq((int)num(r, "unchanged"), 2);
    t_resp_free(r);
    t_assert_scalar(&srv, "3", "%s", count_sql);
}
END_TEST

START_TEST(gb18030_csv_is_detected_and_a_wrong_charset_is_refused)
{
    char utf8[1024], gb[1024];
    snprintf(utf8, sizeof utf8,
             "企业名称,统一社会信用代码,地区代码,地址\n扬州国标编码有限公司,%s,321003,"
             "广陵区文昌中路\n",
             credit(201, "321003"));
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    char *in = utf8, *out = gb;
    size_t inleft = strlen(utf8), outleft = sizeof gb;
    ck_assert(iconv(cd, &in, &inleft, &out, &outleft) != (size_t)-1);
    iconv_close(cd);
    size_t len = sizeof gb - outleft;
    struct t_resp *r = upload(admin, "?charset=utf-8", gb, len);
    t_expect_status(r, 400);
    ck_assert_str_eq(t_problem_code(r), "invalid_file");
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "%s", count_sql);
    r = upload(admin, NULL, gb, len);
    t_expect_status(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "charset"), "GB18030");
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    t_resp_free(r);
    t_assert_scalar(&srv, "广陵区文昌中路", "%s",
                    "SELECT address FROM enterprises WHERE name = '扬州国标编码有限公司'");
}
END_TEST

START_TEST(xlsx_from_libxlsxwriter_imports_with_english_and_full_width_headers)
{
    char path[] = "/tmp/siku-it-xlsx-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "企业名录");
    const char *heads[] = {"Name", "Credit Code", "ｒｅｇｉｏｎ＿ｃｏｄｅ", "规模", "高新企业"};
    for (int i = 0; i < 5; i++)
        worksheet_write_string(ws, 0, (lxw_col_t)i, heads[i], NULL);
    for (int row = 1; row <= 3; row++) {
        char name[64];
        snprintf(name, sizeof name, "扬州表格%d号有限公司", row);
        worksheet_write_string(ws, (lxw_row_t)row, 0, name, NULL);
        worksheet_write_string(ws, (lxw_row_t)row, 1, credit(300 + row, "321003"), NULL);
        worksheet_write_number(ws, (lxw_row_t)row, 2, 321003, NULL);
        worksheet_write_string(ws, (lxw_row_t)row, 3, "微型", NULL);
        worksheet_write_boolean(ws, (lxw_row_t)row, 4, row == 2, NULL);
    }
    ck_assert_int_eq(workbook_close(wb), LXW_NO_ERROR);
    size_t len;
    char *data = fixture_read_file(path, &len);
    unlink(path);
    struct t_resp *r = upload(admin, NULL, data, len);
    t_expect_status(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "format"), "xlsx");
    ck_assert_int_eq((int)num(r, "inserted"), 3);
    t_resp_free(r);
    t_assert_scalar(&srv, "1", "%s",
                    "SELECT count(*) FROM enterprises WHERE high_tech AND size = 'micro'");
    /* Truncated, it is refused and nothing changes. */
    r = upload(admin, NULL, data, len - 200);
    t_expect_status(r, 400);
    ck_assert_str_eq(t_problem_code(r), "invalid_file");
    t_resp_free(r);
    free(data);
    t_assert_scalar(&srv, "3", "%s", count_sql);
}
END_TEST

START_TEST(xlsx_with_inline_strings_and_a_named_sheet)
{
    char sheet[2048];
    snprintf(sheet, sizeof sheet,
             "<worksheet><sheetData>"
             "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>企业名称</t></is></c>"
             "<c r=\"B1\" t=\"inlineStr\"><is><t>统一社会信用代码</t></is></c>"
             "<c r=\"C1\" t=\"inlineStr\"><is><t>地区代码</t></is></c></row>"
             "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><r><t>扬州内联</t></r><r><t>字符串公司"
             "</t></r></is></c><c r=\"B3\" t=\"inlineStr\"><is><t>%s</t></is></c>"
             "<c r=\"C3\"><v>321003</v></c></row></sheetData></worksheet>",
             credit(401, "321003"));
    size_t len;
    char *data = fixture_xlsx(sheet, NULL, NULL, &len);
    struct t_resp *r = upload(admin, "?sheet=nope", data, len);
    t_expect_status(r, 400);
    ck_assert_str_eq(t_problem_code(r), "invalid_file");
    t_resp_free(r);
    r = upload(admin, "?sheet=%E5%90%8D%E5%8D%95", data, len); /* 名单 */
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    t_resp_free(r);
    free(data);
    t_assert_scalar(&srv, "1", "%s",
                    "SELECT count(*) FROM enterprises WHERE name = '扬州内联字符串公司'");
}
END_TEST

static char bad_csv[4096];

static void make_bad_csv(void)
{
    char wrong[19];
    snprintf(wrong, sizeof wrong, "%s", credit(509, "321003"));
    wrong[17] = wrong[17] == '0' ? '1' : '0'; /* a check character that does not fit */
    snprintf(bad_csv, sizeof bad_csv,
             "企业名称,统一社会信用代码,地区代码,企业规模,高新技术企业,联系电话\n"
             "扬州合格一号公司,%s,321003,,,\n"              /* row 2: good */
             "扬州校验码错误公司,%s,321003,,,\n"            /* 3: check character */
             ",%s,321003,,,\n"                              /* 4: no name */
             "扬州地区错误公司,%s,999999,,,\n"              /* 5: unknown region */
             "扬州规模错误公司,%s,321003,巨型,也许,12345\n" /* 6: size, bool, phone */
             "扬州重复公司,%s,321003,,,\n"                  /* 7: same code as row 2 */
             "扬州合格二号公司,%s,321003,,,\n",             /* 8: good */
             credit(501, "321003"), wrong, credit(502, "321003"), credit(503, "321003"),
             credit(504, "321003"), credit(501, "321003"), credit(505, "321003"));
}

START_TEST(bad_rows_are_reported_and_change_nothing_unless_partial)
{
    make_bad_csv();
    struct t_resp *r = upload(admin, NULL, bad_csv, strlen(bad_csv));
    t_expect_status(r, 422);
    ck_assert_str_eq(t_problem_code(r), "import_rejected");
    ck_assert_msg(reported(r, 3, "统一社会信用代码", "校验"), "%s", r->body);
    ck_assert_msg(reported(r, 4, "企业名称", ""), "%s", r->body);
    ck_assert_msg(reported(r, 6, "企业规模", "大型"), "%s", r->body);
    ck_assert_msg(reported(r, 6, "高新技术企业", "是"), "%s", r->body);
    ck_assert_msg(reported(r, 6, "联系电话", ""), "%s", r->body);
    ck_assert_msg(reported(r, 7, "统一社会信用代码", "第 2 行"), "%s", r->body);
    ck_assert_int_eq((int)num(r, "inserted"), 0);
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "%s", count_sql);
    t_assert_scalar(&srv, "0", "%s", "SELECT count(*) FROM import_rows");

    r = upload(admin, "?dry_run=true", bad_csv, strlen(bad_csv));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 2); /* would be */
    ck_assert_msg(reported(r, 5, "地区代码", "不存在"), "%s", r->body);
    ck_assert_int_eq((int)num(r, "rejected_rows"), 5);
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "%s", count_sql);

    r = upload(admin, "?partial=true", bad_csv, strlen(bad_csv));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 2);
    ck_assert_int_eq((int)num(r, "rejected_rows"), 5);
    ck_assert_msg(reported(r, 5, "地区代码", "不存在"), "%s", r->body);
    t_resp_free(r);
    t_assert_scalar(&srv, "2", "%s", count_sql);
}
END_TEST

START_TEST(an_unknown_or_missing_column_is_reported_before_any_row)
{
    const char *csv = "企业名称,籍贯,地区代码\n扬州某公司,江苏,321003\n";
    struct t_resp *r = upload(admin, NULL, csv, strlen(csv));
    t_expect_status(r, 400);
    ck_assert_str_eq(t_problem_code(r), "invalid_header");
    ck_assert_msg(reported(r, 1, "籍贯", "无法识别"), "%s", r->body);
    ck_assert_msg(reported(r, 1, "统一社会信用代码", "缺少必填列"), "%s", r->body);
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "%s", count_sql);
}
END_TEST

START_TEST(county_staff_import_only_their_region)
{
    char csv[1024];
    snprintf(csv, sizeof csv, "企业名称,统一社会信用代码\n扬州江都导入公司,%s\n",
             credit(601, "321012"));
    struct t_resp *r = upload(county, NULL, csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    t_resp_free(r);
    t_assert_scalar(&srv, "321012", "%s",
                    "SELECT region_code FROM enterprises WHERE name = '扬州江都导入公司'");
    snprintf(csv, sizeof csv, "企业名称,统一社会信用代码,地区代码\n扬州外区公司,%s,321003\n",
             credit(602, "321003"));
    r = upload(county, NULL, csv, strlen(csv));
    t_expect_status(r, 422);
    ck_assert_msg(reported(r, 2, "地区代码", "本地区"), "%s", r->body);
    t_resp_free(r);
    /* An existing record of another region is not theirs to update. */
    char *code = strdup(credit(603, "321003"));
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO enterprises (name, credit_code, region_code)"
             " VALUES ('扬州他区公司', '%s', '321003')",
             code);
    t_db_exec(&srv, sql);
    snprintf(csv, sizeof csv, "企业名称,统一社会信用代码\n扬州他区公司改名,%s\n", code);
    free(code);
    r = upload(county, NULL, csv, strlen(csv));
    t_expect_status(r, 422);
    ck_assert_msg(reported(r, 2, "统一社会信用代码", "无权修改"), "%s", r->body);
    t_resp_free(r);
    t_assert_scalar(&srv, "1", "%s",
                    "SELECT count(*) FROM enterprises WHERE name = '扬州他区公司'");
    r = upload(expert_user, NULL, csv, strlen(csv));
    t_expect_status(r, 403);
    t_resp_free(r);
}
END_TEST

START_TEST(hostile_files_are_refused_and_change_nothing)
{
    /* A zip bomb: 8 MiB of spaces as the sheet, a few kilobytes compressed. */
    size_t big = 8u << 20;
    char *spaces = malloc(big);
    memset(spaces, ' ', big);
    struct zip_part parts[] = {
        {"xl/workbook.xml",
         "<workbook><sheets><sheet name=\"a\" r:id=\"rId1\" xmlns:r=\"r\"/></sheets></workbook>",
         0},
        {"xl/_rels/workbook.xml.rels",
         "<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" "
         "Target=\"worksheets/sheet1.xml\"/></Relationships>",
         0},
        {"xl/worksheets/sheet1.xml", spaces, big},
    };
    size_t len;
    char *bomb = fixture_zip(parts, 3, &len);
    struct t_resp *r = upload(admin, NULL, bomb, len);
    t_expect_status(r, 400);
    ck_assert_ptr_nonnull(strstr(r->body, "压缩炸弹"));
    t_resp_free(r);
    free(bomb);
    /* A huge cell. */
    size_t n = 100000;
    char *huge = malloc(n + 64);
    int o = snprintf(huge, 64, "企业名称,统一社会信用代码,地区代码\n");
    memset(huge + o, 'x', n);
    huge[o + (int)n] = '\0';
    r = upload(admin, NULL, huge, strlen(huge));
    t_expect_status(r, 400);
    ck_assert_str_eq(t_problem_code(r), "invalid_file");
    t_resp_free(r);
    free(huge);
    free(spaces);
    /* Not a zip at all, an old .xls, and nothing. */
    r = upload(admin, NULL, "PK\x05\x06 broken", 12);
    t_expect_status(r, 400);
    t_resp_free(r);
    r = upload(admin, NULL, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
    t_expect_status(r, 415);
    t_resp_free(r);
    r = upload(admin, NULL, "", 0);
    t_expect_status(r, 400);
    t_resp_free(r);
    r = upload(admin, "?dry_run=maybe", "a", 1);
    t_expect_status(r, 400);
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "%s", count_sql);
    t_assert_scalar(&srv, "0", "%s", "SELECT count(*) FROM imports WHERE status = 'done'");
}
END_TEST

/* The library's CSV template (its headers starting with head, after a BOM) with row after it
 * imports: one record inserted. */
static void import_template_row(const char *library, const char *head, const char *row)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/imports/%s/template.csv", library);
    struct t_resp *r = t_request_as(&srv, admin, "GET", path, NULL);
    t_expect_status(r, 200);
    ck_assert(r->len > 3 + strlen(head) && memcmp(r->body, "\xEF\xBB\xBF", 3) == 0 &&
              memcmp(r->body + 3, head, strlen(head)) == 0);
    char csv[4096];
    snprintf(csv, sizeof csv, "%.*s%s\r\n", (int)r->len, r->body, row);
    t_resp_free(r);
    r = upload_to(library, admin, NULL, csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    t_resp_free(r);
}

/* The library's XLSX template opens with these headers (NULL-terminated). */
static void assert_xlsx_template(const char *library, const char *const *heads)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/imports/%s/template.xlsx", library);
    struct t_resp *r = t_request_as(&srv, admin, "GET", path, NULL);
    t_expect_status(r, 200);
    const char *err = NULL;
    struct import_xlsx *x = import_xlsx_open(r->body, r->len, NULL, &err);
    ck_assert_msg(x != NULL, "%s", err);
    struct import_cells c;
    import_cells_init(&c);
    ck_assert_int_eq(import_xlsx_next(x, &c), 1);
    for (size_t i = 0; heads[i]; i++)
        ck_assert_str_eq(import_cells_get(&c, i), heads[i]);
    import_cells_free(&c);
    import_xlsx_close(x);
    t_resp_free(r);
}

START_TEST(templates_download_and_import_back)
{
    char row[256];
    snprintf(row, sizeof row, "扬州模板公司,%s,321003,,,,,,,", credit(701, "321003"));
    import_template_row("enterprises", "企业名称,统一社会信用代码", row);
    static const char *const heads[] = {"企业名称", "统一社会信用代码", NULL};
    assert_xlsx_template("enterprises", heads);
    struct t_resp *r =
        t_request_as(&srv, admin, "GET", "/api/v1/imports/nothing/template.csv", NULL);
    t_expect_status(r, 404);
    t_resp_free(r);
    r = t_request_as(&srv, admin, "POST", "/api/v1/imports/nothing", "a,b\n");
    t_expect_status(r, 404);
    t_resp_free(r);
}
END_TEST

/* ---- experts and academicians ---- */

/* A valid ID number from its first 17 characters. */
static const char *idnum(const char *first17)
{
    static char ids[8][19];
    static int next;
    char *id = ids[next++ % 8];
    snprintf(id, 19, "%s0", first17);
    id[17] = codes_id_check_char(first17);
    return id;
}

static const char *experts_sql = "SELECT count(*) FROM experts WHERE created_by IS NOT NULL";

static struct t_resp *experts_upload(const char *token, const char *query, const char *csv)
{
    return upload_to("experts", token, query, csv, strlen(csv));
}

START_TEST(experts_csv_imports_with_labels_lists_and_a_reimport_inserts_nothing_twice)
{
    char csv[4096];
    snprintf(csv, sizeof csv,
             "\xEF\xBB\xBF姓名,性别,出生年月,职称,职务,工作单位,单位类型,地区代码,学科代码,"
             "行业代码,研究领域,关键词,主要成果,服务方式,手机,邮箱,身份证号,通讯地址,同意推荐,"
             "可提供服务\r\n"
             "王导入,男,1965.03,教授,院长,扬州大学,高校,321003,480 46020,C35,锂电池正极材料,"
             "正极材料、电池管理,省科技进步奖,技术转让、技术咨询,13812340001,wang@yzu.edu.cn,%s,"
             "扬州市大学南路88号,是,是\r\n"
             "李导入,女,1972-11,副高级,,扬州市农业科学研究院,科研院所,321003,\"480,46020\","
             "\"C35;C38\",,,,,0514-87000002,,,,否,\r\n"
             " 赵导入\u3000,,1980,中级,,扬州某机械有限公司,企业,321012,,,,,,联合攻关,"
             "13812340003,,,,,否\r\n",
             idnum("32100319650312001"));
    struct t_resp *r = experts_upload(admin, "?file_name=experts.csv", csv);
    t_expect_status(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "library"), "experts");
    ck_assert_int_eq((int)num(r, "inserted"), 3);
    t_resp_free(r);
    t_assert_scalar(&srv,
                    "expert/male/1965/senior/university/{480,46020}/{C35}/"
                    "{transfer,consulting}/true/true/true",
                    "%s",
                    "SELECT kind || '/' || gender || '/' || birth_year || '/' || title || '/' ||"
                    " affiliation_kind || '/' || discipline_codes::text || '/' ||"
                    " industry_codes::text || '/' || service_modes::text || '/' || consent || '/'"
                    " || (consent_at IS NOT NULL) || '/' || available"
                    " FROM experts WHERE name = '王导入'");
    t_assert_scalar(&srv, "1972/associate_senior/{C35,C38}/false/false/true", "%s",
                    "SELECT birth_year || '/' || title || '/' || industry_codes::text || '/' ||"
                    " consent || '/' || (consent_at IS NOT NULL) || '/' || available"
                    " FROM experts WHERE name = '李导入'");
    t_assert_scalar(&srv, "321012/{joint}/false", "%s",
                    "SELECT region_code || '/' || service_modes::text || '/' || available"
                    " FROM experts WHERE name = '赵导入'");
    /* Searchable like a record made through the API. */
    r = t_request_as(&srv, admin, "GET", "/api/v1/experts?q=%E6%AD%A3%E6%9E%81%E6%9D%90%E6%96%99",
                     NULL); /* 正极材料 */
    t_expect_status(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    t_resp_free(r);
    t_assert_scalar(&srv, "t", "%s",
                    "SELECT count(*) >= 3 FROM audit_log WHERE action = 'import'"
                    " AND record_type = 'experts'");
    /* sikud gave the search vectors and wrote the audit rows set-wise (0031): the same vectors
     * terms_vector() derives, the same images the row trigger makes, one per record. */
    t_assert_scalar(&srv, "3/0", "%s",
                    "SELECT count(*) || '/' || count(*) FILTER (WHERE search IS DISTINCT FROM"
                    " terms_vector(terms, '{\"name\":\"A\",\"keywords\":\"A\","
                    "\"research_fields\":\"B\",\"achievements\":\"C\",\"affiliation\":\"C\","
                    "\"position\":\"D\",\"division\":\"D\"}')) FROM experts"
                    " WHERE created_by IS NOT NULL");
    t_assert_scalar(&srv, "3/0", "%s",
                    "SELECT count(*) || '/' || count(*) FILTER (WHERE"
                    " jsonb_populate_record(e, a.after) IS DISTINCT FROM e" /* any time zone */
                    " OR ARRAY(SELECT jsonb_object_keys(a.after) ORDER BY 1) IS DISTINCT FROM"
                    " ARRAY(SELECT jsonb_object_keys(to_jsonb(e) - 'terms' - 'search') ORDER BY 1)"
                    " OR a.before IS NOT NULL"
                    " OR a.user_id IS NULL OR a.role IS NULL OR a.route IS NULL"
                    " OR a.request_id IS NULL)"
                    " FROM experts e JOIN audit_log a ON a.record_type = 'experts'"
                    " AND a.record_id = e.id::text AND a.action = 'import'"
                    " WHERE e.created_by IS NOT NULL");
    /* The generated first-level disciplines are those of the codes (migration 0037 answers one
     * or two codes without the aggregate): distinct, in order. */
    t_assert_scalar(&srv, "0", "%s",
                    "SELECT count(*) FROM experts WHERE discipline_roots IS DISTINCT FROM"
                    " (SELECT coalesce(array_agg(DISTINCT left(c, 3)), '{}') FROM"
                    " unnest(discipline_codes) c)");
    t_assert_scalar(&srv, "{} {480} {460,480} {480} {410,460,480}", "%s",
                    "SELECT string_agg(discipline_roots(a)::text, ' ' ORDER BY n) FROM (VALUES"
                    " (1, '{}'::text[]), (2, '{480}'), (3, '{48010,46020}'), (4, '{480,48010}'),"
                    " (5, '{46020,480,41010,480}')) v(n, a)");
    /* The same file again: nothing new; a changed title is an update. */
    r = experts_upload(admin, NULL, csv);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 0);
    ck_assert_int_eq((int)num(r, "updated"), 0);
    ck_assert_int_eq((int)num(r, "unchanged"), 3);
    t_resp_free(r);
    char *p = strstr(csv, "中级");
    memcpy(p, "初级", strlen("初级"));
    r = experts_upload(admin, NULL, csv);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 0);
    ck_assert_int_eq((int)num(r, "updated"), 1);
    ck_assert_int_eq((int)num(r, "unchanged"), 2);
    t_resp_free(r);
    t_assert_scalar(&srv, "junior/2", "%s",
                    "SELECT title || '/' || version FROM experts WHERE name = '赵导入'");
    t_assert_scalar(&srv, "3", "%s", experts_sql);
    /* The update was logged by the row trigger, with both images. */
    t_assert_scalar(&srv, "intermediate/junior", "%s",
                    "SELECT (before->>'title') || '/' || (after->>'title') FROM audit_log"
                    " WHERE action = 'import' AND record_type = 'experts' AND before IS NOT NULL");
    /* A write that changes the terms (an API patch, a reindex) still makes the vector again. */
    t_db_exec(&srv, "UPDATE experts SET terms = terms || '{\"research_fields\": [\"焊接\"]}'"
                    " WHERE name = '王导入'");
    t_assert_scalar(&srv, "true/true", "%s",
                    "SELECT (search @@ '焊接'::tsquery) || '/' || (search = terms_vector(terms,"
                    " '{\"name\":\"A\",\"keywords\":\"A\",\"research_fields\":\"B\","
                    "\"achievements\":\"C\",\"affiliation\":\"C\",\"position\":\"D\","
                    "\"division\":\"D\"}')) FROM experts WHERE name = '王导入'");
    /* Nobody's phone or ID number reaches the daemon's log. */
    char *log = t_server_log(&srv);
    ck_assert(strstr(log, "13812340001") == NULL);
    ck_assert(strstr(log, idnum("32100319650312001")) == NULL);
    ck_assert(strstr(log, "wang@yzu.edu.cn") == NULL);
    free(log);
}
END_TEST

static void to_gb18030(const char *utf8, char *gb, size_t cap, size_t *len)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    char *in = (char *)utf8, *out = gb;
    size_t inleft = strlen(utf8), outleft = cap;
    ck_assert(iconv(cd, &in, &inleft, &out, &outleft) != (size_t)-1);
    iconv_close(cd);
    *len = cap - outleft;
}

START_TEST(academicians_from_gb18030_csv_and_xlsx_never_touch_experts)
{
    char utf8[2048], gb[2048];
    snprintf(utf8, sizeof utf8,
             "姓名,院别,学部,当选年份,出生年份,与本市关系,关系说明,状态,工作单位,手机,身份证号\n"
             "陈院士,中国科学院,化学部,1991,1935,籍贯、合作,扬州籍,在职,南京大学,13912340001,%s\n"
             "周院士,中国工程院,信息与电子工程学部,2005年,1950,工作,,退休,东南大学,13912340002,\n",
             idnum("32100219350101001"));
    size_t len;
    to_gb18030(utf8, gb, sizeof gb, &len);
    struct t_resp *r = upload_to("academicians", admin, NULL, gb, len);
    t_expect_status(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "charset"), "GB18030");
    ck_assert_int_eq((int)num(r, "inserted"), 2);
    t_resp_free(r);
    t_assert_scalar(&srv, "academician/CAS/1991/{native,cooperation}/active", "%s",
                    "SELECT kind || '/' || academy || '/' || election_year || '/' ||"
                    " city_ties::text || '/' || status FROM experts WHERE name = '陈院士'");
    t_assert_scalar(&srv, "CAE/retired/{work}", "%s",
                    "SELECT academy || '/' || status || '/' || city_ties::text"
                    " FROM experts WHERE name = '周院士'");
    r = upload_to("academicians", admin, NULL, gb, len);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 0);
    ck_assert_int_eq((int)num(r, "unchanged"), 2);
    t_resp_free(r);

    /* The same people in the expert library: an ID number of an academician is refused, and
     * a name + affiliation + phone match is a new expert, never an update of the academician. */
    char csv[1024];
    snprintf(csv, sizeof csv,
             "姓名,工作单位,手机,身份证号\n陈院士,南京大学,13912340001,%s\n"
             "周院士,东南大学,13912340002,\n",
             idnum("32100219350101001"));
    r = experts_upload(admin, "?dry_run=true", csv);
    t_expect_status(r, 200);
    ck_assert_msg(reported(r, 2, "身份证号", "院士库"), "%s", r->body);
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    t_resp_free(r);
    r = experts_upload(admin, "?partial=true", csv);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    ck_assert_int_eq((int)num(r, "updated"), 0);
    t_resp_free(r);
    t_assert_scalar(&srv, "academician,expert", "%s",
                    "SELECT string_agg(kind, ',' ORDER BY kind) FROM experts"
                    " WHERE name = '周院士'");
    /* An academician header in the expert library is not a column of it. */
    r = experts_upload(admin, NULL, "姓名,院别\n某人,中国科学院\n");
    t_expect_status(r, 400);
    ck_assert_msg(reported(r, 1, "院别", "无法识别"), "%s", r->body);
    t_resp_free(r);

    /* XLSX from libxlsxwriter: numbers, a date for 出生年月 and a re-import with a change. */
    char path[] = "/tmp/siku-it-xlsx-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "院士名单");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm");
    const char *heads[] = {"院士姓名", "院别", "当选年份", "出生年月", "手机", "工作单位"};
    for (int i = 0; i < 6; i++)
        worksheet_write_string(ws, 0, (lxw_col_t)i, heads[i], NULL);
    lxw_datetime born = {1941, 6, 1, 0, 0, 0};
    worksheet_write_string(ws, 1, 0, "孙院士", NULL);
    worksheet_write_string(ws, 1, 1, "中国工程院", NULL);
    worksheet_write_number(ws, 1, 2, 1997, NULL);
    worksheet_write_datetime(ws, 1, 3, &born, date);
    worksheet_write_number(ws, 1, 4, 13912340009, NULL);
    worksheet_write_string(ws, 1, 5, "扬州大学", NULL);
    ck_assert_int_eq(workbook_close(wb), LXW_NO_ERROR);
    char *data = fixture_read_file(path, &len);
    unlink(path);
    r = upload_to("academicians", admin, NULL, data, len);
    t_expect_status(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "format"), "xlsx");
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    t_resp_free(r);
    r = upload_to("academicians", admin, NULL, data, len);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "unchanged"), 1);
    t_resp_free(r);
    free(data);
    t_assert_scalar(&srv, "CAE/1997/1941/13912340009", "%s",
                    "SELECT academy || '/' || election_year || '/' || birth_year || '/' || phone"
                    " FROM experts WHERE name = '孙院士'");
}
END_TEST

START_TEST(bad_expert_rows_are_reported_by_row_and_column)
{
    char wrong_id[19];
    snprintf(wrong_id, sizeof wrong_id, "%s", idnum("32100319700101002"));
    wrong_id[17] = wrong_id[17] == '1' ? '2' : '1';
    char csv[4096];
    snprintf(csv, sizeof csv,
             "姓名,性别,出生年份,地区代码,学科代码,工作单位,手机,身份证号,服务方式,同意推荐\n"
             "合格甲,男,1970,321003,480,扬州大学,13812345601,,,\n"     /* 2: good */
             "性别错,未知,1970,321003,,扬州大学,13812345602,,,\n"      /* 3 */
             "年份错,女,一九七〇,321003,,扬州大学,13812345603,,,\n"    /* 4 */
             "未来人,女,2090,321003,,扬州大学,13812345604,,,\n"        /* 5: SQL */
             "学科错,男,1970,321003,999 480,扬州大学,13812345605,,,\n" /* 6: SQL */
             "电话错,男,1970,321003,,扬州大学,12345,,,\n"              /* 7 */
             "证号错,男,1970,321003,,扬州大学,13812345607,%s,,\n"      /* 8 */
             "方式错,男,1970,321003,,扬州大学,13812345608,,随便,\n"    /* 9 */
             "同意错,男,1970,321003,,扬州大学,13812345609,,,也许\n"    /* 10 */
             "合格甲,男,1970,321003,480,扬州大学,138 1234 5601,,,\n"   /* 11: same as 2 */
             "地区错,男,1970,999999,,扬州大学,13812345611,,,\n"        /* 12: SQL */
             "合格乙,女,1980,321003,,扬州大学,13812345612,,,\n",       /* 13: good */
             wrong_id);
    struct t_resp *r = experts_upload(admin, NULL, csv);
    t_expect_status(r, 422);
    ck_assert_str_eq(t_problem_code(r), "import_rejected");
    ck_assert_msg(reported(r, 3, "性别", "男"), "%s", r->body);
    ck_assert_msg(reported(r, 4, "出生年份", "四位年份"), "%s", r->body);
    ck_assert_msg(reported(r, 7, "手机", "手机号"), "%s", r->body);
    ck_assert_msg(reported(r, 8, "身份证号", ""), "%s", r->body);
    ck_assert_msg(reported(r, 9, "服务方式", "技术转让"), "%s", r->body);
    ck_assert_msg(reported(r, 10, "同意推荐", "是"), "%s", r->body);
    ck_assert_msg(reported(r, 11, "身份证号（无身份证号时为姓名、工作单位和手机）", "第 2 行"),
                  "%s", r->body);
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "%s", experts_sql);
    t_assert_scalar(&srv, "0", "%s", "SELECT count(*) FROM import_rows");

    r = experts_upload(admin, "?dry_run=true", csv);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 2);
    ck_assert_msg(reported(r, 5, "出生年份", "不能晚于今年"), "%s", r->body);
    ck_assert_msg(reported(r, 6, "学科代码", "“999”不存在"), "%s", r->body);
    ck_assert_msg(reported(r, 12, "地区代码", "不存在"), "%s", r->body);
    ck_assert_int_eq((int)num(r, "rejected_rows"), 10);
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "%s", experts_sql);

    r = experts_upload(admin, "?partial=true", csv);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 2);
    ck_assert_int_eq((int)num(r, "rejected_rows"), 10);
    t_resp_free(r);
    t_assert_scalar(&srv, "合格乙,合格甲", "%s",
                    "SELECT string_agg(name, ',' ORDER BY name) FROM experts"
                    " WHERE created_by IS NOT NULL");
}
END_TEST

START_TEST(bad_academician_rows_break_the_rules_of_real_records)
{
    const char *csv = "姓名,院别,当选年份,出生年份,与本市关系,状态\n"
                      "合格院士,中国科学院,1980,1930,合作,在职\n" /* 2: good */
                      "无院别,,1980,1930,,\n"                     /* 3 */
                      "科学院过早,中国科学院,1950,1900,,\n"       /* 4: SQL */
                      "工程院过早,中国工程院,1990,1930,,\n"       /* 5: SQL */
                      "太年轻,中国工程院,2001,1990,,\n"           /* 6: SQL */
                      "关系错,中国工程院,2001,1950,朋友,\n"       /* 7 */
                      "状态错,外籍,2001,1950,,失联\n";            /* 8 */
    struct t_resp *r = upload_to("academicians", admin, NULL, csv, strlen(csv));
    t_expect_status(r, 422);
    ck_assert_msg(reported(r, 3, "院别", ""), "%s", r->body);
    ck_assert_msg(reported(r, 7, "与本市关系", "籍贯"), "%s", r->body);
    ck_assert_msg(reported(r, 8, "状态", "在职"), "%s", r->body);
    t_resp_free(r);
    r = upload_to("academicians", admin, "?dry_run=true", csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_msg(reported(r, 4, "当选年份", "1955"), "%s", r->body);
    ck_assert_msg(reported(r, 5, "当选年份", "1994"), "%s", r->body);
    ck_assert_msg(reported(r, 6, "当选年份", "25 岁"), "%s", r->body);
    ck_assert_int_eq((int)num(r, "rejected_rows"), 6);
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "%s", experts_sql);
    r = upload_to("academicians", admin, "?partial=true", csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    t_resp_free(r);
    t_assert_scalar(&srv, "合格院士/academician", "%s",
                    "SELECT name || '/' || kind FROM experts WHERE created_by IS NOT NULL");
}
END_TEST

START_TEST(county_staff_import_experts_of_their_region_only)
{
    struct t_resp *r =
        experts_upload(county, NULL, "姓名,工作单位,手机\n江都专家,江都某厂,13812349001\n");
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    t_resp_free(r);
    t_assert_scalar(&srv, "321012", "%s",
                    "SELECT region_code FROM experts WHERE name = '江都专家'");
    r = experts_upload(county, NULL, "姓名,地区代码\n外区专家,321003\n");
    t_expect_status(r, 422);
    ck_assert_msg(reported(r, 2, "地区代码", "本地区"), "%s", r->body);
    t_resp_free(r);
    t_db_exec(&srv, "INSERT INTO experts (name, affiliation, phone, region_code)"
                    " VALUES ('邗江专家', '扬州大学', '13812349002', '321003')");
    r = experts_upload(county, NULL,
                       "姓名,工作单位,手机,职务\n邗江专家,扬州大学,13812349002,所长\n");
    t_expect_status(r, 422);
    ck_assert_msg(reported(r, 2, "姓名", "无权修改"), "%s", r->body);
    t_resp_free(r);
    t_assert_scalar(&srv, "t", "%s",
                    "SELECT position IS NULL FROM experts WHERE name = '邗江专家'");
    r = upload_to("academicians", expert_user, NULL, "姓名\n甲\n", strlen("姓名\n甲\n"));
    t_expect_status(r, 403);
    t_resp_free(r);
}
END_TEST

START_TEST(expert_and_academician_templates_come_from_the_adapters)
{
    import_template_row("experts", "姓名,性别,出生年份,职称",
                        "模板专家,女,1975.06,研究员,,扬州大学,高校,321003,,,,,,,,,,,是,是");
    struct t_resp *r =
        t_request_as(&srv, admin, "GET", "/api/v1/imports/academicians/template.csv", NULL);
    t_expect_status(r, 200);
    ck_assert_ptr_nonnull(strstr(r->body, ",院别,学部,当选年份,与本市关系,关系说明,状态\r\n"));
    t_resp_free(r);
    static const char *const heads[] = {"姓名", NULL};
    assert_xlsx_template("academicians", heads);
}
END_TEST

/* ---- demands and workstations ---- */

/* An enterprise in the library (made as the API would), for rows to name by credit code. */
static const char *seed_enterprise(int n, const char *region, const char *name)
{
    const char *code = credit(n, region);
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO enterprises (name, credit_code, region_code) VALUES ('%s', '%s', '%s')",
             name, code, region);
    t_db_exec(&srv, sql);
    return code;
}

static const char *demands_sql = "SELECT count(*) FROM demands";
static const char *stations_sql = "SELECT count(*) FROM workstations";

START_TEST(demands_import_as_drafts_from_utf8_and_gb18030_and_a_reimport_updates)
{
    char e1[19], e2[19];
    snprintf(e1, sizeof e1, "%s", seed_enterprise(801, "321003", "扬州需求一号有限公司"));
    snprintf(e2, sizeof e2, "%s", seed_enterprise(802, "321012", "江都需求二号有限公司"));
    char csv[4096];
    snprintf(csv, sizeof csv,
             "\xEF\xBB\xBF企业统一社会信用代码,企业名称,需求名称,需求类型,需求描述,关键词,行业,"
             "合作方式,预算下限（万元）,预算上限(万元),截止日期,地区代码\r\n"
             "%s,扬州需求一号有限公司,锂电池隔膜涂覆工艺改进,技术难题,隔膜涂覆不均匀,"
             "锂电池、隔膜,C38,联合攻关、技术咨询,10,50,2027/6/30,\r\n"
             "%s,扬州需求一号有限公司,数字化车间工程师,人才需求,,,电气机械和器材制造业,"
             "人才培养,,,2027年3月1日,321003\r\n"
             "%s,,新型电机成果转化,成果转化,,,,,,20,,\r\n",
             e1, e1, e2);
    struct t_resp *r = upload_to("demands", admin, "?file_name=demands.csv", csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "library"), "demands");
    ck_assert_int_eq((int)num(r, "inserted"), 3);
    t_resp_free(r);
    /* Drafts, with their creation in the history, the industry's name read as its code and
     * the region the enterprise's when the row leaves it out. */
    t_assert_scalar(
        &srv, "draft/technical_problem/C38/{joint,consulting}/10.00/50.00/2027-06-30/321003", "%s",
        "SELECT status || '/' || kind || '/' || industry_code || '/' ||"
        " service_modes::text || '/' || budget_min || '/' || budget_max || '/' ||"
        " deadline || '/' || region_code FROM demands"
        " WHERE title = '锂电池隔膜涂覆工艺改进'");
    t_assert_scalar(&srv, "talent/C38/2027-03-01", "%s",
                    "SELECT kind || '/' || industry_code || '/' || deadline FROM demands"
                    " WHERE title = '数字化车间工程师'");
    t_assert_scalar(&srv, "321012/draft", "%s",
                    "SELECT region_code || '/' || status FROM demands"
                    " WHERE title = '新型电机成果转化'");
    t_assert_scalar(&srv, "3", "%s",
                    "SELECT count(*) FROM demand_transitions WHERE action = 'create'"
                    " AND to_status = 'draft' AND from_status IS NULL");
    t_assert_scalar(&srv, "t", "%s",
                    "SELECT count(*) >= 3 FROM audit_log WHERE action = 'import'"
                    " AND record_type = 'demands'");
    /* Searchable like a demand filed through the API. */
    r = t_request_as(&srv, admin, "GET", "/api/v1/demands?q=%E9%9A%94%E8%86%9C", NULL); /* 隔膜 */
    t_expect_status(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    t_resp_free(r);
    /* The same file again inserts nothing; a title written with other spaces and full-width
     * letters is the same demand, and its new budget an update. */
    r = upload_to("demands", admin, NULL, csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 0);
    ck_assert_int_eq((int)num(r, "unchanged"), 3);
    t_resp_free(r);
    snprintf(csv, sizeof csv,
             "统一社会信用代码,需求名称,需求类型,预算（万元）\n"
             "%s,锂电池隔膜\u3000涂覆工艺改进,技术难题,80\n",
             e1);
    r = upload_to("demands", admin, NULL, csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 0);
    ck_assert_int_eq((int)num(r, "updated"), 1);
    t_resp_free(r);
    t_assert_scalar(&srv, "80.00/10.00/2", "%s",
                    "SELECT budget_max || '/' || budget_min || '/' || version FROM demands"
                    " WHERE title LIKE '锂电池隔膜%%'");
    /* By its id, a demand may be renamed. */
    char *id = scalar("SELECT id FROM demands WHERE title = '新型电机成果转化'");
    snprintf(csv, sizeof csv,
             "需求编号,企业统一社会信用代码,需求名称,需求类型\n%s,%s,新型永磁电机成果转化,"
             "成果转化\n",
             id, e2);
    r = upload_to("demands", admin, NULL, csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "updated"), 1);
    t_resp_free(r);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT title FROM demands WHERE id = %s", id);
    t_assert_scalar(&srv, "新型永磁电机成果转化", "%s", sql);
    free(id);
    /* GB18030, as Chinese Excel saves CSV. */
    char utf8[1024], gb[1024];
    snprintf(utf8, sizeof utf8,
             "企业统一社会信用代码,需求名称,需求类型,合作方式\n%s,检测设备共享,设备共享,"
             "委托研究\n",
             e2);
    size_t len;
    to_gb18030(utf8, gb, sizeof gb, &len);
    r = upload_to("demands", admin, NULL, gb, len);
    t_expect_status(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "charset"), "GB18030");
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    t_resp_free(r);
    t_assert_scalar(&srv, "equipment/{commissioned}", "%s",
                    "SELECT kind || '/' || service_modes::text FROM demands"
                    " WHERE title = '检测设备共享'");
    t_assert_scalar(&srv, "4", "%s", demands_sql);
}
END_TEST

START_TEST(bad_demand_rows_are_reported_by_row_and_column)
{
    char e1[19], stranger[19], wrong[19];
    snprintf(e1, sizeof e1, "%s", seed_enterprise(811, "321003", "扬州坏行一号有限公司"));
    snprintf(stranger, sizeof stranger, "%s", credit(812, "321003")); /* not in the library */
    snprintf(wrong, sizeof wrong, "%s", credit(813, "321003"));
    wrong[17] = wrong[17] == '0' ? '1' : '0';
    char csv[4096];
    snprintf(csv, sizeof csv,
             "企业统一社会信用代码,企业名称,需求名称,需求类型,行业,合作方式,预算下限,预算上限,"
             "截止日期,地区代码,学科代码\n"
             "%s,,合格需求甲,技术难题,,,,,,,\n"                         /* 2: good */
             "%s,,无此企业,技术难题,,,,,,,\n"                           /* 3: SQL */
             "%s,,校验位错,技术难题,,,,,,,\n"                           /* 4 */
             "%s,,,技术难题,,,,,,,\n"                                   /* 5: no title */
             "%s,,类型错,随便,,,,,,,\n"                                 /* 6 */
             "%s,,行业错,技术难题,不存在的行业,,,,,,\n"                 /* 7: SQL */
             "%s,,预算错,技术难题,,,很多,,,,\n"                         /* 8 */
             "%s,,预算颠倒,技术难题,,,100,10,,,\n"                      /* 9: SQL */
             "%s,,日期错,技术难题,,,,,2027-02-30,,\n"                   /* 10 */
             "%s,,合格需求　甲,技术难题,,,,,,,\n"                       /* 11: same as 2 */
             "%s,别家公司,名称不符,技术难题,,,,,,,\n"                   /* 12: SQL */
             "%s,,地区错,技术难题,,,,,,999999,\n"                       /* 13: SQL */
             "%s,,方式错,技术难题,,随便,,,,,\n"                         /* 14 */
             "%s,,学科错,技术难题,,,,,,,999\n"                          /* 15: SQL */
             "%s,扬州坏行一号有限公司,合格需求乙,合作研发,Z01,,,,,,\n", /* 16: good */
             e1, stranger, wrong, e1, e1, e1, e1, e1, e1, e1, e1, e1, e1, e1, e1);
    struct t_resp *r = upload_to("demands", admin, NULL, csv, strlen(csv));
    t_expect_status(r, 422);
    ck_assert_str_eq(t_problem_code(r), "import_rejected");
    ck_assert_msg(reported(r, 4, "企业统一社会信用代码", "校验"), "%s", r->body);
    ck_assert_msg(reported(r, 5, "需求名称", ""), "%s", r->body);
    ck_assert_msg(reported(r, 6, "需求类型", "技术难题"), "%s", r->body);
    ck_assert_msg(reported(r, 8, "预算上限", "数字") || reported(r, 8, "预算下限", "数字"), "%s",
                  r->body);
    ck_assert_msg(reported(r, 10, "截止日期", ""), "%s", r->body);
    ck_assert_msg(
        reported(r, 11, "需求编号（无编号时为企业统一社会信用代码和需求名称）", "第 2 行"), "%s",
        r->body);
    ck_assert_msg(reported(r, 14, "合作方式", "技术转让"), "%s", r->body);
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "%s", demands_sql);
    t_assert_scalar(&srv, "0", "%s", "SELECT count(*) FROM import_rows");

    r = upload_to("demands", admin, "?dry_run=true", csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 2);
    ck_assert_msg(reported(r, 3, "企业统一社会信用代码", "企业库中没有"), "%s", r->body);
    ck_assert_msg(reported(r, 7, "行业", "不存在"), "%s", r->body);
    ck_assert_msg(reported(r, 9, "预算上限", "不能低于"), "%s", r->body);
    ck_assert_msg(reported(r, 12, "企业名称", "不符"), "%s", r->body);
    ck_assert_msg(reported(r, 13, "地区代码", "不存在"), "%s", r->body);
    ck_assert_msg(reported(r, 15, "学科代码", "“999”不存在"), "%s", r->body);
    ck_assert_int_eq((int)num(r, "rejected_rows"), 13);
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "%s", demands_sql);

    r = upload_to("demands", admin, "?partial=true", csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 2);
    ck_assert_int_eq((int)num(r, "rejected_rows"), 13);
    t_resp_free(r);
    t_assert_scalar(&srv, "合格需求乙/joint_rnd/Z01,合格需求甲/technical_problem/", "%s",
                    "SELECT string_agg(title || '/' || kind || '/' || coalesce(industry_code, ''),"
                    " ',' ORDER BY title) FROM demands");

    /* Records that are there but not the import's to change: closed, archived, unknown id. */
    t_db_exec(&srv, "UPDATE demands SET status = 'closed' WHERE title = '合格需求甲'");
    t_db_exec(&srv, "UPDATE demands SET archived_at = now() WHERE title = '合格需求乙'");
    char *archived = scalar("SELECT id FROM demands WHERE title = '合格需求乙'");
    snprintf(csv, sizeof csv,
             "需求编号,企业统一社会信用代码,需求名称,需求类型,需求描述\n"
             ",%s,合格需求甲,技术难题,改\n"
             "%s,%s,合格需求乙,合作研发,改\n"
             "999999,%s,无此编号,合作研发,改\n",
             e1, archived, e1, e1);
    free(archived);
    r = upload_to("demands", admin, NULL, csv, strlen(csv));
    t_expect_status(r, 422);
    ck_assert_msg(reported(r, 2, "需求名称", "已关闭"), "%s", r->body);
    ck_assert_msg(reported(r, 3, "需求编号", "已归档"), "%s", r->body);
    ck_assert_msg(reported(r, 4, "需求编号", "没有编号为 999999"), "%s", r->body);
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "%s", "SELECT count(*) FROM demands WHERE description = '改'");
}
END_TEST

START_TEST(workstations_from_xlsx_with_labels_and_dates_and_a_reimport_updates)
{
    char host[19], other[19];
    snprintf(host, sizeof host, "%s", seed_enterprise(821, "321003", "扬州建站一号有限公司"));
    snprintf(other, sizeof other, "%s", seed_enterprise(822, "321012", "江都建站二号有限公司"));
    char path[] = "/tmp/siku-it-xlsx-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "工作站名单");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    const char *heads[] = {"工作站名称", "依托企业统一社会信用代码",
                           "依托企业",   "级别",
                           "行业",       "建站日期",
                           "协议期限",   "状态",
                           "示范年份"};
    for (int i = 0; i < 9; i++)
        worksheet_write_string(ws, 0, (lxw_col_t)i, heads[i], NULL);
    lxw_datetime d1 = {2019, 5, 20, 0, 0, 0}, d2 = {2023, 9, 1, 0, 0, 0};
    worksheet_write_string(ws, 1, 0, "扬州建站一号院士工作站", NULL);
    worksheet_write_string(ws, 1, 1, host, NULL);
    worksheet_write_string(ws, 1, 2, "扬州建站一号有限公司", NULL);
    worksheet_write_string(ws, 1, 3, "省级", NULL);
    worksheet_write_string(ws, 1, 4, "电气机械和器材制造业", NULL);
    worksheet_write_datetime(ws, 1, 5, &d1, date);
    worksheet_write_string(ws, 1, 6, "2025年5月19日", NULL);
    worksheet_write_string(ws, 1, 7, "运行", NULL);
    worksheet_write_number(ws, 1, 8, 2021, NULL);
    worksheet_write_string(ws, 2, 0, "江都建站二号院士工作站", NULL);
    worksheet_write_string(ws, 2, 1, other, NULL);
    worksheet_write_string(ws, 2, 3, "市级", NULL);
    worksheet_write_datetime(ws, 2, 5, &d2, date);
    ck_assert_int_eq(workbook_close(wb), LXW_NO_ERROR);
    size_t len;
    char *data = fixture_read_file(path, &len);
    unlink(path);
    struct t_resp *r = upload_to("workstations", admin, NULL, data, len);
    t_expect_status(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "format"), "xlsx");
    ck_assert_int_eq((int)num(r, "inserted"), 2);
    t_resp_free(r);
    t_assert_scalar(&srv, "provincial/running/321003/C38/2019-05-20/2025-05-19/2021", "%s",
                    "SELECT level || '/' || status || '/' || region_code || '/' || industry_code"
                    " || '/' || established_on || '/' || term_end || '/' || demonstration_year"
                    " FROM workstations WHERE name = '扬州建站一号院士工作站'");
    t_assert_scalar(&srv, "city/planning/321012", "%s",
                    "SELECT level || '/' || status || '/' || region_code FROM workstations"
                    " WHERE name = '江都建站二号院士工作站'");
    t_assert_scalar(&srv, "2", "%s",
                    "SELECT count(*) FROM workstation_transitions WHERE from_status IS NULL");
    /* Again: nothing new. */
    r = upload_to("workstations", admin, NULL, data, len);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 0);
    ck_assert_int_eq((int)num(r, "unchanged"), 2);
    t_resp_free(r);
    free(data);
    /* Inline strings (as other tools write XLSX): a new level is an update; a new status is
     * not the import's to make. */
    char sheet[4096];
    snprintf(sheet, sizeof sheet,
             "<worksheet><sheetData>"
             "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>工作站名称</t></is></c>"
             "<c r=\"B1\" t=\"inlineStr\"><is><t>统一社会信用代码</t></is></c>"
             "<c r=\"C1\" t=\"inlineStr\"><is><t>级别</t></is></c>"
             "<c r=\"D1\" t=\"inlineStr\"><is><t>状态</t></is></c></row>"
             "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>江都建站二号院士工作站</t></is></c>"
             "<c r=\"B2\" t=\"inlineStr\"><is><t>%s</t></is></c>"
             "<c r=\"C2\" t=\"inlineStr\"><is><t>省级</t></is></c>"
             "<c r=\"D2\" t=\"inlineStr\"><is><t>筹建</t></is></c></row>"
             "</sheetData></worksheet>",
             other);
    data = fixture_xlsx(sheet, NULL, NULL, &len);
    r = upload_to("workstations", admin, NULL, data, len);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "updated"), 1);
    t_resp_free(r);
    free(data);
    t_assert_scalar(&srv, "provincial/2", "%s",
                    "SELECT level || '/' || version FROM workstations"
                    " WHERE name = '江都建站二号院士工作站'");
    char csv[1024];
    snprintf(csv, sizeof csv,
             "工作站名称,依托企业统一社会信用代码,状态\n扬州建站一号院士工作站,%s,"
             "暂停\n",
             host);
    r = upload_to("workstations", admin, NULL, csv, strlen(csv));
    t_expect_status(r, 422);
    ck_assert_msg(reported(r, 2, "状态", "不能改变已有工作站的状态"), "%s", r->body);
    t_resp_free(r);
    t_assert_scalar(&srv, "running", "%s",
                    "SELECT status FROM workstations WHERE name = '扬州建站一号院士工作站'");
    t_assert_scalar(&srv, "2", "%s", stations_sql);
}
END_TEST

START_TEST(bad_workstation_rows_are_reported_and_change_nothing)
{
    char host[19], stranger[19];
    snprintf(host, sizeof host, "%s", seed_enterprise(831, "321003", "扬州坏站有限公司"));
    snprintf(stranger, sizeof stranger, "%s", credit(832, "321003"));
    char csv[4096];
    snprintf(csv, sizeof csv,
             "工作站名称,依托企业统一社会信用代码,级别,状态,建站日期,协议期满日期,示范年份,行业\n"
             "合格工作站,%s,市级,运行,2020-01-01,2025-12-31,,\n" /* 2: good */
             "无依托企业,%s,市级,,,,,\n"                         /* 3: SQL */
             "级别错,%s,国家级,,,,,\n"                           /* 4 */
             "状态错,%s,,停业,,,,\n"                             /* 5 */
             "日期颠倒,%s,,,2025-01-01,2020-01-01,,\n"           /* 6: SQL */
             "日期错,%s,,,2020-13-01,,,\n"                       /* 7 */
             "示范年错,%s,,,,,1800,\n"                           /* 8 */
             "合格工作站,%s,,,,,,\n"                             /* 9: same as 2 */
             ",%s,,,,,,\n"                                       /* 10: no name */
             "行业错,%s,,,,,,X1\n",                              /* 11 */
             host, stranger, host, host, host, host, host, host, host, host);
    struct t_resp *r = upload_to("workstations", admin, NULL, csv, strlen(csv));
    t_expect_status(r, 422);
    ck_assert_msg(reported(r, 4, "级别", "市级"), "%s", r->body);
    ck_assert_msg(reported(r, 5, "状态", "筹建"), "%s", r->body);
    ck_assert_msg(reported(r, 7, "建站日期", ""), "%s", r->body);
    ck_assert_msg(reported(r, 8, "示范年份", ""), "%s", r->body);
    ck_assert_msg(
        reported(r, 9, "工作站编号（无编号时为依托企业统一社会信用代码和工作站名称）", "第 2 行"),
        "%s", r->body);
    ck_assert_msg(reported(r, 10, "工作站名称", ""), "%s", r->body);
    ck_assert_msg(reported(r, 11, "行业", ""), "%s", r->body);
    t_resp_free(r);
    r = upload_to("workstations", admin, "?dry_run=true", csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_msg(reported(r, 3, "依托企业统一社会信用代码", "企业库中没有"), "%s", r->body);
    ck_assert_msg(reported(r, 6, "协议期满日期", "不能早于建站日期"), "%s", r->body);
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    ck_assert_int_eq((int)num(r, "rejected_rows"), 9);
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "%s", stations_sql);
    t_assert_scalar(&srv, "0", "%s", "SELECT count(*) FROM import_rows");
    r = upload_to("workstations", admin, "?partial=true", csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    t_resp_free(r);
    t_assert_scalar(&srv, "合格工作站/running", "%s",
                    "SELECT name || '/' || status FROM workstations");
}
END_TEST

START_TEST(county_staff_import_demands_and_workstations_of_their_region_only)
{
    char mine[19], theirs[19];
    snprintf(mine, sizeof mine, "%s", seed_enterprise(841, "321012", "江都本区有限公司"));
    snprintf(theirs, sizeof theirs, "%s", seed_enterprise(842, "321003", "邗江外区有限公司"));
    char csv[1024];
    snprintf(csv, sizeof csv, "企业统一社会信用代码,需求名称,需求类型\n%s,本区需求,技术难题\n",
             mine);
    struct t_resp *r = upload_to("demands", county, NULL, csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    t_resp_free(r);
    t_assert_scalar(&srv, "321012", "%s",
                    "SELECT region_code FROM demands WHERE title = '本区需求'");
    snprintf(csv, sizeof csv,
             "企业统一社会信用代码,需求名称,需求类型,地区代码\n%s,外区需求,技术难题,321003\n",
             theirs);
    r = upload_to("demands", county, NULL, csv, strlen(csv));
    t_expect_status(r, 422);
    ck_assert_msg(reported(r, 2, "地区代码", "本地区"), "%s", r->body);
    t_resp_free(r);
    char sql[512];
    snprintf(
        sql, sizeof sql,
        "INSERT INTO demands (enterprise_id, title, kind, region_code)"
        " SELECT id, '外区旧需求', 'talent', '321003' FROM enterprises WHERE credit_code = '%s'",
        theirs);
    t_db_exec(&srv, sql);
    snprintf(csv, sizeof csv,
             "企业统一社会信用代码,需求名称,需求类型,需求描述\n%s,外区旧需求,人才需求,改\n",
             theirs);
    r = upload_to("demands", county, NULL, csv, strlen(csv));
    t_expect_status(r, 422);
    ck_assert_msg(reported(r, 2, "需求名称", "无权修改"), "%s", r->body);
    t_resp_free(r);
    /* A station is in its host's region unless the row says otherwise. */
    snprintf(csv, sizeof csv, "工作站名称,依托企业统一社会信用代码\n本区工作站,%s\n外区工作站,%s\n",
             mine, theirs);
    r = upload_to("workstations", county, NULL, csv, strlen(csv));
    t_expect_status(r, 422);
    ck_assert_msg(reported(r, 3, "地区", "本地区"), "%s", r->body);
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "%s", stations_sql);
    r = upload_to("workstations", county, "?partial=true", csv, strlen(csv));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    t_resp_free(r);
    t_assert_scalar(&srv, "本区工作站/321012", "%s",
                    "SELECT name || '/' || region_code FROM workstations");
    /* Only staff import. */
    r = upload_to("workstations", expert_user, NULL, csv, strlen(csv));
    t_expect_status(r, 403);
    t_resp_free(r);
    r = upload_to("demands", expert_user, NULL, csv, strlen(csv));
    t_expect_status(r, 403);
    t_resp_free(r);
}
END_TEST

START_TEST(people_match_across_full_width_and_spacing)
{
    t_db_exec(&srv, "INSERT INTO experts (name, affiliation, phone, region_code)"
                    " VALUES ('钱专家', '扬州大学（农学院）', '13812348888', '321003')");
    const char *csv = "姓名,工作单位,手机,职务\n"
                      "钱\u3000专家,扬州大学 (农学院),13812348888,院长\n";
    struct t_resp *r = experts_upload(admin, NULL, csv);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 0);
    ck_assert_int_eq((int)num(r, "updated"), 1);
    t_resp_free(r);
    t_assert_scalar(&srv, "1/院长", "%s",
                    "SELECT count(*) || '/' || max(position) FROM experts"
                    " WHERE name LIKE '钱%%'");
    /* Within one file, too. */
    csv = "姓名,工作单位,手机\n孙专家,ＹＺＵ实验室,13812347777\n孙 专家,yzu实验室,13812347777\n";
    r = experts_upload(admin, NULL, csv);
    t_expect_status(r, 422);
    ck_assert_msg(reported(r, 3, "身份证号（无身份证号时为姓名、工作单位和手机）", "第 2 行"), "%s",
                  r->body);
    t_resp_free(r);
}
END_TEST

START_TEST(demand_and_workstation_templates_come_from_the_adapters)
{
    char e1[19], row[256];
    snprintf(e1, sizeof e1, "%s", seed_enterprise(851, "321003", "扬州模板需求有限公司"));
    snprintf(row, sizeof row, ",%s,,模板需求,技术难题,,,,,,,,,", e1);
    import_template_row("demands", "需求编号,企业统一社会信用代码,企业名称,需求名称,需求类型", row);
    static const char *const heads[] = {"工作站编号", "工作站名称", "依托企业统一社会信用代码",
                                        NULL};
    assert_xlsx_template("workstations", heads);
    struct t_resp *r =
        t_request_as(&srv, admin, "GET", "/api/v1/imports/workstations/template.csv", NULL);
    t_expect_status(r, 200);
    ck_assert_ptr_nonnull(strstr(r->body, ",级别,地区,行业,建站日期,协议期满日期,签约日期,状态,"));
    t_resp_free(r);
}
END_TEST

/* ---- what real rosters write (import_values.h) ---- */

static char *xlsx_of(const char *const *heads, size_t ncols, const char *const *cells, size_t nrows,
                     size_t *len)
{
    char path[] = "/tmp/siku-it-xlsx-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "名单");
    for (size_t c = 0; c < ncols; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, heads[c], NULL);
    for (size_t r = 0; r < nrows; r++)
        for (size_t c = 0; c < ncols; c++)
            if (cells[r * ncols + c][0])
                worksheet_write_string(ws, (lxw_row_t)(r + 1), (lxw_col_t)c, cells[r * ncols + c],
                                       NULL);
    ck_assert_int_eq(workbook_close(wb), LXW_NO_ERROR);
    char *data = fixture_read_file(path, len);
    unlink(path);
    return data;
}

START_TEST(regions_are_taken_by_name_in_every_library)
{
    /* Two 鼓楼区 (of two cities) make a name the database holds twice. */
    t_db_exec(&srv, "INSERT INTO regions (code, name, kind, parent_code, sort_order) VALUES"
                    " ('320100', '南京市', 'city', '320000', 101),"
                    " ('320106', '鼓楼区', 'district', '320100', 102),"
                    " ('320300', '徐州市', 'city', '320000', 103),"
                    " ('320302', '鼓楼区', 'district', '320300', 104)");
    char utf8[2048], gb[2048];
    size_t len;
    snprintf(utf8, sizeof utf8,
             "企业名称,统一社会信用代码,所在地区\n"
             "扬州地名一号有限公司,%s,江都区\n扬州地名二号有限公司,%s,扬州市江都区\n"
             "扬州地名三号有限公司,%s, 江都 \n扬州地名四号有限公司,%s,江苏省扬州市\u3000邗江区\n"
             "扬州地名五号有限公司,%s,３２１００３\n扬州地名六号有限公司,%s,经开区\n"
             "扬州地名七号有限公司,%s,徐州市鼓楼区\n",
             credit(901, "321012"), credit(902, "321012"), credit(903, "321012"),
             credit(904, "321003"), credit(905, "321003"), credit(906, "321071"),
             credit(907, "320302"));
    to_gb18030(utf8, gb, sizeof gb, &len);
    struct t_resp *r = upload(admin, NULL, gb, len);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 7);
    t_resp_free(r);
    t_assert_scalar(&srv, "321012,321012,321012,321003,321003,321071,320302", "%s",
                    "SELECT string_agg(region_code, ',' ORDER BY id) FROM enterprises"
                    " WHERE name LIKE '扬州地名%'");

    /* Unknown and ambiguous names: per-row problems naming the column, nothing written. */
    snprintf(utf8, sizeof utf8,
             "企业名称,统一社会信用代码,地区\n扬州地名八号有限公司,%s,鼓楼区\n"
             "扬州地名九号有限公司,%s,江都县\n扬州地名十号有限公司,%s,仪征\n",
             credit(908, "321012"), credit(909, "321012"), credit(910, "321081"));
    r = upload(admin, NULL, utf8, strlen(utf8));
    t_expect_status(r, 422);
    ck_assert_msg(reported(r, 2, "地区", "地区“鼓楼区”可能是鼓楼区（320106）、鼓楼区（320302）"),
                  "%s", r->body);
    ck_assert_msg(reported(r, 3, "地区", "地区“江都县”不存在：“地区”一列应填地区名称"), "%s",
                  r->body);
    ck_assert_int_eq((int)num(r, "rejected_rows"), 2);
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "%s",
                    "SELECT count(*) FROM enterprises WHERE name IN ('扬州地名八号有限公司',"
                    " '扬州地名十号有限公司')");

    /* Experts from XLSX; a county's staff may name their own region, not another. */
    static const char *const eh[] = {"姓名", "工作单位", "所在区县", "手机"};
    static const char *const er[] = {"地名专家甲", "扬州大学", "邗江",   "１３９１２３４５６７８",
                                     "地名专家乙", "扬州大学", "高邮市", ""};
    char *data = xlsx_of(eh, 4, er, 2, &len);
    r = upload_to("experts", admin, NULL, data, len);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 2);
    t_resp_free(r);
    free(data);
    t_assert_scalar(&srv, "321003/13912345678,321084/", "%s",
                    "SELECT string_agg(region_code || '/' || coalesce(phone, ''), ',' ORDER BY id)"
                    " FROM experts WHERE name LIKE '地名专家%'");
    r = experts_upload(county, NULL, "姓名,地区\n本区地名专家,江都\n");
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    t_resp_free(r);
    t_assert_scalar(&srv, "321012", "%s",
                    "SELECT region_code FROM experts WHERE name = '本区地名专家'");
    r = experts_upload(county, NULL, "姓名,地区\n外区地名专家,邗江区\n");
    t_expect_status(r, 422);
    ck_assert_msg(reported(r, 2, "地区", "本地区"), "%s", r->body);
    t_resp_free(r);

    /* Academicians, demands and workstations take names the same way. */
    r = upload_to("academicians", admin, NULL, "姓名,院别,地区\n地名院士,中国工程院,宝应县\n",
                  strlen("姓名,院别,地区\n地名院士,中国工程院,宝应县\n"));
    t_expect_status(r, 200);
    t_resp_free(r);
    t_assert_scalar(&srv, "321023", "%s",
                    "SELECT region_code FROM experts WHERE name = '地名院士'");
    char host[19], csv[1024];
    snprintf(host, sizeof host, "%s", seed_enterprise(911, "321003", "扬州地名需求有限公司"));
    snprintf(csv, sizeof csv,
             "企业统一社会信用代码,需求名称,需求类型,所在地区,预算上限,截止日期\n"
             "%s,地名需求,技术难题,广陵,５０万元,2027年6月\n",
             host);
    r = upload_to("demands", admin, NULL, csv, strlen(csv));
    t_expect_status(r, 200);
    t_resp_free(r);
    t_assert_scalar(&srv, "321002/50.00/2027-06-30", "%s",
                    "SELECT region_code || '/' || budget_max || '/' || deadline FROM demands"
                    " WHERE title = '地名需求'");
    snprintf(csv, sizeof csv,
             "工作站名称,依托企业统一社会信用代码,地区\n地名工作站,%s,扬州市仪征市\n", host);
    r = upload_to("workstations", admin, NULL, csv, strlen(csv));
    t_expect_status(r, 200);
    t_resp_free(r);
    t_assert_scalar(&srv, "321081", "%s",
                    "SELECT region_code FROM workstations WHERE name = '地名工作站'");
}
END_TEST

START_TEST(workstation_terms_are_taken_as_ranges_and_lengths)
{
    char host[19];
    snprintf(host, sizeof host, "%s", seed_enterprise(921, "321003", "扬州协议期限有限公司"));
    /* XLSX: a range of months, a range in words, a length from the signing date (an Excel
     * date) and a length from the establishment (written 2019年11月). */
    char path[] = "/tmp/siku-it-xlsx-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "工作站");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    const char *heads[] = {"工作站名称", "依托企业统一社会信用代码", "建站时间", "签约日期",
                           "协议期限"};
    for (int i = 0; i < 5; i++)
        worksheet_write_string(ws, 0, (lxw_col_t)i, heads[i], NULL);
    const char *rows[][5] = {
        {"期限站一", host, "", "", "2023.01-2025.12"},
        {"期限站二", host, "", "", "2023年1月至2025年12月"},
        {"期限站三", host, "", "", "3年"},
        {"期限站四", host, "2019年11月", "", "两年"},
        {"期限站五", host, "２０２０．３．１", "", "２０２０－０３－０１至２０２３－０２－２８"},
    };
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 5; c++)
            if (rows[r][c][0])
                worksheet_write_string(ws, (lxw_row_t)(r + 1), (lxw_col_t)c, rows[r][c], NULL);
    lxw_datetime signed_on = {2023, 3, 1, 0, 0, 0};
    worksheet_write_datetime(ws, 3, 3, &signed_on, date);
    ck_assert_int_eq(workbook_close(wb), LXW_NO_ERROR);
    size_t len;
    char *data = fixture_read_file(path, &len);
    unlink(path);
    struct t_resp *r = upload_to("workstations", admin, NULL, data, len);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 5);
    t_resp_free(r);
    r = upload_to("workstations", admin, NULL, data, len);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "unchanged"), 5);
    t_resp_free(r);
    free(data);
    t_assert_scalar(&srv,
                    "期限站一:/2025-12-31,期限站二:/2025-12-31,期限站三:/2026-02-28,"
                    "期限站四:2019-11-01/2021-10-31,期限站五:2020-03-01/2023-02-28",
                    "%s",
                    "SELECT string_agg(name || ':' || coalesce(established_on::text, '') || '/'"
                    " || term_end, ',' ORDER BY id) FROM workstations WHERE name LIKE '期限站%'");

    /* GB18030 CSV: what cannot be read as one end date is refused, saying why. */
    char utf8[1024], gb[1024];
    snprintf(utf8, sizeof utf8,
             "工作站名称,依托企业统一社会信用代码,协议期限\n"
             "期限站六,%s,2023-2025\n期限站七,%s,3年\n期限站八,%s,长期\n"
             "期限站九,%s,2025.12-2023.01\n",
             host, host, host, host);
    to_gb18030(utf8, gb, sizeof gb, &len);
    r = upload_to("workstations", admin, NULL, gb, len);
    t_expect_status(r, 422);
    ck_assert_msg(reported(r, 2, "协议期限", "只写了年份"), "%s", r->body);
    ck_assert_msg(reported(r, 3, "协议期限", "需要“签约日期”或“建站日期”列"), "%s", r->body);
    ck_assert_msg(reported(r, 4, "协议期限", "无法识别"), "%s", r->body);
    ck_assert_msg(reported(r, 5, "协议期限", "晚于"), "%s", r->body);
    t_resp_free(r);
    t_assert_scalar(&srv, "5", "%s", "SELECT count(*) FROM workstations WHERE name LIKE '期限站%'");
}
END_TEST

START_TEST(an_academy_roster_as_published_imports)
{
    /* The columns of an academy's member pages: no 院别 (the division tells it), a biography,
     * years as text, full-width digits, padded names, and 1901 where the page had no year. */
    char utf8[4096], gb[4096];
    size_t len;
    snprintf(utf8, sizeof utf8,
             "序号,姓名,学部,当选年份,个人简介,职称\n"
             "1,\u2002名册甲\u00a0,数学物理学部,1993,\"天体物理学家，1938年2月生。\",院士、研究员\n"
             "2,名  乙,机械与运载工程学部,２０１５,\"特种设备专家，\"\"压力容器\"\"。\",\n"
             "3,名册丙,化学部,1901,晶体学家。,\n"
             "4,名册丁,物理化学部,1999,,\n");
    to_gb18030(utf8, gb, sizeof gb, &len);
    struct t_resp *r = upload_to("academicians", admin, "?dry_run=true", gb, len);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 2);
    ck_assert_int_eq((int)num(r, "rejected_rows"), 2);
    ck_assert_msg(reported(r, 4, "当选年份",
                           "当选年份 1901 早于中国科学院首批学部委员当选（1955 年），不可能；"
                           "名单里没有当选年份时请留空"),
                  "%s", r->body);
    ck_assert_msg(reported(r, 5, "院别", "从学部“物理化学部”也看不出"), "%s", r->body);
    t_resp_free(r);
    r = upload_to("academicians", admin, "?partial=true", gb, len);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 2);
    t_resp_free(r);
    t_assert_scalar(&srv, "名册甲:CAS/1993/senior,名乙:CAE/2015/", "%s",
                    "SELECT string_agg(name || ':' || academy || '/' || election_year || '/' ||"
                    " coalesce(title, ''), ',' ORDER BY id) FROM experts"
                    " WHERE kind = 'academician' AND name LIKE '名%'");
    t_assert_scalar(&srv, "特种设备专家，\"压力容器\"。", "%s",
                    "SELECT achievements FROM experts WHERE name = '名乙'");

    /* The same in XLSX, with the academy written as a title would be. */
    static const char *const heads[] = {"院士姓名", "院士类别", "当选时间", "职称", "出生年月"};
    static const char *const rows[] = {
        "名册戊", "中国工程院院士", "2001年", "教授、博士生导师", "1950年3月",
        "名册己", "中国科学院院士", "2003",   "正高级工程师",     "１９４８．０５"};
    char *data = xlsx_of(heads, 5, rows, 2, &len);
    r = upload_to("academicians", admin, NULL, data, len);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 2);
    t_resp_free(r);
    free(data);
    t_assert_scalar(&srv, "名册戊:CAE/2001/1950/senior,名册己:CAS/2003/1948/senior", "%s",
                    "SELECT string_agg(name || ':' || academy || '/' || election_year || '/' ||"
                    " birth_year || '/' || title, ',' ORDER BY id) FROM experts"
                    " WHERE name IN ('名册戊', '名册己')");
}
END_TEST

START_TEST(an_expert_roster_with_its_own_headers_and_habits)
{
    /* A county's roster as kept in Excel: its own headers, an address for the region, titles
     * with extras, full-width phones; GB18030 CSV. */
    char utf8[2048], gb[2048];
    size_t len;
    snprintf(utf8, sizeof utf8,
             "序号,姓  名,出生年月日,专业技术职务,现任职务,现工作单位,所在地,主要研究方向,"
             "移动电话,电子信箱,通信地址,单位性质,是否同意推荐\n"
             "1,习惯甲,1968年5月,教授/博导,院长,扬州大学,扬州市江都区仙女镇龙川路1号,作物育种,"
             "１３９１２３４０１０１,a@yzu.edu.cn,江都区,高等学校,同意\n"
             "2,习惯乙,1975.11,高级实验师,,扬州大学,邗江,植物保护,139 1234 0102,,,研究所,"
             "不同意\n");
    to_gb18030(utf8, gb, sizeof gb, &len);
    struct t_resp *r = upload_to("experts", admin, NULL, gb, len);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 2);
    t_resp_free(r);
    t_assert_scalar(&srv,
                    "习惯甲:1968/senior/321012/13912340101/university/true,"
                    "习惯乙:1975/associate_senior/321003/13912340102/institute/false",
                    "%s",
                    "SELECT string_agg(name || ':' || birth_year || '/' || title || '/' ||"
                    " region_code || '/' || phone || '/' || affiliation_kind || '/' || consent,"
                    " ',' ORDER BY id) FROM experts"
                    " WHERE name LIKE '习惯%'");

    /* XLSX: two phones in one cell, and an ID number Excel kept as a number (rounded). */
    char path[] = "/tmp/siku-it-xlsx-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    lxw_workbook *wb = workbook_new(path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "专家");
    const char *heads[] = {"姓名", "手机", "身份证号"};
    for (int i = 0; i < 3; i++)
        worksheet_write_string(ws, 0, (lxw_col_t)i, heads[i], NULL);
    worksheet_write_string(ws, 1, 0, "习惯丙", NULL);
    worksheet_write_string(ws, 1, 1, "13912340103、0514-87654321", NULL);
    worksheet_write_string(ws, 2, 0, "习惯丁", NULL);
    worksheet_write_number(ws, 2, 2, 321002193501010010.0, NULL);
    ck_assert_int_eq(workbook_close(wb), LXW_NO_ERROR);
    char *data = fixture_read_file(path, &len);
    unlink(path);
    r = upload_to("experts", admin, NULL, data, len);
    free(data);
    t_expect_status(r, 422);
    ck_assert_msg(reported(r, 2, "手机", "一格只能填一个，这一格有 2 个"), "%s", r->body);
    ck_assert_msg(reported(r, 3, "身份证号", "科学计数法"), "%s", r->body);
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "%s",
                    "SELECT count(*) FROM experts WHERE name IN ('习惯丙', '习惯丁')");

    /* Enterprises: 规模 written as 中型企业, the industry by its name. */
    snprintf(utf8, sizeof utf8,
             "企业名称,统一社会信用代码,所在地区,规模,所属行业代码\n"
             "扬州习惯有限公司,%s,江都,中型企业,电气机械和器材制造业\n",
             credit(931, "321012"));
    r = upload(admin, NULL, utf8, strlen(utf8));
    t_expect_status(r, 200);
    t_resp_free(r);
    t_assert_scalar(&srv, "medium/321012/C38", "%s",
                    "SELECT size || '/' || region_code || '/' || industry_code FROM enterprises"
                    " WHERE name = '扬州习惯有限公司'");

    /* A demand roster's own headers: 需求单位, 项目名称, 拟投入资金（单位：万元）… */
    char host[19];
    snprintf(host, sizeof host, "%s", seed_enterprise(932, "321012", "扬州习惯需求有限公司"));
    snprintf(utf8, sizeof utf8,
             "需求单位,统一社会信用代码,项目名称,技术需求类别,技术需求内容,"
             "拟投入资金（单位：万元）,需求有效期至,所属区县\n"
             "扬州习惯需求有限公司,%s,习惯需求,技术攻关,耐高温涂层,30万,2027.06,江都\n",
             host);
    r = upload_to("demands", admin, NULL, utf8, strlen(utf8));
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    t_resp_free(r);
    t_assert_scalar(&srv, "technical_problem/耐高温涂层/30.00/2027-06-30/321012", "%s",
                    "SELECT kind || '/' || description || '/' || budget_max || '/' || deadline"
                    " || '/' || region_code FROM demands WHERE title = '习惯需求'");

    /* Disciplines and industries by name in the people's code lists (GB18030 CSV). */
    snprintf(utf8, sizeof utf8,
             "姓名,学科,行业代码\n学科专家甲,植物保护、数学 ；48010,农、林、牧、渔业\n"
             "学科专家乙,火星学,智能制造\n");
    to_gb18030(utf8, gb, sizeof gb, &len);
    r = upload_to("experts", admin, "?partial=true", gb, len);
    t_expect_status(r, 200);
    ck_assert_int_eq((int)num(r, "inserted"), 1);
    ck_assert_msg(
        reported(r, 3, "学科", "学科“火星学”不在 GB/T 13745 学科分类中：“学科”一列应填学科代码"),
        "%s", r->body);
    t_resp_free(r);
    t_assert_scalar(&srv, "{21060,110,48010}/{A}", "%s",
                    "SELECT discipline_codes::text || '/' || industry_codes::text FROM experts"
                    " WHERE name = '学科专家甲'");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("imports");
    TCase *tc = tcase_create("imports");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, csv_with_bom_imports_and_a_reimport_inserts_nothing_twice);
    tcase_add_test(tc, gb18030_csv_is_detected_and_a_wrong_charset_is_refused);
    tcase_add_test(tc, xlsx_from_libxlsxwriter_imports_with_english_and_full_width_headers);
    tcase_add_test(tc, xlsx_with_inline_strings_and_a_named_sheet);
    tcase_add_test(tc, bad_rows_are_reported_and_change_nothing_unless_partial);
    tcase_add_test(tc, an_unknown_or_missing_column_is_reported_before_any_row);
    tcase_add_test(tc, county_staff_import_only_their_region);
    tcase_add_test(tc, hostile_files_are_refused_and_change_nothing);
    tcase_add_test(tc, templates_download_and_import_back);
    tcase_add_test(tc, experts_csv_imports_with_labels_lists_and_a_reimport_inserts_nothing_twice);
    tcase_add_test(tc, academicians_from_gb18030_csv_and_xlsx_never_touch_experts);
    tcase_add_test(tc, bad_expert_rows_are_reported_by_row_and_column);
    tcase_add_test(tc, bad_academician_rows_break_the_rules_of_real_records);
    tcase_add_test(tc, county_staff_import_experts_of_their_region_only);
    tcase_add_test(tc, expert_and_academician_templates_come_from_the_adapters);
    tcase_add_test(tc, demands_import_as_drafts_from_utf8_and_gb18030_and_a_reimport_updates);
    tcase_add_test(tc, bad_demand_rows_are_reported_by_row_and_column);
    tcase_add_test(tc, workstations_from_xlsx_with_labels_and_dates_and_a_reimport_updates);
    tcase_add_test(tc, bad_workstation_rows_are_reported_and_change_nothing);
    tcase_add_test(tc, county_staff_import_demands_and_workstations_of_their_region_only);
    tcase_add_test(tc, people_match_across_full_width_and_spacing);
    tcase_add_test(tc, demand_and_workstation_templates_come_from_the_adapters);
    tcase_add_test(tc, regions_are_taken_by_name_in_every_library);
    tcase_add_test(tc, workstation_terms_are_taken_as_ranges_and_lengths);
    tcase_add_test(tc, an_academy_roster_as_published_imports);
    tcase_add_test(tc, an_expert_roster_with_its_own_headers_and_habits);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
