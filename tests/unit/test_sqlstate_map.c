/* Unit tests for src/api/sqlstate_map.h: PostgreSQL SQLSTATE to HTTP status and problem code. */
#include "api/sqlstate_map.h"

#include <check.h>
#include <stdlib.h>

static void assert_maps(const char *sqlstate, int status, const char *code, bool server_message)
{
    struct sqlstate_problem p = sqlstate_to_problem(sqlstate);
    ck_assert_msg(p.status == status, "%s: status %d, expected %d", sqlstate ? sqlstate : "NULL",
                  p.status, status);
    ck_assert_str_eq(p.code, code);
    ck_assert_msg(p.use_server_message == server_message, "%s: use_server_message %d",
                  sqlstate ? sqlstate : "NULL", (int)p.use_server_message);
}

START_TEST(test_sqlstate_connection_failures_are_503_db_unavailable)
{
    assert_maps("08006", 503, "db_unavailable", false); /* connection_failure */
    assert_maps("08003", 503, "db_unavailable", false); /* connection_does_not_exist */
    assert_maps("57P01", 503, "db_unavailable", false); /* admin_shutdown */
    assert_maps("57P02", 503, "db_unavailable", false); /* crash_shutdown */
    assert_maps("57P03", 503, "db_unavailable", false); /* cannot_connect_now */
}
END_TEST

START_TEST(test_sqlstate_insufficient_resources_are_503_overloaded)
{
    assert_maps("53300", 503, "overloaded", false); /* too_many_connections */
    assert_maps("53200", 503, "overloaded", false); /* out_of_memory */
}
END_TEST

START_TEST(test_sqlstate_query_canceled_is_504)
{
    assert_maps("57014", 504, "db_timeout", false); /* query_canceled (statement_timeout) */
    assert_maps("55P03", 504, "db_timeout", false); /* lock_not_available */
}
END_TEST

START_TEST(test_sqlstate_constraint_conflicts_are_409)
{
    assert_maps("23505", 409, "conflict", false); /* unique_violation */
    assert_maps("23503", 409, "conflict", false); /* foreign_key_violation */
    assert_maps("23P01", 409, "conflict", false); /* exclusion_violation */
}
END_TEST

START_TEST(test_sqlstate_serialization_failures_are_409)
{
    assert_maps("40001", 409, "conflict", false); /* serialization_failure */
    assert_maps("40P01", 409, "conflict", false); /* deadlock_detected */
}
END_TEST

START_TEST(test_sqlstate_data_errors_are_400_validation_failed)
{
    assert_maps("22P02", 400, "validation_failed", false); /* invalid_text_representation */
    assert_maps("22001", 400, "validation_failed", false); /* string_data_right_truncation */
    assert_maps("23514", 400, "validation_failed", false); /* check_violation */
    assert_maps("23502", 400, "validation_failed", false); /* not_null_violation */
}
END_TEST

START_TEST(test_sqlstate_sk_codes_use_server_message)
{
    assert_maps("SK400", 400, "validation_failed", true);
    assert_maps("SK403", 403, "forbidden", true);
    assert_maps("SK404", 404, "not_found", true);
    assert_maps("SK409", 409, "invalid_transition", true);
    assert_maps("SK412", 412, "precondition_failed", true);
    assert_maps("SK429", 429, "too_many_requests", true);
}
END_TEST

START_TEST(test_sqlstate_programming_errors_are_500_internal)
{
    assert_maps("42P01", 500, "internal", false); /* undefined_table */
    assert_maps("42601", 500, "internal", false); /* syntax_error */
    assert_maps("XX000", 500, "internal", false); /* internal_error */
}
END_TEST

START_TEST(test_sqlstate_null_and_garbage_are_500_internal)
{
    assert_maps(NULL, 500, "internal", false);
    assert_maps("", 500, "internal", false);
    assert_maps("garbage", 500, "internal", false);
    assert_maps("2350", 500, "internal", false);   /* too short */
    assert_maps("235050", 500, "internal", false); /* too long */
    assert_maps("0800", 500, "internal", false);
}
END_TEST

static Suite *sqlstate_map_suite(void)
{
    Suite *s = suite_create("sqlstate_map");
    TCase *tc = tcase_create("map");
    tcase_add_test(tc, test_sqlstate_connection_failures_are_503_db_unavailable);
    tcase_add_test(tc, test_sqlstate_insufficient_resources_are_503_overloaded);
    tcase_add_test(tc, test_sqlstate_query_canceled_is_504);
    tcase_add_test(tc, test_sqlstate_constraint_conflicts_are_409);
    tcase_add_test(tc, test_sqlstate_serialization_failures_are_409);
    tcase_add_test(tc, test_sqlstate_data_errors_are_400_validation_failed);
    tcase_add_test(tc, test_sqlstate_sk_codes_use_server_message);
    tcase_add_test(tc, test_sqlstate_programming_errors_are_500_internal);
    tcase_add_test(tc, test_sqlstate_null_and_garbage_are_500_internal);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sqlstate_map_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
