/* The expert and academician libraries over real HTTP: validation naming the field (codes,
 * phone, e-mail, the ID card's check character), personal data masked in lists and in full
 * (and audited) on a record page, an expert user's own profile and consent, county scope, one
 * id space for both kinds, ETag/If-Match, Idempotency-Key, archive/restore, filters, keyset
 * pages and Chinese search. One server for the suite: each test makes the records it needs. */
#include "harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct t_server srv;
static char admin[64], county[64], county2[64], ent_user[64], expert_user[64];
static char own_id[16]; /* the expert user's record */

static char *create_as(const char *token, const char *library, const char *body)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/%s", library);
    struct t_resp *r = t_call(&srv, token, "POST", path, NULL, body);
    t_expect_status(r, 201);
    char buf[32];
    snprintf(buf, sizeof buf, "%d", cJSON_GetObjectItem(r->json, "id")->valueint);
    t_resp_free(r);
    return strdup(buf);
}

static char *token_of(const char *user, const char *role, const char *extra)
{
    t_create_user(&srv, user, role, "Test-pass-2026", extra);
    return strdup(t_login(&srv, user, "Test-pass-2026"));
}

static void keep(char *dst, char *src)
{
    snprintf(dst, 64, "%s", src);
    free(src);
}

static void setup(void)
{
    t_server_start(&srv, "it_experts", true, NULL);
    keep(admin, token_of("x_admin", "admin", NULL));
    keep(county, token_of("x_county", "county_staff", "--region 321003"));
    keep(county2, token_of("x_county2", "county_staff", "--region 321012"));
    char *own =
        create_as(admin, "experts",
                  "{\"name\":\"王锂电\",\"region_code\":\"321003\",\"phone\":\"13812345678\","
                  "\"email\":\"wang@yzu.edu.cn\",\"id_number\":\"11010519491231002X\","
                  "\"address\":\"江苏省扬州市大学南路88号\",\"title\":\"senior\","
                  "\"research_fields\":\"锂离子电池正极材料与电池管理\","
                  "\"keywords\":[\"正极材料\",\"电池管理\"],\"discipline_codes\":[\"480\"],"
                  "\"industry_codes\":[\"C38\"],\"consent\":true}");
    snprintf(own_id, sizeof own_id, "%s", own);
    char bind[64];
    snprintf(bind, sizeof bind, "--expert %s", own);
    free(own);
    keep(expert_user, token_of("x_expert", "expert", bind));
    char *ent = t_db_scalar(&srv, "INSERT INTO enterprises (name, credit_code, region_code)"
                                  " VALUES ('扬州甲科技有限公司', '91321003MA1M00001A', '321003')"
                                  " RETURNING id");
    snprintf(bind, sizeof bind, "--enterprise %s", ent);
    free(ent);
    keep(ent_user, token_of("x_company", "enterprise", bind));
}

static void teardown(void)
{
    t_server_finish(&srv);
}

static void expect_error(const char *token, const char *method, const char *path, const char *body,
                         int status, const char *error)
{
    struct t_resp *r = t_call(&srv, token, method, path, NULL, body);
    t_expect_status(r, status);
    ck_assert_msg(strcmp(t_first_error(r), error) == 0, "%s %s: got %s, want %s", method, body,
                  t_first_error(r), error);
    t_resp_free(r);
}

START_TEST(create_validates_each_field)
{
    static const struct {
        const char *body, *error;
    } cases[] = {
        {"{\"region_code\":\"321003\"}", "name/required"},
        {"{\"name\":\"甲\",\"gender\":\"x\"}", "gender/invalid_value"},
        {"{\"name\":\"甲\",\"birth_year\":1800}", "birth_year/out_of_range"},
        {"{\"name\":\"甲\",\"title\":\"professor\"}", "title/invalid_value"},
        {"{\"name\":\"甲\",\"region_code\":\"999999\"}", "region_code/unknown_code"},
        {"{\"name\":\"甲\",\"discipline_codes\":[\"4802\"]}", "discipline_codes[0]/invalid_code"},
        {"{\"name\":\"甲\",\"discipline_codes\":[\"999\"]}", "discipline_codes/unknown_code"},
        {"{\"name\":\"甲\",\"industry_codes\":[\"C99\"]}", "industry_codes/unknown_code"},
        {"{\"name\":\"甲\",\"keywords\":\"电池\"}", "keywords/type"},
        {"{\"name\":\"甲\",\"service_modes\":[\"lecture\"]}", "service_modes[0]/invalid_value"},
        {"{\"name\":\"甲\",\"phone\":\"12345\"}", "phone/invalid_phone"},
        {"{\"name\":\"甲\",\"email\":\"not-an-address\"}", "email/invalid_email"},
        {"{\"name\":\"甲\",\"id_number\":\"110105194912310021\"}",
         "id_number/invalid_check_character"},
        {"{\"name\":\"甲\",\"consent\":\"yes\"}", "consent/type"},
        {"{\"name\":\"甲\",\"academy\":\"CAS\"}", "academy/unknown_field"},
        {"{\"name\":\"甲\",\"colour\":\"red\"}", "colour/unknown_field"},
    };
    char *before = t_db_scalar(&srv, "SELECT count(*) FROM experts");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(admin, "POST", "/api/v1/experts", cases[i].body, 400, cases[i].error);
    expect_error(admin, "POST", "/api/v1/experts", "{\"name\":\"甲\",\"version\":3}", 403,
                 "version/forbidden");
    t_assert_scalar(&srv, before, "SELECT count(*) FROM experts");
    free(before);
}
END_TEST

START_TEST(academicians_need_an_academy_and_share_the_id_space)
{
    expect_error(admin, "POST", "/api/v1/academicians", "{\"name\":\"院士甲\"}", 400,
                 "academy/required");
    expect_error(admin, "POST", "/api/v1/academicians", "{\"name\":\"院士甲\",\"academy\":\"CAX\"}",
                 400, "academy/invalid_value");
    expect_error(admin, "POST", "/api/v1/academicians",
                 "{\"name\":\"院士甲\",\"academy\":\"CAE\",\"city_ties\":[\"friend\"]}", 400,
                 "city_ties[0]/invalid_value");
    /* Years no real academician has: CAE elected no one before 1994; nobody at 20. */
    expect_error(admin, "POST", "/api/v1/academicians",
                 "{\"name\":\"院士甲\",\"academy\":\"CAE\",\"election_year\":1990}", 400,
                 "election_year/out_of_range");
    expect_error(admin, "POST", "/api/v1/academicians",
                 "{\"name\":\"院士甲\",\"academy\":\"CAS\",\"birth_year\":1990,"
                 "\"election_year\":2010}",
                 400, "election_year/implausible");
    expect_error(admin, "POST", "/api/v1/experts", "{\"name\":\"甲\",\"birth_year\":2099}", 400,
                 "birth_year/out_of_range");
    char *id =
        create_as(admin, "academicians",
                  "{\"name\":\"陈院士\",\"academy\":\"CAE\",\"division\":\"能源与矿业工程学部\","
                  "\"election_year\":2015,\"city_ties\":[\"native\"],"
                  "\"research_fields\":\"储能材料\"}");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/experts/%s", id);
    struct t_resp *r = t_call(&srv, admin, "GET", path, NULL, NULL);
    t_expect_status(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "kind"), "academician");
    ck_assert_str_eq(t_json_str(r->json, "academy_label"), "中国工程院");
    ck_assert_str_eq(t_json_str(r->json, "status"), "active");
    t_resp_free(r);
    /* A plain expert is not an academician. */
    snprintf(path, sizeof path, "/api/v1/academicians/%s", own_id);
    r = t_call(&srv, admin, "GET", path, NULL, NULL);
    t_expect_status(r, 404);
    t_resp_free(r);
    /* Each library lists its own kind. */
    r = t_call(&srv, admin, "GET", "/api/v1/academicians?academy=CAE", NULL, NULL);
    t_expect_status(r, 200);
    cJSON *items = cJSON_GetObjectItem(r->json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(items, 0), "name"), "陈院士");
    t_resp_free(r);
    r = t_call(&srv, admin, "GET", "/api/v1/experts?q=储能材料", NULL, NULL);
    t_expect_status(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    t_resp_free(r);
    expect_error(admin, "GET", "/api/v1/experts?academy=CAE", NULL, 400, "academy/invalid_value");
    free(id);
}
END_TEST

START_TEST(contact_data_is_masked_in_lists_and_audited_on_record_pages)
{
    struct t_resp *r = t_call(&srv, admin, "GET", "/api/v1/experts?q=正极材料", NULL, NULL);
    t_expect_status(r, 200);
    cJSON *items = cJSON_GetObjectItem(r->json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    cJSON *hit = cJSON_GetArrayItem(items, 0);
    ck_assert_str_eq(t_json_str(hit, "phone"), "138****5678");
    ck_assert_str_eq(t_json_str(hit, "email"), "w***@yzu.edu.cn");
    ck_assert_str_eq(t_json_str(hit, "id_number"), "110***********002X");
    ck_assert(strstr(r->body, "11010519491231002X") == NULL);
    ck_assert(strstr(r->body, "大学南路88号") == NULL);
    t_resp_free(r);

    char *reads =
        t_db_scalar(&srv, "SELECT count(*) FROM audit_log WHERE action = 'read_personal'");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/experts/%s", own_id);
    r = t_call(&srv, county2, "GET", path, NULL, NULL); /* staff of another region read all */
    t_expect_status(r, 200);
    ck_assert_str_eq(t_json_str(r->json, "phone"), "13812345678");
    ck_assert_str_eq(t_json_str(r->json, "address"), "江苏省扬州市大学南路88号");
    t_resp_free(r);
    int want = atoi(reads) + 1;
    char want_text[16];
    snprintf(want_text, sizeof want_text, "%d", want);
    /* Read audit rows are written in batches, within audit_batch_ms (100 ms). */
    t_await_scalar(&srv, 5000, want_text,
                   "SELECT count(*) FROM audit_log WHERE action = 'read_personal'");
    t_assert_scalar(&srv, "county_staff",
                    "SELECT role FROM audit_log WHERE action = 'read_personal'"
                    " AND record_type = 'experts' AND record_id = '%s' ORDER BY id DESC LIMIT 1",
                    own_id);
    free(reads);
    /* Nobody's phone number reaches the daemon's log. */
    char *log = t_server_log(&srv);
    ck_assert(strstr(log, "13812345678") == NULL);
    free(log);
}
END_TEST

START_TEST(roles_see_what_they_may)
{
    char path[64], other[64];
    snprintf(path, sizeof path, "/api/v1/experts/%s", own_id);
    char *id = create_as(admin, "experts", "{\"name\":\"赵另一位\",\"region_code\":\"321012\"}");
    snprintf(other, sizeof other, "/api/v1/experts/%s", id);
    free(id);
    struct {
        const char *token, *method, *path;
        int status;
    } cases[] = {
        {NULL, "GET", path, 401},
        {ent_user, "GET", path, 403},
        {ent_user, "GET", "/api/v1/experts", 403},
        {expert_user, "GET", path, 200},
        {expert_user, "GET", other, 404},
        {expert_user, "GET", "/api/v1/experts", 403},
        {expert_user, "POST", "/api/v1/experts", 403},
        {county, "GET", other, 200},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *body = strcmp(cases[i].method, "POST") == 0 ? "{\"name\":\"甲\"}" : NULL;
        struct t_resp *r = t_call(&srv, cases[i].token, cases[i].method, cases[i].path, NULL, body);
        ck_assert_msg(r->status == cases[i].status, "case %zu: %d", i, r->status);
        t_resp_free(r);
    }
}
END_TEST

START_TEST(expert_keeps_their_own_profile_and_consent)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/experts/%s", own_id);
    struct t_resp *r =
        t_call(&srv, expert_user, "PATCH", path, NULL,
               "{\"consent\":false,\"phone\":\"13900001111\",\"keywords\":[\"固态电池\"]}");
    t_expect_status(r, 200);
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r->json, "consent")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r->json, "consent_at")));
    t_resp_free(r);
    t_assert_scalar(&srv, "false|13900001111|{固态电池}",
                    "SELECT consent || '|' || phone || '|' || keywords::text FROM experts"
                    " WHERE id = %s",
                    own_id);
    r = t_call(&srv, expert_user, "PATCH", path, NULL, "{\"consent\":true}");
    t_expect_status(r, 200);
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(r->json, "consent_at")));
    t_resp_free(r);
    /* Their name, title and codes are the staff's to keep. */
    expect_error(expert_user, "PATCH", path, "{\"name\":\"改名\"}", 403, "name/forbidden");
    expect_error(expert_user, "PATCH", path, "{\"title\":\"junior\"}", 403, "title/forbidden");
    t_assert_scalar(&srv, "王锂电|senior", "SELECT name || '|' || title FROM experts WHERE id = %s",
                    own_id);
    /* The change is in the audit log with its before image. */
    t_assert_scalar(&srv, "13812345678",
                    "SELECT before->>'phone' FROM audit_log WHERE record_type = 'experts'"
                    " AND record_id = '%s' AND after->>'phone' = '13900001111'",
                    own_id);
    r = t_call(&srv, expert_user, "PATCH", path, NULL, "{\"phone\":\"13812345678\"}");
    t_expect_status(r, 200);
    t_resp_free(r);
}
END_TEST

START_TEST(county_staff_write_only_their_region)
{
    char *id = create_as(county, "experts", "{\"name\":\"县区专家\"}");
    t_assert_scalar(&srv, "321003", "SELECT region_code FROM experts WHERE id = %s", id);
    expect_error(county, "POST", "/api/v1/experts",
                 "{\"name\":\"外区专家\",\"region_code\":\"321012\"}", 403,
                 "region_code/forbidden");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/experts/%s", id);
    struct t_resp *r = t_call(&srv, county2, "PATCH", path, NULL, "{\"position\":\"教授\"}");
    t_expect_status(r, 403);
    t_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/experts/%s/archive", id);
    r = t_call(&srv, county2, "POST", path, NULL, NULL);
    t_expect_status(r, 403);
    t_resp_free(r);
    r = t_call(&srv, county, "POST", path, NULL, NULL);
    t_expect_status(r, 200);
    t_resp_free(r);
    t_assert_scalar(&srv, "true|",
                    "SELECT (archived_at IS NOT NULL) || '|' || coalesce(position, '')"
                    " FROM experts WHERE id = %s",
                    id);
    free(id);
}
END_TEST

START_TEST(stale_if_match_changes_nothing)
{
    char *id = create_as(admin, "experts", "{\"name\":\"并发专家\"}");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/experts/%s", id);
    struct t_resp *r = t_call(&srv, admin, "GET", path, NULL, NULL);
    t_expect_status(r, 200);
    char *etag = t_resp_header(r, "ETag");
    ck_assert_ptr_nonnull(etag);
    t_resp_free(r);
    char h[96];
    snprintf(h, sizeof h, "If-Match: %s", etag);
    const char *headers[] = {h, NULL};
    r = t_call(&srv, admin, "PATCH", path, headers, "{\"position\":\"研究员\"}");
    t_expect_status(r, 200);
    t_resp_free(r);
    r = t_call(&srv, admin, "PATCH", path, headers, "{\"position\":\"教授\"}");
    t_expect_status(r, 412);
    t_resp_free(r);
    t_assert_scalar(&srv, "研究员|2",
                    "SELECT position || '|' || version FROM experts WHERE id = %s", id);
    free(etag);
    free(id);
}
END_TEST

START_TEST(idempotency_key_answers_the_first_result)
{
    const char *headers[] = {"Idempotency-Key: create-expert-1", NULL};
    const char *body = "{\"name\":\"幂等专家\"}";
    struct t_resp *a = t_call(&srv, admin, "POST", "/api/v1/experts", headers, body);
    t_expect_status(a, 201);
    struct t_resp *b = t_call(&srv, admin, "POST", "/api/v1/experts", headers, body);
    t_expect_status(b, 201);
    ck_assert_str_eq(a->body, b->body);
    t_resp_free(a);
    t_resp_free(b);
    struct t_resp *c =
        t_call(&srv, admin, "POST", "/api/v1/experts", headers, "{\"name\":\"另一位\"}");
    t_expect_status(c, 409);
    t_resp_free(c);
    t_assert_scalar(&srv, "1", "SELECT count(*) FROM experts WHERE name = '幂等专家'");
}
END_TEST

START_TEST(archive_hides_and_restore_brings_back)
{
    char *id = create_as(admin, "experts", "{\"name\":\"归档专家\",\"keywords\":[\"石墨烯涂层\"]}");
    char path[96];
    snprintf(path, sizeof path, "/api/v1/experts/%s/archive", id);
    struct t_resp *r = t_call(&srv, admin, "POST", path, NULL, NULL);
    t_expect_status(r, 200);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r->json, "archived")));
    t_resp_free(r);
    r = t_call(&srv, admin, "GET", "/api/v1/experts?q=石墨烯涂层", NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    t_resp_free(r);
    r = t_call(&srv, admin, "GET", "/api/v1/experts?q=石墨烯涂层&include_archived=true", NULL,
               NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    t_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/experts/%s", id);
    r = t_call(&srv, admin, "GET", path, NULL, NULL);
    t_expect_status(r, 404);
    t_resp_free(r);
    r = t_call(&srv, admin, "PATCH", path, NULL, "{\"position\":\"教授\"}");
    t_expect_status(r, 404);
    t_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/experts/%s/restore", id);
    r = t_call(&srv, admin, "POST", path, NULL, NULL);
    t_expect_status(r, 200);
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r->json, "archived")));
    t_resp_free(r);
    r = t_call(&srv, admin, "GET", "/api/v1/experts?q=石墨烯涂层", NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    t_resp_free(r);
    free(id);
}
END_TEST

START_TEST(search_widens_words_the_dictionary_splits)
{
    /* PRODUCT.md: q=锂电池 finds an expert whose research fields say 锂离子电池. */
    char *id =
        create_as(admin, "experts",
                  "{\"name\":\"孙储能\",\"research_fields\":\"高比能锂离子电池与储能系统\"}");
    struct t_resp *r = t_call(&srv, admin, "GET", "/api/v1/experts?q=锂电池", NULL, NULL);
    t_expect_status(r, 200);
    bool found = false;
    cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(r->json, "items"))
    {
        found |= strcmp(t_json_str(item, "name"), "孙储能") == 0;
    }
    ck_assert_msg(found, "q=锂电池 missed 锂离子电池: %s", r->body);
    t_resp_free(r);
    free(id);
}
END_TEST

START_TEST(filters_narrow_and_refuse_bad_values)
{
    char *a =
        create_as(admin, "experts",
                  "{\"name\":\"筛选甲\",\"title\":\"associate_senior\",\"affiliation_kind\":"
                  "\"institute\",\"discipline_codes\":[\"46020\"],\"industry_codes\":[\"C35\"],"
                  "\"service_modes\":[\"joint\",\"consulting\"],\"region_code\":\"321084\"}");
    struct t_resp *r = t_call(&srv, admin, "GET",
                              "/api/v1/experts?discipline_code=460&industry_code=C35"
                              "&service_mode=joint&title=associate_senior"
                              "&affiliation_kind=institute&region_code=321084",
                              NULL, NULL);
    t_expect_status(r, 200);
    cJSON *items = cJSON_GetObjectItem(r->json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(items, 0), "name"), "筛选甲");
    t_resp_free(r);
    r = t_call(&srv, admin, "GET", "/api/v1/experts?service_mode=transfer&region_code=321084", NULL,
               NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    t_resp_free(r);
    static const struct {
        const char *query, *error;
    } bad[] = {
        {"discipline_code=46", "discipline_code/invalid_value"},
        {"industry_code=c35", "industry_code/invalid_value"},
        {"service_mode=lecture", "service_mode/invalid_value"},
        {"consent=maybe", "consent/invalid_value"},
        {"updated_since=yesterday", "updated_since/invalid_value"},
        {"sort=relevance", "sort/invalid_value"},
        {"colour=red", "colour/unknown_parameter"},
        {"limit=0", "limit/out_of_range"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/api/v1/experts?%s", bad[i].query);
        expect_error(admin, "GET", path, NULL, 400, bad[i].error);
    }
    free(a);
}
END_TEST

/* PRODUCT.md: experts, academicians and demands carry service_modes, filterable; academicians
 * also by academy and status, and the filters of one library never reach into the other. */
START_TEST(academicians_filter_by_service_mode_academy_and_status)
{
    char *a = create_as(admin, "academicians",
                        "{\"name\":\"服务院士甲\",\"academy\":\"CAS\",\"region_code\":\"321023\","
                        "\"service_modes\":[\"training\",\"consulting\"]}");
    char *b = create_as(admin, "academicians",
                        "{\"name\":\"服务院士乙\",\"academy\":\"foreign\","
                        "\"region_code\":\"321023\",\"service_modes\":[\"transfer\"],"
                        "\"status\":\"retired\"}");
    char *e = create_as(admin, "experts",
                        "{\"name\":\"服务专家丙\",\"region_code\":\"321023\","
                        "\"service_modes\":[\"training\"]}");
    static const struct {
        const char *path, *only; /* only: the one name listed, or NULL for none */
    } cases[] = {
        {"/api/v1/academicians?region_code=321023&service_mode=training", "服务院士甲"},
        {"/api/v1/academicians?region_code=321023&service_mode=transfer", "服务院士乙"},
        {"/api/v1/academicians?region_code=321023&service_mode=joint", NULL},
        {"/api/v1/academicians?region_code=321023&academy=foreign", "服务院士乙"},
        {"/api/v1/academicians?region_code=321023&status=retired", "服务院士乙"},
        {"/api/v1/academicians?region_code=321023&academy=CAS&service_mode=consulting",
         "服务院士甲"},
        {"/api/v1/experts?region_code=321023&service_mode=training", "服务专家丙"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct t_resp *r = t_call(&srv, admin, "GET", cases[i].path, NULL, NULL);
        t_expect_status(r, 200);
        cJSON *items = cJSON_GetObjectItem(r->json, "items");
        ck_assert_msg(cJSON_GetArraySize(items) == (cases[i].only ? 1 : 0), "%s: %s", cases[i].path,
                      r->body);
        if (cases[i].only)
            ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(items, 0), "name"), cases[i].only);
        t_resp_free(r);
    }
    expect_error(admin, "GET", "/api/v1/academicians?service_mode=lecture", NULL, 400,
                 "service_mode/invalid_value");
    expect_error(admin, "GET", "/api/v1/experts?academy=CAS", NULL, 400, "academy/invalid_value");
    free(a);
    free(b);
    free(e);
}
END_TEST

/* Pages by name hold every record once, even while others are added between pages. */
START_TEST(pages_have_no_gaps_or_repeats)
{
    t_db_exec(&srv,
              "INSERT INTO experts (name, region_code) SELECT '分页' || lpad(g::text, 3, '0'),"
              " '321081' FROM generate_series(1, 45) g");
    char *cursor = NULL;
    int seen = 0, pages = 0;
    char last[64] = "";
    do {
        char path[512];
        snprintf(path, sizeof path, "/api/v1/experts?region_code=321081&sort=name&limit=10%s%s",
                 cursor ? "&cursor=" : "", cursor ? cursor : "");
        free(cursor);
        cursor = NULL;
        struct t_resp *r = t_call(&srv, admin, "GET", path, NULL, NULL);
        t_expect_status(r, 200);
        cJSON *item;
        cJSON_ArrayForEach(item, cJSON_GetObjectItem(r->json, "items"))
        {
            ck_assert_msg(strcmp(t_json_str(item, "name"), last) > 0, "order broke at %s",
                          t_json_str(item, "name"));
            snprintf(last, sizeof last, "%s", t_json_str(item, "name"));
            seen++;
        }
        const char *next = t_json_str(r->json, "next_cursor");
        if (*next)
            cursor = strdup(next);
        t_resp_free(r);
        if (pages++ == 1) /* a record that sorts before the cursor, and one after */
            t_db_exec(&srv, "INSERT INTO experts (name, region_code) VALUES"
                            " ('分页000', '321081'), ('分页999', '321081')");
    } while (cursor && pages < 20);
    ck_assert_int_eq(seen, 46); /* the 45, plus 分页999 which is after the cursor */
}
END_TEST

/* `sikud reindex` walks every row however many there are (a batch is 1000 rows; ids past 1000
 * once sorted as text and were skipped), and the rows become searchable. */
START_TEST(reindex_reaches_every_row)
{
    t_db_exec(&srv,
              "INSERT INTO experts (name, research_fields) SELECT '回归' || g,"
              " CASE WHEN g = 1400 THEN '钙钛矿光伏电池' END FROM generate_series(1, 1500) g");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s reindex --database '%s' >/dev/null", getenv("SIKU_TEST_SIKUD"),
             srv.conninfo);
    ck_assert_int_eq(system(cmd), 0);
    t_assert_scalar(&srv, "0", "SELECT count(*) FROM experts WHERE terms = '{}'");
    struct t_resp *r = t_call(&srv, admin, "GET", "/api/v1/experts?q=钙钛矿", NULL, NULL);
    t_expect_status(r, 200);
    cJSON *items = cJSON_GetObjectItem(r->json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1);
    ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(items, 0), "name"), "回归1400");
    t_resp_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("experts");
    TCase *tc = tcase_create("experts");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, create_validates_each_field);
    tcase_add_test(tc, academicians_need_an_academy_and_share_the_id_space);
    tcase_add_test(tc, contact_data_is_masked_in_lists_and_audited_on_record_pages);
    tcase_add_test(tc, roles_see_what_they_may);
    tcase_add_test(tc, expert_keeps_their_own_profile_and_consent);
    tcase_add_test(tc, county_staff_write_only_their_region);
    tcase_add_test(tc, stale_if_match_changes_nothing);
    tcase_add_test(tc, idempotency_key_answers_the_first_result);
    tcase_add_test(tc, archive_hides_and_restore_brings_back);
    tcase_add_test(tc, search_widens_words_the_dictionary_splits);
    tcase_add_test(tc, filters_narrow_and_refuse_bad_values);
    tcase_add_test(tc, academicians_filter_by_service_mode_academy_and_status);
    tcase_add_test(tc, pages_have_no_gaps_or_repeats);
    tcase_add_test(tc, reindex_reaches_every_row);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
