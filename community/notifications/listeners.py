"""Domain signals → notification rows, written in the action's own transaction."""
from __future__ import annotations

import sqlalchemy as sa

from community.accounts.models import User
from community.core import events, permissions
from community.extensions import db
from community.feedback.models import Comment, Follow, Vote
from community.notifications import services


def _follower_ids(post_id: int) -> list[int]:
    return list(db.session.execute(sa.select(Follow.user_id).where(Follow.post_id == post_id)).scalars())


def _voter_ids(post_id: int) -> list[int]:
    return list(db.session.execute(sa.select(Vote.user_id).where(Vote.post_id == post_id)).scalars())


def _mentions(comment_or_text, actor, already: set[int], *, post, comment=None) -> None:
    text = comment_or_text if isinstance(comment_or_text, str) else comment_or_text.body
    users = [u for u in services.mentioned_users(text, exclude_ids=already) if u.id != getattr(actor, "id", None)]
    if users:
        services.notify(users, "mention", actor=actor, post=post, comment=comment)


def on_comment_created(comment, actor=None, **_):
    if comment.is_hidden or comment.is_official:
        return  # held for review: nobody is told yet; official replies: see on_official_reply
    post = comment.post
    told: set[int] = set()
    if comment.parent_id:
        parent = db.session.get(Comment, comment.parent_id)
        if parent is not None and not parent.is_deleted:
            told |= {n.user_id for n in services.notify([parent.author_id], "reply", actor=actor, post=post,
                                                        comment=comment)}
            told.add(parent.author_id)
    if not comment.is_internal and post.author_id not in told:
        told |= {n.user_id for n in services.notify([post.author_id], "reply", actor=actor, post=post,
                                                    comment=comment)}
        told.add(post.author_id)
    _mentions(comment, actor, told, post=post, comment=comment)


def on_content_released(content, actor=None, **_):
    """A held comment a moderator approved: told now as if just posted, in its author's name."""
    if isinstance(content, Comment):
        on_comment_created(content, actor=content.author)


def on_official_reply(post, actor=None, comment=None, entry=None, **_):
    followers = set(_follower_ids(post.id)) | {post.author_id}
    services.notify(followers, "official_reply", actor=actor, post=post, comment=comment)
    _mentions(comment, actor, followers, post=post, comment=comment)


def on_status_changed(post, actor=None, entry=None, to_status=None, notify=True, **_):
    if not notify:
        return  # the sender tells the interested members itself (e.g. one "shipped" notice each)
    data = {"status": to_status, "note": (entry.note if entry is not None else "")[:500]}
    followers = set(_follower_ids(post.id)) | {post.author_id}
    if to_status == "accepted":
        voters = set(_voter_ids(post.id))
        services.notify(voters, "vote_accepted", actor=actor, post=post, entry=entry, data=data)
        followers -= voters
    services.notify(followers, "status_changed", actor=actor, post=post, entry=entry, data=data)


def on_routed(post, actor=None, entry=None, previous_assignee_id=None, **_):
    if post.assignee_id and post.assignee_id != previous_assignee_id:
        services.notify([post.assignee_id], "assigned", actor=actor, post=post, entry=entry)


def on_merged(post, actor=None, target=None, entry=None, **_):
    followers = _follower_ids(post.id)
    users = db.session.execute(sa.select(User).where(User.id.in_(followers))).scalars() if followers else []
    may_see_target = [u for u in users if permissions.can_view_post(u, target)]
    services.notify(may_see_target, "merged", actor=actor, post=post,
                    data={"target_id": target.id, "target_title": target.title}, link_post_id=target.id)


def on_voted(post, actor=None, voted=True, **_):
    if voted:
        services.notify([post.author_id], "vote", actor=actor, post=post)


def connect() -> None:
    if getattr(connect, "_done", False):
        return
    events.comment_created.connect(on_comment_created)
    events.official_reply_posted.connect(on_official_reply)
    events.post_status_changed.connect(on_status_changed)
    events.post_routed.connect(on_routed)
    events.post_merged.connect(on_merged)
    events.post_voted.connect(on_voted)
    events.content_released.connect(on_content_released)
    connect._done = True
