/* Running a list request (see list_call.h). */
#include "api/list_call.h"

#include "api/api_db.h"
#include "api/search.h"
#include "core/arena.h"
#include "db/db_pool.h"
#include "http/request.h"

struct list_call *api_list_call(struct http_request *req, const char *const *allowed,
                                int key_columns)
{
    struct list_call *lc = arena_calloc(&req->arena, sizeof *lc);
    if (!api_list_params(req, allowed, key_columns, &lc->lp))
        return NULL;
    lc->key_columns = key_columns;
    lc->tsquery_param = -1;
    return lc;
}

static void list_done(struct http_request *req, struct db_job *job)
{
    const struct list_call *lc = req->state;
    api_reply_page(req, db_job_result(job, 0), &lc->lp, lc->key_columns);
}

static void list_send(struct http_request *req, const char *tsquery)
{
    struct list_call *lc = req->state;
    if (lc->tsquery_param >= 0)
        lc->params[lc->tsquery_param] = tsquery;
    if (lc->stmt == lc->by_relevance && tsquery == NULL)
        lc->stmt = lc->by_id; /* q had no searchable word: nothing to rank by */
    struct db_job *job = api_job(req);
    db_job_add(job, lc->stmt, lc->nparams, lc->params);
    api_db_run(req, job, DB_RETRY_SAFE, list_done);
}

void api_list_run(struct http_request *req, struct list_call *lc, const char *q)
{
    req->state = lc;
    if (q == NULL)
        list_send(req, NULL);
    else
        api_search_prepare(req, q, QUERY_ALL, list_send);
}

bool api_list_cursor_integer(struct http_request *req, const struct list_call *lc, int i)
{
    if (lc->lp.nkeys == 0 || list_is_integer(lc->lp.keys[i]))
        return true;
    return api_param_error(req, "cursor", "cursor 无效，请使用上一页返回的 next_cursor");
}
