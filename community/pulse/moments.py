"""美好时刻 (growth moments): good news members can share, each with a share page and card.

Three kinds, all public by construction: member ideas shipped (public roadmap items whose
demand came from members, shipped in the last 90 days), top-voted problems resolved (counted
items resolved in the last 30 days, most votes first, at least PULSE_MOMENT_MIN_VOTES), and
milestones ("第 10,000 条反馈已回复": counted items answered, and received, reaching a round number).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from community.core import clock
from community.core.errors import NotFound
from community.extensions import db
from community.feedback.models import Post
from community.roadmap import services as roadmap
from community.roadmap.models import RoadmapItem
from community.triage.figures import counted_conditions, resolved_condition

SHIPPED_DAYS = 90
RESOLVED_DAYS = 30
KINDS = ("shipped", "resolved", "replied", "received")
MILESTONES = (100, 500, 1_000, 5_000, 10_000, 50_000, 100_000, 500_000, 1_000_000, 5_000_000)


@dataclass
class Moment:
    kind: str
    key: int  # the roadmap item's id, the post's id, or the milestone's number
    title: str
    description: str
    at: datetime

    @property
    def endpoint(self) -> tuple[str, dict]:
        if self.kind == "shipped":
            return "roadmap.show_item", {"item_id": self.key}
        if self.kind == "resolved":
            return "feedback.show_post", {"post_id": self.key}
        return "pulse.index", {}


def _shipped_items(limit: int, item_id: int | None = None) -> list[RoadmapItem]:
    conditions = [RoadmapItem.status == "shipped", RoadmapItem.is_public.is_(True), RoadmapItem.shipped_at.is_not(None)]
    if item_id is not None:
        conditions.append(RoadmapItem.id == item_id)
    else:
        conditions.append(RoadmapItem.shipped_at >= clock.now() - timedelta(days=SHIPPED_DAYS))
    items = db.session.execute(sa.select(RoadmapItem).where(*conditions)
                               .order_by(RoadmapItem.shipped_at.desc()).limit(limit * 3)).scalars().all()
    community = roadmap.community_item_ids([i.id for i in items])
    return [i for i in items if i.id in community][:limit]


def _shipped(item: RoadmapItem) -> Moment:
    return Moment("shipped", item.id, _("Member idea shipped: %(title)s", title=item.title),
                  _("Members asked for it and voted for it; it is now shipped. %(n)s people wanted it.",
                    n=f"{item.demand:,}"), item.shipped_at)


def _resolved_posts(limit: int, post_id: int | None = None) -> list[Post]:
    conditions = [*counted_conditions(), resolved_condition()]
    if post_id is not None:
        conditions.append(Post.id == post_id)
    else:
        conditions += [Post.resolved_at >= clock.now() - timedelta(days=RESOLVED_DAYS),
                       Post.vote_count >= current_app.config.get("PULSE_MOMENT_MIN_VOTES", 10)]
    return list(db.session.execute(sa.select(Post).where(*conditions)
                                   .order_by(Post.vote_count.desc(), Post.id).limit(limit)).scalars())


def _resolved(post: Post) -> Moment:
    return Moment("resolved", post.id, _("Solved: %(title)s", title=post.title),
                  _("%(n)s members had the same problem; the team has solved it.", n=f"{post.vote_count:,}"),
                  post.resolved_at)


def _milestone(kind: str, n: int) -> Moment | None:
    """The moment the n-th counted item was answered (or received), if it has happened."""
    column = Post.first_response_at if kind == "replied" else Post.created_at
    at = db.session.execute(sa.select(column).where(*counted_conditions(), column.is_not(None))
                            .order_by(column, Post.id).offset(n - 1).limit(1)).scalar_one_or_none()
    if at is None:
        return None
    if kind == "replied":
        return Moment(kind, n, _("Feedback no. %(n)s has an official reply", n=f"{n:,}"),
                      _("Every item gets an answer from the team that owns it, in public."), at)
    return Moment(kind, n, _("Feedback no. %(n)s received", n=f"{n:,}"),
                  _("Thank you for every problem reported and every idea shared."), at)


def _reached(kind: str) -> list[int]:
    column = Post.first_response_at if kind == "replied" else Post.created_at
    total = db.session.execute(sa.select(sa.func.count()).select_from(Post)
                               .where(*counted_conditions(), column.is_not(None))).scalar_one()
    return [m for m in MILESTONES if m <= total]


def recent_moments(limit: int = 8) -> list[Moment]:
    moments = [_shipped(i) for i in _shipped_items(limit)] + [_resolved(p) for p in _resolved_posts(limit)]
    for kind in ("replied", "received"):
        reached = _reached(kind)
        if reached:
            moment = _milestone(kind, reached[-1])
            if moment:
                moments.append(moment)
    return sorted(moments, key=lambda m: m.at, reverse=True)[:limit]


def get_moment(kind: str, key: int) -> Moment:
    """One moment for its share page; 404 unless it is (still) a public piece of good news."""
    if kind == "shipped":
        items = _shipped_items(1, item_id=key)
        if items:
            return _shipped(items[0])
    elif kind == "resolved":
        posts = _resolved_posts(1, post_id=key)
        if posts:
            return _resolved(posts[0])
    elif kind in ("replied", "received") and key in MILESTONES:
        moment = _milestone(kind, key)
        if moment:
            return moment
    raise NotFound()
