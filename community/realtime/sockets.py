"""Socket.IO handlers: authenticate on connect, check every room join, rate-limit client events.

Rooms: `user:<id>` (joined on connect, never by request), `post:<id>` and `post:<id>:staff`
(joined on request after `can_view_post`; the staff room carries internal notes), `public`.
Room names are not authorization: every join is checked here, server-side.
"""
from __future__ import annotations

import functools
import logging
import re
import threading
import time

from flask import current_app, request
from flask_login import current_user
from flask_socketio import join_room, leave_room

from community.core import permissions
from community.core.database import write_intent
from community.extensions import db, socketio
from community.feedback.models import Post
from community.realtime.services import presence

log = logging.getLogger(__name__)

POST_ROOM_RE = re.compile(r"^post:(\d{1,12})$")
MAX_ROOM_NAME = 64


class TokenBucket:
    """Per-connection limit: `burst` events at once, refilled at `rate` per second."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = float(burst), time.monotonic()
        self.refused = 0

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.refused += 1
        return False


_buckets: dict[str, TokenBucket] = {}
_socket_users: dict[str, int] = {}
_state_lock = threading.Lock()


def refuse(code: str) -> dict:
    """The ack of a refused client event."""
    return {"ok": False, "error": code}


def client_event(handler):
    """Rate limit and shape-check a client event; answer through the ack."""

    @functools.wraps(handler)
    def wrapper(data=None, *args):
        with _state_lock:
            bucket = _buckets.get(request.sid)
        if bucket is None or not bucket.take():
            if bucket is not None and bucket.refused > current_app.config.get("SOCKETIO_MAX_REFUSED_EVENTS", 200):
                log.warning("socket %s disconnected: too many events", request.sid)
                socketio.server.disconnect(request.sid, namespace="/")
            return refuse("rate_limited")
        if data is not None and not isinstance(data, dict):
            return refuse("bad_request")
        write_intent.set(False)  # socket events only read: no SQLite write lock (fresh context per event)
        return handler(data or {})

    return wrapper


def on_connect(auth=None):
    write_intent.set(False)
    config = current_app.config
    with _state_lock:
        _buckets[request.sid] = TokenBucket(config.get("SOCKETIO_EVENT_RATE", 5.0), config.get("SOCKETIO_EVENT_BURST", 30))
    user = current_user
    if user.is_authenticated:
        join_room(f"user:{user.id}")
        with _state_lock:
            _socket_users[request.sid] = user.id
        presence.add(user.id, request.sid)
    return True


def on_disconnect(reason=None):
    with _state_lock:
        _buckets.pop(request.sid, None)
        user_id = _socket_users.pop(request.sid, None)
    if user_id is not None:
        presence.remove(user_id, request.sid)


@client_event
def on_join(data):
    room = data.get("room")
    if not isinstance(room, str) or len(room) > MAX_ROOM_NAME:
        return refuse("bad_request")
    if room == "public":
        join_room("public")
        return {"ok": True, "rooms": ["public"]}
    user = current_user
    if room.startswith("user:"):
        # Joined on connect; asking for someone else's room gets the same answer as a missing one.
        if user.is_authenticated and room == f"user:{user.id}" and _socket_users.get(request.sid) == user.id:
            return {"ok": True, "rooms": [room]}
        return refuse("not_found")
    match = POST_ROOM_RE.match(room)
    if not match:
        return refuse("not_found")
    post = db.session.get(Post, int(match.group(1)))
    if post is None or not permissions.can_view_post(user, post):
        return refuse("not_found")
    rooms = []
    if post.is_public:
        rooms.append(room)
    if permissions.can_see_internal_notes(user):
        rooms.append(f"{room}:staff")
    for name in rooms:
        join_room(name)
    return {"ok": True, "rooms": rooms}


@client_event
def on_leave(data):
    room = data.get("room")
    if not isinstance(room, str) or len(room) > MAX_ROOM_NAME or room.startswith("user:"):
        return refuse("bad_request")
    leave_room(room)
    leave_room(f"{room}:staff")
    return {"ok": True}


HANDLERS = {"connect": on_connect, "disconnect": on_disconnect, "join": on_join, "leave": on_leave}


def register() -> None:
    """Attach the handlers to the current Socket.IO server (create_app builds a new one each time).

    Domains above add their own client events with `socketio.on_event(name, client_event(fn))`
    (notifications: `sync`)."""
    for event, handler in HANDLERS.items():
        socketio.on_event(event, handler)
