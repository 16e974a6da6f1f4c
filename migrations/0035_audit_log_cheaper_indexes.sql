-- Every staff read of an expert's contact data appends a read_personal row to the audit log,
-- so the log's indexes are paid on the hottest path (bench/http: about 24 µs of PostgreSQL per
-- keyed read, most of it index maintenance). Two of them cost more than they give:
-- - audit_log_at, a btree on a column that grows with the insertion order, becomes a BRIN
--   index: a time-range filter still finds its block ranges, for a fraction of the upkeep;
-- - audit_log_action leaves out read_personal, the bulk of the rows: a listing of those is
--   the newest rows anyway (ORDER BY id DESC), found by the primary key.
DROP INDEX audit_log_at;
CREATE INDEX audit_log_at ON audit_log USING brin (at);
DROP INDEX audit_log_action;
CREATE INDEX audit_log_action ON audit_log (action, id) WHERE action <> 'read_personal';
