"""The demo data makes the dashboard believable: departments differ, ratings exist, votes spread."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from community.core import clock
from community.extensions import db
from community.feedback.models import Post
from community.pulse import aggregates, services
from community.triage.models import CaseRating

ANCHOR = datetime(2026, 11, 1)


def test_demo_seed_gives_the_dashboard_something_to_tell(app):
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--posts", "400", "--anchor", "2026-11-01",
                                                "--no-search-index"])
    assert result.exit_code == 0, result.output
    assert aggregates.check() == []  # the seeder rebuilt the aggregates after its bulk inserts
    with clock.frozen(ANCHOR):
        rows = {r.name: r for r in services.scoreboard()}
        counters = services.compute_counters()
    assert counters["received_all_time"] > 100 and counters["replied_within_24h_30d"]["rate"] > 0.5
    excellent, struggling = rows["用户服务部"], rows["整车工程部"]
    assert excellent.median_first_response_seconds < struggling.median_first_response_seconds / 5
    assert excellent.within_sla_rate > struggling.within_sla_rate
    assert struggling.reassignments_per_item > excellent.reassignments_per_item
    assert db.session.execute(sa.select(sa.func.count()).select_from(CaseRating)).scalar_one() > 10
    top = db.session.execute(sa.select(Post.vote_count).order_by(Post.vote_count.desc()).limit(5)).scalars().all()
    assert len(set(top)) > 1  # no pile-up at a cap
    assert db.session.execute(sa.select(sa.func.count()).select_from(Post).where(
        Post.created_at >= ANCHOR - timedelta(days=7))).scalar_one() > 0
