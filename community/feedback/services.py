"""Feedback rules: posting, routing, the status workflow, official replies, votes, follows, merging.

Services take the acting user and plain values, check permissions, change objects,
flush and send a domain signal. They never commit: the caller (view, API, CLI) does.
"""
from __future__ import annotations

import math
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from community.accounts.models import User
from community.core import clock, events, permissions
from community.core.database import increment, insert_ignore, lock_row
from community.core.errors import (
    Conflict, InvalidTransition, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed,
)
from community.core.pagination import MAX_PER_PAGE, Page, paginate
from community.core.screening import screen
from community.core.text import clean_text, normalize, render_markdown
from community.extensions import db
from community.feedback.models import (
    FEEDBACK_TYPES, POST_KINDS, Comment, Follow, Post, Product, Revision, TimelineEntry, TrialRating,
    TrialReport, Vote,
)
from community.feedback.workflow import NOTE_REQUIRED, OPEN_STATUSES, RATING_DIMENSIONS, can_transition
from community.routing.models import Category, Contact, Department
from community.routing.services import choose_contact

TITLE_MIN, TITLE_MAX = 4, 120
BODY_MIN, BODY_MAX = 10, 20_000
COMMENT_MAX = 10_000
NOTE_MAX = 2_000
SORTS = ("hot", "new", "votes", "unanswered", "active")


def _require_writer(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated()
    if not actor.can_write:
        raise PermissionDenied(_l("Your account cannot post right now."), code="account_restricted")


def _hot_score(post: Post) -> float:
    # Reddit-style: log of engagement plus a time term, so it can be indexed and sorted.
    engagement = post.vote_count + 0.5 * post.comment_count
    epoch = (post.created_at - datetime(2024, 1, 1)).total_seconds()
    return round(math.log10(max(1.0, engagement + 1)) + epoch / 45_000, 6)


def refresh_hot_score(post: Post) -> None:
    post.hot_score = _hot_score(post)


def add_to_counter(post: Post, counter: str, delta: int) -> None:
    """Atomic change of `vote_count` / `comment_count`, and the hot score from the fresh pair.

    The UPDATE locks the row until commit, so the score written is the one of the latest counts.
    """
    increment(post, counter, delta, also=("vote_count", "comment_count"))
    refresh_hot_score(post)


def actor_label(user: User | None) -> str:
    if user is None:
        return ""
    return user.public_badge or user.name


def _timeline(post: Post, kind: str, actor: User | None, **fields) -> TimelineEntry:
    entry = TimelineEntry(
        post_id=post.id,
        kind=kind,
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else "system",
        actor_label=actor_label(actor),
        created_at=clock.now(),
        **fields,
    )
    db.session.add(entry)
    return entry


# Reading -------------------------------------------------------------------------

def get_post(actor, post_id) -> Post:
    """The post if `actor` may see it; NotFound otherwise (never reveals that it exists)."""
    try:
        post = db.session.get(Post, int(post_id))
    except (TypeError, ValueError):
        post = None
    if post is None or not permissions.can_view_post(actor, post):
        raise NotFound()
    return post


def get_comment(actor, comment_id) -> Comment:
    try:
        comment = db.session.get(Comment, int(comment_id))
    except (TypeError, ValueError):
        comment = None
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
                      Post.is_hidden.is_(False), Post.deleted_at.is_(None))
    rows = db.session.execute(
        sa.select(TrialRating.dimension, sa.func.avg(TrialRating.score), sa.func.count())
        .join(Post, visible).group_by(TrialRating.dimension)
    ).all()
    reports = db.session.execute(
        sa.select(sa.func.count()).select_from(Post).where(
            Post.product_id == product.id, Post.kind == "trial_report", Post.is_hidden.is_(False), Post.deleted_at.is_(None))
    ).scalar_one()
    by_dim = {dim: (round(float(avg), 2), count) for dim, avg, count in rows}
    dimensions = [
        {"key": key, "label": label, "average": by_dim.get(key, (None, 0))[0], "count": by_dim.get(key, (None, 0))[1]}
        for key, label in RATING_DIMENSIONS.items()
    ]
    scored = [d["average"] for d in dimensions if d["average"] is not None]
    return {"reports": reports, "dimensions": dimensions, "overall": round(sum(scored) / len(scored), 2) if scored else None}


# Writing posts -------------------------------------------------------------------

def _clean_title(title) -> str:
    return clean_text(title, field="title", label=_l("Title"), min_len=TITLE_MIN, max_len=TITLE_MAX, multiline=False)


def _clean_body(body, *, field="body", min_len=BODY_MIN, max_len=BODY_MAX) -> str:
    return clean_text(body, field=field, label=_l("Content"), min_len=min_len, max_len=max_len, multiline=True)


def submit_post(actor, *, kind: str, title, body, category: Category | None, feedback_type: str | None = None,
                product: Product | None = None, trial: dict | None = None) -> Post:
    """Create a post. Feedback is routed at once; the author follows their own post."""
    _require_writer(actor)
    errors: dict = {}
    cleaned = {}
    for name, fn in (("title", lambda: _clean_title(title)), ("body", lambda: _clean_body(body))):
        try:
            cleaned[name] = fn()
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if kind not in POST_KINDS:
        errors["kind"] = _l("Choose what kind of post this is.")
    if category is None:
        errors["category"] = _l("Choose a category.")
    if kind == "feedback" and feedback_type not in FEEDBACK_TYPES:
        errors["feedback_type"] = _l("Choose bug, suggestion or complaint.")
    report = None
    if kind == "trial_report":
        if product is None:
            errors["product"] = _l("Choose the product you tried.")
        report, report_errors = _build_trial_report(trial or {})
        errors.update(report_errors)
    if errors:
        raise ValidationFailed(fields=errors)
    screening = screen(actor, "post", cleaned)
    cleaned = screening.fields

    now = clock.now()
    post = Post(
        kind=kind,
        feedback_type=feedback_type if kind == "feedback" else None,
        title=cleaned["title"],
        body=cleaned["body"],
        body_html=str(render_markdown(cleaned["body"])),
        author_id=actor.id,
        category_id=category.id,
        product_id=product.id if product else None,
        department_id=category.department_id,
        status="new" if kind == "feedback" else None,
        status_changed_at=now if kind == "feedback" else None,
        created_at=now,
        last_activity_at=now,
        vote_count=0,
        comment_count=0,
        is_hidden=screening.held,  # held for review: hidden from others until a moderator decides
    )
    refresh_hot_score(post)
    db.session.add(post)
    db.session.flush()
    if report is not None:
        report.post_id = post.id
        post.trial_report = report
    _timeline(post, "created", actor)
    if post.is_feedback:
        route_post(post)
    _follow(actor.id, post.id)
    db.session.flush()
    if screening.held:
        events.content_held.send(post, actor=actor, reasons=screening.hold_reasons)
    events.post_created.send(post, actor=actor)
    return post


def _build_trial_report(trial: dict) -> tuple[TrialReport, dict]:
    errors = {}
    ratings = []
    for key in RATING_DIMENSIONS:
        raw = (trial.get("ratings") or {}).get(key)
        try:
            score = int(raw)
        except (TypeError, ValueError):
            errors[f"rating_{key}"] = _l("Rate from 1 to 5.")
            continue
        if not 1 <= score <= 5:
            errors[f"rating_{key}"] = _l("Rate from 1 to 5.")
            continue
        ratings.append(TrialRating(dimension=key, score=score))
    pros = normalize(trial.get("pros"))
    cons = normalize(trial.get("cons"))
    for name, value in (("pros", pros), ("cons", cons)):
        if len(value) > 2000:
            errors[name] = _l("At most %(n)d characters.", n=2000)
    version = normalize(trial.get("version"))[:64]
    return TrialReport(version=version, pros=pros, cons=cons, ratings=ratings), errors


def edit_post(actor, post: Post, *, title, body, reason: str = "") -> Revision:
    """Authors edit their own posts; moderators edit any, with a reason that is shown publicly."""
    _require_writer(actor)
    if not permissions.can_view_post(actor, post) or not permissions.can_edit_post(actor, post):
        raise PermissionDenied()
    by_moderator = actor.id != post.author_id
    reason = normalize(reason)[:500]
    if by_moderator and not reason:
        raise ValidationFailed(fields={"reason": _l("Moderator edits need a reason.")})
    new_title, new_body = _clean_title(title), _clean_body(body)
    revision = Revision(post_id=post.id, editor_id=actor.id, title_before=post.title, body_before=post.body,
                        reason=reason, by_moderator=by_moderator, created_at=clock.now())
    db.session.add(revision)
    post.title, post.body = new_title, new_body
    post.body_html = str(render_markdown(new_body))
    post.edited_at = clock.now()
    db.session.flush()
    events.post_edited.send(post, actor=actor, revision=revision)
    return revision


# Routing -------------------------------------------------------------------------

def route_post(post: Post, *, actor: User | None = None) -> TimelineEntry:
    """Assign a new item to its department's least-loaded contact, or queue it there."""
    department = db.session.get(Department, post.department_id) if post.department_id else None
    if department is None:
        post.assignee_id = None
        entry = _timeline(post, "queued", actor)
        db.session.flush()
        events.post_routed.send(post, actor=actor, entry=entry, previous_assignee_id=None)
        return entry
    contact = choose_contact(department, post.category_id)
    previous = post.assignee_id
    if contact is None:
        post.assignee_id = None
        entry = _timeline(post, "queued", actor, department_id=department.id, department_name=department.name)
    else:
        post.assignee_id = contact.user_id
        contact.last_assigned_at = clock.now()
        entry = _timeline(post, "routed", actor, department_id=department.id, department_name=department.name,
                          to_assignee_id=contact.user_id, to_assignee_label=actor_label(contact.user))
    db.session.flush()
    events.post_routed.send(post, actor=actor, entry=entry, previous_assignee_id=previous)
    return entry


def reassign_post(actor, post: Post, *, reason: str, to_user: User | None = None,
                  to_department: Department | None = None) -> TimelineEntry:
    """Move an item to another contact or department; from, to and the reason are public."""
    _require_writer(actor)
    if not permissions.can_manage_post(actor, post):
        raise PermissionDenied()
    reason = normalize(reason)[:NOTE_MAX]
    if not reason:
        raise ValidationFailed(fields={"reason": _l("Say why the item is being reassigned.")})
    department = to_department or (db.session.get(Department, post.department_id) if post.department_id else None)
    if to_user is not None:
        if not to_user.is_staff or to_user.is_banned:
            raise ValidationFailed(fields={"to_user": _l("Items can only be assigned to staff.")})
        if to_department is None and to_user.departments:
            if department is None or department.id not in to_user.department_ids:
                department = to_user.departments[0]
        target_user = to_user
    elif department is not None:
        contact = choose_contact(department, post.category_id if department.id == post.department_id else None)
        target_user = contact.user if contact else None
        if contact:
            contact.last_assigned_at = clock.now()
    else:
        raise ValidationFailed(fields={"to_user": _l("Choose a person or a department.")})
    if department is not None and target_user is not None and department.id not in target_user.department_ids \
            and not target_user.is_moderator:
        raise ValidationFailed(fields={"to_user": _l("That person is not in the department.")})
    previous = post.assignee_id
    if target_user is not None and previous == target_user.id and (department and department.id) == post.department_id:
        raise Conflict(_l("The item is already assigned there."), code="already_assigned")
    post.department_id = department.id if department else None
    post.assignee_id = target_user.id if target_user else None
    increment(post, "reassign_count")
    entry = _timeline(post, "reassigned", actor, department_id=post.department_id,
                      department_name=department.name if department else "",
                      from_assignee_id=previous, to_assignee_id=post.assignee_id,
                      to_assignee_label=actor_label(target_user), note=reason)
    db.session.flush()
    events.post_routed.send(post, actor=actor, entry=entry, previous_assignee_id=previous)
    return entry


# Status workflow -----------------------------------------------------------------

def _set_status(post: Post, to_status: str) -> str:
    """Apply a status and its clocks; returns the previous status."""
    now = clock.now()
    previous = post.status
    if previous == "needs_info" and post.status_changed_at:
        # Waiting on the author does not count against response targets.
        increment(post, "sla_paused_seconds", int((now - post.status_changed_at).total_seconds()))
    post.status = to_status
    post.status_changed_at = now
    if to_status == "resolved":
        post.resolved_at = now
    if to_status in ("closed", "declined", "duplicate"):
        post.closed_at = now
    elif to_status in OPEN_STATUSES:
        post.closed_at = None
    post.last_activity_at = now
    return previous


def change_status(actor, post: Post, to_status: str, *, note: str = "") -> TimelineEntry:
    _require_writer(actor)
    if not permissions.can_view_post(actor, post) or not permissions.can_manage_post(actor, post):
        raise PermissionDenied()
    if to_status == "duplicate":
        raise InvalidTransition(_l("Merge the item into another one to mark it as a duplicate."))
    if not can_transition(post.status, to_status):
        raise InvalidTransition()
    note = normalize(note)[:NOTE_MAX]
    if to_status in NOTE_REQUIRED and not note:
        raise ValidationFailed(fields={"note": _l("Give a reason for declining.")})
    from_status = _set_status(post, to_status)
    entry = _timeline(post, "status", actor, department_id=post.department_id,
                      department_name=post.department.name if post.department else "",
                      from_status=from_status, to_status=to_status, note=note)
    db.session.flush()
    events.post_status_changed.send(post, actor=actor, entry=entry, from_status=from_status, to_status=to_status)
    return entry


def system_set_status(post: Post, to_status: str, *, note: str = "", label: str = "") -> TimelineEntry:
    """A status change made by the system (SLA job, escalation): no actor, still on the public timeline.

    Callers are trusted jobs and listeners; the transition rules for staff do not apply.
    """
    from_status = _set_status(post, to_status)
    entry = _timeline(post, "status", None, department_id=post.department_id,
                      department_name=post.department.name if post.department else "",
                      from_status=from_status, to_status=to_status, note=normalize(note)[:NOTE_MAX])
    entry.actor_label = label
    db.session.flush()
    events.post_status_changed.send(post, actor=None, entry=entry, from_status=from_status, to_status=to_status)
    return entry


def system_assign(post: Post, to_user: User, *, note: str = "", label: str = "") -> TimelineEntry:
    """Assign by the system (e.g. escalation to the department lead); not counted as a reassignment."""
    previous = post.assignee_id
    post.assignee_id = to_user.id
    department = post.department
    entry = _timeline(post, "reassigned", None, department_id=post.department_id,
                      department_name=department.name if department else "", from_assignee_id=previous,
                      to_assignee_id=to_user.id, to_assignee_label=actor_label(to_user), note=normalize(note)[:NOTE_MAX])
    entry.actor_label = label
    db.session.flush()
    events.post_routed.send(post, actor=None, entry=entry, previous_assignee_id=previous)
    return entry


def confirm_resolution(actor, post: Post) -> TimelineEntry:
    """The author agrees the item is solved: resolved → closed."""
    _require_writer(actor)
    if not permissions.is_author(actor, post) or not permissions.can_view_post(actor, post):
        raise PermissionDenied()
    if post.status != "resolved":
        raise InvalidTransition()
    from_status = _set_status(post, "closed")
    entry = _timeline(post, "confirmed", actor, from_status=from_status, to_status="closed")
    db.session.flush()
    events.post_status_changed.send(post, actor=actor, entry=entry, from_status=from_status, to_status="closed")
    return entry


def reopen_post(actor, post: Post, *, reason: str) -> TimelineEntry:
    """The author reopens a resolved item within the window; it returns to its contact."""
    _require_writer(actor)
    if not permissions.is_author(actor, post) or not permissions.can_view_post(actor, post):
        raise PermissionDenied()
    if post.status != "resolved":
        raise InvalidTransition()
    window = timedelta(days=current_app.config["REOPEN_WINDOW_DAYS"])
    if post.resolved_at is None or clock.now() - post.resolved_at > window:
        raise InvalidTransition(_l("Items can only be reopened within %(n)d days of being resolved.",
                                   n=window.days), code="reopen_window_passed")
    reason = normalize(reason)[:NOTE_MAX]
    if not reason:
        raise ValidationFailed(fields={"reason": _l("Tell the team what is still wrong.")})
    from_status = _set_status(post, "in_progress")
    increment(post, "reopen_count")
    entry = _timeline(post, "reopened", actor, from_status=from_status, to_status="in_progress", note=reason,
                      department_id=post.department_id, to_assignee_id=post.assignee_id)
    db.session.flush()
    assignee_still_contact = post.assignee_id and db.session.execute(
        sa.select(Contact.id).where(Contact.user_id == post.assignee_id, Contact.department_id == post.department_id,
                                    Contact.active.is_(True))).first()
    if not assignee_still_contact:
        route_post(post, actor=None)
    events.post_status_changed.send(post, actor=actor, entry=entry, from_status=from_status, to_status="in_progress")
    return entry


# Comments and official replies ------------------------------------------------------

def add_comment(actor, post: Post, body, *, parent: Comment | None = None, internal: bool = False) -> Comment:
    _require_writer(actor)
    if not permissions.can_view_post(actor, post):
        raise NotFound()
    if internal:
        if not permissions.can_see_internal_notes(actor):
            raise PermissionDenied()
    elif not permissions.can_comment(actor, post):
        if post.is_locked:
            raise PermissionDenied(_l("This item is locked; no new comments."), code="locked")
        raise PermissionDenied()
    text = _clean_body(body, min_len=1, max_len=COMMENT_MAX)
    screening = screen(actor, "comment", {"body": text}) if not internal else None
    if screening is not None:
        text = screening.fields["body"]
    if parent is not None:
        if parent.post_id != post.id or parent.is_deleted or not permissions.can_view_comment(actor, parent):
            raise ValidationFailed(fields={"parent": _l("You can only reply to a comment on this item.")})
        if parent.parent_id:  # one level: a reply to a reply joins the same thread
            parent = db.session.get(Comment, parent.parent_id)
        if parent.is_internal != internal:
            raise ValidationFailed(fields={"parent": _l("You can only reply to a comment on this item.")})
    comment = Comment(post_id=post.id, author_id=actor.id, parent_id=parent.id if parent else None, body=text,
                      body_html=str(render_markdown(text)), is_internal=internal, created_at=clock.now(),
                      is_hidden=bool(screening and screening.held))
    db.session.add(comment)
    if not internal and not comment.is_hidden:
        add_to_counter(post, "comment_count", 1)
        post.last_activity_at = clock.now()
        _follow(actor.id, post.id)
        if post.status == "needs_info" and actor.id == post.author_id:
            _resume_after_needs_info(actor, post)
    db.session.flush()
    if screening is not None and screening.held:
        events.content_held.send(comment, actor=actor, reasons=screening.hold_reasons)
    events.comment_created.send(comment, actor=actor)
    return comment


def _resume_after_needs_info(actor, post: Post) -> None:
    """The author answered: the item goes back to where it was and the clock runs again."""
    asked = db.session.execute(
        sa.select(TimelineEntry.from_status).where(TimelineEntry.post_id == post.id, TimelineEntry.to_status == "needs_info")
        .order_by(TimelineEntry.id.desc()).limit(1)
    ).scalar_one_or_none()
    back_to = asked if asked in OPEN_STATUSES and asked not in ("needs_info", "new") else "acknowledged"
    from_status = _set_status(post, back_to)
    entry = _timeline(post, "status", actor, from_status=from_status, to_status=back_to,
                      department_id=post.department_id)
    db.session.flush()
    events.post_status_changed.send(post, actor=actor, entry=entry, from_status=from_status, to_status=back_to)


def post_official_reply(actor, post: Post, body, *, to_status: str | None = None, note: str = "") -> Comment:
    """A staff answer with the department badge; the first one stops the first-response clock."""
    _require_writer(actor)
    if not permissions.can_view_post(actor, post) or not permissions.can_reply_officially(actor, post):
        raise PermissionDenied()
    if post.is_locked and not permissions.is_moderator(actor):
        raise PermissionDenied(_l("This item is locked; no new comments."), code="locked")
    if to_status and (to_status == "duplicate" or not can_transition(post.status, to_status)):
        raise InvalidTransition()
    if to_status and to_status in NOTE_REQUIRED and not normalize(note or body):
        raise ValidationFailed(fields={"note": _l("Give a reason for declining.")})
    text = _clean_body(body, min_len=1, max_len=COMMENT_MAX)
    now = clock.now()
    department_id = post.department_id if post.department_id in actor.department_ids else (
        actor.departments[0].id if actor.departments else None)
    comment = Comment(post_id=post.id, author_id=actor.id, body=text, body_html=str(render_markdown(text)),
                      is_official=True, department_id=department_id, created_at=now)
    db.session.add(comment)
    db.session.flush()
    elapsed = int((now - post.created_at).total_seconds()) - post.sla_paused_seconds
    if post.first_response_at is None:
        post.first_response_at = now
        post.first_response_seconds = max(0, elapsed)
    add_to_counter(post, "comment_count", 1)
    post.last_activity_at = now
    department = db.session.get(Department, department_id) if department_id else None
    entry = _timeline(post, "official_reply", actor, comment_id=comment.id, department_id=department_id,
                      department_name=department.name if department else "", elapsed_seconds=max(0, elapsed))
    _follow(actor.id, post.id)
    db.session.flush()
    events.comment_created.send(comment, actor=actor)
    events.official_reply_posted.send(post, actor=actor, comment=comment, entry=entry)
    if to_status and to_status != post.status:
        change_status(actor, post, to_status, note=note or "")
    return comment


def edit_comment(actor, comment: Comment, body, *, reason: str = "") -> Revision:
    _require_writer(actor)
    if not permissions.can_view_comment(actor, comment) or not permissions.can_edit_comment(actor, comment):
        raise PermissionDenied()
    by_moderator = actor.id != comment.author_id
    reason = normalize(reason)[:500]
    if by_moderator and not reason:
        raise ValidationFailed(fields={"reason": _l("Moderator edits need a reason.")})
    text = _clean_body(body, min_len=1, max_len=COMMENT_MAX)
    revision = Revision(post_id=comment.post_id, comment_id=comment.id, editor_id=actor.id, body_before=comment.body,
                        reason=reason, by_moderator=by_moderator, created_at=clock.now())
    db.session.add(revision)
    comment.body, comment.body_html, comment.edited_at = text, str(render_markdown(text)), clock.now()
    db.session.flush()
    events.comment_edited.send(comment, actor=actor)
    return revision


def delete_comment(actor, comment: Comment) -> None:
    """Soft delete: the comment stays as a placeholder so threads keep their shape."""
    _require_writer(actor)
    if not permissions.can_view_comment(actor, comment) or not permissions.can_edit_comment(actor, comment):
        raise PermissionDenied()
    lock_row(comment)  # two deletes at once must not both decrement
    if comment.is_deleted:
        return
    counted = comment.counts_toward_post
    comment.deleted_at = clock.now()
    post = db.session.get(Post, comment.post_id)
    if counted:
        add_to_counter(post, "comment_count", -1)
    db.session.flush()
    events.comment_deleted.send(comment, actor=actor)


# Votes and follows -----------------------------------------------------------------



def set_vote(actor, post: Post, voted: bool = True) -> tuple[bool, int]:
    """Idempotent 我也遇到 / +1: returns (voted, vote count). Concurrent repeats count once."""
    _require_writer(actor)
    if not permissions.can_view_post(actor, post):
        raise NotFound()
    if not permissions.can_vote(actor, post):
        raise PermissionDenied(_l("Votes are for open feedback items."), code="cannot_vote")
    # RETURNING tells whether this call changed anything (rowcount is -1 on some drivers).
    if voted:
        stmt = insert_ignore(Vote).values(post_id=post.id, user_id=actor.id, created_at=clock.now())
        changed = db.session.execute(stmt.returning(Vote.user_id)).first() is not None
        _follow(actor.id, post.id)
    else:
        stmt = sa.delete(Vote).where(Vote.post_id == post.id, Vote.user_id == actor.id)
        changed = db.session.execute(stmt.returning(Vote.user_id)).first() is not None
    if changed:
        add_to_counter(post, "vote_count", 1 if voted else -1)
        db.session.flush()
        events.post_voted.send(post, actor=actor, voted=voted)
    return voted, post.vote_count


def _follow(user_id: int, post_id: int) -> None:
    db.session.execute(insert_ignore(Follow).values(post_id=post_id, user_id=user_id, created_at=clock.now()))


def set_follow(actor, post: Post, following: bool = True) -> bool:
    if not permissions.can_follow(actor, post):
        raise NotFound()
    if following:
        _follow(actor.id, post.id)
    else:
        db.session.execute(sa.delete(Follow).where(Follow.post_id == post.id, Follow.user_id == actor.id))
    db.session.flush()
    return following


# Merging duplicates -----------------------------------------------------------------

def merge_posts(actor, duplicate: Post, target: Post, *, note: str = "") -> TimelineEntry:
    """Mark `duplicate` as merged into `target`, moving its votes and followers."""
    _require_writer(actor)
    if not permissions.can_manage_post(actor, duplicate):
        raise PermissionDenied()
    if not permissions.can_view_post(actor, target):
        raise NotFound()
    if duplicate.id == target.id or not target.is_feedback or target.merged_into_id or duplicate.merged_into_id:
        raise ValidationFailed(fields={"target": _l("Choose another open feedback item to merge into.")})
    if duplicate.status == "duplicate":
        raise InvalidTransition()
    voters = sa.select(sa.literal(target.id), Vote.user_id, Vote.created_at).where(Vote.post_id == duplicate.id)
    moved = db.session.execute(insert_ignore(Vote).from_select(["post_id", "user_id", "created_at"], voters)
                               .returning(Vote.user_id)).all()
    followers = sa.select(sa.literal(target.id), Follow.user_id, Follow.created_at).where(Follow.post_id == duplicate.id)
    db.session.execute(insert_ignore(Follow).from_select(["post_id", "user_id", "created_at"], followers))
    removed = db.session.execute(sa.delete(Vote).where(Vote.post_id == duplicate.id).returning(Vote.user_id)).all()
    note = normalize(note)[:NOTE_MAX]
    from_status = _set_status(duplicate, "duplicate")
    duplicate.merged_into_id = target.id
    add_to_counter(duplicate, "vote_count", -len(removed))
    add_to_counter(target, "vote_count", len(moved))
    target.last_activity_at = clock.now()
    entry = _timeline(duplicate, "merged", actor, from_status=from_status, to_status="duplicate", note=note,
                      department_id=duplicate.department_id)
    _timeline(target, "merged", actor, note=note or f"#{duplicate.id}")
    db.session.flush()
    events.post_merged.send(duplicate, actor=actor, target=target, entry=entry)
    return entry


# Profiles ------------------------------------------------------------------------

def list_user_comments(viewer, user: User, page: int = 1, per_page: int = 20) -> Page:
    stmt = (sa.select(Comment).join(Post, Post.id == Comment.post_id)
            .where(Comment.author_id == user.id, Comment.deleted_at.is_(None), Comment.is_internal.is_(False),
                   Comment.is_hidden.is_(False), permissions.visible_posts_clause(viewer, Post))
            .order_by(Comment.created_at.desc()))
    return paginate(stmt, page, per_page)


def list_user_votes(viewer, user: User, page: int = 1, per_page: int = 20) -> Page:
    stmt = (sa.select(Post).join(Vote, Vote.post_id == Post.id)
            .where(Vote.user_id == user.id, permissions.visible_posts_clause(viewer, Post))
            .order_by(Vote.created_at.desc()))
    return paginate(stmt, page, per_page)
