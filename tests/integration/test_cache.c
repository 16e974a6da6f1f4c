/* The read caches stay true: the next read after a change made through the API or directly in
 * SQL sees it; logout, expiry, disabling, password and role changes end a cached session at
 * once; losing the listening connection drops the cache; every read of personal data still
 * reaches the audit log, also at shutdown. Each test would fail if its invalidation were
 * missing: the record or session is first read twice, so that the second read comes from the
 * cache (checked on /metrics). */
#include "harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct t_server srv;
static char admin[64], staff[64];

static void setup(void)
{
    t_server_start(&srv, "it_cache", true, NULL);
    t_create_user(&srv, "c_admin", "admin", "Test-pass-2026", NULL);
    snprintf(admin, sizeof admin, "%s", t_login(&srv, "c_admin", "Test-pass-2026"));
    t_create_user(&srv, "c_staff", "city_staff", "Test-pass-2026", NULL);
    snprintf(staff, sizeof staff, "%s", t_login(&srv, "c_staff", "Test-pass-2026"));
}

static void teardown(void)
{
    t_server_finish(&srv);
}

/* A metric's value on /metrics (as admin), or -1. */
static double metric(const char *name)
{
    struct t_resp *r = t_call(&srv, admin, "GET", "/metrics", NULL, NULL);
    t_expect_status(r, 200);
    double v = -1;
    size_t n = strlen(name);
    for (const char *p = r->body; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, name, n) == 0 && p[n] == ' ') {
            v = atof(p + n + 1);
            break;
        }
    t_resp_free(r);
    return v;
}

#define EXPERT_HITS  "siku_cache_hits_total{cache=\"experts\"}"
#define SESSION_HITS "siku_cache_hits_total{cache=\"sessions\"}"

static void await_listening(void)
{
    double until = t_now_ms() + 10000;
    while (metric("siku_cache_listening") != 1 && t_now_ms() < until)
        usleep(20000);
    ck_assert_msg(metric("siku_cache_listening") == 1, "the cache listener never connected");
}

static char *make_expert(const char *name)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"region_code\":\"321003\",\"phone\":\"13912345678\","
             "\"email\":\"li@yzu.edu.cn\",\"keywords\":[\"缓存\"]}",
             name);
    struct t_resp *r = t_call(&srv, staff, "POST", "/api/v1/experts", NULL, body);
    t_expect_status(r, 201);
    char *id = malloc(32);
    snprintf(id, 32, "%d", cJSON_GetObjectItem(r->json, "id")->valueint);
    t_resp_free(r);
    return id;
}

/* GET /api/v1/experts/{id} as token: its name, and its ETag in etag (64 bytes). */
static char *read_name(const char *token, const char *id, char *etag)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/experts/%s", id);
    struct t_resp *r = t_call(&srv, token, "GET", path, NULL, NULL);
    t_expect_status(r, 200);
    char *name = strdup(t_json_str(r->json, "name"));
    char *e = t_resp_header(r, "ETag");
    if (etag)
        snprintf(etag, 64, "%s", e ? e : "");
    free(e);
    t_resp_free(r);
    return name;
}

/* Reads the record twice and checks the second read was a cache hit. */
static void read_twice_cached(const char *id, const char *want_name)
{
    await_listening();
    free(read_name(staff, id, NULL));
    double hits = metric(EXPERT_HITS);
    char *name = read_name(staff, id, NULL);
    ck_assert_str_eq(name, want_name);
    free(name);
    ck_assert_msg(metric(EXPERT_HITS) == hits + 1, "the second read was not a cache hit");
}

/* Reads until the name is want (the notification travels after the commit), at most 2 s. */
static void await_name(const char *id, const char *want)
{
    double until = t_now_ms() + 2000;
    char *name = read_name(staff, id, NULL);
    while (strcmp(name, want) != 0 && t_now_ms() < until) {
        free(name);
        usleep(10000);
        name = read_name(staff, id, NULL);
    }
    ck_assert_str_eq(name, want);
    free(name);
}

START_TEST(test_cache_patch_through_the_api_is_seen_by_the_next_get)
{
    char *id = make_expert("缓存甲");
    read_twice_cached(id, "缓存甲");
    char etag[64], path[64], hdr[96];
    free(read_name(staff, id, etag));
    snprintf(path, sizeof path, "/api/v1/experts/%s", id);
    snprintf(hdr, sizeof hdr, "If-Match: %s", etag);
    const char *headers[] = {hdr, NULL};
    struct t_resp *r = t_call(&srv, staff, "PATCH", path, headers, "{\"name\":\"缓存乙\"}");
    t_expect_status(r, 200);
    t_resp_free(r);
    /* The very next read, no waiting: this daemon evicted on its own write. */
    char etag2[64];
    char *name = read_name(staff, id, etag2);
    ck_assert_str_eq(name, "缓存乙");
    free(name);
    ck_assert_str_ne(etag, etag2);
    /* The old ETag is stale for a write, the new one is exact. */
    r = t_call(&srv, staff, "PATCH", path, headers, "{\"name\":\"缓存丙\"}");
    t_expect_status(r, 412);
    t_resp_free(r);
    snprintf(hdr, sizeof hdr, "If-Match: %s", etag2);
    r = t_call(&srv, staff, "PATCH", path, headers, "{\"name\":\"缓存丙\"}");
    t_expect_status(r, 200);
    t_resp_free(r);
    free(id);
}
END_TEST

START_TEST(test_cache_change_made_in_sql_is_seen)
{
    char *id = make_expert("缓存丁");
    read_twice_cached(id, "缓存丁");
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE experts SET name = '缓存戊', version = version + 1 WHERE id = %s", id);
    t_db_exec(&srv, sql);
    await_name(id, "缓存戊");
    /* Archiving in SQL: the cached live record is gone for a plain read. */
    snprintf(sql, sizeof sql, "UPDATE experts SET archived_at = now() WHERE id = %s", id);
    t_db_exec(&srv, sql);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/experts/%s", id);
    double until = t_now_ms() + 2000;
    int status;
    do {
        struct t_resp *r = t_call(&srv, staff, "GET", path, NULL, NULL);
        status = r->status;
        t_resp_free(r);
    } while (status == 200 && t_now_ms() < until && usleep(10000) == 0);
    ck_assert_int_eq(status, 404);
    free(id);
}
END_TEST

START_TEST(test_cache_role_rules_apply_per_caller_after_the_cache)
{
    char *id = make_expert("缓存己");
    read_twice_cached(id, "缓存己"); /* cached in full, by staff */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/experts/%s", id);
    /* An expert user bound to another record and an enterprise user: 404, not the record. */
    char *other = make_expert("缓存庚");
    char bind[64];
    snprintf(bind, sizeof bind, "--expert %s", other);
    t_create_user(&srv, "c_expert", "expert", "Test-pass-2026", bind);
    char expert_tok[64];
    snprintf(expert_tok, sizeof expert_tok, "%s", t_login(&srv, "c_expert", "Test-pass-2026"));
    struct t_resp *r = t_call(&srv, expert_tok, "GET", path, NULL, NULL);
    t_expect_status(r, 404);
    t_resp_free(r);
    /* ... who reads their own record in full. */
    free(read_name(expert_tok, other, NULL));
    snprintf(path, sizeof path, "/api/v1/experts/%s", other);
    r = t_call(&srv, expert_tok, "GET", path, NULL, NULL);
    t_expect_status(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "phone"), "13912345678");
    t_resp_free(r);
    /* An expert is not an academician: the academicians route does not find it, cached. */
    snprintf(path, sizeof path, "/api/v1/academicians/%s", id);
    r = t_call(&srv, staff, "GET", path, NULL, NULL);
    t_expect_status(r, 404);
    t_resp_free(r);
    free(id);
    free(other);
}
END_TEST

static char *fresh_token(const char *user, const char *role, const char *extra)
{
    t_create_user(&srv, user, role, "Test-pass-2026", extra);
    return strdup(t_login(&srv, user, "Test-pass-2026"));
}

/* Two reads of /me with token, the second from the session cache. */
static void me_twice_cached(const char *token)
{
    await_listening();
    struct t_resp *r = t_request_as(&srv, token, "GET", "/api/v1/me", NULL);
    t_expect_status(r, 200);
    t_resp_free(r);
    double hits = metric(SESSION_HITS);
    r = t_request_as(&srv, token, "GET", "/api/v1/me", NULL);
    t_expect_status(r, 200);
    t_resp_free(r);
    ck_assert_msg(metric(SESSION_HITS) >= hits + 1, "the session was not served from the cache");
}

static int me_status(const char *token)
{
    struct t_resp *r = t_request_as(&srv, token, "GET", "/api/v1/me", NULL);
    int s = r->status;
    t_resp_free(r);
    return s;
}

/* The status of /me once it stops being 200 (a notification travels), at most 2 s. */
static int me_status_settled(const char *token, int want)
{
    double until = t_now_ms() + 2000;
    int s = me_status(token);
    while (s != want && t_now_ms() < until) {
        usleep(10000);
        s = me_status(token);
    }
    return s;
}

START_TEST(test_cache_logout_ends_a_cached_session_at_once)
{
    char *tok = fresh_token("c_logout", "city_staff", NULL);
    me_twice_cached(tok);
    struct t_resp *r = t_request_as(&srv, tok, "POST", "/api/v1/auth/logout", NULL);
    t_expect_status(r, 204);
    t_resp_free(r);
    ck_assert_int_eq(me_status(tok), 401);
    free(tok);
}
END_TEST

START_TEST(test_cache_session_expiry_is_kept_without_a_notification)
{
    char *tok = fresh_token("c_expiry", "city_staff", NULL);
    /* Revoked in SQL: the notification ends it. */
    me_twice_cached(tok);
    t_db_exec(&srv, "UPDATE sessions SET revoked_at = now() WHERE user_id ="
                    " (SELECT id FROM users WHERE username = 'c_expiry')");
    ck_assert_int_eq(me_status_settled(tok, 401), 401);
    free(tok);
    /* Expiring in a second: cached with what is left, refused once it has passed. */
    tok = strdup(t_login(&srv, "c_expiry", "Test-pass-2026"));
    t_db_exec(&srv, "UPDATE sessions SET expires_at = now() + interval '1.5 seconds'"
                    " WHERE user_id = (SELECT id FROM users WHERE username = 'c_expiry')"
                    " AND revoked_at IS NULL");
    usleep(100000);
    me_twice_cached(tok);
    usleep(1600000);
    ck_assert_int_eq(me_status(tok), 401);
    free(tok);
}
END_TEST

static char *user_id_of(const char *username)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT id FROM users WHERE username = '%s'", username);
    return t_db_scalar(&srv, sql);
}

static void patch_user(const char *id, const char *body)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/users/%s", id);
    struct t_resp *r = t_call(&srv, admin, "PATCH", path, NULL, body);
    t_expect_status(r, 200);
    t_resp_free(r);
}

START_TEST(test_cache_password_and_role_changes_end_cached_sessions)
{
    char *tok = fresh_token("c_pw", "city_staff", NULL);
    me_twice_cached(tok);
    char *id = user_id_of("c_pw");
    patch_user(id, "{\"password\":\"Other-pass-2026\"}");
    ck_assert_int_eq(me_status(tok), 401);
    free(tok);
    free(id);

    tok = fresh_token("c_role", "city_staff", NULL);
    me_twice_cached(tok);
    id = user_id_of("c_role");
    patch_user(id, "{\"role\":\"county_staff\",\"region_code\":\"321003\"}");
    ck_assert_int_eq(me_status(tok), 401);
    free(tok);
    free(id);

    /* Disabled in SQL. */
    tok = fresh_token("c_off", "city_staff", NULL);
    me_twice_cached(tok);
    t_db_exec(&srv, "UPDATE users SET disabled = true WHERE username = 'c_off'");
    ck_assert_int_eq(me_status_settled(tok, 401), 401);
    free(tok);

    /* A role changed in SQL (sessions kept): the next request runs with the new role, which
     * may not list experts. */
    tok = fresh_token("c_sqlrole", "city_staff", NULL);
    me_twice_cached(tok);
    struct t_resp *r = t_request_as(&srv, tok, "GET", "/api/v1/experts", NULL);
    t_expect_status(r, 200);
    t_resp_free(r);
    char *ent = t_db_scalar(&srv, "INSERT INTO enterprises (name, credit_code, region_code)"
                                  " VALUES ('扬州缓存科技有限公司', '91321003MA1M00001A', '321003')"
                                  " RETURNING id");
    char sql[256];
    snprintf(
        sql, sizeof sql,
        "UPDATE users SET role = 'enterprise', enterprise_id = %s WHERE username = 'c_sqlrole'",
        ent);
    free(ent);
    t_db_exec(&srv, sql);
    double until = t_now_ms() + 2000;
    int status;
    do {
        r = t_request_as(&srv, tok, "GET", "/api/v1/experts", NULL);
        status = r->status;
        t_resp_free(r);
    } while (status == 200 && t_now_ms() < until && usleep(10000) == 0);
    ck_assert_int_eq(status, 403);
    free(tok);
}
END_TEST

START_TEST(test_cache_is_dropped_when_the_listener_is_lost)
{
    char *id = make_expert("缓存辛");
    read_twice_cached(id, "缓存辛");
    /* A change nobody is told about (the trigger off): the cache still has the old name. */
    char sql[256];
    t_db_exec(&srv, "ALTER TABLE experts DISABLE TRIGGER experts_cache");
    snprintf(sql, sizeof sql, "UPDATE experts SET name = '缓存壬' WHERE id = %s", id);
    t_db_exec(&srv, sql);
    t_db_exec(&srv, "ALTER TABLE experts ENABLE TRIGGER experts_cache");
    char *name = read_name(staff, id, NULL);
    ck_assert_str_eq(name, "缓存辛");
    free(name);
    double connects = metric("siku_cache_listener_connects_total");
    char *killed = t_db_scalar(&srv, "SELECT count(pg_terminate_backend(pid, 5000))"
                                     " FROM pg_stat_activity WHERE application_name = 'sikud-cache'"
                                     " AND datname = current_database()");
    ck_assert_str_eq(killed, "1");
    free(killed);
    double until = t_now_ms() + 10000;
    while (metric("siku_cache_listener_connects_total") < connects + 1 && t_now_ms() < until)
        usleep(20000);
    ck_assert(metric("siku_cache_listener_losses_total") >= 1);
    ck_assert(metric("siku_cache_listener_connects_total") >= connects + 1);
    name = read_name(staff, id, NULL);
    ck_assert_str_eq(name, "缓存壬");
    free(name);
    free(id);
}
END_TEST

START_TEST(test_cache_every_personal_read_is_audited)
{
    char *id = make_expert("缓存癸");
    for (int i = 0; i < 40; i++)
        free(read_name(staff, id, NULL));
    t_await_scalar(&srv, 5000, "40",
                   "SELECT count(*) FROM audit_log WHERE action = 'read_personal'"
                   " AND record_type = 'experts' AND record_id = '%s'",
                   id);
    t_assert_scalar(&srv, "40",
                    "SELECT count(*) FROM audit_log WHERE action = 'read_personal'"
                    " AND record_id = '%s' AND role = 'city_staff' AND request_id IS NOT NULL"
                    " AND route = 'GET /api/v1/experts/{id}' AND at <= clock_timestamp()"
                    " AND user_id = (SELECT id FROM users WHERE username = 'c_staff')",
                    id);
    free(id);
}
END_TEST

START_TEST(test_cache_audit_rows_are_written_at_shutdown)
{
    /* A long batch window: the rows wait in memory until SIGTERM writes them. */
    struct t_server s2;
    const char *args[] = {"--audit-batch-ms", "10000", NULL};
    t_server_start(&s2, "it_cache_shutdown", true, args);
    t_create_user(&s2, "c_s2", "city_staff", "Test-pass-2026", NULL);
    snprintf(s2.token, sizeof s2.token, "%s", t_login(&s2, "c_s2", "Test-pass-2026"));
    struct t_resp *r =
        t_post_json(&s2, "/api/v1/experts", "{\"name\":\"停机\",\"phone\":\"13712345678\"}");
    t_expect_status(r, 201);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/experts/%d", cJSON_GetObjectItem(r->json, "id")->valueint);
    t_resp_free(r);
    for (int i = 0; i < 25; i++) {
        r = t_get(&s2, path);
        t_expect_status(r, 200);
        t_resp_free(r);
    }
    t_assert_scalar(&s2, "0", "SELECT count(*) FROM audit_log WHERE action = 'read_personal'");
    ck_assert_int_eq(t_server_stop(&s2), 0);
    PGconn *c = t_db_connect("it_cache_shutdown");
    PGresult *res = PQexec(c, "SELECT count(*) FROM audit_log WHERE action = 'read_personal'");
    ck_assert_str_eq(PQgetvalue(res, 0, 0), "25");
    PQclear(res);
    PQfinish(c);
    t_db_drop("it_cache_shutdown");
}
END_TEST

START_TEST(test_cache_off_still_answers_and_audits)
{
    struct t_server s3;
    const char *args[] = {"--cache-entries", "0", NULL};
    t_server_start(&s3, "it_cache_off", true, args);
    t_create_user(&s3, "c_s3", "city_staff", "Test-pass-2026", NULL);
    snprintf(s3.token, sizeof s3.token, "%s", t_login(&s3, "c_s3", "Test-pass-2026"));
    struct t_resp *r =
        t_post_json(&s3, "/api/v1/experts", "{\"name\":\"无缓存\",\"phone\":\"13712345678\"}");
    t_expect_status(r, 201);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/experts/%d", cJSON_GetObjectItem(r->json, "id")->valueint);
    t_resp_free(r);
    for (int i = 0; i < 3; i++) {
        r = t_get(&s3, path);
        t_expect_status(r, 200);
        t_resp_free(r);
    }
    t_await_scalar(&s3, 5000, "3", "SELECT count(*) FROM audit_log WHERE action = 'read_personal'");
    t_server_finish(&s3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cache");
    TCase *tc = tcase_create("cache");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_cache_patch_through_the_api_is_seen_by_the_next_get);
    tcase_add_test(tc, test_cache_change_made_in_sql_is_seen);
    tcase_add_test(tc, test_cache_role_rules_apply_per_caller_after_the_cache);
    tcase_add_test(tc, test_cache_logout_ends_a_cached_session_at_once);
    tcase_add_test(tc, test_cache_session_expiry_is_kept_without_a_notification);
    tcase_add_test(tc, test_cache_password_and_role_changes_end_cached_sessions);
    tcase_add_test(tc, test_cache_is_dropped_when_the_listener_is_lost);
    tcase_add_test(tc, test_cache_every_personal_read_is_audited);
    tcase_add_test(tc, test_cache_audit_rows_are_written_at_shutdown);
    tcase_add_test(tc, test_cache_off_still_answers_and_audits);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
