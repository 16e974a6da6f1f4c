#!/usr/bin/env bash
# Loads the demo data into $SIKU_DATABASE_URL (idempotent) and prints the demo logins, one per
# line. Passwords are fixed so that the README and a returning user can rely on them.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "$0")/common.sh"
cd "$SIKU_ROOT"

make_user() { # username role password display-name [binding flags...]
    local user=$1 role=$2 password=$3 name=$4
    shift 4
    printf '%s\n' "$password" | build/sikud create-user --database "$SIKU_DATABASE_URL" \
        --username "$user" --role "$role" --display-name "$name" --if-missing "$@" \
        >/dev/null 2>&1 || siku_die "could not create demo user $user"
    printf '  %-14s %-14s %-22s %s\n' "$role" "$user" "$password" "$name"
}

printf '  %-14s %-14s %-22s %s\n' role username password name
make_user admin admin "Siku-admin-2026" "系统管理员"
make_user city city_staff "Siku-city-2026" "市科协 王晓红"
make_user hanjiang county_staff "Siku-county-2026" "邗江区科协 李建国" --region 321003
