/* The demo library `scripts/up` loads (scripts/lib/generate.sql at its default sizes, then
 * `sikud reindex`), as a 科协 staff member meets it through the API: a few hundred experts and
 * academicians across the leading industries, enterprises in every district, demands in every
 * state with their history, projects in every state with members and outcomes, a service group
 * with members and activities; and Chinese search working on it. argv[1]: generate.sql. */
#include "harness.h"

#include "domain/codes.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct t_server srv;
static char admin[64];
static const char *generate_sql;

static void setup(void)
{
    t_server_start(&srv, "it_demo", true, NULL);
    const char *bin = getenv("PG_BIN");
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "%s%spsql -X -q -v ON_ERROR_STOP=1 -o /dev/null -d '%s' -f '%s' >/dev/null",
             bin ? bin : "", bin ? "/" : "", srv.conninfo, generate_sql);
    ck_assert_msg(system(cmd) == 0, "generate.sql failed: %s", cmd);
    snprintf(cmd, sizeof cmd, "%s reindex --database '%s' >/dev/null", getenv("SIKU_TEST_SIKUD"),
             srv.conninfo);
    ck_assert_int_eq(system(cmd), 0);
    t_create_user(&srv, "demo_admin", "admin", "Test-pass-2026", NULL);
    snprintf(admin, sizeof admin, "%s", t_login(&srv, "demo_admin", "Test-pass-2026"));
}

static void teardown(void)
{
    t_server_finish(&srv);
}

/* Items on the first page of path (limit 200 unless the path says otherwise). */
static int count(const char *fmt, const char *arg)
{
    char path[512];
    snprintf(path, sizeof path, fmt, arg);
    struct t_resp *r = t_call(&srv, admin, "GET", path, NULL, NULL);
    t_expect_status(r, 200);
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items"));
    t_resp_free(r);
    return n;
}

START_TEST(people_across_the_leading_industries)
{
    t_assert_scalar(&srv, "t",
                    "SELECT count(*) FILTER (WHERE kind = 'expert') >= 200"
                    " AND count(*) FILTER (WHERE kind = 'academician') >= 30 FROM experts");
    /* 智能制造、微电子、新能源汽车、生物医药、信息软件服务业 */
    static const char *const tags[] = {"Z01", "Z02", "Z03", "Z04", "Z05"};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        ck_assert_msg(count("/api/v1/experts?industry_code=%s&limit=5", tags[i]) == 5,
                      "no experts of %s", tags[i]);
    /* Values drawn per row, not once for all (a LATERAL without an outer reference is
     * evaluated once): both academies, many birth years, budgets and deadlines. */
    t_assert_scalar(&srv, "t",
                    "SELECT count(DISTINCT academy) = 2 AND count(DISTINCT birth_year) > 10"
                    " FROM experts WHERE kind = 'academician'");
    t_assert_scalar(&srv, "t",
                    "SELECT count(DISTINCT budget_min) > 10 AND count(DISTINCT deadline) > 10"
                    " FROM demands");
    ck_assert_int_gt(count("/api/v1/academicians?academy=%s", "CAS"), 0);
    ck_assert_int_gt(count("/api/v1/academicians?academy=%s", "CAE"), 0);
    static const char *const modes[] = {"transfer", "commissioned", "joint", "training",
                                        "consulting"};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        ck_assert_msg(count("/api/v1/experts?service_mode=%s&limit=1", modes[i]) == 1,
                      "no expert offers %s", modes[i]);
    /* Search works on the demo data as loaded: the research fields say 锂离子电池 and the
     * like, and q=锂电池 finds them. */
    ck_assert_int_gt(count("/api/v1/experts?q=%s", "%E9%94%82%E7%94%B5%E6%B1%A0"), 0);
    ck_assert_int_gt(count("/api/v1/experts?q=%s", "%E9%9B%86%E6%88%90%E7%94%B5%E8%B7%AF"), 0);
}
END_TEST

START_TEST(enterprises_in_every_district)
{
    /* Every district, county, county-level city and functional zone of 扬州市 */
    t_assert_scalar(&srv, "0",
                    "SELECT count(*) FROM regions r WHERE r.parent_code = '321000'"
                    " AND NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.region_code = r.code)");
    char *codes = t_db_scalar(&srv, "SELECT string_agg(code, ',' ORDER BY code) FROM regions"
                                    " WHERE parent_code = '321000'");
    for (char *c = strtok(codes, ","); c; c = strtok(NULL, ","))
        ck_assert_msg(count("/api/v1/enterprises?region_code=%s&limit=1", c) == 1,
                      "no enterprise in %s", c);
    free(codes);
    /* Credit codes the API would take: 18 characters whose GB 32100 check character holds. */
    char *all = t_db_scalar(&srv, "SELECT string_agg(credit_code, ',') FROM enterprises");
    int n = 0;
    for (char *c = strtok(all, ","); c; c = strtok(NULL, ","), n++) {
        const char *code, *message;
        ck_assert_msg(codes_check_credit_code(c, &code, &message), "%s: %s", c, message);
    }
    ck_assert_int_ge(n, 60);
    free(all);
}
END_TEST

START_TEST(demands_in_every_state_with_history)
{
    static const char *const states[] = {"draft",    "submitted", "published",
                                         "matching", "matched",   "cooperating",
                                         "closed",   "rejected",  "withdrawn"};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        ck_assert_msg(count("/api/v1/demands?status=%s&limit=1", states[i]) == 1, "no demand %s",
                      states[i]);
    /* Each demand's history leads to its status; a rejected one says why. */
    t_assert_scalar(&srv, "0",
                    "SELECT count(*) FROM demands d WHERE d.status <> (SELECT t.to_status"
                    " FROM demand_transitions t WHERE t.demand_id = d.id ORDER BY t.id DESC"
                    " LIMIT 1)");
    char *id = t_db_scalar(&srv, "SELECT min(id) FROM demands WHERE status = 'rejected'");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/demands/%s/history", id);
    struct t_resp *r = t_call(&srv, admin, "GET", path, NULL, NULL);
    t_expect_status(r, 200);
    cJSON *items = cJSON_GetObjectItem(r->json, "items");
    cJSON *last = cJSON_GetArrayItem(items, cJSON_GetArraySize(items) - 1);
    ck_assert_str_eq(t_json_str(last, "to_status"), "rejected");
    ck_assert_int_gt((int)strlen(t_json_str(last, "reason")), 0);
    t_resp_free(r);
    free(id);
    /* Anonymous callers see the published ones. */
    r = t_call(&srv, NULL, "GET", "/api/v1/demands?limit=5", NULL, NULL);
    t_expect_status(r, 200);
    ck_assert_int_gt(cJSON_GetArraySize(cJSON_GetObjectItem(r->json, "items")), 0);
    t_resp_free(r);
}
END_TEST

START_TEST(projects_in_every_state_with_members_and_outcomes)
{
    static const char *const states[] = {"applied", "approved", "in_progress", "concluded",
                                         "accepted"};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        ck_assert_msg(count("/api/v1/projects?status=%s&limit=1", states[i]) == 1, "no project %s",
                      states[i]);
    char *id = t_db_scalar(&srv, "SELECT min(p.id) FROM projects p WHERE EXISTS (SELECT 1"
                                 " FROM project_members m WHERE m.project_id = p.id)"
                                 " AND p.outcome_patents + p.outcome_papers > 0");
    ck_assert_msg(id && *id, "no project with members and outcomes");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/projects/%%s/members");
    ck_assert_int_gt(count(path, id), 0);
    free(id);
}
END_TEST

START_TEST(a_service_group_with_members_and_activities)
{
    char *g = t_db_scalar(&srv, "SELECT min(id) FROM service_groups");
    ck_assert_msg(g && *g, "no service group");
    ck_assert_int_gt(count("/api/v1/service-groups/%s/members", g), 1);
    ck_assert_int_gt(count("/api/v1/service-activities?group_id=%s", g), 0);
    free(g);
    /* The "四进" and the academician days at workstations that feed the assessment. */
    static const char *const kinds[] = {"agency_lecture", "campus_science", "park_guidance",
                                        "enterprise_station"};
    int kinds_seen = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        kinds_seen += count("/api/v1/service-activities?kind=%s&limit=1", kinds[i]);
    ck_assert_int_ge(kinds_seen, 3);
    t_assert_scalar(&srv, "t",
                    "SELECT count(*) > 0 FROM service_activities WHERE workstation_id IS NOT NULL"
                    " AND academician_days > 0");
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: it_demo scripts/lib/generate.sql\n");
        return 2;
    }
    generate_sql = argv[1];
    Suite *s = suite_create("demo");
    TCase *tc = tcase_create("demo");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, people_across_the_leading_industries);
    tcase_add_test(tc, enterprises_in_every_district);
    tcase_add_test(tc, demands_in_every_state_with_history);
    tcase_add_test(tc, projects_in_every_state_with_members_and_outcomes);
    tcase_add_test(tc, a_service_group_with_members_and_activities);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
