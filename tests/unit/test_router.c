/* Unit tests for src/http/router.h: route matching, parameters, 405 and the Allow header. */
#include "http/router.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static struct router router;

static void dummy_handler(struct http_request *req)
{
    (void)req;
}

static const struct route *add(enum http_method method, const char *pattern)
{
    struct route r = {.method = method, .pattern = pattern, .handler = dummy_handler};
    const struct route *added = router_add(&router, &r);
    ck_assert_ptr_nonnull(added);
    ck_assert_str_eq(added->pattern, pattern);
    return added;
}

static void setup(void)
{
    router_init(&router);
    /* the parameter route first: literal-beats-parameter must not depend on order */
    add(HTTP_GET, "/api/v1/demands/{id}");
    add(HTTP_PATCH, "/api/v1/demands/{id}");
    add(HTTP_GET, "/api/v1/demands/published");
    add(HTTP_GET, "/api/v1/demands");
    add(HTTP_POST, "/api/v1/demands");
    add(HTTP_GET, "/api/v1/regions/{code}/children/{child}");
    add(HTTP_DELETE, "/api/v1/regions/{code}");
    add(HTTP_GET, "/healthz");
}

static void teardown(void)
{
    router_free(&router);
}

static enum router_match find(enum http_method m, const char *const *segs, int n,
                              const struct route **found, unsigned *allowed)
{
    *found = NULL;
    *allowed = 0xdead;
    return router_find(&router, m, segs, n, found, allowed);
}

START_TEST(test_router_add_splits_pattern)
{
    const struct route *rt = &router.routes[5];
    ck_assert_str_eq(rt->pattern, "/api/v1/regions/{code}/children/{child}");
    ck_assert_int_eq(rt->nsegments, 6);
    ck_assert_str_eq(rt->segments[0], "api");
    ck_assert_ptr_null(rt->segments[3]);
    ck_assert_str_eq(rt->param_names[3], "code");
    ck_assert_str_eq(rt->segments[4], "children");
    ck_assert_ptr_null(rt->segments[5]);
    ck_assert_str_eq(rt->param_names[5], "child");
    ck_assert_ptr_null(rt->param_names[4]);
    ck_assert_int_eq(rt->id, 5);
    ck_assert_int_eq(router.nroutes, 8);
}
END_TEST

START_TEST(test_router_literal_beats_parameter)
{
    const char *segs[] = {"api", "v1", "demands", "published"};
    const struct route *rt;
    unsigned allowed;
    ck_assert_int_eq(find(HTTP_GET, segs, 4, &rt, &allowed), ROUTER_FOUND);
    ck_assert_ptr_nonnull(rt);
    ck_assert_str_eq(rt->pattern, "/api/v1/demands/published");
    ck_assert(rt->handler == dummy_handler);
}
END_TEST

START_TEST(test_router_parameter_matches_other_values)
{
    const char *segs[] = {"api", "v1", "demands", "42"};
    const struct route *rt;
    unsigned allowed;
    ck_assert_int_eq(find(HTTP_GET, segs, 4, &rt, &allowed), ROUTER_FOUND);
    ck_assert_str_eq(rt->pattern, "/api/v1/demands/{id}");
    ck_assert_int_eq(rt->method, HTTP_GET);
    ck_assert_int_eq(find(HTTP_PATCH, segs, 4, &rt, &allowed), ROUTER_FOUND);
    ck_assert_str_eq(rt->pattern, "/api/v1/demands/{id}");
    ck_assert_int_eq(rt->method, HTTP_PATCH);
}
END_TEST

START_TEST(test_router_params_captured_in_order)
{
    /* what the connection does with a found route: the values of its NULL segments */
    const char *segs[] = {"api", "v1", "regions", "110000", "children", "110101"};
    const struct route *rt;
    unsigned allowed;
    ck_assert_int_eq(find(HTTP_GET, segs, 6, &rt, &allowed), ROUTER_FOUND);
    const char *names[HTTP_MAX_SEGMENTS], *values[HTTP_MAX_SEGMENTS];
    int n = 0;
    for (int i = 0; i < rt->nsegments; i++)
        if (rt->segments[i] == NULL) {
            names[n] = rt->param_names[i];
            values[n] = segs[i];
            n++;
        }
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(names[0], "code");
    ck_assert_str_eq(values[0], "110000");
    ck_assert_str_eq(names[1], "child");
    ck_assert_str_eq(values[1], "110101");
}
END_TEST

START_TEST(test_router_wrong_method_is_405_with_allowed)
{
    const char *segs[] = {"api", "v1", "demands", "42"};
    const struct route *rt;
    unsigned allowed;
    ck_assert_int_eq(find(HTTP_DELETE, segs, 4, &rt, &allowed), ROUTER_NO_METHOD);
    ck_assert_ptr_null(rt);
    ck_assert_uint_eq(allowed, HTTP_GET | HTTP_HEAD | HTTP_PATCH);
}
END_TEST

START_TEST(test_router_allowed_methods_of_literal_path)
{
    const char *segs[] = {"api", "v1", "demands"};
    const struct route *rt;
    unsigned allowed;
    ck_assert_int_eq(find(HTTP_PUT, segs, 3, &rt, &allowed), ROUTER_NO_METHOD);
    ck_assert_uint_eq(allowed, HTTP_GET | HTTP_HEAD | HTTP_POST);
    /* the literal "published" path only has GET, though {id} also has PATCH */
    const char *pub[] = {"api", "v1", "demands", "published"};
    ck_assert_int_eq(find(HTTP_PATCH, pub, 4, &rt, &allowed), ROUTER_NO_METHOD);
    ck_assert_uint_eq(allowed, HTTP_GET | HTTP_HEAD);
}
END_TEST

START_TEST(test_router_delete_only_path_does_not_allow_head)
{
    const char *segs[] = {"api", "v1", "regions", "11"};
    const struct route *rt;
    unsigned allowed;
    ck_assert_int_eq(find(HTTP_HEAD, segs, 4, &rt, &allowed), ROUTER_NO_METHOD);
    ck_assert_uint_eq(allowed, HTTP_DELETE);
}
END_TEST

START_TEST(test_router_head_finds_get_route)
{
    const char *segs[] = {"healthz"};
    const struct route *rt;
    unsigned allowed;
    ck_assert_int_eq(find(HTTP_HEAD, segs, 1, &rt, &allowed), ROUTER_FOUND);
    ck_assert_str_eq(rt->pattern, "/healthz");
    ck_assert_int_eq(rt->method, HTTP_GET);
}
END_TEST

START_TEST(test_router_unknown_path_is_no_path)
{
    const struct route *rt;
    unsigned allowed;
    const char *a[] = {"api", "v1", "nothing"};
    ck_assert_int_eq(find(HTTP_GET, a, 3, &rt, &allowed), ROUTER_NO_PATH);
    ck_assert_ptr_null(rt);
    ck_assert_uint_eq(allowed, 0);
    const char *b[] = {"api", "v1", "demands", "42", "extra"};
    ck_assert_int_eq(find(HTTP_GET, b, 5, &rt, &allowed), ROUTER_NO_PATH);
    ck_assert_int_eq(find(HTTP_GET, NULL, 0, &rt, &allowed), ROUTER_NO_PATH); /* "/" */
    const char *c[] = {"API", "v1", "demands"};
    ck_assert_int_eq(find(HTTP_GET, c, 3, &rt, &allowed), ROUTER_NO_PATH);
}
END_TEST

START_TEST(test_router_trailing_empty_segment_does_not_match_parameter)
{
    /* "/api/v1/demands/" */
    const char *segs[] = {"api", "v1", "demands", ""};
    const struct route *rt;
    unsigned allowed;
    ck_assert_int_eq(find(HTTP_GET, segs, 4, &rt, &allowed), ROUTER_NO_PATH);
    ck_assert_ptr_null(rt);
    /* "/api/v1/regions//children/1" */
    const char *mid[] = {"api", "v1", "regions", "", "children", "1"};
    ck_assert_int_eq(find(HTTP_GET, mid, 6, &rt, &allowed), ROUTER_NO_PATH);
}
END_TEST

START_TEST(test_router_format_allow)
{
    char out[128];
    router_format_allow(HTTP_POST | HTTP_GET | HTTP_HEAD, out, sizeof out);
    ck_assert_str_eq(out, "GET, HEAD, POST");
    router_format_allow(HTTP_DELETE, out, sizeof out);
    ck_assert_str_eq(out, "DELETE");
    router_format_allow(0, out, sizeof out);
    ck_assert_str_eq(out, "");
    router_format_allow(HTTP_OPTIONS | HTTP_PATCH | HTTP_PUT | HTTP_DELETE | HTTP_POST | HTTP_HEAD |
                            HTTP_GET,
                        out, sizeof out);
    ck_assert_str_eq(out, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
}
END_TEST

START_TEST(test_router_format_allow_truncates_at_whole_methods)
{
    char out[12];
    router_format_allow(HTTP_GET | HTTP_HEAD | HTTP_POST, out, sizeof out);
    ck_assert_str_eq(out, "GET, HEAD"); /* ", POST" does not fit: no half method */
}
END_TEST

START_TEST(test_router_free_then_reuse)
{
    router_free(&router);
    ck_assert_int_eq(router.nroutes, 0);
    add(HTTP_GET, "/x/{a}");
    const char *segs[] = {"x", "1"};
    const struct route *rt;
    unsigned allowed;
    ck_assert_int_eq(find(HTTP_GET, segs, 2, &rt, &allowed), ROUTER_FOUND);
    ck_assert_str_eq(rt->pattern, "/x/{a}");
}
END_TEST

static Suite *router_suite(void)
{
    Suite *s = suite_create("router");
    TCase *tc = tcase_create("router");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_router_add_splits_pattern);
    tcase_add_test(tc, test_router_literal_beats_parameter);
    tcase_add_test(tc, test_router_parameter_matches_other_values);
    tcase_add_test(tc, test_router_params_captured_in_order);
    tcase_add_test(tc, test_router_wrong_method_is_405_with_allowed);
    tcase_add_test(tc, test_router_allowed_methods_of_literal_path);
    tcase_add_test(tc, test_router_delete_only_path_does_not_allow_head);
    tcase_add_test(tc, test_router_head_finds_get_route);
    tcase_add_test(tc, test_router_unknown_path_is_no_path);
    tcase_add_test(tc, test_router_trailing_empty_segment_does_not_match_parameter);
    tcase_add_test(tc, test_router_format_allow);
    tcase_add_test(tc, test_router_format_allow_truncates_at_whole_methods);
    tcase_add_test(tc, test_router_free_then_reuse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(router_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
