/* The assessment rubric of a year as data: a tree of indicators (一级/二级/三级) with points,
 * each leaf scored from a report figure by a rule (linear to a target with a cap, relative to
 * the year's best, steps) or by staff as a checklist item, and the grade thresholds. This
 * module parses and checks a rubric (children's points add up to their parent's, the total
 * is 100, thresholds in order) and does the arithmetic: leaf scores, totals, grades and the
 * ranking with ties. Pure: no database, no HTTP. */
#ifndef SIKU_DOMAIN_RUBRIC_H
#define SIKU_DOMAIN_RUBRIC_H

#include "domain/report_indicators.h"

#include <stdbool.h>

struct cJSON;
struct validation;

#define RUBRIC_MAX_NODES 64
#define RUBRIC_MAX_STEPS 10
#define RUBRIC_MAX_DEPTH 3
#define RUBRIC_TOTAL     100.0
#define RUBRIC_KEY_MAX   32
#define RUBRIC_NAME_MAX  60

enum rubric_rule {
    RUBRIC_GROUP,     /* an inner node: its points are its children's */
    RUBRIC_LINEAR,    /* points × min(value / target, 1) */
    RUBRIC_RELATIVE,  /* points × value / the year's best value (0 when the best is 0) */
    RUBRIC_STEPS,     /* the points of the highest step whose minimum the value reaches */
    RUBRIC_CHECKLIST, /* entered by staff, 0 .. points */
};

struct rubric_step {
    double min;
    double points;
};

struct rubric_node {
    char key[RUBRIC_KEY_MAX + 1];
    char name[RUBRIC_NAME_MAX * 4 + 1]; /* UTF-8 */
    double points;
    int parent; /* index, -1 for a top-level indicator */
    int level;  /* 1, 2 or 3 */
    enum rubric_rule rule;
    int indicator; /* enum report_indicator, for the figure rules */
    double target;
    struct rubric_step steps[RUBRIC_MAX_STEPS];
    int nsteps;
    bool evidence_required;
};

enum rubric_grade { GRADE_EXCELLENT, GRADE_GOOD, GRADE_PASS, GRADE_FAIL, GRADE_COUNT };

struct rubric {
    struct rubric_node nodes[RUBRIC_MAX_NODES]; /* parents before their children */
    int n;
    double excellent, good, pass; /* grade thresholds: score >= threshold */
    int exemplar_limit;           /* at most this many 示范典型 proposed */
};

/* Parses and checks a rubric; on failure adds every problem to v (field paths such as
 * "items[1].children[0].points") and returns false. */
bool rubric_parse(const struct cJSON *json, struct rubric *out, struct validation *v)
    __attribute__((warn_unused_result));

/* The shipped default rubric as JSON text (see docs/assessment.md for its source). */
extern const char rubric_default_json[];

/* The index of a node by key, or -1. */
int rubric_find(const struct rubric *r, const char *key);

/* The score of one leaf: value is the report's figure, best the year's best of that figure,
 * checklist the staff's score (ignored by the figure rules; NaN or negative counts as 0). */
double rubric_leaf_score(const struct rubric_node *leaf, double value, double best,
                         double checklist);

/* The total of a station: figures and best are per indicator; checklist per node index (NaN
 * when not entered). Leaf scores go to leaf_out (per node index, may be NULL). Rounded to two
 * decimals, so that reruns and exports agree. */
double rubric_total(const struct rubric *r, const double figures[IND_COUNT],
                    const double best[IND_COUNT], const double *checklist, double *leaf_out);

enum rubric_grade rubric_grade_of(const struct rubric *r, double score);
const char *rubric_grade_name(enum rubric_grade g);
const char *rubric_grade_label(enum rubric_grade g);

/* Competition ranking of scores (higher first; equal scores share a rank and the next rank
 * skips: 1, 2, 2, 4). ranks[i] is the rank of scores[i]. */
void rubric_rank(const double *scores, int n, int *ranks);

#endif
