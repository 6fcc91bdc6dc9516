"""Moderation records: flags, held content, the sensitive-word list."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core import clock
from community.extensions import db

FLAG_REASONS = ("spam", "abuse", "privacy", "off_topic")
FLAG_OUTCOMES = ("hide", "keep", "edit", "delete")
TARGET_TYPES = ("post", "comment")
HOLD_STATUSES = ("pending", "approved", "rejected")
WORD_ACTIONS = ("replace", "hold")


class Flag(db.Model):
    """A member's report of a post or comment. One open flag per member per target."""

    __tablename__ = "moderation_flags"
    __table_args__ = (
        # Partial unique index: a member may flag the same item again after the first flag was resolved.
        sa.Index("uq_moderation_flags_open", "reporter_id", "target_type", "target_id", unique=True,
                 sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'")),
        sa.Index("ix_moderation_flags_queue", "status", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(16))
    target_id: Mapped[int] = mapped_column()
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    # The author of the flagged content, for "flags against this user".
    target_author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    outcome: Mapped[str | None] = mapped_column(sa.String(16))
    resolution_note: Mapped[str] = mapped_column(sa.String(500), default="")
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    reporter = relationship("User", foreign_keys=[reporter_id])
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])
    post = relationship("Post")


class Hold(db.Model):
    """Content the screeners held for review (a post, a comment or a registered kind such as a
    roadmap comment); hidden until a moderator decides. `post_id` is set for feedback content."""

    __tablename__ = "moderation_holds"
    __table_args__ = (sa.UniqueConstraint("target_type", "target_id"),
                      sa.Index("ix_moderation_holds_status_created", "status", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(sa.String(16))
    target_id: Mapped[int] = mapped_column()
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reasons: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    author = relationship("User", foreign_keys=[author_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    post = relationship("Post")


class SensitiveWord(db.Model):
    """敏感词: `key` is the normalized form the matcher uses (unique), `word` what the admin typed."""

    __tablename__ = "sensitive_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(sa.String(64))
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    action: Mapped[str] = mapped_column(sa.String(8), default="replace")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class WordListVersion(db.Model):
    """One row; bumped on every change so each process knows when to rebuild its automaton."""

    __tablename__ = "sensitive_word_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
