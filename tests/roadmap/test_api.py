"""The roadmap and release API, every answer validated against the OpenAPI document."""
from __future__ import annotations

import sqlalchemy as sa

from community.extensions import db
from community.feedback import services as feedback
from community.notifications.models import Notification
from community.roadmap import services
from tests.api.conftest import ApiClient


def test_anyone_reads_the_public_roadmap_but_not_drafts(app, rw):
    draft = services.create_item(rw["pm"], title="内部评估中的项目", is_public=False)
    db.session.commit()
    anon = ApiClient(app)
    listed = anon.get("/roadmap/items").get_json()
    assert [i["id"] for i in listed["items"]] == [rw["item"].id]
    detail = anon.get(f"/roadmap/items/{rw['item'].id}").get_json()
    assert detail["target_quarter"] == "2027Q1" and detail["timeline"][0]["kind"] == "created"
    assert detail["transitions"] == []
    for client in (anon, ApiClient(app, rw["members"][0])):
        assert client.get(f"/roadmap/items/{draft.id}").status_code == 404
        assert client.get(f"/roadmap/items/{draft.id}/timeline").status_code == 404
        assert client.get(f"/roadmap/items/{draft.id}/links").status_code == 404
        assert client.put(f"/roadmap/items/{draft.id}/vote").status_code in (401, 404)
    staff = ApiClient(app, rw["pm"]).get("/roadmap/items").get_json()
    assert {i["id"] for i in staff["items"]} == {rw["item"].id, draft.id}


def test_list_filters_and_rejects_bad_arguments(app, rw):
    client = ApiClient(app)
    assert client.get("/roadmap/items?product=es7&area=cabin").get_json()["pagination"]["total"] == 1
    assert client.get("/roadmap/items?area=charging").get_json()["items"] == []
    bad = client.get("/roadmap/items?sort=random&status=done&product=nope")
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"sort", "status", "product"}


def test_members_cannot_create_or_move_items(app, rw):
    member = ApiClient(app, rw["members"][0])
    assert member.post("/roadmap/items", {"title": "我想要一个功能"}).status_code == 403
    assert member.post(f"/roadmap/items/{rw['item'].id}/status", {"status": "planned"}).status_code == 403
    assert ApiClient(app).post("/roadmap/items", {"title": "匿名的想法"}, csrf=False).status_code == 401


def test_staff_create_edit_and_move_an_item(app, rw):
    client = ApiClient(app, rw["pm"])
    created = client.post("/roadmap/items", {"title": "座椅通风", "product": "es7", "area": "Comfort",
                                             "target_quarter": "2027-q3", "status": "planned"})
    assert created.status_code == 201
    body = created.get_json()
    assert (body["status"], body["area"], body["target_quarter"]) == ("planned", "comfort", "2027Q3")
    item_id = body["id"]
    bad = client.post("/roadmap/items", {"title": "x", "target_quarter": "soon"})
    assert bad.status_code == 422 and {"title", "target_quarter"} <= set(bad.get_json()["error"]["fields"])
    edited = client.patch(f"/roadmap/items/{item_id}", {"title": "座椅通风与加热"})
    assert edited.get_json()["title"] == "座椅通风与加热" and edited.get_json()["area"] == "comfort"
    assert client.post(f"/roadmap/items/{item_id}/status", {"status": "shipped"}).status_code == 409
    no_reason = client.post(f"/roadmap/items/{item_id}/status", {"status": "not_planned"})
    assert no_reason.status_code == 422 and "note" in no_reason.get_json()["error"]["fields"]
    moved = client.post(f"/roadmap/items/{item_id}/status", {"status": "in_development", "note": "开工"})
    assert moved.get_json()["timeline"][-1]["to_status"] == "in_development"


def test_vote_toggle_and_demand(app, rw):
    client = ApiClient(app, rw["members"][0])
    url = f"/roadmap/items/{rw['item'].id}/vote"
    assert client.put(url).get_json() == {"voted": True, "vote_count": 1, "demand": 1, "votes_left": None}
    assert client.put(url).get_json()["vote_count"] == 1
    assert client.delete(url).get_json()["vote_count"] == 0
    assert ApiClient(app).put(url, csrf=False).status_code == 401


def test_vote_budget_is_reported_and_enforced(app, rw, make):
    services.set_vote_budget(make.user("admin"), rw["product"], 1)
    other = services.create_item(rw["pm"], title="第二个规划项", product=rw["product"])
    db.session.commit()
    client = ApiClient(app, rw["members"][0])
    assert client.put(f"/roadmap/items/{rw['item'].id}/vote").get_json()["votes_left"] == 0
    spent = client.put(f"/roadmap/items/{other.id}/vote")
    assert spent.status_code == 409 and spent.get_json()["error"]["code"] == "vote_budget_spent"


def test_links_through_the_api(app, rw, make):
    second = make.post(rw["members"][1], rw["category"], title="希望支持无线 CarPlay")
    db.session.commit()
    client = ApiClient(app, rw["pm"])
    url = f"/roadmap/items/{rw['item'].id}/links"
    answer = client.post(url, {"post_ids": [rw["post"].id, second.id, 424242]}).get_json()
    assert [(r["post_id"], r["ok"]) for r in answer["items"]] == [(rw["post"].id, True), (second.id, True),
                                                                 (424242, False)]
    assert {p["id"] for p in ApiClient(app).get(url).get_json()["items"]} == {rw["post"].id, second.id}
    timeline = ApiClient(app).get(f"/posts/{rw['post'].id}/timeline").get_json()["items"]
    assert timeline[-1]["kind"] == "roadmap_linked" and timeline[-1]["to_status"] == "accepted"
    assert client.post(url, {"post_ids": "1,2"}).status_code == 422
    assert ApiClient(app, rw["members"][0]).post(url, {"post_ids": [second.id]}).status_code == 403
    removed = client.delete(f"{url}/{second.id}")
    assert removed.status_code == 200 and removed.get_json()["linked_count"] == 1
    assert client.delete(f"{url}/{second.id}").status_code == 404


def test_hidden_linked_feedback_is_not_listed_for_members(app, rw, make):
    from community.moderation import services as moderation

    services.link_feedback(rw["pm"], rw["item"], rw["post"])
    moderation.hide_post(make.user("moderator"), rw["post"], reason="广告")
    db.session.commit()
    url = f"/roadmap/items/{rw['item'].id}/links"
    assert ApiClient(app, rw["members"][0]).get(url).get_json()["items"] == []
    assert [p["id"] for p in ApiClient(app, rw["pm"]).get(url).get_json()["items"]] == [rw["post"].id]


def test_release_publish_ships_items_and_tells_voters_with_the_version(app, rw, make):
    voter = rw["members"][0]
    feedback.set_vote(voter, rw["post"], True)
    services.link_feedback(rw["pm"], rw["item"], rw["post"])
    fixed = make.post(rw["members"][1], rw["category"], title="蓝牙偶尔断开")
    services.change_status(rw["pm"], rw["item"], "planned")
    db.session.commit()
    client = ApiClient(app, rw["pm"])
    created = client.post("/releases", {"product": "es7", "version": "v2.4", "released_on": "2027-01-15",
                                        "notes": "- 无线 CarPlay", "item_ids": [rw["item"].id],
                                        "post_ids": [fixed.id]})
    assert created.status_code == 201
    release_id = created.get_json()["id"]
    assert ApiClient(app).get(f"/releases/{release_id}").status_code == 404  # a draft
    assert ApiClient(app).get("/releases").get_json()["items"] == []
    published = client.post(f"/releases/{release_id}/publish").get_json()
    assert published["is_published"] and published["items"][0]["status"] == "shipped"
    assert {p["id"] for p in published["resolved_posts"]} == {rw["post"].id, fixed.id}
    assert all(p["status"] == "resolved" for p in published["resolved_posts"])
    assert client.post(f"/releases/{release_id}/publish").status_code == 409
    public = ApiClient(app).get("/releases?product=es7").get_json()
    assert [r["version"] for r in public["items"]] == ["v2.4"]
    notice = db.session.execute(sa.select(Notification).where(
        Notification.user_id == voter.id, Notification.kind == "vote_shipped")).scalar_one()
    assert notice.data["version"] == "v2.4"
    feed = ApiClient(app, voter).get("/notifications").get_json()["items"]
    assert any(n["kind"] == "vote_shipped" and "v2.4" in n["text"] and n["url"] == f"/roadmap/{rw['item'].id}"
               for n in feed)


def test_release_validation(app, rw):
    client = ApiClient(app, rw["pm"])
    bad_type = client.post("/releases", {"version": "v1", "released_on": "2027-01-01", "item_ids": ["x"]})
    assert bad_type.status_code == 422 and set(bad_type.get_json()["error"]["fields"]) == {"item_ids"}
    bad = client.post("/releases", {"version": "", "released_on": "someday"})
    assert bad.status_code == 422 and {"version", "released_on"} <= set(bad.get_json()["error"]["fields"])
    client.post("/releases", {"product": "es7", "version": "v1", "released_on": "2027-01-01"})
    dup = client.post("/releases", {"product": "es7", "version": "v1", "released_on": "2027-01-02"})
    assert dup.status_code == 422 and "version" in dup.get_json()["error"]["fields"]
    assert ApiClient(app, rw["members"][0]).post("/releases", {"version": "v9", "released_on": "2027-01-01"}) \
        .status_code == 403


def test_comments_api(app, rw):
    member = ApiClient(app, rw["members"][0])
    url = f"/roadmap/items/{rw['item'].id}/comments"
    created = member.post(url, {"body": "很期待"})
    assert created.status_code == 201 and created.get_json()["author"]["id"] == rw["members"][0].id
    assert member.post(url, {"body": ""}).status_code == 422
    assert [c["body"] for c in ApiClient(app).get(url).get_json()["items"]] == ["很期待"]
    assert ApiClient(app).post(url, {"body": "匿名"}, csrf=False).status_code == 401


def test_admins_set_the_vote_budget_through_the_api(app, rw, make):
    admin = make.user("admin")
    db.session.commit()
    member = ApiClient(app, rw["members"][0])
    assert member.get("/products/es7/vote-budget").get_json() == {"product": "es7", "vote_budget": None,
                                                                  "votes_left": None}
    assert member.put("/products/es7/vote-budget", {"vote_budget": 3}).status_code == 403
    assert ApiClient(app, rw["pm"]).put("/products/es7/vote-budget", {"vote_budget": 3}).status_code == 403
    owner = ApiClient(app, admin)
    for bad in (0, 1001, True, "3"):
        response = owner.put("/products/es7/vote-budget", {"vote_budget": bad})
        assert response.status_code == 422 and "vote_budget" in response.get_json()["error"]["fields"], bad
    assert owner.put("/products/es7/vote-budget", {"vote_budget": 3}).get_json()["vote_budget"] == 3
    member.put(f"/roadmap/items/{rw['item'].id}/vote")
    assert member.get("/products/es7/vote-budget").get_json()["votes_left"] == 2
    assert owner.put("/products/es7/vote-budget", {"vote_budget": None}).get_json()["vote_budget"] is None
    assert owner.get("/products/nope/vote-budget").status_code == 404


def test_staff_edit_a_draft_release_through_the_api(app, rw, make):
    client = ApiClient(app, rw["pm"])
    release = client.post("/releases", {"product": "es7", "version": "v2.4", "released_on": "2027-01-01"}).get_json()
    services.change_status(rw["pm"], rw["item"], "planned")
    db.session.commit()
    edited = client.patch(f"/releases/{release['id']}", {"title": "冬季更新", "item_ids": [rw["item"].id]})
    assert edited.status_code == 200, edited.get_json()
    body = edited.get_json()
    assert body["title"] == "冬季更新" and body["version"] == "v2.4" and body["released_on"] == "2027-01-01"
    assert [i["id"] for i in body["items"]] == [rw["item"].id]
    for body, field in (({"released_on": "someday"}, "released_on"), ({"post_ids": [2**40]}, "post_ids")):
        bad = client.patch(f"/releases/{release['id']}", body)
        assert bad.status_code == 422 and field in bad.get_json()["error"]["fields"], body
    assert ApiClient(app, rw["members"][0]).patch(f"/releases/{release['id']}", {"title": "x"}).status_code == 404
