/* Unit tests for src/domain/segment.h without a dictionary (the n-gram fallback): text that
 * is not UTF-8 (found by fuzz/fuzz_segment.c) is segmented without writing past a buffer. */
#include "core/utf8.h"
#include "domain/segment.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static bool all_valid(const struct terms *t)
{
    for (size_t i = 0; i < t->n; i++)
        if (!utf8_valid(t->v[i], strlen(t->v[i])))
            return false;
    return true;
}

START_TEST(test_segment_drops_bytes_that_are_not_utf8)
{
    /* 锂电池正 then a character cut after two of its three bytes, then more text: each stray
     * byte would have become a three-byte U+FFFD in a buffer sized for the input. */
    static const char text[] = "\xe9\x94\x82\xe7\x94\xb5\xe6\xb1\xa0\xe6\xad\xa3\xe6\x81"
                               "\xe6\x9e\x9d\x90\xe6\x96\x99\xff\xfe\x80"
                               "ABC";
    struct terms words, index;
    terms_init(&words);
    terms_init(&index);
    segment_words(text, &words);
    segment_index_terms(text, &index);
    ck_assert_uint_ge(words.n, 1);
    ck_assert_str_eq(words.v[0], "锂电池正枝料"); /* the stray bytes are gone */
    ck_assert(terms_contains(&words, "abc"));
    ck_assert(all_valid(&words));
    ck_assert(all_valid(&index));
    ck_assert(terms_contains(&index, "电池"));
    terms_free(&words);
    terms_free(&index);
}
END_TEST

static Suite *segment_suite(void)
{
    Suite *s = suite_create("segment");
    TCase *tc = tcase_create("fallback");
    tcase_add_test(tc, test_segment_drops_bytes_that_are_not_utf8);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(segment_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
