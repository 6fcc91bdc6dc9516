"""Live pushes: emit after commit, on one dispatcher thread, never raising into the request.

Every emit goes through `socketio.emit`, so with `REDIS_URL` it is published on the
message queue and reaches clients connected to any process (and CLI processes can emit).
If Redis is down the emit is logged and dropped; the durable rows are already committed,
and clients catch up with the "sync" event when they reconnect.
"""
from __future__ import annotations

import itertools
import logging
import os
import queue
import threading
from typing import Callable

import sqlalchemy as sa
from flask import current_app

from community.core import permissions
from community.core.database import write_intent
from community.core.events import after_commit
from community.extensions import db, socketio
from community.feedback.models import Comment, Post

log = logging.getLogger(__name__)

QUEUE_SIZE = 10_000


URGENT, NORMAL, LAST = 0, 1, 2  # room broadcasts (one emit each) go before large per-user fan-outs


class _Dispatcher:
    """One thread per process, so a slow or dead message queue never delays an HTTP response."""

    def __init__(self):
        self._queue: queue.PriorityQueue = queue.PriorityQueue(maxsize=QUEUE_SIZE)
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self._pid = None
        self._lock = threading.Lock()

    def submit(self, job: Callable[[], None], priority: int = NORMAL) -> None:
        self._ensure_thread()
        try:
            self._queue.put_nowait((priority, next(self._seq), job))
        except queue.Full:
            log.error("live push dropped: dispatcher queue full (%d jobs)", QUEUE_SIZE)

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until every queued push has been emitted (tests, shutdown)."""
        done = threading.Event()
        self.submit(done.set, LAST)
        return done.wait(timeout)

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="realtime-dispatch", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            _priority, _seq, job = self._queue.get()
            try:
                job()
            except Exception:  # a push must never kill the dispatcher
                log.exception("live push failed")


dispatcher = _Dispatcher()


def emit(event: str, payload, *, room: str) -> None:
    """Emit now; failures (e.g. the message queue is unreachable) are logged, never raised."""
    try:
        socketio.emit(event, payload, to=room)
    except Exception:
        log.exception("could not emit %s to %s", event, room)


def emit_after_commit(event: str, payload, *, room: str) -> None:
    """Queue an emit of plain `payload` for after the current transaction commits.
    Shared rooms (an item, public) go first: one emit there reaches every open page at once."""
    priority = NORMAL if room.startswith("user:") else URGENT
    after_commit(lambda: dispatcher.submit(lambda: emit(event, payload, room=room), priority))


def emit_many_after_commit(emits: list[tuple[str, object, str]]) -> None:
    """Queue several (event, payload, room) emits as one dispatcher job, in order."""
    if not emits:
        return

    def job():
        for event, payload, room in emits:
            emit(event, payload, room=room)

    after_commit(lambda: dispatcher.submit(job))


def run_after_commit(job: Callable[[], None], *, key: str | None = None) -> None:
    """Run `job` on the dispatcher, ahead of fan-outs, once the transaction commits; with `key`,
    once per transaction however often it is asked for."""
    after_commit(lambda: dispatcher.submit(job, URGENT), key=key)


def read_committed(fn: Callable[[sa.Connection], object]):
    """Run `fn(connection)` on its own connection as a read (never SQLite's write lock): what a
    push job reads after the commit, outside the request's session."""
    token = write_intent.set(False)
    try:
        with db.engine.connect() as conn:
            return fn(conn)
    finally:
        write_intent.reset(token)


def drain(timeout: float = 5.0) -> bool:
    return dispatcher.drain(timeout)


# Public live counters (for the public dashboard) --------------------------------------

_counters_pending = threading.Event()
_counters_lock = threading.Lock()


def refresh_public_counters_after_commit() -> None:
    """Coalesced: a burst of new posts recounts once, on the dispatcher, with its own connection.

    The "already queued" check runs after the commit, and the job clears the flag before it reads:
    a commit that skips queuing always has a recount that starts after it (checked before the
    commit, a recount already reading could miss this commit and push stale numbers last)."""
    app = current_app._get_current_object()

    def job():
        _counters_pending.clear()
        with app.app_context():
            counters = public_counters()
        emit("counters", counters, room="public")

    def queue_job():
        with _counters_lock:
            if _counters_pending.is_set():
                return
            _counters_pending.set()
        dispatcher.submit(job)

    after_commit(queue_job, key="realtime.public_counters")


def public_counters() -> dict:
    def count(conn):
        posts = conn.execute(sa.select(sa.func.count()).select_from(Post).where(
            permissions.visible_posts_clause(None, Post))).scalar_one()
        responses = conn.execute(sa.select(sa.func.count()).select_from(Comment).where(
            Comment.is_official.is_(True), permissions.public_comments_clause(Comment))).scalar_one()
        return {"posts": posts, "responses": responses}

    return read_committed(count)


# Who is connected where (to disconnect a user's sockets on logout, ban or password change) --

class Presence:
    """user id → socket ids. Local always; mirrored in Redis when REDIS_URL is set, so a
    logout handled by one process can disconnect sockets held by another."""

    KEY = "community:realtime:sids:{}"
    TTL = 2 * 86400

    def __init__(self):
        self._local: dict[int, set[str]] = {}
        self._lock = threading.Lock()
        self._redis = None
        self._redis_url = None

    def _client(self):
        url = current_app.config.get("REDIS_URL")
        if not url:
            return None
        if self._redis is None or self._redis_url != url:
            import redis

            self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
            self._redis_url = url
        return self._redis

    def add(self, user_id: int, sid: str) -> None:
        with self._lock:
            self._local.setdefault(user_id, set()).add(sid)
        try:
            client = self._client()
            if client is not None:
                key = self.KEY.format(user_id)
                client.pipeline().sadd(key, sid).expire(key, self.TTL).execute()
        except Exception:
            log.exception("presence: could not record socket %s of user %s", sid, user_id)

    def remove(self, user_id: int, sid: str) -> None:
        with self._lock:
            sids = self._local.get(user_id)
            if sids is not None:
                sids.discard(sid)
                if not sids:
                    del self._local[user_id]
        try:
            client = self._client()
            if client is not None:
                client.srem(self.KEY.format(user_id), sid)
        except Exception:
            log.exception("presence: could not forget socket %s of user %s", sid, user_id)

    def sids(self, user_id: int) -> set[str]:
        with self._lock:
            found = set(self._local.get(user_id, ()))
        try:
            client = self._client()
            if client is not None:
                found |= {s.decode() for s in client.smembers(self.KEY.format(user_id))}
        except Exception:
            log.exception("presence: could not list sockets of user %s", user_id)
        return found


presence = Presence()


def disconnect_user(user_id: int, reason: str) -> int:
    """Close every socket of `user_id`, in this process or (through the queue) in others."""
    sids = presence.sids(user_id)
    emit("session.ended", {"reason": reason}, room=f"user:{user_id}")
    for sid in sids:
        try:
            socketio.server.disconnect(sid, namespace="/")
        except Exception:
            log.exception("could not disconnect socket %s of user %s", sid, user_id)
    # Whoever was in the room but not in the registry (e.g. Redis was down at connect) is
    # dropped from it, so no further private pushes reach a stale socket.
    try:
        socketio.close_room(f"user:{user_id}", namespace="/")
    except Exception:
        log.exception("could not close the room of user %s", user_id)
    return len(sids)
