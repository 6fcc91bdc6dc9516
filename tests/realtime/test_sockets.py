"""Socket.IO handlers through Flask-SocketIO's test client (sharing the HTTP session)."""
from __future__ import annotations

from community.accounts import services as accounts
from community.extensions import db
from community.feedback import services as feedback
from community.notifications.models import Notification


def _client_for(app, user=None):
    c = app.test_client()
    if user is not None:
        c.login_as(user)
    return c


def test_anonymous_socket_may_join_only_public_rooms(app, make, live):
    w = make.world()
    sock = live(_client_for(app))
    assert sock.is_connected()
    assert sock.join("public") == {"ok": True, "rooms": ["public"]}
    assert sock.join(f"post:{w['post'].id}") == {"ok": True, "rooms": [f"post:{w['post'].id}"]}
    assert sock.join(f"user:{w['member'].id}") == {"ok": False, "error": "not_found"}
    assert sock.join("department:1") == {"ok": False, "error": "not_found"}
    assert sock.emit("sync", {"after_id": 0}, callback=True) == {"ok": False, "error": "login_required"}


def test_hidden_post_room_is_refused_to_outsiders_and_staff_get_the_staff_room(app, make, live):
    w = make.world()
    w["post"].is_hidden = True
    outsider = make.user()
    db.session.commit()
    assert live(_client_for(app, outsider)).join(f"post:{w['post'].id}") == {"ok": False, "error": "not_found"}
    assert live(_client_for(app)).join(f"post:{w['post'].id}") == {"ok": False, "error": "not_found"}
    staff_ack = live(_client_for(app, w["contact"])).join(f"post:{w['post'].id}")
    assert staff_ack == {"ok": True, "rooms": [f"post:{w['post'].id}:staff"]}
    assert live(_client_for(app, outsider)).join("post:999999") == {"ok": False, "error": "not_found"}


def test_logged_in_socket_gets_its_notifications_and_not_other_users(app, make, live):
    w = make.world()
    other = make.user()
    db.session.commit()
    author_sock = live(_client_for(app, w["member"]))
    other_sock = live(_client_for(app, other))
    assert other_sock.join(f"user:{w['member'].id}") == {"ok": False, "error": "not_found"}
    http = _client_for(app, other)
    assert http.post_form(f"/posts/{w['post'].id}/comments", {"body": "我也是，同款车机。"}).status_code == 302
    pushed = author_sock.received("notification")
    assert len(pushed) == 1
    payload = pushed[0]["args"][0]
    row = db.session.query(Notification).filter_by(user_id=w["member"].id).one()
    assert payload["notification"]["id"] == row.id and payload["notification"]["kind"] == "reply"
    assert payload["notification"]["url"].endswith(f"#comment-{row.comment_id}")
    assert payload["unread"] == 1
    assert other_sock.received("notification") == []


def test_item_room_gets_comments_votes_and_status_but_internal_notes_only_reach_staff(app, make, live):
    w = make.world()
    voter = make.user()
    db.session.commit()
    post_id = w["post"].id
    member_sock = live(_client_for(app, make.user()))
    staff_sock = live(_client_for(app, w["contact"]))
    assert member_sock.join(f"post:{post_id}")["ok"]
    assert staff_sock.join(f"post:{post_id}")["rooms"] == [f"post:{post_id}", f"post:{post_id}:staff"]

    staff_http = _client_for(app, w["contact"])
    staff_http.post_form(f"/posts/{post_id}/comments", {"body": "内部：@" + w["member"].username + " 这是已知问题", "internal": "1"})
    assert [e["args"][0]["internal"] for e in staff_sock.received("comment.created")] == [True]
    assert member_sock.received() == []
    assert db.session.query(Notification).filter_by(user_id=w["member"].id).count() == 0

    _client_for(app, voter).post_form(f"/posts/{post_id}/vote", {"action": "on"})
    _client_for(app, voter).post_form(f"/posts/{post_id}/comments", {"body": "同样的问题 <script>x</script>"})
    staff_http.post_form(f"/posts/{post_id}/status", {"status": "in_progress", "note": "已复现"})
    events = member_sock.received()
    names = [e["name"] for e in events]
    assert names == ["post.votes", "comment.created", "post.status"]
    votes, comment, status = (e["args"][0] for e in events)
    assert votes == {"post_id": post_id, "vote_count": 1}
    assert "同样的问题" in comment["html"]["zh_CN"] and "<script>" not in comment["html"]["zh_CN"]
    assert comment["html"]["en"].startswith('<li class="comment live')
    assert status["status"] == "in_progress" and "已复现" in status["html"]["zh_CN"]
    assert 'id="timeline-' in status["html"]["en"]


def test_logout_disconnects_the_users_sockets(app, make, live):
    w = make.world()
    http = _client_for(app, w["member"])
    sock = live(http)
    assert sock.is_connected()
    http.post_form("/logout")
    sock.received()
    assert not sock.is_connected()


def test_password_change_or_ban_disconnects_the_users_sockets(app, make, live):
    w = make.world()
    sock = live(_client_for(app, w["member"]))
    bystander = live(_client_for(app, w["contact"]))
    accounts.revoke_sessions(w["member"], "banned")
    db.session.commit()
    sock.received()
    assert not sock.is_connected()
    assert bystander.is_connected()


def test_sync_returns_everything_after_the_last_seen_id_once(app, make, live):
    w = make.world()
    other = make.user()
    posts = [make.post(w["member"], w["category"], title=f"第 {i} 个问题的标题") for i in range(3)]
    db.session.commit()
    sock = live(_client_for(app, w["member"]))
    first = sock.emit("sync", {"after_id": 0}, callback=True)
    assert first == {"ok": True, "items": [], "more": False, "unread": 0}
    for i, post in enumerate(posts):
        feedback.add_comment(other, post, f"第 {i} 条评论")
    db.session.commit()
    got = sock.emit("sync", {"after_id": 0}, callback=True)
    ids = [n["id"] for n in got["items"]]
    assert len(ids) == 3 and ids == sorted(ids) and got["unread"] == 3
    assert sock.emit("sync", {"after_id": ids[0]}, callback=True)["items"][0]["id"] == ids[1]
    assert sock.emit("sync", {"after_id": ids[-1]}, callback=True)["items"] == []
    assert sock.emit("sync", {"after_id": "x"}, callback=True) == {"ok": False, "error": "bad_request"}
    assert sock.emit("sync", "not a dict", callback=True) == {"ok": False, "error": "bad_request"}
    # By the set of shown ids: the newest was shown live, the older two were not.
    unseen = sock.emit("sync", {"after_id": 0, "seen": [ids[-1]]}, callback=True)["items"]
    assert [n["id"] for n in unseen] == ids[:2]
    assert sock.emit("sync", {"after_id": 0, "seen": ids}, callback=True)["items"] == []
    for bad in ("1,2", ["x"], list(range(2000))):
        assert sock.emit("sync", {"after_id": 0, "seen": bad}, callback=True) == {"ok": False, "error": "bad_request"}


def test_client_events_are_rate_limited_per_connection(app, make, live):
    app.config.update(SOCKETIO_EVENT_BURST=5, SOCKETIO_EVENT_RATE=0.01, SOCKETIO_MAX_REFUSED_EVENTS=3)
    sock = live(_client_for(app))
    acks = [sock.join("public") for _ in range(9)]
    assert acks[:5] == [{"ok": True, "rooms": ["public"]}] * 5
    assert acks[5] == {"ok": False, "error": "rate_limited"}
    sock.received()
    assert not sock.is_connected()  # kept flooding: closed
    assert live(_client_for(app)).join("public")["ok"]  # others are unaffected


def test_hiding_an_item_drops_members_from_its_room(app, make, live):
    from community.moderation import services as moderation

    w = make.world()
    moderator = make.user("moderator")
    db.session.commit()
    post_id = w["post"].id
    member_sock = live(_client_for(app, make.user()))
    staff_sock = live(_client_for(app, w["contact"]))
    assert member_sock.join(f"post:{post_id}")["ok"] and staff_sock.join(f"post:{post_id}")["ok"]
    moderation.hide_post(moderator, w["post"], reason="涉及隐私")
    db.session.commit()
    member_sock.received(), staff_sock.received()
    feedback.add_comment(w["member"], w["post"], "隐藏之后作者补充的信息")
    db.session.commit()
    assert member_sock.received("comment.created") == []
    assert [e["args"][0]["staff_only"] for e in staff_sock.received("comment.created")] == [True]


def test_public_room_gets_live_counters(app, make, live):
    w = make.world()
    sock = live(_client_for(app))
    assert sock.join("public")["ok"]
    make.post(w["member"], w["category"], title="新的反馈：空调异响")
    feedback.post_official_reply(w["contact"], w["post"], "已安排工程师跟进。")
    db.session.commit()
    counters = [e["args"][0] for e in sock.received("counters")]
    assert counters and counters[-1] == {"posts": 2, "responses": 1}


def test_nothing_is_pushed_when_the_transaction_rolls_back(app, make, live):
    w = make.world()
    commenter = make.user()
    db.session.commit()
    author_sock = live(_client_for(app, w["member"]))
    room_sock = live(_client_for(app))
    assert room_sock.join(f"post:{w['post'].id}")["ok"]
    feedback.add_comment(commenter, w["post"], "这条评论会被回滚")
    db.session.rollback()
    assert author_sock.received() == [] and room_sock.received() == []
    feedback.add_comment(commenter, w["post"], "这条会提交")
    db.session.commit()
    assert [e["name"] for e in author_sock.received()] == ["notification"]
    assert [e["name"] for e in room_sock.received()] == ["comment.created"]
