/* The report indicators as one table, and the relations between them. */
#include "domain/report_indicators.h"

#include <stddef.h>
#include <string.h>

/* Bounds are generous (a large station, a very good year) yet catch a slipped decimal point
 * or a figure typed into the wrong box: 10 academicians on site every day of the year, 1 000
 * patents, 1 000 000 万元 (ten billion yuan). */
const struct report_indicator_info report_indicators[IND_COUNT] = {
    [IND_ACADEMICIAN_DAYS] = {"academician_days", "院士在站工作天数", "天", false, 3660},
    [IND_JOINT_PROJECTS_NEW] = {"joint_projects_new", "新增合作项目", "项", true, 1000},
    [IND_JOINT_PROJECTS_ONGOING] = {"joint_projects_ongoing", "在研合作项目", "项", true, 1000},
    [IND_RD_INPUT] = {"rd_input", "研发投入", "万元", false, 1000000},
    [IND_PATENTS_APPLIED] = {"patents_applied", "申请专利", "项", true, 1000},
    [IND_PATENTS_GRANTED] = {"patents_granted", "授权专利", "项", true, 1000},
    [IND_INVENTION_PATENTS_GRANTED] = {"invention_patents_granted", "授权发明专利", "项", true,
                                       1000},
    [IND_NEW_PRODUCTS] = {"new_products", "新产品", "项", true, 1000},
    [IND_STANDARDS] = {"standards", "制定标准", "项", true, 1000},
    [IND_PAPERS] = {"papers", "发表论文", "篇", true, 1000},
    [IND_NEW_PRODUCT_REVENUE] = {"new_product_revenue", "新产品销售收入", "万元", false, 1000000},
    [IND_TALENTS_TRAINED] = {"talents_trained", "培养人才", "人", true, 10000},
    [IND_AWARDS] = {"awards", "获奖", "项", true, 1000},
};

int report_indicator_find(const char *name)
{
    for (int i = 0; name && i < IND_COUNT; i++)
        if (strcmp(report_indicators[i].name, name) == 0)
            return i;
    return -1;
}

static void add(struct report_problem *out, int max, int *n, const char *field, const char *code,
                const char *message)
{
    if (*n < max)
        out[*n] = (struct report_problem){field, code, message};
    (*n)++;
}

int report_indicators_check(const double f[IND_COUNT], struct report_problem *out, int max)
{
    int n = 0;
    if (f[IND_PATENTS_GRANTED] > f[IND_PATENTS_APPLIED])
        add(out, max, &n, "patents_granted", "exceeds_applied",
            "授权专利数不能多于申请专利数（授权的专利应计入当年申请数）");
    if (f[IND_INVENTION_PATENTS_GRANTED] > f[IND_PATENTS_GRANTED])
        add(out, max, &n, "invention_patents_granted", "exceeds_granted",
            "授权发明专利数不能多于授权专利总数");
    return n;
}
