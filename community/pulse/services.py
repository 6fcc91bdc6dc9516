"""The public growth dashboard (成长看板): live counters, the department scoreboard, trends.

Counters come from the daily buckets (pulse/aggregates.py) plus a few range reads on indexed
columns (official replies today, medians); the scoreboard is triage's department figures, the
same service as the staff figures page. Results are cached per process for a few seconds
(PULSE_CACHE_SECONDS) and dropped when a push recomputes them; each carries `computed_at` so
the page can say "数据更新于 N 秒前".
"""
from __future__ import annotations

import math
import threading
import time
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from community.core import clock, permissions
from community.core.errors import NotFound
from community.extensions import db
from community.feedback.models import Comment, Post, Product
from community.pulse.aggregates import day_start, local_day
from community.pulse.models import PulseBucket
from community.roadmap import services as roadmap
from community.triage.figures import counted_conditions, department_figures

WEEKS = 12
SCOREBOARD_DAYS = 30


# A small per-process cache ------------------------------------------------------------

_cache: dict = {}
_cache_lock = threading.Lock()


def _cached(key, ttl: float, compute):
    key = (current_app.config.get("SQLALCHEMY_DATABASE_URI"), *key)
    now, wall = time.monotonic(), clock.now()
    with _cache_lock:
        hit = _cache.get(key)
        # Fresh on both clocks: a value computed for another "now" (a frozen clock) is not this one.
        if hit is not None and now - hit[0] < ttl and abs((wall - hit[1]).total_seconds()) < ttl:
            return hit[2]
    value = compute()
    with _cache_lock:
        _cache[key] = (now, wall, value)
    return value


def forget_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _ttl(name: str = "PULSE_CACHE_SECONDS") -> float:
    return float(current_app.config.get(name, 5))


# Periods ------------------------------------------------------------------------------

def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def get_product(slug: str) -> Product:
    product = db.session.execute(sa.select(Product).where(Product.slug == slug)).scalar_one_or_none()
    if product is None:
        raise NotFound()
    return product


def products() -> list[Product]:
    return list(db.session.execute(sa.select(Product).order_by(Product.id)).scalars())


# Counters -----------------------------------------------------------------------------

def _bucket_sum(column, product_id, first_day=None, last_day=None) -> int:
    stmt = sa.select(sa.func.coalesce(sa.func.sum(column), 0))
    if product_id is not None:
        stmt = stmt.where(PulseBucket.product_id == product_id)
    if first_day is not None:
        stmt = stmt.where(PulseBucket.day >= first_day)
    if last_day is not None:
        stmt = stmt.where(PulseBucket.day <= last_day)
    return int(db.session.execute(stmt).scalar_one())


def _product_clause(product_id):
    return [Post.product_id == product_id] if product_id is not None else []


def percentile_seconds(q: float, since: datetime, until: datetime | None = None, product_id=None) -> int | None:
    """First-response time percentile over counted items first answered in [since, until).
    The median (q=0.5) averages the middle two like the department figures; others take the
    nearest rank. Reads two rows at an offset of the sorted index range, never the whole set."""
    conditions = [*counted_conditions(), Post.first_response_seconds.is_not(None), Post.first_response_at >= since,
                  *_product_clause(product_id)]
    if until is not None:
        conditions.append(Post.first_response_at < until)
    n = db.session.execute(sa.select(sa.func.count()).select_from(Post).where(*conditions)).scalar_one()
    if not n:
        return None
    ordered = sa.select(Post.first_response_seconds).where(*conditions).order_by(Post.first_response_seconds)
    if q == 0.5:
        values = db.session.execute(ordered.offset((n - 1) // 2).limit(2 - n % 2)).scalars().all()
        return int(round(sum(values) / len(values)))
    rank = max(1, math.ceil(q * n))
    return int(db.session.execute(ordered.offset(rank - 1).limit(1)).scalar_one())


def official_replies_since(since: datetime, product_id=None) -> int:
    return db.session.execute(
        sa.select(sa.func.count()).select_from(Comment).join(Post, Post.id == Comment.post_id).where(
            Comment.is_official.is_(True), Comment.created_at >= since, permissions.public_comments_clause(Comment),
            *counted_conditions(), *_product_clause(product_id))).scalar_one()


def compute_counters(product_id=None, now: datetime | None = None) -> dict:
    """Every live counter, straight from the buckets and indexed reads (no cache)."""
    now = now or clock.now()
    today = local_day(now)
    monday = week_start(today)

    def share(days: int) -> dict:
        first, last = today - timedelta(days=days), today - timedelta(days=1)
        received = _bucket_sum(PulseBucket.received, product_id, first, last)
        replied = _bucket_sum(PulseBucket.replied_within_24h, product_id, first, last)
        return {"received": received, "replied_within_24h": replied,
                "rate": round(replied / received, 4) if received else None}

    return {
        "received_today": _bucket_sum(PulseBucket.received, product_id, today),
        "received_this_week": _bucket_sum(PulseBucket.received, product_id, monday),
        "received_all_time": _bucket_sum(PulseBucket.received, product_id),
        "official_replies_today": official_replies_since(day_start(today), product_id),
        "replied_within_24h_7d": share(7),
        "replied_within_24h_30d": share(30),
        "median_first_response_seconds_7d": percentile_seconds(0.5, now - timedelta(days=7), product_id=product_id),
        "median_first_response_seconds_30d": percentile_seconds(0.5, now - timedelta(days=30), product_id=product_id),
        "resolved_this_week": _bucket_sum(PulseBucket.resolved, product_id, monday),
        "ideas_shipped_this_quarter": roadmap.shipped_from_community_count(day_start(quarter_start(today))),
        "computed_at": now,
    }


def counters(product_id=None) -> dict:
    return _cached(("counters", product_id), _ttl(), lambda: compute_counters(product_id))


# Scoreboard ---------------------------------------------------------------------------

SORTS = ("name", "median_first_response_seconds", "within_sla_rate", "open_backlog", "resolved",
         "satisfaction_rate", "reassignments_per_item")


def scoreboard(product_id=None, sort: str = "name", descending: bool = False) -> list:
    """Per-department figures over the last 30 days with the trend against the 30 before."""
    rows = _cached(("scoreboard", product_id), _ttl("PULSE_SLOW_CACHE_SECONDS"), lambda: department_figures(
        since=clock.now() - timedelta(days=SCOREBOARD_DAYS), product_id=product_id, with_trend=True))
    if sort not in SORTS:
        sort = "name"
    present = [r for r in rows if getattr(r, sort) is not None]
    missing = [r for r in rows if getattr(r, sort) is None]  # no figure yet: always last
    return sorted(present, key=lambda r: getattr(r, sort), reverse=descending) + missing


# Trends -------------------------------------------------------------------------------

def _weeks(now: datetime) -> list[date]:
    this_week = week_start(local_day(now))
    return [this_week - timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS)]


def weekly_received_resolved(product_id=None, now: datetime | None = None) -> list[dict]:
    def compute():
        weeks = _weeks(now or clock.now())
        rows = {w: {"week": w.isoformat(), "received": 0, "resolved": 0} for w in weeks}
        stmt = (sa.select(PulseBucket.day, sa.func.sum(PulseBucket.received), sa.func.sum(PulseBucket.resolved))
                .where(PulseBucket.day >= weeks[0]).group_by(PulseBucket.day))
        if product_id is not None:
            stmt = stmt.where(PulseBucket.product_id == product_id)
        for day, received, resolved in db.session.execute(stmt):
            row = rows.get(week_start(day))
            if row is not None:
                row["received"] += int(received or 0)
                row["resolved"] += int(resolved or 0)
        return list(rows.values())
    if now is not None:
        return compute()
    return _cached(("weekly", product_id), _ttl("PULSE_SLOW_CACHE_SECONDS"), compute)


def weekly_response_percentiles(product_id=None, now: datetime | None = None) -> list[dict]:
    def compute():
        rows = []
        for week in _weeks(now or clock.now()):
            start = day_start(week)
            rows.append({"week": week.isoformat(),
                         "p50_seconds": percentile_seconds(0.5, start, start + timedelta(weeks=1), product_id),
                         "p90_seconds": percentile_seconds(0.9, start, start + timedelta(weeks=1), product_id)})
        return rows
    if now is not None:
        return compute()
    return _cached(("percentiles", product_id), _ttl("PULSE_SLOW_CACHE_SECONDS"), compute)


def seconds_ago(computed_at: datetime) -> int:
    return max(0, int((clock.now() - computed_at).total_seconds()))
