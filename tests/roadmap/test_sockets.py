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
