/* Service groups and service activities: validation, members (experts, academicians and
 * staff), the scope of each role, ETag/If-Match, Idempotency-Key, archive/restore, filters
 * and pagination. */
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
static char county_user[16], ent_user[16];

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
    t_server_start(&srv, "it_service", true, NULL);
    copy_id(ent_a, sizeof ent_a,
            "INSERT INTO enterprises (name, credit_code, region_code) VALUES ('扬州甲科技有限公司',"
            " '91321003MA1M00001A', '321003') RETURNING id");
    copy_id(ent_b, sizeof ent_b,
            "INSERT INTO enterprises (name, credit_code, region_code) VALUES ('扬州乙材料有限公司',"
            " '91321012MA1M00002E', '321012') RETURNING id");
    copy_id(expert_a, sizeof expert_a,
            "INSERT INTO experts (name, region_code) VALUES ('张教授', '321003') RETURNING id");
    copy_id(expert_b, sizeof expert_b,
            "INSERT INTO experts (name, region_code) VALUES ('李研究员', '321012') RETURNING id");
    copy_id(academician, sizeof academician,
            "INSERT INTO experts (kind, name, academy) VALUES ('academician', '王院士', 'CAE')"
            " RETURNING id");
    /* Stations the activities name (workstation_id is a foreign key). */
    t_db_exec(&srv, "INSERT INTO workstations (id, name, host_enterprise_id, region_code)"
                    " SELECT i, '活动工作站' || i, (SELECT min(id) FROM enterprises), '321003'"
                    " FROM unnest(ARRAY[7, 8, 42]) i");
    char bind[64];
    login_as(admin, "s_admin", "admin", NULL);
    login_as(city, "s_city", "city_staff", NULL);
    login_as(county, "s_county", "county_staff", "--region 321003 --display-name 邗江小李");
    login_as(county2, "s_county2", "county_staff", "--region 321012");
    snprintf(bind, sizeof bind, "--enterprise %s", ent_a);
    login_as(ent, "s_ent", "enterprise", bind);
    snprintf(bind, sizeof bind, "--enterprise %s", ent_b);
    login_as(ent2, "s_ent2", "enterprise", bind);
    snprintf(bind, sizeof bind, "--expert %s", expert_a);
    login_as(expert, "s_expert", "expert", bind);
    snprintf(bind, sizeof bind, "--expert %s", expert_b);
    login_as(expert2, "s_expert2", "expert", bind);
    copy_id(county_user, sizeof county_user, "SELECT id FROM users WHERE username = 's_county'");
    copy_id(ent_user, sizeof ent_user, "SELECT id FROM users WHERE username = 's_ent'");
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
    cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "errors"), 0);
    snprintf(out, sizeof out, "%s/%s", t_json_str(e, "field"), t_json_str(e, "code"));
    return out;
}

static long json_int(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", key);
    return (long)v->valuedouble;
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

static long create_at(const char *token, const char *path, const char *body)
{
    struct t_resp *r = req(token, "POST", path, body);
    expect(r, 201);
    long id = json_int(r->json, "id");
    t_resp_free(r);
    return id;
}

/* Each (body, status, "field/code") of cases against POST path; nothing may be created. */
struct refusal {
    const char *body;
    int status;
    const char *error;
};

static void assert_refused(const char *path, const struct refusal *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct t_resp *r = req(admin, "POST", path, cases[i].body);
        ck_assert_msg(r->status == cases[i].status, "%s: %d %s", cases[i].body, r->status, r->body);
        ck_assert_msg(strcmp(first_error(r), cases[i].error) == 0, "%s: %s, want %s", cases[i].body,
                      first_error(r), cases[i].error);
        t_resp_free(r);
    }
}

/* ---- service groups ---- */

START_TEST(test_group_create_validates_and_is_idempotent)
{
    static const struct refusal cases[] = {
        {"{\"description\":\"x\"}", 400, "name/required"},
        {"{\"name\":\"x\",\"industry_codes\":\"C38\"}", 400, "industry_codes/type"},
        {"{\"name\":\"x\",\"industry_codes\":[\"C99\"]}", 400, "industry_codes/unknown_code"},
        {"{\"name\":\"x\",\"industry_codes\":[\"c3\"]}", 400, "industry_codes[0]/invalid_code"},
        {"{\"name\":\"x\",\"region_codes\":[\"12\"]}", 400, "region_codes[0]/length"},
        {"{\"name\":\"x\",\"region_codes\":[\"999999\"]}", 400, "region_codes/unknown_code"},
        {"{\"name\":\"x\",\"members\":[]}", 400, "members/unknown_field"},
        {"{\"name\":\"x\",\"id\":4}", 403, "id/forbidden"},
    };
    assert_refused("/api/v1/service-groups", cases, sizeof cases / sizeof cases[0]);
    assert_scalar("0", "SELECT count(*) FROM service_groups WHERE name = 'x'");
    const char *body = "{\"name\":\"智能制造服务群\",\"description\":\"装备与工业软件\","
                       "\"industry_codes\":[\"C34\",\"Z01\",\"C34\"],"
                       "\"region_codes\":[\"321003\",\"321012\"]}";
    const char *const key[] = {"Idempotency-Key: group-1", NULL};
    struct t_resp *a = call(city, "POST", "/api/v1/service-groups", key, body);
    expect(a, 201);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(a->json, "industry_codes")), 2);
    ck_assert_str_eq(
        cJSON_GetArrayItem(cJSON_GetObjectItem(a->json, "region_codes"), 1)->valuestring, "321012");
    char *loc = t_resp_header(a, "Location");
    char want[64];
    snprintf(want, sizeof want, "/api/v1/service-groups/%ld", json_int(a->json, "id"));
    ck_assert_str_eq(loc, want);
    free(loc);
    struct t_resp *b = call(city, "POST", "/api/v1/service-groups", key, body);
    expect(b, 201);
    ck_assert_int_eq(json_int(a->json, "id"), json_int(b->json, "id"));
    t_resp_free(a);
    t_resp_free(b);
    assert_scalar("1", "SELECT count(*) FROM service_groups WHERE name = '智能制造服务群'");
    ck_assert_int_eq(status_of(ent, "POST", "/api/v1/service-groups", "{\"name\":\"y\"}"), 403);
    ck_assert_int_eq(status_of(expert, "POST", "/api/v1/service-groups", "{\"name\":\"y\"}"), 403);
}
END_TEST

START_TEST(test_group_county_keeps_groups_of_its_region)
{
    struct t_resp *r = req(county, "POST", "/api/v1/service-groups", "{\"name\":\"邗江服务群\"}");
    expect(r, 201);
    ck_assert_str_eq(
        cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "region_codes"), 0)->valuestring, "321003");
    long own = json_int(r->json, "id");
    t_resp_free(r);
    r = req(county, "POST", "/api/v1/service-groups",
            "{\"name\":\"江都服务群\",\"region_codes\":[\"321012\"]}");
    expect(r, 403);
    ck_assert_str_eq(first_error(r), "region_codes/forbidden");
    t_resp_free(r);
    long shared = create_at(county, "/api/v1/service-groups",
                            "{\"name\":\"联合服务群\",\"region_codes\":[\"321012\",\"321003\"]}");
    long other = create_at(city, "/api/v1/service-groups",
                           "{\"name\":\"仪征服务群\",\"region_codes\":[\"321081\"]}");
    char path[96];
    snprintf(path, sizeof path, "/api/v1/service-groups/%ld", other);
    ck_assert_int_eq(status_of(county, "GET", path, NULL), 200);
    ck_assert_int_eq(status_of(county, "PATCH", path, "{\"description\":\"改\"}"), 403);
    snprintf(path, sizeof path, "/api/v1/service-groups/%ld/archive", other);
    ck_assert_int_eq(status_of(county, "POST", path, NULL), 403);
    /* Both counties of a shared group may change it. */
    snprintf(path, sizeof path, "/api/v1/service-groups/%ld", shared);
    ck_assert_int_eq(status_of(county2, "PATCH", path, "{\"description\":\"江都改\"}"), 200);
    ck_assert_int_eq(status_of(county, "PATCH", path, "{\"description\":\"邗江改\"}"), 200);
    /* A county may not take its own region out of a group. */
    snprintf(path, sizeof path, "/api/v1/service-groups/%ld", own);
    r = req(county, "PATCH", path, "{\"region_codes\":[\"321012\"]}");
    expect(r, 403);
    ck_assert_str_eq(first_error(r), "region_codes/forbidden");
    t_resp_free(r);
    ck_assert_int_eq(status_of(county, "PATCH", path, "{\"region_codes\":[\"321003\",\"321081\"]}"),
                     200);
    assert_scalar("{321003,321081}", "SELECT region_codes FROM service_groups WHERE id = %ld", own);
}
END_TEST

START_TEST(test_group_members_experts_academicians_and_staff)
{
    long group = create_at(admin, "/api/v1/service-groups",
                           "{\"name\":\"成员服务群\",\"region_codes\":[\"321003\"]}");
    char path[96], body[256], one[128];
    snprintf(path, sizeof path, "/api/v1/service-groups/%ld", group);
    ck_assert_int_eq(status_of(expert, "GET", path, NULL), 404);
    snprintf(path, sizeof path, "/api/v1/service-groups/%ld/members", group);
    snprintf(body, sizeof body, "{\"expert_id\":%s,\"role\":\"member\"}", expert_a);
    struct t_resp *r = req(county, "POST", path, body);
    expect(r, 201);
    long expert_member = json_int(r->json, "id");
    ck_assert_str_eq(t_json_str(r->json, "member_kind"), "expert");
    ck_assert_str_eq(t_json_str(r->json, "name"), "张教授");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r->json, "user_id")));
    t_resp_free(r);
    snprintf(body, sizeof body, "{\"expert_id\":%s,\"role\":\"leader\"}", academician);
    r = req(admin, "POST", path, body);
    expect(r, 201);
    ck_assert_str_eq(t_json_str(r->json, "member_kind_label"), "院士");
    ck_assert_str_eq(t_json_str(r->json, "role_label"), "组长");
    t_resp_free(r);
    snprintf(body, sizeof body, "{\"user_id\":%s,\"role\":\"liaison\"}", county_user);
    r = req(admin, "POST", path, body);
    expect(r, 201);
    ck_assert_str_eq(t_json_str(r->json, "member_kind"), "staff");
    ck_assert_str_eq(t_json_str(r->json, "name"), "邗江小李");
    ck_assert_str_eq(t_json_str(r->json, "role_label"), "联络员");
    t_resp_free(r);
    struct refusal cases[6];
    char b[6][128];
    snprintf(b[0], sizeof b[0], "{\"user_id\":%s,\"role\":\"member\"}", ent_user);
    snprintf(b[1], sizeof b[1], "{\"expert_id\":%s,\"user_id\":%s,\"role\":\"member\"}", expert_b,
             county_user);
    snprintf(b[2], sizeof b[2], "{\"role\":\"member\"}");
    snprintf(b[3], sizeof b[3], "{\"expert_id\":%s,\"role\":\"leader\"}", expert_a);
    snprintf(b[4], sizeof b[4], "{\"user_id\":%s,\"role\":\"member\"}", county_user);
    snprintf(b[5], sizeof b[5], "{\"expert_id\":99999999,\"role\":\"member\"}");
    static const int statuses[] = {400, 400, 400, 409, 409, 400};
    static const char *const errors[] = {"user_id/not_staff", "user_id/one_of",
                                         "expert_id/one_of",  "expert_id/duplicate",
                                         "user_id/duplicate", "expert_id/unknown_record"};
    for (int i = 0; i < 6; i++)
        cases[i] = (struct refusal){b[i], statuses[i], errors[i]};
    assert_refused(path, cases, 6);
    snprintf(body, sizeof body, "{\"expert_id\":%s,\"role\":\"chair\"}", expert_b);
    r = req(admin, "POST", path, body);
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "role/invalid_value");
    t_resp_free(r);
    snprintf(body, sizeof body, "{\"expert_id\":%s,\"role\":\"member\"}", expert_b);
    ck_assert_int_eq(status_of(county2, "POST", path, body), 403);
    ck_assert_int_eq(status_of(expert, "POST", path, body), 403);
    /* Leader, liaison, then members; the member expert reads group and members. */
    r = req(expert, "GET", path, NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 3);
    const cJSON *list = cJSON_GetObjectItem(r->json, "items");
    ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(list, 0), "role"), "leader");
    ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(list, 1), "role"), "liaison");
    ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(list, 2), "role"), "member");
    t_resp_free(r);
    snprintf(one, sizeof one, "%s?limit=2", path);
    r = req(county2, "GET", one, NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 2);
    char next[256];
    snprintf(next, sizeof next, "%s&cursor=%s", one, t_json_str(r->json, "next_cursor"));
    t_resp_free(r);
    r = req(county2, "GET", next, NULL);
    ck_assert_int_eq(items(r), 1);
    t_resp_free(r);
    ck_assert_int_eq(status_of(expert2, "GET", path, NULL), 404);
    ck_assert_int_eq(status_of(ent, "GET", path, NULL), 403);
    snprintf(one, sizeof one, "/api/v1/service-groups/%ld", group);
    ck_assert_int_eq(status_of(expert, "GET", one, NULL), 200);
    ck_assert_int_eq(status_of(expert, "PATCH", one, "{\"name\":\"x\"}"), 403);
    /* Removal by member id; a member of another group is not found here. */
    long elsewhere = create_at(admin, "/api/v1/service-groups", "{\"name\":\"别的群\"}");
    snprintf(one, sizeof one, "/api/v1/service-groups/%ld/members/%ld", elsewhere, expert_member);
    ck_assert_int_eq(status_of(admin, "DELETE", one, NULL), 404);
    snprintf(one, sizeof one, "%s/%ld", path, expert_member);
    ck_assert_int_eq(status_of(county2, "DELETE", one, NULL), 403);
    ck_assert_int_eq(status_of(county, "DELETE", one, NULL), 204);
    ck_assert_int_eq(status_of(county, "DELETE", one, NULL), 404);
    snprintf(one, sizeof one, "/api/v1/service-groups/%ld", group);
    ck_assert_int_eq(status_of(expert, "GET", one, NULL), 404);
    assert_scalar("2", "SELECT count(*) FROM service_group_members WHERE group_id = %ld", group);
    assert_scalar("4",
                  "SELECT count(*) FROM audit_log WHERE record_type = 'service_group_members'"
                  " AND coalesce(after, before)->>'group_id' = '%ld'",
                  group);
}
END_TEST

START_TEST(test_group_list_scope_filters_and_archive)
{
    long g1 = create_at(city, "/api/v1/service-groups",
                        "{\"name\":\"b 生物医药群\",\"industry_codes\":[\"Z04\"],"
                        "\"region_codes\":[\"321084\"]}");
    long g2 = create_at(city, "/api/v1/service-groups",
                        "{\"name\":\"a 新能源群\",\"industry_codes\":[\"Z03\"],"
                        "\"region_codes\":[\"321084\",\"321023\"]}");
    char path[128], body[128];
    snprintf(path, sizeof path, "/api/v1/service-groups/%ld/members", g2);
    snprintf(body, sizeof body, "{\"expert_id\":%s,\"role\":\"member\"}", expert_b);
    ck_assert_int_eq(status_of(admin, "POST", path, body), 201);
    struct t_resp *r = req(county, "GET", "/api/v1/service-groups?region_code=321084", NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 2);
    t_resp_free(r);
    r = req(county, "GET", "/api/v1/service-groups?region_code=321084&sort=name", NULL);
    ck_assert_int_eq(json_int(cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), 0), "id"),
                     g2);
    t_resp_free(r);
    r = req(county, "GET", "/api/v1/service-groups?industry_code=Z04", NULL);
    ck_assert(lists(r, g1) && !lists(r, g2));
    t_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/service-groups?expert_id=%s", expert_b);
    r = req(admin, "GET", path, NULL);
    ck_assert_int_eq(items(r), 1);
    ck_assert(lists(r, g2));
    t_resp_free(r);
    /* The expert sees only the groups they belong to. */
    r = req(expert2, "GET", "/api/v1/service-groups?limit=200", NULL);
    expect(r, 200);
    ck_assert_int_eq(items(r), 1);
    ck_assert(lists(r, g2));
    t_resp_free(r);
    ck_assert_int_eq(status_of(ent, "GET", "/api/v1/service-groups", NULL), 403);
    /* Pages of one by -updated_at: both groups of 321084, newest first. */
    r = req(admin, "GET", "/api/v1/service-groups?region_code=321084&sort=-updated_at&limit=1",
            NULL);
    ck_assert_int_eq(items(r), 1);
    ck_assert(lists(r, g2));
    char next[256];
    snprintf(next, sizeof next,
             "/api/v1/service-groups?region_code=321084&sort=-updated_at&limit=1&cursor=%s",
             t_json_str(r->json, "next_cursor"));
    t_resp_free(r);
    r = req(admin, "GET", next, NULL);
    ck_assert(lists(r, g1));
    t_resp_free(r);
    static const char *const bad[] = {
        "sort=relevance",   "expert_id=x",       "updated_since=today", "include_archived=1",
        "region_code=3210", "industry_code=c38", "q=x&sort=title",      "colour=red"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "/api/v1/service-groups?%s", bad[i]);
        ck_assert_msg(status_of(admin, "GET", path, NULL) == 400, "%s", bad[i]);
    }
    /* Archive with If-Match; stale versions are refused. */
    snprintf(path, sizeof path, "/api/v1/service-groups/%ld/archive", g1);
    const char *const stale[] = {"If-Match: \"7\"", NULL};
    r = call(admin, "POST", path, stale, NULL);
    expect(r, 412);
    t_resp_free(r);
    const char *const v1[] = {"If-Match: \"1\"", NULL};
    r = call(admin, "POST", path, v1, NULL);
    expect(r, 200);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r->json, "archived")));
    char *etag = t_resp_header(r, "ETag");
    ck_assert_str_eq(etag, "\"2\"");
    free(etag);
    t_resp_free(r);
    r = req(admin, "GET", "/api/v1/service-groups?region_code=321084", NULL);
    ck_assert(!lists(r, g1));
    t_resp_free(r);
    r = req(admin, "GET", "/api/v1/service-groups?region_code=321084&include_archived=true", NULL);
    ck_assert(lists(r, g1));
    t_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/service-groups/%ld", g1);
    ck_assert_int_eq(status_of(admin, "GET", path, NULL), 404);
    ck_assert_int_eq(status_of(admin, "PATCH", path, "{\"name\":\"z\"}"), 404);
    snprintf(path, sizeof path, "/api/v1/service-groups/%ld/restore", g1);
    ck_assert_int_eq(status_of(admin, "POST", path, NULL), 200);
    snprintf(path, sizeof path, "/api/v1/service-groups/%ld", g1);
    const char *const v3[] = {"If-Match: \"3\"", NULL};
    r = call(city, "PATCH", path, v3, "{\"name\":\"生物医药群\"}");
    expect(r, 200);
    t_resp_free(r);
    r = call(city, "PATCH", path, v3, "{\"name\":\"再改\"}");
    expect(r, 412);
    t_resp_free(r);
}
END_TEST

/* ---- service activities ---- */

START_TEST(test_activity_create_validates_every_field)
{
    char b[4][160];
    snprintf(b[0], sizeof b[0],
             "{\"kind\":\"other\",\"title\":\"x\",\"held_on\":\"2026-03-01\","
             "\"expert_ids\":[%s,99999999]}",
             expert_a);
    snprintf(b[1], sizeof b[1],
             "{\"kind\":\"other\",\"title\":\"x\",\"held_on\":\"2026-03-01\","
             "\"enterprise_ids\":[%s,88888888]}",
             ent_a);
    snprintf(b[2], sizeof b[2],
             "{\"kind\":\"other\",\"title\":\"x\",\"held_on\":\"2026-03-01\",\"group_id\":77777}");
    snprintf(b[3], sizeof b[3],
             "{\"kind\":\"other\",\"title\":\"x\",\"held_on\":\"2026-03-01\","
             "\"region_code\":\"999999\"}");
    const struct refusal cases[] = {
        {"{\"title\":\"x\",\"held_on\":\"2026-03-01\"}", 400, "kind/required"},
        {"{\"kind\":\"lecture\",\"title\":\"x\",\"held_on\":\"2026-03-01\"}", 400,
         "kind/invalid_value"},
        {"{\"kind\":\"other\",\"title\":\"x\"}", 400, "held_on/required"},
        {"{\"kind\":\"other\",\"title\":\"x\",\"held_on\":\"2026-13-01\"}", 400,
         "held_on/invalid_date"},
        {"{\"kind\":\"other\",\"title\":\"x\",\"held_on\":\"2026-03-01\","
         "\"academician_days\":2.25}",
         400, "academician_days/precision"},
        {"{\"kind\":\"other\",\"title\":\"x\",\"held_on\":\"2026-03-01\","
         "\"academician_days\":367}",
         400, "academician_days/out_of_range"},
        {"{\"kind\":\"other\",\"title\":\"x\",\"held_on\":\"2026-03-01\","
         "\"academician_days\":-1}",
         400, "academician_days/out_of_range"},
        {"{\"kind\":\"other\",\"title\":\"x\",\"held_on\":\"2026-03-01\",\"expert_ids\":3}", 400,
         "expert_ids/type"},
        {"{\"kind\":\"other\",\"title\":\"x\",\"held_on\":\"2026-03-01\",\"expert_ids\":null}", 400,
         "expert_ids/required"},
        {"{\"kind\":\"other\",\"title\":\"x\",\"held_on\":\"2026-03-01\","
         "\"expert_ids\":[1,0]}",
         400, "expert_ids[1]/type"},
        {"{\"kind\":\"other\",\"title\":\"x\",\"held_on\":\"2026-03-01\","
         "\"enterprise_ids\":[\"1\"]}",
         400, "enterprise_ids[0]/type"},
        {"{\"kind\":\"other\",\"title\":\"x\",\"held_on\":\"2026-03-01\","
         "\"enterprise_ids\":[1.5]}",
         400, "enterprise_ids[0]/type"},
        {b[0], 400, "expert_ids/unknown_record"},
        {b[1], 400, "enterprise_ids/unknown_record"},
        {b[2], 400, "group_id/unknown_record"},
        {b[3], 400, "region_code/unknown_code"},
        {"{\"kind\":\"other\",\"title\":\"x\",\"held_on\":\"2026-03-01\",\"kind_label\":\"x\"}",
         403, "kind_label/forbidden"},
        {"{\"kind\":\"other\",\"title\":\"x\",\"held_on\":\"2026-03-01\",\"date\":\"x\"}", 400,
         "date/unknown_field"},
    };
    assert_refused("/api/v1/service-activities", cases, sizeof cases / sizeof cases[0]);
    assert_scalar("0", "SELECT count(*) FROM service_activities WHERE title = 'x'");
    long group = create_at(admin, "/api/v1/service-groups", "{\"name\":\"活动服务群\"}");
    char body[512];
    snprintf(body, sizeof body,
             "{\"kind\":\"enterprise_station\",\"title\":\"院士进企业建站对接\","
             "\"held_on\":\"2026-04-18\",\"place\":\"扬州甲科技\",\"region_code\":\"321003\","
             "\"group_id\":%ld,\"workstation_id\":42,\"expert_ids\":[%s,%s,%s],"
             "\"enterprise_ids\":[%s,%s],\"academician_days\":2.5,\"outcome\":\"签约 1 项\"}",
             group, academician, expert_a, academician, ent_a, ent_b);
    const char *const key[] = {"Idempotency-Key: act-1", NULL};
    struct t_resp *r = call(city, "POST", "/api/v1/service-activities", key, body);
    expect(r, 201);
    ck_assert_str_eq(t_json_str(r->json, "kind_label"), "进企业建站");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "expert_ids")), 2);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "enterprise_ids")), 2);
    ck_assert(cJSON_GetObjectItem(r->json, "academician_days")->valuedouble == 2.5);
    ck_assert_int_eq(json_int(r->json, "workstation_id"), 42);
    long id = json_int(r->json, "id");
    t_resp_free(r);
    r = call(city, "POST", "/api/v1/service-activities", key, body);
    expect(r, 201);
    ck_assert_int_eq(json_int(r->json, "id"), id);
    t_resp_free(r);
    assert_scalar("1",
                  "SELECT count(*) FROM service_activities WHERE title = '院士进企业建站对接'");
    assert_scalar("2.5", "SELECT academician_days FROM service_activities WHERE id = %ld", id);
    /* Audited in full. */
    assert_scalar("2.5",
                  "SELECT after->>'academician_days' FROM audit_log"
                  " WHERE record_type = 'service_activities' AND record_id = '%ld'",
                  id);
}
END_TEST

START_TEST(test_activity_scope_of_each_role)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"kind\":\"park_guidance\",\"title\":\"专家进园区\",\"held_on\":\"2026-05-10\","
             "\"expert_ids\":[%s],\"enterprise_ids\":[%s,%s]}",
             expert_a, ent_a, ent_b);
    struct t_resp *r = req(county, "POST", "/api/v1/service-activities", body);
    expect(r, 201);
    ck_assert_str_eq(t_json_str(r->json, "region_code"), "321003");
    long mine = json_int(r->json, "id");
    t_resp_free(r);
    r = req(county, "POST", "/api/v1/service-activities",
            "{\"kind\":\"other\",\"title\":\"外地\",\"held_on\":\"2026-05-10\","
            "\"region_code\":\"321012\"}");
    expect(r, 403);
    ck_assert_str_eq(first_error(r), "region_code/forbidden");
    t_resp_free(r);
    long theirs = create_at(county2, "/api/v1/service-activities",
                            "{\"kind\":\"campus_science\",\"title\":\"进校园\","
                            "\"held_on\":\"2026-05-11\"}");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/service-activities/%ld", theirs);
    ck_assert_int_eq(status_of(county, "GET", path, NULL), 200);
    ck_assert_int_eq(status_of(county, "PATCH", path, "{\"outcome\":\"x\"}"), 403);
    ck_assert_int_eq(status_of(expert, "GET", path, NULL), 404);
    ck_assert_int_eq(status_of(ent, "GET", path, NULL), 404);
    /* The participant and the served enterprises read mine; an enterprise sees only itself
     * among those served. */
    snprintf(path, sizeof path, "/api/v1/service-activities/%ld", mine);
    ck_assert_int_eq(status_of(expert, "GET", path, NULL), 200);
    ck_assert_int_eq(status_of(expert2, "GET", path, NULL), 404);
    ck_assert_int_eq(status_of(expert, "PATCH", path, "{\"outcome\":\"x\"}"), 403);
    r = req(ent2, "GET", path, NULL);
    expect(r, 200);
    const cJSON *served = cJSON_GetObjectItem(r->json, "enterprise_ids");
    ck_assert_int_eq(cJSON_GetArraySize(served), 1);
    ck_assert_int_eq((long)cJSON_GetArrayItem(served, 0)->valuedouble, atol(ent_b));
    t_resp_free(r);
    r = req(ent, "GET", "/api/v1/service-activities?limit=200", NULL);
    expect(r, 200);
    ck_assert(lists(r, mine) && !lists(r, theirs));
    t_resp_free(r);
    r = req(expert, "GET", "/api/v1/service-activities?limit=200", NULL);
    ck_assert(lists(r, mine) && !lists(r, theirs));
    t_resp_free(r);
    r = req(expert2, "GET", "/api/v1/service-activities", NULL);
    ck_assert_int_eq(items(r), 0);
    t_resp_free(r);
    r = req(admin, "GET", path, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "enterprise_ids")), 2);
    t_resp_free(r);
    ck_assert_int_eq(status_of(ent, "POST", "/api/v1/service-activities", body), 403);
    ck_assert_int_eq(status_of(NULL, "GET", "/api/v1/service-activities", NULL), 401);
    ck_assert_int_eq(
        status_of(ent, "GET", "/api/v1/service-activities?include_archived=true", NULL), 403);
}
END_TEST

START_TEST(test_activity_filters_sort_pages_and_archive)
{
    long group = create_at(admin, "/api/v1/service-groups", "{\"name\":\"筛选服务群\"}");
    static const char *const dates[] = {"2025-03-01", "2025-07-15", "2025-07-15", "2025-11-30",
                                        "2026-01-02"};
    static const char *const kinds[] = {"agency_lecture", "campus_science", "park_guidance",
                                        "agency_lecture", "other"};
    long ids[5];
    for (int i = 0; i < 5; i++) {
        char body[512];
        snprintf(body, sizeof body,
                 "{\"kind\":\"%s\",\"title\":\"筛选活动%d\",\"held_on\":\"%s\","
                 "\"region_code\":\"321023\",\"group_id\":%ld,\"workstation_id\":%d,"
                 "\"expert_ids\":[%s],\"enterprise_ids\":[%s]}",
                 kinds[i], i, dates[i], group, i % 2 ? 7 : 8, i < 2 ? expert_b : academician,
                 i == 4 ? ent_b : ent_a);
        ids[i] = create_at(city, "/api/v1/service-activities", body);
    }
    /* Default order: held_on descending (then id descending), two per page. */
    long want[] = {ids[4], ids[3], ids[2], ids[1], ids[0]};
    int n = 0;
    char url[512] = "/api/v1/service-activities?region_code=321023&limit=2";
    for (int page = 0; page < 4; page++) {
        struct t_resp *r = req(county, "GET", url, NULL);
        expect(r, 200);
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r->json, "items"))
        {
            ck_assert_int_lt(n, 5);
            ck_assert_int_eq(json_int(it, "id"), want[n]);
            n++;
        }
        const cJSON *next = cJSON_GetObjectItem(r->json, "next_cursor");
        bool last = cJSON_IsNull(next);
        if (!last)
            snprintf(url, sizeof url,
                     "/api/v1/service-activities?region_code=321023&limit=2&cursor=%s",
                     next->valuestring);
        t_resp_free(r);
        if (last)
            break;
    }
    ck_assert_int_eq(n, 5);
    char q[5][160];
    snprintf(q[0], sizeof q[0], "group_id=%ld", group);
    snprintf(q[1], sizeof q[1], "region_code=321023&expert_id=%s", expert_b);
    snprintf(q[2], sizeof q[2], "region_code=321023&enterprise_id=%s", ent_b);
    snprintf(q[3], sizeof q[3], "group_id=%ld&workstation_id=7", group);
    snprintf(q[4], sizeof q[4], "group_id=%ld&sort=id&limit=200", group);
    struct {
        const char *query;
        int count;
    } filters[] = {
        {q[0], 5},
        {q[1], 2},
        {q[2], 1},
        {q[3], 2},
        {q[4], 5},
        {"region_code=321023&kind=agency_lecture", 2},
        {"region_code=321023&held_from=2025-07-15", 4},
        {"region_code=321023&held_to=2025-07-15", 3},
        {"region_code=321023&held_from=2025-07-01&held_to=2025-12-31", 3},
        {"region_code=321023&updated_since=2000-01-01T00:00:00Z&sort=-updated_at", 5},
    };
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
        snprintf(url, sizeof url, "/api/v1/service-activities?%s", filters[i].query);
        struct t_resp *r = req(city, "GET", url, NULL);
        expect(r, 200);
        ck_assert_msg(items(r) == filters[i].count, "%s: %d items", filters[i].query, items(r));
        t_resp_free(r);
    }
    static const char *const bad[] = {"kind=visit",     "held_from=2025-02-30", "held_to=soon",
                                      "group_id=0",     "enterprise_id=x",      "sort=held_on",
                                      "expert_id=1.5",  "sort=relevance",       "limit=-1",
                                      "region_code=32", "q=x&sort=title",       "colour=red"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(url, sizeof url, "/api/v1/service-activities?%s", bad[i]);
        struct t_resp *r = req(city, "GET", url, NULL);
        ck_assert_msg(r->status == 400, "%s: %d", bad[i], r->status);
        ck_assert_str_eq(t_problem_code(r), "invalid_parameter");
        t_resp_free(r);
    }
    /* Patch with If-Match, then archive and restore (idempotent). */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/service-activities/%ld", ids[0]);
    const char *const v1[] = {"If-Match: \"1\"", NULL};
    char body[128];
    snprintf(body, sizeof body, "{\"expert_ids\":[%s,%s],\"academician_days\":3}", expert_a,
             expert_b);
    struct t_resp *r = call(city, "PATCH", path, v1, body);
    expect(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "expert_ids")), 2);
    t_resp_free(r);
    r = call(city, "PATCH", path, v1, "{\"outcome\":\"x\"}");
    expect(r, 412);
    t_resp_free(r);
    r = req(city, "PATCH", path, "{\"expert_ids\":[99999999]}");
    expect(r, 400);
    ck_assert_str_eq(first_error(r), "expert_ids/unknown_record");
    t_resp_free(r);
    r = req(city, "PATCH", path, "{\"held_on\":null}");
    expect(r, 400);
    t_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/service-activities/%ld/archive", ids[0]);
    ck_assert_int_eq(status_of(county2, "POST", path, NULL), 403);
    ck_assert_int_eq(status_of(admin, "POST", path, NULL), 200);
    ck_assert_int_eq(status_of(admin, "POST", path, NULL), 200);
    snprintf(path, sizeof path, "/api/v1/service-activities/%ld", ids[0]);
    ck_assert_int_eq(status_of(admin, "GET", path, NULL), 404);
    snprintf(url, sizeof url, "%s?include_archived=true", path);
    r = req(admin, "GET", url, NULL);
    expect(r, 200);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r->json, "archived")));
    t_resp_free(r);
    snprintf(url, sizeof url, "/api/v1/service-activities?group_id=%ld", group);
    r = req(admin, "GET", url, NULL);
    ck_assert_int_eq(items(r), 4);
    t_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/service-activities/%ld/restore", ids[0]);
    ck_assert_int_eq(status_of(city, "POST", path, NULL), 200);
    ck_assert_int_eq(status_of(city, "POST", path, NULL), 200);
    r = req(admin, "GET", url, NULL);
    ck_assert_int_eq(items(r), 5);
    t_resp_free(r);
}
END_TEST

/* q on both lists, as in the libraries: Chinese segmented (a dictionary word, a word the
 * dictionary splits), English any case, ranked; a patch is searchable at once; archived ones
 * leave the results; rows written with SQL wait for `sikud reindex`. */
START_TEST(test_group_and_activity_search_in_chinese_and_english)
{
    long g = create_at(admin, "/api/v1/service-groups",
                       "{\"name\":\"新能源汽车服务群\",\"region_codes\":[\"321081\"],"
                       "\"description\":\"动力电池与 Battery Management 方向的院士专家团队\"}");
    long other = create_at(admin, "/api/v1/service-groups",
                           "{\"name\":\"生物医药服务群\",\"region_codes\":[\"321081\"],"
                           "\"description\":\"创新药与医疗器械\"}");
    char body[512];
    snprintf(body, sizeof body,
             "{\"kind\":\"enterprise_station\",\"title\":\"进企业指导锂离子电池热管理\","
             "\"held_on\":\"2026-05-20\",\"region_code\":\"321081\",\"group_id\":%ld,"
             "\"place\":\"仪征汽车工业园\",\"outcome\":\"Solved thermal runaway alarms\"}",
             g);
    long a = create_at(admin, "/api/v1/service-activities", body);
    long b = create_at(admin, "/api/v1/service-activities",
                       "{\"kind\":\"campus_science\",\"title\":\"进校园科普创新药\","
                       "\"held_on\":\"2026-05-21\",\"region_code\":\"321081\"}");
    static const struct {
        const char *path;
        int which; /* 0: the first record only, 1: the other only, 2: neither */
    } cases[] = {
        {"/api/v1/service-groups?q=%E5%8A%A8%E5%8A%9B%E7%94%B5%E6%B1%A0", 0}, /* 动力电池 */
        {"/api/v1/service-groups?q=%E9%94%82%E7%94%B5%E6%B1%A0", 2},          /* 锂电池 */
        {"/api/v1/service-groups?q=battery%20MANAGEMENT&sort=relevance", 0},
        {"/api/v1/service-groups?q=%E5%8C%BB%E7%96%97%E5%99%A8%E6%A2%B0&region_code=321081", 1},
        {"/api/v1/service-activities?q=%E9%94%82%E7%94%B5%E6%B1%A0", 0}, /* 锂电池 */
        {"/api/v1/service-activities?q=thermal%20runaway", 0},
        {"/api/v1/service-activities?q=%E4%BB%AA%E5%BE%81&sort=id", 0},  /* 仪征 (place) */
        {"/api/v1/service-activities?q=%E5%88%9B%E6%96%B0%E8%8D%AF", 1}, /* 创新药 */
        {"/api/v1/service-activities?q=%E5%85%89%E4%BC%8F", 2},          /* 光伏 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool groups = strstr(cases[i].path, "groups") != NULL;
        struct t_resp *r = req(city, "GET", cases[i].path, NULL);
        expect(r, 200);
        long first = groups ? g : a, second = groups ? other : b;
        ck_assert_msg(lists(r, first) == (cases[i].which == 0), "%s: %s", cases[i].path, r->body);
        ck_assert_msg(lists(r, second) == (cases[i].which == 1), "%s: %s", cases[i].path, r->body);
        t_resp_free(r);
    }
    /* A patched title is searchable at once, and the old words no longer find it. */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/service-activities/%ld", b);
    ck_assert_int_eq(status_of(city, "PATCH", path, "{\"title\":\"进机关宣讲光伏组件\"}"), 200);
    struct t_resp *r = req(city, "GET", "/api/v1/service-activities?q=%E5%85%89%E4%BC%8F", NULL);
    ck_assert(lists(r, b));
    t_resp_free(r);
    /* Archived: gone from the results, back with include_archived=true. */
    snprintf(path, sizeof path, "/api/v1/service-groups/%ld/archive", g);
    ck_assert_int_eq(status_of(city, "POST", path, NULL), 200);
    r = req(city, "GET", "/api/v1/service-groups?q=%E5%8A%A8%E5%8A%9B%E7%94%B5%E6%B1%A0", NULL);
    ck_assert(!lists(r, g));
    t_resp_free(r);
    r = req(city, "GET",
            "/api/v1/service-groups?q=%E5%8A%A8%E5%8A%9B%E7%94%B5%E6%B1%A0&include_archived=true",
            NULL);
    ck_assert(lists(r, g));
    t_resp_free(r);
    /* An expert finds only the groups they belong to, searched or not. */
    r = req(expert, "GET", "/api/v1/service-groups?q=%E5%8C%BB%E7%96%97%E5%99%A8%E6%A2%B0", NULL);
    expect(r, 200);
    ck_assert(!lists(r, other));
    t_resp_free(r);
    /* Loaded with SQL: no terms until `sikud reindex`; the audit log leaves terms out. */
    char *id = scalar("INSERT INTO service_groups (name, description) VALUES ('智能制造服务群',"
                      " '工业机器人与数控机床') RETURNING id");
    r = req(city, "GET", "/api/v1/service-groups?q=%E6%95%B0%E6%8E%A7%E6%9C%BA%E5%BA%8A", NULL);
    ck_assert_int_eq(items(r), 0);
    t_resp_free(r);
    char *audit = scalar("SELECT count(*) FROM audit_log");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s reindex --database '%s' >/dev/null", getenv("SIKU_TEST_SIKUD"),
             srv.conninfo);
    ck_assert_int_eq(system(cmd), 0);
    r = req(city, "GET", "/api/v1/service-groups?q=%E6%95%B0%E6%8E%A7%E6%9C%BA%E5%BA%8A", NULL);
    ck_assert_int_eq(items(r), 1);
    ck_assert(lists(r, atol(id)));
    t_resp_free(r);
    assert_scalar(audit, "SELECT count(*) FROM audit_log");
    assert_scalar("0", "SELECT count(*) FROM audit_log WHERE record_type IN ('service_groups',"
                       " 'service_activities') AND (after ? 'terms' OR before ? 'terms')");
    free(audit);
    free(id);
}
END_TEST

static Suite *service_suite(void)
{
    Suite *s = suite_create("service");
    TCase *tc = tcase_create("service");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_group_create_validates_and_is_idempotent);
    tcase_add_test(tc, test_group_county_keeps_groups_of_its_region);
    tcase_add_test(tc, test_group_members_experts_academicians_and_staff);
    tcase_add_test(tc, test_group_list_scope_filters_and_archive);
    tcase_add_test(tc, test_activity_create_validates_every_field);
    tcase_add_test(tc, test_activity_scope_of_each_role);
    tcase_add_test(tc, test_activity_filters_sort_pages_and_archive);
    tcase_add_test(tc, test_group_and_activity_search_in_chinese_and_english);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(service_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
