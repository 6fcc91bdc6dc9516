"""What every feedback write shares: who may write, text limits, hot score, timeline entries, follows."""
from __future__ import annotations

import math
from datetime import datetime

from flask_babel import lazy_gettext as _l

from community.core import clock, permissions
from community.core.database import increment, insert_ignore
from community.core.text import clean_text
from community.extensions import db
from community.feedback.models import Follow, Post, TimelineEntry

TITLE_MIN, TITLE_MAX = 4, 120
BODY_MIN, BODY_MAX = 10, 20_000
COMMENT_MAX = 10_000
NOTE_MAX = 2_000


def _require_writer(actor) -> None:
    permissions.require_writer(actor)  # the one definition of what a suspension blocks


def _hot_score(post: Post) -> float:
    # Reddit-style: log of engagement plus a time term, so it can be indexed and sorted.
    engagement = post.vote_count + 0.5 * post.comment_count
    epoch = (post.created_at - datetime(2024, 1, 1)).total_seconds()
    return round(math.log10(max(1.0, engagement + 1)) + epoch / 45_000, 6)


def refresh_hot_score(post: Post) -> None:
    post.hot_score = _hot_score(post)


def add_to_counter(post: Post, counter: str, delta: int) -> None:
    """Atomic change of `vote_count` / `comment_count`, and the hot score from the fresh pair.

    The UPDATE locks the row until commit, so the score written is the one of the latest counts.
    """
    increment(post, counter, delta, also=("vote_count", "comment_count"))
    refresh_hot_score(post)


def actor_label(user) -> str:
    """How a timeline names who acted: the public badge or name; nothing for SYSTEM (or nobody)."""
    if user is None or permissions.is_system(user):
        return ""
    return user.public_badge or user.name


def _timeline(post: Post, kind: str, actor, **fields) -> TimelineEntry:
    """`actor`: the user who acted, or permissions.SYSTEM (routing, SLA jobs, escalations)."""
    actor = permissions.recorded_actor(actor)
    entry = TimelineEntry(
        post_id=post.id,
        kind=kind,
        actor_id=actor.id,
        actor_role=actor.role,
        actor_label=actor_label(actor),
        created_at=clock.now(),
        **fields,
    )
    db.session.add(entry)
    return entry


def _clean_title(title) -> str:
    return clean_text(title, field="title", label=_l("Title"), min_len=TITLE_MIN, max_len=TITLE_MAX, multiline=False)


def _clean_body(body, *, field="body", min_len=BODY_MIN, max_len=BODY_MAX) -> str:
    return clean_text(body, field=field, label=_l("Content"), min_len=min_len, max_len=max_len, multiline=True)


def _follow(user_id: int, post_id: int) -> None:
    db.session.execute(insert_ignore(Follow).values(post_id=post_id, user_id=user_id, created_at=clock.now()))
