/* Unit tests for src/core/utf8.h: strict UTF-8 validation and code point counting. */
#include "core/utf8.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static bool valid(const char *s)
{
    return utf8_valid(s, strlen(s));
}

START_TEST(test_utf8_accepts_ascii)
{
    ck_assert(valid("hello, world ~\t\r\n"));
    ck_assert(utf8_valid("", 0));
    ck_assert(utf8_valid("\x7f", 1));
}
END_TEST

START_TEST(test_utf8_accepts_chinese)
{
    ck_assert(valid("中文测试，四库"));
    ck_assert(valid("\xE4\xB8\xAD")); /* 中 */
}
END_TEST

START_TEST(test_utf8_accepts_two_byte_sequences)
{
    ck_assert(valid("\xC2\x80"));    /* U+0080, smallest 2-byte */
    ck_assert(valid("caf\xC3\xA9")); /* café */
    ck_assert(valid("\xDF\xBF"));    /* U+07FF */
}
END_TEST

START_TEST(test_utf8_accepts_four_byte_sequences)
{
    ck_assert(valid("\xF0\x9F\x98\x80"));   /* U+1F600 */
    ck_assert(valid("\xF0\x90\x80\x80"));   /* U+10000, smallest 4-byte */
    ck_assert(valid("\xF4\x8F\xBF\xBF"));   /* U+10FFFF, the last code point */
    ck_assert(valid("a\xF0\xA0\x80\x80z")); /* U+20000 (CJK ext. B) between ASCII */
}
END_TEST

START_TEST(test_utf8_accepts_code_points_around_surrogates)
{
    ck_assert(valid("\xED\x9F\xBF")); /* U+D7FF */
    ck_assert(valid("\xEE\x80\x80")); /* U+E000 */
    ck_assert(valid("\xEF\xBF\xBF")); /* U+FFFF */
}
END_TEST

START_TEST(test_utf8_rejects_overlong_two_byte)
{
    ck_assert(!valid("\xC0\x80")); /* overlong NUL */
    ck_assert(!valid("\xC0\xAF")); /* overlong '/' */
    ck_assert(!valid("\xC1\xBF"));
}
END_TEST

START_TEST(test_utf8_rejects_overlong_three_byte)
{
    ck_assert(!valid("\xE0\x80\x80"));
    ck_assert(!valid("\xE0\x9F\xBF")); /* U+07FF in three bytes */
    ck_assert(valid("\xE0\xA0\x80"));  /* U+0800, smallest 3-byte */
}
END_TEST

START_TEST(test_utf8_rejects_overlong_four_byte)
{
    ck_assert(!valid("\xF0\x80\x80\x80"));
    ck_assert(!valid("\xF0\x8F\xBF\xBF")); /* U+FFFF in four bytes */
}
END_TEST

START_TEST(test_utf8_rejects_surrogates)
{
    ck_assert(!valid("\xED\xA0\x80"));             /* U+D800 */
    ck_assert(!valid("\xED\xBF\xBF"));             /* U+DFFF */
    ck_assert(!valid("\xED\xA0\xBD\xED\xB8\x80")); /* CESU-8 pair for U+1F600 */
}
END_TEST

START_TEST(test_utf8_rejects_above_u10ffff)
{
    ck_assert(!valid("\xF4\x90\x80\x80")); /* U+110000 */
    ck_assert(!valid("\xF5\x80\x80\x80"));
    ck_assert(!valid("\xF8\x88\x80\x80\x80")); /* old 5-byte form */
    ck_assert(!valid("\xFE"));
    ck_assert(!valid("\xFF"));
}
END_TEST

START_TEST(test_utf8_rejects_truncated_sequences)
{
    ck_assert(!valid("\xC3"));
    ck_assert(!valid("\xE4\xB8"));             /* 中 without its last byte */
    ck_assert(!valid("\xF0\x9F\x98"));         /* U+1F600 without its last byte */
    ck_assert(!valid("abc\xE4\xB8"));          /* at the end of text */
    ck_assert(!utf8_valid("\xE4\xB8\xAD", 2)); /* cut by the length, not by a NUL */
    ck_assert(!valid("\xE4\xB8z"));            /* cut by an ASCII byte */
    ck_assert(!valid("\xF0\x9F\x98\xE4\xB8\xAD"));
}
END_TEST

START_TEST(test_utf8_rejects_lone_continuation_bytes)
{
    ck_assert(!valid("\x80"));
    ck_assert(!valid("a\xBF"));
    ck_assert(!valid("\xE4\xB8\xAD\xAD")); /* one continuation too many */
}
END_TEST

START_TEST(test_utf8_length_counts_code_points)
{
    ck_assert_uint_eq(utf8_length("中文", strlen("中文")), 2);
    ck_assert_uint_eq(utf8_length("四库ab", strlen("四库ab")), 4);
    ck_assert_uint_eq(utf8_length("\xF0\x9F\x98\x80", 4), 1);
    ck_assert_uint_eq(utf8_length("caf\xC3\xA9", 5), 4);
    ck_assert_uint_eq(utf8_length("", 0), 0);
    ck_assert_uint_eq(utf8_length("abc", 3), 3);
}
END_TEST

static Suite *utf8_suite(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("valid");
    tcase_add_test(tc, test_utf8_accepts_ascii);
    tcase_add_test(tc, test_utf8_accepts_chinese);
    tcase_add_test(tc, test_utf8_accepts_two_byte_sequences);
    tcase_add_test(tc, test_utf8_accepts_four_byte_sequences);
    tcase_add_test(tc, test_utf8_accepts_code_points_around_surrogates);
    suite_add_tcase(s, tc);

    TCase *bad = tcase_create("invalid");
    tcase_add_test(bad, test_utf8_rejects_overlong_two_byte);
    tcase_add_test(bad, test_utf8_rejects_overlong_three_byte);
    tcase_add_test(bad, test_utf8_rejects_overlong_four_byte);
    tcase_add_test(bad, test_utf8_rejects_surrogates);
    tcase_add_test(bad, test_utf8_rejects_above_u10ffff);
    tcase_add_test(bad, test_utf8_rejects_truncated_sequences);
    tcase_add_test(bad, test_utf8_rejects_lone_continuation_bytes);
    suite_add_tcase(s, bad);

    TCase *len = tcase_create("length");
    tcase_add_test(len, test_utf8_length_counts_code_points);
    suite_add_tcase(s, len);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(utf8_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
