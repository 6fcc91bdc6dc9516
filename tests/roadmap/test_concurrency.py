"""Counters and the vote budget under concurrent requests (SQLite here; test_postgres.py runs the same on PG)."""
from __future__ import annotations

import threading

import sqlalchemy as sa

from community.extensions import db
from community.feedback import services as feedback
from community.roadmap import services
from community.roadmap.models import RoadmapItem, RoadmapVote


def _concurrently(app, calls):
    """Run (user, url) form posts at once, each from its own logged-in client; return the statuses."""
    clients = []
    for user, url in calls:
        c = app.test_client()
        c.login_as(user)
        c.csrf_token()
        clients.append((c, url))
    db.session.commit()
    db.session.remove()
    barrier = threading.Barrier(len(clients))
    codes = [None] * len(clients)

    def run(i, c, url):
        barrier.wait(timeout=20)
        codes[i] = c.post_form(url, {"action": "on"}, headers={"Accept": "application/json"}).status_code

    threads = [threading.Thread(target=run, args=(i, c, url)) for i, (c, url) in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return codes


def _budget_race(app, make):
    w = make.world()
    product = make.product(slug="es7")
    pm = make.staff(w["dept"])
    member = make.user()
    services.set_vote_budget(make.user("admin"), product, 3)
    items = [services.create_item(pm, title=f"规划项 {n:02d}", product=product) for n in range(22)]
    services.set_vote(member, items[0], True)
    services.set_vote(member, items[1], True)  # one vote left
    db.session.commit()
    member_id = member.id
    codes = _concurrently(app, [(member, f"/roadmap/{i.id}/vote") for i in items[2:]])
    assert sorted(codes) == [200] + [409] * 19
    assert db.session.execute(sa.select(sa.func.count()).select_from(RoadmapVote)
                              .where(RoadmapVote.user_id == member_id)).scalar_one() == 3


def _demand_race(app, make):
    w = make.world()
    pm = make.staff(w["dept"])
    item = services.create_item(pm, title="车机支持 CarPlay")
    services.link_feedback(pm, item, w["post"])
    both = [make.user() for _ in range(4)]
    item_only = [make.user() for _ in range(5)]
    post_only = [make.user() for _ in range(5)]
    db.session.commit()
    calls = ([(u, f"/roadmap/{item.id}/vote") for u in both + item_only]
             + [(u, f"/posts/{w['post'].id}/vote") for u in both + post_only])
    item_id, post_id = item.id, w["post"].id
    codes = _concurrently(app, calls)
    assert codes == [200] * len(calls)
    row = db.session.get(RoadmapItem, item_id)
    db.session.refresh(row)
    # 4 + 5 + 5 distinct voters, plus the author of the linked feedback.
    assert row.demand == 15 and row.vote_count == 9
    assert services.recount_demand(item_id) == (15, 1)
    assert feedback.get_post(None, post_id).vote_count == 9


def test_one_vote_left_and_twenty_concurrent_votes_sqlite(app, make):
    _budget_race(app, make)


def test_demand_stays_exact_under_concurrent_votes_sqlite(app, make):
    _demand_race(app, make)
