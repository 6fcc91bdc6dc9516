"""Database engine setup: SQLite pragmas, write transactions that do not deadlock, and what
a failing database means (busy, full, unavailable) so that the edge can say so."""
from __future__ import annotations

import errno
import sqlite3
import threading
import time
from contextvars import ContextVar

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from community.extensions import db

# In SQLite's WAL mode a read transaction that later writes fails at once (SQLITE_BUSY)
# if another writer committed meanwhile, whatever the busy timeout. Transactions that
# are meant to write therefore start with BEGIN IMMEDIATE (see configure_engine for how they queue).
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)

HOLDS_WRITE_LOCK = "community.holds_write_lock"

# What a database failure means for the person waiting (core.web answers each one).
BUSY = "busy"                # another writer held the lock past the bounded wait: 503, try again soon
FULL = "full"                # no space left for the write: 507, nothing was saved
UNAVAILABLE = "unavailable"  # read-only, unreachable or broken: 503; the connection is discarded

_SQLITE_KINDS = {"SQLITE_BUSY": BUSY, "SQLITE_LOCKED": BUSY, "SQLITE_FULL": FULL,
                 "SQLITE_READONLY": UNAVAILABLE, "SQLITE_CANTOPEN": UNAVAILABLE, "SQLITE_IOERR": UNAVAILABLE,
                 "SQLITE_NOTADB": UNAVAILABLE, "SQLITE_CORRUPT": UNAVAILABLE, "SQLITE_PERM": UNAVAILABLE}
# PostgreSQL SQLSTATEs: lock_not_available, query_canceled (statement_timeout), deadlock; disk_full;
# read_only_sql_transaction, admin_shutdown, cannot_connect_now, and the 08 class (connection).
_PG_KINDS = {"55P03": BUSY, "57014": BUSY, "40P01": BUSY, "53100": FULL,
             "25006": UNAVAILABLE, "57P01": UNAVAILABLE, "57P02": UNAVAILABLE, "57P03": UNAVAILABLE}


class DatabaseBusy(Exception):
    """This process's writers queued longer than the busy timeout (another writer holds on)."""


def failure_kind(exc: BaseException | None) -> str | None:
    """BUSY, FULL or UNAVAILABLE when `exc` (or what it wraps) is such a database failure, else None."""
    seen = 0
    while exc is not None and seen < 8:
        seen += 1
        if isinstance(exc, (DatabaseBusy, sa.exc.TimeoutError)):  # TimeoutError: the pool had no connection
            return BUSY
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return FULL
        if isinstance(exc, OSError) and exc.errno == errno.EROFS:
            return UNAVAILABLE
        if isinstance(exc, sqlite3.Error):
            name = getattr(exc, "sqlite_errorname", "") or ""  # extended names too: SQLITE_IOERR_WRITE
            for prefix, kind in _SQLITE_KINDS.items():
                if name == prefix or name.startswith(prefix + "_"):
                    return kind
            if "database is locked" in str(exc):
                return BUSY
        sqlstate = getattr(exc, "sqlstate", None)
        if isinstance(sqlstate, str):
            if sqlstate in _PG_KINDS:
                return _PG_KINDS[sqlstate]
            if sqlstate.startswith("08"):
                return UNAVAILABLE
        if isinstance(exc, sa.exc.DBAPIError):
            if exc.connection_invalidated:
                return UNAVAILABLE
            exc = exc.orig
            continue
        exc = exc.__cause__ or exc.__context__
    return None


def is_sqlite(engine) -> bool:
    return engine.dialect.name == "sqlite"


def configure_engine(app: Flask, engine) -> None:
    # After a read-only or unreachable database, connections are not reused until a write has
    # committed again: SQLite keeps a file it opened read-only read-only (and shares its WAL
    # index among the process's connections), so one kept connection would fail every write
    # after the disk is writable again, until a restart.
    suspect = threading.Event()

    @sa.event.listens_for(engine, "handle_error")
    def _discard_broken_connections(context):
        if failure_kind(context.original_exception) == UNAVAILABLE:
            context.is_disconnect = True  # the pool drops this connection
            cursor = getattr(context.execution_context, "cursor", None)
            if cursor is not None:
                # sqlite3 closes a connection only once its statements are done: a cursor
                # kept alive by the traceback would keep the read-only file open.
                try:
                    cursor.close()
                except Exception:
                    pass
            suspect.set()
            context.engine.pool.dispose()  # and closes the idle ones now

    @sa.event.listens_for(engine, "connect")
    def _mark_fresh(_dbapi_conn, record):
        record.info["community.fresh"] = True

    @sa.event.listens_for(engine, "checkout")
    def _reconnect_while_suspect(_dbapi_conn, record, _proxy):
        fresh = record.info.pop("community.fresh", False)
        if suspect.is_set() and not fresh:
            engine.pool.dispose()  # every idle one too: the new connection must share nothing with them
            raise sa.exc.DisconnectionError("reconnecting after a read-only or unavailable database")

    @sa.event.listens_for(engine, "commit")
    def _healthy_again(conn):
        if suspect.is_set() and (conn.info.get(HOLDS_WRITE_LOCK) or not is_sqlite(engine)):
            suspect.clear()

    if engine.dialect.name == "postgresql":
        _bound_postgresql_waits(app, engine)
    if not is_sqlite(engine):
        return
    busy_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5000))

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
        # One bounded wait in all: for this process's writers, then for SQLite's lock (another
        # process) with what is left of it. Past it the request answers 503 database_busy.
        started = time.monotonic()
        if not process_writers.acquire(timeout=busy_ms / 1000):
            raise DatabaseBusy(f"waited {busy_ms} ms for this process's other writers")
        conn.info[HOLDS_WRITE_LOCK] = True
        waited_ms = int((time.monotonic() - started) * 1000)
        try:
            if waited_ms > 10:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={max(1, busy_ms - waited_ms)}")
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            finally:
                if waited_ms > 10:
                    conn.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
        except BaseException:
            _release(conn)
            raise

    def _release(conn, *_args):
        if conn.info.pop(HOLDS_WRITE_LOCK, False):
            process_writers.release()

    sa.event.listen(engine, "commit", _release)
    sa.event.listen(engine, "rollback", _release)

    def _release_record(_dbapi_conn, record, *_args):
        # An invalidated connection (a read-only disk: see _discard_broken_connections above) is never
        # rolled back: its place in the queue is given up when the pool drops or takes it back.
        if record.info.pop(HOLDS_WRITE_LOCK, False):
            process_writers.release()

    sa.event.listen(engine, "invalidate", _release_record)
    sa.event.listen(engine, "soft_invalidate", _release_record)
    sa.event.listen(engine, "checkin", _release_record)


def _bound_postgresql_waits(app: Flask, engine) -> None:
    """A row lock held elsewhere waits at most PG_LOCK_TIMEOUT_MS, a statement runs at most
    PG_STATEMENT_TIMEOUT_MS: then PostgreSQL cancels it (55P03, 57014) and the request answers
    503 database_busy with Retry-After, instead of hanging a thread (0 turns either off)."""
    lock_ms = int(app.config.get("PG_LOCK_TIMEOUT_MS", 5000))
    statement_ms = int(app.config.get("PG_STATEMENT_TIMEOUT_MS", 30000))

    @sa.event.listens_for(engine, "connect")
    def _set_timeouts(dbapi_conn, _record):
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True  # session settings, not undone by the first rollback
        try:
            with dbapi_conn.cursor() as cur:
                cur.execute(f"SET lock_timeout = {lock_ms}")
                cur.execute(f"SET statement_timeout = {statement_ms}")
        finally:
            dbapi_conn.autocommit = autocommit


def insert_ignore(table):
    """INSERT … ON CONFLICT DO NOTHING for the current dialect."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


def increment(obj, attribute: str, delta: int = 1, *, floor: int | None = 0, also: tuple[str, ...] = ()) -> int:
    """Atomic `UPDATE … SET n = n + delta … RETURNING n` on one row; returns the new value.

    A Python `obj.n += 1` writes back the value this transaction read, so concurrent writers
    on PostgreSQL lose increments. The returned value is stored as the object's loaded state
    (not a pending change), so a later flush never writes it back over a newer one. `floor`
    keeps the column from going below it (None: no floor). `also` names columns to read back
    in the same statement (what a derived value such as a score is computed from).
    """
    model = type(obj)
    column = getattr(model, attribute)
    value = column + delta
    if floor is not None and delta < 0:
        value = sa.case((column + delta < floor, floor), else_=column + delta)
    names = (attribute, *also)
    stmt = (sa.update(model).where(model.id == obj.id).values({attribute: value})
            .returning(*(getattr(model, name) for name in names)).execution_options(synchronize_session=False))
    row = db.session.execute(stmt).one()
    for name, loaded in zip(names, row):
        set_committed_value(obj, name, loaded)
    return row[0]


def lock_row(obj) -> None:
    """Re-read `obj` with a row lock (SELECT … FOR UPDATE) before deciding from its state.

    For read-then-write decisions (is it still pending? was it counted?) that two requests
    may take at once. SQLite needs none (BEGIN IMMEDIATE serializes writers). Call it before
    changing `obj`: the refresh discards pending changes.
    """
    if db.engine.dialect.name == "postgresql":
        model = type(obj)
        # Lock only the row itself (eager joins cannot be locked), then read what it now holds.
        db.session.execute(sa.select(model.id).where(model.id == obj.id).with_for_update())
        db.session.refresh(obj)


def lock_for_transaction(key: str) -> None:
    """Serialize transactions that read then write the same logical thing (until commit).

    PostgreSQL: a transaction-scoped advisory lock. SQLite needs none: write transactions
    start with BEGIN IMMEDIATE, so they already run one at a time.
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


def reset_sequences(*tables) -> None:
    """After rows were inserted with explicit ids, move each table's id sequence past them.

    PostgreSQL does not advance a sequence for explicit ids, so the next ordinary INSERT
    would reuse id 1 and fail. SQLite takes max(id) + 1 by itself.
    """
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        name = table.name
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence(:table, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
            f'FROM "{name}"'), {"table": name})
