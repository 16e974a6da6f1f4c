/* Pure HTTP/1.1 request-head and chunked-body parsing, strict where libevent is lenient. */
#ifndef SIKU_HTTP_PARSER_H
#define SIKU_HTTP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum http_method {
    HTTP_GET = 1 << 0,
    HTTP_HEAD = 1 << 1,
    HTTP_POST = 1 << 2,
    HTTP_PUT = 1 << 3,
    HTTP_PATCH = 1 << 4,
    HTTP_DELETE = 1 << 5,
    HTTP_OPTIONS = 1 << 6,
    HTTP_OTHER = 1 << 7, /* a syntactically valid method siku does not serve */
};

#define HTTP_MAX_HEADERS  100
#define HTTP_MAX_SEGMENTS 16

struct http_header {
    const char *name;
    const char *value;
};

/* Result of parsing a request head; strings point into the (modified) head buffer. */
struct http_head {
    enum http_method method;
    const char *method_name;
    int version_minor;  /* HTTP/1.x */
    const char *target; /* as sent, for logs */
    const char *path;   /* raw path, no query */
    const char *query;  /* after '?', or "" */
    /* Percent-decoded path segments; the path "/" has zero segments. */
    const char *segments[HTTP_MAX_SEGMENTS];
    size_t segment_lens[HTTP_MAX_SEGMENTS];
    int nsegments;
    struct http_header headers[HTTP_MAX_HEADERS];
    int nheaders;
    bool has_content_length;
    uint64_t content_length;
    bool chunked;
    bool keep_alive;
    bool expect_continue;
};

/* Why a head was refused: the HTTP status and a stable problem code. */
struct http_parse_error {
    int status;
    const char *code;
    const char *detail; /* English, for logs */
};

/* Length of the head in buf (through the blank line), 0 if not complete yet.
 * Accepts CRLF and bare LF line endings. */
size_t http_head_length(const char *buf, size_t len);

/* Parses a complete head of len bytes. The buffer is modified in place (NULs are written)
 * and must stay alive as long as head. decoded must have room for len bytes: decoded path
 * segments are written there. */
bool http_parse_head(char *buf, size_t len, char *decoded, struct http_head *head,
                     struct http_parse_error *err) __attribute__((warn_unused_result));

/* Case-insensitive header lookup; NULL when absent. */
const char *http_head_get(const struct http_head *head, const char *name);

const char *http_method_name(enum http_method m);

/* Incremental decoder for Transfer-Encoding: chunked. */
enum chunked_state {
    CHUNK_SIZE,
    CHUNK_EXT,
    CHUNK_SIZE_LF,
    CHUNK_DATA,
    CHUNK_DATA_CR,
    CHUNK_DATA_LF,
    CHUNK_TRAILER_START,
    CHUNK_TRAILER_LINE,
    CHUNK_TRAILER_LF,
    CHUNK_DONE,
};

struct chunked_decoder {
    enum chunked_state state;
    uint64_t remaining; /* bytes left in the current chunk */
    int size_digits;
    size_t trailer_bytes;
    uint64_t total;
};

enum chunked_result { CHUNKED_MORE, CHUNKED_DONE, CHUNKED_ERROR, CHUNKED_TOO_LARGE };

void chunked_init(struct chunked_decoder *d);

/* Consumes input bytes; appends body data through emit. *consumed is set to the number of
 * input bytes used (all of them unless the body ends inside the input). */
enum chunked_result chunked_feed(struct chunked_decoder *d, const char *in, size_t len,
                                 size_t *consumed, uint64_t max_body,
                                 void (*emit)(void *arg, const char *data, size_t n), void *arg);

#endif
