/* Validation of JSON request bodies against a table of field specs: types, lengths, enums,
 * dates, per-field checks, unknown and read-only fields, and who may set what. Produces a
 * clean copy (trimmed, normalised) that the SQL consumes as one jsonb parameter. */
#ifndef SIKU_DOMAIN_VALIDATE_H
#define SIKU_DOMAIN_VALIDATE_H

#include <stdbool.h>

struct cJSON;

enum field_type {
    FIELD_STRING, /* one line of text, length in characters [min, max] */
    FIELD_TEXT,   /* free text, newlines allowed, length in characters [min, max] */
    FIELD_INT,    /* integer in [min, max] */
    FIELD_NUMBER, /* number in [min, max] */
    FIELD_BOOL,
    FIELD_ENUM,         /* one of values */
    FIELD_ENUM_ARRAY,   /* distinct members of values, at most max_items */
    FIELD_STRING_ARRAY, /* distinct strings of [min, max] characters, at most max_items */
    FIELD_DATE,         /* "YYYY-MM-DD", a real calendar date */
};

enum field_flags {
    FIELD_REQUIRED = 1 << 0,  /* must be present (and not null) on create */
    FIELD_NULLABLE = 1 << 1,  /* null is a value (and in a patch, clears the field) */
    FIELD_IMMUTABLE = 1 << 2, /* set on create only; a patch naming it is refused */
    FIELD_READ_ONLY = 1 << 3, /* never set by clients (status, id ...): 403 naming it */
};

/* A check on a string value: returns false and sets code/message to refuse it. */
typedef bool (*field_check_fn)(const char *value, const char **code, const char **message);

struct field_spec {
    const char *name;
    enum field_type type;
    unsigned flags;
    long long min;
    long long max;
    int max_items;
    const char *const *values;
    unsigned roles; /* roles that may set it; 0 = any role the route admits */
    field_check_fn check;
};

enum validate_mode { VALIDATE_CREATE, VALIDATE_PATCH };

struct validation {
    struct cJSON *errors;        /* [{field, code, message}] -> 400, or NULL */
    const char *forbidden_field; /* a field the caller may not set -> 403, or NULL */
    struct cJSON *clean;         /* the validated fields */
};

/* specs ends with an entry whose name is NULL. role is the caller's role bit. Returns true
 * when the body is acceptable; otherwise v->errors or v->forbidden_field says why. */
bool validate_body(const struct cJSON *body, const struct field_spec *specs,
                   enum validate_mode mode, unsigned role, struct validation *v);
void validation_free(struct validation *v);

/* Adds an error to v (creating the array). */
void validation_add(struct validation *v, const char *field, const char *code, const char *message);

/* Trims leading and trailing white space of every kind (ASCII, NBSP, ideographic space,
 * zero-width and BOM) in place; returns s. */
char *validate_trim(char *s);

/* Calendar date "YYYY-MM-DD". */
bool validate_date(const char *s);

/* RFC 3339 date-time with a zone ("2026-11-28T09:00:00+08:00"). */
bool validate_datetime(const char *s);

#endif
