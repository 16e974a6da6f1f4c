/* The enterprise library over real HTTP: validation naming the field, the credit code's check
 * character and uniqueness, county scope, an enterprise user's own record, ETag/If-Match,
 * Idempotency-Key, archive/restore, Chinese search, and the audit log's images of each write. */
#include "harness.h"

#include "domain/codes.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct t_server srv;
static char admin[64], county[64], ent_user[64], expert_user[64];
static char own_id[16];

/* A valid credit code of region 321003 whose serial part is n. */
static const char *credit(int n)
{
    static char code[19];
    snprintf(code, sizeof code, "91321003MA%07dX", n);
    code[17] = codes_credit_check_char(code);
    return code;
}

static char *create(const char *token, const char *name, int serial, const char *extra)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"credit_code\":\"%s\",\"region_code\":\"321003\"%s}", name,
             credit(serial), extra ? extra : "");
    struct t_resp *r = t_call(&srv, token, "POST", "/api/v1/enterprises", NULL, body);
    t_expect_status(r, 201);
    char buf[32];
    snprintf(buf, sizeof buf, "%d", cJSON_GetObjectItem(r->json, "id")->valueint);
    t_resp_free(r);
    return strdup(buf);
}

static void setup(void)
{
    t_server_start(&srv, "it_enterprises", true, NULL);
    t_create_user(&srv, "e_admin", "admin", "Test-pass-2026", NULL);
    snprintf(admin, sizeof admin, "%s", t_login(&srv, "e_admin", "Test-pass-2026"));
    t_create_user(&srv, "e_county", "county_staff", "Test-pass-2026", "--region 321012");
    snprintf(county, sizeof county, "%s", t_login(&srv, "e_county", "Test-pass-2026"));
    char *id =
        create(admin, "扬州锂电科技有限公司", 1, ",\"description\":\"专注锂离子电池正极材料\"");
    snprintf(own_id, sizeof own_id, "%s", id);
    free(id);
    char bind[64];
    snprintf(bind, sizeof bind, "--enterprise %s", own_id);
    t_create_user(&srv, "e_company", "enterprise", "Test-pass-2026", bind);
    snprintf(ent_user, sizeof ent_user, "%s", t_login(&srv, "e_company", "Test-pass-2026"));
    char *expert = t_db_scalar(&srv, "INSERT INTO experts (name) VALUES ('张专家') RETURNING id");
    snprintf(bind, sizeof bind, "--expert %s", expert);
    free(expert);
    t_create_user(&srv, "e_expert", "expert", "Test-pass-2026", bind);
    snprintf(expert_user, sizeof expert_user, "%s", t_login(&srv, "e_expert", "Test-pass-2026"));
}

static void teardown(void)
{
    t_server_finish(&srv);
}

START_TEST(create_validates_each_field)
{
    static const struct {
        const char *body, *error;
    } cases[] = {
        {"{\"credit_code\":\"91321003MA1M00001A\",\"region_code\":\"321003\"}", "name/required"},
        {"{\"name\":\"甲\",\"credit_code\":\"91321003MA1M00001B\",\"region_code\":\"321003\"}",
         "credit_code/invalid_check_character"},
        {"{\"name\":\"甲\",\"credit_code\":\"short\",\"region_code\":\"321003\"}",
         "credit_code/length"},
        {"{\"name\":\"甲\",\"credit_code\":\"91321003MA1M00001A\",\"region_code\":\"999999\"}",
         "region_code/unknown_code"},
        {"{\"name\":\"甲\",\"credit_code\":\"91321003MA1M00001A\",\"region_code\":\"321003\","
         "\"size\":\"huge\"}",
         "size/invalid_value"},
        {"{\"name\":\"甲\",\"credit_code\":\"91321003MA1M00001A\",\"region_code\":\"321003\","
         "\"colour\":\"red\"}",
         "colour/unknown_field"},
        {"{\"name\":\"甲\",\"credit_code\":\"91321003MA1M00001A\",\"region_code\":\"321003\","
         "\"contact_phone\":\"12345\"}",
         "contact_phone/invalid_phone"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct t_resp *r = t_call(&srv, admin, "POST", "/api/v1/enterprises", NULL, cases[i].body);
        t_expect_status(r, 400);
        ck_assert_msg(strcmp(t_first_error(r), cases[i].error) == 0, "case %zu: got %s, want %s", i,
                      t_first_error(r), cases[i].error);
        t_resp_free(r);
    }
    t_assert_scalar(&srv, "1", "SELECT count(*) FROM enterprises");
}
END_TEST

START_TEST(credit_code_is_unique)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"name\":\"重复\",\"credit_code\":\"%s\",\"region_code\":\"321003\"}", credit(1));
    struct t_resp *r = t_call(&srv, admin, "POST", "/api/v1/enterprises", NULL, body);
    t_expect_status(r, 409);
    ck_assert_str_eq(t_first_error(r), "credit_code/duplicate");
    t_resp_free(r);
    t_assert_scalar(&srv, "1", "SELECT count(*) FROM enterprises");
}
END_TEST

START_TEST(county_staff_stay_in_their_region)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"name\":\"外区企业\",\"credit_code\":\"%s\",\"region_code\":\"321003\"}",
             credit(2));
    struct t_resp *r = t_call(&srv, county, "POST", "/api/v1/enterprises", NULL, body);
    t_expect_status(r, 403);
    ck_assert_str_eq(
        t_json_str(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "errors"), 0), "field"),
        "region_code");
    t_resp_free(r);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/enterprises/%s", own_id);
    r = t_call(&srv, county, "PATCH", path, NULL, "{\"name\":\"改名\"}");
    ck_assert_int_ge(r->status, 403);
    ck_assert_int_le(r->status, 404);
    t_resp_free(r);
    t_assert_scalar(&srv, "扬州锂电科技有限公司", "SELECT name FROM enterprises WHERE id = %s",
                    own_id);
}
END_TEST

START_TEST(enterprise_user_edits_contacts_of_its_own_record_only)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/enterprises/%s", own_id);
    struct t_resp *r = t_call(&srv, ent_user, "PATCH", path, NULL, "{\"contact_name\":\"王经理\"}");
    t_expect_status(r, 200);
    t_resp_free(r);
    r = t_call(&srv, ent_user, "PATCH", path, NULL, "{\"credit_code\":\"91321003MA1M00001A\"}");
    t_expect_status(r, 403);
    ck_assert_str_eq(t_first_error(r), "credit_code/forbidden");
    t_resp_free(r);
    char *other = create(admin, "别家企业", 3, NULL);
    snprintf(path, sizeof path, "/api/v1/enterprises/%s", other);
    r = t_call(&srv, ent_user, "GET", path, NULL, NULL);
    t_expect_status(r, 404);
    t_resp_free(r);
    r = t_call(&srv, ent_user, "GET", "/api/v1/enterprises", NULL, NULL);
    t_expect_status(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    t_resp_free(r);
    r = t_call(&srv, expert_user, "GET", "/api/v1/enterprises", NULL, NULL);
    t_expect_status(r, 403);
    t_resp_free(r);
    free(other);
}
END_TEST

START_TEST(stale_if_match_changes_nothing)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/enterprises/%s", own_id);
    struct t_resp *r = t_call(&srv, admin, "GET", path, NULL, NULL);
    t_expect_status(r, 200);
    char *etag = t_resp_header(r, "ETag");
    ck_assert_ptr_nonnull(etag);
    t_resp_free(r);
    char h[96];
    snprintf(h, sizeof h, "If-Match: %s", etag);
    const char *headers[] = {h, NULL};
    r = t_call(&srv, admin, "PATCH", path, headers, "{\"address\":\"扬州市邗江区文昌西路1号\"}");
    t_expect_status(r, 200);
    t_resp_free(r);
    r = t_call(&srv, admin, "PATCH", path, headers, "{\"address\":\"另一个地址\"}");
    t_expect_status(r, 412);
    t_resp_free(r);
    free(etag);
    t_assert_scalar(&srv, "扬州市邗江区文昌西路1号",
                    "SELECT address FROM enterprises WHERE id = %s", own_id);
}
END_TEST

START_TEST(idempotency_key_answers_the_first_result)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"name\":\"幂等企业\",\"credit_code\":\"%s\",\"region_code\":\"321003\"}",
             credit(4));
    const char *headers[] = {"Idempotency-Key: create-ent-4", NULL};
    struct t_resp *a = t_call(&srv, admin, "POST", "/api/v1/enterprises", headers, body);
    t_expect_status(a, 201);
    struct t_resp *b = t_call(&srv, admin, "POST", "/api/v1/enterprises", headers, body);
    t_expect_status(b, 201);
    ck_assert_str_eq(a->body, b->body);
    t_resp_free(a);
    t_resp_free(b);
    t_assert_scalar(&srv, "1", "SELECT count(*) FROM enterprises WHERE name = '幂等企业'");
}
END_TEST

START_TEST(archive_hides_and_restore_brings_back)
{
    char *id = create(admin, "归档测试企业", 5, NULL);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/enterprises/%s/archive", id);
    struct t_resp *r = t_call(&srv, admin, "POST", path, NULL, NULL);
    t_expect_status(r, 200);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r->json, "archived")));
    t_resp_free(r);
    r = t_call(&srv, admin, "GET", "/api/v1/enterprises?q=归档测试", NULL, NULL);
    t_expect_status(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    t_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/enterprises/%s", id);
    r = t_call(&srv, admin, "GET", path, NULL, NULL);
    t_expect_status(r, 404);
    t_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/enterprises/%s?include_archived=true", id);
    r = t_call(&srv, admin, "GET", path, NULL, NULL);
    t_expect_status(r, 200);
    t_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/enterprises/%s/restore", id);
    r = t_call(&srv, admin, "POST", path, NULL, NULL);
    t_expect_status(r, 200);
    t_resp_free(r);
    r = t_call(&srv, admin, "GET", "/api/v1/enterprises?q=归档测试", NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    t_resp_free(r);
    free(id);
}
END_TEST

START_TEST(search_finds_chinese_words)
{
    struct t_resp *r =
        t_call(&srv, admin, "GET", "/api/v1/enterprises?q=正极材料&sort=relevance", NULL, NULL);
    t_expect_status(r, 200);
    cJSON *items = cJSON_GetObjectItem(r->json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(items, 0), "name"), "扬州锂电科技有限公司");
    t_resp_free(r);
    r = t_call(&srv, admin, "GET", "/api/v1/enterprises?q=光伏组件", NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    t_resp_free(r);
}
END_TEST

static int count_of(const char *path)
{
    struct t_resp *r = t_call(&srv, admin, "GET", path, NULL, NULL);
    t_expect_status(r, 200);
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items"));
    t_resp_free(r);
    return n;
}

/* Filters by region, industry, size, high-tech flag and update time narrow the list; pages by
 * name hold each record once; bad values are 400s naming the parameter. */
START_TEST(filters_narrow_sort_by_name_and_refuse_bad_values)
{
    static const char *const bodies[] = {
        "{\"name\":\"筛选丙\",\"credit_code\":\"%s\",\"region_code\":\"321084\","
        "\"industry_code\":\"C38\",\"size\":\"small\",\"high_tech\":true}",
        "{\"name\":\"筛选甲\",\"credit_code\":\"%s\",\"region_code\":\"321084\","
        "\"industry_code\":\"C38\",\"size\":\"large\",\"high_tech\":false}",
        "{\"name\":\"筛选乙\",\"credit_code\":\"%s\",\"region_code\":\"321084\","
        "\"industry_code\":\"C39\",\"size\":\"small\",\"high_tech\":true}",
    };
    for (int i = 0; i < 3; i++) {
        char body[512];
        snprintf(body, sizeof body, bodies[i], credit(700 + i));
        struct t_resp *r = t_call(&srv, admin, "POST", "/api/v1/enterprises", NULL, body);
        t_expect_status(r, 201);
        t_resp_free(r);
    }
    ck_assert_int_eq(count_of("/api/v1/enterprises?region_code=321084"), 3);
    ck_assert_int_eq(count_of("/api/v1/enterprises?region_code=321084&industry_code=C38"), 2);
    ck_assert_int_eq(count_of("/api/v1/enterprises?region_code=321084&size=small"), 2);
    ck_assert_int_eq(
        count_of("/api/v1/enterprises?region_code=321084&high_tech=true&industry_code=C38"), 1);
    ck_assert_int_eq(count_of("/api/v1/enterprises?region_code=321084"
                              "&updated_since=2099-01-01T00:00:00Z"),
                     0);
    /* By name (byte order of the UTF-8: 丙 E4B899 < 乙 E4B999 < 甲 E794B2), two to a page. */
    struct t_resp *r = t_call(
        &srv, admin, "GET", "/api/v1/enterprises?region_code=321084&sort=name&limit=2", NULL, NULL);
    t_expect_status(r, 200);
    cJSON *items = cJSON_GetObjectItem(r->json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 2);
    ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(items, 0), "name"), "筛选丙");
    ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(items, 1), "name"), "筛选乙");
    char path[512];
    snprintf(path, sizeof path,
             "/api/v1/enterprises?region_code=321084&sort=name&limit=2&cursor=%s",
             t_json_str(r->json, "next_cursor"));
    t_resp_free(r);
    r = t_call(&srv, admin, "GET", path, NULL, NULL);
    t_expect_status(r, 200);
    items = cJSON_GetObjectItem(r->json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(items, 0), "name"), "筛选甲");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r->json, "next_cursor")));
    t_resp_free(r);
    static const struct {
        const char *query, *param;
    } bad[] = {
        {"region_code=3210", "region_code"},
        {"industry_code=c38", "industry_code"},
        {"size=huge", "size"},
        {"high_tech=yes", "high_tech"},
        {"updated_since=today", "updated_since"},
        {"sort=credit_code", "sort"},
        {"sort=relevance", "sort"},
        {"colour=red", "colour"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "/api/v1/enterprises?%s", bad[i].query);
        r = t_call(&srv, admin, "GET", path, NULL, NULL);
        t_expect_status(r, 400);
        char want[64];
        snprintf(want, sizeof want, "%s/", bad[i].param);
        ck_assert_msg(strncmp(t_first_error(r), want, strlen(want)) == 0, "%s: %s", bad[i].query,
                      r->body);
        t_resp_free(r);
    }
}
END_TEST

START_TEST(audit_log_keeps_before_and_after)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/enterprises/%s", own_id);
    struct t_resp *r = t_call(&srv, admin, "PATCH", path, NULL, "{\"size\":\"small\"}");
    t_expect_status(r, 200);
    t_resp_free(r);
    t_assert_scalar(&srv, "small",
                    "SELECT after->>'size' FROM audit_log WHERE record_type = 'enterprises'"
                    " AND record_id = '%s' ORDER BY id DESC LIMIT 1",
                    own_id);
    t_assert_scalar(&srv, "扬州锂电科技有限公司",
                    "SELECT before->>'name' FROM audit_log WHERE record_type = 'enterprises'"
                    " AND record_id = '%s' ORDER BY id DESC LIMIT 1",
                    own_id);
}
END_TEST

/* A record loaded with SQL (no search terms) is found once `sikud reindex` has run, and the
 * reindex moves neither updated_at, version nor the audit log. */
START_TEST(reindex_makes_sql_loaded_records_searchable)
{
    t_db_exec(&srv, "INSERT INTO enterprises (name, credit_code, region_code, description)"
                    " VALUES ('扬州光伏组件有限公司', '91321003MA1M00001A', '321003',"
                    " '专业生产太阳能电池组件')");
    char *before = t_db_scalar(&srv, "SELECT updated_at::text || version FROM enterprises"
                                     " WHERE name = '扬州光伏组件有限公司'");
    char *audit = t_db_scalar(&srv, "SELECT count(*) FROM audit_log");
    struct t_resp *r = t_call(&srv, admin, "GET", "/api/v1/enterprises?q=太阳能电池", NULL, NULL);
    t_expect_status(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    t_resp_free(r);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s reindex --database '%s' >/dev/null", getenv("SIKU_TEST_SIKUD"),
             srv.conninfo);
    ck_assert_int_eq(system(cmd), 0);
    r = t_call(&srv, admin, "GET", "/api/v1/enterprises?q=太阳能电池", NULL, NULL);
    t_expect_status(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    t_resp_free(r);
    t_assert_scalar(&srv, before,
                    "SELECT updated_at::text || version FROM enterprises"
                    " WHERE name = '扬州光伏组件有限公司'");
    t_assert_scalar(&srv, audit, "SELECT count(*) FROM audit_log");
    free(before);
    free(audit);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("enterprises");
    TCase *tc = tcase_create("enterprises");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, create_validates_each_field);
    tcase_add_test(tc, credit_code_is_unique);
    tcase_add_test(tc, county_staff_stay_in_their_region);
    tcase_add_test(tc, enterprise_user_edits_contacts_of_its_own_record_only);
    tcase_add_test(tc, stale_if_match_changes_nothing);
    tcase_add_test(tc, idempotency_key_answers_the_first_result);
    tcase_add_test(tc, archive_hides_and_restore_brings_back);
    tcase_add_test(tc, search_finds_chinese_words);
    tcase_add_test(tc, filters_narrow_sort_by_name_and_refuse_bad_values);
    tcase_add_test(tc, audit_log_keeps_before_and_after);
    tcase_add_test(tc, reindex_makes_sql_loaded_records_searchable);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
