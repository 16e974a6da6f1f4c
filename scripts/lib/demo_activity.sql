-- The demo's work in progress, loaded once after generate.sql and `sikud reindex` (the ranking
-- needs the search terms): proposals for the open demands from the real ranking (match_hits,
-- with the reasons staff read), each moved along the match workflow as far as its demand has
-- gone; the projects' workflow history; this year's "四进" activities. So that a staff member's
-- dashboard, match board and record histories look like a year at work, not an empty system.
\set ON_ERROR_STOP 1
BEGIN;
SELECT match_refresh_lexeme_stats();

-- Two experts for each demand past publication, the best two the ranking offers for the
-- demand's keywords. The first goes as far as the demand (matched → accepted, cooperating,
-- closed), the second stops earlier or declines.
CREATE TEMP TABLE demo_hits ON COMMIT DROP AS
SELECT d.id AS demand_id, d.status AS demand_status, d.published_at,
       (h.hit->>'rank')::int AS rank, (h.hit->'expert'->>'id')::bigint AS expert_id,
       (h.hit->>'score')::real AS score, h.hit->'reasons' AS reasons
FROM demands d
CROSS JOIN LATERAL (SELECT string_agg(quote_literal(k), ' | ')::tsquery AS q
                    FROM unnest(d.keywords) k) q
CROSS JOIN LATERAL match_hits(d.id, q.q, '{}', 2) h
WHERE d.status IN ('matching', 'matched', 'cooperating', 'closed') AND q.q IS NOT NULL;

CREATE TEMP TABLE demo_paths (demand_status text, rank int, path text[]) ON COMMIT DROP;
INSERT INTO demo_paths VALUES
    ('matching', 1, '{proposed,contacted}'), ('matching', 2, '{proposed}'),
    ('matched', 1, '{proposed,contacted,accepted}'), ('matched', 2, '{proposed,contacted,declined}'),
    ('cooperating', 1, '{proposed,contacted,accepted,cooperating}'),
    ('cooperating', 2, '{proposed,contacted,declined}'),
    ('closed', 1, '{proposed,contacted,accepted,cooperating,closed}'),
    ('closed', 2, '{proposed,contacted,declined}');

INSERT INTO matches (demand_id, expert_id, status, score, reasons, note, created_at, updated_at)
SELECT h.demand_id, h.expert_id, p.path[cardinality(p.path)], h.score, h.reasons,
       CASE h.rank WHEN 1 THEN '研究方向与需求高度契合，优先联系' END,
       h.published_at + (h.rank || ' days')::interval,
       least(h.published_at + ((h.rank + 3 * cardinality(p.path)) || ' days')::interval, now())
FROM demo_hits h JOIN demo_paths p USING (demand_status, rank);

INSERT INTO match_transitions (match_id, from_status, to_status, reason, role, at)
SELECT m.id, p.path[i - 1], p.path[i],
       CASE p.path[i] WHEN 'declined' THEN '近期科研任务较重，暂不能承接'
                      WHEN 'accepted' THEN '愿意合作，可先到企业现场交流' END,
       CASE WHEN p.path[i] IN ('accepted', 'declined') THEN 'expert' ELSE 'city_staff' END,
       least(m.created_at + ((3 * (i - 1)) || ' days')::interval, now())
FROM matches m
JOIN demands d ON d.id = m.demand_id
JOIN demo_hits h ON h.demand_id = m.demand_id AND h.expert_id = m.expert_id
JOIN demo_paths p ON p.demand_status = d.status AND p.rank = h.rank
CROSS JOIN LATERAL generate_series(1, cardinality(p.path)) i;

-- How each project came to its status: 申报 a month before it started, 立项 on its start date.
INSERT INTO project_transitions (project_id, from_status, to_status, action, reason, role, at)
SELECT p.id, s.from_status, s.to_status, s.action, NULL,
       CASE s.action WHEN 'create' THEN 'enterprise' ELSE 'city_staff' END,
       least(p.start_date + s.offset_days, now())
FROM projects p
CROSS JOIN LATERAL (VALUES
    (1, NULL, 'applied', 'create', -30), (2, 'applied', 'approved', 'approve', 0),
    (3, 'approved', 'in_progress', 'start', 20), (4, 'in_progress', 'concluded', 'conclude', 330),
    (5, 'concluded', 'accepted', 'accept', 360)
) AS s(n, from_status, to_status, action, offset_days)
WHERE s.n <= array_position('{applied,approved,in_progress,concluded,accepted}', p.status);

-- This year's "四进" activities so far (generate.sql made last year's).
INSERT INTO service_activities (kind, title, held_on, place, region_code, group_id, expert_ids,
    enterprise_ids, academician_days, outcome)
SELECT (ARRAY['agency_lecture','campus_science','park_guidance','enterprise_station','other'])[1 + (g % 5)],
       (ARRAY['院士专家进机关作科技创新专题报告','院士进中小学科普讲座','专家进高新区开展技术诊断',
              '院士进企业指导工作站建设','院士专家与企业产学研对接会'])[1 + (g % 5)],
       date_trunc('year', current_date)::date
           + (g * 17 % greatest(current_date - date_trunc('year', current_date)::date, 1)),
       (ARRAY['扬州市科协报告厅','扬州中学','扬州高新技术产业开发区','江都科技园','扬州市会议中心'])[1 + (g % 5)],
       (ARRAY['321002','321003','321012','321023','321081','321084','321071','321091','321092'])[1 + (g % 9)],
       (SELECT max(id) FROM service_groups),
       ARRAY(SELECT id FROM experts WHERE kind = 'academician' ORDER BY (id + 3 * g) % 19 LIMIT 2),
       ARRAY(SELECT id FROM enterprises ORDER BY (id + 5 * g) % 11 LIMIT 2),
       (1 + g % 4)::numeric, '形成技术合作意向' || (1 + g % 3) || '项'
FROM generate_series(1, 18) g;
COMMIT;
