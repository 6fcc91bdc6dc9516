"""Moderation JSON API beyond the matrix: comments, held content, my flags, lifting restrictions.

Every answer is checked against openapi.json by tests.api.conftest.ApiClient.
"""
from __future__ import annotations

from community.audit.models import AuditEntry
from community.extensions import db
from community.feedback import services as feedback
from community.moderation.models import Hold
from tests.api.conftest import ApiClient


def test_comment_moderation_held_content_and_my_flags_over_the_api(app, make):
    w = make.world()
    moderator, flagger, newbie = make.user("moderator"), make.user(), make.user()
    comment = feedback.add_comment(w["member"], w["post"], "一条普通评论")
    held = feedback.add_comment(newbie, w["post"], "新人 https://a.example https://b.example")
    db.session.commit()

    member_api = ApiClient(app, flagger)
    r = member_api.post(f"/comments/{comment.id}/flags", {"reason": "off_topic", "note": "跑题"})
    assert r.status_code == 201 and r.get_json()["status"] == "open"
    assert member_api.post(f"/comments/{comment.id}/flags", {"reason": "spam"}).status_code == 409
    assert member_api.post(f"/comments/{comment.id}/moderation", {"action": "hide"}).status_code == 404
    assert member_api.get("/moderation/holds").status_code == 404

    mod_api = ApiClient(app, moderator)
    queue = mod_api.get("/moderation/flags").get_json()
    assert [(g["target_type"], g["target_id"], g["count"]) for g in queue["items"]] == [("comment", comment.id, 1)]
    r = mod_api.post("/moderation/flags/resolve", {"target_type": "comment", "target_id": comment.id,
                                                   "outcome": "delete", "note": "与主题无关"})
    assert r.status_code == 200 and r.get_json()["resolved"][0]["outcome"] == "delete"
    mine = member_api.get("/flags/mine").get_json()
    assert mine["items"][0]["outcome"] == "delete" and mine["items"][0]["resolution_note"] == "与主题无关"

    r = mod_api.post(f"/comments/{comment.id}/moderation", {"action": "restore"})
    assert r.status_code == 200 and r.get_json()["is_deleted"] is False
    assert mod_api.post(f"/comments/{comment.id}/moderation", {"action": "restore"}).status_code == 409
    assert mod_api.post(f"/comments/{comment.id}/moderation", {"action": "lock"}).status_code == 422

    holds = mod_api.get("/moderation/holds").get_json()["items"]
    assert [(h["target_type"], h["target_id"], h["reasons"]) for h in holds] == [("comment", held.id, ["new_user_links"])]
    hold_id = holds[0]["id"]
    r = mod_api.post(f"/moderation/holds/{hold_id}/approve")
    assert r.status_code == 200 and r.get_json()["status"] == "approved"
    assert mod_api.post(f"/moderation/holds/{hold_id}/reject").status_code == 409
    assert db.session.get(Hold, hold_id).status == "approved"
    assert not db.session.get(type(held), held.id).is_hidden


def test_lifting_suspensions_and_bans_over_the_api(app, make):
    moderator, victim = make.user("moderator"), make.user()
    db.session.commit()
    api = ApiClient(app, moderator)
    r = api.post(f"/users/{victim.username}/suspension", {"days": 3, "reason": "刷屏"})
    assert r.status_code == 200 and r.get_json()["is_suspended"] is True
    bad = api.post(f"/users/{victim.username}/suspension", {"days": "many", "reason": "刷屏"})
    assert bad.status_code == 422 and "days" in bad.get_json()["error"]["fields"]
    assert api.delete(f"/users/{victim.username}/suspension").get_json()["is_suspended"] is False
    assert api.delete(f"/users/{victim.username}/suspension").status_code == 409
    assert api.post(f"/users/{victim.username}/ban", {"reason": ""}).status_code == 422
    assert api.post(f"/users/{victim.username}/ban", {"reason": "广告"}).get_json()["is_banned"] is True
    assert api.delete(f"/users/{victim.username}/ban").get_json()["is_banned"] is False
    assert api.post("/users/nobody-here/ban", {"reason": "x"}).status_code == 404
    actions = [a for (a,) in db.session.query(AuditEntry.action).order_by(AuditEntry.id)]
    assert actions == ["user.suspend", "user.unsuspend", "user.ban", "user.unban"]
