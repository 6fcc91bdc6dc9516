"""Per-department figures: one service for the console and the public dashboard."""
from __future__ import annotations

from datetime import datetime

from community.core import clock
from community.extensions import db
from community.feedback import services as feedback
from community.triage import services

T0 = datetime(2026, 3, 2, 8, 0, 0)


def test_department_figures(client, desk, make):
    with clock.frozen(T0) as advance:
        fast, slow, waiting, answered_late = (make.post(desk["member"], desk["category"], title=f"统计用的问题 {n}")
                                              for n in range(4))
        make.post(desk["member"], desk["other_category"], title="售后统计的问题")  # another department's
        advance(hours=2)
        feedback.post_official_reply(desk["contact"], fast, "两小时内回复")
        advance(hours=4)
        feedback.post_official_reply(desk["contact"], slow, "六小时回复")
        advance(hours=24)
        feedback.post_official_reply(desk["contact"], answered_late, "三十小时才回复")
        services.assign_item(desk["contact"], fast, reason="转给负责人", to_user=desk["lead"])
        feedback.change_status(desk["lead"], fast, "resolved")
        services.rate_resolution(desk["member"], fast, 5)
        feedback.change_status(desk["contact"], slow, "resolved")
        services.rate_resolution(desk["member"], slow, 1)
        figures = {f.department_id: f for f in services.department_figures(now=clock.now())}
    cabin = figures[desk["dept"].id]
    assert cabin.items == 4 and cabin.responded == 3
    assert cabin.median_first_response_seconds == 6 * 3600  # 2 h, 6 h, 30 h
    # within: fast and slow; missed: answered 30 h late and waiting (unanswered past 24 h)
    assert (cabin.within_sla, cabin.missed_sla, cabin.within_sla_rate) == (2, 2, 0.5)
    assert cabin.open_backlog == 3  # slow went back to in_progress after its low rating
    assert cabin.reassignments_per_item == 0.25
    assert (cabin.ratings, cabin.satisfied, cabin.satisfaction_rate, cabin.average_rating) == (2, 1, 0.5, 3.0)
    service = figures[desk["other_dept"].id]
    assert service.items == 1 and service.median_first_response_seconds is None and service.satisfaction_rate is None
    assert [f.department_id for f in services.department_figures([desk["other_dept"].id])] == [desk["other_dept"].id]
    db.session.commit()
    client.login_as(desk["outsider"])
    html = client.get("/staff/figures?days=3650").get_data(as_text=True)
    assert "车机软件部" in html and "50%" in html
    api = client.get("/api/v1/staff/figures").get_json()
    assert {d["department_id"] for d in api["departments"]} == {desk["dept"].id, desk["other_dept"].id}


def test_median_of_an_even_count_averages_the_middle_two(desk, make):
    with clock.frozen(T0) as advance:
        posts = [make.post(desk["member"], desk["category"], title=f"偶数中位数 {n}") for n in range(2)]
        advance(hours=1)
        feedback.post_official_reply(desk["contact"], posts[0], "一小时")
        advance(hours=2)
        feedback.post_official_reply(desk["contact"], posts[1], "三小时")
        cabin = services.department_figures([desk["dept"].id], now=clock.now())[0]
    assert cabin.median_first_response_seconds == 2 * 3600


def test_hidden_and_deleted_items_are_not_counted(client, desk, make):
    from community.moderation import services as moderation

    moderator = make.user("moderator")
    with clock.frozen(T0) as advance:
        kept, hidden, deleted = (make.post(desk["member"], desk["category"], title=f"计数用的问题 {n}") for n in range(3))
        advance(hours=1)
        moderation.hide_post(moderator, hidden, reason="广告")
        moderation.delete_post(moderator, deleted, reason="违规")
        advance(hours=1)
        feedback.change_status(desk["contact"], kept, "resolved")
        cabin = services.department_figures([desk["dept"].id], now=clock.now())[0]
    assert (cabin.items, cabin.open_backlog, cabin.resolved) == (1, 0, 1)
    db.session.commit()
    client.login_as(desk["outsider"])
    assert client.get("/staff/figures?days=3650").status_code == 200
