"""The growth dashboard in a browser: a visitor reads /pulse (charts drawn by the locally served
Chart.js under script-src 'self', tables beneath, sortable scoreboard), a share page and the
widget; while it is open, staff answer an item and today's official-reply counter moves live."""
from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


def _open_item(site) -> int:
    with sqlite3.connect(site.db_path) as db:
        return db.execute(
            "SELECT p.id FROM posts p JOIN departments d ON d.id = p.department_id WHERE d.slug = 'software' "
            "AND p.kind = 'feedback' AND p.status IN ('new', 'acknowledged', 'in_progress') AND p.is_locked = 0 "
            "ORDER BY p.id DESC LIMIT 1").fetchone()[0]


def test_visitor_watches_the_dashboard_while_staff_answer(journey, site):
    visitor = journey.actor("visitor")
    page = visitor.visit("/pulse", "pulse")
    expect(page.locator("h1")).to_contain_text("成长看板")
    expect(page.locator("[data-pulse-updated]")).to_contain_text("数据更新于")
    expect(page.locator(".pulse-table caption")).to_have_count(2)
    for name in ("weekly", "response"):  # Chart.js drew each chart
        page.wait_for_function(
            "name => window.Chart && Chart.getChart(document.querySelector(`canvas[data-pulse-chart=${name}]`))",
            arg=name)
    counter = page.locator('[data-pulse-counter="official_replies_today"]')
    before = int(counter.inner_text().replace(",", ""))
    visitor.mark_document()

    staff = journey.actor("staff")
    staff.login("zhanggong")
    staff_page = staff.visit(f"/posts/{_open_item(site)}", "staff-item")
    staff_page.fill("#official-body", "您好，已收到，我们正在跟进。")
    staff.submit(staff_page.locator("form[action$='/reply'] button[type=submit]"), "staff-replied")

    expect(counter).to_have_text(f"{before + 1:,}", timeout=5000)  # pushed: no reload
    visitor.assert_same_document()
    visitor.check("pulse-live")

    visitor.submit(page.locator(".pulse-table thead th a", has_text="未关闭数"), "sorted")
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
    shared = page.locator(".pulse-moments a")
    if shared.count():  # the demo's shipped ideas
        visitor.submit(shared.first, "moment")
        expect(page.locator(".pulse-share-card")).to_be_visible()
        assert page.evaluate("() => document.querySelector('.pulse-share-card').naturalWidth") == 1200
    page = visitor.visit("/pulse/embed", "embed")
    expect(page.locator("[data-pulse-counter]").first).to_be_visible()
