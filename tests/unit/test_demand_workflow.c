/* Unit tests for src/domain/demand_workflow.h: the demand state machine. */
#include "domain/demand_workflow.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static enum demand_status status(const char *name)
{
    enum demand_status s;
    ck_assert_msg(demand_status_parse(name, &s), "unknown status %s", name);
    return s;
}

static enum demand_action action(const char *name)
{
    enum demand_action a;
    ck_assert_msg(demand_action_parse(name, &a), "unknown action %s", name);
    return a;
}

static void assert_step(const char *from, const char *act, const char *to)
{
    enum demand_status next;
    ck_assert_msg(demand_workflow_next(status(from), action(act), &next), "%s from %s refused", act,
                  from);
    ck_assert_str_eq(demand_status_name(next), to);
}

START_TEST(test_demand_happy_path_runs_draft_to_closed)
{
    assert_step("draft", "submit", "submitted");
    assert_step("submitted", "publish", "published");
    assert_step("published", "match", "matching");
    assert_step("matching", "matched", "matched");
    assert_step("matched", "cooperate", "cooperating");
    assert_step("cooperating", "close", "closed");
}
END_TEST

START_TEST(test_demand_reject_needs_reason_and_revise_returns_to_draft)
{
    assert_step("submitted", "reject", "rejected");
    assert_step("rejected", "revise", "draft");
    assert_step("withdrawn", "revise", "draft");
    ck_assert(demand_action_needs_reason(DEMAND_REJECT));
    for (int a = 0; a < DEMAND_ACTION_COUNT; a++)
        if (a != DEMAND_REJECT)
            ck_assert(!demand_action_needs_reason((enum demand_action)a));
}
END_TEST

/* The full (status, action) grid: exactly the listed steps are allowed, and a closed demand
 * accepts nothing. */
START_TEST(test_demand_every_other_transition_is_refused)
{
    static const char *const allowed[][2] = {
        {"draft", "submit"},       {"submitted", "publish"},  {"submitted", "reject"},
        {"draft", "withdraw"},     {"submitted", "withdraw"}, {"published", "withdraw"},
        {"rejected", "revise"},    {"withdrawn", "revise"},   {"published", "match"},
        {"published", "matched"},  {"matching", "matched"},   {"published", "cooperate"},
        {"matching", "cooperate"}, {"matched", "cooperate"},  {"published", "close"},
        {"matching", "close"},     {"matched", "close"},      {"cooperating", "close"},
    };
    int n = 0;
    for (int s = 0; s < DEMAND_STATUS_COUNT; s++)
        for (int a = 0; a < DEMAND_ACTION_COUNT; a++) {
            enum demand_status to;
            bool ok = demand_workflow_next((enum demand_status)s, (enum demand_action)a, &to);
            bool expected = false;
            for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
                expected |= strcmp(allowed[i][0], demand_status_name(s)) == 0 &&
                            strcmp(allowed[i][1], demand_action_name(a)) == 0;
            ck_assert_msg(ok == expected, "%s from %s: %d", demand_action_name(a),
                          demand_status_name(s), ok);
            n += ok;
        }
    ck_assert_int_eq(n, (int)(sizeof allowed / sizeof allowed[0]));
}
END_TEST

START_TEST(test_demand_codes_and_labels_round_trip)
{
    for (int s = 0; s < DEMAND_STATUS_COUNT; s++) {
        enum demand_status back;
        ck_assert(demand_status_parse(demand_status_name(s), &back));
        ck_assert_int_eq(back, s);
        ck_assert_str_ne(demand_status_label(s), "未知状态");
    }
    for (int a = 0; a < DEMAND_ACTION_COUNT; a++) {
        enum demand_action back;
        ck_assert(demand_action_parse(demand_action_name(a), &back));
        ck_assert_int_eq(back, a);
        ck_assert_str_ne(demand_action_label(a), "未知操作");
    }
    ck_assert_ptr_null(demand_status_names[DEMAND_STATUS_COUNT]);
}
END_TEST

START_TEST(test_demand_unknown_codes_are_refused)
{
    enum demand_status s;
    enum demand_action a;
    ck_assert(!demand_status_parse("open", &s));
    ck_assert(!demand_status_parse(NULL, &s));
    ck_assert(!demand_action_parse("delete", &a));
    ck_assert(!demand_action_parse(NULL, &a));
    ck_assert_str_eq(demand_status_name(DEMAND_STATUS_COUNT), "unknown");
    ck_assert_str_eq(demand_action_name(DEMAND_ACTION_COUNT), "unknown");
    ck_assert(!demand_action_needs_reason(DEMAND_ACTION_COUNT));
}
END_TEST

static Suite *demand_workflow_suite(void)
{
    Suite *s = suite_create("demand_workflow");
    TCase *tc = tcase_create("workflow");
    tcase_add_test(tc, test_demand_happy_path_runs_draft_to_closed);
    tcase_add_test(tc, test_demand_reject_needs_reason_and_revise_returns_to_draft);
    tcase_add_test(tc, test_demand_every_other_transition_is_refused);
    tcase_add_test(tc, test_demand_codes_and_labels_round_trip);
    tcase_add_test(tc, test_demand_unknown_codes_are_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(demand_workflow_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
