"""Staff and author actions through /api/v1: who may do what, and the public record it leaves."""
from __future__ import annotations

import pytest

from community.core import clock
from community.extensions import db
from community.feedback.models import Post, Vote
from tests.api.conftest import writing


@pytest.mark.parametrize("role,status", [("member", 403), ("other_staff", 403), ("contact", 200), ("moderator", 200)])
def test_status_change_is_for_the_departments_staff_and_moderators(api, world, role, status):
    post_id = world["post"].id
    r = api(world[role]).post(f"/posts/{post_id}/status", {"status": "acknowledged", "note": "已收到，排查中"})
    assert r.status_code == status
    db.session.expire_all()
    assert db.session.get(Post, post_id).status == ("acknowledged" if status == 200 else "new")
    if status == 200:
        entry = r.get_json()["timeline"][-1]
        assert entry["kind"] == "status" and entry["to_status"] == "acknowledged" and entry["note"] == "已收到，排查中"


def test_status_change_input_and_transition_rules(api, world):
    staff = api(world["contact"])
    post_id = world["post"].id
    unknown = staff.post(f"/posts/{post_id}/status", {"status": "done"})
    assert unknown.status_code == 422 and "status" in unknown.get_json()["error"]["fields"]
    declined = staff.post(f"/posts/{post_id}/status", {"status": "declined"})
    assert declined.status_code == 422 and "note" in declined.get_json()["error"]["fields"]
    assert staff.post(f"/posts/{post_id}/status", {"status": "closed"}).status_code == 200
    forbidden_move = staff.post(f"/posts/{post_id}/status", {"status": "resolved"})  # closed → resolved
    assert forbidden_move.status_code == 409 and forbidden_move.get_json()["error"]["code"] == "invalid_transition"


@pytest.mark.parametrize("role,status", [("member", 403), ("other_staff", 403), ("contact", 201)])
def test_official_reply_is_for_the_items_department(api, world, role, status):
    post_id = world["post"].id
    r = api(world[role]).post(f"/posts/{post_id}/official-replies",
                              {"body": "已定位问题，将在下个版本修复。", "status": "in_progress"})
    assert r.status_code == status
    if status == 201:
        reply = r.get_json()
        assert reply["is_official"] and reply["department"]["slug"] == "cabin-software"
        post = api().get(f"/posts/{post_id}").get_json()
        assert post["status"] == "in_progress" and post["first_response_seconds"] is not None
        assert [e["kind"] for e in post["timeline"]][-2:] == ["official_reply", "status"]
        assert post["timeline"][-2]["comment_id"] == reply["id"]


def test_reassign_to_a_department_or_a_person(api, world):
    post_id = world["post"].id
    staff = api(world["contact"])
    no_reason = staff.post(f"/posts/{post_id}/reassign", {"department": "chassis"})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["fields"]
    unknown = staff.post(f"/posts/{post_id}/reassign", {"reason": "x", "department": "nope", "to_user": "nobody"})
    assert unknown.status_code == 422 and set(unknown.get_json()["error"]["fields"]) == {"department", "to_user"}

    moved = staff.post(f"/posts/{post_id}/reassign", {"reason": "这是底盘问题", "department": "chassis"})
    assert moved.status_code == 200
    body = moved.get_json()
    assert body["department"]["slug"] == "chassis" and body["assignee"]["username"] == world["other_staff"].username
    assert body["timeline"][-1]["kind"] == "reassigned" and body["timeline"][-1]["note"] == "这是底盘问题"
    # It now belongs to the other department: the first contact may no longer manage it.
    assert staff.post(f"/posts/{post_id}/status", {"status": "acknowledged"}).status_code == 403
    back = api(world["moderator"]).post(f"/posts/{post_id}/reassign",
                                        {"reason": "还是车机问题", "to_user": world["contact"].username})
    assert back.status_code == 200 and back.get_json()["assignee"]["username"] == world["contact"].username


def test_merge_moves_votes_to_the_target(api, make, world):
    with writing():
        target = make.post(make.user(), world["category"], title="蓝牙断连的总帖")
        voter = make.user()
    duplicate_id, target_id = world["post"].id, target.id
    assert api(voter).put(f"/posts/{duplicate_id}/vote").status_code == 200
    staff = api(world["contact"])
    assert api(world["member"]).post(f"/posts/{duplicate_id}/merge", {"target_id": target_id}).status_code == 403
    missing = staff.post(f"/posts/{duplicate_id}/merge", {"target_id": 999999})
    assert missing.status_code == 422 and "target_id" in missing.get_json()["error"]["fields"]
    itself = staff.post(f"/posts/{duplicate_id}/merge", {"target_id": duplicate_id})
    assert itself.status_code == 422 and "target_id" in itself.get_json()["error"]["fields"]

    merged = staff.post(f"/posts/{duplicate_id}/merge", {"target_id": target_id, "note": "同一问题"})
    assert merged.status_code == 200
    assert merged.get_json()["status"] == "duplicate" and merged.get_json()["merged_into_id"] == target_id
    assert db.session.query(Vote).filter_by(post_id=target_id, user_id=voter.id).count() == 1
    assert duplicate_id not in [p["id"] for p in api().get("/posts").get_json()["items"]]


def test_author_confirms_or_reopens_a_resolved_item(api, world):
    post_id = world["post"].id
    staff, author = api(world["contact"]), api(world["member"])
    with clock.frozen(clock.now()) as advance:
        assert staff.post(f"/posts/{post_id}/status", {"status": "resolved"}).status_code == 200
        assert api(world["other_staff"]).post(f"/posts/{post_id}/reopen", {"reason": "不是作者"}).status_code == 403
        empty = author.post(f"/posts/{post_id}/reopen", {"reason": " "})
        assert empty.status_code == 422 and "reason" in empty.get_json()["error"]["fields"]
        reopened = author.post(f"/posts/{post_id}/reopen", {"reason": "升级后问题又出现了"})
        assert reopened.status_code == 200 and reopened.get_json()["status"] == "in_progress"
        assert reopened.get_json()["reopen_count"] == 1

        assert staff.post(f"/posts/{post_id}/status", {"status": "resolved"}).status_code == 200
        advance(days=15)
        late = author.post(f"/posts/{post_id}/reopen", {"reason": "又坏了"})
        assert late.status_code == 409 and late.get_json()["error"]["code"] == "reopen_window_passed"
        confirmed = author.post(f"/posts/{post_id}/confirm")
        assert confirmed.status_code == 200 and confirmed.get_json()["status"] == "closed"
        assert confirmed.get_json()["timeline"][-1]["kind"] == "confirmed"
