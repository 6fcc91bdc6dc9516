"""API benchmark: /api/v1 served the way `make run` serves it, beside the HTML pages and a hello-world.

    .venv/bin/python bench/api.py                       # 100k-post demo set (built once, cached)
    .venv/bin/python bench/api.py --posts 1500 --duration 4 --connections 16

Reuses bench/pages.py (cached seeded data set, gunicorn from the Makefile, raw-socket load
generator). Measures, at each concurrency: the hot list as JSON (GET /api/v1/posts) and, beside
it, the same list as the HTML home page; a category list as JSON; item detail as JSON (rotating
over 200 feedback items); and a token-authenticated vote (PUT then DELETE /api/v1/posts/{id}/vote,
each connection its own member with a personal access token). The ceiling in the same run: a
bare Flask hello-world under the same gunicorn command ("vs hello").
"""
from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import shutil
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # noqa: E402  (bench/pages.py)


def build_request(method: str, path: str, *, token: str = "", accept: str = "application/json") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Accept: {accept}"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if method in ("PUT", "DELETE", "POST"):
        lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def issue_tokens(db_path: Path, usernames: list[str]) -> list[str]:
    """One personal access token per member, written as accounts.services would (only the hash)."""
    con = sqlite3.connect(db_path)
    try:
        raws = []
        for username in usernames:
            user_id = con.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()[0]
            raw = "ccp_" + secrets.token_urlsafe(32)
            con.execute("INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) "
                        "VALUES (?, 'bench', ?, ?, datetime('now'))",
                        (user_id, hashlib.sha256(raw.encode()).hexdigest(), raw[:12]))
            raws.append(raw)
        con.commit()
        return raws
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--connections", default="16,64")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    levels = [int(x) for x in args.connections.split(",")]

    source = pages.cached_instance(args.posts, args.rebuild)
    run_dir = pages.copy_instance(source)
    targets = pages.pick_targets(run_dir / "community.db", max(levels))
    tokens = issue_tokens(run_dir / "community.db", targets["members"][:max(levels)])
    print(f"{targets['posts']} posts; {os.cpu_count()} CPUs; gunicorn {' '.join(pages.makefile_gunicorn_args())}")
    rows = []

    def measure(name, port, per_connection_for):
        for conns in levels:
            per_connection = per_connection_for(conns)
            pages.run_load(port, per_connection, args.warmup, args.processes)
            result = pages.run_load(port, per_connection, args.duration, args.processes)
            result.update(name=name, connections=conns)
            rows.append(result)
            print(f"  {name:<14} c={conns:<3} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.1f} ms  "
                  f"p99 {result['p99_ms']:7.1f} ms  errors {result['errors']}", flush=True)

    hello = pages.Server("hello_app:app", None, run_dir / "hello.log")
    try:
        measure("hello", hello.port, lambda c: [[pages.build_get("/")]] * c)
    finally:
        hello.stop()

    server = pages.Server("app:app", run_dir, run_dir / "app.log")
    try:
        measure("html home", server.port, lambda c: [[pages.build_get("/")]] * c)
        measure("api list", server.port, lambda c: [[build_request("GET", "/api/v1/posts")]] * c)
        measure("api category", server.port,
                lambda c: [[build_request("GET", f"/api/v1/posts?category={targets['category']}")]] * c)
        items = [build_request("GET", f"/api/v1/posts/{i}") for i in targets["items"]]
        measure("api item", server.port, lambda c: [items[k:] + items[:k] for k in range(c)])

        def votes(c):
            return [[build_request("PUT", f"/api/v1/posts/{targets['vote_items'][k]}/vote", token=tokens[k]),
                     build_request("DELETE", f"/api/v1/posts/{targets['vote_items'][k]}/vote", token=tokens[k])]
                    for k in range(c)]
        measure("api vote", server.port, votes)
    finally:
        server.stop()

    hello_rps = {r["connections"]: r["rps"] for r in rows if r["name"] == "hello"}
    print(f"\n{'endpoint':<15}{'conns':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'vs hello':>10}")
    for r in rows:
        share = f"{100 * r['rps'] / hello_rps[r['connections']]:.0f}%" if hello_rps.get(r["connections"]) else "-"
        print(f"{r['name']:<15}{r['connections']:>6}{r['rps']:>10.1f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}"
              f"{r['errors']:>8}{share:>10}")
    print(f"(run at {time.strftime('%Y-%m-%d %H:%M')}; data copy {run_dir} removed)")
    shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
