/* Running a list request: its parsed parameters, the statement its sort chose and that
 * statement's parameters, the optional `q` search, and the page reply. One struct for every
 * library's list, so that each resource only checks its own filters and sorts. */
#ifndef SIKU_API_LIST_CALL_H
#define SIKU_API_LIST_CALL_H

#include "api/list.h"

struct db_stmt;
struct http_request;

#define LIST_CALL_MAX_PARAMS 20

struct list_call {
    struct list_params lp;
    const char *params[LIST_CALL_MAX_PARAMS];
    int nparams;          /* how many of params the statement takes */
    int key_columns;      /* keyset columns after the item's JSON (the cursor's length) */
    int tsquery_param;    /* index of the tsquery parameter, or -1 for a list without q */
    struct db_stmt *stmt; /* the statement the sort chose */
    struct db_stmt *by_relevance, *by_id; /* a q without searchable words falls back */
};

/* A list call in the request's arena with its query string parsed (api_list_params); NULL
 * after replying 400. */
struct list_call *api_list_call(struct http_request *req, const char *const *allowed,
                                int key_columns);

/* Runs lc->stmt with lc->params and replies the page. With q (not NULL) the text is first
 * turned into a tsquery (api_search_prepare), which goes in params[tsquery_param]; when it has
 * no searchable word a by_relevance sort runs by_id instead. */
void api_list_run(struct http_request *req, struct list_call *lc, const char *q);

/* Whether the cursor's key at index i (when the page has a cursor) is an integer; replies 400
 * and returns false else. */
bool api_list_cursor_integer(struct http_request *req, const struct list_call *lc, int i)
    __attribute__((warn_unused_result));

#endif
