/* What every library resource shares: the caller as JSON for the SQL scope checks, body
 * validation with the problem replies, search terms, idempotent creates, and the reading of
 * write results (found? writable? current version?). Each resource file keeps its own SQL. */
#ifndef SIKU_API_RESOURCE_H
#define SIKU_API_RESOURCE_H

#include "api/api_db.h"
#include "domain/validate.h"

#include <stdbool.h>

struct http_request;
struct cJSON;

/* {"role":..,"user_id":..,"region":..,"enterprise":..,"expert":..} for SQL ($n::jsonb). */
const char *api_caller_json(struct http_request *req);

/* Parses and validates the body; replies 400/403/415 and returns NULL when it is refused.
 * The clean object is the caller's to cJSON_Delete. */
struct cJSON *api_validated_body(struct http_request *req, const struct field_spec *specs,
                                 enum validate_mode mode);

/* Replies 403 naming a field the caller may not set (or not set to that value). */
void api_forbidden_field(struct http_request *req, const char *field, const char *detail);
/* County staff create and move records only within their region: a region_code in clean
 * other than theirs is refused (403, replied; returns false). When clean has none and
 * fill_default is set, theirs is added. Other roles pass. */
bool api_region_in_scope(struct http_request *req, struct cJSON *clean, bool fill_default)
    __attribute__((warn_unused_result));

/* Replies 400 with one field error. */
void api_field_error(struct http_request *req, const char *field, const char *code,
                     const char *message);

/* {"field": ["term", ...]} for the searchable fields present in clean (strings or arrays of
 * strings), as JSON text in the request arena; "{}" when none is present. */
const char *api_search_terms(struct http_request *req, const struct cJSON *clean,
                             const char *const *search_fields);

/* Prints clean into the request arena. */
const char *api_json_text(struct http_request *req, const struct cJSON *clean);

/* Creates with Idempotency-Key support. The statement takes its own parameters followed by
 * four more: user id, key, route, request hash (all NULL without a key), and returns
 * (json, version, id). A retried key returns the first answer; a key reused for another
 * request is 409. location_prefix + id becomes the Location header. */
void api_create(struct http_request *req, const struct db_stmt *insert, int nparams,
                const char **params, const char *location_prefix);

/* Reads a write result row (found, writable, json, version) at result index i:
 * not found -> 404, not writable -> 403, no json -> 412 (stale If-Match), else status. */
void api_reply_write(struct http_request *req, struct db_job *job, int i, int status);

/* "true"/"false" for include_archived (staff only); replies 400 and returns NULL when bad. */
bool api_include_archived(struct http_request *req, const char *value, const char **out);

/* GET of the record {id}, with ?include_archived (staff only): stmt takes (id, caller JSON,
 * include_archived) and returns the record's JSON, or no row (404). */
void api_get_record(struct http_request *req, const struct db_stmt *stmt);

/* A write's answer: api_reply_write of the job's first statement result, 200. */
void api_write_done(struct http_request *req, struct db_job *job);

/* POST …/{id}/archive or /restore with If-Match: stmt takes (id, caller JSON, version,
 * "true" to archive or "false" to restore) and returns a write result row. */
void api_archive_record(struct http_request *req, const struct db_stmt *stmt, bool archiving);

void resource_register(void);

#endif
