/* A bounded, thread-safe map from text keys to immutable byte values, evicting the least
 * recently used entry when full. Correctness under invalidation rests on its generation: a
 * reader that misses notes lru_generation() before asking the source, and lru_put() refuses
 * the value if any removal or clear happened since, so a value read before a change can never
 * be stored after the change's invalidation. */
#ifndef SIKU_CORE_LRU_H
#define SIKU_CORE_LRU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lru;

struct lru_stats {
    uint64_t hits;
    uint64_t misses;
    uint64_t evictions;     /* dropped to make room */
    uint64_t invalidations; /* removed by lru_remove, lru_remove_tagged or lru_clear */
    uint64_t entries;
    uint64_t capacity;
};

/* capacity 0: a map that holds nothing (every get misses, every put is refused). */
struct lru *lru_new(size_t capacity);
void lru_free(struct lru *c);

/* The value of key copied into memory from alloc(ctx, len + 1) (NUL-terminated), or NULL when
 * absent or expired (now_ns >= its expiry). Counts a hit or a miss. */
char *lru_get(struct lru *c, const char *key, uint64_t now_ns, void *(*alloc)(void *ctx, size_t n),
              void *ctx, size_t *len);

uint64_t lru_generation(struct lru *c);

/* Stores key → value (replacing any), with a tag (may be NULL) for lru_remove_tagged and an
 * expiry (0 = none), unless the generation moved past gen. Returns whether it was stored. */
bool lru_put(struct lru *c, const char *key, const void *value, size_t len, const char *tag,
             uint64_t expires_ns, uint64_t gen);

/* Each of these advances the generation, whether or not anything was there. */
void lru_remove(struct lru *c, const char *key);
void lru_remove_tagged(struct lru *c, const char *tag);
void lru_clear(struct lru *c);

void lru_get_stats(struct lru *c, struct lru_stats *out);

#endif
