/* Yearly statistics and the workstation exports: every figure of GET /api/v1/stats/2025
 * checked by hand against a small fixture inserted by SQL (year boundaries on Asia/Shanghai
 * time, drafts, archived records, a station's status at the end of the year, records without
 * a region), the XLSX and CSV forms read back, the workstation list and a year's reports
 * exported and read back, and the roles. */
#include "harness.h"

#include <check.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct t_server srv;
static char admin[64], city[64], county[64], ent[64], expert_tok[64];
static char ent1[16], acad1[16], exp1[16], w1[16], w2[16], w3[16], w5[16];

static void scalar_into(char *out, size_t cap, const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    char *v = t_db_scalar(&srv, sql);
    ck_assert_msg(v != NULL && *v, "query failed: %s", sql);
    snprintf(out, cap, "%s", v);
    free(v);
}

static void exec(const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    t_db_exec(&srv, sql);
}

static void login_as(char *token, const char *user, const char *role, const char *extra)
{
    t_create_user(&srv, user, role, "Test-pass-2026", extra);
    snprintf(token, 64, "%s", t_login(&srv, user, "Test-pass-2026"));
}

/* A demand of ent1 created at `at`, in `status`, in region rc. */
static void demand(char *id, const char *rc, const char *status, const char *at)
{
    scalar_into(id, 16,
                "INSERT INTO demands (enterprise_id, title, kind, region_code, status, created_at)"
                " VALUES (%s, '统计需求', 'technical_problem', '%s', '%s', '%s') RETURNING id",
                ent1, rc, status, at);
}

static void demand_move(const char *id, const char *from, const char *to, const char *at)
{
    exec("INSERT INTO demand_transitions (demand_id, from_status, to_status, action, at)"
         " VALUES (%s, '%s', '%s', 'move', '%s')",
         id, from, to, at);
}

static void setup(void)
{
    t_server_start(&srv, "it_stats", true, NULL);
    char id[16], d1[16], d2[16], d3[16], d4[16], d5[16], p[16];
    scalar_into(ent1, sizeof ent1,
                "INSERT INTO enterprises (name, credit_code, region_code, contact_name,"
                " contact_phone) VALUES ('扬州统计科技有限公司', '91321003MA1M00001A', '321003',"
                " '王经理', '13812345678') RETURNING id");
    /* Experts and academicians: 2025 in Asia/Shanghai time, archived ones left out. */
    scalar_into(acad1, sizeof acad1,
                "INSERT INTO experts (kind, name, academy, region_code, phone, created_at)"
                " VALUES ('academician', '统计院士甲', 'CAE', '321003', '13900001111',"
                " '2025-03-01 10:00+08') RETURNING id");
    scalar_into(id, sizeof id,
                "INSERT INTO experts (kind, name, academy, region_code, created_at) VALUES"
                " ('academician', '统计院士乙', 'CAS', '321012', '2026-01-01 00:30+08')"
                " RETURNING id");
    scalar_into(exp1, sizeof exp1,
                "INSERT INTO experts (name, region_code, consent, created_at) VALUES"
                " ('统计专家甲', '321003', true, '2025-05-01 09:00+08') RETURNING id");
    exec("INSERT INTO experts (name, created_at) VALUES ('统计专家乙', '2025-06-01 09:00+08')");
    exec("INSERT INTO experts (name, region_code, created_at) VALUES"
         " ('统计专家丙', '321003', '2024-12-31 23:59+08')");
    exec("INSERT INTO experts (name, region_code, created_at, archived_at) VALUES"
         " ('统计专家丁', '321003', '2025-07-01 09:00+08', now())");
    /* Demands: D1 matched and solved in 2025; D2 matched; D3 a draft; D4 posted in 2024 and
     * solved in 2025; D5 closed without cooperating. */
    demand(d1, "321003", "closed", "2025-02-01 09:00+08");
    demand_move(d1, "matching", "matched", "2025-03-01 09:00+08");
    demand_move(d1, "matched", "cooperating", "2025-04-01 09:00+08");
    demand_move(d1, "cooperating", "closed", "2025-09-01 09:00+08");
    demand(d2, "321012", "matched", "2025-04-01 09:00+08");
    demand_move(d2, "matching", "matched", "2025-05-01 09:00+08");
    demand(d3, "321003", "draft", "2025-04-01 09:00+08");
    demand(d4, "321012", "closed", "2024-11-01 09:00+08");
    demand_move(d4, "matching", "matched", "2024-12-01 09:00+08");
    demand_move(d4, "cooperating", "closed", "2025-02-01 09:00+08");
    demand(d5, "321003", "closed", "2025-07-01 09:00+08");
    demand_move(d5, "published", "closed", "2025-08-01 09:00+08");
    /* Matches proposed in 2025 count by their state now, in their demand's region. */
    exec("INSERT INTO matches (demand_id, expert_id, status, created_at) VALUES"
         " (%s, %s, 'closed', '2025-03-01 09:00+08'), (%s, %s, 'proposed', '2025-05-01 09:00+08'),"
         " (%s, %s, 'declined', '2025-05-02 09:00+08'), (%s, %s, 'closed', '2024-12-01 09:00+08')",
         d1, exp1, d2, exp1, d2, acad1, d4, exp1);
    /* Projects approved in 2025: one in 321003, one of no region led by ent1 (321003). */
    scalar_into(p, sizeof p,
                "INSERT INTO projects (title, kind, status, region_code) VALUES ('统计项目甲',"
                " 'other', 'approved', '321003') RETURNING id");
    exec("INSERT INTO project_transitions (project_id, from_status, to_status, action, at)"
         " VALUES (%s, 'applied', 'approved', 'approve', '2025-06-01 09:00+08')",
         p);
    scalar_into(p, sizeof p,
                "INSERT INTO projects (title, kind, status, lead_enterprise_id) VALUES"
                " ('统计项目乙', 'other', 'in_progress', %s) RETURNING id",
                ent1);
    exec("INSERT INTO project_transitions (project_id, from_status, to_status, action, at)"
         " VALUES (%s, 'applied', 'approved', 'approve', '2025-07-01 09:00+08')",
         p);
    scalar_into(p, sizeof p,
                "INSERT INTO projects (title, kind, status, region_code) VALUES ('统计项目丙',"
                " 'other', 'approved', '321012') RETURNING id");
    exec("INSERT INTO project_transitions (project_id, from_status, to_status, action, at)"
         " VALUES (%s, 'applied', 'approved', 'approve', '2024-06-01 09:00+08')",
         p);
    /* Workstations: W1 running; W2 running at the end of 2025 (revoked in 2026); W3 suspended
     * without a recorded move; W4 created in 2026; W5 running without a report. */
    scalar_into(w1, sizeof w1,
                "INSERT INTO workstations (name, host_enterprise_id, region_code, status,"
                " established_on, term_end, demonstration_year, industry_code, created_at)"
                " VALUES ('统计站甲', %s, '321003', 'running', '2020-01-01', '2026-12-31', 2024,"
                " 'C38', '2020-01-01') RETURNING id",
                ent1);
    exec("INSERT INTO workstation_transitions (workstation_id, from_status, to_status, at) VALUES"
         " (%s, NULL, 'planning', '2020-01-01'), (%s, 'planning', 'running', '2021-01-01')",
         w1, w1);
    scalar_into(w2, sizeof w2,
                "INSERT INTO workstations (name, host_enterprise_id, region_code, status, level,"
                " created_at) VALUES ('统计站乙', %s, '321012', 'revoked', 'provincial',"
                " '2020-01-01') RETURNING id",
                ent1);
    exec("INSERT INTO workstation_transitions (workstation_id, from_status, to_status, at) VALUES"
         " (%s, NULL, 'running', '2020-01-01'), (%s, 'running', 'revoked', '2026-03-01')",
         w2, w2);
    scalar_into(w3, sizeof w3,
                "INSERT INTO workstations (name, host_enterprise_id, region_code, status,"
                " created_at) VALUES ('统计站丙', %s, '321003', 'suspended', '2024-01-01')"
                " RETURNING id",
                ent1);
    exec("INSERT INTO workstations (name, host_enterprise_id, region_code, status, created_at)"
         " VALUES ('统计站丁', %s, '321003', 'running', '2026-02-01')",
         ent1);
    scalar_into(w5, sizeof w5,
                "INSERT INTO workstations (name, host_enterprise_id, region_code, status,"
                " created_at) VALUES ('统计站戊', %s, '321012', 'running', '2022-01-01')"
                " RETURNING id",
                ent1);
    exec("INSERT INTO workstation_academicians (workstation_id, expert_id, start_on) VALUES"
         " (%s, %s, '2024-01-01')",
         w1, acad1);
    /* The 2025 assessment: W1 优秀, W2 良好, W3 without a report. */
    exec("INSERT INTO assessment_years (year, rubric) VALUES (2025, '{\"items\":[{\"key\":\"a\","
         "\"name\":\"甲\",\"points\":100,\"rule\":{\"kind\":\"checklist\"}}],\"grades\":"
         "{\"excellent\":85,\"good\":75,\"pass\":60}}')");
    exec("INSERT INTO assessment_results (year, workstation_id, status, computed_score, score,"
         " rank, grade) VALUES (2025, %s, 'scored', 90, 90, 1, 'excellent'),"
         " (2025, %s, 'scored', 80, 80, 2, 'good'), (2025, %s, 'missing', NULL, NULL, NULL, NULL)",
         w1, w2, w3);
    /* "四进" activities of 2025; one of 2024 and an archived one left out. */
    exec("INSERT INTO service_activities (kind, title, held_on, region_code, workstation_id,"
         " academician_days, archived_at) VALUES"
         " ('agency_lecture', '宣讲', '2025-03-01', '321003', NULL, 0, NULL),"
         " ('campus_science', '科普', '2025-04-01', '321003', NULL, 0, NULL),"
         " ('enterprise_station', '建站', '2025-05-01', '321012', %s, 8, NULL),"
         " ('park_guidance', '指导', '2025-06-01', NULL, NULL, 0, NULL),"
         " ('other', '其他', '2024-12-31', '321003', NULL, 0, NULL),"
         " ('agency_lecture', '归档', '2025-08-01', '321003', NULL, 0, now())",
         w2);
    /* Reports of 2025: W1 accepted with every indicator, W2 submitted. */
    exec("INSERT INTO workstation_reports (workstation_id, year, status, academician_days,"
         " joint_projects_new, joint_projects_ongoing, rd_input, patents_applied,"
         " patents_granted, invention_patents_granted, new_products, standards, papers,"
         " new_product_revenue, talents_trained, awards) VALUES"
         " (%s, 2025, 'accepted', 30.5, 2, 3, 120.5, 5, 3, 1, 2, 1, 4, 888.88, 6, 1)",
         w1);
    exec("INSERT INTO workstation_reports (workstation_id, year, status, academician_days, papers,"
         " summary) VALUES (%s, 2025, 'submitted', 10, 2, '=1+1 见附件')",
         w2);
    /* A summary with what CSV must quote: a comma, a line break, double quotes. */
    exec("UPDATE workstation_reports SET summary = E'全年在站,合作顺利\\n第二段:\"重点\"'"
         " WHERE workstation_id = %s",
         w1);
    login_as(admin, "s_admin", "admin", NULL);
    login_as(city, "s_city", "city_staff", NULL);
    login_as(county, "s_county", "county_staff", "--region 321012");
    char bind[64];
    snprintf(bind, sizeof bind, "--enterprise %s", ent1);
    login_as(ent, "s_ent", "enterprise", bind);
    snprintf(bind, sizeof bind, "--expert %s", exp1);
    login_as(expert_tok, "s_expert", "expert", bind);
}

static void teardown(void)
{
    t_server_finish(&srv);
}

static int status_of(const char *token, const char *path)
{
    struct t_resp *r = t_call(&srv, token, "GET", path, NULL, NULL);
    int s = r->status;
    t_resp_free(r);
    return s;
}

/* A figure of a stats answer: the region (NULL: city-wide, "": the other row) and a dotted
 * path such as "demands.posted". */
static int figure(const cJSON *stats, const char *region, const char *path)
{
    const cJSON *row = NULL;
    if (region == NULL) {
        row = cJSON_GetObjectItem(stats, "city_wide");
    } else {
        const cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(stats, "regions"))
        {
            const cJSON *code = cJSON_GetObjectItem(it, "region_code");
            if ((*region == '\0' && cJSON_IsNull(code)) ||
                (cJSON_IsString(code) && strcmp(code->valuestring, region) == 0))
                row = it;
        }
    }
    ck_assert_msg(row != NULL, "no row for %s", region ? region : "the city");
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *v = row;
    for (char *part = strtok(buf, "."); part; part = strtok(NULL, "."))
        v = cJSON_GetObjectItem(v, part);
    ck_assert_msg(cJSON_IsNumber(v), "%s of %s is not a number", path, region ? region : "city");
    return v->valueint;
}

struct want {
    const char *region; /* NULL city-wide, "" the other row */
    const char *path;
    int value;
};

START_TEST(test_stats_figures_by_hand)
{
    struct t_resp *r = t_call(&srv, county, "GET", "/api/v1/stats/2025", NULL, NULL);
    t_expect_status(r, 200);
    ck_assert_int_eq(cJSON_GetObjectItem(r->json, "year")->valueint, 2025);
    ck_assert_str_eq(t_json_str(cJSON_GetObjectItem(r->json, "city_wide"), "region_name"),
                     "扬州市");
    /* Nine regions of the city in their order, then the row of records without one. */
    const cJSON *regions = cJSON_GetObjectItem(r->json, "regions");
    ck_assert_int_eq(cJSON_GetArraySize(regions), 10);
    ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(regions, 0), "region_name"), "广陵区");
    ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(regions, 9), "region_name"), "市本级或未填地区");
    static const struct want wants[] = {
        {"321003", "academicians_brought_in", 1},
        {"321012", "academicians_brought_in", 0}, /* 2026-01-01 00:30 in Yangzhou */
        {NULL, "academicians_brought_in", 1},
        {"321003", "experts_brought_in", 1}, /* not 2024-12-31 23:59, not archived */
        {"", "experts_brought_in", 1},
        {NULL, "experts_brought_in", 2},
        {"321003", "demands.posted", 2}, /* D1 D5; D3 is a draft */
        {"321012", "demands.posted", 1}, /* D2; D4 was 2024 */
        {NULL, "demands.posted", 3},
        {"321003", "demands.matched", 1},
        {"321012", "demands.matched", 1},
        {NULL, "demands.matched", 2},
        {"321003", "demands.solved", 1}, /* D1; D5 closed without cooperating */
        {"321012", "demands.solved", 1}, /* D4, closed in 2025 */
        {NULL, "demands.solved", 2},
        {"321003", "matches.closed", 1},
        {"321003", "matches.total", 1},
        {"321012", "matches.proposed", 1},
        {"321012", "matches.declined", 1},
        {"321012", "matches.total", 2},
        {NULL, "matches.closed", 1}, /* the 2024 match is left out */
        {NULL, "matches.total", 3},
        {"321003", "projects_signed", 2}, /* one by its region, one by its lead enterprise */
        {"321012", "projects_signed", 0}, /* approved in 2024 */
        {NULL, "projects_signed", 2},
        {"321003", "workstations_by_status.running", 1},
        {"321003", "workstations_by_status.suspended", 1},
        {"321003", "workstations_by_status.total", 2},   /* W4 did not exist yet */
        {"321012", "workstations_by_status.running", 2}, /* W2 was revoked in 2026 */
        {"321012", "workstations_by_status.revoked", 0},
        {NULL, "workstations_by_status.running", 3},
        {NULL, "workstations_by_status.total", 4},
        {"321003", "workstations_by_grade.excellent", 1},
        {"321003", "workstations_by_grade.ungraded", 1},
        {"321012", "workstations_by_grade.good", 1},
        {NULL, "workstations_by_grade.excellent", 1},
        {NULL, "workstations_by_grade.good", 1},
        {NULL, "workstations_by_grade.fail", 0},
        {NULL, "workstations_by_grade.ungraded", 1},
        {"321003", "service_activities.agency_lecture", 1},
        {"321003", "service_activities.campus_science", 1},
        {"321003", "service_activities.total", 2},
        {"321012", "service_activities.enterprise_station", 1},
        {"", "service_activities.park_guidance", 1},
        {NULL, "service_activities.agency_lecture", 1},
        {NULL, "service_activities.total", 4},
        {"321002", "service_activities.total", 0},
    };
    for (size_t i = 0; i < sizeof wants / sizeof wants[0]; i++) {
        int got = figure(r->json, wants[i].region, wants[i].path);
        ck_assert_msg(got == wants[i].value, "%s of %s: %d, want %d", wants[i].path,
                      wants[i].region ? wants[i].region : "the city", got, wants[i].value);
    }
    t_resp_free(r);
    /* A year without anything answers zeros. */
    r = t_call(&srv, city, "GET", "/api/v1/stats/2001", NULL, NULL);
    t_expect_status(r, 200);
    ck_assert_int_eq(figure(r->json, NULL, "matches.total"), 0);
    ck_assert_int_eq(figure(r->json, NULL, "workstations_by_status.total"), 0);
    t_resp_free(r);
}
END_TEST

START_TEST(test_stats_files)
{
    struct t_resp *r = t_call(&srv, city, "GET", "/api/v1/stats/2025?format=xlsx", NULL, NULL);
    t_expect_status(r, 200);
    char *type = t_resp_header(r, "Content-Type"), *disp = t_resp_header(r, "Content-Disposition");
    ck_assert_str_eq(type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    ck_assert_ptr_nonnull(strstr(disp, "filename=\"stats-2025.xlsx\""));
    free(type);
    free(disp);
    char *book = t_xlsx_part(r, "xl/workbook.xml");
    ck_assert_ptr_nonnull(strstr(book, "全市统计"));
    ck_assert_ptr_nonnull(strstr(book, "分地区统计"));
    free(book);
    /* Constant-memory workbooks keep their strings inline in the sheets. */
    char *strings = t_xlsx_part(r, "xl/worksheets/sheet*.xml");
    static const char *const labels[] = {"指标",       "引进院士", "发布需求",
                                         "需求已解决", "匹配合计", "进企业建站",
                                         "全市合计",   "邗江区",   "市本级或未填地区"};
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        ck_assert_msg(strstr(strings, labels[i]) != NULL, "the workbook lacks %s", labels[i]);
    free(strings);
    char *sheet = t_xlsx_part(r, "xl/worksheets/sheet1.xml");
    ck_assert_ptr_nonnull(strstr(sheet, "topLeftCell=\"A2\""));
    ck_assert_ptr_nonnull(strstr(sheet, "<v>4</v>")); /* workstations, activities */
    free(sheet);
    sheet = t_xlsx_part(r, "xl/worksheets/sheet2.xml");
    ck_assert_ptr_nonnull(strstr(sheet, "topLeftCell=\"A2\""));
    free(sheet);
    t_resp_free(r);

    r = t_call(&srv, county, "GET", "/api/v1/stats/2025?format=csv", NULL, NULL);
    t_expect_status(r, 200);
    type = t_resp_header(r, "Content-Type");
    ck_assert_str_eq(type, "text/csv; charset=utf-8");
    free(type);
    int n;
    char **lines = t_csv_lines(r, &n);
    ck_assert_int_eq(n, 12); /* header, nine regions, the other row, the city */
    ck_assert_ptr_nonnull(
        strstr(lines[0], "地区,引进院士,引进专家,发布需求,需求已对接,需求已解决"));
    /* 邗江区 (the second region): 1 academician, 1 expert, demands 2/1/1, matches 0 0 0 0 0 1
     * = 1, 2 projects, stations 0 1 1 0 0 = 2, grades 1 0 0 0 1, activities 1 1 0 0 0 = 2. */
    ck_assert_str_eq(lines[2], "邗江区,1,1,2,1,1,0,0,0,0,0,1,1,2,0,1,1,0,0,2,1,0,0,0,1,1,1,0,0,0,2,"
                               "321003");
    ck_assert_str_eq(lines[11], "全市合计,1,2,3,2,2,1,0,0,1,0,1,3,2,0,3,1,0,0,4,1,1,0,0,1,1,1,1,1,"
                                "0,4,321000");
    free(lines[0]);
    free(lines);
    t_resp_free(r);
}
END_TEST

START_TEST(test_stats_roles_and_bad_years)
{
    ck_assert_int_eq(status_of(NULL, "/api/v1/stats/2025"), 401);
    ck_assert_int_eq(status_of(admin, "/api/v1/stats/2025"), 200);
    ck_assert_int_eq(status_of(ent, "/api/v1/stats/2025"), 403);
    ck_assert_int_eq(status_of(expert_tok, "/api/v1/stats/2025"), 403);
    ck_assert_int_eq(status_of(ent, "/api/v1/stats/2025?format=xlsx"), 403);
    ck_assert_int_eq(status_of(city, "/api/v1/stats/1999"), 404);
    ck_assert_int_eq(status_of(city, "/api/v1/stats/2101"), 404);
    ck_assert_int_eq(status_of(city, "/api/v1/stats/twenty"), 404);
    ck_assert_int_eq(status_of(city, "/api/v1/stats/20250"), 404);
    ck_assert_int_eq(status_of(city, "/api/v1/stats/2025?format=pdf"), 400);
    ck_assert_int_eq(status_of(city, "/api/v1/stats/2025?region=321003"), 400);
}
END_TEST

START_TEST(test_workstation_list_export)
{
    /* County staff of another region get every station staff can read. */
    struct t_resp *r =
        t_call(&srv, county, "GET", "/api/v1/workstations/export?format=csv", NULL, NULL);
    t_expect_status(r, 200);
    char *disp = t_resp_header(r, "Content-Disposition");
    ck_assert_ptr_nonnull(strstr(disp, "filename=\"workstations.csv\""));
    free(disp);
    /* No contact data of anyone: not the enterprise's, not the academician's. */
    ck_assert_ptr_null(strstr(r->body, "13812345678"));
    ck_assert_ptr_null(strstr(r->body, "13900001111"));
    ck_assert_ptr_null(strstr(r->body, "王经理"));
    int n;
    char **lines = t_csv_lines(r, &n);
    ck_assert_int_eq(n, 6);
    ck_assert_str_eq(lines[0], "编号,名称,依托单位,级别,地区,行业,建站日期,协议期满,状态,示范,"
                               "示范年份,在站院士人数,在站院士,专家团队人数,归档");
    char want[512];
    snprintf(want, sizeof want,
             "%s,统计站甲,扬州统计科技有限公司,市级,邗江区,电气机械和器材制造业,2020-01-01,"
             "2026-12-31,运行,是,2024,1,统计院士甲,0,",
             w1);
    ck_assert_str_eq(lines[1], want);
    bool found = false;
    for (int i = 1; i < n; i++)
        if (strstr(lines[i], "统计站乙")) {
            ck_assert_ptr_nonnull(strstr(lines[i], ",省级,江都区,,,,撤销,否,,0,,0,"));
            found = true;
        }
    ck_assert(found);
    free(lines[0]);
    free(lines);
    t_resp_free(r);
    /* The filters of the list. */
    r = t_call(&srv, city, "GET", "/api/v1/workstations/export?format=csv&status=suspended", NULL,
               NULL);
    t_expect_status(r, 200);
    lines = t_csv_lines(r, &n);
    ck_assert_int_eq(n, 2);
    ck_assert_ptr_nonnull(strstr(lines[1], "统计站丙"));
    free(lines[0]);
    free(lines);
    t_resp_free(r);
    r = t_call(&srv, city, "GET", "/api/v1/workstations/export", NULL, NULL);
    t_expect_status(r, 200);
    char *type = t_resp_header(r, "Content-Type");
    ck_assert_str_eq(type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    free(type);
    char *strings = t_xlsx_part(r, "xl/worksheets/sheet*.xml");
    ck_assert_ptr_nonnull(strstr(strings, "依托单位"));
    ck_assert_ptr_nonnull(strstr(strings, "统计院士甲"));
    free(strings);
    /* The summary: the five stations by region and status, then the city-wide total. */
    char *book = t_xlsx_part(r, "xl/workbook.xml");
    ck_assert_ptr_nonnull(strstr(book, "按地区和状态汇总"));
    free(book);
    char *sum = t_xlsx_part(r, "xl/worksheets/sheet2.xml");
    static const char *const sum_want[] = {"地区",
                                           "筹建",
                                           "运行",
                                           "暂停",
                                           "撤销",
                                           "验收结题",
                                           "示范",
                                           "邗江区",
                                           "全市合计",
                                           "<v>5</v>",
                                           "topLeftCell=\"A2\""};
    for (size_t i = 0; i < sizeof sum_want / sizeof sum_want[0]; i++)
        ck_assert_msg(strstr(sum, sum_want[i]) != NULL, "the summary lacks %s", sum_want[i]);
    free(sum);
    char *sheet = t_xlsx_part(r, "xl/worksheets/sheet1.xml");
    ck_assert_ptr_nonnull(strstr(sheet, "topLeftCell=\"A2\""));
    ck_assert_ptr_nonnull(strstr(sheet, "<v>2024</v>"));
    free(sheet);
    t_resp_free(r);
    ck_assert_int_eq(status_of(city, "/api/v1/workstations/export?format=pdf"), 400);
    ck_assert_int_eq(status_of(city, "/api/v1/workstations/export?status=open"), 400);
    ck_assert_int_eq(status_of(city, "/api/v1/workstations/export?sort=id"), 400);
    ck_assert_int_eq(status_of(NULL, "/api/v1/workstations/export"), 401);
    ck_assert_int_eq(status_of(ent, "/api/v1/workstations/export"), 403);
    ck_assert_int_eq(status_of(expert_tok, "/api/v1/workstations/export"), 403);
    /* The literal segment does not hide the stations themselves. */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/workstations/%s", w1);
    ck_assert_int_eq(status_of(city, path), 200);
}
END_TEST

START_TEST(test_reports_export)
{
    struct t_resp *r = t_call(&srv, county, "GET",
                              "/api/v1/workstations/reports/2025/export?format=csv", NULL, NULL);
    t_expect_status(r, 200);
    int n;
    char **lines = t_csv_lines(r, &n);
    /* W1 and W2 reported; W5 was running without a report; W3 was suspended, W4 not there. */
    ck_assert_int_eq(n, 4);
    ck_assert_str_eq(lines[0], "工作站编号,工作站名称,依托单位,地区,工作站状态,报告状态,"
                               "院士在站天数,服务活动记录天数,新增合作项目,在研合作项目,"
                               "研发投入（万元）,专利申请,专利授权,其中发明专利授权,新产品,标准,"
                               "论文,新产品销售收入（万元）,培养人才,获奖,年度总结");
    char want[512];
    snprintf(want, sizeof want,
             "%s,统计站甲,扬州统计科技有限公司,邗江区,运行,已通过,30.5,0.0,2,3,120.50,5,3,1,2,1,4,"
             "888.88,6,1,\"全年在站,合作顺利\n第二段:\"\"重点\"\"\"",
             w1);
    ck_assert_str_eq(lines[1], want);
    snprintf(want, sizeof want,
             "%s,统计站乙,扬州统计科技有限公司,江都区,撤销,已提交,10.0,8.0,0,0,0.00,0,0,0,0,0,2,"
             "0.00,0,0,'=1+1 见附件",
             w2);
    ck_assert_str_eq(lines[2], want);
    snprintf(want, sizeof want,
             "%s,统计站戊,扬州统计科技有限公司,江都区,运行,未填报,,0.0,,,,,,,,,,,,,", w5);
    ck_assert_str_eq(lines[3], want);
    free(lines[0]);
    free(lines);
    t_resp_free(r);
    r = t_call(&srv, city, "GET", "/api/v1/workstations/reports/2025/export", NULL, NULL);
    t_expect_status(r, 200);
    char *disp = t_resp_header(r, "Content-Disposition");
    ck_assert_ptr_nonnull(strstr(disp, "filename=\"workstation-reports-2025.xlsx\""));
    free(disp);
    char *book = t_xlsx_part(r, "xl/workbook.xml");
    ck_assert_ptr_nonnull(strstr(book, "年度报告"));
    ck_assert_ptr_nonnull(strstr(book, "按地区汇总"));
    free(book);
    char *sheet = t_xlsx_part(r, "xl/worksheets/sheet1.xml");
    ck_assert_ptr_nonnull(strstr(sheet, "<v>888.88</v>"));
    ck_assert_ptr_nonnull(strstr(sheet, "<v>30.5</v>"));
    /* The summary: the last column (U), wide, wrapped, as text (no apostrophe in XLSX). */
    ck_assert_ptr_nonnull(strstr(sheet, "<col min=\"21\" max=\"21\" width=\"60.7109375\""));
    ck_assert_ptr_nonnull(strstr(sheet, "<t>全年在站,合作顺利\n第二段:\"重点\"</t>"));
    ck_assert_ptr_nonnull(strstr(sheet, "<t>=1+1 见附件</t>"));
    free(sheet);
    char *styles = t_xlsx_part(r, "xl/styles.xml");
    ck_assert_ptr_nonnull(strstr(styles, "formatCode=\"0.00\""));
    ck_assert_ptr_nonnull(strstr(styles, "formatCode=\"0.0\""));
    ck_assert_ptr_nonnull(strstr(styles, "<alignment vertical=\"top\" wrapText=\"1\"/>"));
    free(styles);
    /* The summary: 2 reports city-wide, 1 accepted, 6 papers, 40.5 days. */
    sheet = t_xlsx_part(r, "xl/worksheets/sheet2.xml");
    ck_assert_ptr_nonnull(strstr(sheet, "<v>40.5</v>"));
    ck_assert_ptr_nonnull(strstr(sheet, "<v>6</v>"));
    free(sheet);
    char *strings = t_xlsx_part(r, "xl/worksheets/sheet*.xml");
    ck_assert_ptr_nonnull(strstr(strings, "全市合计"));
    ck_assert_ptr_nonnull(strstr(strings, "未填报"));
    free(strings);
    t_resp_free(r);
    ck_assert_int_eq(status_of(city, "/api/v1/workstations/reports/2024/export"), 404);
    ck_assert_int_eq(status_of(city, "/api/v1/workstations/reports/1999/export"), 404);
    ck_assert_int_eq(status_of(city, "/api/v1/workstations/reports/2025/export?format=doc"), 400);
    ck_assert_int_eq(status_of(NULL, "/api/v1/workstations/reports/2025/export"), 401);
    ck_assert_int_eq(status_of(ent, "/api/v1/workstations/reports/2025/export"), 403);
    ck_assert_int_eq(status_of(expert_tok, "/api/v1/workstations/reports/2025/export"), 403);
}
END_TEST

/* Station ids in the first column of CSV lines 1..n-1: each once, and how many. */
static int distinct_ids(char **lines, int n)
{
    int count = 0;
    long prev = -1;
    for (int i = 1; i < n; i++) {
        long id = strtol(lines[i], NULL, 10);
        ck_assert_msg(id > 0, "line %d has no id: %s", i, lines[i]);
        ck_assert_msg(id != prev, "station %ld twice", id);
        prev = id;
        count++;
    }
    return count;
}

/* More rows than a page (EXPORT_PAGE_ROWS = 1000): every row once, in order, whatever the
 * format. Runs last: it adds 2,100 stations and their 2025 results. */
START_TEST(test_exports_read_in_pages)
{
    exec("INSERT INTO workstations (name, host_enterprise_id, region_code, status, created_at)"
         " SELECT '分页站' || i, %s, '321023', 'running', '2020-01-01'"
         " FROM generate_series(1, 2100) i",
         ent1);
    /* Ties every two stations, the last 100 ungraded (missing) at the end. */
    exec("INSERT INTO assessment_results (year, workstation_id, status, score, rank, grade)"
         " SELECT 2025, w.id, CASE WHEN n > 2000 THEN 'missing' ELSE 'scored' END,"
         "  CASE WHEN n <= 2000 THEN 70 END, CASE WHEN n <= 2000 THEN 3 + (n + 1) / 2 END,"
         "  CASE WHEN n <= 2000 THEN 'pass' END"
         " FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM workstations"
         "       WHERE name LIKE '分页站%%') w");
    struct t_resp *r =
        t_call(&srv, city, "GET", "/api/v1/workstations/export?format=csv", NULL, NULL);
    t_expect_status(r, 200);
    int n;
    char **lines = t_csv_lines(r, &n);
    ck_assert_int_eq(n, 1 + 5 + 2100);
    ck_assert_ptr_nonnull(strstr(lines[n - 1], "分页站2100"));
    /* 宝应县 comes after 邗江区 and 江都区: the regions' order, then the ids. */
    ck_assert_ptr_nonnull(strstr(lines[6], "分页站1,"));
    ck_assert_int_eq(distinct_ids(lines, n), 2105);
    free(lines[0]);
    free(lines);
    t_resp_free(r);
    r = t_call(&srv, city, "GET", "/api/v1/workstations/export?format=xlsx", NULL, NULL);
    t_expect_status(r, 200);
    char *sheet = t_xlsx_part(r, "xl/worksheets/sheet1.xml");
    int rows = 0;
    for (const char *c = strstr(sheet, "<row "); c; c = strstr(c + 1, "<row "))
        rows++;
    ck_assert_int_eq(rows, 1 + 5 + 2100);
    ck_assert_ptr_nonnull(strstr(sheet, "<autoFilter ref=\"A1:O2106\""));
    free(sheet);
    t_resp_free(r);
    /* The assessment results: ranks with ties and the unranked last, across pages. */
    r = t_call(&srv, city, "GET", "/api/v1/assessments/2025/export?format=csv", NULL, NULL);
    t_expect_status(r, 200);
    lines = t_csv_lines(r, &n);
    ck_assert_int_eq(n, 1 + 3 + 2100);
    ck_assert_ptr_nonnull(strstr(lines[1], "统计站甲"));
    ck_assert(strncmp(lines[3], "4,", 2) == 0);
    ck_assert(strncmp(lines[4], "4,", 2) == 0);
    ck_assert(strncmp(lines[5], "5,", 2) == 0);
    ck_assert(strncmp(lines[2002], "1003,", 5) == 0);
    ck_assert_msg(lines[2003][0] == ',', "unranked last: %s", lines[2003]);
    ck_assert(lines[2103][0] == ',');
    free(lines[0]);
    free(lines);
    t_resp_free(r);
}
END_TEST

/* ---- one file, one state of the data ---- */

struct renamer {
    char first[16], last[16]; /* stations on the first and on the last page */
    atomic_bool stop;
    atomic_long renames; /* committed */
};

/* Renames both stations to the same generation number, in one statement (one commit), as
 * fast as it can, until told to stop. */
static void *renamer_run(void *arg)
{
    struct renamer *rn = arg;
    PGconn *pg = t_db_connect(srv.dbname);
    char sql[512];
    for (long k = 1; !atomic_load(&rn->stop); k++) {
        snprintf(sql, sizeof sql,
                 "UPDATE workstations SET name = CASE WHEN id = %s THEN '一致性甲-%ld'"
                 " ELSE '一致性乙-%ld' END WHERE id IN (%s, %s)",
                 rn->first, k, k, rn->first, rn->last);
        PGresult *res = PQexec(pg, sql);
        if (PQresultStatus(res) == PGRES_COMMAND_OK)
            atomic_store(&rn->renames, k);
        PQclear(res);
    }
    PQfinish(pg);
    return NULL;
}

/* The generation number in the name of the station on CSV line text, after prefix. */
static long generation(char **lines, int n, const char *prefix)
{
    for (int i = 1; i < n; i++) {
        const char *p = strstr(lines[i], prefix);
        if (p)
            return strtol(p + strlen(prefix), NULL, 10);
    }
    ck_abort_msg("no station named %s… in the file", prefix);
    return -1;
}

/* Rows change while an export reads its pages (2,100 stations, three pages): every file still
 * shows both stations with the same generation, i.e. one state of the data. The renamer
 * commits hundreds of times during each export, so files read page by page in separate
 * transactions would show different generations. Runs after test_exports_read_in_pages. */
START_TEST(test_export_is_one_snapshot)
{
    static struct renamer rn;
    scalar_into(rn.first, sizeof rn.first, "SELECT id FROM workstations WHERE name = '分页站1'");
    scalar_into(rn.last, sizeof rn.last, "SELECT id FROM workstations WHERE name = '分页站2100'");
    atomic_store(&rn.stop, false);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, renamer_run, &rn), 0);
    while (atomic_load(&rn.renames) < 1)
        ;
    int changed_during = 0;
    for (int round = 0; round < 6; round++) {
        long before = atomic_load(&rn.renames);
        struct t_resp *r =
            t_call(&srv, city, "GET", "/api/v1/workstations/export?format=csv", NULL, NULL);
        long after = atomic_load(&rn.renames);
        t_expect_status(r, 200);
        int n;
        char **lines = t_csv_lines(r, &n);
        ck_assert_int_eq(n, 1 + 5 + 2100);
        long a = generation(lines, n, "一致性甲-"), b = generation(lines, n, "一致性乙-");
        ck_assert_msg(a == b, "round %d: the first page shows generation %ld, the last %ld", round,
                      a, b);
        ck_assert(a >= before && a <= after);
        if (after > before + 1)
            changed_during++;
        free(lines[0]);
        free(lines);
        t_resp_free(r);
    }
    atomic_store(&rn.stop, true);
    pthread_join(t, NULL);
    ck_assert_msg(changed_during > 0, "the renamer never committed during an export");
}
END_TEST

static Suite *stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("stats");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_stats_figures_by_hand);
    tcase_add_test(tc, test_stats_files);
    tcase_add_test(tc, test_stats_roles_and_bad_years);
    tcase_add_test(tc, test_workstation_list_export);
    tcase_add_test(tc, test_reports_export);
    tcase_add_test(tc, test_exports_read_in_pages);
    tcase_add_test(tc, test_export_is_one_snapshot);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(stats_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
