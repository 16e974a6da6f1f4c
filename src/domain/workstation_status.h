/* The status of an academician workstation (筹建 → 运行 ⇄ 暂停, then 撤销 or 验收结题) and the
 * moves allowed between them; codes for clients, labels for people. Pure: the SQL applies
 * the move this module allows. */
#ifndef SIKU_DOMAIN_WORKSTATION_STATUS_H
#define SIKU_DOMAIN_WORKSTATION_STATUS_H

#include <stdbool.h>

enum workstation_status {
    WORKSTATION_PLANNING,  /* 筹建 */
    WORKSTATION_RUNNING,   /* 运行 */
    WORKSTATION_SUSPENDED, /* 暂停 */
    WORKSTATION_REVOKED,   /* 撤销 */
    WORKSTATION_CONCLUDED, /* 验收结题 */
    WORKSTATION_STATUS_COUNT
};

/* NULL-terminated codes in the order above, and the levels (city, provincial). */
extern const char *const workstation_status_names[];
extern const char *const workstation_level_names[];

bool workstation_status_parse(const char *name, enum workstation_status *out)
    __attribute__((warn_unused_result));
const char *workstation_status_name(enum workstation_status s);
const char *workstation_status_label(enum workstation_status s);

/* Whether a station may move from one status to another (staying put is not a move). */
bool workstation_status_can_move(enum workstation_status from, enum workstation_status to);

/* Whether the move must say why (suspending or revoking a station). */
bool workstation_status_needs_reason(enum workstation_status to);

/* Statuses a station may move to from `from`, as a bit set (1u << status). */
unsigned workstation_status_targets(enum workstation_status from);

#endif
