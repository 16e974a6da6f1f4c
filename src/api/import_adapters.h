/* The libraries an import can fill, each as a small table: the template's columns (Chinese
 * header, accepted aliases, labels of codes), the resource's own field specs, its natural key,
 * and the two statements that preview and apply staged rows. Adding a library is adding one
 * entry here; src/api/imports.c does the rest. */
#ifndef SIKU_API_IMPORT_ADAPTERS_H
#define SIKU_API_IMPORT_ADAPTERS_H

#include "db/db_stmt.h"
#include "domain/import_map.h"
#include "domain/search_terms.h"

#include <stdbool.h>
#include <stddef.h>

struct cJSON;

struct import_adapter {
    const char *library; /* the path segment: "enterprises" */
    const char *title;   /* Chinese name of the library, for the template */
    const struct field_spec *specs;
    const struct import_column *columns;
    const char *const *search_fields;
    /* Required fields a county staff member's file may omit: filled with their region. */
    bool region_scoped;
    /* The natural key of a clean record ("" when it has none): how re-imported rows find
     * the record they update. Writes the header of the key's column to *column. */
    void (*key)(const struct cJSON *clean, char *out, size_t cap);
    const char *key_label; /* "统一社会信用代码", for duplicate messages */
    /* $1 import id, $2 caller: (would insert, would update, unchanged, problems json). */
    struct db_stmt *preview;
    /* $1 import id, $2 caller, $3 partial: (inserted, updated, unchanged, problems json, applied).
     */
    struct db_stmt *apply;
    /* Non-NULL (the people's libraries): the rows carry their search vector (the table keeps
     * it with a trigger rather than a generated column, migrations/0031_import_speed.sql), and
     * the statement checks every code and writes the audit rows of what it inserts itself
     * (siku.bulk). */
    const struct search_weight *search_weights;
    /* Non-NULL: the library is not staged (preview and apply are NULL) but written part by
     * part in one transaction while the file is read: $1 a JSON array of rows (the clean
     * fields with ord, row_no, terms and search), $2 caller, $3 'write', 'partial' or 'check':
     * (would insert, would update, unchanged, problems json, written). */
    struct db_stmt *chunk;
};

/* The adapter of a library, or NULL. */
const struct import_adapter *import_adapter_find(const char *library);

/* All adapters, ended by an entry whose library is NULL. */
const struct import_adapter *import_adapters(void);

/* Registers the adapters' statements. */
void import_adapters_register(void);

#endif
