"""Screeners registered with community.core.screening: the sensitive-word filter and new-user limits.

Held content is saved hidden by the feedback services and a content_held signal creates the
hold record (listeners.py); nothing a member wrote is lost.
"""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from limits import parse as parse_rate

from community.core import clock, permissions
from community.core.screening import Screening, register_screener
from community.extensions import db
from community.feedback.models import Comment, Post
from community.moderation import services
from community.moderation.words import current_matcher

LINK_RE = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>()\[\]]+", re.IGNORECASE)


def screen_sensitive_words(actor, screening: Screening) -> None:
    matcher = current_matcher()
    if not matcher.size:
        return
    hold = False
    for name, text in list(screening.fields.items()):
        matches = matcher.find(text)
        if not matches:
            continue
        hold = hold or any(m.action == "hold" for m in matches)
        screening.fields[name] = matcher.replace(text, matches)
    if hold and "sensitive_word" not in screening.hold_reasons:
        screening.hold_reasons.append("sensitive_word")


# A contribution with less text than this ("1", "顶") does not make an account established.
SUBSTANCE_MIN_CHARS = 10


def _contributions(actor) -> int:
    """Approved contributions with substance: visible (never held, or approved), not deleted, not one word."""
    posts = db.session.execute(sa.select(sa.func.count()).select_from(Post).where(
        Post.author_id == actor.id, Post.is_hidden.is_(False), Post.deleted_at.is_(None),
        sa.func.length(Post.body) >= SUBSTANCE_MIN_CHARS)).scalar_one()
    comments = db.session.execute(sa.select(sa.func.count()).select_from(Comment).where(
        Comment.author_id == actor.id, Comment.is_internal.is_(False), Comment.is_hidden.is_(False),
        Comment.deleted_at.is_(None), sa.func.length(Comment.body) >= SUBSTANCE_MIN_CHARS)).scalar_one()
    return posts + comments


def _recent(actor, since) -> int:
    posts = db.session.execute(sa.select(sa.func.count()).select_from(Post).where(
        Post.author_id == actor.id, Post.created_at >= since)).scalar_one()
    comments = db.session.execute(sa.select(sa.func.count()).select_from(Comment).where(
        Comment.author_id == actor.id, Comment.is_internal.is_(False), Comment.created_at >= since)).scalar_one()
    return posts + comments


def screen_new_users(actor, screening: Screening) -> None:
    """Until an account has N approved contributions with substance, its posts and comments may
    carry few links and come slowly (held contributions count toward the rate, not toward N)."""
    if permissions.is_system(actor) or permissions.is_staff(actor) or screening.kind == "profile":
        return
    settings = services.new_user_settings()
    if _contributions(actor) >= settings["posts"]:
        return
    links = sum(len(LINK_RE.findall(text)) for text in screening.fields.values())
    if links > settings["links"] and "new_user_links" not in screening.hold_reasons:
        screening.hold_reasons.append("new_user_links")
    if screening.is_edit:  # an edit is not a new contribution: the rate does not apply
        return
    rate = parse_rate(settings["rate"])
    since = clock.now() - timedelta(seconds=rate.get_expiry())
    if _recent(actor, since) >= rate.amount and "new_user_rate" not in screening.hold_reasons:
        screening.hold_reasons.append("new_user_rate")


def register() -> None:
    register_screener(screen_sensitive_words)
    register_screener(screen_new_users)
