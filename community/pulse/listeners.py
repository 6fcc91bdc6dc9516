"""Keep the buckets exact at commit and push the live counters after it.

Session events catch every writer that goes through the ORM (views, API, CLI, bulk moderation
on loaded rows); the domain signals name posts that bulk SQL may have changed. Just before
the commit the noted items are refreshed in one go (pulse/aggregates.py): reads of the
posts, then the pulse rows in a fixed order, and never a lock on a post."""
from __future__ import annotations

from flask import has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from community.core import events
from community.feedback.models import Post
from community.pulse import aggregates, live

_DIRTY_KEY = "community.pulse.dirty"
# The columns a contribution depends on (triage.figures.counted_conditions and aggregates._contribution).
_WATCHED = ("kind", "created_at", "department_id", "product_id", "first_response_seconds", "resolved_at", "status",
            "merged_into_id", "is_hidden", "deleted_at")


def _note(session: Session, post_id) -> None:
    if post_id is not None:
        session.info.setdefault(_DIRTY_KEY, set()).add(post_id)


def _changed(post: Post) -> bool:
    state = inspect(post)
    return any(state.attrs[name].history.has_changes() for name in _WATCHED)


def _after_flush(session: Session, _flush_context) -> None:
    for post in session.new:
        if isinstance(post, Post):
            _note(session, post.id)
    for post in session.dirty:
        if isinstance(post, Post) and _changed(post):
            _note(session, post.id)
    for post in session.deleted:
        if isinstance(post, Post):
            _note(session, post.id)


def _before_commit(session: Session) -> None:
    if not session.info.get(_DIRTY_KEY) or not has_app_context():
        return
    session.flush()  # the last changes, and their notes
    ids = session.info.pop(_DIRTY_KEY, set())
    if ids and aggregates.refresh(ids, session.connection()):
        live.push_after_commit(session)


def _forget(session: Session, transaction) -> None:
    """The root transaction ended (a commit already took the notes; a rollback drops them).
    Notes taken inside a savepoint that rolled back stay: refreshing an unchanged item is a no-op."""
    if transaction.parent is None:
        session.info.pop(_DIRTY_KEY, None)


def _on_post_signal(sender, **_kwargs) -> None:
    from community.extensions import db

    if isinstance(sender, Post):
        _note(db.session(), sender.id)


def _on_public_change(sender=None, **_kwargs) -> None:
    """Official replies and shipped ideas move counters that have no bucket."""
    live.push_after_commit()


_POST_SIGNALS = (events.post_created, events.post_status_changed, events.post_merged, events.post_visibility_changed,
                 events.post_routed, events.official_reply_posted)


def connect() -> None:
    if getattr(connect, "_done", False):
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_transaction_end", _forget)
    for signal in _POST_SIGNALS:
        signal.connect(_on_post_signal, weak=False)
    for signal in (events.official_reply_posted, events.comment_deleted, events.post_visibility_changed):
        signal.connect(_on_public_change, weak=False)
    from community.roadmap.services import roadmap_item_shipped

    roadmap_item_shipped.connect(_on_public_change, weak=False)
    connect._done = True
