/* Unit tests for src/domain/report_indicators.h: the indicator table and the relations
 * between a report's figures. */
#include "domain/report_indicators.h"

#include <check.h>
#include <string.h>

static void zero(double f[IND_COUNT])
{
    for (int i = 0; i < IND_COUNT; i++)
        f[i] = 0;
}

START_TEST(test_indicator_table_names_every_indicator)
{
    static const char *const names[] = {"academician_days",
                                        "joint_projects_new",
                                        "joint_projects_ongoing",
                                        "rd_input",
                                        "patents_applied",
                                        "patents_granted",
                                        "invention_patents_granted",
                                        "new_products",
                                        "standards",
                                        "papers",
                                        "new_product_revenue",
                                        "talents_trained",
                                        "awards"};
    ck_assert_int_eq(sizeof names / sizeof names[0], IND_COUNT);
    for (int i = 0; i < IND_COUNT; i++) {
        ck_assert_int_eq(report_indicator_find(names[i]), i);
        ck_assert(report_indicators[i].label[0] != '\0');
        ck_assert(report_indicators[i].max > 0);
    }
    ck_assert_int_eq(report_indicator_find("bonus"), -1);
    ck_assert_int_eq(report_indicator_find(NULL), -1);
    ck_assert(!report_indicators[IND_RD_INPUT].integral);
    ck_assert(report_indicators[IND_PAPERS].integral);
    ck_assert_str_eq(report_indicators[IND_NEW_PRODUCT_REVENUE].unit, "万元");
}
END_TEST

START_TEST(test_consistent_figures_pass)
{
    double f[IND_COUNT];
    zero(f);
    struct report_problem p[4];
    ck_assert_int_eq(report_indicators_check(f, p, 4), 0);
    f[IND_PATENTS_APPLIED] = 6;
    f[IND_PATENTS_GRANTED] = 6;
    f[IND_INVENTION_PATENTS_GRANTED] = 6;
    ck_assert_int_eq(report_indicators_check(f, p, 4), 0);
}
END_TEST

START_TEST(test_granted_beyond_applied_is_refused)
{
    double f[IND_COUNT];
    zero(f);
    f[IND_PATENTS_APPLIED] = 2;
    f[IND_PATENTS_GRANTED] = 3;
    f[IND_INVENTION_PATENTS_GRANTED] = 4;
    struct report_problem p[4];
    ck_assert_int_eq(report_indicators_check(f, p, 4), 2);
    ck_assert_str_eq(p[0].field, "patents_granted");
    ck_assert_str_eq(p[0].code, "exceeds_applied");
    ck_assert_str_eq(p[1].field, "invention_patents_granted");
    ck_assert_str_eq(p[1].code, "exceeds_granted");
    /* Counted, but not written, beyond max. */
    ck_assert_int_eq(report_indicators_check(f, p, 1), 2);
}
END_TEST

static Suite *report_indicators_suite(void)
{
    Suite *s = suite_create("report_indicators");
    TCase *tc = tcase_create("indicators");
    tcase_add_test(tc, test_indicator_table_names_every_indicator);
    tcase_add_test(tc, test_consistent_figures_pass);
    tcase_add_test(tc, test_granted_beyond_applied_is_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(report_indicators_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
