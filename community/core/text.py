"""User text: validation and safe Markdown rendering."""
from __future__ import annotations

import re
import unicodedata

import nh3
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from markdown_it import MarkdownIt
from markupsafe import Markup

from community.core.errors import ValidationFailed

# js-default: raw HTML off, no unsafe link schemes; nh3 then sanitizes whatever is left.
_md = MarkdownIt("js-default", {"breaks": True, "linkify": False}).enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"style"}, "td": {"style"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

# C0/C1 controls except tab and newlines; also bidi overrides used for spoofing.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def sanitize_html(html: str) -> Markup:
    """Whitelist-clean HTML; used when rendering Markdown and again on display."""
    clean = nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener ugc",
        filter_style_properties={"text-align"},
    )
    return Markup(clean)  # sanitized just above


def render_markdown(source: str) -> Markup:
    return sanitize_html(_md.render(source or ""))


def normalize(value: str | None) -> str:
    value = unicodedata.normalize("NFC", value or "")
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def clean_text(value, *, field: str, label, min_len: int, max_len: int, multiline: bool) -> str:
    """Normalize and validate one text field; raise ValidationFailed naming the field."""
    text = normalize(value)
    if not multiline:
        text = re.sub(r"\s+", " ", text)
    if _CONTROL.search(text) or (not multiline and "\n" in text):
        raise ValidationFailed(fields={field: _l("%(label)s contains control characters.", label=label)})
    if not text:
        raise ValidationFailed(fields={field: _l("%(label)s cannot be empty.", label=label)})
    if len(text) < min_len:
        message = _ln("%(label)s needs at least %(num)d character.", "%(label)s needs at least %(num)d characters.",
                      min_len, label=label)
        raise ValidationFailed(fields={field: message})
    if len(text) > max_len:
        message = _ln("%(label)s can have at most %(num)d character.",
                      "%(label)s can have at most %(num)d characters.", max_len, label=label)
        raise ValidationFailed(fields={field: message})
    return text


def excerpt(source: str, length: int = 120) -> str:
    """The text a reader sees, without Markdown syntax: parsed, so "1-2 秒" and "(v2.3)" keep their
    punctuation while "**bold**" and "# heading" lose theirs."""
    parts = []
    for token in _md.parse(source or ""):
        if token.type == "inline":
            parts.extend(" " if child.type in ("softbreak", "hardbreak") else child.content
                         for child in token.children or () if child.type in _TEXT_TOKENS)
            parts.append(" ")
        elif token.type in ("code_block", "fence"):
            parts.append(token.content + " ")
    plain = re.sub(r"\s+", " ", "".join(parts)).strip()
    return plain if len(plain) <= length else plain[: length - 1] + "…"


_TEXT_TOKENS = frozenset({"text", "code_inline", "softbreak", "hardbreak", "image"})
