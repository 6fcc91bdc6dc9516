"""Moderation through the pages: buttons with CSRF, queues, held content, suspensions cutting sessions."""
from __future__ import annotations

import re

from community.audit.models import AuditEntry
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.models import Post
from community.moderation import services
from community.moderation.models import Flag, Hold
from tests.html_checks import assert_inert


def forms_posting_to(html: str, action: str) -> list[str]:
    return [m.group(0) for m in re.finditer(r"<form[^>]*action=\"" + re.escape(action) + r"\"[^>]*>.*?</form>", html, re.S)]


def test_members_see_a_flag_form_with_csrf_and_no_moderation_buttons(client, w):
    comment = feedback.add_comment(w["member"], w["post"], "作者的评论")
    db.session.commit()
    client.login_as(w["other"])
    html = client.get(f"/posts/{w['post'].id}").get_data(as_text=True)
    (post_form,) = forms_posting_to(html, f"/posts/{w['post'].id}/flag")
    (comment_form,) = forms_posting_to(html, f"/comments/{comment.id}/flag")
    for form in (post_form, comment_form):
        assert 'name="csrf_token"' in form and 'name="reason"' in form and 'method="post"' in form
    assert f"/posts/{w['post'].id}/moderate" not in html
    client.login_as(w["member"])  # the author cannot flag their own post
    assert not forms_posting_to(client.get(f"/posts/{w['post'].id}").get_data(as_text=True), f"/posts/{w['post'].id}/flag")


def test_moderators_see_action_buttons_and_they_work(client, w):
    comment = feedback.add_comment(w["other"], w["post"], "要隐藏的评论")
    db.session.commit()
    client.login_as(w["moderator"])
    html = client.get(f"/posts/{w['post'].id}").get_data(as_text=True)
    (form,) = forms_posting_to(html, f"/posts/{w['post'].id}/moderate")
    assert 'name="csrf_token"' in form
    assert {"hide", "lock", "pin", "delete"} <= set(re.findall(r'name="action" value="(\w+)"', form))
    assert forms_posting_to(html, f"/comments/{comment.id}/moderate")
    for action in ("lock", "pin", "hide", "unhide", "delete", "restore"):
        r = client.post_form(f"/posts/{w['post'].id}/moderate", {"action": action, "reason": "测试"})
        assert r.status_code == 302, action
    r = client.post_form(f"/comments/{comment.id}/moderate", {"action": "hide"})
    assert r.status_code == 302
    post = db.session.get(Post, w["post"].id)
    assert post.is_locked and post.is_pinned and not post.is_hidden and not post.is_deleted
    assert db.session.query(AuditEntry).count() == 7
    page = client.get(f"/posts/{w['post'].id}").get_data(as_text=True)
    assert "测试" in page  # the lock reason shows on the public timeline
    # Members cannot comment on the locked item and do not see the hidden comment; its author still does.
    client.login_as(w["member"])
    page = client.get(f"/posts/{w['post'].id}").get_data(as_text=True)
    assert 'id="comment-form"' not in page and "要隐藏的评论" not in page
    client.login_as(w["other"])
    assert "要隐藏的评论" in client.get(f"/posts/{w['post'].id}").get_data(as_text=True)


def test_moderation_without_csrf_is_refused(client, w):
    client.login_as(w["moderator"])
    r = client.post(f"/posts/{w['post'].id}/moderate", data={"action": "hide"})
    assert r.status_code == 400
    assert not db.session.get(Post, w["post"].id).is_hidden


def test_flagging_then_resolving_through_the_pages(client, w):
    client.login_as(w["other"])
    r = client.post_form(f"/posts/{w['post'].id}/flag", {"reason": "privacy", "note": "里面有车牌号"})
    assert r.status_code == 302
    again = client.post_form(f"/posts/{w['post'].id}/flag", {"reason": "spam"})
    assert again.status_code == 302 and db.session.query(Flag).count() == 1
    mine = client.get("/flags/mine").get_data(as_text=True)
    assert "车机蓝牙经常断连" in mine
    client.login_as(w["moderator"])
    queue = client.get("/staff/flags").get_data(as_text=True)
    assert "里面有车牌号" in queue and "车机蓝牙经常断连" in queue
    assert forms_posting_to(queue, "/staff/flags/resolve")
    r = client.post_form("/staff/flags/resolve", {"target_type": "post", "target_id": w["post"].id,
                                                  "outcome": "hide", "note": "已隐藏隐私信息"})
    assert r.status_code == 302
    assert db.session.get(Post, w["post"].id).is_hidden
    assert "No open flags" in client.get("/staff/flags").get_data(as_text=True) or \
        'id="flag-post-' not in client.get("/staff/flags").get_data(as_text=True)
    client.login_as(w["other"])
    mine = client.get("/flags/mine").get_data(as_text=True)
    assert 'data-outcome="hide"' in mine and "已隐藏隐私信息" in mine
    assert "车机蓝牙经常断连" not in mine  # the item is hidden now; the flagger no longer sees its title


def test_held_posts_are_hidden_from_others_visible_to_author_and_decided_on_the_page(client, w, make):
    newbie = make.user()
    db.session.commit()
    client.login_as(newbie)
    r = client.post_form("/posts/new", {"kind": "discussion", "category": w["category"].slug,
                                        "title": "新人分享链接合集", "body": "https://a.example https://b.example https://c.example"})
    assert r.status_code == 302
    post = db.session.query(Post).order_by(Post.id.desc()).first()
    assert post.is_hidden
    own = client.get(f"/posts/{post.id}")
    assert own.status_code == 200 and "https://a.example" in own.get_data(as_text=True)
    client.login_as(w["other"])
    assert client.get(f"/posts/{post.id}").status_code == 404
    assert "新人分享链接合集" not in client.get("/").get_data(as_text=True)
    client.login_as(w["moderator"])
    held = client.get("/staff/held").get_data(as_text=True)
    assert "新人分享链接合集" in held
    hold = db.session.query(Hold).one()
    assert client.post_form(f"/staff/held/{hold.id}/approve").status_code == 302
    client.login_as(w["other"])
    assert client.get(f"/posts/{post.id}").status_code == 200


def test_rejecting_held_content_on_the_page(client, w, make):
    newbie = make.user()
    post = make.post(newbie, w["category"], title="可疑的帖子标题", body="https://a.example https://b.example")
    db.session.commit()
    hold = db.session.query(Hold).one()
    client.login_as(w["moderator"])
    assert client.post_form(f"/staff/held/{hold.id}/reject", {"reason": "广告"}).status_code == 302
    assert db.session.get(Post, post.id).is_deleted
    assert "可疑的帖子标题" in client.get("/staff/held?status=rejected").get_data(as_text=True)
    client.login_as(newbie)
    assert client.get(f"/posts/{post.id}").status_code == 404  # deleted: only moderators see it


def test_suspending_logs_the_user_out_and_blocks_writing(app, w):
    victim_client = app.test_client()
    victim_client.login_as(w["other"])
    assert victim_client.get("/settings").status_code == 200
    mod_client = app.test_client()
    mod_client.login_as(w["moderator"])
    page = mod_client.get(f"/staff/users/{w['other'].username}").get_data(as_text=True)
    assert forms_posting_to(page, f"/staff/users/{w['other'].username}/suspend")
    r = mod_client.post_form(f"/staff/users/{w['other'].username}/suspend", {"days": "3", "reason": "恶意刷屏"})
    assert r.status_code == 302
    # The open session is dead: the next request is anonymous.
    settings = victim_client.get("/settings")
    assert settings.status_code == 302 and "/login" in settings.headers["Location"]
    # Logging in again works (suspended users can read) but writing is refused.
    victim_client.login_as(db.session.merge(w["other"]))
    r = victim_client.post_form(f"/posts/{w['post'].id}/comments", {"body": "我被禁言了吗"})
    assert r.status_code == 403
    assert "我被禁言了吗" not in victim_client.get(f"/posts/{w['post'].id}").get_data(as_text=True)


def test_suspend_form_errors_keep_input(client, w):
    client.login_as(w["moderator"])
    r = client.post_form(f"/staff/users/{w['other'].username}/suspend", {"days": "0", "reason": "保留的理由"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "保留的理由" in html and "field-error" in html
    r = client.post_form(f"/staff/users/{w['other'].username}/ban", {"reason": "广告机器人"})
    assert r.status_code == 302
    html = client.get(f"/staff/users/{w['other'].username}").get_data(as_text=True)
    assert 'data-user-state="banned"' in html and "封禁了" in html


def test_audit_page_filters_and_paginates(client, w):
    for _ in range(3):
        services.moderate_post(w["moderator"], w["post"], "pin")
        services.moderate_post(w["moderator"], w["post"], "unpin")
    db.session.commit()
    client.login_as(w["admin"])
    html = client.get("/staff/audit").get_data(as_text=True)
    assert html.count("置顶了") == 3
    html = client.get(f"/staff/audit?action=post.unpin&actor={w['moderator'].username}").get_data(as_text=True)
    assert html.count("取消置顶") == 3 and "置顶了" not in html
    bad = client.get("/staff/audit?date_from=notadate")
    assert bad.status_code == 422
    assert client.get("/staff/audit?page=2").status_code == 200


def test_user_text_on_moderation_pages_is_inert(client, w, make):
    xss = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    spammer = make.user()
    post = make.post(spammer, w["category"], title="标题" + xss[:60], body="正文 " + xss)
    services.flag_content(w["other"], "post", post.id, reason="spam", note=xss)
    db.session.commit()
    client.login_as(w["admin"])
    for url in ("/staff/flags", f"/staff/users/{spammer.username}", "/staff/audit", "/staff/held"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.get_data(as_text=True))


def test_audit_entries_read_as_sentences_with_names_and_local_times(client, w, make):
    from community.audit.services import record_audit

    contact = w["contact"]
    record_audit(contact, "triage.status", "post", w["post"].id, before={"status": "acknowledged"},
                 after={"status": "in_progress"})
    record_audit(contact, "triage.assign", "post", w["post"].id, before={"assignee_id": None},
                 after={"assignee_id": contact.id, "department_id": w["dept"].id})
    record_audit(w["admin"], "word.add", "sensitive_word", 1, after={"word": "傻X", "action": "replace"})
    db.session.commit()
    client.login_as(w["admin"])
    html = client.get("/staff/audit").get_data(as_text=True)
    main = html[html.index("<main"):]
    assert f"{contact.public_badge or contact.name} 把 " in main and "的状态从 已受理 改为 处理中" in main
    assert f"分配给 {contact.name}" in main
    assert "“傻X”" in main and "逐字替换为 *" in main
    entries = main[main.index('<ol class="audit-list">'):]
    assert "triage.status" not in entries.split("原始记录")[0]  # codes only in the raw record
    assert "\\u" not in main  # no escaped Chinese anywhere
    assert re.search(r"<time[^>]*>\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}</time>", main)  # local, no seconds
    assert "原始记录" in main and "&#34;action&#34;: &#34;triage.status&#34;" in main


def test_staff_user_page_shows_role_words_and_dates_without_seconds(client, w):
    client.login_as(w["moderator"])
    response = client.get(f"/staff/users/{w['other'].username}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    meta = re.search(r'<p class="meta">(.*?)</p>', html, re.S).group(1)
    assert "用户" in meta and "member" not in meta
    assert not re.search(r"\d{1,2}:\d{2}:\d{2}", meta)


def test_the_word_list_page_promises_what_the_filter_does(client, w):
    client.login_as(w["admin"])  # the behaviour itself: tests/moderation/test_words.py (敏感词 → ***)
    html = client.get("/staff/words").get_data(as_text=True)
    assert "替换为 ***" not in html and "逐字替换为 *" in html and "显示为 **" in html
