/* The row buffer shared by the CSV and XLSX readers. */
#include "domain/import_cells.h"

#include "core/xmalloc.h"

#include <stdlib.h>
#include <string.h>

void import_cells_init(struct import_cells *c)
{
    memset(c, 0, sizeof *c);
}

void import_cells_free(struct import_cells *c)
{
    free(c->buf);
    memset(c, 0, sizeof *c);
}

void import_cells_reset(struct import_cells *c)
{
    c->n = 0;
    c->len = 0;
}

static void reserve(struct import_cells *c, size_t more)
{
    if (c->len + more <= c->cap)
        return;
    size_t cap = c->cap ? c->cap : 256;
    while (cap < c->len + more)
        cap *= 2;
    c->buf = xrealloc(c->buf, cap);
    c->cap = cap;
}

bool import_cells_begin(struct import_cells *c)
{
    if (c->n >= IMPORT_MAX_CELLS)
        return false;
    reserve(c, 1);
    c->offs[c->n++] = c->len;
    c->buf[c->len++] = '\0';
    return true;
}

bool import_cells_append(struct import_cells *c, const char *data, size_t len)
{
    if (c->n == 0 && !import_cells_begin(c))
        return false;
    size_t have = c->len - 1 - c->offs[c->n - 1];
    if (have + len > IMPORT_MAX_CELL_SIZE)
        return false;
    reserve(c, len);
    memcpy(c->buf + c->len - 1, data, len);
    c->len += len;
    c->buf[c->len - 1] = '\0';
    return true;
}

bool import_cells_pad(struct import_cells *c, size_t i)
{
    while (c->n < i)
        if (!import_cells_begin(c))
            return false;
    return true;
}

const char *import_cells_get(const struct import_cells *c, size_t i)
{
    return i < c->n ? c->buf + c->offs[i] : "";
}

bool import_cells_blank(const struct import_cells *c)
{
    for (size_t i = 0; i < c->n; i++)
        for (const char *p = import_cells_get(c, i); *p; p++)
            if (!strchr(" \t\r\n\v\f", *p))
                return false;
    return true;
}
