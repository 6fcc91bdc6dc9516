"""Every other page a member or the admin reaches, in both languages: loads without script or
request errors and passes the axe check (the journeys cover the pages' interactions)."""
from __future__ import annotations

import sqlite3

import pytest

from tests.browser.test_member import compose_feedback, register

pytestmark = pytest.mark.slow


def a_product_slug(site) -> str:
    with sqlite3.connect(site.db_path) as db:
        return db.execute("SELECT slug FROM products ORDER BY id LIMIT 1").fetchone()[0]


def test_member_pages(journey, site):
    member = journey.actor("member")
    username = register(member)
    post_id = compose_feedback(member, "后视镜折叠有异响", "**每次**锁车折叠都咔咔响。")
    for path in ("/settings", "/notifications", "/notifications/settings", f"/u/{username}",
                 f"/posts/{post_id}/edit", f"/posts/{post_id}/history", "/flags/mine", "/products",
                 f"/p/{a_product_slug(site)}", "/search?q=蓝牙&scope=comments", "/roadmap", "/changelog"):
        member.visit(path, path.strip("/").replace("/", "-").split("?")[0] or "home")


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_admin_pages(journey, locale):
    admin = journey.actor("admin", locale=locale)
    admin.login("admin")
    if locale == "en":
        admin.visit("/locale?locale=en&next=/staff/")
    for path in ("/staff/", "/staff/queues/all", "/staff/figures", "/staff/flags", "/staff/held", "/staff/audit",
                 "/staff/words", "/staff/users/laowang", "/admin/routing/", "/roadmap", "/roadmap/list"):
        admin.visit(path, f"{locale}-" + path.strip("/").replace("/", "-"))
