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
