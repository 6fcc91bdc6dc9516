"""Soak: writes and searches for a while; open index files and memory stay bounded.

Long-lived server threads that searched once and then idle must not keep the segment files
that later merges deleted (seen: ~900 open handles and 3.9 GB under a long write run).
"""
from __future__ import annotations

import os
import threading

from community.extensions import db
from community.search import services

WRITES, SEARCH_THREADS = 60, 16


def index_handles(root) -> tuple[int, int]:
    """(open files of this process under the index, of which deleted)."""
    total = deleted = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if str(root) in target:
            total += 1
            deleted += target.endswith("(deleted)")
    return total, deleted


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) / 1024


def test_idle_threads_do_not_hold_deleted_segments_and_memory_stays_bounded(app, make, indexed):
    w = make.world()
    indexed()
    root = app.extensions["search"].store.root
    done, searched = threading.Event(), threading.Barrier(SEARCH_THREADS + 1)

    def server_thread():  # like one of gunicorn's threads: serves a search, then waits
        with app.app_context():
            services.search(None, "蓝牙")
            db.session.remove()
        searched.wait(timeout=30)
        done.wait(timeout=120)

    threads = [threading.Thread(target=server_thread) for _ in range(SEARCH_THREADS)]
    for t in threads:
        t.start()
    searched.wait(timeout=30)
    before_rss = rss_mb()
    peak = 0
    try:
        for i in range(WRITES):
            make.post(w["member"], w["category"], title=f"第{i}次：蓝牙断连后自动重连失败", body="重启车机才恢复。" * 5)
            indexed()  # each write is its own segment; Whoosh merges small ones as it goes
            if i % 10 == 0:
                assert services.search(None, "蓝牙").total == i + 2
            peak = max(peak, index_handles(root)[0])
        total, deleted = index_handles(root)
    finally:
        done.set()
        for t in threads:
            t.join()
    assert deleted == 0, f"{deleted} deleted index files still open"
    assert peak <= 120, peak  # a few searchers' segments, not one set per thread and generation
    assert rss_mb() - before_rss < 150
