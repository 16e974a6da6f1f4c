/* Unit tests for src/core/lru.h: bounded LRU eviction, expiry, tags, and the generation that
 * keeps a value read before an invalidation from being stored after it. */
#include "core/lru.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char buf[4096];

static void *into_buf(void *ctx, size_t n)
{
    (void)ctx;
    return n <= sizeof buf ? buf : NULL;
}

static void *into_buf_thread(void *ctx, size_t n)
{
    return n <= 64 ? ctx : NULL;
}

static const char *get(struct lru *c, const char *key)
{
    size_t len;
    return lru_get(c, key, 1000, into_buf, NULL, &len);
}

static bool put(struct lru *c, const char *key, const char *value)
{
    return lru_put(c, key, value, strlen(value), NULL, 0, lru_generation(c));
}

START_TEST(test_lru_gets_what_was_put)
{
    struct lru *c = lru_new(4);
    ck_assert(put(c, "1", "one"));
    ck_assert(put(c, "2", "two"));
    ck_assert_str_eq(get(c, "1"), "one");
    ck_assert_str_eq(get(c, "2"), "two");
    ck_assert_ptr_null(get(c, "3"));
    ck_assert(put(c, "1", "uno")); /* replaces */
    ck_assert_str_eq(get(c, "1"), "uno");
    struct lru_stats s;
    lru_get_stats(c, &s);
    ck_assert_uint_eq(s.entries, 2);
    ck_assert_uint_eq(s.hits, 3);
    ck_assert_uint_eq(s.misses, 1);
    lru_free(c);
}
END_TEST

START_TEST(test_lru_values_may_hold_nul_bytes)
{
    struct lru *c = lru_new(2);
    ck_assert(lru_put(c, "k", "a\0b\0c", 5, NULL, 0, lru_generation(c)));
    size_t len = 0;
    const char *v = lru_get(c, "k", 0, into_buf, NULL, &len);
    ck_assert_uint_eq(len, 5);
    ck_assert(memcmp(v, "a\0b\0c", 6) == 0); /* and NUL-terminated */
    lru_free(c);
}
END_TEST

START_TEST(test_lru_evicts_the_least_recently_used)
{
    struct lru *c = lru_new(3);
    put(c, "a", "1");
    put(c, "b", "2");
    put(c, "c", "3");
    ck_assert_ptr_nonnull(get(c, "a")); /* a is now the most recent; b the least */
    put(c, "d", "4");
    ck_assert_ptr_null(get(c, "b"));
    ck_assert_ptr_nonnull(get(c, "a"));
    ck_assert_ptr_nonnull(get(c, "c"));
    ck_assert_ptr_nonnull(get(c, "d"));
    struct lru_stats s;
    lru_get_stats(c, &s);
    ck_assert_uint_eq(s.entries, 3);
    ck_assert_uint_eq(s.evictions, 1);
    lru_free(c);
}
END_TEST

START_TEST(test_lru_stays_bounded_under_many_keys)
{
    struct lru *c = lru_new(100);
    char key[16];
    for (int i = 0; i < 10000; i++) {
        snprintf(key, sizeof key, "%d", i);
        ck_assert(put(c, key, key));
    }
    struct lru_stats s;
    lru_get_stats(c, &s);
    ck_assert_uint_eq(s.entries, 100);
    ck_assert_uint_eq(s.evictions, 9900);
    ck_assert_str_eq(get(c, "9999"), "9999");
    ck_assert_ptr_null(get(c, "9899"));
    lru_free(c);
}
END_TEST

START_TEST(test_lru_capacity_zero_holds_nothing)
{
    struct lru *c = lru_new(0);
    ck_assert(!put(c, "a", "1"));
    ck_assert_ptr_null(get(c, "a"));
    lru_free(c);
}
END_TEST

START_TEST(test_lru_expired_entries_are_misses)
{
    struct lru *c = lru_new(4);
    ck_assert(lru_put(c, "s", "x", 1, NULL, 500, lru_generation(c)));
    size_t len;
    ck_assert_ptr_nonnull(lru_get(c, "s", 499, into_buf, NULL, &len));
    ck_assert_ptr_null(lru_get(c, "s", 500, into_buf, NULL, &len));
    struct lru_stats s;
    lru_get_stats(c, &s);
    ck_assert_uint_eq(s.entries, 0);
    lru_free(c);
}
END_TEST

START_TEST(test_lru_remove_and_remove_tagged)
{
    struct lru *c = lru_new(8);
    uint64_t g = lru_generation(c);
    lru_put(c, "t1", "a", 1, "7", 0, g);
    lru_put(c, "t2", "b", 1, "7", 0, g);
    lru_put(c, "t3", "c", 1, "8", 0, g);
    lru_put(c, "t4", "d", 1, "77", 0, g);
    lru_remove_tagged(c, "7");
    ck_assert_ptr_null(get(c, "t1"));
    ck_assert_ptr_null(get(c, "t2"));
    ck_assert_ptr_nonnull(get(c, "t3"));
    ck_assert_ptr_nonnull(get(c, "t4")); /* a tag matches whole, not as a prefix */
    lru_remove(c, "t3");
    ck_assert_ptr_null(get(c, "t3"));
    lru_clear(c);
    ck_assert_ptr_null(get(c, "t4"));
    struct lru_stats s;
    lru_get_stats(c, &s);
    ck_assert_uint_eq(s.entries, 0);
    ck_assert_uint_eq(s.invalidations, 4);
    lru_free(c);
}
END_TEST

START_TEST(test_lru_refuses_a_value_read_before_an_invalidation)
{
    struct lru *c = lru_new(8);
    uint64_t before = lru_generation(c); /* a reader misses and asks the database */
    lru_remove(c, "42");                 /* meanwhile the record changes: evicted */
    ck_assert(!lru_put(c, "42", "old", 3, NULL, 0, before));
    ck_assert_ptr_null(get(c, "42"));
    before = lru_generation(c);
    lru_clear(c); /* the listener reconnected */
    ck_assert(!lru_put(c, "42", "old", 3, NULL, 0, before));
    before = lru_generation(c);
    lru_remove_tagged(c, "9");
    ck_assert(!lru_put(c, "42", "old", 3, NULL, 0, before));
    ck_assert(lru_put(c, "42", "new", 3, NULL, 0, lru_generation(c)));
    ck_assert_str_eq(get(c, "42"), "new");
    lru_free(c);
}
END_TEST

static struct lru *shared;

static void *hammer(void *arg)
{
    char key[16], out[64];
    int base = *(int *)arg;
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "%d", (base + i) % 300);
        if (i % 3 == 0) {
            lru_put(shared, key, key, strlen(key), "t", 0, lru_generation(shared));
        } else if (i % 97 == 0) {
            lru_remove(shared, key);
        } else {
            size_t len;
            char *v = lru_get(shared, key, 0, into_buf_thread, out, &len);
            if (v)
                ck_assert_str_eq(v, key);
        }
    }
    return NULL;
}

START_TEST(test_lru_is_safe_across_threads)
{
    shared = lru_new(100);
    pthread_t t[4];
    int bases[4] = {0, 77, 150, 222};
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, hammer, &bases[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    struct lru_stats s;
    lru_get_stats(shared, &s);
    ck_assert_uint_le(s.entries, 100);
    lru_free(shared);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lru");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_lru_gets_what_was_put);
    tcase_add_test(tc, test_lru_values_may_hold_nul_bytes);
    tcase_add_test(tc, test_lru_evicts_the_least_recently_used);
    tcase_add_test(tc, test_lru_stays_bounded_under_many_keys);
    tcase_add_test(tc, test_lru_capacity_zero_holds_nothing);
    tcase_add_test(tc, test_lru_expired_entries_are_misses);
    tcase_add_test(tc, test_lru_remove_and_remove_tagged);
    tcase_add_test(tc, test_lru_refuses_a_value_read_before_an_invalidation);
    tcase_add_test(tc, test_lru_is_safe_across_threads);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
