"""Errors that say what happened: a write lock held by another process, a full disk and a
read-only disk answer 503 / 507 with a message in the reader's language, keep what a form
sent, and the instance recovers without a restart once the fault is gone.

The faults are real: another process holds BEGIN EXCLUSIVE on the SQLite file; the database
lives on a small tmpfs that a filler file fills up; a read-only bind mount of that tmpfs
(while the WAL files exist, as when another process has the database open) lets SQLite open
the file read-only, as on a disk that was mounted read-only. Mounting needs root.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time

import pytest

from community.extensions import db
from tests import factories
from tests.conftest import build_app

pytestmark = pytest.mark.sqlite_only

BUSY_MS = 300


def _run(*command) -> bool:
    return subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


@pytest.fixture(scope="module")
def disk(tmp_path_factory):
    """A 24 MB tmpfs (`real`) and a bind mount of it (`seen`) that the app uses and we can make read-only."""
    base = tmp_path_factory.mktemp("disk")
    real, seen = base / "real", base / "seen"
    real.mkdir()
    seen.mkdir()
    if os.geteuid() != 0 or not _run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(real)):
        pytest.skip("needs root to mount a tmpfs")
    if not _run("mount", "--bind", str(real), str(seen)):
        _run("umount", str(real))
        pytest.skip("bind mounts are not available")
    try:
        yield {"real": real, "seen": seen}
    finally:
        _run("mount", "-o", "remount,bind,rw", str(seen))
        _run("umount", "-l", str(seen))
        _run("umount", "-l", str(real))


@pytest.fixture(scope="module")
def site(disk, tmp_path_factory, migrated_db):
    shutil.copy(migrated_db, disk["real"] / "community.db")
    work = tmp_path_factory.mktemp("site")
    app = build_app(work, SQLALCHEMY_DATABASE_URI=f"sqlite:///{disk['seen'] / 'community.db'}",
                    SQLITE_BUSY_TIMEOUT_MS=BUSY_MS)
    with app.app_context():
        w = factories.world()
        data = {"member": w["member"].id, "post": w["post"].id}
        db.session.remove()
    # Another process has the database open, so its WAL files stay (as with a second worker or
    # a CLI command); in this process SQLite would keep closed connections' files open for it.
    keeper = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys\n"
         f"c = sqlite3.connect({str(disk['real'] / 'community.db')!r})\n"
         "c.execute('SELECT count(*) FROM posts').fetchall()\nprint('open', flush=True)\nsys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert keeper.stdout.readline().strip() == "open"
    yield {"app": app, "db_path": disk["real"] / "community.db", **disk, **data}
    keeper.stdin.close()
    keeper.wait(5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def member(site):
    app = site["app"]
    client = app.test_client()
    with app.app_context():
        from community.accounts.models import User

        client.login_as(db.session.get(User, site["member"]))
        db.session.remove()
    client.csrf_token()
    return client


def comment_count(site) -> int:
    with contextlib.closing(sqlite3.connect(site["db_path"])) as conn:
        return conn.execute("SELECT count(*) FROM comments WHERE post_id = ?", (site["post"],)).fetchone()[0]


@contextlib.contextmanager
def write_lock_held_by_another_process(db_path):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys\n"
         f"c = sqlite3.connect({str(db_path)!r}, isolation_level=None)\n"
         "c.execute('BEGIN EXCLUSIVE')\n"
         "print('locked', flush=True)\n"
         "sys.stdin.read()\n"
         "c.execute('ROLLBACK')\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.stdin.close()
        holder.wait(5)


def send_comment(client, site, body, *, api=False):
    if api:
        return client.post(f"/api/v1/posts/{site['post']}/comments", json={"body": body},
                           headers={"X-CSRFToken": client.csrf_token()})
    return client.post_form(f"/posts/{site['post']}/comments", {"body": body})


def assert_form_kept(page: str, body: str) -> None:
    assert f">{body}</textarea>" in page  # what was written, in a form that sends it again
    assert 'name="csrf_token"' in page and "重新提交" in page


def test_a_write_lock_held_elsewhere_answers_503_busy_after_a_bounded_wait(site, member):
    before = comment_count(site)
    body = "另一个进程锁住数据库时写下的评论"
    with write_lock_held_by_another_process(site["db_path"]):
        started = time.monotonic()
        page = send_comment(member, site, body)
        seconds = time.monotonic() - started
        assert page.status_code == 503 and seconds < 3, (page.status_code, seconds)
        assert page.headers["Retry-After"] == "1"
        html = page.get_data(as_text=True)
        assert "服务器繁忙，请稍后重试" in html
        assert_form_kept(html, body)
        assert 'class="site-header"' in html or "<nav" in html  # the site's frame, read while the lock is held

        answer = send_comment(member, site, body, api=True)
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
        assert answer.get_json()["error"]["code"] == "database_busy"
        english = member.post(f"/api/v1/posts/{site['post']}/comments", json={"body": body},
                              headers={"X-CSRFToken": member.csrf_token(), "Accept-Language": "en"})
        assert "server is busy" in english.get_json()["error"]["message"]
    assert comment_count(site) == before
    assert send_comment(member, site, body).status_code == 302  # the lock is gone: the same form goes through
    assert comment_count(site) == before + 1


@contextlib.contextmanager
def full_disk(site):
    # Empty the WAL first (it is reused in place otherwise), then fill what is left of the disk.
    with contextlib.closing(sqlite3.connect(site["db_path"])) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    filler = site["real"] / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        chunk = b"\0" * 65536
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, chunk)
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0")
        yield
    finally:
        os.close(fd)
        filler.unlink()


def test_a_full_disk_answers_507_and_keeps_the_form(site, member):
    before = comment_count(site)
    body = "磁盘写满时写下的评论。" * 40
    with full_disk(site):
        page = send_comment(member, site, body)
        assert page.status_code == 507
        html = page.get_data(as_text=True)
        assert "服务器存储空间不足，内容未保存" in html
        assert_form_kept(html, body)
        answer = send_comment(member, site, body, api=True)
        assert answer.status_code == 507 and answer.get_json()["error"]["code"] == "storage_full"
    assert comment_count(site) == before
    assert send_comment(member, site, body).status_code == 302  # space again: no restart needed
    assert comment_count(site) == before + 1


def test_a_read_only_disk_answers_503_and_writes_work_again_once_it_is_writable(site, member):
    app = site["app"]
    with app.app_context():
        db.engine.dispose()  # the next connections open while the disk is read-only
    before = comment_count(site)
    body = "只读磁盘上写下的评论"
    assert _run("mount", "-o", "remount,bind,ro", str(site["seen"]))
    try:
        assert member.get(f"/posts/{site['post']}").status_code == 200  # reading still works
        for _ in range(2):
            page = send_comment(member, site, body)
            assert page.status_code == 503 and page.headers["Retry-After"]
            html = page.get_data(as_text=True)
            assert "数据库暂时不可用" in html
            assert_form_kept(html, body)
        answer = send_comment(member, site, body, api=True)
        assert answer.status_code == 503 and answer.get_json()["error"]["code"] == "database_unavailable"
    finally:
        assert _run("mount", "-o", "remount,bind,rw", str(site["seen"]))
    # The connections opened read-only were discarded: the next write goes through, no restart.
    assert send_comment(member, site, body).status_code == 302
    assert comment_count(site) == before + 1
