"""Notification rules: who is told what, preferences, collapsing bursts, reading the feed.

`notify()` writes rows in the caller's transaction (listeners call it while the action's
transaction is open) and queues the live push for after the commit.
"""
from __future__ import annotations

import re
from collections import defaultdict
from types import SimpleNamespace
from typing import Iterable

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from community.accounts.models import STAFF_ROLES, User
from community.api.shapes import iso
from community.core import clock, permissions
from community.core.converters import DB_INT_MAX, parse_db_id
from community.core.database import lock_for_transaction
from community.core.errors import NotFound, ValidationFailed
from community.core.pagination import Page, paginate
from community.extensions import db
from community.feedback.models import Comment, Post
from community.notifications.kinds import KINDS, kinds_for, text_for
from community.notifications.models import Notification, NotificationPreference
from community.realtime.services import emit_after_commit, emit_many_after_commit

MAX_ACTOR_NAMES = 3
SYNC_LIMIT = 200
MENTION_RE = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_][A-Za-z0-9_.-]{2,31})")
MAX_MENTIONS = 20
SLA_TARGETS = ("first_response", "resolution")
SLA_LEVELS = ("warning", "breached")


# Writing -------------------------------------------------------------------------

def notify(recipients: Iterable, kind: str, *, actor=None, post=None, comment=None, entry=None,
           data: dict | None = None, link_post_id: int | None = None, once_key: str | None = None,
           title: str | None = None) -> list:
    """Write one notification of `kind` for each recipient who may see it and wants it.

    Skipped: the actor themselves, banned users, members for staff-only kinds, anyone who
    may not see `post` / `comment` (checked per recipient), and anyone who turned the kind off.
    Grouped kinds collapse into the recipient's unread row for the same post. With `once_key`,
    a recipient who ever had a notification with that key is skipped (idempotent jobs). `title`
    names what the notice is about when that is not a post (e.g. a roadmap item).
    Returns plain records (id, user_id, ... as written). Rows go in with one bulk INSERT, so a
    status change on an item with thousands of followers stays one quick transaction.
    """
    spec = KINDS[kind]
    users = [u for u in _recipients(recipients, actor) if _may_receive(u, spec, post, comment)]
    if not users:
        return []
    ids = [u.id for u in users]
    skip = set(db.session.execute(
        sa.select(NotificationPreference.user_id).where(
            NotificationPreference.user_id.in_(ids), NotificationPreference.kind == kind,
            NotificationPreference.enabled.is_(False))).scalars())
    group_key = once_key or (f"{kind}:{post.id}" if spec.grouped and post is not None else None)
    previous = {}
    if group_key:
        # Read-then-replace of the group's row (or the once-only check) must not interleave
        # with another transaction's for the same group: it would leave two rows, counts lost.
        lock_for_transaction(f"notification:{group_key}")
        stmt = sa.select(Notification.id, Notification.user_id, Notification.actor_names, Notification.count,
                         Notification.first_at).where(Notification.user_id.in_(ids), Notification.group_key == group_key)
        if once_key:
            skip |= {row.user_id for row in db.session.execute(stmt)}
        else:
            previous = {row.user_id: row for row in db.session.execute(stmt.where(Notification.read_at.is_(None)))}
    now = clock.now()
    actor_name = actor.name if actor is not None and not permissions.is_system(actor) else ""
    common = {
        "kind": kind, "post_id": link_post_id or (post.id if post is not None else None),
        "comment_id": comment.id if comment is not None else None,
        "timeline_entry_id": entry.id if entry is not None else None,
        "actor_id": actor.id if actor is not None else None,
        "post_title": (title if title is not None else post.title if post is not None else "")[:120],
        "data": dict(data or {}),
        "group_key": group_key, "created_at": now, "read_at": None,
    }
    values, replaced = [], []
    for user in users:
        if user.id in skip:
            continue
        old = previous.get(user.id)
        names = [n for n in (old.actor_names or []) if n != actor_name] if old else []
        if actor_name:
            names = (names + [actor_name])[-MAX_ACTOR_NAMES:]
        values.append({**common, "user_id": user.id, "actor_names": names, "count": old.count + 1 if old else 1,
                       "first_at": old.first_at if old else now})
        replaced.append(old.id if old else None)
    if not values:
        return []
    # One multi-row INSERT; ids are matched back by user (one row per user per call).
    inserted = dict(db.session.execute(
        sa.insert(Notification).returning(Notification.user_id, Notification.id), values).all())
    new_ids = [inserted[row["user_id"]] for row in values]
    old_ids = [i for i in replaced if i]
    if old_ids:  # after the insert, so the replacement always gets a larger id
        db.session.execute(sa.delete(Notification).where(Notification.id.in_(old_ids)))
    records = [SimpleNamespace(id=new_id, replaces=old_id, **row)
               for new_id, old_id, row in zip(new_ids, replaced, values)]
    _queue_push(records, {u.id: u.locale for u in users})
    return records


class Recipient:
    """The few user fields the visibility predicates read, without loading whole User rows
    (an item can have thousands of followers)."""

    __slots__ = ("id", "role", "locale", "banned_at")
    is_authenticated = True

    def __init__(self, id, role, locale, banned_at):
        self.id, self.role, self.locale, self.banned_at = id, role, locale, banned_at

    is_staff = property(lambda self: self.role in STAFF_ROLES)
    is_moderator = property(lambda self: self.role in ("moderator", "admin"))
    is_admin = property(lambda self: self.role == "admin")
    is_banned = property(lambda self: self.banned_at is not None)


def _recipients(recipients, actor) -> list[Recipient]:
    ids = {getattr(r, "id", r) for r in recipients if r is not None}
    ids.discard(getattr(actor, "id", None))
    if not ids:
        return []
    rows = db.session.execute(sa.select(User.id, User.role, User.locale, User.banned_at)
                              .where(User.id.in_([int(i) for i in ids])).order_by(User.id))
    return [r for r in (Recipient(*row) for row in rows) if not r.is_banned]


def _may_receive(user, spec, post, comment) -> bool:
    if spec.staff_only and not permissions.is_staff(user):
        return False
    if post is not None and not permissions.can_view_post(user, post):
        return False
    if comment is not None and not permissions.can_view_comment(user, comment):
        return False
    return True


def _queue_push(records, locales: dict) -> None:
    """Capture plain payloads now; emit them once the transaction commits."""
    unread = unread_counts([r.user_id for r in records])
    languages = current_app.config["LANGUAGES"]
    default_locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    by_locale = defaultdict(list)
    for r in records:
        locale = locales.get(r.user_id)
        by_locale[locale if locale in languages else default_locale].append(r)
    link = link_for(records[0])  # every record of one call points at the same place
    emits = []
    for locale, rows in by_locale.items():
        texts: dict = {}
        with force_locale(locale):
            for r in rows:
                key = (r.count, tuple(r.actor_names))  # non-grouped kinds: one text for everyone
                if key not in texts:
                    texts[key] = text_for(r)
                payload = serialize(r, text=texts[key], url=link)
                payload["replaces"] = r.replaces
                emits.append(("notification", {"notification": payload, "unread": unread.get(r.user_id, 0)},
                              f"user:{r.user_id}"))
    emit_many_after_commit(emits)


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

def _still_visible(actor):
    """Rows about items the reader can no longer see (posts or comments hidden or deleted since)
    drop out of every list, count and sync, like can_view_post and can_view_comment."""
    if permissions.is_moderator(actor):
        return sa.true()
    visible = sa.select(Post.id).where(Post.id == Notification.post_id,
                                       permissions.visible_posts_clause(actor, Post, include_merged=True))
    comment_visible = sa.select(Comment.id).where(Comment.id == Notification.comment_id, Comment.deleted_at.is_(None),
                                                  permissions.visible_comments_clause(actor, Comment))
    return sa.and_(sa.or_(Notification.post_id.is_(None), visible.exists()),
                   sa.or_(Notification.comment_id.is_(None), comment_visible.exists()))


def list_feed(actor, *, unread_only: bool = False, page: int = 1, per_page: int = 30) -> Page:
    stmt = sa.select(Notification).where(Notification.user_id == actor.id, _still_visible(actor))
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return paginate(stmt.order_by(Notification.id.desc()), page, per_page)


SYNC_SEEN_MAX = 1000


def notifications_after(actor, after_id, *, seen=(), limit: int = SYNC_LIMIT) -> list[Notification]:
    """Live sync: what the client has not shown yet, oldest first.

    `after_id` is where the client's page started, `seen` the ids it has shown since. Asking by
    the set of ids, not "after the highest one seen", also returns a row that committed after a
    newer one, or whose push was lost while newer ones arrived.
    """
    try:
        after_id = max(0, int(after_id or 0))
        seen = {int(i) for i in (seen or ())} if isinstance(seen, (list, tuple)) else None
    except (TypeError, ValueError, OverflowError):
        raise ValidationFailed(fields={"after_id": _l("Must be a whole number.")}) from None
    if seen is None or len(seen) > SYNC_SEEN_MAX:
        raise ValidationFailed(fields={"after_id": _l("Must be a whole number.")})
    after_id = min(after_id, DB_INT_MAX)  # past every id; SQLite cannot bind more than 2**63
    seen = {i for i in seen if 0 < i <= DB_INT_MAX}  # no row has any other id
    limit = max(1, min(int(limit), SYNC_LIMIT))
    stmt = sa.select(Notification).where(Notification.user_id == actor.id, Notification.id > after_id,
                                         _still_visible(actor))
    if seen:
        stmt = stmt.where(Notification.id.not_in(seen))
    return list(db.session.execute(stmt.order_by(Notification.id).limit(limit)).scalars())


def unread_count(actor) -> int:
    if not getattr(actor, "is_authenticated", False):
        return 0
    return db.session.execute(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == actor.id, Notification.read_at.is_(None), _still_visible(actor))).scalar_one()


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
    number = parse_db_id(notification_id)
    row = db.session.get(Notification, number) if number is not None else None
    if row is None or row.user_id != actor.id:
        raise NotFound()
    if row.read_at is None:
        row.read_at = clock.now()
        db.session.flush()
    _queue_unread(actor)
    return row


def mark_all_read(actor) -> int:
    result = db.session.execute(
        sa.update(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=clock.now()))
    db.session.flush()
    _queue_unread(actor)
    return result.rowcount or 0


def _queue_unread(actor) -> None:
    emit_after_commit("unread", {"unread": unread_count(actor)}, room=f"user:{actor.id}")


# Preferences ---------------------------------------------------------------------

def disabled_kinds(actor) -> set[str]:
    return set(db.session.execute(
        sa.select(NotificationPreference.kind).where(NotificationPreference.user_id == actor.id,
                                                     NotificationPreference.enabled.is_(False))).scalars())


def set_preferences(actor, enabled: Iterable[str]) -> set[str]:
    """Turn on exactly the kinds in `enabled` (of those the actor can receive); returns the disabled set."""
    permissions.require_writer(actor)
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
        # Notices about other things (a roadmap item, a release) carry their own same-site path.
        path = str((row.data or {}).get("url") or "")
        if path.startswith("/") and not path.startswith("//"):
            return path
        return url_for("notifications.feed") if has_request_context() else "/notifications"
    anchor = None
    if row.comment_id:
        anchor = f"comment-{row.comment_id}"
    elif row.timeline_entry_id:
        anchor = f"timeline-{row.timeline_entry_id}"
    if has_request_context():
        return url_for("feedback.show_post", post_id=row.post_id, _anchor=anchor)
    return f"/posts/{row.post_id}" + (f"#{anchor}" if anchor else "")


def serialize(row, *, text: str | None = None, url: str | None = None) -> dict:
    """The JSON shape used by the API and the socket pushes (text in the current locale)."""
    spec = KINDS.get(row.kind)
    data = row.data or {}
    return {
        "id": row.id,
        "kind": row.kind,
        "icon": spec.icon if spec else "",
        "text": text if text is not None else text_for(row),
        "note": data.get("note") or "",
        "url": url if url is not None else link_for(row),
        "post_id": row.post_id,
        "comment_id": row.comment_id,
        "timeline_entry_id": row.timeline_entry_id,
        "count": row.count,
        "actors": list(row.actor_names or []),
        "read": row.read_at is not None,
        "created_at": iso(row.created_at),
    }
