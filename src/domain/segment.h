/* Chinese (and English) text to words and search terms: Debian's libfriso dictionary
 * segmenter, with a fallback for what the dictionary lacks (CJK unigrams and bigrams, and
 * splits of long words into a modifier and a head: 锂电池 = 锂 + 电池). */
#ifndef SIKU_DOMAIN_SEGMENT_H
#define SIKU_DOMAIN_SEGMENT_H

#include "domain/terms.h"

#include <stdbool.h>

/* Loads the dictionary from a friso ini file. Without one (NULL, missing or broken), words
 * are whole CJK runs and latin tokens, and the n-gram fallback does the rest. Call once,
 * before any thread segments. */
bool segment_init(const char *friso_ini);
void segment_shutdown(void);
bool segment_has_dictionary(void);

/* The words of text in order: dictionary words, runs of characters the dictionary does not
 * know joined into one word, latin and digit tokens lowercased; full-width ASCII folded.
 * Punctuation and spaces separate words and are dropped. */
void segment_words(const char *text, struct terms *out);

/* Everything a document should be found by: its words, the parts of its long words, and
 * the unigrams and bigrams of its CJK text. Sorted, without duplicates. */
void segment_index_terms(const char *text, struct terms *out);

/* The modifier/head split of a CJK word of 3+ characters into two parts that are each a
 * dictionary word or a single character, preferring the longest head (the end). Returns
 * false when there is none (writes nothing). */
bool segment_split(const char *word, struct terms *parts);

/* Number of code points of a UTF-8 string, and whether it is all CJK ideographs. */
size_t segment_chars(const char *s);
bool segment_is_cjk_word(const char *s);

#endif
