"""Live-update benchmark: 1,000 real Socket.IO clients, fan-out latency of one HTTP action.

    .venv/bin/python bench/realtime.py                    # 1,000 clients
    .venv/bin/python bench/realtime.py --clients 300 --rounds 3

What it does, in one run:
1. Builds a fresh database (migrations, then bulk inserts): one department, one contact, N
   members who all follow one feedback item. Session cookies are signed with the server's
   secret, so no N logins.
2. Starts the app as `make run` does (gunicorn gthread, one process) with enough threads
   (threading mode holds a thread per open WebSocket), raising the open-file limit first.
3. Connects N clients over the WebSocket transport. The client speaks the Engine.IO 4 /
   Socket.IO 5 wire protocol itself (websocket-client for the socket, a few selector threads
   to read), so 1,000 clients fit in one process; each joins the item's room like an open page.
4. The contact changes the item's status over HTTP (POST with CSRF, as the browser does), a
   few rounds. For each client it records when its `notification` (per-user room, one durable
   row each) and its `post.status` (the item room) arrive: latency from just before the POST.
5. Reports connect time, p50/p99 per event, the HTTP response time, and the server's RSS.
6. Repeats with 2 processes sharing Redis (clients split between them, the action on the
   first), if Redis answers on 127.0.0.1:6379.
7. Ceiling, same run and same client code: a bare python-socketio server (threading, same
   gunicorn command, no Flask/DB/rendering) fanning one event out to each client's own room,
   and broadcasting once to a shared room.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import websocket

from community.core.permissions import SYSTEM

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
SECRET = "bench-realtime-secret"
REDIS_URL = "redis://127.0.0.1:6379/14"
sys.path.insert(0, str(ROOT))


def raise_nofile(want: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(hard, max(soft, want))
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- data ---------------------------------------------------------------------------------

def build_database(workdir: Path, n_users: int) -> dict:
    import secrets

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from community import create_app
    from community.accounts.models import User
    from community.extensions import db
    from community.feedback import services as feedback
    from community.feedback.models import Follow
    from community.routing import services as routing

    app = create_app({"INSTANCE_PATH": str(workdir / "instance"), "SECRET_KEY": SECRET, "REDIS_URL": None,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'community.db'}",
                      "SEARCH_INDEX_DIR": str(workdir / "search_index"), "RATELIMIT_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        upgrade()
        from community.accounts import services as accounts

        dept = routing.create_department(SYSTEM, slug="cabin", name="车机软件部")
        cat = routing.create_category(SYSTEM, slug="ota", name="车机与OTA", department=dept)
        staff = accounts.register_user("zhanggong", "zg@example.test", "bench-password-1", role="staff")
        routing.add_department_member(SYSTEM, dept, staff)
        routing.set_contact(SYSTEM, dept, staff)
        author = accounts.register_user("laowang", "lw@example.test", "bench-password-1")
        post = feedback.submit_post(author, kind="feedback", title="车机蓝牙经常断连", body="升级之后蓝牙每天断好几次。",
                                    category=cat, feedback_type="bug")
        db.session.commit()
        pw = accounts.hash_password("bench-password-1")
        rows = [{"username": f"m{i:05d}", "email": f"m{i}@example.test", "password_hash": pw,
                 "display_name": f"车主{i}", "role": "member", "title": "", "security_stamp": secrets.token_hex(8)}
                for i in range(n_users)]
        db.session.execute(sa.insert(User), rows)
        users = db.session.execute(sa.select(User.id, User.security_stamp).where(User.username.like("m%"))).all()
        db.session.execute(sa.insert(Follow), [{"post_id": post.id, "user_id": uid} for uid, _ in users])
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        def cookie(uid, stamp):
            return serializer.dumps({"_user_id": f"{uid}:{stamp}", "_fresh": True})

        data = {"post_id": post.id, "member_cookies": [cookie(uid, stamp) for uid, stamp in users],
                "staff_cookie": cookie(staff.id, staff.security_stamp)}
        db.session.remove()
        db.engine.dispose()
    return data


# --- servers ------------------------------------------------------------------------------

class Server:
    def __init__(self, module: str, workdir: Path, threads: int, redis_url: str | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, INSTANCE_PATH=str(workdir / "instance"), SECRET_KEY=SECRET, RATELIMIT_ENABLED="0",
                   DATABASE_URL=f"sqlite:///{workdir / 'community.db'}", SEARCH_INDEX_DIR=str(workdir / "search_index"),
                   LOG_LEVEL="WARNING")
        env.pop("REDIS_URL", None)
        if redis_url:
            env["REDIS_URL"] = redis_url
        self.log = open(workdir / f"server-{self.port}.log", "wb")
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "--worker-class", "gthread", "-w", "1", "--threads", str(threads),
             "--worker-connections", str(threads * 2), "-b", f"127.0.0.1:{self.port}", "--timeout", "120", "--chdir", str(ROOT), module],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(self.url + "/socket.io/?EIO=4&transport=polling", timeout=1)
                break
            except requests.RequestException:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{module} did not start; see {self.log.name}")
                time.sleep(0.2)

    def rss_mb(self) -> float:
        """The worker's resident memory (gunicorn's master is not counted)."""
        pids = []
        try:
            for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
                pids += (task / "children").read_text().split()
        except OSError:
            pass
        total = 0
        for pid in pids or [str(self.proc.pid)]:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total / 1024

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


# --- clients ------------------------------------------------------------------------------

class Client:
    """One Socket.IO client on the WebSocket transport (Engine.IO 4 framing, Socket.IO 5 packets)."""

    def __init__(self, index: int, url: str, cookie: str | None, room: str | None):
        self.index = index
        ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(ws_url, header=[f"Cookie: session={cookie}"] if cookie else [],
                                              timeout=30, enable_multithread=True)
        opened = self.ws.recv()
        assert opened.startswith("0"), opened
        self.ws.send("40")
        connected = self.ws.recv()
        assert connected.startswith("40"), connected
        if room:
            self.ws.send('420["join",{"room":"%s"}]' % room)
            ack = self.ws.recv()
            while not ack.startswith("430"):
                ack = self.ws.recv()
            assert '"ok":true' in ack.replace(" ", ""), ack
        self.ws.sock.settimeout(None)
        self.arrivals: dict[str, list[float]] = {}

    def on_frame(self, frame: str, now: float) -> None:
        if frame == "2":  # Engine.IO ping → pong
            self.ws.send("3")
        elif frame.startswith("42["):
            name = frame[4:frame.index('"', 4)]
            self.arrivals.setdefault(name, []).append(now)


class Readers:
    """A few threads multiplexing all client sockets with selectors."""

    def __init__(self, clients, n_threads=4):
        self.stop = threading.Event()
        self.threads = []
        for part in range(n_threads):
            mine = clients[part::n_threads]
            t = threading.Thread(target=self._run, args=(mine,), daemon=True)
            t.start()
            self.threads.append(t)

    def _run(self, clients):
        sel = selectors.DefaultSelector()
        for c in clients:
            sel.register(c.ws.sock, selectors.EVENT_READ, c)
        while not self.stop.is_set():
            for key, _ in sel.select(timeout=0.2):
                c = key.data
                try:
                    frame = c.ws.recv()
                except Exception:
                    sel.unregister(key.fileobj)
                    continue
                c.on_frame(frame, time.perf_counter())
                while c.ws.sock.pending() if hasattr(c.ws.sock, "pending") else False:
                    c.on_frame(c.ws.recv(), time.perf_counter())


def connect_all(urls, n, cookies, room):
    started = time.perf_counter()
    with ThreadPoolExecutor(32) as pool:
        clients = list(pool.map(lambda i: Client(i, urls[i % len(urls)], cookies[i] if cookies else None, room),
                                range(n)))
    return clients, time.perf_counter() - started


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def measure(clients, action, rounds, events, timeout=30.0):
    """Run `action` `rounds` times; per event name, latencies (ms) of each client's receipt."""
    latencies = {e: [] for e in events}
    http_ms, missing = [], {e: 0 for e in events}
    for _ in range(rounds):
        for c in clients:
            c.arrivals.clear()
        t0 = time.perf_counter()
        action()
        http_ms.append((time.perf_counter() - t0) * 1000)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not all(all(c.arrivals.get(e) for c in clients) for e in events):
            time.sleep(0.02)
        for e in events:
            for c in clients:
                got = c.arrivals.get(e)
                if got:
                    latencies[e].append((got[0] - t0) * 1000)
                else:
                    missing[e] += 1
        time.sleep(0.3)
    return latencies, http_ms, missing


def status_action(url, staff_cookie, post_id):
    page = requests.get(f"{url}/posts/{post_id}", headers={"Cookie": f"session={staff_cookie}"})
    cookie = page.cookies.get("session", staff_cookie)  # the CSRF secret now lives in the session
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    http = requests.Session()
    statuses = ["in_progress", "needs_info"]

    def act():
        for _ in range(2):  # alternate in_progress ↔ needs_info, whatever the item's current status
            r = http.post(f"{url}/posts/{post_id}/status", data={"status": statuses[0], "note": "已复现，正在修复",
                                                                "csrf_token": csrf}, allow_redirects=False,
                          headers={"Cookie": f"session={cookie}"})
            statuses.reverse()
            if r.status_code == 302:
                return
        raise AssertionError(f"status change refused: {r.status_code}")
    return act


def report(label, n, connect_s, latencies, http_ms, missing, rss):
    out = {"label": label, "clients": n, "connect_s": round(connect_s, 2), "rss_mb": [round(r, 1) for r in rss],
           "http_ms_p50": round(pct(http_ms, 50), 1)}
    line = f"{label:<44} clients {n:>5}  connect {connect_s:6.2f}s  http p50 {pct(http_ms, 50):7.1f} ms"
    for e, values in latencies.items():
        out[e] = {"p50": round(pct(values, 50), 1), "p99": round(pct(values, 99), 1), "missing": missing[e]}
        line += f"\n{'':<46}{e:<14} p50 {pct(values, 50):7.1f} ms  p99 {pct(values, 99):7.1f} ms  missing {missing[e]}"
    line += f"\n{'':<46}server RSS {' + '.join(f'{r:.0f}' for r in rss)} MB"
    print(line, flush=True)
    return out


def close_all(clients, readers):
    readers.stop.set()
    for c in clients:
        try:
            c.ws.close(timeout=0.1)
        except Exception:
            pass


def run_app(workdir, data, n, rounds, threads, redis_url=None, processes=1):
    servers = [Server("app:app", workdir, threads, redis_url) for _ in range(processes)]
    try:
        cookies = data["member_cookies"][:n]
        clients, connect_s = connect_all([s.url for s in servers], n, cookies, f"post:{data['post_id']}")
        readers = Readers(clients)
        action = status_action(servers[0].url, data["staff_cookie"], data["post_id"])
        lat, http_ms, missing = measure(clients, action, rounds, ["notification", "post.status"])
        rss = [s.rss_mb() for s in servers]
        close_all(clients, readers)
        label = f"app, {processes} process{'es + Redis' if processes > 1 else ''}"
        return report(label, n, connect_s, lat, http_ms, missing, rss)
    finally:
        for s in servers:
            s.stop()


def run_ceiling(workdir, n, rounds, threads):
    server = Server("bench.realtime_ceiling_app:app", workdir, threads)
    try:
        clients, connect_s = connect_all([server.url], n, None, None)
        readers = Readers(clients)
        def fan():
            return requests.post(server.url + "/fanout")

        lat, http_ms, missing = measure(clients, fan, rounds, ["notification"])
        def bc():
            return requests.post(server.url + "/broadcast")

        lat2, http2, missing2 = measure(clients, bc, rounds, ["post.status"])
        lat.update(lat2)
        missing.update(missing2)
        rss = [server.rss_mb()]
        close_all(clients, readers)
        return report("ceiling: bare python-socketio", n, connect_s, lat, http_ms, missing, rss)
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-redis", action="store_true")
    args = parser.parse_args()
    limit = raise_nofile(4 * args.clients + 1024)
    threads = args.clients + 64
    print(f"open-file limit {limit}; gunicorn gthread -w 1 --threads {threads}; {os.cpu_count()} CPUs", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="bench-realtime-"))
    results = {}
    try:
        started = time.perf_counter()
        data = build_database(workdir, args.clients)
        print(f"data set: {args.clients} members following one item ({time.perf_counter() - started:.1f}s)", flush=True)
        results["ceiling"] = run_ceiling(workdir, args.clients, args.rounds, threads)
        results["app_1"] = run_app(workdir, data, args.clients, args.rounds, threads)
        if args.no_redis:
            print("2 processes + Redis: skipped (--no-redis)")
        else:
            try:
                import redis

                redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
                results["app_2_redis"] = run_app(workdir, data, args.clients, args.rounds, threads // 2 + 64,
                                                 REDIS_URL, processes=2)
            except Exception as exc:  # noqa: BLE001 - report and go on
                print(f"2 processes + Redis: skipped ({exc})")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"realtime-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
