"""The demo seed gives a newcomer the whole loop: a roadmap across statuses, shipped releases
with linked feedback and delivered notices, an open and a closed poll."""
from __future__ import annotations

import sqlalchemy as sa

from community.core import clock
from community.extensions import db
from community.notifications.models import Notification
from community.roadmap import fourbox, polls
from community.roadmap.models import FourBoxRound, Poll, Release, RoadmapItem, RoadmapLink
from tests.demo.test_seed import SMALL, run_seed


def test_demo_seed_builds_a_believable_roadmap(app, client):
    run_seed(app, *[a if a != "2026-11-01" else clock.now().strftime("%Y-%m-%d") for a in SMALL])
    statuses = dict(db.session.execute(sa.select(RoadmapItem.status, sa.func.count())
                                       .group_by(RoadmapItem.status)).all())
    assert sum(statuses.values()) == 40
    assert set(statuses) == {"considering", "planned", "in_development", "in_beta", "shipped", "not_planned"}
    # The seeder links only feedback whose own history is over.
    assert db.session.execute(sa.select(sa.func.count()).select_from(RoadmapLink)).scalar_one() >= 5
    published = db.session.execute(sa.select(Release).where(Release.is_published.is_(True))).scalars().all()
    assert len(published) == 2 and all(r.items for r in published)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Notification)
                              .where(Notification.kind == "vote_shipped")).scalar_one() > 0
    all_polls = db.session.execute(sa.select(Poll)).scalars().all()
    assert sorted(polls.is_open(p) for p in all_polls) == [False, True]
    assert any(p.decision for p in all_polls)
    rounds = db.session.execute(sa.select(FourBoxRound)).scalars().all()
    assert len(rounds) == 1 and fourbox.is_open(rounds[0]) and rounds[0].answer_count > 20
    assert fourbox.tally(rounds[0])[0].count > 1  # similar wishes grouped
    for url in ("/roadmap", "/roadmap/list?sort=eta", "/changelog", "/changelog.atom", "/polls",
                f"/releases/{published[0].id}", f"/polls/{all_polls[0].id}", f"/fourbox/{rounds[0].id}"):
        assert client.get(url).status_code == 200, url
