-- Matching at 100,000 experts, continued (docs/matching.md, "Speed"): the same ranking for
-- about 40 % of the CPU. The text hits of the common words come from short lists kept with the
-- word statistics instead of the GIN index, the fields' and keywords' experts from a short
-- sequential read, and the ranking's plan is kept per connection.
--
-- 1. A common word's GIN bitmap holds its whole posting list (up to 20,000 experts) although
--    the ranking reads at most word_postings (1,000) of them, and each of those rows was
--    fetched from the table. expert_lexeme_postings keeps, for every word of
--    expert_lexeme_stats, the experts the ranking would read: the first word_postings
--    unarchived ones in table order, the same rows the index scan returned. Lists are made
--    when the statistics are copied (match_refresh_lexeme_stats) and read as they are; a
--    write to an expert's words or archiving (INSERT, UPDATE, DELETE, COPY, imports) only
--    notes the expert in expert_postings_dirty, which the ranking reads to drop the noted
--    experts from the lists and look them up afresh. Writers never update the lists, so they
--    neither wait on each other nor deadlock over common words. The lists are made again when
--    many experts are noted, or the statistics or word_postings change; with more than 1,000
--    noted, the ranking reads the index as before.
-- 2. The rows of the best hits only (50) are read for their disciplines and keywords.
-- 3. match_hits runs its statement from PL/pgSQL with a generic plan, kept per connection:
--    planning the inlined statement cost about 6 ms per ranking. A candidate's text score is
--    carried with its id (a join to the hits became a nested loop in the generic plan).
-- 4. The first 300 experts of the likeliest fields and the first 600 using the profile's
--    keywords, in table order, are looked for in the table's first 4,000 / 6,000 rows before
--    the GIN index is read; match_hits turns off synchronised and parallel scans so that a
--    sequential read starts at the first page and returns the rows a bitmap scan would.
--    match_rank is meant to be called through match_hits.

CREATE TABLE expert_lexeme_postings (
    lexeme text PRIMARY KEY,
    ids bigint[] NOT NULL
);
-- Experts whose words or archiving changed since the lists were made (one row per write;
-- match_refresh_lexeme_stats empties it when it makes the lists again).
CREATE TABLE expert_postings_dirty (
    expert_id bigint NOT NULL
);
ALTER TABLE expert_lexeme_stats_state
    ADD COLUMN postings_cap integer, -- word_postings when the lists were made; NULL: none
    ADD COLUMN postings_at timestamptz;

CREATE FUNCTION experts_note_postings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO expert_postings_dirty (expert_id)
        SELECT n.id FROM new_rows n WHERE n.archived_at IS NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO expert_postings_dirty (expert_id)
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.search IS DISTINCT FROM o.search
           OR (n.archived_at IS NULL) <> (o.archived_at IS NULL);
    ELSE
        INSERT INTO expert_postings_dirty (expert_id) SELECT o.id FROM old_rows o;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER experts_postings_insert AFTER INSERT ON experts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION experts_note_postings();
CREATE TRIGGER experts_postings_update AFTER UPDATE ON experts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION experts_note_postings();
CREATE TRIGGER experts_postings_delete AFTER DELETE ON experts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION experts_note_postings();

-- TRUNCATE empties the lists: they would name experts that are gone.
CREATE FUNCTION experts_drop_postings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM expert_lexeme_postings;
    DELETE FROM expert_postings_dirty;
    UPDATE expert_lexeme_stats_state SET postings_cap = NULL, postings_at = now();
    RETURN NULL;
END
$$;
CREATE TRIGGER experts_postings_truncate AFTER TRUNCATE ON experts
    FOR EACH STATEMENT EXECUTE FUNCTION experts_drop_postings();

-- Makes the lists again from the table. The noted experts are forgotten first: the lists are
-- made by a later statement, whose snapshot holds every write whose note was forgotten
-- (writes committed meanwhile stay noted, which costs a lookup, not a wrong answer). A word's
-- list is read the way the ranking read the index (a bitmap scan, in table order), so it
-- holds the rows the ranking read before.
CREATE FUNCTION match_refresh_postings() RETURNS void LANGUAGE plpgsql
SET enable_seqscan = off AS $$
DECLARE
    cap integer := (SELECT word_postings FROM match_settings);
    max_share real := (SELECT max_word_share FROM match_settings);
BEGIN
    -- one at a time (several daemons may share the database): a second waits, then makes
    -- the lists again from what the first left
    PERFORM pg_advisory_xact_lock(hashtext('siku match_refresh'));
    DELETE FROM expert_postings_dirty;
    DELETE FROM expert_lexeme_postings;
    INSERT INTO expert_lexeme_postings (lexeme, ids)
    SELECT s.lexeme,
           ARRAY(SELECT e.id FROM experts e
                 WHERE e.search @@ to_tsquery('simple', quote_literal(s.lexeme))
                   AND e.archived_at IS NULL LIMIT cap)
    FROM expert_lexeme_stats s WHERE s.share <= max_share;
    UPDATE expert_lexeme_stats_state SET postings_cap = cap, postings_at = now();
END
$$;

-- As in 0010, then the lists: made again when the statistics were copied, when more than 200
-- experts were noted, or when word_postings changed. Returns whether the statistics were
-- copied.
CREATE OR REPLACE FUNCTION match_refresh_lexeme_stats() RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    analyzed timestamptz;
    copied boolean := false;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('siku match_refresh')); -- one at a time
    SELECT greatest(last_analyze, last_autoanalyze) INTO analyzed
    FROM pg_stat_user_tables WHERE relid = 'experts'::regclass;
    IF analyzed IS NOT NULL AND analyzed IS DISTINCT FROM
        (SELECT analyzed_at FROM expert_lexeme_stats_state) THEN
        DELETE FROM expert_lexeme_stats;
        INSERT INTO expert_lexeme_stats (lexeme, share)
        SELECT u.l, max(u.f) FROM pg_stats s,
            unnest(s.most_common_elems::text::text[],
                   s.most_common_elem_freqs[1:cardinality(s.most_common_elems::text::text[])])
                u(l, f)
        WHERE s.schemaname = current_schema() AND s.tablename = 'experts'
          AND s.attname = 'search' AND u.l IS NOT NULL
        GROUP BY u.l;
        UPDATE expert_lexeme_stats_state SET analyzed_at = analyzed, refreshed_at = now(),
            floor_share = coalesce((SELECT min(share) / 2 FROM expert_lexeme_stats), 0.001);
        copied := true;
    END IF;
    IF copied
       OR (SELECT count(*) FROM (SELECT 1 FROM expert_postings_dirty LIMIT 201) x) > 200
       OR (SELECT postings_cap FROM expert_lexeme_stats_state)
          IS DISTINCT FROM (SELECT word_postings FROM match_settings) THEN
        PERFORM match_refresh_postings();
    END IF;
    RETURN copied;
END
$$;

-- The lists of the database as it is (seconds at 100,000 experts; nothing on a new one), so
-- that sikud's first refresh has nothing to do.
SELECT match_refresh_postings();

CREATE OR REPLACE FUNCTION match_rank(p_demand bigint, p_query tsquery, p_filters jsonb,
                                      p_limit integer)
RETURNS TABLE (expert_id bigint, score real, parts jsonb, matched text[], cluster text[])
LANGUAGE sql STABLE AS $$
WITH cfg AS (SELECT * FROM match_settings),
d AS (SELECT * FROM demands WHERE id = p_demand),
-- the experts noted since the lists were made; with too many, the lists are not used
dirty AS (SELECT DISTINCT x.expert_id AS id FROM expert_postings_dirty x),
lists AS (SELECT st.postings_cap >= cfg.word_postings
                 AND (SELECT count(*) FROM (SELECT 1 FROM expert_postings_dirty LIMIT 1001) x)
                     <= 1000 AS ok
          FROM expert_lexeme_stats_state st, cfg),
-- informative query lexemes only: words most experts use say nothing
lx AS (SELECT i.lexeme, i.idf, to_tsquery('simple', quote_literal(i.lexeme)) AS q,
              CASE WHEN (SELECT ok FROM lists)
                   THEN (SELECT p.ids[1:cfg.word_postings] FROM expert_lexeme_postings p
                         WHERE p.lexeme = i.lexeme) END AS ids
       FROM expert_lexeme_idf(tsquery_lexemes(p_query)) i, cfg
       WHERE i.share <= cfg.max_word_share
       ORDER BY i.idf DESC LIMIT 24),
-- experts sharing informative words, scored by the information they share, summed per
-- expert. A word's postings are capped: past a few hundred experts a word is common, and
-- reading all of them costs more than it tells. A common word's experts come from its list,
-- less the noted experts, who are looked up afresh; any other word's from the index.
hits AS (
    SELECT p.id, sum(p.idf) AS s
    FROM lx CROSS JOIN LATERAL (
        (SELECT u.id, lx.idf FROM unnest(lx.ids) u(id)
         WHERE u.id NOT IN (SELECT x.id FROM dirty x))
        UNION ALL
        (SELECT e.id, lx.idf FROM dirty x JOIN experts e ON e.id = x.id
         WHERE lx.ids IS NOT NULL AND e.search @@ lx.q AND e.archived_at IS NULL)
        UNION ALL
        (SELECT e.id, lx.idf FROM experts e
         WHERE lx.ids IS NULL AND e.search @@ lx.q AND e.archived_at IS NULL)
        LIMIT (SELECT word_postings FROM cfg)) p
    GROUP BY p.id ORDER BY s DESC, p.id LIMIT 300),
top_hits AS (
    SELECT h.id, h.s, e.discipline_codes, e.keywords
    FROM (SELECT * FROM hits ORDER BY s DESC, id LIMIT 50) h JOIN experts e ON e.id = h.id),
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
    SELECT e.id, e.discipline_codes, e.discipline_roots, e.keywords FROM experts e, d
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
    SELECT h.keywords, (SELECT c FROM conf) * h.s / (SELECT best FROM conf) AS w
    FROM top_hits h
    UNION ALL
    SELECT e.keywords, 0.5 * coalesce((SELECT f.p FROM field f
                                       WHERE f.disc = left(e.discipline_codes[1], 3)), 0)
    FROM ind_experts e),
profile AS (
    SELECT k, sum(s.w) AS w FROM seeds s, unnest(s.keywords) k
    GROUP BY k ORDER BY 2 DESC LIMIT 40),
top_fields AS (SELECT disc FROM field ORDER BY p DESC LIMIT 3),
-- the field and the profile as maps, for cheap lookups per candidate
maps AS (SELECT (SELECT jsonb_object_agg(disc, p) FROM field) AS fm,
                (SELECT jsonb_object_agg(k, w) FROM profile) AS pm),
-- The first 300 experts of the likeliest fields and the first 600 using the profile's
-- keywords, in table order. A common field or keyword set is found within the table's first
-- few thousand rows: a sequential read of those stops there, where the GIN index would
-- collect every posting of the values first (26,000 for a broad field). When it finds too
-- few, the index is read instead; either way the rows are the same (match_hits turns off
-- synchronised and parallel scans, so a sequential read starts at the table's first page).
field_seq AS (
    SELECT e.id FROM (SELECT x.id, x.discipline_roots, x.archived_at FROM experts x LIMIT 4000) e
    WHERE e.discipline_roots && ARRAY(SELECT disc FROM top_fields) AND e.archived_at IS NULL
    LIMIT 300),
field_experts AS (
    SELECT id FROM field_seq WHERE (SELECT count(*) FROM field_seq) >= 300
    UNION ALL
    (SELECT e.id FROM experts e
     WHERE (SELECT count(*) FROM field_seq) < 300
       AND e.discipline_roots && ARRAY(SELECT disc FROM top_fields)
       AND e.archived_at IS NULL LIMIT 300)),
kw_seq AS (
    SELECT e.id FROM (SELECT x.id, x.keywords, x.archived_at FROM experts x LIMIT 6000) e
    WHERE e.keywords && ARRAY(SELECT k FROM profile) AND e.archived_at IS NULL LIMIT 600),
kw_experts AS (
    SELECT id FROM kw_seq WHERE (SELECT count(*) FROM kw_seq) >= 600
    UNION ALL
    (SELECT e.id FROM experts e
     WHERE (SELECT count(*) FROM kw_seq) < 600
       AND e.keywords && ARRAY(SELECT k FROM profile) AND e.archived_at IS NULL LIMIT 600)),
-- candidates: text hits, experts of the likeliest fields (those who serve the industry first),
-- experts using the field's keywords
cand_ids AS (
    SELECT c.id, max(c.s) AS s FROM (
        SELECT id, s FROM hits
        UNION ALL
        (SELECT f.id, NULL FROM (
             (SELECT e.id, true AS ind FROM ind_experts e
              WHERE e.discipline_roots && ARRAY(SELECT disc FROM top_fields) LIMIT 300)
             UNION ALL
             SELECT e.id, false FROM field_experts e) f
         GROUP BY f.id ORDER BY bool_or(f.ind) DESC, f.id LIMIT 300)
        UNION ALL
        SELECT e.id, NULL FROM kw_experts e
        UNION ALL
        SELECT (p_filters ->> 'expert_id')::bigint, NULL
        WHERE p_filters ->> 'expert_id' IS NOT NULL) c
    GROUP BY c.id),
cand AS (
    SELECT e.id, e.keywords, e.discipline_codes, e.industry_codes, e.service_modes,
           e.region_code, e.city_ties, i.s
    FROM cand_ids i JOIN experts e ON e.id = i.id
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
    SELECT c.id, c.keywords,
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
       ARRAY(SELECT lx.lexeme FROM lx, experts e
             WHERE f.text > 0 AND e.id = f.id AND e.search @@ lx.q ORDER BY lx.idf DESC),
       ARRAY(SELECT p.k FROM profile p WHERE p.k = ANY (f.keywords) ORDER BY p.w DESC)
FROM final f
ORDER BY f.score DESC, f.id
$$;

-- The ranking as the API answers it (as in 0010), from PL/pgSQL: its statement is planned once
-- per connection, as a generic plan (the custom plans a SQL function gets cost about 6 ms
-- each, and the plan cache keeps choosing them).
CREATE OR REPLACE FUNCTION match_hits(p_demand bigint, p_query tsquery, p_filters jsonb,
                                      p_limit integer)
RETURNS TABLE (hit jsonb) LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan SET synchronize_seqscans = off
SET max_parallel_workers_per_gather = 0 AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
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
    FROM c ORDER BY c.rank;
END
$$;
