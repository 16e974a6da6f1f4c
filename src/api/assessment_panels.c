/* Assessment panels (评审专家组): the city draws reviewers for a set of stations from the expert
 * library by conditions, conflicts of interest excluded, deterministically from a seed that is
 * kept with the draw; each reviewer confirms or declines; confirmed reviewers see only the
 * stations assigned to them (report, evidence) and score the rubric's checklist items, whose
 * means feed the run where staff entered no score of their own. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/assessments.h"
#include "api/list.h"
#include "api/resource.h"

#include "domain/rubric.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READERS      (ROLES_STAFF | ROLE_EXPERT)
#define DRAWERS      (ROLE_ADMIN | ROLE_CITY)
#define MAX_STATIONS 200
#define MAX_SIZE     20

static const char *const published_detail = "该年度考核已发布，不能再修改";

/* $1 year, $2 the default rubric: the year row a panel hangs on, with the rubric in force. */
static struct db_stmt panel_year = {
    "panel_year",
    "INSERT INTO assessment_years (year, rubric)"
    " SELECT $1::int, coalesce((SELECT a.rubric FROM assessment_rubric($1::int) a), $2::jsonb)"
    " ON CONFLICT (year) DO NOTHING",
    2, 0};

/* $1 year, $2 caller, $3 the checked body (workstation_ids, size, conditions, name), $4 seed
 * (NULL: a random one). The pool: active experts meeting every condition given (a discipline
 * code matches itself and the codes below it). An expert of the pool is excluded, with every
 * reason that applies, when they have not consented (no_consent) or are not available
 * (unavailable), when no enabled expert account is bound to them, so that they could not
 * confirm or score (no_account), or when, for any of the stations: the affiliation names the
 * host enterprise (or the other way round); a project of the station, or led by the host, has
 * the expert as a member; the expert is matched with a demand of the host; the expert is on
 * the station's team or resides there; the exclusions list conflicts first (all of them, then
 * at most UNLISTED_MAX of the others, with the counts of all). The drawn are the
 * first `size` of the rest ordered by md5(seed:id). Answers (panel id or NULL, published, stations
 * found, eligible). */
/* At most this many experts excluded only because they cannot serve (no consent, not
 * available, no account) are listed in a draw; every conflict of interest is, and the counts
 * cover all (migration 0034). */
#define UNLISTED_MAX 200
#define STR_(x)      #x
#define STR(x)       STR_(x)

static struct db_stmt panel_draw = {
    "panel_draw",
    "WITH b AS (SELECT $3::jsonb AS j),"
    " y AS (SELECT coalesce((SELECT published_at IS NOT NULL FROM assessment_years"
    "   WHERE year = $1::int), false) AS p),"
    " ws AS (SELECT w.id, w.host_enterprise_id, e.name AS host FROM workstations w"
    "   JOIN enterprises e ON e.id = w.host_enterprise_id"
    "   WHERE w.archived_at IS NULL AND w.id IN (SELECT jsonb_array_elements_text("
    "     (SELECT j FROM b)->'workstation_ids')::bigint)),"
    " pool AS (SELECT x.id, x.affiliation, x.consent, x.available FROM experts x, b"
    "   WHERE x.archived_at IS NULL AND x.status = 'active'"
    "     AND (b.j->>'discipline_code' IS NULL OR EXISTS (SELECT 1 FROM unnest(x.discipline_codes)"
    "          c WHERE left(c, length(b.j->>'discipline_code')) = b.j->>'discipline_code'))"
    "     AND (b.j->>'title' IS NULL OR x.title = b.j->>'title')"
    "     AND (b.j->>'region_code' IS NULL OR x.region_code = b.j->>'region_code')),"
    " accounts AS (SELECT u.expert_id FROM users u WHERE u.role = 'expert' AND NOT u.disabled"
    "   AND u.expert_id IS NOT NULL),"
    " conflicts AS (SELECT c.expert_id, jsonb_agg(DISTINCT c.reason) AS reasons FROM ("
    "   SELECT p.id AS expert_id, 'no_consent' AS reason FROM pool p WHERE NOT p.consent"
    "   UNION ALL SELECT p.id, 'unavailable' FROM pool p WHERE NOT p.available"
    "   UNION ALL SELECT p.id, 'no_account' FROM pool p"
    "     WHERE p.id NOT IN (SELECT expert_id FROM accounts)"
    "   UNION ALL SELECT p.id, r.reason"
    "   FROM pool p CROSS JOIN ws CROSS JOIN LATERAL ("
    "     SELECT 'affiliation' AS reason WHERE length(btrim(p.affiliation)) >= 2"
    "       AND (strpos(p.affiliation, ws.host) > 0 OR strpos(ws.host, btrim(p.affiliation)) > 0)"
    "     UNION ALL SELECT 'project' FROM project_members pm"
    "       JOIN projects pr ON pr.id = pm.project_id WHERE pm.expert_id = p.id"
    "       AND (pr.workstation_id = ws.id OR pr.lead_enterprise_id = ws.host_enterprise_id)"
    "     UNION ALL SELECT 'match' FROM matches m JOIN demands d ON d.id = m.demand_id"
    "       WHERE m.expert_id = p.id AND d.enterprise_id = ws.host_enterprise_id"
    "     UNION ALL SELECT 'team' FROM workstation_team t"
    "       WHERE t.expert_id = p.id AND t.workstation_id = ws.id"
    "     UNION ALL SELECT 'academician' FROM workstation_academicians a"
    "       WHERE a.expert_id = p.id AND a.workstation_id = ws.id) r) c"
    "   GROUP BY c.expert_id),"
    " seed AS (SELECT coalesce($4::bigint, floor(random() * 2147483647)::bigint) AS s),"
    " listed AS (SELECT c.expert_id, c.reasons, row_number() OVER (ORDER BY (c.reasons"
    "     - 'no_consent' - 'unavailable' - 'no_account') = '[]'::jsonb, c.expert_id) AS n,"
    "     (c.reasons - 'no_consent' - 'unavailable' - 'no_account') <> '[]'::jsonb AS coi"
    "   FROM conflicts c),"
    " eligible AS (SELECT p.id, row_number() OVER (ORDER BY md5(seed.s::text || ':' || p.id::text),"
    "     p.id) AS n FROM pool p, seed WHERE p.id NOT IN (SELECT expert_id FROM conflicts)),"
    " ok AS (SELECT 1 AS one FROM y, b WHERE NOT y.p"
    "   AND (SELECT count(*) FROM ws) = jsonb_array_length(b.j->'workstation_ids')"
    "   AND (SELECT count(*) FROM eligible) >= (b.j->>'size')::int),"
    " ins AS (INSERT INTO assessment_panels (year, name, size, conditions, seed, candidates,"
    "    exclusions, excluded_total, excluded_by_reason, drawn_by)"
    "  SELECT $1::int, coalesce(b.j->>'name', ''), (b.j->>'size')::int,"
    "    b.j - 'workstation_ids' - 'size' - 'name', seed.s, (SELECT count(*) FROM eligible),"
    "    coalesce((SELECT jsonb_agg(jsonb_build_object('expert_id', l.expert_id,"
    "      'reasons', l.reasons) ORDER BY l.n) FROM listed l WHERE l.coi"
    "      OR l.n <= (SELECT count(*) FROM listed WHERE coi) + " STR(
        UNLISTED_MAX) "), '[]'),"
                      "    (SELECT count(*) FROM conflicts),"
                      "    coalesce((SELECT jsonb_object_agg(z.v, z.k) FROM (SELECT v, count(*) AS "
                      "k"
                      "      FROM conflicts c, jsonb_array_elements_text(c.reasons) v GROUP BY v) "
                      "z), '{}'),"
                      "    ($2::jsonb->>'user_id')::bigint"
                      "  FROM b, seed, ok RETURNING id),"
                      " st AS (INSERT INTO assessment_panel_stations (panel_id, workstation_id)"
                      "  SELECT ins.id, ws.id FROM ins, ws),"
                      " rv AS (INSERT INTO assessment_panel_reviewers (panel_id, expert_id, "
                      "draw_order)"
                      "  SELECT ins.id, e.id, e.n FROM ins, eligible e, b WHERE e.n <= "
                      "(b.j->>'size')::int)"
                      " SELECT (SELECT id::text FROM ins), (SELECT p FROM y), (SELECT count(*) "
                      "FROM ws)::text,"
                      "  (SELECT count(*) FROM eligible)::text",
    4, 0};

/* $1 year, $2 panel, $3 caller. */
static struct db_stmt panel_get = {
    "panel_get",
    "SELECT assessment_panel_json(p, $3::jsonb)::text FROM assessment_panels p"
    " WHERE p.id = $2::bigint AND p.year = $1::int AND assessment_panel_can_read(p, $3::jsonb)",
    3, 0};

/* $1 year, $2 caller. */
static struct db_stmt panel_list = {
    "panel_list",
    "SELECT json_build_object('items', coalesce(json_agg(assessment_panel_json(p, $2::jsonb)"
    "   ORDER BY p.id), '[]'))::text FROM assessment_panels p"
    " WHERE p.year = $1::int AND assessment_panel_can_read(p, $2::jsonb)",
    2, 0};

/* $1 year, $2 panel, $3 caller, $4 new status, $5 note. Answers (is a reviewer, status
 * before, published, changed). */
static struct db_stmt panel_confirm = {
    "panel_confirm",
    "WITH cur AS (SELECT r.status, coalesce((SELECT y.published_at IS NOT NULL"
    "    FROM assessment_years y WHERE y.year = $1::int), false) AS pub"
    "   FROM assessment_panel_reviewers r JOIN assessment_panels p ON p.id = r.panel_id"
    "   WHERE p.id = $2::bigint AND p.year = $1::int"
    "     AND r.expert_id = ($3::jsonb->>'expert')::bigint FOR UPDATE OF r),"
    " upd AS (UPDATE assessment_panel_reviewers r SET status = $4::text, note = $5::text,"
    "   responded_by = ($3::jsonb->>'user_id')::bigint, responded_at = now() FROM cur"
    "   WHERE r.panel_id = $2::bigint AND r.expert_id = ($3::jsonb->>'expert')::bigint"
    "     AND cur.status = 'pending' AND NOT cur.pub RETURNING r.panel_id)"
    " SELECT EXISTS (SELECT 1 FROM cur), (SELECT status FROM cur),"
    "  coalesce((SELECT pub FROM cur), false), EXISTS (SELECT 1 FROM upd)",
    5, 0};

/* $1 year, $2 panel, $3 caller: (readable, the caller's reviewer status, the stations and the
 * checklist items of the year's rubric in force, in the rubric's order, which reviewers score
 * without reading the rubric itself). */
static struct db_stmt panel_stations = {
    "panel_stations",
    "SELECT assessment_panel_can_read(p, $3::jsonb),"
    " (SELECT r.status FROM assessment_panel_reviewers r WHERE r.panel_id = p.id"
    "   AND r.expert_id = ($3::jsonb->>'expert')::bigint),"
    " json_build_object('items', coalesce((SELECT json_agg(json_build_object("
    "   'workstation', workstation_json(w),"
    "   'report', (SELECT workstation_report_json(rp) FROM workstation_reports rp"
    "              WHERE rp.workstation_id = w.id AND rp.year = p.year),"
    "   'evidence', (SELECT coalesce(json_agg(workstation_evidence_json(e) ORDER BY e.id), '[]')"
    "                FROM workstation_evidence e WHERE e.workstation_id = w.id"
    "                  AND e.year = p.year),"
    "   'scores', (SELECT coalesce(json_agg(json_build_object('expert_id', sc.expert_id,"
    "                'name', x.name, 'scores', sc.scores, 'updated_at', sc.updated_at)"
    "                ORDER BY sc.expert_id), '[]')"
    "              FROM assessment_panel_scores sc JOIN experts x ON x.id = sc.expert_id"
    "              WHERE sc.panel_id = p.id AND sc.workstation_id = w.id"
    "                AND ($3::jsonb->>'role' <> 'expert'"
    "                     OR sc.expert_id = ($3::jsonb->>'expert')::bigint)))"
    "   ORDER BY w.id) FROM assessment_panel_stations s JOIN workstations w"
    "   ON w.id = s.workstation_id WHERE s.panel_id = p.id), '[]'),"
    " 'checklist', (SELECT coalesce(json_agg(json_build_object('key', c.item->>'key',"
    "   'name', c.item->>'name', 'points', c.item->'points') ORDER BY c.n), '[]')"
    "   FROM assessment_rubric(p.year) a, jsonb_path_query(a.rubric,"
    "     'strict $.**?(@.rule.kind == \"checklist\")') WITH ORDINALITY AS c(item, n)))::text"
    " FROM assessment_panels p WHERE p.id = $2::bigint AND p.year = $1::int",
    3, 0};

/* $1 year, $2 panel, $3 caller, $4 station: (the caller's reviewer status, station assigned,
 * the year's rubric or NULL for the default, published). */
static struct db_stmt score_state = {
    "panel_score_state",
    "SELECT r.status, EXISTS (SELECT 1 FROM assessment_panel_stations s"
    "   WHERE s.panel_id = p.id AND s.workstation_id = $4::bigint),"
    " (SELECT a.rubric::text FROM assessment_rubric($1::int) a),"
    " coalesce((SELECT y.published_at IS NOT NULL FROM assessment_years y"
    "   WHERE y.year = $1::int), false)"
    " FROM assessment_panels p JOIN assessment_panel_reviewers r ON r.panel_id = p.id"
    "  AND r.expert_id = ($3::jsonb->>'expert')::bigint"
    " WHERE p.id = $2::bigint AND p.year = $1::int",
    4, 0};

/* $1 year, $2 panel, $3 caller, $4 station, $5 scores; no row when the year is published. */
static struct db_stmt score_put = {
    "panel_score_put",
    "INSERT INTO assessment_panel_scores AS s (panel_id, expert_id, workstation_id, scores,"
    "   updated_by)"
    " SELECT $2::bigint, ($3::jsonb->>'expert')::bigint, $4::bigint, $5::jsonb,"
    "   ($3::jsonb->>'user_id')::bigint"
    " WHERE NOT EXISTS (SELECT 1 FROM assessment_years y WHERE y.year = $1::int"
    "   AND y.published_at IS NOT NULL)"
    " ON CONFLICT (panel_id, expert_id, workstation_id) DO UPDATE SET scores = $5::jsonb,"
    "   updated_by = ($3::jsonb->>'user_id')::bigint, updated_at = now()"
    " RETURNING json_build_object('panel_id', s.panel_id, 'expert_id', s.expert_id,"
    "   'workstation_id', s.workstation_id, 'scores', s.scores,"
    "   'updated_at', s.updated_at)::text",
    5, 0};

/* ---- helpers ---- */

static void reply_published(struct http_request *req)
{
    http_problem(req, 409, "assessment_published", published_detail);
}

static bool parse_panel(struct http_request *req, const char **year, const char **panel)
{
    return assessment_parse_year(req, year) && api_parse_id(req, "panel_id", panel);
}

/* A panel read after a write: 200 (or 201) with it. */
struct panel_call {
    const char *year;
    const char *panel;
    int status;
    int stations; /* the draw: stations asked for */
};

static void reply_panel(struct http_request *req, struct db_job *job)
{
    struct panel_call *pc = req->state;
    api_reply_row(req, job, 0, pc->status);
}

static void read_panel(struct http_request *req, struct panel_call *pc)
{
    const char *params[] = {pc->year, pc->panel, api_caller_json(req)};
    struct db_job *job = api_job(req);
    db_job_add(job, &panel_get, 3, params);
    api_db_run(req, job, DB_RETRY_SAFE, reply_panel);
}

/* ---- the draw ---- */

static void drawn(struct http_request *req, struct db_job *job)
{
    struct panel_call *pc = req->state;
    PGresult *res = db_job_result(job, API_FIRST_RESULT + 1);
    if (!PQgetisnull(res, 0, 0)) {
        pc->panel = arena_strdup(&req->arena, PQgetvalue(res, 0, 0));
        pc->status = 201;
        http_add_header(
            req, "Location",
            arena_printf(&req->arena, "/api/v1/assessments/%s/panels/%s", pc->year, pc->panel));
        read_panel(req, pc);
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 1), "t") == 0) {
        reply_published(req);
        return;
    }
    /* The stations were counted against the ids given, which are distinct. */
    const char *found = PQgetvalue(res, 0, 2);
    if (atoi(found) != pc->stations) {
        api_field_error(req, "workstation_ids", "unknown_record", "有工作站不存在或已归档");
        return;
    }
    http_problem(req, 409, "not_enough_candidates",
                 arena_printf(&req->arena,
                              "符合条件且无利益冲突的专家只有 %s 位，少于要抽取的人数；"
                              "请放宽条件或减少人数",
                              PQgetvalue(res, 0, 3)));
}

static const char *const titles[] = {
    "senior", "associate_senior", "intermediate", "junior", "other", NULL};

static bool is_code(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    return n >= min && n <= max &&
           strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == n;
}

/* Checks the draw's body; replies 400 naming the field and returns false. *stations is the
 * number of stations, *seed the seed text or NULL. The body keeps only what the statement
 * reads. */
static bool draw_body_ok(struct http_request *req, cJSON *body, int *stations, const char **seed)
{
    static const char *const known[] = {
        "workstation_ids", "size", "discipline_code", "title", "region_code", "name", "seed", NULL};
    const cJSON *m;
    cJSON_ArrayForEach(m, body)
    {
        bool ok = false;
        for (const char *const *k = known; *k && !ok; k++)
            ok = strcmp(*k, m->string) == 0;
        if (!ok) {
            api_field_error(req, m->string, "unknown_field", "未知字段");
            return false;
        }
    }
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(body, "workstation_ids");
    int n = cJSON_GetArraySize(ids);
    if (!cJSON_IsArray(ids) || n < 1 || n > MAX_STATIONS) {
        api_field_error(req, "workstation_ids", "required", "应为 1 到 200 个工作站编号的数组");
        return false;
    }
    for (int i = 0; i < n; i++) {
        const cJSON *a = cJSON_GetArrayItem(ids, i);
        bool ok = cJSON_IsNumber(a) && a->valuedouble >= 1 && a->valuedouble < 9e15 &&
                  a->valuedouble == floor(a->valuedouble);
        for (int k = 0; ok && k < i; k++)
            ok = cJSON_GetArrayItem(ids, k)->valuedouble != a->valuedouble;
        if (!ok) {
            api_field_error(req, "workstation_ids", "invalid_value",
                            "工作站编号应为不重复的正整数");
            return false;
        }
    }
    *stations = n;
    const cJSON *size = cJSON_GetObjectItemCaseSensitive(body, "size");
    if (!cJSON_IsNumber(size) || size->valuedouble < 1 || size->valuedouble > MAX_SIZE ||
        size->valuedouble != floor(size->valuedouble)) {
        api_field_error(req, "size", "invalid_value", "抽取人数应为 1 到 20 的整数");
        return false;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, "discipline_code");
    if (v && !(cJSON_IsString(v) && is_code(v->valuestring, 1, 20))) {
        api_field_error(req, "discipline_code", "invalid_value",
                        "学科代码应为 1 到 20 位字母或数字");
        return false;
    }
    v = cJSON_GetObjectItemCaseSensitive(body, "region_code");
    if (v && !(cJSON_IsString(v) && is_code(v->valuestring, 6, 6))) {
        api_field_error(req, "region_code", "invalid_value", "地区代码应为 6 位数字");
        return false;
    }
    v = cJSON_GetObjectItemCaseSensitive(body, "title");
    bool title_ok = v == NULL;
    for (const char *const *t = titles; v && cJSON_IsString(v) && *t && !title_ok; t++)
        title_ok = strcmp(*t, v->valuestring) == 0;
    if (!title_ok) {
        api_field_error(req, "title", "invalid_value",
                        "应为 senior、associate_senior、intermediate、junior 或 other");
        return false;
    }
    v = cJSON_GetObjectItemCaseSensitive(body, "name");
    if (v && !(cJSON_IsString(v) && strlen(v->valuestring) <= 300)) {
        api_field_error(req, "name", "invalid_value", "评审组名称最多 100 个字");
        return false;
    }
    v = cJSON_GetObjectItemCaseSensitive(body, "seed");
    *seed = NULL;
    if (v) {
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 2147483647 ||
            v->valuedouble != floor(v->valuedouble)) {
            api_field_error(req, "seed", "invalid_value", "随机种子应为 0 到 2147483647 的整数");
            return false;
        }
        *seed = arena_printf(&req->arena, "%.0f", v->valuedouble);
        cJSON_DeleteItemFromObjectCaseSensitive(body, "seed");
    }
    return true;
}

static void handle_draw(struct http_request *req)
{
    const char *year, *seed;
    if (!assessment_parse_year(req, &year))
        return;
    cJSON *body;
    if (!http_read_json_object(req, &body))
        return;
    int stations = 0;
    if (!draw_body_ok(req, body, &stations, &seed)) {
        cJSON_Delete(body);
        return;
    }
    struct panel_call *pc = arena_calloc(&req->arena, sizeof *pc);
    pc->year = year;
    pc->stations = stations;
    req->state = pc;
    const char *yp[] = {year, rubric_default_json};
    const char *params[] = {year, api_caller_json(req), api_json_text(req, body), seed};
    cJSON_Delete(body);
    struct db_job *job = api_write_job(req, "panel_draw");
    db_job_add(job, &panel_year, 2, yp);
    db_job_add(job, &panel_draw, 4, params);
    api_db_run(req, job, 0, drawn);
}

/* ---- reads ---- */

static void handle_list(struct http_request *req)
{
    const char *year;
    if (!assessment_parse_year(req, &year))
        return;
    const char *params[] = {year, api_caller_json(req)};
    api_reply_json_row(req, &panel_list, 2, params);
}

static void handle_get(struct http_request *req)
{
    const char *year, *panel;
    if (!parse_panel(req, &year, &panel))
        return;
    struct panel_call *pc = arena_calloc(&req->arena, sizeof *pc);
    pc->year = year;
    pc->panel = panel;
    pc->status = 200;
    req->state = pc;
    read_panel(req, pc);
}

/* An expert who has not confirmed (or declined) does not see the stations. */
static bool reviewer_confirmed(struct http_request *req, PGresult *res, int col)
{
    if (access_caller(req)->role != ROLE_EXPERT)
        return true;
    if (!PQgetisnull(res, 0, col) && strcmp(PQgetvalue(res, 0, col), "confirmed") == 0)
        return true;
    http_problem(req, 403, "forbidden",
                 !PQgetisnull(res, 0, col) && strcmp(PQgetvalue(res, 0, col), "declined") == 0
                     ? "您已谢绝参加该评审组"
                     : "请先确认参加评审（POST …/confirmation），再查看和评分");
    return false;
}

static void stations_done(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, 0);
    if (PQntuples(res) == 0 || strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    if (!reviewer_confirmed(req, res, 1))
        return;
    http_reply_json_text(req, 200, PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2));
}

static void handle_stations(struct http_request *req)
{
    const char *year, *panel;
    if (!parse_panel(req, &year, &panel))
        return;
    const char *params[] = {year, panel, api_caller_json(req)};
    struct db_job *job = api_job(req);
    db_job_add(job, &panel_stations, 3, params);
    api_db_run(req, job, DB_RETRY_SAFE, stations_done);
}

/* ---- confirmation ---- */

static void confirmed(struct http_request *req, struct db_job *job)
{
    struct panel_call *pc = req->state;
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        http_problem(req, 404, "not_found", "您不在该评审组中");
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 3), "t") == 0) {
        read_panel(req, pc);
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 2), "t") == 0) {
        reply_published(req);
        return;
    }
    http_problem(req, 409, "invalid_transition",
                 strcmp(PQgetvalue(res, 0, 1), "confirmed") == 0 ? "您已确认参加该评审组"
                                                                 : "您已谢绝参加该评审组");
}

static const char *const decisions[] = {"confirm", "decline", NULL};
static const struct field_spec confirm_fields[] = {
    {"decision", FIELD_ENUM, FIELD_REQUIRED, 0, 0, 0, decisions, 0, NULL},
    {"note", FIELD_TEXT, FIELD_NULLABLE, 0, 1000, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

static void handle_confirm(struct http_request *req)
{
    const char *year, *panel;
    if (!parse_panel(req, &year, &panel))
        return;
    cJSON *clean = api_validated_body(req, confirm_fields, VALIDATE_CREATE);
    if (clean == NULL)
        return;
    const char *decision =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(clean, "decision"));
    const char *note = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(clean, "note"));
    struct panel_call *pc = arena_calloc(&req->arena, sizeof *pc);
    pc->year = year;
    pc->panel = panel;
    pc->status = 200;
    req->state = pc;
    const char *params[] = {year, panel, api_caller_json(req),
                            strcmp(decision, "confirm") == 0 ? "confirmed" : "declined",
                            note && note[0] ? arena_strdup(&req->arena, note) : NULL};
    cJSON_Delete(clean);
    struct db_job *job = api_write_job(req, "panel_confirmation");
    db_job_add(job, &panel_confirm, 5, params);
    api_db_run(req, job, 0, confirmed);
}

/* ---- scores ---- */

struct score_call {
    const char *year, *panel, *station, *scores;
};

static void score_saved(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (PQntuples(res) == 0) {
        reply_published(req);
        return;
    }
    http_reply_json_text(req, 200, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
}

static void score_checked(struct http_request *req, struct db_job *job)
{
    struct score_call *sc = req->state;
    PGresult *res = db_job_result(job, 0);
    if (PQntuples(res) == 0) {
        http_problem(req, 404, "not_found", "您不在该评审组中");
        return;
    }
    if (!reviewer_confirmed(req, res, 0))
        return;
    if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
        http_problem(req, 404, "not_found", "该工作站未分配给此评审组");
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 3), "t") == 0) {
        reply_published(req);
        return;
    }
    struct rubric *r = arena_calloc(&req->arena, sizeof *r);
    if (!assessment_load_rubric(req, PQgetisnull(res, 0, 2) ? NULL : PQgetvalue(res, 0, 2), r) ||
        !assessment_checklist_valid(req, r, sc->scores))
        return;
    const char *params[] = {sc->year, sc->panel, api_caller_json(req), sc->station, sc->scores};
    struct db_job *w = api_write_job(req, NULL);
    db_job_add(w, &score_put, 5, params);
    api_db_run(req, w, 0, score_saved);
}

static void handle_score(struct http_request *req)
{
    const char *year, *panel, *station;
    if (!parse_panel(req, &year, &panel) || !api_parse_id(req, "workstation_id", &station))
        return;
    cJSON *body;
    if (!http_read_json_object(req, &body))
        return;
    const cJSON *scores = cJSON_GetObjectItemCaseSensitive(body, "scores");
    if (!cJSON_IsObject(scores) || cJSON_GetArraySize(body) != 1) {
        cJSON_Delete(body);
        api_field_error(req, "scores", "required",
                        "请求体应为 {\"scores\": {\"检查项 key\": 分数, ...}}");
        return;
    }
    struct score_call *sc = arena_calloc(&req->arena, sizeof *sc);
    sc->year = year;
    sc->panel = panel;
    sc->station = station;
    sc->scores = api_json_text(req, scores);
    cJSON_Delete(body);
    req->state = sc;
    const char *params[] = {year, panel, api_caller_json(req), station};
    struct db_job *job = api_job(req);
    db_job_add(job, &score_state, 4, params);
    api_db_run(req, job, DB_RETRY_SAFE, score_checked);
}

void assessment_panels_register(struct router *r)
{
    static struct db_stmt *const stmts[] = {&panel_year,  &panel_draw,    &panel_get,
                                            &panel_list,  &panel_confirm, &panel_stations,
                                            &score_state, &score_put,     NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_POST,
         .pattern = "/api/v1/assessments/{year}/panels",
         .handler = handle_draw,
         .roles = DRAWERS},
        {.method = HTTP_GET,
         .pattern = "/api/v1/assessments/{year}/panels",
         .handler = handle_list,
         .roles = READERS},
        {.method = HTTP_GET,
         .pattern = "/api/v1/assessments/{year}/panels/{panel_id}",
         .handler = handle_get,
         .roles = READERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/assessments/{year}/panels/{panel_id}/confirmation",
         .handler = handle_confirm,
         .roles = ROLE_EXPERT},
        {.method = HTTP_GET,
         .pattern = "/api/v1/assessments/{year}/panels/{panel_id}/stations",
         .handler = handle_stations,
         .roles = READERS},
        {.method = HTTP_PUT,
         .pattern = "/api/v1/assessments/{year}/panels/{panel_id}/scores/{workstation_id}",
         .handler = handle_score,
         .roles = ROLE_EXPERT},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
