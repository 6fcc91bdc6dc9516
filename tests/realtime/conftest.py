"""Socket.IO test clients that share the HTTP client's session, each call in its own context
(like production, where every socket event gets a fresh app context, `g` and DB session)."""
from __future__ import annotations

import contextvars

import pytest

from community.extensions import db, socketio
from community.realtime.services import drain


class LiveClient:
    def __init__(self, app, http_client):
        db.session.commit()
        self._sio = contextvars.Context().run(socketio.test_client, app, flask_test_client=http_client)

    def __getattr__(self, name):
        attr = getattr(self._sio, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            db.session.commit()
            return contextvars.Context().run(attr, *args, **kwargs)

        return call

    def received(self, name=None):
        """Everything pushed so far (after the after-commit dispatcher has run)."""
        assert drain(), "live push dispatcher stuck"
        if not self._sio.is_connected():
            return []
        events = self._sio.get_received()
        return [e for e in events if name is None or e["name"] == name]

    def join(self, room):
        return self.emit("join", {"room": room}, callback=True)


@pytest.fixture
def live(app):
    """live(http_client) → a Socket.IO test client logged in as that HTTP client."""
    made = []

    def factory(http_client):
        c = LiveClient(app, http_client)
        made.append(c)
        return c

    yield factory
    for c in made:
        if c.is_connected():
            c.disconnect()
