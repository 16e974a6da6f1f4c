-- Panel draws exclude, besides conflicts of interest, the experts who could not serve: those
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
