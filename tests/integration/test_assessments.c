/* The annual assessment: the rubric as data (default, previous year, refusals of rubrics that
 * do not add up), checklist scores, the run (scores checked by hand, ties, missing and not
 * accepted reports, exemplars without report problems, deterministic reruns), adjustments
 * with reasons, publication freezing the year, and the roles. */
#include "harness.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct t_server srv;
static char admin[64], city[64], county[64], ent[64];
static char st[7][16]; /* A B C D (accepted), E (submitted), F (no report), G (planning) */

/* Two leaves: days on site linear to 50 for 60 points, a checklist item of 40. */
static const char rubric[] =
    "{\"items\":[{\"key\":\"team\",\"name\":\"团队建设\",\"points\":60,\"children\":["
    "{\"key\":\"days\",\"name\":\"院士在站工作天数\",\"points\":60,\"rule\":{\"kind\":\"linear\","
    "\"indicator\":\"academician_days\",\"target\":50}}]},"
    "{\"key\":\"rules\",\"name\":\"制度建设\",\"points\":40,\"rule\":{\"kind\":\"checklist\"},"
    "\"evidence_required\":true}],"
    "\"grades\":{\"excellent\":85,\"good\":75,\"pass\":60},\"exemplar_limit\":1}";

static char *scalar(const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    char *v = t_db_scalar(&srv, sql);
    ck_assert_msg(v != NULL, "query failed: %s", sql);
    return v;
}

static void login_as(char *token, const char *user, const char *role, const char *extra)
{
    t_create_user(&srv, user, role, "Test-pass-2026", extra);
    snprintf(token, 64, "%s", t_login(&srv, user, "Test-pass-2026"));
}

static void station(int i, const char *status, const char *report, double days)
{
    char *id = scalar("INSERT INTO workstations (name, host_enterprise_id, region_code, status)"
                      " VALUES ('考核站%c', (SELECT min(id) FROM enterprises), '%s', '%s')"
                      " RETURNING id",
                      'A' + i, i == 2 ? "321012" : "321003", status);
    snprintf(st[i], sizeof st[i], "%s", id);
    free(id);
    if (report) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "INSERT INTO workstation_reports (workstation_id, year, status, academician_days)"
                 " VALUES (%s, 2025, '%s', %g)",
                 st[i], report, days);
        t_db_exec(&srv, sql);
    }
}

static void setup(void)
{
    t_server_start(&srv, "it_assessments", true, NULL);
    t_db_exec(&srv, "INSERT INTO enterprises (name, credit_code, region_code) VALUES"
                    " ('扬州甲科技有限公司', '91321003MA1M00001A', '321003')");
    station(0, "running", "accepted", 50);
    station(1, "running", "accepted", 50);
    station(2, "running", "accepted", 25);
    station(3, "running", "accepted", 10);
    station(4, "running", "submitted", 40);
    station(5, "running", NULL, 0);
    station(6, "planning", "accepted", 50);
    /* A's days are recorded by activities; B claims the same without a record. */
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO service_activities (kind, title, held_on, workstation_id,"
             " academician_days) VALUES ('enterprise_station', '进站', '2025-05-01', %s, 50)",
             st[0]);
    t_db_exec(&srv, sql);
    /* The rubric requires evidence for 制度建设: A, B and C have a file naming it, D none. */
    snprintf(sql, sizeof sql,
             "INSERT INTO workstation_evidence (report_id, workstation_id, year, file_name,"
             " content_type, size, sha256, indicator) SELECT id, workstation_id, year, '制度.pdf',"
             " 'application/pdf', 5, repeat('0', 64), 'rules' FROM workstation_reports"
             " WHERE workstation_id IN (%s, %s, %s)",
             st[0], st[1], st[2]);
    t_db_exec(&srv, sql);
    login_as(admin, "a_admin", "admin", NULL);
    login_as(city, "a_city", "city_staff", NULL);
    login_as(county, "a_county", "county_staff", "--region 321003");
    login_as(ent, "a_ent", "enterprise", "--enterprise 1");
}

static void teardown(void)
{
    t_server_finish(&srv);
}

static struct t_resp *call(const char *token, const char *method, const char *path,
                           const char *const *headers, const char *body)
{
    char saved[64];
    memcpy(saved, srv.token, sizeof saved);
    snprintf(srv.token, sizeof srv.token, "%s", token ? token : "");
    struct t_resp *r = t_request(&srv, method, path, headers, body);
    memcpy(srv.token, saved, sizeof saved);
    return r;
}

static struct t_resp *req(const char *token, const char *method, const char *path, const char *body)
{
    return call(token, method, path, NULL, body);
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

static const char *first_error(const struct t_resp *r)
{
    static char out[160];
    cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "errors"), 0);
    snprintf(out, sizeof out, "%s/%s", t_json_str(e, "field"), t_json_str(e, "code"));
    return out;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", key);
    return v->valuedouble;
}

/* The result of a station in a results page. */
static const cJSON *result_of(const struct t_resp *r, const char *station)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
    {
        if ((long)num(it, "workstation_id") == atol(station))
            return it;
    }
    ck_abort_msg("station %s not in results", station);
    return NULL;
}

START_TEST(test_rubric_defaults_refusals_and_save)
{
    struct t_resp *r = req(county, "GET", "/api/v1/assessments/2025/rubric", NULL);
    expect(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "source"), "default");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r->json, "published")));
    const cJSON *items = cJSON_GetObjectItem(cJSON_GetObjectItem(r->json, "rubric"), "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 4);
    ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(items, 0), "name"), "基础建设");
    t_resp_free(r);
    static const struct {
        const char *body;
        const char *error;
    } bad[] = {
        {"{\"items\":[{\"key\":\"a\",\"name\":\"甲\",\"points\":100,\"children\":["
         "{\"key\":\"b\",\"name\":\"乙\",\"points\":50,\"rule\":{\"kind\":\"checklist\"}}]}],"
         "\"grades\":{\"excellent\":85,\"good\":75,\"pass\":60}}",
         "items[0].children/points_mismatch"},
        {"{\"items\":[{\"key\":\"a\",\"name\":\"甲\",\"points\":80,\"rule\":{\"kind\":"
         "\"checklist\"}}],\"grades\":{\"excellent\":85,\"good\":75,\"pass\":60}}",
         "items/points_mismatch"},
        {"{\"items\":[{\"key\":\"a\",\"name\":\"甲\",\"points\":100,\"rule\":{\"kind\":"
         "\"checklist\"}}],\"grades\":{\"excellent\":60,\"good\":75,\"pass\":85}}",
         "grades/out_of_order"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = req(city, "PUT", "/api/v1/assessments/2025/rubric", bad[i].body);
        expect(r, 400);
        ck_assert_str_eq(t_problem_code(r), "invalid_rubric");
        ck_assert_str_eq(t_json_str(r->json, "title"), "考核细则不成立");
        ck_assert_str_eq(first_error(r), bad[i].error);
        t_resp_free(r);
    }
    ck_assert_int_eq(status_of(county, "PUT", "/api/v1/assessments/2025/rubric", rubric), 403);
    ck_assert_int_eq(status_of(ent, "GET", "/api/v1/assessments/2025/rubric", NULL), 403);
    ck_assert_int_eq(status_of(city, "GET", "/api/v1/assessments/1999/rubric", NULL), 404);
    r = req(city, "PUT", "/api/v1/assessments/2025/rubric", rubric);
    expect(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "source"), "saved");
    ck_assert_int_eq((int)num(r->json, "version"), 1);
    t_resp_free(r);
    const char *const stale[] = {"If-Match: \"7\"", NULL};
    r = call(city, "PUT", "/api/v1/assessments/2025/rubric", stale, rubric);
    expect(r, 412);
    t_resp_free(r);
    const char *const fresh[] = {"If-Match: \"1\"", NULL};
    r = call(city, "PUT", "/api/v1/assessments/2025/rubric", fresh, rubric);
    expect(r, 200);
    ck_assert_int_eq((int)num(r->json, "version"), 2);
    t_resp_free(r);
    /* The next year starts from this one. */
    r = req(city, "GET", "/api/v1/assessments/2026/rubric", NULL);
    expect(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "source"), "previous");
    t_resp_free(r);
}
END_TEST

START_TEST(test_checklist_scores)
{
    char path[256], body[128];
    snprintf(path, sizeof path, "/api/v1/assessments/2025/checklist/%s", st[0]);
    struct t_resp *r = req(city, "PUT", path, "{\"scores\":{\"days\":10}}");
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "scores.days/invalid_value");
    t_resp_free(r);
    ck_assert_int_eq(status_of(city, "PUT", path, "{\"scores\":{\"rules\":41}}"), 400);
    ck_assert_int_eq(status_of(city, "PUT", path, "{\"rules\":30}"), 400);
    ck_assert_int_eq(status_of(county, "PUT", path, "{\"scores\":{\"rules\":30}}"), 403);
    ck_assert_int_eq(status_of(city, "PUT", "/api/v1/assessments/2025/checklist/999999",
                               "{\"scores\":{\"rules\":30}}"),
                     404);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "/api/v1/assessments/2025/checklist/%s", st[i]);
        snprintf(body, sizeof body, "{\"scores\":{\"rules\":%d}}", i < 2 ? 30 : 40);
        r = req(city, "PUT", path, body);
        expect(r, 200);
        t_resp_free(r);
    }
}
END_TEST

/* A: 50/50 × 60 + 30 = 90; B the same (a tie); C 25/50 × 60 + 40 = 70; D 10/50 × 60 = 12. */
START_TEST(test_run_scores_ranks_grades_and_proposes)
{
    struct t_resp *r = req(city, "POST", "/api/v1/assessments/2025/run", NULL);
    expect(r, 200);
    ck_assert_int_eq((int)num(r->json, "stations"), 6);
    ck_assert_int_eq((int)num(r->json, "scored"), 4);
    ck_assert_int_eq((int)num(r->json, "missing"), 1);
    ck_assert_int_eq((int)num(r->json, "not_accepted"), 1);
    const cJSON *ex = cJSON_GetObjectItem(r->json, "exemplars");
    ck_assert_int_eq(cJSON_GetArraySize(ex), 1);
    ck_assert_int_eq((long)cJSON_GetArrayItem(ex, 0)->valuedouble, atol(st[0]));
    t_resp_free(r);
    r = req(county, "GET", "/api/v1/assessments/2025/results?limit=200", NULL);
    expect(r, 200);
    const cJSON *a = result_of(r, st[0]), *b = result_of(r, st[1]), *c = result_of(r, st[2]),
                *d = result_of(r, st[3]), *e = result_of(r, st[4]), *f = result_of(r, st[5]);
    ck_assert(num(a, "score") == 90 && num(b, "score") == 90);
    ck_assert(num(a, "rank") == 1 && num(b, "rank") == 1);
    ck_assert(num(c, "score") == 70 && num(c, "rank") == 3);
    ck_assert(num(d, "score") == 12 && num(d, "rank") == 4);
    ck_assert_str_eq(t_json_str(a, "grade"), "excellent");
    ck_assert_str_eq(t_json_str(a, "grade_label"), "优秀");
    ck_assert_str_eq(t_json_str(c, "grade"), "pass");
    ck_assert_str_eq(t_json_str(d, "grade"), "fail");
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(a, "exemplar")));
    /* B claims days the activities did not record: a report problem, so no exemplar. */
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(b, "exemplar")));
    ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "problems"), 0)->valuestring,
                     "academician_days_excess");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(a, "problems")), 0);
    /* D's accepted report lacks the evidence the rubric requires. */
    ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(d, "problems"), 1)->valuestring,
                     "evidence_missing");
    ck_assert_str_eq(t_json_str(e, "status"), "not_accepted");
    ck_assert_str_eq(t_json_str(f, "status"), "missing");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(f, "rank")));
    ck_assert(num(cJSON_GetObjectItem(c, "leaves"), "days") == 30);
    char *first = strdup(r->body);
    t_resp_free(r);
    /* Rerunning gives the same results. */
    ck_assert_int_eq(status_of(admin, "POST", "/api/v1/assessments/2025/run", NULL), 200);
    r = req(county, "GET", "/api/v1/assessments/2025/results?limit=200", NULL);
    ck_assert_str_eq(r->body, first);
    free(first);
    t_resp_free(r);
    r = req(city, "GET", "/api/v1/assessments/2025/results?grade=excellent", NULL);
    expect(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 2);
    t_resp_free(r);
    r = req(city, "GET", "/api/v1/assessments/2025/results?limit=2", NULL);
    expect(r, 200);
    ck_assert(!cJSON_IsNull(cJSON_GetObjectItem(r->json, "next_cursor")));
    t_resp_free(r);
    ck_assert_int_eq(status_of(city, "GET", "/api/v1/assessments/2025/results?grade=top", NULL),
                     400);
    /* Without its evidence A is no exemplar either, and nobody else qualifies. */
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE workstation_evidence SET indicator = NULL"
             " WHERE workstation_id = %s",
             st[0]);
    t_db_exec(&srv, sql);
    r = req(city, "POST", "/api/v1/assessments/2025/run", NULL);
    expect(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "exemplars")), 0);
    t_resp_free(r);
    snprintf(sql, sizeof sql,
             "UPDATE workstation_evidence SET indicator = 'rules'"
             " WHERE workstation_id = %s",
             st[0]);
    t_db_exec(&srv, sql);
    ck_assert_int_eq(status_of(city, "POST", "/api/v1/assessments/2025/run", NULL), 200);
    ck_assert_int_eq(status_of(county, "POST", "/api/v1/assessments/2025/run", NULL), 403);
    ck_assert_int_eq(status_of(ent, "GET", "/api/v1/assessments/2025/results", NULL), 403);
}
END_TEST

START_TEST(test_adjust_keeps_computed_and_reranks)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v1/assessments/2025/results/%s", st[2]);
    struct t_resp *r = req(city, "PATCH", path, "{\"score\":95}");
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "reason/required");
    t_resp_free(r);
    ck_assert_int_eq(status_of(city, "PATCH", path, "{\"score\":101,\"reason\":\"x\"}"), 400);
    ck_assert_int_eq(status_of(county, "PATCH", path, "{\"score\":95,\"reason\":\"x\"}"), 403);
    r = req(city, "PATCH", path, "{\"score\":95,\"reason\":\"现场核查：制度建设材料补齐\"}");
    expect(r, 200);
    ck_assert(num(r->json, "score") == 95);
    ck_assert(num(r->json, "computed_score") == 70);
    ck_assert(num(r->json, "rank") == 1);
    ck_assert_str_eq(t_json_str(r->json, "grade"), "excellent");
    ck_assert_str_eq(t_json_str(r->json, "adjust_reason"), "现场核查：制度建设材料补齐");
    t_resp_free(r);
    r = req(city, "GET", "/api/v1/assessments/2025/results", NULL);
    ck_assert(num(result_of(r, st[0]), "rank") == 2);
    t_resp_free(r);
    /* A rerun keeps the adjustment beside the recomputed score. */
    ck_assert_int_eq(status_of(city, "POST", "/api/v1/assessments/2025/run", NULL), 200);
    r = req(city, "GET", "/api/v1/assessments/2025/results", NULL);
    ck_assert(num(result_of(r, st[2]), "score") == 95);
    ck_assert(num(result_of(r, st[2]), "computed_score") == 70);
    t_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/assessments/2025/results/%s", st[5]);
    ck_assert_int_eq(status_of(city, "PATCH", path, "{\"score\":50,\"reason\":\"x\"}"), 404);
    /* The grade of an adjusted score, at and just below each threshold (85, 75, 60). */
    snprintf(path, sizeof path, "/api/v1/assessments/2025/results/%s", st[3]);
    static const struct {
        const char *score, *grade;
    } bounds[] = {{"85", "excellent"}, {"84.99", "good"}, {"75", "good"},
                  {"74.99", "pass"},   {"60", "pass"},    {"59.99", "fail"}};
    for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
        char body[96];
        snprintf(body, sizeof body, "{\"score\":%s,\"reason\":\"边界\"}", bounds[i].score);
        r = req(city, "PATCH", path, body);
        expect(r, 200);
        ck_assert_msg(strcmp(t_json_str(r->json, "grade"), bounds[i].grade) == 0, "%s: %s",
                      bounds[i].score, t_json_str(r->json, "grade"));
        t_resp_free(r);
    }
    /* Back to the computed score. */
    snprintf(path, sizeof path, "/api/v1/assessments/2025/results/%s", st[3]);
    ck_assert_int_eq(status_of(city, "PATCH", path, "{\"score\":61,\"reason\":\"复核\"}"), 200);
    r = req(city, "PATCH", path, "{\"score\":null}");
    expect(r, 200);
    ck_assert(num(r->json, "score") == 12);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r->json, "adjust_reason")));
    t_resp_free(r);
}
END_TEST

START_TEST(test_publish_freezes_the_year)
{
    struct t_resp *r = req(city, "POST", "/api/v1/assessments/2024/publish", NULL);
    expect(r, 409);
    ck_assert_str_eq(t_problem_code(r), "not_run");
    ck_assert_str_eq(t_json_str(r->json, "title"), "尚未运行考核");
    t_resp_free(r);
    ck_assert_int_eq(status_of(county, "POST", "/api/v1/assessments/2025/publish", NULL), 403);
    r = req(city, "POST", "/api/v1/assessments/2025/publish", NULL);
    expect(r, 200);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r->json, "published")));
    t_resp_free(r);
    char check[256], adjust[256];
    snprintf(check, sizeof check, "/api/v1/assessments/2025/checklist/%s", st[0]);
    snprintf(adjust, sizeof adjust, "/api/v1/assessments/2025/results/%s", st[0]);
    static const char *const methods[] = {"POST", "PUT", "PUT", "PATCH", "POST"};
    const char *paths[] = {"/api/v1/assessments/2025/publish", "/api/v1/assessments/2025/rubric",
                           check, adjust, "/api/v1/assessments/2025/run"};
    const char *bodies[] = {NULL, rubric, "{\"scores\":{\"rules\":1}}",
                            "{\"score\":1,\"reason\":\"x\"}", NULL};
    for (int i = 0; i < 5; i++) {
        r = req(city, methods[i], paths[i], bodies[i]);
        ck_assert_msg(r->status == 409, "%s %s: %d", methods[i], paths[i], r->status);
        ck_assert_str_eq(t_problem_code(r), "assessment_published");
        t_resp_free(r);
    }
    r = req(county, "GET", "/api/v1/assessments/2025/rubric", NULL);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r->json, "published")));
    t_resp_free(r);
}
END_TEST

/* The year's annual reports are frozen with it: filing, resubmitting and reviewing answer 409
 * assessment_published and change nothing; another year's reports are still filed. */
static void expect_published(const char *token, const char *method, const char *path,
                             const char *body)
{
    struct t_resp *r = req(token, method, path, body);
    ck_assert_msg(r->status == 409, "%s %s: %d", method, path, r->status);
    ck_assert_str_eq(t_problem_code(r), "assessment_published");
    ck_assert_str_eq(t_json_str(r->json, "title"), "该年度考核已发布");
    ck_assert_ptr_nonnull(strstr(t_json_str(r->json, "detail"), "已发布"));
    t_resp_free(r);
}

START_TEST(test_publish_freezes_the_reports)
{
    char *before = scalar("SELECT count(*) || ':' || sum(version) || ':' || string_agg(status, ',' "
                          "ORDER BY id) FROM workstation_reports WHERE year = 2025");
    char path[256];
    static const char figures[] = "{\"patents_applied\":3,\"patents_granted\":1}";
    /* F has no report: none may be made; A's accepted one may not be replaced. */
    snprintf(path, sizeof path, "/api/v1/workstations/%s/reports/2025", st[5]);
    expect_published(county, "PUT", path, figures);
    expect_published(ent, "PUT", path, figures);
    snprintf(path, sizeof path, "/api/v1/workstations/%s/reports/2025", st[0]);
    expect_published(city, "PUT", path, figures);
    /* E's submitted report is neither accepted nor returned. */
    snprintf(path, sizeof path, "/api/v1/workstations/%s/reports/2025/accept", st[4]);
    expect_published(city, "POST", path, NULL);
    snprintf(path, sizeof path, "/api/v1/workstations/%s/reports/2025/return", st[4]);
    expect_published(city, "POST", path, "{\"reason\":\"补充材料\"}");
    char *after = scalar("SELECT count(*) || ':' || sum(version) || ':' || string_agg(status, ',' "
                         "ORDER BY id) FROM workstation_reports WHERE year = 2025");
    ck_assert_str_eq(after, before);
    free(before);
    free(after);
    /* Not through the API either (migration 0030): psql, an import, a racing statement. */
    static const char *const writes[] = {
        "UPDATE workstation_reports SET summary = '改' WHERE year = 2025 RETURNING 1",
        "DELETE FROM workstation_evidence WHERE year = 2025 RETURNING 1",
        "UPDATE assessment_results SET exemplar = NOT exemplar WHERE year = 2025 RETURNING 1",
        "UPDATE assessment_years SET rubric = '{}' WHERE year = 2025 RETURNING 1",
        "DELETE FROM assessment_checklist WHERE year = 2025 RETURNING 1",
    };
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        char *v = t_db_scalar(&srv, writes[i]);
        ck_assert_msg(v == NULL, "%s: allowed", writes[i]);
    }
    char *files = scalar("SELECT count(*) FROM workstation_evidence WHERE year = 2025");
    ck_assert_str_eq(files, "3");
    free(files);
    /* Another year is open: F files its 2024 report. */
    snprintf(path, sizeof path, "/api/v1/workstations/%s/reports/2024", st[5]);
    ck_assert_int_eq(status_of(county, "PUT", path, figures), 201);
}
END_TEST

START_TEST(test_export_xlsx_and_csv)
{
    struct t_resp *r = req(county, "GET", "/api/v1/assessments/2025/export?format=xlsx", NULL);
    expect(r, 200);
    char *type = t_resp_header(r, "Content-Type"), *disp = t_resp_header(r, "Content-Disposition");
    ck_assert_str_eq(type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    /* 院士工作站考核结果-2025.xlsx, RFC 5987 encoded, beside an ASCII fallback. */
    ck_assert_ptr_nonnull(strstr(disp, "filename=\"assessment-2025.xlsx\""));
    ck_assert_ptr_nonnull(strstr(disp, "filename*=UTF-8''%E9%99%A2%E5%A3%AB"));
    free(type);
    free(disp);
    ck_assert(r->len > 4 && memcmp(r->body, "PK", 2) == 0);
    char *book = t_xlsx_part(r, "xl/workbook.xml");
    ck_assert_ptr_nonnull(strstr(book, "考核结果"));
    ck_assert_ptr_nonnull(strstr(book, "按地区和等级汇总"));
    free(book);
    char *sheet = t_xlsx_part(r, "xl/worksheets/sheet1.xml");
    static const char *const want[] = {"名次",
                                       "工作站名称",
                                       "依托企业",
                                       "最终得分",
                                       "示范典型推荐",
                                       "考核站A",
                                       "扬州甲科技有限公司",
                                       "邗江区",
                                       "优秀",
                                       "现场核查：制度建设材料补齐",
                                       "<v>95</v>",
                                       "<v>70</v>",
                                       "未提交年度报告",
                                       "topLeftCell=\"A2\""};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(sheet, want[i]) != NULL, "sheet1 lacks %s", want[i]);
    free(sheet);
    char *summary = t_xlsx_part(r, "xl/worksheets/sheet2.xml");
    ck_assert_ptr_nonnull(strstr(summary, "全市合计"));
    ck_assert_ptr_nonnull(strstr(summary, "江都区"));
    free(summary);
    t_resp_free(r);
    r = req(city, "GET", "/api/v1/assessments/2025/export?format=csv", NULL);
    expect(r, 200);
    type = t_resp_header(r, "Content-Type");
    ck_assert_str_eq(type, "text/csv; charset=utf-8");
    free(type);
    ck_assert(memcmp(r->body, "\xEF\xBB\xBF", 3) == 0);
    /* Header, then one line per running station, in rank order. */
    int lines = 0, tied = 0;
    bool found = false;
    for (char *line = strtok(r->body + 3, "\r\n"); line; line = strtok(NULL, "\r\n")) {
        if (lines == 0)
            ck_assert_str_eq(line, "名次,并列,工作站编号,工作站名称,依托企业,所在地区,计算得分,"
                                   "调整得分,调整理由,最终得分,等级,示范典型推荐,评分状态,"
                                   "报告问题");
        if (strstr(line, "考核站C")) {
            char want_line[256];
            snprintf(want_line, sizeof want_line,
                     "1,,%s,考核站C,扬州甲科技有限公司,江都区,70.00,95.00,"
                     "现场核查：制度建设材料补齐,95.00,优秀,,已评分,院士在站天数多于服务活动记录",
                     st[2]);
            ck_assert_str_eq(line, want_line);
            found = true;
        }
        /* A and B share rank 2 (90 each): shown as 并列. */
        if (strstr(line, "考核站A") || strstr(line, "考核站B")) {
            ck_assert_msg(strncmp(line, "2,是,", strlen("2,是,")) == 0, "%s", line);
            tied++;
        }
        lines++;
    }
    ck_assert(found);
    ck_assert_int_eq(tied, 2);
    ck_assert_int_eq(lines, 7);
    t_resp_free(r);
    ck_assert_int_eq(status_of(city, "GET", "/api/v1/assessments/2025/export?format=pdf", NULL),
                     400);
    ck_assert_int_eq(status_of(city, "GET", "/api/v1/assessments/2030/export", NULL), 404);
    ck_assert_int_eq(status_of(ent, "GET", "/api/v1/assessments/2025/export", NULL), 403);
}
END_TEST

static Suite *assessments_suite(void)
{
    Suite *s = suite_create("assessments");
    TCase *tc = tcase_create("assessments");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_rubric_defaults_refusals_and_save);
    tcase_add_test(tc, test_checklist_scores);
    tcase_add_test(tc, test_run_scores_ranks_grades_and_proposes);
    tcase_add_test(tc, test_adjust_keeps_computed_and_reranks);
    tcase_add_test(tc, test_publish_freezes_the_year);
    tcase_add_test(tc, test_publish_freezes_the_reports);
    tcase_add_test(tc, test_export_xlsx_and_csv);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(assessments_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
