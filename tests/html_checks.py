"""Checks on rendered HTML, parsed as a browser would rather than by substring."""
from __future__ import annotations

from html.parser import HTMLParser


class _Scan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not (attrs.get("src") or "").startswith("/static/"):
            self.problems.append(f"inline or foreign script: {attrs}")
        # The page's own icons (templates/_macros/icons.html) and the brand logo are not user content.
        own = {"icon", "icon-sprite", "brand-logo"} & set((attrs.get("class") or "").split())
        if tag in ("img", "svg", "iframe", "object", "embed") and not own:
            self.problems.append(f"<{tag}> from user content")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name in ("href", "src", "action") and value and value.strip().lower().startswith(("javascript:", "data:text")):
                self.problems.append(f"{name}={value!r} on <{tag}>")


def assert_inert(html: str) -> None:
    scan = _Scan()
    scan.feed(html)
    assert not scan.problems, scan.problems
