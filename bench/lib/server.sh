#!/usr/bin/env bash
# Shared by the benchmarks: a private PostgreSQL cluster, a fresh database, a release sikud on
# it and a signed-in staff token. Source it after scripts/lib/common.sh; set BENCH_NAME,
# PG_PORT and SIKU_PORT first. Cleans up on exit.
BUILD=${BUILD:-build-release}
PG_DIR=${PG_DIR:-var/bench-pg}
OUT=$SIKU_ROOT/$BUILD/bench
SIKU_PID='' PG_STARTED=''

bench_cleanup() {
    if [ -n "$SIKU_PID" ]; then
        kill "$SIKU_PID" 2>/dev/null || true
        wait "$SIKU_PID" 2>/dev/null || true
    fi
    [ -z "$PG_STARTED" ] || siku_pg_stop "$PG_DIR"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# bench_start_db DBNAME [keep]: starts the cluster and makes DBNAME afresh (or keeps it when
# the second argument is "keep" and it exists), migrated; sets CONNINFO.
bench_start_db() {
    local db=$1 keep=${2:-}
    siku_say "building the release daemon in $BUILD"
    siku_build "$BUILD" --buildtype=release
    mkdir -p "$OUT"
    siku_say "starting PostgreSQL in $PG_DIR (port $PG_PORT), database $db"
    # A cluster that was already running (a shared one holding a generated database) is
    # left running at exit.
    if [ -f "$PG_DIR/data/postmaster.pid" ] &&
        siku_pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
        PG_STARTED=''
        # The benchmarks share the cluster but name different ports: use the one it runs on.
        PG_PORT=$(sed -n 4p "$PG_DIR/data/postmaster.pid")
    else
        PG_STARTED=1
    fi
    local base
    base=$(siku_pg_start "$PG_DIR" "$PG_PORT")
    SOCK=$(siku_pg_sockdir "$(realpath -m "$PG_DIR")")
    PGARGS=(-h "$SOCK" -p "$PG_PORT" -U postgres)
    if [ "$keep" != keep ] || ! "$PG_BIN/psql" -X -q "${PGARGS[@]}" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
        "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "${PGARGS[@]}" -d postgres \
            -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" \
            -c "CREATE DATABASE $db OWNER siku" >/dev/null
    fi
    CONNINFO="${base/dbname=siku/dbname=$db}"
    [[ $CONNINFO == *"dbname=$db"* ]] || CONNINFO="$base dbname=$db"
    "$BUILD/sikud" migrate --database "$CONNINFO" >"$OUT/migrate.log" 2>&1 ||
        { cat "$OUT/migrate.log" >&2; siku_die "sikud migrate failed"; }
}

# psql as the siku role on the benchmark's database.
bench_psql() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$CONNINFO" "$@"; }

# bench_start_sikud [flags...]: serves on SIKU_PORT, waits for /readyz, makes a city staff
# account and sets TOKEN.
bench_start_sikud() {
    bench_port_free "$SIKU_PORT" || siku_die "127.0.0.1:$SIKU_PORT is in use"
    "$BUILD/sikud" --listen "127.0.0.1:$SIKU_PORT" --database "$CONNINFO" --access-log false \
        "$@" >"$OUT/sikud.log" 2>&1 &
    SIKU_PID=$!
    local code=
    for _ in $(seq 150); do
        kill -0 "$SIKU_PID" 2>/dev/null || { tail -20 "$OUT/sikud.log" >&2; siku_die "sikud exited"; }
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SIKU_PORT/readyz" || true)
        [ "$code" = 200 ] && break
        sleep 0.2
    done
    [ "$code" = 200 ] || siku_die "sikud /readyz answered ${code:-nothing} after 30 s"
    BENCH_USER=bench BENCH_PASSWORD=Load-Test-2026-pw
    printf '%s\n' "$BENCH_PASSWORD" | "$BUILD/sikud" create-user --database "$CONNINFO" \
        --username "$BENCH_USER" --role city_staff --display-name bench --if-missing \
        >"$OUT/create-user.log" 2>&1 ||
        { cat "$OUT/create-user.log" >&2; siku_die "sikud create-user failed"; }
    TOKEN=$(curl -s -H 'Content-Type: application/json' \
        -d "{\"username\":\"$BENCH_USER\",\"password\":\"$BENCH_PASSWORD\"}" \
        "http://127.0.0.1:$SIKU_PORT/api/v1/auth/login" |
        sed -n 's/.*"token" *: *"\([A-Za-z0-9_-]*\)".*/\1/p')
    [ -n "$TOKEN" ] || siku_die "POST /api/v1/auth/login gave no token"
}
