"""`pulse.counters` to the public room after the commit of a change: coalesced, at most one
push per second (PULSE_PUSH_INTERVAL), computed on the dispatcher thread with fresh figures."""
from __future__ import annotations

import threading
import time

from flask import current_app, has_app_context

from community.core.database import write_intent
from community.core.events import after_commit
from community.extensions import db
from community.pulse import serializers, services
from community.realtime import services as realtime

_lock = threading.Lock()
_state = {"scheduled": False, "last": 0.0}


def push_after_commit(session=None) -> None:
    if not has_app_context():
        return
    app = current_app._get_current_object()
    after_commit(lambda: _schedule(app), session, key="pulse.push")


def _schedule(app) -> None:
    services.forget_cache()  # this process's pages see the change at once; others within the TTL
    interval = float(app.config.get("PULSE_PUSH_INTERVAL", 1.0))
    with _lock:
        if _state["scheduled"]:
            return  # the push already waiting will carry this change too
        _state["scheduled"] = True
        delay = max(0.0, _state["last"] + interval - time.monotonic())

    def fire():
        with _lock:
            _state["scheduled"] = False
            _state["last"] = time.monotonic()
        token = write_intent.set(False)  # a read: never take SQLite's write lock
        try:
            with app.app_context():
                try:
                    services.forget_cache()
                    data = serializers.push_payload(services.counters())
                finally:
                    db.session.remove()
        finally:
            write_intent.reset(token)
        realtime.emit("pulse.counters", data, room="public")

    if delay <= 0:
        realtime.dispatcher.submit(fire, realtime.URGENT)
    else:
        timer = threading.Timer(delay, lambda: realtime.dispatcher.submit(fire, realtime.URGENT))
        timer.daemon = True
        timer.start()
