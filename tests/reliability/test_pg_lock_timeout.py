"""PostgreSQL: a row lock held by another connection makes a write answer 503 database_busy
with Retry-After after PG_LOCK_TIMEOUT_MS, instead of hanging the request's thread."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from community.extensions import db
from tests import databases
from tests.conftest import CommunityClient, build_app

pytestmark = pytest.mark.scaled


@pytest.fixture
def pg_site(tmp_path):
    from flask_migrate import upgrade

    from tests import factories

    name = databases.create_database()
    app = build_app(tmp_path, SQLALCHEMY_DATABASE_URI=databases.url_of(name), PG_LOCK_TIMEOUT_MS=300)
    app.test_client_class = CommunityClient
    with app.app_context():
        upgrade()
        w = factories.world()
        data = {"app": app, "url": databases.url_of(name), "post": w["post"].id, "member": w["member"]}
        client = app.test_client()
        client.login_as(w["member"])
        data["client"] = client
        db.session.remove()
    yield data
    with app.app_context():
        db.engine.dispose()
    databases.drop_database(name)


def test_a_row_lock_held_elsewhere_answers_503_busy(pg_site):
    client, post_id = pg_site["client"], pg_site["post"]
    holder = sa.create_engine(pg_site["url"], poolclass=sa.pool.NullPool)
    with holder.connect() as conn:
        transaction = conn.begin()
        conn.execute(sa.text("SELECT id FROM posts WHERE id = :id FOR UPDATE"), {"id": post_id})
        started = time.monotonic()
        page = client.post_form(f"/posts/{post_id}/comments", {"body": "有人锁住了这条帖子"})
        seconds = time.monotonic() - started
        assert page.status_code == 503 and seconds < 3, (page.status_code, seconds)
        assert page.headers["Retry-After"] and "服务器繁忙" in page.get_data(as_text=True)
        answer = client.post(f"/api/v1/posts/{post_id}/comments", json={"body": "有人锁住了这条帖子"},
                             headers={"X-CSRFToken": client.csrf_token()})
        assert answer.status_code == 503 and answer.get_json()["error"]["code"] == "database_busy"
        transaction.rollback()
    holder.dispose()
    assert client.post_form(f"/posts/{post_id}/comments", {"body": "锁释放之后"}).status_code == 302
