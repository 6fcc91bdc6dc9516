"""Moderation fixtures: the shared world with a moderator, an admin and a second member.

Test modules that need other people (test_visibility, test_screening_paths) define their own `w`."""
from __future__ import annotations

import pytest

from community.extensions import db


@pytest.fixture
def w(make):
    world = make.world()
    world["moderator"] = make.user("moderator")
    world["admin"] = make.user("admin")
    world["other"] = make.user()
    db.session.commit()
    return world
