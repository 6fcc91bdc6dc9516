"""Merging duplicate feedback items into one."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.core import clock, events, permissions
from community.core.database import insert_ignore
from community.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from community.core.text import normalize
from community.extensions import db
from community.feedback.lifecycle import _set_status
from community.feedback.models import Follow, Post, TimelineEntry, Vote
from community.feedback.writing import NOTE_MAX, _require_writer, _timeline, add_to_counter

# Merging duplicates -----------------------------------------------------------------

def merge_posts(actor, duplicate: Post, target: Post, *, note: str = "") -> TimelineEntry:
    """Mark `duplicate` as merged into `target`, moving its votes and followers."""
    _require_writer(actor)
    if not permissions.can_manage_post(actor, duplicate):
        raise PermissionDenied()
    if not permissions.can_view_post(actor, target):
        raise NotFound()
    if duplicate.id == target.id or not target.is_feedback or target.merged_into_id or duplicate.merged_into_id:
        raise ValidationFailed(fields={"target": _l("Choose another open feedback item to merge into.")})
    if duplicate.status == "duplicate":
        raise InvalidTransition()
    voters = sa.select(sa.literal(target.id), Vote.user_id, Vote.created_at).where(Vote.post_id == duplicate.id)
    moved = db.session.execute(insert_ignore(Vote).from_select(["post_id", "user_id", "created_at"], voters)
                               .returning(Vote.user_id)).all()
    followers = sa.select(sa.literal(target.id), Follow.user_id, Follow.created_at).where(Follow.post_id == duplicate.id)
    db.session.execute(insert_ignore(Follow).from_select(["post_id", "user_id", "created_at"], followers))
    removed = db.session.execute(sa.delete(Vote).where(Vote.post_id == duplicate.id).returning(Vote.user_id)).all()
    note = normalize(note)[:NOTE_MAX]
    from_status = _set_status(duplicate, "duplicate")
    duplicate.merged_into_id = target.id
    add_to_counter(duplicate, "vote_count", -len(removed))
    add_to_counter(target, "vote_count", len(moved))
    target.last_activity_at = clock.now()
    entry = _timeline(duplicate, "merged", actor, from_status=from_status, to_status="duplicate", note=note,
                      department_id=duplicate.department_id)
    _timeline(target, "merged", actor, note=note or f"#{duplicate.id}")
    db.session.flush()
    events.post_merged.send(duplicate, actor=actor, target=target, entry=entry)
    return entry
