#!/usr/bin/env bash
# Loads the demo data into $SIKU_DATABASE_URL once (a realistic library from generate.sql, the
# search terms from `sikud reindex`, then the work in progress from demo_activity.sql) and
# makes one login of every role; prints the logins.
# Passwords are fixed so that the README and a returning user can rely on them. Idempotent.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "$0")/common.sh"
cd "$SIKU_ROOT"

psql_db() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$SIKU_DATABASE_URL" "$@"; }

if [ "$(psql_db -tAc 'SELECT count(*) FROM enterprises')" = 0 ]; then
    psql_db -o /dev/null -f scripts/lib/generate.sql >&2
    build/sikud reindex --database "$SIKU_DATABASE_URL" >&2
    psql_db -o /dev/null -f scripts/lib/demo_activity.sql >&2
fi

make_user() { # username role password display-name [binding flags...]
    local user=$1 role=$2 password=$3 name=$4
    shift 4
    printf '%s\n' "$password" | build/sikud create-user --database "$SIKU_DATABASE_URL" \
        --username "$user" --role "$role" --display-name "$name" --if-missing "$@" \
        >/dev/null 2>&1 || siku_die "could not create demo user $user"
    printf '  %-14s %-12s %-18s %s\n' "$role" "$user" "$password" "$name"
}

ENTERPRISE=$(psql_db -tAc "SELECT id FROM enterprises WHERE region_code = '321003' ORDER BY id LIMIT 1")
EXPERT=$(psql_db -tAc "SELECT id FROM experts WHERE kind = 'expert' AND consent ORDER BY id LIMIT 1")
ENTERPRISE_NAME=$(psql_db -tAc "SELECT name FROM enterprises WHERE id = $ENTERPRISE")
EXPERT_NAME=$(psql_db -tAc "SELECT name FROM experts WHERE id = $EXPERT")

printf '  %-14s %-12s %-18s %s\n' role username password "who"
make_user admin admin "Siku-Root-2026" "系统管理员"
make_user city city_staff "Siku-Shi-2026" "市科协 王晓红"
make_user hanjiang county_staff "Siku-county-2026" "邗江区科协 李建国" --region 321003
make_user company enterprise "Siku-Qiye-2026" "$ENTERPRISE_NAME 联系人" --enterprise "$ENTERPRISE"
make_user expert expert "Siku-Zhuanjia-2026" "专家 $EXPERT_NAME" --expert "$EXPERT"

# Assessment panels draw only experts who can confirm and score: a dozen more consenting,
# available experts get an account (pingshen01 … pingshen12, same password
# as the expert login), so that staff can draw a panel from the demo.
n=0
for id in $(psql_db -tAc "SELECT id FROM experts e WHERE kind = 'expert' AND consent AND available
        AND archived_at IS NULL AND id <> $EXPERT
        AND NOT EXISTS (SELECT 1 FROM users u WHERE u.expert_id = e.id) ORDER BY id LIMIT 12"); do
    n=$((n + 1))
    name=$(psql_db -tAc "SELECT name FROM experts WHERE id = $id")
    printf '%s\n' "Siku-Zhuanjia-2026" | build/sikud create-user --database "$SIKU_DATABASE_URL" \
        --username "$(printf 'pingshen%02d' "$n")" --role expert --display-name "评审专家 $name" \
        --if-missing --expert "$id" >/dev/null 2>&1 || siku_die "could not create reviewer login"
done
printf '  %-14s %-12s %-18s %s\n' expert "pingshen01…12" "Siku-Zhuanjia-2026" "评审专家（年度考核评审组）"
