-- Projects (科技项目库), service groups (服务群) and service activities as the API sees them:
-- labels, serializers, who may read or change a record, and the checks the tables of 0004
-- lack (participants that exist, staff-only group members, the county scope of a project
-- whose region comes from its lead enterprise).
-- caller is {"role", "user_id", "region", "enterprise", "expert"} as sikud sends it.

-- ---------------------------------------------------------------------------------------
-- projects

CREATE FUNCTION project_kind_label(k text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE k WHEN 'workstation' THEN '院士工作站合作' WHEN 'industry_university' THEN '产学研合作'
                  WHEN 'soft_science' THEN '软科学课题' WHEN 'transfer' THEN '成果转化'
                  WHEN 'other' THEN '其他' END
$$;

CREATE FUNCTION project_status_label(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE s WHEN 'applied' THEN '申报' WHEN 'approved' THEN '立项'
                  WHEN 'in_progress' THEN '在研' WHEN 'concluded' THEN '结题'
                  WHEN 'accepted' THEN '验收' END
$$;

CREATE FUNCTION project_action_label(a text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE a WHEN 'create' THEN '申报' WHEN 'approve' THEN '立项' WHEN 'start' THEN '开始研究'
                  WHEN 'conclude' THEN '结题' WHEN 'accept' THEN '验收' WHEN 'return' THEN '退回' END
$$;

CREATE FUNCTION project_member_role_label(r text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE r WHEN 'lead' THEN '负责人' WHEN 'member' THEN '成员' WHEN 'advisor' THEN '顾问' END
$$;

CREATE FUNCTION project_json(p projects) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', p.id, 'title', p.title, 'summary', p.summary,
        'kind', p.kind, 'kind_label', project_kind_label(p.kind),
        'status', p.status, 'status_label', project_status_label(p.status),
        'start_date', p.start_date, 'end_date', p.end_date, 'funding', p.funding,
        'lead_enterprise_id', p.lead_enterprise_id, 'workstation_id', p.workstation_id,
        'demand_id', p.demand_id, 'region_code', p.region_code, 'industry_code', p.industry_code,
        'keywords', p.keywords, 'outcome_patents', p.outcome_patents,
        'outcome_papers', p.outcome_papers, 'outcome_products', p.outcome_products,
        'outcome_standards', p.outcome_standards, 'outcome_revenue', p.outcome_revenue,
        'outcome_note', p.outcome_note, 'archived', p.archived_at IS NOT NULL,
        'archived_at', p.archived_at, 'created_at', p.created_at, 'updated_at', p.updated_at,
        'version', p.version)
$$;

-- Staff read every project; an enterprise user those its enterprise leads; an expert user
-- those they are a member of.
CREATE FUNCTION project_can_read(p projects, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true WHEN 'county_staff' THEN true
        WHEN 'enterprise' THEN p.lead_enterprise_id = (caller ->> 'enterprise')::bigint
        WHEN 'expert' THEN EXISTS (SELECT 1 FROM project_members m
                                   WHERE m.project_id = p.id
                                     AND m.expert_id = (caller ->> 'expert')::bigint)
        ELSE false END
$$;

-- City-wide staff change any project; county staff those of their region; nobody else.
CREATE FUNCTION project_can_write(p projects, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true
        WHEN 'county_staff' THEN coalesce(p.region_code = caller ->> 'region', false)
        ELSE false END
$$;

-- Archived projects (and what hangs off them) are for staff only.
CREATE FUNCTION project_visible(p projects, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT project_can_read(p, caller)
       AND (p.archived_at IS NULL
            OR caller ->> 'role' IN ('admin', 'city_staff', 'county_staff'))
$$;

-- The region of a new project: the one given, else the lead enterprise's. County staff may
-- only create projects of their own region (sikud refuses an explicit other region before
-- this; here the derived one is checked).
CREATE FUNCTION project_region(j jsonb, caller jsonb) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    r text;
BEGIN
    IF j ? 'region_code' THEN
        r := j ->> 'region_code';
    ELSE
        SELECT e.region_code INTO r FROM enterprises e
        WHERE e.id = (j ->> 'lead_enterprise_id')::bigint;
    END IF;
    IF caller ->> 'role' = 'county_staff' AND r IS DISTINCT FROM caller ->> 'region' THEN
        RAISE EXCEPTION '项目所在地区（region_code，默认为牵头企业所在地区 %）不属于您的地区 %，请指定本地区的 region_code',
            coalesce(r, '无'), caller ->> 'region'
            USING ERRCODE = 'SK403';
    END IF;
    RETURN r;
END
$$;

CREATE FUNCTION project_transition_json(t project_transitions) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', t.id, 'project_id', t.project_id, 'action', t.action,
        'action_label', project_action_label(t.action), 'from_status', t.from_status,
        'from_status_label', project_status_label(t.from_status), 'to_status', t.to_status,
        'to_status_label', project_status_label(t.to_status), 'reason', t.reason,
        'user_id', t.user_id,
        'user_name', (SELECT u.display_name FROM users u WHERE u.id = t.user_id),
        'role', t.role, 'at', t.at)
$$;

CREATE FUNCTION project_member_rank(r text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE r WHEN 'lead' THEN 1 WHEN 'member' THEN 2 ELSE 3 END
$$;

CREATE FUNCTION project_member_json(m project_members) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'project_id', m.project_id, 'expert_id', m.expert_id, 'name', x.name,
        'expert_kind', x.kind,
        'expert_kind_label', CASE x.kind WHEN 'academician' THEN '院士' ELSE '专家' END,
        'affiliation', x.affiliation, 'role', m.role,
        'role_label', project_member_role_label(m.role), 'created_at', m.created_at)
    FROM experts x WHERE x.id = m.expert_id
$$;

CREATE INDEX projects_region ON projects (region_code, id) WHERE archived_at IS NULL;
CREATE INDEX projects_updated ON projects (updated_at, id);

-- ---------------------------------------------------------------------------------------
-- service groups

CREATE FUNCTION service_group_member_role_label(r text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE r WHEN 'leader' THEN '组长' WHEN 'member' THEN '成员' WHEN 'liaison' THEN '联络员' END
$$;

CREATE FUNCTION service_group_member_rank(r text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE r WHEN 'leader' THEN 1 WHEN 'liaison' THEN 2 ELSE 3 END
$$;

CREATE FUNCTION service_group_json(g service_groups) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', g.id, 'name', g.name, 'description', g.description,
        'industry_codes', g.industry_codes, 'region_codes', g.region_codes,
        'archived', g.archived_at IS NOT NULL, 'archived_at', g.archived_at,
        'created_at', g.created_at, 'updated_at', g.updated_at, 'version', g.version)
$$;

-- Staff read every group; an expert user the groups they belong to; enterprises none.
CREATE FUNCTION service_group_can_read(g service_groups, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true WHEN 'county_staff' THEN true
        WHEN 'expert' THEN EXISTS (SELECT 1 FROM service_group_members m
                                   WHERE m.group_id = g.id
                                     AND m.expert_id = (caller ->> 'expert')::bigint)
        ELSE false END
$$;

-- City-wide staff change any group; county staff the groups whose region_codes include
-- their region.
CREATE FUNCTION service_group_can_write(g service_groups, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true
        WHEN 'county_staff' THEN coalesce(caller ->> 'region' = ANY (g.region_codes), false)
        ELSE false END
$$;

CREATE FUNCTION service_group_visible(g service_groups, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT service_group_can_read(g, caller)
       AND (g.archived_at IS NULL
            OR caller ->> 'role' IN ('admin', 'city_staff', 'county_staff'))
$$;

CREATE FUNCTION service_group_member_json(m service_group_members) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', m.id, 'group_id', m.group_id, 'expert_id', m.expert_id, 'user_id', m.user_id,
        'name', coalesce(x.name, u.display_name),
        'member_kind', CASE WHEN m.user_id IS NOT NULL THEN 'staff' ELSE x.kind END,
        'member_kind_label', CASE WHEN m.user_id IS NOT NULL THEN '工作人员'
                                  WHEN x.kind = 'academician' THEN '院士' ELSE '专家' END,
        'role', m.role, 'role_label', service_group_member_role_label(m.role),
        'created_at', m.created_at)
    FROM (SELECT 1) one
    LEFT JOIN experts x ON x.id = m.expert_id
    LEFT JOIN users u ON u.id = m.user_id
$$;

-- A group's staff members are staff accounts: an enterprise or expert account joins through
-- its expert record, if any, not as a user.
CREATE FUNCTION service_group_members_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.user_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM users u WHERE u.id = NEW.user_id
               AND u.role NOT IN ('admin', 'city_staff', 'county_staff')) THEN
        RAISE EXCEPTION '用户 % 不是工作人员账号', NEW.user_id
            USING ERRCODE = 'SK400', CONSTRAINT = 'service_group_members_user_staff';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER service_group_members_check BEFORE INSERT OR UPDATE ON service_group_members
    FOR EACH ROW EXECUTE FUNCTION service_group_members_check();

CREATE INDEX service_group_members_expert_id ON service_group_members (expert_id)
    WHERE expert_id IS NOT NULL;
CREATE INDEX service_groups_updated ON service_groups (updated_at, id);

-- ---------------------------------------------------------------------------------------
-- service activities

CREATE FUNCTION service_activity_kind_label(k text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE k WHEN 'agency_lecture' THEN '进机关宣讲' WHEN 'campus_science' THEN '进校园科普'
                  WHEN 'park_guidance' THEN '进园区指导' WHEN 'enterprise_station' THEN '进企业建站'
                  WHEN 'other' THEN '其他服务' END
$$;

-- An enterprise user sees only itself among the enterprises an activity served.
CREATE FUNCTION service_activity_json(a service_activities, caller jsonb) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
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
        'created_at', a.created_at, 'updated_at', a.updated_at, 'version', a.version)
$$;

-- Staff read every activity; an expert user those they took part in; an enterprise user
-- those that served it.
CREATE FUNCTION service_activity_can_read(a service_activities, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true WHEN 'county_staff' THEN true
        WHEN 'expert' THEN coalesce((caller ->> 'expert')::bigint = ANY (a.expert_ids), false)
        WHEN 'enterprise' THEN coalesce((caller ->> 'enterprise')::bigint = ANY (a.enterprise_ids),
                                        false)
        ELSE false END
$$;

-- City-wide staff change any activity; county staff those of their region.
CREATE FUNCTION service_activity_can_write(a service_activities, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true
        WHEN 'county_staff' THEN coalesce(a.region_code = caller ->> 'region', false)
        ELSE false END
$$;

-- Participants and enterprises served must exist (SK400 naming the field, as
-- check_reference_codes does for codes).
CREATE FUNCTION service_activities_check_ids() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT i INTO bad FROM unnest(NEW.expert_ids) i
    WHERE NOT EXISTS (SELECT 1 FROM experts x WHERE x.id = i) LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION '专家 % 不存在', bad
            USING ERRCODE = 'SK400', CONSTRAINT = 'service_activities_expert_ids';
    END IF;
    SELECT i INTO bad FROM unnest(NEW.enterprise_ids) i
    WHERE NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.id = i) LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION '企业 % 不存在', bad
            USING ERRCODE = 'SK400', CONSTRAINT = 'service_activities_enterprise_ids';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER service_activities_check_ids
    BEFORE INSERT OR UPDATE OF expert_ids, enterprise_ids ON service_activities
    FOR EACH ROW EXECUTE FUNCTION service_activities_check_ids();

CREATE INDEX service_activities_experts ON service_activities USING gin (expert_ids);
CREATE INDEX service_activities_enterprises ON service_activities USING gin (enterprise_ids);
CREATE INDEX service_activities_region ON service_activities (region_code, held_on)
    WHERE archived_at IS NULL;

-- ---------------------------------------------------------------------------------------
-- audit: audit_row() subtracts TG_ARGV from the row, and a trigger created without
-- arguments has TG_ARGV NULL, which made before/after NULL for these tables. Re-created with
-- an argument that names no column, so the rows are logged in full.

DROP TRIGGER project_members_audit ON project_members;
CREATE TRIGGER project_members_audit AFTER INSERT OR UPDATE OR DELETE ON project_members
    FOR EACH ROW EXECUTE FUNCTION audit_row('-');
DROP TRIGGER service_groups_audit ON service_groups;
CREATE TRIGGER service_groups_audit AFTER INSERT OR UPDATE OR DELETE ON service_groups
    FOR EACH ROW EXECUTE FUNCTION audit_row('-');
DROP TRIGGER service_group_members_audit ON service_group_members;
CREATE TRIGGER service_group_members_audit AFTER INSERT OR UPDATE OR DELETE
    ON service_group_members FOR EACH ROW EXECUTE FUNCTION audit_row('-');
DROP TRIGGER service_activities_audit ON service_activities;
CREATE TRIGGER service_activities_audit AFTER INSERT OR UPDATE OR DELETE ON service_activities
    FOR EACH ROW EXECUTE FUNCTION audit_row('-');
