"""Domain events and the after-commit queue.

Services send domain signals (blinker) inside the transaction. Listeners may write
durable rows (notifications, audit) in that same transaction; anything that leaves
the database (search index, page cache, socket pushes) goes through `after_commit()`,
the one after-commit mechanism: it runs once the outermost transaction has committed, and a
rollback drops what it queued (a savepoint's rollback only what was queued inside it).
"""
from __future__ import annotations

import logging
from typing import Callable

from blinker import Namespace
from sqlalchemy import event
from sqlalchemy.orm import Session

from community.extensions import db

log = logging.getLogger(__name__)

domain = Namespace()

# The domain signals. Each is sent by a service inside the acting transaction, after its
# flush, so listeners see the change and may add rows to the same transaction (notifications,
# audit, holds); what leaves the database waits for the commit (after_commit below). `actor`
# is the acting user, or permissions.SYSTEM for the system (routing on submit, SLA jobs,
# escalations); never None. Receivers take **kwargs: arguments may be added.

post_created = domain.signal("post.created")
"""Sender: the new Post (feedback routed already). actor. By feedback.posting.submit_post."""

post_edited = domain.signal("post.edited")
"""Sender: Post. actor, revision (the Revision holding the text before). By feedback.posting.edit_post."""

post_routed = domain.signal("post.routed")
"""Sender: Post. actor (SYSTEM when routed on submit or by the system), entry (its TimelineEntry),
previous_assignee_id. When an item is routed, queued, reassigned or escalated
(feedback.lifecycle: route_post, reassign_post, system_assign)."""

post_status_changed = domain.signal("post.status_changed")
"""Sender: Post. actor (SYSTEM for the system), entry, from_status, to_status; roadmap sends
notify=False when it tells the followers itself. On every status change: staff, the author
confirming or reopening, the author answering needs_info, SLA jobs, roadmap shipping."""

post_merged = domain.signal("post.merged")
"""Sender: the duplicate Post. actor, target (the Post it was merged into), entry (the
duplicate's timeline entry). By feedback.merging.merge_posts, after votes and followers moved."""

post_voted = domain.signal("post.voted")
"""Sender: Post. actor, voted (True: added, False: withdrawn). Only when the vote changed."""

post_visibility_changed = domain.signal("post.visibility_changed")
"""Sender: Post. actor, what (the moderator action: hidden, unhidden, locked, unlocked, pinned,
unpinned, deleted, restored, or comment_hidden … comment_restored, sent with the comment's Post).
By moderation.content: moderate_post, moderate_comment and hold decisions."""

comment_created = domain.signal("comment.created")
"""Sender: the new Comment (also internal notes and official replies). actor."""

comment_edited = domain.signal("comment.edited")
"""Sender: Comment. actor. By feedback.conversation.edit_comment."""

comment_deleted = domain.signal("comment.deleted")
"""Sender: Comment (soft-deleted). actor. By feedback.conversation.delete_comment."""

official_reply_posted = domain.signal("post.official_reply")
"""Sender: Post. actor, comment (the official reply), entry. After comment_created, by
feedback.conversation.post_official_reply (before any status change it carries)."""

user_sessions_revoked = domain.signal("user.sessions_revoked")
"""Sender: User. reason (password_changed, suspended, banned). Realtime closes their sockets."""

content_held = domain.signal("content.held")
"""Sender: the held Post or Comment (saved, hidden from others). actor, reasons (screener codes).
By feedback when a screener holds new content; moderation records a Hold."""

content_released = domain.signal("content.released")
"""Sender: the held Post or Comment, now approved. actor (the moderator). By moderation."""

database_restored = domain.signal("database.restored")
"""Sender: the Flask app. manifest (the backup's manifest dict), echo (a print function for the
command's output). By `flask restore`, after the database was replaced: copies of rows (the
search index) rebuild themselves from it."""

_QUEUE_KEY = "community.after_commit"
_MARKS_KEY = "community.after_commit.savepoints"
_KEYS_KEY = "community.after_commit.keys"


_ALONE = object()  # a callback queued without an item: called with no arguments


def after_commit(fn: Callable, session: Session | None = None, *, key: str | None = None, item=_ALONE) -> bool:
    """Run `fn` after the current transaction commits (never if it rolls back).

    The one after-commit mechanism: socket pushes, cache drops and the search index all queue
    here. A savepoint (`begin_nested`, as the bulk actions use for each item) that rolls back
    drops only what was queued inside it, and one that is released runs nothing yet: the
    callbacks run once, when the outermost transaction commits.

    With `key`, a callback already queued under that key in this transaction stays and `fn` is
    not queued again; returns whether it was queued. With `item`, `fn` is called once with the
    list of every item queued with it (the search index takes a transaction's keys in one batch).

    Outside any transaction work it still waits for the next commit, which is what
    callers want: side effects only ever see committed data.
    """
    if session is None:
        session = db.session()
    queue = session.info.setdefault(_QUEUE_KEY, [])
    if key is not None:
        keys = session.info.setdefault(_KEYS_KEY, set())
        if key in keys:
            return False
        keys.add(key)
    queue.append((key, fn, item))
    return True


def _forget(session: Session) -> list:
    session.info.pop(_MARKS_KEY, None)
    session.info.pop(_KEYS_KEY, None)
    return session.info.pop(_QUEUE_KEY, None) or []


def _run_queue(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the outer transaction may still roll back
    calls, batches = [], {}
    for _key, fn, item in _forget(session):
        if item is _ALONE:
            calls.append((fn, ()))
        elif fn in batches:
            batches[fn].append(item)
        else:
            batches[fn] = [item]
            calls.append((fn, (batches[fn],)))
    for fn, args in calls:
        try:
            fn(*args)
        except Exception:  # a side effect must never undo or break the user's write
            log.exception("after-commit side effect %r failed", fn)


def _mark_savepoint(session: Session, transaction) -> None:
    if transaction.nested:
        session.info.setdefault(_MARKS_KEY, {})[transaction] = len(session.info.get(_QUEUE_KEY, ()))


def _rolled_back(session: Session, previous_transaction) -> None:
    """Drop what the rolled-back part queued: from its savepoint's mark on, or all of it."""
    boundary = previous_transaction
    while boundary is not None and not boundary.nested:  # a failed flush: up to its savepoint or the root
        boundary = boundary.parent
    marks = session.info.get(_MARKS_KEY, {})
    if boundary is None or boundary not in marks:
        _forget(session)
        return
    queue = session.info.get(_QUEUE_KEY, [])
    del queue[marks[boundary]:]
    session.info[_KEYS_KEY] = {key for key, _fn, _item in queue if key is not None}


def install_session_hooks() -> None:
    if getattr(install_session_hooks, "_done", False):
        return
    event.listen(Session, "after_transaction_create", _mark_savepoint)
    event.listen(Session, "after_commit", _run_queue)
    event.listen(Session, "after_soft_rollback", _rolled_back)
    install_session_hooks._done = True

# Note for callbacks: they run inside SQLAlchemy's after_commit hook, where the session
# cannot emit SQL. Capture plain values (ids, titles, payloads) when you queue them; a
# callback that needs the database opens its own connection.
