"""Posts (feedback, trial reports, discussions), comments, votes, follows and the public timeline."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core import clock
from community.extensions import db
from community.i18n import LocalizedName, localized_name

POST_KINDS = ("feedback", "trial_report", "discussion")
FEEDBACK_TYPES = ("bug", "suggestion", "complaint")


class Product(LocalizedName, db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    name_en: Mapped[str] = mapped_column(sa.String(64), default="")
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    # The product page: a tagline, key specs ([{"label", "label_en", "value"}]) and a hero image
    # (re-encoded WebP; the URL carries updated_at so browsers may cache it).
    tagline: Mapped[str] = mapped_column(sa.String(120), default="")
    tagline_en: Mapped[str] = mapped_column(sa.String(120), default="")
    specs: Mapped[list] = mapped_column(sa.JSON, default=list)
    hero_image: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    hero_type: Mapped[str] = mapped_column(sa.String(32), default="")
    updated_at: Mapped[datetime | None] = mapped_column()

    @property
    def local_tagline(self) -> str:
        return localized_name(self.tagline, self.tagline_en)

    @property
    def has_hero(self) -> bool:
        return bool(self.hero_type)


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        sa.Index("ix_posts_listing_hot", "is_hidden", "hot_score"),
        sa.Index("ix_posts_listing_new", "is_hidden", "created_at"),
        sa.Index("ix_posts_category_new", "category_id", "created_at"),
        sa.Index("ix_posts_category_hot", "category_id", "hot_score"),
        sa.Index("ix_posts_status_new", "status", "created_at"),
        sa.Index("ix_posts_assignee_status", "assignee_id", "status"),
        sa.Index("ix_posts_department_status", "department_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default="feedback")
    feedback_type: Mapped[str | None] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id", ondelete="SET NULL"))
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("products.id", ondelete="SET NULL"), index=True)
    # Routing: the department that owns the item and the contact it is assigned to.
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Workflow status; only feedback has one (see feedback.workflow).
    status: Mapped[str | None] = mapped_column(sa.String(20))
    status_changed_at: Mapped[datetime | None] = mapped_column()
    # Denormalized counters for lists.
    vote_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    hot_score: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_activity_at: Mapped[datetime] = mapped_column(default=clock.now)
    edited_at: Mapped[datetime | None] = mapped_column()
    # Accountability measures.
    first_response_at: Mapped[datetime | None] = mapped_column()
    first_response_seconds: Mapped[int | None] = mapped_column()
    sla_paused_seconds: Mapped[int] = mapped_column(default=0)
    resolved_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    reopen_count: Mapped[int] = mapped_column(default=0)
    reassign_count: Mapped[int] = mapped_column(default=0)
    # Moderation and merging.
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="SET NULL"))
    is_hidden: Mapped[bool] = mapped_column(default=False)
    is_locked: Mapped[bool] = mapped_column(default=False)
    is_pinned: Mapped[bool] = mapped_column(default=False)
    deleted_at: Mapped[datetime | None] = mapped_column()

    author = relationship("User", foreign_keys=[author_id], lazy="joined")
    assignee = relationship("User", foreign_keys=[assignee_id])
    category = relationship("Category", lazy="joined")
    department = relationship("Department")
    product = relationship("Product")
    merged_into = relationship("Post", remote_side=[id])
    trial_report = relationship("TrialReport", uselist=False, back_populates="post", cascade="all, delete-orphan")

    @property
    def is_feedback(self) -> bool:
        return self.kind == "feedback"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_public(self) -> bool:
        """Visible to everyone (not hidden, deleted or merged away)."""
        return not (self.is_hidden or self.is_deleted)

    def __repr__(self) -> str:
        return f"<Post {self.id} {self.kind} {self.status}>"


class TrialReport(db.Model):
    """Structured part of a trial report (体验报告)."""

    __tablename__ = "trial_reports"

    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[str] = mapped_column(sa.String(64), default="")
    pros: Mapped[str] = mapped_column(sa.Text, default="")
    cons: Mapped[str] = mapped_column(sa.Text, default="")

    post = relationship(Post, back_populates="trial_report")
    ratings = relationship("TrialRating", cascade="all, delete-orphan", lazy="selectin")


class TrialRating(db.Model):
    __tablename__ = "trial_ratings"

    post_id: Mapped[int] = mapped_column(sa.ForeignKey("trial_reports.post_id", ondelete="CASCADE"), primary_key=True)
    dimension: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    score: Mapped[int] = mapped_column()


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (sa.Index("ix_comments_post_created", "post_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # One level of replies: parent is always a top-level comment.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    # An official reply (官方回复) carries the department badge of the moment.
    is_official: Mapped[bool] = mapped_column(default=False)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id", ondelete="SET NULL"))
    # Staff-only internal note: never shown to members on any channel.
    is_internal: Mapped[bool] = mapped_column(default=False)
    is_hidden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    edited_at: Mapped[datetime | None] = mapped_column()
    deleted_at: Mapped[datetime | None] = mapped_column()

    post = relationship(Post)
    author = relationship("User", lazy="joined")
    department = relationship("Department")
    parent = relationship("Comment", remote_side=[id])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def counts_toward_post(self) -> bool:
        """Whether Post.comment_count includes this comment (public, visible, not deleted)."""
        return not (self.is_internal or self.is_hidden or self.is_deleted)


class Revision(db.Model):
    """Edit history: the text before each edit of a post or comment."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    title_before: Mapped[str | None] = mapped_column(sa.String(120))
    body_before: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    by_moderator: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    editor = relationship("User")


class Vote(db.Model):
    """我也遇到 / +1: one per member per item, enforced by the primary key."""

    __tablename__ = "votes"

    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class Follow(db.Model):
    __tablename__ = "follows"

    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class ProductFollow(db.Model):
    """关注产品: announcements and news about the product reach its followers."""

    __tablename__ = "product_follows"

    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


TIMELINE_KINDS = ("created", "routed", "queued", "reassigned", "status", "official_reply", "merged", "reopened", "confirmed",
                  # Written by moderation (lock) and the roadmap (links, shipping) through their own rules.
                  "locked", "unlocked", "roadmap_linked", "roadmap_unlinked", "roadmap_shipped")


class TimelineEntry(db.Model):
    """Public record (处理进度) of a route, status change or official reply."""

    __tablename__ = "timeline_entries"
    __table_args__ = (sa.Index("ix_timeline_post_created", "post_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Snapshots, so the record stays true after people change departments or titles.
    actor_role: Mapped[str] = mapped_column(sa.String(16), default="")
    actor_label: Mapped[str] = mapped_column(sa.String(160), default="")
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id", ondelete="SET NULL"))
    department_name: Mapped[str] = mapped_column(sa.String(64), default="")
    from_assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    to_assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    to_assignee_label: Mapped[str] = mapped_column(sa.String(160), default="")
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="SET NULL"))
    # Seconds from creation, for "官方 3 小时内回复" on official replies.
    elapsed_seconds: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    actor = relationship("User", foreign_keys=[actor_id])
    department = relationship("Department", foreign_keys=[department_id])

    @property
    def department_label(self) -> str:
        """The snapshot, or the department's name in the UI's locale while it still has that name."""
        department = self.department if self.department_id else None
        if department is not None and department.name == self.department_name:
            return department.local_name
        return self.department_name
