"""Searches are limited per address and per account (the most expensive read)."""
from __future__ import annotations

import shutil

from community.extensions import db
from tests.conftest import build_app


def test_search_is_limited_per_address_and_per_account(tmp_path, migrated_db, make):
    shutil.copy(migrated_db, tmp_path / "community.db")
    app = build_app(tmp_path, RATELIMIT_ENABLED=True, RATE_LIMIT_SEARCH_ADDRESS="4 per minute",
                    RATE_LIMIT_SEARCH_ACCOUNT="2 per minute")
    with app.app_context():
        member = make.user()
        db.session.commit()
        anonymous = app.test_client()
        other_address = {"REMOTE_ADDR": "198.51.100.7"}
        codes = [anonymous.get("/search?q=蓝牙").status_code for _ in range(5)]
        assert codes == [200, 200, 200, 200, 429]
        assert anonymous.get("/api/v1/search?q=蓝牙").status_code == 429  # one budget for page and API
        assert anonymous.get("/search?q=蓝牙", environ_base=other_address).status_code == 200

        # Signed in, the account's own limit applies whichever address it comes from.
        signed_in = app.test_client().login_as(member)
        first = signed_in.get("/search?q=OTA", environ_base={"REMOTE_ADDR": "203.0.113.1"}).status_code
        second = signed_in.get("/search?q=OTA", environ_base={"REMOTE_ADDR": "203.0.113.2"}).status_code
        third = signed_in.get("/search?q=OTA", environ_base={"REMOTE_ADDR": "203.0.113.3"}).status_code
        assert (first, second, third) == (200, 200, 429)
        db.session.remove()
        db.engine.dispose()
