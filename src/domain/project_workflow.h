/* The project workflow (申报 → 立项 → 在研 → 结题 → 验收, and 退回 from 立项 to 申报): which
 * action moves a project from which status to which, the codes clients send and the labels
 * people see. Pure: the SQL applies the transition this module decides. */
#ifndef SIKU_DOMAIN_PROJECT_WORKFLOW_H
#define SIKU_DOMAIN_PROJECT_WORKFLOW_H

#include <stdbool.h>

enum project_status {
    PROJECT_APPLIED,     /* 申报 */
    PROJECT_APPROVED,    /* 立项 */
    PROJECT_IN_PROGRESS, /* 在研 */
    PROJECT_CONCLUDED,   /* 结题 */
    PROJECT_ACCEPTED,    /* 验收 */
    PROJECT_STATUS_COUNT
};

enum project_action {
    PROJECT_APPROVE,  /* applied -> approved */
    PROJECT_START,    /* approved -> in_progress */
    PROJECT_CONCLUDE, /* in_progress -> concluded */
    PROJECT_ACCEPT,   /* concluded -> accepted */
    PROJECT_RETURN,   /* approved -> applied, with a reason */
    PROJECT_ACTION_COUNT
};

/* NULL-terminated codes (statuses in workflow order), for field specs and query filters; the
 * serializers in SQL give their labels. */
extern const char *const project_status_names[];
extern const char *const project_kind_names[];

/* The status of a code ("applied" ...); false for anything else. */
bool project_status_parse(const char *name, enum project_status *out)
    __attribute__((warn_unused_result));
const char *project_status_name(enum project_status s);
const char *project_status_label(enum project_status s);

/* The action of a code ("approve" ...); false for anything else. */
bool project_action_parse(const char *name, enum project_action *out)
    __attribute__((warn_unused_result));
const char *project_action_name(enum project_action a);
const char *project_action_label(enum project_action a);

/* The one status an action may be taken from, and the status it leads to. */
enum project_status project_action_from(enum project_action a);
enum project_status project_action_to(enum project_action a);

/* Whether the action must say why (a return sends the application back to its authors). */
bool project_action_needs_reason(enum project_action a);

/* Whether action may be taken in status from; if so, *to is the new status. */
bool project_workflow_next(enum project_status from, enum project_action a, enum project_status *to)
    __attribute__((warn_unused_result));

#endif
