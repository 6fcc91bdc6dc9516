"""Roadmap benchmark: the public board with 2,000 items and 100k votes, and the ship fan-out.

    .venv/bin/python bench/roadmap.py                       # 2,000 items, 100k votes, 20k interested
    .venv/bin/python bench/roadmap.py --items 500 --votes 20000 --interested 5000 --duration 4

What it does:
1. Builds a fresh SQLite database in a temporary folder (`upgrade`, then bulk inserts: 3 products,
   5,000 members, N roadmap items across statuses with random demand, and M distinct item votes
   with vote_count and demand set from them). No services per row: this is the data.
2. Serves it with the Makefile's gunicorn command (bench/pages.py's Server) and measures, at 16
   concurrent keep-alive connections: /roadmap (the board), /roadmap/list?sort=demand, a
   filtered board, and item pages; beside them, in the same run, the hello-world ceiling
   (bench/hello_app.py, same gunicorn command). Aim (issue 13): board p99 < 100 ms at 16.
3. The fan-out, in this process on SQLite: an item in development with K interested members
   (voters of the item, voters and followers of two linked feedback items, overlapping) is
   shipped through roadmap.services.change_status; it times the service call, the commit (the
   notification rows) and the live pushes (realtime dispatcher drained), and checks that every
   interested member got exactly one row. Aim: under 5 s for 20,000 interested members.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import pages  # noqa: E402  (bench/pages.py: server, load generator)

NOW = datetime(2026, 11, 1, 12, 0, 0)
STATUSES = ("considering", "planned", "in_development", "in_beta", "shipped", "not_planned")


def build(instance: Path, items: int, votes: int, members: int, seed: int = 13) -> dict:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from community import create_app
    from community.accounts.models import User
    from community.extensions import db
    from community.feedback.models import Product
    from community.roadmap.models import RoadmapItem, RoadmapVote

    rng = random.Random(seed)
    app = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/community.db",
                      "REDIS_URL": None, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        products = [Product(slug=s, name=n) for s, n in (("es7", "极光 ES7"), ("et5", "极光 ET5"), ("es5", "极光 ES5"))]
        db.session.add_all(products)
        db.session.flush()
        db.session.execute(sa.insert(User), [
            {"username": f"m{n}", "email": f"m{n}@bench.test", "password_hash": "x", "display_name": f"车主{n}",
             "role": "member", "security_stamp": "s", "created_at": NOW - timedelta(days=n % 700)}
            for n in range(members)])
        db.session.execute(sa.insert(User), [{"username": "pm", "email": "pm@bench.test", "password_hash": "x",
                                              "role": "staff", "security_stamp": "s", "created_at": NOW}])
        member_ids = list(db.session.execute(sa.select(User.id).where(User.role == "member")).scalars())
        db.session.execute(sa.insert(RoadmapItem), [
            {"title": f"路线图项目 {n:04d} 车机与补能体验改进", "description": "", "description_html": "",
             "product_id": products[n % 3].id, "area": ("车机", "智驾", "补能", "舒适")[n % 4],
             "status": STATUSES[n % len(STATUSES)], "target_quarter": f"2027Q{n % 4 + 1}" if n % 3 else None,
             "is_public": True, "created_at": NOW - timedelta(hours=n), "updated_at": NOW,
             "status_changed_at": NOW} for n in range(items)])
        item_ids = list(db.session.execute(sa.select(RoadmapItem.id)).scalars())
        pairs = set()
        while len(pairs) < votes:
            pairs.add((rng.choice(item_ids), rng.choice(member_ids)))
        db.session.execute(sa.insert(RoadmapVote), [{"item_id": i, "user_id": u, "created_at": NOW} for i, u in pairs])
        counts = sa.select(RoadmapVote.item_id, sa.func.count().label("n")).group_by(RoadmapVote.item_id).subquery()
        db.session.execute(sa.update(RoadmapItem).where(RoadmapItem.id == counts.c.item_id)
                           .values(vote_count=counts.c.n, demand=counts.c.n))
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
    (instance / "secret_key").write_text("bench-secret")
    return {"items": item_ids, "members": member_ids}


def fan_out(instance: Path, interested: int) -> dict:
    """Ship one item with `interested` distinct members behind it; time rows and pushes."""
    import sqlalchemy as sa

    from community import create_app
    from community.accounts.models import User
    from community.core.database import write_intent
    from community.core.permissions import SYSTEM
    from community.extensions import db
    from community.feedback.models import Follow, Post, Vote
    from community.notifications.models import Notification
    from community.realtime.services import drain
    from community.roadmap import services
    from community.roadmap.models import RoadmapLink, RoadmapVote
    from community.routing import services as routing

    app = create_app({"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/community.db",
                      "REDIS_URL": None, "RATELIMIT_ENABLED": False, "SERVER_NAME": "localhost"})
    with app.app_context(), app.test_request_context():
        write_intent.set(True)
        pm = db.session.execute(sa.select(User).where(User.username == "pm")).scalar_one()
        dept = routing.create_department(SYSTEM, slug="cabin", name="车机软件部")
        cat = routing.create_category(SYSTEM, slug="ota", name="车机与OTA", department=dept)
        members = list(db.session.execute(sa.select(User.id).where(User.role == "member").order_by(User.id)
                                          .limit(interested)).scalars())
        if len(members) < interested:
            extra = interested - len(members)
            db.session.execute(sa.insert(User), [
                {"username": f"x{n}", "email": f"x{n}@bench.test", "password_hash": "x", "role": "member",
                 "security_stamp": "s", "created_at": NOW} for n in range(extra)])
            members = list(db.session.execute(sa.select(User.id).where(User.role == "member").order_by(User.id)
                                              .limit(interested)).scalars())
        item = services.create_item(pm, title="无线 CarPlay（压测）", status="planned")
        services.change_status(pm, item, "in_development")
        posts = []
        for n in range(2):
            post = Post(kind="feedback", feedback_type="suggestion", title=f"希望支持无线 CarPlay {n}", body="同求",
                        author_id=members[n], category_id=cat.id, status="accepted", created_at=NOW,
                        last_activity_at=NOW)
            db.session.add(post)
            db.session.flush()
            db.session.add(RoadmapLink(post_id=post.id, item_id=item.id, created_at=NOW))
            posts.append(post)
        # Three overlapping routes: half vote for the item, half for a linked post, a third follow the other.
        half, third = interested // 2, interested // 3
        db.session.execute(sa.insert(RoadmapVote), [{"item_id": item.id, "user_id": u, "created_at": NOW}
                                                    for u in members[:half + third]])
        db.session.execute(sa.insert(Vote), [{"post_id": posts[0].id, "user_id": u, "created_at": NOW}
                                             for u in members[half - third:]])
        db.session.execute(sa.insert(Follow), [{"post_id": posts[1].id, "user_id": u, "created_at": NOW}
                                               for u in members[::3]])
        services.recount_demand(item.id)
        db.session.commit()
        started = time.perf_counter()
        services.change_status(pm, item, "shipped")
        service_s = time.perf_counter() - started
        db.session.commit()
        committed_s = time.perf_counter() - started
        assert drain(timeout=120), "live push dispatcher stuck"
        pushed_s = time.perf_counter() - started
        rows = db.session.execute(sa.select(sa.func.count(), sa.func.count(sa.distinct(Notification.user_id))).where(
            Notification.kind == "vote_shipped")).one()
        expected = len(services.interested_user_ids(item) - {pm.id})
    return {"interested": expected, "rows": rows[0], "distinct": rows[1], "service_s": service_s,
            "commit_s": committed_s, "pushed_s": pushed_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--votes", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--interested", type=int, default=20_000)
    parser.add_argument("--duration", type=float, default=6.0)
    parser.add_argument("--warmup", type=float, default=1.5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    run_dir = Path(tempfile.mkdtemp(prefix="bench-roadmap-"))
    started = time.perf_counter()
    data = build(run_dir, args.items, args.votes, args.members)
    print(f"Built {args.items} items, {args.votes} votes, {args.members} members in "
          f"{time.perf_counter() - started:.0f}s; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    rows = []

    def measure(name, server, requests):
        per_connection = [requests[k:] + requests[:k] for k in range(args.connections)]
        pages.run_load(server.port, per_connection, args.warmup, args.processes)
        cpu_before = server.cpu_seconds()
        result = pages.run_load(server.port, per_connection, args.duration, args.processes)
        cpu = server.cpu_seconds() - cpu_before
        result.update(name=name, cpu_ms=1000 * cpu / result["requests"] if result["requests"] else float("nan"))
        rows.append(result)
        print(f"  {name:<14} c={args.connections:<3} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.1f} ms  "
              f"p99 {result['p99_ms']:7.1f} ms  server CPU {result['cpu_ms']:.2f} ms/req  errors {result['errors']}",
              flush=True)

    hello = pages.Server("hello_app:app", None, run_dir / "hello.log")
    try:
        measure("hello", hello, [pages.build_get("/")])
    finally:
        hello.stop()
    server = pages.Server("app:app", run_dir, run_dir / "app.log")
    try:
        measure("board", server, [pages.build_get("/roadmap")])
        measure("board filtered", server, [pages.build_get("/roadmap?product=es7&area=%E8%BD%A6%E6%9C%BA")])
        measure("list by demand", server, [pages.build_get("/roadmap/list?sort=demand")])
        measure("item", server, [pages.build_get(f"/roadmap/{i}") for i in data["items"][:200]])
    finally:
        server.stop()

    result = fan_out(run_dir, args.interested)
    hello_rps = rows[0]["rps"]
    print()
    print(f"{'page':<16}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'vs hello':>10}{'CPU ms/req':>12}")
    for r in rows:
        print(f"{r['name']:<16}{r['rps']:>10.1f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}"
              f"{100 * r['rps'] / hello_rps:>9.0f}%{r['cpu_ms']:>12.2f}")
    board = next(r for r in rows if r["name"] == "board")
    print(f"Aim: board p99 {board['p99_ms']:.1f} ms at {args.connections} connections "
          f"({'<' if board['p99_ms'] < 100 else '>='} 100 ms)")
    print(f"Fan-out: {result['interested']} interested members -> {result['rows']} vote_shipped rows "
          f"({result['distinct']} distinct); service {result['service_s']:.2f}s, committed {result['commit_s']:.2f}s, "
          f"live pushes sent {result['pushed_s']:.2f}s ({'<' if result['pushed_s'] < 5 else '>='} 5 s aim)")
    if result["rows"] != result["interested"] or result["distinct"] != result["rows"]:
        print("WARNING: not exactly one notice per interested member")
    shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
