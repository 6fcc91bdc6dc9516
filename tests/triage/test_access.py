"""Who may reach the console: 404 for members and visitors everywhere; staff act only where allowed."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from community.accounts.services import create_api_token
from community.extensions import db
from community.feedback.models import Post
from community.triage import services

PAGES = ["/staff", "/staff/queues/mine", "/staff/queues/department", "/staff/queues/unassigned",
         "/staff/queues/overdue", "/staff/queues/due_soon", "/staff/queues/reopened", "/staff/queues/supervised",
         "/staff/queues/all", "/staff/items/{id}", "/staff/figures"]
FORMS = ["/staff/bulk", "/staff/items/{id}/assign", "/staff/items/{id}/status", "/staff/items/{id}/reply",
         "/staff/items/{id}/note", "/staff/items/{id}/tags"]
API_GETS = ["/api/v1/staff/queues/mine", "/api/v1/staff/queues/all", "/api/v1/staff/figures"]


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_members_and_visitors_get_404_on_every_console_route(client, desk, make, who):
    post = make.post(desk["member"], desk["category"])
    db.session.commit()
    if who == "member":
        client.login_as(desk["member"])
    for url in PAGES:
        assert client.get(url.format(id=post.id)).status_code == 404, url
    form = {"action": "status", "status": "closed", "ids": [post.id], "to_user": desk["member"].username,
            "reason": "x", "body": "正文内容", "note_body": "内部", "tags": "x", "note": "x"}
    for url in FORMS:
        assert client.post_form(url.format(id=post.id), form).status_code == 404, url
    token = client.csrf_token()
    for url in API_GETS:
        response = client.get(url)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found", url
    response = client.post("/api/v1/staff/bulk", json={"action": "status", "status": "closed", "ids": [post.id]},
                           headers={"X-CSRFToken": token})
    # The shared API layer answers 401 to writes without any credentials, before any endpoint runs.
    assert response.status_code == (401 if who == "anonymous" else 404)
    assert db.session.get(Post, post.id).status == "new"


def test_member_with_a_token_gets_404_from_the_staff_api(client, desk, make):
    post = make.post(desk["member"], desk["category"])
    _row, raw = create_api_token(desk["member"], "script")
    db.session.commit()
    auth = {"Authorization": f"Bearer {raw}"}
    for url in API_GETS:
        assert client.get(url, headers=auth).status_code == 404
    response = client.post("/api/v1/staff/bulk", json={"action": "status", "status": "closed", "ids": [post.id]},
                           headers=auth)
    assert response.status_code == 404 and db.session.get(Post, post.id).status == "new"


def test_staff_of_another_department_sees_every_queue_but_cannot_act(client, desk, make):
    post = make.post(desk["member"], desk["category"], title="车机部门的问题")
    db.session.commit()
    client.login_as(desk["outsider"])
    for url in PAGES:
        assert client.get(url.format(id=post.id), follow_redirects=True).status_code == 200, url
    assert "车机部门的问题" in client.get("/staff/queues/all").get_data(as_text=True)
    item = client.get(f"/staff/items/{post.id}").get_data(as_text=True)
    assert f"/staff/items/{post.id}/status" not in item  # no forms it cannot use
    assert client.post_form(f"/staff/items/{post.id}/status", {"status": "closed"}).status_code == 403
    assert client.post_form(f"/staff/items/{post.id}/tags", {"tags": "蓝牙"}).status_code == 403
    results = services.bulk_action(desk["outsider"], "status", [post.id], status="closed")
    assert [r.code for r in results] == ["forbidden"]
    assert db.session.get(Post, post.id).status == "new"


def test_moderator_may_act_on_any_department(desk, make):
    moderator = make.user("moderator")
    post = make.post(desk["member"], desk["category"])
    results = services.bulk_action(moderator, "status", [post.id], status="acknowledged")
    assert results[0].ok and post.status == "acknowledged"


def test_internal_notes_never_reach_members(client, desk, make):
    post = make.post(desk["member"], desk["category"])
    db.session.commit()
    client.login_as(desk["contact"])
    assert client.post_form(f"/staff/items/{post.id}/note", {"note_body": "机密：供应商批次问题"}).status_code == 302
    assert "机密：供应商批次问题" in client.get(f"/staff/items/{post.id}").get_data(as_text=True)
    for viewer in (desk["member"], make.user(), None):
        client.logout() if hasattr(client, "logout") else None
        if viewer is None:
            with client.session_transaction() as session:
                session.clear()
        else:
            db.session.commit()
            client.login_as(viewer)
        for url in (f"/posts/{post.id}", f"/api/v1/posts/{post.id}", f"/api/v1/posts/{post.id}/comments",
                    f"/api/v1/posts/{post.id}/timeline"):
            response = client.get(url)
            if response.status_code == 404 and url.startswith("/api/v1/posts"):
                continue  # that API is not installed in this checkout
            assert "机密" not in response.get_data(as_text=True), (viewer, url)
    count = db.session.execute(sa.select(Post.comment_count).where(Post.id == post.id)).scalar_one()
    assert count == 0  # internal notes are not counted publicly either


def test_nav_link_only_for_staff(client, desk):
    client.login_as(desk["member"])
    assert "/staff/queues/mine" not in client.get("/products").get_data(as_text=True)
    client.login_as(desk["contact"])
    assert "/staff/queues/mine" in client.get("/products").get_data(as_text=True)
