# shellcheck shell=bash
# Shared shell functions of scripts/up, scripts/test, scripts/stress and bench/*.
# Source it; it sets SIKU_ROOT and defines siku_* functions. Works as root and as a user.

SIKU_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

siku_say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
siku_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Debian packages siku needs to build, run and test.
export SIKU_BUILD_PACKAGES="gcc meson ninja-build pkg-config libevent-dev libpq-dev libcjson-dev
 libsodium-dev check libfriso-dev friso-dict libzip-dev libexpat1-dev
 libxlsxwriter-dev postgresql-15 postgresql-client-15"
export SIKU_TEST_PACKAGES="curl clang-format cppcheck shellcheck unzip"
# clang and its runtime libraries (libFuzzer, the sanitizers) for scripts/fuzz.
export SIKU_FUZZ_PACKAGES="clang libclang-rt-14-dev"

# Node.js runs the API contract tools; any installed node/npm will do, else Debian's.
siku_install_node() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && return 0
    siku_install_packages nodejs npm
}

siku_as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else return 1; fi
}

# Installs whatever of the given packages is missing (apt-get update only when needed).
siku_install_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    siku_say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    siku_as_root apt-get update -qq ||
        siku_die "cannot install ${missing[*]}: run as root or with sudo"
    siku_as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        siku_die "apt-get install ${missing[*]} failed"
}

# siku_build DIR [meson options...]: configures once, then compiles.
siku_build() {
    local dir=$1; shift
    if [ ! -f "$SIKU_ROOT/$dir/build.ninja" ]; then
        meson setup "$SIKU_ROOT/$dir" "$SIKU_ROOT" "$@" >/dev/null ||
            siku_die "meson setup $dir failed"
    fi
    meson compile -C "$SIKU_ROOT/$dir" >/dev/null || {
        meson compile -C "$SIKU_ROOT/$dir" 2>&1 | tail -40 >&2
        siku_die "build in $dir failed"
    }
}

# The OS user the cluster runs as: initdb refuses root, so root uses 'postgres'.
siku_pg_user() {
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql \
            --shell /bin/bash postgres
        echo postgres
    else
        id -un
    fi
}

siku_pg_run() {
    local user; user=$(siku_pg_user)
    if [ "$(id -u)" = 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi
}

# The socket directory must be short (sun_path is 108 bytes) and reachable by the cluster
# user: under var/ when possible, under /tmp otherwise.
siku_pg_sockdir() {
    local dir=$1 sock="$1/run"
    if [ ${#sock} -gt 80 ]; then
        sock="/tmp/siku-$(printf '%s' "$dir" | md5sum | cut -c1-12)"
    fi
    echo "$sock"
}

# siku_pg_start DIR PORT: creates (once) and starts a private cluster in DIR; prints the
# libpq connection string of database siku as role siku.
siku_pg_start() {
    local dir port=$2 user sock
    dir=$(realpath -m "$1")
    user=$(siku_pg_user)
    sock=$(siku_pg_sockdir "$dir")
    mkdir -p "$dir" "$sock"
    if [ "$(id -u)" = 0 ]; then
        chown "$user" "$dir" "$sock"
        # The cluster user must be able to reach DIR through its parents.
        runuser -u "$user" -- test -x "$dir" ||
            siku_die "$user cannot reach $dir; move the checkout somewhere world-readable"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        siku_pg_run "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
            --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
            { cat "$dir/initdb.log" >&2; siku_die "initdb failed"; }
        cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$sock'
port = $port
shared_buffers = 256MB
max_connections = 100
fsync = on
synchronous_commit = on
jit = off
random_page_cost = 1.1
log_min_messages = warning
log_min_error_statement = panic
logging_collector = off
CONF
    fi
    if ! siku_pg_run "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        siku_pg_run "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
            -o "-p $port -k $sock" start >/dev/null ||
            { tail -20 "$dir/postgres.log" >&2; siku_die "PostgreSQL did not start"; }
    fi
    local psql=("$PG_BIN/psql" -X -q -h "$sock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
    "${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'siku'" | grep -q 1 ||
        "${psql[@]}" -c "CREATE ROLE siku LOGIN" >/dev/null
    "${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'siku'" | grep -q 1 ||
        "${psql[@]}" -c "CREATE DATABASE siku OWNER siku" >/dev/null
    echo "host=$sock port=$port user=siku dbname=siku"
}

siku_pg_stop() {
    local dir
    dir=$(realpath -m "$1")
    [ -f "$dir/data/PG_VERSION" ] || return 0
    siku_pg_run "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

# Stops the daemon scripts/up started, waiting for it to drain.
siku_daemon_stop() {
    local pidfile="$SIKU_ROOT/var/sikud.pid" pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$pidfile"
}
