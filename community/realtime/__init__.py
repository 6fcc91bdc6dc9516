"""Live updates over Socket.IO: rooms per user, per item and public; pushes after commit."""
from __future__ import annotations


def init_app(app):
    from community.realtime import listeners, sockets

    sockets.register()
    listeners.connect()
    app.config.setdefault("SOCKETIO_EVENT_RATE", 5.0)      # client events per second, per connection
    app.config.setdefault("SOCKETIO_EVENT_BURST", 30)
    app.config.setdefault("SOCKETIO_MAX_REFUSED_EVENTS", 200)  # then the socket is closed
