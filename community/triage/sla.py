"""SLA clocks (响应时限): the one rule for how much of a response target is used, paused or overdue.

`sla_clocks()` is pure (plain values in, values out) so tests, the console and `flask sla tick`
agree. `remaining_sql()` is the same rule as a SQL expression, used only to filter and sort
queues in the database; tests check that the two agree.

Rule: a clock starts when the item is created, stops when its event happens (first official
reply; resolution or another done status) and does not run while the item waits on the author
(needs_info): finished pauses accumulate in Post.sla_paused_seconds and the current one started
at Post.status_changed_at.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from community.feedback.workflow import DONE_STATUSES, OPEN_STATUSES
from community.routing.models import DEFAULT_FIRST_RESPONSE_HOURS, DEFAULT_RESOLUTION_DAYS

# The share of a target after which a running clock is "due soon" and the assignee is warned.
# A fraction, so Python and SQL compare exactly; set from TRIAGE_SLA_WARNING_RATIO at start-up.
WARNING_RATIO = Fraction(4, 5)
EPOCH = datetime(1970, 1, 1)

FIRST_RESPONSE, RESOLUTION = "first_response", "resolution"


@dataclass(frozen=True)
class Clock:
    target: str                 # first_response | resolution
    target_seconds: int
    used_seconds: int           # business time used so far (or until the clock stopped)
    stopped: bool               # the event happened (reply given / item done)
    paused: bool                # waiting on the author right now

    @property
    def remaining_seconds(self) -> int:
        """Negative when overdue."""
        return self.target_seconds - self.used_seconds

    @property
    def fraction(self) -> float:
        return self.used_seconds / self.target_seconds if self.target_seconds else 0.0

    @property
    def state(self) -> str:
        """met / missed once stopped; otherwise ok, due_soon (≥80%) or overdue (≥100%)."""
        if self.stopped:
            return "met" if self.used_seconds <= self.target_seconds else "missed"
        if self.used_seconds >= self.target_seconds:
            return "overdue"
        if self.fraction >= WARNING_RATIO:
            return "due_soon"
        return "ok"

    @property
    def level(self) -> str | None:
        """Which warning a running clock has reached: None, warning or breached."""
        if self.stopped:
            return None
        if self.used_seconds >= self.target_seconds:
            return "breached"
        if self.fraction >= WARNING_RATIO:
            return "warning"
        return None


def sla_clocks(*, now: datetime, created_at: datetime, status: str | None, status_changed_at: datetime | None,
               paused_seconds: int, first_response_seconds: int | None, done_at: datetime | None,
               first_response_hours: int | None, resolution_days: int | None) -> dict[str, Clock]:
    """Both clocks of one item at `now`. `done_at` is when a done status was reached (None while open)."""
    paused_now = status == "needs_info" and status_changed_at is not None
    current_pause = max(0, int((now - status_changed_at).total_seconds())) if paused_now else 0

    def used_until(end: datetime, pause: int) -> int:
        return max(0, int((end - created_at).total_seconds()) - (paused_seconds or 0) - pause)

    fr_target = int((first_response_hours or DEFAULT_FIRST_RESPONSE_HOURS) * 3600)
    res_target = int((resolution_days or DEFAULT_RESOLUTION_DAYS) * 86400)
    done = status in DONE_STATUSES
    running_used = used_until(now, current_pause)

    if first_response_seconds is not None:
        first = Clock(FIRST_RESPONSE, fr_target, first_response_seconds, stopped=True, paused=False)
    elif done:
        # Closed without any official reply: the clock stopped when the item was done.
        first = Clock(FIRST_RESPONSE, fr_target, used_until(done_at or now, 0), stopped=True, paused=False)
    else:
        first = Clock(FIRST_RESPONSE, fr_target, running_used, stopped=False, paused=paused_now)
    if done:
        resolution = Clock(RESOLUTION, res_target, used_until(done_at or now, 0), stopped=True, paused=False)
    else:
        resolution = Clock(RESOLUTION, res_target, running_used, stopped=False, paused=paused_now)
    return {FIRST_RESPONSE: first, RESOLUTION: resolution}


def post_clocks(post, department, now: datetime) -> dict[str, Clock]:
    """sla_clocks() for a Post and its Department (either may have been loaded in bulk)."""
    done_at = None
    if post.status in DONE_STATUSES:
        done_at = post.resolved_at if post.status == "resolved" else (post.closed_at or post.status_changed_at)
    return sla_clocks(
        now=now, created_at=post.created_at, status=post.status, status_changed_at=post.status_changed_at,
        paused_seconds=post.sla_paused_seconds or 0, first_response_seconds=post.first_response_seconds,
        done_at=done_at,
        first_response_hours=department.first_response_hours if department else None,
        resolution_days=department.resolution_days if department else None,
    )


def headline(clocks: dict[str, Clock]) -> Clock | None:
    """The clock that matters most in a list: the running one with the least time left."""
    running = [c for c in clocks.values() if not c.stopped]
    return min(running, key=lambda c: c.remaining_seconds) if running else None


# The same rule in SQL ----------------------------------------------------------------------

class epoch_seconds(FunctionElement):
    """Whole seconds since 1970 of a naive UTC timestamp column, on SQLite and PostgreSQL."""

    type = sa.BigInteger()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    return "CAST(strftime('%s', " + compiler.process(element.clauses, **kw) + ") AS INTEGER)"


@compiles(epoch_seconds)
def _epoch_default(element, compiler, **kw):
    return "CAST(EXTRACT(EPOCH FROM %s) AS BIGINT)" % compiler.process(element.clauses, **kw)


def to_epoch(dt: datetime) -> int:
    return int((dt - EPOCH).total_seconds())


@dataclass
class SqlClocks:
    """SQL expressions for the running clocks of open items.

    Both clocks start at creation and pause together, so they share one "used" time and the
    clock that matters is the running one with the smaller target: everything is written in
    terms of `used` and `running_target`, which keeps the per-row work to one evaluation.
    """

    used: ColumnElement                 # business seconds used so far
    running_target: ColumnElement       # target seconds of the running clock that ends first
    remaining: ColumnElement            # running_target - used; NULL for items that are not open

    @property
    def overdue(self) -> ColumnElement:
        return self.used >= self.running_target

    @property
    def warned(self) -> ColumnElement:
        """At least WARNING_RATIO of a running target used (overdue included)."""
        return self.used * WARNING_RATIO.denominator >= self.running_target * WARNING_RATIO.numerator


def sql_clocks(Post, Department, now: datetime) -> SqlClocks:
    """Needs `Department` outer-joined on Post.department_id; meaningful for open items."""
    now_s = sa.literal(to_epoch(now), sa.BigInteger)
    current_pause = sa.case(
        (sa.and_(Post.status == "needs_info", Post.status_changed_at.is_not(None)),
         now_s - epoch_seconds(Post.status_changed_at)),
        else_=0,
    )
    used = now_s - epoch_seconds(Post.created_at) - sa.func.coalesce(Post.sla_paused_seconds, 0) - current_pause
    fr_target = sa.func.coalesce(Department.first_response_hours, DEFAULT_FIRST_RESPONSE_HOURS) * 3600
    res_target = sa.func.coalesce(Department.resolution_days, DEFAULT_RESOLUTION_DAYS) * 86400
    running_target = sa.case(
        (sa.and_(Post.first_response_seconds.is_(None), fr_target < res_target), fr_target), else_=res_target)
    remaining = sa.case((Post.status.in_(OPEN_STATUSES), running_target - used), else_=None)
    return SqlClocks(used=used, running_target=running_target, remaining=remaining)


def configure(warning_ratio) -> None:
    """Read the app's TRIAGE_SLA_WARNING_RATIO (one value per process, like the clock rule)."""
    global WARNING_RATIO
    ratio = Fraction(str(warning_ratio)).limit_denominator(1000)
    if not 0 < ratio < 1:
        raise ValueError(f"TRIAGE_SLA_WARNING_RATIO must be between 0 and 1, not {warning_ratio!r}")
    WARNING_RATIO = ratio
