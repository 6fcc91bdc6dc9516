"""Member journeys, at 1280×900 and at 390×844 with touch: register, compose with preview and
the similar-items hint, post and see the route at once, vote without a reload, follow, comment
with a mention; and keyboard-only compose and vote."""
from __future__ import annotations

import itertools
import sqlite3
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

_offsets = itertools.count()


def open_feedback_id(site) -> int:
    """A different open, public demo feedback item on each call (so journeys never share one)."""
    with sqlite3.connect(site.db_path) as db:
        return db.execute(
            "SELECT id FROM posts WHERE kind = 'feedback' AND status IN ('new', 'acknowledged', 'in_progress') "
            "AND NOT is_hidden AND merged_into_id IS NULL AND deleted_at IS NULL ORDER BY id LIMIT 1 OFFSET ?",
            (next(_offsets),)).fetchone()[0]


def register(actor) -> str:
    username = "m_" + uuid.uuid4().hex[:10]
    page = actor.visit("/register")
    page.fill("#f-username", username)
    page.fill("#f-display_name", "测试车主" + username[-4:])
    page.fill("#f-email", f"{username}@example.com")
    page.fill("#f-password", "a-long-password")
    actor.submit(page.locator("main form button[type=submit]"), "registered")
    expect(page.locator("form[action='/logout']")).to_have_count(1)
    return username


def compose_feedback(actor, title: str, body: str) -> int:
    page = actor.visit("/posts/new", "compose")
    page.check("input[name=feedback_type][value=bug]")
    page.select_option("#f-category", "infotainment")
    page.fill("#f-title", title)
    expect(page.locator("#similar-items")).to_be_visible()  # the demo has items like it
    expect(page.locator("#similar-items [data-similar-list] li").first).to_be_visible()
    page.fill("#f-body", body)
    actor.press(page.locator("[data-preview-for=f-body]"))
    expect(page.locator("#f-body-preview strong")).to_have_text("每次")
    actor.screenshot("compose-preview")
    actor.submit(page.locator(".compose-form button[type=submit]"), "posted")
    return int(page.url.rsplit("/", 1)[1].split("?")[0].split("#")[0])


def vote_without_reload(actor, post_id: int) -> None:
    page = actor.visit(f"/posts/{post_id}")
    button = page.locator("form[data-vote-form] button")
    before = int(button.locator("[data-vote-count]").inner_text())
    expect(button).to_have_attribute("aria-pressed", "false")
    actor.mark_document()
    actor.press(button)
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button.locator("[data-vote-count]")).to_have_text(str(before + 1))
    actor.assert_same_document()


def test_member_registers_posts_votes_follows_and_comments(member_journey, site):
    member = member_journey.actor("member")
    register(member)
    page = member.page

    compose_feedback(member, "车机导航经常卡顿", "导航**每次**启动都要等十几秒。")
    expect(page.locator("h1")).to_have_text("车机导航经常卡顿")
    expect(page.locator("[data-timeline]")).to_contain_text("已转交")  # routed at once, no reload needed

    other = open_feedback_id(site)
    vote_without_reload(member, other)
    # Voting follows the item, and the page says so.
    expect(page.locator("[data-follow-form] button")).to_have_text("取消关注")
    expect(page.locator("[data-auto-followed]")).to_have_text("已自动关注")
    member.screenshot("voted")

    # Unvote, still without a reload.
    member.mark_document()
    member.press(page.locator("form[data-vote-form] button"))
    expect(page.locator("form[data-vote-form] button")).to_have_attribute("aria-pressed", "false")
    member.assert_same_document()

    member.submit(page.locator("[data-follow-form] button"), "unfollowed")
    expect(page.locator("[data-follow-form] button")).to_have_text("关注")
    member.submit(page.locator("[data-follow-form] button"))
    expect(page.locator("[data-follow-form] button")).to_have_text("取消关注")

    page.fill("#f-body", "@laowang 你的车也这样吗？")
    member.submit(page.locator("#comment-form button[type=submit]"), "commented")
    comment = page.locator("[data-comments] li").last
    expect(comment).to_contain_text("你的车也这样吗")

    laowang = member_journey.actor("laowang")
    laowang.login("laowang")
    notifications = laowang.visit("/notifications", "mentioned")
    expect(notifications.locator("[data-notification-feed]")).to_contain_text("@了你")


def test_keyboard_only_compose_and_vote(journey, site):
    member = journey.actor("keyboard")
    register(member)
    page = member.page
    member.visit("/posts/new")

    def tab_to(selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("input[name=feedback_type]")
    page.keyboard.press("Space")
    expect(page.locator("input[name=feedback_type]:checked")).to_have_count(1)
    tab_to("#f-category")
    page.keyboard.press("ArrowDown")
    tab_to("#f-title")
    page.keyboard.type("键盘发帖：蓝牙音乐断断续续")
    tab_to("#f-body")
    page.keyboard.type("连接手机后每隔几分钟断一次。")
    tab_to(".compose-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    member.check("keyboard-posted")
    expect(page.locator("h1")).to_have_text("键盘发帖：蓝牙音乐断断续续")

    member.visit(f"/posts/{open_feedback_id(site)}")
    member.mark_document()
    tab_to("form[data-vote-form] button")
    page.keyboard.press("Enter")
    expect(page.locator("form[data-vote-form] button")).to_have_attribute("aria-pressed", "true")
    member.assert_same_document()
    page.keyboard.press("Space")
    expect(page.locator("form[data-vote-form] button")).to_have_attribute("aria-pressed", "false")
    member.assert_same_document()
