"""Every text a member writes is screened through one path, on create and on edit."""
from __future__ import annotations

from datetime import datetime

import pytest

from community.accounts import services as accounts
from community.core import clock
from community.core.errors import ValidationFailed
from community.core.permissions import SYSTEM
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.workflow import RATING_DIMENSIONS
from community.moderation import NEW_USER_DEFAULTS, services
from community.moderation.models import Hold

LINKS = " ".join(f"https://spam{i}.example" for i in range(6))
T0 = datetime(2026, 11, 23, 10, 0)


@pytest.fixture(autouse=True)
def shipped_limits(app):
    app.config.update(NEW_USER_DEFAULTS)  # the values production runs with, not the test suite's


@pytest.fixture
def w(make):
    world = make.world()
    world["moderator"] = make.user("moderator")
    world["veteran"] = make.user()
    world["product"] = make.product()
    services.add_word(SYSTEM, "代刷好评", action="hold")
    services.add_word(SYSTEM, "傻瓜", action="replace")
    db.session.commit()
    return world


def _established(make, w, user, n=5):
    """Five approved comments with substance, written slowly (a week ago): no longer a new account."""
    with clock.frozen(T0) as advance:
        for i in range(n):
            assert not feedback.add_comment(user, w["post"], f"这是一条有内容的老用户评论 {i}").is_hidden
            advance(minutes=5)


def _hold_of(obj, kind):
    return db.session.query(Hold).filter_by(target_type=kind, target_id=obj.id).one_or_none()


def test_editing_a_post_is_screened_like_writing_it(w, make):
    author = w["veteran"]
    _established(make, w, author)
    post = make.post(author, w["category"], title="正常的标题内容", body="正常的正文内容，没有问题。")
    assert not post.is_hidden
    feedback.edit_post(author, post, title="正常的标题内容", body="你这个傻瓜，快来代刷好评")
    assert "傻瓜" not in post.body and "**" in post.body  # replace-listed word masked on edit too
    assert post.is_hidden and _hold_of(post, "post").status == "pending"
    assert post not in feedback.list_posts(w["member"]).items


def test_an_approved_item_held_again_by_an_edit_waits_for_a_moderator(w, make):
    author = w["veteran"]
    _established(make, w, author)
    post = make.post(author, w["category"], title="需要审核的帖子", body="联系我代刷好评，价格优惠。")
    hold = _hold_of(post, "post")
    services.decide_hold(w["moderator"], hold, approve=True)
    assert not post.is_hidden and hold.status == "approved"
    feedback.edit_post(author, post, title="需要审核的帖子", body="改过了，还是代刷好评。")
    assert post.is_hidden and hold.status == "pending"


def test_editing_a_comment_is_screened_and_leaves_the_count(w, make):
    author = w["veteran"]
    _established(make, w, author)
    comment = feedback.add_comment(author, w["post"], "一条正常的评论内容")
    count = w["post"].comment_count
    feedback.edit_comment(author, comment, "傻瓜才不买，代刷好评找我")
    assert "傻瓜" not in comment.body
    assert comment.is_hidden and _hold_of(comment, "comment").status == "pending"
    db.session.refresh(w["post"])
    assert w["post"].comment_count == count - 1


def test_a_new_account_adding_links_by_editing_is_held(w, make):
    newbie = make.user()
    comment = feedback.add_comment(newbie, w["post"], "第一次评论，没有链接")
    assert not comment.is_hidden
    feedback.edit_comment(newbie, comment, "看这里 " + LINKS)
    assert comment.is_hidden and _hold_of(comment, "comment").reasons == ["new_user_links"]


def test_trial_report_fields_are_screened(w, make):
    author = w["veteran"]
    _established(make, w, author)
    ratings = {key: 4 for key in RATING_DIMENSIONS}
    post = make.post(author, w["category"], kind="trial_report", title="试驾体验报告", body="整体体验不错，细节见下。",
                     product=w["product"], trial={"ratings": ratings, "version": "傻瓜版 v2", "pros": "空间大",
                                                  "cons": "销售说可以代刷好评"})
    report = post.trial_report
    assert "傻瓜" not in report.version and post.is_hidden


def test_moderator_edits_apply_replacements_but_do_not_hold(w, make):
    post = w["post"]
    feedback.edit_post(w["moderator"], post, title=post.title, body="整理：代刷好评的傻瓜广告已删除", reason="整理")
    assert "傻瓜" not in post.body and not post.is_hidden


def test_new_account_limits_trip_with_the_defaults(w, make):
    newbie = make.user()
    with clock.frozen(T0) as advance:
        posts = []
        for i in range(30):
            posts.append(make.post(newbie, w["category"], title=f"新用户的第{i}个帖子", body="内容足够长的一条新帖子。"))
            advance(seconds=1)
        held = [p for p in posts if p.is_hidden]
        assert len(held) == 27  # 3 per 10 minutes, and held ones do not make the account established
        assert {tuple(_hold_of(p, "post").reasons) for p in held} == {("new_user_rate",)}
        advance(minutes=11)
        assert not make.post(newbie, w["category"], title="过一会儿再发的帖子", body="内容足够长的一条新帖子。").is_hidden


def test_one_word_contributions_do_not_establish_an_account(w, make):
    newbie = make.user()
    with clock.frozen(T0) as advance:
        for _ in range(6):
            feedback.add_comment(newbie, w["post"], "顶")
            advance(minutes=5)  # slow enough for the rate
        spam = feedback.add_comment(newbie, w["post"], "看这里 " + LINKS)
    assert spam.is_hidden and _hold_of(spam, "comment").reasons == ["new_user_links"]


# Display names ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "abc\u202edcba",      # right-to-left override
    "张\u200b三",          # zero-width space
    "李\u2066四\u2069",    # bidi isolates
    "\u3164",             # Hangul filler (renders blank)
    "a\x07b",             # control
])
def test_display_names_refuse_invisible_and_direction_characters(w, name):
    with pytest.raises(ValidationFailed) as exc:
        accounts.update_profile(w["member"], display_name=name)
    assert "display_name" in exc.value.fields


@pytest.mark.parametrize("name", ["张工", "张 工", "ＺＨＡＮＧ", "车机软件部 · 张工", "车机软件部", "官方客服小李", "Admin",
                                  "MODERAT0R"])
def test_display_names_cannot_pass_for_staff(w, name):
    w["contact"].display_name = "ZHANG"
    db.session.flush()
    with pytest.raises(ValidationFailed):
        accounts.update_profile(w["member"], display_name=name)


def test_ordinary_names_pass_and_sensitive_words_are_screened(w):
    assert accounts.update_profile(w["member"], display_name="  爱车的  小王 ").display_name == "爱车的 小王"
    assert "傻瓜" not in accounts.update_profile(w["member"], display_name="傻瓜小王").display_name
    with pytest.raises(ValidationFailed):
        accounts.update_profile(w["member"], display_name="代刷好评小王")
    with pytest.raises(ValidationFailed):
        accounts.register_user("newname", "new@example.test", "long-enough-pw", display_name="官方客服")
    staff_name = accounts.update_profile(w["contact"], display_name="官方客服 张工")  # staff may say they are staff
    assert staff_name.display_name == "官方客服 张工"
