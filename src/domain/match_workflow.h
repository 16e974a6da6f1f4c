/* The match workflow: proposed → contacted → accepted | declined → cooperating → closed, and
 * closing an open match early (withdrawn, with a reason). Who may move a match where: staff
 * run it; the expert answers (accepts or declines) the matches offered to them. Pure: the SQL
 * applies the transition this module allows. */
#ifndef SIKU_DOMAIN_MATCH_WORKFLOW_H
#define SIKU_DOMAIN_MATCH_WORKFLOW_H

#include <stdbool.h>

enum match_status {
    MATCH_PROPOSED,    /* 已推荐 */
    MATCH_CONTACTED,   /* 已联系 */
    MATCH_ACCEPTED,    /* 专家已接受 */
    MATCH_DECLINED,    /* 专家已婉拒 */
    MATCH_COOPERATING, /* 合作中 */
    MATCH_CLOSED,      /* 已关闭 */
    MATCH_STATUS_COUNT
};

enum match_actor {
    MATCH_BY_STAFF,  /* admin, city staff, county staff of the demand's region */
    MATCH_BY_EXPERT, /* the matched expert, for their own match */
    MATCH_BY_OTHER,  /* anyone else (an enterprise user): may read, never move */
};

enum match_verdict {
    MATCH_OK,
    MATCH_NOT_ALLOWED,     /* 409: no such step from this status */
    MATCH_FORBIDDEN,       /* 403: a step, but not this caller's */
    MATCH_REASON_REQUIRED, /* 400: this step must say why */
};

/* NULL-terminated codes in workflow order, for field specs and query filters. */
extern const char *const match_status_names[];

bool match_status_parse(const char *name, enum match_status *out)
    __attribute__((warn_unused_result));
const char *match_status_name(enum match_status s);
const char *match_status_label(enum match_status s);

/* May actor move a match from `from` to `to` (has_reason: the request says why)? */
enum match_verdict match_workflow_check(enum match_status from, enum match_status to,
                                        enum match_actor actor, bool has_reason);

/* The demand's status a match reaching `to` moves the demand to, or NULL when it does not
 * move it: an accepted match makes the demand matched, a cooperating one cooperating. */
const char *match_demand_status_after(enum match_status to);

#endif
