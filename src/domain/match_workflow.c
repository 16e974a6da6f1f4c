#include "domain/match_workflow.h"

#include <stddef.h>
#include <string.h>

const char *const match_status_names[] = {"proposed",    "contacted", "accepted", "declined",
                                          "cooperating", "closed",    NULL};

static const char *const labels[] = {"已推荐",     "已联系", "专家已接受",
                                     "专家已婉拒", "合作中", "已关闭"};

bool match_status_parse(const char *name, enum match_status *out)
{
    for (int i = 0; name != NULL && i < MATCH_STATUS_COUNT; i++) {
        if (strcmp(name, match_status_names[i]) == 0) {
            *out = (enum match_status)i;
            return true;
        }
    }
    return false;
}

const char *match_status_name(enum match_status s)
{
    return s < MATCH_STATUS_COUNT ? match_status_names[s] : "";
}

const char *match_status_label(enum match_status s)
{
    return s < MATCH_STATUS_COUNT ? labels[s] : "";
}

/* Who may take each step: S staff, E the expert, - nobody. Rows from, columns to. */
static const char steps[MATCH_STATUS_COUNT][MATCH_STATUS_COUNT + 1] = {
    /*                 pro con acc dec coo clo */
    [MATCH_PROPOSED] = "-SBB-S", [MATCH_CONTACTED] = "--BB-S",   [MATCH_ACCEPTED] = "----SS",
    [MATCH_DECLINED] = "-----S", [MATCH_COOPERATING] = "-----S", [MATCH_CLOSED] = "------",
};

enum match_verdict match_workflow_check(enum match_status from, enum match_status to,
                                        enum match_actor actor, bool has_reason)
{
    if (actor == MATCH_BY_OTHER)
        return MATCH_FORBIDDEN; /* whatever the step: this caller never moves matches */
    if (from >= MATCH_STATUS_COUNT || to >= MATCH_STATUS_COUNT)
        return MATCH_NOT_ALLOWED;
    char who = steps[from][to];
    if (who == '-')
        return MATCH_NOT_ALLOWED;
    bool allowed = actor == MATCH_BY_STAFF || (actor == MATCH_BY_EXPERT && who == 'B');
    if (!allowed)
        return MATCH_FORBIDDEN;
    /* Closing before the cooperation has run its course is a withdrawal: say why. */
    if (to == MATCH_CLOSED && from != MATCH_COOPERATING && !has_reason)
        return MATCH_REASON_REQUIRED;
    return MATCH_OK;
}

const char *match_demand_status_after(enum match_status to)
{
    switch (to) {
    case MATCH_ACCEPTED:
        return "matched";
    case MATCH_COOPERATING:
        return "cooperating";
    default:
        return NULL;
    }
}
