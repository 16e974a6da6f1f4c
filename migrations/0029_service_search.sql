-- Service groups and service activities become searchable like the four libraries: their text
-- is segmented by sikud into terms per field (a jsonb {"field": ["term", ...]}), the weighted
-- tsvector is derived from it, and a GIN index serves `q=` on their lists. Rows written before
-- this migration have no terms until `sikud reindex` runs (scripts/up runs it on demo data).

ALTER TABLE service_groups
    ADD COLUMN terms jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN search tsvector GENERATED ALWAYS AS (terms_vector(terms,
        '{"name":"A","description":"B"}')) STORED;
CREATE INDEX service_groups_search ON service_groups USING gin (search);

ALTER TABLE service_activities
    ADD COLUMN terms jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN search tsvector GENERATED ALWAYS AS (terms_vector(terms,
        '{"title":"A","outcome":"B","place":"C"}')) STORED;
CREATE INDEX service_activities_search ON service_activities USING gin (search);

-- The audit log keeps the records' images without their search terms, as for the libraries;
-- a reindex that only rewrites terms is then not logged (audit_row, 0013).
DROP TRIGGER service_groups_audit ON service_groups;
CREATE TRIGGER service_groups_audit AFTER INSERT OR UPDATE OR DELETE ON service_groups
    FOR EACH ROW EXECUTE FUNCTION audit_row('terms', 'search');
DROP TRIGGER service_activities_audit ON service_activities;
CREATE TRIGGER service_activities_audit AFTER INSERT OR UPDATE OR DELETE ON service_activities
    FOR EACH ROW EXECUTE FUNCTION audit_row('terms', 'search');
