-- Imports into the expert and academician libraries (src/api/import_adapters.c): a roster row
-- finds the person it describes by ID number, or else by name + affiliation + phone,
-- normalised (white space of every kind dropped, ASCII letters lower-cased, the phone reduced
-- to its digits without +86), with an index for each way.

CREATE FUNCTION expert_person_key(name text, affiliation text, phone text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT translate(regexp_replace(coalesce(name, ''), '[\s\u00a0\u3000\u200b\ufeff]+', '', 'g'),
                     'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
        || '|' ||
           translate(regexp_replace(coalesce(affiliation, ''), '[\s\u00a0\u3000\u200b\ufeff]+', '',
                                    'g'),
                     'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
        || '|' || regexp_replace(regexp_replace(coalesce(phone, ''), '^\+86', ''), '[^0-9]', '', 'g')
$$;

CREATE INDEX experts_person_key ON experts (kind, expert_person_key(name, affiliation, phone));
CREATE INDEX experts_id_number ON experts (id_number) WHERE id_number IS NOT NULL;
