"""Keeping the index a faithful copy of the database.

Changes are collected per transaction (session `after_flush`), handed over only after
the commit and dropped on rollback (see listeners.py). What is handed over is just
keys ("post:12", "comment:34"): the single writer thread of each process reloads the
committed rows itself, so whichever process writes last writes the latest state, and
an update can be repeated safely.

One writer at a time: inside a process, one thread owns all writes; across
processes, Whoosh's file lock decides, and a busy lock means "wait and retry" —
keys stay queued until written, so nothing is lost and no LockError reaches a user.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from community.core import permissions
from community.core.database import write_intent
from community.extensions import db
from community.feedback.models import Comment, Post
from community.search.engine import POST_TREE, IndexStore, LockBusy, SearchUnavailable
from community.search.models import SearchOutbox

log = logging.getLogger(__name__)

POST_COLUMNS = (Post.id, Post.title, Post.body, Post.kind, Post.feedback_type, Post.status, Post.category_id,
                Post.product_id, Post.department_id, Post.author_id, Post.created_at, Post.vote_count,
                Post.is_hidden, Post.deleted_at, Post.merged_into_id)


def _post_fields(row) -> dict:
    return {
        "post_id": row.id,
        "kind": row.kind,
        "feedback_type": row.feedback_type,
        "status": row.status,
        "category_id": row.category_id,
        "product_id": row.product_id,
        "department_id": row.department_id,
        "post_author_id": row.author_id,
        "votes": row.vote_count or 0,
        "hidden": bool(row.is_hidden),
        "deleted": row.deleted_at is not None,
        "merged": row.merged_into_id is not None,
    }


def post_document(row) -> dict:
    return {**_post_fields(row), "key": f"post:{row.id}", "doc_type": "post", "title": row.title,
            "body": row.body, "author_id": row.author_id, "created": row.created_at}


def comment_document(post_row, comment_row) -> dict:
    return {**_post_fields(post_row), "key": f"comment:{comment_row.id}", "doc_type": "comment",
            "comment_id": comment_row.id, "comment": comment_row.body,
            "author_id": comment_row.author_id, "created": comment_row.created_at}


def _comment_is_public(row) -> bool:
    # Internal notes, hidden and deleted comments are never indexed.
    return not (row.is_internal or row.is_hidden or row.deleted_at is not None)


COMMENT_COLUMNS = (Comment.id, Comment.post_id, Comment.body, Comment.author_id, Comment.created_at,
                   Comment.is_internal, Comment.is_hidden, Comment.deleted_at)


def documents_for(keys) -> tuple[list[dict], list[str]]:
    """Current documents for some keys: (upserts, deletes). Reads committed rows."""
    post_ids = {int(k.split(":")[1]) for k in keys if k.startswith("post:")}
    comment_ids = {int(k.split(":")[1]) for k in keys if k.startswith("comment:")}
    upserts, deletes = [], []
    if comment_ids:
        rows = db.session.execute(sa.select(*COMMENT_COLUMNS).where(Comment.id.in_(comment_ids))).all()
        found = {r.id for r in rows}
        deletes += [f"comment:{i}" for i in comment_ids - found]
        post_ids_for_comments = {r.post_id for r in rows} - post_ids
        posts = {r.id: r for r in db.session.execute(
            sa.select(*POST_COLUMNS).where(Post.id.in_(post_ids_for_comments))).all()} if post_ids_for_comments else {}
        for row in rows:
            if row.post_id in post_ids:
                continue  # refreshed with its post below
            if _comment_is_public(row) and row.post_id in posts:
                upserts.append(comment_document(posts[row.post_id], row))
            else:
                deletes.append(f"comment:{row.id}")
    if post_ids:
        posts = {r.id: r for r in db.session.execute(sa.select(*POST_COLUMNS).where(Post.id.in_(post_ids))).all()}
        deletes += [f"{POST_TREE}{i}" for i in post_ids - posts.keys()]  # gone, with its comments
        for row in posts.values():
            upserts.append(post_document(row))
        # A post's comments carry its status, votes and visibility: refresh them together.
        for row in db.session.execute(sa.select(*COMMENT_COLUMNS).where(Comment.post_id.in_(posts.keys()))).all():
            if _comment_is_public(row):
                upserts.append(comment_document(posts[row.post_id], row))
            else:
                deletes.append(f"comment:{row.id}")
    return upserts, deletes


def iter_all_documents(batch: int = 2000):
    """Every document, streamed in id order with plain column reads (no ORM objects)."""
    last = 0
    while True:
        posts = db.session.execute(sa.select(*POST_COLUMNS).where(Post.id > last).order_by(Post.id).limit(batch)).all()
        if not posts:
            return
        by_id = {r.id: r for r in posts}
        for row in posts:
            yield post_document(row)
        comments = db.session.execute(
            sa.select(*COMMENT_COLUMNS).where(Comment.post_id.in_(by_id.keys()),
                                              permissions.public_comments_clause(Comment))).all()
        for row in comments:
            yield comment_document(by_id[row.post_id], row)
        last = posts[-1].id


def expected_keys() -> set[str]:
    posts = {f"post:{i}" for i in db.session.execute(sa.select(Post.id)).scalars()}
    comments = {f"comment:{i}" for i in db.session.execute(
        sa.select(Comment.id).where(permissions.public_comments_clause(Comment))).scalars()}
    return posts | comments


# Rebuild ---------------------------------------------------------------------------------

@dataclass
class RebuildReport:
    documents: int
    seconds: float
    replayed: int
    path: Path


def outbox_rows(keys=None, limit: int = 50_000) -> list[tuple[int, str]]:
    """(id, key) of outbox rows committed so far, for some keys or all (oldest first)."""
    stmt = sa.select(SearchOutbox.id, SearchOutbox.key).order_by(SearchOutbox.id).limit(limit)
    if keys is not None:
        stmt = stmt.where(SearchOutbox.key.in_(sorted(keys)))
    try:
        return [tuple(r) for r in db.session.execute(stmt)]
    except sa.exc.DBAPIError:  # not migrated yet (e.g. `flask db upgrade` itself)
        db.session.rollback()
        return []


def clear_outbox(ids) -> None:
    """Forget rows whose changes are in the index (their own short write transaction)."""
    ids = sorted(ids)
    token = write_intent.set(True)
    try:
        for start in range(0, len(ids), 500):
            db.session.execute(sa.delete(SearchOutbox).where(SearchOutbox.id.in_(ids[start:start + 500])))
        db.session.commit()
    except sa.exc.DBAPIError:
        db.session.rollback()  # left for the next drain: re-indexing a key again is harmless
        log.warning("search outbox: could not clear %d written rows; they will be indexed again", len(ids))
    finally:
        write_intent.reset(token)


def rebuild(store: IndexStore) -> RebuildReport:
    """Build a new generation from the database, swap it in atomically, then replay what
    live writers changed meanwhile (they journal their keys while `rebuilding` exists)."""
    started = time.perf_counter()
    store.root.mkdir(parents=True, exist_ok=True)
    store.rebuild_marker.write_text(str(os.getpid()))
    try:
        # Safe to empty now: anything a writer journaled so far was committed before our reads below.
        store.journal.write_text("")
        covered = [row_id for row_id, _key in outbox_rows()]  # committed before the build reads
        db.session.rollback()
        path = store.new_generation()
        count = store.bulk_build(iter_all_documents(), path)
        db.session.rollback()  # end the read snapshot; replay must read fresh rows
        store.swap_to(path)
        keys = set(store.journal.read_text().split()) if store.journal.exists() else set()
        if keys:
            upserts, deletes = documents_for(keys)
            db.session.rollback()
            _apply_with_retry(store, upserts, deletes, path=path)
    finally:
        store.rebuild_marker.unlink(missing_ok=True)
    if covered and current_app.config.get("SEARCH_OUTBOX_CLEAR_WRITTEN", True):
        clear_outbox(covered)
    return RebuildReport(documents=count, seconds=time.perf_counter() - started, replayed=len(keys), path=path)


def _apply_with_retry(store: IndexStore, upserts, deletes, *, path: Path | None = None,
                      give_up_after: float | None = None) -> Path:
    delay, started = 0.05, time.monotonic()
    while True:
        try:
            return store.apply(upserts, deletes, path=path)
        except LockBusy:
            if give_up_after is not None and time.monotonic() - started > give_up_after:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


# The per-process writer ------------------------------------------------------------------

class Indexer:
    """One background thread per process (per app) that owns every index write."""

    IDLE_EXIT_SECONDS = 30.0
    MAX_BATCH = 500
    REBUILD_ABOVE = 20_000  # queued keys

    def __init__(self, app, store: IndexStore):
        self.app = app
        self.store = store
        # Production re-reads the outbox this often (what another process committed and then
        # died before indexing); 0 (tests): only when the thread starts.
        self.outbox_poll_seconds = float(app.config.get("SEARCH_OUTBOX_POLL_SECONDS", 30))
        self.clear_written = bool(app.config.get("SEARCH_OUTBOX_CLEAR_WRITTEN", True))
        self._started_once = False
        self._pending: set[str] = set()
        self._rebuild_requested = False
        self._busy = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        self._atexit_registered = False
        # Searches running at once in this process (services._search_slot).
        self.search_slots = threading.BoundedSemaphore(int(app.config.get("SEARCH_CONCURRENCY", 4)))

    # Producers -------------------------------------------------------------------------
    def enqueue(self, keys) -> None:
        keys = set(keys)
        if not keys:
            return
        with self._cond:
            self._pending |= keys
            self._ensure_thread()
            self._cond.notify_all()

    def start(self) -> None:
        """Start the writer now: it first drains what the outbox holds."""
        with self._cond:
            self._ensure_thread()

    def start_once(self) -> None:
        if not self._started_once:
            self._started_once = True
            self.start()

    def drain_outbox(self) -> int:
        """Queue every key still in the outbox; returns how many."""
        with self.app.app_context():
            token = write_intent.set(False)
            try:
                keys = {key for _id, key in outbox_rows()}
            finally:
                write_intent.reset(token)
                db.session.remove()
        if keys:
            log.info("search outbox: %d documents to index", len(keys))
            with self._cond:
                self._pending |= keys
                self._cond.notify_all()
        return len(keys)

    def request_rebuild(self) -> None:
        with self._cond:
            self._rebuild_requested = True
            self._ensure_thread()
            self._cond.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is written. True when drained."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._busy or self._rebuild_requested:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
        return True

    @property
    def rebuilding(self) -> bool:
        return self._rebuild_requested or self.store.rebuild_marker.exists()

    def health(self) -> dict:
        """The index's part of /healthz: does it open, is it being rebuilt, how much is queued."""
        usable, problem = index_health(self.store)
        with self._cond:
            queued = len(self._pending)
        report = {"ok": usable, "rebuilding": self.rebuilding, "queued": queued}
        if problem:
            report["problem"] = problem
        if self.last_error:
            report["last_error"] = self.last_error[:300]
        return report

    # The thread --------------------------------------------------------------------------
    def _ensure_thread(self) -> None:
        if not self._atexit_registered:
            # A short-lived process (a CLI command) must not exit with updates still queued.
            atexit.register(self.flush, 15.0)
            self._atexit_registered = True
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="search-indexer", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        failures = 0
        drained_at = None
        while True:
            if drained_at is None or (self.outbox_poll_seconds and
                                      time.monotonic() - drained_at > self.outbox_poll_seconds):
                drained_at = time.monotonic()
                try:
                    self.drain_outbox()
                except Exception:
                    log.exception("search outbox: could not be read; will retry")
            with self._cond:
                idle_since = time.monotonic()
                while not self._pending and not self._rebuild_requested:
                    if self.outbox_poll_seconds and time.monotonic() - drained_at > self.outbox_poll_seconds:
                        break
                    if not self.outbox_poll_seconds and time.monotonic() - idle_since > self.IDLE_EXIT_SECONDS:
                        self._thread = None
                        return
                    self._cond.wait(1.0)
                if not self._pending and not self._rebuild_requested:
                    continue  # time to look at the outbox again
                if len(self._pending) > self.REBUILD_ABOVE:
                    # A bulk change (an import, a mass moderation): rebuilding is faster.
                    self._pending.clear()
                    self._rebuild_requested = True
                rebuild_now = self._rebuild_requested
                batch = set(list(self._pending)[: self.MAX_BATCH])
                self._pending -= batch
                self._busy = True
            try:
                if rebuild_now:
                    self._rebuild()
                if batch:
                    self._write(batch)
                failures = 0
                self.last_error = None
            except Exception as exc:
                failures += 1
                self.last_error = str(exc)
                log.exception("search indexing failed; will retry")
                with self._cond:
                    self._pending |= batch  # never drop an update: retry after a pause
                time.sleep(min(0.2 * 2 ** failures, 30.0))
            finally:
                with self._cond:
                    if rebuild_now:
                        self._rebuild_requested = False
                    self._busy = False
                    self._cond.notify_all()

    def _rebuild(self) -> None:
        with self.app.app_context():
            token = write_intent.set(False)
            try:
                report = rebuild(self.store)
                log.info("search index rebuilt: %d documents in %.1fs", report.documents, report.seconds)
            finally:
                write_intent.reset(token)
                db.session.remove()

    def _write(self, keys: set[str]) -> None:
        current = self.store.current_dir()
        if current is None or not current.is_dir():
            # The index is gone (deleted, never built): writing this batch would create a
            # near-empty index that answers searches with silence. Rebuild all of it instead.
            with self._cond:
                self._rebuild_requested = True
            return
        with self.app.app_context():
            token = write_intent.set(False)  # reads only: never take SQLite's write lock
            try:
                # Outbox rows visible now were committed before the rows read next.
                outbox_ids = [row_id for row_id, _key in outbox_rows(keys)]
                upserts, deletes = documents_for(keys)
            finally:
                write_intent.reset(token)
                db.session.remove()
        if self.store.rebuild_marker.exists():
            with open(self.store.journal, "a", encoding="utf-8") as fh:
                fh.write("".join(f"{k}\n" for k in keys))
        written_to = _apply_with_retry(self.store, upserts, deletes)
        current = self.store.current_dir()
        if current is not None and current != written_to:
            # A rebuild swapped generations while we wrote: write the batch there too.
            _apply_with_retry(self.store, upserts, deletes, path=current)
        if outbox_ids and self.clear_written:
            with self.app.app_context():
                try:
                    clear_outbox(outbox_ids)
                finally:
                    db.session.remove()


def get_indexer(app=None) -> Indexer:
    from flask import current_app

    app = app or current_app
    return app.extensions["search"]


def index_health(store: IndexStore) -> tuple[bool, str | None]:
    """(usable, problem) for admin hints."""
    try:
        store.open()
        return True, None
    except SearchUnavailable as exc:
        return False, str(exc)
