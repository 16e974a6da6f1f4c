/* The demand state machine as one table of (action, from, to) steps. A transition not in the
 * table is refused. */
#include "domain/demand_workflow.h"

#include <stddef.h>
#include <string.h>

const char *const demand_status_names[] = {"draft",     "submitted",   "published", "matching",
                                           "matched",   "cooperating", "closed",    "rejected",
                                           "withdrawn", NULL};

static const char *const status_labels[DEMAND_STATUS_COUNT] = {
    "草稿", "已提交", "已发布", "匹配中", "已匹配", "合作中", "已关闭", "已退回", "已撤回"};

const char *const demand_kind_names[] = {"technical_problem", "talent",    "transfer",
                                         "joint_rnd",         "equipment", NULL};

static const struct {
    const char *name;
    const char *label;
    bool needs_reason;
} actions[DEMAND_ACTION_COUNT] = {
    [DEMAND_SUBMIT] = {"submit", "提交", false},
    [DEMAND_PUBLISH] = {"publish", "发布", false},
    [DEMAND_REJECT] = {"reject", "退回", true},
    [DEMAND_WITHDRAW] = {"withdraw", "撤回", false},
    [DEMAND_REVISE] = {"revise", "重新编辑", false},
    [DEMAND_MATCH] = {"match", "开始匹配", false},
    [DEMAND_MATCH_FOUND] = {"matched", "匹配成功", false},
    [DEMAND_COOPERATE] = {"cooperate", "开始合作", false},
    [DEMAND_CLOSE] = {"close", "关闭", false},
};

static const struct {
    enum demand_action action;
    enum demand_status from;
    enum demand_status to;
} steps[] = {
    {DEMAND_SUBMIT, DEMAND_DRAFT, DEMAND_SUBMITTED},
    {DEMAND_PUBLISH, DEMAND_SUBMITTED, DEMAND_PUBLISHED},
    {DEMAND_REJECT, DEMAND_SUBMITTED, DEMAND_REJECTED},
    {DEMAND_WITHDRAW, DEMAND_DRAFT, DEMAND_WITHDRAWN},
    {DEMAND_WITHDRAW, DEMAND_SUBMITTED, DEMAND_WITHDRAWN},
    {DEMAND_WITHDRAW, DEMAND_PUBLISHED, DEMAND_WITHDRAWN},
    {DEMAND_REVISE, DEMAND_REJECTED, DEMAND_DRAFT},
    {DEMAND_REVISE, DEMAND_WITHDRAWN, DEMAND_DRAFT},
    {DEMAND_MATCH, DEMAND_PUBLISHED, DEMAND_MATCHING},
    {DEMAND_MATCH_FOUND, DEMAND_PUBLISHED, DEMAND_MATCHED},
    {DEMAND_MATCH_FOUND, DEMAND_MATCHING, DEMAND_MATCHED},
    {DEMAND_COOPERATE, DEMAND_PUBLISHED, DEMAND_COOPERATING},
    {DEMAND_COOPERATE, DEMAND_MATCHING, DEMAND_COOPERATING},
    {DEMAND_COOPERATE, DEMAND_MATCHED, DEMAND_COOPERATING},
    {DEMAND_CLOSE, DEMAND_PUBLISHED, DEMAND_CLOSED},
    {DEMAND_CLOSE, DEMAND_MATCHING, DEMAND_CLOSED},
    {DEMAND_CLOSE, DEMAND_MATCHED, DEMAND_CLOSED},
    {DEMAND_CLOSE, DEMAND_COOPERATING, DEMAND_CLOSED},
};

bool demand_status_parse(const char *name, enum demand_status *out)
{
    for (int i = 0; name && i < DEMAND_STATUS_COUNT; i++)
        if (strcmp(demand_status_names[i], name) == 0) {
            *out = (enum demand_status)i;
            return true;
        }
    return false;
}

const char *demand_status_name(enum demand_status s)
{
    return (unsigned)s < DEMAND_STATUS_COUNT ? demand_status_names[s] : "unknown";
}

const char *demand_status_label(enum demand_status s)
{
    return (unsigned)s < DEMAND_STATUS_COUNT ? status_labels[s] : "未知状态";
}

bool demand_action_parse(const char *name, enum demand_action *out)
{
    for (int i = 0; name && i < DEMAND_ACTION_COUNT; i++)
        if (strcmp(actions[i].name, name) == 0) {
            *out = (enum demand_action)i;
            return true;
        }
    return false;
}

const char *demand_action_name(enum demand_action a)
{
    return (unsigned)a < DEMAND_ACTION_COUNT ? actions[a].name : "unknown";
}

const char *demand_action_label(enum demand_action a)
{
    return (unsigned)a < DEMAND_ACTION_COUNT ? actions[a].label : "未知操作";
}

bool demand_action_needs_reason(enum demand_action a)
{
    return (unsigned)a < DEMAND_ACTION_COUNT && actions[a].needs_reason;
}

bool demand_workflow_next(enum demand_status from, enum demand_action a, enum demand_status *to)
{
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i].action == a && steps[i].from == from) {
            *to = steps[i].to;
            return true;
        }
    return false;
}
