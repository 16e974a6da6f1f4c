/* The bounded LRU map: a chained hash table of power-of-two size and a doubly linked recency
 * list, one mutex around both (its holders copy a value and leave; nothing slow runs under
 * it). */
#include "core/lru.h"

#include "core/xmalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    struct entry *chain;       /* next in the bucket */
    struct entry *prev, *next; /* recency: head is the most recent */
    uint32_t hash;
    size_t klen, tlen, vlen;
    uint64_t expires_ns;
    char data[]; /* key NUL tag NUL value NUL */
};

struct lru {
    pthread_mutex_t lock;
    struct entry **buckets;
    size_t nbuckets; /* a power of two */
    struct entry *head, *tail;
    size_t count, capacity;
    uint64_t generation;
    uint64_t hits, misses, evictions, invalidations;
};

static uint32_t hash_key(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

struct lru *lru_new(size_t capacity)
{
    struct lru *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->capacity = capacity;
    c->nbuckets = 16;
    while (c->nbuckets < capacity && c->nbuckets < ((size_t)1 << 30))
        c->nbuckets <<= 1;
    c->buckets = xcalloc(c->nbuckets, sizeof *c->buckets);
    return c;
}

static void unlink_recency(struct lru *c, struct entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void push_front(struct lru *c, struct entry *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (c->tail == NULL)
        c->tail = e;
}

static struct entry **find_slot(struct lru *c, const char *key, size_t klen, uint32_t h)
{
    struct entry **pp = &c->buckets[h & (c->nbuckets - 1)];
    while (*pp && !((*pp)->hash == h && (*pp)->klen == klen && memcmp((*pp)->data, key, klen) == 0))
        pp = &(*pp)->chain;
    return pp;
}

/* Unlinks and frees the entry at *pp. Lock held. */
static void drop(struct lru *c, struct entry **pp)
{
    struct entry *e = *pp;
    *pp = e->chain;
    unlink_recency(c, e);
    free(e);
    c->count--;
}

static void drop_entry(struct lru *c, struct entry *e)
{
    drop(c, find_slot(c, e->data, e->klen, e->hash));
}

void lru_free(struct lru *c)
{
    if (c == NULL)
        return;
    for (struct entry *e = c->head, *n; e; e = n) {
        n = e->next;
        free(e);
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

char *lru_get(struct lru *c, const char *key, uint64_t now_ns, void *(*alloc)(void *ctx, size_t n),
              void *ctx, size_t *len)
{
    size_t klen = strlen(key);
    uint32_t h = hash_key(key, klen);
    char *out = NULL;
    pthread_mutex_lock(&c->lock);
    struct entry **pp = find_slot(c, key, klen, h);
    struct entry *e = *pp;
    if (e && e->expires_ns != 0 && now_ns >= e->expires_ns) {
        drop(c, pp);
        e = NULL;
    }
    if (e) {
        out = alloc(ctx, e->vlen + 1);
        if (out) {
            memcpy(out, e->data + e->klen + 1 + e->tlen + 1, e->vlen + 1);
            *len = e->vlen;
            unlink_recency(c, e);
            push_front(c, e);
        }
    }
    if (out)
        c->hits++;
    else
        c->misses++;
    pthread_mutex_unlock(&c->lock);
    return out;
}

uint64_t lru_generation(struct lru *c)
{
    pthread_mutex_lock(&c->lock);
    uint64_t g = c->generation;
    pthread_mutex_unlock(&c->lock);
    return g;
}

bool lru_put(struct lru *c, const char *key, const void *value, size_t len, const char *tag,
             uint64_t expires_ns, uint64_t gen)
{
    if (c->capacity == 0)
        return false;
    size_t klen = strlen(key), tlen = tag ? strlen(tag) : 0;
    struct entry *e = malloc(sizeof *e + klen + tlen + len + 3);
    if (e == NULL)
        return false;
    e->chain = e->prev = e->next = NULL;
    e->hash = hash_key(key, klen);
    e->klen = klen;
    e->tlen = tlen;
    e->vlen = len;
    e->expires_ns = expires_ns;
    memcpy(e->data, key, klen + 1);
    if (tlen)
        memcpy(e->data + klen + 1, tag, tlen);
    e->data[klen + 1 + tlen] = '\0';
    memcpy(e->data + klen + tlen + 2, value, len);
    e->data[klen + tlen + 2 + len] = '\0';
    pthread_mutex_lock(&c->lock);
    if (gen != c->generation) {
        pthread_mutex_unlock(&c->lock);
        free(e);
        return false;
    }
    struct entry **pp = find_slot(c, key, klen, e->hash);
    if (*pp)
        drop(c, pp);
    while (c->count >= c->capacity && c->tail) {
        drop_entry(c, c->tail);
        c->evictions++;
    }
    pp = find_slot(c, key, klen, e->hash);
    *pp = e;
    push_front(c, e);
    c->count++;
    pthread_mutex_unlock(&c->lock);
    return true;
}

void lru_remove(struct lru *c, const char *key)
{
    size_t klen = strlen(key);
    uint32_t h = hash_key(key, klen);
    pthread_mutex_lock(&c->lock);
    c->generation++;
    struct entry **pp = find_slot(c, key, klen, h);
    if (*pp) {
        drop(c, pp);
        c->invalidations++;
    }
    pthread_mutex_unlock(&c->lock);
}

void lru_remove_tagged(struct lru *c, const char *tag)
{
    size_t tlen = strlen(tag);
    pthread_mutex_lock(&c->lock);
    c->generation++;
    for (struct entry *e = c->head, *n; e; e = n) {
        n = e->next;
        if (e->tlen == tlen && memcmp(e->data + e->klen + 1, tag, tlen) == 0) {
            drop_entry(c, e);
            c->invalidations++;
        }
    }
    pthread_mutex_unlock(&c->lock);
}

void lru_clear(struct lru *c)
{
    pthread_mutex_lock(&c->lock);
    c->generation++;
    c->invalidations += c->count;
    for (struct entry *e = c->head, *n; e; e = n) {
        n = e->next;
        free(e);
    }
    c->head = c->tail = NULL;
    memset(c->buckets, 0, c->nbuckets * sizeof *c->buckets);
    c->count = 0;
    pthread_mutex_unlock(&c->lock);
}

void lru_get_stats(struct lru *c, struct lru_stats *out)
{
    pthread_mutex_lock(&c->lock);
    out->hits = c->hits;
    out->misses = c->misses;
    out->evictions = c->evictions;
    out->invalidations = c->invalidations;
    out->entries = c->count;
    out->capacity = c->capacity;
    pthread_mutex_unlock(&c->lock);
}
