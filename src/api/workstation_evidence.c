/* Evidence files (证明材料) of a workstation's annual report: upload (the raw body, a checked
 * type and a cleaned file name), list, download and delete. The host enterprise's users and
 * the region's county staff change them while the report is a draft or returned; the city
 * until the year's assessment is published; whoever reads the report reads them. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/assessments.h"
#include "api/list.h"
#include "api/resource.h"

#include "domain/evidence_file.h"
#include "domain/rubric.h"
#include "http/problem.h"
#include "http/request.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define READERS          (ROLES_STAFF | ROLE_ENTERPRISE | ROLE_EXPERT)
#define WRITERS          (ROLES_STAFF | ROLE_ENTERPRISE)
#define FILES_PER_REPORT 100 /* as in the upload statement */

static const char *const published_detail = "该年度考核已发布，不能再增删证明材料";

/* The checks an upload and a delete share ($1 station, $2 year, $3 caller): the report
 * (locked against a concurrent submit), whether the caller reads it and may change its
 * evidence, and whether the year is published. */
#define REPORT_CHECKS                                                                              \
    " rep AS (SELECT r.id, r.status, workstation_evidence_can_read(w, r.year, $3::jsonb)"          \
    "    AS can_read, workstation_can_report(w, $3::jsonb) AS can_file,"                           \
    "    workstation_can_review($3::jsonb) AS city"                                                \
    "  FROM workstation_reports r JOIN workstations w ON w.id = r.workstation_id"                  \
    "  WHERE r.workstation_id = $1::bigint AND r.year = $2::int AND w.archived_at IS NULL"         \
    "  FOR UPDATE OF r),"                                                                          \
    " pub AS (SELECT EXISTS (SELECT 1 FROM assessment_years y WHERE y.year = $2::int"              \
    "    AND y.published_at IS NOT NULL) AS p),"

/* $1 station, $2 year, $3 caller, $4 file name, $5 content type, $6 indicator (or NULL), $7
 * the bytes (a binary parameter: the file as it is, not twice its size as hex text), $8 the
 * default rubric. Answers (reads, may change, published,
 * indicator is a leaf of the year's rubric, report status, files so far, json). */
static struct db_stmt upload = {
    "evidence_upload",
    "WITH" REPORT_CHECKS " ind AS (SELECT $6::text IS NULL OR jsonb_path_exists("
    "    coalesce((SELECT a.rubric FROM assessment_rubric($2::int) a), $8::jsonb),"
    "    'strict $.** ? (@.type() == \"object\" && @.key == $k && exists (@.rule))',"
    "    jsonb_build_object('k', $6::text)) AS ok),"
    " n AS (SELECT count(*) AS files FROM workstation_evidence e, rep WHERE e.report_id = rep.id),"
    " ok AS (SELECT rep.id FROM rep, pub, ind, n WHERE rep.can_read AND (rep.can_file OR rep.city)"
    "   AND NOT pub.p AND ind.ok AND n.files < 100"
    "   AND (rep.city OR rep.status IN ('draft', 'returned'))),"
    " bytes AS (SELECT $7::bytea AS b),"
    " ins AS (INSERT INTO workstation_evidence AS e (report_id, workstation_id, year, file_name,"
    "    content_type, size, sha256, indicator, uploaded_by)"
    "  SELECT ok.id, $1::bigint, $2::int, $4::text, $5::text, length(bytes.b),"
    "    encode(sha256(bytes.b), 'hex'), $6::text, ($3::jsonb->>'user_id')::bigint"
    "  FROM ok, bytes RETURNING e AS x),"
    " body AS (INSERT INTO workstation_evidence_files (evidence_id, content)"
    "  SELECT (ins.x).id, bytes.b FROM ins, bytes)"
    " SELECT coalesce((SELECT can_read FROM rep), false),"
    "  coalesce((SELECT can_file OR city FROM rep), false), (SELECT p FROM pub),"
    "  (SELECT ok FROM ind), (SELECT status FROM rep), (SELECT files FROM n),"
    "  (SELECT workstation_evidence_json(ins.x)::text FROM ins)",
    8, 0};

/* $1 station, $2 year, $3 caller: one row when the report exists and may be read. */
static struct db_stmt list = {
    "evidence_list",
    "SELECT json_build_object('items', coalesce((SELECT json_agg(workstation_evidence_json(e)"
    "    ORDER BY e.id) FROM workstation_evidence e WHERE e.report_id = r.id), '[]'))::text"
    " FROM workstation_reports r JOIN workstations w ON w.id = r.workstation_id"
    " WHERE r.workstation_id = $1::bigint AND r.year = $2::int"
    "   AND workstation_evidence_can_read(w, r.year, $3::jsonb)",
    3, 0};

/* $1 station, $2 year, $3 evidence, $4 caller: (file name, content type, bytes); the job
 * asks for binary results, so the bytes come as they are rather than as hex text. */
static struct db_stmt download = {
    "evidence_download",
    "SELECT e.file_name, e.content_type, f.content FROM workstation_evidence e"
    " JOIN workstation_evidence_files f ON f.evidence_id = e.id"
    " JOIN workstations w ON w.id = e.workstation_id"
    " WHERE e.id = $3::bigint AND e.workstation_id = $1::bigint AND e.year = $2::int"
    "   AND workstation_evidence_can_read(w, e.year, $4::jsonb)",
    4, 0};

/* $1 station, $2 year, $3 caller, $4 evidence. Answers (found, may change, published,
 * report status, deleted); the bytes go with the row (ON DELETE CASCADE). */
static struct db_stmt remove_stmt = {
    "evidence_delete",
    "WITH" REPORT_CHECKS " ev AS (SELECT e.id FROM workstation_evidence e, rep"
    "   WHERE e.id = $4::bigint AND e.report_id = rep.id AND rep.can_read),"
    " del AS (DELETE FROM workstation_evidence d USING ev, rep, pub"
    "   WHERE d.id = ev.id AND (rep.can_file OR rep.city) AND NOT pub.p"
    "     AND (rep.city OR rep.status IN ('draft', 'returned')) RETURNING d.id)"
    " SELECT EXISTS (SELECT 1 FROM ev), coalesce((SELECT can_file OR city FROM rep), false),"
    "  (SELECT p FROM pub), (SELECT status FROM rep), EXISTS (SELECT 1 FROM del)",
    4, 0};

/* ---- helpers ---- */

static bool parse_path(struct http_request *req, const char **station, const char **year)
{
    return api_parse_id(req, "id", station) && assessment_parse_year(req, year);
}

/* 409 for a report whose state keeps the caller from changing its files. */
static void reply_locked(struct http_request *req, const char *status)
{
    const char *label = strcmp(status, "submitted") == 0  ? "已提交"
                        : strcmp(status, "accepted") == 0 ? "已通过"
                                                          : status;
    http_problem(req, 409, "invalid_transition",
                 arena_printf(&req->arena,
                              "年度报告当前状态为“%s”：证明材料只能在草稿或被退回时增删，"
                              "已提交的报告请联系市科协",
                              label));
}

/* ---- upload ---- */

static void uploaded(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        http_problem(req, 404, "not_found", "该工作站在此年度没有年度报告，或您无权查看");
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
        http_problem(req, 403, "forbidden", "您可以查看此年度报告，但无权增删其证明材料");
        return;
    }
    if (!PQgetisnull(res, 0, 6)) {
        http_reply_json_text(req, 201, PQgetvalue(res, 0, 6), (size_t)PQgetlength(res, 0, 6));
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 2), "t") == 0) {
        http_problem(req, 409, "assessment_published", published_detail);
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 3), "t") != 0) {
        api_field_error(req, "indicator", "invalid_value",
                        "应为该年度评分细则中一项末级指标的 key（如 rules）");
        return;
    }
    if (atol(PQgetvalue(res, 0, 5)) >= FILES_PER_REPORT) {
        http_problem(req, 409, "conflict",
                     "每份年度报告最多 100 个证明材料文件，请先删除不需要的文件");
        return;
    }
    reply_locked(req, PQgetvalue(res, 0, 4));
}

/* The file name: the filename query parameter, else the Content-Disposition header's. */
static const char *upload_name(struct http_request *req, const struct query *q)
{
    const char *name = query_get(q, "filename");
    if (name)
        return name;
    char *buf = arena_alloc(&req->arena, 1024);
    return evidence_disposition_name(http_header(req, "Content-Disposition"), buf, 1024) ? buf
                                                                                         : NULL;
}

static void handle_upload(struct http_request *req)
{
    const char *station, *year;
    if (!parse_path(req, &station, &year))
        return;
    struct query q;
    static const char *const allowed[] = {"filename", "indicator", NULL};
    if (!api_parse_query(req, allowed, &q))
        return;
    const char *raw = upload_name(req, &q);
    if (raw == NULL) {
        api_field_error(req, "filename", "required",
                        "请用 filename 查询参数或 Content-Disposition 请求头给出文件名");
        return;
    }
    const char *declared = http_header(req, "Content-Type");
    const struct evidence_type *t = evidence_type_of_media(declared);
    bool generic = declared == NULL || strncasecmp(declared, "application/octet-stream", 24) == 0;
    if (t == NULL && generic)
        t = evidence_type_of_name(raw);
    size_t len = evbuffer_get_length(req->body);
    const unsigned char *data = len ? evbuffer_pullup(req->body, -1) : NULL;
    if (t == NULL) {
        http_problem(req, 415, "unsupported_media_type",
                     arena_printf(&req->arena, "证明材料只接受 %s 文件（按 Content-Type 判断）",
                                  evidence_type_list()));
        return;
    }
    if (len == 0) {
        api_field_error(req, "file", "required", "请求体为空：请上传证明材料文件");
        return;
    }
    if (!evidence_type_matches(t, data, len)) {
        http_problem(
            req, 415, "unsupported_media_type",
            arena_printf(&req->arena, "文件内容不是 %s 格式，与 Content-Type 不符", t->label));
        return;
    }
    char *name = arena_alloc(&req->arena, EVIDENCE_NAME_BYTES);
    if (!evidence_name_clean(raw, t, name)) {
        api_field_error(req, "filename", "invalid_value", "文件名无效（应为 UTF-8 且不能为空）");
        return;
    }
    const char *indicator = query_get(&q, "indicator");
    if (indicator &&
        (strlen(indicator) == 0 || strlen(indicator) > RUBRIC_KEY_MAX ||
         strspn(indicator, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(indicator))) {
        api_field_error(req, "indicator", "invalid_value",
                        "应为该年度评分细则中一项末级指标的 key（如 rules）");
        return;
    }
    /* The body stays in req->body until the reply, after the job is done. */
    const char *params[] = {station,   year, api_caller_json(req), name, t->media_type,
                            indicator, NULL, rubric_default_json};
    struct db_job *job = api_write_job(req, "evidence_upload");
    db_job_add_bytes(job, &upload, 8, params, 6, data, len);
    api_db_run(req, job, 0, uploaded);
}

/* ---- reads ---- */

static void handle_list(struct http_request *req)
{
    const char *station, *year;
    if (!parse_path(req, &station, &year))
        return;
    struct query q;
    static const char *const allowed[] = {NULL};
    if (!api_parse_query(req, allowed, &q))
        return;
    const char *params[] = {station, year, api_caller_json(req)};
    api_reply_json_row(req, &list, 3, params);
}

static void downloaded(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, 0);
    if (PQntuples(res) == 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    const char *bytes = PQgetvalue(res, 0, 2);
    size_t len = (size_t)PQgetlength(res, 0, 2);
    const char *name = PQgetvalue(res, 0, 0);
    const struct evidence_type *t = evidence_type_of_media(PQgetvalue(res, 0, 1));
    const char *ascii = arena_printf(&req->arena, "evidence-%s.%s", http_param(req, "evidence_id"),
                                     t ? t->ext : "bin");
    size_t cap = strlen(name) * 3 + strlen(ascii) + 64;
    char *disp = arena_alloc(&req->arena, cap);
    if (evidence_disposition_header(name, ascii, disp, cap) > 0)
        http_add_header(req, "Content-Disposition", disp);
    http_add_header(req, "X-Content-Type-Options", "nosniff");
    http_add_header(req, "Content-Security-Policy", "sandbox");
    http_add_header(req, "Cache-Control", "private, no-store");
    http_reply(req, 200, PQgetvalue(res, 0, 1), bytes, len);
}

static void handle_download(struct http_request *req)
{
    const char *station, *year, *evidence;
    if (!parse_path(req, &station, &year) || !api_parse_id(req, "evidence_id", &evidence))
        return;
    struct query q;
    static const char *const allowed[] = {NULL};
    if (!api_parse_query(req, allowed, &q))
        return;
    const char *params[] = {station, year, evidence, api_caller_json(req)};
    struct db_job *job = api_job(req);
    db_job_add(job, &download, 4, params);
    db_job_binary_results(job);
    api_db_run(req, job, DB_RETRY_SAFE, downloaded);
}

/* ---- delete ---- */

static void deleted(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
        http_problem(req, 403, "forbidden", "您可以查看此年度报告，但无权增删其证明材料");
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 4), "t") == 0) {
        http_reply_empty(req, 204);
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 2), "t") == 0) {
        http_problem(req, 409, "assessment_published", published_detail);
        return;
    }
    reply_locked(req, PQgetvalue(res, 0, 3));
}

static void handle_delete(struct http_request *req)
{
    const char *station, *year, *evidence;
    if (!parse_path(req, &station, &year) || !api_parse_id(req, "evidence_id", &evidence))
        return;
    const char *params[] = {station, year, api_caller_json(req), evidence};
    struct db_job *job = api_write_job(req, "evidence_delete");
    db_job_add(job, &remove_stmt, 4, params);
    api_db_run(req, job, 0, deleted);
}

void workstation_evidence_register(struct router *r)
{
    static struct db_stmt *const stmts[] = {&upload, &list, &download, &remove_stmt, NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_POST,
         .pattern = "/api/v1/workstations/{id}/reports/{year}/evidence",
         .handler = handle_upload,
         .flags = ROUTE_RAW_BODY | ROUTE_EVIDENCE_LIMIT,
         .roles = WRITERS},
        {.method = HTTP_GET,
         .pattern = "/api/v1/workstations/{id}/reports/{year}/evidence",
         .handler = handle_list,
         .roles = READERS},
        {.method = HTTP_GET,
         .pattern = "/api/v1/workstations/{id}/reports/{year}/evidence/{evidence_id}",
         .handler = handle_download,
         .roles = READERS},
        {.method = HTTP_DELETE,
         .pattern = "/api/v1/workstations/{id}/reports/{year}/evidence/{evidence_id}",
         .handler = handle_delete,
         .roles = WRITERS},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
