/* The annual assessment of academician workstations: the year's rubric (data, checked by
 * domain/rubric), checklist scores per station, the run that scores, ranks and grades every
 * running station and proposes exemplars, staff adjustments with their reasons, and
 * publication, after which every write to the year is 409. The arithmetic is
 * domain/rubric's; this file moves data between it and PostgreSQL. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/assessments.h"
#include "api/constraints.h"
#include "api/list.h"
#include "api/resource.h"

#include "domain/rubric.h"
#include "domain/validate.h"
#include "http/json_body.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READERS ROLES_STAFF
#define WRITERS (ROLE_ADMIN | ROLE_CITY)

static const char *const published_detail = "该年度考核已发布，不能再修改";

/* $1 year, $2 the default rubric. */
static struct db_stmt year_get = {"assessment_year_get",
                                  "SELECT assessment_year_json($1::int, $2::jsonb)::text,"
                                  " coalesce((SELECT version FROM assessment_years"
                                  "           WHERE year = $1::int), 0)::text",
                                  2, 0};

/* $1 year, $2 rubric, $3 expected version (0: none saved yet). Answers (saved, version,
 * published, current version). */
static struct db_stmt rubric_put = {
    "assessment_rubric_put",
    "WITH cur AS (SELECT y FROM assessment_years y WHERE y.year = $1::int FOR UPDATE),"
    " ins AS (INSERT INTO assessment_years (year, rubric)"
    "   SELECT $1::int, $2::jsonb WHERE NOT EXISTS (SELECT 1 FROM cur)"
    "     AND ($3::int IS NULL OR $3::int = 0)"
    "   ON CONFLICT (year) DO NOTHING RETURNING year),"
    " upd AS (UPDATE assessment_years e SET rubric = $2::jsonb, updated_at = now(),"
    "   version = e.version + 1"
    "   FROM cur WHERE e.year = (cur.y).year AND (cur.y).published_at IS NULL"
    "     AND ($3::int IS NULL OR (cur.y).version = $3::int) RETURNING e.version)"
    " SELECT EXISTS (SELECT 1 FROM ins) OR EXISTS (SELECT 1 FROM upd),"
    "  coalesce((SELECT version FROM upd), 1)::text,"
    "  coalesce((SELECT (cur.y).published_at IS NOT NULL FROM cur), false),"
    "  coalesce((SELECT (cur.y).version FROM cur), 0)::text",
    3, 0};

/* $1 year: the rubric the year uses (NULL: the default) and whether it is published. */
static struct db_stmt state = {
    "assessment_state",
    "SELECT (SELECT rubric::text FROM assessment_rubric($1::int)),"
    " coalesce((SELECT published_at IS NOT NULL FROM assessment_years WHERE year = $1::int),"
    "          false)",
    1, 0};

/* $1 station: one row when it exists (checklist entry). */
static struct db_stmt station_exists = {
    "assessment_station_exists",
    "SELECT 1 FROM workstations w WHERE w.id = $1::bigint AND w.archived_at IS NULL", 1, 0};

/* $1 year: what a run needs of every running station, in id order (so that reruns agree):
 * id, report status, the 13 figures, checklist scores (the panels' means, overridden item by
 * item by what staff entered), whether the report claims more
 * academician days than recorded, a standing adjustment, and the rubric leaves the report's
 * evidence files name. */
static struct db_stmt inputs = {
    "assessment_inputs",
    "SELECT w.id::text, r.status, r.academician_days::text, r.joint_projects_new::text,"
    " r.joint_projects_ongoing::text, r.rd_input::text, r.patents_applied::text,"
    " r.patents_granted::text, r.invention_patents_granted::text, r.new_products::text,"
    " r.standards::text, r.papers::text, r.new_product_revenue::text,"
    " r.talents_trained::text, r.awards::text,"
    " (coalesce(assessment_panel_checklist(w.id, $1::int), '{}') || coalesce(c.scores, "
    "'{}'))::text,"
    " coalesce(r.academician_days > workstation_recorded_days(w.id, $1::int), false),"
    " a.adjusted_score::text, a.adjust_reason, a.adjusted_by::text, a.adjusted_at::text,"
    " CASE WHEN r.id IS NULL THEN '[]' ELSE workstation_evidence_indicators(r.id)::text END"
    " FROM workstations w"
    " LEFT JOIN workstation_reports r ON r.workstation_id = w.id AND r.year = $1::int"
    " LEFT JOIN assessment_checklist c ON c.workstation_id = w.id AND c.year = $1::int"
    " LEFT JOIN assessment_results a ON a.workstation_id = w.id AND a.year = $1::int"
    " WHERE w.status = 'running' AND w.archived_at IS NULL ORDER BY w.id",
    1, 0};

/* The run's writes: $1 year, $2 rubric, $3 user. The year row is kept (or made) with the
 * rubric the run used; nothing is written to a published year. */
static struct db_stmt run_year = {
    "assessment_run_year",
    "INSERT INTO assessment_years AS y (year, rubric, run_at, run_by)"
    " VALUES ($1::int, $2::jsonb, now(), $3::bigint)"
    " ON CONFLICT (year) DO UPDATE SET run_at = now(), run_by = $3::bigint"
    " WHERE y.published_at IS NULL RETURNING year",
    3, 0};

static struct db_stmt run_clear = {
    "assessment_run_clear",
    "DELETE FROM assessment_results r USING assessment_years y"
    " WHERE r.year = $1::int AND y.year = $1::int AND y.published_at IS NULL",
    1, 0};

/* $1 year, $2 the results as a JSON array. */
static struct db_stmt run_insert = {
    "assessment_run_insert",
    "INSERT INTO assessment_results (year, workstation_id, status, computed_score,"
    "  adjusted_score, adjust_reason, adjusted_by, adjusted_at, score, rank, grade, exemplar,"
    "  problems, leaves)"
    " SELECT $1::int, x.workstation_id, x.status, x.computed_score, x.adjusted_score,"
    "  x.adjust_reason, x.adjusted_by, x.adjusted_at, x.score, x.rank, x.grade, x.exemplar,"
    "  x.problems, x.leaves"
    " FROM jsonb_to_recordset($2::jsonb) AS x(workstation_id bigint, status text,"
    "  computed_score numeric, adjusted_score numeric, adjust_reason text, adjusted_by bigint,"
    "  adjusted_at timestamptz, score numeric, rank int, grade text, exemplar boolean,"
    "  problems jsonb, leaves jsonb)"
    " WHERE EXISTS (SELECT 1 FROM assessment_years y WHERE y.year = $1::int"
    "               AND y.published_at IS NULL)",
    2, 0};

/* $1 year: the summary a run or a publication answers. */
static struct db_stmt summary = {
    "assessment_summary",
    "SELECT json_build_object('year', $1::int,"
    "  'stations', count(r.workstation_id),"
    "  'scored', count(*) FILTER (WHERE r.status = 'scored'),"
    "  'missing', count(*) FILTER (WHERE r.status = 'missing'),"
    "  'not_accepted', count(*) FILTER (WHERE r.status = 'not_accepted'),"
    "  'grades', json_build_object("
    "     'excellent', count(*) FILTER (WHERE r.grade = 'excellent'),"
    "     'good', count(*) FILTER (WHERE r.grade = 'good'),"
    "     'pass', count(*) FILTER (WHERE r.grade = 'pass'),"
    "     'fail', count(*) FILTER (WHERE r.grade = 'fail')),"
    "  'exemplars', coalesce(json_agg(r.workstation_id ORDER BY r.rank, r.workstation_id)"
    "                        FILTER (WHERE r.exemplar), '[]'),"
    "  'run_at', (SELECT run_at FROM assessment_years WHERE year = $1::int),"
    "  'published', coalesce((SELECT published_at IS NOT NULL FROM assessment_years"
    "                         WHERE year = $1::int), false),"
    "  'published_at', (SELECT published_at FROM assessment_years WHERE year = $1::int))::text"
    " FROM assessment_results r WHERE r.year = $1::int",
    1, 0};

/* $1 year, $2 rubric: the year row is made when the first checklist score comes. */
static struct db_stmt checklist_year = {
    "assessment_checklist_year",
    "INSERT INTO assessment_years (year, rubric) VALUES ($1::int, $2::jsonb)"
    " ON CONFLICT (year) DO NOTHING",
    2, 0};

/* $1 year, $2 station, $3 scores, $4 user; no row when the year is published. */
static struct db_stmt checklist_put = {
    "assessment_checklist_put",
    "INSERT INTO assessment_checklist AS c (year, workstation_id, scores, updated_by)"
    " SELECT $1::int, $2::bigint, $3::jsonb, $4::bigint"
    " WHERE EXISTS (SELECT 1 FROM assessment_years y WHERE y.year = $1::int"
    "               AND y.published_at IS NULL)"
    " ON CONFLICT (year, workstation_id) DO UPDATE SET scores = $3::jsonb,"
    "   updated_by = $4::bigint, updated_at = now()"
    " RETURNING json_build_object('year', c.year, 'workstation_id', c.workstation_id,"
    "   'scores', c.scores, 'updated_at', c.updated_at)::text",
    4, 0};

/* $1 year, $2 station: the current result with the year's rubric. */
static struct db_stmt result_state = {
    "assessment_result_state",
    "SELECT r.computed_score::text, y.rubric::text, y.published_at IS NOT NULL"
    " FROM assessment_results r JOIN assessment_years y ON y.year = r.year"
    " WHERE r.year = $1::int AND r.workstation_id = $2::bigint AND r.status = 'scored'",
    2, 0};

/* $1 year, $2 station, $3 adjusted score (NULL: back to the computed one), $4 reason, $5 user,
 * $6 the grade of the new score. Then the ranks of the year are recomputed. */
static struct db_stmt result_adjust = {
    "assessment_result_adjust",
    "UPDATE assessment_results r SET adjusted_score = $3::numeric, adjust_reason = $4::text,"
    "  adjusted_by = CASE WHEN $3::numeric IS NULL THEN NULL ELSE $5::bigint END,"
    "  adjusted_at = CASE WHEN $3::numeric IS NULL THEN NULL ELSE now() END,"
    "  score = coalesce($3::numeric, r.computed_score), grade = $6::text,"
    "  exemplar = r.exemplar AND $6::text = 'excellent'"
    " FROM assessment_years y WHERE y.year = r.year AND y.published_at IS NULL"
    "  AND r.year = $1::int AND r.workstation_id = $2::bigint AND r.status = 'scored'",
    6, 0};

static struct db_stmt rerank = {
    "assessment_rerank",
    "UPDATE assessment_results r SET rank = x.rk"
    " FROM (SELECT workstation_id, rank() OVER (ORDER BY score DESC) AS rk"
    "       FROM assessment_results WHERE year = $1::int AND status = 'scored') x"
    " WHERE r.year = $1::int AND r.workstation_id = x.workstation_id",
    1, 0};

static struct db_stmt result_get = {
    "assessment_result_get",
    "SELECT assessment_result_json(r)::text FROM assessment_results r"
    " WHERE r.year = $1::int AND r.workstation_id = $2::bigint",
    2, 0};

/* $1 year, $2 user. Answers (published now, had results, already published). */
static struct db_stmt publish = {
    "assessment_publish",
    "WITH cur AS (SELECT y FROM assessment_years y WHERE y.year = $1::int FOR UPDATE),"
    " upd AS (UPDATE assessment_years e SET published_at = now(), published_by = $2::bigint,"
    "   updated_at = now(), version = e.version + 1"
    "   FROM cur WHERE e.year = (cur.y).year AND (cur.y).published_at IS NULL"
    "     AND EXISTS (SELECT 1 FROM assessment_results r WHERE r.year = $1::int)"
    "   RETURNING e.year)"
    " SELECT EXISTS (SELECT 1 FROM upd),"
    "  EXISTS (SELECT 1 FROM assessment_results r WHERE r.year = $1::int),"
    "  coalesce((SELECT (cur.y).published_at IS NOT NULL FROM cur), false)",
    2, 0};

/* $1 year, $2 grade, $3 region, $4 $5 keyset (rank, station), $6 limit. Scored stations by
 * rank, then those without a score. */
static struct db_stmt results = {
    "assessment_results",
    "SELECT assessment_result_json(r)::text, coalesce(r.rank, 2147483647)::text,"
    " r.workstation_id::text"
    " FROM assessment_results r JOIN workstations w ON w.id = r.workstation_id"
    " WHERE r.year = $1::int AND ($2::text IS NULL OR r.grade = $2::text)"
    "   AND ($3::text IS NULL OR w.region_code = $3::text)"
    "   AND ($4::int IS NULL OR (coalesce(r.rank, 2147483647), r.workstation_id)"
    "        > ($4::int, $5::bigint))"
    " ORDER BY coalesce(r.rank, 2147483647), r.workstation_id LIMIT $6::int",
    6, 0};

/* ---- helpers ---- */

bool assessment_parse_year(struct http_request *req, const char **year)
{
    const char *v = http_param(req, "year");
    bool ok = v && strlen(v) == 4 && v[0] == '2';
    for (int i = 0; ok && i < 4; i++)
        ok = v[i] >= '0' && v[i] <= '9';
    if (!ok || atoi(v) > 2100) {
        http_problem(req, 404, "not_found", NULL);
        return false;
    }
    *year = v;
    return true;
}

/* The year's rubric text (NULL: the default) parsed into r; false (and a 500) when a saved
 * rubric no longer parses, which the PUT check makes impossible. */
bool assessment_load_rubric(struct http_request *req, const char *text, struct rubric *r)
{
    cJSON *json = cJSON_Parse(text ? text : rubric_default_json);
    struct validation v = {0};
    bool ok = json && rubric_parse(json, r, &v);
    cJSON_Delete(json);
    validation_free(&v);
    if (!ok)
        http_problem(req, 500, "internal", "评分细则无法解析");
    return ok;
}

static void reply_first(struct http_request *req, struct db_job *job)
{
    api_reply_row(req, job, 0, 200);
}

static void reply_published(struct http_request *req)
{
    http_problem(req, 409, "assessment_published", published_detail);
}

/* ---- the rubric ---- */

static void handle_rubric_get(struct http_request *req)
{
    const char *year;
    if (!assessment_parse_year(req, &year))
        return;
    const char *params[] = {year, rubric_default_json};
    struct db_job *job = api_job(req);
    db_job_add(job, &year_get, 2, params);
    api_db_run(req, job, DB_RETRY_SAFE, reply_first);
}

struct rubric_call {
    const char *year;
    const char *version;
};

static void rubric_saved(struct http_request *req, struct db_job *job)
{
    struct rubric_call *rc = req->state;
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        if (strcmp(PQgetvalue(res, 0, 2), "t") == 0)
            reply_published(req);
        else if (rc->version)
            http_problem(req, 412, "precondition_failed", NULL);
        else
            http_problem(req, 409, "conflict", "评分细则正被他人同时修改，请刷新后重试");
        return;
    }
    api_set_etag(req, PQgetvalue(res, 0, 1));
    const char *params[] = {rc->year, rubric_default_json};
    struct db_job *again = api_job(req);
    db_job_add(again, &year_get, 2, params);
    api_db_run(req, again, DB_RETRY_SAFE, reply_first);
}

static void handle_rubric_put(struct http_request *req)
{
    const char *year, *version;
    if (!assessment_parse_year(req, &year) || !api_if_match(req, &version))
        return;
    cJSON *body;
    if (!http_read_json_object(req, &body))
        return;
    struct rubric *r = arena_calloc(&req->arena, sizeof *r);
    struct validation v = {0};
    if (!rubric_parse(body, r, &v)) {
        const cJSON *first = cJSON_GetArrayItem(v.errors, 0);
        http_problem_errors(req, 400, "invalid_rubric",
                            cJSON_GetStringValue(cJSON_GetObjectItem(first, "message")), v.errors);
        v.errors = NULL;
        validation_free(&v);
        cJSON_Delete(body);
        return;
    }
    struct rubric_call *rc = arena_calloc(&req->arena, sizeof *rc);
    rc->year = year;
    rc->version = version;
    req->state = rc;
    const char *params[] = {year, api_json_text(req, body), version};
    cJSON_Delete(body);
    struct db_job *job = api_write_job(req, "rubric");
    db_job_add(job, &rubric_put, 3, params);
    api_db_run(req, job, 0, rubric_saved);
}

/* ---- checklist scores ---- */

struct checklist_call {
    const char *year;
    const char *station;
    const char *scores; /* {"key": score, ...} as JSON text */
};

static void checklist_saved(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT + 1);
    if (PQntuples(res) == 0) {
        reply_published(req);
        return;
    }
    http_reply_json_text(req, 200, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
}

/* Every key must be a checklist item of the rubric and its score within the item's points. */
bool assessment_checklist_valid(struct http_request *req, const struct rubric *r, const char *text)
{
    cJSON *scores = cJSON_Parse(text);
    cJSON *errors = NULL;
    const cJSON *s;
    cJSON_ArrayForEach(s, scores)
    {
        int i = rubric_find(r, s->string);
        const char *problem = NULL;
        if (i < 0 || r->nodes[i].rule != RUBRIC_CHECKLIST)
            problem = "不是评分细则中的检查项";
        else if (!cJSON_IsNumber(s) || s->valuedouble < 0 ||
                 s->valuedouble > r->nodes[i].points + 1e-9)
            problem = "分数应在 0 到该项分值之间";
        if (problem) {
            if (errors == NULL)
                errors = cJSON_CreateArray();
            problem_add_field(errors, arena_printf(&req->arena, "scores.%s", s->string),
                              "invalid_value", problem);
        }
    }
    cJSON_Delete(scores);
    if (errors == NULL)
        return true;
    http_problem_errors(req, 400, "validation_failed", "检查项评分无效", errors);
    return false;
}

static void checklist_state(struct http_request *req, struct db_job *job)
{
    struct checklist_call *cc = req->state;
    PGresult *st = db_job_result(job, 0);
    if (PQntuples(db_job_result(job, 1)) == 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    if (strcmp(PQgetvalue(st, 0, 1), "t") == 0) {
        reply_published(req);
        return;
    }
    const char *text = PQgetisnull(st, 0, 0) ? NULL : PQgetvalue(st, 0, 0);
    struct rubric *r = arena_calloc(&req->arena, sizeof *r);
    if (!assessment_load_rubric(req, text, r) || !assessment_checklist_valid(req, r, cc->scores))
        return;
    const char *rubric_text = text ? arena_strdup(&req->arena, text) : rubric_default_json;
    const char *yparams[] = {cc->year, rubric_text};
    const char *params[] = {cc->year, cc->station, cc->scores, access_caller(req)->user_id};
    struct db_job *w = api_write_job(req, NULL);
    db_job_add(w, &checklist_year, 2, yparams);
    db_job_add(w, &checklist_put, 4, params);
    api_db_run(req, w, 0, checklist_saved);
}

static void handle_checklist_put(struct http_request *req)
{
    const char *year, *station;
    if (!assessment_parse_year(req, &year) || !api_parse_id(req, "workstation_id", &station))
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
    struct checklist_call *cc = arena_calloc(&req->arena, sizeof *cc);
    cc->year = year;
    cc->station = station;
    cc->scores = api_json_text(req, scores);
    cJSON_Delete(body);
    req->state = cc;
    const char *p1[] = {year};
    const char *p2[] = {station};
    struct db_job *job = api_job(req);
    db_job_add(job, &state, 1, p1);
    db_job_add(job, &station_exists, 1, p2);
    api_db_run(req, job, DB_RETRY_SAFE, checklist_state);
}

/* ---- the run ---- */

struct station_row {
    const char *id;
    const char *status; /* scored, missing, not_accepted */
    double figures[IND_COUNT];
    double checklist[RUBRIC_MAX_NODES];
    double leaves[RUBRIC_MAX_NODES];
    double computed;
    double score; /* the adjusted score when there is one */
    int rank;
    enum rubric_grade grade;
    bool excess;           /* claims more academician days than recorded */
    bool evidence_missing; /* a leaf that requires evidence has no file */
    bool exemplar;
    PGresult *res;
    int row;
};

struct run_call {
    const char *year;
    const char *rubric_text;
};

static double number_at(PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtod(PQgetvalue(res, row, col), NULL);
}

static void load_checklist(const struct rubric *r, const char *text, double *out)
{
    for (int i = 0; i < RUBRIC_MAX_NODES; i++)
        out[i] = NAN;
    cJSON *scores = cJSON_Parse(text);
    const cJSON *s;
    cJSON_ArrayForEach(s, scores)
    {
        int i = rubric_find(r, s->string);
        if (i >= 0 && cJSON_IsNumber(s))
            out[i] = s->valuedouble;
    }
    cJSON_Delete(scores);
}

/* Exemplars (示范典型): the best of the excellent, with no report problem, at most the
 * rubric's limit; equal scores go by station id, so that reruns propose the same. */
static void propose_exemplars(struct station_row *rows, int n, int limit)
{
    for (int taken = 0; taken < limit; taken++) {
        struct station_row *best = NULL;
        for (int i = 0; i < n; i++) {
            struct station_row *s = &rows[i];
            if (strcmp(s->status, "scored") != 0 || s->grade != GRADE_EXCELLENT || s->excess ||
                s->evidence_missing || s->exemplar)
                continue;
            if (best == NULL || s->score > best->score + 1e-9)
                best = s;
        }
        if (best == NULL)
            return;
        best->exemplar = true;
    }
}

static void score_rows(const struct rubric *r, struct station_row *rows, int n)
{
    double best[IND_COUNT] = {0};
    for (int i = 0; i < n; i++)
        for (int k = 0; strcmp(rows[i].status, "scored") == 0 && k < IND_COUNT; k++)
            best[k] = fmax(best[k], rows[i].figures[k]);
    double *scores = calloc((size_t)n + 1, sizeof *scores);
    int *ranks = calloc((size_t)n + 1, sizeof *ranks);
    int *which = calloc((size_t)n + 1, sizeof *which);
    int m = 0;
    for (int i = 0; i < n; i++) {
        struct station_row *s = &rows[i];
        if (strcmp(s->status, "scored") != 0)
            continue;
        s->computed = rubric_total(r, s->figures, best, s->checklist, s->leaves);
        s->score = PQgetisnull(s->res, s->row, 17) ? s->computed : number_at(s->res, s->row, 17);
        s->grade = rubric_grade_of(r, s->score);
        scores[m] = s->score;
        which[m++] = i;
    }
    rubric_rank(scores, m, ranks);
    for (int j = 0; j < m; j++)
        rows[which[j]].rank = ranks[j];
    free(scores);
    free(ranks);
    free(which);
    propose_exemplars(rows, n, r->exemplar_limit);
}

static cJSON *row_json(const struct rubric *r, const struct station_row *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddRawToObject(o, "workstation_id", s->id);
    cJSON_AddStringToObject(o, "status", s->status);
    PGresult *res = s->res;
    for (int c = 17; c <= 20; c++) {
        static const char *const names[] = {"adjusted_score", "adjust_reason", "adjusted_by",
                                            "adjusted_at"};
        if (PQgetisnull(res, s->row, c))
            cJSON_AddNullToObject(o, names[c - 17]);
        else
            cJSON_AddStringToObject(o, names[c - 17], PQgetvalue(res, s->row, c));
    }
    cJSON *problems = cJSON_AddArrayToObject(o, "problems");
    if (s->excess)
        cJSON_AddItemToArray(problems, cJSON_CreateString("academician_days_excess"));
    if (s->evidence_missing)
        cJSON_AddItemToArray(problems, cJSON_CreateString("evidence_missing"));
    if (strcmp(s->status, "scored") != 0) {
        cJSON_AddFalseToObject(o, "exemplar");
        cJSON_AddObjectToObject(o, "leaves");
        return o;
    }
    cJSON_AddNumberToObject(o, "computed_score", s->computed);
    cJSON_AddNumberToObject(o, "score", s->score);
    cJSON_AddNumberToObject(o, "rank", s->rank);
    cJSON_AddStringToObject(o, "grade", rubric_grade_name(s->grade));
    cJSON_AddBoolToObject(o, "exemplar", s->exemplar);
    cJSON *leaves = cJSON_AddObjectToObject(o, "leaves");
    for (int i = 0; i < r->n; i++)
        if (r->nodes[i].rule != RUBRIC_GROUP)
            cJSON_AddNumberToObject(leaves, r->nodes[i].key, s->leaves[i]);
    return o;
}

/* Whether an accepted report lacks evidence the rubric requires: a node that requires it is
 * satisfied by a file naming the node or a leaf below it. */
static bool evidence_lacking(const struct rubric *r, const char *named_text)
{
    bool has[RUBRIC_MAX_NODES] = {false};
    cJSON *named = cJSON_Parse(named_text);
    const cJSON *k;
    cJSON_ArrayForEach(k, named)
    {
        int i = rubric_find(r, cJSON_GetStringValue(k));
        /* Parents come before their children: mark the node and every ancestor. */
        for (; i >= 0; i = r->nodes[i].parent)
            has[i] = true;
    }
    cJSON_Delete(named);
    for (int i = 0; i < r->n; i++)
        if (r->nodes[i].evidence_required && !has[i])
            return true;
    return false;
}

static void run_done(struct http_request *req, struct db_job *job)
{
    if (PQntuples(db_job_result(job, API_FIRST_RESULT)) == 0) {
        reply_published(req);
        return;
    }
    api_reply_row(req, job, API_FIRST_RESULT + 3, 200);
}

static const char *rows_status(PGresult *res, int i)
{
    if (PQgetisnull(res, i, 1))
        return "missing";
    return strcmp(PQgetvalue(res, i, 1), "accepted") == 0 ? "scored" : "not_accepted";
}

static void run_inputs(struct http_request *req, struct db_job *job)
{
    struct run_call *rc = req->state;
    PGresult *st = db_job_result(job, 0), *res = db_job_result(job, 1);
    if (strcmp(PQgetvalue(st, 0, 1), "t") == 0) {
        reply_published(req);
        return;
    }
    const char *text = PQgetisnull(st, 0, 0) ? NULL : PQgetvalue(st, 0, 0);
    struct rubric *r = arena_calloc(&req->arena, sizeof *r);
    if (!assessment_load_rubric(req, text, r))
        return;
    rc->rubric_text = text ? arena_strdup(&req->arena, text) : rubric_default_json;
    int n = PQntuples(res);
    struct station_row *rows = calloc((size_t)n + 1, sizeof *rows);
    for (int i = 0; i < n; i++) {
        struct station_row *s = &rows[i];
        s->res = res;
        s->row = i;
        s->id = PQgetvalue(res, i, 0);
        s->status = rows_status(res, i);
        for (int k = 0; k < IND_COUNT; k++)
            s->figures[k] = number_at(res, i, 2 + k);
        load_checklist(r, PQgetvalue(res, i, 15), s->checklist);
        s->excess = strcmp(PQgetvalue(res, i, 16), "t") == 0;
        s->evidence_missing =
            strcmp(s->status, "scored") == 0 && evidence_lacking(r, PQgetvalue(res, i, 21));
    }
    score_rows(r, rows, n);
    cJSON *all = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(all, row_json(r, &rows[i]));
    free(rows);
    const char *results_text = api_json_text(req, all);
    cJSON_Delete(all);
    const char *yparams[] = {rc->year, rc->rubric_text, access_caller(req)->user_id};
    const char *iparams[] = {rc->year, results_text};
    struct db_job *w = api_write_job(req, "assessment_run");
    db_job_add(w, &run_year, 3, yparams);
    db_job_add(w, &run_clear, 1, iparams);
    db_job_add(w, &run_insert, 2, iparams);
    db_job_add(w, &summary, 1, iparams);
    api_db_run(req, w, 0, run_done);
}

static void handle_run(struct http_request *req)
{
    const char *year;
    if (!assessment_parse_year(req, &year))
        return;
    struct run_call *rc = arena_calloc(&req->arena, sizeof *rc);
    rc->year = year;
    req->state = rc;
    const char *p[] = {year};
    struct db_job *job = api_job(req);
    db_job_add(job, &state, 1, p);
    db_job_add(job, &inputs, 1, p);
    api_db_run(req, job, DB_RETRY_SAFE, run_inputs);
}

/* ---- results ---- */

struct results_call {
    struct list_params lp;
};

static void results_done(struct http_request *req, struct db_job *job)
{
    struct results_call *rc = req->state;
    api_reply_page(req, db_job_result(job, 0), &rc->lp, 2);
}

static void handle_results(struct http_request *req)
{
    static const char *const allowed[] = {"grade", "region_code", NULL};
    static const char *const grades[] = {"excellent", "good", "pass", "fail", NULL};
    const char *year;
    if (!assessment_parse_year(req, &year))
        return;
    struct results_call *rc = arena_calloc(&req->arena, sizeof *rc);
    if (!api_list_params(req, allowed, 2, &rc->lp))
        return;
    const char *grade = query_get(&rc->lp.query, "grade");
    bool known = grade == NULL;
    for (const char *const *g = grades; grade && *g; g++)
        known = known || strcmp(*g, grade) == 0;
    if (!known ||
        (rc->lp.nkeys && (!list_is_integer(rc->lp.keys[0]) || !list_is_integer(rc->lp.keys[1])))) {
        api_param_error(req, known ? "cursor" : "grade",
                        known ? "cursor 无效，请使用上一页返回的 next_cursor"
                              : "应为 excellent、good、pass 或 fail");
        return;
    }
    req->state = rc;
    const char *params[] = {year,
                            grade,
                            query_get(&rc->lp.query, "region_code"),
                            rc->lp.nkeys ? rc->lp.keys[0] : NULL,
                            rc->lp.nkeys ? rc->lp.keys[1] : NULL,
                            rc->lp.limit_plus_one};
    struct db_job *job = api_job(req);
    db_job_add(job, &results, 6, params);
    api_db_run(req, job, DB_RETRY_SAFE, results_done);
}

static const struct field_spec adjust_fields[] = {
    {"score", FIELD_NUMBER, FIELD_REQUIRED | FIELD_NULLABLE, 0, 100, 0, NULL, 0, NULL},
    {"reason", FIELD_TEXT, FIELD_NULLABLE, 0, 1000, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

struct adjust_call {
    const char *year;
    const char *station;
    const char *score; /* NULL: back to the computed score */
    const char *reason;
};

static void adjusted(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT + 2);
    if (PQntuples(res) == 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    http_reply_json_text(req, 200, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
}

static void adjust_state(struct http_request *req, struct db_job *job)
{
    struct adjust_call *ac = req->state;
    PGresult *res = db_job_result(job, 0);
    if (PQntuples(res) == 0) {
        http_problem(req, 404, "not_found", "该工作站在本年度没有考核得分（未运行考核或未评分）");
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 2), "t") == 0) {
        reply_published(req);
        return;
    }
    struct rubric *r = arena_calloc(&req->arena, sizeof *r);
    if (!assessment_load_rubric(req, PQgetvalue(res, 0, 1), r))
        return;
    double score = ac->score ? strtod(ac->score, NULL) : strtod(PQgetvalue(res, 0, 0), NULL);
    const char *params[] = {ac->year,
                            ac->station,
                            ac->score,
                            ac->score ? ac->reason : NULL,
                            access_caller(req)->user_id,
                            rubric_grade_name(rubric_grade_of(r, score))};
    const char *yp[] = {ac->year};
    const char *gp[] = {ac->year, ac->station};
    struct db_job *w = api_write_job(req, "assessment_adjust");
    db_job_add(w, &result_adjust, 6, params);
    db_job_add(w, &rerank, 1, yp);
    db_job_add(w, &result_get, 2, gp);
    api_db_run(req, w, 0, adjusted);
}

static void handle_adjust(struct http_request *req)
{
    const char *year, *station;
    if (!assessment_parse_year(req, &year) || !api_parse_id(req, "workstation_id", &station))
        return;
    cJSON *clean = api_validated_body(req, adjust_fields, VALIDATE_CREATE);
    if (clean == NULL)
        return;
    struct adjust_call *ac = arena_calloc(&req->arena, sizeof *ac);
    ac->year = year;
    ac->station = station;
    const cJSON *score = cJSON_GetObjectItemCaseSensitive(clean, "score");
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(clean, "reason");
    if (cJSON_IsNumber(score))
        ac->score = arena_printf(&req->arena, "%.2f", score->valuedouble);
    if (cJSON_IsString(reason) && reason->valuestring[0] != '\0')
        ac->reason = arena_strdup(&req->arena, reason->valuestring);
    cJSON_Delete(clean);
    if (ac->score && ac->reason == NULL) {
        api_field_error(req, "reason", "required", "调整得分时必须写明理由");
        return;
    }
    req->state = ac;
    const char *params[] = {year, station};
    struct db_job *job = api_job(req);
    db_job_add(job, &result_state, 2, params);
    api_db_run(req, job, DB_RETRY_SAFE, adjust_state);
}

/* ---- publication ---- */

static void published(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
        api_reply_row(req, job, API_FIRST_RESULT + 1, 200);
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 2), "t") == 0)
        reply_published(req);
    else
        http_problem(req, 409, "not_run", "该年度尚未运行考核，没有可发布的结果");
}

static void handle_publish(struct http_request *req)
{
    const char *year;
    if (!assessment_parse_year(req, &year))
        return;
    const char *params[] = {year, access_caller(req)->user_id};
    const char *sp[] = {year};
    struct db_job *job = api_write_job(req, "assessment_publish");
    db_job_add(job, &publish, 2, params);
    db_job_add(job, &summary, 1, sp);
    api_db_run(req, job, 0, published);
}

static const struct constraint_field constraints[] = {
    {"assessment_checklist_workstation_id_fkey", 404, "workstation_id", "unknown_record",
     "工作站不存在"},
    {NULL, 0, NULL, NULL, NULL},
};

void assessments_register(struct router *r)
{
    constraints_register(constraints);
    static struct db_stmt *const stmts[] = {
        &year_get,      &rubric_put, &state,      &station_exists, &inputs,        &run_year,
        &run_clear,     &run_insert, &summary,    &checklist_year, &checklist_put, &result_state,
        &result_adjust, &rerank,     &result_get, &publish,        &results,       NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_GET,
         .pattern = "/api/v1/assessments/{year}/rubric",
         .handler = handle_rubric_get,
         .roles = READERS},
        {.method = HTTP_PUT,
         .pattern = "/api/v1/assessments/{year}/rubric",
         .handler = handle_rubric_put,
         .roles = WRITERS},
        {.method = HTTP_PUT,
         .pattern = "/api/v1/assessments/{year}/checklist/{workstation_id}",
         .handler = handle_checklist_put,
         .roles = WRITERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/assessments/{year}/run",
         .handler = handle_run,
         .roles = WRITERS},
        {.method = HTTP_GET,
         .pattern = "/api/v1/assessments/{year}/results",
         .handler = handle_results,
         .roles = READERS},
        {.method = HTTP_PATCH,
         .pattern = "/api/v1/assessments/{year}/results/{workstation_id}",
         .handler = handle_adjust,
         .roles = WRITERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/assessments/{year}/publish",
         .handler = handle_publish,
         .roles = WRITERS},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
