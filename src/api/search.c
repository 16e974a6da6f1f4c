/* Search preparation shared by every list with q= and by matching. */
#include "api/search.h"

#include "api/api_db.h"
#include "domain/segment.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* Thesaurus terms whose words all occur among the query's words, with their groups' other
 * terms. The caller checks that the words occur in order. */
static struct db_stmt thesaurus_for_words = {
    "thesaurus_for_words",
    "SELECT json_build_object('words', t.words, 'synonyms',"
    "  coalesce(array_agg(o.term) FILTER (WHERE o.term <> t.term), '{}'))::text"
    " FROM thesaurus_terms t JOIN thesaurus_terms o ON o.group_id = t.group_id"
    " WHERE t.words <@ ARRAY(SELECT jsonb_array_elements_text($1::jsonb))"
    " GROUP BY t.group_id, t.term, t.words",
    1, 0};

/* Lives in the request arena, so that a failed round trip leaks nothing. */
struct search_call {
    const char **words;
    size_t nwords;
    enum query_mode mode;
    search_ready_fn ready;
    void *handler_state; /* req->state of the handler, parked meanwhile */
};

static void add_json_strings(struct terms *out, const cJSON *arr)
{
    const cJSON *el;
    cJSON_ArrayForEach(el, arr)
    {
        if (cJSON_IsString(el))
            terms_add(out, el->valuestring, strlen(el->valuestring));
    }
}

static void thesaurus_done(struct http_request *req, struct db_job *job)
{
    struct search_call *sc = req->state;
    PGresult *res = db_job_result(job, 0);
    int n = PQntuples(res);
    struct synonym_group *groups = calloc((size_t)(n ? n : 1), sizeof *groups);
    int ng = 0;
    for (int i = 0; i < n && groups; i++) {
        cJSON *row = cJSON_Parse(PQgetvalue(res, i, 0));
        if (row == NULL)
            continue;
        terms_init(&groups[ng].term_words);
        terms_init(&groups[ng].synonyms);
        add_json_strings(&groups[ng].term_words, cJSON_GetObjectItem(row, "words"));
        add_json_strings(&groups[ng].synonyms, cJSON_GetObjectItem(row, "synonyms"));
        ng++;
        cJSON_Delete(row);
    }
    struct terms words;
    terms_init(&words);
    for (size_t i = 0; i < sc->nwords; i++)
        terms_add(&words, sc->words[i], strlen(sc->words[i]));
    char *tsq = search_tsquery(&words, groups, (size_t)ng, sc->mode);
    terms_free(&words);
    for (int i = 0; i < ng; i++) {
        terms_free(&groups[i].term_words);
        terms_free(&groups[i].synonyms);
    }
    free(groups);
    const char *copy = tsq ? arena_strdup(&req->arena, tsq) : NULL;
    free(tsq);
    req->state = sc->handler_state;
    sc->ready(req, copy);
}

void api_search_prepare(struct http_request *req, const char *text, enum query_mode mode,
                        search_ready_fn ready)
{
    struct search_call *sc = arena_calloc(&req->arena, sizeof *sc);
    sc->mode = mode;
    sc->ready = ready;
    struct terms words;
    terms_init(&words);
    segment_words(text, &words);
    if (words.n == 0) {
        terms_free(&words);
        ready(req, NULL);
        return;
    }
    sc->nwords = words.n < SEARCH_MAX_WORDS ? words.n : SEARCH_MAX_WORDS;
    sc->words = arena_alloc(&req->arena, sizeof(char *) * sc->nwords);
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < sc->nwords; i++) {
        sc->words[i] = arena_strdup(&req->arena, words.v[i]);
        cJSON_AddItemToArray(arr, cJSON_CreateString(words.v[i]));
    }
    terms_free(&words);
    char *json = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    const char *params[] = {json};
    sc->handler_state = req->state;
    req->state = sc;
    struct db_job *job = api_job(req);
    db_job_add(job, &thesaurus_for_words, 1, params);
    cJSON_free(json);
    api_db_run(req, job, DB_RETRY_SAFE, thesaurus_done);
}

void search_register(void)
{
    db_stmt_register(&thesaurus_for_words);
}
