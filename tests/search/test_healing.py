"""Faults inside the index files and around it: each is seen, said, and healed.

Random bytes inside a segment, a truncated segment (read without mmap: an error, not
SIGBUS), the directory deleted and then a write arriving first, a read-only index folder,
and every search slot busy.
"""
from __future__ import annotations

import os
import random
import shutil
import subprocess

import pytest

from community.extensions import db
from community.search import services


@pytest.fixture
def world(make, indexed):
    w = make.world()
    w["posts"] = [make.post(w["member"], w["category"], title=f"空调制冷太慢{n}", body="夏天开空调半小时才凉下来。" * 20)
                  for n in range(3)]
    indexed()
    return w


def segment_files(app):
    live = app.extensions["search"].store.current_dir()
    files = sorted((p for p in live.iterdir() if p.is_file() and not p.name.endswith(".toc")
                    and not p.name.endswith(".lock")), key=lambda p: p.stat().st_size)
    assert files, list(live.iterdir())
    return files


def postings_region(segment) -> tuple[int, int]:
    """Where a compound segment keeps its postings (Whoosh's own directory of the file)."""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import FileStorage

    compound = CompoundStorage(FileStorage(str(segment.parent), supports_mmap=False).open_file(segment.name),
                               use_mmap=False)
    try:
        entry = next(v for k, v in compound._dir.items() if k.endswith(".pst"))
    finally:
        compound.close()
    return entry["offset"], entry["length"]


def test_random_bytes_inside_the_postings_fail_check(app, world):
    # The stored documents (what the old check compared) stay intact: only searches broke.
    segment = segment_files(app)[-1]
    offset, length = postings_region(segment)
    data = bytearray(segment.read_bytes())
    rng = random.Random(10)
    start, end = offset + length // 5, offset + length * 4 // 5
    data[start:end] = bytes(rng.getrandbits(8) for _ in range(end - start))
    segment.write_bytes(bytes(data))
    store = app.extensions["search"].store
    store.forget_searcher()
    assert store.all_keys()  # the ids still read fine
    result = app.test_cli_runner().invoke(args=["search", "check"])
    assert result.exit_code == 2, result.output
    assert "flask search reindex" in result.output


def test_a_truncated_segment_is_a_handled_error_not_a_crash(app, client, world):
    segment = segment_files(app)[-1]
    with open(segment, "r+b") as fh:
        fh.truncate(segment.stat().st_size // 3)
    app.extensions["search"].store.forget_searcher()
    answer = client.get("/api/v1/search?q=空调")  # with mmap this read was a SIGBUS for the worker
    assert answer.status_code == 503 and answer.get_json()["error"]["code"] == "search_rebuilding"
    assert app.extensions["search"].flush(timeout=30)
    assert client.get("/api/v1/search?q=空调").get_json()["total"] == 3


def test_a_write_after_the_index_was_deleted_does_not_make_a_silent_empty_index(app, client, make, world, indexed):
    indexer = app.extensions["search"]
    shutil.rmtree(indexer.store.root)
    make.post(world["member"], world["category"], title="删除索引后的第一条空调反馈",
              body="索引目录被删除之后，这条反馈先于任何搜索写入。")
    db.session.commit()
    # Was: the write created a new index holding that one post, and searches answered 200
    # with one result, silently, until someone reindexed. Now the write asks for a rebuild.
    answer = client.get("/api/v1/search?q=空调")  # before or during the rebuild: said, never "1 result"
    if answer.status_code == 503:
        assert answer.get_json()["error"]["code"] == "search_rebuilding"
    else:
        assert answer.get_json()["total"] == 4  # the rebuild was already done
    indexed()
    assert client.get("/api/v1/search?q=空调").get_json()["total"] == 4


def test_every_search_slot_busy_answers_503_search_busy(app, client, world):
    slots = app.extensions["search"].search_slots
    app.config["SEARCH_QUEUE_SECONDS"] = 0.05
    taken = 0
    while slots.acquire(blocking=False):  # SEARCH_CONCURRENCY long searches in flight
        taken += 1
    try:
        assert taken == app.config.get("SEARCH_CONCURRENCY", 4)
        answer = client.get("/api/v1/search?q=空调")
        assert answer.status_code == 503 and answer.get_json()["error"]["code"] == "search_busy"
        page = client.get("/search?q=空调")
        assert page.status_code == 503 and "当前搜索人数较多" in page.get_data(as_text=True)
        assert client.get("/").status_code == 200  # pages do not wait for search slots
    finally:
        for _ in range(taken):
            slots.release()
    assert client.get("/api/v1/search?q=空调").get_json()["total"] == 3


def _run(*command) -> bool:
    return subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root for a read-only bind mount")
def test_reindex_on_a_read_only_index_says_what_to_do(app, world):
    root = app.extensions["search"].store.root
    if not _run("mount", "--bind", str(root), str(root)):
        pytest.skip("bind mounts are not available")
    try:
        assert _run("mount", "-o", "remount,bind,ro", str(root))
        result = app.test_cli_runner().invoke(args=["search", "reindex"])
        assert result.exit_code == 1
        assert "cannot be written" in result.output and "Read-only file system" in result.output
        assert "Traceback" not in result.output and not isinstance(result.exception, OSError)
        assert services.search(None, "空调").total == 3  # the old generation still answers
    finally:
        _run("umount", "-l", str(root))
