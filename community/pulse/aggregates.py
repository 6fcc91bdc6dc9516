"""Daily buckets kept exact at commit, rebuilt from scratch, and checked against the posts.

Each counted item has one contribution row (its received day, department, product, whether
it was answered within 24 h, its resolved day). When a transaction changed items, the
listener calls `refresh()` just before the commit: the new contribution is computed from the
post row, the difference from the stored one becomes atomic deltas on the bucket rows
(INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n), contributions first in post order,
then buckets in key order. Posts are only read, never locked: the writer holds its own locks.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context

from community.extensions import db
from community.feedback.models import Post
from community.pulse.models import PulseBucket, PulseContribution
from community.triage.figures import RESOLVED_STATUSES, counted_conditions

COUNTERS = ("received", "replied_within_24h", "resolved")
DAY_SECONDS = 24 * 3600


def utc_offset() -> timedelta:
    hours = current_app.config.get("PULSE_UTC_OFFSET_HOURS", 8) if has_app_context() else 8
    return timedelta(hours=hours)


def local_day(at: datetime | None) -> date | None:
    return (at + utc_offset()).date() if at is not None else None


def day_start(day: date) -> datetime:
    """The naive-UTC instant a local day begins."""
    return datetime(day.year, day.month, day.day) - utc_offset()


_COLUMNS = (Post.id, Post.created_at, Post.department_id, Post.product_id, Post.first_response_seconds,
            Post.resolved_at, Post.status)


def _contribution(row) -> dict:
    post_id, created_at, department_id, product_id, first_secs, resolved_at, status = row
    resolved = resolved_at is not None and status in RESOLVED_STATUSES
    return {"post_id": post_id, "received_day": local_day(created_at), "department_id": department_id or 0,
            "product_id": product_id or 0,
            "replied_within_24h": first_secs is not None and first_secs <= DAY_SECONDS,
            "resolved_day": local_day(resolved_at) if resolved else None}


def _deltas(contribution: dict, sign: int, into: dict) -> None:
    key = (contribution["received_day"], contribution["department_id"], contribution["product_id"])
    into[key]["received"] += sign
    if contribution["replied_within_24h"]:
        into[key]["replied_within_24h"] += sign
    if contribution["resolved_day"] is not None:
        into[(contribution["resolved_day"], *key[1:])]["resolved"] += sign


def _insert(conn, table):
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def _apply_buckets(conn, deltas: dict) -> None:
    rows = [{"day": k[0], "department_id": k[1], "product_id": k[2], **{c: d[c] for c in COUNTERS}}
            for k, d in sorted(deltas.items()) if any(d.values())]
    if not rows:
        return
    table = PulseBucket.__table__
    stmt = _insert(conn, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["day", "department_id", "product_id"],
        set_={c: table.c[c] + stmt.excluded[c] for c in COUNTERS})
    for row in rows:  # one statement per key, in key order: a deterministic lock order
        conn.execute(stmt, row)


def refresh(post_ids, connection=None) -> int:
    """Bring the contributions of `post_ids` and the buckets up to date; returns items changed."""
    conn = connection or db.session.connection()
    ids = sorted({int(i) for i in post_ids if i is not None})
    if not ids:
        return 0
    contributions = PulseContribution.__table__
    stored = {r.post_id: dict(r._mapping) for r in conn.execute(
        sa.select(contributions).where(contributions.c.post_id.in_(ids)))}
    current = {r[0]: _contribution(r) for r in conn.execute(
        sa.select(*_COLUMNS).where(Post.id.in_(ids), *counted_conditions()))}
    deltas: dict = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    changed = 0
    for post_id in ids:
        old, new = stored.get(post_id), current.get(post_id)
        if old == new:
            continue
        changed += 1
        if old is not None:
            _deltas(old, -1, deltas)
        if new is None:
            conn.execute(sa.delete(contributions).where(contributions.c.post_id == post_id))
            continue
        _deltas(new, 1, deltas)
        stmt = _insert(conn, contributions)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["post_id"], set_={k: stmt.excluded[k] for k in new if k != "post_id"}), new)
    _apply_buckets(conn, deltas)
    return changed


# From scratch --------------------------------------------------------------------------

def expected(connection=None, chunk: int = 5000):
    """Contributions and buckets computed directly from the posts (streamed in id order)."""
    conn = connection or db.session.connection()
    contributions, buckets = {}, defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    last = 0
    while True:
        rows = conn.execute(sa.select(*_COLUMNS).where(Post.id > last, *counted_conditions())
                            .order_by(Post.id).limit(chunk)).all()
        if not rows:
            break
        for row in rows:
            c = _contribution(row)
            contributions[c["post_id"]] = c
            _deltas(c, 1, buckets)
        last = rows[-1][0]
    return contributions, {k: v for k, v in buckets.items() if any(v.values())}


def rebuild(connection=None) -> dict:
    """Recompute every aggregate from scratch (in the caller's transaction)."""
    conn = connection or db.session.connection()
    contributions, buckets = expected(conn)
    conn.execute(sa.delete(PulseContribution.__table__))
    conn.execute(sa.delete(PulseBucket.__table__))
    rows = list(contributions.values())
    for start in range(0, len(rows), 5000):
        conn.execute(sa.insert(PulseContribution.__table__), rows[start:start + 5000])
    bucket_rows = [{"day": k[0], "department_id": k[1], "product_id": k[2], **v} for k, v in sorted(buckets.items())]
    for start in range(0, len(bucket_rows), 5000):
        conn.execute(sa.insert(PulseBucket.__table__), bucket_rows[start:start + 5000])
    return {"items": len(rows), "buckets": len(bucket_rows)}


def check(connection=None) -> list[str]:
    """Every difference between the stored aggregates and the direct computation."""
    conn = connection or db.session.connection()
    contributions, buckets = expected(conn)
    drift = []
    stored_buckets = {(r.day, r.department_id, r.product_id): {c: getattr(r, c) for c in COUNTERS}
                      for r in conn.execute(sa.select(PulseBucket.__table__))}
    for key in sorted(set(buckets) | set(stored_buckets), key=lambda k: (k[0], k[1], k[2])):
        want = buckets.get(key, dict.fromkeys(COUNTERS, 0))
        have = stored_buckets.get(key, dict.fromkeys(COUNTERS, 0))
        for c in COUNTERS:
            if want[c] != have[c]:
                drift.append(f"bucket {key[0].isoformat()} department={key[1]} product={key[2]} {c}: "
                             f"stored {have[c]}, expected {want[c]}")
    stored = {r.post_id: dict(r._mapping) for r in conn.execute(sa.select(PulseContribution.__table__))}
    for post_id in sorted(set(stored) | set(contributions)):
        if stored.get(post_id) != contributions.get(post_id):
            drift.append(f"item {post_id}: stored {stored.get(post_id)}, expected {contributions.get(post_id)}")
    return drift
