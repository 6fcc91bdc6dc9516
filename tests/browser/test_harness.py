"""The journeys' checks catch what they promise to, on a real page of the app (under its CSP)."""
from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.slow


def test_axe_shadowed_forms_script_errors_and_foreign_requests_are_caught(journey):
    visitor = journey.actor("visitor")
    page = visitor.visit("/")

    page.evaluate("""() => {
      const img = document.createElement("img"); img.src = "/static/favicon.svg";
      document.querySelector("main").appendChild(img);
    }""")
    with pytest.raises(AssertionError, match="image-alt"):
        visitor.check()

    page.evaluate("""() => {
      document.querySelector("main img").alt = "";
      const form = document.createElement("form"); form.setAttribute("data-vote-form", "");
      form.innerHTML = '<input type="hidden" name="action" value="on">';
      document.querySelector("main").appendChild(form);
    }""")
    with pytest.raises(AssertionError, match="form.action is a control"):
        visitor.check()

    page.evaluate("setTimeout(() => { throw new Error('boom from a test') }, 0)")
    page.evaluate("fetch('/no-such-page-here').catch(() => {})")

    def reported(*words):
        return any(all(w in p for w in words) for p in journey.problems)

    deadline = time.monotonic() + 10
    while not (reported("boom from a test") and reported("404", "/no-such-page-here")):
        assert time.monotonic() < deadline, journey.problems
        page.wait_for_timeout(50)  # lets Playwright deliver the page's events
    journey.problems.clear()  # seen; the journey itself must still finish clean
