/* The web console's files: read once from a directory at start-up, then served from memory
 * for GET and HEAD of paths no route claims (never under /api/). */
#ifndef SIKU_HTTP_STATIC_FILES_H
#define SIKU_HTTP_STATIC_FILES_H

#include <stdbool.h>
#include <stddef.h>

struct http_request;
struct http_static;

/* Reads every regular file under dir (dot files and symbolic links are left out, so nothing
 * outside dir can be reached). NULL with a message in err when dir cannot be read or holds
 * more than the limits allow. */
struct http_static *http_static_load(const char *dir, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void http_static_free(struct http_static *st);

/* Number of files loaded. */
size_t http_static_count(const struct http_static *st);

/* Answers req if its path names a loaded file ("/" and ".../" name index.html): 200 or 304
 * for GET and HEAD, 405 for other methods. Returns false, without replying, otherwise. */
bool http_static_serve(const struct http_static *st, struct http_request *req);

#endif
