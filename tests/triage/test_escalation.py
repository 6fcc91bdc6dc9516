"""踢皮球 (passing the buck) goes to the lead as 督办; 一事一评 ratings; auto-close after 14 days."""
from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from community.audit.models import AuditEntry
from community.core import clock
from community.core.errors import Conflict, ValidationFailed
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.models import TimelineEntry
from community.triage import services
from community.triage.models import CaseRating, Supervision

T0 = datetime(2026, 3, 2, 8, 0, 0)


def audit_actions(post_id):
    return [a for (a,) in db.session.execute(sa.select(AuditEntry.action).where(
        AuditEntry.target_type == "post", AuditEntry.target_id == post_id).order_by(AuditEntry.id))]


def test_third_reassignment_sends_the_item_to_the_lead_with_a_supervised_mark(client, desk, make):
    second = make.staff(desk["dept"], title="王工")
    post = make.post(desk["member"], desk["category"])
    for to_user in (second, desk["contact"]):
        services.assign_item(desk["contact"], post, reason="不归我管", to_user=to_user)
        assert not services.supervised_ids([post.id])
    services.assign_item(second, post, reason="还是转回去", to_user=second)
    assert post.reassign_count == 3
    assert services.supervised_ids([post.id]) == {post.id}
    assert post.assignee_id == desk["lead"].id
    last = feedback.list_timeline(post)[-1]
    assert last.kind == "reassigned" and last.actor_id is None and last.to_assignee_id == desk["lead"].id
    assert "triage.supervise" in audit_actions(post.id)
    db.session.commit()
    page = client.get(f"/posts/{post.id}").get_data(as_text=True)
    assert "tag-supervised" in page
    client.login_as(desk["lead"])
    assert "tag-supervised" in client.get("/staff/queues/supervised").get_data(as_text=True)


def test_second_reopen_by_the_author_is_supervised(desk, make):
    post = make.post(desk["member"], desk["category"])
    for n in (1, 2):
        feedback.change_status(desk["contact"], post, "resolved")
        feedback.reopen_post(desk["member"], post, reason="问题还在")
        assert post.reopen_count == n
        assert bool(services.supervised_ids([post.id])) is (n == 2)
    assert post.assignee_id == desk["lead"].id
    rows = db.session.execute(sa.select(Supervision.reason, Supervision.lead_id)).all()
    assert rows == [("reopened", desk["lead"].id)]


def test_supervision_ends_when_the_item_is_closed(desk, make):
    post = make.post(desk["member"], desk["category"])
    services.supervise_post(post, "reassigned", count=3)
    feedback.change_status(desk["lead"], post, "closed")
    assert services.supervised_ids([post.id]) == set()


def test_low_rating_reopens_under_supervision_instead_of_closing(client, desk, make):
    post = make.post(desk["member"], desk["category"])
    services.set_item_status(desk["contact"], post, "resolved")
    db.session.commit()
    client.login_as(desk["member"])
    page = client.get(f"/posts/{post.id}").get_data(as_text=True)
    assert f"/posts/{post.id}/rate" in page  # the author is asked on the item page
    response = client.post_form(f"/posts/{post.id}/rate", {"score": "2", "comment": "敷衍了事"})
    assert response.status_code == 302
    db.session.refresh(post)
    assert post.status == "in_progress" and post.assignee_id == desk["lead"].id
    assert services.supervised_ids([post.id]) == {post.id}
    rating = db.session.execute(sa.select(CaseRating)).scalar_one()
    assert rating.score == 2 and rating.comment == "敷衍了事" and rating.department_id == desk["dept"].id
    assert "triage.rating" in audit_actions(post.id)
    assert f"/posts/{post.id}/rate" not in client.get(f"/posts/{post.id}").get_data(as_text=True)


def test_good_rating_confirms_and_closes(desk, make):
    post = make.post(desk["member"], desk["category"])
    feedback.change_status(desk["contact"], post, "resolved")
    services.rate_resolution(desk["member"], post, 5, "很快就解决了")
    assert post.status == "closed" and not services.supervised_ids([post.id])
    with pytest.raises(Conflict):
        services.rate_resolution(desk["member"], post, 4)


def test_rating_validation_and_who_may_rate(client, desk, make):
    post = make.post(desk["member"], desk["category"])
    feedback.change_status(desk["contact"], post, "resolved")
    with pytest.raises(ValidationFailed):
        services.rate_resolution(desk["member"], post, 7)
    db.session.commit()
    client.login_as(desk["member"])
    response = client.post_form(f"/posts/{post.id}/rate", {"score": "", "comment": "我写了很多评价内容"})
    assert response.status_code == 422 and "我写了很多评价内容" in response.get_data(as_text=True)
    client.login_as(desk["contact"])
    assert client.get(f"/posts/{post.id}/rate").status_code == 404
    assert client.post_form(f"/posts/{post.id}/rate", {"score": "5"}).status_code == 404
    assert db.session.execute(sa.select(sa.func.count()).select_from(CaseRating)).scalar_one() == 0


def test_re_resolved_item_can_be_rated_again(desk, make):
    with clock.frozen(T0) as advance:
        post = make.post(desk["member"], desk["category"])
        feedback.change_status(desk["contact"], post, "resolved")
        services.rate_resolution(desk["member"], post, 1)
        advance(hours=3)
        feedback.change_status(desk["lead"], post, "resolved")
        services.rate_resolution(desk["member"], post, 2)
    reasons = db.session.execute(sa.select(Supervision.reason, Supervision.round).order_by(Supervision.id)).all()
    assert reasons == [("low_rating", 0), ("low_rating", 1)]


def test_resolved_item_without_confirmation_closes_after_14_days(app, desk, make):
    with clock.frozen(T0) as advance:
        post = make.post(desk["member"], desk["category"])
        confirmed = make.post(desk["member"], desk["category"], title="作者已经确认的问题")
        feedback.change_status(desk["contact"], post, "resolved")
        feedback.change_status(desk["contact"], confirmed, "resolved")
        feedback.confirm_resolution(desk["member"], confirmed)
        db.session.commit()
        advance(days=13, hours=23)
        runner = app.test_cli_runner()
        assert "auto_closed=0" in runner.invoke(args=["sla", "tick"]).output
        advance(hours=1)
        assert "auto_closed=1" in runner.invoke(args=["sla", "tick"]).output
        assert "auto_closed=0" in runner.invoke(args=["sla", "tick"]).output
    db.session.refresh(post)
    assert post.status == "closed"
    entry = db.session.execute(sa.select(TimelineEntry).where(TimelineEntry.post_id == post.id)
                               .order_by(TimelineEntry.id.desc())).scalars().first()
    assert entry.kind == "status" and entry.to_status == "closed" and entry.actor_id is None and entry.note
    assert "triage.auto_close" in audit_actions(post.id)
    assert "triage.auto_close" not in audit_actions(confirmed.id)


def test_resolving_asks_the_author_for_a_rating_by_notification(desk, make):
    from community.notifications.models import Notification

    post = make.post(desk["member"], desk["category"])
    services.set_item_status(desk["contact"], post, "resolved")
    rows = db.session.execute(sa.select(Notification.user_id).where(
        Notification.kind == "rating_request", Notification.post_id == post.id)).scalars().all()
    assert rows == [desk["member"].id]
