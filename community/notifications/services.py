"""Notification rules: who is told what, preferences, collapsing bursts, reading the feed.

`notify()` writes rows in the caller's transaction (listeners call it while the action's
transaction is open) and queues the live push for after the commit.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from community.accounts.models import User
from community.core import clock, permissions
from community.core.errors import NotFound, ValidationFailed
from community.core.pagination import Page, paginate
from community.extensions import db
from community.notifications.kinds import KINDS, kinds_for, text_for
from community.notifications.models import Notification, NotificationPreference

MAX_ACTOR_NAMES = 3
SYNC_LIMIT = 200
MENTION_RE = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_][A-Za-z0-9_.-]{2,31})")
MAX_MENTIONS = 20
SLA_TARGETS = ("first_response", "resolution")
SLA_LEVELS = ("warning", "breached")


# Writing -------------------------------------------------------------------------

def notify(recipients: Iterable, kind: str, *, actor=None, post=None, comment=None, entry=None,
           data: dict | None = None, link_post_id: int | None = None, once_key: str | None = None) -> list[Notification]:
    """Write one notification of `kind` for each recipient who may see it and wants it.

    Skipped: the actor themselves, banned users, members for staff-only kinds, anyone who
    may not see `post` / `comment` (checked per recipient), and anyone who turned the kind off.
    Grouped kinds collapse into the recipient's unread row for the same post. With `once_key`,
    a recipient who ever had a notification with that key is skipped (idempotent jobs).
    """
    spec = KINDS[kind]
    users = _recipients(recipients, actor)
    users = [u for u in users if _may_receive(u, spec, post, comment)]
    if not users:
        return []
    ids = [u.id for u in users]
    disabled = set(db.session.execute(
        sa.select(NotificationPreference.user_id).where(
            NotificationPreference.user_id.in_(ids), NotificationPreference.kind == kind,
            NotificationPreference.enabled.is_(False))).scalars())
    group_key = once_key or (f"{kind}:{post.id}" if spec.grouped and post is not None else None)
    previous: dict[int, Notification] = {}
    if group_key:
        stmt = sa.select(Notification).where(Notification.user_id.in_(ids), Notification.group_key == group_key)
        if once_key:
            already = set(db.session.execute(stmt.with_only_columns(Notification.user_id)).scalars())
            disabled |= already
        else:
            for row in db.session.execute(stmt.where(Notification.read_at.is_(None))).scalars():
                previous[row.user_id] = row
    now = clock.now()
    actor_name = actor.name if actor is not None else ""
    created: list[tuple[Notification, int | None, User]] = []
    for user in users:
        if user.id in disabled:
            continue
        old = previous.get(user.id)
        names = list(old.actor_names or []) if old else []
        if actor_name:
            if actor_name in names:
                names.remove(actor_name)
            names = (names + [actor_name])[-MAX_ACTOR_NAMES:]
        row = Notification(
            user_id=user.id, kind=kind, post_id=link_post_id or (post.id if post is not None else None),
            comment_id=comment.id if comment is not None else None,
            timeline_entry_id=entry.id if entry is not None else None,
            actor_id=actor.id if actor is not None else None, actor_names=names,
            post_title=(post.title if post is not None else "")[:120], data=dict(data or {}),
            group_key=group_key, count=(old.count + 1) if old else 1,
            first_at=old.first_at if old else now, created_at=now,
        )
        if old is not None:
            db.session.delete(old)
        db.session.add(row)
        created.append((row, old.id if old else None, user))
    if not created:
        return []
    db.session.flush()
    _queue_push(created)
    return [row for row, _old, _user in created]


def _recipients(recipients, actor) -> list[User]:
    ids, users = set(), {}
    for r in recipients:
        if r is None:
            continue
        if isinstance(r, User):
            users[r.id] = r
        else:
            ids.add(int(r))
    ids -= set(users)
    if ids:
        for user in db.session.execute(sa.select(User).where(User.id.in_(ids))).scalars():
            users[user.id] = user
    actor_id = getattr(actor, "id", None)
    return [u for uid, u in sorted(users.items()) if uid != actor_id and not u.is_banned]


def _may_receive(user, spec, post, comment) -> bool:
    if spec.staff_only and not permissions.is_staff(user):
        return False
    if post is not None and not permissions.can_view_post(user, post):
        return False
    if comment is not None and not permissions.can_view_comment(user, comment):
        return False
    return True


def _queue_push(created) -> None:
    """Capture plain payloads now; emit them once the transaction commits."""
    from community.realtime.services import emit_after_commit

    user_ids = [user.id for _row, _old, user in created]
    unread = unread_counts(user_ids)
    by_locale = defaultdict(list)
    default_locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    for row, old_id, user in created:
        locale = user.locale if user.locale in current_app.config["LANGUAGES"] else default_locale
        by_locale[locale].append((row, old_id))
    for locale, rows in by_locale.items():
        with force_locale(locale):
            for row, old_id in rows:
                payload = serialize(row)
                payload["replaces"] = old_id
                emit_after_commit("notification", {"notification": payload, "unread": unread.get(row.user_id, 0)},
                                  room=f"user:{row.user_id}")


def notify_sla_warning(user, post, target: str, level: str = "warning") -> Notification | None:
    """Tell a staff member that `post` is close to (level="warning") or past (level="breached")
    its `target` ("first_response" or "resolution"). Idempotent: once per user, post, target, level.
    The caller (e.g. `flask sla tick`) commits."""
    if target not in SLA_TARGETS or level not in SLA_LEVELS:
        raise ValueError(f"unknown SLA target/level {target!r}/{level!r}")
    rows = notify([user], "sla_warning", post=post, data={"target": target, "level": level},
                  once_key=f"sla:{post.id}:{target}:{level}")
    return rows[0] if rows else None


def mentioned_users(text: str, *, exclude_ids=()) -> list[User]:
    names = []
    for name in MENTION_RE.findall(text or ""):
        name = name.rstrip(".-").lower()
        if name not in names:
            names.append(name)
    if not names:
        return []
    names = names[:MAX_MENTIONS]
    found = db.session.execute(sa.select(User).where(sa.func.lower(User.username).in_(names))).scalars()
    return [u for u in found if u.id not in set(exclude_ids)]


# Reading -------------------------------------------------------------------------

def list_feed(actor, *, unread_only: bool = False, page: int = 1, per_page: int = 30) -> Page:
    stmt = sa.select(Notification).where(Notification.user_id == actor.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return paginate(stmt.order_by(Notification.id.desc()), page, per_page)


def notifications_after(actor, after_id, *, limit: int = SYNC_LIMIT) -> list[Notification]:
    """Everything after the last id the client saw, oldest first (reconnect sync)."""
    try:
        after_id = max(0, int(after_id or 0))
    except (TypeError, ValueError):
        raise ValidationFailed(fields={"after_id": _l("Must be a whole number.")}) from None
    limit = max(1, min(int(limit), SYNC_LIMIT))
    return list(db.session.execute(
        sa.select(Notification).where(Notification.user_id == actor.id, Notification.id > after_id)
        .order_by(Notification.id).limit(limit)).scalars())


def unread_count(actor) -> int:
    if not getattr(actor, "is_authenticated", False):
        return 0
    return unread_counts([actor.id]).get(actor.id, 0)


def unread_counts(user_ids) -> dict[int, int]:
    if not user_ids:
        return {}
    rows = db.session.execute(
        sa.select(Notification.user_id, sa.func.count()).where(
            Notification.user_id.in_(list(user_ids)), Notification.read_at.is_(None)).group_by(Notification.user_id))
    return dict(rows.all())


def latest_id(actor) -> int:
    return db.session.execute(
        sa.select(sa.func.max(Notification.id)).where(Notification.user_id == actor.id)).scalar_one() or 0


def mark_read(actor, notification_id) -> Notification:
    try:
        row = db.session.get(Notification, int(notification_id))
    except (TypeError, ValueError):
        row = None
    if row is None or row.user_id != actor.id:
        raise NotFound()
    if row.read_at is None:
        row.read_at = clock.now()
        db.session.flush()
    _queue_unread(actor.id)
    return row


def mark_all_read(actor) -> int:
    result = db.session.execute(
        sa.update(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=clock.now()))
    db.session.flush()
    _queue_unread(actor.id)
    return result.rowcount or 0


def _queue_unread(user_id: int) -> None:
    from community.realtime.services import emit_after_commit

    emit_after_commit("unread", {"unread": unread_counts([user_id]).get(user_id, 0)}, room=f"user:{user_id}")


# Preferences ---------------------------------------------------------------------

def disabled_kinds(actor) -> set[str]:
    return set(db.session.execute(
        sa.select(NotificationPreference.kind).where(NotificationPreference.user_id == actor.id,
                                                     NotificationPreference.enabled.is_(False))).scalars())


def set_preferences(actor, enabled: Iterable[str]) -> set[str]:
    """Turn on exactly the kinds in `enabled` (of those the actor can receive); returns the disabled set."""
    enabled = set(enabled)
    unknown = enabled - set(KINDS)
    if unknown:
        raise ValidationFailed(fields={"kinds": _l("Unknown notification kind.")})
    offered = {k.name for k in kinds_for(actor)}
    off = offered - enabled
    db.session.execute(sa.delete(NotificationPreference).where(NotificationPreference.user_id == actor.id))
    for kind in sorted(off):
        db.session.add(NotificationPreference(user_id=actor.id, kind=kind, enabled=False))
    db.session.flush()
    return off


# Presenting ----------------------------------------------------------------------

def link_for(row: Notification) -> str:
    """The exact place: the comment, the timeline entry, or the item."""
    if row.post_id is None:
        return url_for("notifications.feed") if has_request_context() else "/notifications"
    anchor = None
    if row.comment_id:
        anchor = f"comment-{row.comment_id}"
    elif row.timeline_entry_id:
        anchor = f"timeline-{row.timeline_entry_id}"
    if has_request_context():
        return url_for("feedback.show_post", post_id=row.post_id, _anchor=anchor)
    return f"/posts/{row.post_id}" + (f"#{anchor}" if anchor else "")


def serialize(row: Notification) -> dict:
    """The JSON shape used by the API and the socket pushes (text in the current locale)."""
    spec = KINDS.get(row.kind)
    data = row.data or {}
    return {
        "id": row.id,
        "kind": row.kind,
        "icon": spec.icon if spec else "",
        "text": text_for(row),
        "note": data.get("note") or "",
        "url": link_for(row),
        "post_id": row.post_id,
        "comment_id": row.comment_id,
        "timeline_entry_id": row.timeline_entry_id,
        "count": row.count,
        "actors": list(row.actor_names or []),
        "read": row.read_at is not None,
        "created_at": row.created_at.isoformat() + "Z",
    }
