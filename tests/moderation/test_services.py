"""Moderation services: every action and its audit record, flags, holds, users, audit immutability."""
from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from community.audit.models import AuditEntry, AuditLogIsAppendOnly
from community.core import clock, events
from community.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from community.extensions import db
from community.feedback import services as feedback
from community.moderation import services
from community.moderation.models import Flag, Hold


@pytest.fixture
def signals():
    received = []

    def on_visibility(post, **kw):
        received.append(("visibility", post.id, kw.get("what")))

    def on_revoked(user, **kw):
        received.append(("revoked", user.id, kw.get("reason")))

    events.post_visibility_changed.connect(on_visibility)
    events.user_sessions_revoked.connect(on_revoked)
    yield received
    events.post_visibility_changed.disconnect(on_visibility)
    events.user_sessions_revoked.disconnect(on_revoked)


def last_audit() -> AuditEntry:
    return db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).scalar_one()


POST_CASES = [
    # action, prepared state, attribute, expected after, signal what, timeline kind
    ("hide", {}, "is_hidden", True, "hidden", None),
    ("unhide", {"is_hidden": True}, "is_hidden", False, "unhidden", None),
    ("lock", {}, "is_locked", True, "locked", "locked"),
    ("unlock", {"is_locked": True}, "is_locked", False, "unlocked", "unlocked"),
    ("pin", {}, "is_pinned", True, "pinned", None),
    ("unpin", {"is_pinned": True}, "is_pinned", False, "unpinned", None),
    ("delete", {}, "deleted_at", "set", "deleted", None),
    ("restore", {"deleted_at": datetime(2026, 1, 1)}, "deleted_at", None, "restored", None),
]


@pytest.mark.parametrize("action, state, attribute, expected, what, timeline_kind", POST_CASES)
def test_every_post_action_is_applied_audited_and_signalled(w, signals, action, state, attribute, expected, what,
                                                             timeline_kind):
    post = w["post"]
    for key, value in state.items():
        setattr(post, key, value)
    db.session.flush()
    services.moderate_post(w["moderator"], post, action, reason="理由")
    value = getattr(post, attribute)
    assert (value is not None) if expected == "set" else value == expected
    entry = last_audit()
    assert (entry.action, entry.target_type, entry.target_id, entry.actor_id) == (f"post.{action}", "post", post.id,
                                                                                  w["moderator"].id)
    assert entry.reason == "理由" and set(entry.before) == {attribute} and set(entry.after) == {attribute}
    assert entry.before != entry.after
    assert ("visibility", post.id, what) in signals
    kinds = [e.kind for e in feedback.list_timeline(post)]
    if timeline_kind:
        assert kinds[-1] == timeline_kind
    else:
        assert "locked" not in kinds and "unlocked" not in kinds


def test_a_repeated_action_is_a_conflict_and_writes_nothing(w):
    services.moderate_post(w["moderator"], w["post"], "hide")
    count = db.session.query(AuditEntry).count()
    with pytest.raises(Conflict):
        services.moderate_post(w["moderator"], w["post"], "hide")
    assert db.session.query(AuditEntry).count() == count


def test_members_get_not_found_and_staff_get_forbidden(w):
    with pytest.raises(NotFound):
        services.moderate_post(w["member"], w["post"], "hide")
    with pytest.raises(PermissionDenied):
        services.moderate_post(w["contact"], w["post"], "hide")
    with pytest.raises(ValidationFailed):
        services.moderate_post(w["moderator"], w["post"], "explode")
    assert not w["post"].is_hidden and db.session.query(AuditEntry).count() == 0


def test_locked_posts_refuse_member_comments_but_not_moderators(w):
    services.moderate_post(w["moderator"], w["post"], "lock")
    with pytest.raises(PermissionDenied):
        feedback.add_comment(w["other"], w["post"], "还能评论吗？")
    assert feedback.add_comment(w["moderator"], w["post"], "版主说明：已锁定。").id


@pytest.mark.parametrize("action, state, what", [
    ("hide", {}, "comment_hidden"), ("unhide", {"is_hidden": True}, "comment_unhidden"),
    ("delete", {}, "comment_deleted"), ("restore", {"deleted_at": datetime(2026, 1, 1)}, "comment_restored"),
])
def test_every_comment_action_is_audited_and_recounts(w, signals, action, state, what):
    comment = feedback.add_comment(w["other"], w["post"], "一条评论")
    for key, value in state.items():
        setattr(comment, key, value)
    w["post"].comment_count = int(comment.counts_toward_post)  # as if an earlier action had set the state
    db.session.flush()
    services.moderate_comment(w["moderator"], comment, action, reason="r")
    entry = last_audit()
    assert (entry.action, entry.target_id) == (f"comment.{action}", comment.id)
    assert ("visibility", w["post"].id, what) in signals
    visible = not comment.is_hidden and comment.deleted_at is None
    assert w["post"].comment_count == (1 if visible else 0)
    # Deleting through the moderation service is audited once, not again by the listener.
    assert db.session.query(AuditEntry).filter_by(target_type="comment", target_id=comment.id).count() == 1


def test_moderator_edits_and_deletes_from_the_item_page_are_audited(w):
    comment = feedback.add_comment(w["other"], w["post"], "原始评论")
    feedback.edit_post(w["moderator"], w["post"], title="修改后的标题", body="修改后的正文内容很长。", reason="去除隐私")
    entry = last_audit()
    assert entry.action == "post.edit" and entry.before["title"] == "车机蓝牙经常断连"
    assert entry.after["title"] == "修改后的标题" and entry.reason == "去除隐私"
    feedback.edit_comment(w["moderator"], comment, "修改后的评论", reason="广告")
    assert last_audit().action == "comment.edit" and last_audit().before == {"body": "原始评论"}
    feedback.delete_comment(w["moderator"], comment)
    assert last_audit().action == "comment.delete"
    own = feedback.add_comment(w["other"], w["post"], "自己的评论")
    count = db.session.query(AuditEntry).count()
    feedback.edit_comment(w["other"], own, "自己改的")
    assert db.session.query(AuditEntry).count() == count  # members editing their own text is not a staff action


# Flags -------------------------------------------------------------------------------------

def test_one_open_flag_per_member_per_target(w):
    flag = services.flag_content(w["other"], "post", w["post"].id, reason="spam", note="广告")
    assert flag.status == "open" and flag.target_author_id == w["member"].id
    with pytest.raises(Conflict):
        services.flag_content(w["other"], "post", w["post"].id, reason="abuse")
    # The database enforces it too (two tabs at once).
    with pytest.raises(sa.exc.IntegrityError):
        with db.session.begin_nested():
            db.session.add(Flag(reporter_id=w["other"].id, target_type="post", target_id=w["post"].id,
                                post_id=w["post"].id, reason="abuse", status="open"))
    services.resolve_flags(w["moderator"], "post", w["post"].id, outcome="keep")
    again = services.flag_content(w["other"], "post", w["post"].id, reason="abuse")  # a new open flag is fine
    assert again.id != flag.id


def test_flag_validation(w):
    with pytest.raises(PermissionDenied):
        services.flag_content(w["member"], "post", w["post"].id, reason="spam")  # own post
    with pytest.raises(ValidationFailed):
        services.flag_content(w["other"], "post", w["post"].id, reason="boring")
    note = feedback.add_comment(w["contact"], w["post"], "内部备注", internal=True)
    with pytest.raises(NotFound):
        services.flag_content(w["other"], "comment", note.id, reason="spam")
    with pytest.raises(NotFound):
        services.flag_content(w["other"], "post", 999_999, reason="spam")


def test_queue_puts_the_most_flagged_items_first(w, make):
    quiet = make.post(w["member"], w["category"], title="另一个帖子标题")
    flaggers = [make.user() for _ in range(3)]
    services.flag_content(flaggers[0], "post", quiet.id, reason="spam")
    for user in flaggers:
        services.flag_content(user, "post", w["post"].id, reason="abuse")
    comment = feedback.add_comment(w["other"], w["post"], "评论")
    services.flag_content(flaggers[1], "comment", comment.id, reason="off_topic")
    services.flag_content(flaggers[2], "comment", comment.id, reason="spam")
    queue = services.list_flag_queue(w["contact"])
    assert [(g.target_type, g.target_id, g.count) for g in queue.items] == [
        ("post", w["post"].id, 3), ("comment", comment.id, 2), ("post", quiet.id, 1)]
    assert queue.items[1].reasons == {"off_topic": 1, "spam": 1}
    with pytest.raises(NotFound):
        services.list_flag_queue(w["member"])


@pytest.mark.parametrize("outcome", ["hide", "keep", "edit", "delete"])
def test_resolving_applies_the_outcome_and_tells_every_flagger(w, make, outcome):
    a, b = make.user(), make.user()
    services.flag_content(a, "post", w["post"].id, reason="privacy")
    services.flag_content(b, "post", w["post"].id, reason="abuse")
    kwargs = {"body": "已删除隐私信息后的正文。"} if outcome == "edit" else {}
    flags = services.resolve_flags(w["moderator"], "post", w["post"].id, outcome=outcome, note="处理说明", **kwargs)
    assert {f.reporter_id for f in flags} == {a.id, b.id}
    assert all(f.status == "resolved" and f.outcome == outcome and f.resolved_by_id == w["moderator"].id
               for f in flags)
    assert w["post"].is_hidden == (outcome == "hide")
    assert w["post"].is_deleted == (outcome == "delete")
    if outcome == "edit":
        assert w["post"].body == "已删除隐私信息后的正文。"
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-1] == "flag.resolve"
    assert {"hide": "post.hide", "delete": "post.delete", "edit": "post.edit"}.get(outcome, "flag.resolve") in actions
    mine = services.list_my_flags(a)
    assert [f.outcome for f in mine.items] == [outcome]
    with pytest.raises(Conflict):
        services.resolve_flags(w["moderator"], "post", w["post"].id, outcome="keep")


def test_flaggers_get_a_notification(w, make):
    from community.notifications.models import Notification

    a = make.user()
    services.flag_content(a, "post", w["post"].id, reason="spam")
    services.resolve_flags(w["moderator"], "post", w["post"].id, outcome="hide", note="确认是广告")
    row = db.session.query(Notification).filter_by(user_id=a.id, kind="flag_resolved").one()
    assert row.data["outcome"] == "hide"
    assert row.post_id is None  # the item is hidden now: the notification does not link to it
    assert row.actor_id is None  # moderators stay anonymous


def test_staff_cannot_resolve_and_edit_needs_a_reason(w):
    services.flag_content(w["other"], "post", w["post"].id, reason="spam")
    with pytest.raises(PermissionDenied):
        services.resolve_flags(w["contact"], "post", w["post"].id, outcome="hide")
    with pytest.raises(ValidationFailed):
        services.resolve_flags(w["moderator"], "post", w["post"].id, outcome="edit")
    assert db.session.query(Flag).filter_by(status="open").count() == 1


# Held content ----------------------------------------------------------------------------------

def test_new_user_posts_with_too_many_links_are_held_visible_to_the_author_only(w, make):
    newbie = make.user()
    post = make.post(newbie, w["category"], title="推荐几个网站给大家",
                     body="看看 https://a.example 和 https://b.example 吧")
    db.session.commit()
    assert post.is_hidden
    hold = db.session.query(Hold).filter_by(target_id=post.id).one()
    assert hold.reasons == ["new_user_links"] and hold.author_id == newbie.id
    assert feedback.get_post(newbie, post.id) is post
    with pytest.raises(NotFound):
        feedback.get_post(w["other"], post.id)
    assert post.id not in [p.id for p in feedback.list_posts(w["other"]).items]
    services.decide_hold(w["moderator"], hold, approve=True)
    assert not post.is_hidden and hold.status == "approved"
    assert feedback.get_post(w["other"], post.id) is post
    assert {e.action for e in db.session.query(AuditEntry)} == {"post.unhide", "hold.approve"}


def test_new_users_posting_fast_are_held_and_rejection_soft_deletes(w, make, app):
    app.config["NEW_USER_RATE"] = "2 per 10 minutes"
    newbie = make.user()
    with clock.frozen(datetime(2026, 11, 23, 10, 0)) as advance:
        first = make.post(newbie, w["category"], title="第一条帖子标题")
        advance(minutes=1)
        second = make.post(newbie, w["category"], title="第二条帖子标题")
        advance(minutes=1)
        third = make.post(newbie, w["category"], title="第三条帖子标题")
        advance(minutes=30)
        later = feedback.add_comment(newbie, first, "过了很久再评论")
    assert not first.is_hidden and not second.is_hidden and third.is_hidden and not later.is_hidden
    hold = db.session.query(Hold).filter_by(target_id=third.id).one()
    assert hold.reasons == ["new_user_rate"]
    services.decide_hold(w["moderator"], hold, approve=False, reason="刷屏")
    assert third.is_deleted and hold.status == "rejected"
    with pytest.raises(Conflict):
        services.decide_hold(w["moderator"], hold, approve=True)


def test_held_comments_do_not_count_until_approved(w, make):
    newbie = make.user()
    comment = feedback.add_comment(newbie, w["post"], "加我 https://x.example https://y.example")
    assert comment.is_hidden and w["post"].comment_count == 0
    hold = db.session.query(Hold).filter_by(target_type="comment", target_id=comment.id).one()
    assert comment not in feedback.list_comments(w["other"], w["post"])
    assert comment in feedback.list_comments(newbie, w["post"])
    services.decide_hold(w["moderator"], hold, approve=True)
    assert not comment.is_hidden and w["post"].comment_count == 1


def test_accounts_past_the_first_posts_are_not_limited(w, make, app):
    app.config["NEW_USER_POST_COUNT"] = 1
    veteran = make.user()
    make.post(veteran, w["category"], title="我的第一个帖子")
    post = make.post(veteran, w["category"], title="有很多链接的帖子", body="https://a.example https://b.example https://c.example")
    assert not post.is_hidden


# Users ------------------------------------------------------------------------------------------

def test_suspension_blocks_writing_cuts_sessions_and_is_audited(w, signals):
    stamp = w["other"].security_stamp
    with clock.frozen(datetime(2026, 11, 23, 10, 0)) as advance:
        services.suspend_user(w["moderator"], w["other"], days=3, reason="人身攻击")
        assert w["other"].suspended_until == datetime(2026, 11, 26, 10, 0)
        assert w["other"].security_stamp != stamp
        assert ("revoked", w["other"].id, "suspended") in signals
        entry = last_audit()
        assert entry.action == "user.suspend" and entry.before["suspended_until"] is None
        assert entry.after["suspended_until"] == "2026-11-26T10:00:00"
        with pytest.raises(PermissionDenied):
            feedback.add_comment(w["other"], w["post"], "被禁言了还想说话")
        with pytest.raises(PermissionDenied):
            services.flag_content(w["other"], "post", w["post"].id, reason="spam")
        services.lift_suspension(w["moderator"], w["other"], reason="申诉成功")
        assert last_audit().action == "user.unsuspend"
        assert feedback.add_comment(w["other"], w["post"], "我又能说话了").id
        services.suspend_user(w["moderator"], w["other"], days=1, reason="再犯")
        advance(days=1, seconds=1)
        assert w["other"].can_write  # suspensions end on their own


def test_ban_and_unban(w, signals):
    services.ban_user(w["moderator"], w["other"], reason="广告机器人")
    assert w["other"].is_banned and w["other"].ban_reason == "广告机器人"
    assert ("revoked", w["other"].id, "banned") in signals
    with pytest.raises(Conflict):
        services.ban_user(w["moderator"], w["other"], reason="again")
    services.unban_user(w["admin"], w["other"])
    assert not w["other"].is_banned
    assert [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)] == ["user.ban", "user.unban"]


def test_who_may_restrict_whom(w, make):
    other_mod = make.user("moderator")
    with pytest.raises(PermissionDenied):
        services.ban_user(w["moderator"], w["admin"], reason="x")
    with pytest.raises(PermissionDenied):
        services.ban_user(w["admin"], make.user("admin"), reason="x")
    with pytest.raises(PermissionDenied):
        services.ban_user(w["moderator"], other_mod, reason="x")
    with pytest.raises(PermissionDenied):
        services.suspend_user(w["moderator"], w["moderator"], days=1, reason="x")
    with pytest.raises(PermissionDenied):
        services.suspend_user(w["contact"], w["other"], days=1, reason="x")
    with pytest.raises(NotFound):
        services.suspend_user(w["member"], w["other"], days=1, reason="x")
    services.ban_user(w["admin"], other_mod, reason="滥用权限")
    services.suspend_user(w["moderator"], w["contact"], days=1, reason="员工也要守规矩")
    with pytest.raises(ValidationFailed):
        services.suspend_user(w["moderator"], w["other"], days=0, reason="x")
    with pytest.raises(ValidationFailed):
        services.suspend_user(w["moderator"], w["other"], days=3, reason="  ")


def test_user_history_collects_content_flags_and_actions(w, make):
    services.flag_content(w["other"], "post", w["post"].id, reason="spam")
    services.moderate_post(w["moderator"], w["post"], "lock")
    services.suspend_user(w["moderator"], w["member"], days=1, reason="x")
    history = services.user_history(w["contact"], w["member"])
    assert [p.id for p in history["posts"]] == [w["post"].id]
    assert len(history["flags"]) == 1
    assert {e.action for e in history["actions"]} == {"post.lock", "user.suspend"}
    assert history["can_restrict"] is False  # staff look, moderators act


# Audit log --------------------------------------------------------------------------------------

def test_audit_entries_cannot_be_changed_or_removed(w):
    services.moderate_post(w["moderator"], w["post"], "hide")
    db.session.commit()
    entry = last_audit()
    entry.reason = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.delete(last_audit())
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(sa.update(AuditEntry).values(reason="bulk"))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(sa.delete(AuditEntry))
    db.session.rollback()
    # Below the ORM the database refuses too (triggers from the migration).
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text("UPDATE audit_log SET reason = 'raw'"))
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text("DELETE FROM audit_log"))
    db.session.rollback()
    assert last_audit().reason == "" and db.session.query(AuditEntry).count() == 1


def test_no_service_or_route_changes_the_audit_log(app):
    import inspect

    from community.audit import services as audit
    from community.moderation import api, content, restrictions, views, words

    for module in (content, restrictions, words, views, api, audit):
        source = inspect.getsource(module)
        for pattern in ("update(AuditEntry", "delete(AuditEntry", "AuditEntry.__table__"):
            assert pattern not in source, (module.__name__, pattern)
    audit_rules = [r for r in app.url_map.iter_rules() if "audit" in r.rule]
    assert audit_rules
    assert all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in audit_rules)


def test_audit_search_filters(w, make):
    with clock.frozen(datetime(2026, 11, 20, 9, 0)):
        services.moderate_post(w["moderator"], w["post"], "lock")
    with clock.frozen(datetime(2026, 11, 22, 9, 0)):
        services.moderate_post(w["admin"], w["post"], "pin")
        services.suspend_user(w["admin"], w["other"], days=1, reason="x")
    search = lambda **kw: [e.action for e in services.search_audit(w["admin"], **kw).items]  # noqa: E731
    assert search() == ["user.suspend", "post.pin", "post.lock"]
    assert search(actor_name=w["moderator"].username) == ["post.lock"]
    assert search(action="post.") == ["post.pin", "post.lock"]
    assert search(target_type="user", target_id=str(w["other"].id)) == ["user.suspend"]
    assert search(date_from="2026-11-21") == ["user.suspend", "post.pin"]
    assert search(date_to="2026-11-20") == ["post.lock"]
    with pytest.raises(ValidationFailed):
        search(date_from="yesterday")
    with pytest.raises(NotFound):
        services.search_audit(w["moderator"])


def test_an_approved_held_comment_notifies_as_if_just_posted(w, make):
    from community.notifications.models import Notification

    newbie = make.user()
    comment = feedback.add_comment(newbie, w["post"], "@" + w["other"].username + " 看 https://x.example https://y.example")
    db.session.commit()
    told = lambda: {(n.user_id, n.kind) for n in db.session.query(Notification).filter_by(comment_id=comment.id)}  # noqa: E731
    assert told() == set()  # held: nobody hears of it yet
    hold = db.session.query(Hold).filter_by(target_type="comment", target_id=comment.id).one()
    services.decide_hold(w["moderator"], hold, approve=True)
    db.session.commit()
    assert told() == {(w["post"].author_id, "reply"), (w["other"].id, "mention")}
    assert {n.actor_id for n in db.session.query(Notification).filter_by(comment_id=comment.id)} == {newbie.id}
