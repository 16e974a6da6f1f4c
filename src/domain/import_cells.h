/* One row of a spreadsheet or CSV file as the import readers hand it out: its 1-based row
 * number in the file and its cells as NUL-terminated UTF-8 strings, with bounds on the number
 * of cells and the size of a cell so that a hostile file cannot make a row grow without end. */
#ifndef SIKU_DOMAIN_IMPORT_CELLS_H
#define SIKU_DOMAIN_IMPORT_CELLS_H

#include <stdbool.h>
#include <stddef.h>

#define IMPORT_MAX_CELLS     256         /* columns in a row */
#define IMPORT_MAX_CELL_SIZE (64 * 1024) /* bytes of one cell */

struct import_cells {
    size_t row; /* 1-based row number in the file (a sheet's row, or a CSV record's line) */
    size_t n;
    char *buf; /* the cells' bytes, each ended by a NUL */
    size_t len, cap;
    size_t offs[IMPORT_MAX_CELLS];
};

void import_cells_init(struct import_cells *c);
void import_cells_free(struct import_cells *c);
void import_cells_reset(struct import_cells *c);

/* Starts a new, empty cell; false when the row already has IMPORT_MAX_CELLS cells. */
bool import_cells_begin(struct import_cells *c) __attribute__((warn_unused_result));
/* Appends bytes to the cell begun last; false when it would exceed IMPORT_MAX_CELL_SIZE. */
bool import_cells_append(struct import_cells *c, const char *data, size_t len)
    __attribute__((warn_unused_result));
/* Pads with empty cells up to index i (exclusive); false past IMPORT_MAX_CELLS. */
bool import_cells_pad(struct import_cells *c, size_t i) __attribute__((warn_unused_result));

/* Cell i, or "" past the end. */
const char *import_cells_get(const struct import_cells *c, size_t i);

/* Whether every cell is empty or white space (such rows are skipped, as Excel leaves them). */
bool import_cells_blank(const struct import_cells *c);

#endif
