"""The JSON shapes of routing (each with its OpenAPI schema beside it): departments and categories,
public information only."""
from __future__ import annotations

from community.api import openapi
from community.api.shapes import STR, obj

# `name` is the primary (Chinese) name; `local_name` follows the request's locale (the account's
# language, else Accept-Language) and falls back to `name` when no English name is set.
LOCAL_NAME = {"type": "string", "description": "The name in the request's locale (Accept-Language)"}
DEPARTMENT_BRIEF = openapi.schema("DepartmentBrief", obj({"slug": STR, "name": STR, "name_en": STR,
                                                          "local_name": LOCAL_NAME}))


def department_brief(d) -> dict | None:
    if d is None:
        return None
    return {"slug": d.slug, "name": d.name, "name_en": d.name_en, "local_name": d.local_name}


DEPARTMENT = openapi.schema("Department", {
    "allOf": [DEPARTMENT_BRIEF, obj({
        "first_response_hours": {"type": "integer", "description": "Target for the first official reply"},
        "resolution_days": {"type": "integer", "description": "Target for resolving an item"},
    })],
})


def department(d) -> dict:
    """Public information only: no lead, members or contacts."""
    return {**department_brief(d), "first_response_hours": d.first_response_hours,
            "resolution_days": d.resolution_days}


CATEGORY = openapi.schema("Category", obj({
    "slug": STR, "name": STR, "name_en": STR, "local_name": LOCAL_NAME, "description": STR,
    "department": openapi.nullable(DEPARTMENT_BRIEF),
}))


def category(c) -> dict | None:
    if c is None:
        return None
    return {"slug": c.slug, "name": c.name, "name_en": c.name_en, "local_name": c.local_name,
            "description": c.description,
            "department": department_brief(c.department)}


CATEGORY_BRIEF = openapi.schema("CategoryBrief", obj({"slug": STR, "name": STR, "name_en": STR,
                                                      "local_name": LOCAL_NAME}))


def category_brief(c) -> dict | None:
    if c is None:
        return None
    return {"slug": c.slug, "name": c.name, "name_en": c.name_en, "local_name": c.local_name}
