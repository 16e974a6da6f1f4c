/* Levelled JSON-lines logging: one write(2) per line so lines never interleave. */
#include "core/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic int current_level = LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

bool log_set_level_name(const char *name)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            atomic_store(&current_level, i);
            return true;
        }
    }
    return false;
}

enum log_level log_get_level(void)
{
    return (enum log_level)atomic_load(&current_level);
}

bool log_enabled(enum log_level level)
{
    return (int)level >= atomic_load(&current_level);
}

size_t log_json_escape(char *out, size_t cap, const char *s)
{
    size_t n = 0;
    if (cap == 0)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        size_t len;
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            len = 2;
        } else if (*p == '\n') {
            memcpy(esc, "\\n", 2);
            len = 2;
        } else if (*p < 0x20 || *p == 0x7f) {
            len = (size_t)snprintf(esc, sizeof esc, "\\u%04x", *p);
        } else {
            esc[0] = (char)*p;
            len = 1;
        }
        if (n + len >= cap)
            break;
        memcpy(out + n, esc, len);
        n += len;
    }
    out[n] = '\0';
    return n;
}

static size_t format_timestamp(char *out, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(out + n, cap - n, ".%03ldZ", ts.tv_nsec / 1000000);
    return n;
}

void log_write_raw_line(const char *line, size_t len)
{
    char buf[8192];
    if (len >= sizeof buf - 1)
        len = sizeof buf - 2;
    memcpy(buf, line, len);
    buf[len] = '\n';
    ssize_t ignored = write(STDERR_FILENO, buf, len + 1);
    (void)ignored;
}

void log_emit(enum log_level level, const char *msg, const struct log_field *fields, size_t nfields)
{
    if (!log_enabled(level))
        return;
    char line[8192];
    char ts[40];
    format_timestamp(ts, sizeof ts);
    size_t n = (size_t)snprintf(line, sizeof line, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"", ts,
                                level_names[level]);
    n += log_json_escape(line + n, sizeof line - n - 64, msg);
    n += (size_t)snprintf(line + n, sizeof line - n, "\"");
    for (size_t i = 0; i < nfields && n < sizeof line - 64; i++) {
        if (fields[i].value == NULL)
            continue;
        n += (size_t)snprintf(line + n, sizeof line - n, ",\"%s\":\"", fields[i].key);
        n += log_json_escape(line + n, sizeof line - n - 8, fields[i].value);
        n += (size_t)snprintf(line + n, sizeof line - n, "\"");
    }
    n += (size_t)snprintf(line + n, sizeof line - n, "}");
    log_write_raw_line(line, n);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_emit(level, msg, NULL, 0);
}
