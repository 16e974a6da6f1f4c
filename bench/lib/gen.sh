#!/usr/bin/env bash
# Shared by bench/gen and bench/libraries: fills the benchmark database with generated rows
# (scripts/lib/generate.sql) and their search terms (sikud reindex). Source after
# bench/lib/server.sh and bench_start_db.

# bench_generate EXPERTS [ENTERPRISES [DEMANDS]]: makes the database hold exactly that many
# experts, afresh unless it already does (generating 100,000 takes minutes, so it is kept).
bench_generate() {
    local experts=$1 enterprises=${2:-$(($1 / 5))} demands=${3:-$(($1 / 2))}
    [[ "$experts$enterprises$demands" =~ ^[0-9]+$ ]] || siku_die "sizes must be numbers"
    if [ "$experts" -gt 100000 ] || [ "$enterprises" -gt 20000 ] || [ "$demands" -gt 50000 ]; then
        siku_die "at most 100000 experts, 20000 enterprises, 50000 demands"
    fi
    local have
    have=$(bench_psql -tAc "SELECT (SELECT count(*) FROM experts WHERE kind = 'expert')
        || '/' || (SELECT count(*) FROM enterprises) || '/' || (SELECT count(*) FROM demands)")
    if [ "$have" = "$experts/$enterprises/$demands" ]; then
        siku_say "the database already holds $have experts/enterprises/demands"
        return
    fi
    bench_psql -c "SET client_min_messages = warning" -c "DROP SCHEMA public CASCADE" \
        -c "CREATE SCHEMA public" >/dev/null
    "$BUILD/sikud" migrate --database "$CONNINFO" >"$OUT/migrate.log" 2>&1 ||
        { cat "$OUT/migrate.log" >&2; siku_die "sikud migrate failed"; }
    siku_say "generating $experts experts, $enterprises enterprises, $demands demands"
    local t0=$SECONDS
    bench_psql -o /dev/null -v experts="$experts" -v academicians=$((experts / 50)) \
        -v enterprises="$enterprises" -v demands="$demands" -v projects=$((experts / 20)) \
        -f scripts/lib/generate.sql
    local t1=$SECONDS
    "$BUILD/sikud" reindex --database "$CONNINFO" >"$OUT/reindex.log" 2>&1 ||
        { tail "$OUT/reindex.log" >&2; siku_die "sikud reindex failed"; }
    bench_psql -c "ANALYZE experts, enterprises, demands" >/dev/null
    siku_say "generated in $((t1 - t0)) s, indexed in $((SECONDS - t1)) s"
}
