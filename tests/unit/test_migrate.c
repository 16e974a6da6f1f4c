/* Unit tests for src/db/migrate.h: migration checksums and the applied-vs-embedded comparison. */
#include "db/migrate.h"

#include <check.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SQL(s) (const unsigned char *)(s), sizeof(s) - 1

static const struct migration embedded[] = {
    {"0001_reference", SQL("CREATE TABLE region (code text PRIMARY KEY);\n")},
    {"0002_reference_data", SQL("INSERT INTO region VALUES ('110000');\n")},
    {"0003_accounts", SQL("CREATE TABLE account (id bigint PRIMARY KEY);\n")},
};
#define NEMBEDDED (sizeof embedded / sizeof embedded[0])

/* The checksums of embedded[], computed in setup. */
static char sums[NEMBEDDED][65];
static char detail[512];

static void setup(void)
{
    ck_assert_int_ge(sodium_init(), 0);
    for (size_t i = 0; i < NEMBEDDED; i++)
        migrate_checksum(&embedded[i], sums[i]);
    strcpy(detail, "untouched");
}

START_TEST(test_checksum_is_hex_sha256)
{
    /* SHA-256("abc"), FIPS 180-2 test vector */
    const struct migration m = {"x", SQL("abc")};
    char out[65];
    migrate_checksum(&m, out);
    ck_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const struct migration empty = {"e", (const unsigned char *)"", 0};
    migrate_checksum(&empty, out);
    ck_assert_str_eq(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(test_checksum_changes_with_text)
{
    const struct migration a = {"x", SQL("SELECT 1;")};
    const struct migration b = {"x", SQL("SELECT 1; ")};
    char sa[65], sb[65];
    migrate_checksum(&a, sa);
    migrate_checksum(&b, sb);
    ck_assert_uint_eq(strlen(sa), 64);
    ck_assert_str_ne(sa, sb);
}
END_TEST

START_TEST(test_compare_current)
{
    const struct applied_migration applied[] = {
        {"0001_reference", sums[0]},
        {"0002_reference_data", sums[1]},
        {"0003_accounts", sums[2]},
    };
    ck_assert_int_eq(migrate_compare(applied, 3, embedded, NEMBEDDED, detail, sizeof detail),
                     SCHEMA_CURRENT);
    ck_assert_str_eq(detail, "3 migrations applied");
}
END_TEST

START_TEST(test_compare_current_in_any_order)
{
    const struct applied_migration applied[] = {
        {"0003_accounts", sums[2]},
        {"0001_reference", sums[0]},
        {"0002_reference_data", sums[1]},
    };
    ck_assert_int_eq(migrate_compare(applied, 3, embedded, NEMBEDDED, detail, sizeof detail),
                     SCHEMA_CURRENT);
}
END_TEST

START_TEST(test_compare_behind_names_first_pending)
{
    const struct applied_migration applied[] = {
        {"0001_reference", sums[0]},
    };
    ck_assert_int_eq(migrate_compare(applied, 1, embedded, NEMBEDDED, detail, sizeof detail),
                     SCHEMA_BEHIND);
    ck_assert_ptr_nonnull(strstr(detail, "2 migration(s) pending"));
    ck_assert_ptr_nonnull(strstr(detail, "starting with 0002_reference_data"));
}
END_TEST

START_TEST(test_compare_behind_with_gap)
{
    /* 0002 missing while 0003 is applied: still behind, and 0002 is the one named */
    const struct applied_migration applied[] = {
        {"0001_reference", sums[0]},
        {"0003_accounts", sums[2]},
    };
    ck_assert_int_eq(migrate_compare(applied, 2, embedded, NEMBEDDED, detail, sizeof detail),
                     SCHEMA_BEHIND);
    ck_assert_ptr_nonnull(strstr(detail, "1 migration(s) pending"));
    ck_assert_ptr_nonnull(strstr(detail, "0002_reference_data"));
}
END_TEST

START_TEST(test_compare_empty_database_is_behind)
{
    ck_assert_int_eq(migrate_compare(NULL, 0, embedded, NEMBEDDED, detail, sizeof detail),
                     SCHEMA_BEHIND);
    ck_assert_ptr_nonnull(strstr(detail, "3 migration(s) pending"));
    ck_assert_ptr_nonnull(strstr(detail, "starting with 0001_reference"));
}
END_TEST

START_TEST(test_compare_mismatch_on_changed_checksum)
{
    const struct migration changed = {"0002_reference_data",
                                      SQL("INSERT INTO region VALUES ('120000');\n")};
    char changed_sum[65];
    migrate_checksum(&changed, changed_sum);
    const struct applied_migration applied[] = {
        {"0001_reference", sums[0]},
        {"0002_reference_data", changed_sum},
        {"0003_accounts", sums[2]},
    };
    ck_assert_int_eq(migrate_compare(applied, 3, embedded, NEMBEDDED, detail, sizeof detail),
                     SCHEMA_MISMATCH);
    ck_assert_ptr_nonnull(strstr(detail, "0002_reference_data"));
    ck_assert_ptr_nonnull(strstr(detail, "changed"));
}
END_TEST

START_TEST(test_compare_mismatch_wins_over_behind)
{
    const struct applied_migration applied[] = {
        {"0001_reference", "0000000000000000000000000000000000000000000000000000000000000000"},
    };
    ck_assert_int_eq(migrate_compare(applied, 1, embedded, NEMBEDDED, detail, sizeof detail),
                     SCHEMA_MISMATCH);
    ck_assert_ptr_nonnull(strstr(detail, "0001_reference"));
}
END_TEST

START_TEST(test_compare_ahead_on_unknown_applied)
{
    const struct applied_migration applied[] = {
        {"0001_reference", sums[0]},
        {"0002_reference_data", sums[1]},
        {"0003_accounts", sums[2]},
        {"0004_future", "abcdef"},
    };
    ck_assert_int_eq(migrate_compare(applied, 4, embedded, NEMBEDDED, detail, sizeof detail),
                     SCHEMA_AHEAD);
    ck_assert_ptr_nonnull(strstr(detail, "0004_future"));
}
END_TEST

START_TEST(test_compare_behind_wins_over_ahead)
{
    const struct applied_migration applied[] = {
        {"0001_reference", sums[0]},
        {"0009_other_branch", "abcdef"},
    };
    ck_assert_int_eq(migrate_compare(applied, 2, embedded, NEMBEDDED, detail, sizeof detail),
                     SCHEMA_BEHIND);
}
END_TEST

START_TEST(test_state_names)
{
    ck_assert_str_eq(migrate_state_name(SCHEMA_CURRENT), "current");
    ck_assert_str_eq(migrate_state_name(SCHEMA_AHEAD), "ahead");
    ck_assert_str_eq(migrate_state_name(SCHEMA_BEHIND), "behind");
    ck_assert_str_eq(migrate_state_name(SCHEMA_MISMATCH), "mismatch");
    ck_assert_str_eq(migrate_state_name(SCHEMA_UNKNOWN), "unknown");
}
END_TEST

static Suite *migrate_suite(void)
{
    Suite *s = suite_create("migrate");
    TCase *tc = tcase_create("compare");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_checksum_is_hex_sha256);
    tcase_add_test(tc, test_checksum_changes_with_text);
    tcase_add_test(tc, test_compare_current);
    tcase_add_test(tc, test_compare_current_in_any_order);
    tcase_add_test(tc, test_compare_behind_names_first_pending);
    tcase_add_test(tc, test_compare_behind_with_gap);
    tcase_add_test(tc, test_compare_empty_database_is_behind);
    tcase_add_test(tc, test_compare_mismatch_on_changed_checksum);
    tcase_add_test(tc, test_compare_mismatch_wins_over_behind);
    tcase_add_test(tc, test_compare_ahead_on_unknown_applied);
    tcase_add_test(tc, test_compare_behind_wins_over_ahead);
    tcase_add_test(tc, test_state_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(migrate_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
