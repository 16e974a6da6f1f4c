-- Functions whose plans were made again on every call, rewritten so that PL/pgSQL keeps them
-- per connection. Same answers throughout.
--
-- 1. The row writes' helpers. audit_append was a SQL function holding an INSERT: called from
--    the audit trigger's PERFORM, its body was parsed and planned for every audited row.
--    check_reference_codes built its queries with EXECUTE format(...), planned on every row.
--    Together they were 85 % of the time of writing an expert (COPY of 10,000 generated
--    experts: 10.9 s, of which 6.5 s the code check and 2.7 s the audit row).
--
-- 2. The remaining serializers and row-access checks with sub-selects, as 0022 and 0023 did
--    for expert_json and demand_json: a SQL function whose body holds a sub-select is never
--    inlined, so its body was planned in every statement that called it. `#variable_conflict
--    use_column` keeps the SQL-function rule that a column name wins over a parameter's.
--    Bodies that read FROM a table are returned as a scalar sub-select (no row → NULL, as the
--    SQL function returned). pgbench, one workstation by id, 8 clients: 4,129 → 12,374 tps.

CREATE OR REPLACE FUNCTION audit_append(p_action text, p_record_type text, p_record_id text,
                                        p_before jsonb, p_after jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (user_id, role, action, route, request_id, client_addr,
                           record_type, record_id, before, after)
    VALUES (nullif(current_setting('siku.user_id', true), '')::bigint,
            nullif(current_setting('siku.role', true), ''), p_action,
            nullif(current_setting('siku.route', true), ''),
            nullif(current_setting('siku.request_id', true), ''),
            nullif(current_setting('siku.client', true), ''),
            p_record_type, p_record_id, p_before, p_after);
END
$$;

-- The first of CODES missing from reference table REF (regions, disciplines or industries),
-- or NULL: one static index probe per code, where check_reference_codes used EXECUTE (and an
-- anti-join would hash the whole table on every row).
CREATE FUNCTION reference_code_missing(ref text, codes text[]) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    c text;
BEGIN
    FOREACH c IN ARRAY coalesce(codes, '{}') LOOP
        CASE ref
        WHEN 'regions' THEN PERFORM FROM regions r WHERE r.code = c;
        WHEN 'disciplines' THEN PERFORM FROM disciplines r WHERE r.code = c;
        WHEN 'industries' THEN PERFORM FROM industries r WHERE r.code = c;
        END CASE; -- any other table raises CASE_NOT_FOUND: a caller written wrongly
        IF NOT FOUND THEN
            RETURN c;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

-- Raises the error check_reference_codes raised (SK400, constraint "<table>_<column>", which
-- the daemon turns into a field error) when CODES holds one REF lacks.
CREATE FUNCTION reference_codes_assert(tbl text, col text, ref text, codes text[]) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
    bad text := reference_code_missing(ref, codes);
BEGIN
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION '代码“%”不存在', bad USING ERRCODE = 'SK400', CONSTRAINT = tbl || '_' || col;
    END IF;
END
$$;

-- One trigger function per table, reading its columns directly (the generic one turned the
-- whole row into JSON to find them).
CREATE FUNCTION experts_check_codes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reference_codes_assert('experts', 'discipline_codes', 'disciplines',
                                   NEW.discipline_codes);
    PERFORM reference_codes_assert('experts', 'industry_codes', 'industries', NEW.industry_codes);
    RETURN NEW;
END
$$;

CREATE FUNCTION demands_check_codes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reference_codes_assert('demands', 'discipline_codes', 'disciplines',
                                   NEW.discipline_codes);
    RETURN NEW;
END
$$;

CREATE FUNCTION service_groups_check_codes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reference_codes_assert('service_groups', 'industry_codes', 'industries',
                                   NEW.industry_codes);
    PERFORM reference_codes_assert('service_groups', 'region_codes', 'regions', NEW.region_codes);
    RETURN NEW;
END
$$;

DROP TRIGGER experts_codes ON experts;
DROP TRIGGER demands_codes ON demands;
DROP TRIGGER service_groups_codes ON service_groups;
DROP FUNCTION check_reference_codes();
CREATE TRIGGER experts_codes BEFORE INSERT OR UPDATE OF discipline_codes, industry_codes
    ON experts FOR EACH ROW EXECUTE FUNCTION experts_check_codes();
CREATE TRIGGER demands_codes BEFORE INSERT OR UPDATE OF discipline_codes ON demands
    FOR EACH ROW EXECUTE FUNCTION demands_check_codes();
CREATE TRIGGER service_groups_codes BEFORE INSERT OR UPDATE ON service_groups
    FOR EACH ROW EXECUTE FUNCTION service_groups_check_codes();

CREATE OR REPLACE FUNCTION assessment_panel_can_read(p assessment_panels, caller jsonb) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true WHEN 'county_staff' THEN true
        WHEN 'expert' THEN EXISTS (SELECT 1 FROM assessment_panel_reviewers r
                                   WHERE r.panel_id = p.id
                                     AND r.expert_id = (caller ->> 'expert')::bigint)
        ELSE false END;
END
$$;

CREATE OR REPLACE FUNCTION assessment_panel_json(p assessment_panels, caller jsonb) RETURNS json LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN json_build_object(
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
                      WHERE r.panel_id = p.id));
END
$$;

CREATE OR REPLACE FUNCTION assessment_result_json(r assessment_results) RETURNS json LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN (SELECT json_build_object(
            'workstation_id', r.workstation_id, 'workstation_name', w.name,
            'region_code', w.region_code,
            'region_name', (SELECT g.name FROM regions g WHERE g.code = w.region_code),
            'host_enterprise_name', (SELECT e.name FROM enterprises e
                                     WHERE e.id = w.host_enterprise_id),
            'year', r.year, 'status', r.status, 'status_label', assessment_status_label(r.status),
            'computed_score', r.computed_score, 'adjusted_score', r.adjusted_score,
            'adjust_reason', r.adjust_reason, 'adjusted_by', r.adjusted_by,
            'adjusted_at', r.adjusted_at, 'score', r.score, 'rank', r.rank, 'grade', r.grade,
            'grade_label', assessment_grade_label(r.grade), 'exemplar', r.exemplar,
            'problems', r.problems, 'leaves', r.leaves)
        FROM workstations w WHERE w.id = r.workstation_id);
END
$$;

CREATE OR REPLACE FUNCTION demand_transition_json(t demand_transitions) RETURNS json LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN json_build_object(
        'id', t.id, 'demand_id', t.demand_id, 'action', t.action,
        'action_label', demand_action_label(t.action), 'from_status', t.from_status,
        'from_status_label', demand_status_label(t.from_status), 'to_status', t.to_status,
        'to_status_label', demand_status_label(t.to_status), 'reason', t.reason,
        'user_id', t.user_id,
        'user_name', (SELECT u.display_name FROM users u WHERE u.id = t.user_id),
        'role', t.role, 'at', t.at);
END
$$;

CREATE OR REPLACE FUNCTION match_can_read(m matches, caller jsonb) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true WHEN 'county_staff' THEN true
        WHEN 'enterprise' THEN EXISTS (SELECT 1 FROM demands d WHERE d.id = m.demand_id
                                       AND d.enterprise_id = (caller ->> 'enterprise')::bigint)
        WHEN 'expert' THEN m.expert_id = (caller ->> 'expert')::bigint
        ELSE false END;
END
$$;

CREATE OR REPLACE FUNCTION match_json(m matches) RETURNS json LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN json_build_object(
        'id', m.id, 'demand_id', m.demand_id, 'expert_id', m.expert_id, 'status', m.status,
        'status_label', match_status_label(m.status), 'score', m.score, 'reasons', m.reasons,
        'note', m.note, 'project_id', m.project_id,
        'expert', (SELECT expert_match_profile(e) FROM experts e WHERE e.id = m.expert_id),
        'demand', (SELECT json_build_object('id', d.id, 'title', d.title,
                                            'enterprise_id', d.enterprise_id,
                                            'region_code', d.region_code, 'status', d.status)
                   FROM demands d WHERE d.id = m.demand_id),
        'created_at', m.created_at, 'updated_at', m.updated_at, 'version', m.version);
END
$$;

CREATE OR REPLACE FUNCTION project_can_read(p projects, caller jsonb) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true WHEN 'county_staff' THEN true
        WHEN 'enterprise' THEN p.lead_enterprise_id = (caller ->> 'enterprise')::bigint
        WHEN 'expert' THEN EXISTS (SELECT 1 FROM project_members m
                                   WHERE m.project_id = p.id
                                     AND m.expert_id = (caller ->> 'expert')::bigint)
        ELSE false END;
END
$$;

CREATE OR REPLACE FUNCTION project_transition_json(t project_transitions) RETURNS json LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN json_build_object(
        'id', t.id, 'project_id', t.project_id, 'action', t.action,
        'action_label', project_action_label(t.action), 'from_status', t.from_status,
        'from_status_label', project_status_label(t.from_status), 'to_status', t.to_status,
        'to_status_label', project_status_label(t.to_status), 'reason', t.reason,
        'user_id', t.user_id,
        'user_name', (SELECT u.display_name FROM users u WHERE u.id = t.user_id),
        'role', t.role, 'at', t.at);
END
$$;

CREATE OR REPLACE FUNCTION service_activity_json(a service_activities, caller jsonb) RETURNS json LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN json_build_object(
        'id', a.id, 'kind', a.kind, 'kind_label', service_activity_kind_label(a.kind),
        'title', a.title, 'held_on', a.held_on, 'place', a.place,
        'region_code', a.region_code, 'group_id', a.group_id,
        'workstation_id', a.workstation_id, 'expert_ids', a.expert_ids,
        'enterprise_ids', CASE WHEN caller ->> 'role' = 'enterprise'
                               THEN ARRAY(SELECT e FROM unnest(a.enterprise_ids) e
                                          WHERE e = (caller ->> 'enterprise')::bigint)
                               ELSE a.enterprise_ids END,
        'academician_days', a.academician_days, 'outcome', a.outcome,
        'archived', a.archived_at IS NOT NULL, 'archived_at', a.archived_at,
        'created_at', a.created_at, 'updated_at', a.updated_at, 'version', a.version);
END
$$;

CREATE OR REPLACE FUNCTION service_group_can_read(g service_groups, caller jsonb) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true WHEN 'county_staff' THEN true
        WHEN 'expert' THEN EXISTS (SELECT 1 FROM service_group_members m
                                   WHERE m.group_id = g.id
                                     AND m.expert_id = (caller ->> 'expert')::bigint)
        ELSE false END;
END
$$;

CREATE OR REPLACE FUNCTION service_group_member_json(m service_group_members) RETURNS json LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN (SELECT json_build_object(
            'id', m.id, 'group_id', m.group_id, 'expert_id', m.expert_id, 'user_id', m.user_id,
            'name', coalesce(x.name, u.display_name),
            'member_kind', CASE WHEN m.user_id IS NOT NULL THEN 'staff' ELSE x.kind END,
            'member_kind_label', CASE WHEN m.user_id IS NOT NULL THEN '工作人员'
                                      WHEN x.kind = 'academician' THEN '院士' ELSE '专家' END,
            'role', m.role, 'role_label', service_group_member_role_label(m.role),
            'created_at', m.created_at)
        FROM (SELECT 1) one
        LEFT JOIN experts x ON x.id = m.expert_id
        LEFT JOIN users u ON u.id = m.user_id);
END
$$;

CREATE OR REPLACE FUNCTION thesaurus_group_json(g thesaurus_groups) RETURNS json LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN json_build_object(
        'id', g.id,
        'terms', coalesce((SELECT json_agg(t.term ORDER BY t.term) FROM thesaurus_terms t
                           WHERE t.group_id = g.id), '[]'::json),
        'note', g.note, 'created_by', g.created_by, 'created_at', g.created_at);
END
$$;

CREATE OR REPLACE FUNCTION workstation_evidence_json(e workstation_evidence) RETURNS json LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN json_build_object(
        'id', e.id, 'workstation_id', e.workstation_id, 'year', e.year,
        'report_id', e.report_id, 'file_name', e.file_name, 'content_type', e.content_type,
        'size', e.size, 'sha256', e.sha256, 'indicator', e.indicator,
        'uploaded_by', e.uploaded_by,
        'uploaded_by_name', (SELECT u.display_name FROM users u WHERE u.id = e.uploaded_by),
        'uploaded_at', e.uploaded_at);
END
$$;

CREATE OR REPLACE FUNCTION workstation_json(w workstations) RETURNS json LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN json_build_object(
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
        'created_at', w.created_at, 'updated_at', w.updated_at, 'version', w.version);
END
$$;

CREATE OR REPLACE FUNCTION workstation_report_json(r workstation_reports) RETURNS json LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN (SELECT json_build_object(
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
        FROM (SELECT workstation_recorded_days(r.workstation_id, r.year) AS days) d);
END
$$;

CREATE OR REPLACE FUNCTION workstation_report_transition_json(t workstation_report_transitions) RETURNS json LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN json_build_object(
        'id', t.id, 'report_id', t.report_id, 'action', t.action,
        'action_label', workstation_report_action_label(t.action),
        'from_status', t.from_status,
        'from_status_label', workstation_report_status_label(t.from_status),
        'to_status', t.to_status,
        'to_status_label', workstation_report_status_label(t.to_status), 'reason', t.reason,
        'user_id', t.user_id,
        'user_name', (SELECT u.display_name FROM users u WHERE u.id = t.user_id),
        'role', t.role, 'at', t.at);
END
$$;

CREATE OR REPLACE FUNCTION workstation_transition_json(t workstation_transitions) RETURNS json LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN json_build_object(
        'id', t.id, 'workstation_id', t.workstation_id, 'from_status', t.from_status,
        'from_status_label', workstation_status_label(t.from_status), 'to_status', t.to_status,
        'to_status_label', workstation_status_label(t.to_status), 'reason', t.reason,
        'user_id', t.user_id,
        'user_name', (SELECT u.display_name FROM users u WHERE u.id = t.user_id),
        'role', t.role, 'at', t.at);
END
$$;
