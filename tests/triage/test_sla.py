"""SLA clocks with a frozen clock, pauses while waiting on the author, and `flask sla tick`."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from community.audit.models import AuditEntry
from community.core import clock
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.models import Post
from community.routing.models import Department
from community.triage import services, sla
from community.triage.models import SlaWarning

T0 = datetime(2026, 3, 2, 8, 0, 0)


def clocks_of(post, now):
    return sla.post_clocks(post, db.session.get(Department, post.department_id), now)


def test_pure_clock_counts_down_and_flags_due_soon_and_overdue():
    def at(hours):
        return sla.sla_clocks(now=T0 + timedelta(hours=hours), created_at=T0, status="new", status_changed_at=T0,
                              paused_seconds=0, first_response_seconds=None, done_at=None,
                              first_response_hours=10, resolution_days=14)

    assert at(1)["first_response"].remaining_seconds == 9 * 3600 and at(1)["first_response"].state == "ok"
    assert at(8)["first_response"].state == "due_soon" and at(8)["first_response"].level == "warning"
    assert at(7.9)["first_response"].level is None
    late = at(12)["first_response"]
    assert late.state == "overdue" and late.level == "breached" and late.remaining_seconds == -2 * 3600
    assert at(12)["resolution"].state == "ok"


def test_stopped_clocks_report_met_or_missed():
    clocks = sla.sla_clocks(now=T0 + timedelta(days=30), created_at=T0, status="closed", status_changed_at=T0,
                            paused_seconds=0, first_response_seconds=3600, done_at=T0 + timedelta(days=20),
                            first_response_hours=24, resolution_days=14)
    assert clocks["first_response"].state == "met"
    assert clocks["resolution"].state == "missed" and clocks["resolution"].level is None
    assert sla.headline(clocks) is None


def test_needs_info_pauses_both_clocks_and_the_authors_reply_resumes_them(desk, make):
    with clock.frozen(T0) as advance:
        post = make.post(desk["member"], desk["category"])
        advance(hours=2)
        feedback.change_status(desk["contact"], post, "needs_info", note="请提供车机版本号")
        advance(hours=30)  # waiting on the author: nothing counts
        during = clocks_of(post, clock.now())
        assert during["first_response"].used_seconds == 2 * 3600 and during["first_response"].paused
        assert during["first_response"].state == "ok"
        feedback.add_comment(desk["member"], post, "版本号是 v2.3.1")  # ends needs_info
        assert post.status == "acknowledged" and post.sla_paused_seconds == 30 * 3600
        advance(hours=3)
        after = clocks_of(post, clock.now())
        assert after["first_response"].used_seconds == 5 * 3600 and not after["first_response"].paused
        assert after["resolution"].used_seconds == 5 * 3600


def test_sql_clock_agrees_with_the_pure_function(desk, make):
    with clock.frozen(T0) as advance:
        posts = [make.post(desk["member"], desk["category"]) for _ in range(3)]
        advance(hours=5)
        feedback.change_status(desk["contact"], posts[1], "needs_info")
        advance(hours=20)
        feedback.post_official_reply(desk["contact"], posts[2], "收到，正在排查。")
        advance(hours=2)
        now = clock.now()
        expr = sla.sql_clocks(Post, Department, now)
        rows = db.session.execute(
            sa.select(Post.id, expr.remaining).outerjoin(Department, Department.id == Post.department_id)
            .where(Post.id.in_([p.id for p in posts]))).all()
        for post_id, remaining in rows:
            post = db.session.get(Post, post_id)
            assert remaining == sla.headline(clocks_of(post, now)).remaining_seconds


def _tick(app):
    result = app.test_cli_runner().invoke(args=["sla", "tick"])
    assert result.exit_code == 0, result.output
    return result.output


def test_tick_warns_the_contact_at_80_percent_and_the_lead_when_breached_once_each(app, desk, make):
    with clock.frozen(T0) as advance:
        post = make.post(desk["member"], desk["category"])
        assert post.assignee_id == desk["contact"].id
        db.session.commit()
        advance(hours=19)
        assert "warnings=0 breaches=0" in _tick(app)
        advance(hours=1)  # 20 h of 24 h: 83%
        assert "warnings=1 breaches=0" in _tick(app)
        assert "warnings=0 breaches=0" in _tick(app)  # idempotent
        advance(hours=5)
        assert "warnings=0 breaches=1" in _tick(app)
        assert "warnings=0 breaches=0" in _tick(app)
    rows = db.session.execute(sa.select(SlaWarning.target, SlaWarning.level, SlaWarning.recipient_id)
                              .where(SlaWarning.post_id == post.id).order_by(SlaWarning.id)).all()
    assert rows == [("first_response", "warning", desk["contact"].id),
                    ("first_response", "breached", desk["lead"].id)]
    audits = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "triage.sla_breach")).scalars().all()
    assert len(audits) == 1 and audits[0].actor_id is None and audits[0].target_id == post.id


def test_tick_notifies_through_the_notifications_domain(app, desk, make):
    from community.notifications.models import Notification

    with clock.frozen(T0) as advance:
        post = make.post(desk["member"], desk["category"])
        db.session.commit()
        advance(hours=25)
        _tick(app)
        _tick(app)
    rows = db.session.execute(sa.select(Notification.user_id, Notification.data)
                              .where(Notification.kind == "sla_warning", Notification.post_id == post.id)).all()
    assert [(uid, data["level"]) for uid, data in rows] == [(desk["lead"].id, "breached")]


def test_a_paused_item_is_not_warned(app, desk, make):
    with clock.frozen(T0) as advance:
        post = make.post(desk["member"], desk["category"])
        advance(hours=1)
        feedback.change_status(desk["contact"], post, "needs_info")
        db.session.commit()
        advance(days=20)
        assert "warnings=0 breaches=0" in _tick(app)


def test_overdue_and_due_soon_queues_follow_the_clock(desk, make):
    with clock.frozen(T0) as advance:
        old = make.post(desk["member"], desk["category"], title="很早以前的问题")
        advance(hours=6)
        soon = make.post(desk["member"], desk["category"], title="快到期的问题")
        advance(hours=14)  # old: 20 h... move on so that old is overdue and soon at 80%+
        advance(hours=5.5)  # old: 25.5 h (overdue), soon: 19.5 h (81%)
        fresh = make.post(desk["member"], desk["category"], title="刚提交的问题")
        overdue = [r.post.id for r in services.list_queue(desk["lead"], "overdue").items]
        due_soon = [r.post.id for r in services.list_queue(desk["lead"], "due_soon").items]
        assert overdue == [old.id] and due_soon == [soon.id]
        by_sla = [r.post.id for r in services.list_queue(desk["lead"], "all", sort="sla").items]
        assert by_sla == [old.id, soon.id, fresh.id]
