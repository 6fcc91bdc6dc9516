"""Moderating content: flags and their queue, moderator actions on posts and comments, held content."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from community.accounts.models import User
from community.audit.models import AuditEntry
from community.audit.services import record_audit
from community.core import clock, events, permissions
from community.core.database import lock_row
from community.core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from community.core.pagination import Page, paginate
from community.core.text import normalize
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.models import Comment, Post, TimelineEntry
from community.moderation.models import FLAG_OUTCOMES, FLAG_REASONS, Flag, Hold
from community.notifications import services as notifications

REASON_MAX = 500
AUDITED_COMMENT_KEY = "moderation.audited_comment"
FLAG_NOTIFICATION_KIND = "flag_resolved"


FLAG_REASON_LABELS = {"spam": _l("Spam or advertising"), "abuse": _l("Abuse or harassment"),
                      "privacy": _l("Exposes private information"), "off_topic": _l("Off-topic")}
FLAG_OUTCOME_LABELS = {"hide": _l("Hidden"), "keep": _l("Kept (no violation)"), "edit": _l("Edited by a moderator"),
                       "delete": _l("Deleted")}
HOLD_REASON_LABELS = {"new_user_links": _l("New account: too many links"),
                      "new_user_rate": _l("New account: posting too fast"),
                      "sensitive_word": _l("Contains a word on the review list")}

# action → (attribute, new value or callable, signal `what`, public timeline entry?)
POST_ACTIONS = {
    "hide": ("is_hidden", True, "hidden", False),
    "unhide": ("is_hidden", False, "unhidden", False),
    "lock": ("is_locked", True, "locked", True),
    "unlock": ("is_locked", False, "unlocked", True),
    "pin": ("is_pinned", True, "pinned", False),
    "unpin": ("is_pinned", False, "unpinned", False),
    "delete": ("deleted_at", clock.now, "deleted", False),
    "restore": ("deleted_at", None, "restored", False),
}
COMMENT_ACTIONS = {
    "hide": ("is_hidden", True, "comment_hidden"),
    "unhide": ("is_hidden", False, "comment_unhidden"),
    "delete": ("deleted_at", clock.now, "comment_deleted"),
    "restore": ("deleted_at", None, "comment_restored"),
}


# Guards --------------------------------------------------------------------------

def _require_writer(actor) -> None:
    permissions.require_writer(actor)  # the one definition of what a suspension blocks


def require_staff_view(actor) -> None:
    """Staff may look at the moderation queues; for everyone else they do not exist."""
    if not permissions.is_staff(actor):
        raise NotFound()


def require_moderator(actor) -> None:
    require_staff_view(actor)
    if not permissions.can_moderate(actor):
        raise PermissionDenied()


def require_admin(actor) -> None:
    if not permissions.is_admin(actor):
        raise NotFound()


def _reason(value) -> str:
    return normalize(value or "")[:REASON_MAX]


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


# Targets -------------------------------------------------------------------------

@dataclass
class Target:
    type: str
    obj: Post | Comment
    post: Post

    @property
    def id(self) -> int:
        return self.obj.id

    @property
    def author_id(self) -> int:
        return self.obj.author_id


def get_target(actor, target_type: str, target_id) -> Target:
    """The post or comment if `actor` may see it (NotFound otherwise)."""
    if target_type == "post":
        post = feedback.get_post(actor, target_id)
        return Target("post", post, post)
    if target_type == "comment":
        comment = feedback.get_comment(actor, target_id)
        if comment.is_internal:  # internal notes are staff-only and never flagged
            raise NotFound()
        return Target("comment", comment, db.session.get(Post, comment.post_id))
    raise NotFound()


# Flags ---------------------------------------------------------------------------

def flag_content(actor, target_type: str, target_id, *, reason: str, note: str = "") -> Flag:
    _require_writer(actor)
    target = get_target(actor, target_type, target_id)
    if target.obj.is_deleted:  # nothing left to review: the same answer as a missing item
        raise NotFound()
    if not permissions.can_flag(actor, target.author_id):
        raise PermissionDenied(_l("You cannot flag your own content."), code="own_content")
    if reason not in FLAG_REASONS:
        raise ValidationFailed(fields={"reason": _l("Choose why you are flagging this.")})
    existing = db.session.execute(sa.select(Flag.id).where(
        Flag.reporter_id == actor.id, Flag.target_type == target.type, Flag.target_id == target.id,
        Flag.status == "open")).first()
    if existing:
        raise Conflict(_l("You already flagged this; a moderator will look at it."), code="already_flagged")
    flag = Flag(reporter_id=actor.id, target_type=target.type, target_id=target.id, post_id=target.post.id,
                target_author_id=target.author_id, reason=reason, note=_reason(note), status="open",
                created_at=clock.now())
    try:
        with db.session.begin_nested():  # the unique index settles a race between two tabs
            db.session.add(flag)
    except sa.exc.IntegrityError:
        raise Conflict(_l("You already flagged this; a moderator will look at it."), code="already_flagged") from None
    return flag


@dataclass
class FlagGroup:
    target_type: str
    target_id: int
    post_id: int
    count: int
    first_at: datetime
    reasons: dict
    flags: list
    target: Post | Comment | None = None


def list_flag_queue(actor, *, page: int = 1, per_page: int = 20) -> Page:
    """Open flags grouped by target, most-flagged first, then oldest first."""
    require_staff_view(actor)
    count = sa.func.count(Flag.id).label("n")
    first_at = sa.func.min(Flag.created_at).label("first_at")
    stmt = (sa.select(Flag.target_type, Flag.target_id, sa.func.min(Flag.post_id).label("post_id"), count, first_at)
            .where(Flag.status == "open").group_by(Flag.target_type, Flag.target_id)
            .order_by(count.desc(), first_at, Flag.target_id))
    total = db.session.execute(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    per_page = max(1, min(per_page, 100))
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    groups = []
    for row in rows:
        flags = list(db.session.execute(sa.select(Flag).where(
            Flag.status == "open", Flag.target_type == row.target_type, Flag.target_id == row.target_id)
            .order_by(Flag.created_at)).scalars())
        reasons: dict[str, int] = {}
        for f in flags:
            reasons[f.reason] = reasons.get(f.reason, 0) + 1
        model = Post if row.target_type == "post" else Comment
        target = db.session.get(model, row.target_id)
        if not permissions.can_view_content(actor, target, db.session.get(Post, row.post_id)):
            target = None  # the flags stay listed; what they point at is for moderators only
        groups.append(FlagGroup(row.target_type, row.target_id, row.post_id, row.n, row.first_at, reasons, flags,
                                target))
    return Page(items=groups, page=page, per_page=per_page, total=total)


def open_flag_count(actor) -> int:
    require_staff_view(actor)
    return db.session.execute(sa.select(sa.func.count()).select_from(Flag).where(Flag.status == "open")).scalar_one()


def resolve_flags(actor, target_type: str, target_id, *, outcome: str, note: str = "",
                  title: str | None = None, body: str | None = None) -> list[Flag]:
    """Resolve every open flag on one target with an outcome, applying it, and tell each flagger."""
    require_moderator(actor)
    if outcome not in FLAG_OUTCOMES:
        raise ValidationFailed(fields={"outcome": _l("Choose an outcome.")})
    target = get_target(actor, target_type, target_id)
    flags = list(db.session.execute(sa.select(Flag).where(
        Flag.status == "open", Flag.target_type == target.type, Flag.target_id == target.id)).scalars())
    if not flags:
        raise Conflict(_l("These flags were already resolved."), code="already_resolved")
    note = _reason(note)
    if outcome == "edit":
        if not note:
            raise ValidationFailed(fields={"note": _l("Moderator edits need a reason.")})
        if body is not None:  # edit now; otherwise the moderator already edited it from the item page
            if target.type == "post":
                feedback.edit_post(actor, target.obj, title=title if title is not None else target.obj.title,
                                   body=body, reason=note)
            else:
                feedback.edit_comment(actor, target.obj, body, reason=note)
    elif outcome in ("hide", "delete"):
        apply = moderate_post if target.type == "post" else moderate_comment
        already = target.obj.is_hidden if outcome == "hide" else target.obj.is_deleted
        if not already:
            apply(actor, target.obj, outcome, reason=note)
    now = clock.now()
    for flag in flags:
        flag.status, flag.outcome, flag.resolution_note = "resolved", outcome, note
        flag.resolved_by_id, flag.resolved_at = actor.id, now
    record_audit(actor, "flag.resolve", target.type, target.id, before={"open_flags": len(flags)},
                 after={"outcome": outcome, "flag_ids": [f.id for f in flags]}, reason=note)
    db.session.flush()
    for flag in flags:
        _tell_flagger(flag, target)
    return flags


def _tell_flagger(flag: Flag, target: Target) -> None:
    """A notification; the outcome is also always on the flagger's "my flags" page.

    The moderator stays anonymous (actor=None). The item is linked only if the flagger can still see it.
    """
    reporter = db.session.get(User, flag.reporter_id)
    visible = permissions.can_view_post(reporter, target.post)
    notifications.notify([reporter], FLAG_NOTIFICATION_KIND, actor=None, post=target.post if visible else None,
                         data={"flag_id": flag.id, "outcome": flag.outcome, "target_type": flag.target_type,
                               "note": flag.resolution_note})


def list_my_flags(actor, *, page: int = 1, per_page: int = 20) -> Page:
    if not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated()
    stmt = sa.select(Flag).where(Flag.reporter_id == actor.id).order_by(Flag.created_at.desc(), Flag.id.desc())
    return paginate(stmt, page, per_page)


# Moderator actions on posts and comments -------------------------------------------

def _unchanged(attribute: str, before, value) -> bool:
    if attribute == "deleted_at":
        return (before is None) == (value is None)
    return bool(before) == bool(value)


def moderate_post(actor, post: Post, action: str, *, reason: str = "") -> AuditEntry:
    """hide/unhide, lock/unlock, pin/unpin, delete/restore: audited, signalled; lock shows on the timeline."""
    require_moderator(actor)
    if action not in POST_ACTIONS:
        raise ValidationFailed(fields={"action": _l("Unknown action.")})
    if not permissions.can_view_post(actor, post):
        raise NotFound()
    attribute, value, what, public = POST_ACTIONS[action]
    value = value() if callable(value) else value
    before = getattr(post, attribute)
    if _unchanged(attribute, before, value):
        raise Conflict(_l("Nothing to change."), code="unchanged")
    reason = _reason(reason)
    setattr(post, attribute, value)
    entry = record_audit(actor, f"post.{action}", "post", post.id, before={attribute: _iso(before)},
                         after={attribute: _iso(value)}, reason=reason)
    if public:
        db.session.add(TimelineEntry(post_id=post.id, kind=what, actor_id=actor.id, actor_role=actor.role,
                                     actor_label=feedback.actor_label(actor), note=reason, created_at=clock.now()))
    if action in ("unhide", "restore"):
        _close_hold(actor, "post", post.id, "approved")
    db.session.flush()
    events.post_visibility_changed.send(post, actor=actor, what=what)
    return entry


def moderate_comment(actor, comment: Comment, action: str, *, reason: str = "") -> AuditEntry:
    require_moderator(actor)
    if action not in COMMENT_ACTIONS or comment.is_internal:
        raise ValidationFailed(fields={"action": _l("Unknown action.")})
    post = db.session.get(Post, comment.post_id)
    if not permissions.can_view_post(actor, post):
        raise NotFound()
    attribute, value, what = COMMENT_ACTIONS[action]
    value = value() if callable(value) else value
    lock_row(comment)  # two moderators at once: the second sees the first's change
    before = getattr(comment, attribute)
    if _unchanged(attribute, before, value):
        raise Conflict(_l("Nothing to change."), code="unchanged")
    reason = _reason(reason)
    counted = comment.counts_toward_post
    setattr(comment, attribute, value)
    if comment.counts_toward_post != counted:
        feedback.add_to_counter(post, "comment_count", 1 if comment.counts_toward_post else -1)
    entry = record_audit(actor, f"comment.{action}", "comment", comment.id, before={attribute: _iso(before)},
                         after={attribute: _iso(value)}, reason=reason)
    if action in ("unhide", "restore"):
        _close_hold(actor, "comment", comment.id, "approved")
    db.session.flush()
    if action == "delete":
        # Tell our own listener this deletion is already audited (signal kwargs stay as documented).
        db.session.info[AUDITED_COMMENT_KEY] = comment.id
        try:
            events.comment_deleted.send(comment, actor=actor)
        finally:
            db.session.info.pop(AUDITED_COMMENT_KEY, None)
    # Sender is the post, so search re-indexes it and realtime re-checks what it serves.
    events.post_visibility_changed.send(post, actor=actor, what=what)
    return entry


def hide_post(actor, post, reason=""):
    return moderate_post(actor, post, "hide", reason=reason)


def lock_post(actor, post, reason=""):
    return moderate_post(actor, post, "lock", reason=reason)


def pin_post(actor, post, reason=""):
    return moderate_post(actor, post, "pin", reason=reason)


def delete_post(actor, post, reason=""):
    return moderate_post(actor, post, "delete", reason=reason)


def restore_post(actor, post, reason=""):
    return moderate_post(actor, post, "restore", reason=reason)


# Held content ----------------------------------------------------------------------

@dataclass(frozen=True)
class HeldKind:
    """Something the screeners can hold for review. Posts and comments are moderation's own; a
    higher domain registers its content (roadmap comments) with `register_held_kind`."""

    target_type: str
    model: type
    label: object                                    # what the staff lists and the audit log call it
    link: Callable[[object], tuple[str, str]]        # content → (heading text, page URL) for the queue
    post_id: Callable[[object], int | None]          # the feedback item it belongs to, if any
    can_view: Callable[[object, object], bool]       # (actor, content) → may this staff member see it
    release: Callable[[object, object, str], None]   # (actor, content, reason) → visible again
    reject: Callable[[object, object, str], None]    # (actor, content, reason) → soft delete


_HELD_KINDS: dict[str, HeldKind] = {}


def register_held_kind(kind: HeldKind) -> None:
    _HELD_KINDS[kind.target_type] = kind


def held_kind(target_type: str) -> HeldKind | None:
    return _HELD_KINDS.get(target_type)


def _held_kind_of(content) -> HeldKind:
    for kind in _HELD_KINDS.values():
        if isinstance(content, kind.model):
            return kind
    raise LookupError(f"no held kind for {type(content).__name__}")


def record_hold(content, *, reasons) -> Hold | None:
    """content_held listener: one hold row per held piece of content.

    An item approved earlier and held again by an edit gets its row back as pending (the
    earlier decision stays in the audit log).
    """
    kind = _held_kind_of(content)
    existing = db.session.execute(sa.select(Hold).where(Hold.target_type == kind.target_type,
                                                        Hold.target_id == content.id)).scalar_one_or_none()
    if existing is not None:
        if existing.status != "pending":
            existing.status, existing.decided_by_id, existing.decided_at = "pending", None, None
            existing.reasons, existing.created_at = list(dict.fromkeys(reasons or [])), clock.now()
            db.session.flush()
        return existing
    hold = Hold(target_type=kind.target_type, target_id=content.id, post_id=kind.post_id(content),
                author_id=content.author_id, reasons=list(dict.fromkeys(reasons or [])), status="pending",
                created_at=clock.now())
    db.session.add(hold)
    db.session.flush()
    return hold


def pending_hold_reasons(target_type: str, target_id: int) -> list[str] | None:
    """Labels of why a post or comment waits for review, or None when it is not held. For its
    author: says which rule held it (e.g. a word on the review list), never which word."""
    reasons = db.session.execute(sa.select(Hold.reasons).where(
        Hold.target_type == target_type, Hold.target_id == target_id, Hold.status == "pending")).scalar_one_or_none()
    if reasons is None:
        return None
    return [str(HOLD_REASON_LABELS.get(r, HOLD_REASON_LABELS["sensitive_word"])) for r in reasons]


def list_holds(actor, *, status: str = "pending", page: int = 1, per_page: int = 20) -> Page:
    require_staff_view(actor)
    status = status if status in ("pending", "approved", "rejected") else "pending"
    order = Hold.created_at if status == "pending" else Hold.decided_at.desc()
    page_ = paginate(sa.select(Hold).where(Hold.status == status).order_by(order, Hold.id), page, per_page)
    for hold in page_.items:
        kind = held_kind(hold.target_type)
        target = db.session.get(kind.model, hold.target_id) if kind else None
        # Held content is hidden (staff may review it); rejected content is deleted (moderators only).
        hold.target = target if target is not None and kind.can_view(actor, target) else None
    return page_


def get_hold(actor, hold_id) -> Hold:
    require_staff_view(actor)
    hold = db.session.get(Hold, hold_id)
    if hold is None:
        raise NotFound()
    return hold


def _close_hold(actor, target_type: str, target_id: int, status: str) -> None:
    hold = db.session.execute(sa.select(Hold).where(Hold.target_type == target_type, Hold.target_id == target_id,
                                                    Hold.status == "pending")).scalar_one_or_none()
    if hold is not None:
        hold.status, hold.decided_by_id, hold.decided_at = status, actor.id, clock.now()


def decide_hold(actor, hold: Hold, *, approve: bool, reason: str = "") -> Hold:
    """Approve (the content becomes visible) or reject (soft delete). Both are audited."""
    require_moderator(actor)
    lock_row(hold)
    if hold.status != "pending":
        raise Conflict(_l("Someone already decided this."), code="already_decided")
    kind = held_kind(hold.target_type)
    content = db.session.get(kind.model, hold.target_id) if kind else None
    if content is None:
        raise NotFound()
    released = approve and content.is_hidden
    if released:
        kind.release(actor, content, reason)
    elif not approve and content.deleted_at is None:
        kind.reject(actor, content, reason)
    hold.status = "approved" if approve else "rejected"
    hold.decided_by_id, hold.decided_at = actor.id, clock.now()
    record_audit(actor, "hold.approve" if approve else "hold.reject", hold.target_type, hold.target_id,
                 before={"status": "pending"}, after={"status": hold.status}, reason=_reason(reason))
    db.session.flush()
    if released:
        events.content_released.send(content, actor=actor)
    return hold


def _feedback_held_kinds() -> None:
    def post_visible(actor, post):
        return permissions.can_view_content(actor, post, post)

    def comment_visible(actor, comment):
        return permissions.can_view_content(actor, comment, db.session.get(Post, comment.post_id))

    def post_link(post):
        return post.title, url_for("feedback.show_post", post_id=post.id, no_redirect=1)

    def comment_link(comment):
        return (_("Comment on #%(id)d", id=comment.post_id),
                url_for("feedback.show_post", post_id=comment.post_id, no_redirect=1, _anchor=f"comment-{comment.id}"))

    register_held_kind(HeldKind("post", Post, lazy_pgettext("noun", "Post"), post_link,
                                post_id=lambda post: post.id, can_view=post_visible,
                                release=lambda actor, post, reason: moderate_post(actor, post, "unhide", reason=reason),
                                reject=lambda actor, post, reason: moderate_post(actor, post, "delete", reason=reason)))
    register_held_kind(HeldKind(
        "comment", Comment, lazy_pgettext("noun", "Comment"), comment_link,
        post_id=lambda comment: comment.post_id, can_view=comment_visible,
        release=lambda actor, comment, reason: moderate_comment(actor, comment, "unhide", reason=reason),
        reject=lambda actor, comment, reason: moderate_comment(actor, comment, "delete", reason=reason)))


_feedback_held_kinds()
