"""Feed the indexer: session events catch every writer (views, API, CLI, bulk moderation);
domain signals add the posts that bulk SQL updates may touch. Keys go into the outbox table
in the writer's transaction (durable) and to this process's indexer after commit (fast)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from community.core import clock, events
from community.feedback.models import Comment, Post
from community.search.models import SearchOutbox

_PENDING = "community.search.pending"


def _pending(session: Session) -> set[str]:
    return session.info.setdefault(_PENDING, set())


def _key(obj) -> str | None:
    if isinstance(obj, Post) and obj.id is not None:
        return f"post:{obj.id}"
    if isinstance(obj, Comment) and obj.id is not None:
        return f"comment:{obj.id}"
    return None


def _record(session: Session, keys: set[str]) -> None:
    """Add keys to this transaction's set, and new ones to the outbox in the same transaction."""
    pending = _pending(session)
    new = keys - pending
    if not new:
        return
    pending.update(new)
    now = clock.now()
    session.connection().execute(sa.insert(SearchOutbox.__table__), [{"key": k, "created_at": now} for k in sorted(new)])


def _after_flush(session: Session, _flush_context) -> None:
    keys = {_key(obj) for group in (session.new, session.dirty, session.deleted) for obj in group}
    keys.discard(None)
    if keys:
        _record(session, keys)


def _after_commit(session: Session) -> None:
    keys = session.info.pop(_PENDING, None)
    if not keys or not has_app_context() or "search" not in current_app.extensions:
        return
    current_app.extensions["search"].enqueue(keys)  # plain strings: nothing lazy-loads here


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _on_signal(sender, **_kwargs) -> None:
    """Domain signals name the post or comment even when a bulk SQL update changed it."""
    key = _key(sender)
    if key:
        from community.extensions import db

        _record(db.session(), {key})


_SIGNALS = (events.post_created, events.post_edited, events.post_status_changed, events.post_merged,
            events.post_voted, events.post_visibility_changed, events.post_routed,
            events.comment_created, events.comment_edited, events.comment_deleted)


def install() -> None:
    if getattr(install, "_done", False):
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
    for signal in _SIGNALS:
        signal.connect(_on_signal, weak=False)
    install._done = True
