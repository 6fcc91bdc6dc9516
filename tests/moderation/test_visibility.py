"""Staff lists, notifications and 404s follow the same visibility predicates as the item page."""
from __future__ import annotations

import re

import pytest

from community.extensions import db
from community.feedback import services as feedback
from community.moderation import services
from community.moderation.models import Hold


@pytest.fixture
def w(make):
    world = make.world()
    world["moderator"] = make.user("moderator")
    world["troll"] = make.user(display_name="捣乱的人")
    world["reader"] = make.user()
    db.session.commit()
    return world


def _deleted_content(w, make):
    post = make.post(w["troll"], w["category"], title="已删除帖子的标题", body="已删除帖子的正文内容")
    comment = feedback.add_comment(w["troll"], w["post"], "已删除评论的原文内容")
    services.flag_content(w["reader"], "comment", comment.id, reason="abuse")
    services.flag_content(w["reader"], "post", post.id, reason="spam")
    services.moderate_post(w["moderator"], post, "delete", reason="违规")
    services.moderate_comment(w["moderator"], comment, "delete", reason="违规")
    db.session.commit()
    return post, comment


def test_plain_staff_do_not_read_deleted_content_on_staff_pages(app, w, make):
    _deleted_content(w, make)
    staff = app.test_client().login_as(w["contact"])
    moderator = app.test_client().login_as(w["moderator"])
    for url in (f"/staff/users/{w['troll'].username}", "/staff/flags"):
        assert staff.get(url).status_code == 200
        staff_html = staff.get(url).get_data(as_text=True)
        assert "已删除帖子" not in staff_html and "已删除评论的原文" not in staff_html, url
        assert "已删除" in moderator.get(url).get_data(as_text=True), url  # moderators still review it


def test_plain_staff_do_not_read_rejected_held_content(app, w, make):
    newbie = make.user()
    links = " ".join(f"https://x{i}.example" for i in range(4))
    held = feedback.add_comment(newbie, w["post"], "被拒绝的评论内容 " + links)
    hold = db.session.query(Hold).filter_by(target_type="comment", target_id=held.id).one()
    services.decide_hold(w["moderator"], hold, approve=False, reason="广告")
    db.session.commit()
    staff = app.test_client().login_as(w["contact"])
    assert "被拒绝的评论内容" not in staff.get("/staff/held?status=rejected").get_data(as_text=True)
    moderator = app.test_client().login_as(w["moderator"])
    assert "被拒绝的评论内容" in moderator.get("/staff/held?status=rejected").get_data(as_text=True)


def test_notifications_about_comments_later_hidden_or_deleted_drop_out(app, w, make):
    author = w["member"]  # follows their own posts, so each comment notifies them
    other_post = make.post(author, w["category"], title="作者的第二个帖子", body="第二个帖子的正文内容。")
    first = feedback.add_comment(w["troll"], w["post"], "第一条会被隐藏的评论")
    second = feedback.add_comment(w["troll"], other_post, "第二条会被删除的评论")
    db.session.commit()
    client = app.test_client().login_as(author)

    def feed():
        return [n["comment_id"] for n in client.get("/api/v1/notifications").get_json()["items"]]

    assert {first.id, second.id} <= set(feed())
    services.moderate_comment(w["moderator"], first, "hide", reason="违规")
    feedback.delete_comment(w["troll"], second)
    db.session.commit()
    assert first.id not in feed() and second.id not in feed()
    assert "捣乱的人" not in client.get("/notifications").get_data(as_text=True)
    synced = client.get("/api/v1/notifications?after_id=0").get_json()["items"]
    assert not {first.id, second.id} & {n["comment_id"] for n in synced}


def test_not_visible_answers_are_byte_identical_to_missing_ones(app, w, make):
    _post, comment = _deleted_content(w, make)
    client = app.test_client().login_as(w["reader"])
    post_id = w["post"].id
    deleted = client.get(f"/posts/{post_id}/history?comment={comment.id}")
    missing = client.get(f"/posts/{post_id}/history?comment=987654")
    assert deleted.status_code == missing.status_code == 404
    assert _without_csrf(deleted.get_data()) == _without_csrf(missing.get_data())
    api_deleted = client.get(f"/api/v1/posts/{_post.id}")
    api_missing = client.get("/api/v1/posts/987654")
    assert api_deleted.status_code == 404 and api_deleted.get_data() == api_missing.get_data()


def _without_csrf(html: bytes) -> bytes:
    """The CSRF token is signed with the time and the page links back to its own URL (the id
    asked for); everything else must match byte for byte."""
    html = re.sub(rb'(name="csrf[-_]token" (?:content|value)=")[^"]+', rb"\1", html)
    return re.sub(rb"comment(=|%3D)\d+", rb"comment=ID", html)


def test_deleted_comments_cannot_be_flagged(app, w, make):
    _post, comment = _deleted_content(w, make)
    other = make.user()
    db.session.commit()
    client = app.test_client().login_as(other)
    r = client.post(f"/api/v1/comments/{comment.id}/flags", json={"reason": "spam"},
                    headers={"X-CSRFToken": client.csrf_token()})
    assert r.status_code == 404


def test_comment_count_is_right_after_deleting_an_own_held_comment(w, make):
    newbie = make.user()
    post = w["post"]
    before = post.comment_count
    held = feedback.add_comment(newbie, post, "广告 https://a.example https://b.example")
    assert held.is_hidden
    feedback.delete_comment(newbie, held)
    db.session.commit()
    db.session.refresh(post)
    assert post.comment_count == before
