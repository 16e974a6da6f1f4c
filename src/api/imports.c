/* Bulk import of rosters (CSV or XLSX) into the libraries: the file is read and validated in
 * chunks between database round trips (so the event loop never stalls for long), valid rows are
 * staged, and one statement applies them all at the end: a failed import changes nothing. */
#include "api/access.h"
#include "api/api_db.h"
#include "api/app.h"
#include "api/import_adapters.h"
#include "api/import_templates.h"
#include "api/list.h"
#include "api/resource.h"

#include "domain/import_csv.h"
#include "domain/import_map.h"
#include "domain/import_values.h"
#include "domain/import_xlsx.h"
#include "domain/search_terms.h"
#include "http/problem.h"
#include "http/request.h"

#include <cjson/cJSON.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_ROWS 1000 /* rows staged by one statement */
#define SLICE_ROWS 100  /* rows read in one turn of the event loop */
#define REPORT_MAX 1000 /* problems listed; beyond, only counted */
#define KEY_MAX    64

/* Natural keys seen in this file, with the row that first had each (open addressing). */
struct keyset {
    char (*keys)[KEY_MAX];
    size_t *rows;
    size_t cap, n;
};

static size_t keyset_find(const struct keyset *s, const char *key)
{
    size_t h = 1469598103934665603u;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    size_t i = h & (s->cap - 1);
    while (s->rows[i] && strcmp(s->keys[i], key) != 0)
        i = (i + 1) & (s->cap - 1);
    return i;
}

/* Records key at row; returns the earlier row with that key, or 0. */
static size_t keyset_add(struct keyset *s, const char *key, size_t row)
{
    if (s->n * 2 >= s->cap) {
        struct keyset bigger = {NULL, NULL, s->cap ? s->cap * 2 : 1024, 0};
        bigger.keys = calloc(bigger.cap, KEY_MAX);
        bigger.rows = calloc(bigger.cap, sizeof *bigger.rows);
        if (bigger.keys == NULL || bigger.rows == NULL)
            abort();
        for (size_t i = 0; i < s->cap; i++)
            if (s->rows[i]) {
                size_t j = keyset_find(&bigger, s->keys[i]);
                memcpy(bigger.keys[j], s->keys[i], KEY_MAX);
                bigger.rows[j] = s->rows[i];
                bigger.n++;
            }
        free(s->keys);
        free(s->rows);
        *s = bigger;
    }
    size_t i = keyset_find(s, key);
    if (s->rows[i])
        return s->rows[i];
    snprintf(s->keys[i], KEY_MAX, "%s", key);
    s->rows[i] = row;
    s->n++;
    return 0;
}

enum import_format { FORMAT_CSV, FORMAT_XLSX };

struct import_run {
    const struct import_adapter *ad;
    enum import_format format;
    bool dry_run, partial;
    const char *file_name, *import_id;
    struct import_csv csv;
    struct import_xlsx *xlsx;
    struct import_cells cells;
    struct import_header header;
    struct keyset keys;
    cJSON *report; /* [{row, column, reason}] */
    struct chunk { /* staged rows waiting to be sent: a JSON array's text, built row by row */
        char *text;
        size_t len, cap, rows;
    } chunk;
    cJSON *defaults; /* values for fields a row leaves out (a county's region) */
    size_t rows, rejected_rows, reported, ord;
    size_t last_rejected_row;
    bool eof;
    const char *read_error;
    size_t read_error_row;
    long long inserted, updated, unchanged;
    api_db_done_fn next; /* what runs when the current job succeeds */
    /* Reading overlaps staging: while one chunk is being staged, the next is read (a slice
     * at a time, so that the loop keeps sending the staged chunk), and waits in pending. */
    struct event *tick;             /* reads the next slice */
    char *pending;                  /* the next chunk's rows, as the stage statement takes them */
    bool staging;                   /* a stage job is running */
    int read_rc;                    /* 1 while rows remain, 0 at the end, -1 after a read error */
    struct import_regions *regions; /* what a region cell may name (header.regions) */
    struct import_names *disciplines, *industries; /* what code lists may name */
    /* The people's libraries (ad->chunk) are not staged: each chunk is written by the
     * adapter's statement in this session's transaction, committed once the file is read. */
    struct db_snapshot *session;
};

static struct db_stmt begin_stmt = {
    "import_begin",
    "WITH old AS (DELETE FROM import_rows WHERE import_id IN (SELECT id FROM imports"
    "   WHERE status = 'running' AND created_at < now() - interval '1 hour'))"
    " INSERT INTO imports (library, user_id, file_name, format, dry_run, partial)"
    " VALUES ($1, ($2::jsonb->>'user_id')::bigint, $3, $4, $5::boolean, $6::boolean)"
    " RETURNING id::text",
    6, 0};

/* The regions, disciplines and industries a row may name by their names (import_values.h),
 * read with the import's start. */
static struct db_stmt regions_stmt = {
    "import_regions", "SELECT code, name, kind, parent_code FROM regions ORDER BY sort_order", 0,
    0};
static struct db_stmt names_stmt = {
    "import_names",
    "SELECT 'd', code, name FROM disciplines UNION ALL SELECT 'i', code, name FROM industries", 0,
    0};

/* $1 import id, $2 [{o, r, k, d, t}] */
static struct db_stmt stage_stmt = {
    "import_stage",
    "INSERT INTO import_rows (import_id, ord, row_no, key, data, terms)"
    " SELECT $1::bigint, (x->>'o')::int, (x->>'r')::int, x->>'k', x->'d', x->'t'"
    " FROM jsonb_array_elements($2::jsonb) x",
    2, 0};

/* Ends a write session's transaction (the last job of an import that goes in). */
static struct db_stmt commit_stmt = {"import_commit", "COMMIT", 0, 0};

/* $1 import id, $2 status, $3 rows, $4 inserted, $5 updated, $6 unchanged, $7 rejected */
static struct db_stmt finish_stmt = {
    "import_finish",
    "WITH del AS (DELETE FROM import_rows WHERE import_id = $1::bigint)"
    " UPDATE imports SET status = $2, rows = $3::int, inserted = $4::int, updated = $5::int,"
    "  unchanged = $6::int, rejected = $7::int, finished_at = now() WHERE id = $1::bigint",
    7, 0};

static void run_free(struct import_run *run);

/* Like api_db_run, but a failed job also frees the reader and the report. */
static void job_done(struct db_job *job, void *arg)
{
    struct http_request *req = arg;
    struct import_run *run = req->state;
    if (db_job_status(job) != DB_OK) {
        run_free(run);
        api_reply_db_failure(req, job);
        return;
    }
    run->next(req, job);
}

static void run_job_within(struct http_request *req, struct db_job *job, api_db_done_fn next,
                           int deadline_ms)
{
    struct import_run *run = req->state;
    run->next = next;
    db_job_run(job, deadline_ms, DB_NEEDS_SCHEMA, job_done, req);
}

static void run_job(struct http_request *req, struct db_job *job, api_db_done_fn next)
{
    run_job_within(req, job, next, app_config()->request_deadline_ms);
}

/* The final preview or write handles every row of the file at once: it gets its own deadline
 * and statement timeout (import_timeout_ms) instead of a request's. */
static struct db_stmt timeout_stmt = {"import_timeout",
                                      "SELECT set_config('statement_timeout', $1, true)", 1, 0};

/* The apply's settings: its timeout; siku.bulk = 'import' when the adapter's statement checks
 * codes and writes its inserts' audit rows itself (migrations/0031_import_speed.sql); and room
 * for its joins over every staged row and for the GIN indexes' pending entries, which the
 * statement's rows would otherwise flush in many small merges. */
static struct db_stmt apply_settings_stmt = {
    "import_apply_settings",
    "SELECT set_config('statement_timeout', $1, true), set_config('siku.bulk', $2, true),"
    " set_config('work_mem', '64MB', true), set_config('gin_pending_list_limit', '65536', true)",
    2, 0};

static void run_final_job(struct http_request *req, struct db_job *job, api_db_done_fn next)
{
    run_job_within(req, job, next, app_config()->import_timeout_ms);
}

/* Gives the session's connection back, rolling back what was not committed. */
static void session_end(struct import_run *run)
{
    if (run->session)
        db_snapshot_end(run->session);
    run->session = NULL;
}

static void run_free(struct import_run *run)
{
    session_end(run);
    if (run->tick)
        event_free(run->tick);
    run->tick = NULL;
    free(run->pending);
    run->pending = NULL;
    import_csv_close(&run->csv);
    import_xlsx_close(run->xlsx);
    run->xlsx = NULL;
    import_cells_free(&run->cells);
    import_header_free(&run->header);
    free(run->keys.keys);
    free(run->keys.rows);
    memset(&run->keys, 0, sizeof run->keys);
    cJSON_Delete(run->report);
    free(run->chunk.text);
    memset(&run->chunk, 0, sizeof run->chunk);
    cJSON_Delete(run->defaults);
    run->report = run->defaults = NULL;
    import_regions_free(run->regions);
    run->regions = NULL;
    import_names_free(run->disciplines);
    import_names_free(run->industries);
    run->disciplines = run->industries = NULL;
}

static void reply_file_problem(struct http_request *req, struct import_run *run, int status,
                               const char *code, const char *detail)
{
    run_free(run);
    http_problem(req, status, code, detail);
}

static int next_row(struct import_run *run)
{
    int rc;
    do {
        rc = run->format == FORMAT_CSV ? import_csv_next(&run->csv, &run->cells)
                                       : import_xlsx_next(run->xlsx, &run->cells);
    } while (rc == 1 && import_cells_blank(&run->cells));
    if (rc < 0) {
        run->read_error = run->format == FORMAT_CSV ? run->csv.error : import_xlsx_error(run->xlsx);
        run->read_error_row = run->cells.row;
    }
    return rc;
}

/* Adds problems to the answer, keeping at most REPORT_MAX. */
static void report_merge(struct import_run *run, cJSON *problems)
{
    cJSON *p;
    while ((p = cJSON_DetachItemFromArray(problems, 0)) != NULL) {
        if (run->reported < REPORT_MAX) {
            cJSON_AddItemToArray(run->report, p);
            run->reported++;
        } else {
            cJSON_Delete(p);
        }
    }
}

static void reject(struct import_run *run, size_t row, const char *column, const char *reason)
{
    cJSON *one = cJSON_CreateArray();
    import_report_add(one, row, column, reason);
    report_merge(run, one);
    cJSON_Delete(one);
}

/* The file's header of the column holding field; the template's when the file has none (a
 * field the row left out, such as a region taken from elsewhere); else the field's name. */
static const char *column_header(const struct import_run *run, const char *field)
{
    for (size_t i = 0; field && i < run->header.n; i++)
        if (run->header.column[i] >= 0 &&
            strcmp(run->ad->columns[run->header.column[i]].field, field) == 0)
            return run->header.text[i];
    for (const struct import_column *c = run->ad->columns; field && c->field; c++)
        if (strcmp(c->field, field) == 0)
            return c->label;
    return field;
}

/* County staff import only their region's records (the region may be left out). */
static bool region_ok(struct http_request *req, struct import_run *run, cJSON *clean)
{
    const struct auth *a = access_caller(req);
    if (!run->ad->region_scoped || a->role != ROLE_COUNTY)
        return true;
    const char *region =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(clean, "region_code"));
    if (region == NULL) {
        cJSON_AddStringToObject(clean, "region_code", a->region_code);
        return true;
    }
    if (strcmp(region, a->region_code) == 0)
        return true;
    char msg[160];
    snprintf(msg, sizeof msg, "县（市、区）科协工作人员只能导入本地区（%s）的记录", a->region_code);
    reject(run, run->cells.row, column_header(run, "region_code"), msg);
    return false;
}

/* Appends a row's JSON to the chunk's array (printed one row at a time: a chunk-sized cJSON
 * tree cost more to build and free than the rows' validation). */
static void chunk_add(struct chunk *c, const char *row)
{
    size_t n = strlen(row);
    if (c->len + n + 3 > c->cap) {
        size_t cap = c->cap ? c->cap : 65536;
        while (c->len + n + 3 > cap)
            cap *= 2;
        char *grown = realloc(c->text, cap);
        if (grown == NULL)
            abort();
        c->text = grown;
        c->cap = cap;
    }
    c->text[c->len++] = c->rows++ ? ',' : '[';
    memcpy(c->text + c->len, row, n);
    c->len += n;
    c->text[c->len] = '\0';
}

/* Validates one row; stages it when it is good. */
static void take_row(struct http_request *req, struct import_run *run)
{
    run->rows++;
    cJSON *problems = cJSON_CreateArray();
    cJSON *clean = import_row_build(run->ad->columns, run->ad->specs, &run->header, &run->cells,
                                    access_caller(req)->role, run->defaults, problems);
    report_merge(run, problems);
    cJSON_Delete(problems);
    bool ok = clean != NULL && region_ok(req, run, clean);
    char key[KEY_MAX] = "";
    if (ok) {
        run->ad->key(clean, key, sizeof key);
        size_t first = key[0] ? keyset_add(&run->keys, key, run->cells.row) : 0;
        if (first) {
            char msg[160];
            snprintf(msg, sizeof msg, "与第 %zu 行的%s重复", first, run->ad->key_label);
            reject(run, run->cells.row, run->ad->key_label, msg);
            ok = false;
        }
    }
    if (!ok) {
        run->rejected_rows++;
        cJSON_Delete(clean);
        return;
    }
    if (run->rejected_rows && !run->partial && !run->dry_run) {
        cJSON_Delete(clean); /* nothing will be written: only keep validating */
        return;
    }
    cJSON *terms = search_terms_object(clean, run->ad->search_fields), *item;
    if (run->ad->chunk) { /* one flat object: the clean fields and the row's own */
        item = clean;
        cJSON_AddNumberToObject(item, "ord", (double)++run->ord);
        cJSON_AddNumberToObject(item, "row_no", (double)run->cells.row);
        if (run->ad->search_weights) {
            char *v = search_terms_vector_text(terms, run->ad->search_weights);
            cJSON_AddStringToObject(item, "search", v);
            free(v);
        }
        cJSON_AddItemToObject(item, "terms", terms);
    } else {
        item = cJSON_CreateObject();
        cJSON_AddNumberToObject(item, "o", (double)++run->ord);
        cJSON_AddNumberToObject(item, "r", (double)run->cells.row);
        cJSON_AddStringToObject(item, "k", key);
        cJSON_AddItemToObject(item, "t", terms);
        cJSON_AddItemToObject(item, "d", clean);
    }
    char *text = cJSON_PrintUnformatted(item);
    cJSON_Delete(item);
    chunk_add(&run->chunk, text);
    free(text);
}

static void pump(struct http_request *req);

static void stage_done(struct http_request *req, struct db_job *job)
{
    (void)job;
    struct import_run *run = req->state;
    run->staging = false;
    pump(req);
}

static void write_answer(struct http_request *req, struct import_run *run, int status)
{
    cJSON *o = cJSON_CreateObject();
    if (status >= 400) {
        char type[64];
        snprintf(type, sizeof type, "/problems/%s", "import_rejected");
        cJSON_AddStringToObject(o, "type", type);
        cJSON_AddStringToObject(o, "title", problem_title("import_rejected", status));
        cJSON_AddNumberToObject(o, "status", status);
        cJSON_AddStringToObject(o, "detail",
                                "有记录未通过校验，未导入任何数据；可修改后重新导入，"
                                "或加 partial=true 只导入合格的记录");
        cJSON_AddStringToObject(o, "code", "import_rejected");
        cJSON_AddStringToObject(o, "request_id", req->request_id);
    }
    cJSON_AddNumberToObject(o, "import_id", atof(run->import_id));
    cJSON_AddStringToObject(o, "library", run->ad->library);
    cJSON_AddStringToObject(o, "format", run->format == FORMAT_CSV ? "csv" : "xlsx");
    if (run->format == FORMAT_CSV)
        cJSON_AddStringToObject(o, "charset", run->csv.charset);
    cJSON_AddBoolToObject(o, "dry_run", run->dry_run);
    cJSON_AddBoolToObject(o, "partial", run->partial);
    cJSON_AddNumberToObject(o, "rows", (double)run->rows);
    cJSON_AddNumberToObject(o, "inserted", (double)run->inserted);
    cJSON_AddNumberToObject(o, "updated", (double)run->updated);
    cJSON_AddNumberToObject(o, "unchanged", (double)run->unchanged);
    cJSON_AddNumberToObject(o, "rejected_rows", (double)run->rejected_rows);
    cJSON_AddItemToObject(o, "rejected", run->report);
    cJSON_AddBoolToObject(o, "rejected_truncated", run->reported >= REPORT_MAX);
    run->report = NULL;
    run_free(run);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    http_reply(req, status,
               status >= 400 ? "application/problem+json; charset=utf-8"
                             : "application/json; charset=utf-8",
               text, strlen(text));
    free(text);
}

/* Records the outcome, then answers. */
static void finish_done(struct http_request *req, struct db_job *job)
{
    (void)job;
    struct import_run *run = req->state;
    bool refused = run->rejected_rows && !run->partial && !run->dry_run;
    write_answer(req, run, refused ? 422 : 200);
}

static void finish(struct http_request *req, struct import_run *run, const char *status)
{
    char n[5][24];
    snprintf(n[0], sizeof n[0], "%zu", run->rows);
    snprintf(n[1], sizeof n[1], "%lld", run->inserted);
    snprintf(n[2], sizeof n[2], "%lld", run->updated);
    snprintf(n[3], sizeof n[3], "%lld", run->unchanged);
    snprintf(n[4], sizeof n[4], "%zu", run->rejected_rows);
    const char *params[] = {run->import_id, status, n[0], n[1], n[2], n[3], n[4]};
    struct db_job *job = api_write_job(req, "import");
    db_job_add(job, &finish_stmt, 7, params);
    run_job(req, job, finish_done);
}

/* Database problems ({row, field, reason}) join the report under the file's headers. */
static void db_problems(struct import_run *run, const char *json)
{
    cJSON *list = cJSON_Parse(json), *p;
    size_t last = 0;
    cJSON_ArrayForEach(p, list)
    {
        size_t row = (size_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(p, "row"));
        const char *field = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "field"));
        reject(run, row, column_header(run, field),
               cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "reason")));
        if (row != last)
            run->rejected_rows++;
        last = row;
    }
    cJSON_Delete(list);
}

/* A written (or checked) part adds its counts and problems. A part with problems is not
 * written unless partial: the file is then refused and its transaction rolled back. */
static void part_done(struct http_request *req, struct db_job *job)
{
    struct import_run *run = req->state;
    PGresult *res = db_job_result(job, API_FIRST_RESULT + 1);
    run->inserted += atoll(PQgetvalue(res, 0, 0));
    run->updated += atoll(PQgetvalue(res, 0, 1));
    run->unchanged += atoll(PQgetvalue(res, 0, 2));
    db_problems(run, PQgetvalue(res, 0, 3));
    run->staging = false;
    pump(req);
}

static void counts_from(struct import_run *run, PGresult *res)
{
    run->inserted = atoll(PQgetvalue(res, 0, 0));
    run->updated = atoll(PQgetvalue(res, 0, 1));
    run->unchanged = atoll(PQgetvalue(res, 0, 2));
    db_problems(run, PQgetvalue(res, 0, 3));
}

static void preview_done(struct http_request *req, struct db_job *job)
{
    struct import_run *run = req->state;
    counts_from(run, db_job_result(job, 1));
    finish(req, run, "dry_run");
}

static void apply_done(struct http_request *req, struct db_job *job)
{
    struct import_run *run = req->state;
    PGresult *res = db_job_result(job, API_FIRST_RESULT + 1);
    counts_from(run, res);
    bool applied =
        strcmp(PQgetvalue(res, 0, 4), "t") == 0 || strcmp(PQgetvalue(res, 0, 4), "true") == 0;
    if (!applied) {
        run->inserted = run->updated = run->unchanged = 0;
        finish(req, run, "rejected");
        return;
    }
    finish(req, run, "done");
}

static void commit_done(struct http_request *req, struct db_job *job)
{
    (void)job;
    struct import_run *run = req->state;
    session_end(run);
    finish(req, run, "done");
}

/* All parts of a people's import sent: commit, or roll back a dry run or a refused file. */
static void conclude_session(struct http_request *req, struct import_run *run)
{
    if (run->dry_run || (run->rejected_rows && !run->partial) || run->session == NULL) {
        session_end(run);
        const char *status = run->dry_run                          ? "dry_run"
                             : run->rejected_rows && !run->partial ? "rejected"
                                                                   : "done";
        if (strcmp(status, "rejected") == 0)
            run->inserted = run->updated = run->unchanged = 0;
        finish(req, run, status);
        return;
    }
    struct db_job *job = db_snapshot_job(run->session);
    db_job_add(job, &commit_stmt, 0, NULL);
    run_final_job(req, job, commit_done);
}

/* All rows read: preview, refuse, or apply. */
static void conclude(struct http_request *req, struct import_run *run)
{
    if (run->ad->chunk) {
        conclude_session(req, run);
        return;
    }
    const char *params[] = {run->import_id, api_caller_json(req), run->partial ? "true" : "false"};
    char timeout[24];
    snprintf(timeout, sizeof timeout, "%d", app_config()->import_timeout_ms);
    const char *const timeout_param[] = {timeout};
    if (run->dry_run) {
        struct db_job *job = api_job(req);
        db_job_add(job, &timeout_stmt, 1, timeout_param);
        db_job_add(job, run->ad->preview, 2, params);
        run_final_job(req, job, preview_done);
    } else if (run->rejected_rows && !run->partial) {
        finish(req, run, "rejected");
    } else {
        struct db_job *job = api_write_job(req, "import");
        const char *const settings[] = {timeout, run->ad->search_weights ? "import" : ""};
        db_job_add(job, &apply_settings_stmt, 2, settings);
        db_job_add(job, run->ad->apply, 3, params);
        run_final_job(req, job, apply_done);
    }
}

static void failed_done(struct http_request *req, struct db_job *job)
{
    (void)job;
    struct import_run *run = req->state;
    char detail[300];
    snprintf(detail, sizeof detail, "第 %zu 行：%s", run->read_error_row, run->read_error);
    reply_file_problem(req, run, 400, "invalid_file", detail);
}

/* Stages the pending chunk when no stage job runs; reads on while no chunk waits; at the end
 * of the file (or at a read error), once every chunk is staged, concludes. */
static void pump(struct http_request *req)
{
    struct import_run *run = req->state;
    if (!run->staging && run->pending && run->ad->chunk) {
        /* Written at once (checked only, in a dry run or once the file is refused), in the
         * session's transaction, with the apply's settings (they last until its end). */
        if (run->session == NULL)
            run->session = api_session(req);
        char timeout[24];
        snprintf(timeout, sizeof timeout, "%d", app_config()->import_timeout_ms);
        const char *const settings[] = {timeout, run->ad->search_weights ? "import" : ""};
        const char *mode = run->dry_run || (run->rejected_rows && !run->partial) ? "check"
                           : run->partial                                        ? "partial"
                                                                                 : "write";
        const char *params[] = {run->pending, api_caller_json(req), mode};
        struct db_job *job = api_session_write_job(req, run->session, "import");
        db_job_add(job, &apply_settings_stmt, 2, settings);
        db_job_add(job, run->ad->chunk, 3, params);
        free(run->pending);
        run->pending = NULL;
        run->staging = true;
        run_final_job(req, job, part_done);
    } else if (!run->staging && run->pending) {
        const char *params[] = {run->import_id, run->pending};
        struct db_job *job = api_job(req);
        db_job_add(job, &stage_stmt, 2, params);
        free(run->pending);
        run->pending = NULL;
        run->staging = true;
        run_job(req, job, stage_done);
    }
    if (run->pending == NULL && run->read_rc == 1) {
        event_active(run->tick, EV_TIMEOUT, 0);
        return;
    }
    if (run->staging || run->pending)
        return;
    if (run->read_rc < 0) {
        session_end(run); /* before the next job, which may need its connection */
        const char *params[] = {run->import_id, "failed", "0", "0", "0", "0", "0"};
        struct db_job *job = api_write_job(req, "import");
        db_job_add(job, &finish_stmt, 7, params);
        run_job(req, job, failed_done);
        return;
    }
    conclude(req, run);
}

/* Reads a slice of rows into the chunk; a full chunk (or the last) becomes the pending one. */
static void read_slice(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct http_request *req = arg;
    struct import_run *run = req->state;
    size_t taken = 0;
    int rc = 1;
    while (taken < SLICE_ROWS && (rc = next_row(run)) == 1) {
        take_row(req, run);
        taken++;
    }
    run->read_rc = rc;
    if (run->chunk.rows > 0 && (run->chunk.rows >= CHUNK_ROWS || rc != 1)) {
        run->chunk.text[run->chunk.len++] = ']';
        run->chunk.text[run->chunk.len] = '\0';
        run->pending = run->chunk.text;
        memset(&run->chunk, 0, sizeof run->chunk);
    }
    pump(req);
}

static void begin_done(struct http_request *req, struct db_job *job)
{
    struct import_run *run = req->state;
    run->import_id =
        arena_strdup(&req->arena, PQgetvalue(db_job_result(job, API_FIRST_RESULT), 0, 0));
    PGresult *regions = db_job_result(job, API_FIRST_RESULT + 1);
    run->regions = import_regions_new();
    for (int i = 0; i < PQntuples(regions); i++)
        import_regions_add(run->regions, PQgetvalue(regions, i, 0), PQgetvalue(regions, i, 1),
                           PQgetvalue(regions, i, 2), PQgetvalue(regions, i, 3));
    run->header.regions = run->regions;
    PGresult *names = db_job_result(job, API_FIRST_RESULT + 2);
    run->disciplines = import_names_new();
    run->industries = import_names_new();
    for (int i = 0; i < PQntuples(names); i++)
        import_names_add(PQgetvalue(names, i, 0)[0] == 'd' ? run->disciplines : run->industries,
                         PQgetvalue(names, i, 1), PQgetvalue(names, i, 2));
    run->header.disciplines = run->disciplines;
    run->header.industries = run->industries;
    struct app_worker *w = req->app;
    run->tick = event_new(w->base, -1, 0, read_slice, req);
    if (run->tick == NULL)
        abort();
    run->read_rc = 1;
    pump(req);
}

static bool parse_bool_param(struct http_request *req, const struct query *q, const char *name,
                             bool *out)
{
    const char *v = query_get(q, name);
    *out = v && strcmp(v, "true") == 0;
    if (v == NULL || strcmp(v, "true") == 0 || strcmp(v, "false") == 0)
        return true;
    api_field_error(req, name, "invalid_value", "应为 true 或 false");
    return false;
}

/* Opens the reader for the body's format; replies and returns false when it cannot. */
static bool open_reader(struct http_request *req, struct import_run *run, const struct query *q)
{
    size_t len = evbuffer_get_length(req->body);
    const char *data = len ? (const char *)evbuffer_pullup(req->body, -1) : NULL;
    if (len == 0) {
        reply_file_problem(req, run, 400, "invalid_file", "请求体为空：请上传 CSV 或 XLSX 文件");
        return false;
    }
    if (len >= 4 && memcmp(data, "\xD0\xCF\x11\xE0", 4) == 0) {
        reply_file_problem(req, run, 415, "unsupported_media_type",
                           "不支持 .xls（Excel 97-2003）或加密的工作簿：请另存为 .xlsx 或 CSV");
        return false;
    }
    const char *error = NULL;
    if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0) {
        run->format = FORMAT_XLSX;
        run->xlsx = import_xlsx_open(data, len, query_get(q, "sheet"), &error);
    } else if (len >= 2 && memcmp(data, "PK", 2) == 0) {
        error = "不是有效的 XLSX 文件（zip 结构损坏或文件被截断）";
    } else {
        enum import_charset cs = IMPORT_CHARSET_AUTO;
        const char *c = query_get(q, "charset");
        if (c && !import_charset_parse(c, &cs)) {
            run_free(run);
            api_field_error(req, "charset", "invalid_value", "应为 utf-8 或 gb18030");
            return false;
        }
        run->format = FORMAT_CSV;
        if (!import_csv_open(&run->csv, data, len, cs))
            error = run->csv.error;
    }
    if (error) {
        reply_file_problem(req, run, 400, "invalid_file", error);
        return false;
    }
    return true;
}

/* Reads and checks the header row; replies 400 when it does not fit the template. */
static bool read_header(struct http_request *req, struct import_run *run)
{
    int rc = next_row(run);
    if (rc <= 0) {
        reply_file_problem(req, run, 400, "invalid_file",
                           rc < 0 ? run->read_error : "文件中没有表头行和数据");
        return false;
    }
    const struct auth *a = access_caller(req);
    static const char *const region_optional[] = {"region_code", NULL};
    const char *const *optional =
        run->ad->region_scoped && a->role == ROLE_COUNTY ? region_optional : NULL;
    if (import_header_match(run->ad->columns, run->ad->specs, optional, &run->cells, &run->header,
                            run->report))
        return true;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "type", "/problems/invalid_header");
    cJSON_AddStringToObject(p, "title", problem_title("invalid_header", 400));
    cJSON_AddNumberToObject(p, "status", 400);
    cJSON_AddStringToObject(p, "detail",
                            "表头与导入模板不一致，未读取任何数据行；"
                            "请下载模板核对列名");
    cJSON_AddStringToObject(p, "code", "invalid_header");
    cJSON_AddStringToObject(p, "request_id", req->request_id);
    cJSON_AddItemToObject(p, "rejected", run->report);
    run->report = NULL;
    run_free(run);
    char *text = cJSON_PrintUnformatted(p);
    cJSON_Delete(p);
    http_reply(req, 400, "application/problem+json; charset=utf-8", text, strlen(text));
    free(text);
    return false;
}

static void handle_import(struct http_request *req)
{
    const struct import_adapter *ad = import_adapter_find(http_param(req, "library"));
    if (ad == NULL) {
        http_problem(req, 404, "not_found", "没有这个可导入的库");
        return;
    }
    static const char *const allowed[] = {"dry_run", "partial",   "sheet",
                                          "charset", "file_name", NULL};
    struct query q;
    if (!api_parse_query(req, allowed, &q))
        return;
    struct import_run *run = arena_calloc(&req->arena, sizeof *run);
    run->ad = ad;
    if (!parse_bool_param(req, &q, "dry_run", &run->dry_run) ||
        !parse_bool_param(req, &q, "partial", &run->partial))
        return;
    run->file_name = query_get(&q, "file_name");
    import_cells_init(&run->cells);
    run->report = cJSON_CreateArray();
    run->defaults = cJSON_CreateObject();
    const struct auth *a = access_caller(req);
    if (ad->region_scoped && a->role == ROLE_COUNTY && a->region_code)
        cJSON_AddStringToObject(run->defaults, "region_code", a->region_code);
    req->state = run;
    if (!open_reader(req, run, &q) || !read_header(req, run))
        return;
    const char *params[] = {ad->library,
                            api_caller_json(req),
                            run->file_name,
                            run->format == FORMAT_CSV ? "csv" : "xlsx",
                            run->dry_run ? "true" : "false",
                            run->partial ? "true" : "false"};
    struct db_job *job = api_write_job(req, "import");
    db_job_add(job, &begin_stmt, 6, params);
    db_job_add(job, &regions_stmt, 0, NULL);
    db_job_add(job, &names_stmt, 0, NULL);
    run_job(req, job, begin_done);
}

void imports_register(struct router *r)
{
    static struct db_stmt *const stmts[] = {&begin_stmt,   &stage_stmt,          &finish_stmt,
                                            &timeout_stmt, &apply_settings_stmt, &regions_stmt,
                                            &names_stmt,   &commit_stmt,         NULL};
    db_stmt_register_all(stmts);
    import_adapters_register();
    import_templates_build();
    static const struct route routes[] = {
        {.method = HTTP_POST,
         .pattern = "/api/v1/imports/{library}",
         .handler = handle_import,
         .flags = ROUTE_DB | ROUTE_RAW_BODY | ROUTE_IMPORT_LIMIT,
         .roles = ROLES_STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/imports/{library}/template.xlsx",
         .handler = import_template_xlsx,
         .roles = ROLES_STAFF},
        {.method = HTTP_GET,
         .pattern = "/api/v1/imports/{library}/template.csv",
         .handler = import_template_csv,
         .roles = ROLES_STAFF},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(r, &routes[i]);
}
