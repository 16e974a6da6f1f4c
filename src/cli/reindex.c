/* reindex over a blocking connection (an admin command, not the serving path). */
#include "cli/reindex.h"

#include "domain/search_terms.h"
#include "domain/segment.h"

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* Each table and the fields its `search` column weighs (migrations/0004_libraries.sql,
 * 0029_service_search.sql). */
struct indexed_table {
    const char *name;
    const char *select; /* $1 last id: (id, json of the fields) of the next batch */
    const char *const *fields;
};

static const char *const enterprise_fields[] = {"name", "description", "address", NULL};
static const char *const expert_fields[] = {"name",         "keywords",    "research_fields",
                                            "achievements", "affiliation", "position",
                                            "division",     NULL};
static const char *const demand_fields[] = {"title", "keywords", "description", NULL};
static const char *const project_fields[] = {"title", "keywords", "summary", "outcome_note", NULL};
static const char *const group_fields[] = {"name", "description", NULL};
static const char *const activity_fields[] = {"title", "outcome", "place", NULL};

/* The id stays a number: "id::text" would be the output column "id", and ORDER BY id would then
 * sort as text ("10000" before "2") while the keyset compares numbers, skipping rows. */
#define SELECT_BATCH(table, cols)                                                                  \
    "SELECT id, json_build_object(" cols ")::text FROM " table                                     \
    " WHERE id > $1::bigint ORDER BY id LIMIT 1000"

static const struct indexed_table tables[] = {
    {"enterprises",
     SELECT_BATCH("enterprises", "'name', name, 'description', description, 'address', address"),
     enterprise_fields},
    {"experts",
     SELECT_BATCH("experts", "'name', name, 'keywords', keywords, 'research_fields',"
                             " research_fields, 'achievements', achievements, 'affiliation',"
                             " affiliation, 'position', position, 'division', division"),
     expert_fields},
    {"demands",
     SELECT_BATCH("demands", "'title', title, 'keywords', keywords, 'description', description"),
     demand_fields},
    {"projects",
     SELECT_BATCH("projects", "'title', title, 'keywords', keywords, 'summary', summary,"
                              " 'outcome_note', outcome_note"),
     project_fields},
    {"service_groups", SELECT_BATCH("service_groups", "'name', name, 'description', description"),
     group_fields},
    {"service_activities",
     SELECT_BATCH("service_activities", "'title', title, 'outcome', outcome, 'place', place"),
     activity_fields},
};

/* The rows of one batch as [{"id":..,"terms":{..}}, ...]; NULL when out of memory. */
static char *batch_terms(PGresult *res, const char *const *fields)
{
    cJSON *rows = cJSON_CreateArray();
    for (int i = 0; i < PQntuples(res); i++) {
        cJSON *values = cJSON_Parse(PQgetvalue(res, i, 1));
        if (values == NULL)
            continue;
        cJSON *row = cJSON_CreateObject();
        cJSON_AddRawToObject(row, "id", PQgetvalue(res, i, 0));
        cJSON_AddItemToObject(row, "terms", search_terms_object(values, fields));
        cJSON_AddItemToArray(rows, row);
        cJSON_Delete(values);
    }
    char *text = cJSON_PrintUnformatted(rows);
    cJSON_Delete(rows);
    return text;
}

static bool ok(PGresult *res, ExecStatusType want, const char *what)
{
    if (PQresultStatus(res) == want)
        return true;
    fprintf(stderr, "sikud reindex: %s: %s", what, PQresultErrorMessage(res));
    return false;
}

/* Reindexes one table; returns the number of rows, or -1. */
static long reindex_table(PGconn *db, const struct indexed_table *t)
{
    char update[256];
    snprintf(update, sizeof update,
             "UPDATE %s t SET terms = x.terms FROM jsonb_to_recordset($1::jsonb)"
             " AS x(id bigint, terms jsonb) WHERE t.id = x.id",
             t->name);
    long done = 0;
    char last[32] = "0";
    for (;;) {
        const char *params[] = {last};
        PGresult *res = PQexecParams(db, t->select, 1, NULL, params, NULL, NULL, 0);
        if (!ok(res, PGRES_TUPLES_OK, t->name)) {
            PQclear(res);
            return -1;
        }
        int n = PQntuples(res);
        if (n == 0) {
            PQclear(res);
            return done;
        }
        snprintf(last, sizeof last, "%s", PQgetvalue(res, n - 1, 0));
        char *rows = batch_terms(res, t->fields);
        PQclear(res);
        const char *uparams[] = {rows};
        res = PQexecParams(db, update, 1, NULL, uparams, NULL, NULL, 0);
        cJSON_free(rows);
        bool good = ok(res, PGRES_COMMAND_OK, t->name);
        PQclear(res);
        if (!good)
            return -1;
        done += n;
    }
}

/* The thesaurus' terms are found by the words the segmenter splits them into: recompute them
 * too (a dictionary change moves them; rows loaded with SQL have none). */
static long reindex_thesaurus(PGconn *db)
{
    PGresult *res = PQexec(db, "SELECT group_id::text, term FROM thesaurus_terms");
    if (!ok(res, PGRES_TUPLES_OK, "thesaurus_terms")) {
        PQclear(res);
        return -1;
    }
    cJSON *rows = cJSON_CreateArray();
    for (int i = 0; i < PQntuples(res); i++) {
        struct terms words;
        terms_init(&words);
        segment_words(PQgetvalue(res, i, 1), &words);
        cJSON *row = cJSON_CreateObject();
        cJSON_AddRawToObject(row, "group_id", PQgetvalue(res, i, 0));
        cJSON_AddStringToObject(row, "term", PQgetvalue(res, i, 1));
        cJSON *w = cJSON_AddArrayToObject(row, "words");
        for (size_t k = 0; k < words.n; k++)
            cJSON_AddItemToArray(w, cJSON_CreateString(words.v[k]));
        terms_free(&words);
        cJSON_AddItemToArray(rows, row);
    }
    long n = PQntuples(res);
    PQclear(res);
    char *text = cJSON_PrintUnformatted(rows);
    cJSON_Delete(rows);
    const char *params[] = {text};
    res = PQexecParams(db,
                       "UPDATE thesaurus_terms t SET words = ARRAY(SELECT"
                       " jsonb_array_elements_text(x.words)) FROM jsonb_to_recordset($1::jsonb)"
                       " AS x(group_id bigint, term text, words jsonb)"
                       " WHERE t.group_id = x.group_id AND t.term = x.term"
                       "   AND jsonb_array_length(x.words) > 0",
                       1, NULL, params, NULL, NULL, 0);
    cJSON_free(text);
    bool good = ok(res, PGRES_COMMAND_OK, "thesaurus_terms");
    PQclear(res);
    return good ? n : -1;
}

int reindex_run(const char *conninfo)
{
    PGconn *db = PQconnectdb(conninfo);
    if (PQstatus(db) != CONNECTION_OK) {
        fprintf(stderr, "sikud reindex: cannot connect: %s", PQerrorMessage(db));
        PQfinish(db);
        return 1;
    }
    PGresult *res = PQexec(db, "SELECT set_config('siku.role', 'cli', false),"
                               " set_config('siku.action', 'reindex', false)");
    PQclear(res);
    int rc = 0;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0] && rc == 0; i++) {
        long n = reindex_table(db, &tables[i]);
        if (n < 0)
            rc = 1;
        else
            printf("%s: %ld reindexed\n", tables[i].name, n);
    }
    if (rc == 0) {
        long n = reindex_thesaurus(db);
        if (n < 0)
            rc = 1;
        else
            printf("thesaurus terms: %ld resegmented\n", n);
    }
    if (rc == 0) {
        res = PQexec(db, "ANALYZE enterprises, experts, demands, projects, service_groups,"
                         " service_activities");
        PQclear(res);
        res = PQexec(db, "SELECT match_refresh_lexeme_stats()");
        PQclear(res);
    }
    PQfinish(db);
    return rc;
}
