"""Append-only audit log of staff and moderator actions."""
from __future__ import annotations

from community.core import clock
from community.extensions import db
from community.moderation.models import AuditEntry


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
