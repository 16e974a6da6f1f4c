/* The annual report workflow of a workstation (草稿 → 已提交 → 已退回 | 已通过, a returned
 * report is corrected and submitted again): which action moves a report from which status to
 * which, and which statuses may still be edited. Pure: the SQL applies what this decides. */
#ifndef SIKU_DOMAIN_REPORT_WORKFLOW_H
#define SIKU_DOMAIN_REPORT_WORKFLOW_H

#include <stdbool.h>

enum report_status {
    REPORT_DRAFT,     /* 草稿 */
    REPORT_SUBMITTED, /* 已提交 */
    REPORT_RETURNED,  /* 已退回 */
    REPORT_ACCEPTED,  /* 已通过 */
    REPORT_STATUS_COUNT
};

enum report_action {
    REPORT_SUBMIT, /* draft | returned -> submitted (the filer) */
    REPORT_RETURN, /* submitted -> returned, with a reason (the reviewer) */
    REPORT_ACCEPT, /* submitted -> accepted (the reviewer) */
    REPORT_ACTION_COUNT
};

extern const char *const report_status_names[];

bool report_status_parse(const char *name, enum report_status *out)
    __attribute__((warn_unused_result));
const char *report_status_name(enum report_status s);
const char *report_status_label(enum report_status s);

const char *report_action_name(enum report_action a);
const char *report_action_label(enum report_action a);

/* Whether the action may be taken in status from; if so, *to is the new status. */
bool report_workflow_next(enum report_status from, enum report_action a, enum report_status *to)
    __attribute__((warn_unused_result));

/* The statuses an action may start from, as a bit set (1u << status). */
unsigned report_action_sources(enum report_action a);
enum report_status report_action_to(enum report_action a);

/* Whether the action must say why (a return tells the filer what to correct). */
bool report_action_needs_reason(enum report_action a);
/* Whether the action is the reviewer's (return, accept) rather than the filer's. */
bool report_action_is_review(enum report_action a);

/* Whether a report in this status may be changed by its filer (draft or returned). */
bool report_status_editable(enum report_status s);

#endif
