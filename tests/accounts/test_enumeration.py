"""Whether an account exists must not show in login timing, nor be probed fast through registration."""
from __future__ import annotations

import shutil

from community.accounts import services
from community.extensions import db
from tests.factories import PASSWORD


def test_an_unknown_login_hashes_with_the_same_method_and_cost_as_a_real_one(app, make, client, monkeypatch):
    """Timing overlaps when both paths run one check of a hash made the same way."""
    user = make.user()
    db.session.commit()
    checked: list[str] = []
    real_check = services.check_password_hash

    def recording_check(pwhash, password):
        checked.append(pwhash.split("$", 1)[0])  # the method and its cost, e.g. pbkdf2:sha256:1000
        return real_check(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", recording_check)
    client.post_form("/login", {"login": user.username, "password": "wrong-password"})
    client.post_form("/login", {"login": "no-such-user", "password": "wrong-password"})
    assert len(checked) == 2 and checked[0] == checked[1] == app.config["PASSWORD_HASH_METHOD"]


def test_registration_is_throttled_like_login(tmp_path, migrated_db, make):
    from tests.conftest import build_app

    shutil.copy(migrated_db, tmp_path / "community.db")
    limited = build_app(tmp_path, RATELIMIT_ENABLED=True, RATE_LIMIT_LOGIN="3 per minute",
                        RATE_LIMIT_WRITE="100 per minute")
    with limited.app_context():
        db.session.commit()
        existing = make.user()
        db.session.commit()
        client = limited.test_client()
        probe = {"username": existing.username, "email": "probe@example.test", "password": PASSWORD}
        codes = [client.post_form("/register", probe).status_code for _ in range(5)]
        assert codes == [422, 422, 422, 429, 429]  # "already taken" stays, but only a few times a minute
        db.session.remove()
        db.engine.dispose()


def test_hsts_only_behind_https(tmp_path, migrated_db, client):
    from tests.conftest import build_app

    assert "Strict-Transport-Security" not in client.get("/login").headers
    folder = tmp_path / "secure"
    folder.mkdir()
    shutil.copy(migrated_db, folder / "community.db")
    secure = build_app(folder, SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    with secure.app_context():
        assert secure.test_client().get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"
        db.engine.dispose()
