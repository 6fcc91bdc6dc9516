"""The roadmap's counters and vote budget under concurrency on a real PostgreSQL."""
from __future__ import annotations

import pytest

from tests.core.test_postgres import make, pg_app  # noqa: F401 - PostgreSQL app and factories bound to it
from tests.roadmap.test_concurrency import _budget_race, _demand_race

pytestmark = pytest.mark.scaled


def test_one_vote_left_and_twenty_concurrent_votes_postgres(pg_app, make):  # noqa: F811
    _budget_race(pg_app, make)


def test_demand_stays_exact_under_concurrent_votes_postgres(pg_app, make):  # noqa: F811
    _demand_race(pg_app, make)


def test_ship_fan_out_on_postgres(pg_app, make):  # noqa: F811
    import sqlalchemy as sa

    from community.extensions import db
    from community.feedback import services as feedback
    from community.notifications.models import Notification
    from community.roadmap import services

    w = make.world()
    pm = make.staff(w["dept"])
    item = services.create_item(pm, title="车机支持 CarPlay", status="planned")
    services.link_feedback(pm, item, w["post"])
    voters = [make.user() for _ in range(5)]
    for u in voters:
        services.set_vote(u, item, True)
        feedback.set_vote(u, w["post"], True)
    services.change_status(pm, item, "in_development")
    services.change_status(pm, item, "shipped")
    db.session.commit()
    told = db.session.execute(sa.select(Notification.user_id).where(Notification.kind == "vote_shipped")).scalars()
    assert sorted(told) == sorted([u.id for u in voters] + [w["member"].id])
