"""Shipping pushes the "shipped" notice live to each interested member's socket, once."""
from __future__ import annotations

from community.extensions import db
from community.feedback import services as feedback
from community.roadmap import services
from tests.realtime.conftest import live  # noqa: F401 - the Socket.IO client fixture


def _client_for(app, user):
    client = app.test_client()
    client.login_as(user)
    return client


def test_shipping_pushes_one_notice_to_each_interested_socket(app, rw, live):  # noqa: F811
    voter, bystander = rw["members"][0], rw["members"][1]
    services.link_feedback(rw["pm"], rw["item"], rw["post"])
    services.set_vote(voter, rw["item"], True)
    feedback.set_vote(voter, rw["post"], True)  # interested twice over
    services.change_status(rw["pm"], rw["item"], "planned")
    services.change_status(rw["pm"], rw["item"], "in_development")
    db.session.commit()
    voter_sock = live(_client_for(app, voter))
    bystander_sock = live(_client_for(app, bystander))
    voter_sock.received()  # drop anything from the setup
    staff = _client_for(app, rw["pm"])
    response = staff.post_form(f"/roadmap/{rw['item'].id}/status", {"status": "shipped"})
    assert response.status_code == 302
    pushed = [e["args"][0]["notification"] for e in voter_sock.received("notification")]
    assert [n["kind"] for n in pushed] == ["vote_shipped"]
    assert pushed[0]["url"] == f"/roadmap/{rw['item'].id}" and "车机支持 CarPlay" in pushed[0]["text"]
    assert bystander_sock.received("notification") == []


def test_votes_and_demand_reach_open_roadmap_pages_live(app, rw, live, make):  # noqa: F811
    voter, watcher = rw["members"][0], rw["members"][1]
    draft = services.create_item(rw["pm"], title="未公开的计划", description="", product=rw["product"], is_public=False)
    db.session.commit()
    visitor = live(app.test_client())
    assert visitor.join("public")["ok"]
    visitor.received()
    page = _client_for(app, voter)
    page.post_form(f"/roadmap/{rw['item'].id}/vote", {"action": "on"})
    pushed = [e["args"][0] for e in visitor.received("roadmap.demand")]
    assert pushed == [{"item_id": rw["item"].id, "vote_count": 1, "demand": 1, "linked_count": 0}]
    # Linked feedback's votes move the roadmap item's demand too, and the push says so.
    services.link_feedback(rw["pm"], rw["item"], rw["post"])
    db.session.commit()
    visitor.received()
    feedback.set_vote(watcher, rw["post"], True)
    db.session.commit()
    demand = [e["args"][0]["demand"] for e in visitor.received("roadmap.demand")]
    assert demand and demand[-1] == services.get_item(rw["pm"], rw["item"].id).demand >= 2
    # Drafts are for staff: nothing about them reaches the public room.
    services.set_vote(rw["pm"], draft, False)
    services.refresh_item_demand(draft.id)
    db.session.commit()
    assert visitor.received("roadmap.demand") == []


def test_pages_carry_the_live_markers(app, rw):
    page = app.test_client().get(f"/roadmap/{rw['item'].id}").get_data(as_text=True)
    assert f'data-roadmap-demand="{rw["item"].id}"' in page and "data-roadmap-live" in page
    assert 'data-label="需求热度 987654321"' in page or 'data-label="Demand 987654321"' in page
