"""Daily aggregates behind the public dashboard, kept exact at commit (pulse/aggregates.py)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from community.core import clock
from community.extensions import db
from community.feedback.models import Comment, Post

# The live figures read these columns by range (the tables are feedback's; the need is ours).
sa.Index("ix_posts_first_response_at", Post.first_response_at)
sa.Index("ix_posts_resolved_at", Post.resolved_at)
sa.Index("ix_comments_official_created", Comment.is_official, Comment.created_at)


class PulseBucket(db.Model):
    """Counted feedback per day, department and product (0 = none): what /pulse sums.

    `received` and `replied_within_24h` are filed under the day the item was received,
    `resolved` under the day it was resolved (local days: PULSE_UTC_OFFSET_HOURS)."""

    __tablename__ = "pulse_buckets"

    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(primary_key=True, default=0)
    product_id: Mapped[int] = mapped_column(primary_key=True, default=0)
    received: Mapped[int] = mapped_column(default=0)
    replied_within_24h: Mapped[int] = mapped_column(default=0)
    resolved: Mapped[int] = mapped_column(default=0)


class PulseContribution(db.Model):
    """What one counted item adds to the buckets now: the next change subtracts it exactly."""

    __tablename__ = "pulse_contributions"

    post_id: Mapped[int] = mapped_column(primary_key=True)  # no foreign key: a deleted post's row is how we subtract it
    received_day: Mapped[date] = mapped_column(sa.Date)
    department_id: Mapped[int] = mapped_column(default=0)
    product_id: Mapped[int] = mapped_column(default=0)
    replied_within_24h: Mapped[bool] = mapped_column(default=False)
    resolved_day: Mapped[date | None] = mapped_column(sa.Date)


class PulseSettings(db.Model):
    """One row: the origins allowed to frame /pulse/embed."""

    __tablename__ = "pulse_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    embed_origins: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
