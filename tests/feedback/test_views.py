"""Feedback pages through the HTTP client."""
from __future__ import annotations

import threading

import pytest

from community.extensions import db
from community.feedback.models import Post, Vote
from tests.html_checks import assert_inert

XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>[x](javascript:alert(3))"><svg onload=alert(4)>'


def test_pages_render_for_anonymous_member_and_staff(client, make):
    w = make.world()
    for user in (None, w["member"], w["contact"]):
        if user:
            client.login_as(user)
        for url in ("/", f"/c/{w['category'].slug}", f"/posts/{w['post'].id}", "/products",
                    f"/u/{w['member'].username}", "/?sort=new&status=new&page=2", "/?sort=unanswered"):
            response = client.get(url)
            assert response.status_code == 200, (url, user)
    page = client.get(f"/posts/{w['post'].id}").get_data(as_text=True)
    assert "车机软件部 · 张工" in page  # the public route on the timeline


def test_posting_feedback_routes_it_and_shows_the_timeline(client, make):
    w = make.world()
    client.login_as(w["member"])
    response = client.post_form("/posts/new", {"kind": "feedback", "feedback_type": "suggestion",
                                               "category": w["category"].slug, "title": "希望增加座椅记忆功能",
                                               "body": "每次换人开车都要重新调座椅，希望能绑定账号。"})
    assert response.status_code == 302
    post = db.session.query(Post).order_by(Post.id.desc()).first()
    assert post.title == "希望增加座椅记忆功能" and post.assignee_id == w["contact"].id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "希望增加座椅记忆功能" in page and "车机软件部" in page


def test_invalid_post_keeps_what_the_user_typed(client, make):
    w = make.world()
    client.login_as(w["member"])
    response = client.post_form("/posts/new", {"kind": "feedback", "feedback_type": "bug",
                                               "category": w["category"].slug, "title": "",
                                               "body": "这段很长的描述不应该丢失，用户写了很久。"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "这段很长的描述不应该丢失，用户写了很久。" in html
    assert 'aria-invalid="true"' in html


def test_post_without_csrf_token_is_refused(client, make):
    w = make.world()
    client.login_as(w["member"])
    before = db.session.query(Post).count()
    response = client.post("/posts/new", data={"kind": "feedback", "feedback_type": "bug", "title": "没有令牌的帖子",
                                               "category": w["category"].slug, "body": "这是一个跨站请求伪造测试。"})
    assert response.status_code == 400
    assert db.session.query(Post).count() == before
    vote = client.post(f"/posts/{w['post'].id}/vote", data={"action": "on"})
    assert vote.status_code == 400 and db.session.query(Vote).count() == 0


@pytest.mark.parametrize("field", ["title", "body", "comment"])
def test_xss_payloads_are_rendered_inert(client, make, field):
    w = make.world()
    client.login_as(w["member"])
    if field == "comment":
        r = client.post_form(f"/posts/{w['post'].id}/comments", {"body": XSS})
        assert r.status_code == 302
        url = f"/posts/{w['post'].id}"
    else:
        data = {"kind": "discussion", "category": w["category"].slug, "title": "标题 " + XSS[:100],
                "body": "正文内容 " + XSS}
        if field == "title":
            data["body"] = "正常的正文内容，足够长。"
        r = client.post_form("/posts/new", data)
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        url = r.headers["Location"]
    html = client.get(url).get_data(as_text=True)
    assert "alert(1)" in html  # the payload is there, as text
    assert_inert(html)
    assert_inert(client.get("/?sort=new").get_data(as_text=True))


def test_twenty_concurrent_votes_by_one_user_count_once(app, make):
    w = make.world()
    voter = make.user()
    db.session.commit()
    post_id, voter_id = w["post"].id, voter.id
    clients = []
    for _ in range(20):
        c = app.test_client()
        c.login_as(voter)
        c.csrf_token()
        clients.append(c)
    db.session.remove()  # the test thread must not hold SQLite's write lock while requests run
    barrier = threading.Barrier(20)
    statuses = []

    def vote(c):
        barrier.wait(timeout=10)
        r = c.post_form(f"/posts/{post_id}/vote", {"action": "on"}, headers={"Accept": "application/json"})
        statuses.append(r.status_code if r.status_code == 200 else r.get_data(as_text=True))

    threads = [threading.Thread(target=vote, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 20
    db.session.expire_all()
    assert db.session.query(Vote).filter_by(post_id=post_id, user_id=voter_id).count() == 1
    assert db.session.get(Post, post_id).vote_count == 1


def test_member_cannot_change_status_through_the_page(client, make):
    w = make.world()
    client.login_as(make.user())
    r = client.post_form(f"/posts/{w['post'].id}/status", {"status": "resolved"})
    assert r.status_code == 403
    db.session.expire_all()
    assert db.session.get(Post, w["post"].id).status == "new"


def test_merged_item_redirects_to_its_target(client, make):
    w = make.world()
    from community.feedback import services
    target = make.post(make.user(), w["category"], title="合并目标帖子")
    services.merge_posts(w["contact"], w["post"], target)
    db.session.commit()
    r = client.get(f"/posts/{w['post'].id}")
    assert r.status_code == 301 and f"/posts/{target.id}" in r.headers["Location"]


def test_error_pages_are_localized(client):
    assert "页面" in client.get("/posts/999999").get_data(as_text=True)
    en = client.get("/posts/999999", headers={"Accept-Language": "en"})
    assert en.status_code == 404 and "Page not found" in en.get_data(as_text=True)
