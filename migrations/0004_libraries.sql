-- The four libraries and the service group: enterprises, experts and academicians (one id
-- space), demands with their workflow, projects with members and outcomes, service groups
-- with members, service activities. Every record has id, created_at, updated_at, version,
-- and is archived rather than deleted (archived_at, archived_by).

-- Searchable text is segmented by sikud (libfriso plus n-gram fallback) into terms per field,
-- kept in a jsonb column {"field": ["term", ...]}; the tsvector is derived from it here, with
-- a weight per field, so that a patch re-segments only the fields it changes.
CREATE FUNCTION terms_vector(terms jsonb, weights jsonb) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- Written as tsvector text ('term':position weight) so that weights stick: a lexeme
    -- without a position cannot carry one. Quoting follows the tsvector input syntax.
    SELECT coalesce(string_agg(
               '''' || replace(replace(term, '\', '\\'), '''', '''''') || ''':'
               || least(pos, 16383) || coalesce(weights ->> field, 'D'), ' ')::tsvector,
           ''::tsvector)
    FROM (SELECT t.key AS field, e.term, row_number() OVER () AS pos
          FROM jsonb_each(coalesce(terms, '{}'::jsonb)) t,
               jsonb_array_elements_text(CASE jsonb_typeof(t.value) WHEN 'array' THEN t.value
                                         ELSE '[]'::jsonb END) e(term)
          WHERE e.term <> '') s
$$;

-- Refuses codes that are not in a reference table, naming the field (SK400 + constraint
-- "<table>_<column>"). TG_ARGV: column, reference table, column, reference table ...
-- A trigger rather than a CHECK, so that pg_restore loads rows before it checks them.
CREATE FUNCTION check_reference_codes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row jsonb := to_jsonb(NEW);
    col text;
    bad text;
BEGIN
    FOR i IN 0 .. TG_NARGS / 2 - 1 LOOP
        col := TG_ARGV[2 * i];
        IF jsonb_typeof(row -> col) = 'array' THEN
            EXECUTE format('SELECT c FROM jsonb_array_elements_text($1) c '
                           'WHERE NOT EXISTS (SELECT 1 FROM %I r WHERE r.code = c) LIMIT 1',
                           TG_ARGV[2 * i + 1])
                INTO bad USING row -> col;
        ELSIF jsonb_typeof(row -> col) = 'string' THEN
            EXECUTE format('SELECT c FROM (SELECT $1 AS c) x '
                           'WHERE NOT EXISTS (SELECT 1 FROM %I r WHERE r.code = c)',
                           TG_ARGV[2 * i + 1])
                INTO bad USING row ->> col;
        END IF;
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION '代码“%”不存在', bad
                USING ERRCODE = 'SK400', CONSTRAINT = TG_TABLE_NAME || '_' || col;
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;

CREATE FUNCTION touch_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

-- ---------------------------------------------------------------------------------------
-- enterprises

CREATE TABLE enterprises (
    id bigserial PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    credit_code text NOT NULL CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
    region_code text NOT NULL REFERENCES regions (code),
    industry_code text REFERENCES industries (code),
    size text CHECK (size IN ('large', 'medium', 'small', 'micro')),
    high_tech boolean NOT NULL DEFAULT false,
    address text,
    contact_name text,
    contact_phone text,
    description text,
    terms jsonb NOT NULL DEFAULT '{}',
    search tsvector GENERATED ALWAYS AS (
        terms_vector(terms, '{"name":"A","description":"C","address":"D"}')) STORED,
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    archived_at timestamptz,
    archived_by bigint
);
CREATE UNIQUE INDEX enterprises_credit_code ON enterprises (credit_code);
CREATE INDEX enterprises_region ON enterprises (region_code, id) WHERE archived_at IS NULL;
CREATE INDEX enterprises_search ON enterprises USING gin (search);

-- ---------------------------------------------------------------------------------------
-- experts and academicians: one table, one id space (an academician is a matchable expert)

CREATE TABLE experts (
    id bigserial PRIMARY KEY,
    kind text NOT NULL DEFAULT 'expert' CHECK (kind IN ('expert', 'academician')),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    gender text CHECK (gender IN ('male', 'female')),
    birth_year integer CHECK (birth_year BETWEEN 1900 AND 2100),
    title text CHECK (title IN ('senior', 'associate_senior', 'intermediate', 'junior', 'other')),
    position text,
    affiliation text,
    affiliation_kind text CHECK (affiliation_kind IN ('university', 'institute', 'enterprise',
                                                      'other')),
    region_code text REFERENCES regions (code),
    discipline_codes text[] NOT NULL DEFAULT '{}',
    industry_codes text[] NOT NULL DEFAULT '{}',
    research_fields text,
    keywords text[] NOT NULL DEFAULT '{}',
    achievements text,
    service_modes text[] NOT NULL DEFAULT '{}',
    phone text,
    email text,
    id_number text,
    address text,
    consent boolean NOT NULL DEFAULT false,
    consent_at timestamptz,
    available boolean NOT NULL DEFAULT true,
    -- academicians
    academy text CHECK (academy IN ('CAS', 'CAE', 'foreign')),
    division text,
    election_year integer CHECK (election_year BETWEEN 1948 AND 2100),
    city_ties text[] NOT NULL DEFAULT '{}',
    ties_note text,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired', 'deceased')),
    terms jsonb NOT NULL DEFAULT '{}',
    search tsvector GENERATED ALWAYS AS (terms_vector(terms,
        '{"name":"A","keywords":"A","research_fields":"B","achievements":"C",'
        '"affiliation":"C","position":"D","division":"D"}')) STORED,
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    archived_at timestamptz,
    archived_by bigint,
    CONSTRAINT experts_academy_fields CHECK (
        (kind = 'academician') = (academy IS NOT NULL))
);
CREATE INDEX experts_kind ON experts (kind, id) WHERE archived_at IS NULL;
CREATE INDEX experts_region ON experts (region_code, id) WHERE archived_at IS NULL;
CREATE INDEX experts_search ON experts USING gin (search);
CREATE INDEX experts_disciplines ON experts USING gin (discipline_codes);
CREATE INDEX experts_industries ON experts USING gin (industry_codes);
CREATE INDEX experts_service_modes ON experts USING gin (service_modes);
CREATE INDEX experts_updated ON experts (updated_at, id);

-- ---------------------------------------------------------------------------------------
-- demands and their workflow

CREATE TABLE demands (
    id bigserial PRIMARY KEY,
    enterprise_id bigint NOT NULL REFERENCES enterprises (id),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '',
    kind text NOT NULL CHECK (kind IN ('technical_problem', 'talent', 'transfer', 'joint_rnd',
                                       'equipment')),
    service_modes text[] NOT NULL DEFAULT '{}',
    industry_code text REFERENCES industries (code),
    discipline_codes text[] NOT NULL DEFAULT '{}',
    keywords text[] NOT NULL DEFAULT '{}',
    budget_min numeric(14, 2) CHECK (budget_min >= 0),
    budget_max numeric(14, 2) CHECK (budget_max >= 0),
    deadline date,
    region_code text NOT NULL REFERENCES regions (code),
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'published',
        'matching', 'matched', 'cooperating', 'closed', 'rejected', 'withdrawn')),
    status_reason text,
    published_at timestamptz,
    terms jsonb NOT NULL DEFAULT '{}',
    search tsvector GENERATED ALWAYS AS (terms_vector(terms,
        '{"title":"A","keywords":"A","description":"B"}')) STORED,
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    archived_at timestamptz,
    archived_by bigint,
    CONSTRAINT demands_budget_range CHECK (budget_min IS NULL OR budget_max IS NULL
                                           OR budget_min <= budget_max)
);
CREATE INDEX demands_enterprise ON demands (enterprise_id, id);
CREATE INDEX demands_status ON demands (status, id) WHERE archived_at IS NULL;
CREATE INDEX demands_region ON demands (region_code, id) WHERE archived_at IS NULL;
CREATE INDEX demands_search ON demands USING gin (search);

CREATE TABLE demand_transitions (
    id bigserial PRIMARY KEY,
    demand_id bigint NOT NULL REFERENCES demands (id),
    from_status text,
    to_status text NOT NULL,
    action text NOT NULL,
    reason text,
    user_id bigint,
    role text,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX demand_transitions_demand ON demand_transitions (demand_id, id);

-- ---------------------------------------------------------------------------------------
-- projects, their members and outcomes

CREATE TABLE projects (
    id bigserial PRIMARY KEY,
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    summary text NOT NULL DEFAULT '',
    kind text NOT NULL CHECK (kind IN ('workstation', 'industry_university', 'soft_science',
                                       'transfer', 'other')),
    status text NOT NULL DEFAULT 'applied' CHECK (status IN ('applied', 'approved',
        'in_progress', 'concluded', 'accepted')),
    start_date date,
    end_date date,
    funding numeric(14, 2) CHECK (funding >= 0),
    lead_enterprise_id bigint REFERENCES enterprises (id),
    workstation_id bigint,
    demand_id bigint REFERENCES demands (id),
    region_code text REFERENCES regions (code),
    industry_code text REFERENCES industries (code),
    keywords text[] NOT NULL DEFAULT '{}',
    outcome_patents integer NOT NULL DEFAULT 0 CHECK (outcome_patents >= 0),
    outcome_papers integer NOT NULL DEFAULT 0 CHECK (outcome_papers >= 0),
    outcome_products integer NOT NULL DEFAULT 0 CHECK (outcome_products >= 0),
    outcome_standards integer NOT NULL DEFAULT 0 CHECK (outcome_standards >= 0),
    outcome_revenue numeric(14, 2) NOT NULL DEFAULT 0 CHECK (outcome_revenue >= 0),
    outcome_note text,
    terms jsonb NOT NULL DEFAULT '{}',
    search tsvector GENERATED ALWAYS AS (terms_vector(terms,
        '{"title":"A","keywords":"A","summary":"B","outcome_note":"C"}')) STORED,
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    archived_at timestamptz,
    archived_by bigint,
    CONSTRAINT projects_dates CHECK (start_date IS NULL OR end_date IS NULL
                                     OR start_date <= end_date)
);
CREATE INDEX projects_status ON projects (status, id) WHERE archived_at IS NULL;
CREATE INDEX projects_enterprise ON projects (lead_enterprise_id);
CREATE INDEX projects_search ON projects USING gin (search);

CREATE TABLE project_members (
    project_id bigint NOT NULL REFERENCES projects (id),
    expert_id bigint NOT NULL REFERENCES experts (id),
    role text NOT NULL CHECK (role IN ('lead', 'member', 'advisor')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, expert_id)
);
CREATE INDEX project_members_expert ON project_members (expert_id);

CREATE TABLE project_transitions (
    id bigserial PRIMARY KEY,
    project_id bigint NOT NULL REFERENCES projects (id),
    from_status text,
    to_status text NOT NULL,
    action text NOT NULL,
    reason text,
    user_id bigint,
    role text,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX project_transitions_project ON project_transitions (project_id, id);

-- ---------------------------------------------------------------------------------------
-- the service group (服务群) and its activities

CREATE TABLE service_groups (
    id bigserial PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description text NOT NULL DEFAULT '',
    industry_codes text[] NOT NULL DEFAULT '{}',
    region_codes text[] NOT NULL DEFAULT '{}',
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    archived_at timestamptz,
    archived_by bigint
);

CREATE TABLE service_group_members (
    id bigserial PRIMARY KEY,
    group_id bigint NOT NULL REFERENCES service_groups (id),
    expert_id bigint REFERENCES experts (id),
    user_id bigint REFERENCES users (id),
    role text NOT NULL CHECK (role IN ('leader', 'member', 'liaison')),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT service_group_members_one CHECK ((expert_id IS NULL) <> (user_id IS NULL))
);
CREATE UNIQUE INDEX service_group_members_expert ON service_group_members (group_id, expert_id)
    WHERE expert_id IS NOT NULL;
CREATE UNIQUE INDEX service_group_members_user ON service_group_members (group_id, user_id)
    WHERE user_id IS NOT NULL;

CREATE TABLE service_activities (
    id bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('agency_lecture', 'campus_science', 'park_guidance',
                                       'enterprise_station', 'other')),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    held_on date NOT NULL,
    place text,
    region_code text REFERENCES regions (code),
    group_id bigint REFERENCES service_groups (id),
    workstation_id bigint,
    expert_ids bigint[] NOT NULL DEFAULT '{}',
    enterprise_ids bigint[] NOT NULL DEFAULT '{}',
    academician_days numeric(6, 1) NOT NULL DEFAULT 0 CHECK (academician_days >= 0
                                                            AND academician_days <= 366),
    outcome text,
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    archived_at timestamptz,
    archived_by bigint
);
CREATE INDEX service_activities_date ON service_activities (held_on, id);
CREATE INDEX service_activities_workstation ON service_activities (workstation_id, held_on);

-- ---------------------------------------------------------------------------------------
-- the thesaurus: groups of synonyms widening searches and matching at query time

CREATE TABLE thesaurus_groups (
    id bigserial PRIMARY KEY,
    note text,
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE thesaurus_terms (
    group_id bigint NOT NULL REFERENCES thesaurus_groups (id) ON DELETE CASCADE,
    term text NOT NULL,
    words text[] NOT NULL, -- the term as the segmenter splits it
    PRIMARY KEY (group_id, term)
);
CREATE INDEX thesaurus_terms_words ON thesaurus_terms USING gin (words);

-- ---------------------------------------------------------------------------------------
-- idempotent creates: the first answer to a key is kept and returned to retries

CREATE TABLE idempotency_keys (
    user_id bigint NOT NULL,
    key text NOT NULL,
    route text NOT NULL,
    request_hash text NOT NULL,
    status integer NOT NULL,
    body text NOT NULL,
    location text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- ---------------------------------------------------------------------------------------
-- triggers: audit every write, keep updated_at, check code arrays

CREATE TRIGGER enterprises_audit AFTER INSERT OR UPDATE OR DELETE ON enterprises
    FOR EACH ROW EXECUTE FUNCTION audit_row('terms', 'search');
CREATE TRIGGER experts_audit AFTER INSERT OR UPDATE OR DELETE ON experts
    FOR EACH ROW EXECUTE FUNCTION audit_row('terms', 'search');
CREATE TRIGGER demands_audit AFTER INSERT OR UPDATE OR DELETE ON demands
    FOR EACH ROW EXECUTE FUNCTION audit_row('terms', 'search');
CREATE TRIGGER projects_audit AFTER INSERT OR UPDATE OR DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION audit_row('terms', 'search');
CREATE TRIGGER project_members_audit AFTER INSERT OR UPDATE OR DELETE ON project_members
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER service_groups_audit AFTER INSERT OR UPDATE OR DELETE ON service_groups
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER service_group_members_audit AFTER INSERT OR UPDATE OR DELETE
    ON service_group_members FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER service_activities_audit AFTER INSERT OR UPDATE OR DELETE ON service_activities
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER thesaurus_groups_audit AFTER INSERT OR UPDATE OR DELETE ON thesaurus_groups
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER thesaurus_terms_audit AFTER INSERT OR UPDATE OR DELETE ON thesaurus_terms
    FOR EACH ROW EXECUTE FUNCTION audit_row('words');

CREATE TRIGGER experts_codes BEFORE INSERT OR UPDATE OF discipline_codes, industry_codes
    ON experts FOR EACH ROW EXECUTE FUNCTION
    check_reference_codes('discipline_codes', 'disciplines', 'industry_codes', 'industries');
CREATE TRIGGER demands_codes BEFORE INSERT OR UPDATE OF discipline_codes ON demands
    FOR EACH ROW EXECUTE FUNCTION check_reference_codes('discipline_codes', 'disciplines');
CREATE TRIGGER service_groups_codes BEFORE INSERT OR UPDATE ON service_groups
    FOR EACH ROW EXECUTE FUNCTION
    check_reference_codes('industry_codes', 'industries', 'region_codes', 'regions');

-- users bind to the records that now exist
ALTER TABLE users ADD CONSTRAINT users_enterprise_id_fkey
    FOREIGN KEY (enterprise_id) REFERENCES enterprises (id);
ALTER TABLE users ADD CONSTRAINT users_expert_id_fkey
    FOREIGN KEY (expert_id) REFERENCES experts (id);
