"""Department figures: response and resolution times, ratings, load. The one truth for counted
feedback: the staff figures page and the public dashboard (pulse) both count through
`counted_conditions()` and `department_figures()`, so there are never two sets of numbers."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from community.core import clock
from community.extensions import db
from community.feedback.models import Post
from community.feedback.workflow import OPEN_STATUSES
from community.routing.models import Department
from community.triage import sla
from community.triage.models import CaseRating

# Counted items ---------------------------------------------------------------------------

# Higher domains add what must never reach a public figure (a beta program's private items):
# each function takes the Post class and returns a SQL condition that is true for an item to
# keep, and `post_is_counted` applies the same rule to one loaded row.
_EXCLUSIONS: list[Callable] = []

# Done statuses that mean "handled": a resolution stamped resolved_at and the item is not open
# again (a reopened item leaves the resolved count until it is resolved once more).
RESOLVED_STATUSES = ("resolved", "accepted", "closed")


def register_exclusion(clause_fn: Callable) -> None:
    """Register `clause_fn(Post) -> SQL condition` that counted items must satisfy."""
    if clause_fn not in _EXCLUSIONS:
        _EXCLUSIONS.append(clause_fn)


def counted_conditions(model=Post) -> list:
    """Public feedback items: not hidden, not deleted, merged duplicates counted once (through
    the item they were merged into), and whatever a registered exclusion removes."""
    conditions = [model.kind == "feedback", model.merged_into_id.is_(None), model.deleted_at.is_(None),
                  model.is_hidden.is_(False)]
    conditions.extend(fn(model) for fn in _EXCLUSIONS)
    return conditions


def resolved_condition(model=Post):
    return sa.and_(model.resolved_at.is_not(None), model.status.in_(RESOLVED_STATUSES))


def post_is_counted(post_id: int, connection=None) -> bool:
    """The SQL rule for one item (so an exclusion written as SQL needs no Python twin)."""
    conn = connection or db.session.connection()
    return conn.execute(sa.select(Post.id).where(Post.id == post_id, *counted_conditions())).first() is not None


# Figures ---------------------------------------------------------------------------------

@dataclass
class DepartmentFigures:
    department_id: int
    name: str
    items: int = 0
    median_first_response_seconds: int | None = None
    responded: int = 0
    within_sla: int = 0
    missed_sla: int = 0
    open_backlog: int = 0
    resolved: int = 0
    reassignments_per_item: float | None = None
    ratings: int = 0
    satisfied: int = 0
    average_rating: float | None = None
    previous: DepartmentFigures | None = field(default=None, repr=False)

    @property
    def within_sla_rate(self) -> float | None:
        judged = self.within_sla + self.missed_sla
        return round(self.within_sla / judged, 4) if judged else None

    @property
    def satisfaction_rate(self) -> float | None:
        return round(self.satisfied / self.ratings, 4) if self.ratings else None

    # Trend against the previous period of the same length: "up", "down", "same" or None.
    # Lower is better for response time, backlog and reassignments; higher for the others.
    TREND_FIELDS = {"median_first_response_seconds": -1, "within_sla_rate": 1, "open_backlog": -1,
                    "resolved": 1, "satisfaction_rate": 1, "reassignments_per_item": -1}

    def trend(self, name: str) -> dict | None:
        if self.previous is None:
            return None
        now, before = getattr(self, name), getattr(self.previous, name)
        if now is None or before is None:
            return None
        direction = "same" if now == before else ("up" if now > before else "down")
        better = None if direction == "same" else (direction == "up") == (self.TREND_FIELDS[name] > 0)
        return {"direction": direction, "better": better, "previous": before}

    def as_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "previous"}
        data.update(within_sla_rate=self.within_sla_rate, satisfaction_rate=self.satisfaction_rate)
        if self.previous is not None:
            data["trends"] = {name: self.trend(name) for name in self.TREND_FIELDS}
        return data


def department_figures(department_ids=None, since: datetime | None = None,
                       now: datetime | None = None, *, until: datetime | None = None,
                       product_id: int | None = None, with_trend: bool = False) -> list[DepartmentFigures]:
    """Accountability figures per department, for the staff console and the public dashboard.

    Over counted feedback created in [since, until) (default: the last 90 days up to now):
    median first-response time, share of first responses within the target (unanswered
    items past it count as missed), reassignments per item; items resolved in the period;
    satisfaction (ratings of 4–5 given in the period). The open backlog is all open items
    at `until`. With `with_trend`, each row carries `previous`: the same figures over the
    period of the same length just before. A few grouped queries; the median uses window
    functions (SQLite ≥ 3.25 and PostgreSQL).
    """
    now = now or clock.now()
    end = until or now
    since = since or end - timedelta(days=90)
    departments = db.session.execute(sa.select(Department).order_by(Department.id)).scalars().all()
    if department_ids is not None:
        wanted = {int(i) for i in department_ids}
        departments = [d for d in departments if d.id in wanted]
    rows = _figures(departments, since, until, product_id, now)
    if with_trend and rows:
        previous = _figures(departments, since - (end - since), since, product_id, now)
        for row, before in zip(rows, previous, strict=True):
            row.previous = before
    return rows


def _figures(departments, since, until, product_id, now) -> list[DepartmentFigures]:
    """Figures over [since, until); `until=None` is the current period (up to now, inclusive)."""
    figures = {d.id: DepartmentFigures(department_id=d.id, name=d.name) for d in departments}
    if not figures:
        return []
    ids = list(figures)
    base = [*counted_conditions(), Post.department_id.in_(ids)]
    if product_id is not None:
        base.append(Post.product_id == product_id)
    before_end = (lambda col: col < until) if until is not None else (lambda col: sa.true())
    recent = base + [Post.created_at >= since, before_end(Post.created_at)]
    clocks = sla.sql_clocks(Post, Department, until or now)
    target = Department.first_response_hours * 3600
    responded_by_then = sa.and_(Post.first_response_seconds.is_not(None), before_end(Post.first_response_at))
    rows = db.session.execute(
        sa.select(
            Post.department_id,
            sa.func.count(),
            sa.func.sum(sa.case((responded_by_then, 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(responded_by_then, Post.first_response_seconds <= target), 1), else_=0)),
            sa.func.sum(sa.case((sa.and_(responded_by_then, Post.first_response_seconds > target), 1),
                                (sa.and_(sa.not_(responded_by_then), Post.status.in_(OPEN_STATUSES),
                                         clocks.used > target), 1), else_=0)),
            sa.func.avg(Post.reassign_count),
        ).join(Department, Department.id == Post.department_id).where(*recent).group_by(Post.department_id)
    ).all()
    for dept_id, items, responded, within, missed, reassigns in rows:
        f = figures[dept_id]
        f.items, f.responded, f.within_sla, f.missed_sla = items, int(responded or 0), int(within or 0), int(missed or 0)
        f.reassignments_per_item = round(float(reassigns), 2) if reassigns is not None else None
    ranked = (sa.select(
        Post.department_id.label("dept"), Post.first_response_seconds.label("secs"),
        sa.func.row_number().over(partition_by=Post.department_id, order_by=Post.first_response_seconds).label("rn"),
        sa.func.count().over(partition_by=Post.department_id).label("n"),
    ).where(*recent, responded_by_then).subquery())
    medians = db.session.execute(
        sa.select(ranked.c.dept, sa.func.avg(ranked.c.secs))
        .where(ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])).group_by(ranked.c.dept)).all()
    for dept_id, median in medians:
        figures[dept_id].median_first_response_seconds = int(round(float(median)))
    # The backlog is a state: open now, or for a past period open at its end (received before it
    # and handled after it; a reopen in between is not on the row, so it is an estimate).
    if until is None:
        open_then = Post.status.in_(OPEN_STATUSES)
    else:
        done_at = sa.func.coalesce(Post.resolved_at, Post.closed_at, Post.status_changed_at)
        open_then = sa.and_(Post.created_at < until, sa.or_(Post.status.in_(OPEN_STATUSES), done_at >= until))
    for dept_id, backlog in db.session.execute(
            sa.select(Post.department_id, sa.func.count())
            .where(*base, open_then).group_by(Post.department_id)):
        figures[dept_id].open_backlog = backlog
    for dept_id, resolved in db.session.execute(
            sa.select(Post.department_id, sa.func.count())
            .where(*base, resolved_condition(), Post.resolved_at >= since, before_end(Post.resolved_at))
            .group_by(Post.department_id)):
        figures[dept_id].resolved = resolved
    rated = [CaseRating.department_id.in_(ids), CaseRating.created_at >= since,
             before_end(CaseRating.created_at),
             sa.exists().where(Post.id == CaseRating.post_id, *counted_conditions(),
                               *([Post.product_id == product_id] if product_id is not None else []))]
    for dept_id, count, satisfied, average in db.session.execute(
            sa.select(CaseRating.department_id, sa.func.count(),
                      sa.func.sum(sa.case((CaseRating.score >= 4, 1), else_=0)), sa.func.avg(CaseRating.score))
            .where(*rated).group_by(CaseRating.department_id)):
        f = figures[dept_id]
        f.ratings, f.satisfied = count, int(satisfied or 0)
        f.average_rating = round(float(average), 2) if average is not None else None
    return [figures[d.id] for d in departments]


def departments_for_filters() -> list[Department]:
    return list(db.session.execute(sa.select(Department).order_by(Department.id)).scalars())
