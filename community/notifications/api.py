"""JSON API: /api/v1/notifications (list, catch up after an id, mark read, preferences)."""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from community.api import api_user, bp, openapi
from community.api.inputs import json_object
from community.core.errors import NotAuthenticated, ValidationFailed
from community.core.pagination import clamp_page
from community.core.unit_of_work import commit_and_return
from community.notifications import services
from community.notifications.kinds import kinds_for

NOTIFICATION = openapi.schema("Notification", {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string"}, "icon": {"type": "string"},
        "text": {"type": "string", "description": "In the caller's locale"},
        "note": {"type": "string"}, "url": {"type": "string", "description": "The exact comment or timeline entry"},
        "post_id": {"type": ["integer", "null"]}, "comment_id": {"type": ["integer", "null"]},
        "timeline_entry_id": {"type": ["integer", "null"]},
        "count": {"type": "integer", "description": "Events collapsed into this row (e.g. votes)"},
        "actors": {"type": "array", "items": {"type": "string"}},
        "read": {"type": "boolean"}, "created_at": {"type": "string", "format": "date-time"},
    },
})
LIST = {"type": "object", "properties": {
    "items": {"type": "array", "items": NOTIFICATION}, "unread": {"type": "integer"},
    "page": {"type": "integer"}, "pages": {"type": "integer"}, "total": {"type": "integer"},
    "more": {"type": "boolean", "description": "With after_id: more rows follow; ask again after the last id"},
}}
UNREAD = {"type": "object", "properties": {"unread": {"type": "integer"}}}
PREFERENCES = {"type": "object", "properties": {
    "kinds": {"type": "array", "items": {"type": "object", "properties": {
        "kind": {"type": "string"}, "label": {"type": "string"}, "enabled": {"type": "boolean"}}}}}}


def _user():
    user = api_user()
    if not user.is_authenticated:
        raise NotAuthenticated()
    return user


@bp.get("/notifications")
def list_notifications():
    user = _user()
    if request.args.get("after_id") is not None:
        rows = services.notifications_after(user, request.args.get("after_id"))
        return jsonify({"items": [services.serialize(r) for r in rows], "unread": services.unread_count(user),
                        "more": len(rows) >= services.SYNC_LIMIT})
    per_page = min(100, max(1, clamp_page(request.args.get("per_page"), 30)))
    page = services.list_feed(user, unread_only=request.args.get("unread") in ("1", "true"),
                              page=clamp_page(request.args.get("page")), per_page=per_page)
    return jsonify({"items": [services.serialize(r) for r in page.items], "unread": services.unread_count(user),
                    "page": page.page, "pages": page.pages, "total": page.total})


openapi.document("/notifications", "GET", summary="Your notifications: newest first, or everything after an id",
                 tags=["notifications"], auth=True, response=LIST, errors=(401, 422), parameters=[
                     openapi.query_param("after_id", {"type": "integer"},
                                         "Catch up: rows with a larger id, oldest first (reconnect sync)"),
                     openapi.query_param("unread", {"type": "boolean"}, "Only unread rows"),
                     openapi.query_param("page", {"type": "integer"}),
                     openapi.query_param("per_page", {"type": "integer", "maximum": 100})])


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id):
    user = _user()
    row = services.mark_read(user, notification_id)
    return commit_and_return(jsonify({"notification": services.serialize(row), "unread": services.unread_count(user)}))


openapi.document("/notifications/{notification_id}/read", "POST", summary="Mark one notification read",
                 tags=["notifications"], auth=True, parameters=[openapi.path_param("notification_id")],
                 response={"type": "object", "properties": {"notification": NOTIFICATION, "unread": {"type": "integer"}}},
                 errors=(401, 404))


@bp.post("/notifications/read-all")
def read_all_notifications():
    user = _user()
    services.mark_all_read(user)
    return commit_and_return(jsonify({"unread": 0}))


openapi.document("/notifications/read-all", "POST", summary="Mark all your notifications read",
                 tags=["notifications"], auth=True, response=UNREAD, errors=(401,))


def _preferences(user):
    disabled = services.disabled_kinds(user)
    return {"kinds": [{"kind": k.name, "label": str(k.label), "enabled": k.name not in disabled}
                      for k in kinds_for(user)]}


@bp.get("/notifications/preferences")
def get_preferences():
    return jsonify(_preferences(_user()))


@bp.put("/notifications/preferences")
def put_preferences():
    user = _user()
    body = json_object(optional=True)
    enabled = body.get("enabled")
    if not isinstance(enabled, list) or not all(isinstance(k, str) for k in enabled):
        raise ValidationFailed(fields={"enabled": _l("Give a list of notification kinds.")})
    services.set_preferences(user, enabled)
    return commit_and_return(jsonify(_preferences(user)))


openapi.document("/notifications/preferences", "GET", summary="Which kinds you receive in-app",
                 tags=["notifications"], auth=True, response=PREFERENCES, errors=(401,))
openapi.document("/notifications/preferences", "PUT", summary="Set the kinds you receive (others are turned off)",
                 tags=["notifications"], auth=True, response=PREFERENCES, errors=(401, 422),
                 request_body={"type": "object", "required": ["enabled"],
                               "properties": {"enabled": {"type": "array", "items": {"type": "string"}}}})
