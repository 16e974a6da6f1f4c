/* The indicators of a workstation's annual report (PRODUCT.md names them) and the checks
 * between them that field bounds alone cannot express: granted patents are a part of those
 * applied for, invention patents a part of those granted, days on site fit in a year. */
#ifndef SIKU_DOMAIN_REPORT_INDICATORS_H
#define SIKU_DOMAIN_REPORT_INDICATORS_H

#include <stdbool.h>

enum report_indicator {
    IND_ACADEMICIAN_DAYS,
    IND_JOINT_PROJECTS_NEW,
    IND_JOINT_PROJECTS_ONGOING,
    IND_RD_INPUT,
    IND_PATENTS_APPLIED,
    IND_PATENTS_GRANTED,
    IND_INVENTION_PATENTS_GRANTED,
    IND_NEW_PRODUCTS,
    IND_STANDARDS,
    IND_PAPERS,
    IND_NEW_PRODUCT_REVENUE,
    IND_TALENTS_TRAINED,
    IND_AWARDS,
    IND_COUNT
};

struct report_indicator_info {
    const char *name;  /* the field name clients send */
    const char *label; /* the column header people see */
    const char *unit;  /* "天", "项", "万元" ... */
    bool integral;     /* a count (integer) or an amount (decimal) */
    double max;        /* plausible upper bound */
};

extern const struct report_indicator_info report_indicators[IND_COUNT];

/* The index of a field name, or -1. */
int report_indicator_find(const char *name);

struct report_problem {
    const char *field;
    const char *code;
    const char *message;
};

/* Checks the relations between the figures (all present: a full report). Writes at most max
 * problems; returns how many there are. */
int report_indicators_check(const double figures[IND_COUNT], struct report_problem *out, int max);

#endif
