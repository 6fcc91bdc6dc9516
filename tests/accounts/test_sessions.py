"""Sessions end on the server: logout, remember-cookie expiry, "log out everywhere", sockets."""
from __future__ import annotations

import re
from datetime import timedelta

from community.accounts.models import UserSession
from community.core import clock
from community.extensions import db
from tests.factories import PASSWORD


def _log_in(app, user, *, remember=False):
    client = app.test_client()
    data = {"login": user.username, "password": PASSWORD}
    if remember:
        data["remember"] = "1"
    assert client.post_form("/login", data).status_code == 302
    return client


def _copy_cookies(app, source, names=("session", "remember_token")):
    """A second browser holding copies of `source`'s cookies (what a thief would take)."""
    thief = app.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def _me(client):
    return client.get("/api/v1/me").status_code


def test_logout_ends_copies_of_the_session_cookie(app, make):
    user = make.user()
    browser = _log_in(app, user)
    thief = _copy_cookies(app, browser, names=("session",))
    assert _me(thief) == 200
    assert browser.post_form("/logout").status_code == 302
    assert _me(browser) == 401
    assert _me(thief) == 401  # the copy taken before logout no longer authenticates
    assert thief.get("/settings").status_code == 302


def test_logout_ends_copies_of_the_remember_cookie(app, make):
    user = make.user()
    browser = _log_in(app, user, remember=True)
    stolen_remember = _copy_cookies(app, browser, names=("remember_token",))
    assert _me(stolen_remember) == 200  # a remember cookie alone signs in (that is its purpose)
    browser.post_form("/logout")
    fresh_thief = _copy_cookies(app, stolen_remember, names=("remember_token",))
    assert _me(fresh_thief) == 401


def test_a_remember_cookie_expires_on_the_server(app, make):
    user = make.user()
    with clock.frozen(clock.now()) as advance:
        browser = _log_in(app, user, remember=True)
        only_remember = _copy_cookies(app, browser, names=("remember_token",))
        advance(days=29)
        assert _me(_copy_cookies(app, only_remember, names=("remember_token",))) == 200
        advance(days=2)  # past REMEMBER_COOKIE_DURATION (30 days), whatever the browser keeps
        assert _me(_copy_cookies(app, only_remember, names=("remember_token",))) == 401
        assert _me(browser) == 401


def test_settings_list_sessions_and_revoke_one_or_all(app, make):
    user = make.user()
    laptop, phone, tablet = _log_in(app, user), _log_in(app, user), _log_in(app, user)
    page = laptop.get("/settings")
    html = page.get_data(as_text=True)
    assert html.count('name="action" value="revoke_session"') == 2  # the other two; this one says "this browser"
    assert page.headers["Cache-Control"] == "private, no-store"

    phone_row = db.session.query(UserSession).filter_by(user_id=user.id).order_by(UserSession.id).all()[1]
    revoke = {"action": "revoke_session", "session_id": str(phone_row.id)}
    assert laptop.post_form("/settings", revoke).status_code == 302
    assert _me(phone) == 401 and _me(laptop) == 200 and _me(tablet) == 200

    # Someone else's session id, or garbage, is "not found", never a 500.
    other = make.user()
    other_browser = _log_in(app, other)
    other_row = db.session.query(UserSession).filter_by(user_id=other.id).one()
    for bad in (str(other_row.id), "abc", "²", "9223372036854775808", "-1", ""):
        assert laptop.post_form("/settings", {"action": "revoke_session", "session_id": bad}).status_code == 404, bad
    assert _me(other_browser) == 200

    assert laptop.post_form("/settings", {"action": "logout_everywhere"}).status_code == 302
    assert [_me(c) for c in (laptop, phone, tablet)] == [401, 401, 401]
    assert _me(other_browser) == 200


def test_password_change_keeps_this_session_only(app, make):
    user = make.user()
    here, there = _log_in(app, user), _log_in(app, user)
    r = here.post_form("/settings", {"action": "password", "current_password": PASSWORD,
                                     "new_password": "n3w-passw0rd"})
    assert r.status_code == 302
    assert _me(here) == 200 and _me(there) == 401


def test_logged_in_pages_are_not_cached_and_anonymous_ones_may_be(app, make):
    user = make.user()
    anonymous = app.test_client()
    assert "no-store" not in anonymous.get("/").headers.get("Cache-Control", "")
    browser = _log_in(app, user)
    for url in ("/", "/settings", f"/u/{user.username}", "/api/v1/me"):
        assert browser.get(url).headers.get("Cache-Control") == "private, no-store", url


def test_sessions_record_the_browser_and_show_it(app, make):
    user = make.user()
    client = app.test_client()
    client.post_form("/login", {"login": user.username, "password": PASSWORD},
                     headers={"User-Agent": "Mozilla/5.0 (Android 14) 测试浏览器"})
    html = client.get("/settings").get_data(as_text=True)
    assert "测试浏览器" in html
    row = db.session.query(UserSession).filter_by(user_id=user.id).one()
    assert row.expires_at - row.created_at == timedelta(days=30) and not row.remember
    assert re.fullmatch(r"[0-9a-f]{64}", row.key_hash)  # only a digest of the cookie's key is stored
