-- A published assessment year is frozen: every write to it answers 409 assessment_published.
-- sikud checks this in each statement that writes a year's data (so that the answer says why),
-- and these triggers make it hold for every writer (the API, an import, psql, a statement
-- racing the publication): the annual reports and their evidence, the checklist scores, the
-- results, the panels with their stations, reviewers and scores, and the year itself.
-- The error is SK409 naming the constraint "assessment_published", which sikud answers as
-- 409 of that type with the message below.

CREATE FUNCTION assessment_year_refuse_published(yr integer) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM assessment_years y WHERE y.year = yr AND y.published_at IS NOT NULL)
    THEN
        RAISE EXCEPTION '该年度考核已发布，不能再修改'
            USING ERRCODE = 'SK409', CONSTRAINT = 'assessment_published';
    END IF;
END
$$;

-- The year a row of a year's table belongs to (TG_ARGV[0]: 'year' when it carries its year,
-- 'panel' when it carries a panel_id).
CREATE FUNCTION assessment_row_year(kind text, r record) RETURNS integer
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF kind = 'year' THEN
        RETURN r.year;
    END IF;
    RETURN (SELECT p.year FROM assessment_panels p WHERE p.id = r.panel_id);
END
$$;

CREATE FUNCTION assessment_year_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- An update checks both sides: a row may be neither moved out of nor into a frozen year.
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM assessment_year_refuse_published(assessment_row_year(TG_ARGV[0], OLD));
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM assessment_year_refuse_published(assessment_row_year(TG_ARGV[0], NEW));
        RETURN NEW;
    END IF;
    RETURN OLD;
END
$$;

CREATE TRIGGER workstation_reports_frozen BEFORE INSERT OR UPDATE OR DELETE
    ON workstation_reports FOR EACH ROW EXECUTE FUNCTION assessment_year_frozen('year');
CREATE TRIGGER workstation_evidence_frozen BEFORE INSERT OR UPDATE OR DELETE
    ON workstation_evidence FOR EACH ROW EXECUTE FUNCTION assessment_year_frozen('year');
CREATE TRIGGER assessment_checklist_frozen BEFORE INSERT OR UPDATE OR DELETE
    ON assessment_checklist FOR EACH ROW EXECUTE FUNCTION assessment_year_frozen('year');
CREATE TRIGGER assessment_results_frozen BEFORE INSERT OR UPDATE OR DELETE
    ON assessment_results FOR EACH ROW EXECUTE FUNCTION assessment_year_frozen('year');
CREATE TRIGGER assessment_panels_frozen BEFORE INSERT OR UPDATE OR DELETE
    ON assessment_panels FOR EACH ROW EXECUTE FUNCTION assessment_year_frozen('year');
CREATE TRIGGER assessment_panel_stations_frozen BEFORE INSERT OR UPDATE OR DELETE
    ON assessment_panel_stations FOR EACH ROW EXECUTE FUNCTION assessment_year_frozen('panel');
CREATE TRIGGER assessment_panel_reviewers_frozen BEFORE INSERT OR UPDATE OR DELETE
    ON assessment_panel_reviewers FOR EACH ROW EXECUTE FUNCTION assessment_year_frozen('panel');
CREATE TRIGGER assessment_panel_scores_frozen BEFORE INSERT OR UPDATE OR DELETE
    ON assessment_panel_scores FOR EACH ROW EXECUTE FUNCTION assessment_year_frozen('panel');

-- The year itself: publishing is the last change it takes.
CREATE FUNCTION assessment_years_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.published_at IS NOT NULL THEN
        RAISE EXCEPTION '该年度考核已发布，不能再修改'
            USING ERRCODE = 'SK409', CONSTRAINT = 'assessment_published';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER assessment_years_frozen BEFORE UPDATE OR DELETE ON assessment_years
    FOR EACH ROW EXECUTE FUNCTION assessment_years_frozen();
