#!/usr/bin/env bash
# tests/browser/run.sh: the console's end-to-end test. On the throwaway cluster of
# scripts/test (SIKU_TEST_PG) it makes a database with a small demo library and the demo
# logins, starts the release sikud serving web/ on a free port, and drives headless Chromium
# (Debian's chromium, through playwright-core) over it. Screenshots: build/screenshots/.
# A browser that cannot be installed is a failure, never a silent pass.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "$0")/../../scripts/lib/common.sh"
cd "$SIKU_ROOT"

: "${SIKU_TEST_PG:?run from scripts/test}"
CHROMIUM=${SIKU_CHROMIUM:-/usr/bin/chromium}
# The CJK font only makes the screenshots readable; the test does not depend on it.
siku_install_packages chromium fonts-wqy-microhei || true
if [ ! -x "$CHROMIUM" ]; then
    echo "FAIL browser test not run: chromium cannot be installed (apt-get install chromium)" >&2
    exit 1
fi
if [ ! -d tests/browser/node_modules/playwright-core ]; then
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

DB=siku_browser
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1)
ADMIN_CONN="$SIKU_TEST_PG user=postgres dbname=postgres"
CONN="$SIKU_TEST_PG user=siku dbname=$DB"
"${PSQL[@]}" -d "$ADMIN_CONN" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB OWNER siku TEMPLATE siku_template" >/dev/null
# A small library is enough to page, search and match.
"${PSQL[@]}" -d "$CONN" -o /dev/null -v experts=80 -v academicians=12 -v enterprises=45 \
    -v demands=40 -v projects=10 -f scripts/lib/generate.sql >/dev/null
if build/sikud --help | grep -q reindex; then
    build/sikud reindex --database "$CONN" >/dev/null 2>&1
fi
user() { # username role password [binding flags...]
    local u=$1 r=$2 p=$3
    shift 3
    printf '%s\n' "$p" | build/sikud create-user --database "$CONN" --username "$u" --role "$r" \
        --display-name "$u" --if-missing "$@" >/dev/null
}
ENTERPRISE=$("${PSQL[@]}" -d "$CONN" -tAc "SELECT id FROM enterprises WHERE region_code = '321003' ORDER BY id LIMIT 1")
user guanli admin Siku-admin-2026
user qiye enterprise Siku-company-2026 --enterprise "$ENTERPRISE"
user xianqu county_staff Siku-county-2026 --region 321003
# Panels draw only experts with an account to confirm and score with: a dozen who consented
# and are available get one (they never sign in here; the test gives a drawn one a login).
"${PSQL[@]}" -d "$CONN" -c "INSERT INTO users (username, display_name, role, expert_id, password_hash)
    SELECT 'shenping' || id, name, 'expert', id, 'x' FROM experts
    WHERE consent AND available AND archived_at IS NULL ORDER BY id LIMIT 12" >/dev/null

# A published demand to rank and propose experts for.
SIKU_TEST_DEMAND=$("${PSQL[@]}" -d "$CONN" -tAc "SELECT id FROM demands WHERE status = 'published' AND archived_at IS NULL ORDER BY id LIMIT 1")
export SIKU_TEST_DEMAND
export SIKU_TEST_ENTERPRISE=$ENTERPRISE

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG="$SIKU_ROOT/build/sikud-browser.log"
build/sikud --listen "127.0.0.1:$PORT" --database "$CONN" --threads 1 --web-dir "$SIKU_ROOT/web" \
    --access-log false --session-cache-ms 0 >"$LOG" 2>&1 &
PID=$!
cleanup() {
    if kill "$PID" 2>/dev/null; then wait "$PID" 2>/dev/null || true; fi
    "${PSQL[@]}" -d "$ADMIN_CONN" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$PID" 2>/dev/null || { tail -20 "$LOG" >&2; siku_die "sikud exited"; }
    sleep 0.1
done

rm -rf build/screenshots
SIKU_SCREENSHOTS="$SIKU_ROOT/build/screenshots" SIKU_CHROMIUM="$CHROMIUM" \
    nice node tests/browser/console.mjs "http://127.0.0.1:$PORT"
