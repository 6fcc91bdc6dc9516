"""The notifications' Socket.IO client event: `sync`, the catch-up after a reconnect."""
from __future__ import annotations

from flask_login import current_user

from community.core.errors import ValidationFailed
from community.extensions import socketio
from community.notifications import services
from community.realtime.sockets import client_event, refuse


@client_event
def on_sync(data):
    """Reconnect catch-up: every notification after `after_id`, oldest first, each once."""
    user = current_user
    if not user.is_authenticated:
        return refuse("login_required")
    try:
        rows = services.notifications_after(user, data.get("after_id", 0))
    except ValidationFailed:
        return refuse("bad_request")
    return {"ok": True, "items": [services.serialize(r) for r in rows],
            "more": len(rows) >= services.SYNC_LIMIT, "unread": services.unread_count(user)}


def register() -> None:
    socketio.on_event("sync", on_sync)
