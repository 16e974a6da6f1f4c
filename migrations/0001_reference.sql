-- Reference tables for the national standards siku validates codes against.
-- The rows are loaded by 0002_reference_data.sql.

CREATE TABLE regions (
    code text PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('province', 'city', 'district', 'county', 'county_city',
                                       'functional_zone')),
    parent_code text REFERENCES regions (code),
    sort_order int NOT NULL
);

CREATE TABLE disciplines (
    code text PRIMARY KEY CHECK (code ~ '^[0-9]{3}([0-9]{2})?$'),
    name text NOT NULL,
    level smallint NOT NULL CHECK (level IN (1, 2)),
    parent_code text REFERENCES disciplines (code),
    sort_order int NOT NULL
);

CREATE TABLE industries (
    code text PRIMARY KEY CHECK (code ~ '^([A-T]|[A-T][0-9]{2}|Z[0-9]{2})$'),
    name text NOT NULL,
    level text NOT NULL CHECK (level IN ('section', 'division', 'tag')),
    parent_code text REFERENCES industries (code),
    sort_order int NOT NULL
);

CREATE INDEX disciplines_parent ON disciplines (parent_code);
CREATE INDEX industries_parent ON industries (parent_code);
