/* Every library's list as one behaviour: keyset pages hold each record once, in order, while
 * other connections keep inserting (for every list route and each of its sorts); and `q`
 * finds English words as it finds Chinese ones. One server for the suite. */
#include "harness.h"

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct t_server srv;
static char admin[64];
static char enterprise_id[24];

static void setup(void)
{
    t_server_start(&srv, "it_lists", true, NULL);
    t_create_user(&srv, "l_admin", "admin", "Test-pass-2026", NULL);
    snprintf(admin, sizeof admin, "%s", t_login(&srv, "l_admin", "Test-pass-2026"));
    char *ent = t_db_scalar(&srv, "INSERT INTO enterprises (name, credit_code, region_code)"
                                  " VALUES ('扬州分页公司', '91321003MA1M00001A', '321003')"
                                  " RETURNING id");
    snprintf(enterprise_id, sizeof enterprise_id, "%s", ent);
    free(ent);
}

static void writer_stop(void);

static void teardown(void)
{
    writer_stop();
    t_server_finish(&srv);
}

/* ---- pages under concurrent inserts ---- */

/* A library as the walk sees it: how to seed rows, how another connection inserts rows while
 * the pages are read (%d: a running number), and the list route. */
struct library {
    const char *path; /* list route with the filter that keeps to this test's rows */
    const char *seed; /* SQL making the rows present before the first page */
    const char *insert_fmt;
    const char *const *sorts; /* NULL-terminated; "" is the default sort */
    const char *default_sort;
};

/* Running numbers of the writers' rows, unique over the whole test (credit codes are). */
static atomic_int next_serial;

#define WRITER_MAX_ROWS 300

struct writer {
    const char *dbname;
    const char *insert_fmt;
    atomic_bool stop;
    atomic_int inserted;
};

/* One writer at a time, outside any stack frame: a failed assertion leaves walk_pages by a
 * long jump, and teardown then stops the thread. */
static struct writer the_writer;
static pthread_t writer_thread;
static bool writer_running;

static void *writer_run(void *arg);

static void writer_start(const char *insert_fmt)
{
    the_writer.dbname = srv.dbname;
    the_writer.insert_fmt = insert_fmt;
    atomic_init(&the_writer.stop, false);
    atomic_init(&the_writer.inserted, 0);
    ck_assert_int_eq(pthread_create(&writer_thread, NULL, writer_run, &the_writer), 0);
    writer_running = true;
}

static void writer_stop(void)
{
    if (!writer_running)
        return;
    atomic_store(&the_writer.stop, true);
    pthread_join(writer_thread, NULL);
    writer_running = false;
}

static void *writer_run(void *arg)
{
    struct writer *w = arg;
    PGconn *c = t_db_connect(w->dbname);
    for (int i = 0; !atomic_load(&w->stop) && i < WRITER_MAX_ROWS; i++) {
        char sql[1024];
        int n = atomic_fetch_add(&next_serial, 1);
        snprintf(sql, sizeof sql, w->insert_fmt, n, n, n);
        PGresult *res = PQexec(c, sql);
        if (PQresultStatus(res) == PGRES_COMMAND_OK)
            atomic_fetch_add(&w->inserted, 1);
        else
            fprintf(stderr, "writer: %s", PQerrorMessage(c));
        PQclear(res);
        usleep(5000); /* slower than the pages are read, so that a walk by id ends */
    }
    PQfinish(c);
    return NULL;
}

/* Waits (up to 2 s) until the writer has committed one more row, so that every page boundary
 * of the walk has an insert between its two pages. */
static void wait_for_insert(struct writer *w)
{
    int before = atomic_load(&w->inserted);
    for (int i = 0; i < 1000 && before < WRITER_MAX_ROWS && atomic_load(&w->inserted) == before;
         i++)
        usleep(2000);
}

/* The value an item is ordered by under sort (its id for the id sort). */
static const char *order_key(const cJSON *item, const char *sort, char *buf, size_t len)
{
    const char *field = sort[0] == '-' ? sort + 1 : sort;
    if (strcmp(field, "id") == 0) {
        snprintf(buf, len, "%020.0f", cJSON_GetObjectItem(item, "id")->valuedouble);
        return buf;
    }
    return t_json_str(item, field);
}

/* Compares two keys as the sort orders them: names as bytes, times and dates as RFC 3339 text
 * in one zone (PostgreSQL writes them alike), so text order is time order. */
static int key_cmp(const char *a, const char *b)
{
    return strcmp(a, b);
}

static bool seen_once(const long *ids, int n, long id)
{
    int c = 0;
    for (int i = 0; i < n; i++)
        c += ids[i] == id;
    return c == 1;
}

/* Walks every page of the list in one sort (limit 7) while a writer inserts, and checks that
 * each seeded record comes exactly once, nothing comes twice, and the order holds across
 * pages. */
static void walk_pages(const struct library *lib, const char *sort, const long *seeded, int nseeded)
{
    struct writer *w = &the_writer;
    writer_start(lib->insert_fmt);
    wait_for_insert(w); /* the writer is connected and writing before the first page */
    enum { MAX_SEEN = 4000 };
    long *seen = calloc(MAX_SEEN, sizeof *seen);
    int nseen = 0, pages = 0;
    char *cursor = NULL;
    char last_key[256] = "";
    long last_id = 0;
    const char *order = *sort ? sort : lib->default_sort; /* what the list is ordered by */
    bool descending = order[0] == '-';
    do {
        char path[1024];
        snprintf(path, sizeof path, "%s%slimit=7%s%s%s%s", lib->path,
                 strchr(lib->path, '?') ? "&" : "?", *sort ? "&sort=" : "", sort,
                 cursor ? "&cursor=" : "", cursor ? cursor : "");
        free(cursor);
        cursor = NULL;
        struct t_resp *r = t_call(&srv, admin, "GET", path, NULL, NULL);
        t_expect_status(r, 200);
        const cJSON *item;
        cJSON_ArrayForEach(item, cJSON_GetObjectItem(r->json, "items"))
        {
            long id = (long)cJSON_GetObjectItem(item, "id")->valuedouble;
            for (int i = 0; i < nseen; i++)
                ck_assert_msg(seen[i] != id, "%s sort=%s: id %ld came twice (page %d)", lib->path,
                              sort, id, pages);
            ck_assert_int_lt(nseen, MAX_SEEN);
            seen[nseen++] = id;
            char buf[32];
            const char *key = order_key(item, order, buf, sizeof buf);
            if (nseen > 1) {
                int c = key_cmp(key, last_key);
                if (c == 0)
                    c = id < last_id ? -1 : id > last_id;
                ck_assert_msg(descending ? c < 0 : c > 0,
                              "%s sort=%s: order broke at id %ld (%s after %s)", lib->path, sort,
                              id, key, last_key);
            }
            snprintf(last_key, sizeof last_key, "%s", key);
            last_id = id;
        }
        const char *next = t_json_str(r->json, "next_cursor");
        if (*next)
            cursor = strdup(next);
        t_resp_free(r);
        pages++;
        wait_for_insert(w);
    } while (cursor && pages < 500);
    writer_stop();
    ck_assert_msg(cursor == NULL, "%s sort=%s: no last page after 500", lib->path, sort);
    ck_assert_msg(atomic_load(&w->inserted) >= (pages < WRITER_MAX_ROWS ? pages : WRITER_MAX_ROWS),
                  "%s sort=%s: %d rows inserted over %d pages", lib->path, sort,
                  atomic_load(&w->inserted), pages);
    for (int i = 0; i < nseeded; i++)
        ck_assert_msg(seen_once(seen, nseen, seeded[i]), "%s sort=%s: seeded id %ld was missed",
                      lib->path, sort, seeded[i]);
    free(seen);
}

/* Seeds the rows, then walks each sort. */
static void check_library(const struct library *lib)
{
    char sql[2048];
    snprintf(sql, sizeof sql, "WITH s AS (%s RETURNING id) SELECT string_agg(id::text, ',') FROM s",
             lib->seed);
    char *ids = t_db_scalar(&srv, sql);
    ck_assert_ptr_nonnull(ids);
    long seeded[64];
    int n = 0;
    for (char *p = ids; *p && n < 64;) {
        seeded[n++] = strtol(p, &p, 10);
        if (*p == ',')
            p++;
    }
    free(ids);
    ck_assert_int_ge(n, 20);
    for (const char *const *s = lib->sorts; *s; s++)
        walk_pages(lib, *s, seeded, n);
}

START_TEST(pages_of_every_library_hold_each_record_once_under_concurrent_inserts)
{
    static const char *const people_sorts[] = {"", "id", "name", "-updated_at", NULL};
    static const char *const id_time_sorts[] = {"", "id", "-updated_at", NULL};
    static const char *const group_sorts[] = {"", "id", "name", "-updated_at", NULL};
    static const char *const activity_sorts[] = {"", "-held_on", "id", "-updated_at", NULL};
    char demand_seed[512], demand_insert[512], project_seed[512], project_insert[512];
    snprintf(demand_seed, sizeof demand_seed,
             "INSERT INTO demands (enterprise_id, title, kind, region_code)"
             " SELECT %s, '分页需求' || g, 'talent', '321081' FROM generate_series(1, 31) g",
             enterprise_id);
    snprintf(demand_insert, sizeof demand_insert,
             "INSERT INTO demands (enterprise_id, title, kind, region_code)"
             " VALUES (%s, '并发需求%%d', 'talent', '321081')",
             enterprise_id);
    snprintf(project_seed, sizeof project_seed,
             "INSERT INTO projects (title, kind, region_code, lead_enterprise_id)"
             " SELECT '分页项目' || g, 'other', '321081', %s FROM generate_series(1, 31) g",
             enterprise_id);
    snprintf(project_insert, sizeof project_insert,
             "INSERT INTO projects (title, kind, region_code, lead_enterprise_id)"
             " VALUES ('并发项目%%d', 'other', '321081', %s)",
             enterprise_id);
    const struct library libraries[] = {
        {"/api/v1/experts?region_code=321081",
         "INSERT INTO experts (name, region_code) SELECT '分页' || lpad((g * 7 % 97)::text, 3,"
         " '0'), '321081' FROM generate_series(1, 31) g",
         /* names before, among and after the seeded ones */
         "INSERT INTO experts (name, region_code) VALUES ('分页' || lpad((%d * 13 %% 101)::text,"
         " 3, '0') || '并', '321081')",
         people_sorts, "id"},
        {"/api/v1/academicians?region_code=321081",
         "INSERT INTO experts (kind, academy, name, region_code) SELECT 'academician', 'CAE',"
         " '院士' || lpad((g * 7 % 97)::text, 3, '0'), '321081' FROM generate_series(1, 31) g",
         "INSERT INTO experts (kind, academy, name, region_code) VALUES ('academician', 'CAS',"
         " '院士' || lpad((%d * 13 %% 101)::text, 3, '0') || '并', '321081')",
         people_sorts, "id"},
        {"/api/v1/enterprises?region_code=321081",
         "INSERT INTO enterprises (name, credit_code, region_code) SELECT '分页企业'"
         " || lpad((g * 7 % 97)::text, 3, '0'), '91321081' || lpad(g::text, 10, '0'), '321081'"
         " FROM generate_series(1, 31) g",
         "INSERT INTO enterprises (name, credit_code, region_code) VALUES ('分页企业'"
         " || lpad((%d * 13 %% 101)::text, 3, '0') || '并', '92321081' || lpad('%d', 10, '0'),"
         " '321081')",
         people_sorts, "id"},
        {"/api/v1/demands?region_code=321081", demand_seed, demand_insert, id_time_sorts, "id"},
        {"/api/v1/projects?region_code=321081", project_seed, project_insert, id_time_sorts, "id"},
        {"/api/v1/service-groups",
         "INSERT INTO service_groups (name) SELECT '分页服务团' || lpad((g * 7 % 97)::text, 3,"
         " '0') FROM generate_series(1, 31) g",
         "INSERT INTO service_groups (name) VALUES ('分页服务团' || lpad((%d * 13 %% 101)::text,"
         " 3, '0') || '并')",
         group_sorts, "id"},
        {"/api/v1/service-activities?region_code=321081",
         "INSERT INTO service_activities (kind, title, held_on, region_code) SELECT 'other',"
         " '分页活动' || g, date '2026-06-01' + g % 9, '321081' FROM generate_series(1, 31) g",
         /* dates before, among and after the seeded ones */
         "INSERT INTO service_activities (kind, title, held_on, region_code) VALUES ('other',"
         " '并发活动%d', date '2026-05-28' + %d %% 17, '321081')",
         activity_sorts, "-held_on"},
    };
    for (size_t i = 0; i < sizeof libraries / sizeof libraries[0]; i++)
        check_library(&libraries[i]);
}
END_TEST

/* ---- English search ---- */

static int hits(const char *path, const char *field, const char *want)
{
    struct t_resp *r = t_call(&srv, admin, "GET", path, NULL, NULL);
    t_expect_status(r, 200);
    int n = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(r->json, "items"))
    {
        n += strcmp(t_json_str(item, field), want) == 0;
    }
    t_resp_free(r);
    return n;
}

static void create(const char *library, const char *body)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/%s", library);
    struct t_resp *r = t_call(&srv, admin, "POST", path, NULL, body);
    t_expect_status(r, 201);
    t_resp_free(r);
}

START_TEST(q_finds_english_words_in_any_case_and_mixed_with_chinese)
{
    create("experts", "{\"name\":\"Li Wei\",\"research_fields\":\"Graphene coatings for MEMS "
                      "sensors 与 LiDAR 点云处理\",\"keywords\":[\"Machine Vision\"]}");
    create("academicians", "{\"name\":\"周学者\",\"academy\":\"foreign\","
                           "\"research_fields\":\"Solid-state batteries and fuel cells\"}");
    char body[512];
    snprintf(body, sizeof body,
             "{\"enterprise_id\":%s,\"title\":\"Edge AI 视觉质检\",\"kind\":\"technical_problem\","
             "\"description\":\"Deploy deep learning models on embedded GPUs\"}",
             enterprise_id);
    create("demands", body);
    create("projects", "{\"title\":\"OLED 显示驱动芯片\",\"kind\":\"other\","
                       "\"summary\":\"Thin-film transistor backplanes\"}");
    create("enterprises", "{\"name\":\"扬州 Photonics 有限公司\",\"credit_code\":"
                          "\"91321012MA1M00002E\",\"region_code\":\"321012\","
                          "\"description\":\"Silicon photonics transceivers\"}");
    /* One word, any case, a word among Chinese, two words (all must match). */
    ck_assert_int_eq(hits("/api/v1/experts?q=graphene", "name", "Li Wei"), 1);
    ck_assert_int_eq(hits("/api/v1/experts?q=GRAPHENE", "name", "Li Wei"), 1);
    ck_assert_int_eq(hits("/api/v1/experts?q=lidar", "name", "Li Wei"), 1);
    ck_assert_int_eq(hits("/api/v1/experts?q=machine%20vision", "name", "Li Wei"), 1);
    ck_assert_int_eq(hits("/api/v1/experts?q=MEMS%20%E4%BC%A0%E6%84%9F%E5%99%A8", "name", "Li Wei"),
                     0); /* 传感器 is not in the text: every word must match */
    ck_assert_int_eq(hits("/api/v1/experts?q=graphene%20sensors", "name", "Li Wei"), 1);
    ck_assert_int_eq(hits("/api/v1/experts?q=graphene%20batteries", "name", "Li Wei"), 0);
    ck_assert_int_eq(hits("/api/v1/academicians?q=Batteries", "name", "周学者"), 1);
    ck_assert_int_eq(hits("/api/v1/demands?q=GPUs", "title", "Edge AI 视觉质检"), 1);
    ck_assert_int_eq(hits("/api/v1/demands?q=edge%20ai", "title", "Edge AI 视觉质检"), 1);
    ck_assert_int_eq(hits("/api/v1/projects?q=oled", "title", "OLED 显示驱动芯片"), 1);
    ck_assert_int_eq(hits("/api/v1/projects?q=transistor", "title", "OLED 显示驱动芯片"), 1);
    ck_assert_int_eq(hits("/api/v1/enterprises?q=photonics", "name", "扬州 Photonics 有限公司"), 1);
    ck_assert_int_eq(hits("/api/v1/enterprises?q=transceivers&sort=relevance", "name",
                          "扬州 Photonics 有限公司"),
                     1);
}
END_TEST

/* Every list names the parameter of a malformed code, an unknown parameter or a bad sort. */
START_TEST(every_list_refuses_malformed_filters_naming_them)
{
    static const char *const lists[] = {
        "/api/v1/experts",
        "/api/v1/academicians",
        "/api/v1/enterprises",
        "/api/v1/demands",
        "/api/v1/projects",
        "/api/v1/service-groups",
        "/api/v1/service-activities",
    };
    static const struct {
        const char *query, *param;
        unsigned only; /* bit i: lists[i] has this filter (0: all) */
    } bad[] = {
        {"region_code=3210", "region_code", 0},
        {"region_code=32100X", "region_code", 0},
        {"industry_code=c38", "industry_code", 0x3f},
        {"discipline_code=4", "discipline_code", 0x0b},
        {"colour=red", "colour", 0},
        {"sort=relevance", "sort", 0},
        {"limit=201", "limit", 0},
        {"cursor=%21%21", "cursor", 0},
    };
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++)
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            if (bad[i].only && !(bad[i].only & (1u << l)))
                continue;
            char path[256];
            snprintf(path, sizeof path, "%s?%s", lists[l], bad[i].query);
            struct t_resp *r = t_call(&srv, admin, "GET", path, NULL, NULL);
            ck_assert_msg(r->status == 400, "%s: %d %s", path, r->status, r->body);
            char want[64];
            snprintf(want, sizeof want, "%s/", bad[i].param);
            ck_assert_msg(strncmp(t_first_error(r), want, strlen(want)) == 0, "%s: %s", path,
                          r->body);
            t_resp_free(r);
        }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lists");
    TCase *tc = tcase_create("lists");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, pages_of_every_library_hold_each_record_once_under_concurrent_inserts);
    tcase_add_test(tc, q_finds_english_words_in_any_case_and_mixed_with_chinese);
    tcase_add_test(tc, every_list_refuses_malformed_filters_naming_them);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
