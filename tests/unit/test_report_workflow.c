/* Unit tests for src/domain/report_workflow.h (the annual report state machine) and
 * src/domain/workstation_status.h (the moves between workstation statuses). */
#include "domain/report_workflow.h"
#include "domain/workstation_status.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static enum report_status rs(const char *name)
{
    enum report_status s;
    ck_assert_msg(report_status_parse(name, &s), "unknown status %s", name);
    return s;
}

static enum workstation_status ws(const char *name)
{
    enum workstation_status s;
    ck_assert_msg(workstation_status_parse(name, &s), "unknown status %s", name);
    return s;
}

START_TEST(test_report_draft_submitted_accepted)
{
    enum report_status next;
    ck_assert(report_workflow_next(rs("draft"), REPORT_SUBMIT, &next));
    ck_assert_str_eq(report_status_name(next), "submitted");
    ck_assert(report_workflow_next(next, REPORT_ACCEPT, &next));
    ck_assert_str_eq(report_status_name(next), "accepted");
    ck_assert_str_eq(report_status_label(next), "已通过");
}
END_TEST

START_TEST(test_report_returned_is_corrected_and_submitted_again)
{
    enum report_status next;
    ck_assert(report_workflow_next(rs("submitted"), REPORT_RETURN, &next));
    ck_assert_str_eq(report_status_name(next), "returned");
    ck_assert(report_status_editable(next));
    ck_assert(report_workflow_next(next, REPORT_SUBMIT, &next));
    ck_assert_str_eq(report_status_name(next), "submitted");
    ck_assert(report_action_needs_reason(REPORT_RETURN));
    ck_assert(!report_action_needs_reason(REPORT_SUBMIT));
    ck_assert(!report_action_needs_reason(REPORT_ACCEPT));
    ck_assert(report_action_is_review(REPORT_RETURN));
    ck_assert(report_action_is_review(REPORT_ACCEPT));
    ck_assert(!report_action_is_review(REPORT_SUBMIT));
}
END_TEST

/* Exactly four (status, action) pairs are allowed; all others are refused. */
START_TEST(test_report_every_other_transition_is_refused)
{
    int allowed = 0;
    for (int s = 0; s < REPORT_STATUS_COUNT; s++)
        for (int a = 0; a < REPORT_ACTION_COUNT; a++) {
            enum report_status next = REPORT_STATUS_COUNT;
            if (report_workflow_next((enum report_status)s, (enum report_action)a, &next)) {
                allowed++;
                ck_assert_int_eq(next, report_action_to((enum report_action)a));
            }
        }
    ck_assert_int_eq(allowed, 4);
    enum report_status next;
    ck_assert(!report_workflow_next(rs("accepted"), REPORT_RETURN, &next));
    ck_assert(!report_workflow_next(rs("draft"), REPORT_ACCEPT, &next));
    ck_assert(!report_workflow_next(REPORT_STATUS_COUNT, REPORT_SUBMIT, &next));
    ck_assert(!report_workflow_next(rs("draft"), REPORT_ACTION_COUNT, &next));
    ck_assert(!report_status_editable(rs("submitted")));
    ck_assert(!report_status_editable(rs("accepted")));
    ck_assert(report_status_editable(rs("draft")));
}
END_TEST

START_TEST(test_report_codes_round_trip_and_unknowns)
{
    for (int s = 0; s < REPORT_STATUS_COUNT; s++)
        ck_assert_int_eq(rs(report_status_name((enum report_status)s)), s);
    enum report_status s;
    ck_assert(!report_status_parse("Draft", &s));
    ck_assert(!report_status_parse(NULL, &s));
    ck_assert_str_eq(report_status_name(REPORT_STATUS_COUNT), "unknown");
    ck_assert_str_eq(report_action_name(REPORT_SUBMIT), "submit");
    ck_assert_str_eq(report_action_label(REPORT_ACCEPT), "审核通过");
    ck_assert_str_eq(report_action_name(REPORT_ACTION_COUNT), "unknown");
    ck_assert_uint_eq(report_action_sources(REPORT_ACTION_COUNT), 0);
}
END_TEST

START_TEST(test_workstation_moves)
{
    ck_assert(workstation_status_can_move(ws("planning"), ws("running")));
    ck_assert(workstation_status_can_move(ws("running"), ws("suspended")));
    ck_assert(workstation_status_can_move(ws("suspended"), ws("running")));
    ck_assert(workstation_status_can_move(ws("running"), ws("concluded")));
    ck_assert(workstation_status_can_move(ws("suspended"), ws("revoked")));
    ck_assert(!workstation_status_can_move(ws("running"), ws("planning")));
    ck_assert(!workstation_status_can_move(ws("planning"), ws("concluded")));
    ck_assert(!workstation_status_can_move(ws("running"), ws("running")));
    /* Revoked and concluded are final. */
    for (int to = 0; to < WORKSTATION_STATUS_COUNT; to++) {
        ck_assert(!workstation_status_can_move(ws("revoked"), (enum workstation_status)to));
        ck_assert(!workstation_status_can_move(ws("concluded"), (enum workstation_status)to));
    }
    ck_assert(!workstation_status_can_move(WORKSTATION_STATUS_COUNT, ws("running")));
    ck_assert(!workstation_status_can_move(ws("running"), WORKSTATION_STATUS_COUNT));
    ck_assert(workstation_status_needs_reason(ws("suspended")));
    ck_assert(workstation_status_needs_reason(ws("revoked")));
    ck_assert(!workstation_status_needs_reason(ws("running")));
    ck_assert_str_eq(workstation_status_label(ws("concluded")), "验收结题");
    ck_assert_str_eq(workstation_status_label(WORKSTATION_STATUS_COUNT), "未知状态");
    enum workstation_status s;
    ck_assert(!workstation_status_parse("closed", &s));
    ck_assert_str_eq(workstation_level_names[1], "provincial");
}
END_TEST

static Suite *report_workflow_suite(void)
{
    Suite *s = suite_create("report_workflow");
    TCase *tc = tcase_create("workflow");
    tcase_add_test(tc, test_report_draft_submitted_accepted);
    tcase_add_test(tc, test_report_returned_is_corrected_and_submitted_again);
    tcase_add_test(tc, test_report_every_other_transition_is_refused);
    tcase_add_test(tc, test_report_codes_round_trip_and_unknowns);
    tcase_add_test(tc, test_workstation_moves);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(report_workflow_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
