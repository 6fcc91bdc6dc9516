"""Roadmap and changelog pages through the HTTP client."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from community.extensions import db
from community.roadmap import releases, services
from community.roadmap.models import RoadmapItem
from tests.html_checks import assert_inert

ATOM = "{http://www.w3.org/2005/Atom}"


def test_board_shows_columns_cards_and_filters(client, rw, make):
    other = make.product(slug="et5", name="极光 ET5")
    services.create_item(rw["pm"], title="换电站覆盖更多城市", product=other, area="charging", status="planned")
    services.link_feedback(rw["pm"], rw["item"], rw["post"])
    db.session.commit()
    html = client.get("/roadmap").get_data(as_text=True)
    assert "车机支持 CarPlay" in html and "换电站覆盖更多城市" in html
    assert "考虑中" in html and "计划中" in html  # Chinese first
    assert "来自社区" in html and "需求热度 1" in html
    assert_inert(html)
    filtered = client.get("/roadmap?product=et5").get_data(as_text=True)
    assert "换电站覆盖更多城市" in filtered and "车机支持 CarPlay" not in filtered
    by_area = client.get("/roadmap?area=cabin").get_data(as_text=True)
    assert "车机支持 CarPlay" in by_area and "换电站覆盖更多城市" not in by_area


def test_empty_states(client, rw):
    assert "没有符合条件的路线图项目" in client.get("/roadmap?area=nothing").get_data(as_text=True)
    assert "没有符合条件的路线图项目" in client.get("/roadmap/list?status=shipped").get_data(as_text=True)


def test_item_markdown_is_sanitized(client, rw):
    item = services.create_item(rw["pm"], title="安全的描述", description="<script>alert(1)</script> **粗体**")
    db.session.commit()
    html = client.get(f"/roadmap/{item.id}").get_data(as_text=True)
    assert "<strong>粗体</strong>" in html
    assert_inert(html)


def test_list_sorts_and_paginates(client, rw):
    for n in range(25):
        services.create_item(rw["pm"], title=f"规划项 {n:02d}", target_quarter=f"2028 Q{n % 4 + 1}")
    db.session.commit()
    first = client.get("/roadmap/list?sort=new").get_data(as_text=True)
    assert "规划项 24" in first and "规划项 00" not in first
    assert 'rel="next"' in first
    second = client.get("/roadmap/list?sort=new&page=2").get_data(as_text=True)
    assert "规划项 00" in second
    eta = client.get("/roadmap/list?sort=eta").get_data(as_text=True)
    assert eta.index("车机支持 CarPlay") < eta.index("规划项 00")  # 2027 Q1 before 2028


def test_board_column_caps_and_links_to_the_full_list(client, rw):
    for n in range(services.BOARD_COLUMN_SIZE + 3):
        services.create_item(rw["pm"], title=f"计划中的项目 {n:02d}", status="planned")
    db.session.commit()
    html = client.get("/roadmap").get_data(as_text=True)
    assert html.count("计划中的项目") == services.BOARD_COLUMN_SIZE
    assert "/roadmap/list?status=planned" in html


def test_drafts_answer_404_to_members_and_visitors(client, rw, make):
    draft = services.create_item(rw["pm"], title="内部评估中的项目", is_public=False)
    db.session.commit()
    assert client.get(f"/roadmap/{draft.id}").status_code == 404
    client.login_as(rw["members"][0])
    assert client.get(f"/roadmap/{draft.id}").status_code == 404
    assert "内部评估中的项目" not in client.get("/roadmap").get_data(as_text=True)
    assert client.post_form(f"/roadmap/{draft.id}/vote").status_code == 404
    client.login_as(rw["pm"])
    assert "仅员工可见" in client.get(f"/roadmap/{draft.id}").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/roadmap/new", "/roadmap/{id}/edit", "/releases/new"])
def test_staff_pages_refuse_members(client, rw, url):
    client.login_as(rw["members"][0])
    assert client.get(url.format(id=rw["item"].id)).status_code == 403


@pytest.mark.parametrize("url", ["/roadmap/{id}/status", "/roadmap/{id}/links", "/roadmap/link", "/roadmap/unlink",
                                 "/roadmap/bulk-link", "/releases/new"])
def test_staff_forms_refuse_members(client, rw, url):
    client.login_as(rw["members"][0])
    response = client.post_form(url.format(id=rw["item"].id), {"status": "planned", "post_id": rw["post"].id,
                                                               "post_ids": str(rw["post"].id),
                                                               "item_id": rw["item"].id, "ids": [rw["post"].id],
                                                               "roadmap_item_id": rw["item"].id})
    assert response.status_code in (403, 404)
    assert rw["item"].status == "considering" and services.item_for_post(None, rw["post"]) is None


def test_staff_create_keeps_input_on_errors_and_saves(client, rw):
    client.login_as(rw["pm"])
    bad = client.post_form("/roadmap/new", {"title": "座椅通风", "target_quarter": "明年", "is_public": "1"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'value="座椅通风"' in html and "2027 Q1" in html
    ok = client.post_form("/roadmap/new", {"title": "座椅通风", "target_quarter": "2027 Q3", "product": "es7",
                                           "area": "comfort", "is_public": "1", "status": "planned"})
    assert ok.status_code == 302
    item = db.session.query(RoadmapItem).filter_by(title="座椅通风").one()
    assert item.status == "planned" and item.target_quarter == "2027Q3"
    page = client.get(ok.headers["Location"]).get_data(as_text=True)
    assert "预计 2027 Q3" in page


def test_vote_form_and_json(client, rw):
    client.login_as(rw["members"][0])
    url = f"/roadmap/{rw['item'].id}/vote"
    assert client.post_form(url, {"action": "on"}).status_code == 302
    answer = client.post_form(url, {"action": "off"}, headers={"Accept": "application/json"}).get_json()
    assert answer["voted"] is False and answer["vote_count"] == 0


def test_status_change_form_and_reason(client, rw):
    client.login_as(rw["pm"])
    url = f"/roadmap/{rw['item'].id}/status"
    client.post_form(url, {"status": "not_planned", "note": ""})
    db.session.refresh(rw["item"])
    assert rw["item"].status == "considering"
    client.post_form(url, {"status": "planned", "note": "排进计划"})
    page = client.get(f"/roadmap/{rw['item'].id}").get_data(as_text=True)
    assert "排进计划" in page and "计划中" in page


def test_link_from_the_feedback_staff_panel_and_the_public_badge(client, rw):
    client.login_as(rw["pm"])
    panel = client.get(f"/posts/{rw['post'].id}").get_data(as_text=True)
    assert "关联到路线图项目" in panel
    client.post_form("/roadmap/link", {"post_id": rw["post"].id, "item_id": rw["item"].id})
    db.session.refresh(rw["post"])
    assert rw["post"].status == "accepted"
    client.login_as(rw["members"][0])
    page = client.get(f"/posts/{rw['post'].id}").get_data(as_text=True)
    assert f'href="/roadmap/{rw["item"].id}"' in page  # the timeline entry and the badge point at the item
    assert "已纳入路线图" in page
    client.login_as(rw["pm"])
    client.post_form("/roadmap/unlink", {"post_id": rw["post"].id, "note": "重复"})
    db.session.refresh(rw["post"])
    assert rw["post"].status == "in_progress"


def test_bulk_link_from_the_triage_console(client, rw, make):
    second = make.post(rw["members"][1], rw["category"], title="希望支持无线 CarPlay")
    db.session.commit()
    client.login_as(rw["pm"])
    console = client.get("/staff/queues/department").get_data(as_text=True)
    assert 'formaction="/roadmap/bulk-link"' in console
    response = client.post_form("/roadmap/bulk-link", {"ids": [rw["post"].id, second.id],
                                                       "roadmap_item_id": rw["item"].id,
                                                       "next": "/staff/queues/department"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/queues/department")
    db.session.refresh(rw["item"])
    assert rw["item"].linked_count == 2
    missing = client.post_form("/roadmap/bulk-link", {"ids": [second.id], "roadmap_item_id": ""},
                               follow_redirects=True).get_data(as_text=True)
    assert "请选择一个路线图项目" in missing


def test_item_page_lists_only_visible_linked_feedback(client, rw, make):
    from community.moderation import services as moderation

    services.link_feedback(rw["pm"], rw["item"], rw["post"])
    moderation.hide_post(make.user("moderator"), rw["post"], reason="广告")
    db.session.commit()
    page = client.get(f"/roadmap/{rw['item'].id}").get_data(as_text=True)
    assert rw["post"].title not in page


def _published_release(rw, version="v2.4"):
    services.change_status(rw["pm"], rw["item"], "planned")
    release = releases.create_release(rw["pm"], product=rw["product"], version=version, released_on="2027-01-15",
                                      notes="**无线 CarPlay** & <b>更多</b>", item_ids=[rw["item"].id])
    releases.publish_release(rw["pm"], release)
    db.session.commit()
    return release


def test_changelog_and_release_pages(client, rw):
    draft = releases.create_release(rw["pm"], product=rw["product"], version="v9.9", released_on="2027-06-01")
    release = _published_release(rw)
    html = client.get("/changelog").get_data(as_text=True)
    assert "v2.4" in html and "v9.9" not in html
    assert client.get(f"/releases/{draft.id}").status_code == 404
    page = client.get(f"/releases/{release.id}").get_data(as_text=True)
    assert "车机支持 CarPlay" in page
    assert_inert(page)
    assert "v2.4" in client.get("/changelog?product=nope").get_data(as_text=True)  # unknown product: no filter


def test_atom_feeds_are_valid_atom(client, rw):
    release = _published_release(rw)
    for url in ("/changelog.atom", "/changelog/es7.atom"):
        response = client.get(url)
        assert response.mimetype == "application/atom+xml"
        root = ET.fromstring(response.data)
        assert root.tag == f"{ATOM}feed"
        for required in ("id", "title", "updated", "author"):
            assert root.find(f"{ATOM}{required}") is not None, required
        entries = root.findall(f"{ATOM}entry")
        assert len(entries) == 1
        entry = entries[0]
        assert entry.find(f"{ATOM}id").text.endswith(f"/releases/{release.id}")
        assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", entry.find(f"{ATOM}updated").text)
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html" and "<strong>无线 CarPlay</strong>" in content.text
        assert "<b>" not in content.text  # raw HTML in notes is escaped by the Markdown renderer
    assert client.get("/changelog/nope.atom").status_code == 404


def test_feedback_timeline_links_the_release_after_shipping(client, rw):
    services.link_feedback(rw["pm"], rw["item"], rw["post"])
    release = _published_release(rw)
    page = client.get(f"/posts/{rw['post'].id}").get_data(as_text=True)
    assert f'href="/releases/{release.id}"' in page
    db.session.refresh(rw["post"])
    assert rw["post"].status == "resolved"


def test_release_form_for_staff(client, rw):
    client.login_as(rw["pm"])
    bad = client.post_form("/releases/new", {"version": "", "released_on": "x", "product": "es7"})
    assert bad.status_code == 422 and "es7" in bad.get_data(as_text=True)
    ok = client.post_form("/releases/new", {"version": "v3.0", "released_on": "2027-03-01", "product": "es7",
                                            "item_ids": f"#{rw['item'].id}"})
    assert ok.status_code == 422  # considering items are not ready to ship
    services.change_status(rw["pm"], rw["item"], "planned")
    db.session.commit()
    ok = client.post_form("/releases/new", {"version": "v3.0", "released_on": "2027-03-01", "product": "es7",
                                            "item_ids": f"#{rw['item'].id}"})
    assert ok.status_code == 302
    release_url = ok.headers["Location"]
    client.post_form(release_url + "/publish")
    db.session.refresh(rw["item"])
    assert rw["item"].status == "shipped"
    statuses = [e.to_status for e in services.list_entries(rw["item"]) if e.kind == "status"]
    assert statuses == ["planned", "in_development", "shipped"]


def test_segments_for_staff_and_the_weighted_demand_formula(app, client, rw):
    services.set_vote(rw["members"][0], rw["item"], True)
    db.session.commit()
    url = f"/roadmap/{rw['item'].id}"
    assert "按人群的需求热度" not in client.get(url).get_data(as_text=True)
    client.login_as(rw["pm"])
    assert "按人群的需求热度" in client.get(url).get_data(as_text=True)
    assert "贡献加权" not in client.get(url).get_data(as_text=True)  # off by default
    app.config["ROADMAP_WEIGHTED_DEMAND"] = True
    page = client.get(url).get_data(as_text=True)
    assert "贡献加权需求热度 1.0" in page and "最多 3" in page


def test_comments_on_an_item(client, rw, make):
    url = f"/roadmap/{rw['item'].id}"
    client.login_as(rw["members"][0])
    assert client.post_form(f"{url}/comments", {"body": "   "}).status_code == 422
    response = client.post_form(f"{url}/comments", {"body": "**非常期待**，希望支持 iPhone 和安卓"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "<strong>非常期待</strong>" in page
    other = make.user()
    db.session.commit()
    client.login_as(other)
    comment_id = services.list_comments(None, rw["item"])[0].id
    assert client.post_form(f"/roadmap/comments/{comment_id}/delete").status_code == 403
    client.login_as(rw["members"][0])
    client.post_form(f"/roadmap/comments/{comment_id}/delete")
    assert services.list_comments(None, rw["item"]) == []


def test_admin_sets_the_vote_budget_from_the_board(client, rw, make):
    client.login_as(rw["pm"])
    client.post_form("/roadmap/settings/es7", {"vote_budget": "5"})
    assert services.vote_budget(rw["product"].id) is None  # staff are not admins
    client.login_as(make.user("admin"))
    client.post_form("/roadmap/settings/es7", {"vote_budget": "5"})
    assert services.vote_budget(rw["product"].id) == 5
    client.login_as(rw["members"][0])
    assert "你在这个产品上还有 5 票" in client.get("/roadmap?product=es7").get_data(as_text=True)


def test_a_held_roadmap_comment_waits_in_the_moderation_queue(client, rw, make):
    from community.core.permissions import SYSTEM
    from community.moderation import services as moderation

    moderation.add_word(SYSTEM, "代刷好评", action="hold")
    moderator = make.user("moderator")
    db.session.commit()
    url = f"/roadmap/{rw['item'].id}"
    client.login_as(rw["members"][0])
    assert client.post_form(f"{url}/comments", {"body": "可以代刷好评，加我"}).status_code == 302
    other = make.user()
    client.login_as(other)
    assert "代刷好评" not in client.get(url).get_data(as_text=True)  # other members do not see it

    client.login_as(moderator)
    queue = client.get("/staff/held").get_data(as_text=True)
    assert "代刷好评" in queue and "车机支持 CarPlay" in queue and "路线图评论" in queue
    hold = moderation.list_holds(moderator).items[0]
    assert (hold.target_type, hold.post_id) == ("roadmap_comment", None)
    assert client.post_form(f"/staff/held/{hold.id}/approve").status_code == 302
    client.login_as(other)
    assert "代刷好评" in client.get(url).get_data(as_text=True)  # released for everyone
    admin = make.user("admin")
    client.login_as(admin)
    audit = client.get("/staff/audit").get_data(as_text=True)
    assert "路线图评论 #" in audit


def test_a_rejected_roadmap_comment_is_deleted(client, rw, make):
    from community.core.permissions import SYSTEM
    from community.moderation import services as moderation

    moderation.add_word(SYSTEM, "代刷好评", action="hold")
    moderator = make.user("moderator")
    db.session.commit()
    client.login_as(rw["members"][1])
    client.post_form(f"/roadmap/{rw['item'].id}/comments", {"body": "代刷好评服务"})
    client.login_as(moderator)
    hold = moderation.list_holds(moderator).items[0]
    assert client.post_form(f"/staff/held/{hold.id}/reject", {"reason": "广告"}).status_code == 302
    assert services.list_comments(rw["members"][1], rw["item"]) == []  # not even its author sees it now
    assert "代刷好评服务" in client.get("/staff/held?status=rejected").get_data(as_text=True)  # moderators may


def test_visitors_board_is_cached_until_a_vote_or_an_edit(app, client, rw):
    app.config["ANON_PAGE_CACHE_SECONDS"] = 60
    item = rw["item"]
    assert "需求热度 0" in client.get("/roadmap").get_data(as_text=True)
    services.set_vote(rw["members"][0], item, True)  # plain SQL: the demand listener clears the cache
    db.session.commit()
    assert "需求热度 1" in client.get("/roadmap").get_data(as_text=True)
    assert "需求热度 1" in client.get(f"/roadmap/{item.id}").get_data(as_text=True)
    services.edit_item(rw["pm"], item, title="车机支持无线 CarPlay 和 Android Auto", description="",
                       product=rw["product"], area="cabin", target_quarter="2027 Q1")
    db.session.commit()
    assert "Android Auto" in client.get("/roadmap").get_data(as_text=True)
