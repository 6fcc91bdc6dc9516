"""Gunicorn settings for `make run`: say where the app is only once it can answer, and stop
quickly on SIGTERM.

`post_worker_init` runs in the worker after it has loaded the app, with the socket already
listening, so the printed address answers as soon as the line appears.
"""
import logging
import signal
import threading

# The app decides how long an address may be (MAX_URL_BYTES) and answers its own localized
# 414: gunicorn's default (4,094 bytes) refused a 2,000-character Chinese search with its
# English HTML page. 0 lifts gunicorn's limit (it still stops reading at 1 MB).
limit_request_line = 0

# After SIGTERM, requests in flight get this long to finish. Open Socket.IO connections are
# closed first (below): each held a thread until gunicorn's default 30 s ran out, and the
# server answered nothing meanwhile.
graceful_timeout = 5

log = logging.getLogger("gunicorn.error")


def post_worker_init(worker):
    _close_sockets_on_sigterm(worker)
    urls = ", ".join(f"http://{address}/" for address in worker.cfg.bind)
    print(f"\n  共创社区 is running at {urls}\n"
          "  Demo logins (password: demo12345): admin / staff: zhanggong / member: laowang\n"
          "  Stop with Ctrl+C.\n", flush=True)


def _close_sockets_on_sigterm(worker):
    graceful_exit = worker.handle_exit

    def handle_exit(sig, frame):
        graceful_exit(sig, frame)  # stop accepting; let requests in flight finish
        # Not in the signal handler itself: disconnecting takes locks the interrupted code may hold.
        threading.Thread(target=_disconnect_sockets, name="close-sockets", daemon=True).start()

    worker.handle_exit = handle_exit
    signal.signal(signal.SIGTERM, handle_exit)


def _disconnect_sockets():
    from community.extensions import socketio

    server = getattr(socketio, "server", None)
    if server is None:
        return
    eio = server.eio
    sockets = list(eio.sockets.values())
    for sock in sockets:
        try:
            # Without waiting for the send queue: each connection's own thread sends the close
            # packet, returns from its request and frees its thread.
            sock.close(wait=False, reason=eio.reason.SERVER_DISCONNECT)
        except Exception:  # shutting down regardless
            log.exception("closing a Socket.IO connection failed")
    log.info("closed %d Socket.IO connections for shutdown", len(sockets))
