/* Pure HTTP/1.1 request-head and chunked-body parsing (RFC 9112), with no I/O. */
#include "http/http_parser.h"

#include "core/utf8.h"

#include <string.h>
#include <strings.h>

static bool is_tchar(unsigned char c)
{
    if (c >= 'a' && c <= 'z')
        return true;
    if (c >= 'A' && c <= 'Z')
        return true;
    if (c >= '0' && c <= '9')
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool fail(struct http_parse_error *err, int status, const char *code, const char *detail)
{
    err->status = status;
    err->code = code;
    err->detail = detail;
    return false;
}

size_t http_head_length(const char *buf, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (buf[i] != '\n')
            continue;
        if (buf[i + 1] == '\n')
            return i + 2;
        if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

static const struct {
    const char *name;
    enum http_method method;
} known_methods[] = {
    {"GET", HTTP_GET},     {"HEAD", HTTP_HEAD},     {"POST", HTTP_POST},       {"PUT", HTTP_PUT},
    {"PATCH", HTTP_PATCH}, {"DELETE", HTTP_DELETE}, {"OPTIONS", HTTP_OPTIONS},
};

const char *http_method_name(enum http_method m)
{
    for (size_t i = 0; i < sizeof known_methods / sizeof known_methods[0]; i++)
        if (known_methods[i].method == m)
            return known_methods[i].name;
    return "OTHER";
}

/* Splits off the next line, NUL-terminating it; returns NULL on a stray CR. */
static char *next_line(char **cursor, char *end, bool *bad)
{
    char *start = *cursor;
    char *nl = memchr(start, '\n', (size_t)(end - start));
    if (nl == NULL)
        return NULL;
    char *line_end = nl;
    if (line_end > start && line_end[-1] == '\r')
        line_end--;
    if (memchr(start, '\r', (size_t)(line_end - start)) != NULL)
        *bad = true;
    *line_end = '\0';
    *cursor = nl + 1;
    return start;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes one path segment into out; refuses NUL, '/', control bytes, bad escapes,
 * invalid UTF-8 and dot segments (encoded or not). */
static bool decode_segment(const char *s, size_t n, char *out, size_t *outlen,
                           struct http_parse_error *err)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return fail(err, 400, "bad_path", "truncated percent escape");
            int hi = hexval((unsigned char)s[i + 1]), lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0)
                return fail(err, 400, "bad_path", "invalid percent escape");
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
            if (c == '/')
                return fail(err, 400, "bad_path", "encoded slash in path");
        }
        if (c < 0x20 || c == 0x7f)
            return fail(err, 400, "bad_path", "control character in path");
        out[o++] = (char)c;
    }
    out[o] = '\0';
    if ((o == 1 && out[0] == '.') || (o == 2 && out[0] == '.' && out[1] == '.'))
        return fail(err, 400, "bad_path", "dot segment in path");
    if (!utf8_valid(out, o))
        return fail(err, 400, "bad_path", "path is not valid UTF-8");
    *outlen = o;
    return true;
}

static bool parse_target(char *target, enum http_method method, char *decoded,
                         struct http_head *head, struct http_parse_error *err)
{
    head->target = target;
    char *path = target;
    if (strncasecmp(target, "http://", 7) == 0 || strncasecmp(target, "https://", 8) == 0) {
        char *authority = strstr(target, "//") + 2;
        /* The authority ends at the first '/', '?' or '#' (RFC 3986 section 3.2): a '/' in
         * the query of "http://host?a=/b" does not start the path. */
        path = authority + strcspn(authority, "/?#");
        if (*path != '/') {
            /* "http://host" or "http://host?x": the path is "/". */
            static char root[] = "/";
            head->path = root;
            head->query = *path == '?' ? path + 1 : "";
            head->nsegments = 0;
            return true;
        }
    } else if (strcmp(target, "*") == 0 && method == HTTP_OPTIONS) {
        head->path = target;
        head->query = "";
        head->nsegments = 0;
        return true;
    } else if (target[0] != '/') {
        return fail(err, 400, "bad_request", "request target must be a path");
    }
    /* Clients such as curl send "?q=锂电池" unencoded: raw UTF-8 is accepted, other bytes
     * outside printable ASCII are not. */
    for (const char *p = path; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f || *p == '#')
            return fail(err, 400, "bad_path", "invalid character in request target");
    if (!utf8_valid(path, strlen(path)))
        return fail(err, 400, "bad_path", "request target is not valid UTF-8");
    char *q = strchr(path, '?');
    if (q != NULL) {
        *q = '\0';
        head->query = q + 1;
    } else {
        head->query = "";
    }
    head->path = path;
    head->nsegments = 0;
    const char *s = path + 1;
    if (*s == '\0')
        return true;
    for (;;) {
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        if (head->nsegments == HTTP_MAX_SEGMENTS)
            return fail(err, 404, "route_not_found", "too many path segments");
        size_t outlen;
        if (!decode_segment(s, n, decoded, &outlen, err))
            return false;
        head->segments[head->nsegments] = decoded;
        head->segment_lens[head->nsegments] = outlen;
        head->nsegments++;
        decoded += outlen + 1;
        if (slash == NULL)
            break;
        s = slash + 1;
    }
    return true;
}

static bool parse_request_line(char *line, char *decoded, struct http_head *head,
                               struct http_parse_error *err)
{
    char *sp1 = strchr(line, ' ');
    if (sp1 == NULL || sp1 == line)
        return fail(err, 400, "bad_request", "malformed request line");
    *sp1 = '\0';
    for (char *p = line; *p; p++)
        if (!is_tchar((unsigned char)*p))
            return fail(err, 400, "bad_request", "invalid method");
    head->method = HTTP_OTHER;
    head->method_name = line;
    for (size_t i = 0; i < sizeof known_methods / sizeof known_methods[0]; i++)
        if (strcmp(line, known_methods[i].name) == 0)
            head->method = known_methods[i].method;
    char *target = sp1 + 1;
    char *sp2 = strchr(target, ' ');
    if (sp2 == NULL || sp2 == target)
        return fail(err, 400, "bad_request", "malformed request line");
    *sp2 = '\0';
    const char *version = sp2 + 1;
    if (strcmp(version, "HTTP/1.1") == 0)
        head->version_minor = 1;
    else if (strcmp(version, "HTTP/1.0") == 0)
        head->version_minor = 0;
    else if (strncmp(version, "HTTP/", 5) == 0 && strlen(version) == 8 && version[6] == '.')
        return fail(err, 505, "http_version_not_supported", "unsupported HTTP version");
    else
        return fail(err, 400, "bad_request", "malformed HTTP version");
    return parse_target(target, head->method, decoded, head, err);
}

static bool header_has_token(const char *value, const char *token)
{
    size_t tlen = strlen(token);
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if ((size_t)(end - start) == tlen && strncasecmp(start, token, tlen) == 0)
            return true;
    }
    return false;
}

static bool parse_content_length(const char *v, uint64_t *out)
{
    if (*v == '\0' || strlen(v) > 18)
        return false;
    uint64_t n = 0;
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        n = n * 10 + (uint64_t)(*p - '0');
    }
    *out = n;
    return true;
}

/* Applies the framing headers once all headers are known. */
static bool check_framing(struct http_head *head, struct http_parse_error *err)
{
    int hosts = 0, te = 0;
    head->keep_alive = head->version_minor == 1;
    for (int i = 0; i < head->nheaders; i++) {
        const char *name = head->headers[i].name, *value = head->headers[i].value;
        if (strcasecmp(name, "content-length") == 0) {
            uint64_t n;
            if (!parse_content_length(value, &n))
                return fail(err, 400, "bad_request", "invalid Content-Length");
            if (head->has_content_length && n != head->content_length)
                return fail(err, 400, "bad_request", "conflicting Content-Length headers");
            head->has_content_length = true;
            head->content_length = n;
        } else if (strcasecmp(name, "transfer-encoding") == 0) {
            te++;
            if (strcasecmp(value, "chunked") != 0)
                return fail(err, 400, "bad_request", "unsupported Transfer-Encoding");
            head->chunked = true;
        } else if (strcasecmp(name, "host") == 0) {
            hosts++;
        } else if (strcasecmp(name, "connection") == 0) {
            if (header_has_token(value, "close"))
                head->keep_alive = false;
            else if (header_has_token(value, "keep-alive") && head->version_minor == 0)
                head->keep_alive = true;
        } else if (strcasecmp(name, "expect") == 0) {
            if (strcasecmp(value, "100-continue") != 0)
                return fail(err, 417, "expectation_failed", "unsupported Expect");
            head->expect_continue = head->version_minor == 1;
        }
    }
    if (te > 1)
        return fail(err, 400, "bad_request", "repeated Transfer-Encoding");
    if (head->chunked && head->has_content_length)
        return fail(err, 400, "bad_request", "Content-Length with Transfer-Encoding");
    if (head->chunked && head->version_minor == 0)
        return fail(err, 400, "bad_request", "chunked body in HTTP/1.0");
    if (hosts > 1 || (hosts == 0 && head->version_minor == 1))
        return fail(err, 400, "bad_request", "exactly one Host header is required");
    return true;
}

static bool parse_header_line(char *line, struct http_head *head, struct http_parse_error *err)
{
    if (line[0] == ' ' || line[0] == '\t')
        return fail(err, 400, "bad_request", "obsolete header line folding");
    char *colon = strchr(line, ':');
    if (colon == NULL || colon == line)
        return fail(err, 400, "bad_request", "malformed header line");
    *colon = '\0';
    for (char *p = line; *p; p++)
        if (!is_tchar((unsigned char)*p))
            return fail(err, 400, "bad_request", "invalid header name");
    char *value = colon + 1;
    while (*value == ' ' || *value == '\t')
        value++;
    char *end = value + strlen(value);
    while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    for (char *p = value; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return fail(err, 400, "bad_request", "control character in header value");
    }
    if (head->nheaders == HTTP_MAX_HEADERS)
        return fail(err, 431, "headers_too_large", "too many header fields");
    head->headers[head->nheaders].name = line;
    head->headers[head->nheaders].value = value;
    head->nheaders++;
    return true;
}

bool http_parse_head(char *buf, size_t len, char *decoded, struct http_head *head,
                     struct http_parse_error *err)
{
    memset(head, 0, sizeof *head);
    /* A NUL anywhere in the head is refused: libraries that stop at it would see
     * a different header than the one sent. */
    if (memchr(buf, '\0', len) != NULL)
        return fail(err, 400, "bad_request", "NUL byte in request head");
    char *cursor = buf, *end = buf + len;
    bool bad = false;
    char *line = next_line(&cursor, end, &bad);
    if (line == NULL || bad)
        return fail(err, 400, "bad_request", "malformed request line");
    if (!parse_request_line(line, decoded, head, err))
        return false;
    for (;;) {
        line = next_line(&cursor, end, &bad);
        if (bad)
            return fail(err, 400, "bad_request", "stray CR in header");
        if (line == NULL || *line == '\0')
            break;
        if (!parse_header_line(line, head, err))
            return false;
    }
    return check_framing(head, err);
}

const char *http_head_get(const struct http_head *head, const char *name)
{
    for (int i = 0; i < head->nheaders; i++)
        if (strcasecmp(head->headers[i].name, name) == 0)
            return head->headers[i].value;
    return NULL;
}

void chunked_init(struct chunked_decoder *d)
{
    memset(d, 0, sizeof *d);
    d->state = CHUNK_SIZE;
}

#define CHUNK_MAX_TRAILER 8192

enum chunked_result chunked_feed(struct chunked_decoder *d, const char *in, size_t len,
                                 size_t *consumed, uint64_t max_body,
                                 void (*emit)(void *arg, const char *data, size_t n), void *arg)
{
    size_t i = 0;
    while (i < len && d->state != CHUNK_DONE) {
        unsigned char c = (unsigned char)in[i];
        switch (d->state) {
        case CHUNK_SIZE: {
            int h = hexval(c);
            if (h >= 0) {
                if (d->size_digits == 15)
                    return CHUNKED_TOO_LARGE;
                d->remaining = d->remaining * 16 + (uint64_t)h;
                d->size_digits++;
                i++;
                break;
            }
            if (d->size_digits == 0)
                return CHUNKED_ERROR;
            if (d->remaining > max_body || d->total + d->remaining > max_body)
                return CHUNKED_TOO_LARGE;
            if (c == ';' || c == ' ' || c == '\t')
                d->state = CHUNK_EXT;
            else if (c == '\r')
                d->state = CHUNK_SIZE_LF;
            else if (c == '\n')
                d->state = d->remaining ? CHUNK_DATA : CHUNK_TRAILER_START;
            else
                return CHUNKED_ERROR;
            i++;
            break;
        }
        case CHUNK_EXT:
            /* Extensions are ignored but bounded like trailers. */
            if (++d->trailer_bytes > CHUNK_MAX_TRAILER)
                return CHUNKED_ERROR;
            if (c == '\r')
                d->state = CHUNK_SIZE_LF;
            else if (c == '\n')
                d->state = d->remaining ? CHUNK_DATA : CHUNK_TRAILER_START;
            else if (c < 0x20 && c != '\t')
                return CHUNKED_ERROR;
            i++;
            break;
        case CHUNK_SIZE_LF:
            if (c != '\n')
                return CHUNKED_ERROR;
            d->state = d->remaining ? CHUNK_DATA : CHUNK_TRAILER_START;
            i++;
            break;
        case CHUNK_DATA: {
            size_t n = len - i;
            if (n > d->remaining)
                n = (size_t)d->remaining;
            emit(arg, in + i, n);
            d->remaining -= n;
            d->total += n;
            i += n;
            if (d->remaining == 0)
                d->state = CHUNK_DATA_CR;
            break;
        }
        case CHUNK_DATA_CR:
            if (c == '\r')
                d->state = CHUNK_DATA_LF;
            else if (c == '\n')
                d->state = CHUNK_SIZE, d->size_digits = 0;
            else
                return CHUNKED_ERROR;
            i++;
            break;
        case CHUNK_DATA_LF:
            if (c != '\n')
                return CHUNKED_ERROR;
            d->state = CHUNK_SIZE;
            d->size_digits = 0;
            i++;
            break;
        case CHUNK_TRAILER_START:
            /* An empty line ends the body; anything else is a trailer field, discarded. */
            if (c == '\r') {
                d->state = CHUNK_TRAILER_LF;
            } else if (c == '\n') {
                d->state = CHUNK_DONE;
            } else {
                d->state = CHUNK_TRAILER_LINE;
                continue;
            }
            i++;
            break;
        case CHUNK_TRAILER_LINE:
            if (++d->trailer_bytes > CHUNK_MAX_TRAILER)
                return CHUNKED_ERROR;
            if (c == '\n')
                d->state = CHUNK_TRAILER_START;
            i++;
            break;
        case CHUNK_TRAILER_LF:
            if (c != '\n')
                return CHUNKED_ERROR;
            d->state = CHUNK_DONE;
            i++;
            break;
        case CHUNK_DONE:
            break;
        }
    }
    *consumed = i;
    return d->state == CHUNK_DONE ? CHUNKED_DONE : CHUNKED_MORE;
}
