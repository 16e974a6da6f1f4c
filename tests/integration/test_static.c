/* The web console's static files over real HTTP: index.html at "/", content types, caching
 * validators, HEAD, refusal of traversal and of links out of the directory, the API untouched.
 * argv[1] is the repository's web/ directory, checked to be what "/" serves. */
#include "harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct t_server srv;
static char root[256]; /* holds secret.txt and web/ */
static char webdir[300];
static const char *repo_web;

static const char index_html[] = "<!doctype html><html lang=\"zh-CN\"><title>四库</title></html>\n";
static const char app_js[] = "export const x = 1;\n";
static const char site_css[] = "body { color: #123; }\n";

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void setup(void)
{
    const char *base = getenv("MESON_BUILD_ROOT") ? getenv("MESON_BUILD_ROOT") : "/tmp";
    snprintf(root, sizeof root, "%s/it_static_XXXXXX", base);
    ck_assert_ptr_nonnull(mkdtemp(root));
    write_file(root, "secret.txt", "not for the web\n");
    snprintf(webdir, sizeof webdir, "%s/web", root);
    ck_assert_int_eq(mkdir(webdir, 0755), 0);
    write_file(webdir, "index.html", index_html);
    write_file(webdir, "app.js", app_js);
    write_file(webdir, ".hidden", "hidden\n");
    char sub[400], link[400];
    snprintf(sub, sizeof sub, "%s/css", webdir);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    write_file(sub, "site.css", site_css);
    snprintf(link, sizeof link, "%s/leak.txt", webdir);
    ck_assert_int_eq(symlink("../secret.txt", link), 0);
    const char *args[] = {"--web-dir", webdir, NULL};
    t_server_start(&srv, "it_static", true, args);
}

static void rm(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
}

static void teardown(void)
{
    t_server_finish(&srv);
    char sub[400];
    snprintf(sub, sizeof sub, "%s/css", webdir);
    rm(sub, "site.css");
    rmdir(sub);
    rm(webdir, "index.html");
    rm(webdir, "app.js");
    rm(webdir, ".hidden");
    rm(webdir, "leak.txt");
    rmdir(webdir);
    rm(root, "secret.txt");
    rmdir(root);
}

static void assert_header_prefix(const struct t_resp *r, const char *name, const char *prefix)
{
    char *v = t_resp_header(r, name);
    ck_assert_msg(v != NULL, "no %s header", name);
    ck_assert_msg(strncmp(v, prefix, strlen(prefix)) == 0, "%s: %s", name, v);
    free(v);
}

static void assert_not_served(const char *path, int status)
{
    struct t_resp *r = t_get(&srv, path);
    ck_assert_msg(r->status == status, "%s answered %d", path, r->status);
    ck_assert_msg(r->body == NULL || strstr(r->body, "not for the web") == NULL, "%s leaked", path);
    assert_header_prefix(r, "Content-Type", "application/problem+json");
    t_resp_free(r);
}

START_TEST(test_root_serves_index_html)
{
    struct t_resp *r = t_get(&srv, "/");
    ck_assert_int_eq(r->status, 200);
    ck_assert_uint_eq(r->len, strlen(index_html));
    ck_assert(memcmp(r->body, index_html, r->len) == 0);
    assert_header_prefix(r, "Content-Type", "text/html; charset=utf-8");
    assert_header_prefix(r, "Cache-Control", "no-cache");
    assert_header_prefix(r, "X-Content-Type-Options", "nosniff");
    assert_header_prefix(r, "Content-Security-Policy", "default-src 'self'");
    assert_header_prefix(r, "ETag", "\"");
    assert_header_prefix(r, "Last-Modified", "");
    t_resp_free(r);
    r = t_get(&srv, "/index.html");
    ck_assert_int_eq(r->status, 200);
    ck_assert_uint_eq(r->len, strlen(index_html));
    t_resp_free(r);
}
END_TEST

START_TEST(test_content_types_by_extension)
{
    struct t_resp *r = t_get(&srv, "/app.js");
    ck_assert_int_eq(r->status, 200);
    assert_header_prefix(r, "Content-Type", "text/javascript");
    ck_assert_uint_eq(r->len, strlen(app_js));
    t_resp_free(r);
    r = t_get(&srv, "/css/site.css");
    ck_assert_int_eq(r->status, 200);
    assert_header_prefix(r, "Content-Type", "text/css");
    ck_assert(memcmp(r->body, site_css, r->len) == 0);
    t_resp_free(r);
}
END_TEST

START_TEST(test_head_has_headers_without_body)
{
    struct t_resp *r = t_request(&srv, "HEAD", "/", NULL, NULL);
    ck_assert_int_eq(r->status, 200);
    ck_assert_uint_eq(r->len, 0);
    char want[32];
    snprintf(want, sizeof want, "%zu", strlen(index_html));
    assert_header_prefix(r, "Content-Length", want);
    assert_header_prefix(r, "Content-Type", "text/html");
    t_resp_free(r);
}
END_TEST

START_TEST(test_validators_give_304)
{
    struct t_resp *r = t_get(&srv, "/app.js");
    char *etag = t_resp_header(r, "ETag");
    char *modified = t_resp_header(r, "Last-Modified");
    ck_assert_ptr_nonnull(etag);
    ck_assert_ptr_nonnull(modified);
    t_resp_free(r);
    char h1[128], h2[128];
    snprintf(h1, sizeof h1, "If-None-Match: %s", etag);
    const char *inm[] = {h1, NULL};
    r = t_request(&srv, "GET", "/app.js", inm, NULL);
    ck_assert_int_eq(r->status, 304);
    ck_assert_uint_eq(r->len, 0);
    assert_header_prefix(r, "ETag", etag);
    char *te = t_resp_header(r, "Transfer-Encoding");
    ck_assert_ptr_null(te);
    t_resp_free(r);
    snprintf(h2, sizeof h2, "If-Modified-Since: %s", modified);
    const char *ims[] = {h2, NULL};
    r = t_request(&srv, "GET", "/app.js", ims, NULL);
    ck_assert_int_eq(r->status, 304);
    t_resp_free(r);
    const char *other[] = {"If-None-Match: \"0000000000000000\"", NULL};
    r = t_request(&srv, "GET", "/app.js", other, NULL);
    ck_assert_int_eq(r->status, 200);
    t_resp_free(r);
    free(etag);
    free(modified);
}
END_TEST

START_TEST(test_traversal_is_refused)
{
    assert_not_served("/../secret.txt", 400);
    assert_not_served("/%2e%2e/secret.txt", 400);
    assert_not_served("/%2E%2E/secret.txt", 400);
    assert_not_served("/css/../../secret.txt", 400);
    assert_not_served("/css/%2e%2e/%2e%2e/secret.txt", 400);
    assert_not_served("/css/..%2f..%2fsecret.txt", 400);
    assert_not_served("/./index.html", 400);
    assert_not_served("/index.html%00.js", 400);
    assert_not_served("//etc/passwd", 404);
    assert_not_served("/leak.txt", 404); /* a symbolic link out of the directory */
    assert_not_served("/.hidden", 404);
    assert_not_served("/secret.txt", 404);
}
END_TEST

START_TEST(test_unknown_file_is_404_problem)
{
    struct t_resp *r = t_get(&srv, "/nothing-here.js");
    ck_assert_int_eq(r->status, 404);
    ck_assert_str_eq(t_problem_code(r), "route_not_found");
    t_resp_free(r);
    r = t_get(&srv, "/css/");
    ck_assert_int_eq(r->status, 404);
    t_resp_free(r);
}
END_TEST

START_TEST(test_other_methods_are_405)
{
    struct t_resp *r = t_request(&srv, "POST", "/index.html", NULL, "{}");
    ck_assert_int_eq(r->status, 405);
    assert_header_prefix(r, "Allow", "GET, HEAD");
    t_resp_free(r);
    r = t_request(&srv, "DELETE", "/", NULL, NULL);
    ck_assert_int_eq(r->status, 405);
    t_resp_free(r);
}
END_TEST

START_TEST(test_api_is_not_shadowed)
{
    struct t_resp *r = t_get(&srv, "/api/v1/nothing-here");
    ck_assert_int_eq(r->status, 404);
    ck_assert_str_eq(t_problem_code(r), "route_not_found");
    t_resp_free(r);
    r = t_get(&srv, "/api/index.html");
    ck_assert_int_eq(r->status, 404);
    t_resp_free(r);
    r = t_get(&srv, "/healthz");
    ck_assert_int_eq(r->status, 200);
    t_resp_free(r);
    r = t_get(&srv, "/api/v1/openapi.yaml");
    ck_assert_int_eq(r->status, 200);
    t_resp_free(r);
}
END_TEST

/* The console of the repository, served as scripts/up serves it. */
START_TEST(test_repository_console_is_served)
{
    struct t_server web;
    const char *args[] = {"--web-dir", repo_web, NULL};
    t_server_start(&web, "it_static_web", true, args);
    struct t_resp *r = t_get(&web, "/");
    ck_assert_int_eq(r->status, 200);
    ck_assert_ptr_nonnull(strstr(r->body, "lang=\"zh-CN\""));
    t_resp_free(r);
    r = t_get(&web, "/js/app.js");
    ck_assert_int_eq(r->status, 200);
    assert_header_prefix(r, "Content-Type", "text/javascript");
    t_resp_free(r);
    t_server_finish(&web);
}
END_TEST

START_TEST(test_unreadable_web_dir_stops_start)
{
    /* An explicit web_dir that does not exist is a configuration error, not a silent skip. */
    char missing[400];
    snprintf(missing, sizeof missing, "%s/no-such-dir", root);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "%s --web-dir %s --listen 127.0.0.1:1 --database 'dbname=x' >/dev/null 2>&1",
             getenv("SIKU_TEST_SIKUD"), missing);
    int rc = system(cmd);
    ck_assert_int_ne(rc, 0);
}
END_TEST

static Suite *static_suite(void)
{
    Suite *s = suite_create("static");
    TCase *tc = tcase_create("static");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_root_serves_index_html);
    tcase_add_test(tc, test_content_types_by_extension);
    tcase_add_test(tc, test_head_has_headers_without_body);
    tcase_add_test(tc, test_validators_give_304);
    tcase_add_test(tc, test_traversal_is_refused);
    tcase_add_test(tc, test_unknown_file_is_404_problem);
    tcase_add_test(tc, test_other_methods_are_405);
    tcase_add_test(tc, test_api_is_not_shadowed);
    tcase_add_test(tc, test_repository_console_is_served);
    tcase_add_test(tc, test_unreadable_web_dir_stops_start);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    repo_web = argc > 1 ? argv[1] : "web";
    SRunner *sr = srunner_create(static_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
