"""The JSON shapes of feedback (products, posts, timelines, comments, revisions), each with its
OpenAPI schema beside it. Accounts and routing keep their own shapes; the primitives are in
community.api.shapes.

Callers pass only objects the viewer may see (the services filter and 404); these functions
never add what the viewer may not see: internal notes and hidden comments are dropped by
services.list_comments, deleted comments lose their text, and account details appear only
in the caller's own `me` shape.
"""
from __future__ import annotations

import sqlalchemy as sa

from community.accounts.models import User
from community.accounts.serializers import USER, user
from community.api import openapi
from community.api.shapes import BOOL, DATETIME, INT, NULLABLE_DATETIME, STR, iso, obj, pagination
from community.core import permissions
from community.core.pagination import Page
from community.core.text import excerpt
from community.extensions import db
from community.feedback import services
from community.feedback.models import TIMELINE_KINDS, Product
from community.feedback.workflow import RATING_DIMENSIONS, STATUS_LABELS, STATUSES, allowed_transitions
from community.routing.models import Department
from community.routing.serializers import CATEGORY_BRIEF, DEPARTMENT_BRIEF, LOCAL_NAME, category_brief, department_brief

# Products --------------------------------------------------------------------------

PRODUCT = openapi.schema("Product", obj({"slug": STR, "name": STR, "name_en": STR, "local_name": LOCAL_NAME,
                                          "description": STR}))


def product(p) -> dict | None:
    if p is None:
        return None
    return {"slug": p.slug, "name": p.name, "name_en": p.name_en, "local_name": p.local_name,
            "description": p.description}


PRODUCT_RATINGS = openapi.schema("ProductRatings", obj({
    "product": PRODUCT,
    "reports": {"type": "integer", "description": "Visible trial reports about the product"},
    "overall": {"type": ["number", "null"], "description": "Mean of the dimension averages"},
    "dimensions": openapi.array_of(obj({
        "key": {"type": "string", "enum": list(RATING_DIMENSIONS)}, "label": STR,
        "average": {"type": ["number", "null"]}, "count": INT,
    })),
}))


def product_ratings(p, ratings: dict) -> dict:
    return {"product": product(p), "reports": ratings["reports"], "overall": ratings["overall"],
            "dimensions": [{**d, "label": str(d["label"])} for d in ratings["dimensions"]]}


# Posts --------------------------------------------------------------------------

STATUS = {"type": ["string", "null"], "enum": [*STATUSES, None], "description": "Feedback only; null for other kinds"}
KIND = {"type": "string", "enum": ["feedback", "trial_report", "discussion"]}
TYPE = {"type": ["string", "null"], "enum": ["bug", "suggestion", "complaint", None]}

POST_SUMMARY_PROPERTIES = {
    "id": INT, "kind": KIND, "type": TYPE, "title": STR,
    "excerpt": STR,
    "author": USER,
    "category": openapi.nullable(CATEGORY_BRIEF),
    "department": openapi.nullable(DEPARTMENT_BRIEF),
    "product": openapi.nullable(PRODUCT),
    "assignee": openapi.nullable(USER),
    "status": STATUS,
    "status_label": {"type": ["string", "null"]},
    "vote_count": INT, "comment_count": INT,
    "first_response_seconds": {"type": ["integer", "null"],
                               "description": "Created → first official reply, excluding needs_info pauses"},
    "is_pinned": BOOL, "is_locked": BOOL,
    "is_hidden": {"type": "boolean", "description": "Only the author and staff ever see a hidden item"},
    "merged_into_id": {"type": ["integer", "null"]},
    "created_at": DATETIME, "last_activity_at": DATETIME,
    "voted": {"type": "boolean", "description": "Whether the caller voted (false when anonymous)"},
}
POST_SUMMARY = openapi.schema("PostSummary", obj(POST_SUMMARY_PROPERTIES))


def post_summary(p, *, voted: bool) -> dict:
    return {
        "id": p.id, "kind": p.kind, "type": p.feedback_type, "title": p.title,
        "excerpt": excerpt(p.body, 160),
        "author": user(p.author),
        "category": category_brief(p.category),
        "department": department_brief(p.department),
        "product": product(p.product),
        "assignee": user(p.assignee),
        "status": p.status,
        "status_label": str(STATUS_LABELS[p.status]) if p.status in STATUS_LABELS else None,
        "vote_count": p.vote_count, "comment_count": p.comment_count,
        "first_response_seconds": p.first_response_seconds,
        "is_pinned": p.is_pinned, "is_locked": p.is_locked, "is_hidden": p.is_hidden,
        "merged_into_id": p.merged_into_id,
        "created_at": iso(p.created_at), "last_activity_at": iso(p.last_activity_at),
        "voted": voted,
    }


def _preload_references(posts) -> list:
    """Load a page's assignees, departments and products in three queries instead of one per post.

    Many-to-one lazy loads then find them in the session's identity map, which holds objects
    weakly: keep the returned list alive while serializing.
    """
    loaded = []
    for model, ids in ((User, {p.assignee_id for p in posts}), (Department, {p.department_id for p in posts}),
                       (Product, {p.product_id for p in posts})):
        ids.discard(None)
        if ids:
            loaded += db.session.execute(sa.select(model).where(model.id.in_(ids))).scalars().all()
    return loaded


def post_page(viewer, page: Page) -> dict:
    references = _preload_references(page.items)  # noqa: F841 (kept alive on purpose)
    voted = services.voted_post_ids(viewer, [p.id for p in page.items])
    return {"items": [post_summary(p, voted=p.id in voted) for p in page.items], "pagination": pagination(page)}


TIMELINE_ENTRY = openapi.schema("TimelineEntry", obj({
    "id": INT,
    "kind": {"type": "string", "enum": list(TIMELINE_KINDS)},
    "actor_role": {"type": "string", "description": "member, staff, moderator, admin or system"},
    "actor_label": {"type": "string", "description": "The actor's badge (staff) or name, as it was then"},
    "department_name": STR,
    "to_assignee_label": STR,
    "from_status": STATUS, "to_status": STATUS,
    "note": STR,
    "comment_id": {"type": ["integer", "null"], "description": "The official reply, for official_reply entries"},
    "elapsed_seconds": {"type": ["integer", "null"]},
    "created_at": DATETIME,
}))


def timeline_entry(e) -> dict:
    """The public record, as the item page shows it (labels, not account ids)."""
    return {"id": e.id, "kind": e.kind, "actor_role": e.actor_role, "actor_label": e.actor_label,
            "department_name": e.department_name, "to_assignee_label": e.to_assignee_label,
            "from_status": e.from_status, "to_status": e.to_status, "note": e.note, "comment_id": e.comment_id,
            "elapsed_seconds": e.elapsed_seconds, "created_at": iso(e.created_at)}


TRIAL_REPORT = openapi.schema("TrialReport", obj({
    "version": STR, "pros": STR, "cons": STR,
    "ratings": {"type": "object", "description": "1–5 per dimension",
                "properties": {k: {"type": "integer", "minimum": 1, "maximum": 5} for k in RATING_DIMENSIONS},
                "additionalProperties": False},
}))


def trial_report(r) -> dict | None:
    if r is None:
        return None
    return {"version": r.version, "pros": r.pros, "cons": r.cons,
            "ratings": {rating.dimension: rating.score for rating in r.ratings}}


POST_DETAIL = openapi.schema("Post", {
    "allOf": [POST_SUMMARY, obj({
        "body": {"type": "string", "description": "Markdown source"},
        "body_html": {"type": "string", "description": "Rendered and sanitized HTML"},
        "edited_at": NULLABLE_DATETIME, "status_changed_at": NULLABLE_DATETIME,
        "resolved_at": NULLABLE_DATETIME, "closed_at": NULLABLE_DATETIME,
        "reopen_count": INT,
        "trial_report": openapi.nullable(TRIAL_REPORT),
        "following": {"type": "boolean", "description": "Whether the caller follows the item"},
        "timeline": openapi.array_of(TIMELINE_ENTRY),
        "caller": obj({
            "can_edit": BOOL, "can_comment": BOOL, "can_vote": BOOL, "can_manage": BOOL,
            "can_reply_officially": BOOL, "is_author": BOOL,
            "transitions": {"type": "array", "items": {"type": "string", "enum": list(STATUSES)},
                            "description": "Statuses the caller may move the item to"},
        }),
    })],
})


def post_detail(viewer, p) -> dict:
    can_manage = permissions.can_manage_post(viewer, p)
    transitions = sorted(allowed_transitions(p.status) - {"duplicate"}, key=STATUSES.index) if can_manage else []
    return {
        **post_summary(p, voted=services.has_voted(viewer, p)),
        "body": p.body,
        "body_html": p.body_html,
        "edited_at": iso(p.edited_at), "status_changed_at": iso(p.status_changed_at),
        "resolved_at": iso(p.resolved_at), "closed_at": iso(p.closed_at),
        "reopen_count": p.reopen_count,
        "trial_report": trial_report(p.trial_report),
        "following": services.is_following(viewer, p),
        "timeline": [timeline_entry(e) for e in services.list_timeline(p)],
        "caller": {
            "can_edit": permissions.can_edit_post(viewer, p),
            "can_comment": permissions.can_comment(viewer, p),
            "can_vote": permissions.can_vote(viewer, p),
            "can_manage": can_manage,
            "can_reply_officially": permissions.can_reply_officially(viewer, p),
            "is_author": permissions.is_author(viewer, p),
            "transitions": transitions,
        },
    }


# Comments -----------------------------------------------------------------------

COMMENT = openapi.schema("Comment", obj({
    "id": INT, "post_id": INT,
    "parent_id": {"type": ["integer", "null"], "description": "The top-level comment this replies to"},
    "author": openapi.nullable(USER),
    "body": {"type": "string", "description": "Markdown source; empty once deleted"},
    "body_html": {"type": "string", "description": "Sanitized HTML; empty once deleted"},
    "is_official": {"type": "boolean", "description": "An official reply (官方回复) with the department badge"},
    "department": openapi.nullable(DEPARTMENT_BRIEF),
    "is_internal": {"type": "boolean", "description": "Staff-only note; never returned to non-staff"},
    "is_hidden": {"type": "boolean", "description": "Hidden by moderation; only its author and staff see it"},
    "is_deleted": BOOL,
    "created_at": DATETIME, "edited_at": NULLABLE_DATETIME,
}))


def comment(c) -> dict:
    deleted = c.is_deleted
    return {
        "id": c.id, "post_id": c.post_id, "parent_id": c.parent_id,
        "author": None if deleted else user(c.author),
        "body": "" if deleted else c.body,
        "body_html": "" if deleted else c.body_html,
        "is_official": c.is_official,
        "department": department_brief(c.department) if c.is_official else None,
        "is_internal": c.is_internal, "is_hidden": c.is_hidden, "is_deleted": deleted,
        "created_at": iso(c.created_at), "edited_at": None if deleted else iso(c.edited_at),
    }


REVISION = openapi.schema("Revision", obj({
    "id": INT,
    "editor": USER,
    "title_before": {"type": ["string", "null"], "description": "Post edits only"},
    "body_before": STR,
    "reason": {"type": "string", "description": "Given by moderators; public"},
    "by_moderator": BOOL,
    "created_at": DATETIME,
}))


def revision(r) -> dict:
    """The text before one edit (edit history is public wherever the post is visible)."""
    return {"id": r.id, "editor": user(r.editor), "title_before": r.title_before, "body_before": r.body_before,
            "reason": r.reason, "by_moderator": r.by_moderator, "created_at": iso(r.created_at)}
