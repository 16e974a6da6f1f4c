/* The project library: validation, the workflow with its history rows, members, the scope of
 * each role, ETag/If-Match, Idempotency-Key, archive/restore, filters and pagination. */
#include "harness.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct t_server srv;
static char admin[64], city[64], county[64], county2[64], ent[64], ent2[64], expert[64],
    expert2[64];
static char ent_a[16], ent_b[16], expert_a[16], expert_b[16], academician[16];

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
    t_server_start(&srv, "it_projects", true, NULL);
    copy_id(ent_a, sizeof ent_a,
            "INSERT INTO enterprises (name, credit_code, region_code) VALUES ('扬州甲科技有限公司',"
            " '91321003MA1M00001A', '321003') RETURNING id");
    copy_id(ent_b, sizeof ent_b,
            "INSERT INTO enterprises (name, credit_code, region_code) VALUES ('扬州乙材料有限公司',"
            " '91321012MA1M00002E', '321012') RETURNING id");
    copy_id(expert_a, sizeof expert_a,
            "INSERT INTO experts (name, region_code, affiliation) VALUES ('张教授', '321003',"
            " '扬州大学') RETURNING id");
    copy_id(expert_b, sizeof expert_b,
            "INSERT INTO experts (name, region_code) VALUES ('李研究员', '321012') RETURNING id");
    copy_id(academician, sizeof academician,
            "INSERT INTO experts (kind, name, academy) VALUES ('academician', '王院士', 'CAE')"
            " RETURNING id");
    /* A station a project names (workstation_id is a foreign key). */
    t_db_exec(&srv, "INSERT INTO workstations (id, name, host_enterprise_id, region_code)"
                    " SELECT 12345, '项目工作站', (SELECT min(id) FROM enterprises), '321003'");
    char bind[64];
    login_as(admin, "p_admin", "admin", NULL);
    login_as(city, "p_city", "city_staff", NULL);
    login_as(county, "p_county", "county_staff", "--region 321003");
    login_as(county2, "p_county2", "county_staff", "--region 321012");
    snprintf(bind, sizeof bind, "--enterprise %s", ent_a);
    login_as(ent, "p_ent", "enterprise", bind);
    snprintf(bind, sizeof bind, "--enterprise %s", ent_b);
    login_as(ent2, "p_ent2", "enterprise", bind);
    snprintf(bind, sizeof bind, "--expert %s", expert_a);
    login_as(expert, "p_expert", "expert", bind);
    snprintf(bind, sizeof bind, "--expert %s", expert_b);
    login_as(expert2, "p_expert2", "expert", bind);
}

static void teardown(void)
{
    t_server_finish(&srv);
}

/* A request as token with extra headers (NULL-terminated, may be NULL). */
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

/* The field and code of the first error of a problem, "field/code". */
static const char *first_error(const struct t_resp *r)
{
    static char out[128];
    cJSON *errors = cJSON_GetObjectItem(r->json, "errors");
    cJSON *e = cJSON_GetArrayItem(errors, 0);
    snprintf(out, sizeof out, "%s/%s", t_json_str(e, "field"), t_json_str(e, "code"));
    return out;
}

/* Has the problem an error for field (any code)? */
static bool has_error(const struct t_resp *r, const char *field)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(r->json, "errors"))
    {
        if (strcmp(t_json_str(e, "field"), field) == 0)
            return true;
    }
    return false;
}

static long json_int(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", key);
    return (long)v->valuedouble;
}

/* Creates a project as token from a JSON body; returns its id. */
static long create(const char *token, const char *body)
{
    struct t_resp *r = req(token, "POST", "/api/v1/projects", body);
    expect(r, 201);
    long id = json_int(r->json, "id");
    t_resp_free(r);
    return id;
}

static void path_of(char *out, size_t cap, long id, const char *suffix)
{
    snprintf(out, cap, "/api/v1/projects/%ld%s", id, suffix);
}

static int status_of(const char *token, const char *method, const char *path, const char *body)
{
    struct t_resp *r = req(token, method, path, body);
    int s = r->status;
    t_resp_free(r);
    return s;
}

static int items(const struct t_resp *r)
{
    return cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items"));
}

/* Whether a list page holds the record with this id. */
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

START_TEST(test_project_create_validates_every_field)
{
    static const struct {
        const char *body;
        int status;
        const char *error;
    } cases[] = {
        {"{\"kind\":\"other\"}", 400, "title/required"},
        {"{\"title\":\"x\"}", 400, "kind/required"},
        {"{\"title\":\"x\",\"kind\":\"bogus\"}", 400, "kind/invalid_value"},
        {"{\"title\":\"  \",\"kind\":\"other\"}", 400, "title/required"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"start_date\":\"2026-02-30\"}", 400,
         "start_date/invalid_date"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"funding\":-1}", 400, "funding/out_of_range"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"funding\":\"10\"}", 400, "funding/type"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"outcome_patents\":1.5}", 400,
         "outcome_patents/type"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"outcome_papers\":-2}", 400,
         "outcome_papers/out_of_range"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"outcome_revenue\":-0.5}", 400,
         "outcome_revenue/out_of_range"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"region_code\":\"32100\"}", 400,
         "region_code/length"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"region_code\":\"999999\"}", 400,
         "region_code/unknown_code"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"industry_code\":\"c38\"}", 400,
         "industry_code/invalid_code"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"keywords\":[\"a\",3]}", 400, "keywords[1]/type"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"workstation_id\":0}", 400,
         "workstation_id/out_of_range"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"lead_enterprise_id\":999999}", 400,
         "lead_enterprise_id/unknown_record"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"demand_id\":999999}", 400,
         "demand_id/unknown_record"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"start_date\":\"2026-05-01\","
         "\"end_date\":\"2026-04-30\"}",
         400, "end_date/invalid_range"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"colour\":\"red\"}", 400, "colour/unknown_field"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"status\":\"approved\"}", 403, "status/forbidden"},
        {"{\"title\":\"x\",\"kind\":\"other\",\"version\":3}", 403, "version/forbidden"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct t_resp *r = req(admin, "POST", "/api/v1/projects", cases[i].body);
        ck_assert_msg(r->status == cases[i].status, "%s: %d %s", cases[i].body, r->status, r->body);
        ck_assert_msg(strcmp(first_error(r), cases[i].error) == 0, "%s: %s, want %s", cases[i].body,
                      first_error(r), cases[i].error);
        t_resp_free(r);
    }
    assert_scalar("0", "SELECT count(*) FROM projects WHERE title = 'x'");
    /* Enterprise and expert users may not create projects at all. */
    ck_assert_int_eq(
        status_of(ent, "POST", "/api/v1/projects", "{\"title\":\"x\",\"kind\":\"other\"}"), 403);
    ck_assert_int_eq(
        status_of(expert, "POST", "/api/v1/projects", "{\"title\":\"x\",\"kind\":\"other\"}"), 403);
}
END_TEST

START_TEST(test_project_create_fills_defaults_and_history)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"title\":\" 锂电池正极材料联合攻关 \",\"summary\":\"高镍三元\",\"kind\":"
             "\"workstation\",\"start_date\":\"2026-01-01\",\"end_date\":\"2027-12-31\","
             "\"funding\":120.5,\"lead_enterprise_id\":%s,\"workstation_id\":12345,"
             "\"industry_code\":\"C38\",\"keywords\":[\"锂电池\",\"正极材料\",\"锂电池\"],"
             "\"outcome_patents\":2,\"outcome_revenue\":88.25}",
             ent_b);
    struct t_resp *r = req(admin, "POST", "/api/v1/projects", body);
    expect(r, 201);
    long id = json_int(r->json, "id");
    ck_assert_str_eq(t_json_str(r->json, "title"), "锂电池正极材料联合攻关");
    ck_assert_str_eq(t_json_str(r->json, "status"), "applied");
    ck_assert_str_eq(t_json_str(r->json, "status_label"), "申报");
    ck_assert_str_eq(t_json_str(r->json, "kind_label"), "院士工作站合作");
    /* The region comes from the lead enterprise (ent_b is in 321012). */
    ck_assert_str_eq(t_json_str(r->json, "region_code"), "321012");
    ck_assert_int_eq(json_int(r->json, "workstation_id"), 12345);
    ck_assert(cJSON_GetObjectItem(r->json, "funding")->valuedouble == 120.5);
    ck_assert(cJSON_GetObjectItem(r->json, "outcome_revenue")->valuedouble == 88.25);
    ck_assert_int_eq(json_int(r->json, "outcome_papers"), 0);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "keywords")), 2);
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r->json, "archived")));
    ck_assert_int_eq(json_int(r->json, "version"), 1);
    char *etag = t_resp_header(r, "ETag"), *loc = t_resp_header(r, "Location");
    ck_assert_str_eq(etag, "\"1\"");
    char want[64];
    path_of(want, sizeof want, id, "");
    ck_assert_str_eq(loc, want);
    free(etag);
    free(loc);
    t_resp_free(r);
    assert_scalar("create|applied|admin",
                  "SELECT action || '|' || to_status || '|' || role"
                  " FROM project_transitions WHERE project_id = %ld",
                  id);
    /* Searchable at once, through a segmented word of the title. */
    r = req(city, "GET", "/api/v1/projects?q=%E6%AD%A3%E6%9E%81%E6%9D%90%E6%96%99", NULL);
    expect(r, 200);
    ck_assert(lists(r, id));
    t_resp_free(r);
    /* A project with neither region nor lead enterprise has no region. */
    r = req(city, "POST", "/api/v1/projects", "{\"title\":\"软科学\",\"kind\":\"soft_science\"}");
    expect(r, 201);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r->json, "region_code")));
    ck_assert_str_eq(t_json_str(r->json, "kind_label"), "软科学课题");
    t_resp_free(r);
}
END_TEST

START_TEST(test_project_county_writes_only_its_region)
{
    /* An explicit other region: 403 naming region_code. */
    struct t_resp *r = req(county, "POST", "/api/v1/projects",
                           "{\"title\":\"县项目\",\"kind\":\"other\",\"region_code\":\"321012\"}");
    expect(r, 403);
    ck_assert_str_eq(first_error(r), "region_code/forbidden");
    t_resp_free(r);
    /* A region taken from a lead enterprise of another region: 403 as well. */
    char body[256];
    snprintf(body, sizeof body,
             "{\"title\":\"县项目\",\"kind\":\"other\",\"lead_enterprise_id\":%s}", ent_b);
    r = req(county, "POST", "/api/v1/projects", body);
    expect(r, 403);
    ck_assert_ptr_nonnull(strstr(t_json_str(r->json, "detail"), "region_code"));
    t_resp_free(r);
    assert_scalar("0", "SELECT count(*) FROM projects WHERE title = '县项目'");
    /* Without region or lead enterprise: the county's own region. */
    r = req(county, "POST", "/api/v1/projects", "{\"title\":\"县项目\",\"kind\":\"other\"}");
    expect(r, 201);
    ck_assert_str_eq(t_json_str(r->json, "region_code"), "321003");
    long own = json_int(r->json, "id");
    t_resp_free(r);
    snprintf(body, sizeof body,
             "{\"title\":\"县项目乙\",\"kind\":\"other\",\"lead_enterprise_id\":%s}", ent_a);
    r = req(county, "POST", "/api/v1/projects", body);
    expect(r, 201);
    ck_assert_str_eq(t_json_str(r->json, "region_code"), "321003");
    t_resp_free(r);
    long other =
        create(city, "{\"title\":\"江都项目\",\"kind\":\"other\",\"region_code\":\"321012\"}");
    char path[96];
    /* Reads everything, writes only its own region. */
    path_of(path, sizeof path, other, "");
    ck_assert_int_eq(status_of(county, "GET", path, NULL), 200);
    ck_assert_int_eq(status_of(county, "PATCH", path, "{\"summary\":\"改\"}"), 403);
    ck_assert_int_eq(status_of(county2, "PATCH", path, "{\"summary\":\"改\"}"), 200);
    path_of(path, sizeof path, other, "/approve");
    ck_assert_int_eq(status_of(county, "POST", path, NULL), 403);
    path_of(path, sizeof path, own, "");
    r = req(county, "PATCH", path, "{\"region_code\":\"321012\"}");
    expect(r, 403);
    ck_assert_str_eq(first_error(r), "region_code/forbidden");
    t_resp_free(r);
    ck_assert_int_eq(status_of(county, "PATCH", path, "{\"funding\":10}"), 200);
    /* City staff move it; then it is no longer the county's. */
    ck_assert_int_eq(status_of(city, "PATCH", path, "{\"region_code\":\"321012\"}"), 200);
    ck_assert_int_eq(status_of(county, "PATCH", path, "{\"funding\":11}"), 403);
}
END_TEST

/* Runs a workflow action and checks the status it answers (and the new status on 200). */
static void act(long id, const char *action, const char *body, int status, const char *now)
{
    char path[96];
    path_of(path, sizeof path, id, "");
    strcat(path, "/");
    strcat(path, action);
    struct t_resp *r = req(city, "POST", path, body);
    ck_assert_msg(r->status == status, "%s: %d %s", action, r->status, r->body);
    if (status == 200)
        ck_assert_str_eq(t_json_str(r->json, "status"), now);
    if (status == 409)
        ck_assert_str_eq(t_problem_code(r), "invalid_transition");
    t_resp_free(r);
}

START_TEST(test_project_workflow_moves_and_records_each_step)
{
    long id = create(admin, "{\"title\":\"流程项目\",\"kind\":\"industry_university\","
                            "\"region_code\":\"321003\"}");
    act(id, "start", NULL, 409, NULL);
    act(id, "conclude", NULL, 409, NULL);
    act(id, "accept", NULL, 409, NULL);
    act(id, "return", "{\"reason\":\"不应退回\"}", 409, NULL);
    act(id, "approve", "{\"reason\":\"专家评审通过\"}", 200, "approved");
    act(id, "approve", NULL, 409, NULL);
    /* A return needs a reason: missing, empty or null is 400 and changes nothing. */
    act(id, "return", NULL, 400, NULL);
    act(id, "return", "{}", 400, NULL);
    act(id, "return", "{\"reason\":\"  \"}", 400, NULL);
    act(id, "return", "{\"reason\":null}", 400, NULL);
    act(id, "return", "{\"why\":\"x\"}", 400, NULL);
    act(id, "return", "{\"reason\":\"预算材料不全，请补充\"}", 200, "applied");
    act(id, "approve", NULL, 200, "approved");
    act(id, "start", NULL, 200, "in_progress");
    act(id, "conclude", "{}", 200, "concluded");
    act(id, "accept", NULL, 200, "accepted");
    for (int i = 0; i < 2; i++) /* nothing follows acceptance */
        act(id, i ? "approve" : "return", "{\"reason\":\"x\"}", 409, NULL);
    /* One history row per step taken, none for the refused ones, with who and why. */
    assert_scalar("create,approve,return,approve,start,conclude,accept",
                  "SELECT string_agg(action, ',' ORDER BY id) FROM project_transitions"
                  " WHERE project_id = %ld",
                  id);
    assert_scalar("approved>applied:预算材料不全，请补充:city_staff:p_city",
                  "SELECT from_status || '>' || to_status || ':' || reason || ':' || t.role || ':'"
                  " || u.username FROM project_transitions t JOIN users u ON u.id = t.user_id"
                  " WHERE project_id = %ld AND action = 'return'",
                  id);
    assert_scalar("accepted|7", "SELECT status || '|' || version FROM projects WHERE id = %ld", id);
    /* The audit log names the action. */
    assert_scalar("1",
                  "SELECT count(*) FROM audit_log WHERE action = 'accept'"
                  " AND record_type = 'projects' AND record_id = '%ld'",
                  id);
    char path[96];
    path_of(path, sizeof path, id, "/history");
    struct t_resp *r = req(county2, "GET", path, NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 7);
    cJSON *ret = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 2);
    ck_assert_str_eq(t_json_str(ret, "action"), "return");
    ck_assert_str_eq(t_json_str(ret, "action_label"), "退回");
    ck_assert_str_eq(t_json_str(ret, "from_status_label"), "立项");
    ck_assert_str_eq(t_json_str(ret, "to_status_label"), "申报");
    ck_assert_str_eq(t_json_str(ret, "reason"), "预算材料不全，请补充");
    ck_assert_str_eq(t_json_str(ret, "role"), "city_staff");
    ck_assert_str_eq(t_json_str(ret, "user_name"), "p_city");
    cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(first, "from_status")));
    t_resp_free(r);
    /* History pages like every list. */
    strcat(path, "?limit=4");
    r = req(admin, "GET", path, NULL);
    ck_assert_int_eq(items(r), 4);
    char next[256];
    snprintf(next, sizeof next, "%s&cursor=%s", path, t_json_str(r->json, "next_cursor"));
    t_resp_free(r);
    r = req(admin, "GET", next, NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 3);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r->json, "next_cursor")));
    t_resp_free(r);
    path_of(path, sizeof path, 99999999, "/history");
    ck_assert_int_eq(status_of(admin, "GET", path, NULL), 404);
}
END_TEST

START_TEST(test_project_if_match_guards_changes_and_steps)
{
    long id = create(admin, "{\"title\":\"版本项目\",\"kind\":\"other\"}");
    char path[96], step[96];
    path_of(path, sizeof path, id, "");
    path_of(step, sizeof step, id, "/approve");
    const char *const v1[] = {"If-Match: \"1\"", NULL};
    struct t_resp *r = call(admin, "PATCH", path, v1, "{\"funding\":5}");
    expect(r, 200);
    char *etag = t_resp_header(r, "ETag");
    ck_assert_str_eq(etag, "\"2\"");
    free(etag);
    t_resp_free(r);
    r = call(admin, "PATCH", path, v1, "{\"funding\":6}");
    expect(r, 412);
    ck_assert_str_eq(t_problem_code(r), "precondition_failed");
    t_resp_free(r);
    r = call(admin, "POST", step, v1, NULL);
    expect(r, 412);
    t_resp_free(r);
    assert_scalar("applied|5.00", "SELECT status || '|' || funding FROM projects WHERE id = %ld",
                  id);
    const char *const bad[] = {"If-Match: two", NULL};
    r = call(admin, "PATCH", path, bad, "{\"funding\":6}");
    expect(r, 400);
    t_resp_free(r);
    const char *const v2[] = {"If-Match: \"2\"", NULL};
    r = call(admin, "POST", step, v2, NULL);
    expect(r, 200);
    etag = t_resp_header(r, "ETag");
    ck_assert_str_eq(etag, "\"3\"");
    free(etag);
    t_resp_free(r);
    /* GET gives the ETag too. */
    r = req(ent, "GET", path, NULL);
    expect(r, 404); /* not ent_a's project */
    t_resp_free(r);
    r = req(admin, "GET", path, NULL);
    etag = t_resp_header(r, "ETag");
    ck_assert_str_eq(etag, "\"3\"");
    free(etag);
    t_resp_free(r);
}
END_TEST

START_TEST(test_project_idempotency_key_creates_once)
{
    const char *body = "{\"title\":\"幂等项目\",\"kind\":\"transfer\",\"region_code\":\"321003\"}";
    const char *const key[] = {"Idempotency-Key: proj-create-1", NULL};
    struct t_resp *a = call(county, "POST", "/api/v1/projects", key, body);
    expect(a, 201);
    struct t_resp *b = call(county, "POST", "/api/v1/projects", key, body);
    expect(b, 201);
    ck_assert_int_eq(json_int(a->json, "id"), json_int(b->json, "id"));
    char *replayed = t_resp_header(b, "Idempotent-Replayed");
    ck_assert_str_eq(replayed, "true");
    free(replayed);
    t_resp_free(a);
    t_resp_free(b);
    assert_scalar("1", "SELECT count(*) FROM projects WHERE title = '幂等项目'");
    assert_scalar("1", "SELECT count(*) FROM project_transitions t JOIN projects p"
                       " ON p.id = t.project_id WHERE p.title = '幂等项目'");
    struct t_resp *c = call(county, "POST", "/api/v1/projects", key,
                            "{\"title\":\"另一个\",\"kind\":\"transfer\"}");
    expect(c, 409);
    t_resp_free(c);
}
END_TEST

START_TEST(test_project_archive_and_restore)
{
    long id =
        create(city, "{\"title\":\"归档项目\",\"kind\":\"other\",\"region_code\":\"321003\"}");
    char path[96], arch[96], rest[96];
    path_of(path, sizeof path, id, "");
    path_of(arch, sizeof arch, id, "/archive");
    path_of(rest, sizeof rest, id, "/restore");
    ck_assert_int_eq(status_of(county2, "POST", arch, NULL), 403);
    struct t_resp *r = req(county, "POST", arch, NULL);
    expect(r, 200);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r->json, "archived")));
    long version = json_int(r->json, "version");
    t_resp_free(r);
    /* Again: nothing changes. */
    r = req(county, "POST", arch, NULL);
    expect(r, 200);
    ck_assert_int_eq(json_int(r->json, "version"), version);
    t_resp_free(r);
    assert_scalar("p_county",
                  "SELECT u.username FROM projects p JOIN users u"
                  " ON u.id = p.archived_by WHERE p.id = %ld",
                  id);
    ck_assert_int_eq(status_of(admin, "GET", path, NULL), 404);
    char with[128];
    snprintf(with, sizeof with, "%s?include_archived=true", path);
    ck_assert_int_eq(status_of(admin, "GET", with, NULL), 200);
    ck_assert_int_eq(status_of(admin, "PATCH", path, "{\"funding\":1}"), 404);
    path_of(with, sizeof with, id, "/approve");
    ck_assert_int_eq(status_of(admin, "POST", with, NULL), 404);
    r = req(admin, "GET", "/api/v1/projects?limit=200", NULL);
    ck_assert(!lists(r, id));
    t_resp_free(r);
    r = req(admin, "GET", "/api/v1/projects?limit=200&include_archived=true", NULL);
    ck_assert(lists(r, id));
    t_resp_free(r);
    ck_assert_int_eq(status_of(ent, "GET", "/api/v1/projects?include_archived=true", NULL), 403);
    r = req(county, "POST", rest, NULL);
    expect(r, 200);
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r->json, "archived")));
    t_resp_free(r);
    ck_assert_int_eq(status_of(county, "POST", rest, NULL), 200);
    ck_assert_int_eq(status_of(admin, "GET", path, NULL), 200);
    path_of(path, sizeof path, 987654321, "/archive");
    ck_assert_int_eq(status_of(admin, "POST", path, NULL), 404);
}
END_TEST

START_TEST(test_project_members_add_list_remove)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"title\":\"成员项目\",\"kind\":\"workstation\",\"lead_enterprise_id\":%s}", ent_a);
    long id = create(admin, body);
    char path[96], one[128];
    path_of(path, sizeof path, id, "");
    /* Not a member yet: the expert may not know the project exists. */
    ck_assert_int_eq(status_of(expert, "GET", path, NULL), 404);
    path_of(path, sizeof path, id, "/members");
    snprintf(body, sizeof body, "{\"expert_id\":%s,\"role\":\"member\"}", expert_a);
    struct t_resp *r = req(county, "POST", path, body);
    expect(r, 201);
    ck_assert_str_eq(t_json_str(r->json, "name"), "张教授");
    ck_assert_str_eq(t_json_str(r->json, "role_label"), "成员");
    ck_assert_str_eq(t_json_str(r->json, "expert_kind"), "expert");
    ck_assert_str_eq(t_json_str(r->json, "affiliation"), "扬州大学");
    t_resp_free(r);
    r = req(admin, "POST", path, body);
    expect(r, 409);
    ck_assert_str_eq(first_error(r), "expert_id/duplicate");
    t_resp_free(r);
    snprintf(body, sizeof body, "{\"expert_id\":%s,\"role\":\"lead\"}", academician);
    r = req(admin, "POST", path, body);
    expect(r, 201);
    ck_assert_str_eq(t_json_str(r->json, "expert_kind_label"), "院士");
    t_resp_free(r);
    r = req(admin, "POST", path, "{\"expert_id\":99999999,\"role\":\"member\"}");
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "expert_id/unknown_record");
    t_resp_free(r);
    snprintf(body, sizeof body, "{\"expert_id\":%s,\"role\":\"boss\"}", expert_b);
    r = req(admin, "POST", path, body);
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "role/invalid_value");
    t_resp_free(r);
    r = req(admin, "POST", path, "{\"role\":\"member\"}");
    expect(r, 400);
    ck_assert(has_error(r, "expert_id"));
    t_resp_free(r);
    snprintf(body, sizeof body, "{\"expert_id\":%s,\"role\":\"member\"}", expert_b);
    ck_assert_int_eq(status_of(county2, "POST", path, body), 403);
    ck_assert_int_eq(status_of(ent, "POST", path, body), 403);
    /* Leads first; every reader of the project may list them. */
    r = req(expert, "GET", path, NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 2);
    cJSON *lead = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0);
    ck_assert_str_eq(t_json_str(lead, "role"), "lead");
    ck_assert_str_eq(t_json_str(lead, "name"), "王院士");
    t_resp_free(r);
    r = req(admin, "GET", "/api/v1/projects?limit=1&expert_id=0", NULL);
    expect(r, 400);
    t_resp_free(r);
    r = req(admin, "GET", path, NULL);
    ck_assert_int_eq(items(r), 2);
    t_resp_free(r);
    snprintf(one, sizeof one, "%s?limit=1", path);
    r = req(ent, "GET", one, NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 1);
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(r->json, "next_cursor")));
    t_resp_free(r);
    ck_assert_int_eq(status_of(ent2, "GET", path, NULL), 404);
    ck_assert_int_eq(status_of(expert2, "GET", path, NULL), 404);
    /* The member reads the project, and finds it in the list (expert_id filter too). */
    path_of(one, sizeof one, id, "");
    ck_assert_int_eq(status_of(expert, "GET", one, NULL), 200);
    ck_assert_int_eq(status_of(expert, "PATCH", one, "{\"summary\":\"x\"}"), 403);
    snprintf(one, sizeof one, "/api/v1/projects?expert_id=%s&limit=200", expert_a);
    r = req(admin, "GET", one, NULL);
    ck_assert(lists(r, id));
    t_resp_free(r);
    /* Removal. */
    snprintf(one, sizeof one, "%s/%s", path, expert_a);
    ck_assert_int_eq(status_of(county2, "DELETE", one, NULL), 403);
    r = req(admin, "DELETE", one, NULL);
    expect(r, 204);
    ck_assert_uint_eq(r->len, 0);
    t_resp_free(r);
    r = req(admin, "DELETE", one, NULL);
    expect(r, 404);
    t_resp_free(r);
    assert_scalar("1", "SELECT count(*) FROM project_members WHERE project_id = %ld", id);
    path_of(one, sizeof one, id, "");
    ck_assert_int_eq(status_of(expert, "GET", one, NULL), 404);
    /* Every membership change is audited. */
    assert_scalar("3",
                  "SELECT count(*) FROM audit_log WHERE record_type = 'project_members'"
                  " AND (after->>'project_id' = '%ld' OR before->>'project_id' = '%ld')",
                  id, id);
}
END_TEST

START_TEST(test_project_enterprise_and_expert_see_only_their_projects)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"title\":\"甲企业项目\",\"kind\":\"transfer\","
             "\"lead_enterprise_id\":%s}",
             ent_a);
    long mine = create(admin, body);
    snprintf(body, sizeof body,
             "{\"title\":\"乙企业项目\",\"kind\":\"transfer\","
             "\"lead_enterprise_id\":%s}",
             ent_b);
    long theirs = create(admin, body);
    char path[96];
    struct t_resp *r = req(ent, "GET", "/api/v1/projects?limit=200", NULL);
    expect(r, 200);
    ck_assert(lists(r, mine));
    ck_assert(!lists(r, theirs));
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
    {
        ck_assert_int_eq(json_int(it, "lead_enterprise_id"), atol(ent_a));
    }
    t_resp_free(r);
    /* Asking for another enterprise's projects finds nothing rather than leaking. */
    snprintf(path, sizeof path, "/api/v1/projects?lead_enterprise_id=%s", ent_b);
    r = req(ent, "GET", path, NULL);
    ck_assert_int_eq(items(r), 0);
    t_resp_free(r);
    path_of(path, sizeof path, theirs, "");
    ck_assert_int_eq(status_of(ent, "GET", path, NULL), 404);
    ck_assert_int_eq(status_of(ent2, "GET", path, NULL), 200);
    path_of(path, sizeof path, theirs, "/history");
    ck_assert_int_eq(status_of(ent, "GET", path, NULL), 404);
    path_of(path, sizeof path, mine, "");
    ck_assert_int_eq(status_of(ent, "GET", path, NULL), 200);
    ck_assert_int_eq(status_of(ent, "PATCH", path, "{\"summary\":\"x\"}"), 403);
    path_of(path, sizeof path, mine, "/approve");
    ck_assert_int_eq(status_of(ent, "POST", path, NULL), 403);
    /* expert2 is a member of nothing: an empty list. */
    r = req(expert2, "GET", "/api/v1/projects", NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 0);
    t_resp_free(r);
    ck_assert_int_eq(status_of(NULL, "GET", "/api/v1/projects", NULL), 401);
}
END_TEST

START_TEST(test_project_list_filters_sorts_and_pages)
{
    char body[256];
    long ids[7];
    static const char *const kinds[] = {"soft_science", "soft_science", "transfer", "other",
                                        "soft_science", "transfer",     "other"};
    for (int i = 0; i < 7; i++) {
        snprintf(body, sizeof body,
                 "{\"title\":\"翻页项目%d\",\"kind\":\"%s\",\"region_code\":\"321081\","
                 "\"industry_code\":\"C27\"}",
                 i, kinds[i]);
        ids[i] = create(admin, body);
    }
    char path[128];
    path_of(path, sizeof path, ids[0], "/approve");
    ck_assert_int_eq(status_of(admin, "POST", path, NULL), 200);
    /* Pages of 3 by id: every project once, in order. */
    long seen[16];
    int n = 0;
    char url[512] = "/api/v1/projects?region_code=321081&limit=3";
    for (int page = 0; page < 5; page++) {
        struct t_resp *r = req(county2, "GET", url, NULL);
        expect(r, 200);
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        {
            ck_assert_int_lt(n, 16);
            seen[n++] = json_int(it, "id");
        }
        const cJSON *next = cJSON_GetObjectItem(r->json, "next_cursor");
        if (cJSON_IsNull(next)) {
            t_resp_free(r);
            break;
        }
        snprintf(url, sizeof url, "/api/v1/projects?region_code=321081&limit=3&cursor=%s",
                 next->valuestring);
        t_resp_free(r);
    }
    ck_assert_int_eq(n, 7);
    for (int i = 0; i < 7; i++)
        ck_assert_int_eq(seen[i], ids[i]);
    struct {
        const char *query;
        int count;
    } filters[] = {
        {"region_code=321081&kind=soft_science", 3},
        {"region_code=321081&status=approved", 1},
        {"region_code=321081&status=applied&kind=transfer", 2},
        {"region_code=321081&industry_code=C27", 7},
        {"region_code=321081&industry_code=C38", 0},
        {"region_code=321081&updated_since=2000-01-01T00:00:00Z", 7},
        {"region_code=321081&updated_since=2199-01-01T00:00:00%2B08:00", 0},
        {"region_code=321081&sort=-updated_at&limit=200", 7},
    };
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
        snprintf(url, sizeof url, "/api/v1/projects?%s", filters[i].query);
        struct t_resp *r = req(city, "GET", url, NULL);
        expect(r, 200);
        ck_assert_msg(items(r) == filters[i].count, "%s: %d items", filters[i].query, items(r));
        t_resp_free(r);
    }
    /* -updated_at puts the approved (last changed) project first. */
    struct t_resp *r =
        req(city, "GET", "/api/v1/projects?region_code=321081&sort=-updated_at", NULL);
    ck_assert_int_eq(json_int(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0), "id"),
                     ids[0]);
    t_resp_free(r);
    static const char *const bad[] = {"status=started",
                                      "kind=basic",
                                      "sort=title",
                                      "sort=relevance",
                                      "limit=0",
                                      "limit=201",
                                      "cursor=%21%21",
                                      "lead_enterprise_id=abc",
                                      "expert_id=-3",
                                      "updated_since=yesterday",
                                      "include_archived=yes",
                                      "colour=red",
                                      "status=applied&status=approved"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(url, sizeof url, "/api/v1/projects?%s", bad[i]);
        r = req(city, "GET", url, NULL);
        ck_assert_msg(r->status == 400, "%s: %d", bad[i], r->status);
        ck_assert_str_eq(t_problem_code(r), "invalid_parameter");
        t_resp_free(r);
    }
    /* A q without searchable words lists everything (by id). */
    r = req(city, "GET", "/api/v1/projects?q=%20&region_code=321081", NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 7);
    t_resp_free(r);
    r = req(city, "GET", "/api/v1/projects?q=%E7%BF%BB%E9%A1%B5&sort=relevance&limit=200", NULL);
    expect(r, 200);
    ck_assert_int_ge(items(r), 7);
    t_resp_free(r);
}
END_TEST

static Suite *projects_suite(void)
{
    Suite *s = suite_create("projects");
    TCase *tc = tcase_create("projects");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_project_create_validates_every_field);
    tcase_add_test(tc, test_project_create_fills_defaults_and_history);
    tcase_add_test(tc, test_project_county_writes_only_its_region);
    tcase_add_test(tc, test_project_workflow_moves_and_records_each_step);
    tcase_add_test(tc, test_project_if_match_guards_changes_and_steps);
    tcase_add_test(tc, test_project_idempotency_key_creates_once);
    tcase_add_test(tc, test_project_archive_and_restore);
    tcase_add_test(tc, test_project_members_add_list_remove);
    tcase_add_test(tc, test_project_enterprise_and_expert_see_only_their_projects);
    tcase_add_test(tc, test_project_list_filters_sorts_and_pages);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(projects_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
