"""Triage records: tags, SLA warnings sent, supervision (督办) and case ratings (一事一评)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core import clock
from community.extensions import db

SLA_TARGETS = ("first_response", "resolution")
SLA_LEVELS = ("warning", "breached")
SUPERVISION_REASONS = ("reassigned", "reopened", "low_rating")


class PostTag(db.Model):
    """A staff-only triage label on an item (e.g. "蓝牙", "OTA-2.3")."""

    __tablename__ = "post_tags"
    __table_args__ = (sa.Index("ix_post_tags_tag", "tag"),)

    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class SlaWarning(db.Model):
    """One row per item, target and level: the unique key is what makes `flask sla tick` warn only once."""

    __tablename__ = "sla_warnings"
    __table_args__ = (sa.UniqueConstraint("post_id", "target", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(sa.String(20))   # first_response | resolution
    level: Mapped[str] = mapped_column(sa.String(10))    # warning (80%) | breached (100%)
    recipient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)


class Supervision(db.Model):
    """督办: the item went to the department lead because it was passed around, reopened or rated poorly."""

    __tablename__ = "supervisions"
    __table_args__ = (
        sa.UniqueConstraint("post_id", "reason", "round"),
        sa.Index("ix_supervisions_active", "ended_at", "post_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(16))
    # Low ratings can recur after each resolution; the other reasons fire once (round 0).
    round: Mapped[int] = mapped_column(default=0)
    lead_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    ended_at: Mapped[datetime | None] = mapped_column()

    lead = relationship("User")


class CaseRating(db.Model):
    """一事一评: the author's 1–5 rating of how one resolution was handled."""

    __tablename__ = "case_ratings"
    # One rating per resolution of an item: a reopened and re-resolved item may be rated again.
    __table_args__ = (sa.UniqueConstraint("post_id", "resolved_at"),
                      sa.Index("ix_case_ratings_department_created", "department_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime] = mapped_column()
    score: Mapped[int] = mapped_column()
    comment: Mapped[str] = mapped_column(sa.String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
