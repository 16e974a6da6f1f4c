/* Request lifetime and replies: the response head, keep-alive, streaming, the access log. */
#include "http/http_internal.h"
#include "http/problem.h"

#include "core/log.h"
#include "core/xmalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

uint64_t http_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool request_id_acceptable(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 64)
        return false;
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-_.:", *p))
            return false;
    return true;
}

struct http_request *http_request_new(struct http_conn *c)
{
    struct http_request *req = xcalloc(1, sizeof *req);
    arena_init(&req->arena);
    req->conn = c;
    req->worker = c->worker;
    req->app = c->worker->app;
    req->body = evbuffer_new();
    req->start_ns = http_now_ns();
    req->client_addr = c->addr;
    /* "<worker prefix>-<counter in hex>", without printf: this runs for every request. */
    char *p = req->request_id;
    size_t pl = strlen(c->worker->request_prefix);
    memcpy(p, c->worker->request_prefix, pl);
    p += pl;
    *p++ = '-';
    char hex[17];
    int n = 0;
    unsigned long long v = ++c->worker->request_counter;
    do {
        hex[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n > 0)
        *p++ = hex[--n];
    *p = '\0';
    return req;
}

void http_request_adopt_id(struct http_request *req)
{
    const char *id = http_head_get(&req->head, "X-Request-Id");
    if (id != NULL && request_id_acceptable(id))
        snprintf(req->request_id, sizeof req->request_id, "%s", id);
}

void http_request_free(struct http_request *req)
{
    evbuffer_free(req->body);
    arena_free(&req->arena);
    free(req);
}

const char *http_param(const struct http_request *req, const char *name)
{
    for (int i = 0; i < req->nparams; i++)
        if (strcmp(req->param_names[i], name) == 0)
            return req->params[i];
    return NULL;
}

const char *http_header(const struct http_request *req, const char *name)
{
    return http_head_get(&req->head, name);
}

void http_add_header(struct http_request *req, const char *name, const char *value)
{
    struct http_resp_header *h = arena_alloc(&req->arena, sizeof *h);
    h->name = arena_strdup(&req->arena, name);
    h->value = arena_strdup(&req->arena, value);
    h->next = req->resp_headers;
    req->resp_headers = h;
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 417:
        return "Expectation Failed";
    case 422:
        return "Unprocessable Content";
    case 428:
        return "Precondition Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

static const char *http_date(struct http_worker *w)
{
    time_t now = time(NULL);
    if (now != w->date_second) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(w->date, sizeof w->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        w->date_second = now;
    }
    return w->date;
}

static void access_log(struct http_request *req, size_t bytes)
{
    uint64_t latency = http_now_ns() - req->start_ns;
    http_metrics_record(req->route ? req->route->id : -1, req->status, latency);
    if (!req->worker->server->cfg->access_log)
        return;
    char line[1024];
    char route[256], uid[80], method[24];
    log_json_escape(route, sizeof route, req->route ? req->route->pattern : "-");
    log_json_escape(uid, sizeof uid, req->log_user ? req->log_user : "");
    log_json_escape(method, sizeof method, req->head.method_name ? req->head.method_name : "-");
    char ts[40];
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    size_t tn = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts + tn, sizeof ts - tn, ".%03ldZ", now.tv_nsec / 1000000);
    int n =
        snprintf(line, sizeof line,
                 "{\"ts\":\"%s\",\"level\":\"info\",\"msg\":\"access\",\"method\":\"%s\","
                 "\"route\":\"%s\",\"status\":%d,\"latency_ms\":%.3f,\"bytes\":%zu,"
                 "\"request_id\":\"%s\",\"client\":\"%s\"%s%s%s}",
                 ts, method, route, req->status, (double)latency / 1e6, bytes, req->request_id,
                 req->client_addr ? req->client_addr : "", req->log_user ? ",\"user_id\":\"" : "",
                 req->log_user ? uid : "", req->log_user ? "\"" : "");
    if (n > 0)
        log_write_raw_line(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* A response head collected in a stack buffer, spilled to the evbuffer when it fills. */
struct head_buf {
    char *p;
    size_t len, cap;
    struct evbuffer *out;
};

static void head_flush(struct head_buf *b)
{
    if (b->len > 0)
        evbuffer_add(b->out, b->p, b->len);
    b->len = 0;
}

static void head_add(struct head_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n > b->cap)
        head_flush(b);
    if (n > b->cap) {
        evbuffer_add(b->out, s, n);
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

/* Writes status line and headers; returns false when the connection is gone. */
static bool write_head(struct http_request *req, int status, const char *content_type,
                       long long content_length)
{
    struct http_conn *c = req->conn;
    if (c == NULL)
        return false;
    struct evbuffer *out = req->streaming ? bufferevent_get_output(c->bev) : http_conn_out(c);
    bool close = c->close_after || c->worker->draining || !req->head.keep_alive;
    if (close)
        c->close_after = true;
    /* Assembled on the stack and added at once: one evbuffer call for the usual head. */
    char head[1024];
    struct head_buf hb = {head, 0, sizeof head, out};
    char num[24];
    snprintf(num, sizeof num, "%d", status);
    head_add(&hb, "HTTP/1.1 ");
    head_add(&hb, num);
    head_add(&hb, " ");
    head_add(&hb, reason_phrase(status));
    head_add(&hb, "\r\nDate: ");
    head_add(&hb, http_date(c->worker));
    head_add(&hb, "\r\nServer: siku\r\nX-Request-Id: ");
    head_add(&hb, req->request_id);
    head_add(&hb, "\r\n");
    if (content_type) {
        head_add(&hb, "Content-Type: ");
        head_add(&hb, content_type);
        head_add(&hb, "\r\n");
    }
    if (content_length >= 0) {
        snprintf(num, sizeof num, "%lld", content_length);
        head_add(&hb, "Content-Length: ");
        head_add(&hb, num);
        head_add(&hb, "\r\n");
    } else if (status != 204 && status != 304) { /* these have no body and no framing for one */
        head_add(&hb, "Transfer-Encoding: chunked\r\n");
    }
    for (struct http_resp_header *h = req->resp_headers; h; h = h->next) {
        head_add(&hb, h->name);
        head_add(&hb, ": ");
        head_add(&hb, h->value);
        head_add(&hb, "\r\n");
    }
    if (close)
        head_add(&hb, "Connection: close\r\n");
    head_add(&hb, "\r\n");
    head_flush(&hb);
    return true;
}

static void finish(struct http_request *req, size_t bytes)
{
    access_log(req, bytes);
    struct http_conn *c = req->conn;
    if (c != NULL)
        http_conn_reply_done(c);
    http_request_free(req);
}

static bool begin_reply(struct http_request *req, int status)
{
    if (req->replied) {
        log_error("request %s answered twice (status %d); second answer dropped", req->request_id,
                  status);
        return false;
    }
    req->replied = true;
    req->status = status;
    return true;
}

void http_reply(struct http_request *req, int status, const char *content_type, const void *body,
                size_t len)
{
    if (!begin_reply(req, status))
        return;
    bool no_body = status == 204 || status == 304;
    if (write_head(req, status, no_body ? NULL : content_type, no_body ? -1 : (long long)len) &&
        req->head.method != HTTP_HEAD && !no_body && len > 0)
        evbuffer_add(http_conn_out(req->conn), body, len);
    finish(req, len);
}

void http_reply_evbuffer(struct http_request *req, int status, const char *content_type,
                         struct evbuffer *body)
{
    if (!begin_reply(req, status))
        return;
    size_t len = evbuffer_get_length(body);
    if (write_head(req, status, content_type, (long long)len) && req->head.method != HTTP_HEAD)
        evbuffer_add_buffer(http_conn_out(req->conn), body);
    else
        evbuffer_drain(body, len);
    finish(req, len);
}

void http_reply_json_text(struct http_request *req, int status, const char *json, size_t len)
{
    http_reply(req, status, "application/json; charset=utf-8", json, len);
}

void http_reply_cjson(struct http_request *req, int status, cJSON *json)
{
    char *text = cJSON_PrintUnformatted(json);
    cJSON_Delete(json);
    if (text == NULL) {
        http_problem(req, 500, "internal", "内存不足，无法生成响应");
        return;
    }
    http_reply_json_text(req, status, text, strlen(text));
    cJSON_free(text);
}

void http_reply_empty(struct http_request *req, int status)
{
    http_reply(req, status, NULL, NULL, 0);
}

void http_stream_begin(struct http_request *req, int status, const char *content_type,
                       http_drain_fn on_drain)
{
    if (!begin_reply(req, status))
        return;
    req->streaming = true;
    req->on_drain = on_drain;
    write_head(req, status, content_type, -1);
    if (req->conn) {
        req->conn->state = CONN_WRITING;
        bufferevent_enable(req->conn->bev, EV_WRITE);
    }
}

void http_stream_write(struct http_request *req, const void *data, size_t len)
{
    if (req->conn == NULL || len == 0 || req->head.method == HTTP_HEAD)
        return;
    struct evbuffer *out = bufferevent_get_output(req->conn->bev);
    evbuffer_add_printf(out, "%zx\r\n", len);
    evbuffer_add(out, data, len);
    evbuffer_add(out, "\r\n", 2);
}

size_t http_stream_pending(struct http_request *req)
{
    return req->conn ? evbuffer_get_length(bufferevent_get_output(req->conn->bev)) : 0;
}

void http_stream_end(struct http_request *req)
{
    req->stream_ended = true;
    if (req->conn && req->head.method != HTTP_HEAD)
        evbuffer_add(bufferevent_get_output(req->conn->bev), "0\r\n\r\n", 5);
    finish(req, 0);
}

void http_reply_problem_raw(struct http_request *req, int status, const char *code,
                            const char *detail)
{
    (void)detail; /* the English detail is for logs; users get the Chinese one */
    http_problem(req, status, code, NULL);
}
