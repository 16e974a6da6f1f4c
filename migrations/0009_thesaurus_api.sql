-- The thesaurus as the API shows it: a group of synonyms (芯片 ~ 集成电路) with its note.
CREATE FUNCTION thesaurus_group_json(g thesaurus_groups) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', g.id,
        'terms', coalesce((SELECT json_agg(t.term ORDER BY t.term) FROM thesaurus_terms t
                           WHERE t.group_id = g.id), '[]'::json),
        'note', g.note, 'created_by', g.created_by, 'created_at', g.created_at)
$$;

CREATE INDEX thesaurus_terms_term ON thesaurus_terms (term);
