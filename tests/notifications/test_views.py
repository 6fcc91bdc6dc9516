"""The feed page, marking read, preferences, the bell and the JSON API."""
from __future__ import annotations

import re
from datetime import datetime

from community.core import clock
from community.extensions import db
from community.feedback import services as feedback
from community.notifications import services
from community.notifications.models import Notification
from tests.html_checks import assert_inert


def _reply(make, w, body="同样的问题，v2.3.1"):
    comment = feedback.add_comment(make.user(), w["post"], body)
    db.session.commit()
    return comment


def test_feed_groups_by_day_and_links_to_the_exact_comment_and_timeline_entry(client, make):
    with clock.frozen(datetime(2026, 11, 20, 4, 0)):
        w = make.world()
        comment = _reply(make, w, "<script>alert(1)</script>蓝牙")
    entry = feedback.change_status(w["contact"], w["post"], "acknowledged", note="已收到")
    db.session.commit()
    client.login_as(w["member"])
    html = client.get("/notifications").get_data(as_text=True)
    assert_inert(html)
    assert f"/posts/{w['post'].id}#comment-{comment.id}" in html
    assert f"/posts/{w['post'].id}#timeline-{entry.id}" in html
    assert "2026-11-20" in html and "已收到" in html
    assert len(re.findall(r'class="day-head"', html)) == 3  # the live slot + two days


def test_empty_states_and_unread_filter(client, make):
    w = make.world()
    client.login_as(w["member"])
    assert "empty-state" in client.get("/notifications").get_data(as_text=True)
    _reply(make, w)
    n = db.session.query(Notification).filter_by(user_id=w["member"].id).one()
    assert f'id="notification-{n.id}"' in client.get("/notifications?show=unread").get_data(as_text=True)
    client.post_form(f"/notifications/{n.id}/read", {"show": "unread"})
    assert f'id="notification-{n.id}"' not in client.get("/notifications?show=unread").get_data(as_text=True)
    assert f'id="notification-{n.id}"' in client.get("/notifications?show=all").get_data(as_text=True)


def test_open_marks_read_and_redirects_to_the_anchor(client, make):
    w = make.world()
    comment = _reply(make, w)
    n = db.session.query(Notification).filter_by(user_id=w["member"].id).one()
    client.login_as(w["member"])
    response = client.post_form(f"/notifications/{n.id}/open")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#comment-{comment.id}")
    db.session.refresh(n)
    assert n.read_at is not None


def test_mark_all_read_needs_csrf_and_is_per_user(client, make):
    w = make.world()
    _reply(make, w)
    stranger = make.user()
    db.session.commit()
    client.login_as(w["member"])
    assert client.post("/notifications/read-all").status_code == 400
    assert services.unread_count(w["member"]) == 1
    assert client.post_form("/notifications/read-all").status_code == 302
    assert services.unread_count(w["member"]) == 0
    n = db.session.query(Notification).filter_by(user_id=w["member"].id).one()
    client.login_as(stranger)
    assert client.post_form(f"/notifications/{n.id}/read").status_code == 404
    assert client.post_form(f"/notifications/{n.id}/open").status_code == 404


def test_feed_paginates(client, make):
    w = make.world()
    for i in range(35):
        services.notify([w["member"]], "mention", post=w["post"], actor=w["contact"])
    db.session.commit()
    client.login_as(w["member"])
    first = client.get("/notifications").get_data(as_text=True)
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert first.count('class="notification unread"') == 30 and second.count('class="notification unread"') == 5
    assert 'rel="next"' in first


def test_bell_shows_the_unread_count(client, make):
    w = make.world()
    client.login_as(w["member"])
    assert re.search(r'data-unread-count hidden>0<', client.get("/products").get_data(as_text=True))
    _reply(make, w)
    html = client.get("/products").get_data(as_text=True)
    assert re.search(r'data-unread-count>1<', html)
    assert '/static/vendor/socket.io.min.js' in html and '/static/js/realtime.js' in html


def test_preferences_page_turns_kinds_off(client, make):
    w = make.world()
    client.login_as(w["member"])
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'value="status_changed" checked' in page and 'value="assigned"' not in page
    client.post_form("/notifications/settings", {"kind": ["reply", "vote"]})
    assert services.disabled_kinds(w["member"]) >= {"status_changed", "mention"}
    feedback.change_status(w["contact"], w["post"], "acknowledged")
    db.session.commit()
    assert services.unread_count(w["member"]) == 0
    assert 'value="status_changed" checked' not in client.get("/notifications/settings").get_data(as_text=True)


def test_pages_need_login(client):
    assert client.get("/notifications").status_code == 302
    assert client.get("/notifications/settings").status_code == 302


# JSON API ------------------------------------------------------------------------------

def test_api_lists_after_an_id_and_marks_read(client, make):
    w = make.world()
    client.login_as(w["member"])
    assert client.get("/api/v1/notifications").get_json() == {"items": [], "unread": 0, "page": 1, "pages": 1, "total": 0}
    _reply(make, w)
    services.notify([w["member"]], "mention", post=w["post"], actor=w["contact"])
    db.session.commit()
    body = client.get("/api/v1/notifications?after_id=0").get_json()
    ids = [n["id"] for n in body["items"]]
    assert [n["kind"] for n in body["items"]] == ["reply", "mention"] and body["unread"] == 2
    assert client.get(f"/api/v1/notifications?after_id={ids[0]}").get_json()["items"][0]["id"] == ids[1]
    assert client.get("/api/v1/notifications?after_id=abc").status_code == 422
    headers = {"X-CSRFToken": client.csrf_token()}
    assert client.post(f"/api/v1/notifications/{ids[0]}/read").status_code == 400  # no CSRF token
    read = client.post(f"/api/v1/notifications/{ids[0]}/read", headers=headers).get_json()
    assert read["notification"]["read"] is True and read["unread"] == 1
    assert client.get("/api/v1/notifications?unread=1").get_json()["total"] == 1
    assert client.post("/api/v1/notifications/read-all", headers=headers).get_json() == {"unread": 0}


def test_api_requires_auth_and_hides_other_users_rows(client, make):
    w = make.world()
    _reply(make, w)
    n = db.session.query(Notification).filter_by(user_id=w["member"].id).one()
    assert client.get("/api/v1/notifications").status_code == 401
    client.login_as(make.user())
    response = client.post(f"/api/v1/notifications/{n.id}/read", headers={"X-CSRFToken": client.csrf_token()})
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_api_preferences(client, make):
    w = make.world()
    client.login_as(w["member"])
    headers = {"X-CSRFToken": client.csrf_token()}
    body = client.put("/api/v1/notifications/preferences", json={"enabled": ["reply"]}, headers=headers).get_json()
    assert {k["kind"]: k["enabled"] for k in body["kinds"]}["vote"] is False
    assert client.put("/api/v1/notifications/preferences", json={"enabled": ["nope"]}, headers=headers).status_code == 422
    assert client.put("/api/v1/notifications/preferences", json={"enabled": "reply"}, headers=headers).status_code == 422


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/notifications", "/notifications/{notification_id}/read", "/notifications/read-all",
            "/notifications/preferences"} <= set(paths)


def test_rows_about_items_hidden_since_drop_out_of_feed_count_and_sync(client, make):
    from community.moderation import services as moderation

    w = make.world()
    other_post = make.post(w["member"], w["category"], title="另一个仍然公开的问题")
    outsider = make.user()
    feedback.set_follow(outsider, w["post"], True)
    feedback.set_follow(outsider, other_post, True)
    for post in (w["post"], other_post):
        feedback.change_status(w["contact"], post, "acknowledged")
    db.session.commit()
    assert services.unread_count(outsider) == 2
    moderation.hide_post(make.user("moderator"), w["post"], reason="含有个人信息")
    db.session.commit()
    assert services.unread_count(outsider) == 1
    client.login_as(outsider)
    assert w["post"].title not in client.get("/notifications").get_data(as_text=True)
    assert [n["post_id"] for n in client.get("/api/v1/notifications?after_id=0").get_json()["items"]] == [other_post.id]
    assert services.unread_count(w["member"]) == 2  # the author still sees their hidden item
