"""公告处理结果: short public notices of a handling result (a release, a roadmap decision, a
frequently reported problem). Shown at the top of the home page and on the product page for a
configurable time, and sent to the product's followers as a notification.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.core import clock, events, permissions
from community.core.errors import NotFound, ValidationFailed
from community.core.text import clean_text, render_markdown
from community.extensions import db
from community.feedback.models import Follow, Post
from community.feedback.products import product_follower_ids_query
from community.roadmap import services
from community.roadmap.models import Announcement, RoadmapItem, RoadmapVote

MAX_DAYS = 90
HOME_LIMIT = 3

announcement_published = events.domain.signal("announcement.published")  # sender: Announcement; actor, told


def active(*, product_id=None, limit: int = HOME_LIMIT) -> list[Announcement]:
    """What shows now: the home page (product_id None: every announcement) or one product's page."""
    now = clock.now()
    stmt = sa.select(Announcement).where(Announcement.starts_at <= now, Announcement.ends_at > now)
    if product_id:
        stmt = stmt.where(sa.or_(Announcement.product_id == product_id, Announcement.product_id.is_(None)))
    return list(db.session.execute(stmt.order_by(Announcement.starts_at.desc(), Announcement.id.desc())
                                   .limit(limit)).scalars())


def recent(limit: int = 50) -> list[Announcement]:
    return list(db.session.execute(sa.select(Announcement).where(Announcement.starts_at <= clock.now())
                                   .order_by(Announcement.starts_at.desc(), Announcement.id.desc())
                                   .limit(limit)).scalars())


def product_follower_ids(product_id: int) -> set[int]:
    """Who hears about a product: its followers (关注产品), and who follows a visible post about it or
    supports one of its public roadmap items."""
    posts = sa.select(Post.id).where(Post.product_id == product_id, permissions.public_posts_clause(Post))
    items = sa.select(RoadmapItem.id).where(RoadmapItem.product_id == product_id, RoadmapItem.is_public.is_(True))
    return set(db.session.execute(sa.union(
        product_follower_ids_query(product_id),
        sa.select(Follow.user_id).where(Follow.post_id.in_(posts)),
        sa.select(RoadmapVote.user_id).where(RoadmapVote.item_id.in_(items)))).scalars())


def link_for(announcement: Announcement) -> str:
    if announcement.item_id:
        return f"/roadmap/{announcement.item_id}"
    if announcement.release_id:
        return f"/releases/{announcement.release_id}"
    if announcement.product is not None:
        return f"/p/{announcement.product.slug}"
    return "/announcements"


def publish(actor, *, title, body="", product=None, release=None, item=None, days=7) -> Announcement:
    services.require_roadmap_staff(actor)
    errors = {}
    try:
        title = clean_text(title, field="title", label=_l("Title"), min_len=4, max_len=120, multiline=False)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    try:
        body = services.optional_text(body, field="body", label=_l("Content"), min_len=0, max_len=5_000,
                                      multiline=True)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    days = services.parse_days(days, errors, MAX_DAYS)
    if item is not None and not item.is_public:
        errors["item_id"] = _l("Announce public roadmap items only.")
    if release is not None and not release.is_published:
        errors["release_id"] = _l("Publish the release first.")
    if errors:
        raise ValidationFailed(fields=errors)
    product = product or (item.product if item is not None else None) or (release.product if release else None)
    now = clock.now()
    row = Announcement(title=title, body=body, body_html=str(render_markdown(body)),
                       product_id=product.id if product else None, release_id=release.id if release else None,
                       item_id=item.id if item else None, starts_at=now, ends_at=now + timedelta(days=days),
                       created_by_id=actor.id, created_at=now)
    db.session.add(row)
    db.session.flush()
    told = product_follower_ids(product.id) if product is not None else set()
    announcement_published.send(row, actor=actor, told=told)
    return row


def end(actor, announcement_id) -> Announcement:
    services.require_roadmap_staff(actor)
    row = db.session.get(Announcement, int(announcement_id)) if str(announcement_id).isdigit() else None
    if row is None or not permissions.is_staff(actor):
        raise NotFound()
    row.ends_at = min(row.ends_at, clock.now())
    db.session.flush()
    return row
