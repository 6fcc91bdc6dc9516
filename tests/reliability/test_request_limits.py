"""Long URLs and large bodies through the server as `make run` starts it: the app answers.

A 2,000-character search (the longest the search box takes) reaches the app instead of
gunicorn's HTML 414; a URL longer than the app accepts gets the app's own localized 414
(JSON on /api/); a 3 MB body sent chunked (no Content-Length) is a 413, not a 400.
"""
from __future__ import annotations

import shutil
from urllib.parse import quote

import pytest
import requests

from tests.realtime.servers import Server

pytestmark = pytest.mark.slow

LONG_QUERY = "车机蓝牙断连" * 333 + "车机"  # 2,000 characters, 18,000 bytes once percent-encoded


@pytest.fixture(scope="module")
def server(tmp_path_factory, migrated_db):
    workdir = tmp_path_factory.mktemp("limits")
    db_path = workdir / "community.db"
    shutil.copy(migrated_db, db_path)
    running = Server(workdir, db_path, as_make_run=True).wait_ready()
    yield running
    running.stop()


def test_a_2000_character_search_reaches_the_app(server):
    assert len(LONG_QUERY) == 2000
    page = requests.get(f"{server.url}/search?q={quote(LONG_QUERY)}", timeout=10)
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    answer = requests.get(f"{server.url}/api/v1/search?q={quote(LONG_QUERY)}", timeout=10)
    assert answer.status_code == 200 and "items" in answer.json()


def test_a_url_longer_than_the_app_accepts_gets_the_apps_own_414(server):
    too_long = quote("很长的查询" * 3000)  # 45,000 bytes
    page = requests.get(f"{server.url}/search?q={too_long}", timeout=10)
    assert page.status_code == 414 and "网址太长" in page.text and 'lang="zh-CN"' in page.text
    answer = requests.get(f"{server.url}/api/v1/search?q={too_long}", timeout=10)
    assert answer.status_code == 414 and answer.json()["error"]["code"] == "uri_too_long"


def _chunks(total: int, size: int = 64 * 1024):
    sent = 0
    yield b'{"title": "'
    while sent < total:
        yield b"x" * size
        sent += size
    yield b'"}'


def test_a_chunked_3mb_body_is_a_413(server):
    answer = requests.post(f"{server.url}/api/v1/posts", data=_chunks(3 * 1024 * 1024), timeout=20,
                           headers={"Content-Type": "application/json"})
    assert answer.status_code == 413, answer.text[:300]
    assert answer.json()["error"]["code"] == "too_large"
    page = requests.post(f"{server.url}/login", data=_chunks(3 * 1024 * 1024), timeout=20,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert page.status_code == 413 and 'lang="zh-CN"' in page.text


def test_a_small_chunked_json_body_is_read(server):
    answer = requests.post(f"{server.url}/api/v1/posts", data=iter([b'{"title": ', b'"x"}']), timeout=10,
                           headers={"Content-Type": "application/json"})
    assert answer.status_code == 401  # read and understood: only the missing login refuses it
