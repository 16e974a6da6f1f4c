/* Academician workstations and their annual reports: validation, the scope of each role,
 * status moves with their history, academicians in residence and the team, ETag/If-Match,
 * Idempotency-Key, archive/restore, filters and pages; reports with their indicator checks,
 * the default academician days from service activities and the review workflow. */
#include "harness.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct t_server srv;
static char admin[64], city[64], county[64], county2[64], ent[64], ent2[64], expert[64];
static char ent_a[16], ent_b[16], expert_a[16], academician[16], academician2[16];

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

static void assert_scalar(const char *want, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    char *v = t_db_scalar(&srv, sql);
    ck_assert_msg(v != NULL && strcmp(v, want) == 0, "%s gave %s, want %s", sql, v ? v : "NULL",
                  want);
    free(v);
}

static void copy_id(char *out, size_t cap, const char *sql)
{
    char *v = scalar("%s", sql);
    ck_assert_msg(*v, "no id from %s", sql);
    snprintf(out, cap, "%s", v);
    free(v);
}

static void login_as(char *token, const char *user, const char *role, const char *extra)
{
    t_create_user(&srv, user, role, "Test-pass-2026", extra);
    snprintf(token, 64, "%s", t_login(&srv, user, "Test-pass-2026"));
}

static void setup(void)
{
    t_server_start(&srv, "it_workstations", true, NULL);
    copy_id(ent_a, sizeof ent_a,
            "INSERT INTO enterprises (name, credit_code, region_code) VALUES ('扬州甲科技有限公司',"
            " '91321003MA1M00001A', '321003') RETURNING id");
    copy_id(ent_b, sizeof ent_b,
            "INSERT INTO enterprises (name, credit_code, region_code) VALUES ('扬州乙材料有限公司',"
            " '91321012MA1M00002E', '321012') RETURNING id");
    copy_id(expert_a, sizeof expert_a,
            "INSERT INTO experts (name, region_code, affiliation) VALUES ('张教授', '321003',"
            " '扬州大学') RETURNING id");
    copy_id(academician, sizeof academician,
            "INSERT INTO experts (kind, name, academy) VALUES ('academician', '王院士', 'CAE')"
            " RETURNING id");
    copy_id(academician2, sizeof academician2,
            "INSERT INTO experts (kind, name, academy) VALUES ('academician', '陈院士', 'CAS')"
            " RETURNING id");
    char bind[64];
    login_as(admin, "w_admin", "admin", NULL);
    login_as(city, "w_city", "city_staff", NULL);
    login_as(county, "w_county", "county_staff", "--region 321003");
    login_as(county2, "w_county2", "county_staff", "--region 321012");
    snprintf(bind, sizeof bind, "--enterprise %s", ent_a);
    login_as(ent, "w_ent", "enterprise", bind);
    snprintf(bind, sizeof bind, "--enterprise %s", ent_b);
    login_as(ent2, "w_ent2", "enterprise", bind);
    snprintf(bind, sizeof bind, "--expert %s", expert_a);
    login_as(expert, "w_expert", "expert", bind);
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

static const char *first_error(const struct t_resp *r)
{
    static char out[128];
    cJSON *errors = cJSON_GetObjectItem(r->json, "errors");
    cJSON *e = cJSON_GetArrayItem(errors, 0);
    snprintf(out, sizeof out, "%s/%s", t_json_str(e, "field"), t_json_str(e, "code"));
    return out;
}

static long json_int(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", key);
    return (long)v->valuedouble;
}

static double json_num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", key);
    return v->valuedouble;
}

static int status_of(const char *token, const char *method, const char *path, const char *body)
{
    struct t_resp *r = req(token, method, path, body);
    int s = r->status;
    t_resp_free(r);
    return s;
}

static long create(const char *token, const char *body)
{
    struct t_resp *r = req(token, "POST", "/api/v1/workstations", body);
    expect(r, 201);
    long id = json_int(r->json, "id");
    t_resp_free(r);
    return id;
}

/* A running station of ent_a (邗江区) or ent_b (江都区). */
static long station(const char *name, bool of_a)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"host_enterprise_id\":%s,\"status\":\"running\"}", name,
             of_a ? ent_a : ent_b);
    return create(admin, body);
}

static void path_of(char *out, size_t cap, long id, const char *suffix)
{
    snprintf(out, cap, "/api/v1/workstations/%ld%s", id, suffix);
}

static int items(const struct t_resp *r)
{
    return cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items"));
}

static bool lists(const struct t_resp *r, long id)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
    {
        if ((long)cJSON_GetObjectItem(it, "id")->valuedouble == id)
            return true;
    }
    return false;
}

START_TEST(test_workstation_create_validates_every_field)
{
    char unknown_host[] = "{\"name\":\"x\",\"host_enterprise_id\":999999}";
    static const struct {
        const char *body;
        int status;
        const char *error;
    } cases[] = {
        {"{\"host_enterprise_id\":1}", 400, "name/required"},
        {"{\"name\":\"x\"}", 400, "host_enterprise_id/required"},
        {"{\"name\":\"x\",\"host_enterprise_id\":0}", 400, "host_enterprise_id/out_of_range"},
        {"{\"name\":\"x\",\"host_enterprise_id\":\"1\"}", 400, "host_enterprise_id/type"},
        {"{\"name\":\"x\",\"host_enterprise_id\":1,\"level\":\"national\"}", 400,
         "level/invalid_value"},
        {"{\"name\":\"x\",\"host_enterprise_id\":1,\"status\":\"closed\"}", 400,
         "status/invalid_value"},
        {"{\"name\":\"x\",\"host_enterprise_id\":1,\"established_on\":\"2026-02-30\"}", 400,
         "established_on/invalid_date"},
        {"{\"name\":\"x\",\"host_enterprise_id\":1,\"demonstration_year\":1800}", 400,
         "demonstration_year/out_of_range"},
        {"{\"name\":\"x\",\"host_enterprise_id\":1,\"region_code\":\"999999\"}", 400,
         "region_code/unknown_code"},
        {"{\"name\":\"x\",\"host_enterprise_id\":1,\"industry_code\":\"c38\"}", 400,
         "industry_code/invalid_code"},
        {"{\"name\":\"x\",\"host_enterprise_id\":1,\"colour\":\"red\"}", 400,
         "colour/unknown_field"},
        {"{\"name\":\"x\",\"host_enterprise_id\":1,\"version\":3}", 403, "version/forbidden"},
        {"{\"name\":\"x\",\"host_enterprise_id\":1,\"demonstration\":true}", 403,
         "demonstration/forbidden"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct t_resp *r = req(admin, "POST", "/api/v1/workstations", cases[i].body);
        ck_assert_msg(r->status == cases[i].status, "%s: %d %s", cases[i].body, r->status, r->body);
        ck_assert_msg(strcmp(first_error(r), cases[i].error) == 0, "%s: %s, want %s", cases[i].body,
                      first_error(r), cases[i].error);
        t_resp_free(r);
    }
    struct t_resp *r = req(admin, "POST", "/api/v1/workstations", unknown_host);
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "host_enterprise_id/unknown_record");
    t_resp_free(r);
    char body[256];
    snprintf(body, sizeof body,
             "{\"name\":\"x\",\"host_enterprise_id\":%s,\"established_on\":\"2026-05-01\","
             "\"term_end\":\"2026-04-30\"}",
             ent_a);
    r = req(admin, "POST", "/api/v1/workstations", body);
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "term_end/invalid_range");
    t_resp_free(r);
    assert_scalar("0", "SELECT count(*) FROM workstations WHERE name = 'x'");
    ck_assert_int_eq(status_of(ent, "POST", "/api/v1/workstations", body), 403);
    ck_assert_int_eq(status_of(expert, "POST", "/api/v1/workstations", body), 403);
    ck_assert_int_eq(status_of(NULL, "POST", "/api/v1/workstations", body), 401);
}
END_TEST

START_TEST(test_workstation_create_fills_defaults_and_history)
{
    char body[512];
    snprintf(
        body, sizeof body,
        "{\"name\":\" 王院士新材料工作站 \",\"host_enterprise_id\":%s,\"level\":\"provincial\","
        "\"industry_code\":\"C38\",\"established_on\":\"2024-03-01\","
        "\"term_end\":\"2027-02-28\",\"demonstration_year\":2025,"
        "\"description\":\"锂电池正极材料\"}",
        ent_b);
    struct t_resp *r = req(city, "POST", "/api/v1/workstations", body);
    expect(r, 201);
    long id = json_int(r->json, "id");
    ck_assert_str_eq(t_json_str(r->json, "name"), "王院士新材料工作站");
    ck_assert_str_eq(t_json_str(r->json, "region_code"), "321012"); /* the host's */
    ck_assert_str_eq(t_json_str(r->json, "status"), "planning");
    ck_assert_str_eq(t_json_str(r->json, "status_label"), "筹建");
    ck_assert_str_eq(t_json_str(r->json, "level_label"), "省级");
    ck_assert_str_eq(t_json_str(r->json, "host_enterprise_name"), "扬州乙材料有限公司");
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r->json, "demonstration")));
    ck_assert_int_eq(json_int(r->json, "demonstration_year"), 2025);
    ck_assert_int_eq(json_int(r->json, "academician_count"), 0);
    char *etag = t_resp_header(r, "ETag"), *loc = t_resp_header(r, "Location");
    ck_assert_str_eq(etag, "\"1\"");
    char want[64];
    path_of(want, sizeof want, id, "");
    ck_assert_str_eq(loc, want);
    free(etag);
    free(loc);
    t_resp_free(r);
    assert_scalar("planning|city_staff",
                  "SELECT to_status || '|' || role FROM workstation_transitions"
                  " WHERE workstation_id = %ld AND from_status IS NULL",
                  id);
    /* Searchable through a segmented word of the name. */
    r = req(city, "GET", "/api/v1/workstations?q=%E6%96%B0%E6%9D%90%E6%96%99", NULL);
    expect(r, 200);
    ck_assert(lists(r, id));
    t_resp_free(r);
    /* The mark is cleared by null; a patch may not name status. */
    path_of(want, sizeof want, id, "");
    r = req(city, "PATCH", want, "{\"demonstration_year\":null,\"level\":\"city\"}");
    expect(r, 200);
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r->json, "demonstration")));
    ck_assert_str_eq(t_json_str(r->json, "level"), "city");
    t_resp_free(r);
    r = req(city, "PATCH", want, "{\"status\":\"running\"}");
    expect(r, 403);
    t_resp_free(r);
}
END_TEST

START_TEST(test_workstation_scope_of_each_role)
{
    char body[256];
    /* County staff: an explicit other region 403, a host of another region 403. */
    ck_assert_int_eq(status_of(county, "POST", "/api/v1/workstations",
                               "{\"name\":\"县站\",\"host_enterprise_id\":1,"
                               "\"region_code\":\"321012\"}"),
                     403);
    snprintf(body, sizeof body, "{\"name\":\"县站\",\"host_enterprise_id\":%s}", ent_b);
    ck_assert_int_eq(status_of(county, "POST", "/api/v1/workstations", body), 403);
    snprintf(body, sizeof body, "{\"name\":\"县站\",\"host_enterprise_id\":%s}", ent_a);
    long own = create(county, body);
    long other = station("江都工作站", false);
    char path[96];
    path_of(path, sizeof path, other, "");
    ck_assert_int_eq(status_of(county, "GET", path, NULL), 200);
    ck_assert_int_eq(status_of(county, "PATCH", path, "{\"description\":\"改\"}"), 403);
    ck_assert_int_eq(status_of(county2, "PATCH", path, "{\"description\":\"改\"}"), 200);
    ck_assert_int_eq(status_of(county2, "PATCH", path, "{\"region_code\":\"321003\"}"), 403);
    /* The host enterprise sees its own station only; it may not change it. */
    path_of(path, sizeof path, own, "");
    ck_assert_int_eq(status_of(ent, "GET", path, NULL), 200);
    ck_assert_int_eq(status_of(ent2, "GET", path, NULL), 404);
    ck_assert_int_eq(status_of(ent, "PATCH", path, "{\"description\":\"改\"}"), 403);
    ck_assert_int_eq(status_of(expert, "GET", path, NULL), 403);
    path_of(path, sizeof path, own, "/history");
    ck_assert_int_eq(status_of(ent2, "GET", path, NULL), 404);
    struct t_resp *r = req(ent, "GET", "/api/v1/workstations?limit=200", NULL);
    expect(r, 200);
    ck_assert(lists(r, own));
    ck_assert(!lists(r, other));
    t_resp_free(r);
    /* A filter cannot widen it. */
    snprintf(body, sizeof body, "/api/v1/workstations?host_enterprise_id=%s", ent_b);
    r = req(ent, "GET", body, NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 0);
    t_resp_free(r);
}
END_TEST

START_TEST(test_workstation_status_moves_and_history)
{
    char body[128];
    snprintf(body, sizeof body, "{\"name\":\"状态工作站\",\"host_enterprise_id\":%s}", ent_a);
    long id = create(admin, body);
    char path[96], hist[96];
    path_of(path, sizeof path, id, "/status");
    path_of(hist, sizeof hist, id, "/history");
    struct t_resp *r = req(city, "POST", path, "{\"status\":\"running\",\"reason\":\"挂牌\"}");
    expect(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "status"), "running");
    ck_assert_int_eq(json_int(r->json, "version"), 2);
    t_resp_free(r);
    /* Not a move the table allows. */
    r = req(city, "POST", path, "{\"status\":\"planning\"}");
    expect(r, 409);
    ck_assert_str_eq(t_problem_code(r), "invalid_transition");
    ck_assert_ptr_nonnull(strstr(t_json_str(r->json, "detail"), "运行"));
    t_resp_free(r);
    r = req(city, "POST", path, "{\"status\":\"suspended\"}");
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "reason/required");
    t_resp_free(r);
    r = req(city, "POST", path, "{\"status\":\"bogus\"}");
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "status/invalid_value");
    t_resp_free(r);
    /* A stale If-Match changes nothing. */
    const char *const stale[] = {"If-Match: \"1\"", NULL};
    r = call(city, "POST", path, stale, "{\"status\":\"suspended\",\"reason\":\"整改\"}");
    expect(r, 412);
    t_resp_free(r);
    const char *const fresh[] = {"If-Match: \"2\"", NULL};
    r = call(city, "POST", path, fresh, "{\"status\":\"suspended\",\"reason\":\"整改\"}");
    expect(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "status_label"), "暂停");
    t_resp_free(r);
    ck_assert_int_eq(status_of(county2, "POST", path, "{\"status\":\"running\"}"), 403);
    ck_assert_int_eq(status_of(ent, "POST", path, "{\"status\":\"running\"}"), 403);
    ck_assert_int_eq(status_of(admin, "POST", path, "{\"status\":\"revoked\",\"reason\":\"撤\"}"),
                     200);
    ck_assert_int_eq(status_of(admin, "POST", path, "{\"status\":\"running\"}"), 409);
    r = req(ent, "GET", hist, NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 4);
    const cJSON *last = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 3);
    ck_assert_str_eq(t_json_str(last, "from_status"), "suspended");
    ck_assert_str_eq(t_json_str(last, "to_status_label"), "撤销");
    ck_assert_str_eq(t_json_str(last, "reason"), "撤");
    t_resp_free(r);
    r = req(ent, "GET", "/api/v1/workstations/999999/history", NULL);
    expect(r, 404);
    t_resp_free(r);
}
END_TEST

START_TEST(test_workstation_academicians_and_team)
{
    long id = station("院士进站工作站", true);
    char path[96], del[128], body[256];
    path_of(path, sizeof path, id, "/academicians");
    snprintf(body, sizeof body, "{\"expert_id\":%s,\"start_on\":\"2025-01-01\"}", expert_a);
    struct t_resp *r = req(city, "POST", path, body);
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "expert_id/not_academician");
    t_resp_free(r);
    r = req(city, "POST", path, "{\"expert_id\":999999,\"start_on\":\"2025-01-01\"}");
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "expert_id/unknown_record");
    t_resp_free(r);
    snprintf(body, sizeof body,
             "{\"expert_id\":%s,\"start_on\":\"2025-06-01\",\"end_on\":\"2025-01-01\"}",
             academician);
    r = req(city, "POST", path, body);
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "end_on/invalid_range");
    t_resp_free(r);
    r = req(city, "POST", path, "{\"expert_id\":1}");
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "start_on/required");
    t_resp_free(r);
    snprintf(body, sizeof body, "{\"expert_id\":%s,\"start_on\":\"2025-01-01\",\"note\":\"首席\"}",
             academician);
    r = req(county, "POST", path, body);
    expect(r, 201);
    ck_assert_str_eq(t_json_str(r->json, "name"), "王院士");
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r->json, "in_residence")));
    t_resp_free(r);
    ck_assert_int_eq(status_of(county, "POST", path, body), 409);
    ck_assert_int_eq(status_of(county2, "POST", path, body), 403);
    ck_assert_int_eq(status_of(ent, "POST", path, body), 403);
    snprintf(body, sizeof body,
             "{\"expert_id\":%s,\"start_on\":\"2023-01-01\",\"end_on\":\"2024-12-31\"}",
             academician2);
    ck_assert_int_eq(status_of(city, "POST", path, body), 201);
    r = req(ent, "GET", path, NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 2);
    t_resp_free(r);
    snprintf(del, sizeof del, "%s/%s", path, academician2);
    ck_assert_int_eq(status_of(county2, "DELETE", del, NULL), 403);
    ck_assert_int_eq(status_of(city, "DELETE", del, NULL), 204);
    ck_assert_int_eq(status_of(city, "DELETE", del, NULL), 404);
    path_of(del, sizeof del, id, "");
    r = req(city, "GET", del, NULL);
    ck_assert_int_eq(json_int(r->json, "academician_count"), 1);
    t_resp_free(r);
    /* The expert team. */
    path_of(path, sizeof path, id, "/team");
    snprintf(body, sizeof body, "{\"expert_id\":%s,\"role\":\"chief\"}", expert_a);
    r = req(city, "POST", path, body);
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "role/invalid_value");
    t_resp_free(r);
    snprintf(body, sizeof body, "{\"expert_id\":%s,\"role\":\"lead\"}", expert_a);
    r = req(city, "POST", path, body);
    expect(r, 201);
    ck_assert_str_eq(t_json_str(r->json, "role_label"), "负责人");
    t_resp_free(r);
    ck_assert_int_eq(status_of(city, "POST", path, body), 409);
    r = req(city, "GET", path, NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 1);
    t_resp_free(r);
    snprintf(del, sizeof del, "%s/%s", path, expert_a);
    ck_assert_int_eq(status_of(city, "DELETE", del, NULL), 204);
    ck_assert_int_eq(status_of(city, "DELETE", del, NULL), 404);
}
END_TEST

START_TEST(test_workstation_etag_idempotency_archive)
{
    const char *const key[] = {"Idempotency-Key: ws-create-1", NULL};
    char body[128];
    snprintf(body, sizeof body, "{\"name\":\"幂等工作站\",\"host_enterprise_id\":%s}", ent_a);
    struct t_resp *r = call(city, "POST", "/api/v1/workstations", key, body);
    expect(r, 201);
    long id = json_int(r->json, "id");
    t_resp_free(r);
    r = call(city, "POST", "/api/v1/workstations", key, body);
    expect(r, 201);
    ck_assert_int_eq(json_int(r->json, "id"), id);
    t_resp_free(r);
    assert_scalar("1", "SELECT count(*) FROM workstations WHERE name = '幂等工作站'");
    char path[96];
    path_of(path, sizeof path, id, "");
    const char *const stale[] = {"If-Match: \"7\"", NULL};
    r = call(city, "PATCH", path, stale, "{\"description\":\"改\"}");
    expect(r, 412);
    t_resp_free(r);
    const char *const fresh[] = {"If-Match: \"1\"", NULL};
    r = call(city, "PATCH", path, fresh, "{\"description\":\"改\"}");
    expect(r, 200);
    t_resp_free(r);
    path_of(path, sizeof path, id, "/archive");
    ck_assert_int_eq(status_of(county2, "POST", path, NULL), 403);
    ck_assert_int_eq(status_of(city, "POST", path, NULL), 200);
    ck_assert_int_eq(status_of(city, "POST", path, NULL), 200);
    path_of(path, sizeof path, id, "");
    ck_assert_int_eq(status_of(city, "GET", path, NULL), 404);
    ck_assert_int_eq(status_of(ent, "GET", path, NULL), 404);
    path_of(path, sizeof path, id, "?include_archived=true");
    ck_assert_int_eq(status_of(city, "GET", path, NULL), 200);
    ck_assert_int_eq(status_of(ent, "GET", path, NULL), 403);
    path_of(path, sizeof path, id, "/restore");
    r = req(city, "POST", path, NULL);
    expect(r, 200);
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r->json, "archived")));
    t_resp_free(r);
}
END_TEST

START_TEST(test_workstation_list_filters_and_pages)
{
    char body[256];
    for (int i = 0; i < 5; i++) {
        snprintf(body, sizeof body,
                 "{\"name\":\"翻页工作站%d\",\"host_enterprise_id\":%s,\"region_code\":\"321081\","
                 "\"level\":\"%s\"%s}",
                 i, ent_a, i % 2 ? "provincial" : "city",
                 i == 0 ? ",\"demonstration_year\":2024" : "");
        create(admin, body);
    }
    char url[512] = "/api/v1/workstations?region_code=321081&limit=2";
    int n = 0;
    long prev = 0;
    for (int page = 0; page < 5; page++) {
        struct t_resp *r = req(city, "GET", url, NULL);
        expect(r, 200);
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        {
            ck_assert_int_gt(json_int(it, "id"), prev);
            prev = json_int(it, "id");
            n++;
        }
        const cJSON *next = cJSON_GetObjectItem(r->json, "next_cursor");
        bool last = cJSON_IsNull(next);
        if (!last)
            snprintf(url, sizeof url, "/api/v1/workstations?region_code=321081&limit=2&cursor=%s",
                     next->valuestring);
        t_resp_free(r);
        if (last)
            break;
    }
    ck_assert_int_eq(n, 5);
    static const struct {
        const char *query;
        int count;
    } filters[] = {
        {"region_code=321081&level=provincial", 2},
        {"region_code=321081&demonstration=true", 1},
        {"region_code=321081&status=planning", 5},
        {"region_code=321081&status=running", 0},
        {"region_code=321081&sort=-updated_at&limit=200", 5},
    };
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
        snprintf(url, sizeof url, "/api/v1/workstations?%s", filters[i].query);
        struct t_resp *r = req(county, "GET", url, NULL);
        expect(r, 200);
        ck_assert_msg(items(r) == filters[i].count, "%s: %d", filters[i].query, items(r));
        t_resp_free(r);
    }
    static const char *const bad[] = {
        "status=open",         "level=national", "demonstration=yes", "host_enterprise_id=abc",
        "sort=name",           "sort=relevance", "limit=0",           "cursor=%21%21",
        "updated_since=today", "colour=red"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(url, sizeof url, "/api/v1/workstations?%s", bad[i]);
        struct t_resp *r = req(city, "GET", url, NULL);
        ck_assert_msg(r->status == 400, "%s: %d", bad[i], r->status);
        t_resp_free(r);
    }
}
END_TEST

/* ---- annual reports ---- */

static void report_path(char *out, size_t cap, long id, int year, const char *suffix)
{
    snprintf(out, cap, "/api/v1/workstations/%ld/reports/%d%s", id, year, suffix);
}

START_TEST(test_report_validates_indicators)
{
    long id = station("校验工作站", true);
    char path[128];
    report_path(path, sizeof path, id, 2025, "");
    static const struct {
        const char *body;
        const char *error;
    } cases[] = {
        {"{\"papers\":-1}", "papers/out_of_range"},
        {"{\"papers\":1.5}", "papers/type"},
        {"{\"rd_input\":\"10\"}", "rd_input/type"},
        {"{\"rd_input\":2000000}", "rd_input/out_of_range"},
        {"{\"academician_days\":4000}", "academician_days/out_of_range"},
        {"{\"patents_applied\":2,\"patents_granted\":3}", "patents_granted/exceeds_applied"},
        {"{\"patents_applied\":5,\"patents_granted\":3,\"invention_patents_granted\":4}",
         "invention_patents_granted/exceeds_granted"},
        {"{\"bonus\":1}", "bonus/unknown_field"},
        {"{\"year\":2024}", "year/forbidden"},
        {"{\"status\":\"accepted\"}", "status/forbidden"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct t_resp *r = req(city, "PUT", path, cases[i].body);
        ck_assert_msg(r->status == 400 || r->status == 403, "%s: %d %s", cases[i].body, r->status,
                      r->body);
        ck_assert_msg(strcmp(first_error(r), cases[i].error) == 0, "%s: %s, want %s", cases[i].body,
                      first_error(r), cases[i].error);
        t_resp_free(r);
    }
    assert_scalar("0", "SELECT count(*) FROM workstation_reports WHERE workstation_id = %ld", id);
    report_path(path, sizeof path, id, 2099, "");
    struct t_resp *r = req(city, "PUT", path, "{}");
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "year/future_year");
    t_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/workstations/%ld/reports/1999", id);
    ck_assert_int_eq(status_of(city, "PUT", path, "{}"), 404);
    snprintf(path, sizeof path, "/api/v1/workstations/%ld/reports/20x5", id);
    ck_assert_int_eq(status_of(city, "GET", path, NULL), 404);
    ck_assert_int_eq(status_of(city, "PUT", "/api/v1/workstations/999999/reports/2025", "{}"), 404);
}
END_TEST

START_TEST(test_report_defaults_days_from_activities)
{
    long id = station("天数工作站", true);
    t_db_exec(&srv, "INSERT INTO service_activities (kind, title, held_on, workstation_id,"
                    " academician_days) SELECT 'enterprise_station', '进站', d, w, 2.5"
                    " FROM (VALUES ('2025-03-01'::date), ('2025-09-09'), ('2024-12-31')) v(d),"
                    " (SELECT max(id) AS w FROM workstations WHERE name = '天数工作站') s");
    char path[128];
    report_path(path, sizeof path, id, 2025, "");
    struct t_resp *r = req(ent, "PUT", path, "{\"patents_applied\":4,\"patents_granted\":2}");
    expect(r, 201);
    ck_assert(json_num(r->json, "academician_days") == 5.0);
    ck_assert(json_num(r->json, "recorded_academician_days") == 5.0);
    ck_assert(json_num(r->json, "academician_days_excess") == 0.0);
    ck_assert_str_eq(t_json_str(r->json, "status"), "draft");
    ck_assert_int_eq(json_int(r->json, "papers"), 0);
    char *etag = t_resp_header(r, "ETag");
    ck_assert_str_eq(etag, "\"1\"");
    free(etag);
    t_resp_free(r);
    /* A claim above the record is taken, and the excess shown. */
    r = req(ent, "PUT", path, "{\"academician_days\":12,\"summary\":\"全年在站\"}");
    expect(r, 200);
    ck_assert(json_num(r->json, "academician_days") == 12.0);
    ck_assert(json_num(r->json, "academician_days_excess") == 7.0);
    ck_assert_int_eq(json_int(r->json, "patents_applied"), 0); /* a PUT replaces */
    ck_assert_int_eq(json_int(r->json, "version"), 2);
    t_resp_free(r);
    r = req(ent, "GET", path, NULL);
    expect(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "summary"), "全年在站");
    t_resp_free(r);
}
END_TEST

START_TEST(test_report_workflow_and_roles)
{
    long id = station("审核工作站", true);
    long other = station("江都审核工作站", false);
    char path[128], act[160];
    report_path(path, sizeof path, id, 2025, "");
    const char *body = "{\"joint_projects_new\":2,\"joint_projects_ongoing\":3,\"rd_input\":"
                       "150.5,\"patents_applied\":6,\"patents_granted\":4,"
                       "\"invention_patents_granted\":1,\"new_products\":2,\"standards\":1,"
                       "\"papers\":3,\"new_product_revenue\":1200,\"talents_trained\":5,"
                       "\"awards\":1,\"summary\":\"年度总结\"}";
    ck_assert_int_eq(status_of(ent2, "PUT", path, body), 404);
    ck_assert_int_eq(status_of(county2, "PUT", path, body), 403);
    ck_assert_int_eq(status_of(expert, "PUT", path, body), 403);
    /* If-Match on a report that does not exist yet. */
    const char *const v1[] = {"If-Match: \"1\"", NULL};
    struct t_resp *r = call(county, "PUT", path, v1, body);
    expect(r, 412);
    t_resp_free(r);
    ck_assert_int_eq(status_of(county, "PUT", path, body), 201);
    report_path(act, sizeof act, id, 2025, "/accept");
    r = req(city, "POST", act, NULL);
    expect(r, 409);
    ck_assert_ptr_nonnull(strstr(t_json_str(r->json, "detail"), "草稿"));
    t_resp_free(r);
    report_path(act, sizeof act, id, 2025, "/submit");
    ck_assert_int_eq(status_of(ent2, "POST", act, NULL), 404);
    r = req(ent, "POST", act, NULL);
    expect(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "status_label"), "已提交");
    t_resp_free(r);
    ck_assert_int_eq(status_of(ent, "POST", act, NULL), 409);
    /* Submitted: no more changes. */
    r = req(ent, "PUT", path, body);
    expect(r, 409);
    t_resp_free(r);
    report_path(act, sizeof act, id, 2025, "/return");
    ck_assert_int_eq(status_of(ent, "POST", act, "{\"reason\":\"x\"}"), 403);
    ck_assert_int_eq(status_of(county, "POST", act, "{\"reason\":\"x\"}"), 403);
    r = req(city, "POST", act, NULL);
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "reason/required");
    t_resp_free(r);
    ck_assert_int_eq(status_of(city, "POST", act, "{\"reason\":\"  \"}"), 400);
    ck_assert_int_eq(status_of(city, "POST", act, "{\"reason\":\"专利数据请附证明\"}"), 200);
    /* Returned: corrected and submitted again, then accepted. */
    const char *const stale[] = {"If-Match: \"1\"", NULL};
    r = call(ent, "PUT", path, stale, body);
    expect(r, 412);
    t_resp_free(r);
    r = req(ent, "PUT", path, body);
    expect(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "status"), "returned");
    t_resp_free(r);
    report_path(act, sizeof act, id, 2025, "/submit");
    ck_assert_int_eq(status_of(county, "POST", act, NULL), 200);
    report_path(act, sizeof act, id, 2025, "/accept");
    ck_assert_int_eq(status_of(county, "POST", act, NULL), 403);
    r = req(city, "POST", act, NULL);
    expect(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "status"), "accepted");
    t_resp_free(r);
    ck_assert_int_eq(status_of(city, "POST", act, NULL), 409);
    ck_assert_int_eq(status_of(admin, "PUT", path, body), 409);
    report_path(act, sizeof act, id, 2025, "/history");
    r = req(ent, "GET", act, NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 5);
    const cJSON *ret = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 2);
    ck_assert_str_eq(t_json_str(ret, "action"), "return");
    ck_assert_str_eq(t_json_str(ret, "reason"), "专利数据请附证明");
    t_resp_free(r);
    ck_assert_int_eq(status_of(ent2, "GET", act, NULL), 404);
    report_path(act, sizeof act, id, 2024, "/history");
    ck_assert_int_eq(status_of(city, "GET", act, NULL), 404);
    report_path(act, sizeof act, id, 2024, "/submit");
    ck_assert_int_eq(status_of(city, "POST", act, NULL), 404);
    /* The station's reports, newest first. */
    report_path(path, sizeof path, id, 2024, "");
    ck_assert_int_eq(status_of(city, "PUT", path, "{}"), 201);
    snprintf(path, sizeof path, "/api/v1/workstations/%ld/reports?limit=1", id);
    r = req(ent, "GET", path, NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 1);
    ck_assert_int_eq(json_int(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0), "year"),
                     2025);
    ck_assert(!cJSON_IsNull(cJSON_GetObjectItem(r->json, "next_cursor")));
    t_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/workstations/%ld/reports", other);
    ck_assert_int_eq(status_of(ent, "GET", path, NULL), 404);
    ck_assert_int_eq(status_of(county, "GET", path, NULL), 200);
    assert_scalar("1", "SELECT count(*) FROM audit_log WHERE action = 'accept'");
}
END_TEST

static Suite *workstations_suite(void)
{
    Suite *s = suite_create("workstations");
    TCase *tc = tcase_create("workstations");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_workstation_create_validates_every_field);
    tcase_add_test(tc, test_workstation_create_fills_defaults_and_history);
    tcase_add_test(tc, test_workstation_scope_of_each_role);
    tcase_add_test(tc, test_workstation_status_moves_and_history);
    tcase_add_test(tc, test_workstation_academicians_and_team);
    tcase_add_test(tc, test_workstation_etag_idempotency_archive);
    tcase_add_test(tc, test_workstation_list_filters_and_pages);
    tcase_add_test(tc, test_report_validates_indicators);
    tcase_add_test(tc, test_report_defaults_days_from_activities);
    tcase_add_test(tc, test_report_workflow_and_roles);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(workstations_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
