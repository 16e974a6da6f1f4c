/* Daemon settings: one declarative table of keys with defaults, bounds and SIKU_* overrides. */
#ifndef SIKU_CORE_CONFIG_H
#define SIKU_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct config {
    char *listen;
    char *database;
    int threads;
    int max_connections;
    long max_header_size;
    long max_body_size;
    long max_import_size;
    long max_evidence_size;
    int header_timeout_ms;
    int read_timeout_ms;
    int write_timeout_ms;
    int idle_timeout_ms;
    int request_deadline_ms;
    int import_timeout_ms;
    int shutdown_timeout_ms;
    int db_pool_size;
    int db_pipeline_depth;
    int cache_entries;
    int audit_batch_ms;
    int audit_batch_rows;
    int db_queue_max;
    int db_queue_timeout_ms;
    int db_statement_timeout_ms;
    int db_connect_timeout_ms;
    int db_reconnect_max_ms;
    int token_ttl_s;
    int login_max_failures;
    int login_window_s;
    int hash_concurrency;
    char *metrics_token;
    char *log_level;
    bool access_log;
    char *web_dir;
    char *dictionary;
};

/* Fills cfg with defaults. */
void config_init(struct config *cfg);
void config_free(struct config *cfg);

/* Applies a "key = value" file. On error writes a message to err and returns false. */
bool config_load_file(struct config *cfg, const char *path, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Applies SIKU_* environment variables. */
bool config_load_env(struct config *cfg, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Sets one key (underscores or dashes) from text, checking type and bounds. */
bool config_set(struct config *cfg, const char *key, const char *value, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* True when key names a setting. */
bool config_has_key(const char *key);

/* Writes every key with its current value and help, as a config file. */
void config_write(const struct config *cfg, FILE *out);

/* Resolves derived values (threads = cores when 0). */
void config_finish(struct config *cfg);

#endif
