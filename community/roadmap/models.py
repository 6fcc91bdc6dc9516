"""Roadmap items, their votes, feedback links and public timeline; releases; co-creation polls."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core import clock
from community.extensions import db


class RoadmapItem(db.Model):
    """A planned piece of work (路线图 / 规划) that feedback links to."""

    __tablename__ = "roadmap_items"
    __table_args__ = (
        sa.Index("ix_roadmap_items_status_demand", "status", "demand"),
        sa.Index("ix_roadmap_items_product_status", "product_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_html: Mapped[str] = mapped_column(sa.Text, default="")
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("products.id", ondelete="SET NULL"))
    area: Mapped[str] = mapped_column(sa.String(32), default="", index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="considering")
    # "2027Q1": sorts as text; shown as "预计 2027 Q1".
    target_quarter: Mapped[str | None] = mapped_column(sa.String(6))
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id", ondelete="SET NULL"))
    # Drafts are staff-only: 404 to everyone else on every channel.
    is_public: Mapped[bool] = mapped_column(default=True)
    # Counters: vote_count moves by atomic +1/-1; demand and linked_count are recounted
    # under the item's row lock (see roadmap.services.recount_demand).
    vote_count: Mapped[int] = mapped_column(default=0)
    demand: Mapped[int] = mapped_column(default=0)
    linked_count: Mapped[int] = mapped_column(default=0)
    release_id: Mapped[int | None] = mapped_column(sa.ForeignKey("releases.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    status_changed_at: Mapped[datetime] = mapped_column(default=clock.now)
    shipped_at: Mapped[datetime | None] = mapped_column()

    product = relationship("Product")
    owner = relationship("User", foreign_keys=[owner_id])
    department = relationship("Department")
    release = relationship("Release", back_populates="items")

    @property
    def quarter_label(self) -> str:
        q = self.target_quarter or ""
        return f"{q[:4]} {q[4:]}" if len(q) == 6 else ""

    def __repr__(self) -> str:
        return f"<RoadmapItem {self.id} {self.status}>"


class RoadmapVote(db.Model):
    """支持: one per member per item, enforced by the primary key."""

    __tablename__ = "roadmap_votes"

    item_id: Mapped[int] = mapped_column(sa.ForeignKey("roadmap_items.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class RoadmapLink(db.Model):
    """A feedback item linked to a roadmap item. The primary key on post_id: at most one item per feedback."""

    __tablename__ = "roadmap_links"

    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("roadmap_items.id", ondelete="CASCADE"), index=True)
    linked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    post = relationship("Post")


ENTRY_KINDS = ("created", "status", "linked", "unlinked", "shipped", "decision")


class RoadmapEntry(db.Model):
    """The item's public timeline: status changes, links, shipping, poll decisions."""

    __tablename__ = "roadmap_entries"
    __table_args__ = (sa.Index("ix_roadmap_entries_item_created", "item_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("roadmap_items.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Snapshots, so the record stays true after people change departments or titles.
    actor_role: Mapped[str] = mapped_column(sa.String(16), default="")
    actor_label: Mapped[str] = mapped_column(sa.String(160), default="")
    department_name: Mapped[str] = mapped_column(sa.String(64), default="")
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="SET NULL"))
    release_id: Mapped[int | None] = mapped_column(sa.ForeignKey("releases.id", ondelete="SET NULL"))
    poll_id: Mapped[int | None] = mapped_column(sa.ForeignKey("polls.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class FeedbackRoadmapRef(db.Model):
    """Which roadmap item (and release) a feedback timeline entry points at, for its link."""

    __tablename__ = "roadmap_feedback_refs"

    timeline_entry_id: Mapped[int] = mapped_column(
        sa.ForeignKey("timeline_entries.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("roadmap_items.id", ondelete="SET NULL"))
    release_id: Mapped[int | None] = mapped_column(sa.ForeignKey("releases.id", ondelete="SET NULL"))
    item_title: Mapped[str] = mapped_column(sa.String(120), default="")
    version: Mapped[str] = mapped_column(sa.String(40), default="")


class ProductRoadmapSettings(db.Model):
    """Per-product roadmap settings (admin): the optional vote budget (可用票数)."""

    __tablename__ = "roadmap_product_settings"

    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    vote_budget: Mapped[int | None] = mapped_column()


class Release(db.Model):
    """版本发布: a product version with notes, the items shipped in it and the feedback resolved in it."""

    __tablename__ = "releases"
    __table_args__ = (sa.UniqueConstraint("product_id", "version"),
                      sa.Index("ix_releases_published_date", "is_published", "released_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("products.id", ondelete="SET NULL"))
    version: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(120), default="")
    released_on: Mapped[date] = mapped_column(sa.Date)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    notes_html: Mapped[str] = mapped_column(sa.Text, default="")
    is_published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    product = relationship("Product")
    items = relationship(RoadmapItem, back_populates="release", order_by=RoadmapItem.id)


class ReleasePost(db.Model):
    """Feedback resolved in a release (besides what its shipped items carry)."""

    __tablename__ = "release_posts"

    release_id: Mapped[int] = mapped_column(sa.ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True)


POLL_KINDS = ("choice", "price")
POLL_RESULTS = ("live", "after_close")


class Poll(db.Model):
    """共创投票: concept, colour, bundle or price band, on a roadmap item or a product."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("roadmap_items.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("products.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_html: Mapped[str] = mapped_column(sa.Text, default="")
    kind: Mapped[str] = mapped_column(sa.String(8), default="choice")
    multiple: Mapped[bool] = mapped_column(default=False)
    results: Mapped[str] = mapped_column(sa.String(12), default="after_close")
    eligibility: Mapped[str] = mapped_column(sa.String(12), default="everyone")
    opens_at: Mapped[datetime] = mapped_column(default=clock.now)
    closes_at: Mapped[datetime] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    decision: Mapped[str] = mapped_column(sa.Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column()
    ballot_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    item = relationship(RoadmapItem)
    product = relationship("Product")
    options = relationship("PollOption", order_by="PollOption.position", cascade="all, delete-orphan",
                           lazy="selectin")


class PollOption(db.Model):
    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    # A same-site image path (e.g. /static/...); no external hosts.
    image_url: Mapped[str] = mapped_column(sa.String(300), default="")
    # Price polls: the band in whole yuan.
    price_min: Mapped[int | None] = mapped_column()
    price_max: Mapped[int | None] = mapped_column()


class RoadmapImage(db.Model):
    """An image staff uploaded for a poll option (concept A/B, a colour): re-encoded WebP, served
    from /roadmap/images/<id>; options keep its path in `image_url`."""

    __tablename__ = "roadmap_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    content_type: Mapped[str] = mapped_column(sa.String(32))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class Ballot(db.Model):
    """One member's choice in a poll (several rows for multiple choice); changeable until close."""

    __tablename__ = "poll_ballots"

    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    option_id: Mapped[int] = mapped_column(sa.ForeignKey("poll_options.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class FourBoxRound(db.Model):
    """四格体验报告: a round for a product release, e.g. "v2.4 第 1 周"."""

    __tablename__ = "fourbox_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("products.id", ondelete="SET NULL"))
    release_id: Mapped[int | None] = mapped_column(sa.ForeignKey("releases.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(120))
    opens_at: Mapped[datetime] = mapped_column(default=clock.now)
    closes_at: Mapped[datetime] = mapped_column()
    answer_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    product = relationship("Product")
    release = relationship(Release)


class FourBoxAnswer(db.Model):
    """One member's four boxes in a round; the "most wanted" box can become roadmap demand."""

    __tablename__ = "fourbox_answers"
    __table_args__ = (sa.UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("fourbox_rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    most_satisfied: Mapped[str] = mapped_column(sa.String(500), default="")
    least_satisfied: Mapped[str] = mapped_column(sa.String(500), default="")
    most_wanted: Mapped[str] = mapped_column(sa.String(500), default="")
    bug: Mapped[str] = mapped_column(sa.String(500), default="")
    # The feedback post the bug box became, and the roadmap item the wish counts towards.
    bug_post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="SET NULL"))
    wanted_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("roadmap_items.id", ondelete="SET NULL"),
                                                       index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)

    user = relationship("User")


class Announcement(db.Model):
    """公告: a short public notice of a handling result, shown on the home page for a while."""

    __tablename__ = "announcements"
    __table_args__ = (sa.Index("ix_announcements_window", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("products.id", ondelete="SET NULL"), index=True)
    release_id: Mapped[int | None] = mapped_column(sa.ForeignKey("releases.id", ondelete="SET NULL"))
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("roadmap_items.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(default=clock.now)
    ends_at: Mapped[datetime] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    product = relationship("Product")
    release = relationship(Release)
    item = relationship(RoadmapItem)


class RoadmapComment(db.Model):
    """A comment on a roadmap item (members discuss what should come next)."""

    __tablename__ = "roadmap_comments"
    __table_args__ = (sa.Index("ix_roadmap_comments_item_created", "item_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("roadmap_items.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    # Held by screening: the author and staff still see it.
    is_hidden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    deleted_at: Mapped[datetime | None] = mapped_column()

    author = relationship("User", lazy="joined")
