"""Queues, filters, bulk actions (with per-item failures), tags and the side panel."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from community.audit.models import AuditEntry
from community.core import clock
from community.core.errors import ValidationFailed
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.models import Post
from community.triage import queues, services
from community.triage.models import PostTag

T0 = datetime(2026, 3, 2, 8, 0, 0)


def ids(page):
    return [r.post.id for r in page.items]


def test_queues_hold_the_right_items(desk, make):
    routing_off = make.staff(desk["dept"], contact=False)
    mine = make.post(desk["member"], desk["category"], title="分给接口人的问题")
    other = make.post(desk["member"], desk["other_category"], title="售后部门的问题")
    unassigned = make.post(desk["member"], desk["category"], title="还没人接的问题")
    unassigned.assignee_id = None
    closed = make.post(desk["member"], desk["category"], title="已经关闭的问题")
    feedback.change_status(desk["contact"], closed, "closed")
    reopened = make.post(desk["member"], desk["category"], title="被作者重新打开的问题")
    feedback.change_status(desk["contact"], reopened, "resolved")
    feedback.reopen_post(desk["member"], reopened, reason="还是不行")
    db.session.flush()
    contact = desk["contact"]
    assert set(ids(services.list_queue(contact, "mine"))) == {mine.id, reopened.id}
    assert set(ids(services.list_queue(contact, "department"))) == {mine.id, unassigned.id, reopened.id}
    assert ids(services.list_queue(contact, "unassigned")) == [unassigned.id]
    assert ids(services.list_queue(contact, "reopened")) == [reopened.id]
    assert closed.id not in ids(services.list_queue(contact, "all"))
    assert other.id in ids(services.list_queue(contact, "all"))
    assert ids(services.list_queue(routing_off, "mine")) == []
    counts = services.queue_counts(contact)
    assert counts["mine"] == 2 and counts["unassigned"] == 1 and counts["all"] == 4


def test_filters_and_sorts(desk, make):
    product = make.product()
    with clock.frozen(T0) as advance:
        bug = make.post(desk["member"], desk["category"], title="第一个缺陷问题", product=product)
        advance(days=2)
        idea = make.post(desk["member"], desk["category"], title="第二个建议内容", feedback_type="suggestion")
        advance(days=2)
        other = make.post(desk["member"], desk["other_category"], title="第三个售后问题")
        feedback.set_vote(make.user(), idea, True)
        feedback.change_status(desk["contact"], bug, "in_progress")
        services.add_tags(desk["contact"], idea, "座椅")
    lead = desk["lead"]
    F = services.QueueFilters
    assert ids(services.list_queue(lead, "all", filters=F(department_id=desk["other_dept"].id))) == [other.id]
    assert ids(services.list_queue(lead, "all", filters=F(category_id=desk["category"].id), sort="oldest")) == [bug.id, idea.id]
    assert ids(services.list_queue(lead, "all", filters=F(feedback_type="suggestion"))) == [idea.id]
    assert ids(services.list_queue(lead, "all", filters=F(product_id=product.id))) == [bug.id]
    assert ids(services.list_queue(lead, "all", filters=F(status="in_progress"))) == [bug.id]
    assert ids(services.list_queue(lead, "all", filters=F(tag="座椅"))) == [idea.id]
    window = F(created_from=(T0 + timedelta(days=1)).date(), created_to=(T0 + timedelta(days=2)).date())
    assert ids(services.list_queue(lead, "all", filters=window)) == [idea.id]
    assert ids(services.list_queue(lead, "all", sort="votes"))[0] == idea.id
    assert ids(services.list_queue(lead, "all", sort="newest")) == [other.id, idea.id, bug.id]


def test_pagination_counts_every_item(desk, make):
    for n in range(7):
        make.post(desk["member"], desk["category"], title=f"分页测试问题 {n}")
    first = services.list_queue(desk["lead"], "all", page=1, per_page=5)
    second = services.list_queue(desk["lead"], "all", page=2, per_page=5)
    assert first.total == 7 and first.pages == 2 and len(first.items) == 5 and len(second.items) == 2
    assert not set(ids(first)) & set(ids(second))


def test_queue_page_filters_through_the_query_string(client, desk, make):
    make.post(desk["member"], desk["category"], title="蓝牙断连的问题")
    make.post(desk["member"], desk["other_category"], title="保养预约的问题")
    client.login_as(desk["outsider"])
    html = client.get(f"/staff/queues/all?department={desk['dept'].id}&sort=votes").get_data(as_text=True)
    assert "蓝牙断连的问题" in html and "保养预约的问题" not in html
    assert "First response" in html or "首次" in html  # the SLA clock is written out, not only coloured
    assert client.get("/staff/queues/nonsense").status_code == 404


def test_bulk_status_reports_failures_without_losing_the_others(client, desk, make):
    ok_a = make.post(desk["member"], desk["category"], title="可以批量处理的一")
    ok_b = make.post(desk["member"], desk["category"], title="可以批量处理的二")
    foreign = make.post(desk["member"], desk["other_category"], title="别的部门的问题")
    done = make.post(desk["member"], desk["category"], title="已经关闭的问题")
    feedback.change_status(desk["contact"], done, "closed")
    db.session.commit()
    client.login_as(desk["contact"])
    response = client.post_form("/staff/bulk", {"action": "status", "status": "in_progress", "note": "统一排查中",
                                                "ids": [ok_a.id, foreign.id, ok_b.id, done.id],
                                                "next": "/staff/queues/all"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/queues/all")
    statuses = dict(db.session.execute(sa.select(Post.id, Post.status)).all())
    assert statuses[ok_a.id] == statuses[ok_b.id] == "in_progress"
    assert statuses[foreign.id] == "new" and statuses[done.id] == "closed"
    page = client.get("/staff/queues/all").get_data(as_text=True)
    assert f"#{foreign.id}" in page and f"#{done.id}" in page  # the flashed failures name the items
    audits = db.session.execute(sa.select(AuditEntry.target_id).where(AuditEntry.action == "triage.status")).scalars()
    assert sorted(audits) == sorted([ok_a.id, ok_b.id])


def test_bulk_assign_tag_and_merge_through_the_service(desk, make):
    second = make.staff(desk["dept"], title="王工", contact=False)
    posts = [make.post(desk["member"], desk["category"], title=f"重复的蓝牙问题 {n}") for n in range(3)]
    results = services.bulk_action(desk["contact"], "assign", [p.id for p in posts], reason="王工负责蓝牙", to_user=second)
    assert all(r.ok for r in results) and {p.assignee_id for p in posts} == {second.id}
    again = services.bulk_action(desk["contact"], "assign", [posts[0].id], reason="再分一次", to_user=second)
    assert not again[0].ok and again[0].code == "already_assigned"
    results = services.bulk_action(desk["contact"], "tag", [p.id for p in posts], tags="蓝牙, OTA-2.3")
    assert all(r.ok for r in results)
    assert services.tags_for([posts[0].id]) == {posts[0].id: ["OTA-2.3", "蓝牙"]}
    results = services.bulk_action(desk["contact"], "merge", [p.id for p in posts], target_id=posts[0].id, note="同一问题")
    assert [r.post_id for r in results] == [posts[1].id, posts[2].id] and all(r.ok for r in results)
    assert posts[1].merged_into_id == posts[0].id and posts[2].status == "duplicate"
    actions = set(db.session.execute(sa.select(AuditEntry.action)).scalars())
    assert {"triage.assign", "triage.tag", "triage.merge"} <= actions


def test_bulk_through_the_api_with_per_item_results(client, desk, make):
    mine = make.post(desk["member"], desk["category"], title="接口批量处理的问题")
    foreign = make.post(desk["member"], desk["other_category"], title="接口别的部门的问题")
    db.session.commit()
    client.login_as(desk["contact"])
    token = client.csrf_token()
    response = client.post("/api/v1/staff/bulk", json={"action": "tag", "ids": [mine.id, foreign.id], "tags": ["蓝牙"]},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["succeeded"] == 1 and body["failed"] == 1
    assert [r["code"] for r in body["results"]] == [None, "forbidden"]
    bad = client.post("/api/v1/staff/bulk", json={"action": "explode", "ids": [mine.id]}, headers={"X-CSRFToken": token})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid"
    no_csrf = client.post("/api/v1/staff/bulk", json={"action": "tag", "ids": [mine.id], "tags": ["x"]})
    assert no_csrf.status_code == 400
    listing = client.get(f"/api/v1/staff/queues/all?department={desk['dept'].id}").get_json()
    assert [i["id"] for i in listing["items"]] == [mine.id] and listing["items"][0]["tags"] == ["蓝牙"]
    assert listing["items"][0]["sla"]["headline"]["target"] == "first_response"


@pytest.mark.parametrize("raw", ["", " , ", "<script>", "x" * 40])
def test_bad_tags_are_refused(desk, make, raw):
    post = make.post(desk["member"], desk["category"])
    with pytest.raises(ValidationFailed) as exc:
        services.add_tags(desk["contact"], post, raw)
    assert "tags" in exc.value.fields
    with pytest.raises(ValidationFailed):
        services.bulk_action(desk["contact"], "tag", [post.id], tags=raw)
    assert db.session.execute(sa.select(sa.func.count()).select_from(PostTag)).scalar_one() == 0


def test_side_panel_actions_and_input_kept_on_error(client, desk, make):
    post = make.post(desk["member"], desk["category"], title="侧栏操作测试问题")
    db.session.commit()
    client.login_as(desk["contact"])
    html = client.get(f"/staff/items/{post.id}").get_data(as_text=True)
    assert "侧栏操作测试问题" in html and f"/u/{desk['member'].username}" in html
    r = client.post_form(f"/staff/items/{post.id}/reply", {"body": "我们已经复现，正在修复。", "status": "in_progress"})
    assert r.status_code == 302
    db.session.refresh(post)
    assert post.status == "in_progress" and post.first_response_at is not None
    r = client.post_form(f"/staff/items/{post.id}/assign", {"to_user": desk["lead"].username, "reason": ""})
    assert r.status_code == 422
    assert client.post_form(f"/staff/items/{post.id}/assign", {"to_user": "nobody-here", "reason": "转给负责人"}).status_code == 422
    r = client.post_form(f"/staff/items/{post.id}/status", {"status": "declined", "note": ""})
    assert r.status_code == 422
    r = client.post_form(f"/staff/items/{post.id}/note", {"note_body": "内部：和供应商确认中"})
    assert r.status_code == 302
    r = client.post_form(f"/staff/items/{post.id}/tags", {"tags": "蓝牙"})
    assert r.status_code == 302 and services.tags_for([post.id]) == {post.id: ["蓝牙"]}
    r = client.post_form(f"/staff/items/{post.id}/tags", {"remove": "蓝牙"})
    assert r.status_code == 302 and services.tags_for([post.id]) == {}
    html = client.get(f"/staff/items/{post.id}").get_data(as_text=True)
    assert "内部：和供应商确认中" in html
    actions = set(db.session.execute(sa.select(AuditEntry.action)).scalars())
    assert {"triage.official_reply", "triage.internal_note", "triage.tag", "triage.untag"} <= actions


def test_tab_counts_match_the_queues(desk, make):
    with clock.frozen(T0) as advance:
        for n in range(3):
            make.post(desk["member"], desk["category"], title=f"计数用的问题 {n}")
        advance(hours=5)
        make.post(desk["member"], desk["category"], title="计数用的快到期问题")
        advance(hours=16)
        late = make.post(desk["member"], desk["other_category"], title="计数用的新问题")
        late.assignee_id = None
        advance(hours=4)
        feedback.change_status(desk["contact"], make.post(desk["member"], desk["category"]), "needs_info")
        counts = services.queue_counts(desk["contact"])
        for name in services.QUEUES:
            assert counts[name] == services.list_queue(desk["contact"], name).total, name
    assert (counts["overdue"], counts["due_soon"], counts["unassigned"], counts["all"]) == (3, 1, 1, 6)


def test_counts_stop_at_the_cap(desk, make, monkeypatch):
    monkeypatch.setattr(queues, "COUNT_CAP", 3)
    for n in range(5):
        make.post(desk["member"], desk["category"], title=f"封顶计数的问题 {n}")
    page = services.list_queue(desk["lead"], "all", per_page=2)
    assert page.total == 3 and page.capped and len(page.items) == 2 and page.pages == 2
