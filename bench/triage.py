"""Staff console benchmark: queue page latency with 100k items, 5k of them open.

    .venv/bin/python bench/triage.py                    # 100k posts, 5k open, 60 requests per page
    .venv/bin/python bench/triage.py --posts 20000 --open 1000 --requests 30

What it does:
1. Builds a fresh SQLite database in a temporary folder (`upgrade`, then bulk inserts:
   4 departments with a lead and 10 contacts each, 12 categories, 5,000 members, N posts of
   which M are open, spread over a year; open ones over the last 30 days so that the overdue
   and due-soon queues are busy). No services run per row: this is the data, not the workflow.
2. Logs in as a contact and requests each console page sequentially through the app's WSGI
   stack (Flask test client: routing, session, permissions, SQL, templates; no network),
   printing p50/p95/max per page.
3. The ceiling, measured the same way in the same run: /healthz (the cheapest route of the
   same app) and the public home list page.
4. Times `flask sla tick` (first run warns; second run must find nothing new).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 1, 12, 0, 0)
OPEN_STATUSES = ("new", "acknowledged", "needs_info", "in_progress")
DONE = ("closed", "closed", "closed", "declined", "accepted")  # old resolved items were auto-closed long ago


def build(app, posts: int, open_posts: int, seed: int = 7) -> dict:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from community.accounts.models import User
    from community.extensions import db
    from community.feedback.models import Post
    from community.routing.models import Category, Contact, Department, department_members

    rnd = random.Random(seed)
    upgrade()
    pw = "pbkdf2:sha256:1000$bench$" + "0" * 64
    t0 = time.perf_counter()
    users, dept_rows, cats, contacts, members_rows = [], [], [], [], []
    uid = 0
    for d in range(1, 5):
        dept_rows.append({"id": d, "slug": f"dept-{d}", "name": f"部门{d}", "name_en": "", "first_response_hours": 24,
                          "resolution_days": 14, "created_at": NOW - timedelta(days=400), "lead_id": None})
    staff_by_dept = {}
    for d in range(1, 5):
        staff_by_dept[d] = []
        for n in range(11):  # one lead + ten contacts
            uid += 1
            users.append({"id": uid, "username": f"staff{uid}", "email": f"staff{uid}@bench.test", "password_hash": pw,
                          "display_name": f"员工{uid}", "role": "staff", "title": "张工", "security_stamp": "bench",
                          "created_at": NOW - timedelta(days=400)})
            members_rows.append({"department_id": d, "user_id": uid})
            staff_by_dept[d].append(uid)
            if n:
                contacts.append({"department_id": d, "user_id": uid, "active": True})
        dept_rows[d - 1]["lead_id"] = staff_by_dept[d][0]
    member_ids = []
    for _ in range(5000):
        uid += 1
        member_ids.append(uid)
        users.append({"id": uid, "username": f"member{uid}", "email": f"m{uid}@bench.test", "password_hash": pw,
                      "display_name": f"车主{uid}", "role": "member", "title": "", "security_stamp": "bench",
                      "created_at": NOW - timedelta(days=400)})
    for c in range(1, 13):
        cats.append({"id": c, "slug": f"cat-{c}", "name": f"板块{c}", "name_en": "", "description": "",
                     "department_id": (c - 1) % 4 + 1, "position": c})
    db.session.execute(sa.insert(User), users)
    db.session.execute(sa.insert(Department), dept_rows)
    db.session.execute(sa.insert(department_members), members_rows)
    db.session.execute(sa.insert(Category), cats)
    db.session.execute(sa.insert(Contact), contacts)

    open_ids = set(rnd.sample(range(1, posts + 1), open_posts))
    batch = []
    for pid in range(1, posts + 1):
        cat = rnd.randint(1, 12)
        dept = (cat - 1) % 4 + 1
        is_open = pid in open_ids
        if is_open:
            created = NOW - timedelta(minutes=rnd.randint(10, 30 * 24 * 60))
            status = rnd.choice(OPEN_STATUSES)
        else:
            created = NOW - timedelta(minutes=rnd.randint(30 * 24 * 60, 365 * 24 * 60))
            status = rnd.choice(DONE)
        responded = (not is_open) or rnd.random() < 0.5
        fr_seconds = rnd.randint(600, 40 * 3600) if responded else None
        assignee = rnd.choice(staff_by_dept[dept][1:]) if rnd.random() < 0.9 else None
        batch.append({
            "id": pid, "kind": "feedback", "feedback_type": rnd.choice(("bug", "suggestion", "complaint")),
            "title": f"第 {pid} 号反馈：车机蓝牙偶尔断连", "body": "升级之后蓝牙偶尔断连。", "body_html": "<p>升级之后蓝牙偶尔断连。</p>",
            "author_id": rnd.choice(member_ids), "category_id": cat, "product_id": None, "department_id": dept,
            "assignee_id": assignee, "status": status,
            "status_changed_at": created + timedelta(hours=rnd.randint(0, 48)) if status != "new" else created,
            "vote_count": rnd.randint(0, 200), "comment_count": rnd.randint(0, 20), "hot_score": rnd.random() * 100,
            "created_at": created, "last_activity_at": created, "edited_at": None,
            "first_response_at": created + timedelta(seconds=fr_seconds) if fr_seconds else None,
            "first_response_seconds": fr_seconds, "sla_paused_seconds": 0,
            "resolved_at": created + timedelta(days=3) if status in ("resolved", "closed") else None,
            "closed_at": created + timedelta(days=3) if status in ("closed", "declined") else None,
            "reopen_count": 1 if is_open and rnd.random() < 0.05 else 0, "reassign_count": rnd.choice((0, 0, 0, 1, 2)),
            "merged_into_id": None, "is_hidden": False, "is_locked": False, "is_pinned": False, "deleted_at": None,
        })
        if len(batch) == 5000:
            db.session.execute(sa.insert(Post), batch)
            batch = []
    if batch:
        db.session.execute(sa.insert(Post), batch)
    db.session.commit()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    return {"seconds": time.perf_counter() - t0, "contact_id": staff_by_dept[1][1]}


def measure(client, url: str, n: int) -> dict:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    times.sort()
    return {"p50": statistics.median(times), "p95": times[int(len(times) * 0.95) - 1], "max": times[-1]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()

    from community import create_app
    from community.accounts.models import User
    from community.accounts.sessions import open_session
    from community.core import clock
    from community.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="bench-triage-"))
    app = create_app({"INSTANCE_PATH": str(tmp / "instance"), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
                      "SEARCH_INDEX_DIR": str(tmp / "search"), "RATELIMIT_ENABLED": False, "REDIS_URL": None,
                      "RATELIMIT_STORAGE_URI": "memory://", "SECRET_KEY": "bench"})
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    with app.app_context(), clock.frozen(NOW):
        info = build(app, args.posts, args.open)
        print(f"data set: {args.posts:,} posts, {args.open:,} open, built in {info['seconds']:.1f} s")
        contact = db.session.get(User, info["contact_id"])
        open_session(contact)  # a real server-side session, as a login would make
        db.session.commit()
        session_id = contact.get_id()
        db.session.remove()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
        pages = [
            ("ceiling: /healthz", "/healthz"),
            ("ceiling: public home list /", "/"),
            ("queue mine (sort: time left)", "/staff/queues/mine"),
            ("queue my department", "/staff/queues/department"),
            ("queue unassigned", "/staff/queues/unassigned"),
            ("queue overdue", "/staff/queues/overdue"),
            ("queue due soon", "/staff/queues/due_soon"),
            ("queue all open, sort votes", "/staff/queues/all?sort=votes"),
            ("queue all open, page 50", "/staff/queues/all?page=50"),
            ("queue all, status closed (95k)", "/staff/queues/all?status=closed&sort=newest"),
            ("queue all, filters", "/staff/queues/all?department=2&type=bug&from=2026-10-15"),
            ("API queue all (JSON)", "/api/v1/staff/queues/all"),
            ("item side panel", "/staff/items/1"),
            ("department figures (90 days)", "/staff/figures"),
        ]
        for _label, url in pages:  # warm caches and templates
            client.get(url)
        print(f"\n{'page':38} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}   ({args.requests} sequential requests each)")
        for label, url in pages:
            r = measure(client, url, args.requests)
            print(f"{label:38} {r['p50']:8.1f} {r['p95']:8.1f} {r['max']:8.1f}")
        runner = app.test_cli_runner()
        for attempt in (1, 2):
            start = time.perf_counter()
            output = runner.invoke(args=["sla", "tick"]).output.strip()
            print(f"\nflask sla tick #{attempt}: {(time.perf_counter() - start) * 1000:.0f} ms  {output}")


if __name__ == "__main__":
    main()
