/* The thesaurus over real HTTP: a group widens a search the moment it is added and stops when
 * it is deleted; bad groups are refused naming the field; only staff write. */
#include "harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct t_server srv;
static char staff[64], company[64];

static void setup(void)
{
    t_server_start(&srv, "it_thesaurus", true, NULL);
    t_create_user(&srv, "th_city", "city_staff", "Test-pass-2026", NULL);
    snprintf(staff, sizeof staff, "%s", t_login(&srv, "th_city", "Test-pass-2026"));
    char *ent = t_db_scalar(&srv, "INSERT INTO enterprises (name, credit_code, region_code)"
                                  " VALUES ('扬州甲公司', '91321003MA1M00001A', '321003')"
                                  " RETURNING id");
    char bind[64];
    snprintf(bind, sizeof bind, "--enterprise %s", ent);
    free(ent);
    t_create_user(&srv, "th_company", "enterprise", "Test-pass-2026", bind);
    snprintf(company, sizeof company, "%s", t_login(&srv, "th_company", "Test-pass-2026"));
    /* through the API, so that its search terms are the daemon's */
    struct t_resp *r = t_call(&srv, staff, "POST", "/api/v1/enterprises", NULL,
                              "{\"name\":\"扬州微电子有限公司\",\"credit_code\":"
                              "\"91321012MA1M00002E\",\"region_code\":\"321012\","
                              "\"description\":\"从事集成电路封装测试\"}");
    t_expect_status(r, 201);
    t_resp_free(r);
}

static void teardown(void)
{
    t_server_finish(&srv);
}

static int hits(const char *path)
{
    struct t_resp *r = t_call(&srv, staff, "GET", path, NULL, NULL);
    t_expect_status(r, 200);
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items"));
    t_resp_free(r);
    return n;
}

START_TEST(a_group_widens_searches_at_once_and_deleting_it_narrows_them)
{
    ck_assert_int_eq(hits("/api/v1/enterprises?q=%E8%8A%AF%E7%89%87"), 0); /* 芯片 */
    struct t_resp *r = t_call(&srv, staff, "POST", "/api/v1/thesaurus", NULL,
                              "{\"terms\":[\"芯片\",\"集成电路\"],\"note\":\"电子行业\"}");
    t_expect_status(r, 201);
    int id = cJSON_GetObjectItem(r->json, "id")->valueint;
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "terms")), 2);
    t_resp_free(r);
    ck_assert_int_eq(hits("/api/v1/enterprises?q=芯片"), 1);
    ck_assert_int_eq(hits("/api/v1/thesaurus?q=芯片"), 1);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/thesaurus/%d", id);
    r = t_call(&srv, company, "GET", path, NULL, NULL);
    t_expect_status(r, 200);
    t_resp_free(r);
    r = t_call(&srv, staff, "DELETE", path, NULL, NULL);
    t_expect_status(r, 204);
    t_resp_free(r);
    ck_assert_int_eq(hits("/api/v1/enterprises?q=芯片"), 0);
    r = t_call(&srv, staff, "DELETE", path, NULL, NULL);
    t_expect_status(r, 404);
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "SELECT count(*) FROM thesaurus_terms");
}
END_TEST

START_TEST(bad_groups_are_refused_and_change_nothing)
{
    static const struct {
        const char *body, *error;
    } cases[] = {
        {"{\"terms\":[\"芯片\"]}", "terms/too_few"},
        {"{\"terms\":[]}", "terms/too_few"},
        {"{\"note\":\"无词\"}", "terms/required"},
        {"{\"terms\":[\"芯片\",\"！！\"]}", "terms/invalid_value"},
        {"{\"terms\":[\"芯片\",\"集成电路\"],\"colour\":1}", "colour/unknown_field"},
        {"{\"terms\":\"芯片\"}", "terms/type"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct t_resp *r = t_call(&srv, staff, "POST", "/api/v1/thesaurus", NULL, cases[i].body);
        t_expect_status(r, 400);
        ck_assert_msg(strcmp(t_first_error(r), cases[i].error) == 0, "case %zu: %s, want %s", i,
                      t_first_error(r), cases[i].error);
        t_resp_free(r);
    }
    struct t_resp *r = t_call(&srv, company, "POST", "/api/v1/thesaurus", NULL,
                              "{\"terms\":[\"芯片\",\"集成电路\"]}");
    t_expect_status(r, 403);
    t_resp_free(r);
    t_assert_scalar(&srv, "0", "SELECT count(*) FROM thesaurus_groups");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("thesaurus");
    TCase *tc = tcase_create("thesaurus");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, a_group_widens_searches_at_once_and_deleting_it_narrows_them);
    tcase_add_test(tc, bad_groups_are_refused_and_change_nothing);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
