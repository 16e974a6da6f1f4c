-- Experts and academicians as the API sees them: labels, the serializer (contact data masked
-- unless the caller may see it), and who may read or change one. Both kinds share the experts
-- table and one id space. caller is {"role", "user_id", "region", "enterprise", "expert"}.

CREATE FUNCTION expert_title_label(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE t WHEN 'senior' THEN '正高级' WHEN 'associate_senior' THEN '副高级'
                  WHEN 'intermediate' THEN '中级' WHEN 'junior' THEN '初级'
                  WHEN 'other' THEN '其他' END
$$;

CREATE FUNCTION affiliation_kind_label(k text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE k WHEN 'university' THEN '高校' WHEN 'institute' THEN '科研院所'
                  WHEN 'enterprise' THEN '企业' WHEN 'other' THEN '其他' END
$$;

CREATE FUNCTION academy_label(a text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE a WHEN 'CAS' THEN '中国科学院' WHEN 'CAE' THEN '中国工程院'
                  WHEN 'foreign' THEN '外籍院士' END
$$;

CREATE FUNCTION gender_label(g text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE g WHEN 'male' THEN '男' WHEN 'female' THEN '女' END
$$;

CREATE FUNCTION academician_status_label(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE s WHEN 'active' THEN '在职' WHEN 'retired' THEN '退休'
                  WHEN 'deceased' THEN '已故' END
$$;

CREATE FUNCTION city_tie_label(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE t WHEN 'native' THEN '籍贯' WHEN 'work' THEN '工作'
                  WHEN 'cooperation' THEN '合作' ELSE t END
$$;

-- Ties to the city are codes the API validates; the table keeps them honest for other writers.
ALTER TABLE experts ADD CONSTRAINT experts_city_ties
    CHECK (city_ties <@ ARRAY['native', 'work', 'cooperation']);
ALTER TABLE experts ADD CONSTRAINT experts_service_modes
    CHECK (service_modes <@ ARRAY['transfer', 'commissioned', 'joint', 'training', 'consulting']);

-- Sorting by name pages through a keyset on (name, id).
CREATE INDEX experts_name ON experts (kind, (name COLLATE "C"), id);

-- The record; phone, e-mail, ID number and address in full only when unmasked.
CREATE FUNCTION expert_json(e experts, unmasked boolean) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT (jsonb_build_object(
        'id', e.id, 'kind', e.kind,
        'kind_label', CASE e.kind WHEN 'academician' THEN '院士' ELSE '专家' END,
        'name', e.name, 'gender', e.gender, 'gender_label', gender_label(e.gender),
        'birth_year', e.birth_year, 'title', e.title, 'title_label', expert_title_label(e.title),
        'position', e.position, 'affiliation', e.affiliation,
        'affiliation_kind', e.affiliation_kind,
        'affiliation_kind_label', affiliation_kind_label(e.affiliation_kind),
        'region_code', e.region_code, 'discipline_codes', to_jsonb(e.discipline_codes),
        'industry_codes', to_jsonb(e.industry_codes), 'research_fields', e.research_fields,
        'keywords', to_jsonb(e.keywords), 'achievements', e.achievements,
        'service_modes', to_jsonb(e.service_modes),
        'service_mode_labels',
            to_jsonb(ARRAY(SELECT match_mode_label(m) FROM unnest(e.service_modes) m)),
        'phone', CASE WHEN unmasked THEN e.phone ELSE mask_phone(e.phone) END,
        'email', CASE WHEN unmasked THEN e.email ELSE mask_email(e.email) END,
        'id_number', CASE WHEN unmasked THEN e.id_number ELSE mask_id_number(e.id_number) END,
        'address', CASE WHEN unmasked THEN e.address ELSE mask_address(e.address) END,
        'contact_masked', NOT unmasked,
        'consent', e.consent, 'consent_at', e.consent_at, 'available', e.available,
        'archived', e.archived_at IS NOT NULL, 'archived_at', e.archived_at,
        'created_at', e.created_at, 'updated_at', e.updated_at, 'version', e.version)
    || CASE WHEN e.kind = 'academician' THEN jsonb_build_object(
        'academy', e.academy, 'academy_label', academy_label(e.academy),
        'division', e.division, 'election_year', e.election_year,
        'city_ties', to_jsonb(e.city_ties),
        'city_tie_labels', to_jsonb(ARRAY(SELECT city_tie_label(t) FROM unnest(e.city_ties) t)),
        'ties_note', e.ties_note, 'status', e.status,
        'status_label', academician_status_label(e.status))
       ELSE '{}'::jsonb END)::json
$$;

-- Staff read every record; an expert user only their own. Enterprises see experts only as
-- match hits (expert_match_profile).
CREATE FUNCTION expert_can_read(e experts, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true WHEN 'county_staff' THEN true
        WHEN 'expert' THEN e.id = (caller ->> 'expert')::bigint
        ELSE false END
$$;

-- City-wide staff change any; county staff those of their region; an expert their own.
CREATE FUNCTION expert_can_write(e experts, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true
        WHEN 'county_staff' THEN e.region_code IS NOT DISTINCT FROM caller ->> 'region'
        WHEN 'expert' THEN e.id = (caller ->> 'expert')::bigint
        ELSE false END
$$;

-- A text[] from a jsonb array (NULL or absent: the empty array).
CREATE FUNCTION jsonb_text_array(j jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(ARRAY(SELECT jsonb_array_elements_text(
        CASE jsonb_typeof(j) WHEN 'array' THEN j ELSE '[]'::jsonb END)), '{}')
$$;
