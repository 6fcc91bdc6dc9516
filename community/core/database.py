"""Database engine setup: SQLite pragmas and write transactions that do not deadlock."""
from __future__ import annotations

import threading
from contextvars import ContextVar

import sqlalchemy as sa
from flask import Flask

# In SQLite's WAL mode a read transaction that later writes fails at once (SQLITE_BUSY)
# if another writer committed meanwhile, whatever the busy timeout. Transactions that
# are meant to write therefore start with BEGIN IMMEDIATE (see configure_engine for how they queue).
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)

HOLDS_WRITE_LOCK = "community.holds_write_lock"


def is_sqlite(engine) -> bool:
    return engine.dialect.name == "sqlite"


def configure_engine(app: Flask, engine) -> None:
    if not is_sqlite(engine):
        return
    busy_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 15000))

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    # Writers of this process queue on a lock before BEGIN IMMEDIATE. SQLite's busy handler
    # polls with sleeps of up to 100 ms, so under load some writers kept losing the race
    # for seconds (vote p99 of 3 s at 16 connections); a lock hands over at once and in
    # arrival order. Other processes still meet at SQLite's own lock and busy timeout.
    process_writers = threading.Lock()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):
        if not write_intent.get():
            conn.exec_driver_sql("BEGIN")
            return
        # A timeout rather than a deadlock if one thread ever nests two write transactions.
        if process_writers.acquire(timeout=busy_ms / 1000):
            conn.info[HOLDS_WRITE_LOCK] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(conn)
            raise

    def _release(conn, *_args):
        if conn.info.pop(HOLDS_WRITE_LOCK, False):
            process_writers.release()

    sa.event.listen(engine, "commit", _release)
    sa.event.listen(engine, "rollback", _release)


def insert_ignore(table):
    """INSERT … ON CONFLICT DO NOTHING for the current dialect."""
    from community.extensions import db

    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()
