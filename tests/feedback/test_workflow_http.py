"""The status workflow, routing and permissions through the HTTP client."""
from __future__ import annotations

import pytest

from community.extensions import db
from community.feedback.models import Post, TimelineEntry
from community.feedback.workflow import STATUSES, TRANSITIONS

PAIRS = [(a, b) for a in STATUSES for b in STATUSES if a != b]


@pytest.mark.parametrize("from_status,to_status", PAIRS)
def test_status_change_through_the_page(client, make, from_status, to_status):
    w = make.world()
    w["post"].status = from_status
    client.login_as(w["contact"])
    r = client.post_form(f"/posts/{w['post'].id}/status", {"status": to_status, "note": "说明"})
    post = db.session.get(Post, w["post"].id)
    if to_status in TRANSITIONS[from_status]:
        assert r.status_code == 302 and post.status == to_status
        assert db.session.query(TimelineEntry).filter_by(post_id=post.id, kind="status").count() == 1
    else:
        assert r.status_code == 409 and post.status == from_status


@pytest.mark.parametrize("who,expected", [("anonymous", 302), ("member", 403), ("author", 403),
                                          ("other_department_staff", 403), ("contact", 302), ("moderator", 302)])
def test_who_may_change_status_and_reply_officially(client, make, who, expected):
    w = make.world()
    actor = {"anonymous": None, "member": make.user(), "author": w["member"],
             "other_department_staff": make.staff(make.department()), "contact": w["contact"],
             "moderator": make.user("moderator")}[who]
    if actor:
        client.login_as(actor)
    r = client.post_form(f"/posts/{w['post'].id}/status", {"status": "acknowledged"})
    assert r.status_code == expected
    changed = db.session.get(Post, w["post"].id).status == "acknowledged"
    assert changed == (expected == 302 and actor is not None)
    reply = client.post_form(f"/posts/{w['post'].id}/reply", {"body": "官方回复内容"})
    if who == "contact":
        assert reply.status_code == 302 and db.session.get(Post, w["post"].id).first_response_at is not None
    elif who in ("member", "author", "other_department_staff"):
        assert reply.status_code == 403


def test_feedback_in_a_category_without_contacts_waits_in_the_queue(client, make):
    dept = make.department(name="能源补能部")
    make.category(dept, slug="charging")
    member = make.user()
    client.login_as(member)
    r = client.post_form("/posts/new", {"kind": "feedback", "feedback_type": "bug", "category": "charging",
                                        "title": "超充桩经常无法启动", "body": "扫码后提示设备故障，换了三个桩都不行。"})
    post = db.session.query(Post).order_by(Post.id.desc()).first()
    assert r.status_code == 302 and post.assignee_id is None and post.department_id == dept.id
    html = client.get(f"/posts/{post.id}").get_data(as_text=True)
    assert "能源补能部" in html


def test_author_of_a_resolved_item_gets_one_choice_and_reopen_still_works(client, make):
    w = make.world()
    from community.feedback import services
    services.change_status(w["contact"], w["post"], "resolved", note="v2.4 修复")
    client.login_as(w["member"])
    page = client.get(f"/posts/{w['post'].id}").get_data(as_text=True)
    # The rating is the choice (3–5 confirms, 1–2 sends it back); no competing confirm / reopen.
    assert f"/posts/{w['post'].id}/rate" in page and "/confirm" not in page and "/reopen" not in page
    r = client.post_form(f"/posts/{w['post'].id}/reopen", {"reason": "升级后仍然出现"})
    assert r.status_code == 302 and db.session.get(Post, w["post"].id).status == "in_progress"
    assert db.session.get(Post, w["post"].id).assignee_id == w["contact"].id


def test_comment_reply_is_one_level_and_edit_history_is_public(client, make):
    w = make.world()
    client.login_as(w["member"])
    client.post_form(f"/posts/{w['post'].id}/comments", {"body": "第一条评论"})
    from community.feedback.models import Comment, Revision
    top = db.session.query(Comment).one()
    other = make.user()
    client.login_as(other)
    client.post_form(f"/posts/{w['post'].id}/comments", {"body": "回复第一条", "parent_id": str(top.id)})
    reply = db.session.query(Comment).filter_by(parent_id=top.id).one()
    client.post_form(f"/posts/{w['post'].id}/comments", {"body": "回复的回复", "parent_id": str(reply.id)})
    assert db.session.query(Comment).filter_by(parent_id=top.id).count() == 2  # flattened to one level
    client.post_form(f"/comments/{reply.id}/edit", {"body": "改过的回复"})
    assert db.session.query(Revision).filter_by(comment_id=reply.id).one().body_before == "回复第一条"
    history = client.get(f"/posts/{w['post'].id}/history?comment={reply.id}").get_data(as_text=True)
    assert "回复第一条" in history
    client.login_as(w["member"])
    assert client.post_form(f"/comments/{reply.id}/edit", {"body": "别人的评论"}).status_code == 403
    client.login_as(other)
    client.post_form(f"/comments/{reply.id}/delete")
    assert db.session.get(Comment, reply.id).deleted_at is not None
    assert "改过的回复" not in client.get(f"/posts/{w['post'].id}").get_data(as_text=True)
    assert client.get(f"/posts/{w['post'].id}/history?comment={reply.id}").status_code == 404


def test_product_page_aggregates_trial_report_ratings(client, make):
    w = make.world()
    product = make.product(slug="es7", name="极光 ES7")
    from community.feedback import services
    for comfort in (3, 5):
        services.submit_post(w["member"], kind="trial_report", title="ES7 试驾体验报告", body="试驾一周，整体满意。",
                             category=w["category"], product=product,
                             trial={"version": "长续航版", "pros": "安静", "cons": "偏硬",
                                    "ratings": {"comfort": comfort, "handling": 4, "intelligence": 4, "range": 4,
                                                "space": 4, "value": 4}})
    ratings = services.product_ratings(product)
    assert ratings["reports"] == 2
    assert next(d for d in ratings["dimensions"] if d["key"] == "comfort")["average"] == 4.0
    html = client.get("/p/es7").get_data(as_text=True)
    assert "ES7 试驾体验报告" in html and 'value="4.0"' in html


def test_trial_report_needs_valid_ratings(client, make):
    w = make.world()
    make.product(slug="et5")
    client.login_as(w["member"])
    r = client.post_form("/posts/new", {"kind": "trial_report", "category": w["category"].slug, "product": "et5",
                                        "title": "ET5 体验报告", "body": "开了一个月的感受。", "rating_comfort": "9"})
    assert r.status_code == 422 and 'id="rating_comfort-error"' in r.get_data(as_text=True)


def test_lists_paginate_and_show_empty_states(client, make, app):
    w = make.world()
    for i in range(25):
        make.post(w["member"], w["category"], title=f"分页测试帖子 {i:02d}")
    page1 = client.get("/?sort=new").get_data(as_text=True)
    page2 = client.get("/?sort=new&page=2").get_data(as_text=True)
    assert "分页测试帖子 24" in page1 and 'rel="next"' in page1
    assert "分页测试帖子 00" in page2 and 'rel="prev"' in page2
    empty = client.get("/?status=accepted").get_data(as_text=True)
    assert "empty-state" in empty
    assert client.get("/?page=notanumber").status_code == 200
