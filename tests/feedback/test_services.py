"""Feedback services: routing, the status workflow, official replies, votes, merging."""
from __future__ import annotations

from datetime import datetime

import pytest

from community.core import clock
from community.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from community.core.permissions import SYSTEM
from community.extensions import db
from community.feedback import services
from community.feedback.models import Follow, TimelineEntry, Vote
from community.feedback.workflow import STATUSES, TRANSITIONS


def test_new_feedback_is_routed_to_the_least_loaded_contact(make):
    dept = make.department()
    cat = make.category(dept)
    busy, idle = make.staff(dept), make.staff(dept)
    member = make.user()
    for _ in range(2):
        make.post(member, cat).assignee_id = busy.id
    db.session.flush()
    post = make.post(member, cat)
    assert post.assignee_id == idle.id
    entry = services.list_timeline(post)[-1]
    assert entry.kind == "routed" and entry.department_name == dept.name
    assert entry.to_assignee_label == f"{dept.name} · 张工"


def test_ties_go_round_robin(make):
    dept = make.department()
    cat = make.category(dept)
    a, b = make.staff(dept), make.staff(dept)
    member = make.user()
    first = make.post(member, cat)
    services.change_status(first.assignee, first, "closed")  # frees the load again
    second = make.post(member, cat)
    assert {first.assignee_id, second.assignee_id} == {a.id, b.id}


def test_without_an_active_contact_the_item_waits_in_the_department_queue(make):
    dept = make.department()
    cat = make.category(dept)
    contact = make.staff(dept)
    from community.routing.services import set_contact_active
    set_contact_active(SYSTEM, dept.contacts[0], False)
    post = make.post(make.user(), cat)
    assert post.assignee_id is None and post.department_id == dept.id
    assert services.list_timeline(post)[-1].kind == "queued"
    assert contact.id not in {post.assignee_id}


def test_contact_covering_other_categories_is_skipped(make):
    dept = make.department()
    cat_a, cat_b = make.category(dept), make.category(dept)
    only_b = make.staff(dept, categories=[cat_b])
    post = make.post(make.user(), cat_a)
    assert post.assignee_id is None
    post_b = make.post(make.user(), cat_b)
    assert post_b.assignee_id == only_b.id


ALL_PAIRS = [(a, b) for a in STATUSES for b in STATUSES if a != b]


@pytest.mark.parametrize("from_status,to_status", ALL_PAIRS)
def test_every_transition_is_allowed_or_refused_as_specified(make, from_status, to_status):
    w = make.world()
    post = w["post"]
    post.status = from_status
    db.session.flush()
    allowed = to_status in TRANSITIONS[from_status]
    if allowed:
        entry = services.change_status(w["contact"], post, to_status, note="原因说明")
        assert post.status == to_status and entry.from_status == from_status
    else:
        with pytest.raises(InvalidTransition):
            services.change_status(w["contact"], post, to_status, note="原因说明")
        assert post.status == from_status


def test_declining_needs_a_reason(make):
    w = make.world()
    with pytest.raises(ValidationFailed) as exc:
        services.change_status(w["contact"], w["post"], "declined")
    assert "note" in exc.value.fields


@pytest.mark.parametrize("who", ["member", "author", "other_department_staff"])
def test_only_the_owning_department_or_moderators_change_status(make, who):
    w = make.world()
    actor = {"member": lambda: make.user(), "author": lambda: w["member"],
             "other_department_staff": lambda: make.staff(make.department())}[who]()
    with pytest.raises(PermissionDenied):
        services.change_status(actor, w["post"], "acknowledged")
    moderator = make.user("moderator")
    services.change_status(moderator, w["post"], "acknowledged")
    assert w["post"].status == "acknowledged"


def test_first_official_reply_sets_first_response_time(make):
    with clock.frozen(datetime(2026, 3, 1, 8, 0)) as advance:
        w = make.world()
        advance(hours=3)
        services.post_official_reply(w["contact"], w["post"], "已收到，正在排查。", to_status="acknowledged")
        advance(hours=5)
        services.post_official_reply(w["contact"], w["post"], "第二次回复")
    post = w["post"]
    assert post.first_response_seconds == 3 * 3600
    assert post.status == "acknowledged"
    kinds = [e.kind for e in services.list_timeline(post)]
    assert kinds == ["created", "routed", "official_reply", "status", "official_reply"]


def test_needs_info_pauses_the_clock_until_the_author_answers(make):
    with clock.frozen(datetime(2026, 3, 1, 8, 0)) as advance:
        w = make.world()
        services.change_status(w["contact"], w["post"], "acknowledged")
        services.change_status(w["contact"], w["post"], "needs_info", note="请提供车辆 VIN 后六位")
        advance(hours=10)
        services.add_comment(w["member"], w["post"], "VIN 后六位 123456")
        assert w["post"].status == "acknowledged"
        assert w["post"].sla_paused_seconds == 10 * 3600
        advance(hours=1)
        services.post_official_reply(w["contact"], w["post"], "收到")
    assert w["post"].first_response_seconds == 1 * 3600


def test_author_can_confirm_or_reopen_within_the_window(make):
    with clock.frozen(datetime(2026, 3, 1)) as advance:
        w = make.world()
        services.change_status(w["contact"], w["post"], "resolved", note="v2.4 已修复")
        with pytest.raises(PermissionDenied):
            services.reopen_post(make.user(), w["post"], reason="我也还有")
        services.reopen_post(w["member"], w["post"], reason="升级后还是断连")
        assert w["post"].status == "in_progress" and w["post"].assignee_id == w["contact"].id
        services.change_status(w["contact"], w["post"], "resolved")
        advance(days=15)
        with pytest.raises(InvalidTransition):
            services.reopen_post(w["member"], w["post"], reason="还是不行")
        services.confirm_resolution(w["member"], w["post"])
        assert w["post"].status == "closed"


def test_votes_are_idempotent_and_follow_the_item(make):
    w = make.world()
    voter = make.user()
    assert services.set_vote(voter, w["post"], True) == (True, 1)
    assert services.set_vote(voter, w["post"], True) == (True, 1)
    assert db.session.get(Follow, (w["post"].id, voter.id)) is not None
    assert services.set_vote(voter, w["post"], False) == (False, 0)


def test_merge_moves_votes_and_followers_and_leaves_a_redirect(make):
    w = make.world()
    target = make.post(make.user(), w["category"], title="蓝牙断连问题汇总")
    voters = [make.user() for _ in range(3)]
    for v in voters:
        services.set_vote(v, w["post"], True)
    services.set_vote(voters[0], target, True)
    services.merge_posts(w["contact"], w["post"], target, note="同一问题")
    assert w["post"].status == "duplicate" and w["post"].merged_into_id == target.id
    assert target.vote_count == 3
    assert db.session.query(Vote).filter_by(post_id=w["post"].id).count() == 0
    assert db.session.get(Follow, (target.id, w["member"].id)) is not None


def test_hidden_posts_are_not_found_for_outsiders(make):
    w = make.world()
    w["post"].is_hidden = True
    db.session.flush()
    with pytest.raises(NotFound):
        services.get_post(make.user(), w["post"].id)
    assert services.get_post(w["member"], w["post"].id) is w["post"]
    assert services.get_post(w["contact"], w["post"].id) is w["post"]
    assert services.list_posts(make.user()).total == 0


def test_internal_notes_are_only_listed_for_staff(make):
    w = make.world()
    services.add_comment(w["contact"], w["post"], "内部：疑似供应商固件问题", internal=True)
    services.add_comment(w["member"], w["post"], "补充：早上更容易出现")
    assert len(services.list_comments(w["member"], w["post"])) == 1
    assert len(services.list_comments(w["contact"], w["post"])) == 2
    with pytest.raises(PermissionDenied):
        services.add_comment(w["member"], w["post"], "我也想写内部备注", internal=True)


def test_reassign_records_from_to_and_reason(make):
    w = make.world()
    other_dept = make.department(name="底盘部")
    other = make.staff(other_dept, title="李工")
    entry = services.reassign_post(w["contact"], w["post"], reason="属于底盘问题", to_department=other_dept)
    assert (entry.from_assignee_id, entry.to_assignee_id) == (w["contact"].id, other.id)
    assert entry.note == "属于底盘问题" and w["post"].reassign_count == 1
    with pytest.raises(ValidationFailed):
        services.reassign_post(other, w["post"], reason="", to_department=w["dept"])


def test_timeline_entries_snapshot_the_actor(make):
    w = make.world()
    services.change_status(w["contact"], w["post"], "in_progress")
    w["contact"].title = "新头衔"
    entry = db.session.query(TimelineEntry).filter_by(kind="status").one()
    assert entry.actor_label.endswith("张工")


def test_a_deleted_comments_history_is_for_moderators_only_in_the_service(make):
    member, moderator = make.user(), make.user("moderator")
    post = make.post(member, make.category(make.department()))
    other = make.post(member, make.category(make.department()))
    comment = services.add_comment(member, post, "第一次写的内容，稍后会改")
    services.edit_comment(member, comment, "改过之后的内容，原文在历史里", reason="")
    assert [r.body_before for r in services.list_revisions(member, post, comment)] == ["第一次写的内容，稍后会改"]
    with pytest.raises(NotFound):  # a comment of another post
        services.list_revisions(member, other, comment)
    services.delete_comment(member, comment)
    with pytest.raises(NotFound):  # its author too: the old text of a deleted comment stays with moderators
        services.list_revisions(member, post, comment)
    with pytest.raises(NotFound):
        services.list_revisions(None, post, comment)
    assert len(services.list_revisions(moderator, post, comment)) == 1


def test_system_acts_record_system_and_none_is_refused(make):
    post = make.post(make.user(), make.category(make.department()))
    routed = services.list_timeline(post)[-1]
    assert routed.kind == "queued" and routed.actor_role == "system" and routed.actor_id is None
    assert routed.actor_label == ""
    entry = services.system_set_status(post, "in_progress", note="SLA")
    assert entry.actor_role == "system" and entry.actor_label == ""
    with pytest.raises(TypeError):
        services.route_post(post, actor=None)
