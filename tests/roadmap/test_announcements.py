"""Announcements (公告): on the home and product pages for a while, and to the product's followers."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from community.core import clock
from community.core.errors import PermissionDenied, ValidationFailed
from community.extensions import db
from community.feedback import services as feedback
from community.notifications.models import Notification
from community.roadmap import announcements, services


def test_staff_only_and_validated(rw):
    with pytest.raises(PermissionDenied):
        announcements.publish(rw["members"][0], title="蓝牙断连问题已修复")
    with pytest.raises(ValidationFailed) as exc:
        announcements.publish(rw["pm"], title="短", days=0)
    assert {"title", "days"} <= set(exc.value.fields)


def test_announcement_shows_for_its_time_and_tells_product_followers(client, rw, make):
    follower = rw["members"][0]
    rw["post"].product_id = rw["product"].id
    feedback.set_follow(follower, rw["post"], True)
    supporter = rw["members"][1]
    services.set_vote(supporter, rw["item"], True)
    bystander = rw["members"][2]
    row = announcements.publish(rw["pm"], title="蓝牙断连问题已在 v2.3.2 修复", body="感谢大家的反馈", item=rw["item"],
                                days=3)
    db.session.commit()
    told = set(db.session.execute(sa.select(Notification.user_id).where(Notification.kind == "announcement"))
               .scalars())
    assert {follower.id, supporter.id} <= told and bystander.id not in told
    home = client.get("/").get_data(as_text=True)
    assert "蓝牙断连问题已在 v2.3.2 修复" in home and f'href="/roadmap/{rw["item"].id}"' in home
    assert "蓝牙断连问题已在 v2.3.2 修复" in client.get(f"/p/{rw['product'].slug}").get_data(as_text=True)
    other = make.product(slug="et5", name="极光 ET5")
    db.session.commit()
    assert "蓝牙断连问题已在 v2.3.2 修复" not in client.get(f"/p/{other.slug}").get_data(as_text=True)
    with clock.frozen(row.ends_at):
        assert announcements.active() == []


def test_announcement_form_and_ending(client, rw):
    client.login_as(rw["members"][0])
    assert client.get("/announcements/new").status_code == 403
    client.login_as(rw["pm"])
    bad = client.post_form("/announcements/new", {"title": "短", "days": "7"})
    assert bad.status_code == 422
    ok = client.post_form("/announcements/new", {"title": "座椅异响问题处理结果", "body": "已更换卡扣", "days": "7",
                                                 "product": rw["product"].slug})
    assert ok.status_code == 302
    row = announcements.recent()[0]
    assert row.product_id == rw["product"].id
    client.post_form(f"/announcements/{row.id}/end")
    assert announcements.active() == []


def test_members_follow_a_product_and_hear_its_announcements(client, rw, make):
    from tests.api.conftest import ApiClient

    fan, quitter, bystander = rw["members"]
    client.login_as(fan)
    slug = rw["product"].slug
    page = client.get(f"/p/{slug}").get_data(as_text=True)
    assert "关注产品" in page or "Follow this product" in page
    assert client.post_form(f"/p/{slug}/follow", {"state": "on"}).status_code == 302
    assert client.post_form(f"/p/{slug}/follow", {"state": "on"}).status_code == 302  # idempotent
    page = client.get(f"/p/{slug}").get_data(as_text=True)
    assert 'aria-pressed="true"' in page
    api = ApiClient(client.application, quitter)
    assert api.put(f"/products/{slug}/follow").get_json() == {"following": True}
    assert api.delete(f"/products/{slug}/follow").get_json() == {"following": False}
    assert api.put("/products/nope/follow").status_code == 404
    announcements.publish(rw["pm"], title="极光 ES7 冬季续航优化已推送", body="OTA v2.4", product=rw["product"], days=3)
    db.session.commit()
    told = set(db.session.execute(sa.select(Notification.user_id).where(Notification.kind == "announcement"))
               .scalars())
    assert fan.id in told and quitter.id not in told and bystander.id not in told
