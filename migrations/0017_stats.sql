-- Yearly statistics (年度统计): the figures a 科协 reports each year, per county-level region
-- of the city and city-wide. docs/assessment.md explains each figure to staff. A record
-- counts in the region of its region_code (a match in its demand's, a project in its own or
-- else its lead enterprise's, a grade in its station's); records without a region inside the
-- city count in the row "市本级或未填地区" and in the city-wide row. Archived records are left
-- out. Years run on Asia/Shanghai time (the time zone of sikud's sessions).

CREATE TYPE stats_row AS (
    ord integer,               -- display order: regions by sort_order, then other, then city
    scope text,                -- 'region' | 'other' | 'city'
    region_code text,
    region_name text,
    academicians bigint,       -- academicians brought in (created that year)
    experts bigint,            -- experts brought in (created that year)
    demands_posted bigint,     -- demands created that year and not left as drafts
    demands_matched bigint,    -- demands that moved to matched that year
    demands_solved bigint,     -- demands closed after cooperating that year
    matches_proposed bigint,   -- matches proposed that year, by their state now
    matches_contacted bigint,
    matches_accepted bigint,
    matches_declined bigint,
    matches_cooperating bigint,
    matches_closed bigint,
    matches_total bigint,
    projects_signed bigint,    -- projects approved (立项) that year
    ws_planning bigint,        -- workstations by their status at the end of the year
    ws_running bigint,
    ws_suspended bigint,
    ws_revoked bigint,
    ws_concluded bigint,
    ws_total bigint,
    grade_excellent bigint,    -- workstations by the grade of that year's assessment
    grade_good bigint,
    grade_pass bigint,
    grade_fail bigint,
    grade_none bigint,         -- assessed but without a grade (no accepted report)
    act_agency_lecture bigint, -- service activities held that year, by kind ("四进")
    act_campus_science bigint,
    act_park_guidance bigint,
    act_enterprise_station bigint,
    act_other bigint,
    act_total bigint
);

-- The status a station had at the end of year yr: the last recorded move before then; a
-- station without any recorded move (entered by SQL or an import) counts with its status now
-- if it existed by then. NULL: it did not exist yet.
CREATE FUNCTION workstation_status_at_year_end(w workstations, yr integer) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT t.to_status FROM workstation_transitions t
         WHERE t.workstation_id = w.id AND t.at < make_date(yr + 1, 1, 1)::timestamptz
         ORDER BY t.at DESC, t.id DESC LIMIT 1),
        CASE WHEN w.created_at < make_date(yr + 1, 1, 1)::timestamptz
              AND NOT EXISTS (SELECT 1 FROM workstation_transitions t
                              WHERE t.workstation_id = w.id)
             THEN w.status END)
$$;

CREATE FUNCTION stats_year(yr integer) RETURNS SETOF stats_row LANGUAGE sql STABLE AS $$
    WITH b AS (SELECT make_date(yr, 1, 1)::timestamptz AS t0,
                      make_date(yr + 1, 1, 1)::timestamptz AS t1),
    city AS (SELECT c.code, c.name FROM regions c WHERE c.kind = 'city'
             ORDER BY c.sort_order LIMIT 1),
    areas AS (SELECT r.code, r.name, r.sort_order FROM regions r JOIN city ON r.parent_code = city.code),
    facts (rc, k) AS (
        SELECT e.region_code, CASE e.kind WHEN 'academician' THEN 'academician' ELSE 'expert' END
        FROM experts e, b
        WHERE e.archived_at IS NULL AND e.created_at >= b.t0 AND e.created_at < b.t1
      UNION ALL
        SELECT d.region_code, 'demand_posted' FROM demands d, b
        WHERE d.archived_at IS NULL AND d.status <> 'draft'
          AND d.created_at >= b.t0 AND d.created_at < b.t1
      UNION ALL
        SELECT d.region_code, 'demand_matched' FROM demands d, b
        WHERE d.archived_at IS NULL
          AND EXISTS (SELECT 1 FROM demand_transitions t WHERE t.demand_id = d.id
                      AND t.to_status = 'matched' AND t.at >= b.t0 AND t.at < b.t1)
      UNION ALL
        SELECT d.region_code, 'demand_solved' FROM demands d, b
        WHERE d.archived_at IS NULL
          AND EXISTS (SELECT 1 FROM demand_transitions t WHERE t.demand_id = d.id
                      AND t.from_status = 'cooperating' AND t.to_status = 'closed'
                      AND t.at >= b.t0 AND t.at < b.t1)
      UNION ALL
        SELECT d.region_code, 'match_' || m.status FROM matches m
        JOIN demands d ON d.id = m.demand_id, b
        WHERE m.created_at >= b.t0 AND m.created_at < b.t1
      UNION ALL
        SELECT coalesce(p.region_code, e.region_code), 'project_signed' FROM projects p
        LEFT JOIN enterprises e ON e.id = p.lead_enterprise_id, b
        WHERE p.archived_at IS NULL
          AND EXISTS (SELECT 1 FROM project_transitions t WHERE t.project_id = p.id
                      AND t.to_status = 'approved' AND t.at >= b.t0 AND t.at < b.t1)
      UNION ALL
        SELECT w.region_code, 'ws_' || s.status FROM workstations w
        CROSS JOIN LATERAL (SELECT workstation_status_at_year_end(w, yr) AS status) s
        WHERE w.archived_at IS NULL AND s.status IS NOT NULL
      UNION ALL
        SELECT w.region_code, 'grade_' || coalesce(r.grade, 'none') FROM assessment_results r
        JOIN workstations w ON w.id = r.workstation_id
        WHERE r.year = yr
      UNION ALL
        SELECT a.region_code, 'act_' || a.kind FROM service_activities a, b
        WHERE a.archived_at IS NULL AND a.held_on >= make_date(yr, 1, 1)
          AND a.held_on < make_date(yr + 1, 1, 1)
    ),
    placed AS (SELECT a.code, f.k FROM facts f LEFT JOIN areas a ON a.code = f.rc),
    groups (ord, scope, code, name) AS (
        SELECT a.sort_order, 'region', a.code, a.name FROM areas a
      UNION ALL SELECT 2147483646, 'other', NULL, '市本级或未填地区'
      UNION ALL SELECT 2147483647, 'city', city.code, city.name FROM city)
    SELECT g.ord, g.scope, g.code, g.name,
        count(*) FILTER (WHERE p.k = 'academician'),
        count(*) FILTER (WHERE p.k = 'expert'),
        count(*) FILTER (WHERE p.k = 'demand_posted'),
        count(*) FILTER (WHERE p.k = 'demand_matched'),
        count(*) FILTER (WHERE p.k = 'demand_solved'),
        count(*) FILTER (WHERE p.k = 'match_proposed'),
        count(*) FILTER (WHERE p.k = 'match_contacted'),
        count(*) FILTER (WHERE p.k = 'match_accepted'),
        count(*) FILTER (WHERE p.k = 'match_declined'),
        count(*) FILTER (WHERE p.k = 'match_cooperating'),
        count(*) FILTER (WHERE p.k = 'match_closed'),
        count(*) FILTER (WHERE p.k LIKE 'match\_%'),
        count(*) FILTER (WHERE p.k = 'project_signed'),
        count(*) FILTER (WHERE p.k = 'ws_planning'),
        count(*) FILTER (WHERE p.k = 'ws_running'),
        count(*) FILTER (WHERE p.k = 'ws_suspended'),
        count(*) FILTER (WHERE p.k = 'ws_revoked'),
        count(*) FILTER (WHERE p.k = 'ws_concluded'),
        count(*) FILTER (WHERE p.k LIKE 'ws\_%'),
        count(*) FILTER (WHERE p.k = 'grade_excellent'),
        count(*) FILTER (WHERE p.k = 'grade_good'),
        count(*) FILTER (WHERE p.k = 'grade_pass'),
        count(*) FILTER (WHERE p.k = 'grade_fail'),
        count(*) FILTER (WHERE p.k = 'grade_none'),
        count(*) FILTER (WHERE p.k = 'act_agency_lecture'),
        count(*) FILTER (WHERE p.k = 'act_campus_science'),
        count(*) FILTER (WHERE p.k = 'act_park_guidance'),
        count(*) FILTER (WHERE p.k = 'act_enterprise_station'),
        count(*) FILTER (WHERE p.k = 'act_other'),
        count(*) FILTER (WHERE p.k LIKE 'act\_%')
    FROM groups g
    LEFT JOIN placed p ON CASE g.scope WHEN 'region' THEN p.code = g.code
                                       WHEN 'other' THEN p.code IS NULL
                                       ELSE true END
    GROUP BY g.ord, g.scope, g.code, g.name
    ORDER BY g.ord
$$;

-- One row of stats_year as the API answers it.
CREATE FUNCTION stats_row_json(s stats_row) RETURNS json LANGUAGE sql IMMUTABLE AS $$
    SELECT json_build_object(
        'region_code', s.region_code, 'region_name', s.region_name,
        'academicians_brought_in', s.academicians, 'experts_brought_in', s.experts,
        'demands', json_build_object('posted', s.demands_posted, 'matched', s.demands_matched,
                                     'solved', s.demands_solved),
        'matches', json_build_object('proposed', s.matches_proposed,
                                     'contacted', s.matches_contacted,
                                     'accepted', s.matches_accepted,
                                     'declined', s.matches_declined,
                                     'cooperating', s.matches_cooperating,
                                     'closed', s.matches_closed, 'total', s.matches_total),
        'projects_signed', s.projects_signed,
        'workstations_by_status', json_build_object('planning', s.ws_planning,
                                                    'running', s.ws_running,
                                                    'suspended', s.ws_suspended,
                                                    'revoked', s.ws_revoked,
                                                    'concluded', s.ws_concluded,
                                                    'total', s.ws_total),
        'workstations_by_grade', json_build_object('excellent', s.grade_excellent,
                                                   'good', s.grade_good, 'pass', s.grade_pass,
                                                   'fail', s.grade_fail,
                                                   'ungraded', s.grade_none),
        'service_activities', json_build_object('agency_lecture', s.act_agency_lecture,
                                                'campus_science', s.act_campus_science,
                                                'park_guidance', s.act_park_guidance,
                                                'enterprise_station', s.act_enterprise_station,
                                                'other', s.act_other, 'total', s.act_total))
$$;
