/* The workstation status moves as one table: for each status, the statuses it may lead to. */
#include "domain/workstation_status.h"

#include <stddef.h>
#include <string.h>

const char *const workstation_status_names[] = {"planning", "running",   "suspended",
                                                "revoked",  "concluded", NULL};
const char *const workstation_level_names[] = {"city", "provincial", NULL};

static const char *const labels[WORKSTATION_STATUS_COUNT] = {"筹建", "运行", "暂停", "撤销",
                                                             "验收结题"};

#define BIT(s) (1u << (s))

/* Revoked and concluded are final: a station that ends is not reopened, a new one is made. */
static const unsigned targets[WORKSTATION_STATUS_COUNT] = {
    [WORKSTATION_PLANNING] = BIT(WORKSTATION_RUNNING) | BIT(WORKSTATION_REVOKED),
    [WORKSTATION_RUNNING] =
        BIT(WORKSTATION_SUSPENDED) | BIT(WORKSTATION_REVOKED) | BIT(WORKSTATION_CONCLUDED),
    [WORKSTATION_SUSPENDED] = BIT(WORKSTATION_RUNNING) | BIT(WORKSTATION_REVOKED),
    [WORKSTATION_REVOKED] = 0,
    [WORKSTATION_CONCLUDED] = 0,
};

bool workstation_status_parse(const char *name, enum workstation_status *out)
{
    for (int i = 0; name && i < WORKSTATION_STATUS_COUNT; i++)
        if (strcmp(workstation_status_names[i], name) == 0) {
            *out = (enum workstation_status)i;
            return true;
        }
    return false;
}

const char *workstation_status_name(enum workstation_status s)
{
    return (unsigned)s < WORKSTATION_STATUS_COUNT ? workstation_status_names[s] : "unknown";
}

const char *workstation_status_label(enum workstation_status s)
{
    return (unsigned)s < WORKSTATION_STATUS_COUNT ? labels[s] : "未知状态";
}

unsigned workstation_status_targets(enum workstation_status from)
{
    return (unsigned)from < WORKSTATION_STATUS_COUNT ? targets[from] : 0;
}

bool workstation_status_can_move(enum workstation_status from, enum workstation_status to)
{
    return (unsigned)to < WORKSTATION_STATUS_COUNT && (workstation_status_targets(from) & BIT(to));
}

bool workstation_status_needs_reason(enum workstation_status to)
{
    return to == WORKSTATION_SUSPENDED || to == WORKSTATION_REVOKED;
}
