/* Unit tests for src/core/config.h: defaults, typed settings, config files, environment. */
#include "core/config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct config cfg;
static char err[512];
static char tmp_path[256];

static void setup(void)
{
    config_init(&cfg);
    err[0] = '\0';
    tmp_path[0] = '\0';
}

static void teardown(void)
{
    config_free(&cfg);
    if (tmp_path[0])
        unlink(tmp_path);
    unsetenv("SIKU_LISTEN");
    unsetenv("SIKU_DATABASE");
    unsetenv("SIKU_DATABASE_URL");
    unsetenv("SIKU_MAX_BODY_SIZE");
}

/* Writes text to a fresh temporary file whose path is left in tmp_path. */
static const char *write_temp(const char *text)
{
    const char *dir = getenv("TMPDIR");
    snprintf(tmp_path, sizeof tmp_path, "%s/siku-config-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(tmp_path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_ge(fputs(text, f), 0);
    ck_assert_int_eq(fclose(f), 0);
    return tmp_path;
}

START_TEST(test_config_defaults)
{
    ck_assert_str_eq(cfg.listen, "127.0.0.1:8080");
    ck_assert_str_eq(cfg.database, "dbname=siku");
    ck_assert_int_eq(cfg.max_body_size, 1048576);
    ck_assert_int_eq(cfg.max_header_size, 16384);
    ck_assert_int_eq(cfg.max_import_size, 52428800);
    ck_assert_int_eq(cfg.max_evidence_size, 10485760);
    ck_assert_int_eq(cfg.threads, 0);
    ck_assert_int_eq(cfg.header_timeout_ms, 10000);
    ck_assert_int_eq(cfg.db_pool_size, 2);
    ck_assert_str_eq(cfg.log_level, "info");
    ck_assert(cfg.access_log);
    ck_assert_str_eq(cfg.web_dir, "");
}
END_TEST

START_TEST(test_config_set_accepts_dashes_and_underscores)
{
    ck_assert_msg(config_set(&cfg, "max-body-size", "2048", err, sizeof err), "%s", err);
    ck_assert_int_eq(cfg.max_body_size, 2048);
    ck_assert_msg(config_set(&cfg, "max_body_size", "4096", err, sizeof err), "%s", err);
    ck_assert_int_eq(cfg.max_body_size, 4096);
    ck_assert_msg(config_set(&cfg, "listen", "0.0.0.0:9000", err, sizeof err), "%s", err);
    ck_assert_str_eq(cfg.listen, "0.0.0.0:9000");
    ck_assert(config_has_key("db-pool-size"));
    ck_assert(config_has_key("db_pool_size"));
    ck_assert(!config_has_key("db_pool"));
}
END_TEST

START_TEST(test_config_sizes_take_k_and_m_suffixes)
{
    ck_assert_msg(config_set(&cfg, "max_body_size", "64k", err, sizeof err), "%s", err);
    ck_assert_int_eq(cfg.max_body_size, 64 * 1024);
    ck_assert_msg(config_set(&cfg, "max_body_size", "2M", err, sizeof err), "%s", err);
    ck_assert_int_eq(cfg.max_body_size, 2 * 1024 * 1024);
    ck_assert_msg(config_set(&cfg, "max_header_size", "32KiB", err, sizeof err), "%s", err);
    ck_assert_int_eq(cfg.max_header_size, 32 * 1024);
    ck_assert(!config_set(&cfg, "max_body_size", "2g", err, sizeof err));
    ck_assert(!config_set(&cfg, "max_body_size", "2 k", err, sizeof err));
    ck_assert_int_eq(cfg.max_header_size, 32 * 1024);
}
END_TEST

START_TEST(test_config_durations_take_s_suffix)
{
    ck_assert_msg(config_set(&cfg, "read_timeout_ms", "5s", err, sizeof err), "%s", err);
    ck_assert_int_eq(cfg.read_timeout_ms, 5000);
    ck_assert_msg(config_set(&cfg, "read-timeout-ms", "750ms", err, sizeof err), "%s", err);
    ck_assert_int_eq(cfg.read_timeout_ms, 750);
    ck_assert_msg(config_set(&cfg, "read_timeout_ms", "1500", err, sizeof err), "%s", err);
    ck_assert_int_eq(cfg.read_timeout_ms, 1500);
    ck_assert(!config_set(&cfg, "read_timeout_ms", "5m", err, sizeof err));
    ck_assert(!config_set(&cfg, "threads", "4k", err, sizeof err)); /* plain ints: no suffix */
    ck_assert_int_eq(cfg.read_timeout_ms, 1500);
}
END_TEST

START_TEST(test_config_refuses_out_of_range_with_message)
{
    ck_assert(!config_set(&cfg, "max_body_size", "10", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "max_body_size"));
    ck_assert_ptr_nonnull(strstr(err, "out of range"));
    ck_assert_ptr_nonnull(strstr(err, "[1024, 1073741824]"));
    ck_assert_int_eq(cfg.max_body_size, 1048576); /* unchanged */

    ck_assert(!config_set(&cfg, "db_pool_size", "65", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "db_pool_size"));
    ck_assert(config_set(&cfg, "db_pool_size", "64", err, sizeof err));
    ck_assert_int_eq(cfg.db_pool_size, 64);
    ck_assert(!config_set(&cfg, "header_timeout_ms", "3601s", err, sizeof err));
    ck_assert(!config_set(&cfg, "threads", "-1", err, sizeof err));
    ck_assert(!config_set(&cfg, "max_import_size", "99999999999999999999", err, sizeof err));
}
END_TEST

START_TEST(test_config_refuses_non_numbers)
{
    ck_assert(!config_set(&cfg, "threads", "four", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "threads"));
    ck_assert_ptr_nonnull(strstr(err, "not a number"));
    ck_assert(!config_set(&cfg, "threads", "", err, sizeof err));
    ck_assert(!config_set(&cfg, "threads", "4x", err, sizeof err));
    ck_assert_int_eq(cfg.threads, 0);
}
END_TEST

START_TEST(test_config_refuses_unknown_key)
{
    ck_assert(!config_set(&cfg, "no_such_key", "1", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "unknown setting"));
    ck_assert_ptr_nonnull(strstr(err, "no_such_key"));
}
END_TEST

START_TEST(test_config_parses_bools)
{
    static const char *const yes[] = {"true", "1", "yes", "on"};
    static const char *const no[] = {"false", "0", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        ck_assert(config_set(&cfg, "access_log", no[i], err, sizeof err));
        ck_assert(!cfg.access_log);
        ck_assert(config_set(&cfg, "access-log", yes[i], err, sizeof err));
        ck_assert(cfg.access_log);
    }
    ck_assert(!config_set(&cfg, "access_log", "maybe", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "access_log"));
    ck_assert(!config_set(&cfg, "access_log", "", err, sizeof err));
    ck_assert(cfg.access_log);
}
END_TEST

START_TEST(test_config_load_file)
{
    const char *path = write_temp("# a comment\n"
                                  "\n"
                                  "   # an indented comment\n"
                                  "listen = 0.0.0.0:8443\n"
                                  "database = \"host=db dbname=siku user=x\"\n"
                                  "max-body-size=2m\n"
                                  "  idle_timeout_ms   =   2s   \n"
                                  "access_log = off\n"
                                  "web_dir = \"\"\n");
    ck_assert_msg(config_load_file(&cfg, path, err, sizeof err), "%s", err);
    ck_assert_str_eq(cfg.listen, "0.0.0.0:8443");
    ck_assert_str_eq(cfg.database, "host=db dbname=siku user=x");
    ck_assert_int_eq(cfg.max_body_size, 2 * 1024 * 1024);
    ck_assert_int_eq(cfg.idle_timeout_ms, 2000);
    ck_assert(!cfg.access_log);
    ck_assert_str_eq(cfg.web_dir, "");
}
END_TEST

START_TEST(test_config_load_file_reports_file_and_line)
{
    const char *path = write_temp("# settings\nlisten = 1.2.3.4:80\n\nthis line has no equals\n");
    ck_assert(!config_load_file(&cfg, path, err, sizeof err));
    char expected[512];
    snprintf(expected, sizeof expected, "%s:4: ", path);
    ck_assert_msg(strncmp(err, expected, strlen(expected)) == 0, "got \"%s\"", err);
}
END_TEST

START_TEST(test_config_load_file_reports_bad_value_line)
{
    const char *path = write_temp("threads = 2\ndb_pool_size = 1000\n");
    ck_assert(!config_load_file(&cfg, path, err, sizeof err));
    char expected[512];
    snprintf(expected, sizeof expected, "%s:2: db_pool_size", path);
    ck_assert_msg(strncmp(err, expected, strlen(expected)) == 0, "got \"%s\"", err);
    ck_assert_ptr_nonnull(strstr(err, "out of range"));
    ck_assert_int_eq(cfg.threads, 2); /* lines before the error were applied */
}
END_TEST

START_TEST(test_config_load_file_reports_unknown_key_line)
{
    const char *path = write_temp("lisen = 1.2.3.4:80\n");
    ck_assert(!config_load_file(&cfg, path, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, ":1: unknown setting \"lisen\""));
}
END_TEST

START_TEST(test_config_load_missing_file_fails)
{
    ck_assert(!config_load_file(&cfg, "/nonexistent/siku/siku.conf", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/siku/siku.conf"));
}
END_TEST

START_TEST(test_config_env_overrides)
{
    unsetenv("SIKU_DATABASE");
    ck_assert_int_eq(setenv("SIKU_LISTEN", "10.0.0.1:7000", 1), 0);
    ck_assert_int_eq(setenv("SIKU_DATABASE_URL", "postgresql://u@h/siku", 1), 0);
    ck_assert_int_eq(setenv("SIKU_MAX_BODY_SIZE", "3m", 1), 0);
    ck_assert_msg(config_load_env(&cfg, err, sizeof err), "%s", err);
    ck_assert_str_eq(cfg.listen, "10.0.0.1:7000");
    ck_assert_str_eq(cfg.database, "postgresql://u@h/siku");
    ck_assert_int_eq(cfg.max_body_size, 3 * 1024 * 1024);
}
END_TEST

START_TEST(test_config_env_database_wins_over_database_url)
{
    ck_assert_int_eq(setenv("SIKU_DATABASE", "dbname=a", 1), 0);
    ck_assert_int_eq(setenv("SIKU_DATABASE_URL", "dbname=b", 1), 0);
    ck_assert_msg(config_load_env(&cfg, err, sizeof err), "%s", err);
    ck_assert_str_eq(cfg.database, "dbname=a");
}
END_TEST

START_TEST(test_config_env_bad_value_names_variable)
{
    ck_assert_int_eq(setenv("SIKU_MAX_BODY_SIZE", "1", 1), 0);
    ck_assert(!config_load_env(&cfg, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "SIKU_MAX_BODY_SIZE"));
    ck_assert_ptr_nonnull(strstr(err, "out of range"));
}
END_TEST

START_TEST(test_config_write_round_trips)
{
    ck_assert(config_set(&cfg, "listen", "0.0.0.0:9999", err, sizeof err));
    ck_assert(config_set(&cfg, "database", "host=x dbname=\"quoted\"", err, sizeof err));
    ck_assert(config_set(&cfg, "max_body_size", "5m", err, sizeof err));
    ck_assert(config_set(&cfg, "write_timeout_ms", "7s", err, sizeof err));
    ck_assert(config_set(&cfg, "access_log", "false", err, sizeof err));
    ck_assert(config_set(&cfg, "threads", "3", err, sizeof err));

    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(mem);
    config_write(&cfg, mem);
    ck_assert_int_eq(fclose(mem), 0);

    static const char *const keys[] = {"listen",
                                       "database",
                                       "threads",
                                       "max_connections",
                                       "max_header_size",
                                       "max_body_size",
                                       "max_import_size",
                                       "max_evidence_size",
                                       "header_timeout_ms",
                                       "read_timeout_ms",
                                       "write_timeout_ms",
                                       "idle_timeout_ms",
                                       "request_deadline_ms",
                                       "import_timeout_ms",
                                       "shutdown_timeout_ms",
                                       "db_pool_size",
                                       "db_queue_max",
                                       "db_queue_timeout_ms",
                                       "db_statement_timeout_ms",
                                       "db_connect_timeout_ms",
                                       "db_reconnect_max_ms",
                                       "token_ttl_s",
                                       "login_max_failures",
                                       "login_window_s",
                                       "hash_concurrency",
                                       "metrics_token",
                                       "log_level",
                                       "access_log",
                                       "web_dir"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char line[128];
        snprintf(line, sizeof line, "\n%s = ", keys[i]);
        ck_assert_msg(strstr(text, line) != NULL, "config_write lacks %s", keys[i]);
    }

    const char *path = write_temp(text);
    free(text);
    struct config back;
    config_init(&back);
    bool ok = config_load_file(&back, path, err, sizeof err);
    ck_assert_msg(ok, "%s", err);
    ck_assert_str_eq(back.listen, "0.0.0.0:9999");
    ck_assert_str_eq(back.database, "host=x dbname=\"quoted\"");
    ck_assert_int_eq(back.max_body_size, 5 * 1024 * 1024);
    ck_assert_int_eq(back.write_timeout_ms, 7000);
    ck_assert(!back.access_log);
    ck_assert_int_eq(back.threads, 3);
    ck_assert_int_eq(back.max_header_size, cfg.max_header_size);
    ck_assert_str_eq(back.log_level, cfg.log_level);
    config_free(&back);
}
END_TEST

START_TEST(test_config_finish_resolves_threads)
{
    config_finish(&cfg);
    ck_assert_int_ge(cfg.threads, 1);
    ck_assert(config_set(&cfg, "threads", "7", err, sizeof err));
    config_finish(&cfg);
    ck_assert_int_eq(cfg.threads, 7);
}
END_TEST

START_TEST(test_config_free_is_idempotent)
{
    config_free(&cfg);
    ck_assert_ptr_null(cfg.listen);
    ck_assert_ptr_null(cfg.database);
    config_free(&cfg); /* teardown frees again */
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *set = tcase_create("set");
    tcase_add_checked_fixture(set, setup, teardown);
    tcase_add_test(set, test_config_defaults);
    tcase_add_test(set, test_config_set_accepts_dashes_and_underscores);
    tcase_add_test(set, test_config_sizes_take_k_and_m_suffixes);
    tcase_add_test(set, test_config_durations_take_s_suffix);
    tcase_add_test(set, test_config_refuses_out_of_range_with_message);
    tcase_add_test(set, test_config_refuses_non_numbers);
    tcase_add_test(set, test_config_refuses_unknown_key);
    tcase_add_test(set, test_config_parses_bools);
    tcase_add_test(set, test_config_finish_resolves_threads);
    tcase_add_test(set, test_config_free_is_idempotent);
    suite_add_tcase(s, set);

    TCase *file = tcase_create("file_env");
    tcase_add_checked_fixture(file, setup, teardown);
    tcase_add_test(file, test_config_load_file);
    tcase_add_test(file, test_config_load_file_reports_file_and_line);
    tcase_add_test(file, test_config_load_file_reports_bad_value_line);
    tcase_add_test(file, test_config_load_file_reports_unknown_key_line);
    tcase_add_test(file, test_config_load_missing_file_fails);
    tcase_add_test(file, test_config_env_overrides);
    tcase_add_test(file, test_config_env_database_wins_over_database_url);
    tcase_add_test(file, test_config_env_bad_value_names_variable);
    tcase_add_test(file, test_config_write_round_trips);
    suite_add_tcase(s, file);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(config_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
