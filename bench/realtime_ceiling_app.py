"""The ceiling for bench/realtime.py: a bare python-socketio server (threading mode, same gunicorn
command) with no Flask, no database and no rendering. POST /fanout emits one small event to each
connected client's own room (like per-user notifications); POST /broadcast emits once to a shared room."""
import json
import time

import socketio

sio = socketio.Server(async_mode="threading", cors_allowed_origins=None, max_http_buffer_size=16 * 1024)
_sids: list[str] = []


@sio.event
def connect(sid, environ, auth=None):
    sio.enter_room(sid, f"user:{sid}")
    sio.enter_room(sid, "post:1")
    _sids.append(sid)


@sio.event
def disconnect(sid, reason=None):
    if sid in _sids:
        _sids.remove(sid)


def _http(environ, start_response):
    path = environ.get("PATH_INFO")
    payload = {"sent_at": time.time(), "text": "“车机蓝牙经常断连” is now In progress"}
    if path == "/fanout":
        for sid in list(_sids):
            sio.emit("notification", {"notification": payload, "unread": 1}, to=f"user:{sid}")
    elif path == "/broadcast":
        sio.emit("post.status", payload, to="post:1")
    body = json.dumps({"clients": len(_sids)}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


app = socketio.WSGIApp(sio, _http)
