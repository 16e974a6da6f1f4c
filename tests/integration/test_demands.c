/* The demand library: validation, the workflow with its history rows, what each role may see
 * and do (public fields for anonymous callers and experts), ETag/If-Match, Idempotency-Key,
 * archive/restore, filters, search and pagination, and matching moving a demand on. */
#include "harness.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static struct t_server srv;
static char admin[64], city[64], county[64], county2[64], ent[64], ent2[64], expert[64];
static char ent_a[16], ent_b[16], expert_a[16];

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
    t_server_start(&srv, "it_demands", true, NULL);
    copy_id(ent_a, sizeof ent_a,
            "INSERT INTO enterprises (name, credit_code, region_code, contact_phone)"
            " VALUES ('扬州甲科技有限公司', '91321003MA1M00001A', '321003', '13812345678')"
            " RETURNING id");
    copy_id(ent_b, sizeof ent_b,
            "INSERT INTO enterprises (name, credit_code, region_code) VALUES ('扬州乙材料有限公司',"
            " '91321012MA1M00002E', '321012') RETURNING id");
    copy_id(expert_a, sizeof expert_a,
            "INSERT INTO experts (name, region_code, consent, keywords, research_fields)"
            " VALUES ('张教授', '321003', true, '{锂电池}', '动力电池 锂电池 寿命') RETURNING id");
    char bind[64];
    login_as(admin, "d_admin", "admin", NULL);
    login_as(city, "d_city", "city_staff", NULL);
    login_as(county, "d_county", "county_staff", "--region 321003");
    login_as(county2, "d_county2", "county_staff", "--region 321012");
    snprintf(bind, sizeof bind, "--enterprise %s", ent_a);
    login_as(ent, "d_ent", "enterprise", bind);
    snprintf(bind, sizeof bind, "--enterprise %s", ent_b);
    login_as(ent2, "d_ent2", "enterprise", bind);
    snprintf(bind, sizeof bind, "--expert %s", expert_a);
    login_as(expert, "d_expert", "expert", bind);
}

static void teardown(void)
{
    t_server_finish(&srv);
}

static struct t_resp *call(const char *token, const char *method, const char *path,
                           const char *const *headers, const char *body)
{
    return t_call(&srv, token, method, path, headers, body);
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

/* Creates a demand as token from a JSON body; returns its id. */
static long create(const char *token, const char *body)
{
    struct t_resp *r = req(token, "POST", "/api/v1/demands", body);
    expect(r, 201);
    long id = json_int(r->json, "id");
    t_resp_free(r);
    return id;
}

/* A demand of ent_a (321003) filed by city staff, with the given title. */
static long create_for_a(const char *title)
{
    char body[512];
    snprintf(body, sizeof body, "{\"enterprise_id\":%s,\"title\":\"%s\",\"kind\":\"joint_rnd\"}",
             ent_a, title);
    return create(city, body);
}

static void path_of(char *out, size_t cap, long id, const char *suffix)
{
    snprintf(out, cap, "/api/v1/demands/%ld%s", id, suffix);
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

/* Runs a workflow action as token and checks the answer (and the new status on 200). */
static void act_as(const char *token, long id, const char *action, const char *body, int status,
                   const char *now)
{
    char path[96];
    path_of(path, sizeof path, id, "/");
    strcat(path, action);
    struct t_resp *r = req(token, "POST", path, body);
    ck_assert_msg(r->status == status, "%s: %d %s", action, r->status, r->body);
    if (status == 200)
        ck_assert_str_eq(t_json_str(r->json, "status"), now);
    if (status == 409)
        ck_assert_str_eq(t_problem_code(r), "invalid_transition");
    t_resp_free(r);
}

static void set_status(long id, const char *status)
{
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE demands SET status = '%s' WHERE id = %ld", status, id);
    t_db_exec(&srv, sql);
}

START_TEST(test_demand_create_validates_every_field)
{
    static const struct {
        const char *body;
        int status;
        const char *error;
    } cases[] = {
        {"{\"kind\":\"talent\"}", 400, "title/required"},
        {"{\"title\":\"x\"}", 400, "kind/required"},
        {"{\"title\":\"x\",\"kind\":\"bogus\"}", 400, "kind/invalid_value"},
        {"{\"title\":\"  \",\"kind\":\"talent\"}", 400, "title/required"},
        {"{\"title\":\"x\",\"kind\":\"talent\",\"service_modes\":[\"transfer\",\"gift\"]}", 400,
         "service_modes[1]/invalid_value"},
        {"{\"title\":\"x\",\"kind\":\"talent\",\"service_modes\":\"joint\"}", 400,
         "service_modes/type"},
        {"{\"title\":\"x\",\"kind\":\"talent\",\"industry_code\":\"c38\"}", 400,
         "industry_code/invalid_code"},
        {"{\"title\":\"x\",\"kind\":\"talent\",\"industry_code\":\"C99\"}", 400,
         "industry_code/unknown_code"},
        {"{\"title\":\"x\",\"kind\":\"talent\",\"discipline_codes\":[\"41\"]}", 400,
         "discipline_codes[0]/invalid_code"},
        {"{\"title\":\"x\",\"kind\":\"talent\",\"discipline_codes\":[\"999\"]}", 400,
         "discipline_codes/unknown_code"},
        {"{\"title\":\"x\",\"kind\":\"talent\",\"keywords\":[\"a\",3]}", 400, "keywords[1]/type"},
        {"{\"title\":\"x\",\"kind\":\"talent\",\"budget_min\":-1}", 400, "budget_min/out_of_range"},
        {"{\"title\":\"x\",\"kind\":\"talent\",\"budget_max\":\"10\"}", 400, "budget_max/type"},
        {"{\"title\":\"x\",\"kind\":\"talent\",\"budget_min\":50,\"budget_max\":20}", 400,
         "budget_max/invalid_range"},
        {"{\"title\":\"x\",\"kind\":\"talent\",\"deadline\":\"2026-02-30\"}", 400,
         "deadline/invalid_date"},
        {"{\"title\":\"x\",\"kind\":\"talent\",\"region_code\":\"32100\"}", 400,
         "region_code/length"},
        {"{\"title\":\"x\",\"kind\":\"talent\",\"region_code\":\"999999\"}", 400,
         "region_code/unknown_code"},
        {"{\"title\":\"x\",\"kind\":\"talent\",\"colour\":\"red\"}", 400, "colour/unknown_field"},
        {"{\"title\":\"x\",\"kind\":\"talent\",\"status\":\"published\"}", 403, "status/forbidden"},
        {"{\"title\":\"x\",\"kind\":\"talent\",\"version\":3}", 403, "version/forbidden"},
    };
    char body[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* Every case names the enterprise, so that only the field under test is wrong. */
        snprintf(body, sizeof body, "{\"enterprise_id\":%s,%s", ent_a, cases[i].body + 1);
        struct t_resp *r = req(admin, "POST", "/api/v1/demands", body);
        ck_assert_msg(r->status == cases[i].status, "%s: %d %s", body, r->status, r->body);
        ck_assert_msg(strcmp(first_error(r), cases[i].error) == 0, "%s: %s, want %s", body,
                      first_error(r), cases[i].error);
        t_resp_free(r);
    }
    /* Staff must say whose demand it is; an enterprise that does not exist is a 400. */
    struct t_resp *r =
        req(admin, "POST", "/api/v1/demands", "{\"title\":\"x\",\"kind\":\"talent\"}");
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "enterprise_id/required");
    t_resp_free(r);
    r = req(admin, "POST", "/api/v1/demands",
            "{\"enterprise_id\":99999999,\"title\":\"x\",\"kind\":\"talent\"}");
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "enterprise_id/unknown_record");
    t_resp_free(r);
    r = req(admin, "POST", "/api/v1/demands",
            "{\"enterprise_id\":0,\"title\":\"x\",\"kind\":\"talent\"}");
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "enterprise_id/out_of_range");
    t_resp_free(r);
    assert_scalar("0", "SELECT count(*) FROM demands WHERE title = 'x'");
    /* Experts and anonymous callers file nothing. */
    ck_assert_int_eq(
        status_of(expert, "POST", "/api/v1/demands", "{\"title\":\"x\",\"kind\":\"talent\"}"), 403);
    ck_assert_int_eq(
        status_of(NULL, "POST", "/api/v1/demands", "{\"title\":\"x\",\"kind\":\"talent\"}"), 401);
}
END_TEST

START_TEST(test_demand_create_fills_defaults_and_history)
{
    /* What bench/lib/matching.py sends, as city staff. */
    char body[1024];
    snprintf(body, sizeof body,
             "{\"enterprise_id\":%s,\"title\":\" 动力电池循环寿命提升 \",\"description\":\"\","
             "\"kind\":\"technical_problem\",\"industry_code\":\"C38\","
             "\"keywords\":[\"锂电池\",\"循环寿命\",\"锂电池\"],\"region_code\":\"321000\"}",
             ent_a);
    struct t_resp *r = req(city, "POST", "/api/v1/demands", body);
    expect(r, 201);
    long id = json_int(r->json, "id");
    ck_assert_str_eq(t_json_str(r->json, "title"), "动力电池循环寿命提升");
    ck_assert_str_eq(t_json_str(r->json, "status"), "draft");
    ck_assert_str_eq(t_json_str(r->json, "status_label"), "草稿");
    ck_assert_str_eq(t_json_str(r->json, "kind_label"), "技术难题");
    ck_assert_str_eq(t_json_str(r->json, "region_code"), "321000");
    ck_assert_str_eq(t_json_str(r->json, "enterprise_name"), "扬州甲科技有限公司");
    ck_assert_int_eq(json_int(r->json, "enterprise_id"), atol(ent_a));
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "keywords")), 2);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r->json, "published_at")));
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
    assert_scalar("create||draft|city_staff",
                  "SELECT action || '|' || coalesce(from_status, '') || '|' || to_status || '|'"
                  " || role FROM demand_transitions WHERE demand_id = %ld",
                  id);
    /* The enterprise files for itself: enterprise and region default to its own. */
    r = req(ent, "POST", "/api/v1/demands",
            "{\"title\":\"高精度传感器设备共享\",\"kind\":\"equipment\","
            "\"service_modes\":[\"joint\",\"consulting\"],\"discipline_codes\":[\"410\",\"41020\"],"
            "\"budget_min\":10,\"budget_max\":50.5,\"deadline\":\"2027-06-30\"}");
    expect(r, 201);
    ck_assert_int_eq(json_int(r->json, "enterprise_id"), atol(ent_a));
    ck_assert_str_eq(t_json_str(r->json, "region_code"), "321003");
    ck_assert_str_eq(t_json_str(r->json, "deadline"), "2027-06-30");
    ck_assert(cJSON_GetObjectItem(r->json, "budget_max")->valuedouble == 50.5);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "service_modes")), 2);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "discipline_codes")), 2);
    t_resp_free(r);
    assert_scalar("enterprise", "SELECT role FROM demand_transitions t JOIN demands d"
                                " ON d.id = t.demand_id WHERE d.title = '高精度传感器设备共享'");
    /* ... and for no other enterprise. */
    snprintf(body, sizeof body, "{\"enterprise_id\":%s,\"title\":\"冒名\",\"kind\":\"talent\"}",
             ent_b);
    r = req(ent, "POST", "/api/v1/demands", body);
    expect(r, 403);
    ck_assert_str_eq(first_error(r), "enterprise_id/forbidden");
    t_resp_free(r);
    snprintf(body, sizeof body, "{\"enterprise_id\":%s,\"title\":\"本企业\",\"kind\":\"talent\"}",
             ent_a);
    ck_assert_int_eq(status_of(ent, "POST", "/api/v1/demands", body), 201);
    assert_scalar("0", "SELECT count(*) FROM demands WHERE title = '冒名'");
    /* Without a region the demand takes its enterprise's (ent_b is in 321012). */
    snprintf(body, sizeof body, "{\"enterprise_id\":%s,\"title\":\"乙需求\",\"kind\":\"talent\"}",
             ent_b);
    r = req(admin, "POST", "/api/v1/demands", body);
    expect(r, 201);
    ck_assert_str_eq(t_json_str(r->json, "region_code"), "321012");
    t_resp_free(r);
}
END_TEST

START_TEST(test_demand_county_writes_only_its_region)
{
    char body[512], path[96];
    snprintf(body, sizeof body,
             "{\"enterprise_id\":%s,\"title\":\"县需求\",\"kind\":\"talent\","
             "\"region_code\":\"321012\"}",
             ent_a);
    struct t_resp *r = req(county, "POST", "/api/v1/demands", body);
    expect(r, 403);
    ck_assert_str_eq(first_error(r), "region_code/forbidden");
    t_resp_free(r);
    assert_scalar("0", "SELECT count(*) FROM demands WHERE title = '县需求'");
    /* Without a region: the county's own, whatever the enterprise's. */
    snprintf(body, sizeof body, "{\"enterprise_id\":%s,\"title\":\"县需求\",\"kind\":\"talent\"}",
             ent_b);
    r = req(county, "POST", "/api/v1/demands", body);
    expect(r, 201);
    ck_assert_str_eq(t_json_str(r->json, "region_code"), "321003");
    long own = json_int(r->json, "id");
    t_resp_free(r);
    snprintf(body, sizeof body, "{\"enterprise_id\":%s,\"title\":\"江都需求\",\"kind\":\"talent\"}",
             ent_b);
    long other = create(city, body);
    /* Reads everything, writes and moves only its own region's. */
    path_of(path, sizeof path, other, "");
    ck_assert_int_eq(status_of(county, "GET", path, NULL), 200);
    r = req(county, "PATCH", path, "{\"description\":\"改\"}");
    expect(r, 403);
    ck_assert_str_eq(t_problem_code(r), "forbidden");
    t_resp_free(r);
    ck_assert_int_eq(status_of(county2, "PATCH", path, "{\"description\":\"改\"}"), 200);
    path_of(path, sizeof path, other, "/submit");
    ck_assert_int_eq(status_of(county, "POST", path, NULL), 403);
    path_of(path, sizeof path, other, "/archive");
    ck_assert_int_eq(status_of(county, "POST", path, NULL), 403);
    path_of(path, sizeof path, own, "");
    r = req(county, "PATCH", path, "{\"region_code\":\"321012\"}");
    expect(r, 403);
    ck_assert_str_eq(first_error(r), "region_code/forbidden");
    t_resp_free(r);
    ck_assert_int_eq(status_of(county, "PATCH", path, "{\"budget_max\":30}"), 200);
    ck_assert_int_eq(status_of(city, "PATCH", path, "{\"region_code\":\"321012\"}"), 200);
    ck_assert_int_eq(status_of(county, "PATCH", path, "{\"budget_max\":31}"), 403);
}
END_TEST

START_TEST(test_demand_workflow_moves_and_records_each_step)
{
    long id = create_for_a("流程需求");
    /* Nothing but submit and withdraw leaves a draft. */
    act_as(city, id, "publish", NULL, 409, NULL);
    act_as(city, id, "reject", "{\"reason\":\"x\"}", 409, NULL);
    act_as(city, id, "revise", NULL, 409, NULL);
    act_as(city, id, "close", NULL, 409, NULL);
    /* The 409 names the current status and where the action applies, in Chinese. */
    char path[96];
    path_of(path, sizeof path, id, "/publish");
    struct t_resp *r = req(city, "POST", path, NULL);
    expect(r, 409);
    ck_assert_ptr_nonnull(strstr(t_json_str(r->json, "detail"), "草稿"));
    ck_assert_ptr_nonnull(strstr(t_json_str(r->json, "detail"), "已提交"));
    t_resp_free(r);
    act_as(ent, id, "submit", NULL, 200, "submitted");
    act_as(ent, id, "submit", NULL, 409, NULL);
    /* Only staff review: the enterprise may not publish its own demand. */
    act_as(ent, id, "publish", NULL, 403, NULL);
    /* A rejection needs a reason: missing, empty, null or misnamed is 400 and changes nothing. */
    act_as(city, id, "reject", NULL, 400, NULL);
    act_as(city, id, "reject", "{}", 400, NULL);
    act_as(city, id, "reject", "{\"reason\":\"  \"}", 400, NULL);
    act_as(city, id, "reject", "{\"reason\":null}", 400, NULL);
    act_as(city, id, "reject", "{\"why\":\"x\"}", 400, NULL);
    assert_scalar("submitted", "SELECT status FROM demands WHERE id = %ld", id);
    act_as(city, id, "reject", "{\"reason\":\"预算范围不清楚，请补充\"}", 200, "rejected");
    assert_scalar("预算范围不清楚，请补充", "SELECT status_reason FROM demands WHERE id = %ld", id);
    act_as(ent, id, "submit", NULL, 409, NULL); /* a rejected demand is revised first */
    act_as(ent, id, "revise", NULL, 200, "draft");
    act_as(ent, id, "submit", "{}", 200, "submitted");
    act_as(county, id, "publish", NULL, 200, "published");
    assert_scalar("t", "SELECT published_at IS NOT NULL FROM demands WHERE id = %ld", id);
    act_as(ent, id, "withdraw", "{\"reason\":\"内部调整\"}", 200, "withdrawn");
    act_as(ent, id, "withdraw", NULL, 409, NULL);
    act_as(ent, id, "revise", NULL, 200, "draft");
    act_as(city, id, "submit", NULL, 200,
           "submitted"); /* staff submit on the enterprise's behalf */
    act_as(city, id, "withdraw", NULL, 200, "withdrawn");
    act_as(city, id, "revise", NULL, 200, "draft");
    act_as(ent, id, "withdraw", NULL, 200, "withdrawn"); /* a draft may be withdrawn too */
    act_as(ent, id, "revise", NULL, 200, "draft");
    act_as(ent, id, "submit", NULL, 200, "submitted");
    act_as(admin, id, "publish", NULL, 200, "published");
    act_as(ent, id, "close", NULL, 403, NULL);
    act_as(city, id, "close", "{\"reason\":\"已找到合作专家\"}", 200, "closed");
    static const char *const after_close[] = {"submit", "publish", "withdraw", "revise", "close"};
    for (size_t i = 0; i < sizeof after_close / sizeof after_close[0]; i++)
        act_as(admin, id, after_close[i], NULL, 409, NULL);
    act_as(admin, id, "reject", "{\"reason\":\"x\"}", 409, NULL);
    /* One history row per step taken, none for the refused ones, with who and why. */
    assert_scalar("create,submit,reject,revise,submit,publish,withdraw,revise,submit,withdraw,"
                  "revise,withdraw,revise,submit,publish,close",
                  "SELECT string_agg(action, ',' ORDER BY id) FROM demand_transitions"
                  " WHERE demand_id = %ld",
                  id);
    assert_scalar("submitted>rejected:预算范围不清楚，请补充:city_staff:d_city",
                  "SELECT from_status || '>' || to_status || ':' || reason || ':' || t.role || ':'"
                  " || u.username FROM demand_transitions t JOIN users u ON u.id = t.user_id"
                  " WHERE demand_id = %ld AND action = 'reject'",
                  id);
    assert_scalar("closed|16|已找到合作专家",
                  "SELECT status || '|' || version || '|' || status_reason FROM demands"
                  " WHERE id = %ld",
                  id);
    assert_scalar("1",
                  "SELECT count(*) FROM audit_log WHERE action = 'close'"
                  " AND record_type = 'demands' AND record_id = '%ld'",
                  id);
    /* The history, for the enterprise and staff. */
    path_of(path, sizeof path, id, "/history");
    r = req(ent, "GET", path, NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 16);
    cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(first, "from_status")));
    ck_assert_str_eq(t_json_str(first, "to_status_label"), "草稿");
    ck_assert_str_eq(t_json_str(first, "action_label"), "创建");
    cJSON *rej = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 2);
    ck_assert_str_eq(t_json_str(rej, "action"), "reject");
    ck_assert_str_eq(t_json_str(rej, "action_label"), "退回");
    ck_assert_str_eq(t_json_str(rej, "from_status_label"), "已提交");
    ck_assert_str_eq(t_json_str(rej, "to_status_label"), "已退回");
    ck_assert_str_eq(t_json_str(rej, "reason"), "预算范围不清楚，请补充");
    ck_assert_str_eq(t_json_str(rej, "user_name"), "d_city");
    ck_assert_str_eq(t_json_str(rej, "role"), "city_staff");
    t_resp_free(r);
    strcat(path, "?limit=10");
    r = req(county2, "GET", path, NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 10);
    char next[256];
    snprintf(next, sizeof next, "%s&cursor=%s", path, t_json_str(r->json, "next_cursor"));
    t_resp_free(r);
    r = req(county2, "GET", next, NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 6);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r->json, "next_cursor")));
    t_resp_free(r);
    path_of(path, sizeof path, id, "/history");
    ck_assert_int_eq(status_of(ent2, "GET", path, NULL), 404);
    ck_assert_int_eq(status_of(NULL, "GET", path, NULL), 401);
    path_of(path, sizeof path, 99999999, "/history");
    ck_assert_int_eq(status_of(admin, "GET", path, NULL), 404);
    path_of(path, sizeof path, 99999999, "/submit");
    ck_assert_int_eq(status_of(admin, "POST", path, NULL), 404);
}
END_TEST

START_TEST(test_demand_enterprise_edits_only_its_open_demands)
{
    long id = create(ent, "{\"title\":\"可编辑需求\",\"kind\":\"talent\"}");
    char path[96];
    path_of(path, sizeof path, id, "");
    struct t_resp *r = req(ent, "PATCH", path,
                           "{\"description\":\"需要 3 名电池工程师\",\"keywords\":[\"电池\"],"
                           "\"budget_min\":5}");
    expect(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "description"), "需要 3 名电池工程师");
    ck_assert_int_eq(json_int(r->json, "version"), 2);
    t_resp_free(r);
    /* The stored budget_min counts against a new budget_max. */
    r = req(ent, "PATCH", path, "{\"budget_max\":1}");
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "budget_max/invalid_range");
    t_resp_free(r);
    char body[128];
    snprintf(body, sizeof body, "{\"enterprise_id\":%s}", ent_b);
    r = req(ent, "PATCH", path, body);
    expect(r, 403);
    ck_assert_str_eq(first_error(r), "enterprise_id/forbidden");
    t_resp_free(r);
    ck_assert_int_eq(status_of(ent, "PATCH", path, "{\"status\":\"published\"}"), 403);
    ck_assert_int_eq(status_of(ent2, "PATCH", path, "{\"title\":\"改\"}"), 404);
    ck_assert_int_eq(status_of(ent2, "GET", path, NULL), 404);
    ck_assert_int_eq(status_of(expert, "PATCH", path, "{\"title\":\"改\"}"), 403);
    /* Once submitted it is the staff's: 409 for the enterprise, with what to do. */
    act_as(ent, id, "submit", NULL, 200, "submitted");
    r = req(ent, "PATCH", path, "{\"title\":\"改\"}");
    expect(r, 409);
    ck_assert_ptr_nonnull(strstr(t_json_str(r->json, "detail"), "已提交"));
    ck_assert_ptr_nonnull(strstr(t_json_str(r->json, "detail"), "撤回"));
    t_resp_free(r);
    ck_assert_int_eq(status_of(city, "PATCH", path, "{\"title\":\"工作人员修改\"}"), 200);
    act_as(city, id, "publish", NULL, 200, "published");
    /* Published, the other enterprise sees it but may not change it. */
    ck_assert_int_eq(status_of(ent2, "GET", path, NULL), 200);
    ck_assert_int_eq(status_of(ent2, "PATCH", path, "{\"title\":\"改\"}"), 403);
    act_as(ent2, id, "withdraw", NULL, 403, NULL);
    act_as(ent, id, "withdraw", NULL, 200, "withdrawn");
    ck_assert_int_eq(status_of(ent, "PATCH", path, "{\"title\":\"撤回后修改\"}"), 200);
    act_as(city, id, "revise", NULL, 200, "draft");
    act_as(ent, id, "submit", NULL, 200, "submitted");
    act_as(city, id, "reject", "{\"reason\":\"请补充\"}", 200, "rejected");
    ck_assert_int_eq(status_of(ent, "PATCH", path, "{\"title\":\"退回后修改\"}"), 200);
    /* A closed demand is final, for staff too. */
    set_status(id, "closed");
    r = req(city, "PATCH", path, "{\"title\":\"关闭后\"}");
    expect(r, 409);
    ck_assert_str_eq(t_problem_code(r), "invalid_transition");
    t_resp_free(r);
}
END_TEST

START_TEST(test_demand_public_fields_for_anonymous_and_experts)
{
    long draft = create_for_a("未公开的需求");
    long pub = create_for_a("公开的需求");
    char body[128];
    snprintf(body, sizeof body, "{\"description\":\"联系电话 13812345678\"}");
    char path[96];
    path_of(path, sizeof path, pub, "");
    ck_assert_int_eq(status_of(city, "PATCH", path, body), 200);
    act_as(city, pub, "submit", NULL, 200, "submitted");
    act_as(city, pub, "publish", NULL, 200, "published");
    static const char *const hidden[] = {"enterprise_id", "enterprise_name", "status_reason",
                                         "archived",      "created_at",      "updated_at",
                                         "version"};
    const char *const who[] = {NULL, expert, ent2};
    for (int w = 0; w < 3; w++) {
        struct t_resp *r = req(who[w], "GET", path, NULL);
        expect(r, 200);
        ck_assert_str_eq(t_json_str(r->json, "title"), "公开的需求");
        ck_assert_str_eq(t_json_str(r->json, "status_label"), "已发布");
        ck_assert_str_eq(t_json_str(r->json, "kind_label"), "合作研发");
        ck_assert(cJSON_IsString(cJSON_GetObjectItem(r->json, "published_at")));
        for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
            ck_assert_msg(cJSON_GetObjectItem(r->json, hidden[i]) == NULL, "%s shows %s",
                          w ? "signed-in" : "anonymous", hidden[i]);
        ck_assert_ptr_null(strstr(r->body, "扬州甲科技有限公司"));
        t_resp_free(r);
    }
    /* The owner and staff get every field. */
    struct t_resp *r = req(ent, "GET", path, NULL);
    expect(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "enterprise_name"), "扬州甲科技有限公司");
    t_resp_free(r);
    path_of(path, sizeof path, draft, "");
    ck_assert_int_eq(status_of(NULL, "GET", path, NULL), 404);
    ck_assert_int_eq(status_of(expert, "GET", path, NULL), 404);
    /* Lists: only public demands, public fields, and a filter cannot widen it. */
    const char *const lists_of[] = {NULL, expert};
    for (int w = 0; w < 2; w++) {
        r = req(lists_of[w], "GET", "/api/v1/demands?limit=200", NULL);
        expect(r, 200);
        ck_assert(lists(r, pub));
        ck_assert(!lists(r, draft));
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        {
            const char *s = t_json_str(it, "status");
            ck_assert_msg(strcmp(s, "published") == 0 || strcmp(s, "matching") == 0, "%s", s);
            ck_assert_ptr_null(cJSON_GetObjectItem(it, "enterprise_id"));
        }
        t_resp_free(r);
        r = req(lists_of[w], "GET", "/api/v1/demands?status=draft", NULL);
        expect(r, 200);
        ck_assert_int_eq(items(r), 0);
        t_resp_free(r);
    }
    ck_assert_int_eq(status_of(NULL, "GET", "/api/v1/demands?include_archived=true", NULL), 403);
    /* The history is for full readers only. */
    path_of(path, sizeof path, pub, "/history");
    ck_assert_int_eq(status_of(expert, "GET", path, NULL), 403);
    ck_assert_int_eq(status_of(ent2, "GET", path, NULL), 403);
    ck_assert_int_eq(status_of(NULL, "GET", path, NULL), 401);
    /* An enterprise lists its own demands only, every status. */
    r = req(ent2, "GET", "/api/v1/demands?limit=200", NULL);
    expect(r, 200);
    ck_assert(!lists(r, pub));
    t_resp_free(r);
    r = req(ent, "GET", "/api/v1/demands?limit=200", NULL);
    expect(r, 200);
    ck_assert(lists(r, pub));
    ck_assert(lists(r, draft));
    t_resp_free(r);
    /* A token sent with a public read is still honoured (staff get full fields). */
    r = req(admin, "GET", "/api/v1/demands?limit=200", NULL);
    ck_assert(lists(r, draft));
    t_resp_free(r);
}
END_TEST

START_TEST(test_demand_if_match_guards_changes_and_steps)
{
    long id = create_for_a("版本需求");
    char path[96], step[96];
    path_of(path, sizeof path, id, "");
    path_of(step, sizeof step, id, "/submit");
    const char *const v1[] = {"If-Match: \"1\"", NULL};
    struct t_resp *r = call(admin, "PATCH", path, v1, "{\"budget_min\":5}");
    expect(r, 200);
    char *etag = t_resp_header(r, "ETag");
    ck_assert_str_eq(etag, "\"2\"");
    free(etag);
    t_resp_free(r);
    r = call(admin, "PATCH", path, v1, "{\"budget_min\":6}");
    expect(r, 412);
    ck_assert_str_eq(t_problem_code(r), "precondition_failed");
    t_resp_free(r);
    r = call(admin, "POST", step, v1, NULL);
    expect(r, 412);
    t_resp_free(r);
    assert_scalar("draft|5.00", "SELECT status || '|' || budget_min FROM demands WHERE id = %ld",
                  id);
    const char *const v2[] = {"If-Match: \"2\"", NULL};
    r = call(ent, "POST", step, v2, NULL);
    expect(r, 200);
    etag = t_resp_header(r, "ETag");
    ck_assert_str_eq(etag, "\"3\"");
    free(etag);
    t_resp_free(r);
    r = req(ent, "GET", path, NULL);
    etag = t_resp_header(r, "ETag");
    ck_assert_str_eq(etag, "\"3\"");
    free(etag);
    t_resp_free(r);
}
END_TEST

START_TEST(test_demand_idempotency_key_creates_once)
{
    const char *body = "{\"title\":\"幂等需求\",\"kind\":\"transfer\"}";
    const char *const key[] = {"Idempotency-Key: demand-create-1", NULL};
    struct t_resp *a = call(ent, "POST", "/api/v1/demands", key, body);
    expect(a, 201);
    struct t_resp *b = call(ent, "POST", "/api/v1/demands", key, body);
    expect(b, 201);
    ck_assert_int_eq(json_int(a->json, "id"), json_int(b->json, "id"));
    char *replayed = t_resp_header(b, "Idempotent-Replayed");
    ck_assert_str_eq(replayed, "true");
    free(replayed);
    t_resp_free(a);
    t_resp_free(b);
    assert_scalar("1", "SELECT count(*) FROM demands WHERE title = '幂等需求'");
    assert_scalar("1", "SELECT count(*) FROM demand_transitions t JOIN demands d"
                       " ON d.id = t.demand_id WHERE d.title = '幂等需求'");
    struct t_resp *c =
        call(ent, "POST", "/api/v1/demands", key, "{\"title\":\"另一个\",\"kind\":\"transfer\"}");
    expect(c, 409);
    t_resp_free(c);
}
END_TEST

START_TEST(test_demand_archive_and_restore)
{
    long id = create_for_a("归档需求");
    char path[96], arch[96], rest[96], with[128];
    path_of(path, sizeof path, id, "");
    path_of(arch, sizeof arch, id, "/archive");
    path_of(rest, sizeof rest, id, "/restore");
    ck_assert_int_eq(status_of(county2, "POST", arch, NULL), 403);
    ck_assert_int_eq(status_of(ent, "POST", arch, NULL), 403);
    struct t_resp *r = req(county, "POST", arch, NULL);
    expect(r, 200);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r->json, "archived")));
    long version = json_int(r->json, "version");
    t_resp_free(r);
    r = req(county, "POST", arch, NULL);
    expect(r, 200);
    ck_assert_int_eq(json_int(r->json, "version"), version);
    t_resp_free(r);
    assert_scalar("d_county",
                  "SELECT u.username FROM demands d JOIN users u ON u.id = d.archived_by"
                  " WHERE d.id = %ld",
                  id);
    ck_assert_int_eq(status_of(admin, "GET", path, NULL), 404);
    ck_assert_int_eq(status_of(ent, "GET", path, NULL), 404);
    snprintf(with, sizeof with, "%s?include_archived=true", path);
    ck_assert_int_eq(status_of(admin, "GET", with, NULL), 200);
    ck_assert_int_eq(status_of(ent, "GET", with, NULL), 403);
    ck_assert_int_eq(status_of(admin, "PATCH", path, "{\"title\":\"x\"}"), 404);
    path_of(with, sizeof with, id, "/submit");
    ck_assert_int_eq(status_of(admin, "POST", with, NULL), 404);
    r = req(admin, "GET", "/api/v1/demands?limit=200", NULL);
    ck_assert(!lists(r, id));
    t_resp_free(r);
    r = req(admin, "GET", "/api/v1/demands?limit=200&include_archived=true", NULL);
    ck_assert(lists(r, id));
    t_resp_free(r);
    r = req(county, "POST", rest, NULL);
    expect(r, 200);
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r->json, "archived")));
    t_resp_free(r);
    ck_assert_int_eq(status_of(admin, "GET", path, NULL), 200);
    path_of(path, sizeof path, 987654321, "/archive");
    ck_assert_int_eq(status_of(admin, "POST", path, NULL), 404);
}
END_TEST

START_TEST(test_demand_list_filters_searches_and_pages)
{
    char body[512];
    long ids[6];
    static const char *const kinds[] = {"talent",    "talent", "transfer",
                                        "equipment", "talent", "transfer"};
    for (int i = 0; i < 6; i++) {
        snprintf(body, sizeof body,
                 "{\"enterprise_id\":%s,\"title\":\"翻页需求%d\",\"kind\":\"%s\","
                 "\"region_code\":\"321081\",\"service_modes\":[\"%s\"],"
                 "\"discipline_codes\":[\"%s\"],\"industry_code\":\"%s\"}",
                 i % 2 ? ent_a : ent_b, i, kinds[i], i < 3 ? "training" : "consulting",
                 i < 2 ? "410" : "110", i == 5 ? "C39" : "C38");
        ids[i] = create(city, body);
    }
    struct t_resp *r = req(city, "GET", "/api/v1/demands?region_code=321081&kind=talent", NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 3);
    t_resp_free(r);
    r = req(city, "GET", "/api/v1/demands?region_code=321081&service_mode=training", NULL);
    ck_assert_int_eq(items(r), 3);
    t_resp_free(r);
    r = req(city, "GET", "/api/v1/demands?region_code=321081&discipline_code=410", NULL);
    ck_assert_int_eq(items(r), 2);
    t_resp_free(r);
    r = req(city, "GET", "/api/v1/demands?region_code=321081&industry_code=C39", NULL);
    ck_assert_int_eq(items(r), 1);
    ck_assert(lists(r, ids[5]));
    t_resp_free(r);
    snprintf(body, sizeof body, "/api/v1/demands?region_code=321081&enterprise_id=%s", ent_a);
    r = req(city, "GET", body, NULL);
    ck_assert_int_eq(items(r), 3);
    t_resp_free(r);
    set_status(ids[4], "published");
    r = req(city, "GET", "/api/v1/demands?region_code=321081&status=published", NULL);
    ck_assert_int_eq(items(r), 1);
    ck_assert(lists(r, ids[4]));
    t_resp_free(r);
    /* Bad filters are 400s naming the parameter. */
    static const char *const bad[] = {
        "/api/v1/demands?status=open",         "/api/v1/demands?kind=x",
        "/api/v1/demands?service_mode=gift",   "/api/v1/demands?enterprise_id=0",
        "/api/v1/demands?updated_since=today", "/api/v1/demands?sort=title",
        "/api/v1/demands?sort=relevance",      "/api/v1/demands?colour=red",
        "/api/v1/demands?cursor=xyz",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = req(city, "GET", bad[i], NULL);
        ck_assert_msg(r->status == 400, "%s: %d", bad[i], r->status);
        t_resp_free(r);
    }
    /* Pages of 4, by id and by latest change, neither skipping nor repeating. */
    const char *const sorts[] = {"id", "-updated_at"};
    for (int s = 0; s < 2; s++) {
        char path[256];
        snprintf(path, sizeof path, "/api/v1/demands?region_code=321081&limit=4&sort=%s", sorts[s]);
        r = req(city, "GET", path, NULL);
        expect(r, 200);
        ck_assert_int_eq(items(r), 4);
        long first = json_int(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0), "id");
        ck_assert_int_eq(first, s == 0 ? ids[0] : ids[5]);
        char next[512];
        snprintf(next, sizeof next, "%s&cursor=%s", path, t_json_str(r->json, "next_cursor"));
        t_resp_free(r);
        r = req(city, "GET", next, NULL);
        expect(r, 200);
        ck_assert_int_eq(items(r), 2);
        ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r->json, "next_cursor")));
        t_resp_free(r);
    }
    /* Full-text search in Chinese, segmented: a word of a description finds it. */
    snprintf(
        body, sizeof body,
        "{\"enterprise_id\":%s,\"title\":\"新能源汽车电机控制\",\"kind\":\"technical_problem\","
        "\"description\":\"永磁同步电机的高效控制算法\",\"keywords\":[\"电机控制\"]}",
        ent_a);
    long found = create(city, body);
    /* q=控制算法 */
    r = req(city, "GET", "/api/v1/demands?q=%E6%8E%A7%E5%88%B6%E7%AE%97%E6%B3%95", NULL);
    expect(r, 200);
    ck_assert(lists(r, found));
    ck_assert(!lists(r, ids[0]));
    t_resp_free(r);
    /* q=电机 with relevance, and the owner finds it too; the other enterprise does not. */
    r = req(ent, "GET", "/api/v1/demands?q=%E7%94%B5%E6%9C%BA&sort=relevance", NULL);
    expect(r, 200);
    ck_assert(lists(r, found));
    t_resp_free(r);
    r = req(ent2, "GET", "/api/v1/demands?q=%E7%94%B5%E6%9C%BA", NULL);
    expect(r, 200);
    ck_assert(!lists(r, found));
    t_resp_free(r);
    /* A patched title is searchable at once: q=齿轮箱 */
    char path[96];
    path_of(path, sizeof path, found, "");
    ck_assert_int_eq(status_of(city, "PATCH", path, "{\"title\":\"风电齿轮箱故障诊断\"}"), 200);
    r = req(city, "GET", "/api/v1/demands?q=%E9%BD%BF%E8%BD%AE%E7%AE%B1", NULL);
    ck_assert(lists(r, found));
    t_resp_free(r);
}
END_TEST

START_TEST(test_demand_matching_moves_it_on)
{
    long id = create_for_a("锂电池寿命匹配需求");
    char path[96], body[64];
    path_of(path, sizeof path, id, "/matches");
    snprintf(body, sizeof body, "{\"expert_id\":%s}", expert_a);
    /* Not published yet: no match can be proposed. */
    ck_assert_int_eq(status_of(city, "POST", path, body), 409);
    act_as(ent, id, "submit", NULL, 200, "submitted");
    act_as(city, id, "publish", NULL, 200, "published");
    struct t_resp *r = req(city, "POST", path, body);
    expect(r, 201);
    t_resp_free(r);
    assert_scalar("matching", "SELECT status FROM demands WHERE id = %ld", id);
    path_of(path, sizeof path, id, "/history");
    r = req(ent, "GET", path, NULL);
    expect(r, 200);
    cJSON *last = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), items(r) - 1);
    ck_assert_str_eq(t_json_str(last, "action"), "match");
    ck_assert_str_eq(t_json_str(last, "to_status_label"), "匹配中");
    t_resp_free(r);
    /* Still public while it is being matched; withdrawing is no longer the enterprise's. */
    path_of(path, sizeof path, id, "");
    ck_assert_int_eq(status_of(NULL, "GET", path, NULL), 200);
    act_as(ent, id, "withdraw", NULL, 409, NULL);
    act_as(city, id, "close", NULL, 200, "closed");
    ck_assert_int_eq(status_of(NULL, "GET", path, NULL), 404);
}
END_TEST

START_TEST(test_demand_concurrent_steps_take_effect_once)
{
    /* Eight clients submit the same draft at once: one step is taken, the others see it taken. */
    long id = create_for_a("并发提交需求");
    char path[96];
    path_of(path, sizeof path, id, "/submit");
    enum { N = 8 };
    pid_t kids[N];
    for (int i = 0; i < N; i++) {
        kids[i] = fork();
        ck_assert_int_ge(kids[i], 0);
        if (kids[i] == 0) {
            struct t_resp *r = req(ent, "POST", path, NULL);
            int code = r->status == 200 ? 0 : r->status == 409 ? 1 : 2;
            _exit(code);
        }
    }
    int ok = 0, taken = 0;
    for (int i = 0; i < N; i++) {
        int st = 0;
        ck_assert_int_eq(waitpid(kids[i], &st, 0), kids[i]);
        ck_assert(WIFEXITED(st));
        ok += WEXITSTATUS(st) == 0;
        taken += WEXITSTATUS(st) == 1;
    }
    ck_assert_int_eq(ok, 1);
    ck_assert_int_eq(taken, N - 1);
    assert_scalar("submitted|2", "SELECT status || '|' || version FROM demands WHERE id = %ld", id);
    assert_scalar("1",
                  "SELECT count(*) FROM demand_transitions WHERE demand_id = %ld"
                  " AND action = 'submit'",
                  id);
}
END_TEST

static Suite *demands_suite(void)
{
    Suite *s = suite_create("demands");
    TCase *tc = tcase_create("demands");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_demand_create_validates_every_field);
    tcase_add_test(tc, test_demand_create_fills_defaults_and_history);
    tcase_add_test(tc, test_demand_county_writes_only_its_region);
    tcase_add_test(tc, test_demand_workflow_moves_and_records_each_step);
    tcase_add_test(tc, test_demand_enterprise_edits_only_its_open_demands);
    tcase_add_test(tc, test_demand_public_fields_for_anonymous_and_experts);
    tcase_add_test(tc, test_demand_if_match_guards_changes_and_steps);
    tcase_add_test(tc, test_demand_idempotency_key_creates_once);
    tcase_add_test(tc, test_demand_archive_and_restore);
    tcase_add_test(tc, test_demand_list_filters_searches_and_pages);
    tcase_add_test(tc, test_demand_matching_moves_it_on);
    tcase_add_test(tc, test_demand_concurrent_steps_take_effect_once);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(demands_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
