"""/healthz reports the database, Redis and the index separately, as JSON: 200 while the
database answers (degraded when a helper store fails), 503 when it does not; no session."""
from __future__ import annotations

import shutil
import time

import pytest

from tests.conftest import build_app
from tests.realtime.servers import PrivateRedis


def _with_an_index(app, make):
    from community.core.database import write_intent
    from community.extensions import db

    token = write_intent.set(True)
    make.world()
    db.session.commit()
    write_intent.reset(token)
    assert app.extensions["search"].flush(timeout=15)


def test_healthy_site_reports_each_store(app, client, make):
    _with_an_index(app, make)
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert body["ok"] is True and body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["index"]["ok"] is True
    assert "redis" not in body["checks"]  # not configured
    assert "Set-Cookie" not in answer.headers


def test_a_missing_index_is_degraded_not_down(app, client, make):
    _with_an_index(app, make)
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"], ignore_errors=True)
    body = client.get("/healthz").get_json()
    assert body["status"] == "degraded" and body["checks"]["index"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.sqlite_only
def test_an_unreachable_database_is_503(tmp_path):
    from tests.realtime.servers import free_port

    app = build_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
                                                      "?connect_timeout=1")
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["ok"] is False and body["status"] == "down" and body["checks"]["database"]["ok"] is False


@pytest.mark.sqlite_only
@pytest.mark.skipif(not PrivateRedis.available(), reason="redis-server not installed")
def test_a_dead_redis_is_reported_quickly_and_the_site_stays_up(tmp_path, database_uri):
    redis = PrivateRedis(tmp_path).start()
    try:
        app = build_app(tmp_path, SQLALCHEMY_DATABASE_URI=database_uri, REDIS_URL=redis.url)
        client = app.test_client()
        assert client.get("/healthz").get_json()["checks"]["redis"]["ok"] is True
        redis.kill()
        started = time.monotonic()
        answer = client.get("/healthz")
        assert answer.status_code == 200 and time.monotonic() - started < 2
        body = answer.get_json()
        assert body["status"] == "degraded" and body["checks"]["redis"]["ok"] is False
    finally:
        redis.stop()
