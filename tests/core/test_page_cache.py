"""Anonymous pages are cached briefly; nothing personal or stale-after-write leaks through."""
from __future__ import annotations

import pytest

from community.core import page_cache
from community.extensions import db


@pytest.fixture
def cached(app):
    app.config["ANON_PAGE_CACHE_SECONDS"] = 60
    page_cache.clear()
    yield app
    page_cache.clear()


def test_anonymous_pages_are_served_from_the_cache_without_cookies(cached, client, make):
    w = make.world()
    first = client.get(f"/posts/{w['post'].id}")
    assert first.status_code == 200 and "Set-Cookie" not in first.headers
    assert 'name="csrf-token"' not in first.get_data(as_text=True)
    # A change made behind the app's back is not seen while the entry is fresh...
    db.session.execute(db.text("UPDATE posts SET title = '直接改的标题' WHERE id = :id"), {"id": w["post"].id})
    db.session.commit()
    assert "直接改的标题" not in client.get(f"/posts/{w['post'].id}").get_data(as_text=True)
    page_cache.clear()
    assert "直接改的标题" in client.get(f"/posts/{w['post'].id}").get_data(as_text=True)


def test_a_committed_change_to_posts_clears_the_cache(cached, client, make):
    w = make.world()
    assert "蓝牙" in client.get("/?sort=new").get_data(as_text=True)
    make.post(w["member"], w["category"], title="新发的帖子应立即可见")
    db.session.commit()
    assert "新发的帖子应立即可见" in client.get("/?sort=new").get_data(as_text=True)


def test_logged_in_users_and_other_locales_get_their_own_pages(cached, client, make):
    w = make.world()
    zh = client.get("/").get_data(as_text=True)
    en = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="zh-CN"' in zh and 'lang="en"' in en
    client.login_as(w["member"])
    mine = client.get("/").get_data(as_text=True)
    assert w["member"].name in mine and 'name="csrf-token"' in mine


def test_hidden_items_leave_the_cached_pages(cached, client, make):
    w = make.world()
    assert client.get(f"/posts/{w['post'].id}").status_code == 200
    w["post"].is_hidden = True
    db.session.commit()
    assert client.get(f"/posts/{w['post'].id}").status_code == 404


def test_members_share_the_list_but_each_gets_their_own_header(cached, app, make):
    w = make.world()
    alice, bob = make.user(display_name="爱丽丝"), make.user(display_name="鲍勃")
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    first.login_as(alice)
    second.login_as(bob)
    assert "蓝牙" in first.get("/?sort=new").get_data(as_text=True)
    db.session.execute(db.text("UPDATE posts SET title = '背后改的标题' WHERE id = :id"), {"id": w["post"].id})
    db.session.commit()
    page = second.get("/?sort=new").get_data(as_text=True)
    assert "蓝牙" in page and "背后改的标题" not in page  # the list came from the shared fragment
    assert "鲍勃" in page and "爱丽丝" not in page  # the header did not


def test_staff_lists_are_never_shared_with_members(cached, app, make):
    w = make.world()
    hidden = make.post(w["member"], w["category"], title="已隐藏的帖子标题")
    hidden.is_hidden = True
    db.session.commit()
    staff, member = app.test_client(), app.test_client()
    staff.login_as(w["contact"])
    member.login_as(w["member"])
    assert "已隐藏的帖子标题" in staff.get("/?sort=new").get_data(as_text=True)
    assert "已隐藏的帖子标题" not in member.get("/?sort=new").get_data(as_text=True)
    page_cache.clear()
    assert "已隐藏的帖子标题" not in member.get("/c/cabin-ota?sort=new").get_data(as_text=True)
    assert "已隐藏的帖子标题" in staff.get("/c/cabin-ota?sort=new").get_data(as_text=True)
