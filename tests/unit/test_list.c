/* Unit tests for src/api/list.h: opaque keyset cursors (list_cursor_encode/decode). */
#include "api/list.h"

#include <check.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* base64url (no padding) of arbitrary text, as a client could forge it. */
static char *b64(const char *text)
{
    size_t len = strlen(text);
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    sodium_bin2base64(out, cap, (const unsigned char *)text, len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

static void free_values(char **values, int n)
{
    for (int i = 0; i < n; i++) {
        free(values[i]);
        values[i] = NULL;
    }
}

/* Decoding must fail, leave the caller nothing to free, and never free what the array held
 * before (values is output only; ASan reports a free of the literal below). */
static void assert_refused(const char *cursor, int n)
{
    static char garbage[] = "caller's garbage";
    char *values[LIST_MAX_KEYS];
    for (int i = 0; i < LIST_MAX_KEYS; i++)
        values[i] = garbage;
    ck_assert_msg(!list_cursor_decode(cursor, values, n), "accepted cursor %s", cursor);
    for (int i = 0; i < n; i++)
        ck_assert_msg(values[i] == NULL || values[i] == garbage, "slot %d holds %s", i, values[i]);
}

static void assert_json_refused(const char *json, int n)
{
    char *cursor = b64(json);
    assert_refused(cursor, n);
    free(cursor);
}

START_TEST(test_cursor_round_trips_plain_values)
{
    const char *const in[] = {"2024-05-01T10:00:00Z", "12345"};
    char *cursor = list_cursor_encode(in, 2);
    ck_assert_ptr_nonnull(cursor);
    char *out[2] = {NULL, NULL};
    ck_assert(list_cursor_decode(cursor, out, 2));
    ck_assert_str_eq(out[0], in[0]);
    ck_assert_str_eq(out[1], in[1]);
    free_values(out, 2);
    free(cursor);
}
END_TEST

START_TEST(test_cursor_round_trips_chinese_and_quotes)
{
    const char *const in[] = {"北京市\"朝阳区\"", "a\\b \"c\" '/'?&=", ""};
    char *cursor = list_cursor_encode(in, 3);
    char *out[3] = {NULL, NULL, NULL};
    ck_assert(list_cursor_decode(cursor, out, 3));
    for (int i = 0; i < 3; i++)
        ck_assert_str_eq(out[i], in[i]);
    free_values(out, 3);
    free(cursor);
}
END_TEST

START_TEST(test_cursor_is_url_safe)
{
    /* bytes that standard base64 would spell with '+' and '/' */
    const char *const in[] = {"\xEF\xBF\xBF\xEF\xBF\xBE?>~?>", "~~~"};
    char *cursor = list_cursor_encode(in, 2);
    for (const char *p = cursor; *p; p++)
        ck_assert_msg((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                          (*p >= '0' && *p <= '9') || *p == '-' || *p == '_',
                      "cursor %s has '%c'", cursor, *p);
    char *out[2] = {NULL, NULL};
    ck_assert(list_cursor_decode(cursor, out, 2));
    ck_assert_str_eq(out[0], in[0]);
    free_values(out, 2);
    free(cursor);
}
END_TEST

START_TEST(test_cursor_null_value_encodes_as_empty)
{
    const char *const in[] = {NULL, "x"};
    char *cursor = list_cursor_encode(in, 2);
    char *out[2] = {NULL, NULL};
    ck_assert(list_cursor_decode(cursor, out, 2));
    ck_assert_str_eq(out[0], "");
    ck_assert_str_eq(out[1], "x");
    free_values(out, 2);
    free(cursor);
}
END_TEST

START_TEST(test_cursor_wrong_arity_refused)
{
    const char *const in[] = {"a", "b"};
    char *cursor = list_cursor_encode(in, 2);
    assert_refused(cursor, 1);
    assert_refused(cursor, 3);
    free(cursor);
    assert_json_refused("[]", 1);
}
END_TEST

START_TEST(test_cursor_tampered_refused)
{
    const char *const in[] = {"2024-05-01", "42"};
    char *cursor = list_cursor_encode(in, 2);
    size_t len = strlen(cursor);
    /* cut short: the JSON no longer closes */
    char *cut = strdup(cursor);
    cut[len - 4] = '\0';
    assert_refused(cut, 2);
    free(cut);
    /* the first character changed: '[' is no longer the first byte */
    char *flipped = strdup(cursor);
    flipped[0] = flipped[0] == 'A' ? 'B' : 'A';
    assert_refused(flipped, 2);
    free(flipped);
    /* a character outside the URL-safe alphabet */
    char *alien = strdup(cursor);
    alien[len / 2] = '+';
    assert_refused(alien, 2);
    free(alien);
    /* padding is not part of the format */
    char padded[512];
    snprintf(padded, sizeof padded, "%s=", cursor);
    assert_refused(padded, 2);
    free(cursor);
}
END_TEST

START_TEST(test_cursor_garbage_refused)
{
    assert_refused("", 1);
    assert_refused("!!!!", 1);
    assert_refused("not a cursor", 1);
    assert_refused("a", 1);
    char long_cursor[3000];
    memset(long_cursor, 'A', sizeof long_cursor - 1);
    long_cursor[sizeof long_cursor - 1] = '\0';
    assert_refused(long_cursor, 1);
}
END_TEST

START_TEST(test_cursor_forged_json_refused)
{
    assert_json_refused("{\"a\":\"1\"}", 1); /* not an array */
    assert_json_refused("\"1\"", 1);         /* a bare string */
    assert_json_refused("[1]", 1);           /* a number, not a string */
    assert_json_refused("[\"a\",null]", 2);  /* null in the second slot */
    assert_json_refused("[\"a\",true]", 2);
    assert_json_refused("[[\"a\"]]", 1);       /* nested */
    assert_json_refused("[\"a\"", 1);          /* truncated */
    assert_json_refused("[\"a\\u0000b\"]", 1); /* NUL */
    assert_json_refused("[\"\xC0\x80\"]", 1);  /* invalid UTF-8 */
    assert_json_refused("[\"a\"] junk", 1);    /* trailing garbage */
    assert_json_refused("[[[\"deep\"]]]", 1);  /* deeper than a cursor ever is */
}
END_TEST

START_TEST(test_cursor_forged_but_well_formed_is_accepted)
{
    /* The cursor is opaque, not signed: a well-formed one decodes. Values are passed to
     * SQL as parameters, so this is not a hole. */
    char *cursor = b64("[\"x\",\"y\"]");
    char *out[2] = {NULL, NULL};
    ck_assert(list_cursor_decode(cursor, out, 2));
    ck_assert_str_eq(out[0], "x");
    ck_assert_str_eq(out[1], "y");
    free_values(out, 2);
    free(cursor);
}
END_TEST

static Suite *list_suite(void)
{
    Suite *s = suite_create("list");
    TCase *tc = tcase_create("cursor");
    tcase_add_test(tc, test_cursor_round_trips_plain_values);
    tcase_add_test(tc, test_cursor_round_trips_chinese_and_quotes);
    tcase_add_test(tc, test_cursor_is_url_safe);
    tcase_add_test(tc, test_cursor_null_value_encodes_as_empty);
    tcase_add_test(tc, test_cursor_wrong_arity_refused);
    tcase_add_test(tc, test_cursor_tampered_refused);
    tcase_add_test(tc, test_cursor_garbage_refused);
    tcase_add_test(tc, test_cursor_forged_json_refused);
    tcase_add_test(tc, test_cursor_forged_but_well_formed_is_accepted);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    if (sodium_init() < 0)
        return EXIT_FAILURE;
    SRunner *sr = srunner_create(list_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
