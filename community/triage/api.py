"""Staff triage API: queues with SLA clocks, bulk actions, department figures. 404 for non-staff."""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from community.api import api_user, bp, openapi
from community.api.inputs import Fields, json_object
from community.api.shapes import iso
from community.core.limits import write_limited
from community.core.pagination import clamp_page
from community.core.unit_of_work import commit_and_return
from community.triage import services
from community.triage.forms import department_by_id, filters_from, sort_from, user_by_username

TAG = ["Staff triage"]


def _clock(clk) -> dict | None:
    if clk is None:
        return None
    return {"target": clk.target, "state": clk.state, "remaining_seconds": clk.remaining_seconds,
            "target_seconds": clk.target_seconds, "paused": clk.paused}


def serialize_row(row: services.QueueRow) -> dict:
    p = row.post
    return {
        "id": p.id, "title": p.title, "status": p.status, "type": p.feedback_type,
        "author": {"id": p.author.id, "username": p.author.username, "name": p.author.name},
        "category": {"id": p.category.id, "slug": p.category.slug, "name": p.category.name,
                     "local_name": p.category.local_name} if p.category else None,
        "department_id": p.department_id, "assignee_id": p.assignee_id, "product_id": p.product_id,
        "vote_count": p.vote_count, "reopen_count": p.reopen_count, "reassign_count": p.reassign_count,
        "created_at": iso(p.created_at), "tags": row.tags, "supervised": row.supervised,
        "sla": {"headline": _clock(row.headline), **{name: _clock(c) for name, c in row.clocks.items()}},
    }


_clock_schema = {"type": ["object", "null"], "properties": {
    "target": {"type": "string", "enum": ["first_response", "resolution"]},
    "state": {"type": "string", "enum": ["ok", "due_soon", "overdue", "met", "missed"]},
    "remaining_seconds": {"type": "integer", "description": "Negative when overdue"},
    "target_seconds": {"type": "integer"}, "paused": {"type": "boolean"}}}
_row_schema = openapi.schema("TriageItem", {"type": "object", "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "status": {"type": "string"},
    "type": {"type": ["string", "null"]}, "author": {"type": "object"}, "category": {"type": ["object", "null"]},
    "department_id": {"type": ["integer", "null"]}, "assignee_id": {"type": ["integer", "null"]},
    "vote_count": {"type": "integer"}, "reopen_count": {"type": "integer"}, "reassign_count": {"type": "integer"},
    "created_at": {"type": "string", "format": "date-time"}, "tags": {"type": "array", "items": {"type": "string"}},
    "supervised": {"type": "boolean", "description": "督办: escalated to the department lead"},
    "sla": {"type": "object", "properties": {"headline": _clock_schema, "first_response": _clock_schema,
                                             "resolution": _clock_schema}}}})


@bp.get("/staff/queues/<name>", endpoint="triage_queue")
def staff_queue(name):
    actor = api_user()
    services.require_staff(actor)
    try:
        per_page = int(request.args.get("per_page", 50))
    except ValueError:
        per_page = 50
    page = services.list_queue(actor, name, filters=filters_from(request.args), sort=sort_from(request.args),
                               page=clamp_page(request.args.get("page")), per_page=per_page)
    return jsonify({"items": [serialize_row(r) for r in page.items], "page": page.page, "per_page": page.per_page,
                    "total": page.total, "total_capped": page.capped, "pages": page.pages})


openapi.document(
    "/staff/queues/{name}", "get", summary="A triage queue with SLA clocks (staff only; 404 for others)", tags=TAG,
    auth=True, errors=(401, 404),
    parameters=[{"name": "name", "in": "path", "required": True,
                 "schema": {"type": "string", "enum": list(services.QUEUES)}},
                openapi.query_param("department", {"type": "integer"}), openapi.query_param("category", {"type": "integer"}),
                openapi.query_param("status", {"type": "string"}, "Any status; default: open statuses"),
                openapi.query_param("type", {"type": "string", "enum": ["bug", "suggestion", "complaint"]}),
                openapi.query_param("product", {"type": "integer"}),
                openapi.query_param("from", {"type": "string", "format": "date"}, "Created on or after"),
                openapi.query_param("to", {"type": "string", "format": "date"}, "Created on or before"),
                openapi.query_param("tag", {"type": "string"}),
                openapi.query_param("sort", {"type": "string", "enum": list(services.QUEUE_SORTS)}),
                openapi.query_param("page", {"type": "integer"}), openapi.query_param("per_page", {"type": "integer"})],
    response={"type": "object", "properties": {"items": {"type": "array", "items": _row_schema},
                                               "page": {"type": "integer"}, "per_page": {"type": "integer"},
                                               "total": {"type": "integer", "description": "Stops at 10000"},
                                               "total_capped": {"type": "boolean"}, "pages": {"type": "integer"}}})


@bp.post("/staff/bulk", endpoint="triage_bulk")
@write_limited
def staff_bulk():
    actor = api_user()
    services.require_staff(actor)
    fields = Fields(json_object())
    action, to_user_name = fields.text("action"), fields.text("to_user").strip()
    reason, note, status = fields.text("reason"), fields.text("note"), fields.text("status")
    department_id, target_id = fields.integer("department_id"), fields.integer("target_id")
    ids, tags = fields.data.get("ids"), fields.data.get("tags")
    if not isinstance(ids, list):
        fields.errors["ids"] = _l("Must be a list of integers.")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        fields.errors["tags"] = _l("Must be a list of strings.")
    fields.check()
    to_user = user_by_username(to_user_name) if to_user_name else None
    results = services.bulk_action(
        actor, action, [i for i in ids if isinstance(i, int) and not isinstance(i, bool)],
        reason=reason, note=note, to_user=to_user, to_department=department_by_id(department_id), status=status,
        tags=tags or [], target_id=target_id)
    return commit_and_return(jsonify({
        "results": [{"id": r.post_id, "ok": r.ok, "code": r.code or None, "message": r.message or None}
                    for r in results],
        "succeeded": sum(r.ok for r in results), "failed": sum(not r.ok for r in results)}))


openapi.document(
    "/staff/bulk", "post", summary="Apply one action to several items; per-item results (staff only)", tags=TAG,
    auth=True, errors=(400, 401, 404, 422, 429),
    request_body={"type": "object", "required": ["action", "ids"], "properties": {
        "action": {"type": "string", "enum": list(services.BULK_ACTIONS)},
        "ids": {"type": "array", "items": {"type": "integer"}, "maxItems": 200},
        "to_user": {"type": "string", "description": "assign: staff username"},
        "department_id": {"type": "integer", "description": "assign: target department"},
        "reason": {"type": "string", "description": "assign: public reason (required)"},
        "status": {"type": "string", "description": "status: the new status"},
        "note": {"type": "string", "description": "status / merge: one public note for all"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "target_id": {"type": "integer", "description": "merge: the item to keep"}}},
    response={"type": "object", "properties": {
        "results": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "ok": {"type": "boolean"}, "code": {"type": ["string", "null"]},
            "message": {"type": ["string", "null"]}}}},
        "succeeded": {"type": "integer"}, "failed": {"type": "integer"}}})


@bp.get("/staff/figures", endpoint="triage_figures")
def staff_figures():
    actor = api_user()
    services.require_staff(actor)
    return jsonify({"departments": [f.as_dict() for f in services.department_figures()]})


openapi.document(
    "/staff/figures", "get", summary="Per-department accountability figures, last 90 days (staff only)", tags=TAG,
    auth=True, errors=(401, 404),
    response={"type": "object", "properties": {"departments": {"type": "array", "items": {"type": "object"}}}})
