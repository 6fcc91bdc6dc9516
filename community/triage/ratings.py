"""Case ratings (一事一评): the author rates how a resolved item was handled."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from community.audit.services import record_audit
from community.core import clock, permissions
from community.core.errors import Conflict, NotFound, ValidationFailed
from community.core.text import normalize
from community.extensions import db
from community.feedback import services as feedback
from community.feedback.models import Post
from community.notifications import services as notifications
from community.triage.escalation import _label_system, supervise_post
from community.triage.models import CaseRating, Supervision

RATING_COMMENT_MAX = 1000


# Case ratings (一事一评) ------------------------------------------------------------------

def rating_for_current_resolution(post: Post) -> CaseRating | None:
    if post.resolved_at is None:
        return None
    return db.session.execute(sa.select(CaseRating).where(
        CaseRating.post_id == post.id, CaseRating.resolved_at == post.resolved_at)).scalar_one_or_none()


def can_rate(user, post: Post) -> bool:
    return (permissions.is_author(user, post) and permissions.can_write(user) and post.is_feedback
            and post.status == "resolved" and post.resolved_at is not None
            and rating_for_current_resolution(post) is None)


def rate_resolution(actor, post: Post, score, comment: str = "") -> CaseRating:
    """The author rates how a resolved item was handled. 3–5 confirms and closes it;
    1–2 sends it back, supervised by the department lead (督办), instead of closing."""
    if not permissions.is_author(actor, post) or not permissions.can_view_post(actor, post):
        raise NotFound()
    permissions.require_writer(actor)
    if post.status != "resolved" or post.resolved_at is None:
        raise Conflict(_l("Only resolved items can be rated."), code="not_resolved")
    if rating_for_current_resolution(post) is not None:
        raise Conflict(_l("You already rated this resolution."), code="already_rated")
    try:
        score = int(score)
    except (TypeError, ValueError, OverflowError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationFailed(fields={"score": _l("Rate from 1 to 5.")})
    comment = normalize(comment)
    if len(comment) > RATING_COMMENT_MAX:
        raise ValidationFailed(fields={"comment": _ln("At most %(num)d character.", "At most %(num)d characters.", RATING_COMMENT_MAX)})
    rating = CaseRating(post_id=post.id, author_id=actor.id, department_id=post.department_id,
                        resolved_at=post.resolved_at, score=score, comment=comment, created_at=clock.now())
    db.session.add(rating)
    db.session.flush()
    if score <= 2:
        round_ = db.session.execute(sa.select(sa.func.count()).select_from(Supervision).where(
            Supervision.post_id == post.id, Supervision.reason == "low_rating")).scalar_one()
        feedback.system_set_status(post, "in_progress", label=_label_system(),
                                   note=str(_l("The author rated the handling %(score)d/5; follow-up continues.", score=score)))
        supervise_post(post, "low_rating", count=score, round_=round_)
        outcome = "supervised"
    else:
        feedback.confirm_resolution(actor, post)
        outcome = "closed"
    record_audit(actor, "triage.rating", "post", post.id, before={"status": "resolved"},
                 after={"status": post.status, "score": score, "outcome": outcome}, reason=comment)
    return rating


def request_rating(post: Post) -> None:
    """Ask the author, through a notification, to rate the resolution."""
    notifications.notify([post.author_id], "rating_request", post=post,
                  once_key=f"rating:{post.id}:{post.resolved_at.isoformat() if post.resolved_at else ''}")
