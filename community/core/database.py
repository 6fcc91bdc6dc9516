"""Database engine setup: SQLite pragmas and write transactions that do not deadlock."""
from __future__ import annotations

from contextvars import ContextVar

import sqlalchemy as sa
from flask import Flask

# In SQLite's WAL mode a read transaction that later writes fails at once (SQLITE_BUSY)
# if another writer committed meanwhile, whatever the busy timeout. Transactions that
# are meant to write therefore start with BEGIN IMMEDIATE and queue on the busy timeout.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


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

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def insert_ignore(table):
    """INSERT … ON CONFLICT DO NOTHING for the current dialect."""
    from community.extensions import db

    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()
