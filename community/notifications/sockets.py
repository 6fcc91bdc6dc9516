"""The notifications' Socket.IO client event: `sync`, the catch-up by the set of shown ids."""
from __future__ import annotations

from flask_login import current_user

from community.core.errors import ValidationFailed
from community.extensions import socketio
from community.notifications import services
from community.realtime.sockets import client_event, refuse


@client_event
def on_sync(data):
    """Catch-up (on connect, on "resync", periodically): notifications after `after_id` not in `seen`."""
    user = current_user
    if not user.is_authenticated:
        return refuse("login_required")
    try:
        rows = services.notifications_after(user, data.get("after_id", 0), seen=data.get("seen", ()))
    except ValidationFailed:
        return refuse("bad_request")
    return {"ok": True, "items": [services.serialize(r) for r in rows],
            "more": len(rows) >= services.SYNC_LIMIT, "unread": services.unread_count(user)}


def register() -> None:
    socketio.on_event("sync", on_sync)
