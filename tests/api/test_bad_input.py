"""Odd JSON answers 400/404/422 with the usual error body: depth, wrong types, ids out of range."""
from __future__ import annotations

import pytest

from community.extensions import db
from community.feedback.models import Post

DEEP = "[" * 5000 + "]" * 5000


def _is_error(response, *statuses):
    body = response.get_json()
    return response.status_code in statuses and set(body) == {"error"} and body["error"]["code"]


def test_deeply_nested_json_is_refused_everywhere(api, world, token_for):
    client = api(token=token_for(world["moderator"]))
    post_id = world["post"].id
    for method, url in (("POST", "/posts"), ("PATCH", f"/posts/{post_id}"), ("POST", f"/posts/{post_id}/comments"),
                        ("PUT", "/notifications/preferences"), ("POST", "/staff/bulk"),
                        ("POST", "/moderation/flags/resolve"), ("POST", f"/posts/{post_id}/moderation")):
        r = client.request(method, url, data=DEEP, headers={"Content-Type": "application/json"})
        assert _is_error(r, 400) == "invalid_json", (method, url, r.status_code)
    nested_ok = client.post(f"/posts/{post_id}/comments", {"body": "正常的评论", "extra": [[[["fine"]]]]})
    assert nested_ok.status_code == 201  # ordinary nesting is untouched


@pytest.mark.parametrize("body", [
    {"action": ["status"], "ids": [1]}, {"action": "status", "ids": "1,2"}, {"action": "status", "ids": [1],
                                                                              "to_user": {"a": 1}},
    {"action": "assign", "ids": [1], "department_id": "²"}, {"action": "assign", "ids": [1], "department_id": 2**70},
    {"action": "tag", "ids": [1], "tags": "蓝牙"}, {"action": "tag", "ids": [1], "tags": [1, 2]},
    {"action": "merge", "ids": [1], "target_id": "9223372036854775808"}, {"action": "status", "ids": [2**64]},
])
def test_staff_bulk_refuses_wrong_types_without_a_500(api, world, body):
    before = db.session.get(Post, world["post"].id).status
    r = api(world["contact"]).post("/staff/bulk", body)
    assert r.status_code in (200, 404, 422), r.get_data(as_text=True)
    assert db.session.get(Post, world["post"].id).status == before


@pytest.mark.parametrize("url,body", [
    ("/moderation/flags/resolve", {"target_type": ["post"], "target_id": 1, "outcome": "keep"}),
    ("/moderation/flags/resolve", {"target_type": "post", "target_id": 2**80, "outcome": "keep"}),
    ("/moderation/flags/resolve", {"target_type": "post", "target_id": 1, "outcome": "keep", "note": {"x": 1}}),
    ("/posts/{post}/moderation", {"action": ["hide"], "reason": "x"}),
    ("/posts/{post}/moderation", {"action": "hide", "reason": 12}),
    ("/users/{victim}/suspension", {"days": [1], "reason": "刷屏"}),
    ("/users/{victim}/suspension", {"days": 1e308 * 10, "reason": "刷屏"}),
    ("/users/{victim}/ban", {"reason": ["x"]}),
    ("/posts/{post}/flags", {"reason": ["spam"]}),
    ("/posts/{post}/moderation", ["hide"]),
    ("/users/{victim}/ban", "ban"),
])
def test_moderator_endpoints_refuse_wrong_types_without_a_500(api, world, url, body):
    url = url.format(post=world["post"].id, victim=world["member"].username)
    r = api(world["moderator"]).post(url, body)
    assert r.status_code in (400, 404, 422), (r.status_code, r.get_data(as_text=True))


def test_ids_past_the_database_range_are_not_found(api, client, world):
    for url in ("/posts/9223372036854775808", "/posts/2147483648", "/posts/²", "/posts/٣",
                "/comments/99999999999/edit"):
        assert client.get(url).status_code == 404, url
    for url in ("/posts/9223372036854775808", "/posts/2147483648/comments",
                "/notifications?after_id=9223372036854775808"):
        r = api(world["member"]).get(url)
        assert r.status_code in (200, 404), url
    assert client.get("/search?to=9999-12-31").status_code == 422
