-- Evidence files (证明材料) attached to a workstation's annual report: the metadata (file
-- name, type, size, SHA-256, the rubric leaf it supports, who uploaded it and when) is
-- audited like any record; the bytes sit in a table of their own, so that the audit trail,
-- lists and the assessment run never read them. Size and type are checked by sikud.

CREATE TABLE workstation_evidence (
    id bigserial PRIMARY KEY,
    report_id bigint NOT NULL REFERENCES workstation_reports (id),
    workstation_id bigint NOT NULL REFERENCES workstations (id),
    year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
    content_type text NOT NULL CHECK (length(content_type) BETWEEN 1 AND 200),
    size bigint NOT NULL CHECK (size > 0),
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    -- the key of the rubric leaf the file supports (evidence_required), or NULL
    indicator text CHECK (indicator ~ '^[a-z0-9_]{1,32}$'),
    uploaded_by bigint,
    uploaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workstation_evidence_report ON workstation_evidence (report_id, id);
CREATE INDEX workstation_evidence_year ON workstation_evidence (year, workstation_id);

CREATE TABLE workstation_evidence_files (
    evidence_id bigint PRIMARY KEY REFERENCES workstation_evidence (id) ON DELETE CASCADE,
    content bytea NOT NULL
);
-- PDFs, images and office files are compressed already: do not try again.
ALTER TABLE workstation_evidence_files ALTER COLUMN content SET STORAGE EXTERNAL;

CREATE TRIGGER workstation_evidence_audit AFTER INSERT OR UPDATE OR DELETE
    ON workstation_evidence FOR EACH ROW EXECUTE FUNCTION audit_row();

-- Who reads a report's evidence: whoever reads the station (0019 adds assigned reviewers).
CREATE FUNCTION workstation_evidence_can_read(w workstations, yr integer, caller jsonb)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT workstation_can_read(w, caller)
$$;

-- The rubric leaf keys that have at least one file in a report.
CREATE FUNCTION workstation_evidence_indicators(report bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(DISTINCT e.indicator), '[]') FROM workstation_evidence e
    WHERE e.report_id = report AND e.indicator IS NOT NULL
$$;

CREATE FUNCTION workstation_evidence_json(e workstation_evidence) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', e.id, 'workstation_id', e.workstation_id, 'year', e.year,
        'report_id', e.report_id, 'file_name', e.file_name, 'content_type', e.content_type,
        'size', e.size, 'sha256', e.sha256, 'indicator', e.indicator,
        'uploaded_by', e.uploaded_by,
        'uploaded_by_name', (SELECT u.display_name FROM users u WHERE u.id = e.uploaded_by),
        'uploaded_at', e.uploaded_at)
$$;
