"""Units: safe redirects, text validation and the Markdown sanitizer."""
from __future__ import annotations

import pytest

from community.core.errors import ValidationFailed
from community.core.text import clean_text, render_markdown
from community.core.urls import safe_next
from tests.html_checks import assert_inert


@pytest.mark.parametrize("target", ["//evil", "/\\evil", "https:evil", "javascript:alert(1)", "http://evil/",
                                    "", None, "relative/path", "/ok\r\nSet-Cookie: x"])
def test_safe_next_rejects_foreign_targets(target):
    assert safe_next(target, "/home") == "/home"


def test_safe_next_keeps_local_paths():
    assert safe_next("/posts/3?tab=votes#c-1") == "/posts/3?tab=votes#c-1"


@pytest.mark.parametrize("value,expected_error", [("", "empty"), ("   ", "empty"), ("a\x00b", "control"),
                                                  ("ab", "at least"), ("x" * 200, "at most"), ("abc\u202edef", "control")])
def test_clean_text_errors(app, value, expected_error):
    from flask_babel import force_locale

    with pytest.raises(ValidationFailed) as exc:
        clean_text(value, field="title", label="Title", min_len=3, max_len=120, multiline=False)
    with force_locale("en"):
        assert expected_error in str(exc.value.fields["title"])


def test_clean_text_normalizes_whitespace_and_newlines(app):
    assert clean_text("  标题\t 内容 ", field="t", label="T", min_len=1, max_len=50, multiline=False) == "标题 内容"
    assert clean_text("a\r\nb", field="b", label="B", min_len=1, max_len=50, multiline=True) == "a\nb"


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](data:text/html;base64,xx)",
    "<javascript:alert(1)>",
    '<a href="https://x.cn" onclick="alert(1)">x</a>',
    "<iframe src=//evil></iframe>",
    "[x](https://ok.cn \"title\" onmouseover=alert(1))",
])
def test_markdown_is_sanitized(source):
    html = str(render_markdown(source))
    assert_inert(html)
    assert 'href="javascript:' not in html and 'href="data:' not in html


def test_markdown_keeps_formatting_and_marks_links():
    html = str(render_markdown("**加粗** 和 [链接](https://example.com)\n\n- 第一步\n- 第二步"))
    assert "<strong>加粗</strong>" in html and "<li>第一步</li>" in html
    assert 'rel="nofollow noopener ugc"' in html
