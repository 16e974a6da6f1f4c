#!/usr/bin/env bash
# The demo data scripts/up loads (scripts/lib/demo.sh) loads on a fresh database, and gives a
# staff member a year at work to look at: every library filled, demands in every state with
# proposals from the ranking moved along the match workflow, projects with their history, this
# year's and last year's figures. Run by scripts/test with SIKU_TEST_PG set.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "$0")/../../scripts/lib/common.sh"
cd "$SIKU_ROOT"

DB=siku_demo
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" -d "$SIKU_TEST_PG user=postgres dbname=postgres" -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS $DB" \
    -c "CREATE DATABASE $DB OWNER siku TEMPLATE siku_template" >/dev/null
CONN="$SIKU_TEST_PG user=siku dbname=$DB"
LOG=$SIKU_ROOT/build/demo-check.log
SIKU_DATABASE_URL="$CONN" scripts/lib/demo.sh >"$LOG" 2>&1 || { cat "$LOG" >&2; siku_die "demo.sh failed"; }
# a second run (scripts/up on a database that has the demo) must change nothing
SIKU_DATABASE_URL="$CONN" scripts/lib/demo.sh >>"$LOG" 2>&1 || { cat "$LOG" >&2; siku_die "demo.sh failed"; }

fails=0
expect() { # description, SQL giving t or f
    local got
    got=$("${PSQL[@]}" -d "$CONN" -tAc "$2")
    if [ "$got" = t ]; then
        printf 'ok    %s\n' "$1"
    else
        printf 'FAIL  %s\n' "$1"
        fails=$((fails + 1))
    fi
}
this="extract(year FROM current_date)::int"
expect "300 experts and 40 academicians, loaded once" \
    "SELECT count(*) FILTER (WHERE kind = 'expert') = 300 AND count(*) FILTER (WHERE kind = 'academician') = 40 FROM experts"
expect "every expert has search terms" "SELECT bool_and(search <> ''::tsvector) FROM experts"
expect "experts brought in over several years" \
    "SELECT count(DISTINCT extract(year FROM created_at)) >= 5 FROM experts"
expect "demands in all nine states" "SELECT count(DISTINCT status) = 9 FROM demands"
expect "a demand's field follows its enterprise's (a battery demand from a battery company)" \
    "SELECT count(*) = 0 FROM demands d JOIN enterprises e ON e.id = d.enterprise_id
     WHERE d.title ~ '电池|充电' AND e.name !~ '新能源|动力|电池|汽车'"
expect "every demand past publication has proposals from the ranking, with reasons" \
    "SELECT bool_and(EXISTS (SELECT 1 FROM matches m WHERE m.demand_id = d.id
                             AND m.reasons ? 'summary' AND m.score > 0))
     FROM demands d WHERE d.status IN ('matching', 'matched', 'cooperating', 'closed')"
expect "matches in every state of the workflow" "SELECT count(DISTINCT status) = 6 FROM matches"
expect "each match's history ends at its status" \
    "SELECT bool_and(t.to_status = m.status) FROM matches m
     JOIN LATERAL (SELECT to_status FROM match_transitions WHERE match_id = m.id
                   ORDER BY at DESC, id DESC LIMIT 1) t ON true"
expect "no one who may not be offered was proposed" \
    "SELECT count(*) = 0 FROM matches m JOIN experts e ON e.id = m.expert_id
     WHERE NOT e.consent OR NOT e.available OR e.archived_at IS NOT NULL"
expect "each project's history ends at its status" \
    "SELECT bool_and(t.to_status = p.status) FROM projects p
     JOIN LATERAL (SELECT to_status FROM project_transitions WHERE project_id = p.id
                   ORDER BY at DESC, id DESC LIMIT 1) t ON true"
expect "this year's figures: demands, matches, projects, stations, activities" \
    "SELECT demands_posted > 0 AND matches_total > 0 AND projects_signed > 0 AND ws_running > 0
            AND (act_agency_lecture + act_campus_science + act_park_guidance
                 + act_enterprise_station + act_other) > 0
     FROM stats_year($this) WHERE scope = 'city'"
expect "last year's figures too, and last year's reports to assess" \
    "SELECT demands_posted > 0 AND matches_total > 0 AND ws_running > 0
            AND (SELECT count(*) FROM workstation_reports WHERE year = $this - 1
                 AND status = 'accepted') >= 6
     FROM stats_year($this - 1) WHERE scope = 'city'"
expect "a panel can be drawn: a dozen consenting, available experts with an account" \
    "SELECT count(*) >= 12 FROM users u JOIN experts e ON e.id = u.expert_id
     WHERE u.role = 'expert' AND NOT u.disabled AND e.consent AND e.available"
expect "nothing in the future" \
    "SELECT (SELECT max(created_at) FROM experts) <= now() AND (SELECT max(at) FROM match_transitions) <= now()
            AND (SELECT max(at) FROM project_transitions) <= now() AND (SELECT max(published_at) FROM demands) <= now()"

"${PSQL[@]}" -d "$SIKU_TEST_PG user=postgres dbname=postgres" -c "DROP DATABASE $DB" >/dev/null
[ "$fails" = 0 ] || siku_die "$fails demo data check(s) failed"
