"""Reading feedback for a viewer: posts, lists, comments, timelines, revisions, products, profiles."""
from __future__ import annotations

import time

import sqlalchemy as sa
from flask import current_app

from community.accounts.models import User
from community.core import events, permissions
from community.core.converters import parse_db_id
from community.core.errors import NotFound
from community.core.pagination import MAX_PER_PAGE, Page, paginate
from community.extensions import db
from community.feedback.models import Comment, Follow, Post, Product, Revision, TimelineEntry, TrialRating, Vote
from community.feedback.workflow import OPEN_STATUSES, RATING_DIMENSIONS

SORTS = ("hot", "new", "votes", "unanswered", "active")


# Reading -------------------------------------------------------------------------

def get_post(actor, post_id) -> Post:
    """The post if `actor` may see it; NotFound otherwise (never reveals that it exists)."""
    number = parse_db_id(post_id)
    post = db.session.get(Post, number) if number is not None else None
    if post is None or not permissions.can_view_post(actor, post):
        raise NotFound()
    return post


def get_comment(actor, comment_id) -> Comment:
    number = parse_db_id(comment_id)
    comment = db.session.get(Comment, number) if number is not None else None
    if comment is None or not permissions.can_view_comment(actor, comment):
        raise NotFound()
    get_post(actor, comment.post_id)
    return comment


# Category id → (expiry, pinned post ids). No index covers is_pinned, so finding a
# category's pinned posts scans the whole category; the answer changes only when a
# moderator pins or unpins, which clears it after commit (other processes: the TTL).
PINNED_TTL_SECONDS = 10.0
_pinned_cache: dict[tuple[str, int], tuple[float, list[int]]] = {}


def _pinned_ids(category_id: int) -> list[int]:
    key = (str(db.engine.url), int(category_id))
    cached = _pinned_cache.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    ids = list(db.session.execute(
        sa.select(Post.id).where(Post.category_id == category_id, Post.is_pinned.is_(True))).scalars())
    _pinned_cache[key] = (time.monotonic() + PINNED_TTL_SECONDS, ids)
    return ids


def forget_cached_pins() -> None:
    """Tests that empty a database under a running process (and `flask restore`) start afresh."""
    _pinned_cache.clear()


def _forget_pins(post, **_kw) -> None:
    key = (str(db.engine.url), post.category_id)
    events.after_commit(lambda: _pinned_cache.pop(key, None))


events.post_visibility_changed.connect(_forget_pins)


class ListPage(Page):
    """A page of a post list that counts the whole list only when asked.

    Counting every visible post is a full scan (hundreds of ms at 100k posts), so pages
    that only need "is there a next page?" read one extra row instead; `total` and
    `pages` still work, and run the count on first use (the JSON API reports them).
    """

    def __init__(self, items, page: int, per_page: int, *, has_more: bool, count_stmt, offset_total: int = 0):
        self.items, self.page, self.per_page = items, page, per_page
        self._has_more, self._count_stmt, self._offset_total = has_more, count_stmt, offset_total
        self._total: int | None = None

    @property
    def total(self) -> int:
        if self._total is None:
            self._total = self._offset_total + db.session.execute(self._count_stmt).scalar_one()
        return self._total

    @property
    def has_next(self) -> bool:
        return self._has_more


def list_posts(actor, *, sort: str = "hot", category_id=None, product_id=None, status=None, kind=None,
               feedback_type=None, author_id=None, page: int = 1, per_page: int | None = None) -> ListPage:
    per_page = max(1, min(per_page or current_app.config["POSTS_PER_PAGE"], MAX_PER_PAGE))
    # Members see their own hidden (e.g. held) posts on their profile, not in general lists: the
    # "OR author_id = me" branch would keep SQLite from using the listing indexes.
    viewer = actor
    if not permissions.is_staff(actor) and not (author_id and getattr(actor, "id", None) == author_id):
        viewer = None
    stmt = sa.select(Post).where(permissions.visible_posts_clause(viewer, Post))
    if category_id:
        stmt = stmt.where(Post.category_id == category_id)
    if product_id:
        stmt = stmt.where(Post.product_id == product_id)
    if status:
        stmt = stmt.where(Post.status == status)
    if kind:
        stmt = stmt.where(Post.kind == kind)
    if feedback_type:
        stmt = stmt.where(Post.feedback_type == feedback_type)
    if author_id:
        stmt = stmt.where(Post.author_id == author_id)
    order = []
    if sort == "new":
        order.append(Post.created_at.desc())
    elif sort == "votes":
        order += [Post.vote_count.desc(), Post.created_at.desc()]
    elif sort == "active":
        order.append(Post.last_activity_at.desc())
    elif sort == "unanswered":
        stmt = stmt.where(Post.kind == "feedback", Post.first_response_at.is_(None), Post.status.in_(OPEN_STATUSES))
        order.append(Post.created_at.desc())
    else:
        order.append(Post.hot_score.desc())
    order.append(Post.id.desc())
    # Pinned posts lead a category list. They are read apart (few rows) so that the rest
    # keeps the index order of (category_id, hot_score | created_at) instead of sorting
    # the whole category by is_pinned first.
    pinned: list[Post] = []
    if category_id and sort != "unanswered":
        pinned_ids = _pinned_ids(category_id)
        if pinned_ids:
            pinned = list(db.session.execute(stmt.where(Post.id.in_(pinned_ids)).order_by(*order)).scalars())
            stmt = stmt.where(Post.id.not_in(pinned_ids))
    offset = (page - 1) * per_page
    shown_pinned = pinned[offset:offset + per_page]
    rest_offset = max(0, offset - len(pinned))
    rest_limit = per_page - len(shown_pinned)
    rows = list(db.session.execute(stmt.order_by(*order).limit(rest_limit + 1).offset(rest_offset)).scalars())
    count_stmt = sa.select(sa.func.count()).select_from(stmt.with_only_columns(Post.id).order_by(None).subquery())
    return ListPage(shown_pinned + rows[:rest_limit], page, per_page, has_more=len(rows) > rest_limit,
                    count_stmt=count_stmt, offset_total=len(pinned))


def list_comments(actor, post: Post) -> list[Comment]:
    """Top-level comments in order, each followed by its replies; filtered for the viewer."""
    stmt = sa.select(Comment).where(Comment.post_id == post.id).order_by(Comment.created_at, Comment.id)
    if not permissions.can_see_internal_notes(actor):
        stmt = stmt.where(Comment.is_internal.is_(False))
    comments = [c for c in db.session.execute(stmt).scalars() if permissions.can_view_comment(actor, c)]
    replies: dict[int, list[Comment]] = {}
    for c in comments:
        if c.parent_id:
            replies.setdefault(c.parent_id, []).append(c)
    ordered = []
    for c in comments:
        if not c.parent_id:
            ordered.append(c)
            ordered.extend(replies.get(c.id, []))
    return ordered


def list_timeline(post: Post) -> list[TimelineEntry]:
    return list(
        db.session.execute(
            sa.select(TimelineEntry).where(TimelineEntry.post_id == post.id).order_by(TimelineEntry.created_at, TimelineEntry.id)
        ).scalars()
    )


def list_revisions(actor, post: Post, comment: Comment | None = None) -> list[Revision]:
    """The edit history of `post`, or of one of its comments, newest first (the caller got `post`
    through get_post, so `actor` may see it). NotFound for a comment of another post, or one whose
    history is not for `actor` (permissions.can_view_comment_history: a deleted one's, moderators only)."""
    if comment is not None and (comment.post_id != post.id
                                or not permissions.can_view_comment_history(actor, comment)):
        raise NotFound()
    stmt = sa.select(Revision).where(Revision.post_id == post.id)
    stmt = stmt.where(Revision.comment_id == comment.id) if comment else stmt.where(Revision.comment_id.is_(None))
    return list(db.session.execute(stmt.order_by(Revision.created_at.desc(), Revision.id.desc())).scalars())


def has_voted(actor, post: Post) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    return db.session.get(Vote, (post.id, actor.id)) is not None


def is_following(actor, post: Post) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    return db.session.get(Follow, (post.id, actor.id)) is not None


def voted_post_ids(actor, post_ids) -> set[int]:
    if not getattr(actor, "is_authenticated", False) or not post_ids:
        return set()
    return set(db.session.execute(
        sa.select(Vote.post_id).where(Vote.user_id == actor.id, Vote.post_id.in_(list(post_ids)))
    ).scalars())


def follower_ids(post: Post) -> list[int]:
    return list(db.session.execute(sa.select(Follow.user_id).where(Follow.post_id == post.id)).scalars())


def list_products() -> list[Product]:
    return list(db.session.execute(sa.select(Product).order_by(Product.id)).scalars())


def get_product(slug: str) -> Product:
    product = db.session.execute(sa.select(Product).where(Product.slug == slug)).scalar_one_or_none()
    if product is None:
        raise NotFound()
    return product


def product_ratings(product: Product) -> dict:
    """Average score per rating dimension over the product's visible trial reports."""
    visible = sa.and_(Post.id == TrialRating.post_id, Post.product_id == product.id, Post.kind == "trial_report",
                      permissions.public_posts_clause(Post))
    rows = db.session.execute(
        sa.select(TrialRating.dimension, sa.func.avg(TrialRating.score), sa.func.count())
        .join(Post, visible).group_by(TrialRating.dimension)
    ).all()
    reports = db.session.execute(
        sa.select(sa.func.count()).select_from(Post).where(
            Post.product_id == product.id, Post.kind == "trial_report", permissions.public_posts_clause(Post))
    ).scalar_one()
    by_dim = {dim: (round(float(avg), 2), count) for dim, avg, count in rows}
    dimensions = [
        {"key": key, "label": label, "average": by_dim.get(key, (None, 0))[0], "count": by_dim.get(key, (None, 0))[1]}
        for key, label in RATING_DIMENSIONS.items()
    ]
    scored = [d["average"] for d in dimensions if d["average"] is not None]
    return {"reports": reports, "dimensions": dimensions, "overall": round(sum(scored) / len(scored), 2) if scored else None}


# Profiles ------------------------------------------------------------------------

def list_user_comments(viewer, user: User, page: int = 1, per_page: int = 20) -> Page:
    stmt = (sa.select(Comment).join(Post, Post.id == Comment.post_id)
            .where(Comment.author_id == user.id, permissions.public_comments_clause(Comment),
                   permissions.visible_posts_clause(viewer, Post))
            .order_by(Comment.created_at.desc()))
    return paginate(stmt, page, per_page)


def list_user_votes(viewer, user: User, page: int = 1, per_page: int = 20) -> Page:
    stmt = (sa.select(Post).join(Vote, Vote.post_id == Post.id)
            .where(Vote.user_id == user.id, permissions.visible_posts_clause(viewer, Post))
            .order_by(Vote.created_at.desc()))
    return paginate(stmt, page, per_page)


def open_items_by_assignee(user_ids: list[int]) -> dict[int, int]:
    """Open items assigned to each user: routing's contact load (registered in feedback's init_app)."""
    rows = db.session.execute(
        sa.select(Post.assignee_id, sa.func.count())
        .where(Post.assignee_id.in_(user_ids), Post.status.in_(OPEN_STATUSES), Post.deleted_at.is_(None))
        .group_by(Post.assignee_id)
    ).all()
    return {user_id: count for user_id, count in rows}
