"""What every browser journey checks, wherever it goes.

A `Journey` owns one or more `Actor`s (a browser context each: a member, a staff member, an
anonymous visitor). Every actor reports into the journey:
- uncaught JavaScript errors and console errors;
- failed requests to our own origin (network failures and 4xx/5xx answers, unless the step said
  it expects that status) and any request to another origin (every asset is served locally);
- the pages it navigated to: each must get an axe-core check (serious and critical violations
  fail), and `finish()` fails when one was visited but never checked;
- scripted forms whose `action`, `method`, `submit`, `id` or `name` property is shadowed by a
  control of that name (the bug that made every vote reload the page).
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
BLOCKING_IMPACTS = {"serious", "critical"}
PASSWORD = "demo12345"  # the demo data's password (community/demo)
MOBILE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

# Forms the scripts handle carry a data-* attribute; none may hide a form property behind a control.
SHADOWED_FORM_PROPERTIES = """() => {
  const props = ["action", "method", "submit", "id", "name"];
  const out = [];
  document.querySelectorAll("form").forEach((form) => {
    if (!Array.from(form.attributes).some((a) => a.name.startsWith("data-"))) return;
    props.forEach((p) => {
      const v = form[p];
      if (v instanceof Element || v instanceof RadioNodeList) {
        out.push(`${form.getAttribute("action") || location.pathname}: form.${p} is a control`);
      }
    });
  });
  return out;
}"""


def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


class Actor:
    """One person in one browser context."""

    def __init__(self, journey: "Journey", name: str, context):
        self.journey, self.name, self.context = journey, name, context
        self.page: Page = context.new_page()
        self.navigations: list[str] = []
        self.mobile = bool(journey.mobile)
        page = self.page
        page.on("pageerror", lambda exc: journey.problem(f"{name}: uncaught JS error on {page.url}: {exc}"))
        page.on("console", self._console)
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)
        page.on("request", self._request)
        page.on("framenavigated", lambda frame: frame == page.main_frame and self.navigations.append(frame.url))

    # Event collectors ------------------------------------------------------------------

    def _ours(self, url: str) -> bool:
        return url.startswith(self.journey.base_url)

    def _console(self, msg) -> None:
        # Resource errors are judged by _response (which knows the expected statuses).
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.journey.problem(f"{self.name}: console error on {self.page.url}: {msg.text}")

    def _request(self, request) -> None:
        url = request.url
        if not self._ours(url) and not url.startswith(("data:", "blob:", "about:")):
            self.journey.problem(f"{self.name}: request to another origin: {url}")

    def _request_failed(self, request) -> None:
        failure = request.failure or ""
        # Navigating away aborts in-flight requests (Socket.IO polling, a superseded lookup).
        if self._ours(request.url) and "ERR_ABORTED" not in failure:
            self.journey.problem(f"{self.name}: request failed: {request.method} {request.url}: {failure}")

    def _response(self, response) -> None:
        if not self._ours(response.url) or response.status < 400:
            return
        path = urlsplit(response.url).path
        if (response.status, path) in self.journey.expected_statuses:
            return
        self.journey.problem(f"{self.name}: {response.status} for {response.request.method} {response.url}")

    # Steps -----------------------------------------------------------------------------

    def visit(self, path: str, shot: str | None = None, *, status: int | None = None) -> Page:
        if status is not None:
            self.journey.expect_status(status, path)
        response = self.page.goto(path)
        assert response is not None
        assert response.status == (status or 200), f"{path}: HTTP {response.status}"
        self.check(shot)
        return self.page

    def check(self, shot: str | None = None) -> None:
        """The page we are on: loaded, axe-clean, no shadowed form property; a screenshot."""
        page = self.page
        page.wait_for_load_state("load")
        violations = [v for v in _axe().run(page).response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
        described = [f"{v['id']} ({v['impact']}): {v['help']} at "
                     + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5]) for v in violations]
        assert not described, f"axe on {page.url}:\n" + "\n".join(described)
        shadowed = page.evaluate(SHADOWED_FORM_PROPERTIES)
        assert not shadowed, f"{page.url}: " + "; ".join(shadowed)
        self.journey.checked.add(_page_key(page.url))
        if shot:
            self.screenshot(shot)

    def screenshot(self, shot: str) -> None:
        self.journey.artifacts.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.journey.artifacts / f"{len(self.journey.shots):02d}-{shot}.png"),
                             full_page=True)
        self.journey.shots.append(shot)

    def press(self, locator) -> None:
        """A click on the desktop, a tap on the phone."""
        if self.mobile:
            locator.tap()
        else:
            locator.click()

    def submit(self, button, shot: str | None = None) -> None:
        """Press a button that submits a form and check the page it leads to."""
        with self.page.expect_navigation():
            self.press(button)
        self.check(shot)

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.visit("/login")
        self.page.fill("#f-login", username)
        self.page.fill("#f-password", password)
        self.submit(self.page.locator("main form button[type=submit]"))
        expect(self.page.locator("form[action='/logout']")).to_have_count(1)

    def mark_document(self) -> None:
        """Tag this document, so `assert_same_document` can prove no page load happened since."""
        self.page.evaluate("window.__journeyMark = 'unchanged'")
        self._mark_at = len(self.navigations)

    def assert_same_document(self) -> None:
        assert self.page.evaluate("window.__journeyMark") == "unchanged", "the page was reloaded"
        assert self.navigations[self._mark_at:] == [], f"navigated: {self.navigations[self._mark_at:]}"


def _page_key(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Journey:
    def __init__(self, browser, base_url: str, name: str, *, mobile: bool = False):
        self.browser, self.base_url, self.mobile = browser, base_url, mobile
        self.artifacts = ARTIFACTS / re.sub(r"[^\w.-]+", "_", name)
        self.problems: list[str] = []
        self.expected_statuses: set[tuple[int, str]] = set()
        self.checked: set[str] = set()
        self.shots: list[str] = []
        self.actors: list[Actor] = []

    def actor(self, name: str, *, locale: str = "zh-CN") -> Actor:
        options = dict(MOBILE if self.mobile else DESKTOP)
        context = self.browser.new_context(base_url=self.base_url, locale=locale, timezone_id="Asia/Shanghai",
                                           **options)
        context.set_default_timeout(10_000)
        actor = Actor(self, name, context)
        self.actors.append(actor)
        return actor

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def expect_status(self, status: int, path: str) -> None:
        self.expected_statuses.add((status, urlsplit(path).path))

    def finish(self) -> None:
        for actor in self.actors:
            actor.context.close()
        unchecked = sorted({_page_key(u) for a in self.actors for u in a.navigations
                            if u.startswith(self.base_url)} - self.checked)
        assert not self.problems, "\n".join(self.problems)
        assert not unchecked, f"pages visited without an axe check: {unchecked}"
