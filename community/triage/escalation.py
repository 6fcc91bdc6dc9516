"""Escalation: supervision by the department lead (督办) and the SLA job (warnings, breaches, auto-close)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from community.accounts.models import User
from community.audit.services import record_audit
from community.core import clock
from community.core.database import insert_ignore
from community.core.permissions import SYSTEM
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.models import Post
from community.feedback.workflow import OPEN_STATUSES
from community.notifications import services as notifications
from community.routing.models import Department
from community.triage import sla
from community.triage.models import SlaWarning, Supervision


def _label_system() -> str:
    return str(_("System"))


# Supervision (督办) --------------------------------------------------------------------

def supervision_note(reason: str, count: int) -> str:
    if reason == "reassigned":
        return ngettext("Supervised by the department lead: the item was passed on %(num)d time.",
                        "Supervised by the department lead: the item was passed on %(num)d times.", count)
    if reason == "reopened":
        return ngettext("Supervised by the department lead: the author reopened it %(num)d time.",
                        "Supervised by the department lead: the author reopened it %(num)d times.", count)
    return _("Supervised by the department lead: the author was not satisfied (%(score)d/5).", score=count)


def supervise_post(post: Post, reason: str, *, count: int, round_: int = 0) -> Supervision | None:
    """Send an item to its department lead with a visible 督办 mark (once per reason and round)."""
    exists = db.session.execute(sa.select(Supervision.id).where(
        Supervision.post_id == post.id, Supervision.reason == reason, Supervision.round == round_)).first()
    if exists:
        return None
    department = db.session.get(Department, post.department_id) if post.department_id else None
    lead = department.lead if department else None
    row = Supervision(post_id=post.id, reason=reason, round=round_, lead_id=lead.id if lead else None,
                      created_at=clock.now())
    db.session.add(row)
    db.session.flush()
    before = {"assignee_id": post.assignee_id}
    if lead is not None and post.assignee_id != lead.id and not lead.is_banned:
        feedback.system_assign(post, lead, note=supervision_note(reason, count), label=_label_system())
    record_audit(SYSTEM, "triage.supervise", "post", post.id, before=before,
                 after={"assignee_id": post.assignee_id, "supervision": reason, "lead_id": row.lead_id})
    return row


def end_supervision(post: Post) -> int:
    result = db.session.execute(sa.update(Supervision).where(Supervision.post_id == post.id,
                                                             Supervision.ended_at.is_(None))
                                .values(ended_at=clock.now()))
    return result.rowcount


def supervised_ids(post_ids) -> set[int]:
    if not post_ids:
        return set()
    return set(db.session.execute(sa.select(Supervision.post_id).where(
        Supervision.post_id.in_(list(post_ids)), Supervision.ended_at.is_(None))).scalars())


def list_supervisions(post: Post) -> list[Supervision]:
    return list(db.session.execute(sa.select(Supervision).where(Supervision.post_id == post.id)
                                   .order_by(Supervision.id)).scalars())


# SLA job ---------------------------------------------------------------------------

@dataclass
class TickReport:
    warnings: int = 0
    breaches: int = 0
    auto_closed: int = 0
    notified: int = 0


def _recipient_for(level: str, post: Post, department: Department | None) -> User | None:
    lead = department.lead if department else None
    assignee = post.assignee
    if level == "warning":
        return assignee or lead
    return lead or assignee


def tick_sla(now: datetime | None = None, batch: int = 500) -> TickReport:
    """Warn at 80% of a target (the assignee) and at 100% (the department lead); close resolved
    items the author left unconfirmed. Safe to run any number of times: each item, target and
    level is recorded once in sla_warnings (unique), and only then notified."""
    now = now or clock.now()
    report = TickReport()
    clocks = sla.sql_clocks(Post, Department, now)
    candidate_ids = list(db.session.execute(
        sa.select(Post.id).outerjoin(Department, Department.id == Post.department_id)
        .where(Post.kind == "feedback", Post.status.in_(OPEN_STATUSES), Post.merged_into_id.is_(None),
               Post.deleted_at.is_(None), clocks.warned).order_by(Post.id)).scalars())
    for start in range(0, len(candidate_ids), batch):
        chunk = candidate_ids[start:start + batch]
        # Skip what earlier runs recorded without touching those rows; the unique key still
        # guards against a concurrent run.
        sent = {tuple(row) for row in db.session.execute(
            sa.select(SlaWarning.post_id, SlaWarning.target, SlaWarning.level).where(SlaWarning.post_id.in_(chunk)))}
        posts = db.session.execute(sa.select(Post).where(Post.id.in_(chunk))
                                   .options(selectinload(Post.department).selectinload(Department.lead),
                                            selectinload(Post.assignee))).scalars().all()
        for post in posts:
            for clk in sla.post_clocks(post, post.department, now).values():
                if clk.level is None or (post.id, clk.target, clk.level) in sent:
                    continue
                _record_warning(post, clk, report, now)
    _auto_close(now, report)
    db.session.flush()
    return report


def _record_warning(post: Post, clk: sla.Clock, report: TickReport, now: datetime) -> None:
    recipient = _recipient_for(clk.level, post, post.department)
    # RETURNING tells whether this run inserted the row (rowcount is -1 on some drivers).
    inserted = db.session.execute(insert_ignore(SlaWarning).values(
        post_id=post.id, target=clk.target, level=clk.level, recipient_id=recipient.id if recipient else None,
        created_at=now).returning(SlaWarning.id)).first() is not None
    if not inserted:
        return
    if clk.level == "warning":
        report.warnings += 1
    else:
        report.breaches += 1
        record_audit(SYSTEM, "triage.sla_breach", "post", post.id,
                     after={"target": clk.target, "escalated_to": recipient.id if recipient else None,
                            "overdue_seconds": -clk.remaining_seconds})
    if recipient is not None and notifications.notify_sla_warning(recipient, post, clk.target, clk.level):
        report.notified += 1


def _auto_close(now: datetime, report: TickReport) -> None:
    days = current_app.config.get("TRIAGE_AUTO_CLOSE_DAYS", 14)
    cutoff = now - timedelta(days=days)
    posts = db.session.execute(sa.select(Post).where(
        Post.status == "resolved", Post.resolved_at <= cutoff, Post.deleted_at.is_(None))).scalars().all()
    for post in posts:
        note = ngettext("Closed automatically: %(num)d day without a reply from the author.",
                        "Closed automatically: %(num)d days without a reply from the author.", days)
        feedback.system_set_status(post, "closed", label=_label_system(), note=note)
        record_audit(SYSTEM, "triage.auto_close", "post", post.id, before={"status": "resolved"},
                     after={"status": "closed"})
        report.auto_closed += 1


def overdue_marks(post_ids) -> set[int]:
    """Items whose breach was recorded by the SLA job (the console also computes it live)."""
    if not post_ids:
        return set()
    return set(db.session.execute(sa.select(SlaWarning.post_id).where(
        SlaWarning.post_id.in_(list(post_ids)), SlaWarning.level == "breached")).scalars())
