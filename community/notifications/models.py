"""Notifications (durable rows, written in the same transaction as the action) and per-kind preferences."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core import clock
from community.extensions import db


class Notification(db.Model):
    """One line in a user's feed. Bursts of the same group collapse into one unread row.

    Collapsing replaces the unread row of a group with a new one (new id, count + 1), so a
    client that syncs with "everything after id N" never misses an update.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_id_id", "user_id", "id"),
        sa.Index("ix_notifications_user_unread", "user_id", "read_at"),
        sa.Index("ix_notifications_user_group", "user_id", "group_key"),
        # Ids only grow (never reused after a delete): clients sync with "after id N".
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="SET NULL"))
    timeline_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("timeline_entries.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Snapshots, so the text stays true after renames: the latest actors' names and the post title.
    actor_names: Mapped[list] = mapped_column(sa.JSON, default=list)
    post_title: Mapped[str] = mapped_column(sa.String(120), default="")
    # Kind-specific values (new status, note, merge target, SLA level ...).
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    group_key: Mapped[str | None] = mapped_column(sa.String(64))
    count: Mapped[int] = mapped_column(default=1)
    first_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column()

    user = relationship("User", foreign_keys=[user_id])

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} user={self.user_id} x{self.count}>"


class NotificationPreference(db.Model):
    """A kind the user turned off in-app. No row means the kind is on."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=False)
