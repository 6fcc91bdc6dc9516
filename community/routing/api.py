"""JSON API: categories and departments (public information only)."""
from __future__ import annotations

from community.api import bp, openapi
from community.routing import serializers, services


@bp.get("/categories", endpoint="routing_categories")
def list_categories():
    return {"items": [serializers.category(c) for c in services.list_categories()]}


openapi.document("/categories", "get", summary="List categories and the department each routes to",
                 tags=["routing"], errors=(), response=openapi.items_of(serializers.CATEGORY))


@bp.get("/departments", endpoint="routing_departments")
def list_departments():
    return {"items": [serializers.department(d) for d in services.list_departments()]}


openapi.document("/departments", "get", summary="List departments with their response targets (SLA)",
                 tags=["routing"], errors=(), response=openapi.items_of(serializers.DEPARTMENT),
                 description="Public information only: slugs, names and targets; never members or contacts.")
