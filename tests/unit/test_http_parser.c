/* Unit tests for src/http/http_parser.h: head length, strict head parsing, chunked decoding. */
#include "http/http_parser.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The parser keeps pointers into the head buffer and the decoded-segment buffer, so both
 * live for the whole test; each parse overwrites them. */
static char head_buf[16384];
static char decoded_buf[16384];
static struct http_head head;
static struct http_parse_error perr;

static bool parse_n(const char *text, size_t len)
{
    ck_assert_uint_lt(len, sizeof head_buf);
    memcpy(head_buf, text, len);
    head_buf[len] = 'X'; /* the parser must not rely on a terminator after the head */
    memset(&perr, 0, sizeof perr);
    return http_parse_head(head_buf, len, decoded_buf, &head, &perr);
}

static bool parse(const char *text)
{
    return parse_n(text, strlen(text));
}

static void assert_refused(const char *text, int status, const char *code)
{
    ck_assert_msg(!parse(text), "accepted: %s", text);
    ck_assert_int_eq(perr.status, status);
    ck_assert_str_eq(perr.code, code);
    ck_assert_ptr_nonnull(perr.detail);
}

static void assert_segment(int i, const char *expected)
{
    ck_assert_int_lt(i, head.nsegments);
    ck_assert_uint_eq(head.segment_lens[i], strlen(expected));
    ck_assert_str_eq(head.segments[i], expected);
}

/* ---- http_head_length ---- */

START_TEST(test_head_length_crlf)
{
    const char *h = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    ck_assert_uint_eq(http_head_length(h, strlen(h)), strlen(h));
}
END_TEST

START_TEST(test_head_length_bare_lf)
{
    const char *h = "GET / HTTP/1.1\nHost: a\n\n";
    ck_assert_uint_eq(http_head_length(h, strlen(h)), strlen(h));
}
END_TEST

START_TEST(test_head_length_stops_before_body)
{
    const char *h = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
    ck_assert_uint_eq(http_head_length(h, strlen(h)), strlen(h) - 5);
}
END_TEST

START_TEST(test_head_length_incomplete_is_zero)
{
    const char *h = "GET / HTTP/1.1\r\nHost: a\r\n";
    ck_assert_uint_eq(http_head_length(h, strlen(h)), 0);
    /* the final CR of the blank line is there but not its LF */
    const char *h2 = "GET / HTTP/1.1\r\nHost: a\r\n\r";
    ck_assert_uint_eq(http_head_length(h2, strlen(h2)), 0);
    ck_assert_uint_eq(http_head_length("GET", 3), 0);
    ck_assert_uint_eq(http_head_length("", 0), 0);
}
END_TEST

/* ---- request line, target, headers ---- */

START_TEST(test_head_parses_normal_get)
{
    ck_assert(parse("GET /api/v1/regions?level=1 HTTP/1.1\r\n"
                    "Host: example.com\r\n"
                    "Accept:   application/json  \r\n"
                    "X-Empty:\r\n"
                    "\r\n"));
    ck_assert_int_eq(head.method, HTTP_GET);
    ck_assert_str_eq(head.method_name, "GET");
    ck_assert_int_eq(head.version_minor, 1);
    ck_assert_str_eq(head.path, "/api/v1/regions");
    ck_assert_str_eq(head.query, "level=1");
    ck_assert_int_eq(head.nsegments, 3);
    assert_segment(0, "api");
    assert_segment(1, "v1");
    assert_segment(2, "regions");
    ck_assert_int_eq(head.nheaders, 3);
    ck_assert_str_eq(http_head_get(&head, "host"), "example.com");
    ck_assert_str_eq(http_head_get(&head, "ACCEPT"), "application/json");
    ck_assert_str_eq(http_head_get(&head, "x-empty"), "");
    ck_assert_ptr_null(http_head_get(&head, "Cookie"));
    ck_assert(!head.has_content_length);
    ck_assert(!head.chunked);
    ck_assert(!head.expect_continue);
}
END_TEST

START_TEST(test_head_root_path_has_no_segments)
{
    ck_assert(parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    ck_assert_str_eq(head.path, "/");
    ck_assert_str_eq(head.query, "");
    ck_assert_int_eq(head.nsegments, 0);
}
END_TEST

START_TEST(test_head_unknown_method_is_other)
{
    ck_assert(parse("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n"));
    ck_assert_int_eq(head.method, HTTP_OTHER);
    ck_assert_str_eq(head.method_name, "BREW");
    ck_assert(parse("DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n"));
    ck_assert_int_eq(head.method, HTTP_DELETE);
}
END_TEST

START_TEST(test_head_rejects_invalid_method_token)
{
    assert_refused("GE@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_request");
    assert_refused(" / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_request");
}
END_TEST

START_TEST(test_head_keep_alive_defaults_to_yes_in_http11)
{
    ck_assert(parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    ck_assert(head.keep_alive);
}
END_TEST

START_TEST(test_head_keep_alive_defaults_to_no_in_http10)
{
    ck_assert(parse("GET / HTTP/1.0\r\n\r\n"));
    ck_assert_int_eq(head.version_minor, 0);
    ck_assert(!head.keep_alive);
}
END_TEST

START_TEST(test_head_connection_close_disables_keep_alive)
{
    ck_assert(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n"));
    ck_assert(!head.keep_alive);
    ck_assert(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: te, close\r\n\r\n"));
    ck_assert(!head.keep_alive);
}
END_TEST

START_TEST(test_head_http10_keep_alive_token_enables_keep_alive)
{
    ck_assert(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    ck_assert(head.keep_alive);
}
END_TEST

START_TEST(test_head_absolute_form_routes_by_path)
{
    ck_assert(parse("GET http://example.com:8080/api/v1/regions/110000?x=1 HTTP/1.1\r\n"
                    "Host: example.com:8080\r\n\r\n"));
    ck_assert_str_eq(head.path, "/api/v1/regions/110000");
    ck_assert_str_eq(head.query, "x=1");
    ck_assert_int_eq(head.nsegments, 4);
    assert_segment(0, "api");
    assert_segment(3, "110000");
}
END_TEST

START_TEST(test_head_absolute_form_without_path_is_root)
{
    ck_assert(parse("GET HTTPS://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n"));
    ck_assert_str_eq(head.path, "/");
    ck_assert_str_eq(head.query, "");
    ck_assert_int_eq(head.nsegments, 0);
}
END_TEST

START_TEST(test_head_absolute_form_query_slash_is_not_path)
{
    /* The authority ends at '?': "/b" here belongs to the query, not to the path. */
    ck_assert(parse("GET http://example.com?a=/b HTTP/1.1\r\nHost: example.com\r\n\r\n"));
    ck_assert_str_eq(head.path, "/");
    ck_assert_str_eq(head.query, "a=/b");
    ck_assert_int_eq(head.nsegments, 0);
}
END_TEST

START_TEST(test_head_splits_query)
{
    ck_assert(parse("GET /a/b?x=1&y=%E4%B8%AD HTTP/1.1\r\nHost: a\r\n\r\n"));
    ck_assert_str_eq(head.path, "/a/b");
    ck_assert_str_eq(head.query, "x=1&y=%E4%B8%AD"); /* the query is left encoded */
    ck_assert_int_eq(head.nsegments, 2);
    ck_assert(parse("GET /a? HTTP/1.1\r\nHost: a\r\n\r\n"));
    ck_assert_str_eq(head.path, "/a");
    ck_assert_str_eq(head.query, "");
}
END_TEST

START_TEST(test_head_decodes_percent_encoded_segments)
{
    ck_assert(parse("GET /regions/%E4%B8%AD%e5%9b%bd/a%20b/%2e%2e. HTTP/1.1\r\nHost: a\r\n\r\n"));
    ck_assert_int_eq(head.nsegments, 4);
    assert_segment(0, "regions");
    assert_segment(1, "中国");
    assert_segment(2, "a b");
    assert_segment(3, "...");
    /* the raw path stays as sent */
    ck_assert_str_eq(head.path, "/regions/%E4%B8%AD%e5%9b%bd/a%20b/%2e%2e.");
}
END_TEST

START_TEST(test_head_keeps_empty_trailing_segment)
{
    ck_assert(parse("GET /api/v1/ HTTP/1.1\r\nHost: a\r\n\r\n"));
    ck_assert_int_eq(head.nsegments, 3);
    assert_segment(2, "");
}
END_TEST

START_TEST(test_head_rejects_target_that_is_not_a_path)
{
    assert_refused("GET api HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_request");
    assert_refused("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_request");
    ck_assert(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"));
    ck_assert_int_eq(head.nsegments, 0);
}
END_TEST

START_TEST(test_head_rejects_too_many_segments)
{
    assert_refused("GET /1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17 HTTP/1.1\r\nHost: a\r\n\r\n",
                   404, "route_not_found");
    ck_assert(parse("GET /1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16 HTTP/1.1\r\nHost: a\r\n\r\n"));
    ck_assert_int_eq(head.nsegments, HTTP_MAX_SEGMENTS);
}
END_TEST

START_TEST(test_head_rejects_fragment_and_invalid_utf8_but_takes_raw_utf8)
{
    assert_refused("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
    assert_refused("GET /a?q=\xff\xfe HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
    assert_refused("GET /\xc0\xaf HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
    ck_assert(parse("GET /中?q=锂电池 HTTP/1.1\r\nHost: a\r\n\r\n"));
    ck_assert_str_eq(head.query, "q=锂电池");
}
END_TEST

/* ---- framing: Content-Length, Transfer-Encoding, Host ---- */

START_TEST(test_head_reads_content_length)
{
    ck_assert(parse("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1234\r\n\r\n"));
    ck_assert(head.has_content_length);
    ck_assert_uint_eq(head.content_length, 1234);
}
END_TEST

START_TEST(test_head_rejects_conflicting_content_length)
{
    assert_refused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                   400, "bad_request");
}
END_TEST

START_TEST(test_head_accepts_repeated_equal_content_length)
{
    ck_assert(
        parse("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n"));
    ck_assert(head.has_content_length);
    ck_assert_uint_eq(head.content_length, 5);
}
END_TEST

START_TEST(test_head_rejects_non_digit_content_length)
{
    assert_refused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", 400,
                   "bad_request");
    assert_refused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400, "bad_request");
    assert_refused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400, "bad_request");
    assert_refused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5 5\r\n\r\n", 400,
                   "bad_request");
    assert_refused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400,
                   "bad_request");
    assert_refused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400, "bad_request");
    assert_refused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1234567890123456789\r\n\r\n",
                   400, "bad_request");
}
END_TEST

START_TEST(test_head_accepts_chunked_transfer_encoding)
{
    ck_assert(parse("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"));
    ck_assert(head.chunked);
    ck_assert(!head.has_content_length);
}
END_TEST

START_TEST(test_head_rejects_transfer_encoding_other_than_chunked)
{
    assert_refused("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400,
                   "bad_request");
    assert_refused("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400,
                   "bad_request");
    assert_refused("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
                   400, "bad_request");
    assert_refused("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n",
                   400, "bad_request");
}
END_TEST

START_TEST(test_head_rejects_transfer_encoding_with_content_length)
{
    assert_refused("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                   "Content-Length: 5\r\n\r\n",
                   400, "bad_request");
    assert_refused("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n",
                   400, "bad_request");
}
END_TEST

START_TEST(test_head_rejects_chunked_in_http10)
{
    assert_refused("POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "bad_request");
}
END_TEST

START_TEST(test_head_rejects_http11_without_host)
{
    assert_refused("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400, "bad_request");
}
END_TEST

START_TEST(test_head_rejects_two_hosts)
{
    assert_refused("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "bad_request");
    assert_refused("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400, "bad_request");
}
END_TEST

START_TEST(test_head_accepts_http10_without_host)
{
    ck_assert(parse("GET /x HTTP/1.0\r\n\r\n"));
    ck_assert_int_eq(head.version_minor, 0);
    ck_assert_int_eq(head.nheaders, 0);
}
END_TEST

/* ---- header syntax ---- */

START_TEST(test_head_rejects_nul_byte_in_header)
{
    static const char h[] = "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n";
    ck_assert(!parse_n(h, sizeof h - 1));
    ck_assert_int_eq(perr.status, 400);
    ck_assert_str_eq(perr.code, "bad_request");
}
END_TEST

START_TEST(test_head_rejects_control_char_in_header_value)
{
    assert_refused("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\001c\r\n\r\n", 400, "bad_request");
    assert_refused("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\177c\r\n\r\n", 400, "bad_request");
    /* a stray CR inside a line is not a line ending */
    assert_refused("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n", 400, "bad_request");
}
END_TEST

START_TEST(test_head_accepts_tab_in_header_value)
{
    ck_assert(parse("GET / HTTP/1.1\r\nHost: a\r\nX-A:\tb\tc\t\r\n\r\n"));
    ck_assert_str_eq(http_head_get(&head, "x-a"), "b\tc");
}
END_TEST

START_TEST(test_head_rejects_space_before_colon)
{
    assert_refused("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "bad_request");
}
END_TEST

START_TEST(test_head_rejects_obs_fold)
{
    assert_refused("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n  continued\r\n\r\n", 400,
                   "bad_request");
    assert_refused("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tcontinued\r\n\r\n", 400,
                   "bad_request");
}
END_TEST

START_TEST(test_head_rejects_malformed_header_line)
{
    assert_refused("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400, "bad_request");
    assert_refused("GET / HTTP/1.1\r\nHost: a\r\n: value\r\n\r\n", 400, "bad_request");
}
END_TEST

START_TEST(test_head_accepts_bare_lf_line_endings)
{
    ck_assert(parse("POST /a/b HTTP/1.1\nHost: a\nContent-Length: 3\n\n"));
    ck_assert_str_eq(http_head_get(&head, "Host"), "a");
    ck_assert_uint_eq(head.content_length, 3);
    ck_assert_int_eq(head.nsegments, 2);
}
END_TEST

START_TEST(test_head_rejects_more_than_max_headers)
{
    char buf[8192];
    size_t n = (size_t)snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 1; i < HTTP_MAX_HEADERS; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "X-%d: v\r\n", i);
    snprintf(buf + n, sizeof buf - n, "\r\n");
    ck_assert(parse(buf)); /* exactly HTTP_MAX_HEADERS */
    ck_assert_int_eq(head.nheaders, HTTP_MAX_HEADERS);

    n += (size_t)snprintf(buf + n, sizeof buf - n, "X-extra: v\r\n\r\n");
    ck_assert_uint_lt(n, sizeof buf);
    assert_refused(buf, 431, "headers_too_large");
}
END_TEST

/* ---- Expect ---- */

START_TEST(test_head_expect_100_continue_sets_flag)
{
    ck_assert(parse("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                    "Expect: 100-Continue\r\n\r\n"));
    ck_assert(head.expect_continue);
}
END_TEST

START_TEST(test_head_other_expect_is_417)
{
    assert_refused("POST /x HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", 417,
                   "expectation_failed");
}
END_TEST

/* ---- versions ---- */

START_TEST(test_head_rejects_http2_with_505)
{
    assert_refused("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "http_version_not_supported");
    assert_refused("GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505, "http_version_not_supported");
}
END_TEST

START_TEST(test_head_rejects_garbage_version)
{
    assert_refused("GET / HTTX/1.1\r\nHost: a\r\n\r\n", 400, "bad_request");
    assert_refused("GET / HTTP/1.1x\r\nHost: a\r\n\r\n", 400, "bad_request");
    assert_refused("GET / http/1.1\r\nHost: a\r\n\r\n", 400, "bad_request");
    assert_refused("GET /\r\nHost: a\r\n\r\n", 400, "bad_request");
    assert_refused("GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n", 400, "bad_request");
}
END_TEST

/* ---- path segments ---- */

START_TEST(test_head_rejects_encoded_slash)
{
    assert_refused("GET /a%2Fb HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
    assert_refused("GET /a%2fb HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
}
END_TEST

START_TEST(test_head_rejects_encoded_dot_dot)
{
    assert_refused("GET /a/%2e%2e/b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
    assert_refused("GET /a/%2E. HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
    assert_refused("GET /a/%2e HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
}
END_TEST

START_TEST(test_head_rejects_literal_dot_segments)
{
    assert_refused("GET /a/../b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
    assert_refused("GET /a/./b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
    assert_refused("GET /.. HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
}
END_TEST

START_TEST(test_head_rejects_encoded_nul)
{
    assert_refused("GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
    assert_refused("GET /a%0Ab HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
}
END_TEST

START_TEST(test_head_rejects_bad_percent_escape)
{
    assert_refused("GET /a%zzb HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
    assert_refused("GET /a%4 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
    assert_refused("GET /a% HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
    assert_refused("GET /a%4/b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
}
END_TEST

START_TEST(test_head_rejects_invalid_utf8_after_decoding)
{
    assert_refused("GET /a%FFb HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
    assert_refused("GET /%C0%80 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
    assert_refused("GET /%ED%A0%80 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
    assert_refused("GET /%E4%B8 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_path");
}
END_TEST

/* ---- chunked ---- */

struct sink {
    char data[4096];
    size_t len;
};

static void sink_emit(void *arg, const char *data, size_t n)
{
    struct sink *s = arg;
    ck_assert_uint_le(s->len + n, sizeof s->data);
    memcpy(s->data + s->len, data, n);
    s->len += n;
}

static enum chunked_result feed_all(struct chunked_decoder *d, const char *in, size_t *consumed,
                                    uint64_t max_body, struct sink *s)
{
    return chunked_feed(d, in, strlen(in), consumed, max_body, sink_emit, s);
}

START_TEST(test_chunked_single_chunk)
{
    struct chunked_decoder d;
    struct sink s = {.len = 0};
    size_t consumed = 99;
    const char *in = "5\r\nhello\r\n0\r\n\r\n";
    chunked_init(&d);
    ck_assert_int_eq(feed_all(&d, in, &consumed, 1024, &s), CHUNKED_DONE);
    ck_assert_uint_eq(consumed, strlen(in));
    ck_assert_uint_eq(s.len, 5);
    ck_assert(memcmp(s.data, "hello", 5) == 0);
    ck_assert_uint_eq(d.total, 5);
}
END_TEST

START_TEST(test_chunked_several_chunks_one_byte_at_a_time)
{
    const char *in = "4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n";
    const char *body = "Wikipedia in\r\n\r\nchunks.";
    struct chunked_decoder d;
    struct sink s = {.len = 0};
    chunked_init(&d);
    size_t n = strlen(in);
    for (size_t i = 0; i < n; i++) {
        size_t consumed = 99;
        enum chunked_result r = chunked_feed(&d, in + i, 1, &consumed, 1024, sink_emit, &s);
        ck_assert_uint_eq(consumed, 1);
        ck_assert_int_eq(r, i + 1 == n ? CHUNKED_DONE : CHUNKED_MORE);
    }
    ck_assert_uint_eq(s.len, strlen(body));
    ck_assert(memcmp(s.data, body, s.len) == 0);
}
END_TEST

START_TEST(test_chunked_hex_sizes_any_case)
{
    struct chunked_decoder d;
    struct sink s = {.len = 0};
    size_t consumed;
    char in[128];
    snprintf(in, sizeof in, "a\r\n0123456789\r\nB\r\nabcdefghijk\r\n0\r\n\r\n");
    chunked_init(&d);
    ck_assert_int_eq(feed_all(&d, in, &consumed, 1024, &s), CHUNKED_DONE);
    ck_assert_uint_eq(s.len, 21);
    ck_assert(memcmp(s.data, "0123456789abcdefghijk", 21) == 0);
}
END_TEST

START_TEST(test_chunked_ignores_extensions)
{
    struct chunked_decoder d;
    struct sink s = {.len = 0};
    size_t consumed;
    const char *in = "5;name=value;q=\"x\"\r\nhello\r\n3 ; ext\r\nabc\r\n0;last\r\n\r\n";
    chunked_init(&d);
    ck_assert_int_eq(feed_all(&d, in, &consumed, 1024, &s), CHUNKED_DONE);
    ck_assert_uint_eq(consumed, strlen(in));
    ck_assert_uint_eq(s.len, 8);
    ck_assert(memcmp(s.data, "helloabc", 8) == 0);
}
END_TEST

START_TEST(test_chunked_discards_trailers)
{
    struct chunked_decoder d;
    struct sink s = {.len = 0};
    size_t consumed;
    const char *in = "5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n";
    chunked_init(&d);
    ck_assert_int_eq(feed_all(&d, in, &consumed, 1024, &s), CHUNKED_DONE);
    ck_assert_uint_eq(consumed, strlen(in));
    ck_assert_uint_eq(s.len, 5);
    ck_assert(memcmp(s.data, "hello", 5) == 0);
}
END_TEST

START_TEST(test_chunked_size_overflow_is_too_large)
{
    struct chunked_decoder d;
    struct sink s = {.len = 0};
    size_t consumed;
    chunked_init(&d);
    ck_assert_int_eq(feed_all(&d, "FFFFFFFFFFFFFFFFFFFF\r\n", &consumed, UINT64_MAX, &s),
                     CHUNKED_TOO_LARGE);
    ck_assert_uint_eq(s.len, 0);
    /* 0x10000000000000005 would wrap to 5 in 64 bits and smuggle the bytes after it */
    chunked_init(&d);
    ck_assert_int_eq(
        feed_all(&d, "10000000000000005\r\nhello\r\n0\r\n\r\n", &consumed, UINT64_MAX, &s),
        CHUNKED_TOO_LARGE);
    ck_assert_uint_eq(s.len, 0);
}
END_TEST

START_TEST(test_chunked_chunk_larger_than_max_body_is_too_large)
{
    struct chunked_decoder d;
    struct sink s = {.len = 0};
    size_t consumed;
    chunked_init(&d);
    ck_assert_int_eq(feed_all(&d, "401\r\n", &consumed, 1024, &s), CHUNKED_TOO_LARGE);
    chunked_init(&d);
    ck_assert_int_eq(feed_all(&d, "400\r\n", &consumed, 1024, &s), CHUNKED_MORE);
    ck_assert_uint_eq(s.len, 0);
}
END_TEST

START_TEST(test_chunked_total_larger_than_max_body_is_too_large)
{
    struct chunked_decoder d;
    struct sink s = {.len = 0};
    size_t consumed;
    chunked_init(&d);
    ck_assert_int_eq(feed_all(&d, "5\r\nhello\r\n4\r\nabcd\r\n", &consumed, 8, &s),
                     CHUNKED_TOO_LARGE);
    ck_assert_uint_eq(s.len, 5); /* the first chunk fit */
    chunked_init(&d);
    s.len = 0;
    ck_assert_int_eq(feed_all(&d, "5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n", &consumed, 8, &s),
                     CHUNKED_DONE);
    ck_assert_uint_eq(s.len, 8);
}
END_TEST

START_TEST(test_chunked_missing_crlf_after_data_is_error)
{
    struct chunked_decoder d;
    struct sink s = {.len = 0};
    size_t consumed;
    chunked_init(&d);
    ck_assert_int_eq(feed_all(&d, "5\r\nhelloX\r\n0\r\n\r\n", &consumed, 1024, &s), CHUNKED_ERROR);
    chunked_init(&d);
    ck_assert_int_eq(feed_all(&d, "5\r\nhello\rX", &consumed, 1024, &s), CHUNKED_ERROR);
}
END_TEST

START_TEST(test_chunked_bad_size_line_is_error)
{
    struct chunked_decoder d;
    struct sink s = {.len = 0};
    size_t consumed;
    chunked_init(&d);
    ck_assert_int_eq(feed_all(&d, "\r\n", &consumed, 1024, &s), CHUNKED_ERROR);
    chunked_init(&d);
    ck_assert_int_eq(feed_all(&d, "G\r\n", &consumed, 1024, &s), CHUNKED_ERROR);
    chunked_init(&d);
    ck_assert_int_eq(feed_all(&d, "5\rX", &consumed, 1024, &s), CHUNKED_ERROR);
    chunked_init(&d);
    ck_assert_int_eq(feed_all(&d, "-5\r\n", &consumed, 1024, &s), CHUNKED_ERROR);
}
END_TEST

START_TEST(test_chunked_body_ending_mid_buffer_leaves_pipelined_bytes)
{
    struct chunked_decoder d;
    struct sink s = {.len = 0};
    size_t consumed = 0;
    const char *body = "3\r\nabc\r\n0\r\n\r\n";
    char in[128];
    snprintf(in, sizeof in, "%sGET / HTTP/1.1\r\nHost: a\r\n\r\n", body);
    chunked_init(&d);
    ck_assert_int_eq(feed_all(&d, in, &consumed, 1024, &s), CHUNKED_DONE);
    ck_assert_uint_eq(consumed, strlen(body));
    ck_assert_str_eq(in + consumed, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    ck_assert_uint_eq(s.len, 3);
}
END_TEST

START_TEST(test_chunked_split_across_feeds_at_every_point)
{
    const char *in = "5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nT: v\r\n\r\n";
    size_t n = strlen(in);
    for (size_t cut = 0; cut <= n; cut++) {
        struct chunked_decoder d;
        struct sink s = {.len = 0};
        size_t c1 = 0, c2 = 0;
        chunked_init(&d);
        enum chunked_result r1 = chunked_feed(&d, in, cut, &c1, 1024, sink_emit, &s);
        ck_assert_int_eq(r1, cut == n ? CHUNKED_DONE : CHUNKED_MORE);
        ck_assert_uint_eq(c1, cut);
        enum chunked_result r2 = chunked_feed(&d, in + cut, n - cut, &c2, 1024, sink_emit, &s);
        ck_assert_int_eq(r2, CHUNKED_DONE);
        ck_assert_uint_eq(c1 + c2, n);
        ck_assert_uint_eq(s.len, 11);
        ck_assert(memcmp(s.data, "hello world", 11) == 0);
    }
}
END_TEST

static Suite *http_parser_suite(void)
{
    Suite *s = suite_create("http_parser");

    TCase *len = tcase_create("head_length");
    tcase_add_test(len, test_head_length_crlf);
    tcase_add_test(len, test_head_length_bare_lf);
    tcase_add_test(len, test_head_length_stops_before_body);
    tcase_add_test(len, test_head_length_incomplete_is_zero);
    suite_add_tcase(s, len);

    TCase *req = tcase_create("request");
    tcase_add_test(req, test_head_parses_normal_get);
    tcase_add_test(req, test_head_root_path_has_no_segments);
    tcase_add_test(req, test_head_unknown_method_is_other);
    tcase_add_test(req, test_head_rejects_invalid_method_token);
    tcase_add_test(req, test_head_keep_alive_defaults_to_yes_in_http11);
    tcase_add_test(req, test_head_keep_alive_defaults_to_no_in_http10);
    tcase_add_test(req, test_head_connection_close_disables_keep_alive);
    tcase_add_test(req, test_head_http10_keep_alive_token_enables_keep_alive);
    tcase_add_test(req, test_head_absolute_form_routes_by_path);
    tcase_add_test(req, test_head_absolute_form_without_path_is_root);
    tcase_add_test(req, test_head_absolute_form_query_slash_is_not_path);
    tcase_add_test(req, test_head_splits_query);
    tcase_add_test(req, test_head_decodes_percent_encoded_segments);
    tcase_add_test(req, test_head_keeps_empty_trailing_segment);
    tcase_add_test(req, test_head_rejects_target_that_is_not_a_path);
    tcase_add_test(req, test_head_rejects_too_many_segments);
    tcase_add_test(req, test_head_rejects_fragment_and_invalid_utf8_but_takes_raw_utf8);
    tcase_add_test(req, test_head_rejects_http2_with_505);
    tcase_add_test(req, test_head_rejects_garbage_version);
    suite_add_tcase(s, req);

    TCase *framing = tcase_create("framing");
    tcase_add_test(framing, test_head_reads_content_length);
    tcase_add_test(framing, test_head_rejects_conflicting_content_length);
    tcase_add_test(framing, test_head_accepts_repeated_equal_content_length);
    tcase_add_test(framing, test_head_rejects_non_digit_content_length);
    tcase_add_test(framing, test_head_accepts_chunked_transfer_encoding);
    tcase_add_test(framing, test_head_rejects_transfer_encoding_other_than_chunked);
    tcase_add_test(framing, test_head_rejects_transfer_encoding_with_content_length);
    tcase_add_test(framing, test_head_rejects_chunked_in_http10);
    tcase_add_test(framing, test_head_rejects_http11_without_host);
    tcase_add_test(framing, test_head_rejects_two_hosts);
    tcase_add_test(framing, test_head_accepts_http10_without_host);
    tcase_add_test(framing, test_head_expect_100_continue_sets_flag);
    tcase_add_test(framing, test_head_other_expect_is_417);
    suite_add_tcase(s, framing);

    TCase *hdr = tcase_create("header_syntax");
    tcase_add_test(hdr, test_head_rejects_nul_byte_in_header);
    tcase_add_test(hdr, test_head_rejects_control_char_in_header_value);
    tcase_add_test(hdr, test_head_accepts_tab_in_header_value);
    tcase_add_test(hdr, test_head_rejects_space_before_colon);
    tcase_add_test(hdr, test_head_rejects_obs_fold);
    tcase_add_test(hdr, test_head_rejects_malformed_header_line);
    tcase_add_test(hdr, test_head_accepts_bare_lf_line_endings);
    tcase_add_test(hdr, test_head_rejects_more_than_max_headers);
    suite_add_tcase(s, hdr);

    TCase *path = tcase_create("path");
    tcase_add_test(path, test_head_rejects_encoded_slash);
    tcase_add_test(path, test_head_rejects_encoded_dot_dot);
    tcase_add_test(path, test_head_rejects_literal_dot_segments);
    tcase_add_test(path, test_head_rejects_encoded_nul);
    tcase_add_test(path, test_head_rejects_bad_percent_escape);
    tcase_add_test(path, test_head_rejects_invalid_utf8_after_decoding);
    suite_add_tcase(s, path);

    TCase *chunked = tcase_create("chunked");
    tcase_add_test(chunked, test_chunked_single_chunk);
    tcase_add_test(chunked, test_chunked_several_chunks_one_byte_at_a_time);
    tcase_add_test(chunked, test_chunked_hex_sizes_any_case);
    tcase_add_test(chunked, test_chunked_ignores_extensions);
    tcase_add_test(chunked, test_chunked_discards_trailers);
    tcase_add_test(chunked, test_chunked_size_overflow_is_too_large);
    tcase_add_test(chunked, test_chunked_chunk_larger_than_max_body_is_too_large);
    tcase_add_test(chunked, test_chunked_total_larger_than_max_body_is_too_large);
    tcase_add_test(chunked, test_chunked_missing_crlf_after_data_is_error);
    tcase_add_test(chunked, test_chunked_bad_size_line_is_error);
    tcase_add_test(chunked, test_chunked_body_ending_mid_buffer_leaves_pipelined_bytes);
    tcase_add_test(chunked, test_chunked_split_across_feeds_at_every_point);
    suite_add_tcase(s, chunked);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(http_parser_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
