"""SQLite write transactions: writers of one process take turns on a lock, readers never wait."""
from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from community.core.database import write_intent
from community.extensions import db

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def engine(app):
    db.session.remove()  # the test's own session must not hold the write lock
    token = write_intent.set(True)  # conftest makes the test thread a reader; here it writes
    with db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE scratch (v TEXT UNIQUE)"))
    yield db.engine
    write_intent.reset(token)


def _write(engine, value: str, log: list, seen: dict | None = None) -> None:
    with engine.connect() as conn:
        with conn.begin():
            log.append(("begin", value))
            if seen is not None:
                seen[value] = conn.execute(sa.text("SELECT count(*) FROM scratch")).scalar()
            conn.execute(sa.text("INSERT INTO scratch (v) VALUES (:v)"), {"v": value})
        log.append(("commit", value))


def test_a_second_writer_waits_for_the_first_to_commit(engine):
    log: list = []
    first_began, release_first = threading.Event(), threading.Event()

    def first():
        with engine.connect() as conn:
            with conn.begin():
                log.append(("begin", "first"))
                conn.execute(sa.text("INSERT INTO scratch (v) VALUES ('a')"))
                first_began.set()
                release_first.wait(5)
            log.append(("commit", "first"))

    a = threading.Thread(target=first)
    a.start()
    assert first_began.wait(5)
    seen: dict = {}
    second_tries = threading.Event()

    def second():
        second_tries.set()
        _write(engine, "second", log, seen)

    b = threading.Thread(target=second)
    b.start()
    assert second_tries.wait(5)
    # The second writer is on its way in: for a moment it must stay queued behind the open
    # write transaction (the proof that it began after the first committed is what it read).
    deadline = time.monotonic() + 0.3
    while time.monotonic() < deadline:
        assert ("begin", "second") not in log
        time.sleep(0.01)
    release_first.set()
    a.join(5)
    b.join(5)
    # The threads append to the log outside their transactions, so "commit first" and
    # "begin second" may be logged in either order; what the second writer read is not racy.
    assert log[0] == ("begin", "first")
    assert sorted(log) == sorted([("begin", "first"), ("commit", "first"), ("begin", "second"), ("commit", "second")])
    assert seen == {"second": 1}  # its transaction began after the first one's row was committed


def test_a_failed_write_transaction_lets_the_next_writer_in_at_once(engine):
    with pytest.raises(sa.exc.IntegrityError):
        with engine.connect() as conn, conn.begin():
            conn.execute(sa.text("INSERT INTO scratch (v) VALUES ('dup')"))
            conn.execute(sa.text("INSERT INTO scratch (v) VALUES ('dup')"))
    log: list = []
    started = time.monotonic()
    t = threading.Thread(target=_write, args=(engine, "after-failure", log))
    t.start()
    t.join(20)
    assert log[-1] == ("commit", "after-failure")
    assert time.monotonic() - started < 5  # not the 15 s lock timeout of a leaked lock


def test_readers_do_not_wait_for_an_open_write_transaction(engine):
    results: list = []
    with engine.connect() as writer, writer.begin():
        writer.execute(sa.text("INSERT INTO scratch (v) VALUES ('w')"))

        def read():
            write_intent.set(False)  # a thread starts with the default; reads opt out as GET requests do
            with engine.connect() as conn, conn.begin():
                results.append(conn.execute(sa.text("SELECT count(*) FROM scratch WHERE v = 'w'")).scalar())

        t = threading.Thread(target=read)
        t.start()
        t.join(5)
        assert results == [0]  # answered while the writer was still open, from the last commit
