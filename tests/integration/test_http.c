/* The HTTP layer against the real daemon: routing, framing refusals, limits, timeouts,
 * keep-alive, pipelining, request ids and the access log. */
#include "harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct t_server srv;

static void setup(void)
{
    static const char *const args[] = {"--header-timeout-ms",
                                       "1000",
                                       "--idle-timeout-ms",
                                       "1500",
                                       "--read-timeout-ms",
                                       "1000",
                                       "--max-body-size",
                                       "2048",
                                       "--max-header-size",
                                       "4096",
                                       NULL};
    t_server_start(&srv, "it_http", true, args);
    t_become(&srv, "http_admin", "admin", NULL);
}

static void teardown(void)
{
    t_server_finish(&srv);
}

static struct t_resp *raw_str(const char *s)
{
    return t_raw(&srv, s, strlen(s));
}

static void assert_problem(struct t_resp *r, int status, const char *code)
{
    ck_assert_msg(r != NULL, "no response");
    ck_assert_int_eq(r->status, status);
    char *ct = t_resp_header(r, "Content-Type");
    ck_assert_msg(ct && strncmp(ct, "application/problem+json", 24) == 0, "content type %s", ct);
    free(ct);
    ck_assert_str_eq(t_problem_code(r), code);
    const cJSON *title = cJSON_GetObjectItem(r->json, "title");
    ck_assert(cJSON_IsString(title) && strlen(title->valuestring) > 0);
    ck_assert_int_eq(cJSON_GetObjectItem(r->json, "status")->valueint, status);
}

START_TEST(test_unknown_route_is_404_problem)
{
    struct t_resp *r = t_get(&srv, "/api/v1/nothing-here");
    assert_problem(r, 404, "route_not_found");
    t_resp_free(r);
}
END_TEST

START_TEST(test_wrong_method_is_405_with_allow)
{
    struct t_resp *r = t_request(&srv, "DELETE", "/api/v1/regions", NULL, NULL);
    assert_problem(r, 405, "method_not_allowed");
    char *allow = t_resp_header(r, "Allow");
    ck_assert_str_eq(allow, "GET, HEAD");
    free(allow);
    t_resp_free(r);
}
END_TEST

START_TEST(test_unknown_method_is_501)
{
    struct t_resp *r = raw_str("BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_problem(r, 501, "not_implemented");
    t_resp_free(r);
}
END_TEST

START_TEST(test_head_has_headers_and_no_body)
{
    struct t_resp *r = raw_str("HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ck_assert_int_eq(r->status, 200);
    char *cl = t_resp_header(r, "Content-Length");
    ck_assert_str_eq(cl, "15");
    free(cl);
    ck_assert_uint_eq(r->len, 0);
    t_resp_free(r);
}
END_TEST

START_TEST(test_conflicting_content_length_is_400)
{
    struct t_resp *r = raw_str("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                               "Content-Length: 2\r\n\r\nab");
    assert_problem(r, 400, "bad_request");
    ck_assert(r->closed);
    t_resp_free(r);
}
END_TEST

START_TEST(test_transfer_encoding_other_than_chunked_is_400)
{
    struct t_resp *r = raw_str("POST /healthz HTTP/1.1\r\nHost: x\r\n"
                               "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
    assert_problem(r, 400, "bad_request");
    t_resp_free(r);
}
END_TEST

START_TEST(test_nul_in_header_is_400)
{
    static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Test: adm\0in\r\n\r\n";
    struct t_resp *r = t_raw(&srv, req, sizeof req - 1);
    assert_problem(r, 400, "bad_request");
    t_resp_free(r);
}
END_TEST

START_TEST(test_encoded_dot_dot_is_400)
{
    struct t_resp *r = t_get(&srv, "/api/v1/regions/%2e%2e/%2e%2e/etc");
    assert_problem(r, 400, "bad_path");
    t_resp_free(r);
    r = t_get(&srv, "/api/v1/regions/1%2f..%2fadmin");
    assert_problem(r, 400, "bad_path");
    t_resp_free(r);
    r = t_get(&srv, "/api/v1/regions/%00");
    assert_problem(r, 400, "bad_path");
    t_resp_free(r);
}
END_TEST

START_TEST(test_missing_host_is_400)
{
    struct t_resp *r = raw_str("GET /healthz HTTP/1.1\r\n\r\n");
    assert_problem(r, 400, "bad_request");
    t_resp_free(r);
}
END_TEST

START_TEST(test_absolute_form_routes_by_path)
{
    struct t_resp *r = raw_str("GET http://evil.example/healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    ck_assert_int_eq(r->status, 200);
    t_resp_free(r);
}
END_TEST

START_TEST(test_oversize_body_is_413)
{
    struct t_resp *r = raw_str("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
                               "application/json\r\nContent-Length: 100000\r\n\r\n{");
    assert_problem(r, 413, "body_too_large");
    ck_assert(r->closed);
    t_resp_free(r);
}
END_TEST

START_TEST(test_oversize_chunked_body_is_413)
{
    /* 5 chunks of 1 KiB against a 2 KiB limit, and a chunk size no server could hold. */
    char buf[8192];
    int n = snprintf(buf, sizeof buf,
                     "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 5; i++) {
        n += snprintf(buf + n, sizeof buf - (size_t)n, "400\r\n");
        memset(buf + n, 'a', 1024);
        n += 1024;
        n += snprintf(buf + n, sizeof buf - (size_t)n, "\r\n");
    }
    struct t_resp *r = t_raw(&srv, buf, (size_t)n);
    assert_problem(r, 413, "body_too_large");
    t_resp_free(r);
    r = raw_str("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                "FFFFFFFFFFFFFFFF\r\n");
    assert_problem(r, 413, "body_too_large");
    t_resp_free(r);
}
END_TEST

START_TEST(test_oversize_headers_are_431)
{
    char *big = malloc(8192);
    int n = snprintf(big, 8192, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(big + n, 'a', 6000);
    memcpy(big + n + 6000, "\r\n\r\n", 4);
    struct t_resp *r = t_raw(&srv, big, (size_t)n + 6004);
    assert_problem(r, 431, "headers_too_large");
    t_resp_free(r);
    free(big);
}
END_TEST

START_TEST(test_slow_head_times_out_with_408)
{
    int fd = t_connect(&srv);
    t_send_all(fd, "GET /healthz HTTP/1.1\r\nHo", 25);
    double start = t_now_ms();
    struct t_resp *r = t_read_response(fd, 5000);
    double waited = t_now_ms() - start;
    close(fd);
    assert_problem(r, 408, "request_timeout");
    ck_assert_msg(waited > 700 && waited < 3000, "timed out after %.0f ms", waited);
    t_resp_free(r);
}
END_TEST

START_TEST(test_trickled_head_cannot_outlive_the_deadline)
{
    /* One byte every 300 ms never trips an inactivity timer; the head deadline must. */
    int fd = t_connect(&srv);
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: bbbbbbbbbbbbbbbbbbbb\r\n";
    double start = t_now_ms();
    struct t_resp *r = NULL;
    for (const char *p = req; *p && t_now_ms() - start < 4000; p++) {
        t_send_all(fd, p, 1);
        usleep(300000);
        r = t_read_response(fd, 1);
        if (r)
            break;
    }
    if (r == NULL)
        r = t_read_response(fd, 3000);
    close(fd);
    assert_problem(r, 408, "request_timeout");
    t_resp_free(r);
}
END_TEST

START_TEST(test_idle_keepalive_connection_is_closed)
{
    int fd = t_connect(&srv);
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    t_send_all(fd, req, strlen(req));
    struct t_resp *r = t_read_response(fd, 2000);
    ck_assert_int_eq(r->status, 200);
    ck_assert(!r->closed);
    t_resp_free(r);
    char c;
    double start = t_now_ms();
    ssize_t n = read(fd, &c, 1); /* blocks until the server closes */
    double waited = t_now_ms() - start;
    close(fd);
    ck_assert_int_eq(n, 0);
    ck_assert_msg(waited > 1000 && waited < 4000, "closed after %.0f ms", waited);
}
END_TEST

START_TEST(test_pipelined_requests_answered_in_order)
{
    int fd = t_connect(&srv);
    const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: first\r\n\r\n"
                      "GET /readyz HTTP/1.1\r\nHost: x\r\nX-Request-Id: second\r\n\r\n"
                      "GET /nope HTTP/1.1\r\nHost: x\r\nX-Request-Id: third\r\n\r\n";
    t_send_all(fd, req, strlen(req));
    const char *ids[] = {"first", "second", "third"};
    int statuses[] = {200, 200, 404};
    for (int i = 0; i < 3; i++) {
        struct t_resp *r = t_read_response(fd, 5000);
        ck_assert_msg(r != NULL, "response %d missing", i);
        ck_assert_int_eq(r->status, statuses[i]);
        char *id = t_resp_header(r, "X-Request-Id");
        ck_assert_str_eq(id, ids[i]);
        free(id);
        t_resp_free(r);
    }
    close(fd);
}
END_TEST

START_TEST(test_request_id_is_made_when_absent_or_unsafe)
{
    static const char *const bad[] = {"X-Request-Id: has spaces and \"quotes\"", NULL};
    struct t_resp *r = t_request(&srv, "GET", "/healthz", bad, NULL);
    char *id = t_resp_header(r, "X-Request-Id");
    ck_assert_ptr_nonnull(id);
    ck_assert(strlen(id) > 4 && strchr(id, ' ') == NULL);
    free(id);
    t_resp_free(r);
}
END_TEST

START_TEST(test_access_log_has_one_json_line_per_request)
{
    static const char *const hdr[] = {"X-Request-Id: log-check-42", NULL};
    struct t_resp *r = t_request(&srv, "GET", "/api/v1/regions/321012", hdr, NULL);
    ck_assert_int_eq(r->status, 200);
    t_resp_free(r);
    usleep(100000);
    char *log = t_server_log(&srv);
    char *line = strstr(log, "\"request_id\":\"log-check-42\"");
    ck_assert_msg(line != NULL, "no access log line for the request");
    while (line > log && line[-1] != '\n')
        line--;
    char *end = strchr(line, '\n');
    *end = '\0';
    cJSON *j = cJSON_Parse(line);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(t_json_str(j, "method"), "GET");
    ck_assert_str_eq(t_json_str(j, "route"), "/api/v1/regions/{code}");
    ck_assert_int_eq(cJSON_GetObjectItem(j, "status")->valueint, 200);
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(j, "latency_ms")));
    cJSON_Delete(j);
    free(log);
}
END_TEST

START_TEST(test_expect_continue_gets_interim_answer)
{
    int fd = t_connect(&srv);
    const char *head = "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                       "Expect: 100-continue\r\n\r\n";
    t_send_all(fd, head, strlen(head));
    /* The head is refused with 405 right away; no body is needed for that. */
    struct t_resp *r = t_read_response(fd, 3000);
    close(fd);
    ck_assert_int_eq(r->status, 405);
    t_resp_free(r);
}
END_TEST

static struct t_resp *post_login(const char *content_type, const char *body, size_t len)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
                     content_type, len);
    char *req = malloc((size_t)n + len);
    memcpy(req, head, (size_t)n);
    memcpy(req + n, body, len);
    struct t_resp *r = t_raw(&srv, req, (size_t)n + len);
    free(req);
    return r;
}

START_TEST(test_bad_json_bodies_are_400_and_never_5xx)
{
    static const struct {
        const char *body;
        const char *code;
    } cases[] = {
        {"{\"username\":", "malformed_json"},
        {"{\"1\":1,", "malformed_json"},
        {"{\"username\":\"a\"} trailing", "malformed_json"},
        {"[1,2,]", "malformed_json"},
        {"NaN", "malformed_json"},
        {"\"just a string\"", "malformed_json"},
        {"{\"username\":\"a\",\"username\":\"admin\"}", "duplicate_key"},
        {"{\"username\":\"a\\u0000b\",\"password\":\"x\"}", "malformed_json"},
        {"{\"username\":\"\\ud800\"}", "malformed_json"},
        {"{\"username\":1e20,\"password\":\"x\"}", "validation_failed"},
        {"{\"username\":\"a\",\"password\":\"b\",\"role\":\"admin\"}", "validation_failed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct t_resp *r = post_login("application/json", cases[i].body, strlen(cases[i].body));
        ck_assert_msg(r && r->status == 400, "%s: %d", cases[i].body, r ? r->status : -1);
        ck_assert_str_eq(t_problem_code(r), cases[i].code);
        t_resp_free(r);
    }
}
END_TEST

START_TEST(test_deep_nesting_is_400)
{
    char body[256];
    size_t n = 0;
    for (int i = 0; i < 40; i++)
        body[n++] = '[';
    for (int i = 0; i < 40; i++)
        body[n++] = ']';
    struct t_resp *r = post_login("application/json", body, n);
    ck_assert_int_eq(r->status, 400);
    ck_assert_str_eq(t_problem_code(r), "json_too_deep");
    t_resp_free(r);
}
END_TEST

START_TEST(test_invalid_utf8_is_400)
{
    static const char body[] = "{\"username\":\"\xff\xfe\",\"password\":\"\xc0\xaf\"}";
    struct t_resp *r = post_login("application/json", body, sizeof body - 1);
    ck_assert_int_eq(r->status, 400);
    ck_assert_str_eq(t_problem_code(r), "invalid_utf8");
    t_resp_free(r);
}
END_TEST

START_TEST(test_wrong_content_type_is_415_and_empty_body_400)
{
    static const char body[] = "{\"username\":\"a\",\"password\":\"b\"}";
    struct t_resp *r = post_login("text/plain", body, sizeof body - 1);
    ck_assert_int_eq(r->status, 415);
    ck_assert_str_eq(t_problem_code(r), "unsupported_media_type");
    t_resp_free(r);
    r = post_login("application/json; charset=latin1", body, sizeof body - 1);
    ck_assert_int_eq(r->status, 415);
    t_resp_free(r);
    r = post_login("application/json", "", 0);
    ck_assert_int_eq(r->status, 400);
    ck_assert_str_eq(t_problem_code(r), "malformed_json");
    t_resp_free(r);
}
END_TEST

START_TEST(test_chunked_body_is_read)
{
    const char *req = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "c;ext=1\r\n{\"username\":\r\n"
                      "1f\r\n\"nobody\",\"password\":\"x1234567\"}\r\n0\r\nX-Trailer: y\r\n\r\n";
    struct t_resp *r = raw_str(req);
    ck_assert_int_eq(r->status, 401); /* parsed, then refused as bad credentials */
    ck_assert_str_eq(t_problem_code(r), "invalid_credentials");
    t_resp_free(r);
}
END_TEST

static Suite *http_suite(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("protocol");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_unknown_route_is_404_problem);
    tcase_add_test(tc, test_wrong_method_is_405_with_allow);
    tcase_add_test(tc, test_unknown_method_is_501);
    tcase_add_test(tc, test_head_has_headers_and_no_body);
    tcase_add_test(tc, test_conflicting_content_length_is_400);
    tcase_add_test(tc, test_transfer_encoding_other_than_chunked_is_400);
    tcase_add_test(tc, test_nul_in_header_is_400);
    tcase_add_test(tc, test_encoded_dot_dot_is_400);
    tcase_add_test(tc, test_missing_host_is_400);
    tcase_add_test(tc, test_absolute_form_routes_by_path);
    tcase_add_test(tc, test_oversize_body_is_413);
    tcase_add_test(tc, test_oversize_chunked_body_is_413);
    tcase_add_test(tc, test_oversize_headers_are_431);
    tcase_add_test(tc, test_slow_head_times_out_with_408);
    tcase_add_test(tc, test_trickled_head_cannot_outlive_the_deadline);
    tcase_add_test(tc, test_idle_keepalive_connection_is_closed);
    tcase_add_test(tc, test_pipelined_requests_answered_in_order);
    tcase_add_test(tc, test_request_id_is_made_when_absent_or_unsafe);
    tcase_add_test(tc, test_access_log_has_one_json_line_per_request);
    tcase_add_test(tc, test_expect_continue_gets_interim_answer);
    tcase_add_test(tc, test_bad_json_bodies_are_400_and_never_5xx);
    tcase_add_test(tc, test_deep_nesting_is_400);
    tcase_add_test(tc, test_invalid_utf8_is_400);
    tcase_add_test(tc, test_wrong_content_type_is_415_and_empty_body_400);
    tcase_add_test(tc, test_chunked_body_is_read);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(http_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
