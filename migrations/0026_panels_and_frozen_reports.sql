-- Two gaps of the assessment closed. Panel draws exclude, besides conflicts of interest, the experts who could not serve: those
-- who have not consented (no_consent), are not available (unavailable), or have no enabled
-- expert account to confirm and score with (no_account). They are recorded in a panel's
-- exclusions like the conflicts, each with its reasons; this gives the new reasons their
-- Chinese labels.
CREATE OR REPLACE FUNCTION assessment_panel_reason_label(r text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE r WHEN 'affiliation' THEN '与依托企业同单位' WHEN 'project' THEN '与工作站或依托企业有合作项目'
                  WHEN 'match' THEN '与依托企业的需求有对接' WHEN 'team' THEN '工作站专家团队成员'
                  WHEN 'academician' THEN '工作站进站院士'
                  WHEN 'no_consent' THEN '未同意参与（未开启授权）'
                  WHEN 'unavailable' THEN '当前不可参与（已设为不可用）'
                  WHEN 'no_account' THEN '没有可用的专家账号，无法确认和评分' END
$$;

COMMENT ON COLUMN assessment_panels.exclusions IS
    '[{"expert_id", "reasons": ["affiliation" | "project" | "match" | "team" | "academician" '
    '| "no_consent" | "unavailable" | "no_account"]}]';

-- A published year is read-only, its annual reports too: a report of that year can no longer
-- be filed, changed, submitted, returned or accepted. SKP09 answers 409 assessment_published
-- (src/api/sqlstate_map.c).
CREATE FUNCTION workstation_reports_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    yr integer := CASE WHEN TG_OP = 'DELETE' THEN OLD.year ELSE NEW.year END;
BEGIN
    IF EXISTS (SELECT 1 FROM assessment_years y
               WHERE y.published_at IS NOT NULL
                 AND (y.year = yr OR (TG_OP = 'UPDATE' AND y.year = OLD.year))) THEN
        RAISE EXCEPTION '% 年度考核已发布，该年度的年度报告不能再填报或修改', yr
            USING ERRCODE = 'SKP09';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER workstation_reports_frozen BEFORE INSERT OR UPDATE OR DELETE
    ON workstation_reports FOR EACH ROW EXECUTE FUNCTION workstation_reports_frozen();
