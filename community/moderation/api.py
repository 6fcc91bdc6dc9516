"""Moderation endpoints on the shared /api/v1 blueprint.

Members flag; moderators act. Members (and anonymous callers) get 404 on moderator
endpoints, staff without the moderator role get 403, exactly as on the pages.
"""
from __future__ import annotations

from flask import request

from community.accounts.models import User
from community.api import api_user, bp, openapi
from community.api.inputs import Fields, json_object
from community.api.shapes import iso
from community.core.limits import write_limited
from community.core.pagination import clamp_page
from community.core.unit_of_work import commit_and_return
from community.feedback import services as feedback
from community.moderation import services
from community.moderation.models import FLAG_OUTCOMES, FLAG_REASONS, Flag, Hold

TAGS = ["moderation"]


def _json(*, optional: bool = False) -> Fields:
    """The body as typed fields: a wrong JSON type is a 422 naming the field, never a 500."""
    return Fields(json_object(optional=optional))


def flag_json(flag: Flag) -> dict:
    return {"id": flag.id, "target_type": flag.target_type, "target_id": flag.target_id, "post_id": flag.post_id,
            "reason": flag.reason, "note": flag.note, "status": flag.status, "outcome": flag.outcome,
            "resolution_note": flag.resolution_note, "created_at": iso(flag.created_at),
            "resolved_at": iso(flag.resolved_at)}


def content_state(obj) -> dict:
    state = {"id": obj.id, "is_hidden": obj.is_hidden, "is_deleted": obj.deleted_at is not None}
    if hasattr(obj, "is_locked"):
        state.update(is_locked=obj.is_locked, is_pinned=obj.is_pinned)
    return state


def user_state(user: User) -> dict:
    return {"username": user.username, "suspended_until": iso(user.suspended_until),
            "is_suspended": user.is_suspended, "is_banned": user.is_banned, "ban_reason": user.ban_reason}


def hold_json(hold: Hold) -> dict:
    return {"id": hold.id, "target_type": hold.target_type, "target_id": hold.target_id, "post_id": hold.post_id,
            "author": hold.author.username if hold.author else None, "reasons": hold.reasons, "status": hold.status,
            "created_at": iso(hold.created_at), "decided_at": iso(hold.decided_at)}


_FLAG = openapi.schema("Flag", {"type": "object", "properties": {
    "id": {"type": "integer"}, "target_type": {"enum": ["post", "comment"]}, "target_id": {"type": "integer"},
    "post_id": {"type": "integer"}, "reason": {"enum": list(FLAG_REASONS)}, "note": {"type": "string"},
    "status": {"enum": ["open", "resolved"]}, "outcome": {"enum": [*FLAG_OUTCOMES, None]},
    "resolution_note": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
    "resolved_at": {"type": ["string", "null"], "format": "date-time"}}})
_FLAG_IN = {"type": "object", "required": ["reason"], "properties": {
    "reason": {"enum": list(FLAG_REASONS)}, "note": {"type": "string", "maxLength": 500}}}
_STATE = openapi.schema("ModerationState", {"type": "object", "properties": {
    "id": {"type": "integer"}, "is_hidden": {"type": "boolean"}, "is_deleted": {"type": "boolean"},
    "is_locked": {"type": "boolean"}, "is_pinned": {"type": "boolean"}}})
_USER_STATE = openapi.schema("UserModerationState", {"type": "object", "properties": {
    "username": {"type": "string"}, "suspended_until": {"type": ["string", "null"], "format": "date-time"},
    "is_suspended": {"type": "boolean"}, "is_banned": {"type": "boolean"}, "ban_reason": {"type": ["string", "null"]}}})
_HOLD = openapi.schema("Hold", {"type": "object", "properties": {
    "id": {"type": "integer"}, "target_type": {"enum": ["post", "comment", "roadmap_comment"]},
    "target_id": {"type": "integer"}, "post_id": {"type": ["integer", "null"]}, "author": {"type": ["string", "null"]},
    "reasons": {"type": "array", "items": {"type": "string"}},
    "status": {"enum": ["pending", "approved", "rejected"]}}})
_FLAG_GROUP = openapi.schema("FlagGroup", {"type": "object", "properties": {
    "target_type": {"enum": ["post", "comment"]}, "target_id": {"type": "integer"}, "post_id": {"type": "integer"},
    "count": {"type": "integer"}, "reasons": {"type": "object", "additionalProperties": {"type": "integer"}},
    "first_flagged_at": {"type": "string", "format": "date-time"}}})


def _page_of(item_schema) -> dict:
    return {"type": "object", "required": ["items", "page", "pages", "total"], "properties": {
        "items": {"type": "array", "items": item_schema}, "page": {"type": "integer"},
        "pages": {"type": "integer"}, "total": {"type": "integer"}}}


_USERNAME = {"name": "username", "in": "path", "required": True, "schema": {"type": "string"}}
_PAGE = openapi.query_param("page", {"type": "integer", "minimum": 1})


# Flags -------------------------------------------------------------------------------

def _flag(target_type: str, target_id: int):
    data = _json()
    reason, note = data.text("reason"), data.text("note")
    data.check()
    flag = services.flag_content(api_user(), target_type, target_id, reason=reason, note=note)
    return commit_and_return(flag_json(flag), 201)


@bp.post("/posts/<int:post_id>/flags")
@write_limited
def api_flag_post(post_id):
    return _flag("post", post_id)


@bp.post("/comments/<int:comment_id>/flags")
@write_limited
def api_flag_comment(comment_id):
    return _flag("comment", comment_id)


for _kind in ("post", "comment"):
    openapi.document(f"/{_kind}s/{{{_kind}_id}}/flags", "post", summary=f"Flag a {_kind} for the moderators",
                     tags=TAGS, parameters=[openapi.path_param(f"{_kind}_id")], request_body=_FLAG_IN,
                     response=_FLAG, status=201, auth=True, errors=(401, 403, 404, 409, 422))


@bp.get("/flags/mine")
def api_my_flags():
    page = services.list_my_flags(api_user(), page=clamp_page(request.args.get("page")))
    return {"items": [flag_json(f) for f in page.items], "page": page.page, "pages": page.pages, "total": page.total}


openapi.document("/flags/mine", "get", summary="My flags and their outcomes", tags=TAGS, parameters=[_PAGE],
                 response=_page_of(_FLAG), auth=True, errors=(401,))


@bp.get("/moderation/flags")
def api_flag_queue():
    page = services.list_flag_queue(api_user(), page=clamp_page(request.args.get("page")))
    items = [{"target_type": g.target_type, "target_id": g.target_id, "post_id": g.post_id, "count": g.count,
              "reasons": g.reasons, "first_flagged_at": iso(g.first_at)} for g in page.items]
    return {"items": items, "page": page.page, "pages": page.pages, "total": page.total}


openapi.document("/moderation/flags", "get", summary="Open flags grouped by item, most flagged first (staff)",
                 tags=TAGS, parameters=[_PAGE], response=_page_of(_FLAG_GROUP), auth=True, errors=(401, 404))


@bp.post("/moderation/flags/resolve")
@write_limited
def api_resolve_flags():
    data = _json()
    # target_id: any JSON value; get_target reads it as a database id (anything else is not found).
    target_type, target_id, outcome = data.text("target_type"), data.data.get("target_id"), data.text("outcome")
    note = data.text("note")
    title, body = data.text("title", default=None), data.text("body", default=None)
    data.check()
    flags = services.resolve_flags(api_user(), target_type, target_id, outcome=outcome, note=note,
                                   title=title, body=body)
    return commit_and_return({"resolved": [flag_json(f) for f in flags]})


openapi.document("/moderation/flags/resolve", "post", summary="Resolve every open flag on an item (moderators)",
                 tags=TAGS, auth=True, errors=(401, 403, 404, 409, 422),
                 response={"type": "object", "properties": {"resolved": {"type": "array", "items": _FLAG}}},
                 request_body={
                     "type": "object", "required": ["target_type", "target_id", "outcome"], "properties": {
                         "target_type": {"enum": ["post", "comment"]}, "target_id": {"type": "integer"},
                         "outcome": {"enum": list(FLAG_OUTCOMES)}, "note": {"type": "string"},
                         "title": {"type": "string", "description": "outcome=edit: new title (posts)"},
                         "body": {"type": "string", "description": "outcome=edit: new text"}}})


# Moderator actions ------------------------------------------------------------------------

_ACTION_IN = {"type": "object", "required": ["action"], "properties": {
    "action": {"enum": list(services.POST_ACTIONS)}, "reason": {"type": "string", "maxLength": 500}}}


@bp.post("/posts/<int:post_id>/moderation")
@write_limited
def api_moderate_post(post_id):
    actor = api_user()
    services.require_moderator(actor)  # members: 404 before anything about the post is revealed
    post = feedback.get_post(actor, post_id)
    data = _json()
    action, reason = data.text("action"), data.text("reason")
    data.check()
    services.moderate_post(actor, post, action, reason=reason)
    return commit_and_return(content_state(post))


@bp.post("/comments/<int:comment_id>/moderation")
@write_limited
def api_moderate_comment(comment_id):
    actor = api_user()
    services.require_moderator(actor)
    comment = feedback.get_comment(actor, comment_id)
    data = _json()
    action, reason = data.text("action"), data.text("reason")
    data.check()
    services.moderate_comment(actor, comment, action, reason=reason)
    return commit_and_return(content_state(comment))


openapi.document("/posts/{post_id}/moderation", "post",
                 summary="Hide, unhide, lock, unlock, pin, unpin, delete or restore a post (moderators)",
                 tags=TAGS, parameters=[openapi.path_param("post_id")], request_body=_ACTION_IN, response=_STATE,
                 auth=True, errors=(401, 403, 404, 409, 422))
openapi.document("/comments/{comment_id}/moderation", "post", summary="Hide, unhide, delete or restore a comment (moderators)",
                 tags=TAGS, parameters=[openapi.path_param("comment_id")], request_body={
                     **_ACTION_IN, "properties": {**_ACTION_IN["properties"], "action": {"enum": list(services.COMMENT_ACTIONS)}}},
                 response=_STATE, auth=True, errors=(401, 403, 404, 409, 422))


# Held content ----------------------------------------------------------------------------

@bp.get("/moderation/holds")
def api_holds():
    page = services.list_holds(api_user(), status=request.args.get("status", "pending"),
                               page=clamp_page(request.args.get("page")))
    return {"items": [hold_json(h) for h in page.items], "page": page.page, "pages": page.pages, "total": page.total}


@bp.post("/moderation/holds/<int:hold_id>/<any(approve, reject):decision>")
@write_limited
def api_decide_hold(hold_id, decision):
    actor = api_user()
    hold = services.get_hold(actor, hold_id)
    data = _json(optional=True)
    reason = data.text("reason")
    data.check()
    services.decide_hold(actor, hold, approve=decision == "approve", reason=reason)
    return commit_and_return(hold_json(hold))


openapi.document("/moderation/holds", "get", summary="Content held for review (staff)", tags=TAGS,
                 parameters=[_PAGE, openapi.query_param("status", {"enum": ["pending", "approved", "rejected"]})],
                 response=_page_of(_HOLD), auth=True, errors=(401, 404))
for _decision in ("approve", "reject"):
    openapi.document(f"/moderation/holds/{{hold_id}}/{_decision}", "post", summary=f"{_decision.title()} held content (moderators)",
                     tags=TAGS, parameters=[openapi.path_param("hold_id")], response=_HOLD, auth=True,
                     errors=(401, 403, 404, 409))


# Users --------------------------------------------------------------------------------------

@bp.route("/users/<username>/suspension", methods=["POST", "DELETE"])
@write_limited
def api_suspension(username):
    actor = api_user()
    user = services.get_user(actor, username)
    data = _json(optional=True)
    days, reason = data.data.get("days"), data.text("reason")  # days: the service reads numbers and numeric strings
    data.check()
    if request.method == "POST":
        services.suspend_user(actor, user, days=days, reason=reason)
    else:
        services.lift_suspension(actor, user, reason=reason)
    return commit_and_return(user_state(user))


@bp.route("/users/<username>/ban", methods=["POST", "DELETE"])
@write_limited
def api_ban(username):
    actor = api_user()
    user = services.get_user(actor, username)
    data = _json(optional=True)
    reason = data.text("reason")
    data.check()
    if request.method == "POST":
        services.ban_user(actor, user, reason=reason)
    else:
        services.unban_user(actor, user, reason=reason)
    return commit_and_return(user_state(user))


openapi.document("/users/{username}/suspension", "post", summary="Suspend a user for some days; ends their sessions (moderators)",
                 tags=TAGS, parameters=[_USERNAME], response=_USER_STATE, auth=True, errors=(401, 403, 404, 422),
                 request_body={"type": "object", "required": ["days", "reason"], "properties": {
                     "days": {"type": "integer", "minimum": 1, "maximum": services.MAX_SUSPENSION_DAYS},
                     "reason": {"type": "string", "maxLength": 500}}})
openapi.document("/users/{username}/suspension", "delete", summary="Lift a suspension (moderators)", tags=TAGS,
                 parameters=[_USERNAME], response=_USER_STATE, auth=True, errors=(401, 403, 404, 409))
openapi.document("/users/{username}/ban", "post", summary="Ban a user; ends their sessions (moderators; never admins)",
                 tags=TAGS, parameters=[_USERNAME], response=_USER_STATE, auth=True, errors=(401, 403, 404, 409, 422),
                 request_body={"type": "object", "required": ["reason"], "properties": {
                     "reason": {"type": "string", "maxLength": 500}}})
openapi.document("/users/{username}/ban", "delete", summary="Lift a ban (moderators)", tags=TAGS,
                 parameters=[_USERNAME], response=_USER_STATE, auth=True, errors=(401, 403, 404, 409))
