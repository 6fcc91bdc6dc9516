"""Growth dashboard benchmark: /pulse at 100k (or 1M) items, and official reply → live counter.

    .venv/bin/python bench/pulse.py                          # 100k posts, 16 connections, 8 s each
    .venv/bin/python bench/pulse.py --duration 4 --replies 10
    .venv/bin/python bench/pulse.py --posts 1000000          # builds a 1M-post data set first (slow: tens of minutes)

What it does:
1. The data set of bench/pages.py (`flask demo seed --posts N --anchor 2026-11-01`, cached in
   bench/.cache/; the seeder ends with `flask pulse rebuild`'s computation), served with the
   Makefile's gunicorn command.
2. At 16 keep-alive connections (`--connections`): the hello-world ceiling (bench/hello_app.py,
   same gunicorn command) in the same run, then /pulse, /api/v1/pulse, /pulse/embed and
   /pulse/charts/response-times.json. The figures are cached per process for a few seconds
   (PULSE_CACHE_SECONDS), as in production; `--no-cache` sets it to 0 to see the uncached cost.
   Aim (issue 14): /pulse p99 < 100 ms at 16 connections.
3. Push latency: a WebSocket client joins the public room; the 车机软件部 contact (zhanggong)
   posts official replies through the real form, one every 1.2 s (the push is throttled to one
   a second); for each, the time from the HTTP response (the commit is done) to the
   `pulse.counters` frame. Aim: p99 < 2 s.
Only run it on an idle machine: it saturates the CPUs.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pages  # noqa: E402  (bench/pages.py: data set, server, load generator, login)

PAGES = ("/pulse", "/api/v1/pulse", "/pulse/embed", "/pulse/charts/response-times.json")


def open_items(db_path: Path, n: int) -> list[int]:
    con = sqlite3.connect(db_path)
    try:
        return [r[0] for r in con.execute(
            "SELECT p.id FROM posts p JOIN departments d ON d.id = p.department_id WHERE d.slug = 'software' "
            "AND p.kind = 'feedback' AND p.status IN ('new', 'acknowledged', 'in_progress') AND p.is_locked = 0 "
            "AND p.merged_into_id IS NULL AND p.is_hidden = 0 AND p.deleted_at IS NULL ORDER BY p.id DESC LIMIT ?",
            (n,))]
    finally:
        con.close()


class PublicRoom:
    """One raw WebSocket Socket.IO client in the public room, timing `pulse.counters` frames."""

    def __init__(self, port: int):
        import websocket

        self.ws = websocket.create_connection(f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket",
                                              header=[f"Origin: http://127.0.0.1:{port}"], timeout=30)
        assert self.ws.recv().startswith("0")
        self.ws.send("40")
        assert self.ws.recv().startswith("40")
        self.ws.send('420["join",{"room":"public"}]')
        while not self.ws.recv().startswith("430"):
            pass
        self.arrivals: list[float] = []
        self.lock = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                frame = self.ws.recv()
            except Exception:
                return
            if frame == "2":
                self.ws.send("3")
            elif frame.startswith('42["pulse.counters"'):
                with self.lock:
                    self.arrivals.append(time.perf_counter())
                    self.lock.notify_all()

    def wait_after(self, since: float, timeout: float = 10.0) -> float | None:
        deadline = time.perf_counter() + timeout
        with self.lock:
            while True:
                later = [t for t in self.arrivals if t >= since]
                if later:
                    return later[0] - since
                left = deadline - time.perf_counter()
                if left <= 0:
                    return None
                self.lock.wait(left)


def push_latency(port: int, items: list[int], replies: int) -> list[float | None]:
    cookie, token = pages.login(port, "zhanggong")
    room = PublicRoom(port)
    out = []
    for n, post_id in enumerate(items[:replies]):
        body = f"body=%E5%B7%B2%E6%94%B6%E5%88%B0%EF%BC%8C%E6%88%91%E4%BB%AC%E5%9C%A8%E8%B7%9F%E8%BF%9B+{n}&csrf_token={token}"
        status, _headers, _ = pages.request("127.0.0.1", port, "POST", f"/posts/{post_id}/reply", body, {
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        committed = time.perf_counter()
        if status != 302:
            print(f"  reply on #{post_id}: HTTP {status}")
            out.append(None)
            continue
        out.append(room.wait_after(committed))
        time.sleep(1.2)
    room.ws.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--replies", type=int, default=20)
    parser.add_argument("--no-cache", action="store_true", help="PULSE_CACHE_SECONDS=0: every request computes")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    source = pages.cached_instance(args.posts, args.rebuild)
    run_dir = pages.copy_instance(source)
    items = open_items(run_dir / "community.db", args.replies)
    print(f"{args.posts} posts; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; "
          f"cache {'off' if args.no_cache else 'on'}")
    if args.no_cache:
        os.environ["PULSE_CACHE_SECONDS"] = os.environ["PULSE_SLOW_CACHE_SECONDS"] = "0"
    rows = []

    def measure(name, server, path):
        per_connection = [[pages.build_get(path)]] * args.connections
        pages.run_load(server.port, per_connection, args.warmup, args.processes)
        result = pages.run_load(server.port, per_connection, args.duration, args.processes)
        result.update(name=name)
        rows.append(result)
        print(f"  {name:<36} c={args.connections} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.1f} ms  "
              f"p99 {result['p99_ms']:7.1f} ms  errors {result['errors']}", flush=True)

    hello = pages.Server("hello_app:app", None, run_dir / "hello.log")
    try:
        measure("hello", hello, "/")
    finally:
        hello.stop()
    server = pages.Server("app:app", run_dir, run_dir / "app.log")
    try:
        for path in PAGES:
            measure(path, server, path)
        latencies = push_latency(server.port, items, args.replies)
    finally:
        server.stop()
    got = sorted(x for x in latencies if x is not None)
    if got:
        p99 = got[min(len(got) - 1, int(len(got) * 0.99))]
        print(f"\nofficial reply → pulse.counters on a connected client: n={len(got)} "
              f"p50 {1000 * statistics.median(got):.0f} ms  p99 {1000 * p99:.0f} ms  "
              f"missing {len(latencies) - len(got)}   (aim: p99 < 2000 ms)")
    else:
        print("\nno pulse.counters frame arrived")
    hello_rps = rows[0]["rps"]
    print(f"\n{'page':<38}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'vs hello':>10}")
    for r in rows:
        print(f"{r['name']:<38}{r['rps']:9.1f}{r['p50_ms']:9.1f}{r['p99_ms']:9.1f}{100 * r['rps'] / hello_rps:9.0f}%")
    shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
