/* Evidence files (证明材料) of annual reports: upload, list, download with the same bytes and
 * the Chinese name back (RFC 5987), delete; the size limit (413), refused types (415, also a
 * file whose bytes are not what its type says), the report states that lock the host and the
 * county out while the city may still change files, the freeze of a published year (409),
 * the audit trail without the bytes, and every role. */
#include "harness.h"

#include <check.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct t_server srv;
static char admin[64], city[64], county[64], county2[64], ent[64], ent2[64], expert[64];
static char ws1[16], ws2[16];
static char base[128]; /* /api/v1/workstations/{ws1}/reports/2025/evidence */

#define LIMIT 262144 /* --max-evidence-size of this server */

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

static void setup(void)
{
    static const char *const args[] = {"--max-evidence-size", "262144", NULL};
    t_server_start(&srv, "it_evidence", true, args);
    t_db_exec(&srv, "INSERT INTO enterprises (name, credit_code, region_code) VALUES"
                    " ('扬州甲科技有限公司', '91321003MA1M00001A', '321003'),"
                    " ('扬州乙材料有限公司', '91321012MA1M00002E', '321012')");
    char *id = scalar("INSERT INTO workstations (name, host_enterprise_id, region_code, status)"
                      " VALUES ('证明材料站甲', 1, '321003', 'running') RETURNING id");
    snprintf(ws1, sizeof ws1, "%s", id);
    free(id);
    id = scalar("INSERT INTO workstations (name, host_enterprise_id, region_code, status)"
                " VALUES ('证明材料站乙', 2, '321012', 'running') RETURNING id");
    snprintf(ws2, sizeof ws2, "%s", id);
    free(id);
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO workstation_reports (workstation_id, year) VALUES (%s, 2025), (%s, 2025)",
             ws1, ws2);
    t_db_exec(&srv, sql);
    snprintf(base, sizeof base, "/api/v1/workstations/%s/reports/2025/evidence", ws1);
    login_as(admin, "e_admin", "admin", NULL);
    login_as(city, "e_city", "city_staff", NULL);
    login_as(county, "e_county", "county_staff", "--region 321003");
    login_as(county2, "e_county2", "county_staff", "--region 321012");
    login_as(ent, "e_ent", "enterprise", "--enterprise 1");
    login_as(ent2, "e_ent2", "enterprise", "--enterprise 2");
    t_db_exec(&srv, "INSERT INTO experts (name, region_code) VALUES ('证明材料专家', '321003')");
    login_as(expert, "e_expert", "expert", "--expert 1");
}

static void teardown(void)
{
    t_server_finish(&srv);
}

/* An upload of len bytes as token, with a Content-Type and an optional second header. */
static struct t_resp *upload(const char *token, const char *query, const char *type,
                             const char *header, const char *data, size_t len)
{
    char path[512], auth[128], ct[160];
    snprintf(path, sizeof path, "%s%s", base, query ? query : "");
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(ct, sizeof ct, "Content-Type: %s", type);
    const char *headers[] = {auth, ct, header, NULL};
    char saved[64];
    memcpy(saved, srv.token, sizeof saved);
    srv.token[0] = '\0';
    struct t_resp *r = t_request_bytes(&srv, "POST", path, headers, data, len);
    memcpy(srv.token, saved, sizeof saved);
    return r;
}

static const char pdf[] = "%PDF-1.4 evidence";
/* sha256 of pdf (without its NUL) */
static const char pdf_sha256[] = "83d40e60c499a02179e970db4fa0caa836a109dfbfcdbae0298f2652a75c2954";

static struct t_resp *upload_pdf(const char *token, const char *query)
{
    return upload(token, query, "application/pdf", NULL, pdf, sizeof pdf - 1);
}

static int upload_status(const char *token, const char *query)
{
    struct t_resp *r = upload_pdf(token, query);
    int s = r->status;
    t_resp_free(r);
    return s;
}

static void expect(struct t_resp *r, int status)
{
    ck_assert_msg(r->status == status, "got %d, want %d: %s", r->status, status, r->body);
}

static int status_of(const char *token, const char *method, const char *path)
{
    struct t_resp *r = t_request_as(&srv, token, method, path, NULL);
    int s = r->status;
    t_resp_free(r);
    return s;
}

/* The id of a 201 upload. */
static long id_of(struct t_resp *r)
{
    expect(r, 201);
    long id = (long)cJSON_GetObjectItem(r->json, "id")->valuedouble;
    t_resp_free(r);
    return id;
}

START_TEST(test_round_trip_keeps_bytes_and_chinese_name)
{
    /* 200 KB of every byte value, behind a PDF signature. */
    size_t len = 200000;
    char *data = malloc(len);
    for (size_t i = 0; i < len; i++)
        data[i] = (char)(i * 7 + i / 256);
    memcpy(data, "%PDF-1.7\n", 9);
    /* ../制度建设/证明材料（2025）.pdf: the path is dropped, the name kept. */
    struct t_resp *r = upload(ent,
                              "?filename=..%2F%E5%88%B6%E5%BA%A6%E5%BB%BA%E8%AE%BE%2F"
                              "%E8%AF%81%E6%98%8E%E6%9D%90%E6%96%99%EF%BC%882025%EF%BC%89.pdf",
                              "application/pdf", NULL, data, len);
    expect(r, 201);
    ck_assert_str_eq(t_json_str(r->json, "file_name"), "证明材料（2025）.pdf");
    ck_assert_str_eq(t_json_str(r->json, "content_type"), "application/pdf");
    ck_assert_int_eq((long)cJSON_GetObjectItem(r->json, "size")->valuedouble, (long)len);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r->json, "indicator")));
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(r->json, "uploaded_by")));
    long id = (long)cJSON_GetObjectItem(r->json, "id")->valuedouble;
    t_resp_free(r);

    char path[256];
    snprintf(path, sizeof path, "%s/%ld", base, id);
    const char *const readers[] = {ent, county, city, admin};
    for (int i = 0; i < 4; i++) {
        r = t_request_as(&srv, readers[i], "GET", path, NULL);
        expect(r, 200);
        ck_assert_uint_eq(r->len, len);
        ck_assert(memcmp(r->body, data, len) == 0);
        char *type = t_resp_header(r, "Content-Type");
        char *disp = t_resp_header(r, "Content-Disposition");
        ck_assert_str_eq(type, "application/pdf");
        char want[256];
        snprintf(want, sizeof want,
                 "attachment; filename=\"evidence-%ld.pdf\"; filename*=UTF-8''"
                 "%%E8%%AF%%81%%E6%%98%%8E%%E6%%9D%%90%%E6%%96%%99%%EF%%BC%%882025%%EF%%BC%%89.pdf",
                 id);
        ck_assert_str_eq(disp, want);
        free(type);
        free(disp);
        char *nosniff = t_resp_header(r, "X-Content-Type-Options");
        ck_assert_str_eq(nosniff, "nosniff");
        free(nosniff);
        t_resp_free(r);
    }
    free(data);

    /* The name from Content-Disposition (RFC 5987), a rubric leaf named, a PNG. */
    static const char png[] = "\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR";
    r = upload(county, "?indicator=rules", "image/png",
               "Content-Disposition: attachment; filename*=UTF-8''"
               "%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.png",
               png, sizeof png - 1);
    expect(r, 201);
    ck_assert_str_eq(t_json_str(r->json, "file_name"), "现场照片.png");
    ck_assert_str_eq(t_json_str(r->json, "indicator"), "rules");
    t_resp_free(r);
    /* application/octet-stream: the type comes from the name's extension. */
    r = upload(ent, "?filename=a.PDF", "application/octet-stream", NULL, pdf, sizeof pdf - 1);
    expect(r, 201);
    ck_assert_str_eq(t_json_str(r->json, "content_type"), "application/pdf");
    ck_assert_str_eq(t_json_str(r->json, "sha256"), pdf_sha256);
    t_resp_free(r);
    /* A name without the type's extension gets it. */
    r = upload_pdf(ent, "?filename=%E4%B8%93%E5%88%A9%E8%AF%81%E4%B9%A6");
    expect(r, 201);
    ck_assert_str_eq(t_json_str(r->json, "file_name"), "专利证书.pdf");
    t_resp_free(r);

    r = t_request_as(&srv, county, "GET", base, NULL);
    expect(r, 200);
    const cJSON *items = cJSON_GetObjectItem(r->json, "items");
    ck_assert_int_eq(cJSON_GetArraySize(items), 4);
    ck_assert_str_eq(t_json_str(cJSON_GetArrayItem(items, 0), "file_name"), "证明材料（2025）.pdf");
    ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetArrayItem(items, 0), "content"));
    t_resp_free(r);
}
END_TEST

START_TEST(test_roles)
{
    /* Readers of another station's report, and experts, do not see it. */
    ck_assert_int_eq(status_of(ent2, "GET", base), 404);
    ck_assert_int_eq(status_of(county2, "GET", base), 200); /* staff read every station */
    ck_assert_int_eq(status_of(expert, "GET", base), 404);
    ck_assert_int_eq(status_of(NULL, "GET", base), 401);
    ck_assert_int_eq(upload_status(ent2, "?filename=x.pdf"), 404);
    ck_assert_int_eq(upload_status(county2, "?filename=x.pdf"), 403);
    ck_assert_int_eq(upload_status(expert, "?filename=x.pdf"), 403);
    ck_assert_int_eq(upload_status(admin, "?filename=x.pdf"), 201);
    long id = id_of(upload_pdf(ent, "?filename=x.pdf"));
    char path[256];
    snprintf(path, sizeof path, "%s/%ld", base, id);
    ck_assert_int_eq(status_of(ent2, "GET", path), 404);
    ck_assert_int_eq(status_of(expert, "GET", path), 404);
    ck_assert_int_eq(status_of(county2, "DELETE", path), 403);
    ck_assert_int_eq(status_of(ent2, "DELETE", path), 404);
    ck_assert_int_eq(status_of(expert, "DELETE", path), 403);
    ck_assert_int_eq(status_of(county, "DELETE", path), 204);
    ck_assert_int_eq(status_of(county, "DELETE", path), 404);
    ck_assert_int_eq(status_of(city, "GET", path), 404);
    /* Another station's file through this station's path is not found. */
    char other[256];
    snprintf(other, sizeof other, "/api/v1/workstations/%s/reports/2025/evidence", ws2);
    ck_assert_int_eq(status_of(city, "GET", other), 200);
    ck_assert_int_eq(status_of(city, "GET", "/api/v1/workstations/1/reports/2019/evidence"), 404);
}
END_TEST

START_TEST(test_refusals)
{
    struct t_resp *r = upload(ent, "?filename=a.html", "text/html", NULL, "<html>", 6);
    expect(r, 415);
    ck_assert_str_eq(t_problem_code(r), "unsupported_media_type");
    t_resp_free(r);
    /* Declared a PDF, but the bytes are a Windows executable. */
    r = upload(ent, "?filename=a.pdf", "application/pdf", NULL, "MZ\x90\x00\x03", 5);
    expect(r, 415);
    t_resp_free(r);
    r = upload(ent, "?filename=run.exe", "application/octet-stream", NULL, "MZ\x90", 3);
    expect(r, 415);
    t_resp_free(r);
    r = upload(ent, NULL, "application/pdf", NULL, pdf, sizeof pdf - 1);
    expect(r, 400);
    t_resp_free(r);
    r = upload(ent, "?filename=a.pdf", "application/pdf", NULL, "", 0);
    expect(r, 400);
    t_resp_free(r);
    r = upload_pdf(ent, "?filename=a.pdf&indicator=nosuch");
    expect(r, 400);
    ck_assert_str_eq(t_first_error(r), "indicator/invalid_value");
    t_resp_free(r);
    /* basic and patents are groups, not leaves */
    ck_assert_int_eq(upload_status(ent, "?filename=a.pdf&indicator=basic"), 400);
    ck_assert_int_eq(upload_status(ent, "?filename=a.pdf&indicator=patents"), 400);
    ck_assert_int_eq(upload_status(ent, "?filename=a.pdf&indicator=inventions"), 201);
    ck_assert_int_eq(upload_status(ent, "?filename=a.pdf&indicator=Bad-Key"), 400);
    ck_assert_int_eq(upload_status(ent, "?filename=a.pdf&colour=red"), 400);
    ck_assert_int_eq(upload_status(ent, "?filename=%20.%20"), 400);
    /* Over the size limit: 413 before the body is read. */
    char *big = calloc(1, LIMIT + 1);
    memcpy(big, "%PDF-", 5);
    r = upload(ent, "?filename=big.pdf", "application/pdf", NULL, big, LIMIT + 1);
    expect(r, 413);
    t_resp_free(r);
    r = upload(ent, "?filename=big.pdf", "application/pdf", NULL, big, LIMIT);
    expect(r, 201);
    t_resp_free(r);
    free(big);
    char path[256];
    snprintf(path, sizeof path, "/api/v1/workstations/%s/reports/2024/evidence", ws1);
    ck_assert_int_eq(status_of(city, "GET", path), 404);
}
END_TEST

START_TEST(test_report_state_and_audit)
{
    long id = id_of(upload_pdf(ent, "?filename=%E5%AE%A1%E8%AE%A1.pdf"));
    char *n = scalar("SELECT count(*) FROM audit_log WHERE record_type = 'workstation_evidence'"
                     " AND action = 'evidence_upload' AND record_id = '%ld'"
                     " AND after->>'sha256' = '%s' AND after->>'file_name' = '审计.pdf'"
                     " AND NOT (after ? 'content')",
                     id, pdf_sha256);
    ck_assert_str_eq(n, "1");
    free(n);
    char submit[128], ret[128], path[256];
    snprintf(submit, sizeof submit, "/api/v1/workstations/%s/reports/2025/submit", ws1);
    snprintf(ret, sizeof ret, "/api/v1/workstations/%s/reports/2025/return", ws1);
    snprintf(path, sizeof path, "%s/%ld", base, id);
    ck_assert_int_eq(status_of(ent, "POST", submit), 200);
    /* Submitted: the host and the county wait; the city may still change files. */
    struct t_resp *r = upload_pdf(ent, "?filename=late.pdf");
    expect(r, 409);
    ck_assert_str_eq(t_problem_code(r), "invalid_transition");
    t_resp_free(r);
    ck_assert_int_eq(upload_status(county, "?filename=late.pdf"), 409);
    ck_assert_int_eq(status_of(ent, "DELETE", path), 409);
    ck_assert_int_eq(status_of(ent, "GET", path), 200);
    long by_city = id_of(upload_pdf(city, "?filename=city.pdf"));
    ck_assert_int_eq(status_of(city, "DELETE", path), 204);
    n = scalar("SELECT count(*) FROM audit_log WHERE record_type = 'workstation_evidence'"
               " AND action = 'evidence_delete' AND record_id = '%ld' AND after IS NULL",
               id);
    ck_assert_str_eq(n, "1");
    free(n);
    /* Returned: the host may again. */
    r = t_request_as(&srv, city, "POST", ret, "{\"reason\":\"请补充证明材料\"}");
    expect(r, 200);
    t_resp_free(r);
    ck_assert_int_eq(upload_status(ent, "?filename=more.pdf"), 201);
    snprintf(path, sizeof path, "%s/%ld", base, by_city);
    ck_assert_int_eq(status_of(ent, "DELETE", path), 204);
}
END_TEST

START_TEST(test_published_year_is_frozen)
{
    long id = id_of(upload_pdf(city, "?filename=keep.pdf"));
    t_db_exec(&srv, "INSERT INTO assessment_years (year, rubric, published_at)"
                    " VALUES (2025, '{}', now())");
    struct t_resp *r = upload_pdf(city, "?filename=after.pdf");
    expect(r, 409);
    ck_assert_str_eq(t_problem_code(r), "assessment_published");
    t_resp_free(r);
    ck_assert_int_eq(upload_status(admin, "?filename=after.pdf"), 409);
    char path[256];
    snprintf(path, sizeof path, "%s/%ld", base, id);
    r = t_request_as(&srv, city, "DELETE", path, NULL);
    expect(r, 409);
    ck_assert_str_eq(t_problem_code(r), "assessment_published");
    t_resp_free(r);
    ck_assert_int_eq(status_of(ent, "GET", path), 200);
    ck_assert_int_eq(status_of(ent, "GET", base), 200);
}
END_TEST

/* ---- a file at the default limit ---- */

/* Resets the peak resident memory of a process to what it holds now (Linux: "5" to
 * clear_refs), so that the peak of startup does not hide the peak of a request. */
static void vm_hwm_reset(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/clear_refs", (int)pid);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

/* The peak resident memory of a process (VmHWM, kB). */
static long vm_hwm_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

/* 10 MiB (the default --max-evidence-size) goes in as binary bytes and comes back the same;
 * the daemon's peak memory grows by about three times the file (the body, its contiguous
 * copy, libpq's output buffer), no longer by its hex text too. The figures are printed, not
 * asserted (a sanitizer build's allocator inflates them). Release build, 2026-11-29: upload
 * +71,800 kB with hex text, +30,636 kB with the binary parameter. */
START_TEST(test_ten_mib_upload_round_trip_and_memory)
{
    static struct t_server big;
    t_server_start(&big, "it_evidence_big", true, NULL);
    t_db_exec(&big, "INSERT INTO enterprises (name, credit_code, region_code) VALUES"
                    " ('扬州大文件科技有限公司', '91321003MA1M00001A', '321003');"
                    "INSERT INTO workstations (name, host_enterprise_id, region_code, status)"
                    " VALUES ('大文件站', 1, '321003', 'running');"
                    "INSERT INTO workstation_reports (workstation_id, year) VALUES (1, 2025)");
    t_become(&big, "big_city", "city_staff", NULL);
    size_t len = 10u << 20;
    char *data = malloc(len);
    ck_assert_ptr_nonnull(data);
    memcpy(data, "%PDF-1.7\n", 9);
    uint32_t x = 2463534242u; /* xorshift: incompressible, every byte value */
    for (size_t i = 9; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = (char)(x >> 24);
    }
    vm_hwm_reset(big.pid);
    long before = vm_hwm_kb(big.pid);
    const char *headers[] = {"Content-Type: application/pdf", NULL};
    struct t_resp *r = t_request_bytes(&big, "POST",
                                       "/api/v1/workstations/1/reports/2025/evidence"
                                       "?filename=big.pdf",
                                       headers, data, len);
    long after = vm_hwm_kb(big.pid);
    ck_assert_msg(r->status == 201, "got %d: %s", r->status, r->body);
    ck_assert_int_eq((long)cJSON_GetObjectItem(r->json, "size")->valuedouble, (long)len);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/workstations/1/reports/2025/evidence/%ld",
             (long)cJSON_GetObjectItem(r->json, "id")->valuedouble);
    t_resp_free(r);
    printf("10 MiB evidence upload: sikud VmHWM %ld kB before, %ld kB after (+%ld kB)\n", before,
           after, after - before);
    fflush(stdout);
    vm_hwm_reset(big.pid);
    before = vm_hwm_kb(big.pid);
    r = t_get(&big, path);
    after = vm_hwm_kb(big.pid);
    printf("10 MiB evidence download: sikud VmHWM %ld kB before, %ld kB after (+%ld kB)\n", before,
           after, after - before);
    ck_assert_int_eq(r->status, 200);
    ck_assert_int_eq((long)r->len, (long)len);
    ck_assert(memcmp(r->body, data, len) == 0);
    t_resp_free(r);
    free(data);
    t_server_finish(&big);
}
END_TEST

static Suite *evidence_suite(void)
{
    Suite *s = suite_create("evidence");
    TCase *tc = tcase_create("evidence");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_round_trip_keeps_bytes_and_chinese_name);
    tcase_add_test(tc, test_roles);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_report_state_and_audit);
    tcase_add_test(tc, test_published_year_is_frozen);
    tcase_add_test(tc, test_ten_mib_upload_round_trip_and_memory);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(evidence_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
