#!/usr/bin/python3
"""Backend CPU per ranking: the load-independent figure of bench/README.md ("bench/matching").

    bench/lib/match_cpu.py --psql PATH/psql --conninfo 'host=... dbname=...' [--table T]

T (default bench_cpu_queries) holds the rankings to time: (n int, demand_id bigint, q tsquery),
the tsqueries sikud really sends (log them with log_min_duration_statement = 0). In one psql
session, each ranking runs as sikud runs it (a prepared statement over match_hits) once to warm
the session and once timed; the backend's user + system time comes from /proc/PID/stat before
and after each (10 ms ticks), so the script must run on the database's machine. Prints the
mean, p50 and p95 of CPU and of wall time, and the load average. Standard library only.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--psql", required=True)
    ap.add_argument("--conninfo", required=True)
    ap.add_argument("--table", default="bench_cpu_queries")
    args = ap.parse_args()
    psql = [args.psql, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", args.conninfo]
    rows = subprocess.run(psql + ["-c", f"SELECT n, demand_id FROM {args.table} ORDER BY n"],
                          capture_output=True, text=True, check=True).stdout.split()
    todo = [r.split("|") for r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "cpu.log")
        script = ["SELECT pg_backend_pid() AS pid \\gset", "\\setenv BENCH_PID :pid",
                  "PREPARE r(bigint, tsquery, jsonb, int) AS SELECT json_build_object('items',"
                  " coalesce(json_agg(h.hit ORDER BY (h.hit->>'rank')::int), '[]'::json),"
                  " 'next_cursor', NULL)::text FROM match_hits($1, $2, $3, $4) h;",
                  "\\timing on"]
        stat = "$(awk '{print $14 + $15}' /proc/$BENCH_PID/stat)"
        for rnd in (0, 1):
            for n, demand in todo:
                script += [f"SELECT q AS q FROM {args.table} WHERE n = {n} \\gset",
                           f"\\! echo {rnd} {n} start {stat} >> {log}",
                           "\\o /dev/null",
                           f"EXECUTE r({demand}, :'q', '{{}}', 10);",
                           "\\o",
                           f"\\! echo {rnd} {n} end {stat} >> {log}"]
        path = os.path.join(tmp, "cpu.sql")
        with open(path, "w") as f:
            f.write("\n".join(script) + "\n")
        res = subprocess.run(psql + ["-f", path], capture_output=True, text=True)
        if res.returncode:
            sys.exit(res.stderr)
        ticks = {}
        with open(log) as f:
            for line in f:
                rnd, n, what, t = line.split()
                ticks.setdefault((rnd, n), {})[what] = int(t)
    hz = os.sysconf("SC_CLK_TCK")
    cpu = [(v["end"] - v["start"]) * 1000 / hz for (rnd, _), v in ticks.items() if rnd == "1"]
    # every ranking prints two timings: the \gset of its query, then the EXECUTE
    times = [float(t) for t in re.findall(r"Time: ([0-9.]+) ms", res.stdout)]
    wall = times[1::2][len(todo):]
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    print(f"rankings {len(cpu)}  backend CPU mean {sum(cpu) / len(cpu):.1f} ms"
          f" p50 {percentile(cpu, 50):.0f} p95 {percentile(cpu, 95):.0f} ms"
          f"  wall mean {sum(wall) / len(wall):.1f} p50 {percentile(wall, 50):.1f}"
          f" p95 {percentile(wall, 95):.1f} ms  load {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
