/* Unit tests for src/domain/rubric.h: parsing and checking a rubric, the scoring rules on
 * hand-computed cases, totals, grade boundaries and the ranking of ties. */
#include "domain/rubric.h"
#include "domain/validate.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static bool parse(const char *text, struct rubric *r, struct validation *v)
{
    cJSON *json = cJSON_Parse(text);
    ck_assert_ptr_nonnull(json);
    memset(v, 0, sizeof *v);
    bool ok = rubric_parse(json, r, v);
    cJSON_Delete(json);
    return ok;
}

/* "field/code" of the first error. */
static const char *first(const struct validation *v)
{
    static char out[256];
    const cJSON *e = cJSON_GetArrayItem(v->errors, 0);
    snprintf(out, sizeof out, "%s/%s", cJSON_GetStringValue(cJSON_GetObjectItem(e, "field")),
             cJSON_GetStringValue(cJSON_GetObjectItem(e, "code")));
    return out;
}

static void refused(const char *text, const char *want)
{
    struct rubric r;
    struct validation v;
    ck_assert_msg(!parse(text, &r, &v), "accepted: %s", text);
    ck_assert_msg(strcmp(first(&v), want) == 0, "%s: %s, want %s", text, first(&v), want);
    validation_free(&v);
}

#define GRADES "\"grades\":{\"excellent\":85,\"good\":75,\"pass\":60}"

START_TEST(test_default_rubric_parses_and_adds_up)
{
    struct rubric r;
    struct validation v;
    ck_assert(parse(rubric_default_json, &r, &v));
    ck_assert_int_eq(r.n, 16);
    ck_assert_int_eq(r.exemplar_limit, 3);
    int inv = rubric_find(&r, "inventions");
    ck_assert_int_ge(inv, 0);
    ck_assert_int_eq(r.nodes[inv].level, 3);
    ck_assert(r.nodes[inv].evidence_required);
    ck_assert_int_eq(r.nodes[inv].indicator, IND_INVENTION_PATENTS_GRANTED);
    ck_assert_int_eq(r.nodes[r.nodes[inv].parent].level, 2);
    double leaves = 0;
    for (int i = 0; i < r.n; i++)
        if (r.nodes[i].rule != RUBRIC_GROUP)
            leaves += r.nodes[i].points;
    ck_assert(fabs(leaves - 100) < 1e-9);
}
END_TEST

START_TEST(test_rubric_that_does_not_add_up_is_refused)
{
    refused("{\"items\":[{\"key\":\"a\",\"name\":\"甲\",\"points\":90,\"rule\":{\"kind\":"
            "\"checklist\"}}]," GRADES "}",
            "items/points_mismatch");
    refused(
        "{\"items\":[{\"key\":\"a\",\"name\":\"甲\",\"points\":100,\"children\":["
        "{\"key\":\"b\",\"name\":\"乙\",\"points\":60,\"rule\":{\"kind\":\"checklist\"}},"
        "{\"key\":\"c\",\"name\":\"丙\",\"points\":30,\"rule\":{\"kind\":\"checklist\"}}]}]," GRADES
        "}",
        "items[0].children/points_mismatch");
    refused("{\"items\":[{\"key\":\"a\",\"name\":\"甲\",\"points\":100,\"rule\":{\"kind\":"
            "\"checklist\"}}],\"grades\":{\"excellent\":70,\"good\":75,\"pass\":60}}",
            "grades/out_of_order");
    refused("{\"items\":[{\"key\":\"a\",\"name\":\"甲\",\"points\":100,\"rule\":{\"kind\":"
            "\"checklist\"}}]}",
            "grades/required");
}
END_TEST

START_TEST(test_rubric_shape_errors_name_the_field)
{
    refused("{\"items\":[{\"key\":\"A\",\"name\":\"甲\",\"points\":100,\"rule\":{\"kind\":"
            "\"checklist\"}}]," GRADES "}",
            "items[0].key/invalid_value");
    refused("{\"items\":[{\"key\":\"a\",\"name\":\"甲\",\"points\":50,\"rule\":{\"kind\":"
            "\"checklist\"}},{\"key\":\"a\",\"name\":\"乙\",\"points\":50,\"rule\":{\"kind\":"
            "\"checklist\"}}]," GRADES "}",
            "items[1].key/duplicate");
    refused("{\"items\":[{\"key\":\"a\",\"name\":\"甲\",\"points\":100,\"rule\":{\"kind\":"
            "\"linear\",\"indicator\":\"academician_days\"}}]," GRADES "}",
            "items[0].rule.target/invalid_value");
    refused("{\"items\":[{\"key\":\"a\",\"name\":\"甲\",\"points\":100,\"rule\":{\"kind\":"
            "\"relative\",\"indicator\":\"bonus\"}}]," GRADES "}",
            "items[0].rule.indicator/invalid_value");
    refused("{\"items\":[{\"key\":\"a\",\"name\":\"甲\",\"points\":100,\"rule\":{\"kind\":"
            "\"steps\",\"indicator\":\"papers\",\"steps\":[{\"min\":2,\"points\":50},"
            "{\"min\":1,\"points\":100}]}}]," GRADES "}",
            "items[0].rule.steps[1]/out_of_order");
    refused("{\"items\":[{\"key\":\"a\",\"name\":\"甲\",\"points\":100}]," GRADES "}",
            "items[0]/invalid_value");
    refused("{\"items\":[{\"key\":\"a\",\"name\":\"甲\",\"points\":100,\"children\":["
            "{\"key\":\"b\",\"name\":\"乙\",\"points\":100,\"children\":["
            "{\"key\":\"c\",\"name\":\"丙\",\"points\":100,\"children\":["
            "{\"key\":\"d\",\"name\":\"丁\",\"points\":100,\"rule\":{\"kind\":\"checklist\"}}]}]}]}"
            "]," GRADES "}",
            "items[0].children[0].children[0].children/too_deep");
    refused("{\"items\":[]," GRADES "}", "items/invalid_value");
    refused("{\"items\":[{\"key\":\"a\",\"name\":\"甲\",\"points\":100,\"rule\":{\"kind\":"
            "\"checklist\"},\"weight\":1}]," GRADES "}",
            "items[0].weight/unknown_field");
}
END_TEST

static struct rubric_node leaf(enum rubric_rule rule, double points)
{
    struct rubric_node n;
    memset(&n, 0, sizeof n);
    n.rule = rule;
    n.points = points;
    n.parent = -1;
    return n;
}

START_TEST(test_rules_on_hand_computed_cases)
{
    struct rubric_node lin = leaf(RUBRIC_LINEAR, 15);
    lin.target = 60;
    ck_assert(fabs(rubric_leaf_score(&lin, 30, 0, NAN) - 7.5) < 1e-9);
    ck_assert(fabs(rubric_leaf_score(&lin, 60, 0, NAN) - 15) < 1e-9);
    ck_assert(fabs(rubric_leaf_score(&lin, 600, 0, NAN) - 15) < 1e-9); /* capped */
    ck_assert(fabs(rubric_leaf_score(&lin, -3, 0, NAN)) < 1e-9);
    struct rubric_node rel = leaf(RUBRIC_RELATIVE, 10);
    ck_assert(fabs(rubric_leaf_score(&rel, 150, 600, NAN) - 2.5) < 1e-9);
    ck_assert(fabs(rubric_leaf_score(&rel, 600, 600, NAN) - 10) < 1e-9);
    ck_assert(fabs(rubric_leaf_score(&rel, 0, 0, NAN)) < 1e-9); /* nobody had any */
    struct rubric_node st = leaf(RUBRIC_STEPS, 10);
    st.steps[0] = (struct rubric_step){1, 4};
    st.steps[1] = (struct rubric_step){2, 7};
    st.steps[2] = (struct rubric_step){3, 10};
    st.nsteps = 3;
    ck_assert(fabs(rubric_leaf_score(&st, 0, 0, NAN)) < 1e-9);
    ck_assert(fabs(rubric_leaf_score(&st, 1, 0, NAN) - 4) < 1e-9);
    ck_assert(fabs(rubric_leaf_score(&st, 2.5, 0, NAN) - 7) < 1e-9);
    ck_assert(fabs(rubric_leaf_score(&st, 9, 0, NAN) - 10) < 1e-9);
    struct rubric_node ck = leaf(RUBRIC_CHECKLIST, 10);
    ck_assert(fabs(rubric_leaf_score(&ck, 0, 0, 8) - 8) < 1e-9);
    ck_assert(fabs(rubric_leaf_score(&ck, 0, 0, 12) - 10) < 1e-9);
    ck_assert(fabs(rubric_leaf_score(&ck, 0, 0, NAN)) < 1e-9);
    ck_assert(fabs(rubric_leaf_score(&ck, 0, 0, -1)) < 1e-9);
}
END_TEST

/* The default rubric on one station, computed by hand:
 * rules 8 + conditions 9 (checklist) = 17; days 45/60 × 15 = 11.25; talents 5/10 × 10 = 5;
 * joint 2 → 7; rd 150/600 × 10 = 2.5; inventions 1/3 × 10 = 3.33; applied 6/10 × 5 = 3;
 * standards 1 → 3; products 2/3 × 5 = 3.33; benefit 1200/1200 × 10 = 10. Total 65.41. */
START_TEST(test_total_of_default_rubric_by_hand)
{
    struct rubric r;
    struct validation v;
    ck_assert(parse(rubric_default_json, &r, &v));
    double f[IND_COUNT] = {0}, best[IND_COUNT] = {0}, checklist[RUBRIC_MAX_NODES],
           out[RUBRIC_MAX_NODES];
    for (int i = 0; i < RUBRIC_MAX_NODES; i++)
        checklist[i] = NAN;
    checklist[rubric_find(&r, "rules")] = 8;
    checklist[rubric_find(&r, "conditions")] = 9;
    f[IND_ACADEMICIAN_DAYS] = 45;
    f[IND_TALENTS_TRAINED] = 5;
    f[IND_JOINT_PROJECTS_NEW] = 2;
    f[IND_RD_INPUT] = 150;
    best[IND_RD_INPUT] = 600;
    f[IND_INVENTION_PATENTS_GRANTED] = 1;
    f[IND_PATENTS_APPLIED] = 6;
    f[IND_STANDARDS] = 1;
    f[IND_NEW_PRODUCTS] = 2;
    f[IND_NEW_PRODUCT_REVENUE] = 1200;
    best[IND_NEW_PRODUCT_REVENUE] = 1200;
    double total = rubric_total(&r, f, best, checklist, out);
    ck_assert_msg(fabs(total - 65.41) < 1e-9, "total %f", total);
    ck_assert(fabs(out[rubric_find(&r, "days")] - 11.25) < 1e-9);
    ck_assert(fabs(out[rubric_find(&r, "inventions")] - 3.33) < 1e-9);
    ck_assert(fabs(out[rubric_find(&r, "basic")]) < 1e-9); /* groups carry no own score */
    ck_assert_int_eq(rubric_grade_of(&r, total), GRADE_PASS);
}
END_TEST

START_TEST(test_grade_boundaries)
{
    struct rubric r;
    struct validation v;
    ck_assert(parse(rubric_default_json, &r, &v));
    ck_assert_int_eq(rubric_grade_of(&r, 100), GRADE_EXCELLENT);
    ck_assert_int_eq(rubric_grade_of(&r, 85), GRADE_EXCELLENT);
    ck_assert_int_eq(rubric_grade_of(&r, 84.99), GRADE_GOOD);
    ck_assert_int_eq(rubric_grade_of(&r, 75), GRADE_GOOD);
    ck_assert_int_eq(rubric_grade_of(&r, 74.99), GRADE_PASS);
    ck_assert_int_eq(rubric_grade_of(&r, 60), GRADE_PASS);
    ck_assert_int_eq(rubric_grade_of(&r, 59.99), GRADE_FAIL);
    ck_assert_int_eq(rubric_grade_of(&r, 0), GRADE_FAIL);
    ck_assert_str_eq(rubric_grade_name(GRADE_GOOD), "good");
    ck_assert_str_eq(rubric_grade_label(GRADE_FAIL), "不合格");
    ck_assert_str_eq(rubric_grade_name(GRADE_COUNT), "unknown");
}
END_TEST

START_TEST(test_ties_share_a_rank)
{
    double scores[] = {80, 92.5, 80, 70, 92.5, 80};
    int ranks[6];
    rubric_rank(scores, 6, ranks);
    int want[] = {3, 1, 3, 6, 1, 3};
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(ranks[i], want[i]);
    rubric_rank(scores, 0, ranks);
}
END_TEST

static Suite *rubric_suite(void)
{
    Suite *s = suite_create("rubric");
    TCase *tc = tcase_create("rubric");
    tcase_add_test(tc, test_default_rubric_parses_and_adds_up);
    tcase_add_test(tc, test_rubric_that_does_not_add_up_is_refused);
    tcase_add_test(tc, test_rubric_shape_errors_name_the_field);
    tcase_add_test(tc, test_rules_on_hand_computed_cases);
    tcase_add_test(tc, test_total_of_default_rubric_by_hand);
    tcase_add_test(tc, test_grade_boundaries);
    tcase_add_test(tc, test_ties_share_a_rank);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(rubric_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
