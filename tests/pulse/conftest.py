"""A generated data set with known answers: the dashboard's figures against direct SQL."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from community.core import clock
from community.extensions import db
from community.feedback import services as feedback
from community.moderation import services as moderation

# Wednesday 2026-03-04 16:00 in Beijing (the dashboard's local day: UTC+8).
T0 = datetime(2026, 3, 4, 8, 0, 0)


@pytest.fixture
def dataset(make):
    dept = make.department(slug="cabin", name="车机软件部", first_response_hours=24, resolution_days=14)
    cat = make.category(dept, slug="ota", name="车机与OTA")
    contact = make.staff(dept)
    other = make.department(slug="service", name="售后服务部")
    other_cat = make.category(other, slug="repair", name="维修保养")
    other_contact = make.staff(other)
    moderator = make.user("moderator")
    member = make.user()
    car = make.product(slug="es7", name="极光 ES7")
    db.session.commit()
    items = {}

    def at(when, fn):
        with clock.frozen(when):
            result = fn()
            db.session.commit()
        return result

    def post(name, when, category=cat, author=member, **kw):
        items[name] = at(when, lambda: make.post(author, category, title=f"看板测试的反馈 {name}", **kw))
        return items[name]

    a = post("a", T0 - timedelta(days=10))  # answered in 2 h, resolved, then reopened
    at(T0 - timedelta(days=10, hours=-2), lambda: feedback.post_official_reply(contact, a, "两小时内回复"))
    at(T0 - timedelta(days=9), lambda: feedback.change_status(contact, a, "resolved"))
    at(T0 - timedelta(days=8), lambda: feedback.reopen_post(member, a, reason="还是断连"))
    at(T0 - timedelta(minutes=20), lambda: feedback.post_official_reply(contact, a, "今天再次回复"))
    b = post("b", T0 - timedelta(days=10), category=other_cat)  # answered after 30 h, resolved this week
    at(T0 - timedelta(days=10, hours=-30), lambda: feedback.post_official_reply(other_contact, b, "三十小时才回复"))
    at(T0 - timedelta(hours=1), lambda: feedback.change_status(other_contact, b, "resolved"))
    post("c", T0 - timedelta(days=2))  # no reply yet
    e = post("e", T0 - timedelta(days=3))  # answered in 5 h; d is merged into it
    at(T0 - timedelta(days=3, hours=-5), lambda: feedback.post_official_reply(contact, e, "五小时回复"))
    d = post("d", T0 - timedelta(days=3, hours=-1))
    at(T0 - timedelta(days=2), lambda: feedback.merge_posts(contact, d, e))
    f = post("f", T0 - timedelta(days=1))  # hidden
    at(T0 - timedelta(hours=20), lambda: moderation.hide_post(moderator, f, reason="广告"))
    g = post("g", T0 - timedelta(days=1))  # deleted
    at(T0 - timedelta(hours=20), lambda: moderation.delete_post(moderator, g, reason="违规"))
    h = post("h", T0 - timedelta(hours=1), author=contact, product=car)  # staff-authored, today, a product
    at(T0 - timedelta(minutes=30), lambda: feedback.post_official_reply(contact, h, "马上回复"))
    db.session.commit()
    return {"items": items, "dept": dept, "other": other, "contact": contact, "member": member, "car": car,
            "moderator": moderator, "category": cat}
