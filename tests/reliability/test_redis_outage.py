"""Redis is a helper: killed or hung, logins and writes still answer, quickly, and limits hold.

A real gunicorn server (as `make run` starts it) uses a redis-server this test starts on a
free port for rate limits, presence and the message queue; the test kills it (kill -9) or
pauses it (SIGSTOP: connections stay open, nothing answers).
"""
from __future__ import annotations

import shutil
import time

import pytest
import requests

from tests import factories
from tests.conftest import build_app
from tests.realtime.servers import PrivateRedis, Server, login

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not PrivateRedis.available(), reason="redis-server not installed")]

LOGIN_LIMIT = 4


@pytest.fixture
def site(tmp_path, migrated_db):
    from community.extensions import db

    db_path = tmp_path / "community.db"
    shutil.copy(migrated_db, db_path)
    app = build_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_path}")
    with app.app_context():
        w = factories.world()
        others = [factories.user() for _ in range(3)]
        db.session.commit()
        data = {"member": w["member"].username, "others": [u.username for u in others], "post": w["post"].id}
        db.session.remove()
        db.engine.dispose()
    redis = PrivateRedis(tmp_path).start()
    server = Server(tmp_path, db_path, redis_url=redis.url,
                    overrides={"RATELIMIT_ENABLED": "1", "RATE_LIMIT_LOGIN": f"{LOGIN_LIMIT} per minute"})
    try:
        yield {"server": server.wait_ready(), "redis": redis, **data}
    finally:
        server.stop()
        redis.stop()


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def comment(server, http, post_id, body):
    return http.post(f"{server.url}/posts/{post_id}/comments", data={"body": body, "csrf_token": http.csrf},
                     allow_redirects=False, timeout=10)


def wrong_logins_until_refused(server, username, tries=LOGIN_LIMIT + 3) -> list[int]:
    codes = []
    for _ in range(tries):
        http = requests.Session()
        page = http.get(server.url + "/login", timeout=10).text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        codes.append(http.post(server.url + "/login", data={"login": username, "password": "wrong-password",
                                                           "csrf_token": token}, allow_redirects=False, timeout=10)
                     .status_code)
    return codes


def check_writes_and_limits_without_redis(site):
    server = site["server"]
    http, seconds = timed(lambda: login(server, site["others"][1], factories.PASSWORD))
    assert seconds < 3, seconds
    response, seconds = timed(lambda: comment(server, http, site["post"], "Redis 出问题时写下的评论"))
    assert response.status_code == 302 and seconds < 3, (response.status_code, seconds)
    # Limits still hold, per process, from memory: the failed attempt after the LOGIN_LIMIT-th
    # in a minute from this address is refused.
    codes = wrong_logins_until_refused(server, site["others"][2])
    assert codes == [401] * LOGIN_LIMIT + [429] * 3, codes
    assert "falling back to in-memory storage" in server.log()
    assert "Traceback" not in server.log().split("falling back", 1)[0][-2000:]


def test_limits_fall_back_to_memory_when_redis_is_killed(site):
    server = site["server"]
    assert login(server, site["others"][0], factories.PASSWORD)  # healthy, through Redis
    site["redis"].kill()
    check_writes_and_limits_without_redis(site)


def test_a_hung_redis_costs_each_request_at_most_a_short_timeout(site):
    server = site["server"]
    assert login(server, site["others"][0], factories.PASSWORD)
    site["redis"].pause()
    check_writes_and_limits_without_redis(site)
    # Every page keeps answering while it stays hung.
    for _ in range(5):
        response, seconds = timed(lambda: requests.get(server.url + "/", timeout=10))
        assert response.status_code == 200 and seconds < 2, seconds
    site["redis"].resume()
