"""A member watches their own item while staff answer in another browser: the bell, the new
comment, the timeline and the status chip change live, without a reload; then the member rates
the resolved case with the one choice the page offers. A held comment tells its author why."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.test_member import compose_feedback, register

pytestmark = pytest.mark.slow


def test_staff_reply_and_status_reach_the_open_item_live_then_the_member_rates(member_journey):
    member = member_journey.actor("member")
    register(member)
    post_id = compose_feedback(member, "车机蓝牙电话经常断开", "打电话**每次**两三分钟就断。")
    page = member.page
    bell = page.locator("[data-bell] [data-unread-count]")
    expect(bell).to_be_hidden()
    comments_before = page.locator("[data-comments] > li").count()
    member.mark_document()

    staff = member_journey.actor("staff")
    staff.login("zhanggong")
    staff_page = staff.visit(f"/posts/{post_id}", "staff-item")
    staff_page.fill("#official-body", "您好，已收到，车机团队正在排查蓝牙协议栈。")
    staff_page.select_option("#official-status", "in_progress")
    staff.submit(staff_page.locator("form[action$='/reply'] button[type=submit]"), "staff-replied")

    expect(bell).to_have_text(re.compile(r"^[1-9]"))  # the reply and the status change
    expect(page.locator("[data-comments] > li")).to_have_count(comments_before + 1)
    expect(page.locator("[data-comments] > li").last).to_contain_text("车机团队正在排查")
    expect(page.locator("[data-comments] > li.official").last).to_be_visible()
    expect(page.locator("[data-timeline]")).to_contain_text("发布了官方回复")
    expect(page.locator("[data-post-status]")).to_have_text("处理中")

    staff_page.select_option("#status-select", "resolved")
    staff_page.fill("#status-note", "已在 OTA 3.2.1 修复。")
    staff.submit(staff_page.locator("form[action$='/status'] button[type=submit]"))
    expect(page.locator("[data-post-status]")).to_have_text("已解决")
    expect(page.locator("[data-timeline]")).to_contain_text("已在 OTA 3.2.1 修复。")
    member.assert_same_document()
    member.check("live-updated")  # the pushed fragments are accessible too

    # One clear choice on the resolved item: the rating (3–5 confirms and closes).
    member.visit(f"/posts/{post_id}", "resolved")
    loop = page.locator("[data-author-loop]")
    expect(loop.locator("form")).to_have_count(1)
    expect(loop.locator("button[type=submit]")).to_have_count(1)
    expect(page.locator(".tag-rate")).to_have_count(0)
    member.press(loop.locator("input[name=score][value='4']"))
    loop.locator("textarea[name=comment]").fill("修好了，谢谢。")
    member.submit(loop.locator("button[type=submit]"), "rated")
    expect(page.locator("[data-post-status]")).to_have_text("已关闭")
    expect(page.locator("[data-author-loop]")).to_have_count(0)


def test_a_held_comment_tells_its_author_it_waits_for_review(journey, site):
    word = "审核词" + uuid.uuid4().hex[:6]
    admin = journey.actor("admin")
    admin.login("admin")
    words = admin.visit("/staff/words")
    words.fill("#f-word", word)
    words.select_option("#f-action", "hold")
    admin.submit(words.locator("form[action='/staff/words'] button[type=submit]"))

    member = journey.actor("member")
    register(member)
    post_id = compose_feedback(member, "空调出风口异响", "开到三档就有**每次**都有的呜呜声。")
    page = member.page
    page.fill("#f-body", f"补充：{word} 的情况也一样。")
    member.submit(page.locator("#comment-form button[type=submit]"), "held")
    comment = page.locator("[data-comments] > li").last
    expect(comment.locator(".tag-pending")).to_have_text("待审核")
    expect(comment.locator(".held-note")).to_contain_text("包含需审核的敏感词")
    expect(comment.locator(".held-note")).not_to_contain_text(word)  # the rule, never the list
    expect(page.locator(".flashes")).to_contain_text("等待审核")

    held = admin.visit("/staff/held", "held-queue")
    item = held.locator(".mod-queue > li").filter(has=held.locator(f"a[href*='/posts/{post_id}']"))
    admin.submit(item.locator("form[action$='/approve'] button"))
    member.visit(f"/posts/{post_id}")
    expect(page.locator("[data-comments] > li").last.locator(".tag-pending")).to_have_count(0)
    expect(page.locator("[data-comment-count]")).to_have_text("1")
