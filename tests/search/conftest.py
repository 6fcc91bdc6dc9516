"""Search test helpers: wait for the background writer instead of sleeping."""
from __future__ import annotations

import pytest

from community.extensions import db


@pytest.fixture
def indexed(app):
    """Commit the test's session and wait until the index has caught up."""

    def wait():
        db.session.commit()
        assert app.extensions["search"].flush(timeout=15), "search writer did not drain"

    return wait
