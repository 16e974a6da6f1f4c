/* Assessment panels: the draw by conditions with every kind of conflict of interest excluded
 * (and recorded with its reason), and the experts who could not serve (no consent, not
 * available, no expert account to confirm and score with) excluded and recorded too, deterministic
 * for a seed, refusals; reviewers' confirmation; confirmed reviewers seeing only the stations
 * assigned to them (their reports and evidence) and scoring checklist items, whose means the run
 * uses unless staff entered a score; the freeze of a published year; the roles. */
#include "harness.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct t_server srv;
static char admin[64], city[64], county[64], ent[64];
static char rev[5][64];     /* users of the clean experts X6..X10 */
static char conflicted[64]; /* the user of X1 (same affiliation as the host) */
static char s1[16], s2[16], s3[16];
static char x[15][16]; /* x[1..14] */
static char panel[16];

static char *scalar(const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    char *v = t_db_scalar(&srv, sql);
    ck_assert_msg(v != NULL && *v, "query failed: %s", sql);
    return v;
}

static void keep(char *out, char *v)
{
    snprintf(out, 16, "%s", v);
    free(v);
}

static void login_as(char *token, const char *user, const char *role, const char *extra)
{
    t_create_user(&srv, user, role, "Test-pass-2026", extra);
    snprintf(token, 64, "%s", t_login(&srv, user, "Test-pass-2026"));
}

static void expert(int i, const char *kind, const char *affiliation, const char *title,
                   const char *available)
{
    keep(x[i], scalar("INSERT INTO experts (kind, academy, name, affiliation, title, region_code,"
                      " discipline_codes, available, consent) VALUES ('%s', %s, '评审专家%d', %s,"
                      " '%s', '321003', '{11011}', %s, true) RETURNING id",
                      kind, strcmp(kind, "academician") == 0 ? "'CAE'" : "NULL", i, affiliation,
                      title, available));
}

/* An expert account for x[i] straight in the table (no one logs in with it). */
static void account(int i, bool disabled)
{
    char *v = scalar("INSERT INTO users (username, display_name, role, expert_id, password_hash,"
                     " disabled) VALUES ('p_x%d', '评审专家%d', 'expert', %s, 'x', %s) RETURNING 1",
                     i, i, x[i], disabled ? "true" : "false");
    free(v);
}

static void setup(void)
{
    t_server_start(&srv, "it_panels", true, NULL);
    t_db_exec(&srv, "INSERT INTO enterprises (name, credit_code, region_code) VALUES"
                    " ('扬州甲科技有限公司', '91321003MA1M00001A', '321003'),"
                    " ('扬州乙材料有限公司', '91321012MA1M00002E', '321012')");
    keep(s1, scalar("INSERT INTO workstations (name, host_enterprise_id, region_code, status)"
                    " VALUES ('评审站一', 1, '321003', 'running') RETURNING id"));
    keep(s2, scalar("INSERT INTO workstations (name, host_enterprise_id, region_code, status)"
                    " VALUES ('评审站二', 2, '321012', 'running') RETURNING id"));
    keep(s3, scalar("INSERT INTO workstations (name, host_enterprise_id, region_code, status)"
                    " VALUES ('评审站三', 2, '321012', 'running') RETURNING id"));
    char *v = scalar("INSERT INTO workstation_reports (workstation_id, year, status,"
                     " academician_days) VALUES (%s, 2025, 'accepted', 30), (%s, 2025, 'accepted',"
                     " 30), (%s, 2025, 'accepted', 30) RETURNING 1",
                     s1, s2, s3);
    free(v);
    expert(1, "expert", "'扬州甲科技有限公司'", "senior", "true");
    for (int i = 2; i <= 10; i++)
        expert(i, i == 5 ? "academician" : "expert", "'扬州大学'", "senior", "true");
    expert(11, "expert", "'扬州大学'", "intermediate", "true");
    expert(12, "expert", "'扬州大学'", "senior", "false");
    /* X13 has not consented; X14 has no account (and X11's is disabled: see below). */
    expert(13, "expert", "'扬州大学'", "senior", "true");
    free(scalar("UPDATE experts SET consent = false WHERE id = %s RETURNING 1", x[13]));
    expert(14, "expert", "'扬州大学'", "senior", "true");
    for (int i = 2; i <= 5; i++)
        account(i, false);
    account(11, false);
    account(12, false);
    account(13, false);
    /* X2 works on a project of S1; X3 is matched with a demand of S1's host; X4 is on S1's
     * team; X5 resides at S1. */
    v = scalar("WITH p AS (INSERT INTO projects (title, kind, workstation_id) VALUES"
               " ('联合攻关', 'workstation', %s) RETURNING id)"
               " INSERT INTO project_members (project_id, expert_id, role)"
               " SELECT id, %s, 'member' FROM p RETURNING 1",
               s1, x[2]);
    free(v);
    v = scalar("WITH d AS (INSERT INTO demands (enterprise_id, title, kind, region_code) VALUES"
               " (1, '技术难题', 'technical_problem', '321003') RETURNING id)"
               " INSERT INTO matches (demand_id, expert_id) SELECT id, %s FROM d RETURNING 1",
               x[3]);
    free(v);
    v = scalar("INSERT INTO workstation_team (workstation_id, expert_id, role) VALUES (%s, %s,"
               " 'member') RETURNING 1",
               s1, x[4]);
    free(v);
    v = scalar("INSERT INTO workstation_academicians (workstation_id, expert_id, start_on)"
               " VALUES (%s, %s, '2024-01-01') RETURNING 1",
               s1, x[5]);
    free(v);
    /* S1 and S3 have an evidence file each. */
    v = scalar("WITH e AS (INSERT INTO workstation_evidence (report_id, workstation_id, year,"
               " file_name, content_type, size, sha256) SELECT id, workstation_id, year,"
               " '证明.pdf', 'application/pdf', 5, repeat('0', 64) FROM workstation_reports"
               " WHERE workstation_id IN (%s, %s) RETURNING id)"
               " INSERT INTO workstation_evidence_files (evidence_id, content)"
               " SELECT id, '\\x255044462d' FROM e RETURNING 1",
               s1, s3);
    free(v);
    login_as(admin, "p_admin", "admin", NULL);
    login_as(city, "p_city", "city_staff", NULL);
    login_as(county, "p_county", "county_staff", "--region 321003");
    login_as(ent, "p_ent", "enterprise", "--enterprise 1");
    char bind[32], user[32];
    for (int i = 0; i < 5; i++) {
        snprintf(bind, sizeof bind, "--expert %s", x[6 + i]);
        snprintf(user, sizeof user, "p_rev%d", i);
        login_as(rev[i], user, "expert", bind);
    }
    snprintf(bind, sizeof bind, "--expert %s", x[1]);
    login_as(conflicted, "p_conflicted", "expert", bind);
}

static void teardown(void)
{
    t_server_finish(&srv);
}

static struct t_resp *req(const char *token, const char *method, const char *path, const char *body)
{
    return t_request_as(&srv, token, method, path, body);
}

static void expect(struct t_resp *r, int status)
{
    ck_assert_msg(r->status == status, "got %d, want %d: %s", r->status, status, r->body);
}

static int status_of(const char *token, const char *method, const char *path, const char *body)
{
    struct t_resp *r = req(token, method, path, body);
    int s = r->status;
    t_resp_free(r);
    return s;
}

static long num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", key);
    return (long)v->valuedouble;
}

/* "id,id,..." of the reviewers of a panel, in draw order. */
static void reviewer_ids(const cJSON *p, char *out, size_t cap)
{
    out[0] = '\0';
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(p, "reviewers"))
    {
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%ld", n ? "," : "", num(r, "expert_id"));
    }
}

START_TEST(test_draw_excludes_conflicts)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"workstation_ids\":[%s,%s],\"size\":5,\"discipline_code\":\"110\","
             "\"title\":\"senior\",\"region_code\":\"321003\",\"name\":\"第一评审组\","
             "\"seed\":42}",
             s1, s2);
    struct t_resp *r = req(city, "POST", "/api/v1/assessments/2025/panels", body);
    expect(r, 201);
    snprintf(panel, sizeof panel, "%ld", num(r->json, "id"));
    ck_assert_int_eq(num(r->json, "candidates"), 5);
    ck_assert_int_eq(num(r->json, "seed"), 42);
    ck_assert_str_eq(t_json_str(r->json, "name"), "第一评审组");
    ck_assert_str_eq(t_json_str(cJSON_GetObjectItem(r->json, "conditions"), "title"), "senior");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "workstations")), 2);
    /* Drawn: exactly the five clean experts X6..X10. */
    const cJSON *rv = cJSON_GetObjectItem(r->json, "reviewers");
    ck_assert_int_eq(cJSON_GetArraySize(rv), 5);
    const cJSON *it;
    cJSON_ArrayForEach(it, rv)
    {
        long id = num(it, "expert_id");
        ck_assert_msg(id >= atol(x[6]) && id <= atol(x[10]), "expert %ld drawn", id);
        ck_assert_str_eq(t_json_str(it, "status"), "pending");
    }
    /* Excluded, each with its reason: X1..X5 for conflicts, X12..X14 as they cannot serve. */
    static const char *const reasons[] = {"affiliation", "project",     "match",      "team",
                                          "academician", "unavailable", "no_consent", "no_account"};
    static const char *const labels[] = {
        "与依托企业同单位",         "与工作站或依托企业有合作项目",
        "与依托企业的需求有对接",   "工作站专家团队成员",
        "工作站进站院士",           "当前不可参与（已设为不可用）",
        "未同意参与（未开启授权）", "没有可用的专家账号，无法确认和评分"};
    const cJSON *ex = cJSON_GetObjectItem(r->json, "excluded");
    ck_assert_int_eq(cJSON_GetArraySize(ex), 8);
    for (int i = 0; i < 8; i++) {
        const cJSON *e = cJSON_GetArrayItem(ex, i);
        ck_assert_int_eq(num(e, "expert_id"), atol(x[i < 5 ? 1 + i : 7 + i]));
        ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(e, "reasons")), 1);
        ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(e, "reasons"), 0)->valuestring,
                         reasons[i]);
        ck_assert_str_eq(
            cJSON_GetArrayItem(cJSON_GetObjectItem(e, "reason_labels"), 0)->valuestring, labels[i]);
    }
    char *loc = t_resp_header(r, "Location");
    char want[128];
    snprintf(want, sizeof want, "/api/v1/assessments/2025/panels/%s", panel);
    ck_assert_str_eq(loc, want);
    free(loc);
    t_resp_free(r);
    /* The draw is in the audit log. */
    char *n = scalar("SELECT count(*) FROM audit_log WHERE action = 'panel_draw'"
                     " AND record_type = 'assessment_panels' AND record_id = '%s'",
                     panel);
    ck_assert_str_eq(n, "1");
    free(n);
}
END_TEST

START_TEST(test_draw_is_deterministic_and_refusals)
{
    char body[256], first[256] = "", again[256];
    /* Only S2, no title: X1..X5 have no conflict with it and X11 (intermediate) counts too;
     * X12 is unavailable, X13 has not consented, X14 has no account. */
    snprintf(body, sizeof body,
             "{\"workstation_ids\":[%s],\"size\":3,\"discipline_code\":\"110\",\"seed\":7}", s2);
    for (int i = 0; i < 2; i++) {
        struct t_resp *r = req(admin, "POST", "/api/v1/assessments/2025/panels", body);
        expect(r, 201);
        ck_assert_int_eq(num(r->json, "candidates"), 11);
        ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "excluded")), 3);
        reviewer_ids(r->json, i ? again : first, sizeof first);
        t_resp_free(r);
    }
    ck_assert_str_eq(first, again);
    /* Six wanted, five clean for S1. */
    snprintf(body, sizeof body, "{\"workstation_ids\":[%s],\"size\":6,\"title\":\"senior\"}", s1);
    struct t_resp *r = req(city, "POST", "/api/v1/assessments/2025/panels", body);
    expect(r, 409);
    ck_assert_str_eq(t_problem_code(r), "not_enough_candidates");
    t_resp_free(r);
    r = req(city, "POST", "/api/v1/assessments/2025/panels",
            "{\"workstation_ids\":[999999],\"size\":1}");
    expect(r, 400);
    ck_assert_str_eq(t_first_error(r), "workstation_ids/unknown_record");
    t_resp_free(r);
    static const char *const bad[] = {
        "{\"size\":1}",
        "{\"workstation_ids\":[1,1],\"size\":1}",
        "{\"workstation_ids\":[1],\"size\":0}",
        "{\"workstation_ids\":[1],\"size\":1,\"title\":\"professor\"}",
        "{\"workstation_ids\":[1],\"size\":1,\"seed\":-1}",
        "{\"workstation_ids\":[1],\"size\":1,\"colour\":\"red\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(status_of(city, "POST", "/api/v1/assessments/2025/panels", bad[i]) == 400,
                      "%s", bad[i]);
    snprintf(body, sizeof body, "{\"workstation_ids\":[%s],\"size\":1}", s2);
    ck_assert_int_eq(status_of(county, "POST", "/api/v1/assessments/2025/panels", body), 403);
    ck_assert_int_eq(status_of(rev[0], "POST", "/api/v1/assessments/2025/panels", body), 403);
    ck_assert_int_eq(status_of(ent, "GET", "/api/v1/assessments/2025/panels", NULL), 403);
    r = req(county, "GET", "/api/v1/assessments/2025/panels", NULL);
    expect(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 3);
    t_resp_free(r);
}
END_TEST

/* Who could not serve becomes drawable once they can: an account for X14 (a disabled account
 * counts as none), consent from X13; reasons add up when several apply. */
START_TEST(test_draw_needs_consent_availability_and_an_account)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"workstation_ids\":[%s],\"size\":12,\"discipline_code\":\"110\",\"seed\":7}", s2);
    struct t_resp *r = req(city, "POST", "/api/v1/assessments/2025/panels", body);
    expect(r, 409);
    ck_assert_str_eq(t_problem_code(r), "not_enough_candidates");
    t_resp_free(r);
    account(14, true);
    r = req(city, "POST", "/api/v1/assessments/2025/panels", body);
    expect(r, 409);
    t_resp_free(r);
    free(scalar("UPDATE users SET disabled = false WHERE expert_id = %s RETURNING 1", x[14]));
    free(scalar("UPDATE experts SET available = false WHERE id = %s RETURNING 1", x[13]));
    snprintf(body, sizeof body,
             "{\"workstation_ids\":[%s],\"size\":12,\"discipline_code\":\"110\",\"seed\":7,"
             "\"name\":\"第二评审组\"}",
             s2);
    r = req(city, "POST", "/api/v1/assessments/2025/panels", body);
    expect(r, 201);
    ck_assert_int_eq(num(r->json, "candidates"), 12);
    const cJSON *ex = cJSON_GetObjectItem(r->json, "excluded");
    ck_assert_int_eq(cJSON_GetArraySize(ex), 2);
    const cJSON *e13 = cJSON_GetArrayItem(ex, 1);
    ck_assert_int_eq(num(e13, "expert_id"), atol(x[13]));
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(e13, "reasons")), 2);
    ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(e13, "reasons"), 0)->valuestring,
                     "no_consent");
    ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(e13, "reasons"), 1)->valuestring,
                     "unavailable");
    t_resp_free(r);
    free(scalar("UPDATE experts SET available = true, consent = true WHERE id = %s RETURNING 1",
                x[13]));
}
END_TEST

START_TEST(test_confirmation_and_what_reviewers_see)
{
    char path[128], stations[160], confirm[160];
    snprintf(path, sizeof path, "/api/v1/assessments/2025/panels/%s", panel);
    snprintf(stations, sizeof stations, "%s/stations", path);
    snprintf(confirm, sizeof confirm, "%s/confirmation", path);
    /* The excluded expert sees no panel. */
    ck_assert_int_eq(status_of(conflicted, "GET", path, NULL), 404);
    struct t_resp *r = req(conflicted, "GET", "/api/v1/assessments/2025/panels", NULL);
    expect(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    t_resp_free(r);
    ck_assert_int_eq(status_of(conflicted, "POST", confirm, "{\"decision\":\"confirm\"}"), 404);
    /* A drawn reviewer sees the panel, without the others' conflicts. */
    r = req(rev[0], "GET", path, NULL);
    expect(r, 200);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r->json, "excluded")));
    t_resp_free(r);
    r = req(rev[0], "GET", stations, NULL);
    expect(r, 403);
    t_resp_free(r);
    ck_assert_int_eq(status_of(rev[0], "POST", confirm, "{\"decision\":\"maybe\"}"), 400);
    ck_assert_int_eq(status_of(city, "POST", confirm, "{\"decision\":\"confirm\"}"), 403);
    r = req(rev[0], "POST", confirm, "{\"decision\":\"confirm\",\"note\":\"按时参加\"}");
    expect(r, 200);
    t_resp_free(r);
    ck_assert_int_eq(status_of(rev[0], "POST", confirm, "{\"decision\":\"decline\"}"), 409);
    ck_assert_int_eq(status_of(rev[1], "POST", confirm, "{\"decision\":\"decline\"}"), 200);
    ck_assert_int_eq(status_of(rev[1], "GET", stations, NULL), 403);
    r = req(city, "GET", path, NULL);
    expect(r, 200);
    int confirmed = 0, declined = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "reviewers"))
    {
        confirmed += strcmp(t_json_str(it, "status"), "confirmed") == 0;
        declined += strcmp(t_json_str(it, "status"), "declined") == 0;
    }
    ck_assert_int_eq(confirmed, 1);
    ck_assert_int_eq(declined, 1);
    t_resp_free(r);
    /* Confirmed: the assigned stations with their reports and evidence. */
    r = req(rev[0], "GET", stations, NULL);
    expect(r, 200);
    const cJSON *items = cJSON_GetObjectItem(r->json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 2);
    const cJSON *first = cJSON_GetArrayItem(items, 0);
    ck_assert_str_eq(t_json_str(cJSON_GetObjectItem(first, "workstation"), "name"), "评审站一");
    ck_assert_str_eq(t_json_str(cJSON_GetObjectItem(first, "report"), "status"), "accepted");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(first, "evidence")), 1);
    /* The checklist items to score, from the rubric in force (the default has some). */
    const cJSON *checklist = cJSON_GetObjectItem(r->json, "checklist");
    ck_assert_int_gt(cJSON_GetArraySize(checklist), 0);
    ck_assert_ptr_nonnull(t_json_str(cJSON_GetArrayItem(checklist, 0), "key"));
    ck_assert_ptr_nonnull(t_json_str(cJSON_GetArrayItem(checklist, 0), "name"));
    long ev = num(cJSON_GetArrayItem(cJSON_GetObjectItem(first, "evidence"), 0), "id");
    t_resp_free(r);
    char evpath[160];
    snprintf(evpath, sizeof evpath, "/api/v1/workstations/%s/reports/2025/evidence/%ld", s1, ev);
    ck_assert_int_eq(status_of(rev[0], "GET", evpath, NULL), 200);
    ck_assert_int_eq(status_of(rev[1], "GET", evpath, NULL), 404);
    ck_assert_int_eq(status_of(conflicted, "GET", evpath, NULL), 404);
    /* S3 is not assigned to the panel: its evidence stays hidden. */
    snprintf(evpath, sizeof evpath, "/api/v1/workstations/%s/reports/2025/evidence", s3);
    ck_assert_int_eq(status_of(rev[0], "GET", evpath, NULL), 404);
    /* Reviewers do not read reports through the workstation routes. */
    snprintf(evpath, sizeof evpath, "/api/v1/workstations/%s/reports/2025", s1);
    ck_assert_int_eq(status_of(rev[0], "GET", evpath, NULL), 403);
}
END_TEST

START_TEST(test_reviewer_scores_feed_the_run)
{
    char path[160];
    snprintf(path, sizeof path, "/api/v1/assessments/2025/panels/%s/scores/%s", panel, s1);
    ck_assert_int_eq(status_of(rev[0], "PUT", path, "{\"scores\":{\"days\":3}}"), 400);
    ck_assert_int_eq(status_of(rev[0], "PUT", path, "{\"scores\":{\"rules\":11}}"), 400);
    ck_assert_int_eq(status_of(rev[1], "PUT", path, "{\"scores\":{\"rules\":2}}"), 403);
    ck_assert_int_eq(status_of(rev[2], "PUT", path, "{\"scores\":{\"rules\":2}}"), 403);
    ck_assert_int_eq(status_of(conflicted, "PUT", path, "{\"scores\":{\"rules\":2}}"), 404);
    ck_assert_int_eq(status_of(city, "PUT", path, "{\"scores\":{\"rules\":2}}"), 403);
    struct t_resp *r = req(rev[0], "PUT", path, "{\"scores\":{\"rules\":8,\"conditions\":6}}");
    expect(r, 200);
    ck_assert_int_eq(num(cJSON_GetObjectItem(r->json, "scores"), "rules"), 8);
    t_resp_free(r);
    char other[160];
    snprintf(other, sizeof other, "/api/v1/assessments/2025/panels/%s/scores/%s", panel, s3);
    ck_assert_int_eq(status_of(rev[0], "PUT", other, "{\"scores\":{\"rules\":8}}"), 404);
    /* A second confirmed reviewer: the run takes the mean, 8 and 5 → 6.5. */
    char confirm[160];
    snprintf(confirm, sizeof confirm, "/api/v1/assessments/2025/panels/%s/confirmation", panel);
    ck_assert_int_eq(status_of(rev[2], "POST", confirm, "{\"decision\":\"confirm\"}"), 200);
    ck_assert_int_eq(status_of(rev[2], "PUT", path, "{\"scores\":{\"rules\":5}}"), 200);
    ck_assert_int_eq(status_of(city, "POST", "/api/v1/assessments/2025/run", NULL), 200);
    char results[128];
    snprintf(results, sizeof results, "/api/v1/assessments/2025/results?limit=200");
    r = req(city, "GET", results, NULL);
    expect(r, 200);
    const cJSON *it, *mine = NULL;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
    {
        if (num(it, "workstation_id") == atol(s1))
            mine = it;
    }
    ck_assert_ptr_nonnull(mine);
    const cJSON *leaves = cJSON_GetObjectItem(mine, "leaves");
    ck_assert(cJSON_GetObjectItem(leaves, "rules")->valuedouble == 6.5);
    ck_assert(cJSON_GetObjectItem(leaves, "conditions")->valuedouble == 6);
    t_resp_free(r);
    /* What staff enter wins, item by item. */
    char check[128];
    snprintf(check, sizeof check, "/api/v1/assessments/2025/checklist/%s", s1);
    ck_assert_int_eq(status_of(city, "PUT", check, "{\"scores\":{\"rules\":2}}"), 200);
    ck_assert_int_eq(status_of(city, "POST", "/api/v1/assessments/2025/run", NULL), 200);
    r = req(city, "GET", results, NULL);
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
    {
        if (num(it, "workstation_id") == atol(s1)) {
            leaves = cJSON_GetObjectItem(it, "leaves");
            ck_assert(cJSON_GetObjectItem(leaves, "rules")->valuedouble == 2);
            ck_assert(cJSON_GetObjectItem(leaves, "conditions")->valuedouble == 6);
        }
    }
    t_resp_free(r);
}
END_TEST

/* A broad draw over many experts who cannot serve keeps every conflict of interest but lists
 * at most 200 of the others, with the counts of all (migration 0034). */
START_TEST(test_draw_lists_a_bounded_exclusion_list)
{
    /* 250 experts of 321012 without an account, and one with an account who can serve. */
    free(scalar("INSERT INTO experts (kind, name, affiliation, title, region_code,"
                " discipline_codes, available, consent) SELECT 'expert', '广泛专家' || g,"
                " '扬州市农业科学院', 'senior', '321012', '{11011}', true, true"
                " FROM generate_series(1, 251) g RETURNING 1"));
    free(scalar("INSERT INTO users (username, display_name, role, expert_id, password_hash)"
                " SELECT 'p_wide', '广泛专家', 'expert', max(id), 'x' FROM experts"
                " WHERE region_code = '321012' RETURNING 1"));
    char body[160];
    snprintf(body, sizeof body, "{\"workstation_ids\":[%s],\"size\":1,\"region_code\":\"321012\"}",
             s1);
    struct t_resp *r = req(city, "POST", "/api/v1/assessments/2025/panels", body);
    expect(r, 201);
    ck_assert_int_eq(num(r->json, "candidates"), 1);
    ck_assert_int_eq(num(r->json, "excluded_total"), 250);
    const cJSON *ex = cJSON_GetObjectItem(r->json, "excluded");
    ck_assert_int_eq(cJSON_GetArraySize(ex), 200);
    /* By expert id: the first 200 of the 250. */
    ck_assert_int_lt(num(cJSON_GetArrayItem(ex, 0), "expert_id"),
                     num(cJSON_GetArrayItem(ex, 199), "expert_id"));
    const cJSON *by = cJSON_GetObjectItem(r->json, "excluded_by_reason");
    ck_assert_int_eq(cJSON_GetArraySize(by), 1);
    ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(by, 0), "reason"), "no_account");
    ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(by, 0), "reason_label"),
                     "没有可用的专家账号，无法确认和评分");
    ck_assert_int_eq(num(cJSON_GetArrayItem(by, 0), "count"), 250);
    char id[16];
    snprintf(id, sizeof id, "%ld", num(r->json, "id"));
    t_resp_free(r);
    char *n =
        scalar("SELECT jsonb_array_length(exclusions) FROM assessment_panels WHERE id = %s", id);
    ck_assert_str_eq(n, "200");
    free(n);
    /* A conflict of interest is listed however many others there are: the host's own staff. */
    free(scalar("UPDATE experts SET affiliation = '扬州甲科技有限公司' WHERE id = (SELECT max(id)"
                " FROM experts WHERE region_code = '321012' AND id NOT IN (SELECT expert_id FROM"
                " users WHERE expert_id IS NOT NULL)) RETURNING 1"));
    free(scalar("INSERT INTO users (username, display_name, role, expert_id, password_hash)"
                " SELECT 'p_wide2', '广泛专家', 'expert', min(id), 'x' FROM experts"
                " WHERE region_code = '321012' RETURNING 1"));
    r = req(city, "POST", "/api/v1/assessments/2025/panels", body);
    expect(r, 201);
    ex = cJSON_GetObjectItem(r->json, "excluded");
    ck_assert_int_eq(num(r->json, "excluded_total"), 249);
    ck_assert_int_eq(cJSON_GetArraySize(ex), 201);
    const cJSON *first = cJSON_GetObjectItem(cJSON_GetArrayItem(ex, 0), "reasons");
    ck_assert_str_eq(cJSON_GetArrayItem(first, 0)->valuestring, "affiliation");
    t_resp_free(r);
    /* Experts see no exclusions at all. */
    snprintf(body, sizeof body, "/api/v1/assessments/2025/panels/%s", panel);
    r = req(rev[0], "GET", body, NULL);
    expect(r, 200);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r->json, "excluded_total")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r->json, "excluded_by_reason")));
    t_resp_free(r);
}
END_TEST

START_TEST(test_published_year_is_frozen)
{
    ck_assert_int_eq(status_of(city, "POST", "/api/v1/assessments/2025/publish", NULL), 200);
    char body[128], path[160], confirm[160];
    snprintf(body, sizeof body, "{\"workstation_ids\":[%s],\"size\":1}", s2);
    struct t_resp *r = req(city, "POST", "/api/v1/assessments/2025/panels", body);
    expect(r, 409);
    ck_assert_str_eq(t_problem_code(r), "assessment_published");
    t_resp_free(r);
    snprintf(confirm, sizeof confirm, "/api/v1/assessments/2025/panels/%s/confirmation", panel);
    ck_assert_int_eq(status_of(rev[3], "POST", confirm, "{\"decision\":\"confirm\"}"), 409);
    snprintf(path, sizeof path, "/api/v1/assessments/2025/panels/%s/scores/%s", panel, s1);
    r = req(rev[0], "PUT", path, "{\"scores\":{\"rules\":1}}");
    expect(r, 409);
    ck_assert_str_eq(t_problem_code(r), "assessment_published");
    t_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/assessments/2025/panels/%s", panel);
    ck_assert_int_eq(status_of(rev[0], "GET", path, NULL), 200);
}
END_TEST

static Suite *panels_suite(void)
{
    Suite *s = suite_create("panels");
    TCase *tc = tcase_create("panels");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_draw_excludes_conflicts);
    tcase_add_test(tc, test_draw_is_deterministic_and_refusals);
    tcase_add_test(tc, test_confirmation_and_what_reviewers_see);
    tcase_add_test(tc, test_reviewer_scores_feed_the_run);
    tcase_add_test(tc, test_draw_needs_consent_availability_and_an_account);
    tcase_add_test(tc, test_draw_lists_a_bounded_exclusion_list);
    tcase_add_test(tc, test_published_year_is_frozen);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(panels_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
