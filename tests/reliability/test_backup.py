"""`flask backup` while members write, then `flask restore` into a new instance: the manifest's
counts hold, and search answers from a rebuilt index."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from community.core.database import write_intent
from community.extensions import db
from tests import factories
from tests.conftest import build_app
from tests.realtime.servers import ROOT, server_env

pytestmark = pytest.mark.sqlite_only

FLASK = Path(sys.executable).with_name("flask")


def flask(env, *args):
    return subprocess.run([str(FLASK), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def counts(db_path):
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        found = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                 for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                          "AND name NOT LIKE 'sqlite_%'")}
    conn.close()
    return found


def test_a_backup_taken_during_writes_restores_into_a_new_instance(tmp_path, migrated_db):
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    shutil.copy(migrated_db, old / "community.db")
    app = build_app(old, SQLALCHEMY_DATABASE_URI=f"sqlite:///{old / 'community.db'}")
    with app.app_context():
        w = factories.world()
        for n in range(20):
            factories.post(w["member"], w["category"], title=f"备份之前的座椅加热反馈{n}", body="冬天座椅加热太慢。" * 30)
        db.session.commit()
        member_id, category_id = w["member"].id, w["category"].id
        db.session.remove()

    stop, written = threading.Event(), []

    def keep_writing():  # a member posting all along, through the services and SQLite's locks
        with app.app_context():
            token = write_intent.set(True)
            from community.accounts.models import User
            from community.routing.models import Category

            member, category = db.session.get(User, member_id), db.session.get(Category, category_id)
            while not stop.is_set():
                factories.post(member, category, title=f"备份期间写入的反馈{len(written)}", body="正在备份。" * 20)
                db.session.commit()
                written.append(1)
            write_intent.reset(token)
            db.session.remove()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        backup = flask(server_env(old, old / "community.db"), "backup", str(tmp_path / "site.backup"))
    finally:
        stop.set()
        writer.join(30)
    assert backup.returncode == 0, backup.stderr
    assert written, "nothing was written during the backup"
    manifest = json.loads((tmp_path / "site.backup.manifest.json").read_text())
    assert manifest["counts"] == counts(tmp_path / "site.backup")  # one consistent snapshot
    assert manifest["counts"]["posts"] >= 21
    assert counts(old / "community.db")["posts"] >= manifest["counts"]["posts"]

    env = server_env(new, new / "community.db")
    restore = flask(env, "restore", str(tmp_path / "site.backup"))
    assert restore.returncode == 0, restore.stderr
    assert "Search index rebuilt" in restore.stdout
    restored = counts(new / "community.db")
    # The outbox of documents to index is emptied by the rebuild that follows the restore.
    assert {t: n for t, n in restored.items() if t != "search_outbox"} == \
        {t: n for t, n in manifest["counts"].items() if t != "search_outbox"}
    check = flask(env, "search", "check")
    assert check.returncode == 0 and "OK" in check.stdout, check.stdout + check.stderr
    app_new = build_app(new, SQLALCHEMY_DATABASE_URI=f"sqlite:///{new / 'community.db'}",
                        SEARCH_INDEX_DIR=str(new / "search_index"))
    found = app_new.test_client().get("/api/v1/search?q=座椅加热").get_json()
    assert found["total"] == 20

    again = flask(env, "restore", str(tmp_path / "site.backup"))  # the new instance holds data now
    assert again.returncode != 0 and "--yes" in again.stderr


@pytest.mark.scaled
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_postgresql_backup_and_restore_with_pg_dump(tmp_path):
    from flask_migrate import upgrade

    from tests import databases

    source, target = databases.create_database(), databases.create_database()
    try:
        app = build_app(tmp_path / "a", SQLALCHEMY_DATABASE_URI=databases.url_of(source))
        with app.app_context():
            upgrade()
            w = factories.world()
            factories.post(w["member"], w["category"], title="数据库备份里的空调反馈", body="制冷很慢。" * 20)
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        env = dict(server_env(tmp_path / "a", tmp_path / "unused.db"), DATABASE_URL=databases.url_of(source))
        backup = flask(env, "backup", str(tmp_path / "pg.backup"))
        assert backup.returncode == 0, backup.stderr
        manifest = json.loads((tmp_path / "pg.backup.manifest.json").read_text())
        assert manifest["dialect"] == "postgresql" and manifest["counts"]["posts"] == 2

        env_new = dict(server_env(tmp_path / "b", tmp_path / "unused.db"), DATABASE_URL=databases.url_of(target))
        restore = flask(env_new, "restore", str(tmp_path / "pg.backup"))
        assert restore.returncode == 0, restore.stderr
        assert "Search index rebuilt: 2 documents" in restore.stdout  # counts were checked before it
    finally:
        databases.drop_database(source)
        databases.drop_database(target)
