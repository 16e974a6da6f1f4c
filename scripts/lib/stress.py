#!/usr/bin/env python3
"""The scenarios of scripts/stress, against a real sikud and PostgreSQL on loopback.

Each scenario prints one line: its name, its figures and PASS or FAIL; the exit status is the
number of failed scenarios (0: all passed). Only the standard library is used, and the HTTP
client is written here on raw sockets so that it can also misbehave on purpose.

Environment (set by scripts/stress): SIKUD (the binary), SIKU_STRESS_CONNINFO (libpq string of
the scenario database), SIKU_STRESS_PGCTL (tests/integration/pgctl.sh and the cluster DIR),
PSQL (psql binary), SIKU_STRESS_OUT (a directory for logs).
"""
import argparse
import atexit
import asyncio
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

SIKUD = os.environ["SIKUD"]
CONNINFO = os.environ["SIKU_STRESS_CONNINFO"]
PGCTL = os.environ["SIKU_STRESS_PGCTL"].split()
PSQL = os.environ.get("PSQL", "psql")
OUT = os.environ.get("SIKU_STRESS_OUT", ".")
PASSWORD = "Load-Check-2026-pw"

# ---------------------------------------------------------------------------------------------
# the daemon and the database


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(query, *flags):
    """Rows of a query; retried for a while, since a scenario may have just restarted the
    cluster (crash recovery after an immediate stop can take seconds on a busy machine)."""
    deadline = time.time() + 60
    while True:
        run = subprocess.run([PSQL, "-X", "-q", "-tA", *flags, "-d", CONNINFO, "-c", query],
                             capture_output=True, text=True)
        if run.returncode == 0:
            return [line for line in run.stdout.splitlines() if line]
        if time.time() > deadline:
            raise SystemExit(f"psql failed: {run.stderr.strip()}")
        time.sleep(0.5)


def sql(query):
    """First column of the first row, as text ('' when there is no row)."""
    rows = psql(query)
    return rows[0] if rows else ""


def sql_rows(query):
    return [line.split("\t") for line in psql(query, "-F", "\t")]


RUNNING = []  # daemons to kill if a scenario dies on an exception


@atexit.register
def _kill_leftovers():
    for proc in RUNNING:
        if proc.poll() is None:
            proc.kill()


class Daemon:
    """sikud on a free port; flags are the scenario's limits."""

    def __init__(self, name, *flags):
        self.port = free_port()
        self.log_path = os.path.join(OUT, f"sikud-{name}.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [SIKUD, "--listen", f"127.0.0.1:{self.port}", "--database", CONNINFO,
             "--access-log", "false", *flags], stdout=self.log, stderr=subprocess.STDOUT)
        RUNNING.append(self.proc)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"sikud exited at start; see {self.log_path}")
            try:
                if blocking_status(self.port, "/readyz") == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit(f"sikud not ready within 30 s; see {self.log_path}")
        self.token = login(self.port)

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=20):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def blocking_status(port, path):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ")[1]) if data.startswith(b"HTTP/1.1 ") else 0


def login(port):
    body = json.dumps({"username": "stress", "password": PASSWORD}).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                  b"Content-Type: application/json\r\nContent-Length: " +
                  str(len(body)).encode() + b"\r\n\r\n" + body)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data.split(b"\r\n\r\n", 1)[1])["token"]


# ---------------------------------------------------------------------------------------------
# a small HTTP/1.1 client


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


class PartialResponse(Exception):
    """The server closed the connection in the middle of a response."""


async def read_response(reader):
    """One response; None if the connection closed before any byte of it."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as e:
        if e.partial:
            raise PartialResponse(e.partial[:80]) from None
        return None
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    try:
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                body += await reader.readexactly(size + 2)
                body = body[:-2]
                if size == 0:
                    break
        else:
            body = await reader.read()
    except asyncio.IncompleteReadError:
        raise PartialResponse(f"status {status}, body cut") from None
    return Response(status, headers, body)


def encode(method, path, token=None, body=None, headers=(), close=False):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    data = b""
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(data)}")
    if close:
        lines.append("Connection: close")
    lines.extend(headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


class Client:
    """A keep-alive connection that reconnects when the server closed it."""

    def __init__(self, port, token):
        self.port, self.token = port, token
        self.reader = self.writer = None

    async def request(self, method, path, body=None, headers=(), timeout=30):
        for attempt in range(2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
                fresh = True
            else:
                fresh = False
            self.writer.write(encode(method, path, self.token, body, headers))
            await self.writer.drain()
            resp = await asyncio.wait_for(read_response(self.reader), timeout)
            if resp is None:
                self.close()
                if fresh:
                    raise ConnectionError("closed without an answer")
                continue  # the keep-alive connection had been closed: retry on a new one
            if resp.headers.get("connection", "").lower() == "close":
                self.close()
            return resp
        raise ConnectionError("closed without an answer")

    def close(self):
        if self.writer:
            self.writer.close()
        self.reader = self.writer = None


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def report(name, ok, figures):
    print(f"{name:<22} {figures}  {'PASS' if ok else 'FAIL'}", flush=True)
    return 0 if ok else 1


# ---------------------------------------------------------------------------------------------
# scenarios


async def scenario_restart(args):
    """16 writers while PostgreSQL stops (immediate) and starts: acknowledged creates are kept,
    nothing is half-written, the only errors are 503, the daemon recovers by itself."""
    d = Daemon("restart")
    tag = f"压测重启{random.randrange(10**6)}"
    results = []  # (name, status, id)
    stop = asyncio.Event()
    others = []

    async def writer(i):
        c = Client(d.port, d.token)
        n = 0
        while not stop.is_set():
            name = f"{tag}-{i}-{n}"
            n += 1
            try:
                r = await c.request("POST", "/api/v1/experts",
                                    {"name": name, "keywords": ["压测"], "region_code": "321003"})
                results.append((name, r.status, r.json().get("id") if r.status == 201 else None))
                if r.status != 201:
                    await asyncio.sleep(0.05)
            except (OSError, ConnectionError, PartialResponse, asyncio.TimeoutError) as e:
                others.append(repr(e))
                c.close()
                await asyncio.sleep(0.05)

    tasks = [asyncio.create_task(writer(i)) for i in range(args.clients)]
    await asyncio.sleep(1.5)
    await asyncio.to_thread(subprocess.run, PGCTL + ["stop-immediate"], check=True,
                            capture_output=True)
    await asyncio.sleep(1.0)
    outage_end = len(results)
    await asyncio.to_thread(subprocess.run, PGCTL + ["start"], check=True, capture_output=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        await asyncio.sleep(0.5)
        if any(s == 201 for _, s, _ in results[outage_end:]):
            break
    await asyncio.sleep(1.0)
    stop.set()
    await asyncio.gather(*tasks)
    recovered = any(s == 201 for _, s, _ in results[outage_end:])
    statuses = {}
    for _, s, _ in results:
        statuses[s] = statuses.get(s, 0) + 1
    acked = {name: i for name, s, i in results if s == 201}
    rows = dict((name, int(i)) for i, name in sql_rows(
        f"SELECT id, name FROM experts WHERE name LIKE '{tag}-%'"))
    lost = [n for n in acked if rows.get(n) != acked[n]]
    # A row committed whose answer the outage swallowed is whole (its audit row is there too).
    unaudited = sql("SELECT count(*) FROM experts e WHERE e.name LIKE '" + tag + "-%' AND NOT "
                    "EXISTS (SELECT 1 FROM audit_log a WHERE a.record_type = 'experts' "
                    "AND a.record_id = e.id::text AND a.action = 'insert')")
    bad = {s: n for s, n in statuses.items() if s not in (201, 503)}
    same = d.alive()
    ready = blocking_status(d.port, "/readyz") == 200
    code = d.stop()
    ok = (not lost and unaudited == "0" and not bad and not others and same and recovered
          and ready and code == 0 and statuses.get(503, 0) > 0)
    return report("restart-under-writes",
                  ok, f"creates {len(results)} acked {len(acked)} 503s {statuses.get(503, 0)} "
                  f"other {bad or 0} net-errors {len(others)} lost {len(lost)} "
                  f"ambiguous-kept {len(rows) - len(acked)} unaudited {unaudited} "
                  f"recovered {recovered} exit {code}")


async def scenario_slow(args):
    """Byte-at-a-time headers and idle keep-alive connections do not slow a normal client, and
    the slow ones are timed out."""
    d = Daemon("slow", "--header-timeout-ms", "3000", "--idle-timeout-ms", "3000")
    c = Client(d.port, d.token)

    async def sample(n):
        lat = []
        for _ in range(n):
            t = time.perf_counter()
            r = await c.request("GET", "/api/v1/regions/321003")
            assert r.status == 200, r.status
            lat.append((time.perf_counter() - t) * 1000)
        return lat

    base = await sample(200)
    conns = []
    for i in range(args.slow):
        try:
            conns.append(await asyncio.open_connection("127.0.0.1", d.port))
        except OSError:
            break
    idle = []
    for i in range(args.slow):
        ic = Client(d.port, d.token)
        await ic.request("GET", "/healthz")
        idle.append(ic)
    stop = asyncio.Event()
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 4000 + b"\r\n\r\n"

    async def dribble(rw):
        _, w = rw
        for byte in request:
            if stop.is_set():
                return
            try:
                w.write(bytes([byte]))
                await w.drain()
            except (ConnectionError, OSError):
                return
            await asyncio.sleep(0.2)

    drip = [asyncio.create_task(dribble(rw)) for rw in conns]
    await asyncio.sleep(0.5)
    during = await sample(200)
    await asyncio.sleep(4.0)  # past the 3 s header and idle timeouts
    # Closed means a 408, an orderly close or a reset (a server closing a socket with unread
    # bytes in it resets the connection); still waiting after the timeout means not closed.
    closed = 0
    for r, _ in conns:
        try:
            data = await asyncio.wait_for(r.read(65536), 1.0)
            closed += data == b"" or data.startswith(b"HTTP/1.1 408")
        except (ConnectionError, OSError):
            closed += 1
        except asyncio.TimeoutError:
            pass
    idle_closed = 0
    for ic in idle:
        try:
            data = await asyncio.wait_for(ic.reader.read(1), 1.0)
            idle_closed += data == b""
        except (ConnectionError, OSError):
            idle_closed += 1
        except asyncio.TimeoutError:
            pass
    stop.set()
    await asyncio.gather(*drip)
    for _, w in conns:
        w.close()
    c.close()
    code = d.stop()
    b99, d99 = percentile(base, 0.99), percentile(during, 0.99)
    ok = (d99 <= max(50.0, 5 * b99) and closed == len(conns) and idle_closed == len(idle)
          and code == 0)
    return report("slow-clients", ok,
                  f"slow {len(conns)} idle {len(idle)} p50 {percentile(base, .5):.1f}->"
                  f"{percentile(during, .5):.1f} ms p99 {b99:.1f}->{d99:.1f} ms "
                  f"timed-out {closed}/{len(conns)} idle-closed {idle_closed}/{len(idle)}")


def flood_cases(token):
    auth = f"Authorization: Bearer {token}\r\n".encode()
    big = json.dumps({"name": "甲", "research_fields": "电" * 400_000}).encode()
    cases = {
        "body-over-limit": b"POST /api/v1/experts HTTP/1.1\r\nHost: x\r\n" + auth +
        b"Content-Type: application/json\r\nContent-Length: " + str(len(big)).encode() +
        b"\r\n\r\n" + big,
        "body-at-limit": None,  # filled below
        "10000-headers": b"GET /healthz HTTP/1.1\r\nHost: x\r\n" +
        b"".join(b"X-H%d: v\r\n" % i for i in range(10000)) + b"\r\n",
        "1MB-url": b"GET /api/v1/regions?" + b"a" * 1_000_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        "deep-json": None,
        "huge-array": None,
        "invalid-utf8": None,
        "nul-in-header": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",
        "nul-in-json": None,
        "wrong-content-type": b"POST /api/v1/experts HTTP/1.1\r\nHost: x\r\n" + auth +
        b"Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi",
        "two-content-lengths": b"POST /api/v1/experts HTTP/1.1\r\nHost: x\r\n" + auth +
        b"Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        "gzip-transfer-coding": b"POST /api/v1/experts HTTP/1.1\r\nHost: x\r\n" + auth +
        b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "encoded-dot-dot": b"GET /api/v1/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
        "garbage-line": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n",
    }

    def post(body):
        return (b"POST /api/v1/experts HTTP/1.1\r\nHost: x\r\n" + auth +
                b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() +
                b"\r\n\r\n" + body)

    at_limit = b'{"name":"' + b"a" * (1048576 - 11) + b'"}'
    cases["body-at-limit"] = post(at_limit)
    cases["deep-json"] = post(b"[" * 100_000 + b"]" * 100_000)
    cases["huge-array"] = post(json.dumps({"name": "甲", "keywords": ["词"] * 100_000}).encode())
    cases["invalid-utf8"] = post(b'{"name":"\xff\xfe\xc3"}')
    cases["nul-in-json"] = post(b'{"name":"a\x00b"}')
    return cases


async def send_raw(port, data, timeout=10, trickle_after=None):
    r, w = await asyncio.open_connection("127.0.0.1", port)
    try:
        w.write(data)
        await w.drain()
        if trickle_after:
            await trickle_after(w)
        resp = await asyncio.wait_for(read_response(r), timeout)
        return resp.status if resp else "closed"
    except (ConnectionError, OSError):
        return "closed"
    except PartialResponse:
        return "partial"
    except asyncio.TimeoutError:
        return "timeout"
    finally:
        w.close()


async def scenario_floods(args):
    """Hostile requests get a 4xx or a closed connection, never a 5xx or a crash; memory goes
    back to where it was."""
    d = Daemon("floods", "--read-timeout-ms", "2000", "--header-timeout-ms", "2000")
    c = Client(d.port, d.token)
    for _ in range(200):  # warm the pools and caches before the baseline
        await c.request("GET", "/api/v1/experts?limit=5")
    base = d.rss_kib()
    outcomes = {}
    for round_ in range(args.flood_rounds):
        for name, data in flood_cases(d.token).items():
            outcomes.setdefault(name, set()).add(await send_raw(d.port, data))

        async def never_ends(w):
            for _ in range(3):
                w.write(b"5\r\nhello\r\n")
                await w.drain()
                await asyncio.sleep(0.1)

        head = (b"POST /api/v1/experts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                d.token.encode() + b"\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        outcomes.setdefault("chunked-never-ends", set()).add(
            await send_raw(d.port, head, timeout=10, trickle_after=never_ends))
        pipelined = b"".join(encode("GET", "/healthz") for _ in range(9)) + encode(
            "GET", "/healthz", close=True)
        r, w = await asyncio.open_connection("127.0.0.1", d.port)
        w.write(pipelined)
        await w.drain()
        answered = 0
        while True:
            resp = await asyncio.wait_for(read_response(r), 10)
            if resp is None:
                break
            answered += resp.status == 200
        w.close()
        outcomes.setdefault("pipelined-10", set()).add(200 if answered == 10 else answered)
    await asyncio.sleep(1.0)
    for _ in range(200):
        await c.request("GET", "/api/v1/experts?limit=5")
    after = d.rss_kib()
    alive = d.alive() and (await c.request("GET", "/healthz")).status == 200
    c.close()
    code = d.stop()
    bad = {}
    for name, seen in outcomes.items():
        for o in seen:
            fine = (name == "pipelined-10" and o == 200) or (
                name != "pipelined-10" and (o == "closed" or (isinstance(o, int) and
                                                               400 <= o < 500)))
            if not fine:
                bad[name] = o
    grown = after - base
    ok = not bad and alive and code == 0 and grown < max(16384, base // 4)
    summary = " ".join(f"{k}={'/'.join(str(x) for x in sorted(v, key=str))}"
                       for k, v in sorted(outcomes.items()))
    print(f"    {summary}", flush=True)
    return report("floods", ok, f"cases {len(outcomes)} x {args.flood_rounds} bad {bad or 0} "
                  f"rss {base // 1024}->{after // 1024} MiB exit {code}")


async def scenario_writers(args):
    """Writers patch one record with If-Match: no update is lost; every loser gets 412."""
    d = Daemon("writers")
    c = Client(d.port, d.token)
    r = await c.request("POST", "/api/v1/experts", {"name": "并发写入专家", "research_fields": ""})
    path = f"/api/v1/experts/{r.json()['id']}"
    conflicts = 0
    other = []

    async def writer(i):
        nonlocal conflicts
        cl = Client(d.port, d.token)
        while True:
            g = await cl.request("GET", path)
            rec = g.json()
            text = (rec["research_fields"] or "") + f"w{i};"
            p = await cl.request("PATCH", path, {"research_fields": text},
                                 headers=[f"If-Match: {g.headers['etag']}"])
            if p.status == 200:
                cl.close()
                return
            if p.status == 412:
                conflicts += 1
                continue
            other.append(p.status)
            cl.close()
            return

    await asyncio.gather(*(writer(i) for i in range(args.writers)))
    final = (await c.request("GET", path)).json()
    parts = [p for p in (final["research_fields"] or "").split(";") if p]
    c.close()
    code = d.stop()
    ok = (sorted(parts) == sorted(f"w{i}" for i in range(args.writers)) and
          final["version"] == 1 + args.writers and not other and code == 0)
    return report("concurrent-writers", ok,
                  f"writers {args.writers} applied {len(parts)} version {final['version']} "
                  f"412s {conflicts} other {other or 0}")


async def scenario_retries(args):
    """The same create sent concurrently with one Idempotency-Key makes one record."""
    d = Daemon("retries")
    name = f"幂等压测{random.randrange(10**6)}"
    key = f"stress-{random.randrange(10**9)}"

    async def one():
        cl = Client(d.port, d.token)
        r = await cl.request("POST", "/api/v1/experts", {"name": name},
                             headers=[f"Idempotency-Key: {key}"])
        cl.close()
        return r.status, r.body

    answers = await asyncio.gather(*(one() for _ in range(args.writers)))
    count = sql(f"SELECT count(*) FROM experts WHERE name = '{name}'")
    code = d.stop()
    statuses = sorted({s for s, _ in answers})
    bodies = {b for s, b in answers if s == 201}
    ok = count == "1" and statuses == [201] and len(bodies) == 1 and code == 0
    return report("idempotent-retries", ok,
                  f"requests {len(answers)} records {count} statuses {statuses} "
                  f"distinct-answers {len(bodies)}")


async def scenario_sigterm(args):
    """SIGTERM under load: no accepted request is cut off; every acknowledged create is kept;
    the process exits 0."""
    d = Daemon("sigterm")
    tag = f"停机压测{random.randrange(10**6)}"
    counts = {"answered": 0, "refused": 0, "unanswered": 0, "partial": 0}
    statuses = {}
    acked = []
    stop = asyncio.Event()

    async def client(i):
        n = 0
        while not stop.is_set():
            n += 1
            try:
                r, w = await asyncio.open_connection("127.0.0.1", d.port)
            except OSError:
                counts["refused"] += 1
                await asyncio.sleep(0.05)
                continue
            try:
                if n % 4 == 0:
                    name = f"{tag}-{i}-{n}"
                    w.write(encode("POST", "/api/v1/experts", d.token, {"name": name}, close=True))
                else:
                    name = None
                    w.write(encode("GET", "/api/v1/regions/321003", d.token, close=True))
                await w.drain()
                resp = await asyncio.wait_for(read_response(r), 20)
                if resp is None:
                    counts["unanswered"] += 1  # closed before a byte: the app never took it
                else:
                    counts["answered"] += 1
                    statuses[resp.status] = statuses.get(resp.status, 0) + 1
                    if resp.status == 201:
                        acked.append(name)
            except PartialResponse:
                counts["partial"] += 1
            except (ConnectionError, OSError):
                counts["unanswered"] += 1
            finally:
                w.close()

    tasks = [asyncio.create_task(client(i)) for i in range(args.clients)]
    await asyncio.sleep(1.5)
    d.proc.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(d.proc.wait, 30)
    stop.set()
    await asyncio.gather(*tasks)
    d.log.close()
    kept = int(sql(f"SELECT count(*) FROM experts WHERE name LIKE '{tag}-%'") or 0)
    bad = {s: n for s, n in statuses.items() if s >= 500 and s != 503}
    ok = counts["partial"] == 0 and not bad and code == 0 and kept >= len(acked)
    return report("sigterm-under-load", ok,
                  f"answered {counts['answered']} refused-after {counts['refused']} "
                  f"unanswered {counts['unanswered']} partial {counts['partial']} "
                  f"5xx {bad or 0} creates-acked {len(acked)} kept {kept} exit {code}")


async def scenario_soak(args):
    """Mixed traffic for a while: RSS, descriptors and latency stay flat."""
    d = Daemon("soak")
    c = Client(d.port, d.token)
    r = await c.request("POST", "/api/v1/experts", {"name": "浸泡测试专家"})
    path = f"/api/v1/experts/{r.json()['id']}"
    stop = asyncio.Event()
    lat = []  # (t, ms)
    errors = []
    words = ["锂电池", "集成电路", "机器人", "生物医药", "新能源"]

    async def client(i):
        cl = Client(d.port, d.token)
        n = 0
        while not stop.is_set():
            n += 1
            t = time.perf_counter()
            kind = n % 5
            if kind == 0:
                resp = await cl.request("GET", path)
            elif kind == 1:
                resp = await cl.request("GET", "/api/v1/experts?limit=20&region_code=321003")
            elif kind == 2:
                resp = await cl.request("GET", "/api/v1/experts?q=" +
                                        urllib.parse.quote(random.choice(words)))
            elif kind == 3:
                resp = await cl.request("POST", "/api/v1/experts", {"name": f"浸泡{i}-{n}"})
            else:
                resp = await cl.request("PATCH", path, {"position": f"教授{n % 7}"})
            lat.append((time.time(), (time.perf_counter() - t) * 1000))
            if resp.status >= 500:
                errors.append(resp.status)
        cl.close()

    tasks = [asyncio.create_task(client(i)) for i in range(8)]
    samples = []
    end = time.time() + args.soak * 60
    while time.time() < end:
        await asyncio.sleep(10)
        samples.append((d.rss_kib(), d.fds()))
    stop.set()
    await asyncio.gather(*tasks)
    c.close()
    code = d.stop()
    q = max(1, len(samples) // 4)
    rss_first = sum(s[0] for s in samples[:q]) / q
    rss_last = sum(s[0] for s in samples[-q:]) / q
    fds = [s[1] for s in samples]
    t0, t1 = lat[0][0], lat[-1][0]
    first = [ms for t, ms in lat if t < t0 + (t1 - t0) / 4]
    last = [ms for t, ms in lat if t > t1 - (t1 - t0) / 4]
    ok = (rss_last <= rss_first * 1.10 + 8192 and max(fds) - min(fds) <= 8 and not errors
          and percentile(last, .99) <= 2 * percentile(first, .99) + 5 and code == 0)
    return report("soak", ok,
                  f"{args.soak} min requests {len(lat)} rss {rss_first / 1024:.0f}->"
                  f"{rss_last / 1024:.0f} MiB fds {min(fds)}..{max(fds)} p99 "
                  f"{percentile(first, .99):.1f}->{percentile(last, .99):.1f} ms 5xx {len(errors)}")


async def scenario_slow_query(args):
    """One request stuck two seconds behind a lock in PostgreSQL does not delay the other
    requests served by the same (single) worker: no event loop waits on the database."""
    d = Daemon("slowquery", "--threads", "1", "--db-pool-size", "4")
    c = Client(d.port, d.token)
    r = await c.request("POST", "/api/v1/experts", {"name": "慢查询专家"})
    path = f"/api/v1/experts/{r.json()['id']}"
    for _ in range(20):
        await c.request("GET", "/api/v1/regions/321003")
    locker = subprocess.Popen([PSQL, "-X", "-q", "-d", CONNINFO, "-c",
                               "BEGIN; LOCK TABLE experts IN ACCESS EXCLUSIVE MODE;"
                               " SELECT pg_sleep(2); COMMIT;"], stdout=subprocess.DEVNULL)
    await asyncio.sleep(0.3)
    slow = Client(d.port, d.token)

    async def stuck():
        t = time.perf_counter()
        resp = await slow.request("GET", path)
        return resp.status, (time.perf_counter() - t) * 1000

    task = asyncio.create_task(stuck())
    await asyncio.sleep(0.05)
    lat = []
    while not task.done():
        t = time.perf_counter()
        resp = await c.request("GET", "/api/v1/regions/321003")
        lat.append((time.perf_counter() - t) * 1000 if resp.status == 200 else 1e9)
        await asyncio.sleep(0.01)
    status, took = await task
    await asyncio.to_thread(locker.wait)
    c.close()
    slow.close()
    code = d.stop()
    ok = status == 200 and took >= 1200 and lat and max(lat) < 500 and code == 0
    return report("slow-query", ok,
                  f"stuck request {took:.0f} ms ({status}); meanwhile {len(lat)} reads on the "
                  f"same worker p50 {percentile(lat, .5):.1f} ms max {max(lat or [0]):.1f} ms")


SCENARIOS = {
    "restart": scenario_restart,
    "slow": scenario_slow,
    "floods": scenario_floods,
    "writers": scenario_writers,
    "retries": scenario_retries,
    "sigterm": scenario_sigterm,
    "slowquery": scenario_slow_query,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--short", action="store_true", help="fewer clients, for scripts/test")
    ap.add_argument("--soak", type=float, default=0, help="also soak for this many minutes")
    ap.add_argument("only", nargs="*", help="scenarios to run (default: all)")
    args = ap.parse_args()
    args.clients = 8 if args.short else 16
    args.slow = 100 if args.short else 500
    args.writers = 16 if args.short else 32
    args.flood_rounds = 1 if args.short else 3
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    failed = 0
    for name in args.only or SCENARIOS:
        failed += asyncio.run(SCENARIOS[name](args))
    if args.soak:
        failed += asyncio.run(scenario_soak(args))
    sys.exit(failed)


if __name__ == "__main__":
    main()
