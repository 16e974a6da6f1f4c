/* The daemon's read caches (sessions by token hash, expert records by id) and the one
 * database connection that keeps them true: it LISTENs on channel siku_cache, where triggers
 * (migration 0027) announce every change to sessions, users and experts, and evicts what
 * changed. While that connection is down the caches are empty and unused, and when it comes
 * back they start empty: nothing is served that a missed notification could have made stale.
 * The same connection writes the batched read_personal audit rows. */
#ifndef SIKU_API_READ_CACHE_H
#define SIKU_API_READ_CACHE_H

#include "core/config.h"

#include <stdbool.h>
#include <stdint.h>

struct evbuffer;
struct lru;

/* Starts the listening thread (and makes the caches; cache_entries 0 makes none). */
bool read_cache_start(const struct config *cfg) __attribute__((warn_unused_result));
/* Writes the audit rows still queued, closes the connection, frees the caches. */
void read_cache_stop(void);

/* The cache to use now, or NULL: disabled, or the listener is not connected. */
struct lru *read_cache_sessions(void);
struct lru *read_cache_experts(void);

uint64_t read_cache_now_ns(void);

/* Evict at once (a write through this daemon: its notification follows). */
void read_cache_forget_expert(const char *id);
void read_cache_forget_session(const char *token_hash);
void read_cache_forget_user(const char *user_id);

/* One read of personal data for the audit log, queued for the next batch. False when the
 * queue is full (the database has been unreachable for a long time): the read must fail. */
struct read_audit {
    const char *user_id, *role, *route, *request_id, *client_addr, *record_type, *record_id;
};
bool read_cache_audit(const struct read_audit *a) __attribute__((warn_unused_result));

/* Prometheus text: hits, misses, evictions, invalidations, entries; listener state; audit
 * queue. */
void read_cache_metrics_write(struct evbuffer *out);

/* For tests: applies one notification payload ("s:<token hash hex>", "u:<user id>",
 * "e:<expert id>", "*"). */
void read_cache_apply_notification(const char *payload);

#endif
