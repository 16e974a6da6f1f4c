#!/usr/bin/env bash
# Fault tests' handle on the throwaway cluster: pgctl.sh DIR stop|stop-immediate|start.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "$0")/../../scripts/lib/common.sh"
dir=$(realpath -m "$1")
sock=$(siku_pg_sockdir "$dir")
port=$(sed -n 's/^port = //p' "$dir/data/postgresql.conf" | tail -1)
case "$2" in
    stop) siku_pg_run "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop ;;
    stop-immediate) siku_pg_run "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop ;;
    start) siku_pg_run "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-p $port -k $sock" start ;;
    *) echo "usage: pgctl.sh DIR stop|stop-immediate|start" >&2; exit 2 ;;
esac
