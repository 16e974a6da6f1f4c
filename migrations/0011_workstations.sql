-- Academician workstations (院士工作站): the stations with their host enterprise, the
-- academicians in residence (with dates), the expert team, the status with its history and
-- the 示范 mark; and the annual reports of indicators with their review workflow
-- (draft → submitted → returned | accepted), every step recorded.
-- caller is {"role", "user_id", "region", "enterprise", "expert"} as sikud sends it.

CREATE TABLE workstations (
    id bigserial PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    host_enterprise_id bigint NOT NULL REFERENCES enterprises (id),
    level text NOT NULL DEFAULT 'city' CHECK (level IN ('city', 'provincial')),
    region_code text NOT NULL REFERENCES regions (code),
    industry_code text REFERENCES industries (code),
    established_on date,
    term_end date,
    status text NOT NULL DEFAULT 'planning' CHECK (status IN ('planning', 'running',
        'suspended', 'revoked', 'concluded')),
    -- the year the 示范 (demonstration) mark was given; NULL: not marked
    demonstration_year integer CHECK (demonstration_year BETWEEN 1990 AND 2100),
    description text,
    terms jsonb NOT NULL DEFAULT '{}',
    search tsvector GENERATED ALWAYS AS (
        terms_vector(terms, '{"name":"A","description":"C"}')) STORED,
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    archived_at timestamptz,
    archived_by bigint,
    CONSTRAINT workstations_dates CHECK (established_on IS NULL OR term_end IS NULL
                                         OR established_on <= term_end)
);
CREATE INDEX workstations_region ON workstations (region_code, id) WHERE archived_at IS NULL;
CREATE INDEX workstations_host ON workstations (host_enterprise_id);
CREATE INDEX workstations_status ON workstations (status, id) WHERE archived_at IS NULL;
CREATE INDEX workstations_search ON workstations USING gin (search);
CREATE INDEX workstations_updated ON workstations (updated_at, id);

CREATE TABLE workstation_transitions (
    id bigserial PRIMARY KEY,
    workstation_id bigint NOT NULL REFERENCES workstations (id),
    from_status text,
    to_status text NOT NULL,
    reason text,
    user_id bigint,
    role text,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workstation_transitions_station ON workstation_transitions (workstation_id, id);

-- Academicians in residence (进站院士), one period per academician and station.
CREATE TABLE workstation_academicians (
    workstation_id bigint NOT NULL REFERENCES workstations (id),
    expert_id bigint NOT NULL REFERENCES experts (id),
    start_on date NOT NULL,
    end_on date,
    note text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workstation_id, expert_id),
    CONSTRAINT workstation_academicians_dates CHECK (end_on IS NULL OR start_on <= end_on)
);
CREATE INDEX workstation_academicians_expert ON workstation_academicians (expert_id);

-- The expert team (专家团队) working with the academicians.
CREATE TABLE workstation_team (
    workstation_id bigint NOT NULL REFERENCES workstations (id),
    expert_id bigint NOT NULL REFERENCES experts (id),
    role text NOT NULL CHECK (role IN ('lead', 'member')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workstation_id, expert_id)
);
CREATE INDEX workstation_team_expert ON workstation_team (expert_id);

-- Only academicians reside; the team are experts (an academician may be in it too).
CREATE FUNCTION workstation_academician_kind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM experts x WHERE x.id = NEW.expert_id
                   AND x.kind = 'academician') THEN
        IF EXISTS (SELECT 1 FROM experts x WHERE x.id = NEW.expert_id) THEN
            RAISE EXCEPTION '编号 % 不是院士，只有院士库中的院士可以进站', NEW.expert_id
                USING ERRCODE = 'SK400', CONSTRAINT = 'workstation_academicians_kind';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER workstation_academicians_kind BEFORE INSERT OR UPDATE
    ON workstation_academicians FOR EACH ROW EXECUTE FUNCTION workstation_academician_kind();

-- ---------------------------------------------------------------------------------------
-- annual reports

CREATE TABLE workstation_reports (
    id bigserial PRIMARY KEY,
    workstation_id bigint NOT NULL REFERENCES workstations (id),
    year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'returned',
        'accepted')),
    academician_days numeric(6, 1) NOT NULL DEFAULT 0
        CHECK (academician_days BETWEEN 0 AND 3660),
    joint_projects_new integer NOT NULL DEFAULT 0 CHECK (joint_projects_new >= 0),
    joint_projects_ongoing integer NOT NULL DEFAULT 0 CHECK (joint_projects_ongoing >= 0),
    rd_input numeric(14, 2) NOT NULL DEFAULT 0 CHECK (rd_input >= 0),
    patents_applied integer NOT NULL DEFAULT 0 CHECK (patents_applied >= 0),
    patents_granted integer NOT NULL DEFAULT 0 CHECK (patents_granted >= 0),
    invention_patents_granted integer NOT NULL DEFAULT 0
        CHECK (invention_patents_granted >= 0),
    new_products integer NOT NULL DEFAULT 0 CHECK (new_products >= 0),
    standards integer NOT NULL DEFAULT 0 CHECK (standards >= 0),
    papers integer NOT NULL DEFAULT 0 CHECK (papers >= 0),
    new_product_revenue numeric(14, 2) NOT NULL DEFAULT 0 CHECK (new_product_revenue >= 0),
    talents_trained integer NOT NULL DEFAULT 0 CHECK (talents_trained >= 0),
    awards integer NOT NULL DEFAULT 0 CHECK (awards >= 0),
    summary text NOT NULL DEFAULT '',
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    CONSTRAINT workstation_reports_year_unique UNIQUE (workstation_id, year),
    CONSTRAINT workstation_reports_granted CHECK (patents_granted <= patents_applied),
    CONSTRAINT workstation_reports_invention CHECK (invention_patents_granted <= patents_granted)
);
CREATE INDEX workstation_reports_year ON workstation_reports (year, workstation_id);

CREATE TABLE workstation_report_transitions (
    id bigserial PRIMARY KEY,
    report_id bigint NOT NULL REFERENCES workstation_reports (id),
    from_status text,
    to_status text NOT NULL,
    action text NOT NULL,
    reason text,
    user_id bigint,
    role text,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workstation_report_transitions_report
    ON workstation_report_transitions (report_id, id);

CREATE TRIGGER workstations_audit AFTER INSERT OR UPDATE OR DELETE ON workstations
    FOR EACH ROW EXECUTE FUNCTION audit_row('terms', 'search');
CREATE TRIGGER workstation_academicians_audit AFTER INSERT OR UPDATE OR DELETE
    ON workstation_academicians FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER workstation_team_audit AFTER INSERT OR UPDATE OR DELETE ON workstation_team
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER workstation_reports_audit AFTER INSERT OR UPDATE OR DELETE ON workstation_reports
    FOR EACH ROW EXECUTE FUNCTION audit_row();

-- ---------------------------------------------------------------------------------------
-- labels, serializers and scope

CREATE FUNCTION workstation_level_label(l text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE l WHEN 'city' THEN '市级' WHEN 'provincial' THEN '省级' END
$$;

CREATE FUNCTION workstation_status_label(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE s WHEN 'planning' THEN '筹建' WHEN 'running' THEN '运行' WHEN 'suspended' THEN '暂停'
                  WHEN 'revoked' THEN '撤销' WHEN 'concluded' THEN '验收结题' END
$$;

CREATE FUNCTION workstation_json(w workstations) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', w.id, 'name', w.name, 'host_enterprise_id', w.host_enterprise_id,
        'host_enterprise_name', (SELECT e.name FROM enterprises e
                                 WHERE e.id = w.host_enterprise_id),
        'level', w.level, 'level_label', workstation_level_label(w.level),
        'region_code', w.region_code, 'industry_code', w.industry_code,
        'established_on', w.established_on, 'term_end', w.term_end,
        'status', w.status, 'status_label', workstation_status_label(w.status),
        'demonstration', w.demonstration_year IS NOT NULL,
        'demonstration_year', w.demonstration_year, 'description', w.description,
        'academician_count', (SELECT count(*) FROM workstation_academicians a
                              WHERE a.workstation_id = w.id),
        'team_count', (SELECT count(*) FROM workstation_team t WHERE t.workstation_id = w.id),
        'archived', w.archived_at IS NOT NULL, 'archived_at', w.archived_at,
        'created_at', w.created_at, 'updated_at', w.updated_at, 'version', w.version)
$$;

-- Staff read every station; an enterprise user the stations its enterprise hosts.
CREATE FUNCTION workstation_can_read(w workstations, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true WHEN 'county_staff' THEN true
        WHEN 'enterprise' THEN w.host_enterprise_id = (caller ->> 'enterprise')::bigint
        ELSE false END
       AND (w.archived_at IS NULL
            OR caller ->> 'role' IN ('admin', 'city_staff', 'county_staff'))
$$;

-- City-wide staff change any station; county staff those of their region.
CREATE FUNCTION workstation_can_write(w workstations, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true
        WHEN 'county_staff' THEN w.region_code = caller ->> 'region'
        ELSE false END
$$;

-- Who files a station's annual report: its writers and its host enterprise's users.
CREATE FUNCTION workstation_can_report(w workstations, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT workstation_can_write(w, caller)
        OR (caller ->> 'role' = 'enterprise'
            AND w.host_enterprise_id = (caller ->> 'enterprise')::bigint)
$$;

-- Who reviews (returns or accepts) reports: the city (市科协).
CREATE FUNCTION workstation_can_review(caller jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT caller ->> 'role' IN ('admin', 'city_staff')
$$;

-- The region of a new station: the one given, else the host enterprise's. County staff may
-- only create stations of their own region (an explicit other region is refused by sikud
-- before this; here the derived one is checked).
CREATE FUNCTION workstation_region(j jsonb, caller jsonb) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    r text;
BEGIN
    IF j ? 'region_code' THEN
        r := j ->> 'region_code';
    ELSE
        SELECT e.region_code INTO r FROM enterprises e
        WHERE e.id = (j ->> 'host_enterprise_id')::bigint;
        IF NOT FOUND THEN
            RAISE EXCEPTION '依托企业 % 不存在', j ->> 'host_enterprise_id'
                USING ERRCODE = 'SK400', CONSTRAINT = 'workstations_host_enterprise_id_fkey';
        END IF;
    END IF;
    IF caller ->> 'role' = 'county_staff' AND r IS DISTINCT FROM caller ->> 'region' THEN
        RAISE EXCEPTION '工作站所在地区（region_code，默认为依托企业所在地区 %）不属于您的地区 %，请指定本地区的 region_code',
            coalesce(r, '无'), caller ->> 'region'
            USING ERRCODE = 'SK403';
    END IF;
    RETURN r;
END
$$;

CREATE FUNCTION workstation_transition_json(t workstation_transitions) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', t.id, 'workstation_id', t.workstation_id, 'from_status', t.from_status,
        'from_status_label', workstation_status_label(t.from_status), 'to_status', t.to_status,
        'to_status_label', workstation_status_label(t.to_status), 'reason', t.reason,
        'user_id', t.user_id,
        'user_name', (SELECT u.display_name FROM users u WHERE u.id = t.user_id),
        'role', t.role, 'at', t.at)
$$;

CREATE FUNCTION workstation_academician_json(a workstation_academicians) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'workstation_id', a.workstation_id, 'expert_id', a.expert_id, 'name', x.name,
        'academy', x.academy, 'affiliation', x.affiliation, 'start_on', a.start_on,
        'end_on', a.end_on, 'in_residence', a.end_on IS NULL OR a.end_on >= current_date,
        'note', a.note, 'created_at', a.created_at)
    FROM experts x WHERE x.id = a.expert_id
$$;

CREATE FUNCTION workstation_team_json(m workstation_team) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'workstation_id', m.workstation_id, 'expert_id', m.expert_id, 'name', x.name,
        'expert_kind', x.kind, 'affiliation', x.affiliation, 'title', x.title, 'role', m.role,
        'role_label', CASE m.role WHEN 'lead' THEN '负责人' ELSE '成员' END,
        'created_at', m.created_at)
    FROM experts x WHERE x.id = m.expert_id
$$;

-- ---------------------------------------------------------------------------------------
-- reports as the API sees them

CREATE FUNCTION workstation_report_status_label(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE s WHEN 'draft' THEN '草稿' WHEN 'submitted' THEN '已提交' WHEN 'returned' THEN '已退回'
                  WHEN 'accepted' THEN '已通过' END
$$;

CREATE FUNCTION workstation_report_action_label(a text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE a WHEN 'create' THEN '填报' WHEN 'submit' THEN '提交' WHEN 'return' THEN '退回'
                  WHEN 'accept' THEN '审核通过' END
$$;

-- Academician days on site that the service activities recorded for a station and year.
CREATE FUNCTION workstation_recorded_days(station bigint, yr integer) RETURNS numeric
LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(a.academician_days), 0)::numeric(7, 1) FROM service_activities a
    WHERE a.workstation_id = station AND a.archived_at IS NULL
      AND a.held_on >= make_date(yr, 1, 1) AND a.held_on < make_date(yr + 1, 1, 1)
$$;

CREATE FUNCTION workstation_report_json(r workstation_reports) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', r.id, 'workstation_id', r.workstation_id, 'year', r.year,
        'status', r.status, 'status_label', workstation_report_status_label(r.status),
        'academician_days', r.academician_days,
        'recorded_academician_days', d.days,
        'academician_days_excess', greatest(r.academician_days - d.days, 0),
        'joint_projects_new', r.joint_projects_new,
        'joint_projects_ongoing', r.joint_projects_ongoing, 'rd_input', r.rd_input,
        'patents_applied', r.patents_applied, 'patents_granted', r.patents_granted,
        'invention_patents_granted', r.invention_patents_granted,
        'new_products', r.new_products, 'standards', r.standards, 'papers', r.papers,
        'new_product_revenue', r.new_product_revenue, 'talents_trained', r.talents_trained,
        'awards', r.awards, 'summary', r.summary, 'created_at', r.created_at,
        'updated_at', r.updated_at, 'version', r.version)
    FROM (SELECT workstation_recorded_days(r.workstation_id, r.year) AS days) d
$$;

CREATE FUNCTION workstation_report_transition_json(t workstation_report_transitions)
RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', t.id, 'report_id', t.report_id, 'action', t.action,
        'action_label', workstation_report_action_label(t.action),
        'from_status', t.from_status,
        'from_status_label', workstation_report_status_label(t.from_status),
        'to_status', t.to_status,
        'to_status_label', workstation_report_status_label(t.to_status), 'reason', t.reason,
        'user_id', t.user_id,
        'user_name', (SELECT u.display_name FROM users u WHERE u.id = t.user_id),
        'role', t.role, 'at', t.at)
$$;

-- Activities and projects name stations that exist (the columns predate this table).
ALTER TABLE service_activities ADD CONSTRAINT service_activities_workstation_id_fkey
    FOREIGN KEY (workstation_id) REFERENCES workstations (id);
ALTER TABLE projects ADD CONSTRAINT projects_workstation_id_fkey
    FOREIGN KEY (workstation_id) REFERENCES workstations (id);
