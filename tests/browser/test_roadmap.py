"""Roadmap journeys on the demo brand: a visitor reads the board, an item, the list, the changelog,
the polls and the four-box round; a member supports an item and votes in the open price poll; a
staff member links a feedback item to the roadmap from its staff panel."""
from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]


def _one(site, sql: str, *args):
    with sqlite3.connect(site.db_path) as db:
        row = db.execute(sql, args).fetchone()
    assert row is not None, sql
    return row[0]


def test_visitor_reads_the_roadmap_changelog_and_polls(journey, site):
    visitor = journey.actor("visitor")
    page = visitor.visit("/roadmap", "board")
    expect(page.locator(".roadmap-column")).to_have_count(5)
    expect(page.locator(".tag-community").first).to_be_visible()
    visitor.submit(page.locator(".roadmap-card a").first, "item")
    expect(page.locator("#timeline-h")).to_be_visible()
    expect(page.locator("[data-roadmap-demand]")).to_contain_text("需求热度")
    page = visitor.visit("/roadmap/list?sort=eta", "list")
    expect(page.locator(".roadmap-card").first).to_contain_text("预计")
    page = visitor.visit("/changelog", "changelog")
    expect(page.locator(".release")).to_have_count(2)
    visitor.submit(page.locator(".release h2 a").first, "release")
    expect(page.locator("#shipped-h")).to_be_visible()
    page = visitor.visit("/polls", "polls")
    expect(page.locator(".roadmap-card")).to_have_count(2)
    round_id = _one(site, "SELECT id FROM fourbox_rounds ORDER BY id LIMIT 1")
    page = visitor.visit(f"/fourbox/{round_id}", "fourbox")
    expect(page.locator(".tally li").first).to_be_visible()


def test_member_supports_an_item_and_votes_in_the_open_poll(journey, site):
    member = journey.actor("member")
    member.login("laowang")
    item_id = _one(site, "SELECT id FROM roadmap_items WHERE status IN ('considering', 'planned') AND is_public "
                         "AND id NOT IN (SELECT item_id FROM roadmap_votes v JOIN users u ON u.id = v.user_id "
                         "WHERE u.username = 'laowang') ORDER BY id LIMIT 1")
    page = member.visit(f"/roadmap/{item_id}", "item")
    button = page.locator(".vote-box button")
    expect(button).to_have_attribute("aria-pressed", "false")
    member.submit(button, "supported")
    expect(page.locator(".vote-box button")).to_have_attribute("aria-pressed", "true")
    poll_id = _one(site, "SELECT id FROM polls WHERE closed_at IS NULL ORDER BY id DESC LIMIT 1")
    page = member.visit(f"/polls/{poll_id}", "poll")
    member.press(page.locator("input[name=option_id]").nth(1))
    member.submit(page.locator("form[action$='/ballot'] button[type=submit]"), "voted")
    expect(page.locator(".poll-results .tag")).to_have_count(1)  # "your vote" on the chosen band


def test_staff_link_a_feedback_item_to_the_roadmap(journey, site):
    staff = journey.actor("staff")
    staff.login("zhanggong")
    post_id = _one(site, "SELECT p.id FROM posts p JOIN users u ON u.username = 'zhanggong' "
                         "JOIN department_members dm ON dm.user_id = u.id AND dm.department_id = p.department_id "
                         "WHERE p.kind = 'feedback' AND p.status IN ('new', 'acknowledged', 'in_progress') "
                         "AND NOT p.is_hidden AND p.merged_into_id IS NULL AND p.deleted_at IS NULL "
                         "AND p.id NOT IN (SELECT post_id FROM roadmap_links) ORDER BY p.id LIMIT 1")
    page = staff.visit(f"/posts/{post_id}", "feedback")
    staff.press(page.locator("summary").filter(has_text="关联到路线图项目"))
    staff.submit(page.locator("form[action='/roadmap/link'] button[type=submit]"), "linked")
    expect(page.locator(".kind-roadmap_linked")).to_be_visible()
    expect(page.locator(".tag-roadmap")).to_be_visible()
