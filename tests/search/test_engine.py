"""The Whoosh-facing engine: segmentation, positions, parsing, highlighting, warnings."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from community.search import engine

ROOT = Path(__file__).resolve().parents[2]


def tokens(text, mode="index", pinyin=False):
    """The tokens; without the pinyin spellings of Chinese words unless asked for."""
    return [(t.text, t.pos, t.startchar, t.endchar)
            for t in engine.ANALYZER(text, positions=True, chars=True, mode=mode)
            if pinyin or not (t.text.isascii() and engine._HAN.search(text[t.startchar:t.endchar]))]


def test_chinese_positions_count_words_and_offsets_point_into_the_text():
    text = "悬挂系统太硬，OTA升级后NFC钥匙失灵"
    toks = tokens(text)
    assert [t[0] for t in toks] == ["悬挂", "系统", "太硬", "ota", "升级", "后", "nfc", "钥匙", "失灵"]
    assert [t[1] for t in toks] == list(range(9))  # punctuation takes no position
    for word, _pos, start, end in toks:
        assert text[start:end].lower() == word


def test_parts_of_a_long_word_share_its_position_and_keep_the_next_position_intact():
    toks = tokens("中华人民共和国的悬挂")
    by_word = {t[0]: t for t in toks}
    assert by_word["中华人民共和国"][1] == by_word["中华"][1] == by_word["人民"][1] == 0
    assert by_word["悬挂"][1] == 1  # the stop word 的 is dropped and positions renumbered
    assert by_word["人民"][2:] == (2, 4)
    # Query mode does not add the parts: a query for the long word stays one term.
    assert [t[0] for t in tokens("中华人民共和国", mode="query")] == ["中华人民共和国"]


def test_chinese_words_are_also_indexed_as_pinyin_at_their_position():
    toks = tokens("电池续航衰减", pinyin=True)
    assert [(t[0], t[1]) for t in toks] == [("电池", 0), ("dianchi", 0), ("续航", 1), ("xuhang", 1),
                                            ("衰减", 2), ("shuaijian", 2)]
    assert tokens("续航", mode="query", pinyin=True) == [("续航", 0, 0, 2)]  # queries are not expanded


def test_pinyin_finds_the_chinese_word(tmp_path):
    store = engine.IndexStore(tmp_path)
    store.apply([{"key": "post:1", "doc_type": "post", "post_id": 1, "title": "冬天续航掉得厉害", "body": "零下十度"},
                 {"key": "post:2", "doc_type": "post", "post_id": 2, "title": "座椅加热", "body": "很舒服"}], [])

    def keys(q):
        return [h.key for h in engine.search(store, engine.parse_user_query(q), engine.Filters(),
                                             engine.Visibility()).hits]

    assert keys("xuhang") == ["post:1"]
    assert keys("XuHang") == ["post:1"]
    assert keys("续航") == ["post:1"]
    assert keys("zuoyi jiare") == ["post:2"]


def test_english_is_lowercased_and_stemmed():
    assert engine.analyze("Charging CHARGE charged") == ["charg", "charg", "charg"]
    assert engine.analyze("NFC OTA 蔚来") == ["nfc", "ota", "蔚来"]


@pytest.mark.parametrize("query", [
    '"unbalanced', 'AND OR NOT', '((( ))) * ~ ^ :', 'title:悬挂', '悬挂^5 ~2', '\\', '"" ""', "a" * 2000,
    "悬挂 " * 500, "\x00\x01", "NOT 悬挂", "-悬挂 +系统", "<script>alert(1)</script>",
])
def test_parsing_never_fails_and_treats_operators_as_separators(query):
    parsed = engine.parse_user_query(query)
    assert len(parsed.words) <= 24 and len(parsed.phrases) <= 4
    for term in parsed.terms:
        assert term not in ("and", "or", "not") and not set(term) & set('"()*~^:\\')


def test_quotes_make_a_phrase_and_an_unbalanced_quote_is_ignored():
    assert engine.parse_user_query('"悬挂系统" 太硬').phrases == [["悬挂", "系统"]]
    parsed = engine.parse_user_query('"悬挂系统 太硬')
    assert parsed.phrases == [] and parsed.words == ["悬挂", "系统", "太硬"]
    assert engine.parse_user_query("悬挂" * 150).truncated


def test_phrase_query_uses_positions(tmp_path):
    store = engine.IndexStore(tmp_path)
    store.apply([
        {"key": "post:1", "doc_type": "post", "post_id": 1, "title": "悬挂系统太硬", "body": "中华人民共和国的悬挂系统"},
        {"key": "post:2", "doc_type": "post", "post_id": 2, "title": "系统悬挂", "body": "悬挂不错但系统卡顿"},
    ], [])

    def keys(q):
        page = engine.search(store, engine.parse_user_query(q), engine.Filters(), engine.Visibility())
        return sorted(h.key for h in page.hits)

    assert keys('"悬挂系统"') == ["post:1"]
    assert keys("悬挂 系统") == ["post:1", "post:2"]
    assert keys('"悬挂 中华"') == []  # order matters in a phrase
    assert keys('"中华人民共和国 悬挂"') == ["post:1"]  # across the dropped 的
    assert keys("人民") == ["post:1"]


def test_highlight_escapes_everything_including_quotes():
    html = str(engine.highlight('"><img src=x onerror=alert(1)> 悬挂 <script>', {"悬挂"}, whole=True))
    assert "<img" not in html and "<script" not in html and '"' not in html
    assert "<mark>悬挂</mark>" in html and "&lt;img" in html and "&#34;" in html
    assert str(engine.highlight("<b>x</b>", set())) == "&lt;b&gt;x&lt;/b&gt;"


def test_importing_and_using_the_engine_emits_no_warnings(tmp_path):
    """whoosh-reloaded 2.7.5 has one bad escape (whoosh.support.pyparsing); we never import it.
    A fresh interpreter with a fresh bytecode cache compiles every module we load."""
    script = textwrap.dedent(f"""
        import warnings
        warnings.simplefilter("error")
        from community.search import engine
        store = engine.IndexStore({str(tmp_path / 'ix')!r})
        store.apply([{{"key": "post:1", "doc_type": "post", "post_id": 1, "title": "悬挂", "body": "charging"}}], [])
        page = engine.search(store, engine.parse_user_query('"悬挂" charge'), engine.Filters(), engine.Visibility(),
                             match_all=False)
        assert page.total == 1, page
        engine.highlight("悬挂 charging", {{"charg"}})
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-W", "error", "-X", f"pycache_prefix={tmp_path / 'pyc'}", "-c", script],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok" and "Warning" not in result.stderr


def test_totals_are_exact_with_filters_and_visibility(tmp_path):
    """Counts drive pagination: compare with a brute-force answer over every combination."""
    store = engine.IndexStore(tmp_path)
    docs = []
    for n in range(120):
        docs.append({"key": f"post:{n}", "doc_type": "post", "post_id": n, "post_author_id": n % 3,
                     "title": "蓝牙断连" if n % 2 else "车机卡顿", "body": "蓝牙 车机" if n % 5 == 0 else "其他内容",
                     "status": ("new", "closed")[n % 4 == 0], "category_id": n % 3,
                     "hidden": n % 7 == 0, "deleted": n % 11 == 0, "merged": n % 13 == 0})
    store.apply(docs, [])

    def expected(word, status, viewer):
        return sum(1 for d in docs
                   if word in d["title"] + d["body"] and (status is None or d["status"] == status)
                   and not d["merged"] and not d["deleted"]
                   and (not d["hidden"] or d["post_author_id"] == viewer))

    for word in ("蓝牙", "车机"):
        for status in (None, "new", "closed"):
            for viewer in (None, 1):
                page = engine.search(store, engine.parse_user_query(word), engine.Filters(status=status),
                                     engine.Visibility(own_hidden_author_id=viewer), per_page=5)
                assert page.total == expected(word, status, viewer), (word, status, viewer)


def test_counting_stops_at_the_limit_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "COUNT_LIMIT", 10)
    store = engine.IndexStore(tmp_path)
    store.apply([{"key": f"post:{n}", "doc_type": "post", "post_id": n, "title": "蓝牙", "body": ""}
                 for n in range(25)], [])
    parsed = engine.parse_user_query("蓝牙")
    first = engine.search(store, parsed, engine.Filters(), engine.Visibility(), per_page=5)
    assert (first.total, first.total_exact, len(first.hits)) == (10, False, 5)
    deep = engine.search(store, parsed, engine.Filters(), engine.Visibility(), per_page=5, page=5)
    assert len(deep.hits) == 5 and deep.total == 25 and deep.total_exact  # a deep page still fills and counts
    exact = engine.search(store, engine.parse_user_query("蓝牙"), engine.Filters(), engine.Visibility(), per_page=30)
    assert (exact.total, exact.total_exact) == (25, True)  # limit grows with the page asked for


def test_snippets_of_long_texts_come_from_around_the_match():
    text = "开头的内容。" * 2000 + "这里说到了悬挂问题。" + "结尾。" * 2000
    html = str(engine.highlight(text, {"悬挂"}))
    assert "<mark>悬挂</mark>" in html and len(html) < 400
