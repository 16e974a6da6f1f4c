-- Accounts, sessions, login throttling, the audit log and the masking of personal data.

-- Writes made by sikud carry who made them in transaction-local settings
-- (siku.user_id, siku.role, siku.request_id, siku.route, siku.client, siku.action),
-- set by the first statement of every write job; the audit trigger reads them.

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    user_id bigint,
    role text,
    action text NOT NULL,
    route text,
    request_id text,
    client_addr text,
    record_type text,
    record_id text,
    before jsonb,
    after jsonb
);
CREATE INDEX audit_log_user ON audit_log (user_id, id);
CREATE INDEX audit_log_record ON audit_log (record_type, record_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_at ON audit_log (at);

-- The application may only append: no UPDATE, DELETE or TRUNCATE, whoever asks.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = '42501';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

CREATE FUNCTION siku_setting(name text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting(name, true), '')
$$;

-- Appends one audit row; used by the row trigger and for events that are not row writes
-- (logins, reads of unmasked personal data).
CREATE FUNCTION audit_append(p_action text, p_record_type text, p_record_id text,
                             p_before jsonb, p_after jsonb) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO audit_log (user_id, role, action, route, request_id, client_addr,
                           record_type, record_id, before, after)
    VALUES (siku_setting('siku.user_id')::bigint, siku_setting('siku.role'), p_action,
            siku_setting('siku.route'), siku_setting('siku.request_id'),
            siku_setting('siku.client'), p_record_type, p_record_id, p_before, p_after)
$$;

-- Row trigger: TG_ARGV lists columns never to copy into the log (password hashes).
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    b jsonb;
    a jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        b := to_jsonb(OLD) - TG_ARGV;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        a := to_jsonb(NEW) - TG_ARGV;
    END IF;
    PERFORM audit_append(coalesce(siku_setting('siku.action'), lower(TG_OP)), TG_TABLE_NAME,
                         coalesce(a ->> 'id', b ->> 'id'), b, a);
    RETURN NULL;
END
$$;

CREATE TABLE users (
    id bigserial PRIMARY KEY,
    username text NOT NULL CHECK (username ~ '^[A-Za-z0-9_.@-]{3,64}$'),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 64),
    role text NOT NULL CHECK (role IN ('admin', 'city_staff', 'county_staff', 'enterprise',
                                       'expert')),
    region_code text REFERENCES regions (code),
    enterprise_id bigint,
    expert_id bigint,
    password_hash text NOT NULL,
    disabled boolean NOT NULL DEFAULT false,
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    -- Each role carries exactly the binding it needs.
    CONSTRAINT users_binding CHECK (
        (role = 'county_staff') = (region_code IS NOT NULL)
        AND (role = 'enterprise') = (enterprise_id IS NOT NULL)
        AND (role = 'expert') = (expert_id IS NOT NULL))
);
CREATE UNIQUE INDEX users_username ON users (lower(username));
CREATE TRIGGER users_audit AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION audit_row('password_hash');

-- Tokens are stored only as their SHA-256.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    client_addr text
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE login_attempts (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    username text NOT NULL,
    client_addr text NOT NULL,
    success boolean NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts (lower(username), at);
CREATE INDEX login_attempts_addr ON login_attempts (client_addr, at);

-- Masking of personal data, shared by every serializer (single reads, lists, search and
-- match hits, exports): 138****1234, z***@example.cn, 321***********1234, 江苏省扬州市****.
CREATE FUNCTION mask_phone(p text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p IS NULL OR p = '' THEN p
        WHEN length(p) >= 7 THEN left(p, 3) || '****' || right(p, 4)
        ELSE '****'
    END
$$;

CREATE FUNCTION mask_email(p text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p IS NULL OR p = '' THEN p
        WHEN strpos(p, '@') > 1 THEN left(p, 1) || '***' || substr(p, strpos(p, '@'))
        ELSE '***'
    END
$$;

CREATE FUNCTION mask_id_number(p text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p IS NULL OR p = '' THEN p
        WHEN length(p) >= 8 THEN left(p, 3) || repeat('*', length(p) - 7) || right(p, 4)
        ELSE '****'
    END
$$;

CREATE FUNCTION mask_address(p text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p IS NULL OR p = '' THEN p
        WHEN length(p) > 6 THEN left(p, 6) || '****'
        ELSE '****'
    END
$$;

CREATE FUNCTION role_label(r text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE r
        WHEN 'admin' THEN '系统管理员'
        WHEN 'city_staff' THEN '市科协工作人员'
        WHEN 'county_staff' THEN '县（市、区）科协工作人员'
        WHEN 'enterprise' THEN '企业用户'
        WHEN 'expert' THEN '专家用户'
    END
$$;

-- The one serializer of a user (never the password hash).
CREATE FUNCTION user_json(u users) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', u.id, 'username', u.username, 'display_name', u.display_name,
        'role', u.role, 'role_label', role_label(u.role), 'region_code', u.region_code,
        'enterprise_id', u.enterprise_id, 'expert_id', u.expert_id, 'disabled', u.disabled,
        'created_at', u.created_at, 'updated_at', u.updated_at, 'version', u.version)
$$;
