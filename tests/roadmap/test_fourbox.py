"""Four-box rounds: answers, the grouped "most wanted" tally, bug → feedback, tally line → roadmap demand."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from community.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from community.extensions import db
from community.notifications.models import Notification
from community.roadmap import fourbox, services
from tests.api.conftest import ApiClient

WISHES = ["希望增加无线 CarPlay", "想要无线CarPlay", "无线 CarPlay 什么时候有", "座椅通风再强一点",
          "希望座椅通风更强", "后排加个出风口"]


def _round(rw):
    round_ = fourbox.open_round(rw["pm"], title="v2.4 第 1 周", product=rw["product"], days=7)
    db.session.commit()
    return round_


def _answer_all(rw, make, round_):
    users = rw["members"] + [rw["member"]] + [make.user() for _ in range(len(WISHES) - 4)]
    for user, wish in zip(users, WISHES):
        fourbox.submit_answer(user, round_, {"most_wanted": wish, "most_satisfied": "续航"})
    db.session.commit()
    return users


def test_only_staff_open_rounds_and_a_box_must_be_filled(rw):
    with pytest.raises(PermissionDenied):
        fourbox.open_round(rw["members"][0], title="v2.4 第 1 周")
    round_ = _round(rw)
    with pytest.raises(ValidationFailed):
        fourbox.submit_answer(rw["members"][0], round_, {"most_wanted": "  "})


def test_one_answer_per_member_changeable_until_close(rw):
    round_ = _round(rw)
    member = rw["members"][0]
    fourbox.submit_answer(member, round_, {"most_wanted": "无线 CarPlay"})
    fourbox.submit_answer(member, round_, {"most_wanted": "座椅通风"})
    assert round_.answer_count == 1
    assert fourbox.my_answer(member, round_).most_wanted == "座椅通风"
    from community.core import clock

    round_.closes_at = clock.now()
    with pytest.raises(Conflict):
        fourbox.submit_answer(member, round_, {"most_wanted": "再改一次"})


def test_tally_groups_similar_wishes(rw, make):
    round_ = _round(rw)
    _answer_all(rw, make, round_)
    lines = fourbox.tally(round_)
    assert [line.count for line in lines] == [3, 2, 1]
    assert "CarPlay" in lines[0].label and "座椅通风" in lines[1].label


def test_a_tally_line_becomes_a_roadmap_item_with_its_authors_as_demand(rw, make):
    round_ = _round(rw)
    users = _answer_all(rw, make, round_)
    line = fourbox.tally(round_)[0]
    with pytest.raises(PermissionDenied):
        fourbox.line_to_item(rw["members"][0], round_, line.answer_ids)
    item = fourbox.line_to_item(rw["pm"], round_, line.answer_ids)
    db.session.commit()
    assert item.demand == 3 and item.status == "considering"
    assert fourbox.tally(round_)[0].item_id == item.id
    with pytest.raises(Conflict):
        fourbox.line_to_item(rw["pm"], round_, line.answer_ids)
    # They hear when it ships, once each.
    for status in ("planned", "in_development", "shipped"):
        services.change_status(rw["pm"], item, status)
    db.session.commit()
    told = set(db.session.execute(sa.select(Notification.user_id).where(
        Notification.kind == "vote_shipped", Notification.group_key == f"roadmap_shipped:{item.id}")).scalars())
    assert told == {u.id for u in users[:3]}


def test_the_bug_box_becomes_a_routed_feedback_post(rw):
    round_ = _round(rw)
    member = rw["members"][0]
    answer = fourbox.submit_answer(member, round_, {"bug": "倒车影像偶尔黑屏\n大约每周一次"})
    with pytest.raises(NotFound):
        fourbox.bug_to_post(rw["members"][1], answer, category=rw["category"])
    post = fourbox.bug_to_post(member, answer, category=rw["category"])
    db.session.commit()
    assert post.feedback_type == "bug" and post.title == "倒车影像偶尔黑屏" and post.product_id == rw["product"].id
    assert post.department_id == rw["dept"].id and post.assignee_id in (rw["contact"].id, rw["pm"].id)  # routed
    assert "v2.4 第 1 周" in post.body
    with pytest.raises(Conflict):
        fourbox.bug_to_post(member, answer, category=rw["category"])


def test_fourbox_pages_and_api(app, client, rw, make):
    round_ = _round(rw)
    client.login_as(rw["members"][0])
    page = client.get(f"/fourbox/{round_.id}").get_data(as_text=True)
    assert "最满意" in page and "发现的问题" in page
    assert client.post_form(f"/fourbox/{round_.id}/answer", {"most_wanted": "无线 CarPlay",
                                                              "bug": "蓝牙断连"}).status_code == 302
    page = client.get(f"/fourbox/{round_.id}").get_data(as_text=True)
    assert "本周最想要" in page and "无线 CarPlay" in page
    response = client.post_form(f"/fourbox/{round_.id}/bug", {"category": rw["category"].slug, "title": "蓝牙经常断连"})
    assert response.status_code == 302 and "/posts/" in response.headers["Location"]
    api = ApiClient(app, rw["members"][1])
    shape = api.put(f"/fourbox/{round_.id}/answer", {"most_wanted": "想要无线CarPlay"}).get_json()
    assert shape["most_wanted"][0]["count"] == 2 and shape["my_answer"]["most_wanted"] == "想要无线CarPlay"
    staff = ApiClient(app, rw["pm"])
    created = staff.post(f"/fourbox/{round_.id}/to-roadmap", {"answer_ids": shape["most_wanted"][0]["answer_ids"]})
    assert created.status_code == 201 and created.get_json()["demand"] == 2
    assert ApiClient(app, rw["members"][1]).post("/fourbox", {"title": "v2.5 第 1 周"}).status_code == 403
    assert staff.post("/fourbox", {"title": "v2.5 第 1 周", "product": "es7"}).status_code == 201
