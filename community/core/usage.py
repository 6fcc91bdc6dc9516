"""Last-use bookkeeping (tokens, sessions) written off the request path.

A read must never fail, or wait, for bookkeeping: under SQLite a read request that writes
queues behind every writer and can end in "database is locked". So a request only notes
"row N of table T was used"; at most once per interval per row and process, one
background thread writes `UPDATE t SET col = now WHERE id = N` in its own short
transaction. A failed write is logged and forgotten; the next use after the interval
tries again.
"""
from __future__ import annotations

import logging
import queue
import threading
import time

import sqlalchemy as sa

from community.core import clock
from community.extensions import db

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60.0

_pending: queue.Queue = queue.Queue(maxsize=10_000)
_last_noted: dict[tuple, float] = {}
_lock = threading.Lock()
_worker: threading.Thread | None = None
_idle = threading.Event()
_idle.set()


def note_use(app, table: str, column: str, row_id: int) -> None:
    """Record that row `row_id` of `table` was used now; cheap, never raises, never blocks."""
    try:
        if not app.config.get("RECORD_LAST_USE", True):
            return
        key = (id(app), table, row_id)
        now = time.monotonic()
        interval = app.config.get("LAST_USED_INTERVAL_SECONDS", INTERVAL_SECONDS)
        with _lock:
            last = _last_noted.get(key)
            if last is not None and now - last < interval:
                return
            _last_noted[key] = now
            if len(_last_noted) > 50_000:  # bounded: forget the oldest half
                for old in sorted(_last_noted, key=_last_noted.get)[:25_000]:
                    del _last_noted[old]
        _idle.clear()
        _pending.put_nowait((app, table, column, row_id, clock.now()))
        _ensure_worker()
    except Exception:  # bookkeeping must never fail the request
        log.warning("could not note the use of %s %s", table, row_id, exc_info=True)


def mark_fresh(app, table: str, row_id: int) -> None:
    """The row was just written with a fresh time: no need to note it again within the interval."""
    with _lock:
        _last_noted[(id(app), table, row_id)] = time.monotonic()


def _ensure_worker() -> None:
    global _worker
    with _lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_run, name="last-used-writer", daemon=True)
            _worker.start()


def _run() -> None:
    while True:
        try:
            item = _pending.get(timeout=5)
        except queue.Empty:
            _idle.set()
            continue
        try:
            _write(*item)
        except Exception:
            log.warning("could not record the use of %s %s", item[1], item[3], exc_info=True)
        finally:
            if _pending.empty():
                _idle.set()


def _write(app, table: str, column: str, row_id: int, at) -> None:
    with app.app_context():
        t = sa.table(table, sa.column("id"), sa.column(column))
        with db.engine.begin() as conn:
            conn.execute(sa.update(t).where(t.c.id == row_id).values({column: at}))


def wait_idle(timeout: float = 5.0) -> bool:
    """For tests and shutdown: True once everything noted so far is written (or given up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _pending.empty() and _idle.wait(0.05):
            return True
    return False
