/* The expert and academician libraries: staff keep them (county staff the records of their
 * region); an expert user reads and edits their own record, contact details and consent
 * included. Contact data (phone, e-mail, ID number, address) is personal data: a single record
 * shows it in full only to those entitled, and each such read is in the audit log; lists
 * always mask it. */
#include "api/experts_resource.h"

#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/constraints.h"
#include "api/list.h"
#include "api/list_call.h"
#include "api/read_cache.h"
#include "api/resource.h"
#include "api/search.h"

#include "core/lru.h"
#include "domain/codes.h"
#include "domain/person_years.h"
#include "domain/validate.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define STAFF ROLES_STAFF
#define OWN   (ROLES_STAFF | ROLE_EXPERT) /* the expert may keep these up to date */

const char *const expert_search_fields[] = {"name",         "keywords",    "research_fields",
                                            "achievements", "affiliation", "position",
                                            "division",     NULL};
static const char *const genders[] = {"male", "female", NULL};
static const char *const titles[] = {
    "senior", "associate_senior", "intermediate", "junior", "other", NULL};
static const char *const affiliation_kinds[] = {"university", "institute", "enterprise", "other",
                                                NULL};
static const char *const service_modes[] = {"transfer", "commissioned", "joint",
                                            "training", "consulting",   NULL};
static const char *const academies[] = {"CAS", "CAE", "foreign", NULL};
static const char *const city_ties[] = {"native", "work", "cooperation", NULL};
static const char *const statuses[] = {"active", "retired", "deceased", NULL};

/* The fields both kinds have, then each kind's own and the read-only ones. */
#define PERSON_FIELDS                                                                                \
    {"name", FIELD_STRING, FIELD_REQUIRED, 1, 64, 0, NULL, STAFF, NULL},                             \
        {"gender", FIELD_ENUM, FIELD_NULLABLE, 0, 0, 0, genders, STAFF, NULL},                       \
        {"birth_year", FIELD_INT, FIELD_NULLABLE, 1900, 2100, 0, NULL, STAFF, NULL},                 \
        {"title", FIELD_ENUM, FIELD_NULLABLE, 0, 0, 0, titles, STAFF, NULL},                         \
        {"position", FIELD_STRING, FIELD_NULLABLE, 0, 100, 0, NULL, OWN, NULL},                      \
        {"affiliation", FIELD_STRING, FIELD_NULLABLE, 0, 200, 0, NULL, STAFF, NULL},                 \
        {"affiliation_kind", FIELD_ENUM, FIELD_NULLABLE, 0, 0, 0, affiliation_kinds, STAFF, NULL},   \
        {"region_code", FIELD_STRING, FIELD_NULLABLE,         6, 6, 0,                               \
         NULL,          STAFF,        codes_check_region_code},                                      \
        {"discipline_codes",         FIELD_STRING_ARRAY, 0, 3, 5, 20, NULL, STAFF,                   \
         codes_check_discipline_code},                                                               \
        {"industry_codes", FIELD_STRING_ARRAY, 0, 1, 3, 20, NULL, STAFF, codes_check_industry_code}, \
        {"research_fields", FIELD_TEXT, FIELD_NULLABLE, 0, 2000, 0, NULL, OWN, NULL},                \
        {"keywords", FIELD_STRING_ARRAY, 0, 1, 32, 30, NULL, OWN, NULL},                             \
        {"achievements", FIELD_TEXT, FIELD_NULLABLE, 0, 4000, 0, NULL, OWN, NULL},                   \
        {"service_modes", FIELD_ENUM_ARRAY, 0, 0, 0, 5, service_modes, OWN, NULL},                   \
        {"phone", FIELD_STRING, FIELD_NULLABLE, 0, 32, 0, NULL, OWN, codes_check_phone},             \
        {"email", FIELD_STRING, FIELD_NULLABLE, 0, 254, 0, NULL, OWN, codes_check_email},            \
        {"id_number", FIELD_STRING, FIELD_NULLABLE, 0, 18, 0, NULL, OWN, codes_check_id_number},     \
        {"address", FIELD_STRING, FIELD_NULLABLE, 0, 200, 0, NULL, OWN, NULL},                       \
        {"consent", FIELD_BOOL, 0, 0, 0, 0, NULL, OWN, NULL},                                        \
    {                                                                                                \
        "available", FIELD_BOOL, 0, 0, 0, 0, NULL, OWN, NULL                                         \
    }

#define READ_ONLY(name)                                                                            \
    {                                                                                              \
        name, FIELD_STRING, FIELD_READ_ONLY, 0, 0, 0, NULL, 0, NULL                                \
    }
#define COMMON_READ_ONLY                                                                           \
    READ_ONLY("id"), READ_ONLY("kind"), READ_ONLY("kind_label"), READ_ONLY("gender_label"),        \
        READ_ONLY("title_label"), READ_ONLY("affiliation_kind_label"),                             \
        READ_ONLY("service_mode_labels"), READ_ONLY("contact_masked"), READ_ONLY("consent_at"),    \
        READ_ONLY("archived"), READ_ONLY("archived_at"), READ_ONLY("created_at"),                  \
        READ_ONLY("updated_at"), READ_ONLY("version")

const struct field_spec expert_fields[] = {
    PERSON_FIELDS,
    COMMON_READ_ONLY,
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

const struct field_spec academician_fields[] = {
    PERSON_FIELDS,
    {"academy", FIELD_ENUM, FIELD_REQUIRED, 0, 0, 0, academies, STAFF, NULL},
    {"division", FIELD_STRING, FIELD_NULLABLE, 0, 64, 0, NULL, STAFF, NULL},
    {"election_year", FIELD_INT, FIELD_NULLABLE, 1948, 2100, 0, NULL, STAFF, NULL},
    {"city_ties", FIELD_ENUM_ARRAY, 0, 0, 0, 3, city_ties, STAFF, NULL},
    {"ties_note", FIELD_TEXT, FIELD_NULLABLE, 0, 500, 0, NULL, STAFF, NULL},
    {"status", FIELD_ENUM, 0, 0, 0, 0, statuses, STAFF, NULL},
    COMMON_READ_ONLY,
    READ_ONLY("academy_label"),
    READ_ONLY("city_tie_labels"),
    READ_ONLY("status_label"),
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

/* Which library a request is about, from its route. */
static bool is_academician_route(const struct http_request *req)
{
    return req->route && strncmp(req->route->pattern, "/api/v1/academicians", 20) == 0;
}

/* The kind a record must have to be found under this route: /experts/{id} finds both. */
static const char *route_kind_filter(const struct http_request *req)
{
    return is_academician_route(req) ? "academician" : NULL;
}

/* ---- statements ---- */

/* $1 fields, $2 terms, $3 caller, $4 kind; then the idempotency key columns $5..$8. */
static struct db_stmt insert = {
    "expert_insert",
    "WITH ins AS ("
    "  INSERT INTO experts (kind, name, gender, birth_year, title, position, affiliation,"
    "    affiliation_kind, region_code, discipline_codes, industry_codes, research_fields,"
    "    keywords, achievements, service_modes, phone, email, id_number, address, consent,"
    "    consent_at, available, academy, division, election_year, city_ties, ties_note, status,"
    "    terms, created_by)"
    "  SELECT $4::text, j->>'name', j->>'gender', (j->>'birth_year')::int, j->>'title',"
    "    j->>'position', j->>'affiliation', j->>'affiliation_kind', j->>'region_code',"
    "    jsonb_text_array(j->'discipline_codes'), jsonb_text_array(j->'industry_codes'),"
    "    j->>'research_fields', jsonb_text_array(j->'keywords'), j->>'achievements',"
    "    jsonb_text_array(j->'service_modes'), j->>'phone', j->>'email', upper(j->>'id_number'),"
    "    j->>'address', coalesce((j->>'consent')::boolean, false),"
    "    CASE WHEN (j->>'consent')::boolean THEN now() END,"
    "    coalesce((j->>'available')::boolean, true), j->>'academy', j->>'division',"
    "    (j->>'election_year')::int, jsonb_text_array(j->'city_ties'), j->>'ties_note',"
    "    coalesce(j->>'status', 'active'), $2::jsonb, ($3::jsonb->>'user_id')::bigint"
    "  FROM (SELECT $1::jsonb AS j) x RETURNING experts AS e),"
    " idem AS (INSERT INTO idempotency_keys (user_id, key, route, request_hash, status, body,"
    "    location)"
    "  SELECT $5::bigint, $6::text, $7::text, $8::text, 201, expert_json(e, true)::text,"
    "    CASE $4::text WHEN 'academician' THEN '/api/v1/academicians/' ELSE '/api/v1/experts/'"
    "    END || (e).id FROM ins WHERE $6::text IS NOT NULL)"
    " SELECT expert_json(e, true)::text, (e).version::text, (e).id::text FROM ins",
    8, 0};

/* $1 id. The whole record, whoever asks: the caller's rules are applied afterwards in C
 * (record_visible), so the same row serves every caller from the cache. Whoever may read a
 * record may see its contact data; each such read is queued for the audit log (batched: see
 * api/read_cache.h and docs/security.md). */
static struct db_stmt get = {
    "expert_get",
    "SELECT expert_json(e, true)::text, e.version::text, e.kind,"
    " (e.archived_at IS NOT NULL)::text,"
    " (coalesce(e.phone, e.email, e.id_number, e.address) IS NOT NULL)::text"
    " FROM experts e WHERE e.id = $1::bigint",
    1, 0};

#define SET_TEXT(col) " " col " = CASE WHEN j ? '" col "' THEN j->>'" col "' ELSE e." col " END,"
#define SET_INT(col)                                                                               \
    " " col " = CASE WHEN j ? '" col "' THEN (j->>'" col "')::int ELSE e." col " END,"
#define SET_BOOL(col)                                                                              \
    " " col " = CASE WHEN j ? '" col "' THEN (j->>'" col "')::boolean ELSE e." col " END,"
#define SET_ARRAY(col)                                                                             \
    " " col " = CASE WHEN j ? '" col "' THEN jsonb_text_array(j->'" col "') ELSE e." col " END,"

/* Every field a patch may name: each column keeps its value unless the patch has its key. */
// clang-format off
#define PATCH_SET                                                                                  \
    SET_TEXT("name") SET_TEXT("gender") SET_INT("birth_year") SET_TEXT("title")                    \
    SET_TEXT("position") SET_TEXT("affiliation") SET_TEXT("affiliation_kind")                      \
    SET_TEXT("region_code") SET_ARRAY("discipline_codes") SET_ARRAY("industry_codes")              \
    SET_TEXT("research_fields") SET_ARRAY("keywords") SET_TEXT("achievements")                     \
    SET_ARRAY("service_modes") SET_TEXT("phone") SET_TEXT("email") SET_TEXT("address")             \
    SET_BOOL("consent") SET_BOOL("available") SET_TEXT("academy") SET_TEXT("division")             \
    SET_INT("election_year") SET_ARRAY("city_ties") SET_TEXT("ties_note") SET_TEXT("status")
// clang-format on

/* $1 id, $2 fields, $3 terms, $4 expected version, $5 caller, $6 kind or NULL. Consent keeps
 * the time it was (last) given. */
static struct db_stmt patch = {
    "expert_patch",
    "WITH p AS (SELECT $2::jsonb AS j),"
    " cur AS (SELECT e.id, e.version, expert_can_read(e, $5::jsonb) AS r,"
    "           expert_can_write(e, $5::jsonb) AS w"
    "         FROM experts e WHERE e.id = $1::bigint AND e.archived_at IS NULL"
    "           AND ($6::text IS NULL OR e.kind = $6::text)),"
    " upd AS (UPDATE experts e SET" PATCH_SET
    "   id_number = CASE WHEN j ? 'id_number' THEN upper(j->>'id_number') ELSE e.id_number END,"
    "   consent_at = CASE WHEN NOT j ? 'consent' THEN e.consent_at"
    "                     WHEN NOT (j->>'consent')::boolean THEN NULL"
    "                     WHEN e.consent THEN e.consent_at ELSE now() END,"
    "   terms = e.terms || $3::jsonb, updated_at = now(), version = e.version + 1"
    "   FROM p, cur WHERE e.id = cur.id AND cur.r AND cur.w"
    "     AND ($4::int IS NULL OR e.version = $4::int)"
    "   RETURNING e)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  (SELECT expert_json(upd.e, true)::text FROM upd), (SELECT (upd.e).version::text FROM upd)",
    6, 0};

/* $1 id, $2 caller, $3 expected version, $4 archive (true) or restore (false), $5 kind or
 * NULL. Archiving an archived record (or restoring a live one) changes nothing. */
static struct db_stmt archive = {
    "expert_archive",
    "WITH cur AS (SELECT e AS row, expert_can_read(e, $2::jsonb) AS r,"
    "           expert_can_write(e, $2::jsonb) AS w"
    "         FROM experts e WHERE e.id = $1::bigint AND ($5::text IS NULL OR e.kind = $5::text)),"
    " upd AS (UPDATE experts e SET"
    "   archived_at = CASE WHEN $4::boolean THEN now() END,"
    "   archived_by = CASE WHEN $4::boolean THEN ($2::jsonb->>'user_id')::bigint END,"
    "   updated_at = now(), version = e.version + 1"
    "   FROM cur WHERE e.id = (cur.row).id AND cur.r AND cur.w"
    "     AND (e.archived_at IS NULL) = $4::boolean"
    "     AND ($3::int IS NULL OR e.version = $3::int)"
    "   RETURNING e)"
    " SELECT coalesce((SELECT r FROM cur), false), coalesce((SELECT w FROM cur), false),"
    "  coalesce((SELECT expert_json(upd.e, true)::text FROM upd),"
    "           (SELECT expert_json(cur.row, true)::text FROM cur"
    "            WHERE ((cur.row).archived_at IS NULL) <> $4::boolean"
    "              AND ($3::int IS NULL OR (cur.row).version = $3::int))),"
    "  coalesce((SELECT (upd.e).version::text FROM upd), (SELECT (cur.row).version::text FROM "
    "cur))",
    5, 0};

/* Filters: $1 kind, $2 include archived, $3 region, $4 discipline (a first-level code matches
 * its subdisciplines), $5 industry, $6 title, $7 affiliation kind, $8 academy, $9 service
 * mode, $10 consent, $11 available, $12 status, $13 updated since, $14 tsquery; then the
 * keyset $15, $16 and $17 the row limit. Lists are for staff, who read every record. */
#define LIST_FROM                                                                                  \
    " FROM experts e"                                                                              \
    " WHERE e.kind = $1::text AND (e.archived_at IS NULL OR $2::boolean)"                          \
    "   AND ($3::text IS NULL OR e.region_code = $3::text)"                                        \
    "   AND ($4::text IS NULL OR e.discipline_codes @> ARRAY[$4::text]"                            \
    "        OR (length($4::text) = 3 AND e.discipline_roots @> ARRAY[$4::text]))"                 \
    "   AND ($5::text IS NULL OR e.industry_codes @> ARRAY[$5::text])"                             \
    "   AND ($6::text IS NULL OR e.title = $6::text)"                                              \
    "   AND ($7::text IS NULL OR e.affiliation_kind = $7::text)"                                   \
    "   AND ($8::text IS NULL OR e.academy = $8::text)"                                            \
    "   AND ($9::text IS NULL OR e.service_modes @> ARRAY[$9::text])"                              \
    "   AND ($10::boolean IS NULL OR e.consent = $10::boolean)"                                    \
    "   AND ($11::boolean IS NULL OR e.available = $11::boolean)"                                  \
    "   AND ($12::text IS NULL OR e.status = $12::text)"                                           \
    "   AND ($13::timestamptz IS NULL OR e.updated_at >= $13::timestamptz)"                        \
    "   AND ($14::tsquery IS NULL OR e.search @@ $14::tsquery)"

#define LIST_PARAMS 17
_Static_assert(LIST_PARAMS <= LIST_CALL_MAX_PARAMS, "a list call holds the parameters");

static struct db_stmt list_by_id = {
    "expert_list_id",
    "SELECT expert_json(e, false)::text, e.id::text AS key1, '' AS key2" LIST_FROM
    "   AND ($15::bigint IS NULL OR e.id > $15::bigint) AND $16::text IS NULL"
    " ORDER BY e.id LIMIT $17::int",
    LIST_PARAMS, 0};

static struct db_stmt list_by_name = {
    "expert_list_name",
    "SELECT expert_json(e, false)::text, e.name AS key1, e.id::text AS key2" LIST_FROM
    "   AND ($15::text IS NULL OR (e.name COLLATE \"C\", e.id) > ($15 COLLATE \"C\", $16::bigint))"
    " ORDER BY e.name COLLATE \"C\", e.id LIMIT $17::int",
    LIST_PARAMS, 0};

static struct db_stmt list_by_updated = {
    "expert_list_updated",
    "SELECT expert_json(e, false)::text, e.updated_at::text AS key1, e.id::text AS key2" LIST_FROM
    "   AND ($15::timestamptz IS NULL OR (e.updated_at, e.id) < ($15::timestamptz, $16::bigint))"
    " ORDER BY e.updated_at DESC, e.id DESC LIMIT $17::int",
    LIST_PARAMS, 0};

static struct db_stmt list_by_rank = {
    "expert_list_rank",
    "SELECT expert_json(e, false)::text, ts_rank(e.search, $14::tsquery)::text AS key1,"
    " e.id::text AS key2" LIST_FROM
    "   AND ($15::real IS NULL OR ts_rank(e.search, $14::tsquery) < $15::real"
    "        OR (ts_rank(e.search, $14::tsquery) = $15::real AND e.id > $16::bigint))"
    " ORDER BY ts_rank(e.search, $14::tsquery) DESC, e.id LIMIT $17::int",
    LIST_PARAMS, 0};

/* ---- reads ---- */

/* A cached record: "version NUL kind NUL archived(t|f) NUL contact(t|f) NUL json". */
struct expert_read {
    const char *id;
    bool include_archived;
    struct lru *cache; /* fill target, or NULL */
    uint64_t gen;
    const char *version, *kind, *json;
    bool archived, contact;
    size_t json_len;
};

/* The caller's rules over the whole record, the same as expert_can_read (migration 0015):
 * staff read every record, an expert user their own, nobody else any. */
static bool record_visible(struct http_request *req, const struct expert_read *r)
{
    const struct auth *a = access_caller(req);
    if (is_academician_route(req) && strcmp(r->kind, "academician") != 0)
        return false;
    if (r->archived && !r->include_archived)
        return false;
    if (a->role & ROLES_STAFF)
        return true;
    return a->role == ROLE_EXPERT && a->expert_id && strcmp(a->expert_id, r->id) == 0;
}

static void reply_record(struct http_request *req, const struct expert_read *r)
{
    if (!record_visible(req, r)) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    if (r->contact) {
        const struct auth *a = access_caller(req);
        char route[128];
        snprintf(route, sizeof route, "GET %s", req->route ? req->route->pattern : "");
        struct read_audit ra = {a->user_id,       role_name(a->role), route, req->request_id,
                                req->client_addr, "experts",          r->id};
        if (!read_cache_audit(&ra)) {
            /* No read of personal data goes unrecorded. */
            http_problem(req, 503, "db_unavailable", NULL);
            return;
        }
    }
    api_set_etag(req, r->version);
    http_reply_json_text(req, 200, r->json, r->json_len);
}

static void get_done(struct http_request *req, struct db_job *job)
{
    struct expert_read *r = req->state;
    PGresult *res = db_job_result(job, 0);
    if (res == NULL || PQntuples(res) == 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    r->json = PQgetvalue(res, 0, 0);
    r->json_len = (size_t)PQgetlength(res, 0, 0);
    r->version = PQgetvalue(res, 0, 1);
    r->kind = PQgetvalue(res, 0, 2);
    r->archived = PQgetvalue(res, 0, 3)[0] == 't';
    r->contact = PQgetvalue(res, 0, 4)[0] == 't';
    if (r->cache) {
        size_t vl = strlen(r->version), kl = strlen(r->kind);
        size_t n = vl + 1 + kl + 1 + 2 + 2 + r->json_len;
        char *v = arena_alloc(&req->arena, n + 1);
        memcpy(v, r->version, vl + 1);
        memcpy(v + vl + 1, r->kind, kl + 1);
        char *p = v + vl + 1 + kl + 1;
        *p++ = r->archived ? 't' : 'f';
        *p++ = '\0';
        *p++ = r->contact ? 't' : 'f';
        *p++ = '\0';
        memcpy(p, r->json, r->json_len);
        v[n] = '\0';
        (void)lru_put(r->cache, r->id, v, n, NULL, 0, r->gen);
    }
    reply_record(req, r);
}

static void *arena_alloc_cb(void *ctx, size_t n)
{
    return arena_alloc(ctx, n);
}

/* Fills r from the cache; false on a miss. */
static bool cached_record(struct http_request *req, struct lru *c, struct expert_read *r)
{
    size_t len;
    char *v = lru_get(c, r->id, 0, arena_alloc_cb, &req->arena, &len);
    if (v == NULL)
        return false;
    char *end = v + len;
    r->version = v;
    v += strlen(v) + 1;
    r->kind = v;
    v += strlen(v) + 1;
    r->archived = v[0] == 't';
    v += 2;
    r->contact = v[0] == 't';
    v += 2;
    if (v > end)
        return false;
    r->json = v;
    r->json_len = (size_t)(end - v);
    return true;
}

void experts_handle_get(struct http_request *req)
{
    const char *id;
    struct query q;
    static const char *const allowed[] = {"include_archived", NULL};
    if (!api_parse_id(req, "id", &id) || !api_parse_query(req, allowed, &q))
        return;
    const char *archived;
    if (!api_include_archived(req, query_get(&q, "include_archived"), &archived))
        return;
    struct expert_read *r = arena_calloc(&req->arena, sizeof *r);
    r->id = id;
    r->include_archived = strcmp(archived, "true") == 0;
    struct lru *c = read_cache_experts();
    if (c && cached_record(req, c, r)) {
        reply_record(req, r);
        return;
    }
    /* Noted before asking: a record changed while the answer travels is not kept. */
    r->cache = c;
    r->gen = c ? lru_generation(c) : 0;
    req->state = r;
    const char *params[] = {id};
    struct db_job *job = api_job(req);
    db_job_add(job, &get, 1, params);
    api_db_run(req, job, DB_RETRY_SAFE, get_done);
}

/* A query parameter that must be one of values (absent is fine). */
static bool enum_param(struct http_request *req, const char *name, const char *value,
                       const char *const *values, const char *message)
{
    return value == NULL || list_one_of(value, values) || api_param_error(req, name, message);
}

static bool bool_param(struct http_request *req, const char *name, const char *value)
{
    static const char *const booleans[] = {"true", "false", NULL};
    return enum_param(req, name, value, booleans, "应为 true 或 false");
}

static bool filters_ok(struct http_request *req, const struct query *qs)
{
    const char *since = query_get(qs, "updated_since");
    return api_code_param(req, "region_code", query_get(qs, "region_code"),
                          codes_check_region_code) &&
           api_code_param(req, "discipline_code", query_get(qs, "discipline_code"),
                          codes_check_discipline_code) &&
           api_code_param(req, "industry_code", query_get(qs, "industry_code"),
                          codes_check_industry_code) &&
           enum_param(req, "title", query_get(qs, "title"), titles,
                      "应为 senior、associate_senior、intermediate、junior 或 other") &&
           enum_param(req, "affiliation_kind", query_get(qs, "affiliation_kind"), affiliation_kinds,
                      "应为 university、institute、enterprise 或 other") &&
           enum_param(req, "academy", query_get(qs, "academy"), academies,
                      "应为 CAS、CAE 或 foreign") &&
           enum_param(req, "service_mode", query_get(qs, "service_mode"), service_modes,
                      "应为 transfer、commissioned、joint、training 或 consulting") &&
           enum_param(req, "status", query_get(qs, "status"), statuses,
                      "应为 active、retired 或 deceased") &&
           bool_param(req, "consent", query_get(qs, "consent")) &&
           bool_param(req, "available", query_get(qs, "available")) &&
           (since == NULL || validate_datetime(since) ||
            api_param_error(req, "updated_since", "应为 RFC 3339 时间"));
}

static bool sort_ok(struct http_request *req, struct list_call *lc, const char *sort, const char *q)
{
    if (sort == NULL)
        lc->stmt = q ? &list_by_rank : &list_by_id;
    else if (strcmp(sort, "id") == 0)
        lc->stmt = &list_by_id;
    else if (strcmp(sort, "name") == 0)
        lc->stmt = &list_by_name;
    else if (strcmp(sort, "-updated_at") == 0)
        lc->stmt = &list_by_updated;
    else if (strcmp(sort, "relevance") == 0 && q)
        lc->stmt = &list_by_rank;
    else
        return api_param_error(req, "sort",
                               "应为 id、name、-updated_at 或 relevance（需同时给出 q）");
    /* Cursor keys must be of the sort's type, so that a forged cursor is a 400. */
    return api_list_cursor_integer(req, lc, lc->stmt == &list_by_id ? 0 : 1);
}

/* Checks the filters and the sort; fills the statement's parameters. */
static bool list_parse(struct http_request *req, struct list_call *lc, const char **q)
{
    const struct query *qs = &lc->lp.query;
    const char *archived;
    if (!api_include_archived(req, query_get(qs, "include_archived"), &archived) ||
        !filters_ok(req, qs))
        return false;
    /* The academy and the status are the academicians'. */
    bool academicians = is_academician_route(req);
    if (!academicians && (query_get(qs, "academy") || query_get(qs, "status")))
        return api_param_error(req, query_get(qs, "academy") ? "academy" : "status",
                               "仅院士库可按院别和状态筛选");
    *q = query_get(qs, "q");
    if (*q && **q == '\0')
        *q = NULL;
    if (!sort_ok(req, lc, query_get(qs, "sort"), *q))
        return false;
    bool int_key = lc->stmt == &list_by_id;
    const char *const p[LIST_PARAMS] = {academicians ? "academician" : "expert",
                                        archived,
                                        query_get(qs, "region_code"),
                                        query_get(qs, "discipline_code"),
                                        query_get(qs, "industry_code"),
                                        query_get(qs, "title"),
                                        query_get(qs, "affiliation_kind"),
                                        query_get(qs, "academy"),
                                        query_get(qs, "service_mode"),
                                        query_get(qs, "consent"),
                                        query_get(qs, "available"),
                                        query_get(qs, "status"),
                                        query_get(qs, "updated_since"),
                                        NULL,
                                        lc->lp.nkeys ? lc->lp.keys[0] : NULL,
                                        lc->lp.nkeys && !int_key ? lc->lp.keys[1] : NULL,
                                        lc->lp.limit_plus_one};
    memcpy(lc->params, p, sizeof p);
    lc->nparams = LIST_PARAMS;
    lc->tsquery_param = 13;
    lc->by_relevance = &list_by_rank;
    lc->by_id = &list_by_id;
    return true;
}

void experts_handle_list(struct http_request *req)
{
    static const char *const allowed[] = {"region_code",
                                          "discipline_code",
                                          "industry_code",
                                          "title",
                                          "affiliation_kind",
                                          "academy",
                                          "service_mode",
                                          "consent",
                                          "available",
                                          "status",
                                          "q",
                                          "sort",
                                          "updated_since",
                                          "include_archived",
                                          NULL};
    struct list_call *lc = api_list_call(req, allowed, 2);
    if (lc == NULL)
        return;
    const char *q = NULL;
    if (!list_parse(req, lc, &q))
        return;
    api_list_run(req, lc, q);
}

/* ---- writes ---- */

static const struct field_spec *route_fields(const struct http_request *req)
{
    return is_academician_route(req) ? academician_fields : expert_fields;
}

static int year_of(const cJSON *clean, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(clean, name);
    return cJSON_IsNumber(v) ? (int)v->valuedouble : 0;
}

/* Years no real record can have (born in the future, elected before the academy elected
 * anyone or younger than 25), for the years the body gives; replies 400 and returns false. */
static bool years_plausible(struct http_request *req, const cJSON *clean)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    const char *field, *code, *message;
    const char *academy = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(clean, "academy"));
    if (person_years_check(year_of(clean, "birth_year"), year_of(clean, "election_year"), academy,
                           tm.tm_year + 1900, &field, &code, &message))
        return true;
    api_field_error(req, field, code, message);
    return false;
}

void experts_handle_create(struct http_request *req)
{
    cJSON *clean = api_validated_body(req, route_fields(req), VALIDATE_CREATE);
    if (clean == NULL)
        return;
    if (!years_plausible(req, clean) || !api_region_in_scope(req, clean, true)) {
        cJSON_Delete(clean);
        return;
    }
    bool academician = is_academician_route(req);
    const char *params[] = {api_json_text(req, clean),
                            api_search_terms(req, clean, expert_search_fields),
                            api_caller_json(req), academician ? "academician" : "expert"};
    cJSON_Delete(clean);
    api_create(req, &insert, 4, params, academician ? "/api/v1/academicians/" : "/api/v1/experts/");
}

/* The write has committed (or changed nothing): drop this daemon's copy now; the database's
 * notification does it here again and in every other daemon. */
static void write_done(struct http_request *req, struct db_job *job)
{
    read_cache_forget_expert(http_param(req, "id"));
    api_reply_write(req, job, API_FIRST_RESULT, 200);
}

void experts_handle_patch(struct http_request *req)
{
    const char *id, *version;
    if (!api_parse_id(req, "id", &id) || !api_if_match(req, &version))
        return;
    cJSON *clean = api_validated_body(req, route_fields(req), VALIDATE_PATCH);
    if (clean == NULL)
        return;
    if (!years_plausible(req, clean) || !api_region_in_scope(req, clean, false)) {
        cJSON_Delete(clean);
        return;
    }
    const char *params[] = {
        id,      api_json_text(req, clean), api_search_terms(req, clean, expert_search_fields),
        version, api_caller_json(req),      route_kind_filter(req)};
    cJSON_Delete(clean);
    struct db_job *job = api_write_job(req, NULL);
    db_job_add(job, &patch, 6, params);
    api_db_run(req, job, 0, write_done);
}

static void archive_or_restore(struct http_request *req, bool archiving)
{
    const char *id, *version;
    if (!api_parse_id(req, "id", &id) || !api_if_match(req, &version))
        return;
    const char *params[] = {id, api_caller_json(req), version, archiving ? "true" : "false",
                            route_kind_filter(req)};
    struct db_job *job = api_write_job(req, archiving ? "archive" : "restore");
    db_job_add(job, &archive, 5, params);
    api_db_run(req, job, 0, write_done);
}

void experts_handle_archive(struct http_request *req)
{
    archive_or_restore(req, true);
}

void experts_handle_restore(struct http_request *req)
{
    archive_or_restore(req, false);
}

static const struct constraint_field constraints[] = {
    {"experts_region_code_fkey", 400, "region_code", "unknown_code", "地区代码不存在"},
    {"experts_discipline_codes", 400, "discipline_codes", "unknown_code", "学科代码不存在"},
    {"experts_industry_codes", 400, "industry_codes", "unknown_code", "行业代码不存在"},
    {"experts_academy_fields", 400, "academy", "invalid_value", "院士须注明院别，专家不设院别"},
    {"experts_birth_year_check", 400, "birth_year", "out_of_range", "出生年份超出范围"},
    {"experts_election_year_check", 400, "election_year", "out_of_range", "当选年份超出范围"},
    {NULL, 0, NULL, NULL, NULL},
};

void experts_resource_register(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    constraints_register(constraints);
    static struct db_stmt *const stmts[] = {&insert,          &get,          &patch,
                                            &archive,         &list_by_id,   &list_by_name,
                                            &list_by_updated, &list_by_rank, NULL};
    db_stmt_register_all(stmts);
}
