-- A panel draw records every expert excluded for a conflict of interest, but those who merely
-- cannot serve (no_consent, unavailable, no_account) can be most of the library when the
-- conditions are broad: a draw over 100,000 experts kept as many objects in the panel row and
-- sent them in every answer. The draw now keeps every conflict of interest and at most 200 of
-- the others (conflicts first, then by expert id), beside the count of all the excluded and the
-- count per reason, so that staff see how many were left out and why.
ALTER TABLE assessment_panels
    ADD COLUMN excluded_total integer NOT NULL DEFAULT 0 CHECK (excluded_total >= 0),
    ADD COLUMN excluded_by_reason jsonb NOT NULL DEFAULT '{}';

COMMENT ON COLUMN assessment_panels.exclusions IS
    '[{"expert_id", "reasons": [...]}]: every expert with a conflict of interest (affiliation, '
    'project, match, team, academician), then at most 200 excluded only for no_consent, '
    'unavailable or no_account';
COMMENT ON COLUMN assessment_panels.excluded_total IS
    'every expert meeting the conditions who was excluded, listed in exclusions or not';
COMMENT ON COLUMN assessment_panels.excluded_by_reason IS
    '{"<reason>": number of excluded experts with that reason}';

UPDATE assessment_panels p SET
    excluded_total = jsonb_array_length(p.exclusions),
    excluded_by_reason = coalesce((SELECT jsonb_object_agg(r, n) FROM (
        SELECT v AS r, count(*) AS n FROM jsonb_array_elements(p.exclusions) x,
            jsonb_array_elements_text(x -> 'reasons') v GROUP BY v) c), '{}');

CREATE OR REPLACE FUNCTION assessment_panel_json(p assessment_panels, caller jsonb) RETURNS json LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
    staff boolean := caller ->> 'role' IN ('admin', 'city_staff', 'county_staff');
BEGIN
    RETURN json_build_object(
        'id', p.id, 'year', p.year, 'name', p.name, 'size', p.size,
        'conditions', p.conditions, 'seed', p.seed, 'candidates', p.candidates,
        'excluded', CASE WHEN staff THEN
            (SELECT coalesce(json_agg(json_build_object(
                 'expert_id', (x ->> 'expert_id')::bigint,
                 'name', (SELECT e.name FROM experts e WHERE e.id = (x ->> 'expert_id')::bigint),
                 'reasons', x -> 'reasons',
                 'reason_labels', (SELECT json_agg(assessment_panel_reason_label(v))
                                   FROM jsonb_array_elements_text(x -> 'reasons') v))
                 ORDER BY o.n), '[]')
             FROM jsonb_array_elements(p.exclusions) WITH ORDINALITY o(x, n)) END,
        'excluded_total', CASE WHEN staff THEN p.excluded_total END,
        'excluded_by_reason', CASE WHEN staff THEN
            (SELECT coalesce(json_agg(json_build_object(
                 'reason', r.key, 'reason_label', assessment_panel_reason_label(r.key),
                 'count', r.value::int) ORDER BY r.value::int DESC, r.key), '[]')
             FROM jsonb_each_text(p.excluded_by_reason) r) END,
        'drawn_by', p.drawn_by,
        'drawn_by_name', (SELECT u.display_name FROM users u WHERE u.id = p.drawn_by),
        'drawn_at', p.drawn_at,
        'workstations', (SELECT coalesce(json_agg(json_build_object(
                             'id', w.id, 'name', w.name) ORDER BY w.id), '[]')
                         FROM assessment_panel_stations s
                         JOIN workstations w ON w.id = s.workstation_id
                         WHERE s.panel_id = p.id),
        'reviewers', (SELECT coalesce(json_agg(json_build_object(
                          'expert_id', r.expert_id, 'name', x.name, 'title', x.title,
                          'affiliation', x.affiliation, 'draw_order', r.draw_order,
                          'status', r.status,
                          'status_label', assessment_panel_status_label(r.status),
                          'note', r.note, 'responded_at', r.responded_at)
                          ORDER BY r.draw_order), '[]')
                      FROM assessment_panel_reviewers r JOIN experts x ON x.id = r.expert_id
                      WHERE r.panel_id = p.id));
END
$$;
