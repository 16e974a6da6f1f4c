-- The annual assessment of academician workstations (年度考核): a year's rubric as data, the
-- checklist scores staff enter per station, and the results of a run (computed score, the
-- staff's adjustment with its reason beside it, rank, grade, proposed exemplar). Publishing
-- a year freezes it. The scoring itself is sikud's (src/domain/rubric.c).

CREATE TABLE assessment_years (
    year integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
    rubric jsonb NOT NULL,
    run_at timestamptz,
    run_by bigint,
    published_at timestamptz,
    published_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);

CREATE TABLE assessment_checklist (
    year integer NOT NULL REFERENCES assessment_years (year),
    workstation_id bigint NOT NULL REFERENCES workstations (id),
    scores jsonb NOT NULL DEFAULT '{}',
    updated_by bigint,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (year, workstation_id)
);

CREATE TABLE assessment_results (
    year integer NOT NULL REFERENCES assessment_years (year),
    workstation_id bigint NOT NULL REFERENCES workstations (id),
    status text NOT NULL CHECK (status IN ('scored', 'missing', 'not_accepted')),
    computed_score numeric(6, 2),
    adjusted_score numeric(6, 2) CHECK (adjusted_score BETWEEN 0 AND 100),
    adjust_reason text,
    adjusted_by bigint,
    adjusted_at timestamptz,
    score numeric(6, 2),
    rank integer,
    grade text CHECK (grade IN ('excellent', 'good', 'pass', 'fail')),
    exemplar boolean NOT NULL DEFAULT false,
    problems jsonb NOT NULL DEFAULT '[]',
    leaves jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (year, workstation_id),
    CONSTRAINT assessment_results_adjustment CHECK ((adjusted_score IS NULL) = (adjust_reason IS NULL))
);
CREATE INDEX assessment_results_rank ON assessment_results (year, rank, workstation_id);

CREATE TRIGGER assessment_years_audit AFTER INSERT OR UPDATE OR DELETE ON assessment_years
    FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER assessment_checklist_audit AFTER INSERT OR UPDATE OR DELETE
    ON assessment_checklist FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER assessment_results_audit AFTER INSERT OR UPDATE OR DELETE ON assessment_results
    FOR EACH ROW EXECUTE FUNCTION audit_row('leaves');

CREATE FUNCTION assessment_grade_label(g text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE g WHEN 'excellent' THEN '优秀' WHEN 'good' THEN '良好' WHEN 'pass' THEN '合格'
                  WHEN 'fail' THEN '不合格' END
$$;

CREATE FUNCTION assessment_status_label(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE s WHEN 'scored' THEN '已评分' WHEN 'missing' THEN '未提交年度报告'
                  WHEN 'not_accepted' THEN '年度报告未审核通过' END
$$;

-- The rubric a year uses: its own once saved; else the latest earlier year's; else NULL (the
-- shipped default, which sikud holds).
CREATE FUNCTION assessment_rubric(yr integer, OUT rubric jsonb, OUT source text)
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT y.rubric FROM assessment_years y WHERE y.year = yr),
                    (SELECT y.rubric FROM assessment_years y WHERE y.year < yr
                     ORDER BY y.year DESC LIMIT 1)),
           CASE WHEN EXISTS (SELECT 1 FROM assessment_years y WHERE y.year = yr) THEN 'saved'
                WHEN EXISTS (SELECT 1 FROM assessment_years y WHERE y.year < yr) THEN 'previous'
                ELSE 'default' END
$$;

-- A year as GET .../rubric shows it; default_rubric fills in when nothing is saved.
CREATE FUNCTION assessment_year_json(yr integer, default_rubric jsonb) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'year', yr, 'source', a.source, 'rubric', coalesce(a.rubric, default_rubric),
        'published', coalesce(y.published_at IS NOT NULL, false),
        'published_at', y.published_at, 'run_at', y.run_at,
        'version', coalesce(y.version, 0))
    FROM assessment_rubric(yr) a LEFT JOIN assessment_years y ON y.year = yr
$$;

CREATE FUNCTION assessment_result_json(r assessment_results) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'workstation_id', r.workstation_id, 'workstation_name', w.name,
        'region_code', w.region_code,
        'region_name', (SELECT g.name FROM regions g WHERE g.code = w.region_code),
        'host_enterprise_name', (SELECT e.name FROM enterprises e
                                 WHERE e.id = w.host_enterprise_id),
        'year', r.year, 'status', r.status, 'status_label', assessment_status_label(r.status),
        'computed_score', r.computed_score, 'adjusted_score', r.adjusted_score,
        'adjust_reason', r.adjust_reason, 'adjusted_by', r.adjusted_by,
        'adjusted_at', r.adjusted_at, 'score', r.score, 'rank', r.rank, 'grade', r.grade,
        'grade_label', assessment_grade_label(r.grade), 'exemplar', r.exemplar,
        'problems', r.problems, 'leaves', r.leaves)
    FROM workstations w WHERE w.id = r.workstation_id
$$;
