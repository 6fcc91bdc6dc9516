"""Signal listeners, run inside the acting transaction.

- content_held → a hold record for /staff/held.
- Moderator edits and deletes made through the feedback services (the item page's Edit
  and Delete) → an audit record, so every moderator action is in the log whichever
  page it came from. Moderation's own services audit themselves and mark it in session.info.
"""
from __future__ import annotations

import sqlalchemy as sa

from community.audit.services import record_audit
from community.core import events
from community.extensions import db
from community.feedback.models import Revision
from community.moderation.services import AUDITED_COMMENT_KEY, record_hold


def _on_content_held(content, *, actor=None, reasons=(), **_):
    record_hold(content, reasons=reasons)


def _is_moderator_on_others(actor, author_id) -> bool:
    return actor is not None and getattr(actor, "is_moderator", False) and actor.id != author_id


def _on_post_edited(post, *, actor=None, revision=None, **_):
    if revision is not None and revision.by_moderator:
        record_audit(actor, "post.edit", "post", post.id,
                     before={"title": revision.title_before, "body": revision.body_before},
                     after={"title": post.title, "body": post.body}, reason=revision.reason)


def _on_comment_edited(comment, *, actor=None, **_):
    if not _is_moderator_on_others(actor, comment.author_id):
        return
    revision = db.session.execute(sa.select(Revision).where(Revision.comment_id == comment.id)
                                  .order_by(Revision.id.desc()).limit(1)).scalar_one_or_none()
    record_audit(actor, "comment.edit", "comment", comment.id,
                 before={"body": revision.body_before if revision else None}, after={"body": comment.body},
                 reason=revision.reason if revision else "")


def _on_comment_deleted(comment, *, actor=None, **_):
    audited = db.session.info.get(AUDITED_COMMENT_KEY) == comment.id
    if not audited and _is_moderator_on_others(actor, comment.author_id):
        record_audit(actor, "comment.delete", "comment", comment.id, before={"deleted_at": None},
                     after={"deleted_at": comment.deleted_at.isoformat() if comment.deleted_at else None})


def connect() -> None:
    # blinker ignores a second connect of the same receiver, so several apps in one process are fine.
    events.content_held.connect(_on_content_held)
    events.post_edited.connect(_on_post_edited)
    events.comment_edited.connect(_on_comment_edited)
    events.comment_deleted.connect(_on_comment_deleted)
