/* Integration harness: databases, the daemon process, a blocking HTTP/1.1 client. */
#include "harness.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct growbuf {
    char *data;
    size_t len, cap;
};

static void gb_add(struct growbuf *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->data = realloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

/* Reads more bytes into b; false on close, error or timeout. */
/* Bytes read past the end of a response on each socket: the next pipelined response. */
static struct growbuf leftovers[4096];

static const char *env_or_fail(const char *name)
{
    const char *v = getenv(name);
    ck_assert_msg(v != NULL && *v, "%s is not set: run the integration tests through scripts/test",
                  name);
    return v;
}

double t_slack(void)
{
    const char *v = getenv("SIKU_TEST_TIMEOUT_MULTIPLIER");
    double m = v ? atof(v) : 1;
    return m >= 1 ? m : 1;
}

double t_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static PGconn *admin_connect(void)
{
    char conninfo[512];
    snprintf(conninfo, sizeof conninfo,
             "%s user=postgres dbname=postgres options='-c client_min_messages=warning'",
             env_or_fail("SIKU_TEST_PG"));
    PGconn *c = PQconnectdb(conninfo);
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "cannot reach the test cluster: %s",
                  PQerrorMessage(c));
    return c;
}

PGconn *t_db_connect(const char *dbname)
{
    char conninfo[512];
    snprintf(conninfo, sizeof conninfo, "%s user=siku dbname=%s", env_or_fail("SIKU_TEST_PG"),
             dbname);
    PGconn *c = PQconnectdb(conninfo);
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "cannot connect to %s: %s", dbname,
                  PQerrorMessage(c));
    return c;
}

static void admin_exec(const char *sql)
{
    PGconn *c = admin_connect();
    PGresult *r = PQexec(c, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

void t_db_create(const char *dbname, bool migrated)
{
    char sql[256];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
    admin_exec(sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s OWNER siku%s", dbname,
             migrated ? " TEMPLATE siku_template" : "");
    admin_exec(sql);
}

void t_db_drop(const char *dbname)
{
    char sql[256];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
    admin_exec(sql);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

static bool server_answers(struct t_server *s)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)s->port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

void t_server_start_on(struct t_server *s, const char *dbname, const char *const *extra_args)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dbname, sizeof s->dbname, "%s", dbname);
    snprintf(s->conninfo, sizeof s->conninfo, "%s user=siku dbname=%s", env_or_fail("SIKU_TEST_PG"),
             dbname);
    s->port = free_port();
    const char *tmp = getenv("MESON_BUILD_ROOT") ? getenv("MESON_BUILD_ROOT") : "/tmp";
    snprintf(s->log_path, sizeof s->log_path, "%s/sikud-%s.log", tmp, dbname);
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", s->port);
    const char *argv[64] = {env_or_fail("SIKU_TEST_SIKUD"),
                            "--listen",
                            listen,
                            "--database",
                            s->conninfo,
                            "--threads",
                            "2"};
    int argc = 7;
    for (int i = 0; extra_args && extra_args[i] && argc < 62; i++)
        argv[argc++] = extra_args[i];
    argv[argc] = NULL;
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        int fd = open(s->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, STDERR_FILENO);
        dup2(fd, STDOUT_FILENO);
        close(fd);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    s->pid = pid;
    /* A sanitized daemon on a loaded two-core box can take seconds to start: wait up to 20 s
     * (times SIKU_TEST_TIMEOUT_MULTIPLIER), which costs nothing when it is quick. */
    double deadline = t_now_ms() + 20000.0 * t_slack();
    while (t_now_ms() < deadline) {
        if (server_answers(s))
            return;
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            s->pid = 0;
            ck_abort_msg("sikud exited during startup; see %s", s->log_path);
        }
        usleep(25000);
    }
    ck_abort_msg("sikud did not start listening within %.0f s; see %s", 20.0 * t_slack(),
                 s->log_path);
}

void t_server_start(struct t_server *s, const char *dbname, bool migrated,
                    const char *const *extra_args)
{
    t_db_create(dbname, migrated);
    t_server_start_on(s, dbname, extra_args);
}

int t_server_stop(struct t_server *s)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 600; i++) {
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        usleep(50000);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
    s->pid = 0;
    return -1;
}

void t_server_finish(struct t_server *s)
{
    int rc = t_server_stop(s);
    ck_assert_msg(rc == 0, "sikud exited with %d (sanitizer report or crash?); see %s", rc,
                  s->log_path);
    t_db_drop(s->dbname);
}

char *t_server_log(struct t_server *s)
{
    FILE *f = fopen(s->log_path, "r");
    if (f == NULL)
        return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

/* ---- HTTP client ---- */

int t_connect(struct t_server *s)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)s->port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_msg(connect(fd, (struct sockaddr *)&a, sizeof a) == 0, "connect: %s",
                  strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (fd < 4096) {
        free(leftovers[fd].data);
        leftovers[fd] = (struct growbuf){0};
    }
    return fd;
}

void t_send_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* the server may legitimately close early on hostile input */
        p += n;
        len -= (size_t)n;
    }
}

static bool read_more(int fd, struct growbuf *b, double deadline)
{
    double left = deadline - t_now_ms();
    if (left <= 0)
        return false;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, (int)left + 1) <= 0)
        return false;
    char tmp[16384];
    ssize_t n = recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0)
        return false;
    gb_add(b, tmp, (size_t)n);
    return true;
}

static long header_long(const char *head, const char *name)
{
    char *v = NULL;
    struct t_resp r = {.head = (char *)head};
    v = t_resp_header(&r, name);
    long n = v ? strtol(v, NULL, 10) : -1;
    free(v);
    return n;
}

char *t_resp_header(const struct t_resp *r, const char *name)
{
    size_t n = strlen(name);
    for (const char *line = strstr(r->head, "\r\n"); line && line[2];
         line = strstr(line + 2, "\r\n")) {
        const char *h = line + 2;
        if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
            const char *v = h + n + 1;
            while (*v == ' ')
                v++;
            const char *end = strstr(v, "\r\n");
            return strndup(v, end ? (size_t)(end - v) : strlen(v));
        }
    }
    return NULL;
}

static bool decode_chunked(struct growbuf *raw, size_t start, struct growbuf *out, size_t *used)
{
    size_t pos = start;
    for (;;) {
        char *crlf = strstr(raw->data + pos, "\r\n");
        if (crlf == NULL)
            return false;
        size_t size = strtoul(raw->data + pos, NULL, 16);
        size_t data = (size_t)(crlf - raw->data) + 2;
        if (size == 0) {
            if (raw->len < data + 2)
                return false;
            *used = data + 2;
            return true;
        }
        if (raw->len < data + size + 2)
            return false;
        gb_add(out, raw->data + data, size);
        pos = data + size + 2;
    }
}

static void record(const char *method, const char *path, struct t_resp *r)
{
    const char *file = getenv("SIKU_TEST_RECORD");
    if (file == NULL || *file == '\0' || r == NULL)
        return;
    cJSON *o = cJSON_CreateObject();
    char m[16];
    snprintf(m, sizeof m, "%s", method);
    cJSON_AddStringToObject(o, "method", m);
    const char *q = strchr(path, '?');
    char *p = strndup(path, q ? (size_t)(q - path) : strlen(path));
    cJSON_AddStringToObject(o, "path", p);
    cJSON_AddStringToObject(o, "query", q ? q + 1 : "");
    free(p);
    cJSON_AddNumberToObject(o, "status", r->status);
    char *ct = t_resp_header(r, "Content-Type");
    cJSON_AddStringToObject(o, "content_type", ct ? ct : "");
    free(ct);
    if (r->len > 0)
        cJSON_AddStringToObject(o, "body", r->body);
    char *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    /* Tests run in parallel and append to the same file: one write() per exchange on an
     * O_APPEND descriptor keeps lines whole (stdio split long ones into several writes, and
     * another test's line could land between them). */
    size_t n = strlen(json);
    char *line = malloc(n + 2);
    memcpy(line, json, n);
    line[n++] = '\n';
    free(json);
    int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        ssize_t w = write(fd, line, n);
        ck_assert_msg(w == (ssize_t)n, "recording the exchange: %zd of %zu bytes", w, n);
        close(fd);
    }
    free(line);
}

struct t_resp *t_read_response(int fd, int timeout_ms)
{
    double deadline = t_now_ms() + timeout_ms;
    struct growbuf b = {0};
    if (fd < 4096) {
        b = leftovers[fd];
        leftovers[fd] = (struct growbuf){0};
    }
    char *end = NULL;
    for (;;) {
        /* Skip interim 1xx responses. */
        while (b.len && (end = strstr(b.data, "\r\n\r\n")) &&
               strncmp(b.data, "HTTP/1.1 1", 10) == 0) {
            size_t skip = (size_t)(end - b.data) + 4;
            memmove(b.data, b.data + skip, b.len - skip + 1);
            b.len -= skip;
            end = NULL;
        }
        if (b.len && (end = strstr(b.data, "\r\n\r\n")))
            break;
        if (!read_more(fd, &b, deadline)) {
            free(b.data);
            return NULL;
        }
    }
    struct t_resp *r = calloc(1, sizeof *r);
    size_t headlen = (size_t)(end - b.data) + 4;
    r->head = strndup(b.data, headlen);
    r->status = atoi(b.data + 9);
    long cl = header_long(r->head, "Content-Length");
    char *te = t_resp_header(r, "Transfer-Encoding");
    char *conn = t_resp_header(r, "Connection");
    r->closed = conn && strcasecmp(conn, "close") == 0;
    free(conn);
    struct growbuf body = {0};
    if (te && strcasecmp(te, "chunked") == 0) {
        size_t used = b.len;
        while (!decode_chunked(&b, headlen, &body, &used)) {
            free(body.data);
            body = (struct growbuf){0};
            used = b.len;
            if (!read_more(fd, &b, deadline))
                break;
        }
        if (fd < 4096 && b.len > used)
            gb_add(&leftovers[fd], b.data + used, b.len - used);
    } else if (cl >= 0) {
        while (b.len < headlen + (size_t)cl && read_more(fd, &b, deadline))
            ;
        size_t have = b.len - headlen < (size_t)cl ? b.len - headlen : (size_t)cl;
        gb_add(&body, b.data + headlen, have);
        if (fd < 4096 && b.len > headlen + have)
            gb_add(&leftovers[fd], b.data + headlen + have, b.len - headlen - have);
    } else {
        while (read_more(fd, &b, deadline))
            ;
        gb_add(&body, b.data + headlen, b.len - headlen);
    }
    free(te);
    free(b.data);
    if (body.data == NULL)
        gb_add(&body, "", 0);
    r->body = body.data;
    r->len = body.len;
    char *ct = t_resp_header(r, "Content-Type");
    if (ct && strstr(ct, "json"))
        r->json = cJSON_ParseWithLength(r->body, r->len);
    free(ct);
    return r;
}

struct t_resp *t_request(struct t_server *s, const char *method, const char *path,
                         const char *const *headers, const char *body)
{
    return t_request_bytes(s, method, path, headers, body, body ? strlen(body) : 0);
}

struct t_resp *t_request_bytes(struct t_server *s, const char *method, const char *path,
                               const char *const *headers, const char *body, size_t body_len)
{
    int fd = t_connect(s);
    struct growbuf req = {0};
    char line[1024];
    snprintf(line, sizeof line, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n",
             method, path, s->port);
    gb_add(&req, line, strlen(line));
    bool has_ct = false;
    if (s->token[0]) {
        snprintf(line, sizeof line, "Authorization: Bearer %s\r\n", s->token);
        gb_add(&req, line, strlen(line));
    }
    for (int i = 0; headers && headers[i]; i++) {
        gb_add(&req, headers[i], strlen(headers[i]));
        gb_add(&req, "\r\n", 2);
        has_ct |= strncasecmp(headers[i], "Content-Type:", 13) == 0;
    }
    if (body) {
        if (!has_ct)
            gb_add(&req, "Content-Type: application/json\r\n", 32);
        snprintf(line, sizeof line, "Content-Length: %zu\r\n", body_len);
        gb_add(&req, line, strlen(line));
    }
    gb_add(&req, "\r\n", 2);
    if (body)
        gb_add(&req, body, body_len);
    t_send_all(fd, req.data, req.len);
    free(req.data);
    struct t_resp *r = t_read_response(fd, 30000);
    close(fd);
    ck_assert_msg(r != NULL, "no response to %s %s", method, path);
    record(method, path, r);
    return r;
}

struct t_resp *t_get(struct t_server *s, const char *path)
{
    return t_request(s, "GET", path, NULL, NULL);
}

struct t_resp *t_post_json(struct t_server *s, const char *path, const char *json)
{
    return t_request(s, "POST", path, NULL, json);
}

struct t_resp *t_raw(struct t_server *s, const void *data, size_t len)
{
    int fd = t_connect(s);
    t_send_all(fd, data, len);
    struct t_resp *r = t_read_response(fd, 15000);
    close(fd);
    return r;
}

void t_resp_free(struct t_resp *r)
{
    if (r == NULL)
        return;
    cJSON_Delete(r->json);
    free(r->head);
    free(r->body);
    free(r);
}

const char *t_json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return cJSON_IsString(v) ? v->valuestring : "";
}

const char *t_problem_code(const struct t_resp *r)
{
    return t_json_str(r ? r->json : NULL, "code");
}

char *t_db_scalar(struct t_server *s, const char *sql)
{
    PGconn *c = t_db_connect(s->dbname);
    PGresult *r = PQexec(c, sql);
    char *out = NULL;
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        out = strdup(PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    PQfinish(c);
    return out;
}

void t_db_exec(struct t_server *s, const char *sql)
{
    PGconn *c = t_db_connect(s->dbname);
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
                  PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

void t_pg_control(const char *action)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s %s >/dev/null", env_or_fail("SIKU_TEST_PGCTL_SCRIPT"),
             env_or_fail("SIKU_TEST_PGCTL"), action);
    ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
}

void t_create_user(struct t_server *s, const char *username, const char *role, const char *password,
                   const char *extra)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "printf '%%s\\n' '%s' | %s create-user --database '%s' --username %s --role %s %s"
             " >/dev/null",
             password, env_or_fail("SIKU_TEST_SIKUD"), s->conninfo, username, role,
             extra ? extra : "");
    ck_assert_msg(system(cmd) == 0, "create-user %s failed", username);
}

const char *t_login(struct t_server *s, const char *username, const char *password)
{
    static char token[64];
    char body[512];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", username, password);
    char saved[64];
    memcpy(saved, s->token, sizeof saved);
    s->token[0] = '\0';
    struct t_resp *r = t_post_json(s, "/api/v1/auth/login", body);
    memcpy(s->token, saved, sizeof saved);
    ck_assert_msg(r->status == 200, "login %s: %d %s", username, r->status, r->body);
    const cJSON *t = cJSON_GetObjectItem(r->json, "token");
    ck_assert(cJSON_IsString(t));
    snprintf(token, sizeof token, "%s", t->valuestring);
    t_resp_free(r);
    return token;
}

void t_become(struct t_server *s, const char *username, const char *role, const char *extra)
{
    t_create_user(s, username, role, "Test-pass-2026", extra);
    snprintf(s->token, sizeof s->token, "%s", t_login(s, username, "Test-pass-2026"));
}

struct t_resp *t_request_as(struct t_server *s, const char *token, const char *method,
                            const char *path, const char *body)
{
    return t_call(s, token, method, path, NULL, body);
}

struct t_resp *t_call(struct t_server *s, const char *token, const char *method, const char *path,
                      const char *const *headers, const char *body)
{
    char saved[sizeof s->token];
    memcpy(saved, s->token, sizeof saved);
    snprintf(s->token, sizeof s->token, "%s", token ? token : "");
    struct t_resp *r = t_request(s, method, path, headers, body);
    memcpy(s->token, saved, sizeof saved);
    return r;
}

void t_expect_status(const struct t_resp *r, int status)
{
    ck_assert_msg(r->status == status, "got %d, want %d: %s", r->status, status, r->body);
}

const char *t_first_error(const struct t_resp *r)
{
    static char out[128];
    cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(r->json, "errors"), 0);
    snprintf(out, sizeof out, "%s/%s", t_json_str(e, "field"), t_json_str(e, "code"));
    return out;
}

void t_assert_scalar(struct t_server *s, const char *want, const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    char *v = t_db_scalar(s, sql);
    ck_assert_msg(v != NULL && strcmp(v, want) == 0, "%s gave %s, want %s", sql, v ? v : "NULL",
                  want);
    free(v);
}

void t_await_scalar(struct t_server *s, int timeout_ms, const char *want, const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    double until = t_now_ms() + timeout_ms;
    for (;;) {
        char *v = t_db_scalar(s, sql);
        bool ok = v != NULL && strcmp(v, want) == 0;
        if (ok || t_now_ms() >= until) {
            ck_assert_msg(ok, "%s gave %s, want %s (after %d ms)", sql, v ? v : "NULL", want,
                          timeout_ms);
            free(v);
            return;
        }
        free(v);
        usleep(20000);
    }
}

char *t_xlsx_part(const struct t_resp *r, const char *part)
{
    char path[] = "/tmp/siku-test-xlsx-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, r->body, r->len), (ssize_t)r->len);
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "unzip -p %s %s", path, part);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t cap = 1 << 16, n = 0, got;
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    while ((got = fread(out + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            out = realloc(out, cap);
            ck_assert_ptr_nonnull(out);
        }
    }
    out[n] = '\0';
    pclose(p);
    unlink(path);
    ck_assert_msg(n > 0, "no %s in the workbook", part);
    return out;
}

char **t_csv_lines(const struct t_resp *r, int *n)
{
    ck_assert_msg(r->len >= 3 && memcmp(r->body, "\xEF\xBB\xBF", 3) == 0, "the CSV has no BOM");
    char *text = malloc(r->len - 2);
    ck_assert_ptr_nonnull(text);
    memcpy(text, r->body + 3, r->len - 3);
    text[r->len - 3] = '\0';
    size_t cap = 16;
    char **lines = malloc(cap * sizeof *lines);
    int count = 0;
    bool quoted = false;
    char *start = text;
    for (char *c = text; *c; c++) {
        if (*c == '"')
            quoted = !quoted;
        else if (!quoted && c[0] == '\r' && c[1] == '\n') {
            *c = '\0';
            if ((size_t)count + 2 > cap)
                lines = realloc(lines, (cap *= 2) * sizeof *lines);
            lines[count++] = start;
            start = c + 2;
            c++;
        }
    }
    ck_assert_msg(*start == '\0', "the CSV does not end with CRLF");
    if (count == 0)
        lines[count++] = text; /* keeps lines[0] the buffer to free */
    lines[count] = NULL;
    *n = count;
    return lines;
}
