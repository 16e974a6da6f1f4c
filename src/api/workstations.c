/* Academician workstations (院士工作站): staff keep them (county staff the stations of their
 * region), move them through their statuses with a recorded history, and keep the
 * academicians in residence and the expert team; the host enterprise's users see their own.
 * The annual reports are in workstation_reports.c. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/constraints.h"
#include "api/workstations.h"
#include "api/list.h"
#include "api/list_call.h"
#include "api/resource.h"
#include "api/search.h"

#include "domain/codes.h"
#include "domain/validate.h"
#include "domain/workstation_status.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <event2/buffer.h>
#include <string.h>

const char *const workstation_search_fields[] = {"name", "description", NULL};
static const char *const team_roles[] = {"lead", "member", NULL};

#define STAFF   ROLES_STAFF
#define READERS (ROLES_STAFF | ROLE_ENTERPRISE)
#define MAX_ID  999999999999999LL

const struct field_spec workstation_fields[] = {
    {"name", FIELD_STRING, FIELD_REQUIRED, 1, 200, 0, NULL, 0, NULL},
    {"host_enterprise_id", FIELD_INT, FIELD_REQUIRED, 1, MAX_ID, 0, NULL, 0, NULL},
    {"level", FIELD_ENUM, 0, 0, 0, 0, workstation_level_names, 0, NULL},
    {"region_code", FIELD_STRING, 0, 6, 6, 0, NULL, 0, codes_check_region_code},
    {"industry_code", FIELD_STRING, FIELD_NULLABLE, 1, 3, 0, NULL, 0, codes_check_industry_code},
    {"established_on", FIELD_DATE, FIELD_NULLABLE, 0, 0, 0, NULL, 0, NULL},
    {"term_end", FIELD_DATE, FIELD_NULLABLE, 0, 0, 0, NULL, 0, NULL},
    /* The status a station is entered with (an existing station is often already running);
     * afterwards it changes only through POST .../status, which records the move. */
    {"status", FIELD_ENUM, FIELD_IMMUTABLE, 0, 0, 0, workstation_status_names, 0, NULL},
    {"demonstration_year", FIELD_INT, FIELD_NULLABLE, 1990, 2100, 0, NULL, 0, NULL},
    {"description", FIELD_TEXT, FIELD_NULLABLE, 0, 4000, 0, NULL, 0, NULL},
    {"id", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"host_enterprise_name", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"level_label", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"status_label", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"demonstration", FIELD_BOOL, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"academician_count", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"team_count", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"archived", FIELD_BOOL, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"archived_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"created_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"updated_at", FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {"version", FIELD_INT, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

static const struct field_spec status_fields[] = {
    {"status", FIELD_ENUM, FIELD_REQUIRED, 0, 0, 0, workstation_status_names, 0, NULL},
    {"reason", FIELD_TEXT, FIELD_NULLABLE, 0, 1000, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

static const struct field_spec academician_fields[] = {
    {"expert_id", FIELD_INT, FIELD_REQUIRED, 1, MAX_ID, 0, NULL, 0, NULL},
    {"start_on", FIELD_DATE, FIELD_REQUIRED, 0, 0, 0, NULL, 0, NULL},
    {"end_on", FIELD_DATE, FIELD_NULLABLE, 0, 0, 0, NULL, 0, NULL},
    {"note", FIELD_TEXT, FIELD_NULLABLE, 0, 1000, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

static const struct field_spec team_fields[] = {
    {"expert_id", FIELD_INT, FIELD_REQUIRED, 1, MAX_ID, 0, NULL, 0, NULL},
    {"role", FIELD_ENUM, FIELD_REQUIRED, 0, 0, 0, team_roles, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

/* $1 fields, $2 terms, $3 caller; then the idempotency key columns $4..$7. The first
 * history row records the status the station was entered with. */
static struct db_stmt insert = {
    "workstation_insert",
    "WITH ins AS ("
    "  INSERT INTO workstations (name, host_enterprise_id, level, region_code, industry_code,"
    "    established_on, term_end, status, demonstration_year, description, terms, created_by)"
    "  SELECT j->>'name', (j->>'host_enterprise_id')::bigint, coalesce(j->>'level', 'city'),"
    "    workstation_region(j, $3::jsonb), j->>'industry_code', (j->>'established_on')::date,"
    "    (j->>'term_end')::date, coalesce(j->>'status', 'planning'),"
    "    (j->>'demonstration_year')::int, j->>'description', $2::jsonb,"
    "    ($3::jsonb->>'user_id')::bigint"
    "  FROM (SELECT $1::jsonb AS j) x RETURNING workstations AS w),"
    " hist AS (INSERT INTO workstation_transitions (workstation_id, from_status, to_status,"
    "    reason, user_id, role)"
    "  SELECT (w).id, NULL, (w).status, NULL, ($3::jsonb->>'user_id')::bigint,"
    "    $3::jsonb->>'role' FROM ins),"
    " idem AS (INSERT INTO idempotency_keys (user_id, key, route, request_hash, status, body,"
    "    location)"
    "  SELECT $4::bigint, $5::text, $6::text, $7::text, 201, workstation_json(w)::text,"
    "    '/api/v1/workstations/' || (w).id FROM ins WHERE $5::text IS NOT NULL)"
    " SELECT workstation_json(w)::text, (w).version::text, (w).id::text FROM ins",
    7, 0};

static struct db_stmt get = {"workstation_get",
                             "SELECT workstation_json(w)::text, w.version::text FROM workstations w"
                             " WHERE w.id = $1::bigint AND (w.archived_at IS NULL OR $3::boolean)"
                             "   AND workstation_can_read(w, $2::jsonb)",
                             3, 0};

/* $1 id, $2 fields, $3 terms, $4 expected version, $5 caller. */
static struct db_stmt patch = {
    "workstation_patch",
    "WITH p AS (SELECT $2::jsonb AS j),"
    " cur AS (SELECT x.id, x.version, workstation_can_read(x, $5::jsonb) AS r,"
    "           workstation_can_write(x, $5::jsonb) AS w"
    "         FROM workstations x WHERE x.id = $1::bigint AND x.archived_at IS NULL),"
    " upd AS (UPDATE workstations e SET"
    "   name = CASE WHEN j ? 'name' THEN j->>'name' ELSE e.name END,"
    "   host_enterprise_id = CASE WHEN j ? 'host_enterprise_id'"
    "                        THEN (j->>'host_enterprise_id')::bigint"
    "                        ELSE e.host_enterprise_id END,"
    "   level = CASE WHEN j ? 'level' THEN j->>'level' ELSE e.level END,"
    "   region_code = CASE WHEN j ? 'region_code' THEN j->>'region_code' ELSE e.region_code END,"
    "   industry_code = CASE WHEN j ? 'industry_code' THEN j->>'industry_code'"
    "                   ELSE e.industry_code END,"
    "   established_on = CASE WHEN j ? 'established_on' THEN (j->>'established_on')::date"
    "                    ELSE e.established_on END,"
    "   term_end = CASE WHEN j ? 'term_end' THEN (j->>'term_end')::date ELSE e.term_end END,"
    "   demonstration_year = CASE WHEN j ? 'demonstration_year'"
    "                        THEN (j->>'demonstration_year')::int"
    "                        ELSE e.demonstration_year END,"
    "   description = CASE WHEN j ? 'description' THEN j->>'description' ELSE e.description END,"
    "   terms = e.terms || $3::jsonb, updated_at = now(), version = e.version + 1"
    "   FROM p, cur WHERE e.id = cur.id AND cur.r AND cur.w"
    "     AND ($4::int IS NULL OR e.version = $4::int)"
    "   RETURNING e)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT workstation_json(upd.e)::text FROM upd), (SELECT (upd.e).version::text FROM upd)",
    5, 0};

/* $1 id, $2 caller, $3 expected version, $4 archive (true) or restore (false). Archiving an
 * archived record (or restoring a live one) changes nothing and answers its current state. */
static struct db_stmt archive = {
    "workstation_archive",
    "WITH cur AS (SELECT x AS row, workstation_can_read(x, $2::jsonb) AS r,"
    "           workstation_can_write(x, $2::jsonb) AS w"
    "         FROM workstations x WHERE x.id = $1::bigint),"
    " upd AS (UPDATE workstations e SET"
    "   archived_at = CASE WHEN $4::boolean THEN now() END,"
    "   archived_by = CASE WHEN $4::boolean THEN ($2::jsonb->>'user_id')::bigint END,"
    "   updated_at = now(), version = e.version + 1"
    "   FROM cur WHERE e.id = (cur.row).id AND cur.r AND cur.w"
    "     AND (e.archived_at IS NULL) = $4::boolean"
    "     AND ($3::int IS NULL OR e.version = $3::int)"
    "   RETURNING e)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  coalesce((SELECT workstation_json(upd.e)::text FROM upd),"
    "           (SELECT workstation_json(cur.row)::text FROM cur"
    "            WHERE ((cur.row).archived_at IS NULL) <> $4::boolean"
    "              AND ($3::int IS NULL OR (cur.row).version = $3::int))),"
    "  coalesce((SELECT (upd.e).version::text FROM upd),"
    "           (SELECT (cur.row).version::text FROM cur))",
    4, 0};

/* $1 id, $2 caller, $3 expected version, $4 the status it starts from, $5 the status it leads
 * to (the move checked by domain/workstation_status), $6 reason. The row is locked so that of
 * two concurrent moves the second sees the first's status. Answers (readable, writable, json,
 * version, current status, current version). */
static struct db_stmt move = {
    "workstation_move",
    "WITH cur AS (SELECT x AS row, workstation_can_read(x, $2::jsonb) AS r,"
    "           workstation_can_write(x, $2::jsonb) AS w"
    "         FROM workstations x WHERE x.id = $1::bigint AND x.archived_at IS NULL FOR UPDATE),"
    " upd AS (UPDATE workstations e SET status = $5::text, updated_at = now(),"
    "   version = e.version + 1"
    "   FROM cur WHERE e.id = (cur.row).id AND cur.r AND cur.w AND (cur.row).status = $4::text"
    "     AND ($3::int IS NULL OR e.version = $3::int)"
    "   RETURNING e),"
    " hist AS (INSERT INTO workstation_transitions (workstation_id, from_status, to_status,"
    "    reason, user_id, role)"
    "  SELECT (upd.e).id, $4::text, $5::text, $6::text, ($2::jsonb->>'user_id')::bigint,"
    "    $2::jsonb->>'role' FROM upd)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT workstation_json(upd.e)::text FROM upd), (SELECT (upd.e).version::text FROM upd),"
    "  (SELECT (cur.row).status FROM cur), (SELECT (cur.row).version::text FROM cur)",
    6, 0};

/* $1 id, $2 caller: the current status of a station the caller may change (a move is
 * decided from it before the locked update re-checks it). */
static struct db_stmt current_status = {
    "workstation_current_status",
    "SELECT workstation_can_write(w, $2::jsonb), w.status FROM workstations w"
    " WHERE w.id = $1::bigint AND w.archived_at IS NULL AND workstation_can_read(w, $2::jsonb)",
    2, 0};

/* $1 id, $2 caller: one row when the caller may see the station (sub-resource reads). */
static struct db_stmt visible = {"workstation_visible",
                                 "SELECT 1 FROM workstations w WHERE w.id = $1::bigint"
                                 "   AND workstation_can_read(w, $2::jsonb)",
                                 2, 0};

/* Sub-lists: $1 station, $2 after key, $3 limit (visibility is checked beside them). */
static struct db_stmt history = {
    "workstation_history",
    "SELECT workstation_transition_json(t)::text, t.id::text FROM workstation_transitions t"
    " WHERE t.workstation_id = $1::bigint AND ($2::bigint IS NULL OR t.id > $2::bigint)"
    " ORDER BY t.id LIMIT $3::int",
    3, 0};

static struct db_stmt academicians = {
    "workstation_academicians",
    "SELECT workstation_academician_json(a)::text, a.expert_id::text"
    " FROM workstation_academicians a WHERE a.workstation_id = $1::bigint"
    "   AND ($2::bigint IS NULL OR a.expert_id > $2::bigint)"
    " ORDER BY a.expert_id LIMIT $3::int",
    3, 0};

static struct db_stmt team = {"workstation_team",
                              "SELECT workstation_team_json(m)::text, m.expert_id::text"
                              " FROM workstation_team m WHERE m.workstation_id = $1::bigint"
                              "   AND ($2::bigint IS NULL OR m.expert_id > $2::bigint)"
                              " ORDER BY m.expert_id LIMIT $3::int",
                              3, 0};

/* $1 id, $2 caller, $3 member fields. Answers (readable, writable, member json). A duplicate
 * is the primary key's 409, an unknown expert the foreign key's 400. */
static struct db_stmt academician_add = {
    "workstation_academician_add",
    "WITH cur AS (SELECT workstation_can_read(x, $2::jsonb) AS r,"
    "           workstation_can_write(x, $2::jsonb) AS w"
    "         FROM workstations x WHERE x.id = $1::bigint AND x.archived_at IS NULL),"
    " ins AS (INSERT INTO workstation_academicians (workstation_id, expert_id, start_on, end_on,"
    "    note)"
    "   SELECT $1::bigint, ($3::jsonb->>'expert_id')::bigint, ($3::jsonb->>'start_on')::date,"
    "     ($3::jsonb->>'end_on')::date, $3::jsonb->>'note' FROM cur WHERE cur.r AND cur.w"
    "   RETURNING workstation_academicians AS m)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT workstation_academician_json(m)::text FROM ins)",
    3, 0};

static struct db_stmt team_add = {
    "workstation_team_add",
    "WITH cur AS (SELECT workstation_can_read(x, $2::jsonb) AS r,"
    "           workstation_can_write(x, $2::jsonb) AS w"
    "         FROM workstations x WHERE x.id = $1::bigint AND x.archived_at IS NULL),"
    " ins AS (INSERT INTO workstation_team (workstation_id, expert_id, role)"
    "   SELECT $1::bigint, ($3::jsonb->>'expert_id')::bigint, $3::jsonb->>'role'"
    "   FROM cur WHERE cur.r AND cur.w RETURNING workstation_team AS m)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT workstation_team_json(m)::text FROM ins)",
    3, 0};

/* $1 id, $2 caller, $3 expert. Answers (readable, writable, rows removed). */
static struct db_stmt academician_remove = {
    "workstation_academician_remove",
    "WITH cur AS (SELECT workstation_can_read(x, $2::jsonb) AS r,"
    "           workstation_can_write(x, $2::jsonb) AS w"
    "         FROM workstations x WHERE x.id = $1::bigint AND x.archived_at IS NULL),"
    " del AS (DELETE FROM workstation_academicians m USING cur"
    "   WHERE m.workstation_id = $1::bigint AND m.expert_id = $3::bigint AND cur.r AND cur.w"
    "   RETURNING m.expert_id)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT count(*) FROM del)::text",
    3, 0};

static struct db_stmt team_remove = {
    "workstation_team_remove",
    "WITH cur AS (SELECT workstation_can_read(x, $2::jsonb) AS r,"
    "           workstation_can_write(x, $2::jsonb) AS w"
    "         FROM workstations x WHERE x.id = $1::bigint AND x.archived_at IS NULL),"
    " del AS (DELETE FROM workstation_team m USING cur"
    "   WHERE m.workstation_id = $1::bigint AND m.expert_id = $3::bigint AND cur.r AND cur.w"
    "   RETURNING m.expert_id)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT count(*) FROM del)::text",
    3, 0};

/* Filters: $1 caller, $2 include archived, $3 status, $4 level, $5 region, $6 industry,
 * $7 host enterprise, $8 demonstration, $9 updated since, $10 tsquery; then the keyset
 * $11 $12 and $13 the row limit. Enterprise users see only the stations they host. */
#define LIST_FROM                                                                                  \
    " FROM workstations w"                                                                         \
    " WHERE (w.archived_at IS NULL OR $2::boolean)"                                                \
    "   AND ($1::jsonb->>'role' <> 'enterprise'"                                                   \
    "        OR w.host_enterprise_id = ($1::jsonb->>'enterprise')::bigint)"                        \
    "   AND ($3::text IS NULL OR w.status = $3) AND ($4::text IS NULL OR w.level = $4)"            \
    "   AND ($5::text IS NULL OR w.region_code = $5)"                                              \
    "   AND ($6::text IS NULL OR w.industry_code = $6)"                                            \
    "   AND ($7::bigint IS NULL OR w.host_enterprise_id = $7::bigint)"                             \
    "   AND ($8::boolean IS NULL OR (w.demonstration_year IS NOT NULL) = $8::boolean)"             \
    "   AND ($9::timestamptz IS NULL OR w.updated_at >= $9::timestamptz)"                          \
    "   AND ($10::tsquery IS NULL OR w.search @@ $10::tsquery)"

static struct db_stmt list_by_id = {
    "workstation_list_id",
    "SELECT workstation_json(w)::text, w.id::text AS key1, '' AS key2" LIST_FROM
    "   AND ($11::bigint IS NULL OR w.id > $11::bigint) AND $12::text IS NULL"
    " ORDER BY w.id LIMIT $13::int",
    13, 0};

static struct db_stmt list_by_updated = {
    "workstation_list_updated",
    "SELECT workstation_json(w)::text, w.updated_at::text AS key1, w.id::text AS key2" LIST_FROM
    "   AND ($11::timestamptz IS NULL OR (w.updated_at, w.id) < ($11::timestamptz, $12::bigint))"
    " ORDER BY w.updated_at DESC, w.id DESC LIMIT $13::int",
    13, 0};

static struct db_stmt list_by_rank = {
    "workstation_list_rank",
    "SELECT workstation_json(w)::text, ts_rank(w.search, $10::tsquery)::text AS key1,"
    " w.id::text AS key2" LIST_FROM
    "   AND ($11::real IS NULL OR ts_rank(w.search, $10::tsquery) < $11::real"
    "        OR (ts_rank(w.search, $10::tsquery) = $11::real AND w.id > $12::bigint))"
    " ORDER BY ts_rank(w.search, $10::tsquery) DESC, w.id LIMIT $13::int",
    13, 0};

/* ---- helpers ---- */

/* Reads (readable, writable, ...) of a result: replies 404/403 and returns false. */
static bool scope_ok(struct http_request *req, PGresult *res)
{
    if (PQntuples(res) == 0 || strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        http_problem(req, 404, "not_found", NULL);
        return false;
    }
    if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
        http_problem(req, 403, "forbidden", "您可以查看此工作站，但无权修改");
        return false;
    }
    return true;
}

/* ---- reads ---- */

static void handle_get(struct http_request *req)
{
    api_get_record(req, &get);
}

static bool list_sort(struct http_request *req, struct list_call *lc, const char *sort,
                      const char *q)
{
    if (sort == NULL)
        lc->stmt = q ? &list_by_rank : &list_by_id;
    else if (strcmp(sort, "id") == 0)
        lc->stmt = &list_by_id;
    else if (strcmp(sort, "-updated_at") == 0)
        lc->stmt = &list_by_updated;
    else if (strcmp(sort, "relevance") == 0 && q)
        lc->stmt = &list_by_rank;
    else
        return api_param_error(req, "sort", "应为 id、-updated_at 或 relevance（需同时给出 q）");
    /* Cursor keys must be of the sort's type; checked here so that a forged cursor is a 400. */
    return api_list_cursor_integer(req, lc, lc->stmt == &list_by_id ? 0 : 1);
}

/* Checks the filters and the sort; fills the statement's parameters. */
static bool list_parse(struct http_request *req, struct list_call *lc, const char **q)
{
    const struct query *qs = &lc->lp.query;
    const char *status = query_get(qs, "status"), *level = query_get(qs, "level");
    const char *host = query_get(qs, "host_enterprise_id"), *demo = query_get(qs, "demonstration");
    const char *since = query_get(qs, "updated_since");
    const char *archived;
    if (!api_include_archived(req, query_get(qs, "include_archived"), &archived))
        return false;
    if (status && !list_one_of(status, workstation_status_names))
        return api_param_error(req, "status",
                               "应为 planning、running、suspended、revoked 或 concluded");
    if (level && !list_one_of(level, workstation_level_names))
        return api_param_error(req, "level", "应为 city 或 provincial");
    if (host && !(list_is_integer(host) && host[0] != '-' && host[0] != '0'))
        return api_param_error(req, "host_enterprise_id", "应为正整数编号");
    if (demo && strcmp(demo, "true") != 0 && strcmp(demo, "false") != 0)
        return api_param_error(req, "demonstration", "应为 true 或 false");
    if (since && !validate_datetime(since))
        return api_param_error(req, "updated_since", "应为 RFC 3339 时间");
    *q = query_get(qs, "q");
    if (*q && **q == '\0')
        *q = NULL;
    if (!list_sort(req, lc, query_get(qs, "sort"), *q))
        return false;
    bool int_key = lc->stmt == &list_by_id;
    const char *const p[13] = {api_caller_json(req),
                               archived,
                               status,
                               level,
                               query_get(qs, "region_code"),
                               query_get(qs, "industry_code"),
                               host,
                               demo,
                               since,
                               NULL,
                               lc->lp.nkeys ? lc->lp.keys[0] : NULL,
                               lc->lp.nkeys && !int_key ? lc->lp.keys[1] : NULL,
                               lc->lp.limit_plus_one};
    memcpy(lc->params, p, sizeof p);
    lc->nparams = 13;
    lc->tsquery_param = 9;
    lc->by_relevance = &list_by_rank;
    lc->by_id = &list_by_id;
    return true;
}

static void handle_list(struct http_request *req)
{
    static const char *const allowed[] = {"status",
                                          "level",
                                          "region_code",
                                          "industry_code",
                                          "host_enterprise_id",
                                          "demonstration",
                                          "updated_since",
                                          "q",
                                          "include_archived",
                                          "sort",
                                          NULL};
    struct list_call *lc = api_list_call(req, allowed, 2);
    if (lc == NULL)
        return;
    const char *q = NULL;
    if (!list_parse(req, lc, &q))
        return;
    api_list_run(req, lc, q);
}

/* A page of a station's sub-list (history, academicians, team), keyed by one integer: 404
 * when the station is not visible. */
struct sub_list_call {
    struct list_params lp;
};

static void sub_list_done(struct http_request *req, struct db_job *job)
{
    struct sub_list_call *sc = req->state;
    if (PQntuples(db_job_result(job, 0)) == 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    api_reply_page(req, db_job_result(job, 1), &sc->lp, 1);
}

static void sub_list(struct http_request *req, struct db_stmt *stmt)
{
    static const char *const allowed[] = {NULL};
    const char *id;
    struct sub_list_call *sc = arena_calloc(&req->arena, sizeof *sc);
    if (!api_parse_id(req, "id", &id) || !api_list_params(req, allowed, 1, &sc->lp))
        return;
    if (sc->lp.nkeys && !list_is_integer(sc->lp.keys[0])) {
        api_param_error(req, "cursor", "cursor 无效，请使用上一页返回的 next_cursor");
        return;
    }
    req->state = sc;
    const char *vis[] = {id, api_caller_json(req)};
    const char *params[] = {id, sc->lp.nkeys ? sc->lp.keys[0] : NULL, sc->lp.limit_plus_one};
    struct db_job *job = api_job(req);
    db_job_add(job, &visible, 2, vis);
    db_job_add(job, stmt, 3, params);
    api_db_run(req, job, DB_RETRY_SAFE, sub_list_done);
}

static void handle_history(struct http_request *req)
{
    sub_list(req, &history);
}

static void handle_academicians(struct http_request *req)
{
    sub_list(req, &academicians);
}

static void handle_team(struct http_request *req)
{
    sub_list(req, &team);
}

/* ---- writes ---- */

static void handle_create(struct http_request *req)
{
    cJSON *clean = api_validated_body(req, workstation_fields, VALIDATE_CREATE);
    if (clean == NULL)
        return;
    if (!api_region_in_scope(req, clean, false)) {
        cJSON_Delete(clean);
        return;
    }
    const char *params[] = {api_json_text(req, clean),
                            api_search_terms(req, clean, workstation_search_fields),
                            api_caller_json(req)};
    cJSON_Delete(clean);
    api_create(req, &insert, 3, params, "/api/v1/workstations/");
}

static void handle_patch(struct http_request *req)
{
    const char *id, *version;
    if (!api_parse_id(req, "id", &id) || !api_if_match(req, &version))
        return;
    cJSON *clean = api_validated_body(req, workstation_fields, VALIDATE_PATCH);
    if (clean == NULL)
        return;
    if (!api_region_in_scope(req, clean, false)) {
        cJSON_Delete(clean);
        return;
    }
    const char *params[] = {id, api_json_text(req, clean),
                            api_search_terms(req, clean, workstation_search_fields), version,
                            api_caller_json(req)};
    cJSON_Delete(clean);
    struct db_job *job = api_write_job(req, NULL);
    db_job_add(job, &patch, 5, params);
    api_db_run(req, job, 0, api_write_done);
}

static void handle_archive(struct http_request *req)
{
    api_archive_record(req, &archive, true);
}

static void handle_restore(struct http_request *req)
{
    api_archive_record(req, &archive, false);
}

/* ---- status moves ---- */

struct move_call {
    const char *id;
    const char *version;
    enum workstation_status to;
    const char *reason;
};

static void moved(struct http_request *req, struct db_job *job)
{
    struct move_call *mc = req->state;
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (!scope_ok(req, res))
        return;
    if (!PQgetisnull(res, 0, 2)) {
        api_set_etag(req, PQgetvalue(res, 0, 3));
        http_reply_json_text(req, 200, PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2));
        return;
    }
    if (mc->version && strcmp(PQgetvalue(res, 0, 5), mc->version) != 0) {
        http_problem(req, 412, "precondition_failed", NULL);
        return;
    }
    http_problem(req, 409, "invalid_transition", "工作站状态已被他人修改，请刷新后重试");
}

/* The move is decided from the current status, then applied by a statement that re-checks
 * that status under a row lock. */
static void status_read(struct http_request *req, struct db_job *job)
{
    struct move_call *mc = req->state;
    PGresult *res = db_job_result(job, 0);
    if (PQntuples(res) == 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
        http_problem(req, 403, "forbidden", "您可以查看此工作站，但无权修改");
        return;
    }
    enum workstation_status from;
    if (!workstation_status_parse(PQgetvalue(res, 0, 1), &from) ||
        !workstation_status_can_move(from, mc->to)) {
        http_problem(req, 409, "invalid_transition",
                     arena_printf(&req->arena, "工作站当前状态为“%s”，不能改为“%s”",
                                  workstation_status_label(from),
                                  workstation_status_label(mc->to)));
        return;
    }
    const char *params[] = {mc->id,
                            api_caller_json(req),
                            mc->version,
                            workstation_status_name(from),
                            workstation_status_name(mc->to),
                            mc->reason};
    struct db_job *w = api_write_job(req, "status");
    db_job_add(w, &move, 6, params);
    api_db_run(req, w, 0, moved);
}

static void handle_status(struct http_request *req)
{
    const char *id, *version;
    if (!api_parse_id(req, "id", &id) || !api_if_match(req, &version))
        return;
    cJSON *clean = api_validated_body(req, status_fields, VALIDATE_CREATE);
    if (clean == NULL)
        return;
    struct move_call *mc = arena_calloc(&req->arena, sizeof *mc);
    mc->id = id;
    mc->version = version;
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(clean, "status");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(clean, "reason");
    bool known = workstation_status_parse(s->valuestring, &mc->to);
    if (cJSON_IsString(r) && r->valuestring[0] != '\0')
        mc->reason = arena_strdup(&req->arena, r->valuestring);
    cJSON_Delete(clean);
    if (!known) {
        api_field_error(req, "status", "invalid_value", "状态代码无效");
        return;
    }
    if (mc->reason == NULL && workstation_status_needs_reason(mc->to)) {
        api_field_error(req, "reason", "required", "暂停或撤销工作站时必须说明原因");
        return;
    }
    req->state = mc;
    const char *params[] = {id, api_caller_json(req)};
    struct db_job *job = api_job(req);
    db_job_add(job, &current_status, 2, params);
    api_db_run(req, job, DB_RETRY_SAFE, status_read);
}

/* ---- academicians in residence and the team ---- */

static void member_added(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (!scope_ok(req, res))
        return;
    http_reply_json_text(req, 201, PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2));
}

static void member_add(struct http_request *req, const struct field_spec *specs,
                       struct db_stmt *stmt)
{
    const char *id;
    if (!api_parse_id(req, "id", &id))
        return;
    cJSON *clean = api_validated_body(req, specs, VALIDATE_CREATE);
    if (clean == NULL)
        return;
    const char *params[] = {id, api_caller_json(req), api_json_text(req, clean)};
    cJSON_Delete(clean);
    struct db_job *job = api_write_job(req, NULL);
    db_job_add(job, stmt, 3, params);
    api_db_run(req, job, 0, member_added);
}

static void handle_academician_add(struct http_request *req)
{
    member_add(req, academician_fields, &academician_add);
}

static void handle_team_add(struct http_request *req)
{
    member_add(req, team_fields, &team_add);
}

static void member_removed(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    if (!scope_ok(req, res))
        return;
    if (strcmp(PQgetvalue(res, 0, 2), "0") == 0) {
        http_problem(req, 404, "not_found", "该专家不在此工作站的名单中");
        return;
    }
    http_reply_empty(req, 204);
}

static void member_remove(struct http_request *req, struct db_stmt *stmt)
{
    const char *id, *expert;
    if (!api_parse_id(req, "id", &id) || !api_parse_id(req, "expert_id", &expert))
        return;
    const char *params[] = {id, api_caller_json(req), expert};
    struct db_job *job = api_write_job(req, NULL);
    db_job_add(job, stmt, 3, params);
    api_db_run(req, job, 0, member_removed);
}

static void handle_academician_remove(struct http_request *req)
{
    member_remove(req, &academician_remove);
}

static void handle_team_remove(struct http_request *req)
{
    member_remove(req, &team_remove);
}

static const struct constraint_field constraints[] = {
    {"workstations_dates", 400, "term_end", "invalid_range", "协议期满日期不能早于建站日期"},
    {"workstations_region_code_fkey", 400, "region_code", "unknown_code", "地区代码不存在"},
    {"workstations_industry_code_fkey", 400, "industry_code", "unknown_code", "行业代码不存在"},
    {"workstations_host_enterprise_id_fkey", 400, "host_enterprise_id", "unknown_record",
     "依托企业不存在"},
    {"workstation_academicians_pkey", 409, "expert_id", "duplicate", "该院士已在此工作站名单中"},
    {"workstation_academicians_expert_id_fkey", 400, "expert_id", "unknown_record", "院士不存在"},
    {"workstation_academicians_kind", 400, "expert_id", "not_academician",
     "只有院士库中的院士可以进站"},
    {"workstation_academicians_dates", 400, "end_on", "invalid_range", "离站日期不能早于进站日期"},
    {"workstation_team_pkey", 409, "expert_id", "duplicate", "该专家已在此工作站团队中"},
    {"workstation_team_expert_id_fkey", 400, "expert_id", "unknown_record", "专家不存在"},
    /* The columns of older tables that now name a station. */
    {"projects_workstation_id_fkey", 400, "workstation_id", "unknown_record", "工作站不存在"},
    {"service_activities_workstation_id_fkey", 400, "workstation_id", "unknown_record",
     "工作站不存在"},
    {NULL, 0, NULL, NULL, NULL},
};

void workstations_register(struct router *r)
{
    constraints_register(constraints);
    static struct db_stmt *const stmts[] = {&insert,
                                            &get,
                                            &patch,
                                            &archive,
                                            &move,
                                            &current_status,
                                            &visible,
                                            &history,
                                            &academicians,
                                            &team,
                                            &academician_add,
                                            &team_add,
                                            &academician_remove,
                                            &team_remove,
                                            &list_by_id,
                                            &list_by_updated,
                                            &list_by_rank,
                                            NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_GET,
         .pattern = "/api/v1/workstations",
         .handler = handle_list,
         .roles = READERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/workstations",
         .handler = handle_create,
         .roles = STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/workstations/{id}",
         .handler = handle_get,
         .roles = READERS},
        {.method = HTTP_PATCH,
         .pattern = "/api/v1/workstations/{id}",
         .handler = handle_patch,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/workstations/{id}/archive",
         .handler = handle_archive,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/workstations/{id}/restore",
         .handler = handle_restore,
         .roles = STAFF},
        {.method = HTTP_POST,
         .pattern = "/api/v1/workstations/{id}/status",
         .handler = handle_status,
         .roles = STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/workstations/{id}/history",
         .handler = handle_history,
         .roles = READERS},
        {.method = HTTP_GET,
         .pattern = "/api/v1/workstations/{id}/academicians",
         .handler = handle_academicians,
         .roles = READERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/workstations/{id}/academicians",
         .handler = handle_academician_add,
         .roles = STAFF},
        {.method = HTTP_DELETE,
         .pattern = "/api/v1/workstations/{id}/academicians/{expert_id}",
         .handler = handle_academician_remove,
         .roles = STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/workstations/{id}/team",
         .handler = handle_team,
         .roles = READERS},
        {.method = HTTP_POST,
         .pattern = "/api/v1/workstations/{id}/team",
         .handler = handle_team_add,
         .roles = STAFF},
        {.method = HTTP_DELETE,
         .pattern = "/api/v1/workstations/{id}/team/{expert_id}",
         .handler = handle_team_remove,
         .roles = STAFF},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
