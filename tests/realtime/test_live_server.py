"""Real server processes and the real python-socketio client (websocket transport).

Single process, two processes sharing Redis, and a Redis outage. Marked slow; they still run
in the suite and take a few seconds each.
"""
from __future__ import annotations

import queue
import shutil
import sqlite3
import threading
import time

import pytest
import requests
import socketio

from tests import factories
from tests.conftest import build_app
from tests.realtime.servers import PrivateRedis, Server, cookie_header, login, redis_reachable

pytestmark = pytest.mark.slow

SHARED_REDIS = "redis://127.0.0.1:6379/13"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, migrated_db):
    """A migrated database with a department, staff, two members and three posts."""
    from community.extensions import db

    workdir = tmp_path_factory.mktemp("live")
    db_path = workdir / "community.db"
    shutil.copy(migrated_db, db_path)
    app = build_app(workdir, SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_path}")
    with app.app_context():
        w = factories.world()
        other = factories.user()
        posts = [w["post"]] + [factories.post(w["member"], w["category"], title=f"第{i}个问题：导航卡顿") for i in (2, 3)]
        db.session.commit()
        data = {"workdir": workdir, "db": db_path, "member": w["member"].username, "other": other.username,
                "staff": w["contact"].username, "member_id": w["member"].id, "posts": [p.id for p in posts]}
        db.session.remove()
        db.engine.dispose()
    return data


@pytest.fixture(scope="module")
def server(seeded):
    s = Server(seeded["workdir"], seeded["db"]).wait_ready()
    yield s
    s.stop()


class Listener:
    """A real python-socketio client recording every event it receives."""

    def __init__(self, server, http=None, *, headers=None):
        self.events: queue.Queue = queue.Queue()
        self.seen: list = []
        self.disconnected = threading.Event()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("*", lambda event, data=None: self.events.put((event, data)))
        self.sio.on("disconnect", lambda *args: self.disconnected.set())
        all_headers = dict(headers or {})
        if http is not None:
            all_headers["Cookie"] = cookie_header(http)
        self.sio.connect(server.url, headers=all_headers, transports=["websocket"], wait_timeout=5)

    def wait_for(self, name, predicate=lambda data: True, timeout=5.0):
        for event, data in self.seen:  # events may arrive in any order
            if event == name and predicate(data):
                return data
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event, data = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append((event, data))
            if event == name and predicate(data):
                return data
        raise AssertionError(f"no {name!r} within {timeout}s; got {[e for e, _ in self.seen]}")

    def call(self, event, data):
        return self.sio.call(event, data, timeout=5)

    def close(self):
        if self.sio.connected:
            self.sio.disconnect()


def comment(server, http, post_id, body, **extra):
    response = http.post(f"{server.url}/posts/{post_id}/comments",
                         data={"body": body, "csrf_token": http.csrf, **extra}, allow_redirects=False)
    assert response.status_code == 302, response.text[:300]
    return int(response.headers["Location"].rsplit("#comment-", 1)[1])


def test_single_process_live_updates_security_and_logout(seeded, server):
    password = factories.PASSWORD
    member, other, staff = (login(server, seeded[k], password) for k in ("member", "other", "staff"))
    post_id = seeded["posts"][0]
    member_sock, anon_sock = Listener(server, member), Listener(server)
    try:
        assert member_sock.call("join", {"room": f"post:{post_id}"}) == {"ok": True, "rooms": [f"post:{post_id}"]}
        assert anon_sock.call("join", {"room": f"post:{post_id}"})["ok"]
        assert anon_sock.call("join", {"room": f"user:{seeded['member_id']}"}) == {"ok": False, "error": "not_found"}

        comment_id = comment(server, other, post_id, "我这边也一样，重启车机才好。")
        created = anon_sock.wait_for("comment.created", lambda d: d["comment_id"] == comment_id)
        assert "重启车机才好" in created["html"]["zh_CN"]
        note = member_sock.wait_for("notification", lambda d: d["notification"]["comment_id"] == comment_id)
        assert note["notification"]["kind"] == "reply" and note["unread"] >= 1

        internal_id = comment(server, staff, post_id, "内部备注：已转给蓝牙供应商", internal="1")
        # A public comment after it: pushes leave one dispatcher in order, so once this one has
        # arrived, a leaked internal note would have arrived before it.
        after_id = comment(server, other, post_id, "补充一下：重启以后好了一天。")
        for sock in (member_sock, anon_sock):
            sock.wait_for("comment.created", lambda d: d["comment_id"] == after_id)
        leaked = [e for e in member_sock.seen + anon_sock.seen if e[0] == "comment.created"
                  and e[1]["comment_id"] == internal_id]
        assert leaked == []

        # Same-origin only: a handshake from another site is refused before any session exists.
        evil = requests.get(f"{server.url}/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://evil.example"})
        assert evil.status_code == 400
        same = requests.get(f"{server.url}/socket.io/?EIO=4&transport=polling", headers={"Origin": server.url})
        assert same.status_code == 200
        with pytest.raises(socketio.exceptions.ConnectionError):
            Listener(server, member, headers={"Origin": "http://evil.example"})

        # Messages are bounded (16 KB): an oversized one closes that connection only.
        big = Listener(server)
        big.sio.emit("join", {"room": "x" * 40_000})
        assert big.disconnected.wait(5)
        assert anon_sock.sio.connected

        # Logging out over HTTP closes that user's live sockets.
        logout = member.post(f"{server.url}/logout", data={"csrf_token": member.csrf}, allow_redirects=False)
        assert logout.status_code == 302
        assert member_sock.disconnected.wait(5)
        assert anon_sock.sio.connected
    finally:
        member_sock.close()
        anon_sock.close()


def test_offline_then_reconnect_gets_missed_notifications_exactly_once(seeded, server):
    password = factories.PASSWORD
    member, other = login(server, seeded["member"], password), login(server, seeded["other"], password)
    sock = Listener(server, member)
    last_seen = max([n["id"] for n in sock.call("sync", {"after_id": 0})["items"]] or [0])
    sock.close()
    missed = {comment(server, other, post_id, f"离线期间的回复 {post_id}") for post_id in seeded["posts"][1:]}
    sock = Listener(server, member)
    try:
        reply = sock.call("sync", {"after_id": last_seen})
        got = [n["id"] for n in reply["items"]]
        assert {n["comment_id"] for n in reply["items"]} == missed and len(got) == len(set(got)) == 2
        assert sock.call("sync", {"after_id": max(got)})["items"] == []
        # A reply after the reconnect (on another post) arrives live; anything replayed on
        # connect would have come before it.
        fresh = comment(server, other, seeded["posts"][0], "上线以后的新回复")
        sock.wait_for("notification", lambda d: d["notification"]["comment_id"] == fresh)
        live_after = [d["notification"]["id"] for e, d in sock.seen if e == "notification"]
        assert not set(live_after) & set(got)  # nothing is delivered twice
    finally:
        sock.close()


@pytest.mark.skipif(not redis_reachable(SHARED_REDIS), reason="Redis on 127.0.0.1:6379 is not reachable")
def test_two_processes_share_pushes_and_logouts_through_redis(seeded):
    a = Server(seeded["workdir"], seeded["db"], redis_url=SHARED_REDIS)
    b = Server(seeded["workdir"], seeded["db"], redis_url=SHARED_REDIS)
    try:
        a.wait_ready(), b.wait_ready()
        password = factories.PASSWORD
        member_on_a, other_on_a = login(a, seeded["member"], password), login(a, seeded["other"], password)
        post_id = seeded["posts"][0]
        sock_on_b = Listener(b, member_on_a)  # the same session cookie, connected to the other process
        try:
            assert sock_on_b.call("join", {"room": f"post:{post_id}"})["ok"]
            comment_id = comment(a, other_on_a, post_id, "通过进程 A 发出的评论")
            sock_on_b.wait_for("comment.created", lambda d: d["comment_id"] == comment_id)
            sock_on_b.wait_for("notification", lambda d: d["notification"]["comment_id"] == comment_id)
            member_on_a.post(f"{a.url}/logout", data={"csrf_token": member_on_a.csrf}, allow_redirects=False)
            assert sock_on_b.disconnected.wait(5), "logout on A must close the socket held by B"
        finally:
            sock_on_b.close()
    finally:
        a.stop()
        b.stop()


@pytest.mark.skipif(not PrivateRedis.available(), reason="redis-server binary not installed")
def test_redis_outage_keeps_the_write_and_delivery_resumes(seeded):
    redis = PrivateRedis(seeded["workdir"]).start()
    server = Server(seeded["workdir"], seeded["db"], redis_url=redis.url)
    try:
        server.wait_ready()
        password = factories.PASSWORD
        member, other = login(server, seeded["member"], password), login(server, seeded["other"], password)
        post_id = seeded["posts"][0]
        sock = Listener(server, member)
        try:
            assert sock.call("join", {"room": f"post:{post_id}"})["ok"]
            redis.stop()
            during = comment(server, other, seeded["posts"][1], "Redis 宕机期间发出的评论")  # the HTTP write succeeds
            with sqlite3.connect(seeded["db"]) as conn:
                assert conn.execute("SELECT count(*) FROM notifications WHERE comment_id = ?", (during,)).fetchone()[0] == 1
            deadline = time.monotonic() + 5
            while "Cannot publish to redis" not in server.log() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert "Cannot publish to redis" in server.log()
            redis.start()
            # The server's subscriber reconnects with backoff; live delivery resumes by itself.
            deadline = time.monotonic() + 20
            while True:
                after = comment(server, other, post_id, "Redis 恢复之后的评论")
                try:
                    sock.wait_for("comment.created", lambda d: d["comment_id"] == after, timeout=1.5)
                    break
                except AssertionError:
                    assert time.monotonic() < deadline, server.log()[-2000:]
            missed = sock.call("sync", {"after_id": 0})["items"]
            assert during in {n["comment_id"] for n in missed}  # and the missed one is there on sync
        finally:
            sock.close()
    finally:
        server.stop()
        redis.stop()


@pytest.mark.skipif(not PrivateRedis.available(), reason="redis-server binary not installed")
def test_pushes_lost_in_a_redis_outage_reach_clients_of_other_processes_exactly_once(seeded):
    """A client on process A; comments arrive through B. Redis is killed while B writes one:
    A never gets that push. When Redis is back A tells its clients to resync, and the sync by
    the set of shown ids returns the missed row even though a newer one arrived live first."""
    redis = PrivateRedis(seeded["workdir"]).start()
    a = Server(seeded["workdir"], seeded["db"], redis_url=redis.url)
    b = Server(seeded["workdir"], seeded["db"], redis_url=redis.url)
    try:
        a.wait_ready(), b.wait_ready()
        password = factories.PASSWORD
        member, other_on_b = login(a, seeded["member"], password), login(b, seeded["other"], password)
        post_id = seeded["posts"][2]
        baseline = max([n["id"] for n in Listener(a, member).call("sync", {"after_id": 0})["items"]] or [0])
        sock = Listener(a, member)
        try:
            first = comment(b, other_on_b, post_id, "中断之前的评论")
            shown = [sock.wait_for("notification", lambda d: d["notification"]["comment_id"] == first)
                     ["notification"]["id"]]
            redis.kill()
            missed = comment(b, other_on_b, seeded["posts"][1], "Redis 中断期间的评论")  # the write succeeds
            redis.start()
            sock.wait_for("resync", timeout=20)  # A's listener re-subscribed and says so
            # A newer notification arrives live before the client syncs (after_id would skip `missed`).
            deadline = time.monotonic() + 20
            while True:
                newer = comment(b, other_on_b, post_id, "恢复之后的评论")
                try:
                    data = sock.wait_for("notification", lambda d: d["notification"]["comment_id"] == newer, 2)
                    break
                except AssertionError:
                    assert time.monotonic() < deadline, b.log()[-2000:]
            shown.append(data["notification"]["id"])
            items = sock.call("sync", {"after_id": baseline, "seen": shown})["items"]
            assert [n["comment_id"] for n in items].count(missed) == 1
            assert not {n["id"] for n in items} & set(shown)  # nothing shown twice
            shown += [n["id"] for n in items]
            assert sock.call("sync", {"after_id": baseline, "seen": shown})["items"] == []
        finally:
            sock.close()
    finally:
        a.stop()
        b.stop()
        redis.stop()
