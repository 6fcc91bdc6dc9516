"""Department figures: response and resolution times, ratings, load."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from community.core import clock
from community.extensions import db
from community.feedback.models import Post
from community.feedback.workflow import OPEN_STATUSES
from community.routing.models import Department
from community.triage import sla
from community.triage.models import CaseRating

# Figures -------------------------------------------------------------------------

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
    reassignments_per_item: float | None = None
    ratings: int = 0
    satisfied: int = 0
    average_rating: float | None = None

    @property
    def within_sla_rate(self) -> float | None:
        judged = self.within_sla + self.missed_sla
        return round(self.within_sla / judged, 4) if judged else None

    @property
    def satisfaction_rate(self) -> float | None:
        return round(self.satisfied / self.ratings, 4) if self.ratings else None

    def as_dict(self) -> dict:
        data = dict(self.__dict__)
        data.update(within_sla_rate=self.within_sla_rate, satisfaction_rate=self.satisfaction_rate)
        return data


def department_figures(department_ids=None, since: datetime | None = None,
                       now: datetime | None = None) -> list[DepartmentFigures]:
    """Accountability figures per department, for the staff console and the public dashboard.

    Over feedback created since `since` (default: the last 90 days): median first-response
    time, share of first responses within the target (unanswered items past it count as
    missed), reassignments per item and satisfaction (ratings of 4–5). The open backlog is
    all open items now. A few grouped queries; the median uses window functions.
    """
    now = now or clock.now()
    since = since or now - timedelta(days=90)
    departments = db.session.execute(sa.select(Department).order_by(Department.id)).scalars().all()
    if department_ids is not None:
        wanted = {int(i) for i in department_ids}
        departments = [d for d in departments if d.id in wanted]
    figures = {d.id: DepartmentFigures(department_id=d.id, name=d.name) for d in departments}
    if not figures:
        return []
    ids = list(figures)
    base = [Post.kind == "feedback", Post.merged_into_id.is_(None), Post.deleted_at.is_(None),
            Post.department_id.in_(ids)]
    recent = base + [Post.created_at >= since]
    clocks = sla.sql_clocks(Post, Department, now)
    target = Department.first_response_hours * 3600
    rows = db.session.execute(
        sa.select(
            Post.department_id,
            sa.func.count(),
            sa.func.count(Post.first_response_seconds),
            sa.func.sum(sa.case((Post.first_response_seconds <= target, 1), else_=0)),
            sa.func.sum(sa.case((Post.first_response_seconds > target, 1),
                                (sa.and_(Post.first_response_seconds.is_(None), Post.status.in_(OPEN_STATUSES),
                                         clocks.used > target), 1), else_=0)),
            sa.func.avg(Post.reassign_count),
        ).join(Department, Department.id == Post.department_id).where(*recent).group_by(Post.department_id)
    ).all()
    for dept_id, items, responded, within, missed, reassigns in rows:
        f = figures[dept_id]
        f.items, f.responded, f.within_sla, f.missed_sla = items, responded, int(within or 0), int(missed or 0)
        f.reassignments_per_item = round(float(reassigns), 2) if reassigns is not None else None
    # Median first response per department with window functions (SQLite ≥ 3.25 and PostgreSQL).
    ranked = (sa.select(
        Post.department_id.label("dept"), Post.first_response_seconds.label("secs"),
        sa.func.row_number().over(partition_by=Post.department_id, order_by=Post.first_response_seconds).label("rn"),
        sa.func.count().over(partition_by=Post.department_id).label("n"),
    ).where(*recent, Post.first_response_seconds.is_not(None)).subquery())
    medians = db.session.execute(
        sa.select(ranked.c.dept, sa.func.avg(ranked.c.secs))
        .where(ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])).group_by(ranked.c.dept)).all()
    for dept_id, median in medians:
        figures[dept_id].median_first_response_seconds = int(round(float(median)))
    for dept_id, backlog in db.session.execute(
            sa.select(Post.department_id, sa.func.count()).where(*base, Post.status.in_(OPEN_STATUSES))
            .group_by(Post.department_id)):
        figures[dept_id].open_backlog = backlog
    for dept_id, count, satisfied, average in db.session.execute(
            sa.select(CaseRating.department_id, sa.func.count(),
                      sa.func.sum(sa.case((CaseRating.score >= 4, 1), else_=0)), sa.func.avg(CaseRating.score))
            .where(CaseRating.department_id.in_(ids), CaseRating.created_at >= since)
            .group_by(CaseRating.department_id)):
        f = figures[dept_id]
        f.ratings, f.satisfied = count, int(satisfied or 0)
        f.average_rating = round(float(average), 2) if average is not None else None
    return [figures[d.id] for d in departments]


def departments_for_filters() -> list[Department]:
    return list(db.session.execute(sa.select(Department).order_by(Department.id)).scalars())
