"""Restricting members: suspensions, bans, a member's moderation history, new-account limits."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from community.accounts.models import User
from community.accounts.services import get_user_by_username, revoke_sessions
from community.audit.models import AuditEntry
from community.audit.services import record_audit
from community.core import clock, permissions
from community.core.errors import Conflict, PermissionDenied, ValidationFailed
from community.extensions import db
from community.feedback.models import Comment, Post
from community.moderation.content import _iso, _reason, require_moderator, require_staff_view
from community.moderation.models import Flag

MAX_SUSPENSION_DAYS = 3650


# Users -------------------------------------------------------------------------------

def _user_state(user: User) -> dict:
    return {"suspended_until": _iso(user.suspended_until), "banned_at": _iso(user.banned_at),
            "ban_reason": user.ban_reason}


def _require_restrictor(actor, user: User) -> None:
    require_moderator(actor)
    if not permissions.can_restrict_user(actor, user):
        raise PermissionDenied(_l("You cannot restrict this account."), code="cannot_restrict")


def _required_reason(reason) -> str:
    reason = _reason(reason)
    if not reason:
        raise ValidationFailed(fields={"reason": _l("Give a reason; the member will see it.")})
    return reason


def suspend_user(actor, user: User, *, days=None, until: datetime | None = None, reason: str) -> User:
    """Read-only for a period; every session and socket of the user is cut at once."""
    _require_restrictor(actor, user)
    reason = _required_reason(reason)
    if until is None:
        try:
            days = int(days)
        except (TypeError, ValueError, OverflowError):
            days = 0
        if not 1 <= days <= MAX_SUSPENSION_DAYS:
            raise ValidationFailed(fields={"days": _ln("Suspend for 1 to %(num)d day.", "Suspend for 1 to %(num)d days.",
                                                       MAX_SUSPENSION_DAYS)})
        until = clock.now() + timedelta(days=days)
    elif until <= clock.now():
        raise ValidationFailed(fields={"days": _l("The end of a suspension must be in the future.")})
    before = _user_state(user)
    user.suspended_until = until
    record_audit(actor, "user.suspend", "user", user.id, before=before, after=_user_state(user), reason=reason)
    revoke_sessions(user, "suspended")
    return user


def lift_suspension(actor, user: User, *, reason: str = "") -> User:
    _require_restrictor(actor, user)
    if not user.is_suspended:
        raise Conflict(_l("This account is not suspended."), code="unchanged")
    before = _user_state(user)
    user.suspended_until = None
    record_audit(actor, "user.unsuspend", "user", user.id, before=before, after=_user_state(user),
                 reason=_reason(reason))
    db.session.flush()
    return user


def ban_user(actor, user: User, *, reason: str) -> User:
    _require_restrictor(actor, user)
    reason = _required_reason(reason)
    if user.is_banned:
        raise Conflict(_l("This account is already banned."), code="unchanged")
    before = _user_state(user)
    user.banned_at, user.ban_reason = clock.now(), reason
    record_audit(actor, "user.ban", "user", user.id, before=before, after=_user_state(user), reason=reason)
    revoke_sessions(user, "banned")
    return user


def unban_user(actor, user: User, *, reason: str = "") -> User:
    _require_restrictor(actor, user)
    if not user.is_banned:
        raise Conflict(_l("This account is not banned."), code="unchanged")
    before = _user_state(user)
    user.banned_at, user.ban_reason = None, None
    record_audit(actor, "user.unban", "user", user.id, before=before, after=_user_state(user), reason=_reason(reason))
    db.session.flush()
    return user


def get_user(actor, username: str) -> User:
    require_staff_view(actor)
    return get_user_by_username(username)


def user_history(actor, user: User, *, limit: int = 50) -> dict:
    """What a moderator needs before acting: posts, comments, flags against them, past actions."""
    require_staff_view(actor)
    # Deleted content is for moderators (docs/permissions.md): the same predicates as the item page.
    live = sa.true() if permissions.is_moderator(actor) else Post.deleted_at.is_(None)
    posts = list(db.session.execute(sa.select(Post).where(Post.author_id == user.id, live)
                                    .order_by(Post.created_at.desc()).limit(limit)).scalars())
    rows = db.session.execute(sa.select(Comment, Post).join(Post, Post.id == Comment.post_id)
                              .where(Comment.author_id == user.id, live)
                              .order_by(Comment.created_at.desc()).limit(limit)).all()
    comments = [c for c, post in rows if permissions.can_view_content(actor, c, post)]
    flags = list(db.session.execute(sa.select(Flag).where(Flag.target_author_id == user.id)
                                    .order_by(Flag.created_at.desc()).limit(limit)).scalars())
    content_ids = sa.or_(
        sa.and_(AuditEntry.target_type == "post", AuditEntry.target_id.in_(sa.select(Post.id).where(Post.author_id == user.id))),
        sa.and_(AuditEntry.target_type == "comment",
                AuditEntry.target_id.in_(sa.select(Comment.id).where(Comment.author_id == user.id))),
    )
    actions = list(db.session.execute(sa.select(AuditEntry).where(
        sa.or_(sa.and_(AuditEntry.target_type == "user", AuditEntry.target_id == user.id), content_ids))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit)).scalars())
    return {"posts": posts, "comments": comments, "flags": flags, "actions": actions,
            "can_restrict": permissions.can_restrict_user(actor, user)}


# New-user limits (used by the screener) ------------------------------------------------

def new_user_settings() -> dict:
    cfg = current_app.config
    return {"posts": int(cfg.get("NEW_USER_POST_COUNT", 5)), "links": int(cfg.get("NEW_USER_MAX_LINKS", 1)),
            "rate": cfg.get("NEW_USER_RATE", "3 per 10 minutes")}
