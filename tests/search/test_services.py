"""Search through the services: analysis cases, visibility, freshness, filters, rollback."""
from __future__ import annotations

from datetime import datetime

import pytest

from community.core import clock
from community.extensions import db
from community.feedback import services as feedback
from community.search import services
from community.search.engine import Filters


def titles(actor, q, **kwargs):
    return sorted(h.post.title for h in services.search(actor, q, **kwargs).items)


@pytest.fixture
def corpus(make, indexed):
    w = make.world()
    member = w["member"]
    posts = {
        "suspension": make.post(member, w["category"], title="悬挂系统太硬了",
                                body="过减速带的时候后排非常颠，希望调软一点。"),
        "charging": make.post(member, w["category"], title="Charging stops at 80 percent",
                              body="The car will charge slowly after the latest update."),
        "ota": make.post(member, w["category"], title="OTA 升级失败", body="升级到一半提示失败，重试三次都不行。"),
        "nfc": make.post(member, w["category"], title="NFC 钥匙偶尔失灵", body="早上刷卡经常没反应，要刷好几次。"),
        "brand": make.post(member, w["category"], title="和蔚来比哪个好", kind="discussion",
                           body="朋友开蔚来，我开极光，大家聊聊各自的体验。"),
    }
    indexed()
    return {**w, "posts": posts}


@pytest.mark.parametrize("query, expected", [
    ("悬挂", "悬挂系统太硬了"),
    ("charging", "Charging stops at 80 percent"),
    ("charge", "Charging stops at 80 percent"),
    ("OTA", "OTA 升级失败"),
    ("ota", "OTA 升级失败"),
    ("NFC", "NFC 钥匙偶尔失灵"),
    ("蔚来", "和蔚来比哪个好"),
    ('"悬挂系统"', "悬挂系统太硬了"),
])
def test_chinese_and_english_queries_find_the_item(corpus, query, expected):
    assert titles(None, query) == [expected]


def test_title_matches_rank_above_body_matches(corpus, make, indexed):
    make.post(corpus["member"], corpus["category"], title="座椅加热太慢", body="还有一个问题是悬挂偏硬，不过主要说座椅。")
    indexed()
    results = services.search(None, "悬挂")
    assert [h.post.title for h in results.items][0] == "悬挂系统太硬了" and results.total == 2


def test_snippets_highlight_matches(corpus):
    hit = services.search(None, "减速带").items[0]
    assert "<mark>减速带</mark>" in str(hit.snippet_html)


def test_comments_are_searchable_but_internal_notes_are_not(corpus, make, indexed):
    post = corpus["posts"]["ota"]
    feedback.add_comment(corpus["member"], post, "我也遇到了，换了一个信号好的地方就好了")
    feedback.add_comment(corpus["contact"], post, "内部排查：服务器证书过期导致", internal=True)
    indexed()
    member_hits = services.search(corpus["member"], "信号").items
    assert len(member_hits) == 1 and member_hits[0].is_comment and member_hits[0].post.id == post.id
    for viewer in (None, corpus["member"], corpus["contact"]):
        assert services.search(viewer, "证书").total == 0


def test_hidden_and_deleted_comments_disappear(corpus, indexed):
    post = corpus["posts"]["ota"]
    first = feedback.add_comment(corpus["member"], post, "用手机热点升级成功了")
    second = feedback.add_comment(corpus["member"], post, "用充电桩旁边的无线网络也成功了")
    indexed()
    assert services.search(None, "成功").total == 2
    first.is_hidden = True
    feedback.delete_comment(corpus["member"], second)
    indexed()
    assert services.search(None, "成功").total == 0
    assert services.search(corpus["contact"], "成功").total == 0


def test_hidden_posts_only_for_staff_and_their_author(corpus, make, indexed):
    post = corpus["posts"]["suspension"]
    feedback.add_comment(corpus["member"], post, "补充一下：悬挂在冬天更硬")
    post.is_hidden = True  # what moderation does; the session hooks catch every writer
    indexed()
    stranger = make.user()
    db.session.commit()
    for viewer in (None, stranger):
        results = services.search(viewer, "悬挂")
        assert results.total == 0 and results.items == []  # no count leak from the comment either
    assert services.search(corpus["member"], "悬挂").total == 2  # the author: post and comment
    assert services.search(corpus["contact"], "悬挂").total == 2  # staff


def test_deleted_posts_only_for_moderators(corpus, make, indexed):
    post = corpus["posts"]["nfc"]
    post.deleted_at = clock.now()
    moderator = make.user("moderator")
    indexed()
    assert services.search(corpus["member"], "NFC").total == 0  # not even the author
    assert services.search(corpus["contact"], "NFC").total == 0
    assert services.search(moderator, "NFC").total == 1


def test_merged_duplicates_are_not_returned(corpus, make, indexed):
    target = corpus["posts"]["ota"]
    dup = make.post(make.user(), corpus["category"], title="OTA 又升级失败", body="今天再试还是不行，提示网络错误。")
    indexed()
    assert services.search(None, "网络错误").total == 1
    feedback.merge_posts(corpus["contact"], dup, target)
    indexed()
    assert services.search(None, "网络错误").total == 0
    assert titles(None, "OTA") == ["OTA 升级失败"]


def test_token_only_in_restricted_content_gives_nothing(corpus, make, indexed):
    secret = make.post(corpus["member"], corpus["category"], title="玄武岩密钥泄露", body="这个帖子会被隐藏掉的内容。")
    secret.is_hidden = True
    indexed()
    results = services.search(make.user(), "玄武岩")
    assert (results.total, results.items, results.notices) == (0, [], [])


def test_edits_status_and_votes_are_reflected(corpus, make, indexed):
    post = corpus["posts"]["ota"]
    feedback.edit_post(corpus["member"], post, title="OTA 升级卡在百分之五十", body="升级进度一直停在一半。")
    indexed()
    assert titles(None, "百分之五十") == ["OTA 升级卡在百分之五十"] and services.search(None, "重试").total == 0
    feedback.change_status(corpus["contact"], post, "in_progress")
    for _ in range(3):
        feedback.set_vote(make.user(), post, True)
    indexed()
    assert titles(None, "升级", filters=Filters(status="in_progress")) == ["OTA 升级卡在百分之五十"]
    assert services.search(None, "升级", sort="votes").items[0].post.vote_count == 3


def test_a_rollback_indexes_nothing(corpus, app):
    feedback.submit_post(corpus["member"], kind="feedback", title="回滚的帖子标题", body="这段内容永远不会被提交到数据库。",
                         category=corpus["category"], feedback_type="bug")
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert app.extensions["search"].flush(timeout=15)
    assert services.search(None, "回滚").total == 0
    assert "post:" + str(max(p.id for p in corpus["posts"].values()) + 1) not in app.extensions["search"].store.all_keys()


def test_filters_sorts_and_pagination(corpus, make, indexed):
    other_dept = make.department(slug="chassis", name="底盘部")
    other_cat = make.category(other_dept, slug="chassis-cat", name="底盘")
    product = make.product(slug="es7", name="极光 ES7")
    with clock.frozen(datetime(2025, 1, 5, 8, 0)):
        old = make.post(corpus["member"], other_cat, title="底盘异响一", body="过坑的时候底盘有异响。", product=product)
    with clock.frozen(datetime(2025, 3, 5, 8, 0)):
        for n in range(2, 6):
            make.post(corpus["member"], other_cat, title=f"底盘异响{n}", body="过坑的时候底盘有异响。",
                      feedback_type="suggestion")
    indexed()
    assert services.search(None, "异响").total == 5
    assert titles(None, "异响", filters=services.build_filters(department="chassis", date_to="2025-01-05")) == ["底盘异响一"]
    assert titles(None, "异响", filters=services.build_filters(product="es7")) == ["底盘异响一"]
    assert services.search(None, "异响", filters=services.build_filters(feedback_type="suggestion")).total == 4
    assert services.search(None, "异响", filters=services.build_filters(date_from="2025-02-01", category="chassis-cat")).total == 4
    assert services.search(None, "异响", filters=services.build_filters(kind="discussion")).total == 0
    newest = services.search(None, "异响", sort="new").items
    assert newest[-1].post.id == old.id
    pages = [services.search(None, "异响", page=n, per_page=2) for n in (1, 2, 3)]
    assert [len(p.items) for p in pages] == [2, 2, 1] and all(p.total == 5 and p.pages == 3 for p in pages)
    assert len({h.post.id for p in pages for h in p.items}) == 5


def test_invalid_filters_name_the_field(app):
    from community.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as err:
        services.build_filters(kind="nope", date_from="yesterday", category="missing")
    assert set(err.value.fields) == {"kind", "from", "category"}


def test_partial_matches_when_no_item_has_every_word(corpus):
    results = services.search(None, "悬挂 火箭发射")
    assert results.total == 1 and results.notices


def test_similar_items_are_public_posts_only(corpus, indexed):
    corpus["posts"]["nfc"].is_hidden = True
    indexed()
    similar = services.similar_items(corpus["member"], "悬挂太硬 NFC 失灵")
    assert [p.title for p in similar] == ["悬挂系统太硬了"]


def test_a_post_removed_from_the_database_leaves_with_its_comments(corpus, indexed, app):
    post = corpus["posts"]["ota"]
    feedback.add_comment(corpus["member"], post, "我也遇到了升级失败，等了一个小时")
    indexed()
    assert services.search(None, "一个小时").total == 1
    db.session.delete(post)
    indexed()
    assert services.search(None, "一个小时").total == 0 and services.search(None, "OTA").total == 0
    assert app.test_cli_runner().invoke(args=["search", "check"]).exit_code == 0
