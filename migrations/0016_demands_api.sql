-- Demands (企业需求库) as the API sees them: labels, the full and the public serializers, who
-- may read or change a demand, the region a new demand takes, and its history rows.
-- caller is {"role", "user_id", "region", "enterprise", "expert"} as sikud sends it. The
-- workflow itself (which action leads from which status to which) is decided by sikud
-- (src/domain/demand_workflow.c); the statements here apply what it decided.

CREATE FUNCTION demand_kind_label(k text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE k WHEN 'technical_problem' THEN '技术难题' WHEN 'talent' THEN '人才需求'
                  WHEN 'transfer' THEN '成果转化' WHEN 'joint_rnd' THEN '合作研发'
                  WHEN 'equipment' THEN '设备共享' END
$$;

CREATE FUNCTION demand_status_label(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE s WHEN 'draft' THEN '草稿' WHEN 'submitted' THEN '已提交'
                  WHEN 'published' THEN '已发布' WHEN 'matching' THEN '匹配中'
                  WHEN 'matched' THEN '已匹配' WHEN 'cooperating' THEN '合作中'
                  WHEN 'closed' THEN '已关闭' WHEN 'rejected' THEN '已退回'
                  WHEN 'withdrawn' THEN '已撤回' END
$$;

CREATE FUNCTION demand_action_label(a text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE a WHEN 'create' THEN '创建' WHEN 'submit' THEN '提交' WHEN 'publish' THEN '发布'
                  WHEN 'reject' THEN '退回' WHEN 'withdraw' THEN '撤回'
                  WHEN 'revise' THEN '重新编辑' WHEN 'close' THEN '关闭'
                  WHEN 'match' THEN '专家匹配进展' END
$$;

-- Published demands (and those being matched) are open to everyone, signed in or not.
CREATE FUNCTION demand_is_public(d demands) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT d.status IN ('published', 'matching') AND d.archived_at IS NULL
$$;

CREATE FUNCTION demand_json(d demands) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', d.id, 'enterprise_id', d.enterprise_id,
        'enterprise_name', (SELECT e.name FROM enterprises e WHERE e.id = d.enterprise_id),
        'title', d.title, 'description', d.description,
        'kind', d.kind, 'kind_label', demand_kind_label(d.kind),
        'service_modes', d.service_modes, 'industry_code', d.industry_code,
        'discipline_codes', d.discipline_codes, 'keywords', d.keywords,
        'budget_min', d.budget_min, 'budget_max', d.budget_max, 'deadline', d.deadline,
        'region_code', d.region_code,
        'status', d.status, 'status_label', demand_status_label(d.status),
        'status_reason', d.status_reason, 'published_at', d.published_at,
        'archived', d.archived_at IS NOT NULL, 'archived_at', d.archived_at,
        'created_at', d.created_at, 'updated_at', d.updated_at, 'version', d.version)
$$;

-- What anyone may know of a public demand: no enterprise identity, contacts or bookkeeping.
CREATE FUNCTION demand_public_json(d demands) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', d.id, 'title', d.title, 'description', d.description,
        'kind', d.kind, 'kind_label', demand_kind_label(d.kind),
        'service_modes', d.service_modes, 'industry_code', d.industry_code,
        'discipline_codes', d.discipline_codes, 'keywords', d.keywords,
        'region_code', d.region_code, 'deadline', d.deadline,
        'budget_min', d.budget_min, 'budget_max', d.budget_max,
        'status', d.status, 'status_label', demand_status_label(d.status),
        'published_at', d.published_at)
$$;

-- Full access: staff read every demand; an enterprise user its own enterprise's.
CREATE FUNCTION demand_can_read(d demands, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true WHEN 'county_staff' THEN true
        WHEN 'enterprise' THEN d.enterprise_id = (caller ->> 'enterprise')::bigint
        ELSE false END
$$;

-- Whether the caller may know the demand exists: full access, or a public demand.
CREATE FUNCTION demand_visible(d demands, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT demand_can_read(d, caller) OR demand_is_public(d)
$$;

-- The demand as this caller may see it.
CREATE FUNCTION demand_json_for(d demands, caller jsonb) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN demand_can_read(d, caller) THEN demand_json(d)
                ELSE demand_public_json(d) END
$$;

-- City-wide staff change any demand; county staff those of their region; an enterprise user
-- its own enterprise's.
CREATE FUNCTION demand_can_write(d demands, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true
        WHEN 'county_staff' THEN coalesce(d.region_code = caller ->> 'region', false)
        WHEN 'enterprise' THEN d.enterprise_id = (caller ->> 'enterprise')::bigint
        ELSE false END
$$;

-- Whether the caller may edit the demand's fields in its present status: an enterprise only
-- while it is its own to edit (draft, rejected, withdrawn); staff until it is closed.
CREATE FUNCTION demand_editable(d demands, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'enterprise' THEN d.status IN ('draft', 'rejected', 'withdrawn')
        ELSE d.status <> 'closed' END
$$;

-- The region of a new demand: the one given, else its enterprise's. An unknown enterprise
-- is refused here, naming the field (the foreign key would come too late: region_code is
-- NOT NULL).
CREATE FUNCTION demand_region(j jsonb) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    r text;
BEGIN
    SELECT e.region_code INTO r FROM enterprises e WHERE e.id = (j ->> 'enterprise_id')::bigint;
    IF NOT FOUND THEN
        RAISE EXCEPTION '企业“%”不存在', j ->> 'enterprise_id'
            USING ERRCODE = 'SK400', CONSTRAINT = 'demands_enterprise_id_fkey';
    END IF;
    RETURN coalesce(j ->> 'region_code', r);
END
$$;

CREATE FUNCTION demand_transition_json(t demand_transitions) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', t.id, 'demand_id', t.demand_id, 'action', t.action,
        'action_label', demand_action_label(t.action), 'from_status', t.from_status,
        'from_status_label', demand_status_label(t.from_status), 'to_status', t.to_status,
        'to_status_label', demand_status_label(t.to_status), 'reason', t.reason,
        'user_id', t.user_id,
        'user_name', (SELECT u.display_name FROM users u WHERE u.id = t.user_id),
        'role', t.role, 'at', t.at)
$$;

CREATE INDEX demands_updated ON demands (updated_at, id);
CREATE INDEX demands_service_modes ON demands USING gin (service_modes);
CREATE INDEX demands_disciplines ON demands USING gin (discipline_codes);
