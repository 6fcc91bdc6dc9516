"""kill -9 between commit and indexing loses nothing: the outbox row, written in the same
transaction, is indexed by the next server process. Real gunicorn processes, real files."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time

import pytest
import requests

from tests import factories
from tests.conftest import build_app
from tests.realtime.servers import GUNICORN, ROOT, Server, login, server_env

pytestmark = pytest.mark.slow

FLASK = GUNICORN.with_name("flask")
WORD = "通风口异响"


def flask_cli(workdir, db_path, *args):
    return subprocess.run([str(FLASK), *args], cwd=ROOT, env=server_env(workdir, db_path), capture_output=True,
                          text=True, timeout=120)


def test_a_write_whose_process_was_killed_before_indexing_is_indexed_by_the_next_one(tmp_path, migrated_db):
    from community.extensions import db
    from community.search.engine import IndexStore

    db_path = tmp_path / "community.db"
    shutil.copy(migrated_db, db_path)
    app = build_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_path}")
    with app.app_context():
        w = factories.world()
        db.session.commit()
        member, post_id = w["member"].username, w["post"].id
        db.session.remove()
        db.engine.dispose()
    assert flask_cli(tmp_path, db_path, "search", "reindex").returncode == 0
    first = Server(tmp_path, db_path).wait_ready()
    ix = IndexStore(tmp_path / "search_index").open()
    writer = ix.writer()  # holds the index's write lock: the server's indexer keeps the key in memory
    try:
        http = login(first, member, factories.PASSWORD)
        response = http.post(f"{first.url}/posts/{post_id}/comments",
                             data={"body": f"出风口有{WORD}，开到三档就响", "csrf_token": http.csrf}, allow_redirects=False)
        assert response.status_code == 302
        first.kill()  # kill -9: the in-memory queue is gone
    finally:
        writer.cancel()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM search_outbox").fetchone()[0] >= 1  # durable
    drift = flask_cli(tmp_path, db_path, "search", "check")
    assert drift.returncode == 1 and "missing from the index" in drift.stdout, drift.stdout + drift.stderr
    second = Server(tmp_path, db_path).wait_ready()  # its first request starts the writer
    try:
        deadline = time.monotonic() + 30
        while requests.get(f"{second.url}/api/v1/search", params={"q": WORD}, timeout=10).json()["total"] != 1:
            assert time.monotonic() < deadline, second.log()[-3000:]
            time.sleep(0.2)
        deadline = time.monotonic() + 30
        while True:  # and forgets the rows it wrote
            with sqlite3.connect(db_path) as conn:
                if conn.execute("SELECT count(*) FROM search_outbox").fetchone()[0] == 0:
                    break
            assert time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        second.stop()
    check = flask_cli(tmp_path, db_path, "search", "check")
    assert check.returncode == 0, check.stdout + check.stderr
