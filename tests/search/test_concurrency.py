"""One writer at a time: threads and a second process write together; nothing is lost."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from community.extensions import db
from community.search import services
from community.search.engine import IndexStore
from community.search.indexer import _apply_with_retry

ROOT = Path(__file__).resolve().parents[2]

OTHER_PROCESS = textwrap.dedent("""
    import sys
    from community.search.engine import IndexStore
    from community.search.indexer import _apply_with_retry
    store = IndexStore(sys.argv[1])
    for n in range(40):
        doc = {"key": f"post:{900000 + n}", "doc_type": "post", "post_id": 900000 + n,
               "title": "另一个进程", "body": "幽灵文档"}
        _apply_with_retry(store, [doc], [])
    print("done")
""")


def test_threads_and_another_process_write_at_once_without_errors_or_losses(app, make, indexed):
    w = make.world()
    posts = [make.post(w["member"], w["category"], title=f"并发写入测试{n}", body="多个线程同时更新索引。")
             for n in range(30)]
    db.session.commit()
    post_ids = [p.id for p in posts]  # plain values: the threads have no app context
    indexer = app.extensions["search"]
    store = indexer.store
    store.ensure()
    errors = []

    other = subprocess.Popen([sys.executable, "-c", OTHER_PROCESS, str(store.root)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def queue_through_the_indexer(chunk):
        try:
            for post_id in chunk:
                indexer.enqueue({f"post:{post_id}"})
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    def write_directly(n):
        # Writers outside the queue (a CLI, another worker) contend for the same file lock.
        try:
            for i in range(10):
                doc = {"key": f"post:{800000 + n * 100 + i}", "doc_type": "post", "post_id": 800000 + n * 100 + i,
                       "title": "线程直接", "body": "幽灵文档"}
                _apply_with_retry(IndexStore(store.root), [doc], [])
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=queue_through_the_indexer, args=(post_ids[i::5],)) for i in range(5)]
    threads += [threading.Thread(target=write_directly, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    out, err = other.communicate(timeout=120)
    assert indexer.flush(timeout=30)

    assert errors == [] and other.returncode == 0, (errors, err)
    assert "LockError" not in err and out.strip() == "done"
    keys = store.all_keys()
    assert {f"post:{i}" for i in post_ids} <= keys
    assert {f"post:{900000 + n}" for n in range(40)} <= keys
    assert {f"post:{800000 + n * 100 + i}" for n in range(3) for i in range(10)} <= keys
    assert services.search(None, "并发写入测试", per_page=50).total == 30
