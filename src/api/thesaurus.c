/* The thesaurus: groups of synonyms (芯片 ~ 集成电路, 锂电池 ~ 锂离子电池) that staff keep and
 * that every search and every ranking reads at query time (api/search.c), so a group widens
 * searches the moment it is added. Each term is stored with the words the segmenter splits it
 * into, which is how a query's words find it. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/list.h"
#include "api/resource.h"

#include "domain/segment.h"
#include "domain/validate.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <string.h>

#define MIN_TERMS 2
#define MAX_TERMS 20

static const struct field_spec fields[] = {
    {"terms", FIELD_STRING_ARRAY, FIELD_REQUIRED, 1, 64, MAX_TERMS, NULL, 0, NULL},
    {"note", FIELD_TEXT, FIELD_NULLABLE, 0, 500, 0, NULL, 0, NULL},
    {NULL, 0, 0, 0, 0, 0, NULL, 0, NULL},
};

/* $1 [{"term":..,"words":[..]}], $2 note, $3 caller. */
static struct db_stmt insert = {
    "thesaurus_insert",
    "WITH g AS (INSERT INTO thesaurus_groups (note, created_by)"
    "   VALUES ($2::text, ($3::jsonb->>'user_id')::bigint) RETURNING *),"
    " t AS (INSERT INTO thesaurus_terms (group_id, term, words)"
    "   SELECT g.id, x.term, x.words FROM g,"
    "     jsonb_to_recordset($1::jsonb) AS x(term text, words text[]) RETURNING term)"
    " SELECT json_build_object('id', g.id,"
    "   'terms', (SELECT json_agg(term ORDER BY term) FROM t), 'note', g.note,"
    "   'created_by', g.created_by, 'created_at', g.created_at)::text, g.id::text FROM g",
    3, 0};

/* $1 term filter (substring), $2 after id, $3 limit. */
static struct db_stmt list = {
    "thesaurus_list",
    "SELECT thesaurus_group_json(g)::text, g.id::text FROM thesaurus_groups g"
    " WHERE ($1::text IS NULL OR EXISTS (SELECT 1 FROM thesaurus_terms t"
    "        WHERE t.group_id = g.id AND strpos(t.term, $1::text) > 0))"
    "   AND ($2::bigint IS NULL OR g.id > $2::bigint)"
    " ORDER BY g.id LIMIT $3::int",
    3, 0};

static struct db_stmt get = {"thesaurus_get",
                             "SELECT thesaurus_group_json(g)::text FROM thesaurus_groups g"
                             " WHERE g.id = $1::bigint",
                             1, 0};

static struct db_stmt delete = {
    "thesaurus_delete", "DELETE FROM thesaurus_groups WHERE id = $1::bigint RETURNING id", 1, 0};

/* The terms with their words, as the insert statement takes them; NULL (after replying 400)
 * when a term has no searchable word or there are too few distinct terms. */
static char *terms_with_words(struct http_request *req, const cJSON *terms)
{
    if (cJSON_GetArraySize(terms) < MIN_TERMS) {
        api_field_error(req, "terms", "too_few", "一组同义词至少需要两个词");
        return NULL;
    }
    cJSON *rows = cJSON_CreateArray();
    const cJSON *t;
    cJSON_ArrayForEach(t, terms)
    {
        struct terms words;
        terms_init(&words);
        segment_words(t->valuestring, &words);
        if (words.n == 0) {
            terms_free(&words);
            cJSON_Delete(rows);
            api_field_error(req, "terms", "invalid_value",
                            arena_printf(&req->arena, "“%s”不含可检索的字词", t->valuestring));
            return NULL;
        }
        cJSON *row = cJSON_CreateObject();
        cJSON_AddStringToObject(row, "term", t->valuestring);
        cJSON *w = cJSON_AddArrayToObject(row, "words");
        for (size_t i = 0; i < words.n; i++)
            cJSON_AddItemToArray(w, cJSON_CreateString(words.v[i]));
        terms_free(&words);
        cJSON_AddItemToArray(rows, row);
    }
    char *text = cJSON_PrintUnformatted(rows);
    cJSON_Delete(rows);
    return text;
}

static void insert_done(struct http_request *req, struct db_job *job)
{
    PGresult *res = db_job_result(job, API_FIRST_RESULT);
    http_add_header(req, "Location",
                    arena_printf(&req->arena, "/api/v1/thesaurus/%s", PQgetvalue(res, 0, 1)));
    http_reply_json_text(req, 201, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
}

static void handle_create(struct http_request *req)
{
    cJSON *clean = api_validated_body(req, fields, VALIDATE_CREATE);
    if (clean == NULL)
        return;
    char *rows = terms_with_words(req, cJSON_GetObjectItemCaseSensitive(clean, "terms"));
    if (rows == NULL) { /* replied: req is gone */
        cJSON_Delete(clean);
        return;
    }
    const cJSON *note = cJSON_GetObjectItemCaseSensitive(clean, "note");
    const char *params[] = {arena_strdup(&req->arena, rows),
                            cJSON_IsString(note) ? arena_strdup(&req->arena, note->valuestring)
                                                 : NULL,
                            api_caller_json(req)};
    cJSON_free(rows);
    cJSON_Delete(clean);
    struct db_job *job = api_write_job(req, NULL);
    db_job_add(job, &insert, 3, params);
    api_db_run(req, job, 0, insert_done);
}

static void page_done(struct http_request *req, struct db_job *job)
{
    api_reply_page(req, db_job_result(job, 0), req->state, 1);
}

static void handle_list(struct http_request *req)
{
    static const char *const allowed[] = {"q", NULL};
    struct list_params *lp = arena_calloc(&req->arena, sizeof *lp);
    if (!api_list_params(req, allowed, 1, lp))
        return;
    const char *q = query_get(&lp->query, "q");
    req->state = lp;
    const char *params[] = {q && *q ? q : NULL, lp->nkeys ? lp->keys[0] : NULL, lp->limit_plus_one};
    struct db_job *job = api_job(req);
    db_job_add(job, &list, 3, params);
    api_db_run(req, job, DB_RETRY_SAFE, page_done);
}

static void handle_get(struct http_request *req)
{
    const char *id;
    if (!api_parse_id(req, "id", &id))
        return;
    const char *params[] = {id};
    api_reply_json_row(req, &get, 1, params);
}

static void delete_done(struct http_request *req, struct db_job *job)
{
    if (PQntuples(db_job_result(job, API_FIRST_RESULT)) == 0) {
        http_problem(req, 404, "not_found", NULL);
        return;
    }
    http_reply_empty(req, 204);
}

static void handle_delete(struct http_request *req)
{
    const char *id;
    if (!api_parse_id(req, "id", &id))
        return;
    const char *params[] = {id};
    struct db_job *job = api_write_job(req, NULL);
    db_job_add(job, &delete, 1, params);
    api_db_run(req, job, 0, delete_done);
}

void thesaurus_register(struct router *r)
{
    static struct db_stmt *const stmts[] = {&insert, &list, &get, &delete, NULL};
    db_stmt_register_all(stmts);
    static const struct route routes[] = {
        {.method = HTTP_GET,
         .pattern = "/api/v1/thesaurus",
         .handler = handle_list,
         .roles = ROLES_SIGNED_IN},
        {.method = HTTP_POST,
         .pattern = "/api/v1/thesaurus",
         .handler = handle_create,
         .roles = ROLES_STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/thesaurus/{id}",
         .handler = handle_get,
         .roles = ROLES_SIGNED_IN},
        {.method = HTTP_DELETE,
         .pattern = "/api/v1/thesaurus/{id}",
         .handler = handle_delete,
         .roles = ROLES_STAFF},
    };
    app_add_db_routes(r, routes, sizeof routes / sizeof routes[0]);
}
