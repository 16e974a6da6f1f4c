/* Unit tests for src/core/json_strict.h: strict parsing (UTF-8, depth, NUL, duplicates) and
 * json_get_int64. */
#include "core/json_strict.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum json_strict_error parse_len(const char *text, size_t len, cJSON **out, char *dup,
                                        size_t duplen)
{
    *out = (cJSON *)0x1; /* must be reset to NULL on failure */
    return json_parse_strict(text, len, JSON_MAX_DEPTH, out, dup, duplen);
}

/* Parses and expects a refusal with no tree left behind. */
static void assert_refused(const char *text, size_t len, enum json_strict_error expected)
{
    cJSON *root;
    enum json_strict_error e = parse_len(text, len, &root, NULL, 0);
    if (e == JSON_OK)
        cJSON_Delete(root); /* accepted by mistake: free it before failing */
    ck_assert_msg(e == expected, "got %d, expected %d for %s", (int)e, (int)expected, text);
    ck_assert_ptr_null(root);
}

static void assert_refused_str(const char *text, enum json_strict_error expected)
{
    assert_refused(text, strlen(text), expected);
}

static char *nested(int depth, char open, char close)
{
    char *s = malloc((size_t)depth * 2 + 1);
    ck_assert_ptr_nonnull(s);
    memset(s, open, (size_t)depth);
    memset(s + depth, close, (size_t)depth);
    s[depth * 2] = '\0';
    return s;
}

START_TEST(test_json_accepts_valid_object)
{
    const char *text = "{\"a\":1,\"b\":[true,null,\"x\"],\"c\":{\"d\":\"中文\"}}";
    cJSON *root;
    ck_assert_int_eq(parse_len(text, strlen(text), &root, NULL, 0), JSON_OK);
    ck_assert_ptr_nonnull(root);
    ck_assert(cJSON_IsObject(root));
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(root, "a")->valueint, 1);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "b")), 3);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "c");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(c, "d")->valuestring, "中文");
    cJSON_Delete(root);
}
END_TEST

START_TEST(test_json_reads_only_len_bytes)
{
    /* the text need not be NUL-terminated: only the first len bytes count */
    const char text[] = "{\"a\":\"b\"}{\"garbage";
    cJSON *root;
    ck_assert_int_eq(parse_len(text, 9, &root, NULL, 0), JSON_OK);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(root, "a")->valuestring, "b");
    cJSON_Delete(root);
}
END_TEST

START_TEST(test_json_accepts_surrounding_whitespace)
{
    const char *text = " \n\t{\"a\":[]}\r\n ";
    cJSON *root;
    ck_assert_int_eq(parse_len(text, strlen(text), &root, NULL, 0), JSON_OK);
    cJSON_Delete(root);
}
END_TEST

START_TEST(test_json_rejects_invalid_utf8)
{
    const char *overlong = "{\"a\":\"\xC0\x80\"}";
    assert_refused(overlong, strlen(overlong), JSON_ERR_UTF8);
    const char *surrogate = "{\"a\":\"\xED\xA0\x80\"}";
    assert_refused(surrogate, strlen(surrogate), JSON_ERR_UTF8);
    const char *truncated = "{\"a\":\"\xE4\xB8\"}";
    assert_refused(truncated, strlen(truncated), JSON_ERR_UTF8);
    const char *in_key = "{\"\xFF\":1}";
    assert_refused(in_key, strlen(in_key), JSON_ERR_UTF8);
}
END_TEST

START_TEST(test_json_accepts_depth_32)
{
    char *arrays = nested(JSON_MAX_DEPTH, '[', ']');
    cJSON *root;
    ck_assert_int_eq(parse_len(arrays, strlen(arrays), &root, NULL, 0), JSON_OK);
    ck_assert(cJSON_IsArray(root));
    cJSON_Delete(root);
    free(arrays);
}
END_TEST

START_TEST(test_json_rejects_depth_33)
{
    char *arrays = nested(JSON_MAX_DEPTH + 1, '[', ']');
    assert_refused(arrays, strlen(arrays), JSON_ERR_DEPTH);
    free(arrays);

    /* objects and arrays count alike */
    char text[512];
    size_t n = 0;
    for (int i = 0; i < JSON_MAX_DEPTH; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "{\"k\":");
    n += (size_t)snprintf(text + n, sizeof text - n, "[1]");
    for (int i = 0; i < JSON_MAX_DEPTH; i++)
        text[n++] = '}';
    text[n] = '\0';
    assert_refused(text, n, JSON_ERR_DEPTH);
}
END_TEST

START_TEST(test_json_depth_limit_is_the_argument)
{
    cJSON *root;
    ck_assert_int_eq(json_parse_strict("[[1]]", 5, 2, &root, NULL, 0), JSON_OK);
    cJSON_Delete(root);
    ck_assert_int_eq(json_parse_strict("[[[1]]]", 7, 2, &root, NULL, 0), JSON_ERR_DEPTH);
    ck_assert_ptr_null(root);
}
END_TEST

START_TEST(test_json_brackets_inside_strings_do_not_count)
{
    const char *text = "{\"k[{\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{\\\"[[[\"}";
    cJSON *root;
    ck_assert_int_eq(json_parse_strict(text, strlen(text), 1, &root, NULL, 0), JSON_OK);
    ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(root, "k[{"));
    cJSON_Delete(root);
}
END_TEST

START_TEST(test_json_rejects_escaped_nul)
{
    const char *text = "{\"a\":\"x\\u0000y\"}";
    assert_refused(text, strlen(text), JSON_ERR_NUL);
    const char *in_key = "{\"\\u0000\":1}";
    assert_refused(in_key, strlen(in_key), JSON_ERR_NUL);
}
END_TEST

START_TEST(test_json_accepts_escaped_backslash_before_u0000)
{
    /* JSON text {"a":"\\u0000"}: a backslash, then the six characters u0000 */
    const char *text = "{\"a\":\"\\\\u0000\"}";
    cJSON *root;
    ck_assert_int_eq(parse_len(text, strlen(text), &root, NULL, 0), JSON_OK);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(root, "a")->valuestring, "\\u0000");
    cJSON_Delete(root);
    /* but an escaped backslash followed by a real \u0000 escape is refused */
    const char *both = "{\"a\":\"\\\\\\u0000\"}";
    assert_refused(both, strlen(both), JSON_ERR_NUL);
}
END_TEST

START_TEST(test_json_rejects_raw_nul_in_string)
{
    /* cJSON would cut the value at the NUL and keep "x" */
    static const char text[] = "{\"a\":\"x\0y\"}";
    assert_refused(text, sizeof text - 1, JSON_ERR_NUL);
}
END_TEST

START_TEST(test_json_rejects_raw_nul_outside_string)
{
    static const char text[] = "{\"a\":1}\0";
    assert_refused(text, sizeof text - 1, JSON_ERR_SYNTAX);
}
END_TEST

START_TEST(test_json_rejects_duplicate_top_level_key)
{
    const char *text = "{\"name\":\"a\",\"x\":1,\"name\":\"b\"}";
    cJSON *root = (cJSON *)0x1;
    char dup[64] = "";
    ck_assert_int_eq(json_parse_strict(text, strlen(text), JSON_MAX_DEPTH, &root, dup, sizeof dup),
                     JSON_ERR_DUPLICATE);
    ck_assert_ptr_null(root);
    ck_assert_str_eq(dup, "name");
}
END_TEST

START_TEST(test_json_rejects_duplicate_nested_key)
{
    const char *text = "{\"a\":{\"b\":[{\"ok\":1},{\"k\":1,\"j\":2,\"k\":3}]}}";
    cJSON *root = (cJSON *)0x1;
    char dup[64] = "";
    ck_assert_int_eq(json_parse_strict(text, strlen(text), JSON_MAX_DEPTH, &root, dup, sizeof dup),
                     JSON_ERR_DUPLICATE);
    ck_assert_ptr_null(root);
    ck_assert_str_eq(dup, "k");
}
END_TEST

START_TEST(test_json_rejects_duplicate_spelled_with_escapes)
{
    const char *text = "{\"ab\":1,\"\\u0061b\":2}";
    cJSON *root;
    char dup[64] = "";
    ck_assert_int_eq(json_parse_strict(text, strlen(text), JSON_MAX_DEPTH, &root, dup, sizeof dup),
                     JSON_ERR_DUPLICATE);
    ck_assert_str_eq(dup, "ab");
}
END_TEST

START_TEST(test_json_duplicate_key_name_is_truncated_to_buffer)
{
    const char *text = "{\"abcdefgh\":1,\"abcdefgh\":2}";
    cJSON *root;
    char dup[4] = "zzz";
    ck_assert_int_eq(json_parse_strict(text, strlen(text), JSON_MAX_DEPTH, &root, dup, sizeof dup),
                     JSON_ERR_DUPLICATE);
    ck_assert_str_eq(dup, "abc");
    /* dup_key may be NULL */
    ck_assert_int_eq(json_parse_strict(text, strlen(text), JSON_MAX_DEPTH, &root, NULL, 0),
                     JSON_ERR_DUPLICATE);
    ck_assert_ptr_null(root);
}
END_TEST

START_TEST(test_json_same_key_in_different_objects_is_not_duplicate)
{
    const char *text = "{\"a\":{\"a\":1},\"b\":[{\"a\":1},{\"a\":2}],\"A\":3}";
    cJSON *root;
    ck_assert_int_eq(parse_len(text, strlen(text), &root, NULL, 0), JSON_OK);
    cJSON_Delete(root);
}
END_TEST

START_TEST(test_json_rejects_syntax_errors)
{
    assert_refused_str("{} x", JSON_ERR_SYNTAX);
    assert_refused_str("{}{}", JSON_ERR_SYNTAX);
    assert_refused_str("", JSON_ERR_SYNTAX);
    assert_refused_str("   ", JSON_ERR_SYNTAX);
    assert_refused_str("{\"1\":1,", JSON_ERR_SYNTAX);
    assert_refused_str("{\"a\":1,}", JSON_ERR_SYNTAX);
    assert_refused_str("{'a':1}", JSON_ERR_SYNTAX);
    assert_refused_str("{\"a\":1}}", JSON_ERR_SYNTAX);
    assert_refused_str("[1,2", JSON_ERR_SYNTAX);
    assert_refused_str("{\"a\":\"unterminated}", JSON_ERR_SYNTAX);
}
END_TEST

/* ---- json_get_int64 ---- */

static cJSON *number(const char *text)
{
    cJSON *item = cJSON_Parse(text);
    ck_assert_ptr_nonnull(item);
    return item;
}

/* Reads text with the given bounds; out is left untouched on failure. */
static bool get(const char *text, int64_t min, int64_t max, int64_t *out)
{
    cJSON *item = number(text);
    *out = 777;
    bool ok = json_get_int64(item, min, max, out);
    if (!ok)
        ck_assert_int_eq(*out, 777);
    cJSON_Delete(item);
    return ok;
}

START_TEST(test_int64_reads_in_range_values)
{
    int64_t v;
    ck_assert(get("42", 0, 100, &v));
    ck_assert_int_eq(v, 42);
    ck_assert(get("-17", -100, 100, &v));
    ck_assert_int_eq(v, -17);
    ck_assert(get("0", 0, 0, &v));
    ck_assert_int_eq(v, 0);
    ck_assert(get("2e3", 0, 10000, &v)); /* integral, whatever the spelling */
    ck_assert_int_eq(v, 2000);
    ck_assert(get("5.0", 0, 10, &v));
    ck_assert_int_eq(v, 5);
}
END_TEST

START_TEST(test_int64_bounds_are_inclusive)
{
    int64_t v;
    ck_assert(get("1", 1, 10, &v));
    ck_assert_int_eq(v, 1);
    ck_assert(get("10", 1, 10, &v));
    ck_assert_int_eq(v, 10);
    ck_assert(!get("0", 1, 10, &v));
    ck_assert(!get("11", 1, 10, &v));
}
END_TEST

START_TEST(test_int64_rejects_negative_below_min)
{
    int64_t v;
    ck_assert(!get("-1", 0, INT64_MAX, &v));
    ck_assert(get("-1", -1, 0, &v));
    ck_assert_int_eq(v, -1);
}
END_TEST

START_TEST(test_int64_rejects_fraction)
{
    int64_t v;
    ck_assert(!get("1.9", INT64_MIN, INT64_MAX, &v));
    ck_assert(!get("-0.5", INT64_MIN, INT64_MAX, &v));
    ck_assert(!get("1e-1", INT64_MIN, INT64_MAX, &v));
}
END_TEST

START_TEST(test_int64_rejects_huge_values)
{
    int64_t v;
    ck_assert(!get("1e20", INT64_MIN, INT64_MAX, &v));
    ck_assert(!get("-1e20", INT64_MIN, INT64_MAX, &v));
    ck_assert(!get("1e400", INT64_MIN, INT64_MAX, &v)); /* cJSON makes this infinity */
}
END_TEST

START_TEST(test_int64_rejects_values_beyond_exact_double_range)
{
    int64_t v;
    ck_assert(!get("9007199254740994", INT64_MIN, INT64_MAX, &v));  /* 2^53 + 2 */
    ck_assert(!get("-9007199254740994", INT64_MIN, INT64_MAX, &v)); /* -(2^53 + 2) */
    /* 2^53 + 1 parses to the same double as 2^53: neither is known to be what was sent */
    ck_assert(!get("9007199254740993", INT64_MIN, INT64_MAX, &v));
    ck_assert(!get("9007199254740992", INT64_MIN, INT64_MAX, &v));
    ck_assert(!get("-9007199254740992", INT64_MIN, INT64_MAX, &v));
    ck_assert(get("9007199254740991", INT64_MIN, INT64_MAX, &v)); /* 2^53 - 1 */
    ck_assert_int_eq(v, INT64_C(9007199254740991));
    ck_assert(get("-9007199254740991", INT64_MIN, INT64_MAX, &v));
    ck_assert_int_eq(v, -INT64_C(9007199254740991));
}
END_TEST

START_TEST(test_int64_rejects_non_numbers)
{
    int64_t v;
    ck_assert(!get("\"12\"", INT64_MIN, INT64_MAX, &v));
    ck_assert(!get("true", INT64_MIN, INT64_MAX, &v));
    ck_assert(!get("false", INT64_MIN, INT64_MAX, &v));
    ck_assert(!get("null", INT64_MIN, INT64_MAX, &v));
    ck_assert(!get("[1]", INT64_MIN, INT64_MAX, &v));
    ck_assert(!get("{\"a\":1}", INT64_MIN, INT64_MAX, &v));
    v = 777;
    ck_assert(!json_get_int64(NULL, INT64_MIN, INT64_MAX, &v));
    ck_assert_int_eq(v, 777);
}
END_TEST

static Suite *json_strict_suite(void)
{
    Suite *s = suite_create("json_strict");
    TCase *parse = tcase_create("parse");
    tcase_add_test(parse, test_json_accepts_valid_object);
    tcase_add_test(parse, test_json_reads_only_len_bytes);
    tcase_add_test(parse, test_json_accepts_surrounding_whitespace);
    tcase_add_test(parse, test_json_rejects_invalid_utf8);
    tcase_add_test(parse, test_json_accepts_depth_32);
    tcase_add_test(parse, test_json_rejects_depth_33);
    tcase_add_test(parse, test_json_depth_limit_is_the_argument);
    tcase_add_test(parse, test_json_brackets_inside_strings_do_not_count);
    tcase_add_test(parse, test_json_rejects_escaped_nul);
    tcase_add_test(parse, test_json_accepts_escaped_backslash_before_u0000);
    tcase_add_test(parse, test_json_rejects_raw_nul_in_string);
    tcase_add_test(parse, test_json_rejects_raw_nul_outside_string);
    tcase_add_test(parse, test_json_rejects_duplicate_top_level_key);
    tcase_add_test(parse, test_json_rejects_duplicate_nested_key);
    tcase_add_test(parse, test_json_rejects_duplicate_spelled_with_escapes);
    tcase_add_test(parse, test_json_duplicate_key_name_is_truncated_to_buffer);
    tcase_add_test(parse, test_json_same_key_in_different_objects_is_not_duplicate);
    tcase_add_test(parse, test_json_rejects_syntax_errors);
    suite_add_tcase(s, parse);

    TCase *num = tcase_create("int64");
    tcase_add_test(num, test_int64_reads_in_range_values);
    tcase_add_test(num, test_int64_bounds_are_inclusive);
    tcase_add_test(num, test_int64_rejects_negative_below_min);
    tcase_add_test(num, test_int64_rejects_fraction);
    tcase_add_test(num, test_int64_rejects_huge_values);
    tcase_add_test(num, test_int64_rejects_values_beyond_exact_double_range);
    tcase_add_test(num, test_int64_rejects_non_numbers);
    suite_add_tcase(s, num);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(json_strict_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
