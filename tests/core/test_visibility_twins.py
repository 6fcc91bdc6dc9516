"""Each visibility rule and its SQL twin agree (core.permissions is the one place for both),
and the search filter is read from the same rule."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from community.core import clock, permissions
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.models import Comment, Post
from community.search.services import visibility_for


@pytest.fixture
def cases(make):
    dept = make.department()
    cat = make.category(dept)
    author = make.user()
    viewers = {"visitor": None, "author": author, "member": make.user(), "staff": make.staff(dept),
               "moderator": make.user("moderator")}
    posts = {state: make.post(author, cat, title=f"可见性检查 {state}") for state in ("plain", "hidden", "deleted")}
    posts["hidden"].is_hidden = True
    posts["deleted"].deleted_at = clock.now()
    base = posts["plain"]
    comments = {state: feedback.add_comment(author, base, f"评论 {state}", internal=False)
                for state in ("plain", "hidden")}
    comments["internal"] = feedback.add_comment(viewers["staff"], base, "内部备注", internal=True)
    comments["hidden"].is_hidden = True
    db.session.flush()
    return viewers, posts, comments


@pytest.mark.parametrize("who", ["visitor", "author", "member", "staff", "moderator"])
def test_post_and_comment_predicates_match_their_sql_twins(cases, who):
    viewers, posts, comments = cases
    viewer = viewers[who]
    ids = [p.id for p in posts.values()]
    sql = set(db.session.execute(sa.select(Post.id).where(Post.id.in_(ids),
                                                          permissions.visible_posts_clause(viewer, Post))).scalars())
    assert sql == {p.id for p in posts.values() if permissions.can_view_post(viewer, p)}
    ids = [c.id for c in comments.values()]
    sql = set(db.session.execute(sa.select(Comment.id).where(
        Comment.id.in_(ids), permissions.visible_comments_clause(viewer, Comment))).scalars())
    assert sql == {c.id for c in comments.values() if permissions.can_view_comment(viewer, c)}


@pytest.mark.parametrize("who", ["visitor", "author", "staff", "moderator"])
def test_the_search_filter_is_the_same_rule(cases, who):
    viewers, _posts, _comments = cases
    scope = permissions.post_scope(viewers[who])
    visibility = visibility_for(viewers[who])
    assert (visibility.include_deleted, visibility.include_hidden, visibility.own_hidden_author_id) == (
        scope.deleted, scope.hidden, scope.own_hidden_author_id)
