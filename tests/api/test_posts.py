"""Posts, comments, votes and follows through /api/v1, and what each caller may see."""
from __future__ import annotations

import threading

from community.core import clock
from community.extensions import db
from community.feedback import services
from community.feedback.models import Comment, Follow, Post, Vote
from community.feedback.workflow import RATING_DIMENSIONS
from tests.api.conftest import ApiClient, writing

RATINGS = {key: 1 + n % 5 for n, key in enumerate(RATING_DIMENSIONS)}


def test_list_posts_with_filters_and_pagination(api, make, world):
    with writing():
        for n in range(4):
            make.post(world["member"], world["other_category"], title=f"底盘异响问题 {n} 号", feedback_type="complaint")
        make.post(world["member"], world["category"], kind="discussion", title="大家的续航怎么样")
    client = api()
    first = client.get("/posts?sort=new&per_page=2").get_json()
    assert first["pagination"] == {"page": 1, "per_page": 2, "total": 6, "pages": 3}
    assert [p["title"] for p in first["items"]] == ["大家的续航怎么样", "底盘异响问题 3 号"]
    third = client.get("/posts?sort=new&per_page=2&page=3").get_json()
    assert len(third["items"]) == 2 and third["items"][-1]["id"] == world["post"].id
    beyond = client.get("/posts?page=9").get_json()
    assert beyond["items"] == [] and beyond["pagination"]["total"] == 6

    by_category = client.get("/posts?category=chassis-ride&type=complaint&per_page=100").get_json()
    assert by_category["pagination"]["total"] == 4
    assert {p["category"]["slug"] for p in by_category["items"]} == {"chassis-ride"}
    assert client.get("/posts?kind=discussion").get_json()["pagination"]["total"] == 1
    assert client.get("/posts?status=new&author=" + world["member"].username).get_json()["pagination"]["total"] == 5
    unanswered = client.get("/posts?sort=unanswered").get_json()["items"]
    assert all(p["kind"] == "feedback" and p["first_response_seconds"] is None for p in unanswered)


def test_list_filters_are_validated(api, world):
    r = api().get("/posts?sort=best&per_page=101&page=0&category=nope&status=open")
    assert r.status_code == 422
    assert set(r.get_json()["error"]["fields"]) == {"sort", "per_page", "page", "category", "status"}


def test_get_post_has_routing_timeline_and_the_callers_state(api, world):
    post_id = world["post"].id
    member = api(world["member"])
    member.put(f"/posts/{post_id}/vote")
    body = member.get(f"/posts/{post_id}").get_json()
    assert body["category"]["slug"] == "cabin-ota" and body["department"]["slug"] == "cabin-software"
    assert body["assignee"]["badge"] == "车机软件部 · 张工" and body["status"] == "new"
    assert body["voted"] is True and body["following"] is True and body["vote_count"] == 1
    assert [e["kind"] for e in body["timeline"]] == ["created", "routed"]
    assert body["timeline"][1]["to_assignee_label"] == "车机软件部 · 张工"
    assert body["caller"]["is_author"] and not body["caller"]["can_manage"]
    assert body["body_html"].startswith("<p>")

    anonymous = api().get(f"/posts/{post_id}").get_json()
    assert anonymous["voted"] is False and anonymous["following"] is False
    staff = api(world["contact"]).get(f"/posts/{post_id}").get_json()
    assert staff["caller"]["can_manage"] and "resolved" in staff["caller"]["transitions"]
    assert api().get(f"/posts/{post_id}/timeline").get_json()["items"] == body["timeline"]


def test_create_feedback_trial_report_and_discussion(api, world):
    client = api(world["member"])
    feedback = client.post("/posts", {"kind": "feedback", "type": "suggestion", "category": "cabin-ota",
                                      "title": "希望增加座椅记忆功能", "body": "每次换人开车都要重新调座椅，希望能绑定账号。"})
    assert feedback.status_code == 201
    created = feedback.get_json()
    assert feedback.headers["Location"].endswith(f"/api/v1/posts/{created['id']}")
    assert created["type"] == "suggestion" and created["assignee"]["username"] == world["contact"].username
    assert created["following"] is True

    report = client.post("/posts", {"kind": "trial_report", "category": "cabin-ota", "product": "es7",
                                    "title": "极光 ES7 三天试驾体验", "body": "整体很满意，座椅舒适，智驾略保守。",
                                    "trial": {"version": "长续航版", "pros": "安静", "cons": "后排略窄",
                                              "ratings": RATINGS}})
    assert report.status_code == 201, report.get_json()
    assert report.get_json()["trial_report"] == {"version": "长续航版", "pros": "安静", "cons": "后排略窄",
                                                 "ratings": RATINGS}
    ratings = api().get("/products/es7/ratings").get_json()
    assert ratings["reports"] == 1 and ratings["overall"] == round(sum(RATINGS.values()) / len(RATINGS), 2)

    discussion = client.post("/posts", {"kind": "discussion", "category": "cabin-ota", "title": "冬天续航大家怎么样",
                                        "body": "北方的车主来聊聊冬天的实际续航吧。"})
    assert discussion.status_code == 201 and discussion.get_json()["status"] is None


def test_create_validation_names_the_api_fields(api, world):
    first_dimension = next(iter(RATING_DIMENSIONS))
    client = api(world["member"])
    r = client.post("/posts", {"kind": "trial_report", "category": "cabin-ota", "product": "nope",
                               "title": "标题够长", "body": "正文也足够长了吧，真的。"})
    assert r.status_code == 422 and set(r.get_json()["error"]["fields"]) == {"product"}
    r = client.post("/posts", {"kind": "trial_report", "category": "cabin-ota", "product": "es7",
                               "title": "标题够长", "body": "正文也足够长了吧，真的。",
                               "trial": {"ratings": {**RATINGS, first_dimension: 9}}})
    assert r.status_code == 422 and set(r.get_json()["error"]["fields"]) == {f"trial.ratings.{first_dimension}"}
    assert db.session.query(Post).filter_by(kind="trial_report").count() == 0


def test_hidden_post_is_404_for_outsiders_and_visible_to_author_and_staff(api, make, world):
    with writing():
        world["post"].is_hidden = True
        outsider = make.user()
    post_id = world["post"].id
    for client in (api(), api(outsider)):
        assert client.get(f"/posts/{post_id}").status_code == 404
        assert client.get(f"/posts/{post_id}/comments").status_code == 404
        assert client.get(f"/posts/{post_id}/timeline").status_code == 404
        assert post_id not in [p["id"] for p in client.get("/posts").get_json()["items"]]
    assert api(outsider).put(f"/posts/{post_id}/vote").status_code == 404
    assert api(outsider).post(f"/posts/{post_id}/comments", {"body": "看不到的帖子"}).status_code == 404
    author = api(world["member"])
    assert author.get(f"/posts/{post_id}").get_json()["is_hidden"] is True
    # General lists show public items only; the author finds their hidden post among their own.
    assert post_id not in [p["id"] for p in author.get("/posts").get_json()["items"]]
    own = author.get(f"/posts?author={world['member'].username}").get_json()["items"]
    assert post_id in [p["id"] for p in own]
    assert api(world["other_staff"]).get(f"/posts/{post_id}").status_code == 200


def test_comments_replies_and_internal_notes(api, make, world):
    post_id = world["post"].id
    member, staff = api(world["member"]), api(world["contact"])
    top = member.post(f"/posts/{post_id}/comments", {"body": "补充：重启车机后恢复。"})
    assert top.status_code == 201
    top_id = top.get_json()["id"]
    reply = staff.post(f"/posts/{post_id}/comments", {"body": "请问是哪个版本？", "parent_id": top_id})
    assert reply.status_code == 201 and reply.get_json()["parent_id"] == top_id
    note = staff.post(f"/posts/{post_id}/comments", {"body": "内部：和 OTA 团队确认中", "internal": True})
    assert note.status_code == 201 and note.get_json()["is_internal"] is True
    note_id = note.get_json()["id"]

    staff_view = staff.get(f"/posts/{post_id}/comments").get_json()["items"]
    assert [c["id"] for c in staff_view] == [top_id, reply.get_json()["id"], note_id]
    for client in (member, api()):
        response = client.get(f"/posts/{post_id}/comments")
        assert [c["id"] for c in response.get_json()["items"]] == [top_id, reply.get_json()["id"]]
        assert "内部" not in response.get_data(as_text=True)

    # The note's id answers like a missing one for members: as a parent and on edit/delete.
    assert member.post(f"/posts/{post_id}/comments", {"body": "回复", "parent_id": note_id}).status_code == 404
    assert member.patch(f"/comments/{note_id}", {"body": "改掉"}).status_code == 404
    assert member.delete(f"/comments/{note_id}").status_code == 404
    assert member.post(f"/posts/{post_id}/comments", {"body": "偷偷备注", "internal": True}).status_code == 403
    assert db.session.query(Comment).filter_by(is_internal=True).count() == 1

    with writing():
        elsewhere = make.post(world["member"], world["category"], kind="discussion", title="另一个帖子的讨论")
    wrong_thread = member.post(f"/posts/{elsewhere.id}/comments", {"body": "回错帖子", "parent_id": top_id})
    assert wrong_thread.status_code == 422 and set(wrong_thread.get_json()["error"]["fields"]) == {"parent_id"}


def test_edit_and_delete_comments(api, world):
    post_id = world["post"].id
    member = api(world["member"])
    comment_id = member.post(f"/posts/{post_id}/comments", {"body": "第一版"}).get_json()["id"]
    edited = member.patch(f"/comments/{comment_id}", {"body": "第二版"})
    assert edited.status_code == 200 and edited.get_json()["body"] == "第二版" and edited.get_json()["edited_at"]
    assert api(world["other_staff"]).patch(f"/comments/{comment_id}", {"body": "别人改"}).status_code == 403
    assert member.delete(f"/comments/{comment_id}").status_code == 204
    listed = api().get(f"/posts/{post_id}/comments").get_json()["items"]
    assert listed[0]["is_deleted"] is True and listed[0]["body"] == "" and listed[0]["author"] is None


def test_edit_post_by_author_and_by_moderator_with_a_reason(api, world):
    post_id = world["post"].id
    r = api(world["member"]).patch(f"/posts/{post_id}", {"title": "车机蓝牙经常断连（已补充版本）"})
    assert r.status_code == 200 and r.get_json()["title"] == "车机蓝牙经常断连（已补充版本）"
    assert r.get_json()["body"] == world["post"].body and r.get_json()["edited_at"]
    moderator = api(world["moderator"])
    no_reason = moderator.patch(f"/posts/{post_id}", {"body": "版主修改后的正文内容。"})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["fields"]
    assert moderator.patch(f"/posts/{post_id}", {"body": "版主修改后的正文内容。", "reason": "删除手机号"}).status_code == 200
    assert api(world["other_staff"]).patch(f"/posts/{post_id}", {"title": "别人的修改"}).status_code == 403
    history = api().get(f"/posts/{post_id}/revisions").get_json()["items"]
    assert [(r["by_moderator"], r["reason"]) for r in history] == [(True, "删除手机号"), (False, "")]
    assert history[1]["title_before"] == "车机蓝牙经常断连"


def test_comment_history_hides_internal_and_deleted_comments(api, world):
    post_id = world["post"].id
    member, staff = api(world["member"]), api(world["contact"])
    comment_id = member.post(f"/posts/{post_id}/comments", {"body": "我的手机号 138xxxx"}).get_json()["id"]
    member.patch(f"/comments/{comment_id}", {"body": "已删掉手机号"})
    history = api().get(f"/posts/{post_id}/revisions?comment_id={comment_id}").get_json()["items"]
    assert [r["body_before"] for r in history] == ["我的手机号 138xxxx"]
    member.delete(f"/comments/{comment_id}")
    assert api().get(f"/posts/{post_id}/revisions?comment_id={comment_id}").status_code == 404
    assert api(world["moderator"]).get(f"/posts/{post_id}/revisions?comment_id={comment_id}").status_code == 200
    note_id = staff.post(f"/posts/{post_id}/comments", {"body": "内部备注", "internal": True}).get_json()["id"]
    assert member.get(f"/posts/{post_id}/revisions?comment_id={note_id}").status_code == 404
    assert staff.get(f"/posts/{post_id}/revisions?comment_id={note_id}").status_code == 200


def test_vote_and_follow_are_idempotent(api, make, world):
    post_id = world["post"].id
    with writing():
        voter = make.user()
    client = api(voter)
    assert client.put(f"/posts/{post_id}/vote").get_json() == {"voted": True, "vote_count": 1}
    assert client.put(f"/posts/{post_id}/vote").get_json() == {"voted": True, "vote_count": 1}
    assert client.delete(f"/posts/{post_id}/vote").get_json() == {"voted": False, "vote_count": 0}
    assert client.delete(f"/posts/{post_id}/vote").get_json() == {"voted": False, "vote_count": 0}
    assert client.put(f"/posts/{post_id}/follow").get_json() == {"following": True}  # voting already followed
    assert client.delete(f"/posts/{post_id}/follow").get_json() == {"following": False}
    assert client.delete(f"/posts/{post_id}/follow").get_json() == {"following": False}
    assert db.session.query(Follow).filter_by(post_id=post_id, user_id=voter.id).count() == 0

    with writing():
        discussion = make.post(world["member"], world["category"], kind="discussion", title="随便聊聊续航")
    refused = client.put(f"/posts/{discussion.id}/vote")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "cannot_vote"


def test_twenty_concurrent_votes_by_one_user_count_once(app, make, world, token_for):
    with writing():
        voter = make.user()
    post_id, voter_id = world["post"].id, voter.id
    clients = [ApiClient(app, token=token_for(voter)) for _ in range(10)]
    for _ in range(10):  # half by session with CSRF, half by token
        c = ApiClient(app, voter)
        c.client.csrf_token()
        clients.append(c)
    db.session.remove()  # the test thread must not hold SQLite's write lock while requests run
    barrier = threading.Barrier(20)
    answers = []

    def vote(c):
        barrier.wait(timeout=10)
        r = c.put(f"/posts/{post_id}/vote")
        answers.append(r.get_json() if r.status_code == 200 else r.get_data(as_text=True))

    threads = [threading.Thread(target=vote, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [{"voted": True, "vote_count": 1}] * 20
    db.session.expire_all()
    assert db.session.query(Vote).filter_by(post_id=post_id, user_id=voter_id).count() == 1
    assert db.session.get(Post, post_id).vote_count == 1


def test_categories_departments_and_products(api, world):
    categories = api().get("/categories").get_json()["items"]
    assert {"slug": "cabin-ota", "name": "车机与OTA", "name_en": "", "local_name": "车机与OTA", "description": "",
            "department": {"slug": "cabin-software", "name": "车机软件部", "name_en": "", "local_name": "车机软件部"}} \
        in categories
    departments = api().get("/departments").get_json()["items"]
    cabin = next(d for d in departments if d["slug"] == "cabin-software")
    assert cabin == {"slug": "cabin-software", "name": "车机软件部", "name_en": "", "local_name": "车机软件部",
                     "first_response_hours": 24,
                     "resolution_days": 14}  # public targets only: no lead, members or contacts
    assert [p["slug"] for p in api().get("/products").get_json()["items"]] == ["es7"]
    empty = api().get("/products/es7/ratings").get_json()
    assert empty["reports"] == 0 and empty["overall"] is None and len(empty["dimensions"]) == len(RATING_DIMENSIONS)
    assert api().get("/products/nope/ratings").status_code == 404


def test_deleted_post_is_404_except_for_moderators(api, world):
    with writing():
        world["post"].deleted_at = clock.now()
    post_id = world["post"].id
    assert api(world["member"]).get(f"/posts/{post_id}").status_code == 404
    assert api(world["contact"]).get(f"/posts/{post_id}").status_code == 404
    assert api(world["moderator"]).get(f"/posts/{post_id}").status_code == 200


def test_suspended_member_can_read_but_not_write(api, world):
    from datetime import timedelta

    with writing():
        world["member"].suspended_until = clock.now() + timedelta(days=1)
    client = api(world["member"])
    assert client.get(f"/posts/{world['post'].id}").status_code == 200
    r = client.post(f"/posts/{world['post'].id}/comments", {"body": "被禁言时的评论"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "account_restricted"
    assert services.list_comments(world["member"], world["post"]) == []
