/* libFuzzer harness: the Chinese segmentation wrapper over libfriso and the tsquery builder.
 * The input is a search text, optionally followed by a newline and a thesaurus group
 * ("term,synonym,..."): the text's words, index terms and modifier/head splits, and the
 * tsquery of its words in both modes with that group as a synonym. */
#include "domain/search_query.h"
#include "domain/segment.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    (void)segment_init("/etc/friso/friso.ini");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16 * 1024)
        return 0;
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char *group_line = strchr(text, '\n');
    if (group_line != NULL)
        *group_line++ = '\0';

    struct terms words, index;
    terms_init(&words);
    terms_init(&index);
    segment_words(text, &words);
    segment_index_terms(text, &index);
    for (size_t i = 0; i < words.n; i++) {
        struct terms parts;
        terms_init(&parts);
        if (segment_split(words.v[i], &parts) && parts.n != 2)
            abort(); /* a split is a modifier and a head */
        terms_free(&parts);
    }

    struct synonym_group group;
    terms_init(&group.term_words);
    terms_init(&group.synonyms);
    size_t ngroups = 0;
    if (group_line != NULL) {
        char *comma = strchr(group_line, ',');
        if (comma != NULL)
            *comma = '\0';
        segment_words(group_line, &group.term_words);
        for (char *s = comma ? comma + 1 : NULL; s != NULL;) {
            char *next = strchr(s, ',');
            terms_add(&group.synonyms, s, next ? (size_t)(next - s) : strlen(s));
            s = next ? next + 1 : NULL;
        }
        ngroups = 1;
    }
    char *all = search_tsquery(&words, &group, ngroups, QUERY_ALL);
    char *any = search_tsquery(&words, &group, ngroups, QUERY_ANY);
    if ((all == NULL) != (words.n == 0))
        abort();
    free(all);
    free(any);
    terms_free(&group.term_words);
    terms_free(&group.synonyms);
    terms_free(&words);
    terms_free(&index);
    free(text);
    return 0;
}
