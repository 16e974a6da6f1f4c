/* Levelled JSON-lines logging to stderr, safe to call from any thread. */
#ifndef SIKU_CORE_LOG_H
#define SIKU_CORE_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* A key/value pair attached to a log line; value is logged as a JSON string. */
struct log_field {
    const char *key;
    const char *value;
};

bool log_set_level_name(const char *name);
enum log_level log_get_level(void);
bool log_enabled(enum log_level level);

/* Writes one line: {"ts":...,"level":...,"msg":...,<fields>}. */
void log_emit(enum log_level level, const char *msg, const struct log_field *fields,
              size_t nfields);

/* printf-style message without structured fields. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes an already formatted JSON object (one line, no newline) as is. */
void log_write_raw_line(const char *line, size_t len);

/* Appends s to out as the body of a JSON string (no quotes), escaping as needed.
 * Returns the number of bytes written (always < cap; output is NUL-terminated). */
size_t log_json_escape(char *out, size_t cap, const char *s);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
