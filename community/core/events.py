"""Domain events and the after-commit queue.

Services send domain signals (blinker) inside the transaction. Listeners may write
durable rows (notifications, audit) in that same transaction; anything that leaves
the database (search index, socket pushes) goes through `after_commit()`, which
runs only once the transaction has committed and is dropped on rollback.
"""
from __future__ import annotations

import logging
from typing import Callable

from blinker import Namespace
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

domain = Namespace()

# Feedback lifecycle. Sender: the Post. Keyword arguments are listed beside each.
post_created = domain.signal("post.created")              # actor
post_edited = domain.signal("post.edited")                # actor, revision
post_routed = domain.signal("post.routed")                # actor, entry, previous_assignee_id
post_status_changed = domain.signal("post.status_changed")  # actor, entry, from_status, to_status
post_merged = domain.signal("post.merged")                # actor, target
post_voted = domain.signal("post.voted")                  # actor, voted (bool)
post_visibility_changed = domain.signal("post.visibility_changed")  # actor, what
comment_created = domain.signal("comment.created")        # sender: Comment; actor
comment_edited = domain.signal("comment.edited")          # sender: Comment; actor
comment_deleted = domain.signal("comment.deleted")        # sender: Comment; actor
official_reply_posted = domain.signal("post.official_reply")  # sender: Post; actor, comment, entry
user_sessions_revoked = domain.signal("user.sessions_revoked")  # sender: User; reason
content_held = domain.signal("content.held")              # sender: Post or Comment; actor, reasons
content_released = domain.signal("content.released")      # sender: held Post or Comment, now approved; actor

_QUEUE_KEY = "community.after_commit"


def after_commit(fn: Callable[[], None], session: Session | None = None) -> None:
    """Run `fn` after the current transaction commits (never if it rolls back).

    Outside any transaction work it still waits for the next commit, which is what
    callers want: side effects only ever see committed data.
    """
    if session is None:
        from community.extensions import db

        session = db.session()
    session.info.setdefault(_QUEUE_KEY, []).append(fn)


def _run_queue(session: Session) -> None:
    queue = session.info.pop(_QUEUE_KEY, None)
    for fn in queue or ():
        try:
            fn()
        except Exception:  # a side effect must never undo or break the user's write
            log.exception("after-commit side effect %r failed", fn)


def _drop_queue(session: Session) -> None:
    session.info.pop(_QUEUE_KEY, None)


def install_session_hooks() -> None:
    if getattr(install_session_hooks, "_done", False):
        return
    event.listen(Session, "after_commit", _run_queue)
    event.listen(Session, "after_soft_rollback", lambda session, previous: _drop_queue(session))
    install_session_hooks._done = True

# Note for callbacks: they run inside SQLAlchemy's after_commit hook, where the session
# cannot emit SQL. Capture plain values (ids, titles, payloads) when you queue them; a
# callback that needs the database opens its own connection.
