"""Feed the indexer: session events catch every writer (views, API, CLI, bulk moderation);
domain signals add the posts that bulk SQL updates may touch. Keys go into the outbox table
in the writer's transaction (durable) and to this process's indexer after commit (fast)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from community.core import clock, events
from community.extensions import db
from community.feedback.models import Comment, Post
from community.search.indexer import get_indexer, rebuild
from community.search.models import SearchOutbox


def _key(obj) -> str | None:
    if isinstance(obj, Post) and obj.id is not None:
        return f"post:{obj.id}"
    if isinstance(obj, Comment) and obj.id is not None:
        return f"comment:{obj.id}"
    return None


def _record(session: Session, keys: set[str]) -> None:
    """Queue each key once per transaction for this process's indexer (core.events.after_commit:
    the whole batch after the commit, nothing on a rollback, a rolled-back savepoint's keys
    dropped), and write the new ones to the outbox in the same transaction (durable)."""
    new = sorted(k for k in keys if events.after_commit(_enqueue, session, key=f"search:{k}", item=k))
    if not new:
        return
    now = clock.now()
    session.connection().execute(sa.insert(SearchOutbox.__table__), [{"key": k, "created_at": now} for k in new])


def _after_flush(session: Session, _flush_context) -> None:
    keys = {_key(obj) for group in (session.new, session.dirty, session.deleted) for obj in group}
    keys.discard(None)
    if keys:
        _record(session, keys)


def _enqueue(keys: list[str]) -> None:
    if not has_app_context() or "search" not in current_app.extensions:
        return
    current_app.extensions["search"].enqueue(keys)  # plain strings: nothing lazy-loads here


def _on_signal(sender, **_kwargs) -> None:
    """Domain signals name the post or comment even when a bulk SQL update changed it."""
    key = _key(sender)
    if key:
        _record(db.session(), {key})


_SIGNALS = (events.post_created, events.post_edited, events.post_status_changed, events.post_merged,
            events.post_voted, events.post_visibility_changed, events.post_routed,
            events.comment_created, events.comment_edited, events.comment_deleted)


def _on_restored(app, manifest=None, echo=print, **_kwargs) -> None:
    """The database was replaced by a backup: the index is a copy of the old rows. Rebuild it."""
    report = rebuild(get_indexer(app).store)
    echo(f"Search index rebuilt: {report.documents} documents in {report.seconds:.1f}s.")


def install() -> None:
    if getattr(install, "_done", False):
        return
    event.listen(Session, "after_flush", _after_flush)
    for signal in _SIGNALS:
        signal.connect(_on_signal, weak=False)
    events.database_restored.connect(_on_restored, weak=False)
    install._done = True
