"""Denormalized counters stay exact when many processes write at once on PostgreSQL.

SQLite serializes writers, so only PostgreSQL shows lost updates: each test here starts
several real processes (and threads in each) that write through the services at the same moment.
"""
from __future__ import annotations

import multiprocessing
import threading

import pytest
import sqlalchemy as sa

from community.extensions import db
from tests.core.test_postgres import make, pg_app  # noqa: F401 - fixtures

pytestmark = pytest.mark.scaled

PROCESSES, THREADS, COMMENTS_EACH = 3, 4, 4


def _member_writes(url, tmp, post_id, member_ids, barrier):
    """One process: a thread per member, each comments COMMENTS_EACH times and votes once."""
    from community.accounts.models import User
    from community.feedback import services as feedback
    from community.feedback.models import Post
    from tests.conftest import build_app

    app = build_app(tmp, SQLALCHEMY_DATABASE_URI=url)
    errors = []

    def member(user_id):
        try:
            with app.app_context():
                barrier.wait(timeout=60)
                for i in range(COMMENTS_EACH):
                    feedback.add_comment(db.session.get(User, user_id), db.session.get(Post, post_id), f"我也一样 {i}")
                    db.session.commit()
                feedback.set_vote(db.session.get(User, user_id), db.session.get(Post, post_id), True)
                db.session.commit()
        except Exception as exc:  # reported to the parent through the exit code
            errors.append(repr(exc))

    threads = [threading.Thread(target=member, args=(uid,)) for uid in member_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(errors, flush=True)
        raise SystemExit(1)


def test_comment_vote_and_notification_counts_are_exact_under_concurrent_processes(pg_app, make, tmp_path):  # noqa: F811
    from community.feedback.models import Comment, Post, Vote
    from community.feedback.services import _hot_score
    from community.notifications.models import Notification

    w = make.world()
    members = [make.user() for _ in range(PROCESSES * THREADS)]
    db.session.commit()
    post_id, author_id = w["post"].id, w["member"].id
    url = str(db.engine.url.render_as_string(hide_password=False))
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES * THREADS)
    procs = [ctx.Process(target=_member_writes, args=(url, tmp_path / f"p{i}", post_id,
                                                      [m.id for m in members[i * THREADS:(i + 1) * THREADS]], barrier))
             for i in range(PROCESSES)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * PROCESSES
    db.session.expire_all()
    post = db.session.get(Post, post_id)
    writes = PROCESSES * THREADS * COMMENTS_EACH
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment).where(Comment.post_id == post_id)) == writes
    assert post.comment_count == writes
    assert post.vote_count == db.session.scalar(
        sa.select(sa.func.count()).select_from(Vote).where(Vote.post_id == post_id)) == PROCESSES * THREADS
    assert post.hot_score == _hot_score(post)
    # Grouped notifications collapse into one unread row per group, counting every event.
    rows = db.session.execute(sa.select(Notification.kind, Notification.count).where(
        Notification.user_id == author_id, Notification.read_at.is_(None))).all()
    assert sorted(rows) == [("reply", writes), ("vote", PROCESSES * THREADS)]


def _in_threads(app, jobs):
    """Run each job(…) in its own thread and app context, all released at once; return errors."""
    barrier = threading.Barrier(len(jobs))
    outcomes = []

    def run(job):
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                job()
                db.session.commit()
                outcomes.append("ok")
            except Exception as exc:  # noqa: BLE001 - the test inspects which
                db.session.rollback()
                outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return sorted(outcomes)


def test_moderation_and_deletes_racing_new_comments_keep_the_count(pg_app, make):  # noqa: F811
    from community.accounts.models import User
    from community.feedback import services as feedback
    from community.feedback.models import Comment, Post
    from community.moderation import services as moderation

    w = make.world()
    moderator = make.user("moderator")
    writer = make.user()
    comments = [feedback.add_comment(writer, w["post"], f"第 {i} 条") for i in range(6)]
    db.session.commit()
    post_id, ids, moderator_id, writer_id = w["post"].id, [c.id for c in comments], moderator.id, writer.id
    db.session.remove()

    def hide(comment_id):
        return lambda: moderation.moderate_comment(db.session.get(User, moderator_id),
                                                   db.session.get(Comment, comment_id), "hide", reason="广告")

    def delete(comment_id):
        return lambda: feedback.delete_comment(db.session.get(User, writer_id), db.session.get(Comment, comment_id))

    def comment():
        return lambda: feedback.add_comment(db.session.get(User, writer_id), db.session.get(Post, post_id), "新评论")

    # Two moderators hide the same comments, the author deletes two of them twice, others arrive.
    jobs = [hide(ids[0]), hide(ids[0]), hide(ids[1]), hide(ids[1]), delete(ids[2]), delete(ids[2]),
            delete(ids[0]), comment(), comment(), comment()]
    outcomes = _in_threads(pg_app, jobs)
    assert outcomes == ["Conflict"] * 2 + ["ok"] * 8  # the second hide of each comment changes nothing
    visible = db.session.scalar(sa.select(sa.func.count()).select_from(Comment).where(
        Comment.post_id == post_id, Comment.is_hidden.is_(False), Comment.deleted_at.is_(None)))
    assert visible == 6 - 3 + 3
    assert db.session.get(Post, post_id).comment_count == visible


def test_two_moderators_approving_one_held_comment_release_it_once(pg_app, make, monkeypatch):  # noqa: F811
    from community.accounts.models import User
    from community.feedback import services as feedback
    from community.feedback.models import Post
    from community.moderation import services as moderation
    from community.moderation.models import Hold

    w = make.world()
    mods = [make.user("moderator") for _ in range(4)]
    writer = make.user()
    comment = feedback.add_comment(writer, w["post"], "正常评论")
    comment.is_hidden = True  # as the screener leaves a held comment
    db.session.add(Hold(target_type="comment", target_id=comment.id, post_id=w["post"].id, author_id=writer.id,
                        reasons=["test"], status="pending"))
    w["post"].comment_count = 0
    db.session.commit()
    hold_id, post_id, mod_ids = db.session.scalar(sa.select(Hold.id)), w["post"].id, [m.id for m in mods]
    db.session.remove()

    def approve(mod_id):
        return lambda: moderation.decide_hold(db.session.get(User, mod_id), db.session.get(Hold, hold_id), approve=True)

    outcomes = _in_threads(pg_app, [approve(m) for m in mod_ids])
    assert outcomes == ["Conflict"] * 3 + ["ok"]
    assert db.session.get(Post, post_id).comment_count == 1
