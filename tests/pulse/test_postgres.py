"""On a real PostgreSQL (skipped when unreachable): concurrent writers hit the same bucket rows
and the aggregates stay exact, with no deadlock (the listener never locks a post)."""
from __future__ import annotations

import pytest

from community.extensions import db
from community.pulse import aggregates, services
from tests.core.test_pg_counters import _in_threads
from tests.core.test_postgres import make, pg_app  # noqa: F401 - fixtures

pytestmark = pytest.mark.scaled


def test_concurrent_posts_replies_and_moderation_keep_the_buckets_exact(pg_app, make):  # noqa: F811
    from community.accounts.models import User
    from community.feedback import services as feedback
    from community.feedback.models import Post
    from community.moderation import services as moderation

    w = make.world()
    moderator = make.user("moderator")
    writers = [make.user() for _ in range(6)]
    others = [make.post(w["member"], w["category"], title=f"并发看板测试 {n}") for n in range(3)]
    db.session.commit()
    ids = dict(cat=w["category"].id, contact=w["contact"].id, moderator=moderator.id,
               posts=[p.id for p in others], writers=[u.id for u in writers])
    db.session.remove()

    def submit(user_id, n):
        return lambda: make.post(db.session.get(User, user_id), db.session.get(type(w["category"]), ids["cat"]),
                                 title=f"同时提交的反馈 {n}")

    def reply(post_id):
        return lambda: feedback.post_official_reply(db.session.get(User, ids["contact"]),
                                                    db.session.get(Post, post_id), "收到，正在处理")

    def hide(post_id):
        return lambda: moderation.hide_post(db.session.get(User, ids["moderator"]), db.session.get(Post, post_id),
                                            reason="广告")

    jobs = [submit(u, n) for n, u in enumerate(ids["writers"])]
    jobs += [reply(ids["posts"][0]), reply(ids["posts"][1]), hide(ids["posts"][2]), hide(ids["posts"][1])]
    assert _in_threads(pg_app, jobs) == ["ok"] * len(jobs)
    assert aggregates.check() == []
    services.forget_cache()
    counters = services.compute_counters()
    assert counters["received_all_time"] == 1 + 6 + 3 - 2  # the world's post, six new, three others, two hidden
