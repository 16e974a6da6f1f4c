-- Bulk imports: one record per import (who, when, which file, what came of it) and the
-- staging rows an import fills chunk by chunk before one statement applies them all, so that a
-- large file never has to sit in one request's memory and a failed import changes nothing.

CREATE TABLE imports (
    id bigserial PRIMARY KEY,
    library text NOT NULL,
    user_id bigint,
    file_name text,
    format text NOT NULL CHECK (format IN ('csv', 'xlsx')),
    dry_run boolean NOT NULL DEFAULT false,
    partial boolean NOT NULL DEFAULT false,
    status text NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'done', 'dry_run', 'rejected', 'failed')),
    rows integer NOT NULL DEFAULT 0,
    inserted integer NOT NULL DEFAULT 0,
    updated integer NOT NULL DEFAULT 0,
    unchanged integer NOT NULL DEFAULT 0,
    rejected integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX imports_created ON imports (created_at);

-- Valid rows waiting to be applied; unlogged because they are rebuilt from the file if lost.
CREATE UNLOGGED TABLE import_rows (
    import_id bigint NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    ord integer NOT NULL,
    row_no integer NOT NULL,
    key text NOT NULL,
    data jsonb NOT NULL,
    terms jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (import_id, ord)
);
CREATE INDEX import_rows_key ON import_rows (import_id, key);

CREATE TRIGGER imports_audit AFTER INSERT OR UPDATE OR DELETE ON imports
    FOR EACH ROW EXECUTE FUNCTION audit_row();
