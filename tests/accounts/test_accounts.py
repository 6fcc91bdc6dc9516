"""Accounts through the HTTP client and the CLI: registration, login, sessions, roles."""
from __future__ import annotations

import pytest

from community.accounts import services
from community.accounts.models import User
from community.extensions import db
from tests.factories import PASSWORD


def test_register_logs_in_and_hashes_the_password(client):
    r = client.post_form("/register", {"username": "laowang", "email": "LaoWang@Example.test",
                                       "password": "s3cret-pass", "display_name": "老王"})
    assert r.status_code == 302
    user = db.session.query(User).filter_by(username="laowang").one()
    assert user.email == "laowang@example.test"
    assert "s3cret-pass" not in user.password_hash and user.password_hash.startswith("pbkdf2:")
    assert "老王" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("data,field", [
    ({"username": "ab", "email": "a@b.cn", "password": "longenough"}, "username"),
    ({"username": "valid_name", "email": "not-an-email", "password": "longenough"}, "email"),
    ({"username": "valid_name", "email": "a@b.cn", "password": "short"}, "password"),
])
def test_register_errors_keep_the_input(client, data, field):
    r = client.post_form("/register", data)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert f'id="{field}-error"' in html
    assert f'value="{data["username"]}"' in html
    assert "longenough" not in html  # passwords are never echoed back


def test_duplicate_username_is_refused_case_insensitively(make, client):
    make.user(username="Zhang")
    r = client.post_form("/register", {"username": "zhang", "email": "z@x.cn", "password": "longenough"})
    assert r.status_code == 422 and 'id="username-error"' in r.get_data(as_text=True)


def test_login_with_username_or_email_and_wrong_password(make, client):
    user = make.user()
    assert client.post_form("/login", {"login": user.username, "password": "wrong-password"}).status_code == 401
    r = client.post_form("/login", {"login": user.email, "password": PASSWORD})
    assert r.status_code == 302


@pytest.mark.parametrize("target", ["//evil.example/x", "/\\evil.example", "https://evil.example/", "https:evil.example",
                                    "javascript:alert(1)", " //evil.example", "/\t/evil.example"])
def test_next_is_validated_against_open_redirects(make, client, target):
    user = make.user()
    r = client.post_form(f"/login?next={target}", {"login": user.username, "password": PASSWORD})
    assert r.status_code == 302
    assert r.headers["Location"] == "/"


def test_next_keeps_local_paths(make, client):
    user = make.user()
    r = client.post_form("/login?next=/posts/1?x=1", {"login": user.username, "password": PASSWORD})
    assert r.headers["Location"] == "/posts/1?x=1"


def test_login_is_rate_limited(tmp_path, migrated_db):
    import shutil

    from tests.conftest import CommunityClient, build_app
    shutil.copy(migrated_db, tmp_path / "community.db")
    app = build_app(tmp_path, RATELIMIT_ENABLED=True, RATE_LIMIT_LOGIN="3 per minute")
    app.test_client_class = CommunityClient
    with app.app_context():
        client = app.test_client()
        codes = [client.post_form("/login", {"login": "nobody", "password": "x" * 8}).status_code for _ in range(5)]
        assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]
        r = client.post_form("/login", {"login": "nobody", "password": "x" * 8})
        assert "登录失败次数过多" in r.get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()


def test_password_change_ends_other_sessions(app, make):
    user = make.user()
    db.session.commit()
    other_device, this_device = app.test_client(), app.test_client()
    other_device.login_as(user)
    this_device.login_as(user)
    assert other_device.get("/settings").status_code == 200
    r = this_device.post_form("/settings", {"action": "password", "current_password": PASSWORD,
                                            "new_password": "a-new-password"})
    assert r.status_code == 302
    assert this_device.get("/settings").status_code == 200
    assert other_device.get("/settings").status_code == 302  # logged out


def test_banned_user_session_is_rejected(app, make):
    user = make.user()
    db.session.commit()
    client = app.test_client()
    client.login_as(user)
    assert client.get("/settings").status_code == 200
    user = db.session.get(User, user.id)
    user.banned_at = user.created_at
    services.revoke_sessions(user, "banned")
    db.session.commit()
    assert client.get("/settings").status_code == 302


def test_session_cookie_flags(app, make):
    user = make.user()
    client = app.test_client()
    r = client.post_form("/login", {"login": user.username, "password": PASSWORD, "remember": "1"})
    cookies = r.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session_cookie, remember_cookie):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_flag_when_configured(tmp_path, migrated_db):
    import shutil

    from tests.conftest import build_app
    shutil.copy(migrated_db, tmp_path / "community.db")
    app = build_app(tmp_path, SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    with app.app_context():
        r = app.test_client().get("/login")
        assert "Secure" in r.headers.get("Set-Cookie", "") and "Strict-Transport-Security" in r.headers
        db.engine.dispose()


def test_logout_requires_post_with_csrf(make, client):
    client.login_as(make.user())
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.post_form("/logout").status_code == 302
    assert client.get("/settings").status_code == 302


def test_profile_lists_posts_comments_and_votes(make, client):
    w = make.world()
    from community.feedback import services as fs
    fs.add_comment(w["member"], w["post"], "评论内容：同样遇到")
    fs.set_vote(w["member"], make.post(make.user(), w["category"], title="另一个问题帖子"), True)
    base = f"/u/{w['member'].username}"
    assert "车机蓝牙经常断连" in client.get(base).get_data(as_text=True)
    assert "评论内容" in client.get(base + "?tab=comments").get_data(as_text=True)
    assert "另一个问题帖子" in client.get(base + "?tab=votes").get_data(as_text=True)
    assert client.get("/u/nobody-here").status_code == 404


def test_create_admin_cli(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "--username", "root_admin", "--email", "root@example.test",
                                 "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert db.session.query(User).filter_by(username="root_admin").one().role == "admin"
    again = runner.invoke(args=["users", "create-admin", "--username", "root_admin", "--email", "r2@example.test",
                                "--password", "a-long-password"])
    assert again.exit_code != 0 and "username" in again.output  # the failing field is named


def test_api_tokens_are_shown_once_and_stored_hashed(make, client):
    from community.accounts.models import ApiToken
    user = make.user()
    client.login_as(user)
    html = client.post_form("/settings", {"action": "create_token", "name": "ci"}).get_data(as_text=True)
    token = db.session.query(ApiToken).one()
    import re
    raw = re.search(r'<code class="token">([^<]+)</code>', html).group(1)
    assert raw.startswith("ccp_") and raw not in token.token_hash
    assert services.user_for_token(raw).id == user.id
    assert raw not in client.get("/settings").get_data(as_text=True)
