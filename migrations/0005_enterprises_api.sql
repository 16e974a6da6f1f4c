-- Enterprises as the API sees them: the serializer and who may read or change one.
-- caller is {"role", "user_id", "region", "enterprise", "expert"} as sikud sends it.

CREATE FUNCTION size_label(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE s WHEN 'large' THEN '大型' WHEN 'medium' THEN '中型' WHEN 'small' THEN '小型'
                  WHEN 'micro' THEN '微型' END
$$;

CREATE FUNCTION enterprise_json(e enterprises) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', e.id, 'name', e.name, 'credit_code', e.credit_code,
        'region_code', e.region_code, 'industry_code', e.industry_code,
        'size', e.size, 'size_label', size_label(e.size), 'high_tech', e.high_tech,
        'address', e.address, 'contact_name', e.contact_name, 'contact_phone', e.contact_phone,
        'description', e.description, 'archived', e.archived_at IS NOT NULL,
        'archived_at', e.archived_at, 'created_at', e.created_at, 'updated_at', e.updated_at,
        'version', e.version)
$$;

-- Staff read every enterprise; an enterprise user only its own.
CREATE FUNCTION enterprise_can_read(e enterprises, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true WHEN 'county_staff' THEN true
        WHEN 'enterprise' THEN e.id = (caller ->> 'enterprise')::bigint
        ELSE false END
$$;

-- City-wide staff change any; county staff those of their region; an enterprise user its own.
CREATE FUNCTION enterprise_can_write(e enterprises, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true
        WHEN 'county_staff' THEN e.region_code = caller ->> 'region'
        WHEN 'enterprise' THEN e.id = (caller ->> 'enterprise')::bigint
        ELSE false END
$$;
