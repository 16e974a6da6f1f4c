/* Unit tests for src/domain/codes.h: the check characters of credit codes (GB 32100) and
 * identity card numbers (GB 11643), code shapes, phones and e-mail. */
#include "domain/codes.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

typedef bool (*check_fn)(const char *, const char **, const char **);

static bool accepts(check_fn f, const char *s)
{
    const char *code = NULL, *message = NULL;
    bool ok = f(s, &code, &message);
    if (!ok)
        ck_assert(code != NULL && message != NULL && *message != '\0');
    return ok;
}

static const char *refusal(check_fn f, const char *s)
{
    const char *code = NULL, *message = NULL;
    ck_assert_msg(!f(s, &code, &message), "%s was accepted", s);
    return code;
}

START_TEST(test_credit_code_check_character)
{
    /* The standard's own example, and one of the demo enterprises. */
    ck_assert(accepts(codes_check_credit_code, "91350100M000100Y43"));
    ck_assert(accepts(codes_check_credit_code, "91321003MA1M00001A"));
    ck_assert(accepts(codes_check_credit_code, "91321003ma1m00001a")); /* case-insensitive */
    ck_assert_str_eq(refusal(codes_check_credit_code, "91350100M000100Y44"),
                     "invalid_check_character");
    ck_assert_str_eq(refusal(codes_check_credit_code, "91350100M000100Y4"), "invalid_credit_code");
    ck_assert_str_eq(refusal(codes_check_credit_code, "91350100M0001O0Y43"), "invalid_credit_code");
    ck_assert_str_eq(refusal(codes_check_credit_code, "913501X0M000100Y43"), "invalid_credit_code");
    ck_assert_int_eq(codes_credit_check_char("91350100M000100Y4"), '3');
    ck_assert_int_eq(codes_credit_check_char("9135010OM000100Y4"), 0);
}
END_TEST

START_TEST(test_id_number_check_character)
{
    /* GB 11643's example number ends in X; lower case x is the same character. */
    ck_assert_int_eq(codes_id_check_char("11010519491231002"), 'X');
    ck_assert(accepts(codes_check_id_number, "11010519491231002X"));
    ck_assert(accepts(codes_check_id_number, "11010519491231002x"));
    ck_assert(accepts(codes_check_id_number, "321002198002290011") ==
              (codes_id_check_char("32100219800229001") == '1'));
    ck_assert_str_eq(refusal(codes_check_id_number, "110105194912310021"),
                     "invalid_check_character");
    ck_assert_str_eq(refusal(codes_check_id_number, "11010519491231002"), "invalid_id_number");
    ck_assert_str_eq(refusal(codes_check_id_number, "1101051949123100XX"), "invalid_id_number");
    ck_assert_str_eq(refusal(codes_check_id_number, "11010519491331002X"), "invalid_id_number");
    /* 1900 was not a leap year; 2000 was. */
    char id[19] = "32100219000229001";
    id[17] = codes_id_check_char(id);
    id[18] = '\0';
    ck_assert_str_eq(refusal(codes_check_id_number, id), "invalid_id_number");
    memcpy(id, "32100220000229001", 17);
    id[17] = codes_id_check_char(id);
    ck_assert(accepts(codes_check_id_number, id));
}
END_TEST

START_TEST(test_code_shapes)
{
    ck_assert(accepts(codes_check_region_code, "321003"));
    ck_assert(!accepts(codes_check_region_code, "32100"));
    ck_assert(!accepts(codes_check_region_code, "32100a"));
    ck_assert(accepts(codes_check_discipline_code, "480"));
    ck_assert(accepts(codes_check_discipline_code, "48020"));
    ck_assert(!accepts(codes_check_discipline_code, "4802"));
    ck_assert(accepts(codes_check_industry_code, "C"));
    ck_assert(accepts(codes_check_industry_code, "C38"));
    ck_assert(!accepts(codes_check_industry_code, "c38"));
    ck_assert(!accepts(codes_check_industry_code, "U38"));
    ck_assert(!accepts(codes_check_industry_code, "C381"));
}
END_TEST

START_TEST(test_phone_and_email)
{
    ck_assert(accepts(codes_check_phone, "13812345678"));
    ck_assert(accepts(codes_check_phone, "+86 138-1234-5678"));
    ck_assert(accepts(codes_check_phone, "0514-87654321"));
    ck_assert_str_eq(refusal(codes_check_phone, "12812345678"), "invalid_phone");
    ck_assert_str_eq(refusal(codes_check_phone, "1381234567"), "invalid_phone");
    ck_assert_str_eq(refusal(codes_check_phone, "138123456789012345678901234"), "invalid_phone");
    ck_assert(accepts(codes_check_email, "zhang@yzu.edu.cn"));
    ck_assert(!accepts(codes_check_email, "zhang@yzu"));
    ck_assert(!accepts(codes_check_email, "@yzu.edu.cn"));
    ck_assert(!accepts(codes_check_email, "a@b@c.cn"));
    ck_assert(!accepts(codes_check_email, "zhang wei@yzu.edu.cn"));
}
END_TEST

static Suite *codes_suite(void)
{
    Suite *s = suite_create("codes");
    TCase *tc = tcase_create("checks");
    tcase_add_test(tc, test_credit_code_check_character);
    tcase_add_test(tc, test_id_number_check_character);
    tcase_add_test(tc, test_code_shapes);
    tcase_add_test(tc, test_phone_and_email);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(codes_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
