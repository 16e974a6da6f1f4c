/* tsquery construction. The text is built with quoted lexemes, which PostgreSQL reads
 * verbatim whatever the database locale; no parsing of user text happens in the server. */
#include "domain/search_query.h"

#include "core/xmalloc.h"
#include "domain/segment.h"

#include <stdlib.h>
#include <string.h>

struct buf {
    char *p;
    size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

void search_quote_lexeme(const char *lexeme, char **p, size_t *len, size_t *cap)
{
    struct buf b = {*p, *len, *cap};
    put(&b, "'", 1);
    for (const char *c = lexeme; *c; c++) {
        if (*c == '\'')
            put(&b, "''", 2);
        else if (*c == '\\')
            put(&b, "\\\\", 2);
        else
            put(&b, c, 1);
    }
    put(&b, "'", 1);
    *p = b.p;
    *len = b.len;
    *cap = b.cap;
}

static void lexeme(struct buf *b, const char *s)
{
    search_quote_lexeme(s, &b->p, &b->len, &b->cap);
}

/* Bigrams of a CJK word, as an AND group. */
static void bigrams(struct buf *b, const char *w)
{
    size_t n = segment_chars(w);
    const char *p = w;
    puts_(b, "(");
    for (size_t i = 0; i + 1 < n; i++) {
        /* p points at character i; find the end of character i+1 */
        const char *q = p + 1;
        while ((*q & 0xC0) == 0x80)
            q++;
        const char *r = q + 1;
        while ((*r & 0xC0) == 0x80)
            r++;
        char gram[16];
        size_t glen = (size_t)(r - p) < sizeof gram - 1 ? (size_t)(r - p) : sizeof gram - 1;
        memcpy(gram, p, glen);
        gram[glen] = '\0';
        if (i)
            puts_(b, " & ");
        lexeme(b, gram);
        p = q;
    }
    puts_(b, ")");
}

static void word_expr(struct buf *b, const char *w)
{
    size_t chars = segment_chars(w);
    if (segment_is_cjk_word(w) && chars >= 3) {
        struct terms parts;
        terms_init(&parts);
        puts_(b, "(");
        lexeme(b, w);
        puts_(b, " | ");
        if (segment_split(w, &parts)) {
            puts_(b, "(");
            lexeme(b, parts.v[0]);
            puts_(b, " & ");
            lexeme(b, parts.v[1]);
            puts_(b, ")");
        } else {
            bigrams(b, w);
        }
        puts_(b, ")");
        terms_free(&parts);
        return;
    }
    lexeme(b, w);
    if (!segment_is_cjk_word(w) && chars >= 4)
        puts_(b, ":*"); /* battery finds batteries */
}

static void words_and(struct buf *b, const char *const *words, size_t n)
{
    if (n > 1)
        puts_(b, "(");
    for (size_t i = 0; i < n; i++) {
        if (i)
            puts_(b, " & ");
        word_expr(b, words[i]);
    }
    if (n > 1)
        puts_(b, ")");
}

/* Where the group's term starts among the words, or -1. */
static long find_span(const struct terms *words, size_t limit, const struct terms *term)
{
    if (term->n == 0 || term->n > limit)
        return -1;
    for (size_t i = 0; i + term->n <= limit; i++) {
        size_t k = 0;
        while (k < term->n && strcmp(words->v[i + k], term->v[k]) == 0)
            k++;
        if (k == term->n)
            return (long)i;
    }
    return -1;
}

char *search_tsquery(const struct terms *words, const struct synonym_group *groups, size_t ngroups,
                     enum query_mode mode)
{
    size_t n = words->n < SEARCH_MAX_WORDS ? words->n : SEARCH_MAX_WORDS;
    if (n == 0)
        return NULL;
    /* span_group[i] >= 0: a thesaurus term starts at word i. */
    long span_group[SEARCH_MAX_WORDS];
    for (size_t i = 0; i < n; i++)
        span_group[i] = -1;
    for (size_t g = 0; g < ngroups; g++) {
        long at = find_span(words, n, &groups[g].term_words);
        if (at >= 0 && span_group[at] < 0)
            span_group[at] = (long)g;
    }
    struct buf b = {0};
    const char *join = mode == QUERY_ALL ? " & " : " | ";
    bool first = true;
    for (size_t i = 0; i < n;) {
        if (!first)
            puts_(&b, join);
        first = false;
        if (span_group[i] < 0) {
            word_expr(&b, words->v[i]);
            i++;
            continue;
        }
        const struct synonym_group *g = &groups[span_group[i]];
        puts_(&b, "(");
        words_and(&b, (const char *const *)words->v + i, g->term_words.n);
        for (size_t s = 0; s < g->synonyms.n; s++) {
            struct terms syn;
            terms_init(&syn);
            segment_words(g->synonyms.v[s], &syn);
            if (syn.n > 0 && syn.n <= 8) {
                puts_(&b, " | ");
                words_and(&b, (const char *const *)syn.v, syn.n);
            }
            terms_free(&syn);
        }
        puts_(&b, ")");
        i += g->term_words.n;
    }
    return b.p;
}
