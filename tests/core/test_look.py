"""What a first-time visitor sees: link-preview meta, a way to post, icons that need no emoji font,
the narrow-screen tab bar, dark mode."""
from __future__ import annotations

import re
from pathlib import Path

from community.extensions import db

ROOT = Path(__file__).resolve().parents[2]
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2691]")


def _meta(html, key):
    found = re.search(rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]*)"', html)
    return found.group(1) if found else None


def test_public_pages_have_description_and_open_graph_meta(client, make):
    world = make.world()
    home = client.get("/").get_data(as_text=True)
    assert _meta(home, "description") and _meta(home, "og:title") == "首页"
    post = client.get(f"/posts/{world['post'].id}").get_data(as_text=True)
    assert _meta(post, "og:type") == "article"
    assert _meta(post, "og:title") == world["post"].title
    assert _meta(post, "description") == _meta(post, "og:description") == "升级到 v2.3.1 之后，蓝牙每天断好几次。"
    assert _meta(post, "og:url").endswith(f"/posts/{world['post'].id}")


def test_anonymous_visitors_are_invited_to_post(client, make):
    make.world()
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<a class="button primary small" href="/login\?next=/posts/new">发帖</a>', html)
    r = client.get("/login?next=%2Fposts%2Fnew")
    assert r.status_code == 200 and 'name="password"' in r.get_data(as_text=True)


def test_icons_are_inline_svg_not_emoji(client, make):
    from community.notifications.kinds import KINDS

    world = make.world()
    db.session.commit()
    client.login_as(world["member"])
    html = client.get("/").get_data(as_text=True)
    bell = re.search(r'<a class="bell".*?</a>', html, re.S).group(0)
    assert '<use href="#icon-bell">' in bell and not EMOJI.search(bell)
    assert '<symbol id="icon-bell"' in html
    assert not [k.name for k in KINDS.values() if EMOJI.search(k.icon)]
    assert all(f'<symbol id="icon-{k.icon}"' in html for k in KINDS.values())


def test_narrow_screens_get_a_bottom_tab_bar_and_dark_mode_is_styled(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<nav class="tab-bar"[^>]*>.*首页.*搜索.*发帖.*</nav>', html, re.S)
    assert "css/theme.css" in html
    css = (ROOT / "community/static/css/theme.css").read_text()
    assert "@media (prefers-color-scheme: dark)" in css and "@media (max-width: 720px)" in css
    assert client.get("/static/css/theme.css").status_code == 200


def test_staff_queue_cells_carry_labels_for_phone_width(client, make):
    world = make.world()
    db.session.commit()
    client.login_as(world["contact"])
    html = client.get("/staff", follow_redirects=True).get_data(as_text=True)
    assert 'data-label="作者："' in html and 'data-label="响应时限："' in html


def test_trial_report_ratings_are_tappable_stars(client, make):
    world = make.world()
    db.session.commit()
    client.login_as(world["member"])
    html = client.get("/posts/new?kind=trial_report").get_data(as_text=True)
    assert "★</option>" not in html and '<select id="f-rating' not in html
    stars = re.findall(r'<input type="radio" class="visually-hidden" id="f-rating_comfort-(\d)"', html)
    assert sorted(stars) == ["0", "1", "2", "3", "4", "5"]
    assert '<label for="f-rating_comfort-4" title="4 / 5">' in html
