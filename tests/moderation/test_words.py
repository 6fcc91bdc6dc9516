"""The sensitive-word filter: normalization variants, offsets, the 10k list, cache rebuilds, CLI and admin page."""
from __future__ import annotations

import random

import pytest

from community.audit.models import AuditEntry
from community.core.permissions import SYSTEM
from community.extensions import db
from community.feedback.models import Post
from community.moderation import services, words
from community.moderation.models import Hold, SensitiveWord
from community.moderation.words import WordMatcher, normalize_word


@pytest.fixture
def matcher():
    return WordMatcher([(normalize_word("敏感词"), "replace"), (normalize_word("fuck"), "replace"),
                        (normalize_word("办证"), "hold"), (normalize_word("ass"), "replace")])


@pytest.mark.parametrize("text, expected", [
    ("这是敏感词啊", "这是***啊"),
    ("这是敏 感 词啊", "这是*****啊".replace("*****", "* * *")),   # inserted spaces: masked, spaces kept
    ("这是敏-感-词啊", "这是*****啊"),                             # inserted punctuation
    ("这是敏，感。词啊", "这是*****啊"),                            # full-width punctuation
    ("这是敏\u200b感\u200b词啊", "这是*****啊"),                    # zero-width spaces
    ("what the ｆｕｃｋ", "what the ****"),                         # full-width Latin
    ("what the FuCk!", "what the ****!"),                           # case
    ("what the f.u.c.k now", "what the ******* now"),
    ("what the Ｆ Ｕ Ｃ Ｋ", "what the * * * *"),
])
def test_variants_are_found_and_masked_at_their_original_offsets(matcher, text, expected):
    matches = matcher.find(text)
    assert matches, text
    assert matcher.replace(text, matches) == expected


def test_latin_words_match_whole_words_only_but_cjk_matches_inside_text(matcher):
    assert matcher.find("a classic class assignment") == []
    assert [m.key for m in matcher.find("you ass.")] == ["ass"]
    assert matcher.replace("我的敏感词们", None) == "我的***们"


def test_offsets_point_at_the_original_span(matcher):
    text = "前缀 敏 · 感 · 词 后缀"
    (match,) = matcher.find(text)
    assert text[match.start:match.end] == "敏 · 感 · 词"
    assert match.action == "replace"


def test_hold_words_are_reported_and_not_masked(matcher):
    text = "专业办 证，电话联系"
    matches = matcher.find(text)
    assert [m.action for m in matches] == ["hold"]
    assert matcher.replace(text, matches) == text


def test_offsets_survive_characters_of_every_utf8_length():
    m = WordMatcher([(normalize_word("𠀀词"), "replace"), (normalize_word("café"), "replace")])
    text = "1 é ☃ 𠀀 词 and Café! 𠀀词"
    assert m.replace(text) == "1 é ☃ * * and ****! **"


def test_overlapping_matches_are_merged():
    m = WordMatcher([("敏感", "replace"), ("感词", "replace")])
    assert m.replace("这个敏感词啊") == "这个***啊"


def test_empty_list_and_empty_text():
    assert WordMatcher([]).find("anything") == []
    assert WordMatcher([("a", "replace")]).find("") == []


def _ten_thousand_words(seed=7):
    rng = random.Random(seed)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    seen, result = set(), []
    while len(result) < 10_000:
        word = "".join(rng.choice(alphabet) for _ in range(rng.randint(2, 5)))
        if word not in seen:
            seen.add(word)
            result.append(word)
    return result


def test_a_ten_thousand_word_list_finds_every_planted_word_and_nothing_else():
    word_list = _ten_thousand_words()
    matcher = WordMatcher([(normalize_word(w), "replace") for w in word_list])
    assert matcher.size == 10_000
    planted = word_list[::997]  # 11 words spread over the list
    filler = "今天天气很好我们去兜风吧。" * 20
    text = filler + "".join(f"{' '.join(w)}，{filler}" for w in planted)  # spaced out, as evaders do
    found = {m.key for m in matcher.find(text)}
    assert set(planted) <= found
    masked = matcher.replace(text)
    assert all(" ".join(w) not in masked for w in planted)
    assert matcher.find(filler) == [] or all(m.key in filler for m in matcher.find(filler))


# Through the app: cache, screeners, CLI, admin page ---------------------------------------

def test_posts_are_masked_and_the_automaton_rebuilds_when_the_list_changes(app, make):
    w = make.world()
    services.add_word(SYSTEM, "敏感词")
    db.session.commit()
    post = make.post(w["member"], w["category"], title="标题里有敏 感 词吗", body="正文：ＦＵＣＫ 不在列表里，敏-感-词在。")
    assert post.title == "标题里有* * *吗"  # whitespace kept so the layout survives
    assert "*****在" in post.body and "ＦＵＣＫ" in post.body
    version_before = words._cached["version"]
    services.add_word(SYSTEM, "fuck")
    db.session.commit()
    post2 = make.post(w["member"], w["category"], title="第二个帖子标题", body="what the ｆｕｃｋ is this")
    assert post2.body == "what the **** is this"
    assert words._cached["version"] != version_before


def test_hold_words_hold_the_post_instead_of_losing_it(app, make):
    w = make.world()
    services.add_word(SYSTEM, "代开发票", action="hold")
    db.session.commit()
    post = make.post(w["member"], w["category"], title="正常标题内容", body="需要代 开 发 票的联系我，谢谢大家")
    db.session.commit()
    assert post.is_hidden and post.body.startswith("需要代 开 发 票")
    hold = db.session.query(Hold).filter_by(target_type="post", target_id=post.id).one()
    assert hold.reasons == ["sensitive_word"] and hold.status == "pending"


def test_cli_imports_and_adds_words(app, tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("# comment\n敏感词\n办证,hold\n\n敏 感 词\nbad\tword\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["words", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Added 3 words, skipped 1" in result.output
    rows = {w.key: w.action for w in db.session.query(SensitiveWord)}
    assert rows == {"敏感词": "replace", "办证": "hold", "badword": "replace"}
    result = runner.invoke(args=["words", "add", "Ｆｕｃｋ", "--action", "hold"])
    assert result.exit_code == 0, result.output
    assert db.session.query(SensitiveWord).filter_by(key="fuck").one().action == "hold"
    result = runner.invoke(args=["words", "test", "what the f u c k"])
    assert "fuck (hold)" in result.output
    assert db.session.query(AuditEntry).filter_by(action="word.import", actor_id=None).count() == 1


def test_cli_import_of_ten_thousand_words(app, tmp_path):
    path = tmp_path / "10k.txt"
    word_list = _ten_thousand_words(seed=11)
    path.write_text("\n".join(word_list), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["words", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert db.session.query(SensitiveWord).count() == 10_000
    matcher = words.current_matcher()
    assert matcher.size == 10_000
    assert matcher.replace(f"前面{word_list[5000]}后面") == f"前面{'*' * len(word_list[5000])}后面"


def test_admin_words_page_adds_lists_and_removes(client, make):
    admin = make.user("admin")
    db.session.commit()
    client.login_as(admin)
    assert client.post_form("/staff/words", {"word": "敏感词", "action": "hold"}).status_code == 302
    page = client.get("/staff/words").get_data(as_text=True)
    assert "敏感词" in page
    bad = client.post_form("/staff/words", {"word": " -- ", "action": "replace"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    dup = client.post_form("/staff/words", {"word": "敏 感 词", "action": "hold"})
    assert dup.status_code == 422
    word = db.session.query(SensitiveWord).one()
    r = client.post_form("/staff/words/import", {"words": "甲乙\n丙丁,hold", "action": "replace"})
    assert r.status_code == 302 and db.session.query(SensitiveWord).count() == 3
    assert client.post_form(f"/staff/words/{word.id}/delete").status_code == 302
    assert db.session.query(SensitiveWord).filter_by(key="敏感词").count() == 0
    actions = [a for (a,) in db.session.query(AuditEntry.action).order_by(AuditEntry.id)]
    assert actions == ["word.add", "word.import", "word.remove"]


@pytest.mark.parametrize("role", ["member", "staff", "moderator"])
def test_only_admins_reach_the_word_list(client, make, role):
    user = make.user(role)
    db.session.commit()
    client.login_as(user)
    assert client.get("/staff/words").status_code == 404
    assert client.post_form("/staff/words", {"word": "x词", "action": "replace"}).status_code == 404
    assert db.session.query(SensitiveWord).count() == 0


def test_staff_posts_are_not_held_by_new_user_limits_but_words_still_apply(app, make):
    w = make.world()
    services.add_word(SYSTEM, "敏感词")
    db.session.commit()
    post = make.post(w["contact"], w["category"], title="官方公告标题", body="链接 https://a.example https://b.example 敏感词")
    assert not post.is_hidden and post.body.endswith("***")
    assert db.session.query(Post).filter_by(is_hidden=True).count() == 0
