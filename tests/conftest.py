"""Shared fixtures: a real app on a real SQLite file, migrated once per test session."""
from __future__ import annotations

import contextvars
import os
import re
import shutil

import pytest
from flask import has_app_context
from flask.testing import FlaskClient

from community import create_app
from community.core import page_cache
from community.core.database import write_intent
from community.extensions import db
from community.feedback import queries as feedback_queries
from community.pulse import services as pulse_services
from tests import databases

# `TEST_DATABASE=postgresql` runs the tests that use the `app` fixture on a real PostgreSQL
# (one fresh database per test, cloned from a migrated template); `make test` runs both.
TEST_DATABASE = os.environ.get("TEST_DATABASE", "sqlite")

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashes; production uses scrypt
    "RATELIMIT_ENABLED": False,
    "REDIS_URL": None,
    "RATELIMIT_STORAGE_URI": "memory://",
    "SERVER_NAME": "localhost",
    "ANON_PAGE_CACHE_SECONDS": 0,  # tests/core/test_page_cache.py turns it on
    # Last-use bookkeeping commits from a background thread, which would break tests that read
    # and then write in one snapshot from the test thread; tests/api/test_tokens.py turns it on.
    "RECORD_LAST_USE": False,
    # Tests write many contributions in a second; the shipped new-account rate is tested with
    # its real value in tests/moderation/test_screening_paths.py (and tests that set their own).
    "NEW_USER_RATE": "1000 per minute",
    "SEARCH_OUTBOX_POLL_SECONDS": 0,  # the outbox is drained when the writer thread starts
    # The test's own session writes in deferred SQLite transactions (see `app`), which any
    # background write would break: here the indexer leaves written outbox rows in place.
    "SEARCH_OUTBOX_CLEAR_WRITTEN": False,
    "SEARCH_START_WITH_FIRST_REQUEST": False,
    "PULSE_PUSH_INTERVAL": 0,  # the dashboard's push throttle: pushes at once (no timer outlives a test)
}


def build_app(tmp_path, **overrides):
    config = dict(TEST_CONFIG)
    config.update(
        INSTANCE_PATH=str(tmp_path / "instance"),
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'community.db'}",
        SEARCH_INDEX_DIR=str(tmp_path / "search_index"),
    )
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = CommunityClient  # each request in its own context and database session
    return app


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory):
    """Run the real migrations once; each test gets a copy of the resulting file."""
    from flask_migrate import upgrade

    base = tmp_path_factory.mktemp("template")
    app = build_app(base)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return base / "community.db"


class CommunityClient(FlaskClient):
    """Test client that reads the CSRF token from a page, like a browser would.

    Each request runs in a fresh contextvars context, so it gets its own app context,
    `g` and database session, as in production, instead of sharing the test's.
    """

    _csrf: str | None = None

    def open(self, *args, **kwargs):
        # Like a real test author expects: what the test set up is committed and visible,
        # and what the request wrote is what the test reads next (fresh snapshot).
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)

    def csrf_token(self) -> str:
        if self._csrf is None:
            # Logged in: /login redirects home, whose <meta> carries it; else the login form does.
            html = self.get("/login", follow_redirects=True).get_data(as_text=True)
            found = re.search(r'name="csrf-token" content="([^"]+)"', html) or \
                re.search(r'name="csrf_token" value="([^"]+)"', html)
            self._csrf = found.group(1)
        return self._csrf

    def post_form(self, url, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)

    def login_as(self, user, *, remember: bool = False):
        """Sign `user` in on this client: a real server-side session row, then the cookie naming it."""
        from community.accounts.sessions import open_session

        db.session.commit()
        token = write_intent.set(True)
        try:
            open_session(user, remember=remember, user_agent="pytest")
            db.session.commit()
        finally:
            write_intent.reset(token)
        with self.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        self._csrf = None
        return self


def pytest_collection_modifyitems(config, items):
    """The PostgreSQL pass runs only what goes through the `app` fixture (services and HTTP)."""
    if TEST_DATABASE != "postgresql":
        return
    keep = [i for i in items if "app" in getattr(i, "fixturenames", ()) and not i.get_closest_marker("sqlite_only")]
    config.hook.pytest_deselected(items=[i for i in items if i not in keep])
    items[:] = keep


@pytest.fixture(scope="session")
def pg_worker_database(tmp_path_factory):
    """One migrated PostgreSQL database per test process, emptied back to its migrated state
    after each test (deleting a few rows is much cheaper than creating and dropping databases)."""
    from flask_migrate import upgrade

    name = databases.create_database("cc_worker")
    app = build_app(tmp_path_factory.mktemp("pg_worker"), SQLALCHEMY_DATABASE_URI=databases.url_of(name))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    reset = databases.Reset(databases.url_of(name))
    yield databases.url_of(name), reset
    reset.close()
    databases.drop_database(name)


@pytest.fixture
def database_uri(request, tmp_path, migrated_db):
    """A migrated database of the kind TEST_DATABASE names, empty but for what migrations wrote."""
    if TEST_DATABASE == "postgresql":
        url, reset = request.getfixturevalue("pg_worker_database")
        yield url
        reset()
    else:
        shutil.copy(migrated_db, tmp_path / "community.db")
        yield f"sqlite:///{tmp_path / 'community.db'}"


@pytest.fixture
def app(tmp_path, database_uri):
    app = build_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_uri)
    app.test_client_class = CommunityClient
    ctx = app.app_context()
    ctx.push()
    # The test's own session reads without taking SQLite's write lock, so requests can write.
    token = write_intent.set(False)
    yield app
    write_intent.reset(token)
    db.session.remove()
    db.engine.dispose()
    ctx.pop()
    # Process-wide caches are keyed by the database URL, and the PostgreSQL pass reuses one URL
    # for every test (emptied in between): what one test cached must not answer the next.
    page_cache.clear()
    feedback_queries.forget_cached_pins()
    pulse_services.forget_cache()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make(app):
    from tests import factories

    return factories
