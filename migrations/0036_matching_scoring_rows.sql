-- Matching at 100,000 experts, continued (docs/matching.md, "Speed"): the candidates are scored
-- from a compact copy of the columns the ranking reads, and the scoring does less per
-- candidate.
--
-- 1. Every ranking read the live row of each of its 600-850 candidates (1.8 kB each, by key)
--    for who may be offered and for the score. expert_scoring_rows keeps, per expert, only
--    those columns (about 150 bytes): whether the expert may be offered (not archived,
--    consenting, available, not deceased), the filters' columns, and what the score reads,
--    some of it worked out once (the disciplines' first-level codes, the industries'
--    sections, whether the expert has ties to the city). It is made with the other lists
--    (match_refresh_postings) from the view expert_scoring_live, which the ranking also
--    reads for the experts noted since: a write to any of those columns notes the expert in
--    expert_postings_dirty (the statement triggers of 0028, which now watch these columns
--    too), and the ranking takes noted experts from the live table instead of the copy, so
--    a write (an archiving, a consent withdrawn) is seen at once. With more than 1,000
--    noted experts, or before the copy was made, every candidate is read live, as before.
-- 2. The filters are read from the parameters once, not once per candidate; the industry
--    section and the service modes are counted without a set operation per candidate; the
--    history of matches is read once (the generic plan grouped it again for every
--    candidate); the industry experts' field weights come from a join, not a sub-select each.
-- 3. The explanation of the best: each one's search vector is read out of its TOAST storage
--    once, not once per query word (24 fetches each), and match_component is declared
--    STABLE so that it is inlined (as IMMUTABLE with a STABLE body it never was: seventy SQL
--    function calls per ranking, each planned afresh).
-- The ranking is the same: same candidates, same figures (the same expressions on the same
-- values, summed in the same order), same explanations.

CREATE TABLE expert_scoring_rows (
    expert_id bigint PRIMARY KEY,
    offerable boolean NOT NULL,
    kind text NOT NULL,
    title text,
    affiliation_kind text,
    region_code text,
    region_city text,       -- left(region_code, 4)
    city_tied boolean,      -- cardinality(city_ties) > 0
    service_modes text[] NOT NULL,
    industry_codes text[] NOT NULL,
    industry_sections text[] NOT NULL, -- left(code, 1) of each industry, in order
    discipline_codes text[] NOT NULL,
    disc1 text,             -- left(discipline_codes[n], 3): first-level disciplines
    disc2 text,
    disc3 text,
    keywords text[] NOT NULL
);
ALTER TABLE expert_lexeme_stats_state
    ADD COLUMN scoring_rows boolean NOT NULL DEFAULT false; -- whether the copy was made

-- What the copy holds, from the live table: the ranking reads noted experts from here.
CREATE VIEW expert_scoring_live AS
SELECT e.id AS expert_id,
       e.archived_at IS NULL AND e.consent AND e.available AND e.status <> 'deceased'
           AS offerable,
       e.kind, e.title, e.affiliation_kind, e.region_code, left(e.region_code, 4) AS region_city,
       cardinality(e.city_ties) > 0 AS city_tied, e.service_modes, e.industry_codes,
       ARRAY(SELECT left(i, 1) FROM unnest(e.industry_codes) i) AS industry_sections,
       e.discipline_codes, left(e.discipline_codes[1], 3) AS disc1,
       left(e.discipline_codes[2], 3) AS disc2, left(e.discipline_codes[3], 3) AS disc3,
       e.keywords
FROM experts e;

-- As in 0032, and a change to any column the copy holds.
CREATE OR REPLACE FUNCTION experts_note_postings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO expert_postings_dirty (expert_id)
        SELECT n.id FROM new_rows n WHERE n.archived_at IS NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO expert_postings_dirty (expert_id)
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.search IS DISTINCT FROM o.search
           OR (n.archived_at IS NULL) <> (o.archived_at IS NULL)
           OR n.industry_codes IS DISTINCT FROM o.industry_codes
           OR n.discipline_codes IS DISTINCT FROM o.discipline_codes
           OR n.keywords IS DISTINCT FROM o.keywords
           OR n.consent IS DISTINCT FROM o.consent
           OR n.available IS DISTINCT FROM o.available
           OR n.status IS DISTINCT FROM o.status
           OR n.kind IS DISTINCT FROM o.kind
           OR n.title IS DISTINCT FROM o.title
           OR n.affiliation_kind IS DISTINCT FROM o.affiliation_kind
           OR n.region_code IS DISTINCT FROM o.region_code
           OR n.city_ties IS DISTINCT FROM o.city_ties
           OR n.service_modes IS DISTINCT FROM o.service_modes;
    ELSE
        INSERT INTO expert_postings_dirty (expert_id) SELECT o.id FROM old_rows o;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION experts_drop_postings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM expert_lexeme_postings;
    DELETE FROM expert_industry_postings;
    DELETE FROM expert_table_head;
    DELETE FROM expert_scoring_rows;
    DELETE FROM expert_postings_dirty;
    UPDATE expert_lexeme_stats_state
    SET postings_cap = NULL, postings_at = now(), compact_lists = false, scoring_rows = false;
    RETURN NULL;
END
$$;

-- Makes the copy from the table (about a second at 100,000 experts). Notes taken before stay:
-- a noted expert costs a lookup, not a wrong answer.
CREATE FUNCTION match_refresh_scoring_rows() RETURNS void LANGUAGE plpgsql
SET enable_seqscan = on AS $$
BEGIN
    DELETE FROM expert_scoring_rows;
    INSERT INTO expert_scoring_rows SELECT * FROM expert_scoring_live;
    UPDATE expert_lexeme_stats_state SET scoring_rows = true;
END
$$;

-- As in 0032, and the copy with the lists.
CREATE OR REPLACE FUNCTION match_refresh_postings() RETURNS void LANGUAGE plpgsql
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
    PERFORM match_refresh_industry_postings();
    PERFORM match_refresh_scoring_rows();
    UPDATE expert_lexeme_stats_state SET postings_cap = cap, postings_at = now();
END
$$;

-- The copy of the database as it is.
SELECT match_refresh_scoring_rows();

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
        (SELECT u.id, lx.idf FROM (SELECT unnest(lx.ids) AS id) u
         WHERE u.id NOT IN (SELECT x.id FROM dirty x))
        UNION ALL
        (SELECT e.id, lx.idf FROM dirty x JOIN experts e ON e.id = x.id
         WHERE lx.ids IS NOT NULL AND e.search @@ lx.q AND e.archived_at IS NULL
         ORDER BY e.ctid)
        UNION ALL
        (SELECT e.id, lx.idf FROM experts e
         WHERE lx.ids IS NULL AND e.search @@ lx.q AND e.archived_at IS NULL)
        LIMIT (SELECT word_postings FROM cfg)) p
    GROUP BY p.id ORDER BY s DESC, p.id LIMIT 300),
-- whether the copy of the scoring columns is used (with the lists, and not for noted experts)
rows_ok AS (SELECT coalesce((SELECT ok FROM lists) AND st.compact_lists AND st.scoring_rows,
                            false) AS ok
            FROM expert_lexeme_stats_state st),
top50 AS (SELECT * FROM hits ORDER BY s DESC, id LIMIT 50),
top_hits AS (
    SELECT h.id, h.s, h.discipline_codes, h.keywords FROM (
        (SELECT h.id, h.s, r.discipline_codes, r.keywords
         FROM top50 h JOIN expert_scoring_rows r ON r.expert_id = h.id
         WHERE (SELECT ok FROM rows_ok) AND h.id NOT IN (SELECT x.id FROM dirty x))
        UNION ALL
        (SELECT h.id, h.s, e.discipline_codes, e.keywords
         FROM top50 h JOIN experts e ON e.id = h.id
         WHERE NOT (SELECT ok FROM rows_ok) OR h.id IN (SELECT x.id FROM dirty x))) h
    ORDER BY h.s DESC, h.id),
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
-- The first 1,000 experts serving the demand's industry, in table order: from the industry's
-- list (less the noted experts, who are looked up afresh), or from the index when there are
-- no lists.
-- (coalesce: before the first lists are made postings_cap is NULL, and 0032 then read
-- neither the list nor the index: the industry's experts were missing)
ind_lists AS (SELECT coalesce((SELECT ok FROM lists) AND st.compact_lists, false) AS ok
              FROM expert_lexeme_stats_state st),
ind_experts AS (
    SELECT e.id, e.discipline_codes, e.discipline_roots, e.keywords FROM (
        (SELECT p.expert_id AS id, p.discipline_codes, p.discipline_roots, p.keywords
         FROM expert_industry_postings p
         WHERE (SELECT ok FROM ind_lists) AND p.industry_code = (SELECT industry_code FROM d)
           AND p.expert_id NOT IN (SELECT x.id FROM dirty x)
         ORDER BY p.pos LIMIT 1000)
        UNION ALL
        (SELECT e.id, e.discipline_codes, e.discipline_roots, e.keywords
         FROM dirty x JOIN experts e ON e.id = x.id, d
         WHERE (SELECT ok FROM ind_lists) AND e.industry_codes @> ARRAY[d.industry_code]
           AND e.archived_at IS NULL
         ORDER BY e.ctid)
        UNION ALL
        (SELECT e.id, e.discipline_codes, e.discipline_roots, e.keywords FROM experts e, d
         WHERE NOT (SELECT ok FROM ind_lists) AND e.industry_codes @> ARRAY[d.industry_code]
           AND e.archived_at IS NULL)) e
    LIMIT 1000),
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
    SELECT e.keywords, 0.5 * coalesce(f.p, 0)
    FROM ind_experts e LEFT JOIN field f ON f.disc = left(e.discipline_codes[1], 3)),
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
-- The first rows come from the copy of the table's head (less the noted experts, who are
-- looked up afresh) when there is one: the same rows, 100 bytes each instead of 1.8 kB.
field_seq AS (
    SELECT e.id FROM (
        (SELECT h.expert_id AS id FROM expert_table_head h
         WHERE (SELECT ok FROM ind_lists) AND h.pos <= 4000 AND h.unarchived
           AND h.discipline_roots && ARRAY(SELECT disc FROM top_fields)
           AND h.expert_id NOT IN (SELECT x.id FROM dirty x)
         ORDER BY h.pos LIMIT 300)
        UNION ALL
        (SELECT e.id FROM dirty x JOIN experts e ON e.id = x.id
         WHERE (SELECT ok FROM ind_lists)
           AND e.discipline_roots && ARRAY(SELECT disc FROM top_fields)
           AND e.archived_at IS NULL
         ORDER BY e.ctid)
        UNION ALL
        (SELECT e.id FROM (SELECT x.id, x.discipline_roots, x.archived_at FROM experts x
                           LIMIT 4000) e
         WHERE NOT (SELECT ok FROM ind_lists)
           AND e.discipline_roots && ARRAY(SELECT disc FROM top_fields)
           AND e.archived_at IS NULL)) e
    LIMIT 300),
field_experts AS (
    SELECT id FROM field_seq WHERE (SELECT count(*) FROM field_seq) >= 300
    UNION ALL
    (SELECT e.id FROM experts e
     WHERE (SELECT count(*) FROM field_seq) < 300
       AND e.discipline_roots && ARRAY(SELECT disc FROM top_fields)
       AND e.archived_at IS NULL LIMIT 300)),
kw_seq AS (
    SELECT e.id FROM (
        (SELECT h.expert_id AS id FROM expert_table_head h
         WHERE (SELECT ok FROM ind_lists) AND h.unarchived
           -- (coalesce: the planner then expects many rows, reads the key in order and stops)
           AND coalesce(h.keywords && ARRAY(SELECT k FROM profile), false)
           AND h.expert_id NOT IN (SELECT x.id FROM dirty x)
         ORDER BY h.pos LIMIT 600)
        UNION ALL
        (SELECT e.id FROM dirty x JOIN experts e ON e.id = x.id
         WHERE (SELECT ok FROM ind_lists) AND e.keywords && ARRAY(SELECT k FROM profile)
           AND e.archived_at IS NULL
         ORDER BY e.ctid)
        UNION ALL
        (SELECT e.id FROM (SELECT x.id, x.keywords, x.archived_at FROM experts x LIMIT 6000) e
         WHERE NOT (SELECT ok FROM ind_lists) AND e.keywords && ARRAY(SELECT k FROM profile)
           AND e.archived_at IS NULL)) e
    LIMIT 600),
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
-- the filters, read once
fl AS (SELECT p_filters ->> 'region_code' AS region_code, p_filters ->> 'kind' AS kind,
              p_filters ->> 'title' AS title, p_filters ->> 'affiliation_kind' AS affiliation_kind,
              p_filters ->> 'service_mode' AS service_mode,
              coalesce((p_filters ->> 'exclude_matched')::boolean, false) AS exclude_matched),
-- the candidates' scoring columns: from the copy, or the live table for noted experts (or
-- for all when the copy is not used); who may be offered is decided on them
cand_rows AS (
    (SELECT r.*, i.s FROM cand_ids i JOIN expert_scoring_rows r ON r.expert_id = i.id
     WHERE (SELECT ok FROM rows_ok) AND i.id NOT IN (SELECT x.id FROM dirty x))
    UNION ALL
    (SELECT r.*, i.s FROM cand_ids i JOIN expert_scoring_live r ON r.expert_id = i.id
     WHERE NOT (SELECT ok FROM rows_ok) OR i.id IN (SELECT x.id FROM dirty x))),
cand AS (
    SELECT c.expert_id AS id, c.keywords, c.disc1, c.disc2, c.disc3, c.industry_codes,
           c.industry_sections, c.service_modes, c.region_code, c.region_city, c.city_tied, c.s
    FROM cand_rows c
    WHERE c.offerable
      AND ((SELECT region_code FROM fl) IS NULL OR c.region_code = (SELECT region_code FROM fl))
      AND ((SELECT kind FROM fl) IS NULL OR c.kind = (SELECT kind FROM fl))
      AND ((SELECT title FROM fl) IS NULL OR c.title = (SELECT title FROM fl))
      AND ((SELECT affiliation_kind FROM fl) IS NULL
           OR c.affiliation_kind = (SELECT affiliation_kind FROM fl))
      AND ((SELECT service_mode FROM fl) IS NULL
           OR (SELECT service_mode FROM fl) = ANY (c.service_modes))
      AND (NOT (SELECT exclude_matched FROM fl)
           OR NOT EXISTS (SELECT 1 FROM matches m WHERE m.demand_id = p_demand
                          AND m.expert_id = c.expert_id))),
history AS MATERIALIZED (
    SELECT m.expert_id,
           count(*) FILTER (WHERE m.status IN ('cooperating', 'closed')
                              AND md.industry_code = d.industry_code) AS coop,
           count(*) FILTER (WHERE m.status = 'declined') AS declined, count(*) AS total
    FROM matches m JOIN demands md ON md.id = m.demand_id, d
    WHERE m.expert_id IN (SELECT id FROM cand) GROUP BY m.expert_id),
-- the service modes an expert may offer (the CHECK of 0015) that the demand wants: an
-- expert's count is how many of those five it offers
dmodes AS MATERIALIZED (SELECT ARRAY(SELECT m FROM unnest(ARRAY['transfer', 'commissioned', 'joint',
                                                    'training', 'consulting']) m
                        WHERE m = ANY (d.service_modes)) AS ms FROM d),
scored AS MATERIALIZED (
    SELECT c.id, c.keywords,
        greatest(coalesce((m.fm ->> c.disc1)::real, 0),
                 0.5 * coalesce((m.fm ->> c.disc2)::real, 0),
                 0.5 * coalesce((m.fm ->> c.disc3)::real, 0)) AS discipline,
        coalesce((SELECT sum((m.pm ->> k)::real) FROM unnest(c.keywords) k), 0)
            / greatest(cardinality(c.keywords), 2) AS cl,
        (SELECT c FROM conf) * coalesce(c.s / (SELECT best FROM conf), 0) AS text,
        CASE WHEN d.industry_code = ANY (c.industry_codes) THEN 1
             WHEN left(d.industry_code, 1) = ANY (c.industry_sections) THEN 0.5 ELSE 0 END
            AS industry,
        CASE WHEN cardinality(d.service_modes) = 0 THEN 0
             ELSE (coalesce(dm.ms[1] = ANY (c.service_modes), false)::integer
                   + coalesce(dm.ms[2] = ANY (c.service_modes), false)::integer
                   + coalesce(dm.ms[3] = ANY (c.service_modes), false)::integer
                   + coalesce(dm.ms[4] = ANY (c.service_modes), false)::integer
                   + coalesce(dm.ms[5] = ANY (c.service_modes), false)::integer)::real
                  / cardinality(d.service_modes) END AS service_modes,
        CASE WHEN c.region_code = d.region_code THEN 1
             WHEN c.region_city = left(d.region_code, 4) OR c.city_tied THEN 0.5 ELSE 0 END
            AS region,
        coalesce(least(1, h.coop / 2.0) - h.declined::real / greatest(h.total, 3), 0) AS history
    FROM cand c CROSS JOIN d CROSS JOIN maps m CROSS JOIN dmodes dm
    LEFT JOIN history h ON h.expert_id = c.id),
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
    LIMIT p_limit),
-- the search vectors of the best, read once each (|| of nothing: the vector itself, out of
-- its TOAST storage, rather than fetched again for each word)
best_search AS MATERIALIZED (
    SELECT e.id, e.search || ''::tsvector AS search FROM final f JOIN experts e ON e.id = f.id
    WHERE f.text > 0)
-- the words behind the text and field components, for the best only
SELECT f.id, f.score,
       jsonb_build_object('discipline', round(f.discipline::numeric, 4),
                          'cluster', round(f.cluster::numeric, 4),
                          'text', round(f.text::numeric, 4),
                          'industry', round(f.industry::numeric, 4),
                          'service_modes', round(f.service_modes::numeric, 4),
                          'region', round(f.region::numeric, 4),
                          'history', round(f.history::numeric, 4)),
       ARRAY(SELECT lx.lexeme FROM lx, best_search e
             WHERE f.text > 0 AND e.id = f.id AND e.search @@ lx.q ORDER BY lx.idf DESC),
       ARRAY(SELECT p.k FROM profile p WHERE p.k = ANY (f.keywords) ORDER BY p.w DESC)
FROM final f
ORDER BY f.score DESC, f.id
$$;


-- As in 0010, declared STABLE (jsonb_build_object is): an IMMUTABLE function whose body is not
-- is never inlined, so each of the seventy components of a ranking's explanation was a
-- separate SQL function call, planned afresh in every ranking.
CREATE OR REPLACE FUNCTION match_component(name text, label text, value real, weight real,
                                           detail text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('name', name, 'label', label, 'value', round(value::numeric, 4),
                              'weight', round(weight::numeric, 4),
                              'contribution', round((value * weight)::numeric, 4),
                              'detail', detail)
$$;
