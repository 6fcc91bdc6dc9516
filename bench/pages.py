"""Page benchmark: the app served the way `make run` serves it, on the 100k-post demo set.

    .venv/bin/python bench/pages.py                 # or: make bench
    .venv/bin/python bench/pages.py --duration 5 --connections 16

What it does:
1. Builds (once, about 2 minutes) a database with `flask db upgrade` +
   `flask demo seed --posts 100000 --no-search-index` (fixed anchor, so it is the same data
   every time) and caches it under bench/.cache/ (git-ignored). It is rebuilt when the seeder, the corpus or the
   migrations change. Each run works on a temporary copy, so votes never touch the cache.
2. Starts gunicorn with the exact command line of the Makefile's `run` target (read from the
   Makefile: gthread worker, one process, its thread count) on a free port, with rate
   limiting off (RATELIMIT_ENABLED=0).
3. Measures, at 16 and 64 concurrent keep-alive connections: the home list (/), a category
   list (/c/<busiest category>), item pages (/posts/<id>, rotating over 200 feedback items),
   and a vote POST (each connection logged in as its own member, with its CSRF token,
   toggling its vote on one open item on and off).
4. Beside them, in the same run, a bare Flask hello-world (bench/hello_app.py) served by the
   same gunicorn command: the ceiling. "vs hello" is each row's requests/s over the
   hello-world's at the same concurrency.
5. Reports each row's server CPU time per request (gunicorn's utime + stime from /proc):
   unlike req/s and latency, it stays meaningful when other programs load the machine.

The load generator is pure Python (raw sockets, HTTP/1.1 keep-alive), one process per core,
threads inside, so a fresh machine needs nothing else. Its own ceiling is printed too: the
same generator against a tiny in-process socket server, so you can see whether it, not the
app, was the limit. Aims (issue 2): p99 < 100 ms at 16 connections; list pages >= 20% of
the hello-world throughput. Results are also written to bench/results/pages-<time>.json.
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import multiprocessing as mp
import os
import random
import re
import shlex
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
ANCHOR = "2026-11-01"
DEMO_PASSWORD = "demo12345"


# ---------------------------------------------------------------------------
# The data set
# ---------------------------------------------------------------------------

def _fingerprint(posts: int) -> str:
    digest = hashlib.sha1(str(posts).encode())
    # Everything the seeded data comes from: the seeder, its corpus package, the migrations.
    sources = sorted((ROOT / "community" / "demo").rglob("*.py"))
    sources += sorted((ROOT / "migrations" / "versions").glob("*.py"))
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _flask(instance: Path, *args: str) -> None:
    env = dict(os.environ, FLASK_APP="app.py", INSTANCE_PATH=str(instance), RATELIMIT_ENABLED="0")
    subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True)


def cached_instance(posts: int, rebuild: bool) -> Path:
    """An instance folder (database, secret key, search index) with the seeded demo."""
    target = CACHE / f"pages-{posts}-{_fingerprint(posts)}"
    if rebuild and target.exists():
        shutil.rmtree(target)
    if (target / "ready").exists():
        print(f"Using the cached data set {target.relative_to(ROOT)}")
        return target
    for stale in CACHE.glob(f"pages-{posts}-*"):
        shutil.rmtree(stale)
    target.mkdir(parents=True)
    print(f"Building the data set ({posts} posts) in {target.relative_to(ROOT)} …")
    started = time.perf_counter()
    _flask(target, "db", "upgrade", "heads")
    # No search index: rebuilding it for 100k posts and their comments takes well over
    # 10 minutes, and these pages do not read it (votes still feed the live indexer).
    _flask(target, "demo", "seed", "--posts", str(posts), "--anchor", ANCHOR, "--no-search-index")
    (target / "ready").write_text(f"{time.perf_counter() - started:.1f}s\n")
    print(f"Data set ready in {time.perf_counter() - started:.0f}s")
    return target


def copy_instance(source: Path) -> Path:
    run_dir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    for item in source.iterdir():
        if item.name == "ready":
            continue
        if item.is_dir():
            shutil.copytree(item, run_dir / item.name)
        else:
            shutil.copy2(item, run_dir / item.name)
    return run_dir


# ---------------------------------------------------------------------------
# The server, started like the Makefile's `run` target
# ---------------------------------------------------------------------------

def makefile_gunicorn_args() -> list[str]:
    """The gunicorn arguments of `make run`, so the bench follows the README."""
    text = (ROOT / "Makefile").read_text()
    match = re.search(r"^\t\$\(BIN\)/gunicorn (.+)$", text, re.M)
    if not match:
        raise SystemExit("Could not find the gunicorn command in the Makefile's run target.")
    return shlex.split(match.group(1))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, app_spec: str, instance: Path | None, log_path: Path):
        self.port = free_port()
        args = []
        for arg in makefile_gunicorn_args():
            arg = arg.replace("$(HOST)", "127.0.0.1").replace("$(PORT)", str(self.port))
            args.append(app_spec if arg == "app:app" else arg)
        self.command = [str(BIN / "gunicorn"), *args]
        env = dict(os.environ, FLASK_APP="app.py", RATELIMIT_ENABLED="0", PYTHONPATH=str(ROOT / "bench"))
        if instance is not None:
            env["INSTANCE_PATH"] = str(instance)
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(self.command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited early; see {self.log.name}")
            try:
                status, _, _ = request("127.0.0.1", self.port, "GET", "/")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {timeout}s; see {self.log.name}")

    def cpu_seconds(self) -> float:
        """User + system CPU of gunicorn and its worker (Linux /proc); contention-proof cost."""
        pids = [self.proc.pid]
        try:
            pids += [int(x) for x in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()]
        except OSError:
            return float("nan")
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


# ---------------------------------------------------------------------------
# Setup requests (http.client) and the load generator (raw sockets)
# ---------------------------------------------------------------------------

def request(host, port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def _cookie(headers, cookie: str) -> str:
    jar = dict(part.split("=", 1) for part in cookie.split("; ") if "=" in part)
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _csrf(html: bytes) -> str:
    # Logged-in pages carry it in <meta>; anonymous pages have none (they are cacheable), the login form has its own.
    found = re.search(rb'name="csrf-token" content="([^"]+)"', html) or re.search(rb'name="csrf_token" value="([^"]+)"', html)
    return found.group(1).decode()


def login(port: int, username: str) -> tuple[str, str]:
    """A logged-in session cookie and its CSRF token, through the real login form."""
    status, headers, html = request("127.0.0.1", port, "GET", "/login")
    cookie = _cookie(headers, "")
    body = f"login={username}&password={DEMO_PASSWORD}&csrf_token={_csrf(html)}"
    status, headers, _ = request("127.0.0.1", port, "POST", "/login", body, {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    if status != 302:
        raise SystemExit(f"login as {username} failed with HTTP {status}")
    cookie = _cookie(headers, cookie)
    status, headers, html = request("127.0.0.1", port, "GET", "/products", headers={"Cookie": cookie})
    return _cookie(headers, cookie), _csrf(html)


def build_get(path: str, cookie: str = "") -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Accept: text/html"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def build_vote(post_id: int, cookie: str, token: str, on: bool) -> bytes:
    body = f"action={'on' if on else 'off'}"
    lines = [f"POST /posts/{post_id}/vote HTTP/1.1", "Host: 127.0.0.1", "Accept: application/json",
             f"Cookie: {cookie}", f"X-CSRFToken: {token}", "Content-Type: application/x-www-form-urlencoded",
             f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


class RawConnection:
    """Minimal HTTP/1.1 keep-alive client: cheap enough not to be the bottleneck."""

    def __init__(self, port: int):
        self.port = port
        self.sock = None
        self.buf = b""

    def _connect(self):
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _fill(self):
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError("closed")
        self.buf += chunk

    def roundtrip(self, raw: bytes) -> int:
        for attempt in (1, 2):
            try:
                if self.sock is None:
                    self._connect()
                self.sock.sendall(raw)
                return self._read()
            except (ConnectionError, OSError):
                self.close()
                if attempt == 2:
                    raise
        return 0

    def _read(self) -> int:
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        if headers.get(b"transfer-encoding") == b"chunked":
            while True:
                while b"\r\n" not in self.buf:
                    self._fill()
                size_line, _, self.buf = self.buf.partition(b"\r\n")
                size = int(size_line.split(b";")[0], 16)
                while len(self.buf) < size + 2:
                    self._fill()
                self.buf = self.buf[size + 2:]
                if size == 0:
                    break
        else:
            length = int(headers.get(b"content-length", b"0"))
            while len(self.buf) < length:
                self._fill()
            self.buf = self.buf[length:]
        if headers.get(b"connection") == b"close":
            self.close()
        return status

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = None


def _load_process(port, conn_requests, start_at, stop_at, out):
    """One process: a thread per connection, each cycling through its own request list."""
    results = []

    def worker(requests):
        conn = RawConnection(port)
        latencies, errors, i = [], 0, 0
        while time.time() < start_at:
            time.sleep(0.001)
        while True:
            t0 = time.perf_counter()
            if time.time() >= stop_at:
                break
            try:
                status = conn.roundtrip(requests[i % len(requests)])
            except OSError:
                status = 0
            latencies.append(time.perf_counter() - t0)
            if not 200 <= status < 400:
                errors += 1
            i += 1
        conn.close()
        results.append((latencies, errors))

    threads = [threading.Thread(target=worker, args=(reqs,)) for reqs in conn_requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies = [x for lat, _ in results for x in lat]
    out.put((latencies, sum(e for _, e in results)))


def run_load(port: int, per_connection: list[list[bytes]], duration: float, processes: int) -> dict:
    """All connections at once for `duration` seconds; returns req/s and latency percentiles."""
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    groups = [per_connection[i::processes] for i in range(processes)]
    start_at = time.time() + 0.5
    stop_at = start_at + duration
    procs = [ctx.Process(target=_load_process, args=(port, g, start_at, stop_at, out)) for g in groups if g]
    for p in procs:
        p.start()
    latencies, errors = [], 0
    for _ in procs:
        lat, err = out.get()
        latencies += lat
        errors += err
    for p in procs:
        p.join()
    latencies.sort()
    n = len(latencies)
    if not n:
        return {"requests": 0, "rps": 0.0, "p50_ms": None, "p99_ms": None, "errors": errors}
    return {
        "requests": n,
        "rps": n / duration,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(n - 1, int(n * 0.99))] * 1000,
        "errors": errors,
    }


def generator_ceiling(duration: float, connections: int, processes: int) -> float:
    """Requests/s of this generator against a trivial threaded socket server (its own limit)."""
    response = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, World!"
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(256)
    port = listener.getsockname()[1]

    def serve(conn):
        buf = b""
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                buf += chunk
                while b"\r\n\r\n" in buf:
                    _, _, buf = buf.partition(b"\r\n\r\n")
                    conn.sendall(response)

    def accept():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    result = run_load(port, [[build_get("/")]] * connections, duration, processes)
    listener.close()
    return result["rps"]


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------

def pick_targets(db_path: Path, members_needed: int) -> dict:
    con = sqlite3.connect(db_path)
    try:
        slug = con.execute(
            "SELECT c.slug FROM posts p JOIN categories c ON c.id = p.category_id "
            "GROUP BY c.slug ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        rng = random.Random(1)
        feedback = [r[0] for r in con.execute(
            "SELECT id FROM posts WHERE kind = 'feedback' AND merged_into_id IS NULL AND is_hidden = 0")]
        items = rng.sample(feedback, min(200, len(feedback)))
        open_items = [r[0] for r in con.execute(
            "SELECT id FROM posts WHERE kind = 'feedback' AND status IN ('new', 'acknowledged', 'in_progress') "
            "AND merged_into_id IS NULL AND is_hidden = 0")]
        members = [r[0] for r in con.execute(
            "SELECT username FROM users WHERE role = 'member' ORDER BY id LIMIT ?", (members_needed,))]
        comments = con.execute(
            "SELECT avg(comment_count), max(comment_count) FROM posts WHERE id IN (%s)" % ",".join(map(str, items))
        ).fetchone()
        total = con.execute("SELECT count(*) FROM posts").fetchone()[0]
    finally:
        con.close()
    return {"category": slug, "items": items, "vote_items": rng.sample(open_items, members_needed),
            "members": members, "item_comments": comments, "posts": total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up before each")
    parser.add_argument("--connections", default="16,64")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1, help="load generator processes")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached data set")
    parser.add_argument("--only", default="", help="comma-separated subset: hello,home,category,item,member,vote")
    args = parser.parse_args()
    levels = [int(x) for x in args.connections.split(",")]
    only = set(filter(None, args.only.split(",")))

    source = cached_instance(args.posts, args.rebuild)
    run_dir = copy_instance(source)
    targets = pick_targets(run_dir / "community.db", max(levels))
    print(f"gunicorn {' '.join(makefile_gunicorn_args())}   (from the Makefile's run target)")
    print(f"{targets['posts']} posts; category /c/{targets['category']}; item pages rotate over "
          f"{len(targets['items'])} feedback items (avg {targets['item_comments'][0]:.1f}, "
          f"max {targets['item_comments'][1]} comments); {os.cpu_count()} CPUs, "
          f"{args.processes} load-generator processes; load average {os.getloadavg()[0]:.1f}")

    rows = []

    def measure(name, server, per_connection_for):
        if only and ("member" if "(member)" in name else name) not in only:
            return
        for conns in levels:
            per_connection = per_connection_for(conns)
            run_load(server.port, per_connection, args.warmup, args.processes)
            cpu_before = server.cpu_seconds()
            result = run_load(server.port, per_connection, args.duration, args.processes)
            cpu = server.cpu_seconds() - cpu_before
            result.update(name=name, connections=conns,
                          cpu_ms=1000 * cpu / result["requests"] if result["requests"] else None)
            rows.append(result)
            print(f"  {name:<9} c={conns:<3} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.1f} ms  "
                  f"p99 {result['p99_ms']:7.1f} ms  server CPU {result['cpu_ms']:.2f} ms/req  "
                  f"errors {result['errors']}", flush=True)

    hello = Server("hello_app:app", None, run_dir / "hello.log")
    try:
        measure("hello", hello, lambda c: [[build_get("/")]] * c)
    finally:
        hello.stop()

    server = Server("app:app", run_dir, run_dir / "app.log")
    try:
        measure("home", server, lambda c: [[build_get("/")]] * c)
        measure("category", server, lambda c: [[build_get(f"/c/{targets['category']}")]] * c)
        items = [build_get(f"/posts/{i}") for i in targets["items"]]
        measure("item", server, lambda c: [items[k:] + items[:k] for k in range(c)])
        if not only or "vote" in only or "member" in only:
            sessions = [login(server.port, u) for u in targets["members"][:max(levels)]]
            # Logged-in visitors are never served from the anonymous page cache: the uncached cost.
            measure("home (member)", server, lambda c: [[build_get("/", sessions[k][0])] for k in range(c)])
            measure("item (member)", server, lambda c: [[build_get(f"/posts/{i}", sessions[k][0]) for i in targets["items"]]
                                                         for k in range(c)])

            def votes(c):
                return [[build_vote(targets["vote_items"][k], *sessions[k], on=True),
                         build_vote(targets["vote_items"][k], *sessions[k], on=False)] for k in range(c)]
            measure("vote", server, votes)
    finally:
        server.stop()

    ceiling = generator_ceiling(min(args.duration, 4), max(levels), args.processes)
    report(rows, ceiling, args, targets)
    shutil.rmtree(run_dir, ignore_errors=True)


def report(rows, generator_rps, args, targets) -> None:
    hello = {r["connections"]: r["rps"] for r in rows if r["name"] == "hello"}
    hello_cpu = {r["connections"]: r["cpu_ms"] for r in rows if r["name"] == "hello"}
    print()
    print(f"{'page':<10}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs hello':>10}"
          f"{'CPU ms/req':>12}{'CPU vs hello':>14}")
    for r in rows:
        ratio = f"{100 * r['rps'] / hello[r['connections']]:.0f}%" if hello.get(r["connections"]) else "-"
        base = hello_cpu.get(r["connections"])
        cpu_ratio = f"{100 * base / r['cpu_ms']:.0f}%" if base and r["cpu_ms"] else "-"
        print(f"{r['name']:<10}{r['connections']:>6}{r['rps']:>10.1f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}"
              f"{r['errors']:>8}{ratio:>10}{r['cpu_ms']:>12.2f}{cpu_ratio:>14}")
    print("CPU ms/req is the server's own CPU time per request: unlike req/s and latency it does not\n"
          "change when other programs compete for the CPUs. 'CPU vs hello' = hello's CPU cost / this row's.")
    print(f"\nLoad generator alone (trivial socket server): {generator_rps:.0f} req/s; "
          f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    checks = []
    for r in rows:
        if r["name"] != "hello" and r["connections"] == 16:
            checks.append(f"{r['name']} p99 {'<' if r['p99_ms'] < 100 else '>='} 100 ms")
        if r["name"] in ("home", "category") and hello.get(r["connections"]):
            share = r["rps"] / hello[r["connections"]]
            checks.append(f"{r['name']}@{r['connections']} {share:.0%} of hello ({'ok' if share >= 0.2 else 'below 20%'})")
    print("Aims: " + "; ".join(checks))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"pages-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps({"rows": rows, "generator_rps": generator_rps, "posts": targets["posts"],
                               "duration": args.duration, "cpus": os.cpu_count(),
                               "loadavg": os.getloadavg()[0]}, indent=2))
    print(f"Saved {out.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
