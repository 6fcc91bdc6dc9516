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
