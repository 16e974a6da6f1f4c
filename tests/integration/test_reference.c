/* Reference data over HTTP: regions, disciplines, industries; lists, filters, pagination. */
#include "harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct t_server srv;

static void setup(void)
{
    t_server_start(&srv, "it_reference", true, NULL);
    t_become(&srv, "ref_reader", "city_staff", NULL);
}

static void teardown(void)
{
    t_server_finish(&srv);
}

static int count_items(const struct t_resp *r)
{
    return cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items"));
}

START_TEST(test_region_by_code)
{
    struct t_resp *r = t_get(&srv, "/api/v1/regions/321003");
    ck_assert_int_eq(r->status, 200);
    ck_assert_str_eq(t_json_str(r->json, "name"), "邗江区");
    ck_assert_str_eq(t_json_str(r->json, "kind"), "district");
    ck_assert_str_eq(t_json_str(r->json, "parent_code"), "321000");
    char *etag = t_resp_header(r, "X-Request-Id");
    ck_assert_ptr_nonnull(etag);
    free(etag);
    t_resp_free(r);
}
END_TEST

START_TEST(test_unknown_region_is_404)
{
    struct t_resp *r = t_get(&srv, "/api/v1/regions/999999");
    ck_assert_int_eq(r->status, 404);
    ck_assert_str_eq(t_problem_code(r), "not_found");
    t_resp_free(r);
}
END_TEST

START_TEST(test_every_county_level_division_of_yangzhou_is_there)
{
    struct t_resp *r = t_get(&srv, "/api/v1/regions?parent_code=321000&limit=200");
    ck_assert_int_eq(r->status, 200);
    static const char *const codes[] = {"321002", "321003", "321012", "321023",
                                        "321081", "321084", "321071"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        bool found = false;
        cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        {
            found |= strcmp(t_json_str(it, "code"), codes[i]) == 0;
        }
        ck_assert_msg(found, "region %s missing", codes[i]);
    }
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r->json, "next_cursor")));
    t_resp_free(r);
}
END_TEST

START_TEST(test_pages_cover_all_rows_without_repeats)
{
    /* Walk the disciplines 37 at a time and compare with one big page. */
    char path[512] = "/api/v1/disciplines?limit=37";
    int total = 0, pages = 0;
    char seen_last[16] = "";
    for (;;) {
        struct t_resp *r = t_get(&srv, path);
        ck_assert_int_eq(r->status, 200);
        cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        {
            const char *code = t_json_str(it, "code");
            ck_assert_str_ne(code, seen_last);
            snprintf(seen_last, sizeof seen_last, "%s", code);
            total++;
        }
        pages++;
        cJSON *next = cJSON_GetObjectItem(r->json, "next_cursor");
        if (cJSON_IsNull(next)) {
            t_resp_free(r);
            break;
        }
        snprintf(path, sizeof path, "/api/v1/disciplines?limit=37&cursor=%s", next->valuestring);
        t_resp_free(r);
        ck_assert_int_lt(pages, 100);
    }
    char *count = t_db_scalar(&srv, "SELECT count(*) FROM disciplines");
    ck_assert_int_eq(total, atoi(count));
    ck_assert_int_gt(total, 600);
    free(count);
}
END_TEST

START_TEST(test_default_and_max_limit)
{
    struct t_resp *r = t_get(&srv, "/api/v1/industries");
    ck_assert_int_eq(r->status, 200);
    ck_assert_int_eq(count_items(r), 20);
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(r->json, "next_cursor")));
    t_resp_free(r);
    r = t_get(&srv, "/api/v1/industries?limit=201");
    ck_assert_int_eq(r->status, 400);
    ck_assert_str_eq(t_problem_code(r), "invalid_parameter");
    ck_assert_str_eq(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "errors"), 0), "field")
            ->valuestring,
        "limit");
    t_resp_free(r);
    r = t_get(&srv, "/api/v1/industries?limit=abc");
    ck_assert_int_eq(r->status, 400);
    t_resp_free(r);
}
END_TEST

START_TEST(test_filters)
{
    struct t_resp *r = t_get(&srv, "/api/v1/industries?level=tag");
    ck_assert_int_eq(r->status, 200);
    ck_assert_int_eq(count_items(r), 5);
    t_resp_free(r);
    r = t_get(&srv, "/api/v1/industries?parent_code=C&limit=200");
    ck_assert_int_eq(count_items(r), 31);
    t_resp_free(r);
    r = t_get(&srv, "/api/v1/disciplines?level=1&limit=200");
    ck_assert_int_eq(count_items(r), 62);
    t_resp_free(r);
    r = t_get(&srv, "/api/v1/industries?q=%E7%94%B5%E6%B0%94"); /* 电气 */
    ck_assert_int_ge(count_items(r), 1);
    ck_assert_str_eq(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0), "code")
            ->valuestring,
        "C38");
    t_resp_free(r);
}
END_TEST

START_TEST(test_bad_query_parameters_are_400)
{
    static const char *const bad[] = {
        "/api/v1/regions?kind=planet",
        "/api/v1/regions?colour=red",
        "/api/v1/regions?cursor=not-a-cursor",
        "/api/v1/regions?q=%FF%FE",
        "/api/v1/regions?q=a%00b",
        "/api/v1/regions?limit=1&limit=2",
        "/api/v1/disciplines?level=3",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct t_resp *r = t_get(&srv, bad[i]);
        ck_assert_msg(r->status == 400, "%s gave %d", bad[i], r->status);
        ck_assert_str_eq(t_problem_code(r), "invalid_parameter");
        t_resp_free(r);
    }
}
END_TEST

START_TEST(test_reference_data_is_read_only)
{
    static const char *const methods[] = {"POST", "PUT", "PATCH", "DELETE"};
    for (size_t i = 0; i < 4; i++) {
        struct t_resp *r = t_request(&srv, methods[i], "/api/v1/regions/321003", NULL, "{}");
        ck_assert_int_eq(r->status, 405);
        t_resp_free(r);
    }
    char *name = t_db_scalar(&srv, "SELECT name FROM regions WHERE code = '321003'");
    ck_assert_str_eq(name, "邗江区");
    free(name);
}
END_TEST

static Suite *reference_suite(void)
{
    Suite *s = suite_create("reference");
    TCase *tc = tcase_create("reference");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_region_by_code);
    tcase_add_test(tc, test_unknown_region_is_404);
    tcase_add_test(tc, test_every_county_level_division_of_yangzhou_is_there);
    tcase_add_test(tc, test_pages_cover_all_rows_without_repeats);
    tcase_add_test(tc, test_default_and_max_limit);
    tcase_add_test(tc, test_filters);
    tcase_add_test(tc, test_bad_query_parameters_are_400);
    tcase_add_test(tc, test_reference_data_is_read_only);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(reference_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
