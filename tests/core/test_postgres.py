"""The scaled deployment's database: migrations and core flows on a real PostgreSQL."""
from __future__ import annotations

import os
import threading
import uuid

import pytest
import sqlalchemy as sa

from community.extensions import db
from tests.conftest import CommunityClient, build_app

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

pytestmark = pytest.mark.scaled


def _admin_engine():
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any connection failure means "not here"
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}")
    return engine


@pytest.fixture
def pg_app(tmp_path):
    from flask_migrate import upgrade

    admin = _admin_engine()
    name = f"cc_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    app = build_app(tmp_path, SQLALCHEMY_DATABASE_URI=url)
    app.test_client_class = CommunityClient
    ctx = app.app_context()
    ctx.push()
    upgrade()
    yield app
    db.session.remove()
    db.engine.dispose()
    ctx.pop()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def make(pg_app):
    """Factories bound to the PostgreSQL app (overrides the SQLite one from conftest)."""
    from tests import factories

    return factories


def test_core_flow_on_postgres(pg_app, make):
    assert db.engine.dialect.name == "postgresql"
    from community.feedback import services
    w = make.world()
    assert w["post"].assignee_id == w["contact"].id
    services.post_official_reply(w["contact"], w["post"], "已收到", to_status="acknowledged")
    target = make.post(make.user(), w["category"], title="合并目标")
    services.set_vote(make.user(), w["post"], True)
    services.merge_posts(w["contact"], w["post"], target)
    db.session.commit()
    assert target.vote_count == 1
    assert services.list_posts(None, sort="votes").items[0].id == target.id


def test_concurrent_votes_count_once_on_postgres(pg_app, make):
    w = make.world()
    voter = make.user()
    db.session.commit()
    post_id = w["post"].id
    clients = []
    for _ in range(20):
        c = pg_app.test_client()
        c.login_as(voter)
        c.csrf_token()
        clients.append(c)
    db.session.remove()
    barrier = threading.Barrier(20)
    codes = []

    def vote(c):
        barrier.wait(timeout=10)
        codes.append(c.post_form(f"/posts/{post_id}/vote", {"action": "on"}, headers={"Accept": "application/json"}).status_code)

    threads = [threading.Thread(target=vote, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    from community.feedback.models import Post, Vote
    assert codes == [200] * 20
    assert db.session.query(Vote).filter_by(post_id=post_id).count() == 1
    assert db.session.get(Post, post_id).vote_count == 1
