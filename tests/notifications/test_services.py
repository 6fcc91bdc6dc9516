"""Who is told what: rows written by listeners in the action's transaction."""
from __future__ import annotations

import pytest

from community.extensions import db
from community.feedback import services as feedback
from community.notifications import services
from community.notifications.kinds import KINDS, Kind, register, text_for
from community.notifications.models import Notification


def rows(user, kind=None):
    q = db.session.query(Notification).filter_by(user_id=user.id)
    if kind:
        q = q.filter_by(kind=kind)
    return q.order_by(Notification.id).all()


def test_reply_to_post_and_comment_notifies_authors_but_never_the_actor(app, make):
    w = make.world()
    a, b = make.user(), make.user()
    top = feedback.add_comment(a, w["post"], "同样的问题")
    reply = feedback.add_comment(b, w["post"], "我也是", parent=top)
    feedback.add_comment(w["member"], w["post"], "作者自己补充一句")
    db.session.commit()
    [to_a] = rows(a)
    assert to_a.kind == "reply" and to_a.comment_id == reply.id
    [to_author] = rows(w["member"], "reply")  # two replies on the post collapse into one row
    assert to_author.count == 2 and to_author.actor_names == [a.name, b.name]
    assert rows(b) == []  # b acted; nobody replied to b
    assert services.link_for(to_a) == f"/posts/{w['post'].id}#comment-{reply.id}"


def test_internal_notes_never_notify_members_even_when_mentioned(app, make):
    w = make.world()
    colleague = make.staff(w["dept"], contact=False)
    note = feedback.add_comment(w["contact"], w["post"], f"@{w['member'].username} @{colleague.username} 已复现", internal=True)
    db.session.commit()
    assert rows(w["member"]) == []
    [mention] = rows(colleague)
    assert mention.kind == "mention" and mention.comment_id == note.id


def test_hidden_post_notifies_only_those_who_can_see_it(app, make):
    w = make.world()
    follower = make.user()
    feedback.set_follow(follower, w["post"], True)
    w["post"].is_hidden = True
    feedback.change_status(w["contact"], w["post"], "acknowledged")
    db.session.commit()
    assert rows(follower) == []
    [to_author] = rows(w["member"])  # the author still sees their own hidden post
    assert to_author.kind == "status_changed"


def test_status_change_tells_followers_the_new_status_and_note(app, make):
    w = make.world()
    follower = make.user()
    feedback.set_follow(follower, w["post"], True)
    entry = feedback.change_status(w["contact"], w["post"], "needs_info", note="请提供车机版本号")
    db.session.commit()
    for user in (follower, w["member"]):
        [n] = rows(user)
        assert n.kind == "status_changed" and n.data == {"status": "needs_info", "note": "请提供车机版本号"}
        assert n.timeline_entry_id == entry.id and services.link_for(n).endswith(f"#timeline-{entry.id}")
    assert rows(w["contact"], "status_changed") == []


def test_accepted_tells_voters_once_with_their_own_kind(app, make):
    w = make.world()
    voter, follower = make.user(), make.user()
    feedback.set_vote(voter, w["post"], True)  # voting also follows
    feedback.set_follow(follower, w["post"], True)
    feedback.change_status(w["contact"], w["post"], "accepted", note="已列入路线图")
    db.session.commit()
    assert [n.kind for n in rows(voter)] == ["vote_accepted"]
    assert [n.kind for n in rows(follower)] == ["status_changed"]


def test_thirty_votes_collapse_into_one_unread_notification(app, make):
    w = make.world()
    voters = [make.user() for _ in range(31)]
    for v in voters[:30]:
        feedback.set_vote(v, w["post"], True)
        db.session.commit()
    [n] = rows(w["member"], "vote")
    assert n.count == 30 and n.read_at is None and n.actor_names == [v.name for v in voters[27:30]]
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert "30" in text_for(n)
    services.mark_read(w["member"], n.id)
    feedback.set_vote(voters[30], w["post"], True)
    db.session.commit()
    vote_rows = rows(w["member"], "vote")
    assert [r.count for r in vote_rows] == [30, 1]  # after reading, a new burst starts a new row


def test_collapsed_row_gets_a_new_id_so_sync_after_an_id_sees_the_update(app, make):
    w = make.world()
    a, b = make.user(), make.user()
    feedback.set_vote(a, w["post"], True)
    db.session.commit()
    first = rows(w["member"], "vote")[0].id
    feedback.set_vote(b, w["post"], True)
    db.session.commit()
    after = services.notifications_after(w["member"], first)
    assert [(n.kind, n.count) for n in after] == [("vote", 2)]
    assert db.session.get(Notification, first) is None


def test_a_kind_turned_off_is_not_written(app, make):
    w = make.world()
    services.set_preferences(w["member"], {"reply", "vote"})
    other = make.user()
    feedback.add_comment(other, w["post"], "评论")
    feedback.change_status(w["contact"], w["post"], "acknowledged")
    db.session.commit()
    assert [n.kind for n in rows(w["member"])] == ["reply"]
    assert services.disabled_kinds(w["member"]) >= {"status_changed", "official_reply"}
    assert "assigned" not in services.disabled_kinds(w["member"])  # staff-only kinds are not offered to members


def test_assignment_and_reassignment_notify_the_new_assignee(app, make):
    w = make.world()
    [assigned] = rows(w["contact"], "assigned")
    assert assigned.post_id == w["post"].id
    other = make.staff(w["dept"])
    feedback.reassign_post(w["contact"], w["post"], reason="更熟悉蓝牙模块", to_user=other)
    db.session.commit()
    assert [n.kind for n in rows(other)] == ["assigned"]
    assert len(rows(w["contact"], "assigned")) == 1  # not told about their own reassignment


def test_official_reply_and_mentions(app, make):
    w = make.world()
    follower, mentioned = make.user(), make.user()
    feedback.set_follow(follower, w["post"], True)
    comment = feedback.post_official_reply(w["contact"], w["post"], f"已定位，@{mentioned.username} 也可以看看。@nobody_here")
    db.session.commit()
    for user in (follower, w["member"]):
        assert [n.kind for n in rows(user)] == ["official_reply"]
    assert [(n.kind, n.comment_id) for n in rows(mentioned)] == [("mention", comment.id)]


def test_merge_tells_followers_where_the_item_went(app, make):
    w = make.world()
    target = make.post(make.user(), w["category"], title="蓝牙断连的汇总帖")
    follower = make.user()
    feedback.set_follow(follower, w["post"], True)
    feedback.merge_posts(w["contact"], w["post"], target)
    db.session.commit()
    [n] = rows(follower, "merged")
    assert n.data["target_id"] == target.id and services.link_for(n) == f"/posts/{target.id}"


def test_sla_warning_is_staff_only_and_idempotent(app, make):
    w = make.world()
    first = services.notify_sla_warning(w["contact"], w["post"], "first_response", "warning")
    again = services.notify_sla_warning(w["contact"], w["post"], "first_response", "warning")
    breached = services.notify_sla_warning(w["contact"], w["post"], "first_response", "breached")
    assert first is not None and again is None and breached is not None
    assert services.notify_sla_warning(w["member"], w["post"], "first_response", "warning") is None
    with pytest.raises(ValueError):
        services.notify_sla_warning(w["contact"], w["post"], "lunch", "warning")


def test_rolled_back_action_leaves_no_notification(app, make):
    w = make.world()
    db.session.commit()
    feedback.add_comment(make.user(), w["post"], "这条会被回滚")
    db.session.rollback()
    assert rows(w["member"]) == []


def test_adding_a_kind_is_a_local_change(app, make):
    w = make.world()
    register(Kind("beta_result", "Beta results", lambda n: f"beta: {n.post_title}"))
    try:
        services.notify([w["member"]], "beta_result", post=w["post"])
        db.session.commit()
        [n] = rows(w["member"], "beta_result")
        assert text_for(n) == f"beta: {w['post'].title}"
    finally:
        KINDS.pop("beta_result")
