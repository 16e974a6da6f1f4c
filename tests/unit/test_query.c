/* Unit tests for src/http/query.h: query-string decoding into an arena, and lookups. */
#include "http/query.h"

#include "core/arena.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct arena arena;
static struct query q;

static void setup(void)
{
    arena_init(&arena);
    memset(&q, 0, sizeof q);
}

static void teardown(void)
{
    arena_free(&arena);
}

static void assert_param(int i, const char *key, const char *value)
{
    ck_assert_int_lt(i, q.n);
    ck_assert_str_eq(q.params[i].key, key);
    ck_assert_str_eq(q.params[i].value, value);
}

START_TEST(test_query_parses_pairs_in_order)
{
    ck_assert_int_eq(query_parse(&arena, "a=1&b=two&c=3", &q), QUERY_OK);
    ck_assert_int_eq(q.n, 3);
    assert_param(0, "a", "1");
    assert_param(1, "b", "two");
    assert_param(2, "c", "3");
    ck_assert_str_eq(query_get(&q, "b"), "two");
}
END_TEST

START_TEST(test_query_empty_string_has_no_params)
{
    ck_assert_int_eq(query_parse(&arena, "", &q), QUERY_OK);
    ck_assert_int_eq(q.n, 0);
    ck_assert_ptr_null(query_get(&q, "a"));
}
END_TEST

START_TEST(test_query_skips_empty_pairs)
{
    ck_assert_int_eq(query_parse(&arena, "&&a=1&&b=2&", &q), QUERY_OK);
    ck_assert_int_eq(q.n, 2);
    assert_param(0, "a", "1");
    assert_param(1, "b", "2");
}
END_TEST

START_TEST(test_query_plus_is_space)
{
    ck_assert_int_eq(query_parse(&arena, "q=hello+big+world&k+1=x&lit=%2B", &q), QUERY_OK);
    ck_assert_str_eq(query_get(&q, "q"), "hello big world");
    ck_assert_str_eq(query_get(&q, "k 1"), "x");
    ck_assert_str_eq(query_get(&q, "lit"), "+"); /* an encoded plus stays a plus */
}
END_TEST

START_TEST(test_query_decodes_percent_utf8)
{
    ck_assert_int_eq(query_parse(&arena, "name=%E4%B8%AD%e6%96%87&%E5%8C%BA=1&sp=a%20b", &q),
                     QUERY_OK);
    ck_assert_str_eq(query_get(&q, "name"), "中文");
    ck_assert_str_eq(query_get(&q, "区"), "1");
    ck_assert_str_eq(query_get(&q, "sp"), "a b");
}
END_TEST

START_TEST(test_query_keeps_equals_in_value)
{
    ck_assert_int_eq(query_parse(&arena, "f=a=b=c&g=%3D", &q), QUERY_OK);
    ck_assert_str_eq(query_get(&q, "f"), "a=b=c");
    ck_assert_str_eq(query_get(&q, "g"), "=");
}
END_TEST

START_TEST(test_query_empty_value)
{
    ck_assert_int_eq(query_parse(&arena, "a=&b=1", &q), QUERY_OK);
    ck_assert_int_eq(q.n, 2);
    const char *a = query_get(&q, "a");
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(a, "");
}
END_TEST

START_TEST(test_query_key_without_equals_has_empty_value)
{
    ck_assert_int_eq(query_parse(&arena, "flag&x=1", &q), QUERY_OK);
    ck_assert_int_eq(q.n, 2);
    assert_param(0, "flag", "");
    ck_assert_int_eq(query_count(&q, "flag"), 1);
}
END_TEST

START_TEST(test_query_repeated_keys_keep_first_and_count)
{
    ck_assert_int_eq(query_parse(&arena, "tag=x&other=1&tag=y&tag=z", &q), QUERY_OK);
    ck_assert_int_eq(q.n, 4);
    ck_assert_str_eq(query_get(&q, "tag"), "x");
    ck_assert_int_eq(query_count(&q, "tag"), 3);
    ck_assert_int_eq(query_count(&q, "other"), 1);
    ck_assert_int_eq(query_count(&q, "missing"), 0);
    ck_assert_ptr_null(query_get(&q, "missing"));
    ck_assert_ptr_null(query_get(&q, "Tag")); /* keys are case-sensitive */
}
END_TEST

START_TEST(test_query_unknown_key)
{
    static const char *const allowed[] = {"limit", "cursor", "level", NULL};
    ck_assert_int_eq(query_parse(&arena, "limit=5&level=1", &q), QUERY_OK);
    ck_assert_ptr_null(query_unknown_key(&q, allowed));
    ck_assert_int_eq(query_parse(&arena, "limit=5&lvl=1&x=2", &q), QUERY_OK);
    ck_assert_str_eq(query_unknown_key(&q, allowed), "lvl");
    static const char *const none[] = {NULL};
    ck_assert_str_eq(query_unknown_key(&q, none), "limit");
}
END_TEST

START_TEST(test_query_rejects_bad_escape)
{
    ck_assert_int_eq(query_parse(&arena, "a=%ZZ", &q), QUERY_ERR_ENCODING);
    ck_assert_int_eq(query_parse(&arena, "a=%4", &q), QUERY_ERR_ENCODING);
    ck_assert_int_eq(query_parse(&arena, "a=%", &q), QUERY_ERR_ENCODING);
    ck_assert_int_eq(query_parse(&arena, "a=%4&b=1", &q), QUERY_ERR_ENCODING);
    ck_assert_int_eq(query_parse(&arena, "%G1=1", &q), QUERY_ERR_ENCODING);
}
END_TEST

START_TEST(test_query_rejects_nul_and_control_bytes)
{
    ck_assert_int_eq(query_parse(&arena, "a=x%00y", &q), QUERY_ERR_ENCODING);
    ck_assert_int_eq(query_parse(&arena, "%00=1", &q), QUERY_ERR_ENCODING);
    ck_assert_int_eq(query_parse(&arena, "a=%0A", &q), QUERY_ERR_ENCODING);
    ck_assert_int_eq(query_parse(&arena, "a=%7F", &q), QUERY_ERR_ENCODING);
    ck_assert_int_eq(query_parse(&arena, "a=%09", &q), QUERY_OK); /* tab is text */
    ck_assert_str_eq(query_get(&q, "a"), "\t");
}
END_TEST

START_TEST(test_query_rejects_invalid_utf8)
{
    ck_assert_int_eq(query_parse(&arena, "a=%FF", &q), QUERY_ERR_ENCODING);
    ck_assert_int_eq(query_parse(&arena, "a=%C0%80", &q), QUERY_ERR_ENCODING);
    ck_assert_int_eq(query_parse(&arena, "a=%ED%A0%80", &q), QUERY_ERR_ENCODING);
    ck_assert_int_eq(query_parse(&arena, "a=%E4%B8", &q), QUERY_ERR_ENCODING);
    ck_assert_int_eq(query_parse(&arena, "%E4%B8=1", &q), QUERY_ERR_ENCODING);
}
END_TEST

START_TEST(test_query_accepts_max_params)
{
    char qs[1024];
    size_t n = 0;
    for (int i = 0; i < QUERY_MAX_PARAMS; i++)
        n += (size_t)snprintf(qs + n, sizeof qs - n, "%sk%d=%d", i ? "&" : "", i, i);
    ck_assert_uint_lt(n, sizeof qs);
    ck_assert_int_eq(query_parse(&arena, qs, &q), QUERY_OK);
    ck_assert_int_eq(q.n, QUERY_MAX_PARAMS);
    ck_assert_str_eq(query_get(&q, "k63"), "63");
}
END_TEST

START_TEST(test_query_rejects_too_many_params)
{
    char qs[1024];
    size_t n = 0;
    for (int i = 0; i <= QUERY_MAX_PARAMS; i++)
        n += (size_t)snprintf(qs + n, sizeof qs - n, "%sk%d=%d", i ? "&" : "", i, i);
    ck_assert_uint_lt(n, sizeof qs);
    ck_assert_int_eq(query_parse(&arena, qs, &q), QUERY_ERR_TOO_MANY);
}
END_TEST

START_TEST(test_query_values_outlive_input_in_arena)
{
    char qs[] = "a=hello&b=%E4%B8%AD";
    ck_assert_int_eq(query_parse(&arena, qs, &q), QUERY_OK);
    memset(qs, 'X', sizeof qs - 1);
    ck_assert_str_eq(query_get(&q, "a"), "hello");
    ck_assert_str_eq(query_get(&q, "b"), "中");
}
END_TEST

START_TEST(test_query_long_values_grow_the_arena)
{
    /* bigger than the arena's first block: the arena must chain a new one */
    size_t len = 6000;
    char *qs = malloc(len + 3);
    ck_assert_ptr_nonnull(qs);
    memcpy(qs, "v=", 2);
    memset(qs + 2, 'a', len);
    qs[len + 2] = '\0';
    ck_assert_int_eq(query_parse(&arena, qs, &q), QUERY_OK);
    ck_assert_uint_eq(strlen(query_get(&q, "v")), len);
    free(qs);
}
END_TEST

static Suite *query_suite(void)
{
    Suite *s = suite_create("query");
    TCase *tc = tcase_create("parse");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_query_parses_pairs_in_order);
    tcase_add_test(tc, test_query_empty_string_has_no_params);
    tcase_add_test(tc, test_query_skips_empty_pairs);
    tcase_add_test(tc, test_query_plus_is_space);
    tcase_add_test(tc, test_query_decodes_percent_utf8);
    tcase_add_test(tc, test_query_keeps_equals_in_value);
    tcase_add_test(tc, test_query_empty_value);
    tcase_add_test(tc, test_query_key_without_equals_has_empty_value);
    tcase_add_test(tc, test_query_repeated_keys_keep_first_and_count);
    tcase_add_test(tc, test_query_unknown_key);
    tcase_add_test(tc, test_query_rejects_bad_escape);
    tcase_add_test(tc, test_query_rejects_nul_and_control_bytes);
    tcase_add_test(tc, test_query_rejects_invalid_utf8);
    tcase_add_test(tc, test_query_accepts_max_params);
    tcase_add_test(tc, test_query_rejects_too_many_params);
    tcase_add_test(tc, test_query_values_outlive_input_in_arena);
    tcase_add_test(tc, test_query_long_values_grow_the_arena);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(query_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
