/* Unit tests for src/domain/project_workflow.h: the project state machine. */
#include "domain/project_workflow.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static enum project_status status(const char *name)
{
    enum project_status s;
    ck_assert_msg(project_status_parse(name, &s), "unknown status %s", name);
    return s;
}

static enum project_action action(const char *name)
{
    enum project_action a;
    ck_assert_msg(project_action_parse(name, &a), "unknown action %s", name);
    return a;
}

/* The one allowed step of each action, by code. */
static void assert_step(const char *from, const char *act, const char *to)
{
    enum project_status next;
    ck_assert_msg(project_workflow_next(status(from), action(act), &next), "%s from %s refused",
                  act, from);
    ck_assert_str_eq(project_status_name(next), to);
}

START_TEST(test_project_happy_path_runs_applied_to_accepted)
{
    assert_step("applied", "approve", "approved");
    assert_step("approved", "start", "in_progress");
    assert_step("in_progress", "conclude", "concluded");
    assert_step("concluded", "accept", "accepted");
}
END_TEST

START_TEST(test_project_return_sends_approved_back_to_applied_with_reason)
{
    assert_step("approved", "return", "applied");
    ck_assert(project_action_needs_reason(PROJECT_RETURN));
    for (int a = 0; a < PROJECT_ACTION_COUNT; a++)
        if (a != PROJECT_RETURN)
            ck_assert(!project_action_needs_reason((enum project_action)a));
}
END_TEST

/* Exactly five of the 25 (status, action) pairs are allowed: each action from its one
 * status; everything else, including any action on an accepted project, is refused. */
START_TEST(test_project_every_other_transition_is_refused)
{
    int allowed = 0;
    for (int s = 0; s < PROJECT_STATUS_COUNT; s++)
        for (int a = 0; a < PROJECT_ACTION_COUNT; a++) {
            enum project_status to = PROJECT_STATUS_COUNT;
            bool ok = project_workflow_next((enum project_status)s, (enum project_action)a, &to);
            bool expected = project_action_from((enum project_action)a) == (enum project_status)s;
            ck_assert_msg(ok == expected, "%s from %s: %d", project_action_name(a),
                          project_status_name(s), ok);
            if (ok) {
                ck_assert_int_eq(to, project_action_to((enum project_action)a));
                allowed++;
            } else {
                ck_assert_int_eq(to, PROJECT_STATUS_COUNT); /* untouched */
            }
        }
    ck_assert_int_eq(allowed, 5);
    enum project_status to;
    for (int a = 0; a < PROJECT_ACTION_COUNT; a++)
        ck_assert(!project_workflow_next(PROJECT_ACCEPTED, (enum project_action)a, &to));
    ck_assert(!project_workflow_next(status("applied"), action("start"), &to));
    ck_assert(!project_workflow_next(status("in_progress"), action("return"), &to));
    ck_assert(!project_workflow_next(status("applied"), PROJECT_ACTION_COUNT, &to));
}
END_TEST

START_TEST(test_project_codes_and_labels_round_trip)
{
    static const char *const labels[] = {"申报", "立项", "在研", "结题", "验收"};
    int n = 0;
    for (const char *const *name = project_status_names; *name; name++, n++) {
        enum project_status s = status(*name);
        ck_assert_int_eq(s, n);
        ck_assert_str_eq(project_status_name(s), *name);
        ck_assert_str_eq(project_status_label(s), labels[n]);
    }
    ck_assert_int_eq(n, PROJECT_STATUS_COUNT);
    static const char *const acts[] = {"approve", "start", "conclude", "accept", "return"};
    for (int a = 0; a < PROJECT_ACTION_COUNT; a++) {
        ck_assert_str_eq(project_action_name(action(acts[a])), acts[a]);
        ck_assert(strlen(project_action_label((enum project_action)a)) > 0);
    }
    int kinds = 0;
    for (const char *const *k = project_kind_names; *k; k++)
        kinds++;
    ck_assert_int_eq(kinds, 5);
}
END_TEST

START_TEST(test_project_unknown_codes_are_refused)
{
    enum project_status s = PROJECT_APPLIED;
    enum project_action a = PROJECT_APPROVE;
    ck_assert(!project_status_parse("Applied", &s));
    ck_assert(!project_status_parse("", &s));
    ck_assert(!project_status_parse(NULL, &s));
    ck_assert(!project_action_parse("reject", &a));
    ck_assert(!project_action_parse("approve ", &a));
    ck_assert(!project_action_parse(NULL, &a));
    ck_assert_str_eq(project_status_name(PROJECT_STATUS_COUNT), "unknown");
    ck_assert_str_eq(project_action_name(PROJECT_ACTION_COUNT), "unknown");
    ck_assert(!project_action_needs_reason(PROJECT_ACTION_COUNT));
}
END_TEST

static Suite *project_workflow_suite(void)
{
    Suite *s = suite_create("project_workflow");
    TCase *tc = tcase_create("workflow");
    tcase_add_test(tc, test_project_happy_path_runs_applied_to_accepted);
    tcase_add_test(tc, test_project_return_sends_approved_back_to_applied_with_reason);
    tcase_add_test(tc, test_project_every_other_transition_is_refused);
    tcase_add_test(tc, test_project_codes_and_labels_round_trip);
    tcase_add_test(tc, test_project_unknown_codes_are_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(project_workflow_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
