"""The one after-commit queue (core.events): what runs, when, and what a rollback drops.

The bulk actions (triage, roadmap linking) run each item in a savepoint, so these cases are
the ones a bulk request meets: a refused item must not cost the others their pushes and index
updates, and a released savepoint must not run anything before the real commit.
"""
from __future__ import annotations

import pytest

from community.core import events
from community.core.errors import DomainError
from community.extensions import db
from community.feedback.models import Post
from community.realtime import services as realtime
from community.search import listeners as search_listeners
from community.triage import services as triage


def _queue(ran: list, name: str, **kwargs) -> bool:
    return events.after_commit(lambda: ran.append(name), **kwargs)


def test_a_rolled_back_savepoint_drops_only_its_own_callbacks(app):
    ran: list = []
    _queue(ran, "before")
    with pytest.raises(DomainError):
        with db.session.begin_nested():
            _queue(ran, "refused item")
            raise DomainError("refused")
    _queue(ran, "after")
    db.session.commit()
    assert ran == ["before", "after"]


def test_a_released_savepoint_runs_nothing_before_the_real_commit(app):
    ran: list = []
    _queue(ran, "outer")
    with db.session.begin_nested():
        _queue(ran, "inner")
    assert ran == []  # the outer transaction may still roll back
    db.session.commit()
    assert ran == ["outer", "inner"]


def test_an_outer_rollback_drops_everything_queued_even_in_released_savepoints(app):
    ran: list = []
    _queue(ran, "outer")
    with db.session.begin_nested():
        _queue(ran, "inner")
    db.session.rollback()
    db.session.commit()
    assert ran == []


def test_keys_queue_once_and_come_back_when_their_savepoint_rolls_back(app):
    ran: list = []
    assert _queue(ran, "first", key="k") and not _queue(ran, "again", key="k")
    with pytest.raises(DomainError):
        with db.session.begin_nested():
            assert _queue(ran, "inner", key="inner")
            raise DomainError("refused")
    assert _queue(ran, "inner again", key="inner")  # the rolled-back one is forgotten
    db.session.commit()
    assert ran == ["first", "inner again"]


def test_items_reach_their_callback_in_one_batch(app):
    batches: list = []

    def take(items):
        batches.append(items)

    for item in ("a", "b", "c"):
        events.after_commit(take, item=item)
    db.session.commit()
    assert batches == [["a", "b", "c"]]


def test_a_refused_item_in_a_bulk_action_keeps_the_others_pushes_and_index_keys(app, make, monkeypatch):
    """Reproduces the old behaviour: the refused item's savepoint rollback dropped the whole
    queue, so the item that did change was neither pushed live nor indexed until a later drain."""
    dept = make.department()
    cat = make.category(dept)
    contact = make.staff(dept)
    changed = make.post(make.user(), cat)
    refused = make.post(make.user(), make.category(make.department()))  # another department's item
    db.session.commit()
    assert realtime.drain()  # the pushes of setting up are out of the way
    indexed: list = []
    pushed: list = []
    monkeypatch.setattr(search_listeners, "_enqueue", indexed.extend)
    monkeypatch.setattr(realtime, "emit", lambda event, payload, room: pushed.append((event, room)))
    results = triage.bulk_action(contact, "status", [changed.id, refused.id], status="in_progress")
    assert [r.ok for r in results] == [True, False]
    db.session.commit()
    assert realtime.drain()
    assert f"post:{changed.id}" in indexed and f"post:{refused.id}" not in indexed
    assert ("post.status", f"post:{changed.id}") in pushed
    assert not any(room.startswith(f"post:{refused.id}") for _event, room in pushed)
    assert db.session.get(Post, changed.id).status == "in_progress"
