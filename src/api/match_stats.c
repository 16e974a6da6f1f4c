/* Keeps expert_lexeme_stats (the share of experts using each common word, which the ranking
 * turns into inverse document frequencies) in step with the planner's statistics: reading
 * pg_stats in every ranking would cost milliseconds. One worker does it on a timer; the SQL
 * copies only when ANALYZE has run since the last copy, and makes the common words' expert
 * lists again then, or when many experts were written since. */
#include "api/app.h"
#include "api/matching.h"

#include "core/log.h"
#include "core/xmalloc.h"
#include "db/db_pool.h"
#include "db/db_stmt.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>

#define FIRST_REFRESH_S 2
#define REFRESH_EVERY_S 300
/* Making the common words' expert lists again (migration 0028) takes seconds at 100,000
 * experts, and more on a busy machine. */
#define REFRESH_TIMEOUT_MS 120000

const char *const match_service_modes[] = {"transfer", "commissioned", "joint",
                                           "training", "consulting",   NULL};

static struct db_stmt refresh = {"match_refresh_lexeme_stats",
                                 "SELECT match_refresh_lexeme_stats()::text", 0, 0};
/* The job's statements share a transaction: the refresh gets the longer statement timeout. */
static struct db_stmt refresh_timeout = {"match_refresh_timeout",
                                         "SELECT set_config('statement_timeout', $1, true)", 1, 0};

struct match_stats {
    struct event *timer;
    struct db_pool *pool;
    struct db_job *running;
};

static void arm(struct match_stats *ms, int seconds)
{
    struct timeval tv = {.tv_sec = seconds, .tv_usec = 0};
    evtimer_add(ms->timer, &tv);
}

static void refresh_done(struct db_job *job, void *arg)
{
    struct match_stats *ms = arg;
    ms->running = NULL;
    if (db_job_status(job) == DB_CANCELLED)
        return;
    if (db_job_status(job) != DB_OK)
        log_debug("match_stats: refresh failed: %s", db_job_message(job));
    arm(ms, REFRESH_EVERY_S);
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct match_stats *ms = arg;
    if (!db_pool_up(ms->pool)) {
        arm(ms, REFRESH_EVERY_S);
        return;
    }
    ms->running = db_job_new(ms->pool);
    char timeout[16];
    snprintf(timeout, sizeof timeout, "%d", REFRESH_TIMEOUT_MS);
    const char *params[] = {timeout};
    db_job_add(ms->running, &refresh_timeout, 1, params);
    db_job_add(ms->running, &refresh, 0, NULL);
    db_job_run(ms->running, REFRESH_TIMEOUT_MS, 0, refresh_done, ms);
}

void match_stats_register(void)
{
    db_stmt_register(&refresh_timeout);
    db_stmt_register(&refresh);
}

void match_stats_start(struct app_worker *w)
{
    if (w->index != 0)
        return;
    struct match_stats *ms = xcalloc(1, sizeof *ms);
    ms->pool = w->pool;
    ms->timer = evtimer_new(w->base, tick, ms);
    w->match_stats = ms;
    arm(ms, FIRST_REFRESH_S);
}

void match_stats_stop(struct app_worker *w)
{
    struct match_stats *ms = w->match_stats;
    if (ms == NULL)
        return;
    event_free(ms->timer);
    if (ms->running)
        db_job_cancel(ms->running);
    free(ms);
    w->match_stats = NULL;
}
