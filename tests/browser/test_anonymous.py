"""An anonymous visitor: home, a category, an item with its timeline and official reply,
search with highlighting, the locale switch and a 404."""
from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow


def answered_post_id(site) -> int:
    """A demo item that has an official reply (read from the server's database file)."""
    with sqlite3.connect(site.db_path) as db:
        return db.execute("SELECT post_id FROM comments WHERE is_official = 1 AND is_internal = 0 "
                          "ORDER BY post_id LIMIT 1").fetchone()[0]


def test_anonymous_visitor_reads_searches_and_switches_language(journey, site):
    visitor = journey.actor("visitor")
    page = visitor.visit("/", "home")
    expect(page.locator(".post-list .post-row").first).to_be_visible()

    visitor.submit(page.locator(".main-nav a").filter(has_text="产品"), "products")
    visitor.visit("/c/infotainment", "category")
    expect(page.locator("h1")).to_contain_text("车机与OTA")

    visitor.visit(f"/posts/{answered_post_id(site)}", "item")
    expect(page.locator(".badge-official").first).to_be_visible()
    expect(page.locator("[data-timeline] li").first).to_be_visible()
    expect(page.locator(".vote-button")).to_have_attribute("href", f"/login?next=/posts/{answered_post_id(site)}")

    page.fill("#header-search-q", "续航")
    visitor.submit(page.locator(".header-search button"), "search")
    expect(page.locator("main mark").first).to_have_text("续航")

    page.select_option("#locale-select", "en")
    visitor.submit(page.locator(".locale-switch button"), "search-en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Search")

    visitor.visit("/posts/999999999", "not-found", status=404)
    expect(page.locator(".error-code")).to_have_text("404")
