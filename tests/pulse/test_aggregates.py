"""The buckets follow every change exactly, equal the direct computation, and the CLI checks them."""
from __future__ import annotations

import sqlalchemy as sa

from community.core import clock
from community.extensions import db
from community.pulse import aggregates, services
from tests.pulse.conftest import T0

COUNTED = ("kind = 'feedback' AND merged_into_id IS NULL AND deleted_at IS NULL AND is_hidden = false")


def _direct(sql: str, **params) -> int:
    return db.session.execute(sa.text(sql), params).scalar_one()


def test_counters_have_the_known_answers_and_equal_direct_sql(dataset):
    with clock.frozen(T0):
        c = services.compute_counters()
    today_start = aggregates.day_start(aggregates.local_day(T0))
    assert c["received_all_time"] == 5 == _direct(f"SELECT count(*) FROM posts WHERE {COUNTED}")  # a b c e h
    assert c["received_today"] == 1 == _direct(
        f"SELECT count(*) FROM posts WHERE {COUNTED} AND created_at >= :s", s=today_start)  # h
    assert c["received_this_week"] == 2  # c (Monday) and h
    assert c["official_replies_today"] == 2  # a's second reply and h's
    assert c["replied_within_24h_7d"] == {"received": 2, "replied_within_24h": 1, "rate": 0.5}  # c, e
    assert c["replied_within_24h_30d"] == {"received": 4, "replied_within_24h": 2, "rate": 0.5}  # a b c e
    assert c["median_first_response_seconds_7d"] == (1800 + 5 * 3600) // 2  # e and h
    assert c["median_first_response_seconds_30d"] == (2 * 3600 + 5 * 3600) // 2  # h a e b
    assert c["resolved_this_week"] == 1 == _direct(
        f"SELECT count(*) FROM posts WHERE {COUNTED} AND status IN ('resolved', 'accepted', 'closed') "
        "AND resolved_at IS NOT NULL")  # b; a was reopened
    with clock.frozen(T0):
        car = services.compute_counters(product_id=dataset["car"].id)
    assert (car["received_all_time"], car["official_replies_today"]) == (1, 1)
    assert aggregates.check() == []


def test_scoreboard_is_the_department_figures_without_hidden_items(dataset):
    with clock.frozen(T0):
        rows = {r.department_id: r for r in services.scoreboard()}
    cabin = rows[dataset["dept"].id]
    # a c e h: d is merged into e, f hidden, g deleted
    assert (cabin.items, cabin.responded, cabin.open_backlog, cabin.median_first_response_seconds) == (4, 3, 4, 7200)
    assert (cabin.within_sla, cabin.missed_sla) == (3, 1)  # c waits past its 24 h target
    assert cabin.trend("open_backlog") == {"direction": "up", "better": False, "previous": 0}
    assert cabin.trend("median_first_response_seconds") is None  # nothing to compare with
    assert rows[dataset["other"].id].resolved == 1
    with clock.frozen(T0):
        ranked = services.scoreboard(sort="open_backlog", descending=True)
    assert [r.department_id for r in ranked] == [dataset["dept"].id, dataset["other"].id]


def test_changes_after_the_first_commit_keep_the_buckets_exact(dataset, make, app):
    from community.feedback import services as feedback
    from community.moderation import services as moderation

    items = dataset["items"]
    with clock.frozen(T0):
        moderation.restore_post(dataset["moderator"], items["g"], reason="误删")  # back in
        moderation.hide_post(dataset["moderator"], items["c"], reason="广告")  # out
        feedback.change_status(dataset["contact"], items["e"], "resolved")
        db.session.commit()
        assert aggregates.check() == []
        assert services.compute_counters()["received_all_time"] == 5
        assert services.compute_counters()["resolved_this_week"] == 2


def test_cli_check_reports_drift_and_rebuild_repairs_it(dataset, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["pulse", "check"])
    assert result.exit_code == 0, result.output
    db.session.execute(sa.text("UPDATE pulse_buckets SET received = received + 1 "
                               "WHERE day = (SELECT min(day) FROM pulse_buckets)"))
    db.session.commit()
    result = runner.invoke(args=["pulse", "check"])
    assert result.exit_code != 0 and "received: stored" in result.output
    result = runner.invoke(args=["pulse", "rebuild"])
    assert result.exit_code == 0 and "items=5" in result.output
    assert runner.invoke(args=["pulse", "check"]).exit_code == 0


def test_a_registered_exclusion_keeps_items_out_of_every_public_figure(dataset, client):
    """How a beta program keeps its private items out: one clause, honoured by buckets and figures."""
    from community.feedback.models import Post
    from community.triage import figures

    def beta_private(model):
        return model.title.not_like("%看板测试的反馈 h%")  # stands in for "not in a private beta"

    figures.register_exclusion(beta_private)
    try:
        assert aggregates.check() != []  # the stored aggregates still count h
        aggregates.rebuild()
        db.session.commit()
        assert aggregates.check() == []
        with clock.frozen(T0):
            c = services.compute_counters()
            rows = {r.department_id: r for r in services.scoreboard()}
        assert c["received_all_time"] == 4 and c["received_today"] == 0
        assert c["official_replies_today"] == 1  # only a's second reply
        assert rows[dataset["dept"].id].items == 3
        assert db.session.execute(sa.select(sa.func.count()).select_from(Post)
                                  .where(*figures.counted_conditions())).scalar_one() == 4
    finally:
        figures._EXCLUSIONS.remove(beta_private)
        services.forget_cache()
