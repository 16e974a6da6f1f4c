-- Imports into the expert and academician libraries are no longer staged: sikud sends the rows
-- part by part (1,000 at a time) into one transaction while it reads the next part, and each
-- part is matched, checked and written by one statement (src/api/import_adapters.c,
-- PERSON_CHUNK); the transaction commits at the end or rolls back (issue 7: the database's
-- work and sikud's reading used to run one after the other, bench/README.md "bench/import").
-- A part travels as a JSON array of flat objects, typed in one call by
-- json_populate_recordset(NULL::import_person, ...): the clean fields of a row, its order and
-- row number, its search terms and the text of its search vector.
CREATE TYPE import_person AS (
    ord integer,
    row_no integer,
    terms jsonb,
    search tsvector,
    name text,
    gender text,
    birth_year integer,
    title text,
    position text,
    affiliation text,
    affiliation_kind text,
    region_code text,
    discipline_codes text[],
    industry_codes text[],
    research_fields text,
    keywords text[],
    achievements text,
    service_modes text[],
    phone text,
    email text,
    id_number text,
    address text,
    consent boolean,
    available boolean,
    academy text,
    division text,
    election_year integer,
    city_ties text[],
    ties_note text,
    status text
);

-- The staged rows of the other libraries carry neither a vector nor a person key.
ALTER TABLE import_rows DROP COLUMN search, DROP COLUMN pkey;

-- The first-level disciplines of an expert (the generated column experts.discipline_roots) are
-- made on every insert and on every update of the codes: the SQL function's aggregate cost
-- about 20 µs a row (an executor set up for every call). Most experts have one or two codes:
-- those are answered by plain expressions, the same arrays array_agg(DISTINCT ...) made
-- (distinct, in the default collation's order, NULL last); longer lists as before. The stored
-- values stay right: the function gives the same array for every list.
CREATE OR REPLACE FUNCTION discipline_roots(codes text[]) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    a text;
    b text;
BEGIN
    IF codes IS NULL OR cardinality(codes) = 0 THEN
        RETURN '{}';
    ELSIF array_ndims(codes) = 1 AND cardinality(codes) = 1 THEN
        RETURN ARRAY[left(codes[array_lower(codes, 1)], 3)];
    ELSIF array_ndims(codes) = 1 AND cardinality(codes) = 2 THEN
        a := left(codes[array_lower(codes, 1)], 3);
        b := left(codes[array_lower(codes, 1) + 1], 3);
        IF a IS NOT DISTINCT FROM b THEN
            RETURN ARRAY[a];
        ELSIF b IS NULL OR a < b THEN
            RETURN ARRAY[a, b];
        END IF;
        RETURN ARRAY[b, a];
    END IF;
    RETURN (SELECT coalesce(array_agg(DISTINCT left(c, 3)), '{}') FROM unnest(codes) c);
END
$$;
