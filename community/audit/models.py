"""The audit log's rows. It is append-only: no service updates or deletes it (ORM hooks here,
database triggers in the migration)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from community.core import clock
from community.extensions import db


class AuditEntry(db.Model):
    """Who did what to which target, when, with the state before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(160), default="")
    action: Mapped[str] = mapped_column(sa.String(64), index=True)  # e.g. post.hide, user.ban, feedback.status
    target_type: Mapped[str] = mapped_column(sa.String(32))
    target_id: Mapped[int | None] = mapped_column()
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)

    actor = relationship("User")


class AuditLogIsAppendOnly(RuntimeError):
    """Raised on any attempt to change or remove an audit row through the ORM."""


@sa.event.listens_for(AuditEntry, "before_update")
def _refuse_audit_update(_mapper, _connection, target):
    raise AuditLogIsAppendOnly(f"audit entry {target.id} cannot be changed")


@sa.event.listens_for(AuditEntry, "before_delete")
def _refuse_audit_delete(_mapper, _connection, target):
    raise AuditLogIsAppendOnly(f"audit entry {target.id} cannot be deleted")


@sa.event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_writes(state):
    if (state.is_update or state.is_delete) and any(m.class_ is AuditEntry for m in state.all_mappers):
        raise AuditLogIsAppendOnly("bulk UPDATE/DELETE on the audit log is not allowed")
