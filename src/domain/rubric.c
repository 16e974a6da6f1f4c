/* Rubric parsing, checks and arithmetic (see rubric.h). */
#include "domain/rubric.h"

#include "domain/validate.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Modelled on the structure of provincial 院士工作站 indicator tables (基础建设, 团队建设,
 * 工作内容实施, 工作业绩); the points and targets are a starting point for the city to adjust.
 * docs/assessment.md explains each line. */
const char rubric_default_json[] =
    "{\"items\":["
    "{\"key\":\"basic\",\"name\":\"基础建设\",\"points\":20,\"children\":["
    "{\"key\":\"rules\",\"name\":\"制度建设\",\"points\":10,\"rule\":{\"kind\":\"checklist\"},"
    "\"evidence_required\":true},"
    "{\"key\":\"conditions\",\"name\":\"配套条件\",\"points\":10,\"rule\":{\"kind\":\"checklist\"},"
    "\"evidence_required\":true}]},"
    "{\"key\":\"team\",\"name\":\"团队建设\",\"points\":25,\"children\":["
    "{\"key\":\"days\",\"name\":\"院士在站工作天数\",\"points\":15,\"rule\":{\"kind\":\"linear\","
    "\"indicator\":\"academician_days\",\"target\":60}},"
    "{\"key\":\"talents\",\"name\":\"培养人才\",\"points\":10,\"rule\":{\"kind\":\"linear\","
    "\"indicator\":\"talents_trained\",\"target\":10}}]},"
    "{\"key\":\"work\",\"name\":\"工作内容实施\",\"points\":20,\"children\":["
    "{\"key\":\"joint\",\"name\":\"新增合作项目\",\"points\":10,\"rule\":{\"kind\":\"steps\","
    "\"indicator\":\"joint_projects_new\",\"steps\":[{\"min\":1,\"points\":4},{\"min\":2,"
    "\"points\":7},{\"min\":3,\"points\":10}]}},"
    "{\"key\":\"rd\",\"name\":\"研发投入\",\"points\":10,\"rule\":{\"kind\":\"relative\","
    "\"indicator\":\"rd_input\"}}]},"
    "{\"key\":\"results\",\"name\":\"工作业绩\",\"points\":35,\"children\":["
    "{\"key\":\"patents\",\"name\":\"知识产权\",\"points\":15,\"children\":["
    "{\"key\":\"inventions\",\"name\":\"授权发明专利\",\"points\":10,\"rule\":{\"kind\":\"linear\","
    "\"indicator\":\"invention_patents_granted\",\"target\":3},\"evidence_required\":true},"
    "{\"key\":\"applied\",\"name\":\"申请专利\",\"points\":5,\"rule\":{\"kind\":\"linear\","
    "\"indicator\":\"patents_applied\",\"target\":10}}]},"
    "{\"key\":\"standards\",\"name\":\"制定标准\",\"points\":5,\"rule\":{\"kind\":\"steps\","
    "\"indicator\":\"standards\",\"steps\":[{\"min\":1,\"points\":3},{\"min\":2,\"points\":5}]}},"
    "{\"key\":\"products\",\"name\":\"新产品\",\"points\":5,\"rule\":{\"kind\":\"linear\","
    "\"indicator\":\"new_products\",\"target\":3}},"
    "{\"key\":\"benefit\",\"name\":\"经济效益\",\"points\":10,\"rule\":{\"kind\":\"relative\","
    "\"indicator\":\"new_product_revenue\"}}]}],"
    "\"grades\":{\"excellent\":85,\"good\":75,\"pass\":60},\"exemplar_limit\":3}";

#define EPS 1e-6

/* out = a + b + c, cut at the buffer's end (a rubric is at most three levels deep, so field
 * paths fit). */
static void path_join(char *out, size_t cap, const char *a, const char *b, const char *c)
{
    size_t n = 0;
    const char *parts[] = {a, b, c};
    for (int i = 0; i < 3; i++)
        for (const char *s = parts[i]; s && *s && n + 1 < cap; s++)
            out[n++] = *s;
    out[n] = '\0';
}

static void path_index(char *out, size_t cap, const char *path, int i)
{
    char idx[16];
    snprintf(idx, sizeof idx, "[%d]", i);
    path_join(out, cap, path, idx, NULL);
}

static const char *const grade_names[GRADE_COUNT] = {"excellent", "good", "pass", "fail"};
static const char *const grade_labels[GRADE_COUNT] = {"优秀", "良好", "合格", "不合格"};

struct parse {
    struct rubric *r;
    struct validation *v;
};

static void fail(struct parse *p, const char *path, const char *code, const char *message)
{
    validation_add(p->v, path, code, message);
}

static bool key_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > RUBRIC_KEY_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static bool only_members(struct parse *p, const cJSON *obj, const char *path,
                         const char *const *allowed)
{
    bool ok = true;
    const cJSON *m;
    cJSON_ArrayForEach(m, obj)
    {
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, m->string) == 0;
        if (!known) {
            char f[256];
            path_join(f, sizeof f, path, ".", m->string);
            fail(p, f, "unknown_field", "未知字段");
            ok = false;
        }
    }
    return ok;
}

static const cJSON *member(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}

static void parse_steps(struct parse *p, const cJSON *steps, const char *path,
                        struct rubric_node *n)
{
    int count = cJSON_GetArraySize(steps);
    if (!cJSON_IsArray(steps) || count < 1 || count > RUBRIC_MAX_STEPS) {
        fail(p, path, "invalid_value", "分档规则应有 1 到 10 档");
        return;
    }
    const cJSON *s;
    int i = 0;
    cJSON_ArrayForEach(s, steps)
    {
        const cJSON *min = member(s, "min"), *pts = member(s, "points");
        char f[256];
        path_index(f, sizeof f, path, i);
        if (!cJSON_IsNumber(min) || !cJSON_IsNumber(pts) || min->valuedouble < 0 ||
            pts->valuedouble < 0 || pts->valuedouble > n->points + EPS) {
            fail(p, f, "invalid_value", "每档应有非负的 min 和不超过本指标分值的 points");
            return;
        }
        if (i > 0 && (min->valuedouble <= n->steps[i - 1].min ||
                      pts->valuedouble < n->steps[i - 1].points)) {
            fail(p, f, "out_of_order", "各档的 min 应递增，points 不应递减");
            return;
        }
        n->steps[i++] = (struct rubric_step){min->valuedouble, pts->valuedouble};
    }
    n->nsteps = i;
}

static void parse_rule(struct parse *p, const cJSON *rule, const char *path, struct rubric_node *n)
{
    static const char *const allowed[] = {"kind", "indicator", "target", "steps", NULL};
    char f[256];
    if (!cJSON_IsObject(rule) || !only_members(p, rule, path, allowed))
        return;
    const char *kind = cJSON_GetStringValue(member(rule, "kind"));
    static const char *const kinds[] = {"linear", "relative", "steps", "checklist"};
    n->rule = RUBRIC_GROUP;
    for (int k = 0; kind && k < 4; k++)
        if (strcmp(kind, kinds[k]) == 0)
            n->rule = (enum rubric_rule)(RUBRIC_LINEAR + k);
    path_join(f, sizeof f, path, ".kind", NULL);
    if (n->rule == RUBRIC_GROUP) {
        fail(p, f, "invalid_value", "评分方式应为 linear、relative、steps 或 checklist");
        return;
    }
    if (n->rule == RUBRIC_CHECKLIST)
        return;
    path_join(f, sizeof f, path, ".indicator", NULL);
    n->indicator = report_indicator_find(cJSON_GetStringValue(member(rule, "indicator")));
    if (n->indicator < 0)
        fail(p, f, "invalid_value", "应为年度报告的一项指标（如 academician_days）");
    const cJSON *target = member(rule, "target");
    path_join(f, sizeof f, path, ".target", NULL);
    if (n->rule == RUBRIC_LINEAR) {
        if (!cJSON_IsNumber(target) || !(target->valuedouble > 0))
            fail(p, f, "invalid_value", "线性评分需要大于 0 的目标值 target");
        else
            n->target = target->valuedouble;
    }
    path_join(f, sizeof f, path, ".steps", NULL);
    if (n->rule == RUBRIC_STEPS)
        parse_steps(p, member(rule, "steps"), f, n);
}

static bool parse_items(struct parse *p, const cJSON *items, const char *path, int parent,
                        int level, double want);

/* One indicator; returns its points (0 when unusable) so that the parent can add them up. */
static double parse_node(struct parse *p, const cJSON *it, const char *path, int parent, int level)
{
    static const char *const allowed[] = {
        "key", "name", "points", "children", "rule", "evidence_required", NULL};
    char f[256];
    if (!cJSON_IsObject(it)) {
        fail(p, path, "type", "指标应为对象");
        return 0;
    }
    only_members(p, it, path, allowed);
    if (p->r->n >= RUBRIC_MAX_NODES) {
        fail(p, path, "too_many", "指标过多（最多 64 项）");
        return 0;
    }
    int idx = p->r->n++;
    struct rubric_node *n = &p->r->nodes[idx];
    memset(n, 0, sizeof *n);
    n->parent = parent;
    n->level = level;
    n->indicator = -1;
    const char *key = cJSON_GetStringValue(member(it, "key"));
    path_join(f, sizeof f, path, ".key", NULL);
    if (key == NULL || !key_ok(key))
        fail(p, f, "invalid_value", "key 应为 1 到 32 个小写字母、数字或下划线");
    else if (rubric_find(p->r, key) >= 0)
        fail(p, f, "duplicate", "key 重复");
    else
        memcpy(n->key, key, strlen(key) + 1);
    const char *name = cJSON_GetStringValue(member(it, "name"));
    path_join(f, sizeof f, path, ".name", NULL);
    if (name == NULL || name[0] == '\0' || strlen(name) >= sizeof n->name)
        fail(p, f, "invalid_value", "指标名称应为 1 到 60 个字");
    else
        memcpy(n->name, name, strlen(name) + 1);
    const cJSON *points = member(it, "points");
    path_join(f, sizeof f, path, ".points", NULL);
    if (!cJSON_IsNumber(points) || !(points->valuedouble > 0) || points->valuedouble > RUBRIC_TOTAL)
        fail(p, f, "invalid_value", "分值应大于 0 且不超过 100");
    else
        n->points = points->valuedouble;
    const cJSON *ev = member(it, "evidence_required");
    n->evidence_required = cJSON_IsTrue(ev);
    const cJSON *children = member(it, "children"), *rule = member(it, "rule");
    if ((children == NULL) == (rule == NULL)) {
        fail(p, path, "invalid_value", "每项指标要么有下级指标 children，要么有评分规则 rule");
        return n->points;
    }
    if (rule) {
        path_join(f, sizeof f, path, ".rule", NULL);
        parse_rule(p, rule, f, n);
        return n->points;
    }
    path_join(f, sizeof f, path, ".children", NULL);
    if (level >= RUBRIC_MAX_DEPTH) {
        fail(p, f, "too_deep", "指标最多分三级");
        return n->points;
    }
    n->rule = RUBRIC_GROUP;
    if (n->points > 0)
        parse_items(p, children, f, idx, level + 1, n->points);
    return n->points;
}

/* The items of one level; their points must add up to want. */
static bool parse_items(struct parse *p, const cJSON *items, const char *path, int parent,
                        int level, double want)
{
    if (!cJSON_IsArray(items) || cJSON_GetArraySize(items) == 0) {
        fail(p, path, "invalid_value", "应为非空的指标数组");
        return false;
    }
    double sum = 0;
    int i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, items)
    {
        char f[256];
        path_index(f, sizeof f, path, i++);
        sum += parse_node(p, it, f, parent, level);
    }
    if (fabs(sum - want) > EPS) {
        char msg[160];
        if (parent < 0)
            snprintf(msg, sizeof msg, "一级指标分值合计为 %g，应为 100", sum);
        else
            snprintf(msg, sizeof msg, "下级指标分值合计为 %g，应等于上级指标的 %g 分", sum, want);
        fail(p, path, "points_mismatch", msg);
        return false;
    }
    return true;
}

static void parse_grades(struct parse *p, const cJSON *g)
{
    static const char *const allowed[] = {"excellent", "good", "pass", NULL};
    if (!cJSON_IsObject(g)) {
        fail(p, "grades", "required", "需要等级分数线 grades（excellent、good、pass）");
        return;
    }
    only_members(p, g, "grades", allowed);
    const cJSON *e = member(g, "excellent"), *gd = member(g, "good"), *ps = member(g, "pass");
    if (!cJSON_IsNumber(e) || !cJSON_IsNumber(gd) || !cJSON_IsNumber(ps)) {
        fail(p, "grades", "required", "excellent、good、pass 三条分数线都应为数字");
        return;
    }
    p->r->excellent = e->valuedouble;
    p->r->good = gd->valuedouble;
    p->r->pass = ps->valuedouble;
    if (!(p->r->pass > 0 && p->r->pass < p->r->good && p->r->good < p->r->excellent &&
          p->r->excellent <= RUBRIC_TOTAL))
        fail(p, "grades", "out_of_order", "分数线应满足 0 < 合格 < 良好 < 优秀 ≤ 100");
}

bool rubric_parse(const cJSON *json, struct rubric *out, struct validation *v)
{
    static const char *const allowed[] = {"items", "grades", "exemplar_limit", NULL};
    memset(out, 0, sizeof *out);
    struct parse p = {out, v};
    if (!cJSON_IsObject(json)) {
        fail(&p, "rubric", "type", "评分细则应为对象");
        return false;
    }
    only_members(&p, json, "rubric", allowed);
    parse_items(&p, member(json, "items"), "items", -1, 1, RUBRIC_TOTAL);
    parse_grades(&p, member(json, "grades"));
    const cJSON *lim = member(json, "exemplar_limit");
    out->exemplar_limit = 3;
    if (lim) {
        if (!cJSON_IsNumber(lim) || lim->valuedouble != floor(lim->valuedouble) ||
            lim->valuedouble < 0 || lim->valuedouble > 100)
            fail(&p, "exemplar_limit", "invalid_value", "应为 0 到 100 的整数");
        else
            out->exemplar_limit = (int)lim->valuedouble;
    }
    return v->errors == NULL;
}

int rubric_find(const struct rubric *r, const char *key)
{
    for (int i = 0; key && i < r->n; i++)
        if (strcmp(r->nodes[i].key, key) == 0)
            return i;
    return -1;
}

double rubric_leaf_score(const struct rubric_node *n, double value, double best, double checklist)
{
    if (!(value > 0))
        value = 0;
    switch (n->rule) {
    case RUBRIC_LINEAR:
        return n->points * fmin(value / n->target, 1.0);
    case RUBRIC_RELATIVE:
        return best > 0 ? n->points * fmin(value / best, 1.0) : 0;
    case RUBRIC_STEPS: {
        double got = 0;
        for (int i = 0; i < n->nsteps; i++)
            if (value >= n->steps[i].min)
                got = n->steps[i].points;
        return got;
    }
    case RUBRIC_CHECKLIST:
        return checklist > 0 ? fmin(checklist, n->points) : 0;
    case RUBRIC_GROUP:
        break;
    }
    return 0;
}

static double round2(double x)
{
    return round(x * 100.0) / 100.0;
}

double rubric_total(const struct rubric *r, const double figures[IND_COUNT],
                    const double best[IND_COUNT], const double *checklist, double *leaf_out)
{
    double total = 0;
    for (int i = 0; i < r->n; i++) {
        const struct rubric_node *n = &r->nodes[i];
        double s = 0;
        if (n->rule != RUBRIC_GROUP) {
            double value = n->indicator >= 0 ? figures[n->indicator] : 0;
            double top = n->indicator >= 0 ? best[n->indicator] : 0;
            s = round2(rubric_leaf_score(n, value, top, checklist ? checklist[i] : NAN));
            total += s;
        }
        if (leaf_out)
            leaf_out[i] = s;
    }
    return round2(total);
}

enum rubric_grade rubric_grade_of(const struct rubric *r, double score)
{
    if (score >= r->excellent - EPS)
        return GRADE_EXCELLENT;
    if (score >= r->good - EPS)
        return GRADE_GOOD;
    if (score >= r->pass - EPS)
        return GRADE_PASS;
    return GRADE_FAIL;
}

const char *rubric_grade_name(enum rubric_grade g)
{
    return (unsigned)g < GRADE_COUNT ? grade_names[g] : "unknown";
}

const char *rubric_grade_label(enum rubric_grade g)
{
    return (unsigned)g < GRADE_COUNT ? grade_labels[g] : "未知";
}

void rubric_rank(const double *scores, int n, int *ranks)
{
    /* Quadratic, but a year has at most a few thousand stations and this runs once per run. */
    for (int i = 0; i < n; i++) {
        int higher = 0;
        for (int j = 0; j < n; j++)
            if (scores[j] > scores[i] + EPS)
                higher++;
        ranks[i] = higher + 1;
    }
}
