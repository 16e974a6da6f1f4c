/* Unit tests for src/domain/person_years.h: years no real person record can have. */
#include "domain/person_years.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static const char *refusal(int birth, int election, const char *academy)
{
    const char *field = NULL, *code = NULL, *message = NULL;
    if (person_years_check(birth, election, academy, 2026, &field, &code, &message))
        return "ok";
    ck_assert(code && message && *message);
    return field;
}

START_TEST(test_plausible_years_pass)
{
    ck_assert_str_eq(refusal(1962, 2011, "CAS"), "ok");
    ck_assert_str_eq(refusal(1962, 1994, "CAE"), "ok"); /* the academy's first year */
    ck_assert_str_eq(refusal(1930, 1955, "CAS"), "ok");
    ck_assert_str_eq(refusal(0, 0, NULL), "ok");    /* nothing known, nothing to refuse */
    ck_assert_str_eq(refusal(2026, 0, NULL), "ok"); /* born this year is possible */
    ck_assert_str_eq(refusal(1930, 1960, "foreign"), "ok");
}
END_TEST

START_TEST(test_impossible_years_are_refused)
{
    ck_assert_str_eq(refusal(2027, 0, NULL), "birth_year");
    ck_assert_str_eq(refusal(1960, 2027, "CAS"), "election_year");
    ck_assert_str_eq(refusal(1940, 1954, "CAS"), "election_year");
    ck_assert_str_eq(refusal(1940, 1993, "CAE"), "election_year");
    ck_assert_str_eq(refusal(1980, 2004, "CAE"), "election_year"); /* elected at 24 */
    ck_assert_str_eq(refusal(0, 1950, "CAS"), "election_year");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("person_years");
    TCase *tc = tcase_create("years");
    tcase_add_test(tc, test_plausible_years_pass);
    tcase_add_test(tc, test_impossible_years_are_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
