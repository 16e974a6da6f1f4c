-- Matching demands with experts: the industry -> discipline crosswalk the ranking uses as
-- evidence, and the matches staff propose, with their workflow and history.

-- GB/T 4754-2017 divisions (and sections) -> GB/T 13745-2009 first-level disciplines whose
-- experts typically solve that industry's problems; weight 1 = the main discipline, less =
-- related ones. Kept as data: staff can extend it with SQL, and it is read at query time.
CREATE TABLE industry_disciplines (
    industry_code text NOT NULL REFERENCES industries (code),
    discipline_code text NOT NULL REFERENCES disciplines (code),
    weight real NOT NULL CHECK (weight > 0 AND weight <= 1),
    PRIMARY KEY (industry_code, discipline_code)
);

INSERT INTO industry_disciplines (industry_code, discipline_code, weight)
SELECT i, d, w FROM (VALUES
    ('A01', '210', 1.0), ('A01', '180', 0.5), ('A02', '220', 1.0), ('A03', '230', 1.0),
    ('A03', '180', 0.4), ('A04', '240', 1.0), ('A05', '210', 0.8), ('A05', '230', 0.5),
    ('B06', '440', 1.0), ('B07', '440', 1.0), ('B07', '480', 0.6), ('B08', '440', 1.0),
    ('B08', '450', 0.5), ('B09', '440', 1.0), ('B09', '450', 0.6), ('B10', '440', 1.0),
    ('B11', '440', 0.8), ('B12', '440', 1.0),
    ('C13', '550', 1.0), ('C13', '210', 0.4), ('C14', '550', 1.0), ('C15', '550', 1.0),
    ('C16', '550', 0.8), ('C17', '540', 1.0), ('C18', '540', 1.0), ('C19', '540', 0.8),
    ('C19', '530', 0.4), ('C20', '220', 0.7), ('C20', '430', 0.6), ('C21', '535', 0.8),
    ('C21', '430', 0.5), ('C22', '530', 0.8), ('C22', '220', 0.5), ('C23', '535', 0.7),
    ('C24', '535', 0.8), ('C25', '530', 1.0), ('C25', '480', 0.7), ('C26', '530', 1.0),
    ('C26', '150', 0.7), ('C27', '350', 1.0), ('C27', '360', 0.7), ('C27', '180', 0.6),
    ('C28', '540', 0.8), ('C28', '430', 0.8), ('C29', '430', 1.0), ('C29', '530', 0.6),
    ('C30', '430', 1.0), ('C30', '560', 0.4), ('C31', '450', 1.0), ('C31', '430', 0.5),
    ('C32', '450', 1.0), ('C32', '430', 0.6), ('C33', '460', 0.8), ('C33', '430', 0.6),
    ('C34', '460', 1.0), ('C34', '413', 0.4), ('C35', '460', 0.8), ('C35', '416', 0.8),
    ('C35', '535', 0.5), ('C36', '580', 1.0), ('C36', '460', 0.5), ('C36', '470', 0.5),
    ('C37', '580', 1.0), ('C37', '590', 0.8), ('C37', '460', 0.5), ('C38', '470', 1.0),
    ('C38', '480', 1.0), ('C38', '510', 0.5), ('C39', '510', 1.0), ('C39', '520', 0.6),
    ('C39', '430', 0.4), ('C40', '460', 0.7), ('C40', '510', 0.7), ('C40', '140', 0.5),
    ('C41', '535', 0.7), ('C42', '610', 1.0), ('C43', '460', 0.8),
    ('D44', '470', 1.0), ('D44', '480', 0.8), ('D45', '480', 1.0), ('D46', '570', 1.0),
    ('D46', '610', 0.7),
    ('E47', '560', 1.0), ('E48', '560', 1.0), ('E48', '570', 0.5), ('E49', '560', 0.8),
    ('E49', '470', 0.4), ('E50', '560', 0.8), ('E50', '760', 0.4),
    ('F51', '790', 0.6), ('F52', '790', 0.6), ('F52', '630', 0.5),
    ('G53', '580', 1.0), ('G54', '580', 1.0), ('G55', '580', 1.0), ('G56', '580', 0.8),
    ('G56', '590', 0.8), ('G57', '580', 0.7), ('G58', '580', 0.6), ('G58', '630', 0.5),
    ('G59', '580', 0.6), ('G59', '630', 0.6), ('G60', '630', 0.6),
    ('H61', '550', 0.5), ('H62', '550', 0.8),
    ('I63', '510', 1.0), ('I64', '520', 1.0), ('I65', '520', 1.0), ('I65', '413', 0.5),
    ('J66', '790', 1.0), ('J67', '790', 1.0), ('J68', '790', 1.0), ('J69', '790', 0.8),
    ('K70', '560', 0.6), ('K70', '790', 0.6),
    ('L71', '790', 0.6), ('L72', '630', 0.8), ('L72', '790', 0.5),
    ('M73', '410', 0.8), ('M74', '410', 0.7), ('M74', '420', 0.7), ('M75', '630', 0.7),
    ('N76', '570', 1.0), ('N77', '610', 1.0), ('N77', '180', 0.4), ('N78', '560', 0.7),
    ('N78', '610', 0.7),
    ('O79', '840', 0.6), ('O80', '460', 0.5), ('O81', '840', 0.5),
    ('P83', '880', 1.0), ('Q84', '320', 1.0), ('Q84', '330', 0.8), ('Q84', '310', 0.5),
    ('Q85', '840', 1.0), ('R86', '860', 1.0), ('R87', '760', 1.0), ('R88', '760', 0.8),
    ('R89', '890', 1.0), ('R90', '760', 0.6),
    ('S91', '810', 1.0), ('S92', '810', 0.8), ('S93', '810', 0.8), ('S94', '840', 0.8),
    ('S95', '840', 0.6), ('S96', '810', 0.6), ('T97', '810', 1.0),
    -- the city's leading-industry tags
    ('Z01', '460', 1.0), ('Z01', '413', 0.7), ('Z01', '510', 0.5),
    ('Z02', '510', 1.0), ('Z02', '430', 0.6), ('Z02', '140', 0.4),
    ('Z03', '580', 1.0), ('Z03', '480', 0.9), ('Z03', '470', 0.8),
    ('Z04', '350', 1.0), ('Z04', '180', 0.7), ('Z04', '360', 0.6), ('Z04', '416', 0.5),
    ('Z05', '520', 1.0), ('Z05', '413', 0.6), ('Z05', '510', 0.4)
) AS v (i, d, w)
WHERE EXISTS (SELECT 1 FROM industries WHERE code = v.i)
  AND EXISTS (SELECT 1 FROM disciplines WHERE code = v.d);

-- The matches staff propose: proposed -> contacted -> accepted | declined -> cooperating ->
-- closed, every step recorded.
CREATE TABLE matches (
    id bigserial PRIMARY KEY,
    demand_id bigint NOT NULL REFERENCES demands (id),
    expert_id bigint NOT NULL REFERENCES experts (id),
    status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'contacted', 'accepted',
        'declined', 'cooperating', 'closed')),
    score real,
    reasons jsonb,
    note text,
    project_id bigint REFERENCES projects (id),
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX matches_pair ON matches (demand_id, expert_id);
CREATE INDEX matches_expert ON matches (expert_id, status);
CREATE INDEX matches_status ON matches (status, id);

CREATE TABLE match_transitions (
    id bigserial PRIMARY KEY,
    match_id bigint NOT NULL REFERENCES matches (id),
    from_status text,
    to_status text NOT NULL,
    reason text,
    user_id bigint,
    role text,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX match_transitions_match ON match_transitions (match_id, id);

CREATE TRIGGER matches_audit AFTER INSERT OR UPDATE OR DELETE ON matches
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER industry_disciplines_audit AFTER INSERT OR UPDATE OR DELETE
    ON industry_disciplines FOR EACH ROW EXECUTE FUNCTION audit_row();

-- ---------------------------------------------------------------------------------------
-- Ranking experts for a demand (docs/matching.md explains each step and how to tune it).

-- The weights of the score's components and how much text it takes to trust the text. One
-- row; admins tune it with SQL (UPDATE match_settings SET ...), read at every query.
CREATE TABLE match_settings (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    w_discipline real NOT NULL DEFAULT 0.35,
    w_cluster real NOT NULL DEFAULT 0.25,
    w_text real NOT NULL DEFAULT 0.20,
    w_industry real NOT NULL DEFAULT 0.10,
    w_service_modes real NOT NULL DEFAULT 0.05,
    w_region real NOT NULL DEFAULT 0.05,
    w_history real NOT NULL DEFAULT 0.05,
    -- a best text hit sharing this much information (sum of idf) with the demand is fully
    -- trusted; less is trusted in proportion
    text_confidence real NOT NULL DEFAULT 16 CHECK (text_confidence > 0),
    -- query words found in more than this share of experts say nothing
    max_word_share real NOT NULL DEFAULT 0.2 CHECK (max_word_share > 0 AND max_word_share <= 1),
    -- how many experts each query word is looked up in at most
    word_postings integer NOT NULL DEFAULT 1000 CHECK (word_postings > 0)
);
INSERT INTO match_settings DEFAULT VALUES;
CREATE TRIGGER match_settings_audit AFTER INSERT OR UPDATE OR DELETE ON match_settings
    FOR EACH ROW EXECUTE FUNCTION audit_row();

-- First-level disciplines of a list of codes (GB/T 13745: the first three digits).
CREATE FUNCTION discipline_roots(codes text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT left(c, 3)), '{}') FROM unnest(codes) c
$$;

ALTER TABLE experts ADD COLUMN discipline_roots text[]
    GENERATED ALWAYS AS (discipline_roots(discipline_codes)) STORED;
CREATE INDEX experts_discipline_roots ON experts USING gin (discipline_roots)
    WHERE archived_at IS NULL;
CREATE INDEX experts_keywords ON experts USING gin (keywords) WHERE archived_at IS NULL;
-- More lexeme statistics: expert_lexeme_idf reads document frequencies from them.
ALTER TABLE experts ALTER COLUMN search SET STATISTICS 1000;

-- The lexemes of a tsquery.
CREATE FUNCTION tsquery_lexemes(q tsquery) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT replace(m[1], '''''', '''')), '{}')
    FROM regexp_matches(q::text, '''((?:[^'']|'''')+)''', 'g') m
$$;

-- The share of experts whose search vector holds each common lexeme, copied from the
-- planner's statistics (kept by ANALYZE and autovacuum) by match_refresh_lexeme_stats(),
-- which sikud runs every few minutes: reading pg_stats at query time costs milliseconds.
CREATE TABLE expert_lexeme_stats (
    lexeme text PRIMARY KEY,
    share real NOT NULL
);
CREATE TABLE expert_lexeme_stats_state (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    analyzed_at timestamptz,
    refreshed_at timestamptz,
    floor_share real NOT NULL DEFAULT 0.001
);
INSERT INTO expert_lexeme_stats_state DEFAULT VALUES;

-- Copies the statistics when ANALYZE has run since the last copy; returns whether it did.
CREATE FUNCTION match_refresh_lexeme_stats() RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    analyzed timestamptz;
BEGIN
    SELECT greatest(last_analyze, last_autoanalyze) INTO analyzed
    FROM pg_stat_user_tables WHERE relid = 'experts'::regclass;
    IF analyzed IS NULL OR analyzed IS NOT DISTINCT FROM
        (SELECT analyzed_at FROM expert_lexeme_stats_state) THEN
        RETURN false;
    END IF;
    DELETE FROM expert_lexeme_stats;
    INSERT INTO expert_lexeme_stats (lexeme, share)
    SELECT u.l, max(u.f) FROM pg_stats s,
        unnest(s.most_common_elems::text::text[],
               s.most_common_elem_freqs[1:cardinality(s.most_common_elems::text::text[])]) u(l, f)
    WHERE s.schemaname = current_schema() AND s.tablename = 'experts' AND s.attname = 'search'
      AND u.l IS NOT NULL
    GROUP BY u.l;
    UPDATE expert_lexeme_stats_state SET analyzed_at = analyzed, refreshed_at = now(),
        floor_share = coalesce((SELECT min(share) / 2 FROM expert_lexeme_stats), 0.001);
    RETURN true;
END
$$;

-- Inverse document frequency of lexemes among the experts. A lexeme missing from the
-- statistics is rarer than the rarest one listed.
CREATE FUNCTION expert_lexeme_idf(lexemes text[]) RETURNS TABLE (lexeme text, share real, idf real)
LANGUAGE sql STABLE AS $$
    SELECT x.l, coalesce(s.share, st.floor_share),
           ln(1 / greatest(coalesce(s.share, st.floor_share), 0.0001))::real
    FROM (SELECT DISTINCT unnest(lexemes) AS l) x CROSS JOIN expert_lexeme_stats_state st
    LEFT JOIN expert_lexeme_stats s ON s.lexeme = x.l
$$;

-- Each offerable expert's components for the demand (p_query: the demand's words as an OR
-- tsquery, widened by the thesaurus), best first. Components are in [0, 1] (history in
-- [-1, 1]); the score is their weighted sum.
CREATE FUNCTION match_rank(p_demand bigint, p_query tsquery, p_filters jsonb, p_limit integer)
RETURNS TABLE (expert_id bigint, score real, parts jsonb, matched text[], cluster text[])
LANGUAGE sql STABLE AS $$
WITH cfg AS (SELECT * FROM match_settings),
d AS (SELECT * FROM demands WHERE id = p_demand),
-- informative query lexemes only: words most experts use say nothing
lx AS (SELECT i.lexeme, i.idf, to_tsquery('simple', quote_literal(i.lexeme)) AS q
       FROM expert_lexeme_idf(tsquery_lexemes(p_query)) i, cfg
       WHERE i.share <= cfg.max_word_share
       ORDER BY i.idf DESC LIMIT 24),
-- experts sharing informative words, scored by the information they share: one index scan per
-- word (an inverted index walk), summed per expert. A word's postings are capped: past a few
-- hundred experts a word is common, and reading all of them costs more than it tells.
hits AS (
    SELECT p.id, max(p.discipline_codes) AS discipline_codes, sum(p.idf) AS s
    FROM lx CROSS JOIN LATERAL (
        SELECT e.id, e.discipline_codes, lx.idf FROM experts e
        WHERE e.search @@ lx.q AND e.archived_at IS NULL
        LIMIT (SELECT word_postings FROM cfg)) p
    GROUP BY p.id ORDER BY s DESC, p.id LIMIT 300),
top_hits AS (SELECT * FROM hits ORDER BY s DESC LIMIT 50),
-- how far to trust the text: a best hit sharing one middling word says little
conf AS (SELECT least(1, coalesce(max(h.s), 0) / (SELECT text_confidence FROM cfg)) AS c,
                nullif(max(h.s), 0) AS best FROM top_hits h),
-- the demand's field as first-level disciplines: what its industry usually needs (the
-- crosswalk, and the disciplines it names), what the best text hits work in, and what the
-- experts who serve this industry work in
cw AS (SELECT disc, max(w) AS w FROM (
           SELECT x.discipline_code AS disc, x.weight AS w FROM industry_disciplines x, d
           WHERE x.industry_code = d.industry_code
           UNION ALL SELECT left(c, 3), 1.0 FROM d, unnest(d.discipline_codes) c) s
       GROUP BY 1),
tv AS (SELECT left(c.code, 3) AS disc, sum(h.s * CASE WHEN c.n = 1 THEN 1 ELSE 0.5 END) AS w
       FROM top_hits h, unnest(h.discipline_codes) WITH ORDINALITY c(code, n) GROUP BY 1),
ind_experts AS (
    SELECT e.id, e.discipline_codes, e.keywords FROM experts e, d
    WHERE e.industry_codes @> ARRAY[d.industry_code] AND e.archived_at IS NULL LIMIT 1000),
iv AS (SELECT left(e.discipline_codes[1], 3) AS disc, count(*)::real AS w
       FROM ind_experts e WHERE cardinality(e.discipline_codes) > 0 GROUP BY 1),
field AS (
    SELECT disc, 0.45 * coalesce(cw.w / nullif((SELECT max(w) FROM cw), 0), 0)
               + 0.40 * (SELECT c FROM conf) * coalesce(tv.w / nullif((SELECT max(w) FROM tv), 0), 0)
               + 0.15 * coalesce(iv.w / nullif((SELECT max(w) FROM iv), 0), 0) AS p
    FROM cw FULL JOIN tv USING (disc) FULL JOIN iv USING (disc)),
-- the keywords the field's people use: those of the best text hits and of the experts of
-- this industry, weighted by how sure each is (pseudo-relevance feedback)
seeds AS (
    SELECT h.id, (SELECT c FROM conf) * h.s / (SELECT best FROM conf) AS w FROM top_hits h
    UNION ALL
    SELECT e.id, 0.5 * coalesce((SELECT f.p FROM field f
                                 WHERE f.disc = left(e.discipline_codes[1], 3)), 0)
    FROM ind_experts e),
profile AS (
    SELECT k, sum(s.w) AS w FROM seeds s JOIN experts e ON e.id = s.id, unnest(e.keywords) k
    GROUP BY k ORDER BY 2 DESC LIMIT 40),
top_fields AS (SELECT disc FROM field ORDER BY p DESC LIMIT 3),
-- the field and the profile as maps, for cheap lookups per candidate
maps AS (SELECT (SELECT jsonb_object_agg(disc, p) FROM field) AS fm,
                (SELECT jsonb_object_agg(k, w) FROM profile) AS pm),
-- candidates through the indexes: text hits, experts of the likeliest fields (those who serve
-- the industry first), experts using the field's keywords
cand_ids AS (
    SELECT id FROM hits
    UNION
    (SELECT e.id FROM experts e, d
     WHERE e.discipline_roots && ARRAY(SELECT disc FROM top_fields) AND e.archived_at IS NULL
     ORDER BY e.industry_codes @> ARRAY[d.industry_code] DESC, e.id LIMIT 300)
    UNION
    (SELECT e.id FROM experts e
     WHERE e.keywords && ARRAY(SELECT k FROM profile) AND e.archived_at IS NULL LIMIT 600)
    UNION
    SELECT (p_filters ->> 'expert_id')::bigint WHERE p_filters ->> 'expert_id' IS NOT NULL),
cand AS (
    SELECT e.id, e.search, e.keywords, e.discipline_codes, e.industry_codes, e.service_modes,
           e.region_code, e.city_ties, h.s
    FROM cand_ids i JOIN experts e ON e.id = i.id
    LEFT JOIN hits h ON h.id = e.id
    WHERE e.archived_at IS NULL AND e.consent AND e.available AND e.status <> 'deceased'
      AND (p_filters ->> 'region_code' IS NULL OR e.region_code = p_filters ->> 'region_code')
      AND (p_filters ->> 'kind' IS NULL OR e.kind = p_filters ->> 'kind')
      AND (p_filters ->> 'title' IS NULL OR e.title = p_filters ->> 'title')
      AND (p_filters ->> 'affiliation_kind' IS NULL
           OR e.affiliation_kind = p_filters ->> 'affiliation_kind')
      AND (p_filters ->> 'service_mode' IS NULL
           OR p_filters ->> 'service_mode' = ANY (e.service_modes))
      AND (coalesce((p_filters ->> 'exclude_matched')::boolean, false) = false
           OR NOT EXISTS (SELECT 1 FROM matches m WHERE m.demand_id = p_demand
                          AND m.expert_id = e.id))),
history AS (
    SELECT m.expert_id,
           count(*) FILTER (WHERE m.status IN ('cooperating', 'closed')
                              AND md.industry_code = d.industry_code) AS coop,
           count(*) FILTER (WHERE m.status = 'declined') AS declined, count(*) AS total
    FROM matches m JOIN demands md ON md.id = m.demand_id, d
    WHERE m.expert_id IN (SELECT id FROM cand) GROUP BY m.expert_id),
scored AS MATERIALIZED (
    SELECT c.id, c.search, c.keywords,
        greatest(coalesce((m.fm ->> left(c.discipline_codes[1], 3))::real, 0),
                 0.5 * coalesce((m.fm ->> left(c.discipline_codes[2], 3))::real, 0),
                 0.5 * coalesce((m.fm ->> left(c.discipline_codes[3], 3))::real, 0)) AS discipline,
        coalesce((SELECT sum((m.pm ->> k)::real) FROM unnest(c.keywords) k), 0)
            / greatest(cardinality(c.keywords), 2) AS cl,
        (SELECT c FROM conf) * coalesce(c.s / (SELECT best FROM conf), 0) AS text,
        CASE WHEN d.industry_code = ANY (c.industry_codes) THEN 1
             WHEN EXISTS (SELECT 1 FROM unnest(c.industry_codes) i
                          WHERE left(i, 1) = left(d.industry_code, 1)) THEN 0.5 ELSE 0 END AS industry,
        CASE WHEN cardinality(d.service_modes) = 0 THEN 0
             ELSE cardinality(ARRAY(SELECT unnest(d.service_modes) INTERSECT
                                    SELECT unnest(c.service_modes)))::real
                  / cardinality(d.service_modes) END AS service_modes,
        CASE WHEN c.region_code = d.region_code THEN 1
             WHEN left(c.region_code, 4) = left(d.region_code, 4) OR cardinality(c.city_ties) > 0
             THEN 0.5 ELSE 0 END AS region,
        coalesce(least(1, h.coop / 2.0) - h.declined::real / greatest(h.total, 3), 0) AS history
    FROM cand c CROSS JOIN d CROSS JOIN maps m LEFT JOIN history h ON h.expert_id = c.id),
norm AS (SELECT s.*, coalesce(s.cl / nullif(max(s.cl) OVER (), 0), 0) AS cluster FROM scored s),
final AS (
    SELECT n.*, (cfg.w_discipline * n.discipline + cfg.w_cluster * n.cluster
                 + cfg.w_text * n.text + cfg.w_industry * n.industry
                 + cfg.w_service_modes * n.service_modes + cfg.w_region * n.region
                 + cfg.w_history * n.history)::real AS score
    FROM norm n, cfg
    -- one expert's figures (for a match's record) are those of the whole ranking
    WHERE p_filters ->> 'expert_id' IS NULL OR n.id = (p_filters ->> 'expert_id')::bigint
    ORDER BY score DESC, n.id
    LIMIT p_limit)
-- the words behind the text and field components, for the best only
SELECT f.id, f.score,
       jsonb_build_object('discipline', round(f.discipline::numeric, 4),
                          'cluster', round(f.cluster::numeric, 4),
                          'text', round(f.text::numeric, 4),
                          'industry', round(f.industry::numeric, 4),
                          'service_modes', round(f.service_modes::numeric, 4),
                          'region', round(f.region::numeric, 4),
                          'history', round(f.history::numeric, 4)),
       ARRAY(SELECT lx.lexeme FROM lx WHERE f.text > 0 AND f.search @@ lx.q ORDER BY lx.idf DESC),
       ARRAY(SELECT p.k FROM profile p WHERE p.k = ANY (f.keywords) ORDER BY p.w DESC)
FROM final f
ORDER BY f.score DESC, f.id
$$;

CREATE FUNCTION match_mode_label(m text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE m WHEN 'transfer' THEN '技术转让' WHEN 'commissioned' THEN '委托研究'
                  WHEN 'joint' THEN '联合攻关' WHEN 'training' THEN '人才培养'
                  WHEN 'consulting' THEN '技术咨询' ELSE m END
$$;

-- What anyone allowed to see a ranking sees of an expert: no contact or identity data.
CREATE FUNCTION expert_match_profile(e experts) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', e.id, 'kind', e.kind, 'name', e.name, 'title', e.title, 'position', e.position,
        'affiliation', e.affiliation, 'affiliation_kind', e.affiliation_kind,
        'region_code', e.region_code, 'discipline_codes', e.discipline_codes,
        'industry_codes', e.industry_codes, 'research_fields', e.research_fields,
        'keywords', e.keywords, 'service_modes', e.service_modes, 'academy', e.academy)
$$;

-- One component of a hit's explanation.
CREATE FUNCTION match_component(name text, label text, value real, weight real, detail text)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('name', name, 'label', label, 'value', round(value::numeric, 4),
                              'weight', round(weight::numeric, 4),
                              'contribution', round((value * weight)::numeric, 4),
                              'detail', detail)
$$;

-- The ranking as the API answers it: each hit with the expert's public profile and its
-- reasons (each component's value, weight, contribution and a Chinese detail; the matched
-- terms; a one-line summary).
CREATE FUNCTION match_hits(p_demand bigint, p_query tsquery, p_filters jsonb, p_limit integer)
RETURNS TABLE (hit jsonb) LANGUAGE sql STABLE AS $$
WITH cfg AS (SELECT * FROM match_settings),
d AS (SELECT * FROM demands WHERE id = p_demand),
r AS (SELECT row_number() OVER (ORDER BY x.score DESC, x.expert_id) AS rank, x.*
      FROM match_rank(p_demand, p_query, p_filters, p_limit) x),
t AS (
    SELECT r.*, e,
        ARRAY(SELECT k FROM unnest(e.keywords) k
              WHERE EXISTS (SELECT 1 FROM unnest(r.matched) l
                            WHERE char_length(l) >= 2 AND strpos(k, l) > 0)) AS kw_terms
    FROM r JOIN experts e ON e.id = r.expert_id),
u AS (
    SELECT t.*,
        CASE WHEN cardinality(t.kw_terms) > 0 THEN t.kw_terms[1:5]
             ELSE ARRAY(SELECT l FROM unnest(t.matched) l WHERE char_length(l) >= 2 LIMIT 5)
        END AS terms
    FROM t),
c AS (
    SELECT u.rank, u.expert_id, u.score, u.terms, u.e, jsonb_build_array(
        match_component('text', '研究方向匹配', (u.parts ->> 'text')::real, cfg.w_text,
                        array_to_string(u.terms, '、')),
        match_component('discipline', '学科匹配', (u.parts ->> 'discipline')::real,
                        cfg.w_discipline,
                        (SELECT s.code || ' ' || s.name FROM disciplines s
                         WHERE s.code = left((u.e).discipline_codes[1], 3))),
        match_component('cluster', '领域相近', (u.parts ->> 'cluster')::real, cfg.w_cluster,
                        array_to_string(u.cluster[1:3], '、')),
        match_component('industry', '行业匹配', (u.parts ->> 'industry')::real, cfg.w_industry,
                        (SELECT i.code || ' ' || i.name FROM industries i
                         WHERE i.code = CASE WHEN d.industry_code = ANY ((u.e).industry_codes)
                                             THEN d.industry_code
                                             ELSE left(d.industry_code, 1) END)),
        match_component('service_modes', '服务方式', (u.parts ->> 'service_modes')::real,
                        cfg.w_service_modes,
                        (SELECT string_agg(match_mode_label(m), '、') FROM unnest(d.service_modes) m
                         WHERE m = ANY ((u.e).service_modes))),
        match_component('region', '地区', (u.parts ->> 'region')::real, cfg.w_region,
                        CASE WHEN (u.parts ->> 'region')::real >= 1
                             THEN (SELECT g.name FROM regions g WHERE g.code = (u.e).region_code)
                             WHEN (u.parts ->> 'region')::real > 0 THEN '与本市有联系' END),
        match_component('history', '合作记录', (u.parts ->> 'history')::real, cfg.w_history,
                        CASE WHEN (u.parts ->> 'history')::real > 0 THEN '同行业有合作成功的记录'
                             WHEN (u.parts ->> 'history')::real < 0 THEN '多次婉拒匹配'
                             ELSE NULL END)) AS components
    FROM u, cfg, d)
SELECT jsonb_build_object(
    'expert_id', c.expert_id, 'rank', c.rank, 'score', round(c.score::numeric, 4),
    'expert', expert_match_profile(c.e),
    'reasons', jsonb_build_object(
        'summary', coalesce((SELECT string_agg(x ->> 'label' || '：' || (x ->> 'detail'), '；'
                                               ORDER BY (x ->> 'contribution')::real DESC)
                             FROM jsonb_array_elements(c.components) x
                             WHERE (x ->> 'contribution')::real > 0.001
                               AND coalesce(x ->> 'detail', '') <> ''), ''),
        'matched_terms', to_jsonb(c.terms),
        'components', c.components))
FROM c ORDER BY c.rank
$$;

-- ---------------------------------------------------------------------------------------
-- Ranking open demands for an expert (the reverse direction).

-- What an expert (or staff) sees of a demand in a recommendation.
CREATE FUNCTION demand_match_profile(d demands) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', d.id, 'enterprise_id', d.enterprise_id,
        'enterprise_name', (SELECT name FROM enterprises WHERE id = d.enterprise_id),
        'title', d.title, 'description', d.description, 'kind', d.kind,
        'industry_code', d.industry_code, 'discipline_codes', d.discipline_codes,
        'keywords', d.keywords, 'service_modes', d.service_modes, 'region_code', d.region_code,
        'deadline', d.deadline, 'status', d.status)
$$;

-- Open demands (published or being matched) for an expert, best first. p_query: the
-- expert's research fields and keywords as an OR tsquery.
CREATE FUNCTION recommend_demands(p_expert bigint, p_query tsquery, p_limit integer)
RETURNS TABLE (hit jsonb) LANGUAGE sql STABLE AS $$
WITH e AS (SELECT * FROM experts WHERE id = p_expert),
open AS (SELECT d.* FROM demands d
         WHERE d.status IN ('published', 'matching') AND d.archived_at IS NULL),
txt AS (SELECT o.id, ts_rank(o.search, p_query) AS r FROM open o
        WHERE p_query IS NOT NULL AND o.search @@ p_query ORDER BY r DESC LIMIT 1000),
fit AS (
    SELECT o.id,
        coalesce(t.r / nullif(max(t.r) OVER (), 0), 0) AS text,
        greatest(coalesce((SELECT max(x.weight) FROM industry_disciplines x
                           WHERE x.industry_code = o.industry_code
                             AND x.discipline_code = ANY (e.discipline_roots)), 0),
                 CASE WHEN discipline_roots(o.discipline_codes) && e.discipline_roots
                      THEN 1 ELSE 0 END) AS discipline,
        CASE WHEN o.industry_code = ANY (e.industry_codes) THEN 1 ELSE 0 END AS industry,
        CASE WHEN o.region_code = e.region_code THEN 1 ELSE 0 END AS region,
        CASE WHEN o.service_modes && e.service_modes THEN 1 ELSE 0 END AS modes
    FROM open o CROSS JOIN e LEFT JOIN txt t ON t.id = o.id),
ranked AS (
    SELECT f.*, (0.5 * f.text + 0.3 * f.discipline + 0.1 * f.industry + 0.05 * f.region
                 + 0.05 * f.modes)::real AS score
    FROM fit f WHERE f.text > 0 OR f.discipline > 0 OR f.industry > 0
    ORDER BY score DESC, f.id LIMIT p_limit),
explained AS (
    SELECT r.*, d,
        ARRAY(SELECT l FROM unnest(tsquery_lexemes(p_query)) l
              WHERE char_length(l) >= 2 AND d.search @@ to_tsquery('simple', quote_literal(l))
              ORDER BY char_length(l) DESC LIMIT 5) AS terms
    FROM ranked r JOIN demands d ON d.id = r.id)
SELECT jsonb_build_object(
    'demand_id', x.id, 'rank', row_number() OVER (ORDER BY x.score DESC, x.id),
    'score', round(x.score::numeric, 4), 'demand', demand_match_profile(x.d),
    'reasons', jsonb_build_object(
        'summary', concat_ws('；',
            CASE WHEN cardinality(x.terms) > 0
                 THEN '研究方向匹配：' || array_to_string(x.terms, '、') END,
            CASE WHEN x.discipline > 0 THEN '学科对口' END,
            CASE WHEN x.industry > 0 THEN '行业匹配：' || (SELECT code || ' ' || name
                FROM industries WHERE code = (x.d).industry_code) END,
            CASE WHEN x.region > 0 THEN '同一地区' END,
            CASE WHEN x.modes > 0 THEN '服务方式相符' END),
        'matched_terms', to_jsonb(x.terms),
        'components', jsonb_build_array(
            match_component('text', '研究方向匹配', x.text, 0.5, array_to_string(x.terms, '、')),
            match_component('discipline', '学科匹配', x.discipline, 0.3, NULL),
            match_component('industry', '行业匹配', x.industry, 0.1, (x.d).industry_code),
            match_component('region', '地区', x.region, 0.05, NULL),
            match_component('service_modes', '服务方式', x.modes, 0.05, NULL))))
FROM explained x ORDER BY x.score DESC, x.id
$$;

-- ---------------------------------------------------------------------------------------
-- Matches as the API shows them, and who may see and run them.

CREATE FUNCTION match_status_label(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE s WHEN 'proposed' THEN '已推荐' WHEN 'contacted' THEN '已联系'
                  WHEN 'accepted' THEN '专家已接受' WHEN 'declined' THEN '专家已婉拒'
                  WHEN 'cooperating' THEN '合作中' WHEN 'closed' THEN '已关闭' ELSE s END
$$;

CREATE FUNCTION match_json(m matches) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', m.id, 'demand_id', m.demand_id, 'expert_id', m.expert_id, 'status', m.status,
        'status_label', match_status_label(m.status), 'score', m.score, 'reasons', m.reasons,
        'note', m.note, 'project_id', m.project_id,
        'expert', (SELECT expert_match_profile(e) FROM experts e WHERE e.id = m.expert_id),
        'demand', (SELECT json_build_object('id', d.id, 'title', d.title,
                                            'enterprise_id', d.enterprise_id,
                                            'region_code', d.region_code, 'status', d.status)
                   FROM demands d WHERE d.id = m.demand_id),
        'created_at', m.created_at, 'updated_at', m.updated_at, 'version', m.version)
$$;

-- Staff read every match; an enterprise user its demands' matches; an expert their own.
CREATE FUNCTION match_can_read(m matches, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true WHEN 'county_staff' THEN true
        WHEN 'enterprise' THEN EXISTS (SELECT 1 FROM demands d WHERE d.id = m.demand_id
                                       AND d.enterprise_id = (caller ->> 'enterprise')::bigint)
        WHEN 'expert' THEN m.expert_id = (caller ->> 'expert')::bigint
        ELSE false END
$$;

-- Staff who run matching for a demand: city-wide staff, and county staff for their region.
CREATE FUNCTION demand_matching_staff(d demands, caller jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE caller ->> 'role'
        WHEN 'admin' THEN true WHEN 'city_staff' THEN true
        WHEN 'county_staff' THEN d.region_code = caller ->> 'region'
        ELSE false END
$$;

CREATE FUNCTION match_transition_json(t match_transitions) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', t.id, 'from_status', t.from_status, 'to_status', t.to_status,
        'from_label', match_status_label(t.from_status), 'to_label', match_status_label(t.to_status),
        'reason', t.reason, 'user_id', t.user_id, 'role', t.role, 'at', t.at)
$$;

-- Moves a demand forward when one of its matches does (accepted -> matched, cooperating ->
-- cooperating), recording the step like any other; never moves it back.
CREATE FUNCTION demand_follow_match(p_demand bigint, p_to text, p_caller jsonb) RETURNS void
LANGUAGE sql AS $$
    WITH cur AS (SELECT d.id, d.status FROM demands d WHERE d.id = p_demand FOR UPDATE),
    upd AS (UPDATE demands d SET status = p_to, updated_at = now(), version = d.version + 1
            FROM cur WHERE d.id = cur.id
              AND ((p_to = 'matching' AND cur.status = 'published')
                   OR (p_to = 'matched' AND cur.status IN ('published', 'matching'))
                   OR (p_to = 'cooperating' AND cur.status IN ('published', 'matching', 'matched')))
            RETURNING d.id)
    INSERT INTO demand_transitions (demand_id, from_status, to_status, action, reason, user_id, role)
    SELECT cur.id, cur.status, p_to, 'match', '专家匹配进展', (p_caller ->> 'user_id')::bigint,
           p_caller ->> 'role'
    FROM cur JOIN upd ON upd.id = cur.id
$$;
