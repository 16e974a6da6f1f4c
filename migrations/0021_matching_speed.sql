-- Matching at 100,000 experts (docs/matching.md, "Speed"): match_rank reads far fewer rows
-- for the same ranking (a cluster value can move slightly). The field's experts are taken in
-- table order by two reads that stop at 300 rows (those serving the demand's industry, from
-- the industry's experts already read; then any) instead of reading and sorting every expert
-- of a broad field; the profile's keywords come from the rows already read; the search vectors
-- are read for the best hits only, to name their words; word statistics are looked up by key.

-- Inverse document frequency of lexemes among the experts (as in 0010), each lexeme looked up
-- by its key: the join 0010 wrote was planned as a scan of the statistics per lexeme.
CREATE OR REPLACE FUNCTION expert_lexeme_idf(lexemes text[])
RETURNS TABLE (lexeme text, share real, idf real)
LANGUAGE sql STABLE AS $$
    SELECT x.l, coalesce(x.share, st.floor_share),
           ln(1 / greatest(coalesce(x.share, st.floor_share), 0.0001))::real
    FROM (SELECT u.l, (SELECT s.share FROM expert_lexeme_stats s WHERE s.lexeme = u.l) AS share
          FROM (SELECT DISTINCT unnest(lexemes) AS l) u) x
    CROSS JOIN expert_lexeme_stats_state st
$$;

CREATE OR REPLACE FUNCTION match_rank(p_demand bigint, p_query tsquery, p_filters jsonb,
                                      p_limit integer)
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
-- (ind_experts already holds its keywords: only the best text hits are looked up)
seeds AS (
    SELECT e.keywords, (SELECT c FROM conf) * h.s / (SELECT best FROM conf) AS w
    FROM top_hits h JOIN experts e ON e.id = h.id
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
-- candidates through the indexes: text hits, experts of the likeliest fields (those who serve
-- the industry first), experts using the field's keywords
cand_ids AS (
    SELECT id FROM hits
    UNION
    -- (those serving the industry, from the ones already read, then any: each takes the
    -- first 300 in table order, instead of reading and sorting the tens of thousands of
    -- experts a broad field holds)
    (SELECT f.id FROM (
         (SELECT e.id, true AS ind FROM ind_experts e
          WHERE e.discipline_roots && ARRAY(SELECT disc FROM top_fields) LIMIT 300)
         UNION ALL
         (SELECT e.id, false FROM experts e
          WHERE e.discipline_roots && ARRAY(SELECT disc FROM top_fields)
            AND e.archived_at IS NULL LIMIT 300)) f
     GROUP BY f.id ORDER BY bool_or(f.ind) DESC, f.id LIMIT 300)
    UNION
    (SELECT e.id FROM experts e
     WHERE e.keywords && ARRAY(SELECT k FROM profile) AND e.archived_at IS NULL LIMIT 600)
    UNION
    SELECT (p_filters ->> 'expert_id')::bigint WHERE p_filters ->> 'expert_id' IS NOT NULL),
cand AS (
    SELECT e.id, e.keywords, e.discipline_codes, e.industry_codes, e.service_modes,
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

