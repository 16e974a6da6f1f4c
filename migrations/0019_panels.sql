-- Assessment panels (评审专家组): reviewers drawn from the expert library by conditions
-- (discipline, title, region), with conflicts of interest excluded (same affiliation as the
-- host enterprise, a shared project, a match with the host's demands, the station's own team
-- or academicians), the draw kept (who, when, conditions, seed, candidates, exclusions with
-- their reasons), each reviewer's confirmation, the stations assigned, and the checklist scores
-- each reviewer gives them. The draw itself is the statement in src/api/assessment_panels.c:
-- eligible experts ordered by md5(seed:id), so that a seed always draws the same.

CREATE TABLE assessment_panels (
    id bigserial PRIMARY KEY,
    year integer NOT NULL REFERENCES assessment_years (year),
    name text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
    size integer NOT NULL CHECK (size BETWEEN 1 AND 20),
    -- {"discipline_code", "title", "region_code"} as given
    conditions jsonb NOT NULL DEFAULT '{}',
    seed bigint NOT NULL CHECK (seed >= 0),
    -- experts meeting the conditions without a conflict (the pool drawn from)
    candidates integer NOT NULL CHECK (candidates >= 0),
    -- [{"expert_id", "reasons": ["affiliation" | "project" | "match" | "team" | "academician"]}]
    exclusions jsonb NOT NULL DEFAULT '[]',
    drawn_by bigint,
    drawn_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assessment_panels_year ON assessment_panels (year, id);

CREATE TABLE assessment_panel_stations (
    panel_id bigint NOT NULL REFERENCES assessment_panels (id),
    workstation_id bigint NOT NULL REFERENCES workstations (id),
    PRIMARY KEY (panel_id, workstation_id)
);
CREATE INDEX assessment_panel_stations_station ON assessment_panel_stations (workstation_id);

CREATE TABLE assessment_panel_reviewers (
    panel_id bigint NOT NULL REFERENCES assessment_panels (id),
    expert_id bigint NOT NULL REFERENCES experts (id),
    draw_order integer NOT NULL CHECK (draw_order >= 1),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'declined')),
    note text CHECK (length(note) <= 1000),
    responded_by bigint,
    responded_at timestamptz,
    PRIMARY KEY (panel_id, expert_id)
);
CREATE INDEX assessment_panel_reviewers_expert ON assessment_panel_reviewers (expert_id);

CREATE TABLE assessment_panel_scores (
    panel_id bigint NOT NULL,
    expert_id bigint NOT NULL,
    workstation_id bigint NOT NULL,
    scores jsonb NOT NULL DEFAULT '{}',
    updated_by bigint,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (panel_id, expert_id, workstation_id),
    FOREIGN KEY (panel_id, expert_id) REFERENCES assessment_panel_reviewers (panel_id, expert_id),
    FOREIGN KEY (panel_id, workstation_id)
        REFERENCES assessment_panel_stations (panel_id, workstation_id)
);

CREATE TRIGGER assessment_panels_audit AFTER INSERT OR UPDATE OR DELETE ON assessment_panels
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER assessment_panel_stations_audit AFTER INSERT OR UPDATE OR DELETE
    ON assessment_panel_stations FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER assessment_panel_reviewers_audit AFTER INSERT OR UPDATE OR DELETE
    ON assessment_panel_reviewers FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER assessment_panel_scores_audit AFTER INSERT OR UPDATE OR DELETE
    ON assessment_panel_scores FOR EACH ROW EXECUTE FUNCTION audit_row();

-- Staff see every panel; an expert the panels that drew them.
CREATE FUNCTION assessment_panel_can_read(p assessment_panels, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true WHEN 'county_staff' THEN true
        WHEN 'expert' THEN EXISTS (SELECT 1 FROM assessment_panel_reviewers r
                                   WHERE r.panel_id = p.id
                                     AND r.expert_id = (caller ->> 'expert')::bigint)
        ELSE false END
$$;

-- Whether the caller is a confirmed reviewer of a panel of that year the station is assigned to.
CREATE FUNCTION assessment_panel_reviews(station bigint, yr integer, caller jsonb)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT caller ->> 'role' = 'expert' AND EXISTS (
        SELECT 1 FROM assessment_panels p
        JOIN assessment_panel_stations s ON s.panel_id = p.id AND s.workstation_id = station
        JOIN assessment_panel_reviewers r ON r.panel_id = p.id AND r.status = 'confirmed'
             AND r.expert_id = (caller ->> 'expert')::bigint
        WHERE p.year = yr)
$$;

-- Reviewers read the evidence of the stations assigned to them.
CREATE OR REPLACE FUNCTION workstation_evidence_can_read(w workstations, yr integer, caller jsonb)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT workstation_can_read(w, caller) OR assessment_panel_reviews(w.id, yr, caller)
$$;

-- The checklist a station gets from its panels: per item, the mean of the confirmed
-- reviewers' scores (two decimals); NULL when none scored. Staff's own entry wins per item.
CREATE FUNCTION assessment_panel_checklist(station bigint, yr integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_object_agg(t.k, t.a) FROM (
        SELECT j.key AS k, round(avg(j.value::numeric), 2) AS a
        FROM assessment_panel_scores s
        JOIN assessment_panels p ON p.id = s.panel_id AND p.year = yr
        JOIN assessment_panel_reviewers r ON r.panel_id = s.panel_id
             AND r.expert_id = s.expert_id AND r.status = 'confirmed'
        CROSS JOIN LATERAL jsonb_each_text(s.scores) j
        WHERE s.workstation_id = station
        GROUP BY j.key) t
$$;

CREATE FUNCTION assessment_panel_status_label(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE s WHEN 'pending' THEN '待确认' WHEN 'confirmed' THEN '已确认' WHEN 'declined' THEN '已谢绝' END
$$;

CREATE FUNCTION assessment_panel_reason_label(r text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE r WHEN 'affiliation' THEN '与依托企业同单位' WHEN 'project' THEN '与工作站或依托企业有合作项目'
                  WHEN 'match' THEN '与依托企业的需求有对接' WHEN 'team' THEN '工作站专家团队成员'
                  WHEN 'academician' THEN '工作站进站院士' END
$$;

-- A panel as the API shows it; the exclusions (other experts' conflicts) only to staff.
CREATE FUNCTION assessment_panel_json(p assessment_panels, caller jsonb) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', p.id, 'year', p.year, 'name', p.name, 'size', p.size,
        'conditions', p.conditions, 'seed', p.seed, 'candidates', p.candidates,
        'excluded', CASE WHEN caller ->> 'role' IN ('admin', 'city_staff', 'county_staff') THEN
            (SELECT coalesce(json_agg(json_build_object(
                 'expert_id', (x ->> 'expert_id')::bigint,
                 'name', (SELECT e.name FROM experts e WHERE e.id = (x ->> 'expert_id')::bigint),
                 'reasons', x -> 'reasons',
                 'reason_labels', (SELECT json_agg(assessment_panel_reason_label(v))
                                   FROM jsonb_array_elements_text(x -> 'reasons') v))), '[]')
             FROM jsonb_array_elements(p.exclusions) x) END,
        'drawn_by', p.drawn_by,
        'drawn_by_name', (SELECT u.display_name FROM users u WHERE u.id = p.drawn_by),
        'drawn_at', p.drawn_at,
        'workstations', (SELECT coalesce(json_agg(json_build_object(
                             'id', w.id, 'name', w.name) ORDER BY w.id), '[]')
                         FROM assessment_panel_stations s
                         JOIN workstations w ON w.id = s.workstation_id
                         WHERE s.panel_id = p.id),
        'reviewers', (SELECT coalesce(json_agg(json_build_object(
                          'expert_id', r.expert_id, 'name', x.name, 'title', x.title,
                          'affiliation', x.affiliation, 'draw_order', r.draw_order,
                          'status', r.status,
                          'status_label', assessment_panel_status_label(r.status),
                          'note', r.note, 'responded_at', r.responded_at)
                          ORDER BY r.draw_order), '[]')
                      FROM assessment_panel_reviewers r JOIN experts x ON x.id = r.expert_id
                      WHERE r.panel_id = p.id))
$$;
