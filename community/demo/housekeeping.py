"""What the demo brand's staff have already done, through the real services (so the audit log
records it): a small sensitive-word list, and duplicates merged — most of them, not all, so that
staff still find a few in the triage console."""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa

from community.accounts.models import User
from community.core import clock, permissions
from community.extensions import db
from community.feedback.models import Post
from community.feedback.workflow import OPEN_STATUSES
from community.moderation import services as moderation
from community.triage import services as triage

# (word, action): "hold" waits for a moderator, "replace" shows *** in place of the word.
SENSITIVE_WORDS = (("代刷好评", "hold"), ("加微信返现", "hold"), ("刷单", "hold"), ("傻X", "replace"),
                   ("垃圾车", "replace"), ("骗子公司", "replace"))
MERGE_SHARE = 0.7


def _merger(post: Post, staff: list[User]) -> User | None:
    return next((u for u in staff if permissions.can_manage_post(u, post) and not permissions.is_moderator(u)),
                next((u for u in staff if permissions.can_manage_post(u, post)), None))


def seed_staff_work(anchor: datetime, seed: int) -> dict:
    rng = random.Random(f"housekeeping-{seed}")
    admin = db.session.execute(sa.select(User).where(User.role == "admin").order_by(User.id)).scalars().first()
    staff = list(db.session.execute(sa.select(User).where(User.role.in_(("staff", "moderator")))
                                    .order_by(User.id)).scalars())
    words = merged = 0
    with clock.frozen(anchor):
        if admin is not None:
            for word, action in SENSITIVE_WORDS:
                moderation.add_word(admin, word, action=action)
                words += 1
        groups = defaultdict(list)
        for post in db.session.execute(sa.select(Post).where(
                Post.kind == "feedback", Post.merged_into_id.is_(None), Post.is_hidden.is_(False),
                Post.deleted_at.is_(None), Post.status.in_(OPEN_STATUSES)).order_by(Post.id)).scalars():
            groups[post.title].append(post)
        for key in sorted(groups):
            posts = groups[key]
            if len(posts) < 2 or rng.random() > MERGE_SHARE:
                continue
            target, duplicates = posts[0], posts[1:]
            actor = _merger(target, staff)
            if actor is None:
                continue
            triage.merge_items(actor, target, duplicates, note="与早先的反馈是同一个问题，已合并，投票和关注一并转入。")
            merged += len(duplicates)
    db.session.flush()
    return {"sensitive_words": words, "merged": merged}
