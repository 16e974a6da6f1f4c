/* The web console's files, held in memory: a sorted table of relative path -> bytes, content
 * type, ETag and Last-Modified, built once at start-up. Serving never touches the file system,
 * so a request can only ever reach a file that was a regular file under the directory then. */
#include "http/static_files.h"

#include "core/log.h"
#include "core/xmalloc.h"
#include "http/problem.h"
#include "http/request.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STATIC_MAX_FILES     2000
#define STATIC_MAX_FILE_SIZE (16L * 1024 * 1024)
#define STATIC_MAX_TOTAL     (64L * 1024 * 1024)
#define STATIC_MAX_DEPTH     8
#define STATIC_MAX_PATH      1024

struct static_file {
    char *path; /* relative, '/'-separated, no leading slash */
    char *data;
    size_t len;
    const char *content_type;
    char etag[24];
    char last_modified[40];
};

struct http_static {
    struct static_file *files;
    size_t nfiles;
    size_t cap;
    size_t total;
};

static const struct {
    const char *ext;
    const char *type;
} content_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"webmanifest", "application/manifest+json; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"txt", "text/plain; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
};

static const char *content_type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot != NULL && (slash == NULL || dot > slash))
        for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++)
            if (strcasecmp(dot + 1, content_types[i].ext) == 0)
                return content_types[i].type;
    return "application/octet-stream";
}

/* FNV-1a: enough to tell versions of a file apart for caching. */
static uint64_t fnv1a(const char *data, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)data[i];
        h *= 1099511628211ull;
    }
    return h;
}

static bool read_whole(int dir, const char *name, size_t size, char **out)
{
    int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    char *buf = xmalloc(size + 1);
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (got != size) {
        free(buf);
        return false;
    }
    *out = buf;
    return true;
}

static bool add_file(struct http_static *st, int dir, const char *name, const char *rel,
                     const struct stat *sb, char *err, size_t errlen)
{
    if (st->nfiles == STATIC_MAX_FILES || sb->st_size > STATIC_MAX_FILE_SIZE ||
        st->total + (size_t)sb->st_size > STATIC_MAX_TOTAL) {
        snprintf(err, errlen, "web directory is too large at %s (at most %d files, %ld bytes)", rel,
                 STATIC_MAX_FILES, STATIC_MAX_TOTAL);
        return false;
    }
    struct static_file f = {.len = (size_t)sb->st_size};
    if (!read_whole(dir, name, f.len, &f.data)) {
        snprintf(err, errlen, "cannot read %s: %s", rel, strerror(errno ? errno : EIO));
        return false;
    }
    f.path = xstrdup(rel);
    f.content_type = content_type_of(rel);
    snprintf(f.etag, sizeof f.etag, "\"%016llx\"", (unsigned long long)fnv1a(f.data, f.len));
    struct tm tm;
    gmtime_r(&sb->st_mtime, &tm);
    strftime(f.last_modified, sizeof f.last_modified, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (st->nfiles == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 64;
        st->files = xrealloc(st->files, st->cap * sizeof *st->files);
    }
    st->files[st->nfiles++] = f;
    st->total += f.len;
    return true;
}

static bool load_dir(struct http_static *st, int fd, const char *prefix, int depth, char *err,
                     size_t errlen);

static bool load_entry(struct http_static *st, int dir, const char *name, const char *prefix,
                       int depth, char *err, size_t errlen)
{
    char rel[STATIC_MAX_PATH];
    int n = snprintf(rel, sizeof rel, "%s%s", prefix, name);
    if (n < 0 || (size_t)n >= sizeof rel - 1)
        return true; /* a name too long to be requested is simply not served */
    struct stat sb;
    if (fstatat(dir, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return true;
    if (S_ISREG(sb.st_mode))
        return add_file(st, dir, name, rel, &sb, err, errlen);
    if (!S_ISDIR(sb.st_mode) || depth >= STATIC_MAX_DEPTH)
        return true; /* symbolic links, devices, sockets: never served */
    int sub = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0)
        return true;
    rel[n] = '/';
    rel[n + 1] = '\0';
    return load_dir(st, sub, rel, depth + 1, err, errlen);
}

/* Takes ownership of dirfd. */
static bool load_dir(struct http_static *st, int fd, const char *prefix, int depth, char *err,
                     size_t errlen)
{
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        snprintf(err, errlen, "cannot list %s: %s", *prefix ? prefix : ".", strerror(errno));
        return false;
    }
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue; /* ".", "..", and hidden files such as .git */
        ok = load_entry(st, dirfd(d), e->d_name, prefix, depth, err, errlen);
    }
    closedir(d);
    return ok;
}

static int compare_files(const void *a, const void *b)
{
    return strcmp(((const struct static_file *)a)->path, ((const struct static_file *)b)->path);
}

struct http_static *http_static_load(const char *dir, char *err, size_t errlen)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", dir, strerror(errno));
        return NULL;
    }
    struct http_static *st = xcalloc(1, sizeof *st);
    if (!load_dir(st, fd, "", 0, err, errlen)) {
        http_static_free(st);
        return NULL;
    }
    if (st->nfiles > 1)
        qsort(st->files, st->nfiles, sizeof *st->files, compare_files);
    return st;
}

void http_static_free(struct http_static *st)
{
    if (st == NULL)
        return;
    for (size_t i = 0; i < st->nfiles; i++) {
        free(st->files[i].path);
        free(st->files[i].data);
    }
    free(st->files);
    free(st);
}

size_t http_static_count(const struct http_static *st)
{
    return st ? st->nfiles : 0;
}

/* The relative file path a request names, or false if it cannot name one. */
static bool request_path(const struct http_request *req, char *out, size_t cap)
{
    const struct http_head *h = &req->head;
    if (h->nsegments > 0 && strcmp(h->segments[0], "api") == 0)
        return false; /* the API's own 404s stay the API's */
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; i < h->nsegments; i++) {
        bool last = i == h->nsegments - 1;
        if (h->segment_lens[i] == 0 && !last)
            return false; /* "//" */
        int w = snprintf(out + n, cap - n, "%s%s", h->segments[i], last ? "" : "/");
        if (w < 0 || (size_t)w >= cap - n)
            return false;
        n += (size_t)w;
    }
    if (n == 0 || out[n - 1] == '/') {
        int w = snprintf(out + n, cap - n, "index.html");
        if (w < 0 || (size_t)w >= cap - n)
            return false;
    }
    return true;
}

static const struct static_file *find_file(const struct http_static *st, const char *path)
{
    struct static_file key = {.path = (char *)path};
    return bsearch(&key, st->files, st->nfiles, sizeof *st->files, compare_files);
}

/* If-None-Match wins over If-Modified-Since (RFC 9110 section 13.2.2). */
static bool not_modified(const struct http_request *req, const struct static_file *f)
{
    const char *inm = http_header(req, "If-None-Match");
    if (inm != NULL)
        return strcmp(inm, "*") == 0 || strstr(inm, f->etag) != NULL;
    const char *ims = http_header(req, "If-Modified-Since");
    return ims != NULL && strcmp(ims, f->last_modified) == 0;
}

static void add_headers(struct http_request *req, const struct static_file *f)
{
    http_add_header(req, "ETag", f->etag);
    http_add_header(req, "Last-Modified", f->last_modified);
    /* File names carry no version: browsers revalidate each time (a 304 costs little). */
    http_add_header(req, "Cache-Control", "no-cache");
    http_add_header(req, "X-Content-Type-Options", "nosniff");
    if (strncmp(f->content_type, "text/html", 9) == 0) {
        http_add_header(req, "Content-Security-Policy",
                        "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
        http_add_header(req, "Referrer-Policy", "no-referrer");
    }
}

bool http_static_serve(const struct http_static *st, struct http_request *req)
{
    char path[STATIC_MAX_PATH];
    if (st == NULL || !request_path(req, path, sizeof path))
        return false;
    const struct static_file *f = find_file(st, path);
    if (f == NULL)
        return false;
    enum http_method m = req->head.method;
    if (m != HTTP_GET && m != HTTP_HEAD) {
        http_add_header(req, "Allow", "GET, HEAD");
        http_problem(req, 405, "method_not_allowed", NULL);
        return true;
    }
    add_headers(req, f);
    if (not_modified(req, f)) {
        http_reply(req, 304, NULL, NULL, 0);
        return true;
    }
    http_reply(req, 200, f->content_type, f->data, f->len);
    return true;
}
