"""The scaled deployment's database: migrations and core flows on a real PostgreSQL."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from community.extensions import db
from tests import databases
from tests.conftest import CommunityClient, build_app

pytestmark = pytest.mark.scaled


@pytest.fixture
def pg_app(tmp_path):
    from flask_migrate import upgrade

    name = databases.create_database()
    app = build_app(tmp_path, SQLALCHEMY_DATABASE_URI=databases.url_of(name))
    app.test_client_class = CommunityClient
    ctx = app.app_context()
    ctx.push()
    upgrade()
    yield app
    db.session.remove()
    db.engine.dispose()
    ctx.pop()
    databases.drop_database(name)


@pytest.fixture
def make(pg_app):
    """Factories bound to the PostgreSQL app (overrides the SQLite one from conftest)."""
    from tests import factories

    return factories


def test_core_flow_on_postgres(pg_app, make):
    assert db.engine.dialect.name == "postgresql"
    from community.feedback import services
    w = make.world()
    assert w["post"].assignee_id == w["contact"].id
    services.post_official_reply(w["contact"], w["post"], "已收到", to_status="acknowledged")
    target = make.post(make.user(), w["category"], title="合并目标")
    services.set_vote(make.user(), w["post"], True)
    services.merge_posts(w["contact"], w["post"], target)
    db.session.commit()
    assert target.vote_count == 1
    assert services.list_posts(None, sort="votes").items[0].id == target.id


def test_concurrent_votes_count_once_on_postgres(pg_app, make):
    w = make.world()
    voter = make.user()
    db.session.commit()
    post_id = w["post"].id
    clients = []
    for _ in range(20):
        c = pg_app.test_client()
        c.login_as(voter)
        c.csrf_token()
        clients.append(c)
    db.session.remove()
    barrier = threading.Barrier(20)
    codes = []

    def vote(c):
        barrier.wait(timeout=10)
        codes.append(c.post_form(f"/posts/{post_id}/vote", {"action": "on"}, headers={"Accept": "application/json"}).status_code)

    threads = [threading.Thread(target=vote, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    from community.feedback.models import Post, Vote
    assert codes == [200] * 20
    assert db.session.query(Vote).filter_by(post_id=post_id).count() == 1
    assert db.session.get(Post, post_id).vote_count == 1


def test_after_demo_seed_new_posts_and_comments_get_fresh_ids_on_postgres(pg_app):
    from community.accounts.models import User
    from community.feedback.models import Comment, Post
    from community.routing.models import Category

    result = pg_app.test_cli_runner().invoke(args=["demo", "seed", "--posts", "60", "--members", "20", "--staff", "12",
                                                   "--anchor", "2026-11-01", "--no-search-index"])
    assert result.exit_code == 0, result.output
    seeded_max = db.session.scalar(sa.select(sa.func.max(Post.id)))
    member = db.session.scalar(sa.select(User).where(User.username == "laowang"))
    category = db.session.scalars(sa.select(Category).order_by(Category.id)).first()
    client = pg_app.test_client().login_as(member)
    response = client.post_form("/posts/new", {"kind": "discussion", "category": category.slug,
                                               "title": "种子数据之后的新帖子", "body": "序列应当已经越过导入的编号。"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    post = db.session.scalars(sa.select(Post).order_by(Post.id.desc())).first()
    assert post.title == "种子数据之后的新帖子" and post.id > seeded_max
    response = client.post_form(f"/posts/{post.id}/comments", {"body": "评论也能写入。"})
    assert response.status_code in (302, 303), response.status_code
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment).where(Comment.post_id == post.id)) == 1
