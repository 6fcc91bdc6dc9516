"""A socket authenticates through the same server-side session check as a page."""
from __future__ import annotations

from tests.accounts.test_sessions import _copy_cookies, _log_in


def test_a_revoked_session_cannot_open_an_authenticated_socket(app, make, live):
    user = make.user()
    browser = _log_in(app, user)
    thief = _copy_cookies(app, browser, names=("session",))
    browser.post_form("/logout")
    sock = live(thief)
    assert sock.join(f"user:{user.id}") == {"ok": False, "error": "not_found"}
    assert sock.emit("sync", {"after_id": 0}, callback=True) == {"ok": False, "error": "login_required"}
