/* The report state machine as one table: an action, the statuses it starts from, the status
 * it leads to. A transition not in the table is refused. */
#include "domain/report_workflow.h"

#include <stddef.h>
#include <string.h>

const char *const report_status_names[] = {"draft", "submitted", "returned", "accepted", NULL};

static const char *const status_labels[REPORT_STATUS_COUNT] = {"草稿", "已提交", "已退回",
                                                               "已通过"};

#define BIT(s) (1u << (s))

static const struct {
    const char *name;
    const char *label;
    unsigned from;
    enum report_status to;
    bool needs_reason;
    bool review;
} actions[REPORT_ACTION_COUNT] = {
    [REPORT_SUBMIT] = {"submit", "提交", BIT(REPORT_DRAFT) | BIT(REPORT_RETURNED), REPORT_SUBMITTED,
                       false, false},
    [REPORT_RETURN] = {"return", "退回", BIT(REPORT_SUBMITTED), REPORT_RETURNED, true, true},
    [REPORT_ACCEPT] = {"accept", "审核通过", BIT(REPORT_SUBMITTED), REPORT_ACCEPTED, false, true},
};

bool report_status_parse(const char *name, enum report_status *out)
{
    for (int i = 0; name && i < REPORT_STATUS_COUNT; i++)
        if (strcmp(report_status_names[i], name) == 0) {
            *out = (enum report_status)i;
            return true;
        }
    return false;
}

const char *report_status_name(enum report_status s)
{
    return (unsigned)s < REPORT_STATUS_COUNT ? report_status_names[s] : "unknown";
}

const char *report_status_label(enum report_status s)
{
    return (unsigned)s < REPORT_STATUS_COUNT ? status_labels[s] : "未知状态";
}

const char *report_action_name(enum report_action a)
{
    return (unsigned)a < REPORT_ACTION_COUNT ? actions[a].name : "unknown";
}

const char *report_action_label(enum report_action a)
{
    return (unsigned)a < REPORT_ACTION_COUNT ? actions[a].label : "未知操作";
}

unsigned report_action_sources(enum report_action a)
{
    return (unsigned)a < REPORT_ACTION_COUNT ? actions[a].from : 0;
}

enum report_status report_action_to(enum report_action a)
{
    return (unsigned)a < REPORT_ACTION_COUNT ? actions[a].to : REPORT_STATUS_COUNT;
}

bool report_action_needs_reason(enum report_action a)
{
    return (unsigned)a < REPORT_ACTION_COUNT && actions[a].needs_reason;
}

bool report_action_is_review(enum report_action a)
{
    return (unsigned)a < REPORT_ACTION_COUNT && actions[a].review;
}

bool report_workflow_next(enum report_status from, enum report_action a, enum report_status *to)
{
    if ((unsigned)from >= REPORT_STATUS_COUNT || !(report_action_sources(a) & BIT(from)))
        return false;
    *to = actions[a].to;
    return true;
}

bool report_status_editable(enum report_status s)
{
    return s == REPORT_DRAFT || s == REPORT_RETURNED;
}
