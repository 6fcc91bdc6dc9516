"""Roadmap rules through the services: workflow, linking, votes, demand, shipping fan-out."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from community.core.errors import (
    Conflict,
    InvalidTransition,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.models import TimelineEntry
from community.notifications.models import Notification
from community.roadmap import services
from community.roadmap.models import RoadmapLink


def _shipped_notices(item):
    return db.session.execute(sa.select(Notification.user_id, sa.func.count()).where(
        Notification.kind == "vote_shipped", Notification.group_key == f"roadmap_shipped:{item.id}")
        .group_by(Notification.user_id)).all()


def _walk_to(pm, item, *statuses):
    for s in statuses:
        services.change_status(pm, item, s)


# Workflow ---------------------------------------------------------------------

def test_members_cannot_create_or_change_items(rw):
    member = rw["members"][0]
    with pytest.raises(PermissionDenied):
        services.create_item(member, title="我想要一个功能")
    with pytest.raises(PermissionDenied):
        services.change_status(member, rw["item"], "planned")
    with pytest.raises(NotAuthenticated):
        services.create_item(None, title="匿名的想法")


def test_transitions_are_enforced_and_recorded_with_actor_and_department(rw):
    pm, item = rw["pm"], rw["item"]
    with pytest.raises(InvalidTransition):
        services.change_status(pm, item, "shipped")  # considering → shipped skips the work
    entry = services.change_status(pm, item, "planned", note="排进 Q1")
    assert (entry.from_status, entry.to_status, entry.note) == ("considering", "planned", "排进 Q1")
    assert entry.actor_id == pm.id and entry.department_name == "车机软件部"
    assert "产品经理" in entry.actor_label
    kinds = [e.kind for e in services.list_entries(item)]
    assert kinds == ["created", "status"]


def test_not_planned_needs_a_public_reason(rw):
    with pytest.raises(ValidationFailed) as exc:
        services.change_status(rw["pm"], rw["item"], "not_planned", note="  ")
    assert "note" in exc.value.fields
    services.change_status(rw["pm"], rw["item"], "not_planned", note="硬件不支持")
    assert rw["item"].status == "not_planned"


def test_target_quarter_is_parsed_and_validated(rw):
    assert rw["item"].target_quarter == "2027Q1" and rw["item"].quarter_label == "2027 Q1"
    with pytest.raises(ValidationFailed) as exc:
        services.create_item(rw["pm"], title="换一个标题", target_quarter="明年")
    assert "target_quarter" in exc.value.fields


def test_drafts_are_not_found_for_members(rw):
    draft = services.create_item(rw["pm"], title="内部评估中的项目", is_public=False)
    db.session.commit()
    with pytest.raises(NotFound):
        services.get_item(rw["members"][0], draft.id)
    with pytest.raises(NotFound):
        services.get_item(None, draft.id)
    assert services.get_item(rw["pm"], draft.id) is draft
    assert draft.id not in [i.id for i in services.list_items(None).items]


# Linking ----------------------------------------------------------------------

def test_linking_accepts_the_feedback_with_an_entry_pointing_at_the_item(rw):
    post, item = rw["post"], rw["item"]
    services.link_feedback(rw["pm"], item, post)
    db.session.commit()
    assert post.status == "accepted"
    entry = db.session.execute(sa.select(TimelineEntry).where(
        TimelineEntry.post_id == post.id, TimelineEntry.kind == "roadmap_linked")).scalar_one()
    assert entry.to_status == "accepted" and entry.actor_id == rw["pm"].id
    assert services.feedback_ref(entry.id).item_id == item.id
    assert item.linked_count == 1
    assert services.item_for_post(None, post).id == item.id
    assert [e.kind for e in services.list_entries(item)][-1] == "linked"


def test_linking_tells_voters_it_was_accepted(rw, make):
    voter = rw["members"][0]
    feedback.set_vote(voter, rw["post"], True)
    services.link_feedback(rw["pm"], rw["item"], rw["post"])
    db.session.commit()
    kinds = db.session.execute(sa.select(Notification.kind).where(Notification.user_id == voter.id)).scalars().all()
    assert "vote_accepted" in kinds


def test_a_feedback_item_links_to_at_most_one_roadmap_item(rw):
    other = services.create_item(rw["pm"], title="另一个规划项")
    services.link_feedback(rw["pm"], rw["item"], rw["post"])
    with pytest.raises(Conflict) as exc:
        services.link_feedback(rw["pm"], other, rw["post"])
    assert exc.value.code == "linked_elsewhere"
    with pytest.raises(Conflict):
        services.link_feedback(rw["pm"], rw["item"], rw["post"])
    assert db.session.execute(sa.select(sa.func.count()).select_from(RoadmapLink)).scalar_one() == 1


def test_unlinking_is_recorded_and_returns_accepted_to_in_progress(rw):
    services.link_feedback(rw["pm"], rw["item"], rw["post"])
    services.unlink_feedback(rw["pm"], rw["post"], note="不是同一个需求")
    db.session.commit()
    assert rw["post"].status == "in_progress"
    kinds = [e.kind for e in feedback.list_timeline(rw["post"])]
    assert kinds[-2:] == ["roadmap_linked", "roadmap_unlinked"]
    assert [e.kind for e in services.list_entries(rw["item"])][-1] == "unlinked"
    assert rw["item"].linked_count == 0 and rw["item"].demand == 0
    with pytest.raises(Conflict):
        services.unlink_feedback(rw["pm"], rw["post"])


def test_members_cannot_link(rw):
    with pytest.raises(PermissionDenied):
        services.link_feedback(rw["members"][0], rw["item"], rw["post"])


def test_bulk_link_reports_each_refusal_without_undoing_the_others(rw, make):
    second = make.post(rw["members"][1], rw["category"], title="希望支持无线 CarPlay")
    other = services.create_item(rw["pm"], title="另一个规划项")
    services.link_feedback(rw["pm"], other, second)
    third = make.post(rw["members"][2], rw["category"], title="CarPlay 什么时候有")
    results = services.bulk_link(rw["pm"], rw["item"], [rw["post"].id, second.id, third.id, 999999])
    assert [(r.post_id, r.ok) for r in results] == [(rw["post"].id, True), (second.id, False), (third.id, True),
                                                    (999999, False)]
    assert rw["item"].linked_count == 2


# Votes and demand ---------------------------------------------------------------

def test_vote_is_one_per_member_and_toggles(rw):
    member = rw["members"][0]
    assert services.set_vote(member, rw["item"], True)[:2] == (True, 1)
    assert services.set_vote(member, rw["item"], True)[:2] == (True, 1)
    assert services.set_vote(member, rw["item"], False)[:2] == (False, 0)
    assert rw["item"].demand == 0


def test_demand_counts_each_member_once_across_routes(rw, make):
    a, b, c = rw["members"]
    author = rw["member"]  # wrote the first feedback item
    second = make.post(b, rw["category"], title="希望支持无线 CarPlay")
    services.link_feedback(rw["pm"], rw["item"], rw["post"])
    services.link_feedback(rw["pm"], rw["item"], second)
    # a: item vote + votes on both linked items; b: author of one and voter of the other; author: wrote one.
    services.set_vote(a, rw["item"], True)
    feedback.set_vote(a, rw["post"], True)
    feedback.set_vote(a, second, True)
    feedback.set_vote(b, rw["post"], True)
    services.set_vote(author, rw["item"], True)
    db.session.commit()
    assert rw["item"].demand == 3  # a, b, author; c asked nothing
    feedback.set_vote(c, second, True)
    db.session.commit()
    db.session.refresh(rw["item"])
    assert rw["item"].demand == 4
    feedback.set_vote(c, second, False)
    db.session.commit()
    db.session.refresh(rw["item"])
    assert rw["item"].demand == 3


def test_hidden_linked_feedback_stops_counting(rw, make):
    from community.moderation import services as moderation

    services.link_feedback(rw["pm"], rw["item"], rw["post"])
    feedback.set_vote(rw["members"][0], rw["post"], True)
    db.session.commit()
    assert rw["item"].demand == 2
    mod = make.user("moderator")
    moderation.hide_post(mod, rw["post"], reason="广告")
    db.session.commit()
    db.session.refresh(rw["item"])
    assert rw["item"].demand == 0


def test_votes_are_closed_on_shipped_items(rw):
    _walk_to(rw["pm"], rw["item"], "planned", "in_development", "shipped")
    with pytest.raises(PermissionDenied):
        services.set_vote(rw["members"][0], rw["item"], True)


def test_vote_budget_counts_active_votes_and_returns_on_ship(rw, make):
    admin = make.user("admin")
    services.set_vote_budget(admin, rw["product"], 2)
    pm, member = rw["pm"], rw["members"][0]
    items = [services.create_item(pm, title=f"第 {n} 个规划项", product=rw["product"]) for n in range(3)]
    assert services.votes_left(member, rw["product"].id) == 2
    services.set_vote(member, items[0], True)
    services.set_vote(member, items[1], True)
    assert services.votes_left(member, rw["product"].id) == 0
    with pytest.raises(Conflict) as exc:
        services.set_vote(member, items[2], True)
    assert exc.value.code == "vote_budget_spent"
    services.set_vote(member, items[0], True)  # voting again for an item already supported is fine
    services.change_status(pm, items[0], "not_planned", note="不做了")
    assert services.votes_left(member, rw["product"].id) == 1
    services.set_vote(member, items[2], True)


def test_only_admins_set_the_vote_budget(rw):
    with pytest.raises(PermissionDenied):
        services.set_vote_budget(rw["pm"], rw["product"], 5)
    with pytest.raises(PermissionDenied):
        services.set_vote_budget(rw["members"][0], rw["product"], 5)


# Shipping ------------------------------------------------------------------------

def test_shipping_tells_everyone_who_asked_exactly_once(rw, make):
    a, b, c = rw["members"]
    author = rw["member"]
    follower = make.user()
    bystander = make.user()
    second = make.post(b, rw["category"], title="希望支持无线 CarPlay")
    services.link_feedback(rw["pm"], rw["item"], rw["post"])
    services.link_feedback(rw["pm"], rw["item"], second)
    services.set_vote(a, rw["item"], True)
    feedback.set_vote(a, rw["post"], True)      # a: three routes
    feedback.set_vote(a, second, True)
    feedback.set_vote(author, second, True)     # author: wrote one, voted the other
    feedback.set_follow(follower, rw["post"], True)
    feedback.set_vote(c, second, True)
    _walk_to(rw["pm"], rw["item"], "planned", "in_development")
    db.session.commit()
    services.change_status(rw["pm"], rw["item"], "shipped")
    db.session.commit()
    told = dict(_shipped_notices(rw["item"]))
    assert set(told) == {a.id, b.id, c.id, author.id, follower.id}
    assert all(n == 1 for n in told.values())
    assert bystander.id not in told and rw["pm"].id not in told
    # Linked feedback is resolved, with an entry that points back at the item.
    assert rw["post"].status == "resolved" and second.status == "resolved"
    shipped_entry = feedback.list_timeline(rw["post"])[-1]
    assert shipped_entry.kind == "roadmap_shipped" and services.feedback_ref(shipped_entry.id).item_id == rw["item"].id
    # Followers hear once, from the roadmap notice, not also through a status change.
    assert db.session.execute(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == follower.id, Notification.kind == "status_changed",
        Notification.data["status"].as_string() == "resolved")).scalar_one() == 0


def test_shipping_a_draft_tells_no_member(rw, make):
    draft = services.create_item(rw["pm"], title="内部评估中的项目", is_public=False)
    services.link_feedback(rw["pm"], draft, rw["post"])
    other_staff = make.staff(rw["dept"])
    feedback.set_vote(rw["members"][0], rw["post"], True)
    feedback.set_follow(other_staff, rw["post"], True)
    _walk_to(rw["pm"], draft, "planned", "in_development", "shipped")
    db.session.commit()
    told = dict(_shipped_notices(draft))
    assert rw["members"][0].id not in told and rw["member"].id not in told
    assert other_staff.id in told


def test_the_shipped_notice_names_the_item_and_links_to_it(rw, app):
    services.set_vote(rw["members"][0], rw["item"], True)
    _walk_to(rw["pm"], rw["item"], "planned", "in_development", "shipped")
    db.session.commit()
    from community.notifications import services as notifications

    row = db.session.execute(sa.select(Notification).where(Notification.user_id == rw["members"][0].id,
                                                           Notification.kind == "vote_shipped")).scalar_one()
    with app.test_request_context():
        payload = notifications.serialize(row)
    assert payload["url"] == f"/roadmap/{rw['item'].id}"
    assert "车机支持 CarPlay" in payload["text"]


def test_community_mark_and_dashboard_count(rw, make):
    from datetime import timedelta

    from community.core import clock

    staff_idea = services.create_item(rw["pm"], title="员工提出的规划项")
    services.link_feedback(rw["pm"], rw["item"], rw["post"])  # written by a member
    for item in (rw["item"], staff_idea):
        _walk_to(rw["pm"], item, "planned", "in_development", "shipped")
    db.session.commit()
    assert services.from_community(rw["item"]) and not services.from_community(staff_idea)
    assert services.shipped_from_community_count(clock.now() - timedelta(days=90)) == 1


def test_demand_by_segment_is_for_staff_and_splits_supporters(rw, make):
    from datetime import timedelta

    from community.core import clock
    from community.feedback.workflow import RATING_DIMENSIONS

    old_member = rw["members"][0]
    old_member.created_at = clock.now() - timedelta(days=400)
    owner = rw["members"][1]
    make.post(owner, rw["category"], kind="trial_report", title="极光 ES7 一个月体验", product=rw["product"],
              body="开了一个月，整体满意，续航比预期好。",
              trial={"version": "长续航版", "ratings": dict.fromkeys(RATING_DIMENSIONS, 4)})
    services.set_vote(old_member, rw["item"], True)
    services.set_vote(owner, rw["item"], True)
    db.session.commit()
    with pytest.raises(NotFound):
        services.demand_by_segment(rw["members"][2], rw["item"])
    rows = {r["key"]: r["count"] for r in services.demand_by_segment(rw["pm"], rw["item"])}
    assert rows == {"new": 1, "long_standing": 1, "owners": 1, "not_owners": 1}


def test_weighted_demand_counts_contribution_with_a_cap(rw, make):
    author = rw["member"]
    services.link_feedback(rw["pm"], rw["item"], rw["post"])  # the author's bug: no official reply yet
    services.set_vote(rw["members"][0], rw["item"], True)
    db.session.commit()
    assert services.weighted_demand(rw["item"]) == 2.0
    feedback.post_official_reply(rw["contact"], rw["post"], "收到，已定位")
    db.session.commit()
    assert services.weighted_demand(rw["item"]) == 2.2  # the author's bug got an official reply
    assert author.id in services.interested_user_ids(rw["item"])
