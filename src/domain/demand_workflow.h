/* The demand workflow (草稿 → 已提交 → 已发布 → 匹配中 → 已匹配 → 合作中 → 已关闭, with 已退回
 * (a reason) and 已撤回): which action moves a demand from which status to which. Pure: the SQL
 * applies the transition this module decides; the matching actions move a demand through
 * matching/matched/cooperating. */
#ifndef SIKU_DOMAIN_DEMAND_WORKFLOW_H
#define SIKU_DOMAIN_DEMAND_WORKFLOW_H

#include <stdbool.h>

enum demand_status {
    DEMAND_DRAFT,       /* 草稿 */
    DEMAND_SUBMITTED,   /* 已提交 */
    DEMAND_PUBLISHED,   /* 已发布 */
    DEMAND_MATCHING,    /* 匹配中 */
    DEMAND_MATCHED,     /* 已匹配 */
    DEMAND_COOPERATING, /* 合作中 */
    DEMAND_CLOSED,      /* 已关闭 */
    DEMAND_REJECTED,    /* 已退回 */
    DEMAND_WITHDRAWN,   /* 已撤回 */
    DEMAND_STATUS_COUNT
};

enum demand_action {
    DEMAND_SUBMIT,      /* draft -> submitted (the enterprise) */
    DEMAND_PUBLISH,     /* submitted -> published (staff) */
    DEMAND_REJECT,      /* submitted -> rejected, with a reason (staff) */
    DEMAND_WITHDRAW,    /* draft, submitted, published -> withdrawn (the enterprise) */
    DEMAND_REVISE,      /* rejected, withdrawn -> draft (the enterprise edits and resubmits) */
    DEMAND_MATCH,       /* published -> matching (a match is proposed) */
    DEMAND_MATCH_FOUND, /* published, matching -> matched (a match is accepted) */
    DEMAND_COOPERATE,   /* published, matching, matched -> cooperating */
    DEMAND_CLOSE,       /* published, matching, matched, cooperating -> closed (staff) */
    DEMAND_ACTION_COUNT
};

/* NULL-terminated codes in workflow order, for field specs and query filters. */
extern const char *const demand_status_names[];
extern const char *const demand_kind_names[];

bool demand_status_parse(const char *name, enum demand_status *out)
    __attribute__((warn_unused_result));
const char *demand_status_name(enum demand_status s);
const char *demand_status_label(enum demand_status s);

bool demand_action_parse(const char *name, enum demand_action *out)
    __attribute__((warn_unused_result));
const char *demand_action_name(enum demand_action a);
const char *demand_action_label(enum demand_action a);

/* Whether the action must say why (a rejection tells the enterprise what to fix). */
bool demand_action_needs_reason(enum demand_action a);

/* Whether action may be taken in status from; if so, *to is the new status. */
bool demand_workflow_next(enum demand_status from, enum demand_action a, enum demand_status *to)
    __attribute__((warn_unused_result));

#endif
