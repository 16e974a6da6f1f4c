/* Segmentation with libfriso plus n-gram fallback. The dictionary is loaded once and only
 * read afterwards; each call makes its own friso task, so any thread may segment. */
#include "domain/segment.h"

#include "core/xmalloc.h"

#include <friso/friso.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static friso_t friso;
static friso_config_t friso_cfg;

bool segment_init(const char *ini)
{
    if (ini == NULL || *ini == '\0')
        return false;
    friso_t f = friso_new();
    friso_config_t c = friso_new_config();
    if (friso_init_from_ifile(f, c, (fstring)ini) != 1) {
        friso_free_config(c);
        friso_free(f);
        return false;
    }
    /* Plain words only: no dictionary synonyms (研究 would also yield 琢磨), and one mode. */
    c->add_syn = 0;
    c->clr_stw = 0;
    c->keep_urec = 1;
    friso_set_mode(c, __FRISO_COMPLEX_MODE__);
    friso = f;
    friso_cfg = c;
    return true;
}

void segment_shutdown(void)
{
    if (friso) {
        friso_free_config(friso_cfg);
        friso_free(friso);
        friso = NULL;
        friso_cfg = NULL;
    }
}

bool segment_has_dictionary(void)
{
    return friso != NULL;
}

/* Decodes one code point; returns its byte length (1 for invalid bytes). */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        return 3;
    }
    if ((s[0] & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
        (s[3] & 0xC0) == 0x80) {
        *cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
              ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        return 4;
    }
    *cp = 0xFFFD;
    return 1;
}

static size_t utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static bool is_cjk(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FA1F);
}

static bool is_alnum(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

/* Full-width ASCII folded to ASCII, ASCII letters lowered, the ideographic space to a space.
 * Bytes that are not UTF-8 are dropped: each would decode to U+FFFD, three bytes for one, and
 * the output must fit in the input's length (every code point is re-encoded no longer than it
 * was read). */
static char *normalize(const char *text)
{
    size_t len = strlen(text);
    char *out = xmalloc(len + 1);
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        uint32_t cp;
        size_t n = utf8_next(p, &cp);
        p += n;
        if (n == 1 && *(p - 1) >= 0x80)
            continue;
        if (cp >= 0xFF01 && cp <= 0xFF5E)
            cp -= 0xFEE0;
        else if (cp == 0x3000)
            cp = ' ';
        if (cp >= 'A' && cp <= 'Z')
            cp += 'a' - 'A';
        o += utf8_put(cp, out + o);
    }
    out[o] = '\0';
    return out;
}

size_t segment_chars(const char *s)
{
    size_t n = 0;
    uint32_t cp;
    for (const unsigned char *p = (const unsigned char *)s; *p; p += utf8_next(p, &cp))
        n++;
    return n;
}

bool segment_is_cjk_word(const char *s)
{
    if (*s == '\0')
        return false;
    uint32_t cp;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        p += utf8_next(p, &cp);
        if (!is_cjk(cp))
            return false;
    }
    return true;
}

/* Byte offset of the k-th code point. */
static size_t char_offset(const char *s, size_t k)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t cp;
    while (k-- > 0 && *p)
        p += utf8_next(p, &cp);
    return (size_t)(p - (const unsigned char *)s);
}

static bool known_word(const char *s)
{
    if (segment_chars(s) == 1)
        return true;
    return friso && friso_dic_match(friso->dic, __LEX_CJK_WORDS__, (fstring)s);
}

bool segment_split(const char *word, struct terms *parts)
{
    size_t n = segment_chars(word);
    if (n < 3 || !segment_is_cjk_word(word))
        return false;
    /* The longest head that leaves a known modifier: 锂|电池, 锂离子|电池, 新能源|汽车. */
    for (size_t head = n - 1; head >= 1; head--) {
        size_t cut = char_offset(word, n - head);
        char *left = xmalloc(cut + 1), *right = xstrdup(word + cut);
        memcpy(left, word, cut);
        left[cut] = '\0';
        bool ok = known_word(left) && known_word(right) && (head >= 2 || n - head >= 2);
        if (ok) {
            terms_add(parts, left, strlen(left));
            terms_add(parts, right, strlen(right));
        }
        free(left);
        free(right);
        if (ok)
            return true;
    }
    return false;
}

/* Token kinds for the fallback tokenizer. */
enum run_kind { RUN_NONE, RUN_CJK, RUN_ALNUM };

/* Without a dictionary: CJK runs and alnum runs are the words. */
static void words_without_dictionary(const char *norm, struct terms *out)
{
    const unsigned char *p = (const unsigned char *)norm, *start = NULL;
    enum run_kind kind = RUN_NONE;
    for (;;) {
        uint32_t cp = 0;
        size_t n = *p ? utf8_next(p, &cp) : 0;
        enum run_kind k = !*p            ? RUN_NONE
                          : is_cjk(cp)   ? RUN_CJK
                          : is_alnum(cp) ? RUN_ALNUM
                                         : RUN_NONE;
        if (k != kind) {
            if (kind != RUN_NONE)
                terms_add(out, (const char *)start, (size_t)(p - start));
            start = p;
            kind = k;
        }
        if (!*p)
            break;
        p += n;
    }
}

/* A friso token worth keeping: it has a letter, digit or ideograph. */
static bool meaningful(const char *w)
{
    uint32_t cp;
    for (const unsigned char *p = (const unsigned char *)w; *p;) {
        p += utf8_next(p, &cp);
        if (is_cjk(cp) || is_alnum(cp))
            return true;
    }
    return false;
}

void segment_words(const char *text, struct terms *out)
{
    char *norm = normalize(text);
    if (friso == NULL) {
        words_without_dictionary(norm, out);
        free(norm);
        return;
    }
    friso_task_t task = friso_new_task();
    friso_set_text(task, norm);
    /* Runs of single characters are what the dictionary did not know: join them back. */
    char pending[256];
    size_t plen = 0, pchars = 0;
    while (friso_cfg->next_token(friso, friso_cfg, task) != NULL) {
        const char *w = task->token->word;
        bool single_cjk = segment_chars(w) == 1 && segment_is_cjk_word(w);
        if (single_cjk && plen + strlen(w) < sizeof pending) {
            memcpy(pending + plen, w, strlen(w));
            plen += strlen(w);
            pchars++;
            continue;
        }
        if (plen) {
            terms_add(out, pending, plen);
            plen = pchars = 0;
        }
        if (meaningful(w))
            terms_add(out, w, strlen(w));
    }
    if (plen)
        terms_add(out, pending, plen);
    friso_free_task(task);
    free(norm);
}

/* Unigrams and bigrams of every CJK run of the normalized text. */
static void add_ngrams(const char *norm, struct terms *out)
{
    const unsigned char *p = (const unsigned char *)norm;
    const unsigned char *prev = NULL; /* start of the previous CJK character in this run */
    while (*p) {
        uint32_t cp;
        size_t n = utf8_next(p, &cp);
        if (is_cjk(cp)) {
            terms_add(out, (const char *)p, n);
            if (prev)
                terms_add(out, (const char *)prev, (size_t)(p + n - prev));
            prev = p;
        } else {
            prev = NULL;
        }
        p += n;
    }
}

static void add_splits(const char *word, struct terms *out, int depth)
{
    struct terms parts;
    terms_init(&parts);
    if (depth < 4 && segment_split(word, &parts))
        for (size_t i = 0; i < parts.n; i++) {
            terms_add(out, parts.v[i], strlen(parts.v[i]));
            add_splits(parts.v[i], out, depth + 1);
        }
    terms_free(&parts);
}

void segment_index_terms(const char *text, struct terms *out)
{
    struct terms words;
    terms_init(&words);
    segment_words(text, &words);
    for (size_t i = 0; i < words.n; i++) {
        terms_add(out, words.v[i], strlen(words.v[i]));
        add_splits(words.v[i], out, 0);
    }
    terms_free(&words);
    char *norm = normalize(text);
    add_ngrams(norm, out);
    free(norm);
    terms_unique(out);
}
