/* Password hashing (argon2id, libsodium) off the event loops: a few threads and a bounded
 * queue, because each hash takes tens of MiB and tens of milliseconds. */
#ifndef SIKU_CORE_HASHER_H
#define SIKU_CORE_HASHER_H

#include <stdbool.h>

struct event_base;

/* ok: the password matched (verify) or the hash was made (create). hash: the new hash
 * (create only; owned by the callee until the callback returns). */
typedef void (*hasher_done_fn)(void *arg, bool ok, const char *hash);

bool hasher_start(int threads, int queue_max) __attribute__((warn_unused_result));
void hasher_stop(void);

/* Verifies password against stored_hash, or makes a new hash when stored_hash is NULL. done
 * runs later on base's loop. Returns false (and never calls done) when the queue is full. */
bool hasher_submit(struct event_base *base, const char *stored_hash, const char *password,
                   hasher_done_fn done, void *arg) __attribute__((warn_unused_result));

/* Blocks until no task of base is queued or running, then runs their callbacks (queued ones
 * with ok=false). For a worker that stops serving. */
void hasher_drain(struct event_base *base);

/* A valid hash of a random password: verifying against it costs what a real one does, so an
 * unknown user takes as long as a wrong password. */
const char *hasher_dummy_hash(void);

/* Blocking hash for command-line tools. Returns false on failure. out needs 128 bytes. */
bool hasher_hash_now(const char *password, char out[128]);

#endif
