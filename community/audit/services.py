"""The audit log: every domain records its staff and system actions here, in the caller's transaction;
admins search it."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.accounts.models import User
from community.audit.models import AuditEntry
from community.core import clock, permissions
from community.core.converters import parse_db_id
from community.core.errors import NotFound, ValidationFailed
from community.core.pagination import Page, paginate
from community.extensions import db


def record_audit(actor, action: str, target_type: str, target_id: int | None, *, before: dict | None = None,
                 after: dict | None = None, reason: str = "") -> AuditEntry:
    """Add an audit row in the caller's transaction (so it commits or rolls back with the action)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_label=(actor.public_badge or actor.name) if actor is not None else "system",
        action=action, target_type=target_type, target_id=target_id,
        before=before, after=after, reason=reason or "", created_at=clock.now(),
    )
    db.session.add(entry)
    return entry


def _parse_date(value):
    if not value:
        return None
    try:
        parsed = datetime.strptime(value, "%Y-%m-%d")
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or not 1900 <= parsed.year <= 2999:  # the end date + 1 day must not overflow
        raise ValidationFailed(fields={"date": _l("Use the format YYYY-MM-DD.")})
    return parsed


def search_audit(actor, *, actor_name: str = "", action: str = "", target_type: str = "", target_id=None,
                 date_from: str = "", date_to: str = "", page: int = 1, per_page: int = 50) -> Page:
    """Admins only; newest first. Dates are whole days (UTC), both ends included."""
    if not permissions.can_read_audit(actor):
        raise NotFound()
    stmt = sa.select(AuditEntry)
    if actor_name:
        if actor_name == "system":
            stmt = stmt.where(AuditEntry.actor_id.is_(None))
        else:
            stmt = stmt.join(User, User.id == AuditEntry.actor_id).where(User.username == actor_name)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    if target_type:
        stmt = stmt.where(AuditEntry.target_type == target_type)
    if target_id not in (None, ""):
        number = parse_db_id(target_id)
        if number is None:
            raise ValidationFailed(fields={"target_id": _l("Enter a number.")})
        stmt = stmt.where(AuditEntry.target_id == number)
    start, end = _parse_date(date_from), _parse_date(date_to)
    if start:
        stmt = stmt.where(AuditEntry.created_at >= start)
    if end:
        stmt = stmt.where(AuditEntry.created_at < end + timedelta(days=1))
    return paginate(stmt.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()), page, per_page)


def audit_actions() -> list[str]:
    return list(db.session.execute(sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action)).scalars())
