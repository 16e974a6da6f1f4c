/* Matching over real HTTP: a battery demand ranks battery experts first, people who may not
 * be offered never appear, explanations name the matched terms, filters, every role, the
 * match workflow with the demand following it, and a project from a cooperating match.
 * Records are inserted with SQL, their search terms made by the daemon's own segmenter. */
#include "harness.h"

#include "domain/segment.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct t_server srv;
static char admin[64], county_other[64], owner[64], other_ent[64], expert_tok[64],
    other_expert_tok[64];
static char demand[16], draft[16], ent[16], ent2[16];
static char battery[3][16], others[3][16], hidden[4][16], academician[16];

static char *scalar(const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    char *v = t_db_scalar(&srv, sql);
    ck_assert_msg(v != NULL, "query failed: %s", sql);
    return v;
}

/* The segmenter's index terms of text as a JSON array, SQL-quoted. */
static void terms_json(const char *text, char *out, size_t cap)
{
    struct terms t;
    terms_init(&t);
    segment_index_terms(text, &t);
    size_t n = (size_t)snprintf(out, cap, "'[");
    for (size_t i = 0; i < t.n && n + 64 < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s\"%s\"", i ? "," : "", t.v[i]);
    snprintf(out + n, cap - n, "]'");
    terms_free(&t);
}

/* An expert with research fields and keywords as the API would store them. */
static void add_expert(char *id, const char *name, const char *discipline, const char *industry,
                       const char *fields, const char *keywords, const char *extra_cols,
                       const char *extra_vals)
{
    char tf[2048], tk[2048];
    terms_json(fields, tf, sizeof tf);
    terms_json(keywords, tk, sizeof tk);
    char *v = scalar("INSERT INTO experts (name, discipline_codes, industry_codes, research_fields,"
                     " keywords, consent, region_code, terms%s)"
                     " VALUES ('%s', '{%s}', '{%s}', '%s', string_to_array('%s', ' '), true,"
                     " '321003', jsonb_build_object('research_fields', %s::jsonb, 'keywords',"
                     " %s::jsonb)%s) RETURNING id",
                     extra_cols, name, discipline, industry, fields, keywords, tf, tk, extra_vals);
    snprintf(id, 16, "%s", v);
    free(v);
}

static char *add_demand(const char *enterprise, const char *status, const char *title,
                        const char *description)
{
    char tt[2048], td[2048];
    terms_json(title, tt, sizeof tt);
    terms_json(description, td, sizeof td);
    return scalar("INSERT INTO demands (enterprise_id, title, description, kind, industry_code,"
                  " region_code, status, terms) VALUES (%s, '%s', '%s', 'technical_problem',"
                  " 'C38', '321003', '%s', jsonb_build_object('title', %s::jsonb,"
                  " 'description', %s::jsonb)) RETURNING id",
                  enterprise, title, description, status, tt, td);
}

static void login_as(char *token, const char *user, const char *role, const char *extra)
{
    t_create_user(&srv, user, role, "Test-pass-2026", extra);
    snprintf(token, 64, "%s", t_login(&srv, user, "Test-pass-2026"));
}

static void setup(void)
{
    segment_init("/etc/friso/friso.ini");
    t_server_start(&srv, "it_matching", true, NULL);
    char *v = scalar("INSERT INTO enterprises (name, credit_code, region_code) VALUES"
                     " ('扬州动力电池有限公司', '91321003MA1M00001A', '321003') RETURNING id");
    snprintf(ent, sizeof ent, "%s", v);
    free(v);
    v = scalar("INSERT INTO enterprises (name, credit_code, region_code) VALUES"
               " ('扬州食品有限公司', '91321012MA1M00002E', '321012') RETURNING id");
    snprintf(ent2, sizeof ent2, "%s", v);
    free(v);
    add_expert(battery[0], "电池甲", "480", "C38", "长期从事锂离子电池正极材料与热失控研究",
               "锂离子电池 正极材料", "", "");
    add_expert(battery[1], "电池乙", "480", "", "动力电池管理系统与循环寿命",
               "电池管理系统 循环寿命", "", "");
    add_expert(battery[2], "电池丙", "470", "C38", "储能系统与电池包热管理", "储能系统 电池包", "",
               "");
    add_expert(others[0], "食品甲", "550", "C13", "发酵食品风味物质研究", "发酵食品 风味物质", "",
               "");
    add_expert(others[1], "土木甲", "560", "E48", "隧道工程与混凝土耐久性", "隧道工程 混凝土", "",
               "");
    add_expert(others[2], "软件甲", "520", "I65", "分布式数据库与软件测试", "分布式数据库 软件测试",
               "", "");
    add_expert(hidden[0], "未同意", "480", "C38", "锂离子电池 动力电池 循环寿命",
               "动力电池 锂离子电池", "", "");
    t_db_exec(&srv, "UPDATE experts SET consent = false WHERE name = '未同意'");
    add_expert(hidden[1], "不可用", "480", "C38", "锂离子电池 动力电池 循环寿命",
               "动力电池 锂离子电池", ", available", ", false");
    add_expert(hidden[2], "已归档", "480", "C38", "锂离子电池 动力电池 循环寿命",
               "动力电池 锂离子电池", ", archived_at", ", now()");
    add_expert(hidden[3], "已故", "480", "C38", "锂离子电池 动力电池 循环寿命",
               "动力电池 锂离子电池", ", kind, academy, status",
               ", 'academician', 'CAE', 'deceased'");
    add_expert(academician, "院士甲", "480", "C38", "锂离子电池材料", "锂离子电池",
               ", kind, academy", ", 'academician', 'CAS'");
    t_db_exec(&srv, "UPDATE experts SET phone = '13905140000' WHERE name = '电池甲'");
    v = add_demand(ent, "published", "动力电池循环寿命衰减快",
                   "我公司动力电池在低温下循环寿命衰减快，希望与锂电池专家合作攻关。");
    snprintf(demand, sizeof demand, "%s", v);
    free(v);
    v = add_demand(ent, "draft", "草稿需求", "尚未提交的电池需求");
    snprintf(draft, sizeof draft, "%s", v);
    free(v);
    char bind[64];
    login_as(admin, "m_admin", "admin", NULL);
    login_as(county_other, "m_county", "county_staff", "--region 321012");
    snprintf(bind, sizeof bind, "--enterprise %s", ent);
    login_as(owner, "m_owner", "enterprise", bind);
    snprintf(bind, sizeof bind, "--enterprise %s", ent2);
    login_as(other_ent, "m_other_ent", "enterprise", bind);
    snprintf(bind, sizeof bind, "--expert %s", battery[0]);
    login_as(expert_tok, "m_expert", "expert", bind);
    snprintf(bind, sizeof bind, "--expert %s", battery[1]);
    login_as(other_expert_tok, "m_expert2", "expert", bind);
}

static void teardown(void)
{
    t_server_finish(&srv);
    segment_shutdown();
}

static struct t_resp *ranking(const char *token, const char *query)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v1/demands/%s/matches%s", demand, query);
    return t_call(&srv, token, "GET", path, NULL, NULL);
}

/* The expert id of hit i. */
static const char *hit_id(const struct t_resp *r, int i)
{
    static char out[32];
    cJSON *hit = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "items"), i);
    snprintf(out, sizeof out, "%d", cJSON_GetObjectItem(hit, "expert_id")->valueint);
    return out;
}

static bool offered(const struct t_resp *r, const char *id)
{
    cJSON *items = cJSON_GetObjectItem(r->json, "items");
    for (int i = 0; i < cJSON_GetArraySize(items); i++)
        if (strcmp(hit_id(r, i), id) == 0)
            return true;
    return false;
}

START_TEST(battery_experts_rank_first_and_excluded_never_appear)
{
    struct t_resp *r = ranking(admin, "?limit=50");
    t_expect_status(r, 200);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r->json, "next_cursor")));
    /* the three battery experts and the academician, in some order, before anyone else */
    for (int i = 0; i < 4; i++) {
        const char *id = hit_id(r, i);
        ck_assert_msg(strcmp(id, battery[0]) == 0 || strcmp(id, battery[1]) == 0 ||
                          strcmp(id, battery[2]) == 0 || strcmp(id, academician) == 0,
                      "hit %d is %s: %s", i, id, r->body);
    }
    for (int i = 0; i < 4; i++)
        ck_assert_msg(!offered(r, hidden[i]), "excluded expert %s offered", hidden[i]);
    t_resp_free(r);
}
END_TEST

START_TEST(explanations_name_the_matched_terms_and_components)
{
    struct t_resp *r = ranking(admin, "?limit=3");
    t_expect_status(r, 200);
    cJSON *items = cJSON_GetObjectItem(r->json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 3);
    bool named = false;
    for (int i = 0; i < 3; i++) {
        cJSON *hit = cJSON_GetArrayItem(items, i);
        cJSON *reasons = cJSON_GetObjectItem(hit, "reasons");
        const char *summary = t_json_str(reasons, "summary");
        ck_assert_ptr_nonnull(summary);
        ck_assert_msg(strstr(summary, "学科匹配") != NULL, "summary: %s", summary);
        cJSON *terms = cJSON_GetObjectItem(reasons, "matched_terms");
        for (int k = 0; k < cJSON_GetArraySize(terms); k++)
            named |= strstr(cJSON_GetArrayItem(terms, k)->valuestring, "电池") != NULL;
        ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(reasons, "components")), 7);
        ck_assert(cJSON_GetObjectItem(hit, "score")->valuedouble > 0);
        /* the public profile only: no contact data */
        ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(hit, "expert"), "phone"));
    }
    ck_assert_msg(named, "no matched term names a battery: %s", r->body);
    ck_assert_ptr_null(strstr(r->body, "13905140000"));
    t_resp_free(r);
}
END_TEST

START_TEST(filters_narrow_the_ranking_and_bad_ones_are_refused)
{
    struct t_resp *r = ranking(admin, "?academicians_only=true");
    t_expect_status(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    ck_assert_str_eq(hit_id(r, 0), academician);
    t_resp_free(r);
    static const char *const bad[] = {"?limit=0",           "?limit=51",   "?kind=robot",
                                      "?region_code=12",    "?title=boss", "?exclude_matched=1",
                                      "?service_mode=free", "?unknown=1",  NULL};
    for (int i = 0; bad[i]; i++) {
        r = ranking(admin, bad[i]);
        t_expect_status(r, 400);
        t_resp_free(r);
    }
    r = ranking(admin, "?region_code=321012");
    t_expect_status(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    t_resp_free(r);
}
END_TEST

START_TEST(roles_see_what_they_may)
{
    struct t_resp *r = ranking(owner, "");
    t_expect_status(r, 200);
    t_resp_free(r);
    r = ranking(other_ent, "");
    t_expect_status(r, 404);
    t_resp_free(r);
    r = ranking(expert_tok, "");
    t_expect_status(r, 403);
    t_resp_free(r);
    r = ranking(NULL, "");
    t_expect_status(r, 401);
    t_resp_free(r);
    r = t_call(&srv, admin, "GET", "/api/v1/demands/999999/matches", NULL, NULL);
    t_expect_status(r, 404);
    t_resp_free(r);
}
END_TEST

static char *propose(const char *token, const char *demand_id, const char *expert, int status)
{
    char path[96], body[128];
    snprintf(path, sizeof path, "/api/v1/demands/%s/matches", demand_id);
    snprintf(body, sizeof body, "{\"expert_id\":%s,\"note\":\"电池专家\"}", expert);
    struct t_resp *r = t_call(&srv, token, "POST", path, NULL, body);
    t_expect_status(r, status);
    char *id = NULL;
    if (status == 201) {
        char buf[32];
        snprintf(buf, sizeof buf, "%d", cJSON_GetObjectItem(r->json, "id")->valueint);
        id = strdup(buf);
        ck_assert_ptr_nonnull(strstr(r->body, "\"reasons\""));
    }
    t_resp_free(r);
    return id;
}

static void step(const char *token, const char *match, const char *body, int status)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/matches/%s", match);
    struct t_resp *r = t_call(&srv, token, "PATCH", path, NULL, body);
    t_expect_status(r, status);
    t_resp_free(r);
}

START_TEST(proposing_checks_the_demand_the_expert_and_the_caller)
{
    char *m = propose(admin, demand, battery[0], 201);
    t_assert_scalar(&srv, "matching", "SELECT status FROM demands WHERE id = %s", demand);
    t_assert_scalar(&srv, "1", "SELECT count(*) FROM demand_transitions WHERE demand_id = %s",
                    demand);
    propose(admin, demand, battery[0], 409); /* the same pair again */
    propose(admin, demand, hidden[0], 409);  /* no consent */
    propose(admin, draft, battery[1], 409);  /* not published */
    propose(county_other, demand, battery[1], 403);
    propose(owner, demand, battery[1], 403);
    propose(admin, "999999", battery[1], 404);
    struct t_resp *r =
        t_call(&srv, admin, "POST", "/api/v1/demands/1/matches", NULL, "{\"note\":\"x\"}");
    t_expect_status(r, 400);
    t_resp_free(r);
    t_assert_scalar(&srv, "1", "SELECT count(*) FROM matches");
    /* exclude_matched leaves the proposed expert out */
    r = ranking(admin, "?exclude_matched=true&limit=50");
    ck_assert(!offered(r, battery[0]));
    t_resp_free(r);
    free(m);
}
END_TEST

START_TEST(the_workflow_moves_the_match_and_the_demand)
{
    char *m = propose(admin, demand, battery[0], 201);
    step(other_expert_tok, m, "{\"status\":\"accepted\"}", 404); /* not theirs */
    step(owner, m, "{\"status\":\"accepted\"}", 403);            /* enterprises only read */
    step(expert_tok, m, "{\"status\":\"contacted\"}", 403);      /* staff's step */
    step(admin, m, "{\"status\":\"cooperating\"}", 409);         /* not yet */
    step(admin, m, "{\"status\":\"closed\"}", 400);              /* early close needs a reason */
    step(admin, m, "{\"status\":\"nonsense\"}", 400);
    step(admin, m, "{\"status\":\"contacted\"}", 200);
    step(expert_tok, m, "{\"status\":\"accepted\"}", 200);
    t_assert_scalar(&srv, "matched", "SELECT status FROM demands WHERE id = %s", demand);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/matches/%s/project", m);
    struct t_resp *r = t_call(&srv, admin, "POST", path, NULL, NULL);
    t_expect_status(r, 409); /* only a cooperating match becomes a project */
    t_resp_free(r);
    step(admin, m, "{\"status\":\"cooperating\"}", 200);
    t_assert_scalar(&srv, "cooperating", "SELECT status FROM demands WHERE id = %s", demand);
    r = t_call(&srv, admin, "POST", path, NULL, "{\"title\":\"动力电池低温循环寿命提升\"}");
    t_expect_status(r, 201);
    t_resp_free(r);
    t_assert_scalar(&srv, "动力电池低温循环寿命提升|lead|applied",
                    "SELECT p.title || '|' || pm.role || '|' || p.status FROM projects p"
                    " JOIN project_members pm ON pm.project_id = p.id WHERE pm.expert_id = %s",
                    battery[0]);
    r = t_call(&srv, admin, "POST", path, NULL, NULL);
    t_expect_status(r, 409); /* once */
    t_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/matches/%s/history", m);
    r = t_call(&srv, owner, "GET", path, NULL, NULL);
    t_expect_status(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 4);
    t_resp_free(r);
    t_assert_scalar(&srv, "proposed,contacted,accepted,cooperating",
                    "SELECT string_agg(to_status, ',' ORDER BY id) FROM match_transitions"
                    " WHERE match_id = %s",
                    m);
    free(m);
}
END_TEST

START_TEST(stale_if_match_changes_nothing)
{
    char *m = propose(admin, demand, battery[1], 201);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/matches/%s", m);
    const char *headers[] = {"If-Match: \"7\"", NULL};
    struct t_resp *r = t_call(&srv, admin, "PATCH", path, headers, "{\"status\":\"contacted\"}");
    t_expect_status(r, 412);
    t_resp_free(r);
    t_assert_scalar(&srv, "proposed", "SELECT status FROM matches WHERE id = %s", m);
    free(m);
}
END_TEST

START_TEST(lists_show_each_role_its_own_matches)
{
    char *a = propose(admin, demand, battery[0], 201);
    char *b = propose(admin, demand, battery[1], 201);
    struct t_resp *r = t_call(&srv, expert_tok, "GET", "/api/v1/matches", NULL, NULL);
    t_expect_status(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    t_resp_free(r);
    r = t_call(&srv, owner, "GET", "/api/v1/matches?limit=1", NULL, NULL);
    t_expect_status(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(r->json, "next_cursor")));
    t_resp_free(r);
    r = t_call(&srv, other_ent, "GET", "/api/v1/matches", NULL, NULL);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    t_resp_free(r);
    r = t_call(&srv, admin, "GET", "/api/v1/matches?status=proposed&demand_id=abc", NULL, NULL);
    t_expect_status(r, 400);
    t_resp_free(r);
    free(a);
    free(b);
}
END_TEST

START_TEST(an_expert_gets_open_demands_recommended)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/experts/%s/recommended-demands", battery[0]);
    struct t_resp *r = t_call(&srv, expert_tok, "GET", path, NULL, NULL);
    t_expect_status(r, 200);
    cJSON *items = cJSON_GetObjectItem(r->json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 1); /* the draft is not open */
    ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "demand_id")->valueint,
                     atoi(demand));
    t_resp_free(r);
    r = t_call(&srv, other_expert_tok, "GET", path, NULL, NULL);
    t_expect_status(r, 404);
    t_resp_free(r);
    r = t_call(&srv, owner, "GET", path, NULL, NULL);
    t_expect_status(r, 403);
    t_resp_free(r);
}
END_TEST

/* Fails unless r's body is want; the message shows where they part (bodies are long). */
static void same_body(const struct t_resp *r, const char *want)
{
    size_t i = 0;
    while (r->body[i] && r->body[i] == want[i])
        i++;
    size_t from = i > 80 ? i - 80 : 0;
    ck_assert_msg(r->body[i] == '\0' && want[i] == '\0',
                  "rankings part at %zu: got ...%.160s, want ...%.160s", i, r->body + from,
                  want + from);
}

/* The common words' expert lists (migration 0028), the industries' lists and the copy of the
 * table's head (0032) give the ranking the index and the table gave, and writes through the API
 * (create, patch, archive) are seen at once, before the lists are made again. */
START_TEST(word_lists_follow_writes)
{
    /* every word of the experts counts as common, so each will have a list */
    t_db_exec(&srv, "INSERT INTO expert_lexeme_stats (lexeme, share)"
                    " SELECT DISTINCT l, 0.1 FROM experts, unnest(tsvector_to_array(search)) l"
                    " ON CONFLICT (lexeme) DO UPDATE SET share = 0.1");
    t_db_exec(&srv, "DELETE FROM expert_lexeme_postings");
    struct t_resp *r = ranking(admin, "?limit=50");
    t_expect_status(r, 200);
    char *by_index = strdup(r->body);
    t_resp_free(r);
    t_db_exec(&srv, "SELECT match_refresh_postings()");
    t_assert_scalar(&srv, "0", "SELECT count(*) FROM expert_postings_dirty");
    t_assert_scalar(&srv, "t", "SELECT count(*) > 10 FROM expert_lexeme_postings");
    /* each industry's list is its unarchived experts in table order (fewer than 1,000 here),
     * and the copy of the table's head is the whole table */
    t_assert_scalar(&srv, "t",
                    "SELECT (SELECT count(*) FROM expert_industry_postings) = (SELECT count(*)"
                    " FROM experts e, unnest(e.industry_codes) i WHERE e.archived_at IS NULL)");
    t_assert_scalar(&srv, "t",
                    "SELECT bool_and(x.ids = ARRAY(SELECT e.id FROM experts e"
                    "  WHERE e.industry_codes @> ARRAY[x.code] AND e.archived_at IS NULL))"
                    " FROM (SELECT industry_code AS code, array_agg(expert_id ORDER BY pos) AS ids"
                    "  FROM expert_industry_postings GROUP BY 1) x");
    t_assert_scalar(&srv, "t",
                    "SELECT array_agg(expert_id ORDER BY pos) = (SELECT array_agg(id) FROM"
                    " (SELECT id FROM experts) x) FROM expert_table_head");
    /* each list is the word's unarchived experts (fewer than word_postings here) */
    t_assert_scalar(&srv, "0",
                    "SELECT count(*) FROM expert_lexeme_postings p WHERE cardinality(p.ids) <>"
                    " (SELECT count(*) FROM experts e WHERE e.archived_at IS NULL"
                    "  AND e.search @@ to_tsquery('simple', quote_literal(p.lexeme)))");
    r = ranking(admin, "?limit=50");
    t_expect_status(r, 200);
    same_body(r, by_index);
    t_resp_free(r);
    free(by_index);

    r = t_call(&srv, admin, "POST", "/api/v1/experts", NULL,
               "{\"name\":\"电池丁\",\"title\":\"senior\",\"discipline_codes\":[\"480\"],"
               "\"industry_codes\":[\"C38\"],\"region_code\":\"321003\","
               "\"research_fields\":\"动力电池循环寿命与锂离子电池衰减机理\","
               "\"keywords\":[\"动力电池\",\"循环寿命\"],\"consent\":true}");
    t_expect_status(r, 201);
    char added[16];
    snprintf(added, sizeof added, "%d", cJSON_GetObjectItem(r->json, "id")->valueint);
    t_resp_free(r);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/experts/%s/archive", battery[2]);
    r = t_call(&srv, admin, "POST", path, NULL, NULL);
    t_expect_status(r, 200);
    t_resp_free(r);
    snprintf(path, sizeof path, "/api/v1/experts/%s", battery[1]);
    r = t_call(&srv, admin, "PATCH", path, NULL,
               "{\"research_fields\":\"发酵食品风味物质研究\",\"keywords\":[\"发酵食品\"]}");
    t_expect_status(r, 200);
    t_resp_free(r);
    /* a change of industries or disciplines alone is noted too (the industry lists copy them) */
    snprintf(path, sizeof path, "/api/v1/experts/%s", others[0]);
    r = t_call(&srv, admin, "PATCH", path, NULL,
               "{\"industry_codes\":[\"C38\"],\"discipline_codes\":[\"480\"]}");
    t_expect_status(r, 200);
    t_resp_free(r);
    t_assert_scalar(&srv, "t", "SELECT count(DISTINCT expert_id) = 4 FROM expert_postings_dirty");

    /* the lists are stale, the ranking is not */
    r = ranking(admin, "?limit=50");
    t_expect_status(r, 200);
    ck_assert_msg(offered(r, added), "the new expert %s is not offered", added);
    ck_assert_msg(!offered(r, battery[2]), "the archived expert %s is offered", battery[2]);
    char *noted = strdup(r->body);
    t_resp_free(r);

    /* made again, the lists give the same ranking */
    t_db_exec(&srv, "SELECT match_refresh_postings()");
    t_assert_scalar(&srv, "0", "SELECT count(*) FROM expert_postings_dirty");
    t_assert_scalar(&srv, "0",
                    "SELECT count(*) FROM expert_lexeme_postings p WHERE cardinality(p.ids) <>"
                    " (SELECT count(*) FROM experts e WHERE e.archived_at IS NULL"
                    "  AND e.search @@ to_tsquery('simple', quote_literal(p.lexeme)))");
    r = ranking(admin, "?limit=50");
    t_expect_status(r, 200);
    same_body(r, noted);
    t_resp_free(r);
    free(noted);

    /* TRUNCATE empties the lists (they would name experts that are gone) */
    t_db_exec(&srv, "SET client_min_messages = warning; TRUNCATE experts CASCADE");
    t_assert_scalar(&srv, "0", "SELECT count(*) FROM expert_lexeme_postings");
    t_assert_scalar(&srv, "0", "SELECT count(*) FROM expert_industry_postings");
    t_assert_scalar(&srv, "0", "SELECT count(*) FROM expert_table_head");
    t_assert_scalar(&srv, "0", "SELECT count(*) FROM expert_scoring_rows");
}
END_TEST

/* PATCH /api/v1/experts/{id} as the admin, expecting 200. */
static void patch_expert(const char *id, const char *body)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/experts/%s", id);
    struct t_resp *r = t_call(&srv, admin, "PATCH", path, NULL, body);
    t_expect_status(r, 200);
    t_resp_free(r);
}

/* The copy of the scoring columns (migration 0036) holds, for every expert, what the live
 * table says. */
static void copy_is_exact(void)
{
    t_assert_scalar(&srv, "0",
                    "SELECT count(*) FROM ((TABLE expert_scoring_rows EXCEPT ALL"
                    " TABLE expert_scoring_live) UNION ALL (TABLE expert_scoring_live EXCEPT ALL"
                    " TABLE expert_scoring_rows)) x");
    t_assert_scalar(&srv, "t",
                    "SELECT (SELECT count(*) FROM expert_scoring_rows) ="
                    " (SELECT count(*) FROM experts)");
}

START_TEST(the_scoring_copy_follows_writes_at_once)
{
    /* the lists and the copy made: candidates are read from the copy */
    t_db_exec(&srv, "SELECT match_refresh_postings()");
    t_assert_scalar(&srv, "t",
                    "SELECT scoring_rows AND compact_lists AND postings_cap IS NOT NULL"
                    " FROM expert_lexeme_stats_state");
    copy_is_exact();
    t_assert_scalar(
        &srv, "f",
        "SELECT bool_or(offerable) FROM expert_scoring_rows r JOIN experts e"
        " ON e.id = r.expert_id WHERE e.name IN ('未同意', '不可用', '已归档', '已故')");
    struct t_resp *r = ranking(admin, "?limit=50");
    t_expect_status(r, 200);
    for (int i = 0; i < 3; i++)
        ck_assert_msg(offered(r, battery[i]), "battery expert %s is not offered", battery[i]);
    t_resp_free(r);

    /* through the API: one made unavailable, one withdrawing consent, one moving to another
     * county; the copy still says otherwise, the ranking does not */
    patch_expert(battery[0], "{\"available\":false}");
    patch_expert(battery[1], "{\"consent\":false}");
    patch_expert(battery[2], "{\"region_code\":\"321012\"}");
    t_assert_scalar(&srv, "3", "SELECT count(DISTINCT expert_id) FROM expert_postings_dirty");
    t_assert_scalar(
        &srv, "2",
        "SELECT count(*) FROM expert_scoring_rows r JOIN experts e ON e.id = r.expert_id"
        " WHERE e.name IN ('电池甲', '电池乙') AND r.offerable");
    r = ranking(admin, "?limit=50");
    t_expect_status(r, 200);
    ck_assert_msg(!offered(r, battery[0]), "the unavailable expert is offered: %s", r->body);
    ck_assert_msg(!offered(r, battery[1]), "the non-consenting expert is offered: %s", r->body);
    ck_assert_msg(offered(r, battery[2]), "the moved expert is not offered: %s", r->body);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(!offered(r, hidden[i]), "excluded expert %s offered", hidden[i]);
    char *noted = strdup(r->body);
    t_resp_free(r);
    r = ranking(admin, "?region_code=321012");
    t_expect_status(r, 200);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 1);
    ck_assert_str_eq(hit_id(r, 0), battery[2]);
    t_resp_free(r);

    /* made again, the copy is the table's and the ranking is the same */
    t_db_exec(&srv, "SELECT match_refresh_postings()");
    t_assert_scalar(&srv, "0", "SELECT count(*) FROM expert_postings_dirty");
    copy_is_exact();
    r = ranking(admin, "?limit=50");
    t_expect_status(r, 200);
    same_body(r, noted);
    t_resp_free(r);
    free(noted);

    /* available again: offered again at once */
    patch_expert(battery[0], "{\"available\":true}");
    r = ranking(admin, "?limit=50");
    t_expect_status(r, 200);
    ck_assert_msg(offered(r, battery[0]), "the available expert is not offered: %s", r->body);
    t_resp_free(r);

    /* with the copy not used (as before it is made), the live rows give the same ranking */
    t_db_exec(&srv, "SELECT match_refresh_postings()");
    r = ranking(admin, "?limit=50");
    t_expect_status(r, 200);
    char *from_copy = strdup(r->body);
    t_resp_free(r);
    t_db_exec(&srv, "UPDATE expert_lexeme_stats_state SET scoring_rows = false");
    r = ranking(admin, "?limit=50");
    t_expect_status(r, 200);
    same_body(r, from_copy);
    t_resp_free(r);
    /* nor before any list was made (a new database before sikud's first refresh) */
    t_db_exec(&srv,
              "UPDATE expert_lexeme_stats_state SET scoring_rows = true, postings_cap = NULL");
    r = ranking(admin, "?limit=50");
    t_expect_status(r, 200);
    same_body(r, from_copy);
    t_resp_free(r);
    free(from_copy);

    /* TRUNCATE empties the copy */
    t_db_exec(&srv, "SET client_min_messages = warning; TRUNCATE experts CASCADE");
    t_assert_scalar(&srv, "0", "SELECT count(*) FROM expert_scoring_rows");
    t_assert_scalar(&srv, "f", "SELECT scoring_rows FROM expert_lexeme_stats_state");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("matching");
    TCase *tc = tcase_create("matching");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, battery_experts_rank_first_and_excluded_never_appear);
    tcase_add_test(tc, explanations_name_the_matched_terms_and_components);
    tcase_add_test(tc, filters_narrow_the_ranking_and_bad_ones_are_refused);
    tcase_add_test(tc, roles_see_what_they_may);
    tcase_add_test(tc, proposing_checks_the_demand_the_expert_and_the_caller);
    tcase_add_test(tc, the_workflow_moves_the_match_and_the_demand);
    tcase_add_test(tc, stale_if_match_changes_nothing);
    tcase_add_test(tc, lists_show_each_role_its_own_matches);
    tcase_add_test(tc, an_expert_gets_open_demands_recommended);
    tcase_add_test(tc, word_lists_follow_writes);
    tcase_add_test(tc, the_scoring_copy_follows_writes_at_once);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
