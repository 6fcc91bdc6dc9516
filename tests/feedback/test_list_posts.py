"""list_posts: pinned posts first in categories, next-page detection without counting, lazy totals."""
from __future__ import annotations

from community.core import events
from community.extensions import db
from community.feedback import services


def _category_with_posts(make, n):
    dept = make.department()
    cat = make.category(dept)
    make.staff(dept)
    member = make.user()
    posts = [make.post(member, cat, title=f"第{i}个反馈标题") for i in range(n)]
    db.session.commit()
    return cat, posts


def test_pages_walk_the_list_once_with_pinned_first(app, make):
    cat, posts = _category_with_posts(make, 5)
    pinned = posts[1]
    pinned.is_pinned = True
    events.post_visibility_changed.send(pinned, actor=None, what="pinned")
    db.session.commit()

    seen = []
    page, has_next = 1, True
    while has_next:
        results = services.list_posts(None, sort="new", category_id=cat.id, page=page, per_page=2)
        seen += [p.id for p in results.items]
        has_next = results.has_next
        page += 1
    assert seen[0] == pinned.id
    assert sorted(seen) == sorted(p.id for p in posts) and len(seen) == 5
    assert page - 1 == 3  # 2 + 2 + 1, and the last page says there is no next one
    assert results.total == 5 and results.pages == 3
    # The home list is not a category: no pinning there, newest first.
    home = services.list_posts(None, sort="new", per_page=10)
    assert [p.id for p in home.items] == [p.id for p in reversed(posts)]


def test_unpinning_shows_at_once_after_commit(client, make):
    cat, posts = _category_with_posts(make, 3)
    oldest = posts[0]
    assert services.list_posts(None, sort="new", category_id=cat.id).items[0].id == posts[-1].id
    oldest.is_pinned = True
    events.post_visibility_changed.send(oldest, actor=None, what="pinned")
    db.session.commit()
    html = client.get(f"/c/{cat.slug}?sort=new").get_data(as_text=True)
    assert html.index("第0个反馈标题") < html.index("第2个反馈标题")
    oldest.is_pinned = False
    events.post_visibility_changed.send(oldest, actor=None, what="unpinned")
    db.session.commit()
    html = client.get(f"/c/{cat.slug}?sort=new").get_data(as_text=True)
    assert html.index("第2个反馈标题") < html.index("第0个反馈标题")


def test_hidden_pinned_post_stays_hidden(app, make):
    cat, posts = _category_with_posts(make, 2)
    posts[0].is_pinned = True
    posts[0].is_hidden = True
    events.post_visibility_changed.send(posts[0], actor=None, what="hidden")
    db.session.commit()
    results = services.list_posts(None, category_id=cat.id)
    assert [p.id for p in results.items] == [posts[1].id] and results.total == 1


def test_list_page_shows_previous_and_next_links(client, make):
    cat, _posts = _category_with_posts(make, 3)
    app = client.application
    app.config["POSTS_PER_PAGE"] = 2
    first = client.get(f"/c/{cat.slug}?sort=new").get_data(as_text=True)
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get(f"/c/{cat.slug}?sort=new&page=2").get_data(as_text=True)
    assert 'rel="prev"' in second and 'rel="next"' not in second
