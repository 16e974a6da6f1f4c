/* Accounts and sessions: login, throttling, expiry and revocation, user administration with
 * its validation, the audit log (complete and append-only), and the masking functions. */
#include "harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct t_server srv;
static char admin_token[64];
static const char *pw = "Test-pass-2026";

static void setup(void)
{
    static const char *const args[] = {"--login-max-failures", "3", NULL};
    t_server_start(&srv, "it_auth", true, args);
    t_become(&srv, "root_admin", "admin", NULL);
    snprintf(admin_token, sizeof admin_token, "%s", srv.token);
}

static void teardown(void)
{
    t_server_finish(&srv);
}

static struct t_resp *login(const char *user, const char *password)
{
    char body[256];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", user, password);
    return t_request_as(&srv, NULL, "POST", "/api/v1/auth/login", body);
}

static char *scalar(const char *sql)
{
    char *v = t_db_scalar(&srv, sql);
    ck_assert_msg(v != NULL, "query failed: %s", sql);
    return v;
}

static void assert_scalar(const char *sql, const char *want)
{
    char *v = scalar(sql);
    ck_assert_msg(strcmp(v, want) == 0, "%s gave %s, want %s", sql, v, want);
    free(v);
}

START_TEST(test_login_gives_token_expiry_and_user)
{
    t_create_user(&srv, "alice", "city_staff", pw, "--display-name 王丽");
    struct t_resp *r = login("alice", pw);
    ck_assert_int_eq(r->status, 200);
    const char *token = t_json_str(r->json, "token");
    ck_assert_uint_eq(strlen(token), 43);
    ck_assert_str_eq(t_json_str(r->json, "token_type"), "Bearer");
    ck_assert(strlen(t_json_str(r->json, "expires_at")) >= 20);
    cJSON *user = cJSON_GetObjectItem(r->json, "user");
    ck_assert_str_eq(t_json_str(user, "username"), "alice");
    ck_assert_str_eq(t_json_str(user, "role"), "city_staff");
    ck_assert_str_eq(t_json_str(user, "display_name"), "王丽");
    ck_assert_ptr_null(cJSON_GetObjectItem(user, "password_hash"));
    /* Only the hash of the token is stored. */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM sessions WHERE token_hash = sha256(convert_to('%s', 'UTF8'))",
             token);
    assert_scalar(sql, "1");
    snprintf(
        sql, sizeof sql,
        "SELECT count(*) FROM sessions WHERE position(convert_to('%s', 'UTF8') IN token_hash) > 0",
        token);
    assert_scalar(sql, "0");
    struct t_resp *me = t_request_as(&srv, token, "GET", "/api/v1/me", NULL);
    ck_assert_int_eq(me->status, 200);
    ck_assert_str_eq(t_json_str(me->json, "username"), "alice");
    t_resp_free(me);
    t_resp_free(r);
}
END_TEST

START_TEST(test_unknown_user_and_wrong_password_look_the_same)
{
    t_create_user(&srv, "bob", "city_staff", pw, NULL);
    double t0 = t_now_ms();
    struct t_resp *wrong = login("bob", "Wrong-pass-1");
    double t_wrong = t_now_ms() - t0;
    t0 = t_now_ms();
    struct t_resp *unknown = login("nobody-here", "Wrong-pass-1");
    double t_unknown = t_now_ms() - t0;
    ck_assert_int_eq(wrong->status, 401);
    ck_assert_int_eq(unknown->status, 401);
    ck_assert_str_eq(t_problem_code(wrong), "invalid_credentials");
    ck_assert_str_eq(t_problem_code(unknown), "invalid_credentials");
    ck_assert_str_eq(t_json_str(wrong->json, "detail"), t_json_str(unknown->json, "detail"));
    /* The unknown user still pays for a hash: not an order of magnitude faster. */
    ck_assert_msg(t_unknown > t_wrong * 0.25, "unknown %.1f ms vs wrong %.1f ms", t_unknown,
                  t_wrong);
    t_resp_free(wrong);
    t_resp_free(unknown);
    assert_scalar("SELECT count(*) FROM audit_log WHERE action = 'login_failed' "
                  "AND after->>'username' IN ('bob', 'nobody-here')",
                  "2");
    /* The password never reaches the log. */
    assert_scalar("SELECT count(*) FROM audit_log WHERE after::text LIKE '%Wrong-pass%'", "0");
}
END_TEST

START_TEST(test_failed_logins_are_throttled_per_username)
{
    t_create_user(&srv, "carol", "city_staff", pw, NULL);
    for (int i = 0; i < 3; i++) {
        struct t_resp *r = login("carol", "Wrong-pass-1");
        ck_assert_int_eq(r->status, 401);
        t_resp_free(r);
    }
    /* Locked now, even with the right password. */
    struct t_resp *r = login("carol", pw);
    ck_assert_int_eq(r->status, 429);
    ck_assert_str_eq(t_problem_code(r), "too_many_requests");
    char *retry = t_resp_header(r, "Retry-After");
    ck_assert_ptr_nonnull(retry);
    ck_assert_int_gt(atoi(retry), 0);
    free(retry);
    t_resp_free(r);
    /* Another account from the same address is not locked by carol's failures. */
    t_create_user(&srv, "dave", "city_staff", pw, NULL);
    r = login("dave", pw);
    ck_assert_int_eq(r->status, 200);
    t_resp_free(r);
}
END_TEST

START_TEST(test_failed_logins_are_throttled_per_address)
{
    /* 3 per username, 15 per address: spread over many usernames, the address limit hits. */
    int last = 0;
    for (int i = 0; i < 16 && last != 429; i++) {
        char user[32];
        snprintf(user, sizeof user, "spray%d", i % 8);
        struct t_resp *r = login(user, "Wrong-pass-1");
        last = r->status;
        t_resp_free(r);
    }
    ck_assert_int_eq(last, 429);
    /* Later tests log in from this address again. */
    t_db_exec(&srv, "DELETE FROM login_attempts");
}
END_TEST

START_TEST(test_expired_token_is_refused)
{
    t_create_user(&srv, "erin", "city_staff", pw, NULL);
    char token[64];
    snprintf(token, sizeof token, "%s", t_login(&srv, "erin", pw));
    t_db_exec(&srv, "UPDATE sessions SET expires_at = now() - interval '1 second' "
                    "WHERE user_id = (SELECT id FROM users WHERE username = 'erin')");
    struct t_resp *r = t_request_as(&srv, token, "GET", "/api/v1/me", NULL);
    ck_assert_int_eq(r->status, 401);
    char *www = t_resp_header(r, "WWW-Authenticate");
    ck_assert_ptr_nonnull(www);
    free(www);
    t_resp_free(r);
}
END_TEST

START_TEST(test_logout_revokes_the_token)
{
    t_create_user(&srv, "frank", "city_staff", pw, NULL);
    char token[64];
    snprintf(token, sizeof token, "%s", t_login(&srv, "frank", pw));
    struct t_resp *r = t_request_as(&srv, token, "POST", "/api/v1/auth/logout", NULL);
    ck_assert_int_eq(r->status, 204);
    t_resp_free(r);
    r = t_request_as(&srv, token, "GET", "/api/v1/me", NULL);
    ck_assert_int_eq(r->status, 401);
    t_resp_free(r);
}
END_TEST

START_TEST(test_malformed_tokens_are_401)
{
    static const char *const tokens[] = {"short", "x",
                                         "%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%",
                                         "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};
    for (size_t i = 0; i < 4; i++) {
        struct t_resp *r = t_request_as(&srv, tokens[i], "GET", "/api/v1/me", NULL);
        ck_assert_int_eq(r->status, 401);
        t_resp_free(r);
    }
    static const char *const basic[] = {"Authorization: Basic YWRtaW46YWRtaW4=", NULL};
    char saved[64];
    memcpy(saved, srv.token, sizeof saved);
    srv.token[0] = '\0';
    struct t_resp *r = t_request(&srv, "GET", "/api/v1/me", basic, NULL);
    memcpy(srv.token, saved, sizeof saved);
    ck_assert_int_eq(r->status, 401);
    t_resp_free(r);
}
END_TEST

static char *create_user_api(const char *body, int want)
{
    struct t_resp *r = t_request_as(&srv, admin_token, "POST", "/api/v1/users", body);
    ck_assert_msg(r->status == want, "POST /users %s: %d %s", body, r->status, r->body);
    char *id = NULL;
    if (want == 201) {
        char *loc = t_resp_header(r, "Location");
        ck_assert_ptr_nonnull(loc);
        id = strdup(strrchr(loc, '/') + 1);
        free(loc);
        char *etag = t_resp_header(r, "ETag");
        ck_assert_str_eq(etag, "\"1\"");
        free(etag);
    }
    t_resp_free(r);
    return id;
}

static void expect_field_error(const char *body, int status, const char *field)
{
    struct t_resp *r = t_request_as(&srv, admin_token, "POST", "/api/v1/users", body);
    ck_assert_msg(r->status == status, "%s: %d %s", body, r->status, r->body);
    cJSON *errors = cJSON_GetObjectItem(r->json, "errors");
    ck_assert_msg(cJSON_IsArray(errors), "no errors in %s", r->body);
    bool named = false;
    cJSON *e;
    cJSON_ArrayForEach(e, errors)
    {
        named |= strcmp(t_json_str(e, "field"), field) == 0;
    }
    ck_assert_msg(named, "%s does not name %s: %s", body, field, r->body);
    t_resp_free(r);
}

START_TEST(test_admin_creates_users_with_validation)
{
    char *id = create_user_api("{\"username\":\"gina\",\"display_name\":\" 邗江 李四 \","
                               "\"role\":\"county_staff\",\"region_code\":\"321003\","
                               "\"password\":\"Strong-pass-9\"}",
                               201);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT display_name FROM users WHERE id = %s", id);
    assert_scalar(sql, "邗江 李四"); /* trimmed */
    struct t_resp *r = login("gina", "Strong-pass-9");
    ck_assert_int_eq(r->status, 200);
    t_resp_free(r);
    free(id);
    assert_scalar("SELECT count(*) FROM users WHERE username = 'gina'", "1");

    expect_field_error("{\"username\":\"gina\",\"display_name\":\"x\",\"role\":\"city_staff\","
                       "\"password\":\"Strong-pass-9\"}",
                       409, "username");
    expect_field_error("{\"username\":\"h1\",\"display_name\":\"x\",\"role\":\"city_staff\","
                       "\"password\":\"Strong-pass-9\"}",
                       400, "username");
    expect_field_error("{\"username\":\"hank\",\"display_name\":\"x\",\"role\":\"king\","
                       "\"password\":\"Strong-pass-9\"}",
                       400, "role");
    expect_field_error("{\"username\":\"hank\",\"display_name\":\"x\",\"role\":\"county_staff\","
                       "\"password\":\"Strong-pass-9\"}",
                       400, "region_code");
    expect_field_error("{\"username\":\"hank\",\"display_name\":\"x\",\"role\":\"city_staff\","
                       "\"region_code\":\"321003\",\"password\":\"Strong-pass-9\"}",
                       400, "region_code");
    expect_field_error("{\"username\":\"hank\",\"display_name\":\"x\",\"role\":\"county_staff\","
                       "\"region_code\":\"999999\",\"password\":\"Strong-pass-9\"}",
                       400, "region_code");
    expect_field_error("{\"username\":\"hank\",\"display_name\":\"x\",\"role\":\"city_staff\","
                       "\"password\":\"short1\"}",
                       400, "password");
    expect_field_error("{\"username\":\"hank\",\"display_name\":\"x\",\"role\":\"city_staff\","
                       "\"password\":\"hank-Strong-9\"}",
                       400, "password");
    expect_field_error("{\"username\":\"hank\",\"display_name\":\"x\",\"role\":\"city_staff\","
                       "\"password\":\"Strong-pass-9\",\"shoe_size\":42}",
                       400, "shoe_size");
    expect_field_error("{\"username\":\"hank\",\"display_name\":\"x\",\"role\":\"city_staff\","
                       "\"password\":\"Strong-pass-9\",\"id\":7}",
                       403, "id");
    expect_field_error("{\"username\":\"hank\",\"display_name\":\"\",\"role\":\"city_staff\","
                       "\"password\":\"Strong-pass-9\"}",
                       400, "display_name");
    expect_field_error("{\"username\":\"hank\",\"display_name\":7,\"role\":\"city_staff\","
                       "\"password\":\"Strong-pass-9\"}",
                       400, "display_name");
    assert_scalar("SELECT count(*) FROM users WHERE username = 'hank'", "0");
}
END_TEST

START_TEST(test_patch_with_stale_version_is_412_and_changes_nothing)
{
    char *id = create_user_api("{\"username\":\"ivan\",\"display_name\":\"Ivan\","
                               "\"role\":\"city_staff\",\"password\":\"Strong-pass-9\"}",
                               201);
    char path[64], sql[128];
    snprintf(path, sizeof path, "/api/v1/users/%s", id);
    static const char *const fresh[] = {"If-Match: \"1\"",
                                        "Content-Type: application/merge-patch+json", NULL};
    char saved[64];
    memcpy(saved, srv.token, sizeof saved);
    snprintf(srv.token, sizeof srv.token, "%s", admin_token);
    struct t_resp *r =
        t_request(&srv, "PATCH", path, fresh, "{\"display_name\":\"Ivan the First\"}");
    ck_assert_int_eq(r->status, 200);
    char *etag = t_resp_header(r, "ETag");
    ck_assert_str_eq(etag, "\"2\"");
    free(etag);
    ck_assert_str_eq(t_json_str(r->json, "display_name"), "Ivan the First");
    t_resp_free(r);
    r = t_request(&srv, "PATCH", path, fresh, "{\"display_name\":\"Ivan the Stale\"}");
    ck_assert_int_eq(r->status, 412);
    ck_assert_str_eq(t_problem_code(r), "precondition_failed");
    t_resp_free(r);
    memcpy(srv.token, saved, sizeof saved);
    snprintf(sql, sizeof sql, "SELECT display_name || ' v' || version FROM users WHERE id = %s",
             id);
    assert_scalar(sql, "Ivan the First v2");
    free(id);
}
END_TEST

START_TEST(test_disable_and_password_reset_end_sessions)
{
    char *id = create_user_api("{\"username\":\"judy\",\"display_name\":\"Judy\","
                               "\"role\":\"city_staff\",\"password\":\"Strong-pass-9\"}",
                               201);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/users/%s", id);
    char token[64];
    snprintf(token, sizeof token, "%s", t_login(&srv, "judy", "Strong-pass-9"));
    struct t_resp *r =
        t_request_as(&srv, admin_token, "PATCH", path, "{\"password\":\"Another-pass-7\"}");
    ck_assert_int_eq(r->status, 200);
    t_resp_free(r);
    r = t_request_as(&srv, token, "GET", "/api/v1/me", NULL);
    ck_assert_int_eq(r->status, 401);
    t_resp_free(r);
    r = login("judy", "Strong-pass-9");
    ck_assert_int_eq(r->status, 401);
    t_resp_free(r);
    snprintf(token, sizeof token, "%s", t_login(&srv, "judy", "Another-pass-7"));
    r = t_request_as(&srv, admin_token, "PATCH", path, "{\"disabled\":true}");
    ck_assert_int_eq(r->status, 200);
    t_resp_free(r);
    r = t_request_as(&srv, token, "GET", "/api/v1/me", NULL);
    ck_assert_int_eq(r->status, 401);
    t_resp_free(r);
    r = login("judy", "Another-pass-7");
    ck_assert_int_eq(r->status, 401);
    t_resp_free(r);
    free(id);
}
END_TEST

START_TEST(test_role_change_must_keep_binding_consistent)
{
    char *id = create_user_api("{\"username\":\"kate\",\"display_name\":\"Kate\","
                               "\"role\":\"city_staff\",\"password\":\"Strong-pass-9\"}",
                               201);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/users/%s", id);
    struct t_resp *r =
        t_request_as(&srv, admin_token, "PATCH", path, "{\"role\":\"county_staff\"}");
    ck_assert_int_eq(r->status, 400);
    t_resp_free(r);
    r = t_request_as(&srv, admin_token, "PATCH", path,
                     "{\"role\":\"county_staff\",\"region_code\":\"321084\"}");
    ck_assert_int_eq(r->status, 200);
    ck_assert_str_eq(t_json_str(r->json, "region_code"), "321084");
    t_resp_free(r);
    r = t_request_as(&srv, admin_token, "PATCH", path, "{\"username\":\"renamed\"}");
    ck_assert_int_eq(r->status, 403);
    t_resp_free(r);
    r = t_request_as(&srv, admin_token, "PATCH", "/api/v1/users/999999",
                     "{\"display_name\":\"x\"}");
    ck_assert_int_eq(r->status, 404);
    t_resp_free(r);
    free(id);
}
END_TEST

START_TEST(test_every_write_is_audited_with_who_and_request)
{
    static const char *const hdr[] = {"X-Request-Id: audit-trace-1", NULL};
    char saved[64];
    memcpy(saved, srv.token, sizeof saved);
    snprintf(srv.token, sizeof srv.token, "%s", admin_token);
    struct t_resp *r = t_request(&srv, "POST", "/api/v1/users", hdr,
                                 "{\"username\":\"leo\",\"display_name\":\"Leo\","
                                 "\"role\":\"city_staff\",\"password\":\"Strong-pass-9\"}");
    memcpy(srv.token, saved, sizeof saved);
    ck_assert_int_eq(r->status, 201);
    t_resp_free(r);
    assert_scalar("SELECT a.action || ' ' || a.record_type || ' ' || a.role || ' ' ||"
                  " (a.user_id = (SELECT id FROM users WHERE username = 'root_admin'))::text"
                  " FROM audit_log a WHERE a.request_id = 'audit-trace-1'",
                  "insert users admin true");
    assert_scalar("SELECT count(*) FROM audit_log WHERE after ? 'password_hash'", "0");
    assert_scalar("SELECT count(*) FROM audit_log WHERE record_type = 'users' AND action = 'insert'"
                  " AND after->>'username' = 'leo' AND route = 'POST /api/v1/users'",
                  "1");
    /* Everyone of the suite's writes so far has its row: users rows inserted = audit inserts. */
    assert_scalar("SELECT (SELECT count(*) FROM users) = (SELECT count(*) FROM audit_log"
                  " WHERE record_type = 'users' AND action = 'insert')",
                  "t");
}
END_TEST

START_TEST(test_audit_log_cannot_be_changed)
{
    PGconn *c = t_db_connect(srv.dbname);
    static const char *const attempts[] = {"UPDATE audit_log SET action = 'nothing'",
                                           "DELETE FROM audit_log", "TRUNCATE audit_log"};
    for (int i = 0; i < 3; i++) {
        PGresult *res = PQexec(c, attempts[i]);
        ck_assert_msg(PQresultStatus(res) == PGRES_FATAL_ERROR, "%s succeeded", attempts[i]);
        ck_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42501");
        PQclear(res);
    }
    PQfinish(c);
    assert_scalar("SELECT count(*) > 0 FROM audit_log", "t");
}
END_TEST

START_TEST(test_audit_log_api_filters)
{
    struct t_resp *r =
        t_request_as(&srv, admin_token, "GET",
                     "/api/v1/audit-log?record_type=users&action=insert&limit=2", NULL);
    ck_assert_int_eq(r->status, 200);
    cJSON *items = cJSON_GetObjectItem(r->json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 2);
    cJSON *it;
    cJSON_ArrayForEach(it, items)
    {
        ck_assert_str_eq(t_json_str(it, "action"), "insert");
        ck_assert_str_eq(t_json_str(it, "record_type"), "users");
    }
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(r->json, "next_cursor")));
    t_resp_free(r);
    r = t_request_as(&srv, admin_token, "GET", "/api/v1/audit-log?since=yesterday", NULL);
    ck_assert_int_eq(r->status, 400);
    t_resp_free(r);
    r = t_request_as(&srv, admin_token, "GET",
                     "/api/v1/audit-log?since=2020-01-01T00:00:00%2B08:00&action=login", NULL);
    ck_assert_int_eq(r->status, 200);
    ck_assert_int_gt(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    t_resp_free(r);
}
END_TEST

START_TEST(test_masking_functions)
{
    assert_scalar("SELECT mask_phone('13812341234')", "138****1234");
    assert_scalar("SELECT mask_email('zhang@example.cn')", "z***@example.cn");
    assert_scalar("SELECT mask_id_number('321002199001011234')", "321***********1234");
    assert_scalar("SELECT mask_address('江苏省扬州市邗江区文昌西路1号')", "江苏省扬州市****");
    assert_scalar("SELECT coalesce(mask_phone(NULL), 'null')", "null");
}
END_TEST

static Suite *auth_suite(void)
{
    Suite *s = suite_create("auth");
    TCase *tc = tcase_create("auth");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_login_gives_token_expiry_and_user);
    tcase_add_test(tc, test_unknown_user_and_wrong_password_look_the_same);
    tcase_add_test(tc, test_failed_logins_are_throttled_per_username);
    tcase_add_test(tc, test_failed_logins_are_throttled_per_address);
    tcase_add_test(tc, test_expired_token_is_refused);
    tcase_add_test(tc, test_logout_revokes_the_token);
    tcase_add_test(tc, test_malformed_tokens_are_401);
    tcase_add_test(tc, test_admin_creates_users_with_validation);
    tcase_add_test(tc, test_patch_with_stale_version_is_412_and_changes_nothing);
    tcase_add_test(tc, test_disable_and_password_reset_end_sessions);
    tcase_add_test(tc, test_role_change_must_keep_binding_consistent);
    tcase_add_test(tc, test_every_write_is_audited_with_who_and_request);
    tcase_add_test(tc, test_audit_log_cannot_be_changed);
    tcase_add_test(tc, test_audit_log_api_filters);
    tcase_add_test(tc, test_masking_functions);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(auth_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
