"""Submitting and editing posts (feedback, trial reports, discussions)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from community.core import clock, events, permissions
from community.core.errors import PermissionDenied, ValidationFailed
from community.core.screening import screen
from community.core.text import normalize, render_markdown
from community.extensions import db
from community.feedback.lifecycle import route_post
from community.feedback.models import FEEDBACK_TYPES, POST_KINDS, Post, Product, Revision, TrialRating, TrialReport
from community.feedback.workflow import RATING_DIMENSIONS
from community.feedback.writing import _clean_body, _clean_title, _follow, _require_writer, _timeline, refresh_hot_score
from community.routing.models import Category

# Writing posts -------------------------------------------------------------------


def submit_post(actor, *, kind: str, title, body, category: Category | None, feedback_type: str | None = None,
                product: Product | None = None, trial: dict | None = None) -> Post:
    """Create a post. Feedback is routed at once; the author follows their own post."""
    _require_writer(actor)
    errors: dict = {}
    cleaned = {}
    for name, fn in (("title", lambda: _clean_title(title)), ("body", lambda: _clean_body(body))):
        try:
            cleaned[name] = fn()
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if kind not in POST_KINDS:
        errors["kind"] = _l("Choose what kind of post this is.")
    if category is None:
        errors["category"] = _l("Choose a category.")
    if kind == "feedback" and feedback_type not in FEEDBACK_TYPES:
        errors["feedback_type"] = _l("Choose bug, suggestion or complaint.")
    report = None
    if kind == "trial_report":
        if product is None:
            errors["product"] = _l("Choose the product you tried.")
        report, report_errors = _build_trial_report(trial or {})
        errors.update(report_errors)
    if errors:
        raise ValidationFailed(fields=errors)
    if report is not None:  # the report's own texts are screened with the post, through the same path
        cleaned.update(version=report.version, pros=report.pros, cons=report.cons)
    screening = screen(actor, "post", cleaned)
    cleaned = screening.fields
    if report is not None:
        report.version, report.pros, report.cons = cleaned["version"], cleaned["pros"], cleaned["cons"]

    now = clock.now()
    post = Post(
        kind=kind,
        feedback_type=feedback_type if kind == "feedback" else None,
        title=cleaned["title"],
        body=cleaned["body"],
        body_html=str(render_markdown(cleaned["body"])),
        author_id=actor.id,
        category_id=category.id,
        product_id=product.id if product else None,
        department_id=category.department_id,
        status="new" if kind == "feedback" else None,
        status_changed_at=now if kind == "feedback" else None,
        created_at=now,
        last_activity_at=now,
        vote_count=0,
        comment_count=0,
        is_hidden=screening.held,  # held for review: hidden from others until a moderator decides
    )
    refresh_hot_score(post)
    db.session.add(post)
    db.session.flush()
    if report is not None:
        report.post_id = post.id
        post.trial_report = report
    _timeline(post, "created", actor)
    if post.is_feedback:
        route_post(post, actor=permissions.SYSTEM)
    _follow(actor.id, post.id)
    db.session.flush()
    if screening.held:
        events.content_held.send(post, actor=actor, reasons=screening.hold_reasons)
    events.post_created.send(post, actor=actor)
    return post


def _build_trial_report(trial: dict) -> tuple[TrialReport, dict]:
    errors = {}
    ratings = []
    for key in RATING_DIMENSIONS:
        raw = (trial.get("ratings") or {}).get(key)
        try:
            score = int(raw)
        except (TypeError, ValueError, OverflowError):
            errors[f"rating_{key}"] = _l("Rate from 1 to 5.")
            continue
        if not 1 <= score <= 5:
            errors[f"rating_{key}"] = _l("Rate from 1 to 5.")
            continue
        ratings.append(TrialRating(dimension=key, score=score))
    pros = normalize(trial.get("pros"))
    cons = normalize(trial.get("cons"))
    for name, value in (("pros", pros), ("cons", cons)):
        if len(value) > 2000:
            errors[name] = _ln("At most %(num)d character.", "At most %(num)d characters.", 2000)
    version = normalize(trial.get("version"))[:64]
    return TrialReport(version=version, pros=pros, cons=cons, ratings=ratings), errors


def edit_post(actor, post: Post, *, title, body, reason: str = "") -> Revision:
    """Authors edit their own posts; moderators edit any, with a reason that is shown publicly."""
    _require_writer(actor)
    if not permissions.can_view_post(actor, post) or not permissions.can_edit_post(actor, post):
        raise PermissionDenied()
    by_moderator = actor.id != post.author_id
    reason = normalize(reason)[:500]
    if by_moderator and not reason:
        raise ValidationFailed(fields={"reason": _l("Moderator edits need a reason.")})
    screening = screen(actor, "post", {"title": _clean_title(title), "body": _clean_body(body)}, is_edit=True)
    new_title, new_body = screening.fields["title"], screening.fields["body"]
    revision = Revision(post_id=post.id, editor_id=actor.id, title_before=post.title, body_before=post.body,
                        reason=reason, by_moderator=by_moderator, created_at=clock.now())
    db.session.add(revision)
    post.title, post.body = new_title, new_body
    post.body_html = str(render_markdown(new_body))
    post.edited_at = clock.now()
    # An author's edit that trips a hold hides the post again until a moderator decides; a
    # moderator's own edit is the decision (replacements still apply).
    held = screening.held and not permissions.is_moderator(actor) and not post.is_hidden
    if held:
        post.is_hidden = True
    db.session.flush()
    events.post_edited.send(post, actor=actor, revision=revision)
    if held:
        events.content_held.send(post, actor=actor, reasons=screening.hold_reasons)
        events.post_visibility_changed.send(post, actor=actor, what="held")
    return revision
