"""Failure and recovery: corrupt, missing and locked indexes; reindex and check."""
from __future__ import annotations

import pytest

from community.extensions import db
from community.search import services


@pytest.fixture
def world(make, indexed):
    w = make.world()
    w["posts"] = [make.post(w["member"], w["category"], title=f"空调制冷太慢{n}", body="夏天开空调半小时才凉下来。")
                  for n in range(3)]
    indexed()
    return w


def store(app):
    return app.extensions["search"].store


def corrupt(app):
    for path in store(app).current_dir().iterdir():
        if path.is_file():
            path.write_bytes(b"\x00garbage" * 64)


def test_a_corrupt_index_is_reported_and_rebuilt_in_the_background(app, client, world):
    # Was: a corrupt index answered 503 search_unavailable until someone reindexed. Now the
    # first search that meets it starts a rebuild from the database and says so.
    corrupt(app)
    check = app.test_cli_runner().invoke(args=["search", "check"])
    assert check.exit_code == 2 and "flask search reindex" in check.output
    api = client.get("/api/v1/search?q=空调")
    assert api.status_code == 503 and api.get_json()["error"]["code"] == "search_rebuilding"
    assert client.get("/").status_code == 200  # the rest of the site works
    assert client.get(f"/posts/{world['posts'][0].id}").status_code == 200
    assert app.extensions["search"].flush(timeout=30)
    ids = sorted(h.post.id for h in services.search(None, "空调").items)
    assert ids == sorted(p.id for p in world["posts"])
    check = app.test_cli_runner().invoke(args=["search", "check"])
    assert check.exit_code == 0 and "OK" in check.output


def test_members_see_that_search_is_being_rebuilt(app, client, world):
    corrupt(app)
    page = client.get("/search?q=空调", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 503 and "The search index is being rebuilt" in html
    assert "Rebuild the search index" not in html and "For staff" not in html
    assert app.extensions["search"].flush(timeout=30)
    assert client.get("/search?q=空调").status_code == 200


def test_staff_see_what_the_index_reports(app, client, make, world):
    corrupt(app)
    admin = make.user("admin")
    db.session.commit()
    client.login_as(admin)
    html = client.get("/search?q=空调", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "For staff: the index reports" in html and "being rebuilt right now" in html
    assert app.extensions["search"].flush(timeout=30)


def test_similar_items_stay_quiet_on_a_corrupt_index(app, client, world):
    corrupt(app)
    assert client.get("/search/similar?title=空调制冷").get_json() == {"items": []}
    assert app.extensions["search"].flush(timeout=30)


def test_admin_can_rebuild_from_the_page(app, client, make, world):
    corrupt(app)
    admin = make.user("admin")
    db.session.commit()
    client.login_as(admin)
    response = client.post_form("/search/rebuild", {"q": "空调"})
    assert response.status_code == 302
    assert app.extensions["search"].flush(timeout=30)
    assert client.get("/api/v1/search?q=空调").get_json()["total"] == 3


def test_members_cannot_trigger_a_rebuild(client, world):
    client.login_as(world["member"])
    assert client.post_form("/search/rebuild", {}).status_code == 403


def test_missing_index_is_rebuilt_automatically(app, client, world):
    import shutil

    shutil.rmtree(store(app).root)
    first = client.get("/api/v1/search?q=空调")
    # Was: an empty index answered 200 with no results while the rebuild ran; silence looked
    # like the truth. Now it says the index is being rebuilt.
    assert first.status_code == 503 and first.get_json()["error"]["code"] == "search_rebuilding"
    assert app.extensions["search"].flush(timeout=30)
    assert client.get("/api/v1/search?q=空调").get_json()["total"] == 3


def test_check_reports_drift_and_reindex_fixes_it(app, world):
    from community.search.engine import IndexStore

    IndexStore(store(app).root).apply([], [f"post:{world['posts'][0].id}"])  # an update lost somewhere
    result = app.test_cli_runner().invoke(args=["search", "check"])
    assert result.exit_code == 1 and f"post:{world['posts'][0].id}" in result.output
    assert app.test_cli_runner().invoke(args=["search", "reindex"]).exit_code == 0
    assert app.test_cli_runner().invoke(args=["search", "check"]).exit_code == 0


def test_reindex_swaps_atomically_and_keeps_answering(app, world):
    before = store(app).current_dir()
    assert app.test_cli_runner().invoke(args=["search", "reindex"]).exit_code == 0
    after = store(app).current_dir()
    assert after != before and after.is_dir() and before.is_dir()  # the old one stays for open readers
    assert services.search(None, "空调").total == 3


def test_updates_made_during_a_rebuild_are_not_lost(app, make, world, indexed):
    from community.search import indexer

    s = store(app)
    real_build = s.bulk_build

    def build_then_change(docs, path, **kwargs):
        count = real_build(docs, path, **kwargs)
        # A live writer commits a change while the new generation is being built.
        db.session.rollback()
        world["posts"][0].title = "空调改成了暖风"
        db.session.commit()
        assert app.extensions["search"].flush(timeout=15)
        return count

    s.bulk_build = build_then_change
    indexer.rebuild(s)
    assert [h.post.title for h in services.search(None, "暖风").items] == ["空调改成了暖风"]


def test_a_locked_index_delays_writes_but_never_fails_a_request(app, client, world):
    from whoosh.index import open_dir

    ix = open_dir(str(store(app).current_dir()))
    writer = ix.writer()  # another process holding the write lock
    try:
        client.login_as(world["member"])
        response = client.post_form("/posts/new", {"kind": "feedback", "feedback_type": "bug",
                                                   "category": world["category"].slug, "title": "座椅通风没有风",
                                                   "body": "开了三档通风还是感觉不到风。"})
        assert response.status_code == 302
        assert client.get("/api/v1/search?q=空调").get_json()["total"] == 3  # reads keep working
        assert not app.extensions["search"].flush(timeout=0.5)  # queued, waiting for the lock
    finally:
        writer.cancel()
    assert app.extensions["search"].flush(timeout=15)
    assert client.get("/api/v1/search?q=通风").get_json()["total"] == 1


def test_a_huge_backlog_turns_into_a_rebuild(app, world, monkeypatch):
    indexer = app.extensions["search"]
    monkeypatch.setattr(indexer, "REBUILD_ABOVE", 2)
    store(app).apply([], [f"post:{p.id}" for p in world["posts"]])  # pretend these were never indexed
    before = store(app).current_dir()
    indexer.enqueue({f"post:{p.id}" for p in world["posts"]})
    assert indexer.flush(timeout=30)
    assert store(app).current_dir() != before  # a new generation was swapped in
    assert services.search(None, "空调").total == 3


def test_an_index_from_another_version_asks_for_a_rebuild(app, client, world):
    from whoosh import fields, index

    old = store(app).new_generation()
    index.create_in(str(old), fields.Schema(key=fields.ID(stored=True, unique=True), text=fields.TEXT))
    store(app).swap_to(old)
    assert client.get("/api/v1/search?q=空调").status_code == 503
    assert app.extensions["search"].flush(timeout=30)  # the rebuild it started
    assert app.test_cli_runner().invoke(args=["search", "reindex"]).exit_code == 0
    assert client.get("/api/v1/search?q=空调").get_json()["total"] == 3
