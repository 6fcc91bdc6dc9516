"""Comments, official replies, votes and follows."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.core import clock, events, permissions
from community.core.database import insert_ignore, lock_row
from community.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from community.core.screening import screen
from community.core.text import normalize, render_markdown
from community.extensions import db
from community.feedback.lifecycle import _set_status, change_status
from community.feedback.models import Comment, Follow, Post, Revision, TimelineEntry, Vote
from community.feedback.workflow import NOTE_REQUIRED, OPEN_STATUSES, can_transition
from community.feedback.writing import COMMENT_MAX, _clean_body, _follow, _require_writer, _timeline, add_to_counter
from community.routing.models import Department

# Comments and official replies ------------------------------------------------------

def add_comment(actor, post: Post, body, *, parent: Comment | None = None, internal: bool = False) -> Comment:
    _require_writer(actor)
    if not permissions.can_view_post(actor, post):
        raise NotFound()
    if internal:
        if not permissions.can_see_internal_notes(actor):
            raise PermissionDenied()
    elif not permissions.can_comment(actor, post):
        if post.is_locked:
            raise PermissionDenied(_l("This item is locked; no new comments."), code="locked")
        raise PermissionDenied()
    text = _clean_body(body, min_len=1, max_len=COMMENT_MAX)
    screening = screen(actor, "comment", {"body": text}) if not internal else None
    if screening is not None:
        text = screening.fields["body"]
    if parent is not None:
        if parent.post_id != post.id or parent.is_deleted or not permissions.can_view_comment(actor, parent):
            raise ValidationFailed(fields={"parent": _l("You can only reply to a comment on this item.")})
        if parent.parent_id:  # one level: a reply to a reply joins the same thread
            parent = db.session.get(Comment, parent.parent_id)
        if parent.is_internal != internal:
            raise ValidationFailed(fields={"parent": _l("You can only reply to a comment on this item.")})
    comment = Comment(post_id=post.id, author_id=actor.id, parent_id=parent.id if parent else None, body=text,
                      body_html=str(render_markdown(text)), is_internal=internal, created_at=clock.now(),
                      is_hidden=bool(screening and screening.held))
    db.session.add(comment)
    if not internal and not comment.is_hidden:
        add_to_counter(post, "comment_count", 1)
        post.last_activity_at = clock.now()
        _follow(actor.id, post.id)
        if post.status == "needs_info" and actor.id == post.author_id:
            _resume_after_needs_info(actor, post)
    db.session.flush()
    if screening is not None and screening.held:
        events.content_held.send(comment, actor=actor, reasons=screening.hold_reasons)
    events.comment_created.send(comment, actor=actor)
    return comment


def _resume_after_needs_info(actor, post: Post) -> None:
    """The author answered: the item goes back to where it was and the clock runs again."""
    asked = db.session.execute(
        sa.select(TimelineEntry.from_status).where(TimelineEntry.post_id == post.id, TimelineEntry.to_status == "needs_info")
        .order_by(TimelineEntry.id.desc()).limit(1)
    ).scalar_one_or_none()
    back_to = asked if asked in OPEN_STATUSES and asked not in ("needs_info", "new") else "acknowledged"
    from_status = _set_status(post, back_to)
    entry = _timeline(post, "status", actor, from_status=from_status, to_status=back_to,
                      department_id=post.department_id)
    db.session.flush()
    events.post_status_changed.send(post, actor=actor, entry=entry, from_status=from_status, to_status=back_to)


def post_official_reply(actor, post: Post, body, *, to_status: str | None = None, note: str = "") -> Comment:
    """A staff answer with the department badge; the first one stops the first-response clock."""
    _require_writer(actor)
    if not permissions.can_view_post(actor, post) or not permissions.can_reply_officially(actor, post):
        raise PermissionDenied()
    if post.is_locked and not permissions.is_moderator(actor):
        raise PermissionDenied(_l("This item is locked; no new comments."), code="locked")
    if to_status and (to_status == "duplicate" or not can_transition(post.status, to_status)):
        raise InvalidTransition()
    if to_status and to_status in NOTE_REQUIRED and not normalize(note or body):
        raise ValidationFailed(fields={"note": _l("Give a reason for declining.")})
    text = _clean_body(body, min_len=1, max_len=COMMENT_MAX)
    now = clock.now()
    department_id = post.department_id if post.department_id in actor.department_ids else (
        actor.departments[0].id if actor.departments else None)
    comment = Comment(post_id=post.id, author_id=actor.id, body=text, body_html=str(render_markdown(text)),
                      is_official=True, department_id=department_id, created_at=now)
    db.session.add(comment)
    db.session.flush()
    elapsed = int((now - post.created_at).total_seconds()) - post.sla_paused_seconds
    if post.first_response_at is None:
        post.first_response_at = now
        post.first_response_seconds = max(0, elapsed)
    add_to_counter(post, "comment_count", 1)
    post.last_activity_at = now
    department = db.session.get(Department, department_id) if department_id else None
    entry = _timeline(post, "official_reply", actor, comment_id=comment.id, department_id=department_id,
                      department_name=department.name if department else "", elapsed_seconds=max(0, elapsed))
    _follow(actor.id, post.id)
    db.session.flush()
    events.comment_created.send(comment, actor=actor)
    events.official_reply_posted.send(post, actor=actor, comment=comment, entry=entry)
    if to_status and to_status != post.status:
        change_status(actor, post, to_status, note=note or "")
    return comment


def edit_comment(actor, comment: Comment, body, *, reason: str = "") -> Revision:
    _require_writer(actor)
    if not permissions.can_view_comment(actor, comment) or not permissions.can_edit_comment(actor, comment):
        raise PermissionDenied()
    by_moderator = actor.id != comment.author_id
    reason = normalize(reason)[:500]
    if by_moderator and not reason:
        raise ValidationFailed(fields={"reason": _l("Moderator edits need a reason.")})
    text = _clean_body(body, min_len=1, max_len=COMMENT_MAX)
    screening = None if comment.is_internal else screen(actor, "comment", {"body": text}, is_edit=True)
    if screening is not None:
        text = screening.fields["body"]
    revision = Revision(post_id=comment.post_id, comment_id=comment.id, editor_id=actor.id, body_before=comment.body,
                        reason=reason, by_moderator=by_moderator, created_at=clock.now())
    db.session.add(revision)
    comment.body, comment.body_html, comment.edited_at = text, str(render_markdown(text)), clock.now()
    held = bool(screening and screening.held) and not permissions.is_moderator(actor) and not comment.is_hidden
    if held:  # hidden again until a moderator decides; it leaves the post's count meanwhile
        lock_row(comment)
        counted = comment.counts_toward_post
        comment.is_hidden = True
        if counted:
            add_to_counter(db.session.get(Post, comment.post_id), "comment_count", -1)
    db.session.flush()
    events.comment_edited.send(comment, actor=actor)
    if held:
        events.content_held.send(comment, actor=actor, reasons=screening.hold_reasons)
    return revision


def delete_comment(actor, comment: Comment) -> None:
    """Soft delete: the comment stays as a placeholder so threads keep their shape."""
    _require_writer(actor)
    if not permissions.can_view_comment(actor, comment) or not permissions.can_edit_comment(actor, comment):
        raise PermissionDenied()
    lock_row(comment)  # two deletes at once must not both decrement
    if comment.is_deleted:
        return
    counted = comment.counts_toward_post
    comment.deleted_at = clock.now()
    post = db.session.get(Post, comment.post_id)
    if counted:
        add_to_counter(post, "comment_count", -1)
    db.session.flush()
    events.comment_deleted.send(comment, actor=actor)


# Votes and follows -----------------------------------------------------------------



def set_vote(actor, post: Post, voted: bool = True) -> tuple[bool, int]:
    """Idempotent 我也遇到 / +1: returns (voted, vote count). Concurrent repeats count once."""
    _require_writer(actor)
    if not permissions.can_view_post(actor, post):
        raise NotFound()
    if not permissions.can_vote(actor, post):
        raise PermissionDenied(_l("Votes are for open feedback items."), code="cannot_vote")
    # RETURNING tells whether this call changed anything (rowcount is -1 on some drivers).
    if voted:
        stmt = insert_ignore(Vote).values(post_id=post.id, user_id=actor.id, created_at=clock.now())
        changed = db.session.execute(stmt.returning(Vote.user_id)).first() is not None
        _follow(actor.id, post.id)
    else:
        stmt = sa.delete(Vote).where(Vote.post_id == post.id, Vote.user_id == actor.id)
        changed = db.session.execute(stmt.returning(Vote.user_id)).first() is not None
    if changed:
        add_to_counter(post, "vote_count", 1 if voted else -1)
        db.session.flush()
        events.post_voted.send(post, actor=actor, voted=voted)
    else:  # a concurrent repeat: the other transaction's vote has committed; report its count
        db.session.refresh(post, ["vote_count"])
    return voted, post.vote_count


def set_follow(actor, post: Post, following: bool = True) -> bool:
    if not permissions.can_follow(actor, post):
        raise NotFound()
    permissions.require_writer(actor)
    if following:
        _follow(actor.id, post.id)
    else:
        db.session.execute(sa.delete(Follow).where(Follow.post_id == post.id, Follow.user_id == actor.id))
    db.session.flush()
    return following
