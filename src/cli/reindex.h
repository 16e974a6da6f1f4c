/* `sikud reindex`: recomputes the search terms of every library record with the daemon's
 * segmenter (after a bulk load with SQL, or when the dictionary changed), in batches, each
 * batch in its own transaction. Only `terms` (and the `search` vector derived from it)
 * change: neither `updated_at`, `version` nor the audit log move. */
#ifndef SIKU_CLI_REINDEX_H
#define SIKU_CLI_REINDEX_H

/* Returns a process exit code. */
int reindex_run(const char *conninfo);

#endif
