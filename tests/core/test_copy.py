"""The words a visitor reads: translated in both locales, plural-aware, no English left in Chinese."""
from __future__ import annotations

import re

from community.extensions import db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_newest_sort_tab_is_not_the_new_status(client, make):
    make.world()
    html = _text(client.get("/?sort=new"))
    tab = re.search(r'<a href="[^"]*sort=new[^"]*" aria-current="page" class="active">([^<]+)</a>', html)
    assert tab and tab.group(1).strip() == "最新"
    assert '<span class="status status-new">待受理</span>' in html


def test_macro_strings_are_chinese(client, make):
    world = make.world()
    for n in range(25):
        make.post(world["member"], world["category"], title=f"车机卡顿第{n}次")
    db.session.commit()
    html = _text(client.get("/?sort=new"))
    assert "下一页" in html and "Next" not in html
    assert "条评论" in html and "comments" not in html


def test_english_counts_are_plural_aware(client, make):
    world = make.world()
    from community.feedback import services as feedback
    feedback.add_comment(world["member"], world["post"], "我也是")
    db.session.commit()
    client.set_cookie("locale", "en")
    html = _text(client.get("/"))
    assert "1 comment " in html or "1 comment<" in html
    assert "1 comments" not in html


def test_login_required_message_is_chinese(client):
    html = _text(client.get("/posts/new", follow_redirects=True))
    assert "请先登录" in html
    assert "Please log in to access this page." not in html


def _named_world(make):
    dept = make.department(slug="cabin", name="车机软件部", name_en="Cabin Software")
    cat = make.category(dept, slug="ota", name="车机与OTA")
    cat.name_en = "Cabin & OTA"
    prod = make.product(slug="es7", name="极光 ES7")
    prod.name_en = "Aurora ES7"
    member = make.user()
    post = make.post(member, cat, product=prod)
    db.session.commit()
    return post


def test_english_pages_show_english_names(client, make):
    post = _named_world(make)
    client.set_cookie("locale", "en")
    home = _text(client.get("/"))
    assert "Cabin &amp; OTA" in home and "车机与OTA" not in home
    page = _text(client.get(f"/posts/{post.id}"))
    assert "Aurora ES7" in page and "极光 ES7" not in page
    assert "Cabin Software" in page  # the timeline's "Routed to …" / queue entry
    client.set_cookie("locale", "zh_CN")
    assert "车机与OTA" in _text(client.get("/"))


def test_api_names_follow_accept_language(client, make):
    _named_world(make)
    english = client.get("/api/v1/categories", headers={"Accept-Language": "en"}).get_json()
    chinese = client.get("/api/v1/categories", headers={"Accept-Language": "zh-CN"}).get_json()
    by_slug = {c["slug"]: c for c in english["items"]} if "items" in english else {c["slug"]: c for c in english}
    assert by_slug["ota"]["local_name"] == "Cabin & OTA"
    assert by_slug["ota"]["department"]["local_name"] == "Cabin Software"
    zh = {c["slug"]: c for c in (chinese["items"] if "items" in chinese else chinese)}
    assert zh["ota"]["local_name"] == "车机与OTA" and zh["ota"]["name"] == "车机与OTA"


def test_a_post_seconds_old_says_just_now(client, make):
    make.world()
    assert "刚刚" in _text(client.get("/"))
    client.set_cookie("locale", "en")
    assert "just now" in _text(client.get("/"))


def test_api_excerpts_keep_punctuation_and_drop_markdown(client, make):
    world = make.world()
    make.post(world["member"], world["category"], title="蓝牙断连",
              body="**升级后**蓝牙 1-2 秒就断 (v2.3.1)! 见 [说明](https://example.test)")
    db.session.commit()
    items = client.get("/api/v1/posts?sort=new").get_json()["items"]
    assert items[0]["excerpt"] == "升级后蓝牙 1-2 秒就断 (v2.3.1)! 见 说明"
