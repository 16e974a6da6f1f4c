/* The project state machine as one table: an action, the status it starts from, the status
 * it leads to. A transition not in the table is refused. */
#include "domain/project_workflow.h"

#include <stddef.h>
#include <string.h>

const char *const project_status_names[] = {"applied",   "approved", "in_progress",
                                            "concluded", "accepted", NULL};

static const char *const status_labels[PROJECT_STATUS_COUNT] = {"申报", "立项", "在研", "结题",
                                                                "验收"};

const char *const project_kind_names[] = {
    "workstation", "industry_university", "soft_science", "transfer", "other", NULL};

static const struct {
    const char *name;
    const char *label;
    enum project_status from;
    enum project_status to;
    bool needs_reason;
} actions[PROJECT_ACTION_COUNT] = {
    [PROJECT_APPROVE] = {"approve", "立项", PROJECT_APPLIED, PROJECT_APPROVED, false},
    [PROJECT_START] = {"start", "开始研究", PROJECT_APPROVED, PROJECT_IN_PROGRESS, false},
    [PROJECT_CONCLUDE] = {"conclude", "结题", PROJECT_IN_PROGRESS, PROJECT_CONCLUDED, false},
    [PROJECT_ACCEPT] = {"accept", "验收", PROJECT_CONCLUDED, PROJECT_ACCEPTED, false},
    [PROJECT_RETURN] = {"return", "退回", PROJECT_APPROVED, PROJECT_APPLIED, true},
};

bool project_status_parse(const char *name, enum project_status *out)
{
    for (int i = 0; name && i < PROJECT_STATUS_COUNT; i++)
        if (strcmp(project_status_names[i], name) == 0) {
            *out = (enum project_status)i;
            return true;
        }
    return false;
}

const char *project_status_name(enum project_status s)
{
    return (unsigned)s < PROJECT_STATUS_COUNT ? project_status_names[s] : "unknown";
}

const char *project_status_label(enum project_status s)
{
    return (unsigned)s < PROJECT_STATUS_COUNT ? status_labels[s] : "未知状态";
}

bool project_action_parse(const char *name, enum project_action *out)
{
    for (int i = 0; name && i < PROJECT_ACTION_COUNT; i++)
        if (strcmp(actions[i].name, name) == 0) {
            *out = (enum project_action)i;
            return true;
        }
    return false;
}

const char *project_action_name(enum project_action a)
{
    return (unsigned)a < PROJECT_ACTION_COUNT ? actions[a].name : "unknown";
}

const char *project_action_label(enum project_action a)
{
    return (unsigned)a < PROJECT_ACTION_COUNT ? actions[a].label : "未知操作";
}

enum project_status project_action_from(enum project_action a)
{
    return (unsigned)a < PROJECT_ACTION_COUNT ? actions[a].from : PROJECT_STATUS_COUNT;
}

enum project_status project_action_to(enum project_action a)
{
    return (unsigned)a < PROJECT_ACTION_COUNT ? actions[a].to : PROJECT_STATUS_COUNT;
}

bool project_action_needs_reason(enum project_action a)
{
    return (unsigned)a < PROJECT_ACTION_COUNT && actions[a].needs_reason;
}

bool project_workflow_next(enum project_status from, enum project_action a, enum project_status *to)
{
    if ((unsigned)a >= PROJECT_ACTION_COUNT || actions[a].from != from)
        return false;
    *to = actions[a].to;
    return true;
}
