/* Unit tests for src/domain/match_workflow.h: every step of the match state machine, for
 * staff, the expert and anyone else. */
#include "domain/match_workflow.h"

#include <check.h>
#include <stdlib.h>

static enum match_status st(const char *name)
{
    enum match_status s;
    ck_assert_msg(match_status_parse(name, &s), "unknown status %s", name);
    return s;
}

static enum match_verdict check(const char *from, const char *to, enum match_actor actor,
                                bool reason)
{
    return match_workflow_check(st(from), st(to), actor, reason);
}

START_TEST(test_match_codes_round_trip_and_unknown_codes_are_refused)
{
    for (int i = 0; match_status_names[i] != NULL; i++)
        ck_assert_str_eq(match_status_name(st(match_status_names[i])), match_status_names[i]);
    enum match_status s;
    ck_assert(!match_status_parse("Proposed", &s));
    ck_assert(!match_status_parse("", &s));
    ck_assert(!match_status_parse(NULL, &s));
    ck_assert_str_eq(match_status_label(MATCH_COOPERATING), "合作中");
}
END_TEST

START_TEST(test_match_staff_run_the_happy_path)
{
    ck_assert_int_eq(check("proposed", "contacted", MATCH_BY_STAFF, false), MATCH_OK);
    ck_assert_int_eq(check("contacted", "accepted", MATCH_BY_STAFF, false), MATCH_OK);
    ck_assert_int_eq(check("accepted", "cooperating", MATCH_BY_STAFF, false), MATCH_OK);
    ck_assert_int_eq(check("cooperating", "closed", MATCH_BY_STAFF, false), MATCH_OK);
}
END_TEST

START_TEST(test_match_expert_answers_only_accept_or_decline)
{
    ck_assert_int_eq(check("proposed", "accepted", MATCH_BY_EXPERT, false), MATCH_OK);
    ck_assert_int_eq(check("contacted", "declined", MATCH_BY_EXPERT, false), MATCH_OK);
    ck_assert_int_eq(check("proposed", "contacted", MATCH_BY_EXPERT, false), MATCH_FORBIDDEN);
    ck_assert_int_eq(check("accepted", "cooperating", MATCH_BY_EXPERT, false), MATCH_FORBIDDEN);
    ck_assert_int_eq(check("proposed", "closed", MATCH_BY_EXPERT, true), MATCH_FORBIDDEN);
}
END_TEST

START_TEST(test_match_others_never_move_a_match)
{
    for (int from = 0; from < MATCH_STATUS_COUNT; from++)
        for (int to = 0; to < MATCH_STATUS_COUNT; to++) {
            enum match_verdict v = match_workflow_check(
                (enum match_status)from, (enum match_status)to, MATCH_BY_OTHER, true);
            ck_assert_int_eq(v, MATCH_FORBIDDEN);
        }
}
END_TEST

START_TEST(test_match_impossible_steps_are_refused_for_everyone)
{
    static const char *const bad[][2] = {
        {"proposed", "cooperating"}, {"declined", "accepted"}, {"declined", "cooperating"},
        {"closed", "proposed"},      {"closed", "contacted"},  {"cooperating", "accepted"},
        {"accepted", "declined"},    {"proposed", "proposed"}, {"accepted", "contacted"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(check(bad[i][0], bad[i][1], MATCH_BY_STAFF, true), MATCH_NOT_ALLOWED);
        ck_assert_int_eq(check(bad[i][0], bad[i][1], MATCH_BY_EXPERT, true), MATCH_NOT_ALLOWED);
    }
}
END_TEST

START_TEST(test_match_early_close_needs_a_reason)
{
    ck_assert_int_eq(check("proposed", "closed", MATCH_BY_STAFF, false), MATCH_REASON_REQUIRED);
    ck_assert_int_eq(check("declined", "closed", MATCH_BY_STAFF, false), MATCH_REASON_REQUIRED);
    ck_assert_int_eq(check("declined", "closed", MATCH_BY_STAFF, true), MATCH_OK);
    ck_assert_int_eq(check("cooperating", "closed", MATCH_BY_STAFF, false), MATCH_OK);
}
END_TEST

START_TEST(test_match_moves_the_demand_when_accepted_or_cooperating)
{
    ck_assert_str_eq(match_demand_status_after(MATCH_ACCEPTED), "matched");
    ck_assert_str_eq(match_demand_status_after(MATCH_COOPERATING), "cooperating");
    ck_assert_ptr_null(match_demand_status_after(MATCH_CONTACTED));
    ck_assert_ptr_null(match_demand_status_after(MATCH_DECLINED));
    ck_assert_ptr_null(match_demand_status_after(MATCH_CLOSED));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("match_workflow");
    TCase *tc = tcase_create("match_workflow");
    tcase_add_test(tc, test_match_codes_round_trip_and_unknown_codes_are_refused);
    tcase_add_test(tc, test_match_staff_run_the_happy_path);
    tcase_add_test(tc, test_match_expert_answers_only_accept_or_decline);
    tcase_add_test(tc, test_match_others_never_move_a_match);
    tcase_add_test(tc, test_match_impossible_steps_are_refused_for_everyone);
    tcase_add_test(tc, test_match_early_close_needs_a_reason);
    tcase_add_test(tc, test_match_moves_the_demand_when_accepted_or_cooperating);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
