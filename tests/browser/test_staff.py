"""Staff journeys: the console queues and keyboard shortcuts, then on one item an internal note,
a status change, an official reply and an assignment with a reason; a moderator resolving a
member's flag; the audit log of it all."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_member import compose_feedback, register

pytestmark = pytest.mark.slow


def has_class(name: str):
    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")


def focused(page, selector: str) -> bool:
    return page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector)


def test_staff_triage_an_item_from_the_console(journey):
    member = journey.actor("member")
    register(member)
    post_id = compose_feedback(member, "仪表盘偶尔黑屏三秒", "高速上**每次**过隧道后都会黑屏。")

    staff = journey.actor("staff")
    staff.login("zhanggong")
    page = staff.visit("/staff/queues/mine?sort=newest", "queue-mine")
    expect(page.locator("[data-queue-row]").first).to_contain_text(f"#{post_id}")
    for queue in ("department", "unassigned", "overdue", "all"):
        staff.visit(f"/staff/queues/{queue}")
    staff.visit("/staff/queues/mine?sort=newest")

    # Keyboard: j/k move between rows, x selects, o opens.
    first = page.locator("[data-queue-row]").first
    page.keyboard.press("j")
    assert focused(page, "[data-queue-row] [data-row-link]")
    expect(first).to_have_class(has_class("row-focused"))
    page.keyboard.press("x")
    expect(first.locator("input[name=ids]")).to_be_checked()
    page.keyboard.press("x")
    expect(first.locator("input[name=ids]")).not_to_be_checked()
    if page.locator("[data-queue-row]").count() > 1:
        page.keyboard.press("j")
        expect(page.locator("[data-queue-row]").nth(1)).to_have_class(has_class("row-focused"))
        page.keyboard.press("k")
        expect(first).to_have_class(has_class("row-focused"))
    with page.expect_navigation():
        page.keyboard.press("o")
    staff.check("item")
    assert page.url.endswith(f"/staff/items/{post_id}")

    # r focuses the reply box, a the assignee field.
    page.keyboard.press("r")
    assert focused(page, "#reply-body")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("a")
    assert focused(page, "#assign-user")

    page.fill("#note-body", "内部备注：疑似仪表供应商固件问题。")
    staff.submit(page.locator("form[action$='/note'] button"), "internal-note")
    expect(page.locator(".comment.internal")).to_contain_text("疑似仪表供应商固件问题")

    page.select_option("#status-select", "acknowledged")
    staff.submit(page.locator("form[action$='/status'] button"), "status")
    expect(page.locator(".console-main .meta .status")).to_have_text("已受理")

    page.fill("#reply-body", "您好，问题已记录，正在联系仪表供应商。")
    staff.submit(page.locator("form[action$='/reply'] button"), "official-reply")
    expect(page.locator(".comment.official")).to_contain_text("正在联系仪表供应商")

    colleague = page.locator("#staff-usernames option").evaluate_all(
        "(options) => options.map((o) => o.value).filter((v) => v !== 'zhanggong')")[0]
    page.fill("#assign-user", colleague)
    page.fill("#assign-reason", "仪表问题由该同事跟进")
    staff.submit(page.locator("#assign-form button"), "assigned")
    expect(page.locator(".flashes")).to_contain_text("已转交。")
    expect(page.locator(".console-main .timeline-list")).to_contain_text("仪表问题由该同事跟进")

    # The member sees the public part only: reply, status, reason; never the internal note.
    public = member.visit(f"/posts/{post_id}", "member-view")
    expect(public.locator("[data-post-status]")).to_have_text("已受理")
    expect(public.locator(".comment.official")).to_contain_text("正在联系仪表供应商")
    expect(public.locator("[data-timeline]")).to_contain_text("仪表问题由该同事跟进")
    expect(public.locator("main")).not_to_contain_text("疑似仪表供应商固件问题")


def test_moderator_resolves_a_flag_and_the_audit_log_shows_it(journey):
    author = journey.actor("author")
    register(author)
    post_id = compose_feedback(author, "车机广告：低价配件加我微信", "**每次**都便宜，加微信 abc123 详聊。")

    flagger = journey.actor("flagger")
    register(flagger)
    page = flagger.visit(f"/posts/{post_id}")
    flagger.press(page.locator(".item-actions .flag-details summary"))
    page.check(".item-actions .flag-form input[name=reason][value=spam]")
    page.fill(f"#flag-post-{post_id}-note", "广告引流")
    flagger.submit(page.locator(".item-actions .flag-form button[type=submit]"), "flagged")

    admin = journey.actor("admin")
    admin.login("admin")
    flags = admin.visit("/staff/flags", "flags")
    group = flags.locator(f"#flag-post-{post_id}")
    expect(group).to_contain_text("车机广告：低价配件加我微信")
    group.locator("select[name=outcome]").select_option("hide")
    group.locator("input[name=note]").fill("违反社区规则：广告")
    admin.submit(group.locator("button[type=submit]"), "flag-resolved")
    expect(flags.locator(f"#flag-post-{post_id}")).to_have_count(0)

    audit = admin.visit(f"/staff/audit?target_type=post&target_id={post_id}", "audit")
    entries = audit.locator("main :is(li, tr)[id^='audit-']")
    expect(entries.first).to_be_visible()
    expect(entries.filter(has_text="违反社区规则：广告").first).to_be_visible()

    mine = flagger.visit("/flags/mine", "my-flags")
    expect(mine.locator("main")).to_contain_text(f"#{post_id}")
    expect(mine.locator("main")).to_contain_text("已隐藏")  # the outcome, with the moderator's note
    expect(mine.locator("main")).to_contain_text("违反社区规则：广告")
    visitor = journey.actor("visitor")
    visitor.visit(f"/posts/{post_id}", "hidden-to-public", status=404)
