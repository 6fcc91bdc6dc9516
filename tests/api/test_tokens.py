"""Personal access tokens: last use off the request path, scopes, expiry, password changes."""
from __future__ import annotations

import sqlite3
import time
from datetime import timedelta

import pytest

from community.accounts import services as accounts
from community.accounts.models import ApiToken
from community.core import clock, usage
from community.extensions import db
from tests.api.conftest import writing
from tests.factories import PASSWORD


def _token(user, **kw):
    with writing():
        _row, raw = accounts.create_api_token(user, "script", **kw)
    return raw


def _last_used(token_id):
    db.session.commit()
    return db.session.get(ApiToken, token_id).last_used_at


@pytest.fixture(autouse=True)
def _record_last_use(app):
    app.config["RECORD_LAST_USE"] = True


def _wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.sqlite_only
def test_token_reads_succeed_while_the_database_is_write_locked(app, api, make):
    with writing():
        member = make.user()
    raw = _token(member)
    token_id = db.session.query(ApiToken).one().id
    db.session.commit()
    # Another process holds SQLite's write lock (a long write, a backup): reads must not care.
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    blocker = sqlite3.connect(path, isolation_level=None, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        answers = [api(token=raw).get("/me").status_code for _ in range(5)]
        assert answers == [200] * 5
        assert time.monotonic() - started < 3  # no request waited for the lock
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    # The bookkeeping is written once the lock is free, by the background writer.
    assert _wait_for(lambda: _last_used(token_id) is not None)


def test_last_use_is_written_at_most_once_a_minute(app, api, make):
    with writing():
        member = make.user()
    raw = _token(member)
    token_id = db.session.query(ApiToken).one().id
    assert api(token=raw).get("/me").status_code == 200
    assert _wait_for(lambda: _last_used(token_id) is not None)
    first = _last_used(token_id)
    with clock.frozen(first + timedelta(minutes=10)):
        for _ in range(3):
            assert api(token=raw).get("/me").status_code == 200
        assert usage.wait_idle()
    assert _last_used(token_id) == first  # noted again within the minute: nothing written


def test_scopes_limit_what_a_token_may_do(api, world):
    member, contact = world["member"], world["contact"]
    post_id = world["post"].id
    read_only = api(token=_token(member, scopes=["read"]))
    assert read_only.get(f"/posts/{post_id}").status_code == 200
    refused = read_only.put(f"/posts/{post_id}/vote")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "insufficient_scope"

    # A staff member's token without the staff scope acts as a member: staff endpoints say 404.
    plain = api(token=_token(contact, scopes=["read", "write"]))
    assert plain.get("/staff/queues/mine").status_code == 404
    staff = api(token=_token(contact, scopes=["read", "write", "staff"]))
    assert staff.get("/staff/queues/mine").status_code == 200


def test_scopes_beyond_the_role_and_bad_expiry_are_refused(api, world):
    member = world["member"]
    session = api(member)
    for body, field in (({"scopes": ["read", "staff"]}, "scopes"), ({"scopes": ["root"]}, "scopes"),
                        ({"scopes": []}, "scopes"), ({"scopes": "read"}, "scopes"),
                        ({"expires_in_days": 0}, "expires_in_days"), ({"expires_in_days": 10**20}, "expires_in_days"),
                        ({"expires_in_days": "7"}, "expires_in_days")):
        r = session.post("/me/tokens", body)
        assert r.status_code == 422 and field in r.get_json()["error"]["fields"], body
    ok = session.post("/me/tokens", {"name": "ci", "scopes": ["read"], "expires_in_days": 7})
    assert ok.status_code == 201
    body = ok.get_json()
    assert body["scopes"] == ["read"] and body["expires_at"] is not None


def test_an_expired_token_stops_working(api, make):
    with writing():
        member = make.user()
    raw = _token(member, expires_in_days=1)
    assert api(token=raw).get("/me").status_code == 200
    with clock.frozen(clock.now() + timedelta(days=1, seconds=1)):
        r = api(token=raw).get("/me")
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "invalid_token"
        assert api(member).get("/me/tokens").get_json()["items"] == []


def test_a_password_change_revokes_tokens_unless_kept(app, api, make):
    with writing():
        member = make.user()
    dropped = _token(member)
    client = app.test_client().login_as(member)
    client.post_form("/settings", {"action": "password", "current_password": PASSWORD, "new_password": "second-pass-1"})
    assert api(token=dropped).get("/me").status_code == 401

    kept = _token(member)
    client.post_form("/settings", {"action": "password", "current_password": "second-pass-1",
                                   "new_password": "third-pass-1", "keep_tokens": "1"})
    assert api(token=kept).get("/me").status_code == 200


def test_settings_token_forms_refuse_bad_ids_without_a_500(app, make):
    with writing():
        member = make.user()
    client = app.test_client().login_as(member)
    for bad in ("abc", "²", "9223372036854775808", "0", ""):
        assert client.post_form("/settings", {"action": "revoke_token", "token_id": bad}).status_code == 404, bad
    r = client.post_form("/settings", {"action": "create_token", "name": "x", "scopes": "read",
                                       "expires_in_days": "9999999999"})
    assert r.status_code == 422
    created = client.post_form("/settings", {"action": "create_token", "name": "x", "scopes": "read",
                                             "expires_in_days": "30"})
    assert created.status_code == 200 and "ccp_" in created.get_data(as_text=True)
    assert created.headers["Cache-Control"] == "private, no-store"  # the page shows a secret
