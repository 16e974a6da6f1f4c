-- Imports into the demand and workstation libraries (src/api/import_adapters.c), and one fold
-- for every natural key an import compares: Unicode NFKC (full-width ASCII such as Ａ１（，…, as
-- Chinese input methods write it, read as half-width), white space of every kind dropped, ASCII
-- letters lower-cased.
-- sikud folds the same way (import_fold in src/domain/import_map.c) to find duplicates within a
-- file; this is the fold that finds the records already there. People (expert_person_key) now
-- fold too, so 扬州大学（农学院） and 扬州大学 (农学院) are the same affiliation.

-- normalize(NFKC) is PostgreSQL's own C; a translate() of the 94 full-width characters did the
-- same five times slower (the person key of 100,000 rows on a loaded 2-core box: 4 s before,
-- 21 s with translate, 6 s with NFKC). NFKC folds a little more than sikud's import_fold
-- (circled digits, half-width katakana, compatibility ideographs): two rows of one file that
-- differ only so are one record to the database but not duplicates to sikud (both then update
-- it, or both are inserted), a case staff's rosters hardly hold.
CREATE FUNCTION import_fold(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT translate(regexp_replace(normalize(coalesce(s, ''), NFKC),
                                    '[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+',
                                    '', 'g'),
                     'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
$$;

CREATE OR REPLACE FUNCTION expert_person_key(name text, affiliation text, phone text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT import_fold(name) || '|' || import_fold(affiliation) || '|'
        || regexp_replace(regexp_replace(import_fold(phone), '^\+86', ''), '[^0-9]', '', 'g')
$$;
REINDEX INDEX experts_person_key;

-- A demand is its enterprise's demand of that title; a workstation its host's station of that
-- name (archived records are out of the lists, and so out of the match).
CREATE INDEX demands_import_key ON demands (enterprise_id, import_fold(title))
    WHERE archived_at IS NULL;
CREATE INDEX workstations_import_key ON workstations (host_enterprise_id, import_fold(name))
    WHERE archived_at IS NULL;
