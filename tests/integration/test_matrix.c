/* The role x route matrix (matrix.tsv): every route the daemon serves, tried as every role,
 * with the exact status each must get; a route without rows fails the test. */
#include "harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>

#define NROLES 9

static const char *const role_columns[NROLES] = {
    "anonymous",        "admin",  "city_staff",  "county_staff", "county_other", "enterprise",
    "enterprise_other", "expert", "expert_other"};

static struct t_server srv;
static char tokens[NROLES][64];
static const char *matrix_dir;

struct var {
    char name[32];
    char value[64];
};
static struct var vars[256];
static int nvars;

static void set_var(const char *name, const char *value)
{
    ck_assert_msg(strlen(name) < sizeof vars[0].name && strlen(value) < sizeof vars[0].value &&
                      nvars < 256,
                  "matrix variable %s too long", name);
    memcpy(vars[nvars].name, name, strlen(name) + 1);
    memcpy(vars[nvars].value, value, strlen(value) + 1);
    nvars++;
}

static char *user_id(const char *username)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT id FROM users WHERE username = '%s'", username);
    return t_db_scalar(&srv, sql);
}

/* Inserts a row with SQL and returns its id (fixtures the routes act on). */
static char *insert_id(const char *sql)
{
    char *id = t_db_scalar(&srv, sql);
    ck_assert_msg(id != NULL && *id, "fixture failed: %s", sql);
    return id;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of the matrix directory with a suffix, sorted by name. */
static int matrix_files(const char *suffix, char names[][256], int max)
{
    DIR *d = opendir(matrix_dir);
    ck_assert_msg(d != NULL, "cannot open %s", matrix_dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < max) {
        size_t len = strlen(e->d_name), slen = strlen(suffix);
        if (len > slen && strcmp(e->d_name + len - slen, suffix) == 0 &&
            strlen(matrix_dir) + len + 2 <= 256) {
            int w = snprintf(names[n], 256, "%s/%s", matrix_dir, e->d_name);
            n += w > 0 && w < 256;
        }
    }
    closedir(d);
    char *ptrs[64];
    for (int i = 0; i < n; i++)
        ptrs[i] = strdup(names[i]);
    qsort(ptrs, (size_t)n, sizeof ptrs[0], compare_names);
    for (int i = 0; i < n; i++) {
        snprintf(names[i], 256, "%s", ptrs[i]);
        free(ptrs[i]);
    }
    return n;
}

static void expand(const char *in, char *out, size_t cap);

/* Records the routes act on (own and other records), from the matrix .fixtures files. */
static void fixtures(void)
{
    char files[64][256];
    int n = matrix_files(".fixtures", files, 64);
    for (int i = 0; i < n; i++) {
        FILE *f = fopen(files[i], "r");
        char line[4096];
        while (fgets(line, sizeof line, f)) {
            char *tab = strchr(line, '\t');
            if (line[0] == '#' || tab == NULL)
                continue;
            *tab = '\0';
            char *nl = strchr(tab + 1, '\n');
            if (nl)
                *nl = '\0';
            char sql[4096];
            expand(tab + 1, sql, sizeof sql);
            char *id = insert_id(sql);
            set_var(line, id);
            free(id);
        }
        fclose(f);
    }
}

static const char *var(const char *name)
{
    for (int i = 0; i < nvars; i++)
        if (strcmp(vars[i].name, name) == 0)
            return vars[i].value;
    return "0";
}

/* Accounts of every role; the login tokens are reused across rows. */
static void setup(void)
{
    t_server_start(&srv, "it_matrix", true, NULL);
    fixtures();
    char bind[NROLES][48];
    snprintf(bind[5], sizeof bind[5], "--enterprise %s", var("ent_a"));
    snprintf(bind[6], sizeof bind[6], "--enterprise %s", var("ent_b"));
    snprintf(bind[7], sizeof bind[7], "--expert %s", var("expert_a"));
    snprintf(bind[8], sizeof bind[8], "--expert %s", var("expert_b"));
    static const char *const users[NROLES][3] = {
        {NULL, NULL, NULL},
        {"m_admin", "admin", NULL},
        {"m_city", "city_staff", NULL},
        {"m_county", "county_staff", "--region 321003"},
        {"m_county2", "county_staff", "--region 321012"},
        {"m_ent", "enterprise", NULL},
        {"m_ent2", "enterprise", NULL},
        {"m_expert", "expert", NULL},
        {"m_expert2", "expert", NULL},
    };
    for (int i = 1; i < NROLES; i++) {
        t_create_user(&srv, users[i][0], users[i][1], "Matrix-pass-1",
                      i >= 5 ? bind[i] : users[i][2]);
        snprintf(tokens[i], sizeof tokens[i], "%s", t_login(&srv, users[i][0], "Matrix-pass-1"));
    }
    char *id = user_id("m_county");
    set_var("county_user", id);
    free(id);
}

static void teardown(void)
{
    t_server_finish(&srv);
}

/* The GB 32100 check character of a credit code's first 17 characters. */
static char credit_check(const char *c)
{
    static const char chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (int)(strchr(chars, c[i]) - chars) * w[i];
    int k = 31 - sum % 31;
    return chars[k == 31 ? 0 : k];
}

/* Replaces $name with fixture values, $unique with a counter and $credit with a fresh valid
 * unified social credit code (of 321003). */
static void expand(const char *in, char *out, size_t cap)
{
    static int unique;
    size_t o = 0;
    for (const char *p = in; *p && o + 1 < cap;) {
        if (*p != '$') {
            out[o++] = *p++;
            continue;
        }
        p++;
        char name[32];
        size_t n = 0;
        while ((p[n] >= 'a' && p[n] <= 'z') || p[n] == '_' || (p[n] >= '0' && p[n] <= '9'))
            n++;
        snprintf(name, sizeof name, "%.*s", (int)n, p);
        p += n;
        const char *value = NULL;
        char num[32];
        if (strcmp(name, "unique") == 0) {
            snprintf(num, sizeof num, "%d", ++unique);
            value = num;
        } else if (strcmp(name, "credit") == 0) {
            snprintf(num, sizeof num, "91321003MA%07d", ++unique);
            num[17] = credit_check(num);
            num[18] = '\0';
            value = num;
        }
        for (int i = 0; i < nvars && !value; i++)
            if (strcmp(vars[i].name, name) == 0)
                value = vars[i].value;
        ck_assert_msg(value != NULL, "matrix: unknown variable $%s", name);
        o += (size_t)snprintf(out + o, cap - o, "%s", value);
    }
    out[o < cap ? o : cap - 1] = '\0';
}

struct row {
    char method[16], pattern[128], path[256], flags[16], body[512];
    int want[NROLES];
};

static bool parse_row(char *line, struct row *r)
{
    if (line[0] == '#' || line[0] == '\n' || line[0] == '\0')
        return false;
    /* The body may contain spaces only inside JSON strings; ours do not. */
    int n = sscanf(line, "%15s %127s %255s %15s %511s %d %d %d %d %d %d %d %d %d", r->method,
                   r->pattern, r->path, r->flags, r->body, &r->want[0], &r->want[1], &r->want[2],
                   &r->want[3], &r->want[4], &r->want[5], &r->want[6], &r->want[7], &r->want[8]);
    ck_assert_msg(n == 14, "matrix: malformed row: %s", line);
    return true;
}

static int run_cell(const struct row *r, int role)
{
    char path[512], body[1024];
    expand(r->path, path, sizeof path);
    expand(r->body, body, sizeof body);
    const char *token = role == 0 ? NULL : tokens[role];
    char fresh[64];
    if (role != 0 && strcmp(r->flags, "fresh") == 0) {
        static const char *const names[NROLES] = {NULL,       "m_admin",   "m_city",
                                                  "m_county", "m_county2", "m_ent",
                                                  "m_ent2",   "m_expert",  "m_expert2"};
        snprintf(fresh, sizeof fresh, "%s", t_login(&srv, names[role], "Matrix-pass-1"));
        token = fresh;
    }
    /* flags "pdf": the body is sent as application/pdf (evidence uploads). */
    static const char *const pdf[] = {"Content-Type: application/pdf", NULL};
    struct t_resp *resp =
        t_call(&srv, token, r->method, path, strcmp(r->flags, "pdf") == 0 ? pdf : NULL,
               strcmp(r->body, "-") == 0 ? NULL : body);
    int status = resp->status;
    t_resp_free(resp);
    return status;
}

START_TEST(test_every_route_as_every_role)
{
    char files[64][256];
    int nfiles = matrix_files(".tsv", files, 64);
    int failures = 0, cells = 0;
    for (int fi = 0; fi < nfiles; fi++) {
        FILE *f = fopen(files[fi], "r");
        char line[2048];
        while (fgets(line, sizeof line, f)) {
            struct row r;
            if (!parse_row(line, &r))
                continue;
            for (int role = 0; role < NROLES; role++) {
                int got = run_cell(&r, role);
                cells++;
                if (got != r.want[role]) {
                    fprintf(stderr, "matrix: %s %s as %s: got %d, want %d\n", r.method, r.path,
                            role_columns[role], got, r.want[role]);
                    failures++;
                }
            }
        }
        fclose(f);
    }
    ck_assert_int_gt(cells, 0);
    ck_assert_msg(failures == 0, "%d of %d matrix cells differ (see above)", failures, cells);
}
END_TEST

START_TEST(test_every_route_has_matrix_rows)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s routes", getenv("SIKU_TEST_SIKUD"));
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    char route[512];
    int missing = 0, routes = 0;
    while (fgets(route, sizeof route, p)) {
        char method[16], pattern[256];
        if (sscanf(route, "%15s %255s", method, pattern) != 2)
            continue;
        routes++;
        char files[64][256];
        int nfiles = matrix_files(".tsv", files, 64);
        bool found = false;
        for (int fi = 0; fi < nfiles && !found; fi++) {
            FILE *f = fopen(files[fi], "r");
            char line[2048];
            while (!found && fgets(line, sizeof line, f)) {
                struct row r;
                if (parse_row(line, &r))
                    found = strcmp(r.method, method) == 0 && strcmp(r.pattern, pattern) == 0;
            }
            fclose(f);
        }
        if (!found) {
            fprintf(stderr, "matrix: no row for %s %s\n", method, pattern);
            missing++;
        }
    }
    pclose(p);
    ck_assert_int_gt(routes, 10);
    ck_assert_msg(missing == 0, "%d routes have no matrix rows", missing);
}
END_TEST

static Suite *matrix_suite(void)
{
    Suite *s = suite_create("matrix");
    TCase *tc = tcase_create("matrix");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_every_route_has_matrix_rows);
    tcase_add_test(tc, test_every_route_as_every_role);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    matrix_dir = argc > 1 ? argv[1] : "matrix";
    SRunner *sr = srunner_create(matrix_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
