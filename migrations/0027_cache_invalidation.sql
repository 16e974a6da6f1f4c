-- Each sikud keeps sessions and expert records in memory and LISTENs on channel siku_cache;
-- these triggers tell it what changed, whoever changed it (the API, an import, psql). A
-- notification is delivered after its transaction commits, only if it commits. Payloads:
-- 's:<token hash hex>' a session, 'u:<user id>' every session of a user (disabled, password,
-- role or binding changed), 'e:<expert id>' an expert or academician record (expert_json
-- reads nothing but the row), '*' everything (TRUNCATE). An INSERT needs none: nothing is
-- cached for a row that did not exist.
CREATE FUNCTION cache_notify_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    CASE TG_TABLE_NAME
    WHEN 'sessions' THEN PERFORM pg_notify('siku_cache', 's:' || encode(OLD.token_hash, 'hex'));
    WHEN 'users' THEN PERFORM pg_notify('siku_cache', 'u:' || OLD.id);
    WHEN 'experts' THEN PERFORM pg_notify('siku_cache', 'e:' || OLD.id);
    END CASE;
    RETURN NULL;
END
$$;

CREATE FUNCTION cache_notify_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('siku_cache', '*');
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_cache AFTER UPDATE OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION cache_notify_row();
CREATE TRIGGER users_cache AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION cache_notify_row();
CREATE TRIGGER experts_cache AFTER UPDATE OR DELETE ON experts
    FOR EACH ROW EXECUTE FUNCTION cache_notify_row();
CREATE TRIGGER sessions_cache_truncate AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION cache_notify_all();
CREATE TRIGGER users_cache_truncate AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION cache_notify_all();
CREATE TRIGGER experts_cache_truncate AFTER TRUNCATE ON experts
    FOR EACH STATEMENT EXECUTE FUNCTION cache_notify_all();
