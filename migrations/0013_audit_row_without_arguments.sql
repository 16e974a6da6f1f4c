-- A row trigger declared without arguments sees TG_ARGV as NULL, and `jsonb - NULL` is NULL:
-- such tables logged no before/after images. Treat "no arguments" as "redact nothing". And an
-- update that changes only redacted columns (`sikud reindex` rewriting search terms) changes
-- nothing a reader of the log could see: it is not logged.
CREATE OR REPLACE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    redacted text[] := coalesce(TG_ARGV, '{}');
    b jsonb;
    a jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        b := to_jsonb(OLD) - redacted;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        a := to_jsonb(NEW) - redacted;
    END IF;
    IF TG_OP = 'UPDATE' AND a = b THEN
        RETURN NULL;
    END IF;
    PERFORM audit_append(coalesce(siku_setting('siku.action'), lower(TG_OP)), TG_TABLE_NAME,
                         coalesce(a ->> 'id', b ->> 'id'), b, a);
    RETURN NULL;
END
$$;
