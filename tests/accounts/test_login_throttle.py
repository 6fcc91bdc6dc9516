"""Failed logins are throttled per account and per address separately; the 429 says how long to wait."""
from __future__ import annotations

import re
import shutil

import pytest

from community.extensions import db
from tests.conftest import CommunityClient, build_app
from tests.factories import PASSWORD


@pytest.fixture
def limited(tmp_path, migrated_db):
    """An app with rate limits on: 3 failures per account, 6 per address, per minute."""
    shutil.copy(migrated_db, tmp_path / "community.db")
    app = build_app(tmp_path, RATELIMIT_ENABLED=True, RATE_LIMIT_LOGIN_ACCOUNT="3 per minute",
                    RATE_LIMIT_LOGIN="6 per minute", RATE_LIMIT_WRITE="1 per minute")
    app.test_client_class = CommunityClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _login(client, login, password):
    return client.post_form("/login", {"login": login, "password": password})


def test_one_members_typos_do_not_lock_out_the_office(limited):
    from tests import factories

    typist, colleague = factories.user(), factories.user()
    db.session.commit()
    client = limited.test_client()  # one address for both: an office NAT
    assert [_login(client, typist.username, "wrong-pass").status_code for _ in range(3)] == [401, 401, 401]
    refused = _login(client, typist.username, PASSWORD)  # even the right password waits now
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) in range(1, 61)
    html = refused.get_data(as_text=True)
    assert re.search(r"此账号.*请在 ?\d+ ?(秒|分钟)", html), re.findall(r"<main.*</main>", html, re.S)
    assert f'value="{typist.username}"' in html and 'name="password"' in html  # the form is still there
    assert _login(client, colleague.username, PASSWORD).status_code == 302


def test_many_accounts_failing_from_one_address_hit_the_address_limit(limited):
    client = limited.test_client()
    codes = [_login(client, f"nobody{n}", "wrong-pass").status_code for n in range(7)]
    assert codes == [401] * 6 + [429]
    assert "网络" in client.post_form("/login", {"login": "someone-else", "password": "x"}).get_data(as_text=True)


def test_the_general_429_page_says_how_long_to_wait(limited):
    client = limited.test_client()
    client.post_form("/register", {"username": "a-new-one", "email": "a@example.test", "password": "x"})
    second = client.post_form("/register", {"username": "b-new-one", "email": "b@example.test", "password": "x"})
    assert second.status_code == 429
    assert re.search(r"请等待 ?\d+ ?(秒|分钟)", second.get_data(as_text=True))
