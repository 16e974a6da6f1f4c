/* Unit tests for src/domain/segment.h and src/domain/search_query.h: without a dictionary (the
 * n-gram fallback), text that is not UTF-8 (found by fuzz/fuzz_segment.c) is segmented without
 * writing past a buffer, English is lowercased and full-width letters folded; with Debian's
 * friso dictionary, q=锂电池 becomes a query that the terms of 锂离子电池 satisfy, English words
 * match by prefix, and a thesaurus group widens a word into its synonyms. */
#include "core/utf8.h"
#include "domain/search_query.h"
#include "domain/search_terms.h"
#include "domain/segment.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
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

/* The words of text, joined by "|", and the tsquery of them (QUERY_ALL, no synonyms). */
static void words_of(const char *text, char *out, size_t len)
{
    struct terms words;
    terms_init(&words);
    segment_words(text, &words);
    out[0] = '\0';
    for (size_t i = 0; i < words.n; i++)
        snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? "|" : "", words.v[i]);
    terms_free(&words);
}

static char *tsquery_of(const char *text, enum query_mode mode)
{
    struct terms words;
    terms_init(&words);
    segment_words(text, &words);
    char *q = search_tsquery(&words, NULL, 0, mode);
    terms_free(&words);
    return q;
}

START_TEST(test_segment_lowercases_english_and_folds_full_width)
{
    char w[256];
    words_of("Graphene coatings for MEMS sensors", w, sizeof w);
    ck_assert_str_eq(w, "graphene|coatings|for|mems|sensors");
    words_of("ＡＢＣ全角，Ｈｅｌｌｏ", w, sizeof w); /* full-width letters and comma */
    ck_assert_str_eq(w, "abc|全角|hello");
    words_of("AI芯片 Solid-state 5G", w, sizeof w);
    ck_assert_str_eq(w, "ai|芯片|solid|state|5g");
    words_of(" ，。、 ", w, sizeof w);
    ck_assert_str_eq(w, "");
}
END_TEST

START_TEST(test_query_english_words_match_by_prefix_and_all_must_match)
{
    char *q = tsquery_of("Graphene Sensors", QUERY_ALL);
    ck_assert_str_eq(q, "'graphene':* & 'sensors':*");
    free(q);
    q = tsquery_of("graphene sensors", QUERY_ANY);
    ck_assert_str_eq(q, "'graphene':* | 'sensors':*");
    free(q);
    q = tsquery_of("，。", QUERY_ALL); /* nothing searchable: no query at all */
    ck_assert_ptr_null(q);
}
END_TEST

START_TEST(test_query_quotes_lexemes)
{
    struct terms words;
    terms_init(&words);
    terms_add(&words, "it's", 4);
    char *q = search_tsquery(&words, NULL, 0, QUERY_ALL);
    ck_assert_str_eq(q, "'it''s':*");
    free(q);
    terms_free(&words);
}
END_TEST

static void dictionary_setup(void)
{
    /* The dictionary of the friso-dict package, as sikud loads it by default; its absence is a
     * failure here, not a skip (scripts/test installs it). */
    ck_assert_msg(segment_init("/etc/friso/friso.ini"), "no friso dictionary at /etc/friso");
    ck_assert(segment_has_dictionary());
}

static void dictionary_teardown(void)
{
    segment_shutdown();
}

/* The vector text a bulk import gives: fields in jsonb's key order (shorter first, then bytewise),
 * running positions over non-empty terms, the field's weight (D when unlisted), quotes and
 * backslashes doubled, as terms_vector() in SQL writes them. */
START_TEST(test_vector_text_follows_terms_vector)
{
    static const struct search_weight w[] = {{"name", 'A'}, {"keywords", 'B'}, {NULL, 0}};
    cJSON *terms = cJSON_Parse("{\"keywords\": [\"o'k\", \"\", \"a\\\\b\"],"
                               " \"name\": [\"张\", \"张三\"], \"zz\": [\"x\"], \"aaaa\": 5}");
    ck_assert_ptr_nonnull(terms);
    char *v = search_terms_vector_text(terms, w);
    ck_assert_str_eq(v, "'x':1D '张':2A '张三':3A 'o''k':4B 'a\\\\b':5B");
    free(v);
    cJSON_Delete(terms);
    cJSON *none = cJSON_CreateObject();
    v = search_terms_vector_text(none, w);
    ck_assert_str_eq(v, "");
    free(v);
    cJSON_Delete(none);
}
END_TEST

START_TEST(test_dictionary_lithium_battery_finds_lithium_ion_battery)
{
    /* PRODUCT.md: q=锂电池 must find an expert whose research fields say 锂离子电池. The query
     * is the word or its modifier and head; the document's terms hold the parts. */
    char w[256];
    words_of("锂电池", w, sizeof w);
    ck_assert_str_eq(w, "锂电池");
    struct terms parts;
    terms_init(&parts);
    ck_assert(segment_split("锂电池", &parts));
    ck_assert_uint_eq(parts.n, 2);
    ck_assert_str_eq(parts.v[0], "锂");
    ck_assert_str_eq(parts.v[1], "电池");
    terms_free(&parts);
    char *q = tsquery_of("锂电池", QUERY_ALL);
    ck_assert_str_eq(q, "('锂电池' | ('锂' & '电池'))");
    free(q);
    struct terms index;
    terms_init(&index);
    segment_index_terms("高比能锂离子电池与储能系统", &index);
    ck_assert(terms_contains(&index, "锂"));
    ck_assert(terms_contains(&index, "电池"));
    ck_assert(!terms_contains(&index, "锂电池"));
    terms_free(&index);
}
END_TEST

START_TEST(test_dictionary_words_and_unknown_runs)
{
    char w[256];
    words_of("动力电池热管理", w, sizeof w);
    ck_assert_ptr_nonnull(strstr(w, "动力|电池"));
    /* Two searched words must both match; a long word matches as itself or by its parts. */
    char *q = tsquery_of("芯片 集成电路", QUERY_ALL);
    ck_assert_str_eq(q, "'芯片' & ('集成电路' | ('集成' & '电路'))");
    free(q);
}
END_TEST

START_TEST(test_dictionary_thesaurus_group_widens_a_word)
{
    /* 芯片 ~ 集成电路: a search for 芯片 封装 also finds 集成电路 封装, never drops 封装. */
    struct terms words;
    terms_init(&words);
    segment_words("芯片 封装", &words);
    struct synonym_group g;
    terms_init(&g.term_words);
    terms_init(&g.synonyms);
    terms_add(&g.term_words, "芯片", strlen("芯片"));
    terms_add(&g.synonyms, "集成电路", strlen("集成电路"));
    char *q = search_tsquery(&words, &g, 1, QUERY_ALL);
    ck_assert_str_eq(q, "('芯片' | ('集成电路' | ('集成' & '电路'))) & '封装'");
    free(q);
    q = search_tsquery(&words, &g, 1, QUERY_ANY);
    ck_assert_str_eq(q, "('芯片' | ('集成电路' | ('集成' & '电路'))) | '封装'");
    free(q);
    terms_free(&g.term_words);
    terms_free(&g.synonyms);
    terms_free(&words);
}
END_TEST

static Suite *segment_suite(void)
{
    Suite *s = suite_create("segment");
    TCase *tc = tcase_create("fallback");
    tcase_add_test(tc, test_segment_drops_bytes_that_are_not_utf8);
    tcase_add_test(tc, test_segment_lowercases_english_and_folds_full_width);
    tcase_add_test(tc, test_query_english_words_match_by_prefix_and_all_must_match);
    tcase_add_test(tc, test_query_quotes_lexemes);
    tcase_add_test(tc, test_vector_text_follows_terms_vector);
    suite_add_tcase(s, tc);
    TCase *dict = tcase_create("dictionary");
    /* Loaded once for the case (not in each forked test): reading the dictionary takes
     * seconds under the sanitizers, longer than check's default test timeout. */
    tcase_add_unchecked_fixture(dict, dictionary_setup, dictionary_teardown);
    tcase_set_timeout(dict, 60);
    tcase_add_test(dict, test_dictionary_lithium_battery_finds_lithium_ion_battery);
    tcase_add_test(dict, test_dictionary_words_and_unknown_runs);
    tcase_add_test(dict, test_dictionary_thesaurus_group_widens_a_word);
    suite_add_tcase(s, dict);
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
